//! Alibaba Cloud request and response bodies (PascalCase, as in the
//! official SDK models; docs/design/alicloud.md §2.3–§5). Responses are read
//! leniently: DescribeVpnConnection sends tunnel numbers and booleans as
//! strings, other calls as JSON numbers and booleans.

use serde::{Deserialize, Deserializer, Serialize};

use crate::signer::Sensitive;

/// A string, number or boolean in JSON, as text.
fn lenient_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Option::<serde_json::Value>::deserialize(d)? {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(s)) => Some(s),
        Some(other) => Some(other.to_string()),
    })
}

fn lenient_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Ok(lenient_text(d)?.and_then(|s| s.trim().parse().ok()))
}

fn lenient_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    Ok(
        lenient_text(d)?.and_then(|s| match s.to_ascii_lowercase().as_str() {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        }),
    )
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateCustomerGatewayResponse {
    pub customer_gateway_id: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CustomerGateway {
    pub customer_gateway_id: String,
    #[serde(default)]
    pub ip_address: String,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub asn: Option<i64>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub create_time: Option<i64>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateVpnAttachmentResponse {
    pub vpn_connection_id: String,
}

/// One tunnel's settings in CreateVpnAttachment / ModifyVpnAttachmentAttribute;
/// `None` members are not sent (the service keeps its default or current value).
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TunnelOptions {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tunnel_id: Option<String>,
    pub tunnel_index: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_gateway_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable_dpd: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable_nat_traversal: Option<bool>,
    #[serde(skip_serializing_if = "TunnelBgpConfig::is_empty")]
    pub tunnel_bgp_config: TunnelBgpConfig,
    #[serde(skip_serializing_if = "TunnelIkeConfig::is_empty")]
    pub tunnel_ike_config: TunnelIkeConfig,
    #[serde(skip_serializing_if = "TunnelIpsecConfig::is_empty")]
    pub tunnel_ipsec_config: TunnelIpsecConfig,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TunnelBgpConfig {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub local_asn: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub local_bgp_ip: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tunnel_cidr: Option<String>,
}

impl TunnelBgpConfig {
    pub fn is_empty(&self) -> bool {
        *self == TunnelBgpConfig::default()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TunnelIkeConfig {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub psk: Option<Sensitive<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ike_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ike_mode: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ike_enc_alg: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ike_auth_alg: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ike_pfs: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ike_lifetime: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub local_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remote_id: Option<String>,
}

impl TunnelIkeConfig {
    pub fn is_empty(&self) -> bool {
        *self == TunnelIkeConfig::default()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TunnelIpsecConfig {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ipsec_enc_alg: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ipsec_auth_alg: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ipsec_pfs: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ipsec_lifetime: Option<i64>,
}

impl TunnelIpsecConfig {
    pub fn is_empty(&self) -> bool {
        *self == TunnelIpsecConfig::default()
    }
}

/// DescribeVpnConnection.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct VpnConnection {
    pub vpn_connection_id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub attach_type: Option<String>,
    #[serde(default)]
    pub attach_instance_id: Option<String>,
    #[serde(default)]
    pub transit_router_id: Option<String>,
    #[serde(default)]
    pub network_type: Option<String>,
    #[serde(default)]
    pub local_subnet: Option<String>,
    #[serde(default)]
    pub remote_subnet: Option<String>,
    #[serde(default, deserialize_with = "lenient_bool")]
    pub effect_immediately: Option<bool>,
    #[serde(default, deserialize_with = "lenient_bool")]
    pub enable_tunnels_bgp: Option<bool>,
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub create_time: Option<i64>,
    #[serde(default)]
    pub tunnel_options_specification: Option<TunnelOptionsList>,
}

impl VpnConnection {
    pub fn tunnels(&self) -> &[Tunnel] {
        self.tunnel_options_specification
            .as_ref()
            .map(|t| t.tunnel_options.as_slice())
            .unwrap_or(&[])
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TunnelOptionsList {
    #[serde(default)]
    pub tunnel_options: Vec<Tunnel>,
}

/// A tunnel as DescribeVpnConnection reports it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Tunnel {
    #[serde(default)]
    pub tunnel_id: Option<String>,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub tunnel_index: Option<i64>,
    #[serde(default)]
    pub customer_gateway_id: Option<String>,
    #[serde(default)]
    pub role: Option<String>,
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub internet_ip: Option<String>,
    #[serde(default, deserialize_with = "lenient_bool")]
    pub enable_dpd: Option<bool>,
    #[serde(default, deserialize_with = "lenient_bool")]
    pub enable_nat_traversal: Option<bool>,
    #[serde(default)]
    pub tunnel_bgp_config: Option<TunnelBgpState>,
    #[serde(default)]
    pub tunnel_ike_config: Option<TunnelIkeState>,
    #[serde(default)]
    pub tunnel_ipsec_config: Option<TunnelIpsecState>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TunnelBgpState {
    #[serde(default, deserialize_with = "lenient_i64")]
    pub local_asn: Option<i64>,
    #[serde(default)]
    pub local_bgp_ip: Option<String>,
    #[serde(default)]
    pub tunnel_cidr: Option<String>,
    #[serde(default)]
    pub peer_bgp_ip: Option<String>,
    /// The customer gateway's ASN, repeated on the tunnel.
    #[serde(default, deserialize_with = "lenient_i64")]
    pub peer_asn: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TunnelIkeState {
    #[serde(default)]
    pub psk: Option<Sensitive<String>>,
    #[serde(default)]
    pub ike_version: Option<String>,
    #[serde(default)]
    pub ike_mode: Option<String>,
    #[serde(default)]
    pub ike_enc_alg: Option<String>,
    #[serde(default)]
    pub ike_auth_alg: Option<String>,
    #[serde(default)]
    pub ike_pfs: Option<String>,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub ike_lifetime: Option<i64>,
    #[serde(default)]
    pub local_id: Option<String>,
    #[serde(default)]
    pub remote_id: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TunnelIpsecState {
    #[serde(default)]
    pub ipsec_enc_alg: Option<String>,
    #[serde(default)]
    pub ipsec_auth_alg: Option<String>,
    #[serde(default)]
    pub ipsec_pfs: Option<String>,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub ipsec_lifetime: Option<i64>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateTrVpnAttachmentResponse {
    pub transit_router_attachment_id: String,
}

/// ListTransitRouterVpnAttachments element.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TrVpnAttachment {
    pub transit_router_attachment_id: String,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub vpn_id: Option<String>,
    #[serde(default)]
    pub transit_router_id: Option<String>,
    #[serde(default)]
    pub cen_id: Option<String>,
    #[serde(default, deserialize_with = "lenient_bool")]
    pub auto_publish_route_enabled: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TrVpnAttachmentList {
    #[serde(default)]
    pub transit_router_attachments: Vec<TrVpnAttachment>,
    #[serde(default)]
    pub next_token: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RouteTable {
    pub transit_router_route_table_id: String,
    #[serde(default)]
    pub transit_router_route_table_type: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RouteTableList {
    #[serde(default)]
    pub transit_router_route_tables: Vec<RouteTable>,
}

/// An association or propagation between an attachment and a route table.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RouteTableLink {
    #[serde(default)]
    pub transit_router_attachment_id: Option<String>,
    #[serde(default)]
    pub transit_router_route_table_id: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
}

/// One destination route of a connection: the DescribeVcoRouteEntries
/// element, and the body of the CreateVcoRouteEntry answer (which has the
/// same names). `State` is `published` once the transit router has it.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct VcoRouteEntry {
    pub route_dest: String,
    #[serde(default)]
    pub vpn_connection_id: Option<String>,
    #[serde(default)]
    pub next_hop: Option<String>,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub weight: Option<i64>,
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub create_time: Option<i64>,
    /// `custom` (destination route) or `bgp`; absent in the create answer.
    #[serde(default)]
    pub route_entry_type: Option<String>,
}

/// One page of DescribeVcoRouteEntries: the entries are a bare array.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct VcoRouteEntryPage {
    #[serde(default)]
    pub vco_route_entries: Vec<VcoRouteEntry>,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub total_count: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_string_typed_tunnel_scalars() {
        let t: Tunnel = serde_json::from_value(serde_json::json!({
            "TunnelIndex": 1, "EnableDpd": "true", "EnableNatTraversal": "False",
            "TunnelIkeConfig": {"IkeLifetime": "86400", "Psk": "k"},
            "TunnelBgpConfig": {"LocalAsn": 45104}
        }))
        .unwrap();
        assert_eq!(t.enable_dpd, Some(true));
        assert_eq!(t.enable_nat_traversal, Some(false));
        assert_eq!(t.tunnel_ike_config.unwrap().ike_lifetime, Some(86400));
        assert_eq!(t.tunnel_bgp_config.unwrap().local_asn, Some(45104));
    }

    #[test]
    fn reads_a_vco_route_page() {
        let p: VcoRouteEntryPage = serde_json::from_value(serde_json::json!({
            "TotalCount": 1, "PageNumber": 1, "PageSize": 50, "RequestId": "r",
            "VcoRouteEntries": [{"RouteDest": "10.0.0.0/16", "NextHop": "vco-1", "Weight": 100,
                "State": "published", "CreateTime": 1700000000000_i64, "RouteEntryType": "custom",
                "VpnConnectionId": "vco-1"}],
            "VpnRouteCounts": [{"RouteCount": 1, "RouteEntryType": "custom"}]
        }))
        .unwrap();
        assert_eq!(p.total_count, Some(1));
        let e = &p.vco_route_entries[0];
        assert_eq!(
            (e.weight, e.state.as_deref()),
            (Some(100), Some("published"))
        );
        assert_eq!(e.create_time, Some(1_700_000_000_000));
    }
}
