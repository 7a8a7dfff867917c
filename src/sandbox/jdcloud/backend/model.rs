//! The JD Cloud objects the sandbox keeps, as the `bgw` API returns them (each stored body is
//! exactly the API object, so describe/list answer it as stored), their store kinds and the
//! facts about them every operation shares.
//!
//! INFERRED here (docs/design/jdcloud.md §8.5): the id prefixes.

use std::net::Ipv4Addr;
use std::ops::RangeInclusive;

use ipnet::Ipv4Net;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::sandbox::store::Kind;

/// Cloud name in the store and in `/_sandbox/state`.
pub(crate) const CLOUD: &str = "jdcloud";

pub(crate) const BGWS: Kind = Kind::new(CLOUD, "bgws", "bgw");
pub(crate) const VPC_ATTACHMENTS: Kind = Kind::new(CLOUD, "vpc_attachments", "vpca");
pub(crate) const CUSTOMER_GATEWAYS: Kind = Kind::new(CLOUD, "customer_gateways", "cgw");
pub(crate) const VPN_CONNECTIONS: Kind = Kind::new(CLOUD, "vpn_connections", "vpnc");
pub(crate) const VPN_TUNNELS: Kind = Kind::new(CLOUD, "vpn_tunnels", "vpnt");
pub(crate) const BGW_ROUTES: Kind = Kind::new(CLOUD, "bgw_routes", "bgwr");

/// A stored JD Cloud object: its kind, the name its messages use (`"Bgw '…' not found."`) and
/// its id, so that the lookups, saves and messages every resource needs are written once.
pub(crate) trait Object: Serialize + DeserializeOwned {
    const KIND: Kind;
    const WHAT: &'static str;
    /// How many of the kind may exist; `None`: no limit is emulated.
    const QUOTA: Option<Quota> = None;
    fn id(&self) -> &str;
    /// Records a change made at `now` (`updatedTime`, for the kinds that have one).
    fn touch(&mut self, _now: String) {}
}

/// A kind's quota (docs/design/jdcloud.md §6): at most `limit`, counted `per` (the refusal's
/// words: in a region, or on one border gateway).
pub(crate) struct Quota {
    pub limit: usize,
    pub per: &'static str,
}

/// `object!(Type, KIND, "What", id_field)`, then `updated: field` for a kind with an update
/// time and `quota: (limit, "per …")` for a kind with a quota.
macro_rules! object {
    (
        $type:ty, $kind:expr, $what:literal, $id:ident
        $(, updated: $updated:ident)? $(, quota: ($limit:expr, $per:literal))?
    ) => {
        impl Object for $type {
            const KIND: Kind = $kind;
            const WHAT: &'static str = $what;
            $(const QUOTA: Option<Quota> = Some(Quota { limit: $limit, per: $per });)?
            fn id(&self) -> &str {
                &self.$id
            }
            $(fn touch(&mut self, now: String) {
                self.$updated = now;
            })?
        }
    };
}

// Quotas: "5 BGWs/region", "50 VPC attachments/BGW", "10 customer gateways/region", "10 VPN
// connections/BGW", "50 static … routes/BGW" (docs/design/jdcloud.md §6).
object!(Bgw, BGWS, "Bgw", bgw_id, quota: (5, "per region"));
object!(VpcAttachment, VPC_ATTACHMENTS, "VpcAttachment", vpc_attachment_id,
    quota: (50, "per border gateway"));
object!(CustomerGateway, CUSTOMER_GATEWAYS, "CustomerGateway", customer_gateway_id,
    updated: updated_time, quota: (10, "per region"));
object!(VpnConnection, VPN_CONNECTIONS, "VpnConnection", vpn_connection_id,
    updated: updated_time, quota: (10, "per border gateway"));
object!(VpnTunnel, VPN_TUNNELS, "VpnTunnel", vpn_tunnel_id, updated: updated_time);
object!(BgwRoute, BGW_ROUTES, "BgwRoute", bgw_route_id,
    quota: (50, "static routes per border gateway"));

/// The ids of `objects`, comma-separated (what a refused delete names).
pub(crate) fn ids<T: Object>(objects: &[T]) -> String {
    let ids: Vec<&str> = objects.iter().map(Object::id).collect();
    ids.join(", ")
}

/// Every JD Cloud resource kind the sandbox keeps, in `/_sandbox/state` order.
pub(crate) const KINDS: &[Kind] = &[
    BGWS,
    VPC_ATTACHMENTS,
    CUSTOMER_GATEWAYS,
    VPN_CONNECTIONS,
    VPN_TUNNELS,
    BGW_ROUTES,
];

/// The `Bgw` object (Go `services/bgw/models/Bgw.go`). No status, no ASN (the ASN is fixed, see
/// [`BGW_ASN`]). `vpcAttachmentIds` and `vpnConnectionIds` follow the children; `vifIds` stays
/// empty (Direct Connect is not emulated).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Bgw {
    pub bgw_id: String,
    pub bgw_name: String,
    pub description: String,
    pub vif_ids: Vec<String>,
    pub vpc_attachment_ids: Vec<String>,
    pub vpn_connection_ids: Vec<String>,
    pub az_type: String,
    /// Empty for a standard gateway ("中心BGW返回空").
    pub az: String,
    pub created_time: String,
}

/// "The BGP ASN of current JD Cloud border gateway is fixed to 65000"; connections inherit it as
/// their default `localAsn`.
pub(crate) const BGW_ASN: i64 = 65000;
pub(crate) const AZ_TYPE_STANDARD: &str = "standard";
pub(crate) const AZ_TYPE_EDGE: &str = "edge";

/// The `VpcAttachment` object (Go `services/bgw/models/VpcAttachment.go`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct VpcAttachment {
    pub vpc_attachment_id: String,
    pub vpc_attachment_name: String,
    pub bgw_id: String,
    pub vpc_id: String,
    pub propagate_type: String,
    pub status: String,
    pub propagate_cidr_infos: Vec<PropagateCidrInfo>,
    pub created_time: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PropagateCidrInfo {
    pub subnet_cidr: String,
    pub subnet_id: String,
}

pub(crate) const PROPAGATE_ALL: &str = "all";
pub(crate) const PROPAGATE_PARTIAL: &str = "partial";
pub(crate) const PROPAGATE_NONE: &str = "none";

/// The `CustomerGateway` object (Go `services/bgw/models/CustomerGateway.go`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CustomerGateway {
    pub customer_gateway_id: String,
    pub customer_gateway_name: String,
    pub customer_ips: Vec<String>,
    pub bgp_asn: i64,
    pub description: String,
    pub created_time: String,
    pub updated_time: String,
}

/// The `VpnConnection` object (Go `services/bgw/models/VpnConnection.go`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct VpnConnection {
    pub vpn_connection_id: String,
    pub vpn_connection_name: String,
    pub bgw_id: String,
    /// Customer gateway id (`cgwId`, not `customerGatewayId`).
    pub cgw_id: String,
    pub bgp_enabled: bool,
    pub local_asn: i64,
    /// The two cloud-side public IPv4 addresses.
    pub cloud_public_ip: Vec<String>,
    pub providers: Vec<String>,
    pub ha_status: String,
    pub description: String,
    pub created_time: String,
    pub updated_time: String,
    pub charge: Charge,
    pub traffic_selectors: Vec<TrafficSelector>,
    pub az_type: String,
    pub az: String,
}

/// `Charge` (Go `services/charge/models/Charge.go`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Charge {
    pub charge_mode: String,
    pub charge_status: String,
    pub charge_start_time: String,
    pub charge_expired_time: String,
    pub charge_retire_time: String,
}

/// `VpnTrafficSelectorSpec`; absent optional fields are returned empty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TrafficSelector {
    pub local_subnet: String,
    pub remote_subnets: Vec<String>,
    pub description: String,
}

/// "Number of cloud public network addresses under the same VPN Connection: 2".
pub(crate) const CLOUD_IPS_PER_CONNECTION: usize = 2;
/// "计费配置，仅支持按用量" (connections: pay by usage).
pub(crate) const CONNECTION_CHARGE_MODE: &str = "postpaid_by_usage";
/// "仅支持按配置" (tunnels: pay by configuration; INFERRED mode name, docs/design/jdcloud.md §8.13).
pub(crate) const TUNNEL_CHARGE_MODE: &str = "postpaid_by_duration";
pub(crate) const HA_REDUNDANCY: &str = "redundancy";
pub(crate) const HA_NO_REDUNDANCY: &str = "no_redundancy";

/// The pre-shared key: echoed by the API, never printed by the sandbox.
pub(crate) type Psk = crate::signer::Sensitive<String>;

/// The `VpnTunnel` object (Go `services/bgw/models/VpnTunnel.go`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct VpnTunnel {
    pub vpn_tunnel_id: String,
    pub vpn_connection_id: String,
    pub cloud_public_ip: String,
    pub customer_ip: String,
    pub psk: Psk,
    pub local_id: String,
    pub remote_id: String,
    pub local_ip: String,
    pub local_tunnel_ip: String,
    pub remote_ip: String,
    pub remote_tunnel_ip: String,
    pub tunnel_ip: String,
    pub ike_version: String,
    pub ike_mode: String,
    pub ike_key_exchange: String,
    pub ike_cipher: String,
    pub ike_auth: String,
    pub ike_dpd_sec: i64,
    pub ike_sa_life_sec: i64,
    pub ipsec_cipher: String,
    pub ipsec_auth: String,
    pub ipsec_key_exchange: String,
    pub ipsec_sa_life_sec: i64,
    pub ipsec_sa_lifepkt: i64,
    pub ipsec_sa_lifebyte: i64,
    pub admin_status: String,
    pub op_status: String,
    pub created_time: String,
    pub updated_time: String,
    pub bandwidth_mbps: i64,
}

pub(crate) const STATUS_UP: &str = "UP";
pub(crate) const STATUS_DOWN: &str = "DOWN";

/// "掩码长度必须为30": a tunnel's inside block is a /30.
pub(crate) const TUNNEL_IP_PREFIX_LEN: u8 = 30;

/// The two usable host addresses of a /30, in order.
pub(crate) fn tunnel_hosts(net: Ipv4Net) -> [Ipv4Addr; 2] {
    let base = u32::from(net.network());
    [Ipv4Addr::from(base + 1), Ipv4Addr::from(base + 2)]
}

/// A string IKE/IPsec option of a tunnel: allowed values and create default, verbatim from
/// `VpnTunnelSpec` (docs/design/jdcloud.md §4.5), and where it lives in [`VpnTunnel`].
pub(crate) struct StringOption {
    pub field: &'static str,
    pub allowed: &'static [&'static str],
    pub default: &'static str,
    pub slot: fn(&mut VpnTunnel) -> &mut String,
}

/// What an integer option accepts: a set (→ `INVALID_ARGUMENT`) or a range (→ `OUT_OF_RANGE`).
pub(crate) enum IntRule {
    OneOf(&'static [i64]),
    Range(RangeInclusive<i64>),
}

/// An integer IKE/IPsec option of a tunnel.
pub(crate) struct IntOption {
    pub field: &'static str,
    pub rule: IntRule,
    pub default: i64,
    pub slot: fn(&mut VpnTunnel) -> &mut i64,
}

/// Documented range [1, 1500]; the default is not published (INFERRED, docs/design/jdcloud.md
/// §8.13).
const DEFAULT_BANDWIDTH_MBPS: i64 = 100;

/// The option tables: `"wireName" => field`, then what it accepts and its create default.
macro_rules! options {
    (
        strings { $($(#[$sdoc:meta])* $sname:literal => $sfield:ident: $allowed:expr, default $sdefault:literal;)+ }
        ints { $($(#[$idoc:meta])* $iname:literal => $ifield:ident: $rule:expr, default $idefault:expr;)+ }
    ) => {
        pub(crate) const STRING_OPTIONS: &[StringOption] = &[$($(#[$sdoc])* StringOption {
            field: $sname,
            allowed: $allowed,
            default: $sdefault,
            slot: |t| &mut t.$sfield,
        }),+];

        pub(crate) const INT_OPTIONS: &[IntOption] = &[$($(#[$idoc])* IntOption {
            field: $iname,
            rule: $rule,
            default: $idefault,
            slot: |t| &mut t.$ifield,
        }),+];
    };
}

options! {
    strings {
        "ikeVersion" => ike_version: &["v1", "v2"], default "v2";
        // "IKEv2时忽略": still validated and stored.
        "ikeMode" => ike_mode: &["main", "aggressive"], default "main";
        "ikeKeyExchange" => ike_key_exchange:
            &["modp1024", "modp1536", "modp2048", "ecp256", "ecp384"], default "ecp256";
        "ikeCipher" => ike_cipher: &["aes128", "aes192", "aes256", "3des"], default "aes128";
        "ikeAuth" => ike_auth: &["sha1", "sha256", "sha384"], default "sha256";
        // No 3des for IPsec.
        "ipsecCipher" => ipsec_cipher: &["aes128", "aes192", "aes256"], default "aes128";
        "ipsecAuth" => ipsec_auth: &["sha1", "sha256", "sha384"], default "sha256";
        // `null` = no PFS, sent as the string "null" (INFERRED, docs/design/jdcloud.md §8.12).
        "ipsecKeyExchange" => ipsec_key_exchange:
            &["null", "modp1024", "modp1536", "modp2048", "ecp256", "ecp384"], default "null";
    }
    ints {
        "ikeDpdSec" => ike_dpd_sec: IntRule::OneOf(&[0, 10]), default 10;
        "ikeSaLifeSec" => ike_sa_life_sec: IntRule::Range(60..=86_400), default 14_400;
        "ipsecSaLifeSec" => ipsec_sa_life_sec: IntRule::Range(60..=86_400), default 3_600;
        "ipsecSaLifepkt" => ipsec_sa_lifepkt: IntRule::Range(0..=100_000_000), default 0;
        "ipsecSaLifebyte" => ipsec_sa_lifebyte: IntRule::Range(0..=107_374_182_400), default 0;
        "bandwidthMbps" => bandwidth_mbps: IntRule::Range(1..=1_500),
            default DEFAULT_BANDWIDTH_MBPS;
    }
}

/// Option values of a tunnel create or modify, already checked against the tables above.
#[derive(Default)]
pub(crate) struct TunnelOptions {
    pub strings: Vec<(&'static StringOption, String)>,
    pub ints: Vec<(&'static IntOption, i64)>,
}

impl TunnelOptions {
    /// Writes every value into `tunnel`.
    pub(crate) fn apply(self, tunnel: &mut VpnTunnel) {
        for (option, value) in self.strings {
            *(option.slot)(tunnel) = value;
        }
        for (option, value) in self.ints {
            *(option.slot)(tunnel) = value;
        }
    }

    /// The create defaults of every option.
    pub(crate) fn defaults() -> Self {
        Self {
            strings: STRING_OPTIONS
                .iter()
                .map(|o| (o, o.default.to_owned()))
                .collect(),
            ints: INT_OPTIONS.iter().map(|o| (o, o.default)).collect(),
        }
    }
}

/// The `BgwRoute` object (Go `services/bgw/models/BgwRoute.go`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct BgwRoute {
    pub bgw_route_id: String,
    pub bgw_id: String,
    pub bgw_route_destination: String,
    pub bgw_route_nexthop: String,
    pub origin: String,
    pub bgw_route_priority: i64,
    /// Note the capital H, unlike `bgwNexthopType` in the request.
    #[serde(rename = "bgwRouteNextHopType")]
    pub bgw_route_next_hop_type: String,
    pub description: String,
}

/// The next hops the sandbox emulates for a static route (the Direct Connect ones are not).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NexthopType {
    VpnConnection,
    VpcAttachment,
}

impl NexthopType {
    /// Request spelling (snake_case, `BgwRouteSpec.bgwNexthopType`).
    pub(crate) fn request_name(self) -> &'static str {
        match self {
            Self::VpnConnection => "vpn_connection",
            Self::VpcAttachment => "vpc_attachment",
        }
    }

    /// Response spelling (camelCase, `BgwRoute.bgwRouteNextHopType`).
    pub(crate) fn response_name(self) -> &'static str {
        match self {
            Self::VpnConnection => "vpnConnection",
            Self::VpcAttachment => "vpcAttachment",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn psk_is_redacted_in_debug() {
        let psk = Psk::new("hunter2".to_owned());
        assert_eq!(format!("{psk:?}"), "** redacted **");
        assert_eq!(serde_json::to_value(&psk).unwrap(), "hunter2");
    }

    #[test]
    fn option_tables_are_consistent() {
        for o in STRING_OPTIONS {
            assert!(o.allowed.contains(&o.default), "{}", o.field);
        }
        for o in INT_OPTIONS {
            let ok = match &o.rule {
                IntRule::OneOf(v) => v.contains(&o.default),
                IntRule::Range(r) => r.contains(&o.default),
            };
            assert!(ok, "{}", o.field);
        }
    }

    #[test]
    fn tunnel_host_addresses() {
        let net: Ipv4Net = "169.254.1.4/30".parse().unwrap();
        assert_eq!(
            tunnel_hosts(net),
            [Ipv4Addr::new(169, 254, 1, 5), Ipv4Addr::new(169, 254, 1, 6)]
        );
    }
}
