//! Dual-tunnel IPsec-VPN connections not on a VPN gateway (Vpc `CreateVpnAttachment` family,
//! docs/design/alicloud.md §4): tunnel defaults, the rules across fields and tunnels, idempotent
//! creates, and the state the transit-router binding drives (`init` → `attaching` → `attached`
//! → `detaching` → `init`; modify: `updating`).
//!
//! Errors name the request parameters (`TunnelOptionsSpecification.N.…`): Alibaba's codes are
//! made of them (`InvalidParameter`, `Missing…`).

use std::net::Ipv4Addr;

use ipnet::Ipv4Net;
use rand::Rng;

use super::db::Db;
use super::model::{
    dry_run_check, replay, state, ClientToken, Tag, Tunnel, TunnelBgp, TunnelIke, TunnelIpsec,
    VpnConnection, ALIBABA_ASN, DEFAULT_RESOURCE_GROUP, NOT_ASSOCIATED, TUNNEL_IDS,
    VPN_CONNECTIONS,
};
use super::seed::SeedRegion;
use crate::sandbox::alicloud::error::{codes, AliError};
use crate::sandbox::change::{inputs, set};

/// The flattened parameter the tunnels come in.
pub(crate) const TUNNELS_PARAM: &str = "TunnelOptionsSpecification";
/// "If omitted the service generates a 16-character random key" (§4.2).
const GENERATED_PSK_LEN: usize = 16;
const PSK_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// The members of one `TunnelOptionsSpecification.N` that were sent, each already checked on
/// its own; the rest of the tunnel stays (its defaults, or what is stored).
#[derive(Debug, Default)]
pub(crate) struct TunnelPatch {
    /// `TunnelOptionsSpecification.N.`, for messages.
    pub prefix: String,
    pub index: Option<u8>,
    pub tunnel_id: Option<String>,
    pub customer_gateway_id: Option<String>,
    pub enable_dpd: Option<bool>,
    pub enable_nat_traversal: Option<bool>,
    pub local_asn: Option<i64>,
    pub tunnel_cidr: Option<Ipv4Net>,
    pub local_bgp_ip: Option<Ipv4Addr>,
    pub psk: Option<String>,
    pub ike_version: Option<String>,
    pub ike_mode: Option<String>,
    pub ike_enc_alg: Option<String>,
    pub ike_auth_alg: Option<String>,
    pub ike_pfs: Option<String>,
    pub ike_lifetime: Option<i64>,
    pub local_id: Option<String>,
    pub remote_id: Option<String>,
    pub ipsec_enc_alg: Option<String>,
    pub ipsec_auth_alg: Option<String>,
    pub ipsec_pfs: Option<String>,
    pub ipsec_lifetime: Option<i64>,
}

inputs! {
    /// A create: two tunnels (indexes 1 and 2, each with its customer gateway).
    NewVpnConnection /
    /// A modify (`ModifyVpnAttachmentAttribute`): the parameters sent; tunnels are named by
    /// `TunnelIndex` and/or `TunnelId`.
    #[derive(Default)]
    VpnConnectionChange {
        name: String,
        local_subnet: String,
        remote_subnet: String,
        /// A modify may only resend it.
        network_type: String,
        effect_immediately: bool,
        auto_config_route: bool,
        enable_tunnels_bgp: bool,
    }
    same {
        tunnels: Vec<TunnelPatch>,
        dry_run: bool,
    }
    create_only {
        region: &'static SeedRegion,
        tunnel_bandwidth: String,
        resource_group_id: Option<String>,
        tags: Vec<Tag>,
        token: Option<ClientToken>,
    }
}

fn random_psk() -> String {
    let mut rng = rand::rng();
    (0..GENERATED_PSK_LEN)
        .map(|_| char::from(PSK_ALPHABET[rng.random_range(0..PSK_ALPHABET.len())]))
        .collect()
}

/// A tunnel with the dual-tunnel defaults of §4.2 (role by index is INFERRED, §10.11).
fn new_tunnel(
    db: &Db<'_>,
    index: u8,
    customer_gateway_id: &str,
    region: &SeedRegion,
) -> Result<Tunnel, AliError> {
    let zone = region.tunnel_zones[usize::from(index.saturating_sub(1)).min(1)];
    Ok(Tunnel {
        tunnel_id: db.new_id(TUNNEL_IDS)?,
        tunnel_index: index,
        customer_gateway_id: customer_gateway_id.to_owned(),
        role: if index == 1 { "master" } else { "slave" }.to_owned(),
        zone_no: zone.to_owned(),
        internet_ip: None,
        enable_dpd: true,
        enable_nat_traversal: true,
        bgp: TunnelBgp {
            local_asn: ALIBABA_ASN,
            local_bgp_ip: None,
            tunnel_cidr: None,
        },
        ike: TunnelIke {
            psk: random_psk().into(),
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

/// The two host addresses of a /30, first then second.
pub(crate) fn hosts_of(cidr: &Ipv4Net) -> (Ipv4Addr, Ipv4Addr) {
    let base = u32::from(cidr.network());
    (Ipv4Addr::from(base + 1), Ipv4Addr::from(base + 2))
}

/// Applies a patch to tunnel `t` of a connection in `region`.
fn apply(db: &Db<'_>, region: &str, t: &mut Tunnel, patch: TunnelPatch) -> Result<(), AliError> {
    let bgp_path = |member: &str| format!("{}TunnelBgpConfig.{member}", patch.prefix);
    if let Some(id) = &patch.customer_gateway_id {
        db.customer_gateway(region, id)?;
        t.customer_gateway_id.clone_from(id);
    }
    set(&mut t.enable_dpd, patch.enable_dpd);
    set(&mut t.enable_nat_traversal, patch.enable_nat_traversal);

    set(&mut t.bgp.local_asn, patch.local_asn);
    if let Some(net) = patch.tunnel_cidr {
        let cidr = net.to_string();
        if t.bgp.tunnel_cidr.as_deref() != Some(cidr.as_str()) && patch.local_bgp_ip.is_none() {
            // A new /30 without an address: the first host (INFERRED default, §10.12).
            t.bgp.local_bgp_ip = Some(hosts_of(&net).0.to_string());
        }
        t.bgp.tunnel_cidr = Some(cidr);
    }
    if let Some(ip) = patch.local_bgp_ip {
        let Some(cidr) = t.bgp.tunnel_cidr.as_deref() else {
            return Err(AliError::invalid(
                &bgp_path("LocalBgpIp"),
                "needs TunnelCidr",
            ));
        };
        let net: Ipv4Net = cidr
            .parse()
            .map_err(|_| AliError::internal(format!("stored TunnelCidr {cidr:?} is not a CIDR")))?;
        if !net.hosts().any(|h| h == ip) {
            return Err(AliError::invalid(
                &bgp_path("LocalBgpIp"),
                format!("{ip} is not a host address of TunnelCidr {net}"),
            ));
        }
        t.bgp.local_bgp_ip = Some(ip.to_string());
    }

    set(&mut t.ike.psk, patch.psk.map(Into::into));
    set(&mut t.ike.ike_version, patch.ike_version);
    set(&mut t.ike.ike_mode, patch.ike_mode);
    set(&mut t.ike.ike_enc_alg, patch.ike_enc_alg);
    set(&mut t.ike.ike_auth_alg, patch.ike_auth_alg);
    set(&mut t.ike.ike_pfs, patch.ike_pfs);
    set(&mut t.ike.ike_lifetime, patch.ike_lifetime);
    set(&mut t.ike.local_id, patch.local_id.map(Some));
    set(&mut t.ike.remote_id, patch.remote_id.map(Some));

    set(&mut t.ipsec.ipsec_enc_alg, patch.ipsec_enc_alg);
    set(&mut t.ipsec.ipsec_auth_alg, patch.ipsec_auth_alg);
    set(&mut t.ipsec.ipsec_pfs, patch.ipsec_pfs);
    set(&mut t.ipsec.ipsec_lifetime, patch.ipsec_lifetime);
    Ok(())
}

/// How many CIDR blocks a comma-separated list (already checked) holds.
fn block_count(list: &str) -> usize {
    list.split(',').count()
}

/// Rules across fields and tunnels, checked on the result of a create or modify.
fn check(db: &Db<'_>, c: &VpnConnection) -> Result<(), AliError> {
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
            let gateway = db.customer_gateway(&c.region_id, &t.customer_gateway_id)?;
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
    let several = block_count(&c.local_subnet) > 1 || block_count(&c.remote_subnet) > 1;
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

/// Creates the connection, or answers the one a retry with the same `ClientToken` made.
pub(crate) fn create(db: &Db<'_>, new: NewVpnConnection) -> Result<VpnConnection, AliError> {
    let region = new.region;
    let mut tunnels: Vec<Tunnel> = Vec::with_capacity(2);
    for patch in new.tunnels {
        let index = patch.index.unwrap_or(1);
        let cgw = patch.customer_gateway_id.clone().unwrap_or_default();
        db.customer_gateway(region.region, &cgw)?;
        let mut tunnel = new_tunnel(db, index, &cgw, region)?;
        apply(db, region.region, &mut tunnel, patch)?;
        tunnels.push(tunnel);
    }
    tunnels.sort_by_key(|t| t.tunnel_index);

    let connection = VpnConnection {
        vpn_connection_id: db.new_id(VPN_CONNECTIONS)?,
        region_id: region.region.to_owned(),
        name: new.name,
        create_time: db.now_ms(),
        network_type: new.network_type,
        local_subnet: new.local_subnet,
        remote_subnet: new.remote_subnet,
        effect_immediately: new.effect_immediately,
        auto_config_route: new.auto_config_route,
        enable_tunnels_bgp: new.enable_tunnels_bgp,
        tunnel_bandwidth: new.tunnel_bandwidth,
        resource_group_id: new
            .resource_group_id
            .unwrap_or_else(|| DEFAULT_RESOURCE_GROUP.to_owned()),
        tags: new.tags,
        state: state::INIT.to_owned(),
        state_since: db.now_ms(),
        attach_type: NOT_ASSOCIATED.to_owned(),
        transit_router_id: None,
        attach_instance_id: None,
        transit_router_attachment_id: None,
        tunnels,
        client_token: new.token,
    };
    check(db, &connection)?;
    dry_run_check(new.dry_run)?;

    let existing: Vec<VpnConnection> = db.list(VPN_CONNECTIONS, region.region)?;
    if let Some(same) = replay(&existing, connection.client_token.as_ref(), db.now_ms())? {
        return Ok(same);
    }
    db.add(&connection)?;
    Ok(connection)
}

/// A connection no change is in progress on: what [`modify`] takes, so that the check comes
/// first (before anything about the parameters) and cannot be left out.
pub(crate) struct Modifiable(VpnConnection);

/// The connection, if a modify may start now (not while a change is in progress).
pub(crate) fn modifiable(db: &Db<'_>, region: &str, id: &str) -> Result<Modifiable, AliError> {
    let c = db.connection(region, id)?;
    if c.is_idle() {
        Ok(Modifiable(c))
    } else {
        Err(AliError::vco_configuring(&c.vpn_connection_id, &c.state))
    }
}

/// Asynchronous: the connection goes `updating`, then back to `attached` (bound) or `init`.
pub(crate) fn modify(
    db: &Db<'_>,
    Modifiable(mut c): Modifiable,
    change: VpnConnectionChange,
) -> Result<VpnConnection, AliError> {
    set(&mut c.name, change.name);
    set(&mut c.local_subnet, change.local_subnet);
    set(&mut c.remote_subnet, change.remote_subnet);
    if let Some(v) = change.network_type {
        if v != c.network_type {
            return Err(AliError::invalid(
                "NetworkType",
                format!("cannot be modified (is {}, requested {v})", c.network_type),
            ));
        }
    }
    set(&mut c.effect_immediately, change.effect_immediately);
    set(&mut c.auto_config_route, change.auto_config_route);
    set(&mut c.enable_tunnels_bgp, change.enable_tunnels_bgp);
    for patch in change.tunnels {
        let (by_index, by_id) = (patch.index, patch.tunnel_id.as_deref());
        let position = c.tunnels.iter().position(|t| {
            by_index.is_none_or(|i| t.tunnel_index == i) && by_id.is_none_or(|id| t.tunnel_id == id)
        });
        let Some(position) = position.filter(|_| by_index.is_some() || by_id.is_some()) else {
            return Err(match (by_index, by_id) {
                (None, None) => AliError::missing(&format!("{}TunnelIndex", patch.prefix)),
                _ => AliError::invalid(
                    &format!("{}TunnelId", patch.prefix),
                    "names no tunnel of this connection (TunnelIndex and TunnelId must agree)",
                ),
            });
        };
        apply(db, &c.region_id, &mut c.tunnels[position], patch)?;
    }
    check(db, &c)?;
    dry_run_check(change.dry_run)?;
    c.state = state::UPDATING.to_owned();
    c.state_since = db.now_ms();
    db.save(&c)?;
    Ok(c)
}

/// Refused while bound to a transit router (unbind first with Cbn
/// `DeleteTransitRouterVpnAttachment`, §4.5) or while a change is in progress. Its
/// destination routes go with it (docs/design/alicloud-vco-routes.md).
pub(crate) fn delete(db: &Db<'_>, region: &str, id: &str) -> Result<(), AliError> {
    let c = db.connection(region, id)?;
    if !c.is_idle() {
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
    db.remove_routes_of(&c.vpn_connection_id)?;
    db.remove(&c)
}
