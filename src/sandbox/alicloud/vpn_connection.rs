//! Dual-tunnel IPsec-VPN connection not on a VPN gateway (Vpc `CreateVpnAttachment` family,
//! docs/design/alicloud.md §4): model, rules, the six actions and the state the transit-router
//! binding drives (`init` → `attaching` → `attached` → `detaching` → `init`; modify: `updating`).

use std::fmt;

use rand::Rng;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::customer_gateway::{self, CustomerGateway};
use super::error::{codes, AliError};
use super::model::{self, ClientToken, Page, Tag, DEFAULT_RESOURCE_GROUP};
use super::params::Params;
use super::seed::{self, SeedRegion};
use super::{rules, vco_route, Call, CLOUD};
use crate::sandbox::ids;
use crate::sandbox::store::{Kind, Tx};

pub(crate) const KIND: Kind = Kind {
    cloud: CLOUD,
    name: "vpn_connections",
    id_prefix: "vco",
};

/// Tunnel ids (`tun-…`, INFERRED prefix, §10.10); tunnels are stored inside their connection.
const TUNNEL_IDS: Kind = Kind {
    cloud: CLOUD,
    name: "tunnels",
    id_prefix: "tun",
};

/// `State` values (§4.3).
pub(crate) mod state {
    pub const INIT: &str = "init";
    pub const ATTACHING: &str = "attaching";
    pub const ATTACHED: &str = "attached";
    pub const DETACHING: &str = "detaching";
    pub const UPDATING: &str = "updating";
}

/// `AttachType` values.
pub(crate) const NOT_ASSOCIATED: &str = "NO_ASSOCIATED";
pub(crate) const ATTACHED_TO_CEN: &str = "CEN";
/// `VpnGatewayId` of a connection that is on no VPN gateway (§4.3).
const NOT_ON_GATEWAY: &str = "vpn-not-exist";
/// Negotiation status: the sandbox has no peer to negotiate with.
const NEGOTIATION_STATUS: &str = "ike_sa_not_established";
/// `BgpStatus` of a BGP tunnel whose session never comes up.
const BGP_STATUS: &str = "false";

const TUNNELS_PARAM: &str = "TunnelOptionsSpecification";
const NETWORK_TYPES: &[&str] = &["public", "private"];
const TUNNEL_BANDWIDTHS: &[&str] = &["Standard", "Large"];
const IKE_VERSIONS: &[&str] = &["ikev1", "ikev2"];
const IKE_MODES: &[&str] = &["main", "aggressive"];
const ENC_ALGS: &[&str] = &["aes", "aes192", "aes256", "des", "3des"];
const AUTH_ALGS: &[&str] = &["md5", "sha1", "sha256", "sha384", "sha512"];
const IKE_PFS: &[&str] = &["group1", "group2", "group5", "group14"];
const IPSEC_PFS: &[&str] = &["disabled", "group1", "group2", "group5", "group14"];
/// "If omitted the service generates a 16-character random key" (§4.2).
const GENERATED_PSK_LEN: usize = 16;
const PSK_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// The stored connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct VpnConnection {
    pub vpn_connection_id: String,
    pub region_id: String,
    pub name: String,
    /// Epoch milliseconds.
    pub create_time: i64,
    pub network_type: String,
    pub local_subnet: String,
    pub remote_subnet: String,
    pub effect_immediately: bool,
    pub auto_config_route: bool,
    pub enable_tunnels_bgp: bool,
    pub tunnel_bandwidth: String,
    pub resource_group_id: String,
    pub tags: Vec<Tag>,
    pub state: String,
    /// When `state` was entered (epoch ms): pending states end `provisioning_ms` later.
    pub state_since: i64,
    pub attach_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transit_router_id: Option<String>,
    /// The CEN instance of the transit router.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attach_instance_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transit_router_attachment_id: Option<String>,
    /// Tunnel index 1, then 2.
    pub tunnels: Vec<Tunnel>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_token: Option<ClientToken>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Tunnel {
    pub tunnel_id: String,
    pub tunnel_index: u8,
    pub customer_gateway_id: String,
    pub role: String,
    pub zone_no: String,
    /// Alibaba-side address; allocated when the connection is bound to a transit router.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub internet_ip: Option<String>,
    pub enable_dpd: bool,
    pub enable_nat_traversal: bool,
    pub bgp: TunnelBgp,
    pub ike: TunnelIke,
    pub ipsec: TunnelIpsec,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct TunnelBgp {
    pub local_asn: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local_bgp_ip: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tunnel_cidr: Option<String>,
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct TunnelIke {
    /// Plaintext: DescribeVpnConnection returns it.
    pub psk: String,
    pub ike_version: String,
    pub ike_mode: String,
    pub ike_enc_alg: String,
    pub ike_auth_alg: String,
    pub ike_pfs: String,
    pub ike_lifetime: i64,
    /// Default: the tunnel's address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local_id: Option<String>,
    /// Default: the customer gateway's address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote_id: Option<String>,
}

impl fmt::Debug for TunnelIke {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TunnelIke")
            .field("psk", &"** redacted **")
            .field("ike_version", &self.ike_version)
            .field("ike_mode", &self.ike_mode)
            .field("ike_enc_alg", &self.ike_enc_alg)
            .field("ike_auth_alg", &self.ike_auth_alg)
            .field("ike_pfs", &self.ike_pfs)
            .field("ike_lifetime", &self.ike_lifetime)
            .field("local_id", &self.local_id)
            .field("remote_id", &self.remote_id)
            .finish()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct TunnelIpsec {
    pub ipsec_enc_alg: String,
    pub ipsec_auth_alg: String,
    pub ipsec_pfs: String,
    pub ipsec_lifetime: i64,
}

fn random_psk() -> String {
    let mut rng = rand::rng();
    (0..GENERATED_PSK_LEN)
        .map(|_| char::from(PSK_ALPHABET[rng.random_range(0..PSK_ALPHABET.len())]))
        .collect()
}

/// A tunnel with the dual-tunnel defaults of §4.2 (role by index is INFERRED, §10.11).
fn new_tunnel(
    tx: &Tx<'_>,
    index: u8,
    customer_gateway_id: &str,
    region: &SeedRegion,
) -> Result<Tunnel, AliError> {
    let zone = region.tunnel_zones[usize::from(index.saturating_sub(1)).min(1)];
    Ok(Tunnel {
        tunnel_id: ids::resource_id(tx, TUNNEL_IDS)?,
        tunnel_index: index,
        customer_gateway_id: customer_gateway_id.to_owned(),
        role: if index == 1 { "master" } else { "slave" }.to_owned(),
        zone_no: zone.to_owned(),
        internet_ip: None,
        enable_dpd: true,
        enable_nat_traversal: true,
        bgp: TunnelBgp {
            local_asn: rules::ALIBABA_ASN,
            local_bgp_ip: None,
            tunnel_cidr: None,
        },
        ike: TunnelIke {
            psk: random_psk(),
            ike_version: "ikev2".to_owned(),
            ike_mode: "main".to_owned(),
            ike_enc_alg: "aes".to_owned(),
            ike_auth_alg: "sha1".to_owned(),
            ike_pfs: "group2".to_owned(),
            ike_lifetime: 86_400,
            local_id: None,
            remote_id: None,
        },
        ipsec: TunnelIpsec {
            ipsec_enc_alg: "aes".to_owned(),
            ipsec_auth_alg: "sha1".to_owned(),
            ipsec_pfs: "group2".to_owned(),
            ipsec_lifetime: 86_400,
        },
    })
}

fn set(target: &mut String, value: Option<String>) {
    if let Some(v) = value {
        *target = v;
    }
}

/// Applies the members of one `TunnelOptionsSpecification.N` that were sent; the rest stays.
fn apply_tunnel(tx: &Tx<'_>, region: &str, t: &mut Tunnel, g: &Params) -> Result<(), AliError> {
    if let Some(id) = g.get("CustomerGatewayId") {
        customer_gateway::get(tx, region, id)?;
        t.customer_gateway_id = id.to_owned();
    }
    if let Some(v) = g.bool("EnableDpd")? {
        t.enable_dpd = v;
    }
    if let Some(v) = g.bool("EnableNatTraversal")? {
        t.enable_nat_traversal = v;
    }

    let bgp = g.sub("TunnelBgpConfig");
    if let Some(asn) = bgp.int("LocalAsn", rules::ASN_RANGE)? {
        t.bgp.local_asn = asn;
    }
    if let Some(cidr) = bgp.get("TunnelCidr") {
        let net = rules::tunnel_cidr(&bgp.path("TunnelCidr"), cidr)?;
        if t.bgp.tunnel_cidr.as_deref() != Some(cidr) && bgp.get("LocalBgpIp").is_none() {
            // A new /30 without an address: the first host (INFERRED default, §10.12).
            t.bgp.local_bgp_ip = Some(rules::hosts_of(&net).0.to_string());
        }
        t.bgp.tunnel_cidr = Some(net.to_string());
    }
    if let Some(ip) = bgp.get("LocalBgpIp") {
        let Some(cidr) = t.bgp.tunnel_cidr.as_deref() else {
            return Err(AliError::invalid(
                &bgp.path("LocalBgpIp"),
                "needs TunnelCidr",
            ));
        };
        let net = rules::tunnel_cidr(&bgp.path("TunnelCidr"), cidr)?;
        rules::bgp_ip_in(&bgp.path("LocalBgpIp"), ip, &net)?;
        t.bgp.local_bgp_ip = Some(ip.to_owned());
    }

    let ike = g.sub("TunnelIkeConfig");
    if let Some(psk) = ike.get("Psk") {
        rules::psk(&ike.path("Psk"), psk)?;
        t.ike.psk = psk.to_owned();
    }
    set(
        &mut t.ike.ike_version,
        ike.one_of("IkeVersion", IKE_VERSIONS)?,
    );
    set(&mut t.ike.ike_mode, ike.one_of("IkeMode", IKE_MODES)?);
    set(&mut t.ike.ike_enc_alg, ike.one_of("IkeEncAlg", ENC_ALGS)?);
    set(
        &mut t.ike.ike_auth_alg,
        ike.one_of("IkeAuthAlg", AUTH_ALGS)?,
    );
    set(&mut t.ike.ike_pfs, ike.one_of("IkePfs", IKE_PFS)?);
    if let Some(v) = ike.int("IkeLifetime", rules::LIFETIME_RANGE)? {
        t.ike.ike_lifetime = v;
    }
    for (name, slot) in [
        ("LocalId", &mut t.ike.local_id),
        ("RemoteId", &mut t.ike.remote_id),
    ] {
        if let Some(v) = ike.get(name) {
            rules::ike_id(&ike.path(name), v)?;
            *slot = Some(v.to_owned());
        }
    }

    let ipsec = g.sub("TunnelIpsecConfig");
    set(
        &mut t.ipsec.ipsec_enc_alg,
        ipsec.one_of("IpsecEncAlg", ENC_ALGS)?,
    );
    set(
        &mut t.ipsec.ipsec_auth_alg,
        ipsec.one_of("IpsecAuthAlg", AUTH_ALGS)?,
    );
    set(&mut t.ipsec.ipsec_pfs, ipsec.one_of("IpsecPfs", IPSEC_PFS)?);
    if let Some(v) = ipsec.int("IpsecLifetime", rules::LIFETIME_RANGE)? {
        t.ipsec.ipsec_lifetime = v;
    }
    Ok(())
}

/// Rules across fields and tunnels, checked on the result of a create or modify.
fn check(tx: &Tx<'_>, c: &VpnConnection) -> Result<(), AliError> {
    let tunnel_path =
        |t: &Tunnel, member: &str| format!("{TUNNELS_PARAM}.{}.{member}", t.tunnel_index);
    if c.enable_tunnels_bgp {
        for t in &c.tunnels {
            if t.bgp.tunnel_cidr.is_none() {
                return Err(AliError::missing(&tunnel_path(
                    t,
                    "TunnelBgpConfig.TunnelCidr",
                )));
            }
            let gateway = customer_gateway::get(tx, &c.region_id, &t.customer_gateway_id)?;
            if gateway.asn.is_none() {
                return Err(AliError::bad(
                    codes::CGW_WITHOUT_ASN,
                    format!(
                        "BGP is enabled but the customer gateway {} of tunnel {} has no ASN.",
                        gateway.customer_gateway_id, t.tunnel_index
                    ),
                ));
            }
        }
    }
    if let [a, b] = c.tunnels.as_slice() {
        if a.bgp.tunnel_cidr.is_some() && a.bgp.tunnel_cidr == b.bgp.tunnel_cidr {
            return Err(AliError::invalid(
                &tunnel_path(b, "TunnelBgpConfig.TunnelCidr"),
                "the two tunnels must use different TunnelCidr blocks",
            ));
        }
    }
    let several = rules::subnets("LocalSubnet", &c.local_subnet)?.len() > 1
        || rules::subnets("RemoteSubnet", &c.remote_subnet)?.len() > 1;
    if several {
        if let Some(t) = c.tunnels.iter().find(|t| t.ike.ike_version == "ikev1") {
            return Err(AliError::bad(
                codes::MULTIPLE_SUBNETS_NEED_IKEV2,
                format!(
                    "Several local or remote CIDR blocks need IKEv2, but tunnel {} uses ikev1.",
                    t.tunnel_index
                ),
            ));
        }
    }
    Ok(())
}

/// The connection `id` in `region`; otherwise 404 `InvalidVpnConnectionInstanceId.NotFound`.
pub(crate) fn get(tx: &Tx<'_>, region: &str, id: &str) -> Result<VpnConnection, AliError> {
    match tx.get::<VpnConnection>(KIND, id)? {
        Some(stored) if stored.region == region => Ok(stored.body),
        _ => Err(AliError::vco_not_found(id)),
    }
}

/// The connection `id` in whatever region (Cbn calls carry no Vpc region).
pub(crate) fn find(tx: &Tx<'_>, id: &str) -> Result<Option<VpnConnection>, AliError> {
    Ok(tx.get::<VpnConnection>(KIND, id)?.map(|s| s.body))
}

pub(crate) fn save(tx: &Tx<'_>, c: &VpnConnection) -> Result<(), AliError> {
    tx.update(KIND, &c.vpn_connection_id, c)?;
    Ok(())
}

/// Ids of the connections with a tunnel on customer gateway `cgw`.
pub(crate) fn using_customer_gateway(
    tx: &Tx<'_>,
    region: &str,
    cgw: &str,
) -> Result<Vec<String>, AliError> {
    Ok(tx
        .list::<VpnConnection>(KIND, region)?
        .into_iter()
        .filter(|c| c.tunnels.iter().any(|t| t.customer_gateway_id == cgw))
        .map(|c| c.vpn_connection_id)
        .collect())
}

fn result_ok(extra: Value) -> Value {
    let mut v = json!({"Code": "200", "Message": "successful", "Success": true});
    if let (Value::Object(map), Value::Object(more)) = (&mut v, extra) {
        map.extend(more);
    }
    v
}

pub(crate) fn create(tx: &Tx<'_>, call: &Call) -> Result<Value, AliError> {
    let p = &call.params;
    let region = rules::region(p)?;
    let local_subnet = p.required("LocalSubnet")?.to_owned();
    rules::subnets("LocalSubnet", &local_subnet)?;
    let remote_subnet = p.required("RemoteSubnet")?.to_owned();
    rules::subnets("RemoteSubnet", &remote_subnet)?;
    let name = p.string("Name").unwrap_or_default();
    if !name.is_empty() {
        rules::name_or_description("Name", &name)?;
    }
    let tags = Tag::from_pairs(rules::tags(p, "Tags")?);
    let token = ClientToken::of(rules::client_token(p)?, p);

    let groups = p.groups(TUNNELS_PARAM)?;
    if groups.is_empty() {
        return Err(AliError::missing(TUNNELS_PARAM).with_detail(
            "the sandbox emulates dual-tunnel connections only: send TunnelOptionsSpecification.1 and .2",
        ));
    }
    if groups.len() != 2 {
        return Err(AliError::invalid(
            TUNNELS_PARAM,
            format!(
                "{} tunnels given, a dual-tunnel connection has exactly 2",
                groups.len()
            ),
        ));
    }
    let mut tunnels: Vec<Tunnel> = Vec::with_capacity(2);
    for g in groups.values() {
        let index = g
            .int("TunnelIndex", 1..=2)?
            .ok_or_else(|| AliError::missing(&g.path("TunnelIndex")))?;
        let index = u8::try_from(index).unwrap_or(1);
        if tunnels.iter().any(|t| t.tunnel_index == index) {
            return Err(AliError::invalid(
                &g.path("TunnelIndex"),
                format!("tunnel index {index} given twice; use 1 and 2"),
            ));
        }
        let cgw = g.required("CustomerGatewayId")?;
        customer_gateway::get(tx, region.region, cgw)?;
        let mut tunnel = new_tunnel(tx, index, cgw, region)?;
        apply_tunnel(tx, region.region, &mut tunnel, g)?;
        tunnels.push(tunnel);
    }
    tunnels.sort_by_key(|t| t.tunnel_index);

    let connection = VpnConnection {
        vpn_connection_id: ids::resource_id(tx, KIND)?,
        region_id: region.region.to_owned(),
        name,
        create_time: call.now_ms,
        network_type: p
            .one_of("NetworkType", NETWORK_TYPES)?
            .unwrap_or_else(|| "public".to_owned()),
        local_subnet,
        remote_subnet,
        effect_immediately: p.bool("EffectImmediately")?.unwrap_or(false),
        auto_config_route: p.bool("AutoConfigRoute")?.unwrap_or(true),
        enable_tunnels_bgp: p.bool("EnableTunnelsBgp")?.unwrap_or(false),
        tunnel_bandwidth: p
            .one_of("TunnelBandwidth", TUNNEL_BANDWIDTHS)?
            .unwrap_or_else(|| "Standard".to_owned()),
        resource_group_id: p
            .string("ResourceGroupId")
            .unwrap_or_else(|| DEFAULT_RESOURCE_GROUP.to_owned()),
        tags,
        state: state::INIT.to_owned(),
        state_since: call.now_ms,
        attach_type: NOT_ASSOCIATED.to_owned(),
        transit_router_id: None,
        attach_instance_id: None,
        transit_router_attachment_id: None,
        tunnels,
        client_token: token,
    };
    check(tx, &connection)?;
    p.dry_run_check()?;

    let existing: Vec<VpnConnection> = tx.list(KIND, region.region)?;
    let connection = match model::replay(
        &existing,
        connection.client_token.as_ref(),
        call.now_ms,
        |c| (c.client_token.as_ref(), c.create_time),
    )? {
        Some(same) => same.clone(),
        None => {
            tx.insert(
                KIND,
                region.region,
                &connection.vpn_connection_id,
                &connection,
            )?;
            connection
        }
    };
    Ok(result_ok(json!({
        "VpnConnectionId": connection.vpn_connection_id,
        "Name": connection.name,
        "CreateTime": connection.create_time,
    })))
}

pub(crate) fn describe(tx: &Tx<'_>, call: &Call) -> Result<Value, AliError> {
    let p = &call.params;
    let region = rules::region(p)?;
    let c = get(tx, region.region, p.required("VpnConnectionId")?)?;
    describe_json(tx, &c, "Tags")
}

pub(crate) fn describe_many(tx: &Tx<'_>, call: &Call) -> Result<Value, AliError> {
    let p = &call.params;
    let region = rules::region(p)?;
    let page = Page::parse(p)?;
    let id = p.get("VpnConnectionId");
    let cgw = p.get("CustomerGatewayId");
    let gateway = p.get("VpnGatewayId");
    let group = p.get("ResourceGroupId");
    let tag_filter = rules::tags(p, "Tag")?;
    let matching: Vec<VpnConnection> = tx
        .list::<VpnConnection>(KIND, region.region)?
        .into_iter()
        .filter(|c| id.is_none_or(|id| c.vpn_connection_id == id))
        .filter(|c| cgw.is_none_or(|g| c.tunnels.iter().any(|t| t.customer_gateway_id == g)))
        .filter(|_| gateway.is_none_or(|g| g == NOT_ON_GATEWAY))
        .filter(|c| group.is_none_or(|rg| c.resource_group_id == rg))
        .filter(|c| model::tags_match(&c.tags, &tag_filter))
        .collect();
    let items = page
        .slice(&matching)
        .iter()
        .map(|c| describe_json(tx, c, "Tag"))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(json!({
        "PageNumber": page.number,
        "PageSize": page.size,
        "TotalCount": matching.len(),
        "VpnConnections": {"VpnConnection": items},
    }))
}

/// Asynchronous: the connection goes `updating`, then back to `attached` (bound) or `init`.
pub(crate) fn modify(tx: &Tx<'_>, call: &Call) -> Result<Value, AliError> {
    let p = &call.params;
    let region = rules::region(p)?;
    let mut c = get(tx, region.region, p.required("VpnConnectionId")?)?;
    if c.state != state::INIT && c.state != state::ATTACHED {
        return Err(AliError::vco_configuring(&c.vpn_connection_id, &c.state));
    }
    if let Some(name) = p.get("Name") {
        rules::name_or_description("Name", name)?;
        c.name = name.to_owned();
    }
    if let Some(v) = p.get("LocalSubnet") {
        rules::subnets("LocalSubnet", v)?;
        c.local_subnet = v.to_owned();
    }
    if let Some(v) = p.get("RemoteSubnet") {
        rules::subnets("RemoteSubnet", v)?;
        c.remote_subnet = v.to_owned();
    }
    if let Some(v) = p.one_of("NetworkType", NETWORK_TYPES)? {
        if v != c.network_type {
            return Err(AliError::invalid(
                "NetworkType",
                format!("cannot be modified (is {}, requested {v})", c.network_type),
            ));
        }
    }
    if let Some(v) = p.bool("EffectImmediately")? {
        c.effect_immediately = v;
    }
    if let Some(v) = p.bool("AutoConfigRoute")? {
        c.auto_config_route = v;
    }
    if let Some(v) = p.bool("EnableTunnelsBgp")? {
        c.enable_tunnels_bgp = v;
    }
    for g in p.groups(TUNNELS_PARAM)?.values() {
        let by_index = g
            .int("TunnelIndex", 1..=2)?
            .and_then(|i| u8::try_from(i).ok());
        let by_id = g.get("TunnelId");
        let position = c.tunnels.iter().position(|t| {
            by_index.is_none_or(|i| t.tunnel_index == i) && by_id.is_none_or(|id| t.tunnel_id == id)
        });
        let Some(position) = position.filter(|_| by_index.is_some() || by_id.is_some()) else {
            return Err(match (by_index, by_id) {
                (None, None) => AliError::missing(&g.path("TunnelIndex")),
                _ => AliError::invalid(
                    &g.path("TunnelId"),
                    "names no tunnel of this connection (TunnelIndex and TunnelId must agree)",
                ),
            });
        };
        apply_tunnel(tx, region.region, &mut c.tunnels[position], g)?;
    }
    check(tx, &c)?;
    p.dry_run_check()?;
    c.state = state::UPDATING.to_owned();
    c.state_since = call.now_ms;
    save(tx, &c)?;
    modify_json(tx, &c)
}

/// Refused while bound to a transit router (unbind first with Cbn
/// `DeleteTransitRouterVpnAttachment`, §4.5) or while a change is in progress. Its
/// destination routes go with it.
pub(crate) fn delete(tx: &Tx<'_>, call: &Call) -> Result<Value, AliError> {
    let p = &call.params;
    let region = rules::region(p)?;
    let c = get(tx, region.region, p.required("VpnConnectionId")?)?;
    if c.state != state::INIT && c.state != state::ATTACHED {
        return Err(AliError::vco_configuring(&c.vpn_connection_id, &c.state));
    }
    if let Some(attachment) = &c.transit_router_attachment_id {
        return Err(AliError::bad(
            codes::VCO_BOUND,
            format!(
                "The vpn connection {} is bound to a transit router by {attachment}; delete that \
                 attachment first (Cbn DeleteTransitRouterVpnAttachment).",
                c.vpn_connection_id
            ),
        ));
    }
    // Destination routes are part of the connection (docs/design/alicloud-vco-routes.md).
    vco_route::remove_all_of(tx, &c.vpn_connection_id)?;
    tx.delete(KIND, &c.vpn_connection_id)?;
    Ok(result_ok(json!({})))
}

/// JSON scalar as DescribeVpnConnection types it (a string) or as the modify answer does.
fn scalar(v: impl ToString + Into<Value>, typed: bool) -> Value {
    if typed {
        v.into()
    } else {
        Value::String(v.to_string())
    }
}

fn insert(v: &mut Value, key: &str, value: Option<Value>) {
    if let (Value::Object(map), Some(value)) = (v, value) {
        map.insert(key.to_owned(), value);
    }
}

/// One tunnel. `typed`: the modify answer's types (booleans, integers); otherwise
/// DescribeVpnConnection's, where every scalar but `TunnelIndex` is a string
/// (docs/design/alicloud.md §2.3).
fn tunnel_json(
    c: &VpnConnection,
    t: &Tunnel,
    gateway: Option<&CustomerGateway>,
    typed: bool,
) -> Value {
    let updating = c.state == state::UPDATING;
    let mut bgp = json!({"LocalAsn": scalar(t.bgp.local_asn, typed)});
    insert(
        &mut bgp,
        "LocalBgpIp",
        t.bgp.local_bgp_ip.clone().map(Value::String),
    );
    insert(
        &mut bgp,
        "TunnelCidr",
        t.bgp.tunnel_cidr.clone().map(Value::String),
    );
    insert(
        &mut bgp,
        "PeerAsn",
        gateway.and_then(|g| g.asn).map(|a| scalar(a, typed)),
    );
    let peer_ip = t
        .bgp
        .tunnel_cidr
        .as_deref()
        .and_then(|cidr| cidr.parse::<ipnet::Ipv4Net>().ok())
        .map(|net| {
            let (first, second) = rules::hosts_of(&net);
            let local = t.bgp.local_bgp_ip.as_deref().unwrap_or_default();
            if local == first.to_string() {
                second
            } else {
                first
            }
            .to_string()
        });
    insert(&mut bgp, "PeerBgpIp", peer_ip.map(Value::String));
    if c.enable_tunnels_bgp && !typed {
        insert(
            &mut bgp,
            "BgpStatus",
            Some(Value::String(BGP_STATUS.to_owned())),
        );
    }

    let mut ike = json!({
        "Psk": t.ike.psk,
        "IkeVersion": t.ike.ike_version,
        "IkeMode": t.ike.ike_mode,
        "IkeEncAlg": t.ike.ike_enc_alg,
        "IkeAuthAlg": t.ike.ike_auth_alg,
        "IkePfs": t.ike.ike_pfs,
        "IkeLifetime": scalar(t.ike.ike_lifetime, typed),
    });
    let local_id = t.ike.local_id.clone().or_else(|| t.internet_ip.clone());
    insert(&mut ike, "LocalId", local_id.map(Value::String));
    let remote_id = t
        .ike
        .remote_id
        .clone()
        .or_else(|| gateway.map(|g| g.ip_address.clone()));
    insert(&mut ike, "RemoteId", remote_id.map(Value::String));

    let mut v = json!({
        "TunnelId": t.tunnel_id,
        "TunnelIndex": t.tunnel_index,
        "CustomerGatewayId": t.customer_gateway_id,
        "Role": t.role,
        "State": if updating { "updating" } else { "active" },
        "Status": NEGOTIATION_STATUS,
        "ZoneNo": t.zone_no,
        "EnableDpd": scalar(t.enable_dpd, typed),
        "EnableNatTraversal": scalar(t.enable_nat_traversal, typed),
        "TunnelBgpConfig": bgp,
        "TunnelIkeConfig": ike,
        "TunnelIpsecConfig": {
            "IpsecEncAlg": t.ipsec.ipsec_enc_alg,
            "IpsecAuthAlg": t.ipsec.ipsec_auth_alg,
            "IpsecPfs": t.ipsec.ipsec_pfs,
            "IpsecLifetime": scalar(t.ipsec.ipsec_lifetime, typed),
        },
    });
    insert(
        &mut v,
        "InternetIp",
        t.internet_ip.clone().map(Value::String),
    );
    v
}

/// The customer gateway of each tunnel (`None` if it vanished, which deletes prevent).
type Gateways = Vec<Option<CustomerGateway>>;

fn gateways_of(tx: &Tx<'_>, c: &VpnConnection) -> Result<Gateways, AliError> {
    c.tunnels
        .iter()
        .map(
            |t| match customer_gateway::get(tx, &c.region_id, &t.customer_gateway_id) {
                Ok(g) => Ok(Some(g)),
                Err(e) if e.code == codes::CGW_NOT_FOUND => Ok(None),
                Err(e) => Err(e),
            },
        )
        .collect()
}

fn tunnels_json(
    c: &VpnConnection,
    gateways: &[Option<CustomerGateway>],
    typed: bool,
) -> Vec<Value> {
    c.tunnels
        .iter()
        .enumerate()
        .map(|(i, t)| tunnel_json(c, t, gateways.get(i).and_then(Option::as_ref), typed))
        .collect()
}

/// Fields shared by the describe and modify answers.
fn common_json(c: &VpnConnection) -> Value {
    let mut v = json!({
        "VpnConnectionId": c.vpn_connection_id,
        "Name": c.name,
        "CreateTime": c.create_time,
        "AttachType": c.attach_type,
        "VpnGatewayId": NOT_ON_GATEWAY,
        "NetworkType": c.network_type,
        "LocalSubnet": c.local_subnet,
        "RemoteSubnet": c.remote_subnet,
        "EffectImmediately": c.effect_immediately,
        "EnableTunnelsBgp": c.enable_tunnels_bgp,
        "ResourceGroupId": c.resource_group_id,
        "Status": NEGOTIATION_STATUS,
    });
    insert(
        &mut v,
        "AttachInstanceId",
        c.attach_instance_id.clone().map(Value::String),
    );
    v
}

/// DescribeVpnConnection (`tags_key` `Tags`) / DescribeVpnConnections element (`Tag`).
fn describe_value(
    c: &VpnConnection,
    gateways: &[Option<CustomerGateway>],
    tags_key: &str,
) -> Value {
    let mut v = common_json(c);
    insert(&mut v, "State", Some(json!(c.state)));
    insert(&mut v, "CrossAccountAuthorized", Some(json!(false)));
    insert(&mut v, "TunnelBandwidth", Some(json!(c.tunnel_bandwidth)));
    insert(&mut v, tags_key, Some(model::wrapped_tags(&c.tags)));
    insert(
        &mut v,
        "TransitRouterId",
        c.transit_router_id.clone().map(Value::String),
    );
    let tr_name = c
        .transit_router_id
        .as_deref()
        .and_then(seed::by_transit_router)
        .map(|r| Value::String(r.transit_router_name()));
    insert(&mut v, "TransitRouterName", tr_name);
    insert(
        &mut v,
        "TunnelOptionsSpecification",
        Some(json!({"TunnelOptions": tunnels_json(c, gateways, false)})),
    );
    v
}

fn describe_json(tx: &Tx<'_>, c: &VpnConnection, tags_key: &str) -> Result<Value, AliError> {
    Ok(describe_value(c, &gateways_of(tx, c)?, tags_key))
}

/// `/_sandbox/state`: the connection as DescribeVpnConnection shows it, plus `RegionId`;
/// `all_gateways` are every stored customer gateway.
pub(crate) fn state_json(c: &VpnConnection, all_gateways: &[CustomerGateway]) -> Value {
    let gateways: Gateways = c
        .tunnels
        .iter()
        .map(|t| {
            all_gateways
                .iter()
                .find(|g| g.customer_gateway_id == t.customer_gateway_id)
                .cloned()
        })
        .collect();
    let mut v = describe_value(c, &gateways, "Tags");
    insert(&mut v, "RegionId", Some(json!(c.region_id)));
    v
}

/// ModifyVpnAttachmentAttribute's answer: the connection with a bare, typed tunnel array.
fn modify_json(tx: &Tx<'_>, c: &VpnConnection) -> Result<Value, AliError> {
    let mut v = common_json(c);
    insert(&mut v, "Description", Some(json!("")));
    insert(
        &mut v,
        "TunnelOptionsSpecification",
        Some(Value::Array(tunnels_json(c, &gateways_of(tx, c)?, true))),
    );
    Ok(v)
}
