//! JD Cloud `bgw` request and response bodies (camelCase, as documented in
//! JD's published models; docs/design/jdcloud.md §4).

use serde::{Deserialize, Serialize};

use crate::signer::Sensitive;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerGateway {
    pub customer_gateway_id: String,
    #[serde(default)]
    pub customer_gateway_name: String,
    #[serde(default)]
    pub customer_ips: Vec<String>,
    #[serde(default)]
    pub bgp_asn: i64,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub created_time: Option<String>,
    #[serde(default)]
    pub updated_time: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerGatewaySpec {
    pub customer_gateway_name: String,
    pub customer_ips: Vec<String>,
    pub bgp_asn: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// Only the fields present are changed. `bgpAsn` cannot be modified.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ModifyCustomerGatewaySpec {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_gateway_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_ips: Option<Vec<String>>,
}

impl ModifyCustomerGatewaySpec {
    pub fn is_empty(&self) -> bool {
        *self == ModifyCustomerGatewaySpec::default()
    }
}

/// Border gateway (`Bgw`). JD Cloud fixes its BGP ASN at 65000.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Bgw {
    pub bgw_id: String,
    #[serde(default)]
    pub bgw_name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub vpc_attachment_ids: Vec<String>,
    #[serde(default)]
    pub vpn_connection_ids: Vec<String>,
    #[serde(default)]
    pub az_type: Option<String>,
    #[serde(default)]
    pub az: Option<String>,
    #[serde(default)]
    pub created_time: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BgwSpec {
    pub bgw_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub az_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub az: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ModifyBgwSpec {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bgw_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PropagateCidrInfo {
    #[serde(default)]
    pub subnet_cidr: String,
    #[serde(default)]
    pub subnet_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VpcAttachment {
    pub vpc_attachment_id: String,
    #[serde(default)]
    pub vpc_attachment_name: String,
    #[serde(default)]
    pub bgw_id: String,
    #[serde(default)]
    pub vpc_id: String,
    #[serde(default)]
    pub propagate_type: String,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub propagate_cidr_infos: Vec<PropagateCidrInfo>,
    #[serde(default)]
    pub created_time: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VpcAttachmentSpec {
    pub vpc_attachment_name: String,
    pub vpc_id: String,
    pub propagate_type: String,
    pub bgw_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subnet_ids: Option<Vec<String>>,
}

/// Propagation settings, replaced as a whole on modify.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PropagationAttribute {
    pub vpc_id: String,
    pub propagate_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subnet_ids: Option<Vec<String>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ModifyVpcAttachmentSpec {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vpc_attachment_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub propagation_attribute: Option<PropagationAttribute>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VpnTrafficSelectorSpec {
    pub local_subnet: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remote_subnets: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VpnConnection {
    pub vpn_connection_id: String,
    #[serde(default)]
    pub vpn_connection_name: String,
    #[serde(default)]
    pub bgw_id: String,
    #[serde(default)]
    pub cgw_id: String,
    #[serde(default)]
    pub bgp_enabled: bool,
    #[serde(default)]
    pub local_asn: Option<i64>,
    #[serde(default)]
    pub cloud_public_ip: Vec<String>,
    #[serde(default)]
    pub ha_status: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub traffic_selectors: Option<Vec<VpnTrafficSelectorSpec>>,
    #[serde(default)]
    pub created_time: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VpnConnectionSpec {
    pub vpn_connection_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub bgw_id: String,
    pub cgw_id: String,
    pub bgp_enabled: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub local_asn: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ModifyVpnConnectionSpec {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vpn_connection_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bgp_enabled: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub traffic_selectors: Option<Vec<VpnTrafficSelectorSpec>>,
}

/// A VPN tunnel as JD Cloud describes it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VpnTunnel {
    pub vpn_tunnel_id: String,
    #[serde(default)]
    pub vpn_connection_id: String,
    #[serde(default)]
    pub cloud_public_ip: String,
    #[serde(default)]
    pub customer_ip: String,
    /// Returned in clear, or masked (docs/design/jdcloud.md §8.6).
    #[serde(default)]
    pub psk: Option<Sensitive<String>>,
    /// The IKE identities of the cloud's end (`local_id`) and of the
    /// customer's (`remote_id`); both default to the public addresses
    /// (INFERRED, docs/design/jdcloud.md §8.13).
    #[serde(default)]
    pub local_id: Option<String>,
    #[serde(default)]
    pub remote_id: Option<String>,
    #[serde(default)]
    pub local_tunnel_ip: Option<String>,
    #[serde(default)]
    pub remote_tunnel_ip: Option<String>,
    #[serde(default)]
    pub tunnel_ip: Option<String>,
    #[serde(default)]
    pub ike_version: Option<String>,
    #[serde(default)]
    pub ike_mode: Option<String>,
    #[serde(default)]
    pub ike_key_exchange: Option<String>,
    #[serde(default)]
    pub ike_cipher: Option<String>,
    #[serde(default)]
    pub ike_auth: Option<String>,
    #[serde(default)]
    pub ike_dpd_sec: Option<i64>,
    #[serde(default)]
    pub ike_sa_life_sec: Option<i64>,
    #[serde(default)]
    pub ipsec_cipher: Option<String>,
    #[serde(default)]
    pub ipsec_auth: Option<String>,
    #[serde(default)]
    pub ipsec_key_exchange: Option<String>,
    #[serde(default)]
    pub ipsec_sa_life_sec: Option<i64>,
    #[serde(default)]
    pub ipsec_sa_lifepkt: Option<i64>,
    #[serde(default)]
    pub ipsec_sa_lifebyte: Option<i64>,
    #[serde(default)]
    pub admin_status: Option<String>,
    #[serde(default)]
    pub op_status: Option<String>,
    #[serde(default)]
    pub bandwidth_mbps: Option<i64>,
    #[serde(default)]
    pub created_time: Option<String>,
}

/// IKE/IPsec settings shared by create and modify; `None` keeps JD's default
/// (on create) or the current value (on modify).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TunnelSettings {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub psk: Option<Sensitive<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tunnel_ip: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub local_tunnel_ip: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ike_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ike_mode: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ike_key_exchange: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ike_cipher: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ike_auth: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ike_dpd_sec: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ike_sa_life_sec: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ipsec_cipher: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ipsec_auth: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ipsec_key_exchange: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ipsec_sa_life_sec: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ipsec_sa_lifepkt: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ipsec_sa_lifebyte: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bandwidth_mbps: Option<i64>,
}

impl TunnelSettings {
    pub fn is_empty(&self) -> bool {
        *self == TunnelSettings::default()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VpnTunnelSpec {
    pub vpn_connection_id: String,
    pub cloud_public_ip: String,
    pub customer_ip: String,
    #[serde(flatten)]
    pub settings: TunnelSettings,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BgwRoute {
    pub bgw_route_id: String,
    #[serde(default)]
    pub bgw_id: String,
    #[serde(default)]
    pub bgw_route_destination: String,
    #[serde(default)]
    pub bgw_route_nexthop: String,
    /// camelCase in responses (`vpnConnection`), snake_case in requests.
    #[serde(default)]
    pub bgw_route_next_hop_type: Option<String>,
    #[serde(default)]
    pub origin: Option<String>,
    #[serde(default)]
    pub bgw_route_priority: Option<i64>,
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BgwRouteSpec {
    pub bgw_route_destination: String,
    pub bgw_nexthop_type: String,
    pub bgw_route_nexthop: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ModifyBgwRouteSpec {
    pub bgw_route_id: String,
    pub bgw_route_destination: String,
    pub bgw_nexthop_type: String,
    pub bgw_route_nexthop: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// What the provider reads of every JD Cloud object it lists: its id and,
/// on kinds that have one, its free-text description (where create markers
/// go, docs/design/reliability.md).
pub trait Listed: serde::de::DeserializeOwned + Send {
    fn id(&self) -> &str;
    fn description(&self) -> Option<&str> {
        None
    }
}

macro_rules! listed {
    ($t:ty, $id:ident) => {
        impl Listed for $t {
            fn id(&self) -> &str {
                &self.$id
            }
        }
    };
    ($t:ty, $id:ident, described) => {
        impl Listed for $t {
            fn id(&self) -> &str {
                &self.$id
            }
            fn description(&self) -> Option<&str> {
                self.description.as_deref()
            }
        }
    };
}

listed!(CustomerGateway, customer_gateway_id, described);
listed!(Bgw, bgw_id, described);
listed!(VpnConnection, vpn_connection_id, described);
listed!(VpcAttachment, vpc_attachment_id);
listed!(VpnTunnel, vpn_tunnel_id);
listed!(BgwRoute, bgw_route_id);

/// A VPN tunnel's administrative status: `UP` negotiates, `DOWN` does not
/// (and only a `DOWN` tunnel can be deleted).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminStatus {
    Up,
    Down,
}

impl AdminStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AdminStatus::Up => "UP",
            AdminStatus::Down => "DOWN",
        }
    }
    /// As the provider's state spells it; anything but `DOWN` (including
    /// unset) is `UP`, the status of a new tunnel.
    pub fn from_state(s: Option<&str>) -> AdminStatus {
        if s == Some(AdminStatus::Down.as_str()) {
            AdminStatus::Down
        } else {
            AdminStatus::Up
        }
    }
}
