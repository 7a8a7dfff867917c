//! Transit router route-table actions (docs/design/alicloud.md §5.5): the seeded `System`
//! tables, and associating / propagating an attachment with one. Parse, call the backend,
//! render.

use serde_json::{json, Value};

use super::shared::{self, FieldFilter};
use crate::sandbox::alicloud::backend::db::Db;
use crate::sandbox::alicloud::backend::model::{Link, LinkType, ASSOCIATION, PROPAGATION};
use crate::sandbox::alicloud::backend::route_table as backend;
use crate::sandbox::alicloud::backend::seed::{SeedRegion, SEED_CREATION_TIME};
use crate::sandbox::alicloud::error::AliError;
use crate::sandbox::alicloud::params::Params;

/// A `ListTransitRouterRouteTables` element for the region's `System` table.
pub(super) fn render_table(r: &SeedRegion) -> Value {
    json!({
        "TransitRouterRouteTableId": r.route_table_id(),
        "TransitRouterRouteTableType": "System",
        "TransitRouterRouteTableStatus": "Active",
        "TransitRouterRouteTableName": r.route_table_name(),
        "TransitRouterRouteTableDescription": "",
        "TransitRouterId": r.transit_router_id(),
        "RegionId": r.region,
        "CreateTime": SEED_CREATION_TIME,
        "RouteTableOptions": {"MultiRegionECMP": "disable"},
        "Tags": [],
    })
}

/// A `List…Associations` / `List…Propagations` element (also what `/_sandbox/state` shows).
pub(super) fn render_link(l: &Link) -> Value {
    json!({
        "TransitRouterAttachmentId": l.transit_router_attachment_id,
        "TransitRouterRouteTableId": l.transit_router_route_table_id,
        "ResourceId": l.resource_id,
        "ResourceType": l.resource_type,
        "Status": l.status,
    })
}

/// ListTransitRouterRouteTables: the seeded `System` tables (of `TransitRouterId`, if given).
pub(super) fn list_tables(_db: &Db<'_>, p: &Params) -> Result<Value, AliError> {
    let ids = p.list("TransitRouterRouteTableIds")?;
    let names = p.list("TransitRouterRouteTableNames")?;
    let table_type = p.get("TransitRouterRouteTableType");
    let status = p.get("TransitRouterRouteTableStatus");
    let field = |v: &Value, k: &str| v[k].as_str().unwrap_or_default().to_owned();
    let tables: Vec<Value> = backend::tables(p.get("TransitRouterId"))
        .into_iter()
        .map(render_table)
        .filter(|t| ids.is_empty() || ids.contains(&field(t, "TransitRouterRouteTableId")))
        .filter(|t| names.is_empty() || names.contains(&field(t, "TransitRouterRouteTableName")))
        .filter(|t| table_type.is_none_or(|v| field(t, "TransitRouterRouteTableType") == v))
        .filter(|t| status.is_none_or(|v| field(t, "TransitRouterRouteTableStatus") == v))
        .collect();
    shared::cbn_answer(p, &tables, "TransitRouterRouteTables", Value::clone)
}

/// What tells associations and propagations apart in their calls: the backend's link type, the
/// key of a list answer, and whether listing requires `TransitRouterRouteTableId`
/// (propagations, per the SDK models).
pub(super) struct Links {
    t: &'static LinkType,
    list_key: &'static str,
    needs_table: bool,
}

pub(super) const ASSOCIATIONS: Links = Links {
    t: &ASSOCIATION,
    list_key: "TransitRouterAssociations",
    needs_table: false,
};
pub(super) const PROPAGATIONS: Links = Links {
    t: &PROPAGATION,
    list_key: "TransitRouterPropagations",
    needs_table: true,
};

/// Associate / Enable.
pub(super) fn link_on(db: &Db<'_>, p: &Params, links: &Links) -> Result<Value, AliError> {
    let t = links.t;
    let attachment = p.required("TransitRouterAttachmentId")?;
    let table = p.required("TransitRouterRouteTableId")?;
    let token = p.string("ClientToken");
    backend::link(db, t, attachment, table, token, shared::dry_run(p)?)?;
    Ok(json!({}))
}

/// Dissociate / Disable.
pub(super) fn link_off(db: &Db<'_>, p: &Params, links: &Links) -> Result<Value, AliError> {
    let t = links.t;
    let attachment = p.required("TransitRouterAttachmentId")?;
    let table = p.required("TransitRouterRouteTableId")?;
    backend::unlink(db, t, attachment, table, shared::dry_run(p)?)?;
    Ok(json!({}))
}

/// List associations / propagations.
pub(super) fn list_links(db: &Db<'_>, p: &Params, links: &Links) -> Result<Value, AliError> {
    let Links {
        t,
        list_key,
        needs_table,
    } = *links;
    if needs_table {
        p.required("TransitRouterRouteTableId")?;
    }
    let fields: &[FieldFilter<Link>] = &[
        ("TransitRouterRouteTableId", |l| {
            &l.transit_router_route_table_id
        }),
        ("TransitRouterAttachmentId", |l| {
            &l.transit_router_attachment_id
        }),
        ("TransitRouterAttachmentResourceId", |l| &l.resource_id),
        ("TransitRouterAttachmentResourceType", |l| &l.resource_type),
        ("Status", |l| &l.status),
    ];
    let matching = shared::matching(p, backend::links(db, t)?, fields, None)?;
    shared::cbn_answer(p, &matching, list_key, render_link)
}
