//! Border gateways (边界网关, docs/design/jdcloud.md §4.1): quota, what may not change, and the
//! children that block a delete.
//!
//! INFERRED here (docs/design/jdcloud.md §8.11): refusing a delete while static routes exist.

use super::db::{unchanged, undeletable, Change, Db};
use super::model::{ids, Bgw, BgwRoute, VpcAttachment, VpnConnection, AZ_TYPE_EDGE, BGWS};
use crate::sandbox::change::{inputs, set};
use crate::sandbox::jdcloud::error::JdError;

inputs! {
    /// A create, its fields already checked (`az` empty unless `az_type` is edge).
    NewBgw /
    /// A modify: the fields sent. `azType` and `az` are not part of `ModifyBgwSpec`; refusing a
    /// change beats silently ignoring it.
    BgwChange {
        name: String,
        description: String,
        az_type: String,
        az: String,
    }
}

pub(crate) fn create(db: &Db<'_>, new: NewBgw) -> Result<Bgw, JdError> {
    db.check_quota::<Bgw>()?;
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
    db.add(&bgw)?;
    Ok(bgw)
}

impl Change for BgwChange {
    type Target = Bgw;
    fn apply(self, _: &Db<'_>, bgw: &mut Bgw) -> Result<bool, JdError> {
        unchanged("azType", &bgw.az_type, self.az_type.as_ref())?;
        if bgw.az_type == AZ_TYPE_EDGE {
            unchanged("az", &bgw.az, self.az.as_ref())?;
        }
        Ok(set(&mut bgw.bgw_name, self.name) | set(&mut bgw.description, self.description))
    }
}

/// "The Border Gateway without Private Virtual Interface, Hosted Private Virtual Interface, VPN
/// Connection and VPC Attachment created can be deleted" (docs/design/jdcloud.md §4.1); static
/// routes count too (§8.11).
pub(crate) fn delete(db: &Db<'_>, id: &str) -> Result<(), JdError> {
    let bgw = db.get::<Bgw>(id)?;
    let id = bgw.bgw_id.as_str();
    let attachments = db.all_where(|a: &VpcAttachment| a.bgw_id == id)?;
    let connections = db.all_where(|c: &VpnConnection| c.bgw_id == id)?;
    let routes = db.all_where(|r: &BgwRoute| r.bgw_id == id)?;
    let in_use: Vec<String> = [
        ("VPC attachments", ids(&attachments)),
        ("VPN connections", ids(&connections)),
        ("static routes", ids(&routes)),
    ]
    .into_iter()
    .filter(|(_, ids)| !ids.is_empty())
    .map(|(what, ids)| format!("{what} {ids}"))
    .collect();
    if !in_use.is_empty() {
        return Err(undeletable(
            &bgw,
            format_args!("it has {}", in_use.join("; ")),
        ));
    }
    db.remove(&bgw)
}
