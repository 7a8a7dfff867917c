//! Border gateways (边界网关, docs/design/jdcloud.md §4.1): quota, what may not change, and the
//! children that block a delete.
//!
//! INFERRED here (docs/design/jdcloud.md §8.11): refusing a delete while static routes exist.

use super::db::{unchanged, Db};
use super::model::{Bgw, AZ_TYPE_EDGE, BGWS};
use crate::sandbox::jdcloud::error::JdError;

/// "5 BGWs/region" (docs/design/jdcloud.md §6).
const QUOTA_PER_REGION: usize = 5;

/// A create, its fields already checked (`az` empty unless `az_type` is edge).
pub(crate) struct NewBgw {
    pub name: String,
    pub description: String,
    pub az_type: String,
    pub az: String,
}

/// A modify: the fields sent. `azType` and `az` are not part of `ModifyBgwSpec`; refusing a
/// change beats silently ignoring it.
pub(crate) struct BgwChange {
    pub name: Option<String>,
    pub description: Option<String>,
    pub az_type: Option<String>,
    pub az: Option<String>,
}

pub(crate) fn create(db: &Db<'_>, region: &str, new: NewBgw) -> Result<Bgw, JdError> {
    if db.count(BGWS, region)? >= QUOTA_PER_REGION {
        return Err(JdError::quota_exceeded(format!(
            "Bgw quota limit exceeded ({QUOTA_PER_REGION} per region)."
        )));
    }
    let bgw = Bgw {
        bgw_id: db.new_id(BGWS)?,
        bgw_name: new.name,
        description: new.description,
        vif_ids: Vec::new(),
        vpc_attachment_ids: Vec::new(),
        vpn_connection_ids: Vec::new(),
        az_type: new.az_type,
        az: new.az,
        created_time: db.timestamp(),
    };
    db.insert(BGWS, region, &bgw.bgw_id, &bgw)?;
    Ok(bgw)
}

pub(crate) fn list(db: &Db<'_>, region: &str) -> Result<Vec<Bgw>, JdError> {
    db.list(BGWS, region)
}

pub(crate) fn get(db: &Db<'_>, region: &str, id: &str) -> Result<Bgw, JdError> {
    db.bgw(region, id)
}

pub(crate) fn modify(
    db: &Db<'_>,
    region: &str,
    id: &str,
    change: BgwChange,
) -> Result<(), JdError> {
    let mut bgw = db.bgw(region, id)?;
    unchanged("azType", &bgw.az_type, change.az_type.as_ref())?;
    if bgw.az_type == AZ_TYPE_EDGE {
        unchanged("az", &bgw.az, change.az.as_ref())?;
    }
    let mut changed = false;
    if let Some(name) = change.name {
        changed |= name != bgw.bgw_name;
        bgw.bgw_name = name;
    }
    if let Some(description) = change.description {
        changed |= description != bgw.description;
        bgw.description = description;
    }
    if changed {
        db.update(BGWS, &bgw.bgw_id, &bgw)?;
    }
    Ok(())
}

/// "The Border Gateway without Private Virtual Interface, Hosted Private Virtual Interface, VPN
/// Connection and VPC Attachment created can be deleted" (docs/design/jdcloud.md §4.1); static
/// routes count too (§8.11).
pub(crate) fn delete(db: &Db<'_>, region: &str, id: &str) -> Result<(), JdError> {
    let bgw = db.bgw(region, id)?;
    let id = bgw.bgw_id.as_str();
    let attachments = db.attachments_of_bgw(region, id)?;
    let connections = db.connections_of_bgw(region, id)?;
    let routes = db.routes_of_bgw(region, id)?;
    let mut in_use = Vec::new();
    if !attachments.is_empty() {
        let ids: Vec<&str> = attachments
            .iter()
            .map(|a| a.vpc_attachment_id.as_str())
            .collect();
        in_use.push(format!("VPC attachments {}", ids.join(", ")));
    }
    if !connections.is_empty() {
        let ids: Vec<&str> = connections
            .iter()
            .map(|c| c.vpn_connection_id.as_str())
            .collect();
        in_use.push(format!("VPN connections {}", ids.join(", ")));
    }
    if !routes.is_empty() {
        let ids: Vec<&str> = routes.iter().map(|r| r.bgw_route_id.as_str()).collect();
        in_use.push(format!("static routes {}", ids.join(", ")));
    }
    if !in_use.is_empty() {
        return Err(JdError::failed_precondition(format!(
            "Bgw '{id}' cannot be deleted while it has {}",
            in_use.join("; ")
        )));
    }
    db.delete(BGWS, id)
}
