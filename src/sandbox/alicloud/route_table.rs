//! Transit router route tables (the seeded `System` table of each region) and the two links an
//! attachment can have with one (docs/design/alicloud.md §5.5): association ("associated
//! forwarding", `Associating` → `Active`, `Dissociating` → gone; one table per attachment) and
//! propagation ("route learning", `Enabling` → `Active`, `Disabling` → gone). While a link of an
//! attachment is pending, no other link operation on that attachment is allowed
//! (`Operation.Blocking`).

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::error::{codes, AliError};
use super::model;
use super::seed;
use super::tr_attachment::{self, TrVpnAttachment};
use super::{Call, CLOUD};
use crate::sandbox::store::{Kind, Tx};

pub(crate) const ASSOCIATIONS: Kind = Kind {
    cloud: CLOUD,
    name: "route_table_associations",
    id_prefix: "rta",
};

pub(crate) const PROPAGATIONS: Kind = Kind {
    cloud: CLOUD,
    name: "route_table_propagations",
    id_prefix: "rtp",
};

const ACTIVE: &str = "Active";

/// What differs between associations and propagations.
pub(crate) struct LinkType {
    pub kind: Kind,
    /// Status while being created / removed.
    pub creating: &'static str,
    pub removing: &'static str,
    /// Key of the list in the `List…` answer.
    list_key: &'static str,
    not_found: &'static str,
    /// Error code when the link (or, for associations, any association) already exists.
    already: &'static str,
    /// An attachment may have only one link of this type (associations).
    one_per_attachment: bool,
    /// `List…` requires `TransitRouterRouteTableId` (propagations; per the SDK models).
    list_needs_table: bool,
}

pub(crate) const ASSOCIATION: LinkType = LinkType {
    kind: ASSOCIATIONS,
    creating: "Associating",
    removing: "Dissociating",
    list_key: "TransitRouterAssociations",
    not_found: codes::ASSOCIATION_NOT_FOUND,
    already: codes::ALREADY_ASSOCIATED,
    one_per_attachment: true,
    list_needs_table: false,
};

pub(crate) const PROPAGATION: LinkType = LinkType {
    kind: PROPAGATIONS,
    creating: "Enabling",
    removing: "Disabling",
    list_key: "TransitRouterPropagations",
    not_found: codes::PROPAGATION_NOT_FOUND,
    already: codes::ALREADY_PROPAGATING,
    one_per_attachment: false,
    list_needs_table: true,
};

/// One association or propagation (its kind says which).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Link {
    pub transit_router_attachment_id: String,
    pub transit_router_route_table_id: String,
    pub transit_router_id: String,
    /// The connection (`vco-…`).
    pub resource_id: String,
    pub resource_type: String,
    pub status: String,
    /// When `status` was entered (epoch ms).
    pub status_since: i64,
    /// `Associate…` / `Enable…` carry one; a retry with the same token succeeds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_token: Option<String>,
    /// `associations` or `propagations` (the store kind), to find the row again.
    pub kind: String,
}

impl Link {
    pub(crate) fn is_pending(&self) -> bool {
        self.status != ACTIVE
    }

    fn link_type(&self) -> &'static LinkType {
        if self.kind == PROPAGATIONS.name {
            &PROPAGATION
        } else {
            &ASSOCIATION
        }
    }

    /// A `List…Associations` / `List…Propagations` element (also what `/_sandbox/state` shows).
    pub(crate) fn to_json(&self) -> Value {
        json!({
            "TransitRouterAttachmentId": self.transit_router_attachment_id,
            "TransitRouterRouteTableId": self.transit_router_route_table_id,
            "ResourceId": self.resource_id,
            "ResourceType": self.resource_type,
            "Status": self.status,
        })
    }
}

fn link_id(t: &LinkType, attachment: &str, table: &str) -> String {
    format!("{}:{attachment}:{table}", t.kind.id_prefix)
}

/// Every association and propagation of an attachment.
pub(crate) fn links_of(tx: &Tx<'_>, attachment: &str) -> Result<Vec<Link>, AliError> {
    let mut out = Vec::new();
    for t in [&ASSOCIATION, &PROPAGATION] {
        out.extend(
            tx.list_all::<Link>(t.kind)?
                .into_iter()
                .filter(|l| l.transit_router_attachment_id == attachment),
        );
    }
    Ok(out)
}

/// Removes a link at once (forced attachment delete, or a finished removal).
pub(crate) fn remove(tx: &Tx<'_>, link: &Link) -> Result<(), AliError> {
    let t = link.link_type();
    tx.delete(
        t.kind,
        &link_id(
            t,
            &link.transit_router_attachment_id,
            &link.transit_router_route_table_id,
        ),
    )?;
    Ok(())
}

pub(crate) fn save(tx: &Tx<'_>, link: &Link) -> Result<(), AliError> {
    let t = link.link_type();
    tx.update(
        t.kind,
        &link_id(
            t,
            &link.transit_router_attachment_id,
            &link.transit_router_route_table_id,
        ),
        link,
    )?;
    Ok(())
}

/// ListTransitRouterRouteTables: the seeded `System` tables (of `TransitRouterId`, if given).
pub(crate) fn list_tables(_tx: &Tx<'_>, call: &Call) -> Result<Value, AliError> {
    let p = &call.params;
    let tr = p.get("TransitRouterId");
    let ids = p.list("TransitRouterRouteTableIds")?;
    let names = p.list("TransitRouterRouteTableNames")?;
    let table_type = p.get("TransitRouterRouteTableType");
    let status = p.get("TransitRouterRouteTableStatus");
    let field = |v: &Value, k: &str| v[k].as_str().unwrap_or_default().to_owned();
    let tables: Vec<Value> = seed::REGIONS
        .iter()
        .filter(|r| tr.is_none_or(|tr| r.transit_router_id() == tr))
        .map(seed::route_table_json)
        .filter(|t| ids.is_empty() || ids.contains(&field(t, "TransitRouterRouteTableId")))
        .filter(|t| names.is_empty() || names.contains(&field(t, "TransitRouterRouteTableName")))
        .filter(|t| table_type.is_none_or(|v| field(t, "TransitRouterRouteTableType") == v))
        .filter(|t| status.is_none_or(|v| field(t, "TransitRouterRouteTableStatus") == v))
        .collect();
    let (page, max, next) = model::cbn_page(p, &tables)?;
    Ok(json!({
        "TotalCount": tables.len(),
        "MaxResults": max,
        "NextToken": next,
        "TransitRouterRouteTables": page,
    }))
}

/// The attachment and route table a link call names, checked against each other.
fn endpoints(tx: &Tx<'_>, call: &Call) -> Result<(TrVpnAttachment, String), AliError> {
    let p = &call.params;
    let attachment = tr_attachment::get(tx, p.required("TransitRouterAttachmentId")?)?;
    let table_id = p.required("TransitRouterRouteTableId")?;
    let region = seed::by_route_table(table_id).ok_or_else(|| {
        AliError::not_found(
            codes::ROUTE_TABLE_NOT_FOUND,
            format!("The specified TransitRouterRouteTableId {table_id} does not exist."),
        )
    })?;
    if region.transit_router_id() != attachment.transit_router_id {
        return Err(AliError::bad(
            codes::ROUTE_TABLE_MISMATCH,
            format!(
                "Route table {table_id} belongs to {}, the attachment {} to {}.",
                region.transit_router_id(),
                attachment.transit_router_attachment_id,
                attachment.transit_router_id
            ),
        ));
    }
    Ok((attachment, table_id.to_owned()))
}

fn no_pending(links: &[Link], attachment: &str) -> Result<(), AliError> {
    match links.iter().find(|l| l.is_pending()) {
        Some(busy) => Err(AliError::blocking(format_args!(
            "{attachment} has a route table link in state {} ({})",
            busy.status, busy.transit_router_route_table_id
        ))),
        None => Ok(()),
    }
}

/// Associate / Enable: the link starts in `creating`.
fn link_on(tx: &Tx<'_>, call: &Call, t: &LinkType) -> Result<Value, AliError> {
    let p = &call.params;
    let (attachment, table) = endpoints(tx, call)?;
    let att_id = attachment.transit_router_attachment_id.as_str();
    let token = p.string("ClientToken");
    let links = links_of(tx, att_id)?;
    let same_type: Vec<&Link> = links.iter().filter(|l| l.kind == t.kind.name).collect();
    if let Some(existing) = same_type
        .iter()
        .find(|l| l.transit_router_route_table_id == table)
    {
        if token.is_some() && existing.client_token == token {
            return Ok(json!({}));
        }
    }
    if attachment.status != tr_attachment::status::ATTACHED {
        return Err(AliError::incorrect_status(
            &format!("transit router attachment {att_id}"),
            &attachment.status,
        ));
    }
    no_pending(&links, att_id)?;
    let conflict = same_type
        .iter()
        .find(|l| t.one_per_attachment || l.transit_router_route_table_id == table);
    if let Some(existing) = conflict {
        return Err(AliError::bad(
            t.already,
            format!(
                "The attachment {att_id} already has a link with route table {} ({}).",
                existing.transit_router_route_table_id, existing.status
            ),
        ));
    }
    p.dry_run_check()?;
    let link = Link {
        transit_router_attachment_id: att_id.to_owned(),
        transit_router_route_table_id: table.clone(),
        transit_router_id: attachment.transit_router_id.clone(),
        resource_id: attachment.vpn_id.clone(),
        resource_type: "VPN".to_owned(),
        status: t.creating.to_owned(),
        status_since: call.now_ms,
        client_token: token,
        kind: t.kind.name.to_owned(),
    };
    tx.insert(
        t.kind,
        &attachment.region_id,
        &link_id(t, att_id, &table),
        &link,
    )?;
    Ok(json!({}))
}

/// Dissociate / Disable: the link goes `removing`, then disappears.
fn link_off(tx: &Tx<'_>, call: &Call, t: &LinkType) -> Result<Value, AliError> {
    let p = &call.params;
    let (attachment, table) = endpoints(tx, call)?;
    let att_id = attachment.transit_router_attachment_id.as_str();
    let Some(mut link) = tx
        .get::<Link>(t.kind, &link_id(t, att_id, &table))?
        .map(|s| s.body)
    else {
        return Err(AliError::not_found(
            t.not_found,
            format!("The attachment {att_id} has no such link with route table {table}."),
        ));
    };
    no_pending(&links_of(tx, att_id)?, att_id)?;
    p.dry_run_check()?;
    link.status = t.removing.to_owned();
    link.status_since = call.now_ms;
    save(tx, &link)?;
    Ok(json!({}))
}

fn list_links(tx: &Tx<'_>, call: &Call, t: &LinkType) -> Result<Value, AliError> {
    let p = &call.params;
    let table = if t.list_needs_table {
        Some(p.required("TransitRouterRouteTableId")?)
    } else {
        p.get("TransitRouterRouteTableId")
    };
    let attachment = p.get("TransitRouterAttachmentId");
    let resource = p.get("TransitRouterAttachmentResourceId");
    let resource_type = p.get("TransitRouterAttachmentResourceType");
    let status = p.get("Status");
    let matching: Vec<Link> = tx
        .list_all::<Link>(t.kind)?
        .into_iter()
        .filter(|l| table.is_none_or(|t| l.transit_router_route_table_id == t))
        .filter(|l| attachment.is_none_or(|a| l.transit_router_attachment_id == a))
        .filter(|l| resource.is_none_or(|r| l.resource_id == r))
        .filter(|l| resource_type.is_none_or(|r| l.resource_type == r))
        .filter(|l| status.is_none_or(|s| l.status == s))
        .collect();
    let (page, max, next) = model::cbn_page(p, &matching)?;
    let mut v = json!({
        "TotalCount": matching.len(),
        "MaxResults": max,
        "NextToken": next,
    });
    if let Value::Object(map) = &mut v {
        map.insert(
            t.list_key.to_owned(),
            Value::Array(page.iter().map(Link::to_json).collect()),
        );
    }
    Ok(v)
}

pub(crate) fn associate(tx: &Tx<'_>, call: &Call) -> Result<Value, AliError> {
    link_on(tx, call, &ASSOCIATION)
}

pub(crate) fn dissociate(tx: &Tx<'_>, call: &Call) -> Result<Value, AliError> {
    link_off(tx, call, &ASSOCIATION)
}

pub(crate) fn list_associations(tx: &Tx<'_>, call: &Call) -> Result<Value, AliError> {
    list_links(tx, call, &ASSOCIATION)
}

pub(crate) fn enable_propagation(tx: &Tx<'_>, call: &Call) -> Result<Value, AliError> {
    link_on(tx, call, &PROPAGATION)
}

pub(crate) fn disable_propagation(tx: &Tx<'_>, call: &Call) -> Result<Value, AliError> {
    link_off(tx, call, &PROPAGATION)
}

pub(crate) fn list_propagations(tx: &Tx<'_>, call: &Call) -> Result<Value, AliError> {
    list_links(tx, call, &PROPAGATION)
}
