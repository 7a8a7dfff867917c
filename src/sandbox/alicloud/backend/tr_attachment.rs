//! Binding a connection to a transit router (Cbn 2017-09-12 `*TransitRouterVpnAttachment*`,
//! docs/design/alicloud.md §5.1–§5.4). Asynchronous: `Attaching` → `Attached`, `Detaching` → gone;
//! the connection follows (`attaching` → `attached`, `detaching` → `init`), see `lifecycle`.

use super::db::Db;
use super::model::{
    dry_run_check, replay, state, status, ClientToken, Tag, TrVpnAttachment, ACCOUNT_ID,
    ATTACHED_TO_CEN, TR_ATTACHMENTS,
};
use super::seed::{SeedRegion, CEN_ID};
use crate::sandbox::alicloud::error::{codes, AliError};
use crate::sandbox::change::{inputs, set};

const DEFAULT_ORDER_TYPE: &str = "PayByCenOwner";

inputs! {
    /// A create: connection `vpn_id` bound to the transit router of `region`.
    NewAttachment /
    /// An update (§5.3): the parameters sent.
    AttachmentChange {
        name: String,
        description: String,
        auto_publish_route_enabled: bool,
    }
    same {
        dry_run: bool,
    }
    create_only {
        vpn_id: String,
        region: &'static SeedRegion,
        charge_type: String,
        zones: Vec<String>,
        tags: Vec<Tag>,
        token: Option<ClientToken>,
    }
    change_only {
        order_type: Option<String>,
    }
}

/// Binds the connection (or answers the binding a retry with the same `ClientToken` made).
pub(crate) fn create(db: &Db<'_>, new: NewAttachment) -> Result<TrVpnAttachment, AliError> {
    let region = new.region;
    let vpn_id = new.vpn_id.as_str();
    let Some(mut connection) = db.find_connection(vpn_id)? else {
        return Err(AliError::not_found(
            codes::VPN_ID_NOT_FOUND,
            format!("The specified VpnId {vpn_id} does not exist."),
        ));
    };
    if connection.region_id != region.region {
        return Err(AliError::invalid(
            "VpnId",
            format!(
                "the connection is in {}, the transit router in {}; they must be in one region",
                connection.region_id, region.region
            ),
        ));
    }
    let existing: Vec<TrVpnAttachment> = db.list_all(TR_ATTACHMENTS)?;
    if let Some(same) = replay(&existing, new.token.as_ref(), db.now_ms())? {
        return Ok(same);
    }
    if !connection.is_idle() {
        return Err(AliError::incorrect_status(
            &format!("vpn connection {vpn_id}"),
            &connection.state,
        ));
    }
    if let Some(bound) = &connection.transit_router_attachment_id {
        return Err(AliError::bad(
            codes::VCO_BOUND,
            format!("The vpn connection {vpn_id} is already bound by {bound}."),
        ));
    }
    dry_run_check(new.dry_run)?;

    let attachment = TrVpnAttachment {
        transit_router_attachment_id: db.new_id(TR_ATTACHMENTS)?,
        region_id: region.region.to_owned(),
        status: status::ATTACHING.to_owned(),
        status_since: db.now_ms(),
        vpn_id: new.vpn_id.clone(),
        vpn_owner_id: ACCOUNT_ID,
        vpn_region_id: connection.region_id.clone(),
        transit_router_id: region.transit_router_id(),
        cen_id: CEN_ID.to_owned(),
        transit_router_attachment_name: new.name,
        transit_router_attachment_description: new.description,
        auto_publish_route_enabled: new.auto_publish_route_enabled,
        charge_type: new.charge_type,
        order_type: DEFAULT_ORDER_TYPE.to_owned(),
        creation_time: db.now_ms(),
        zones: new.zones,
        tags: new.tags,
        client_token: new.token,
    };
    db.add(&attachment)?;
    connection.state = state::ATTACHING.to_owned();
    connection.state_since = db.now_ms();
    connection.attach_type = ATTACHED_TO_CEN.to_owned();
    connection.transit_router_id = Some(attachment.transit_router_id.clone());
    connection.attach_instance_id = Some(CEN_ID.to_owned());
    connection.transit_router_attachment_id = Some(attachment.transit_router_attachment_id.clone());
    db.save(&connection)?;
    Ok(attachment)
}

fn attached(a: &TrVpnAttachment) -> Result<(), AliError> {
    if a.status == status::ATTACHED {
        Ok(())
    } else {
        Err(AliError::incorrect_status(
            &format!(
                "transit router attachment {}",
                a.transit_router_attachment_id
            ),
            &a.status,
        ))
    }
}

/// Stays `Attached` (§5.3).
pub(crate) fn update(db: &Db<'_>, id: &str, change: AttachmentChange) -> Result<(), AliError> {
    let mut a = db.attachment(id)?;
    attached(&a)?;
    set(
        &mut a.auto_publish_route_enabled,
        change.auto_publish_route_enabled,
    );
    set(&mut a.transit_router_attachment_name, change.name);
    set(
        &mut a.transit_router_attachment_description,
        change.description,
    );
    set(&mut a.order_type, change.order_type);
    dry_run_check(change.dry_run)?;
    db.save(&a)
}

/// `force=false` is refused while route-table associations or propagations exist; `force=true`
/// removes them (§5.4). Then `Detaching` → gone.
pub(crate) fn delete(db: &Db<'_>, id: &str, force: bool, dry_run: bool) -> Result<(), AliError> {
    let mut a = db.attachment(id)?;
    attached(&a)?;
    let mut connection = db.find_connection(&a.vpn_id)?;
    if let Some(c) = &connection {
        if c.state != state::ATTACHED {
            return Err(AliError::incorrect_status(
                &format!("vpn connection {}", c.vpn_connection_id),
                &c.state,
            ));
        }
    }
    let links = db.links_of(&a.transit_router_attachment_id)?;
    if let Some(busy) = links.iter().find(|l| l.is_pending()) {
        return Err(AliError::blocking(format_args!(
            "route table {} is {} for {}",
            busy.transit_router_route_table_id, busy.status, a.transit_router_attachment_id
        )));
    }
    if !links.is_empty() && !force {
        return Err(AliError::bad(
            codes::ATTACHMENT_HAS_DEPENDENCIES,
            format!(
                "The attachment {} still has route table associations or propagations; remove \
                 them or delete with Force=true.",
                a.transit_router_attachment_id
            ),
        ));
    }
    dry_run_check(dry_run)?;
    for link in &links {
        db.remove_link(link)?;
    }
    a.status = status::DETACHING.to_owned();
    a.status_since = db.now_ms();
    db.save(&a)?;
    if let Some(c) = &mut connection {
        c.state = state::DETACHING.to_owned();
        c.state_since = db.now_ms();
        db.save(c)?;
    }
    Ok(())
}
