//! Dual-tunnel IPsec connection actions (Vpc `CreateVpnAttachment` family,
//! docs/design/alicloud.md §4): parse (tunnels come flattened as
//! `TunnelOptionsSpecification.N.…`), call the backend, render.

use serde_json::{json, Value};

use super::shared::{self, FieldFilter, Page};
use crate::sandbox::alicloud::backend::db::Db;
use crate::sandbox::alicloud::backend::model::{
    state, CustomerGateway, Tag, Tunnel, VpnConnection, VPN_CONNECTIONS,
};
use crate::sandbox::alicloud::backend::seed;
use crate::sandbox::alicloud::backend::vpn_connection::{
    self as backend, hosts_of, NewVpnConnection, TunnelPatch, VpnConnectionChange, TUNNELS_PARAM,
};
use crate::sandbox::alicloud::error::{codes, AliError};
use crate::sandbox::alicloud::params::Params;
use crate::sandbox::alicloud::rules;

/// `VpnGatewayId` of a connection that is on no VPN gateway (§4.3).
const NOT_ON_GATEWAY: &str = "vpn-not-exist";
/// Negotiation status: the sandbox has no peer to negotiate with.
const NEGOTIATION_STATUS: &str = "ike_sa_not_established";
/// `BgpStatus` of a BGP tunnel whose session never comes up.
const BGP_STATUS: &str = "false";

const NETWORK_TYPES: &[&str] = &["public", "private"];
const TUNNEL_BANDWIDTHS: &[&str] = &["Standard", "Large"];
const IKE_VERSIONS: &[&str] = &["ikev1", "ikev2"];
const IKE_MODES: &[&str] = &["main", "aggressive"];
const ENC_ALGS: &[&str] = &["aes", "aes192", "aes256", "des", "3des"];
const AUTH_ALGS: &[&str] = &["md5", "sha1", "sha256", "sha384", "sha512"];
const IKE_PFS: &[&str] = &["group1", "group2", "group5", "group14"];
const IPSEC_PFS: &[&str] = &["disabled", "group1", "group2", "group5", "group14"];

/// The members of one `TunnelOptionsSpecification.N` group, each checked on its own.
fn parse_tunnel(g: &Params) -> Result<TunnelPatch, AliError> {
    let index = g
        .int("TunnelIndex", 1..=2)?
        .and_then(|i| u8::try_from(i).ok());
    let bgp = g.sub("TunnelBgpConfig");
    let tunnel_cidr = bgp
        .get("TunnelCidr")
        .map(|cidr| rules::tunnel_cidr(&bgp.path("TunnelCidr"), cidr))
        .transpose()?;
    let local_bgp_ip = bgp
        .get("LocalBgpIp")
        .map(|ip| {
            ip.parse().map_err(|_| {
                AliError::invalid(
                    &bgp.path("LocalBgpIp"),
                    format!("{ip:?} is not an IPv4 address"),
                )
            })
        })
        .transpose()?;
    let ike = g.sub("TunnelIkeConfig");
    if let Some(psk) = ike.get("Psk") {
        rules::psk(&ike.path("Psk"), psk)?;
    }
    for name in ["LocalId", "RemoteId"] {
        if let Some(v) = ike.get(name) {
            rules::ike_id(&ike.path(name), v)?;
        }
    }
    let ipsec = g.sub("TunnelIpsecConfig");
    Ok(TunnelPatch {
        prefix: g.path(""),
        index,
        tunnel_id: g.string("TunnelId"),
        customer_gateway_id: g.string("CustomerGatewayId"),
        enable_dpd: g.bool("EnableDpd")?,
        enable_nat_traversal: g.bool("EnableNatTraversal")?,
        local_asn: bgp.int("LocalAsn", rules::ASN_RANGE)?,
        tunnel_cidr,
        local_bgp_ip,
        psk: ike.string("Psk"),
        ike_version: ike.one_of("IkeVersion", IKE_VERSIONS)?,
        ike_mode: ike.one_of("IkeMode", IKE_MODES)?,
        ike_enc_alg: ike.one_of("IkeEncAlg", ENC_ALGS)?,
        ike_auth_alg: ike.one_of("IkeAuthAlg", AUTH_ALGS)?,
        ike_pfs: ike.one_of("IkePfs", IKE_PFS)?,
        ike_lifetime: ike.int("IkeLifetime", rules::LIFETIME_RANGE)?,
        local_id: ike.string("LocalId"),
        remote_id: ike.string("RemoteId"),
        ipsec_enc_alg: ipsec.one_of("IpsecEncAlg", ENC_ALGS)?,
        ipsec_auth_alg: ipsec.one_of("IpsecAuthAlg", AUTH_ALGS)?,
        ipsec_pfs: ipsec.one_of("IpsecPfs", IPSEC_PFS)?,
        ipsec_lifetime: ipsec.int("IpsecLifetime", rules::LIFETIME_RANGE)?,
    })
}

fn result_ok(extra: Value) -> Value {
    let mut v = json!({"Code": "200", "Message": "successful", "Success": true});
    if let (Value::Object(map), Value::Object(more)) = (&mut v, extra) {
        map.extend(more);
    }
    v
}

pub(super) fn create(db: &Db<'_>, p: &Params) -> Result<Value, AliError> {
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
    let token = shared::client_token(p)?;

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
    let mut tunnels: Vec<TunnelPatch> = Vec::with_capacity(2);
    for g in groups.values() {
        let index = g
            .int("TunnelIndex", 1..=2)?
            .ok_or_else(|| AliError::missing(&g.path("TunnelIndex")))?;
        if tunnels.iter().any(|t| t.index == u8::try_from(index).ok()) {
            return Err(AliError::invalid(
                &g.path("TunnelIndex"),
                format!("tunnel index {index} given twice; use 1 and 2"),
            ));
        }
        g.required("CustomerGatewayId")?;
        tunnels.push(parse_tunnel(g)?);
    }

    let new = NewVpnConnection {
        region,
        name,
        local_subnet,
        remote_subnet,
        network_type: p
            .one_of("NetworkType", NETWORK_TYPES)?
            .unwrap_or_else(|| "public".to_owned()),
        effect_immediately: p.bool("EffectImmediately")?.unwrap_or(false),
        auto_config_route: p.bool("AutoConfigRoute")?.unwrap_or(true),
        enable_tunnels_bgp: p.bool("EnableTunnelsBgp")?.unwrap_or(false),
        tunnel_bandwidth: p
            .one_of("TunnelBandwidth", TUNNEL_BANDWIDTHS)?
            .unwrap_or_else(|| "Standard".to_owned()),
        resource_group_id: p.string("ResourceGroupId"),
        tags,
        tunnels,
        token,
        dry_run: shared::dry_run(p)?,
    };
    let connection = backend::create(db, new)?;
    Ok(result_ok(json!({
        "VpnConnectionId": connection.vpn_connection_id,
        "Name": connection.name,
        "CreateTime": connection.create_time,
    })))
}

pub(super) fn describe(db: &Db<'_>, p: &Params) -> Result<Value, AliError> {
    let region = rules::region(p)?;
    let c = db.connection(region.region, p.required("VpnConnectionId")?)?;
    Ok(describe_value(&c, &gateways_of(db, &c)?, "Tags"))
}

pub(super) fn describe_many(db: &Db<'_>, p: &Params) -> Result<Value, AliError> {
    let region = rules::region(p)?;
    let page = Page::parse(p)?;
    let cgw = p.get("CustomerGatewayId");
    let gateway = p.get("VpnGatewayId");
    let fields: &[FieldFilter<VpnConnection>] = &[
        ("VpnConnectionId", |c| &c.vpn_connection_id),
        ("ResourceGroupId", |c| &c.resource_group_id),
    ];
    let all = db.list(VPN_CONNECTIONS, region.region)?;
    let mut matching = shared::matching(p, all, fields, Some(|c| &c.tags))?;
    // A connection uses its gateways in its tunnels; none is on a VPN gateway.
    matching.retain(|c| cgw.is_none_or(|g| c.tunnels.iter().any(|t| t.customer_gateway_id == g)));
    matching.retain(|_| gateway.is_none_or(|g| g == NOT_ON_GATEWAY));
    page.answer(&matching, ("VpnConnections", "VpnConnection"), |c| {
        Ok(describe_value(c, &gateways_of(db, c)?, "Tag"))
    })
}

/// Asynchronous: the connection goes `updating`, then back to `attached` (bound) or `init`.
pub(super) fn modify(db: &Db<'_>, p: &Params) -> Result<Value, AliError> {
    let region = rules::region(p)?;
    let id = p.required("VpnConnectionId")?;
    // Unknown or busy: said before anything about the parameters.
    let c = backend::modifiable(db, region.region, id)?;
    if let Some(name) = p.get("Name") {
        rules::name_or_description("Name", name)?;
    }
    for side in ["LocalSubnet", "RemoteSubnet"] {
        if let Some(v) = p.get(side) {
            rules::subnets(side, v)?;
        }
    }
    let mut change = VpnConnectionChange {
        name: p.string("Name"),
        local_subnet: p.string("LocalSubnet"),
        remote_subnet: p.string("RemoteSubnet"),
        network_type: p.one_of("NetworkType", NETWORK_TYPES)?,
        effect_immediately: p.bool("EffectImmediately")?,
        auto_config_route: p.bool("AutoConfigRoute")?,
        enable_tunnels_bgp: p.bool("EnableTunnelsBgp")?,
        ..VpnConnectionChange::default()
    };
    for g in p.groups(TUNNELS_PARAM)?.values() {
        change.tunnels.push(parse_tunnel(g)?);
    }
    change.dry_run = shared::dry_run(p)?;
    let c = backend::modify(db, c, change)?;
    let mut v = common_json(&c);
    insert(&mut v, "Description", Some(json!("")));
    insert(
        &mut v,
        "TunnelOptionsSpecification",
        Some(Value::Array(tunnels_json(&c, &gateways_of(db, &c)?, true))),
    );
    Ok(v)
}

/// Refused while bound to a transit router or while a change is in progress (§4.5).
pub(super) fn delete(db: &Db<'_>, p: &Params) -> Result<Value, AliError> {
    let region = rules::region(p)?;
    backend::delete(db, region.region, p.required("VpnConnectionId")?)?;
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
            let (first, second) = hosts_of(&net);
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

fn gateways_of(db: &Db<'_>, c: &VpnConnection) -> Result<Gateways, AliError> {
    c.tunnels
        .iter()
        .map(
            |t| match db.customer_gateway(&c.region_id, &t.customer_gateway_id) {
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
    insert(&mut v, tags_key, Some(shared::wrapped_tags(&c.tags)));
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

/// `/_sandbox/state`: the connection as DescribeVpnConnection shows it, plus `RegionId`;
/// `all_gateways` are every stored customer gateway.
pub(super) fn render_state(c: &VpnConnection, all_gateways: &[CustomerGateway]) -> Value {
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
