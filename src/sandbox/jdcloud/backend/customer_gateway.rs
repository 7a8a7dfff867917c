//! Customer gateways (客户网关, docs/design/jdcloud.md §4.3): quota, and the rules that tie them
//! to the connections and tunnels using them.

use super::db::{unchanged, Change, Db};
use super::model::{CustomerGateway, VpnConnection, VpnTunnel, CUSTOMER_GATEWAYS};
use crate::sandbox::change::{inputs, set};
use crate::sandbox::jdcloud::error::JdError;

inputs! {
    /// A create, its fields already checked.
    NewCustomerGateway /
    /// A modify: the fields sent (`bgpAsn` is not modifiable; resending its value is harmless).
    CustomerGatewayChange {
        name: String,
        ips: Vec<String>,
        bgp_asn: i64,
        description: String,
    }
}

pub(crate) fn create(db: &Db<'_>, new: NewCustomerGateway) -> Result<CustomerGateway, JdError> {
    db.check_quota::<CustomerGateway>()?;
    let now = db.timestamp();
    let gateway = CustomerGateway {
        customer_gateway_id: db.new_id(CUSTOMER_GATEWAYS)?,
        customer_gateway_name: new.name,
        customer_ips: new.ips,
        bgp_asn: new.bgp_asn,
        description: new.description,
        created_time: now.clone(),
        updated_time: now,
    };
    db.add(&gateway)?;
    Ok(gateway)
}

impl Change for CustomerGatewayChange {
    type Target = CustomerGateway;
    fn apply(self, db: &Db<'_>, gateway: &mut CustomerGateway) -> Result<bool, JdError> {
        // "设置后不支持修改".
        unchanged("bgpAsn", &gateway.bgp_asn, self.bgp_asn.as_ref())?;
        if self
            .ips
            .as_ref()
            .is_some_and(|ips| *ips != gateway.customer_ips)
        {
            check_ips_modifiable(db, gateway)?;
        }
        Ok(set(&mut gateway.customer_gateway_name, self.name)
            | set(&mut gateway.description, self.description)
            | set(&mut gateway.customer_ips, self.ips))
    }
}

/// "The Customer Gateway without creation of VPN Connection can be deleted"
/// (docs/design/jdcloud.md §4.3).
pub(crate) fn delete(db: &Db<'_>, id: &str) -> Result<(), JdError> {
    let gateway = db.get::<CustomerGateway>(id)?;
    let id = gateway.customer_gateway_id.as_str();
    let users = |c: &VpnConnection| c.cgw_id == id;
    db.check_unused(&gateway, users, |ids| {
        format!("VPN connections {ids} use it")
    })?;
    db.remove(&gateway)
}

/// "the public network address can be modified if no VPN Tunnel has been created for the Customer
/// Gateway" (docs/design/jdcloud.md §4.3): no tunnel on any connection using it.
fn check_ips_modifiable(db: &Db<'_>, gateway: &CustomerGateway) -> Result<(), JdError> {
    let id = gateway.customer_gateway_id.as_str();
    let mut tunnels = Vec::new();
    for connection in db.all_where(|c: &VpnConnection| c.cgw_id == id)? {
        tunnels.extend(
            db.child_ids(|t: &VpnTunnel| t.vpn_connection_id == connection.vpn_connection_id)?,
        );
    }
    if tunnels.is_empty() {
        return Ok(());
    }
    Err(JdError::failed_precondition(format!(
        "customerIps of CustomerGateway '{id}' cannot be modified while VPN tunnels {} exist",
        tunnels.join(", ")
    )))
}
