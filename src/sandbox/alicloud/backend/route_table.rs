//! Transit router route tables (the seeded `System` table of each region) and the two links an
//! attachment can have with one (docs/design/alicloud.md §5.5): association ("associated
//! forwarding", `Associating` → `Active`, `Dissociating` → gone; one table per attachment) and
//! propagation ("route learning", `Enabling` → `Active`, `Disabling` → gone). While a link of an
//! attachment is pending, no other link operation on that attachment is allowed
//! (`Operation.Blocking`).

use super::db::Db;
use super::model::{dry_run_check, link_id, status, Link, LinkType, TrVpnAttachment};
use super::seed::{self, SeedRegion};
use crate::sandbox::alicloud::error::{codes, AliError};

/// The seeded route tables (of transit router `tr`, if given), in region order.
pub(crate) fn tables(tr: Option<&str>) -> Vec<&'static SeedRegion> {
    seed::REGIONS
        .iter()
        .filter(|r| tr.is_none_or(|tr| r.transit_router_id() == tr))
        .collect()
}

/// The seeded route table `id`; otherwise 404.
pub(crate) fn table(id: &str) -> Result<&'static SeedRegion, AliError> {
    seed::by_route_table(id).ok_or_else(|| {
        AliError::not_found(
            codes::ROUTE_TABLE_NOT_FOUND,
            format!("The specified TransitRouterRouteTableId {id} does not exist."),
        )
    })
}

/// The attachment and route table a link call names, checked against each other.
fn endpoints(db: &Db<'_>, attachment: &str, table_id: &str) -> Result<TrVpnAttachment, AliError> {
    let attachment = db.attachment(attachment)?;
    let region = table(table_id)?;
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
    Ok(attachment)
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

/// Associate / Enable: the link starts in `creating`. A retry with the `token` that made the
/// link succeeds.
pub(crate) fn link(
    db: &Db<'_>,
    t: &LinkType,
    attachment: &str,
    table: &str,
    token: Option<String>,
    dry_run: bool,
) -> Result<(), AliError> {
    let attachment = endpoints(db, attachment, table)?;
    let att_id = attachment.transit_router_attachment_id.as_str();
    let links = db.links_of(att_id)?;
    let same_type: Vec<&Link> = links.iter().filter(|l| l.kind == t.kind.name).collect();
    if let Some(existing) = same_type
        .iter()
        .find(|l| l.transit_router_route_table_id == table)
    {
        if token.is_some() && existing.client_token == token {
            return Ok(());
        }
    }
    if attachment.status != status::ATTACHED {
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
    dry_run_check(dry_run)?;
    let link = Link {
        transit_router_attachment_id: att_id.to_owned(),
        transit_router_route_table_id: table.to_owned(),
        transit_router_id: attachment.transit_router_id.clone(),
        resource_id: attachment.vpn_id.clone(),
        resource_type: "VPN".to_owned(),
        status: t.creating.to_owned(),
        status_since: db.now_ms(),
        client_token: token,
        kind: t.kind.name.to_owned(),
    };
    db.insert(
        t.kind,
        &attachment.region_id,
        &link_id(t.kind, att_id, table),
        &link,
    )
}

/// Dissociate / Disable: the link goes `removing`, then disappears.
pub(crate) fn unlink(
    db: &Db<'_>,
    t: &LinkType,
    attachment: &str,
    table: &str,
    dry_run: bool,
) -> Result<(), AliError> {
    let attachment = endpoints(db, attachment, table)?;
    let att_id = attachment.transit_router_attachment_id.as_str();
    let Some(mut link) = db.find::<Link>(t.kind, &link_id(t.kind, att_id, table))? else {
        return Err(AliError::not_found(
            t.not_found,
            format!("The attachment {att_id} has no such link with route table {table}."),
        ));
    };
    no_pending(&db.links_of(att_id)?, att_id)?;
    dry_run_check(dry_run)?;
    link.status = t.removing.to_owned();
    link.status_since = db.now_ms();
    db.save_link(&link)
}

/// Every link of this type, oldest first.
pub(crate) fn links(db: &Db<'_>, t: &LinkType) -> Result<Vec<Link>, AliError> {
    db.list_all(t.kind)
}
