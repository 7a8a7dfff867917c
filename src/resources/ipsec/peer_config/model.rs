//! The device's end of each tunnel, in neutral terms, built from the
//! cloud's view of it. What the cloud calls local is the device's remote and
//! the other way round: addresses, identities and inside addresses all swap
//! (docs/design/ipsec.md, "Peer configurations"). Algorithms go through the
//! one table in `algorithms.rs`.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use ipnet::Ipv4Net;
use serde::{Deserialize, Serialize};

use crate::cloud::alicloud::types as ali;
use crate::cloud::jdcloud::types as jd;
use crate::signer::Sensitive;

use super::super::algorithms::{
    pfs_from_cloud, Algorithm, Cloud, Phase, DH_GROUP, ENCRYPTION, INTEGRITY, JDCLOUD_NO_PFS,
};

/// Something in the cloud's answer a device configuration cannot be made
/// from; the message names the tunnel and the setting.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ModelError(pub String);

/// What the user adds to the cloud's view: only what the cloud may not know.
/// The fields are the data source's attributes of the same names.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct Knobs {
    /// The device's BGP ASN, for when the cloud has none (or to override it).
    pub device_asn: Option<i64>,
    /// The key for tunnels whose key the cloud does not return in clear.
    pub psk: Option<Sensitive<String>>,
    /// The number of the first tunnel (interface numbers, XFRM if_ids).
    pub first_tunnel_number: Option<i64>,
}

impl Knobs {
    /// The first tunnel's number: 1 unless set.
    pub fn first_number(&self) -> i64 {
        self.first_tunnel_number.unwrap_or(1)
    }
}

/// Every tunnel of one cloud connection, seen from the device.
#[derive(Debug, Clone)]
pub struct PeerConfig {
    pub cloud: Cloud,
    pub connection_id: String,
    pub bgp: bool,
    pub tunnels: Vec<TunnelEnd>,
}

impl PeerConfig {
    /// "JD Cloud VPN connection vpnc-1": where the configuration comes from.
    pub fn source(&self) -> String {
        let kind = match self.cloud {
            Cloud::JdCloud => "VPN connection",
            Cloud::AliCloud => "IPsec connection",
        };
        format!("{} {kind} {}", self.cloud.title(), self.connection_id)
    }

    /// The BGP sessions by the device's ASN (a router block each), in ASN
    /// order; empty when no tunnel has both BGP and an inside /30.
    pub fn routers(&self) -> BTreeMap<i64, Vec<Session<'_>>> {
        let mut by_asn: BTreeMap<i64, Vec<Session>> = BTreeMap::new();
        for t in &self.tunnels {
            if let (Some(bgp), Some(inside)) = (t.bgp, t.inside) {
                let s = Session {
                    tunnel: t,
                    bgp,
                    inside,
                };
                by_asn.entry(bgp.device_asn).or_default().push(s);
            }
        }
        by_asn
    }
}

/// One BGP session: a tunnel with BGP and the inside /30 the session runs on.
#[derive(Debug, Clone, Copy)]
pub struct Session<'a> {
    pub tunnel: &'a TunnelEnd,
    pub bgp: TunnelBgp,
    pub inside: Inside,
}

/// One phase's algorithms; `group` is `None` for phase 2 without PFS.
#[derive(Debug, Clone, Copy)]
pub struct Suite {
    pub encryption: &'static Algorithm,
    pub integrity: &'static Algorithm,
    pub group: Option<&'static Algorithm>,
}

/// The tunnel's inside /30: the device's and the cloud's host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Inside {
    pub cidr: Ipv4Net,
    pub device: Ipv4Addr,
    pub cloud: Ipv4Addr,
}

/// BGP over one tunnel: both ASNs (the session runs on the inside addresses).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TunnelBgp {
    pub device_asn: i64,
    pub cloud_asn: i64,
}

/// The device's end of one tunnel.
#[derive(Debug, Clone)]
pub struct TunnelEnd {
    /// 1, 2, …: names the device's connection and interface.
    pub number: i64,
    pub cloud_tunnel_id: String,
    /// The device's public address (the cloud's customer-side IP).
    pub device_ip: String,
    /// The cloud's public address.
    pub peer_ip: String,
    /// The device's own IKE identity (the cloud's remote one), and the one it
    /// expects from the cloud (the cloud's local one).
    pub local_id: String,
    pub remote_id: String,
    pub psk: Sensitive<String>,
    pub ike_version: i64,
    /// IKEv1 aggressive mode (never set for IKEv2).
    pub aggressive: bool,
    pub ike: Suite,
    /// Seconds; `None` leaves the device's default.
    pub ike_lifetime: Option<i64>,
    pub esp: Suite,
    pub esp_lifetime: Option<i64>,
    /// Seconds between dead-peer probes; `None` when the cloud has DPD off.
    pub dpd_delay: Option<i64>,
    pub inside: Option<Inside>,
    pub bgp: Option<TunnelBgp>,
}

/// JD Cloud's create defaults, which a describe that leaves a setting out
/// stands for (docs/design/jdcloud.md §4.5); the text ones stand in
/// [`from_jdcloud`] next to their settings.
mod jd_default {
    pub const DPD_SEC: i64 = 10;
    pub const IKE_SA_LIFE_SEC: i64 = 14400;
    pub const IPSEC_SA_LIFE_SEC: i64 = 3600;
    /// A VPN connection without `localAsn` takes its border gateway's, which
    /// JD Cloud fixes at 65000 (docs/design/jdcloud.md §4.4).
    pub const CLOUD_ASN: i64 = 65000;
}

/// Alibaba Cloud's defaults (docs/design/alicloud.md §4.2); the text ones
/// stand in [`from_alicloud`] next to their settings.
mod ali_default {
    pub const LIFETIME: i64 = 86400;
    pub const LOCAL_ASN: i64 = 45104;
    /// Alibaba Cloud publishes no probe interval; the device's own is its
    /// choice (DPD intervals need not match), and 10 s matches JD Cloud's.
    pub const DPD_DELAY: i64 = 10;
}

fn text(v: &Option<String>) -> Option<&str> {
    v.as_deref().filter(|s| !s.is_empty())
}

/// A cloud value's row in `family`, or an error naming the tunnel and setting.
fn row(
    family: super::super::algorithms::Family,
    cloud: Cloud,
    phase: Phase,
    value: &str,
    tunnel: &str,
    setting: &str,
) -> Result<&'static Algorithm, ModelError> {
    family.from_cloud(cloud, phase, value).ok_or_else(|| {
        ModelError(format!(
            "tunnel {tunnel}: {setting} {value:?} is no {} hybridnet knows for {}",
            family.what,
            cloud.title()
        ))
    })
}

fn pfs(
    cloud: Cloud,
    value: &str,
    tunnel: &str,
    setting: &str,
) -> Result<Option<&'static Algorithm>, ModelError> {
    let neutral = pfs_from_cloud(cloud, value).ok_or_else(|| {
        ModelError(format!(
            "tunnel {tunnel}: {setting} {value:?} is no PFS group hybridnet knows for {}",
            cloud.title()
        ))
    })?;
    Ok(DH_GROUP.neutral(neutral))
}

/// The key the cloud returned, unless it is absent or masked (`***`); then
/// the user's `psk`.
fn key(
    from_cloud: Option<&Sensitive<String>>,
    knobs: &Knobs,
    tunnel: &str,
) -> Result<Sensitive<String>, ModelError> {
    match from_cloud {
        Some(k) if !k.as_str().is_empty() && !k.as_str().contains('*') => Ok(k.clone()),
        _ => knobs.psk.clone().ok_or_else(|| {
            ModelError(format!(
                "tunnel {tunnel}: the cloud did not return its pre-shared key in clear; set `psk`"
            ))
        }),
    }
}

fn ipv4(s: &str, tunnel: &str, what: &str) -> Result<Ipv4Addr, ModelError> {
    s.parse().map_err(|_| {
        ModelError(format!(
            "tunnel {tunnel}: {what} {s:?} is not an IPv4 address"
        ))
    })
}

/// The inside /30 from its CIDR and whichever hosts the cloud gave; a
/// missing host is the /30's other usable one.
fn inside(
    cidr: Option<&str>,
    cloud: Option<&str>,
    device: Option<&str>,
    tunnel: &str,
) -> Result<Option<Inside>, ModelError> {
    let Some(cidr) = cidr else {
        return Ok(None);
    };
    let net: Ipv4Net = cidr
        .parse()
        .map_err(|_| ModelError(format!("tunnel {tunnel}: inside CIDR {cidr:?} is not IPv4")))?;
    let base = u32::from(net.network());
    let hosts = [Ipv4Addr::from(base + 1), Ipv4Addr::from(base + 2)];
    let other = |a: Ipv4Addr| if a == hosts[0] { hosts[1] } else { hosts[0] };
    let cloud = cloud
        .map(|c| ipv4(c, tunnel, "cloud inside address"))
        .transpose()?;
    let device = device
        .map(|d| ipv4(d, tunnel, "device inside address"))
        .transpose()?;
    let (cloud, device) = match (cloud, device) {
        (Some(c), Some(d)) => (c, d),
        (Some(c), None) => (c, other(c)),
        (None, Some(d)) => (other(d), d),
        (None, None) => return Ok(None),
    };
    Ok(Some(Inside {
        cidr: net,
        device,
        cloud,
    }))
}

fn lifetime(s: i64) -> Option<i64> {
    (s > 0).then_some(s)
}

/// The device's BGP ASN: the user's, else the cloud's record of it.
fn device_asn(knobs: &Knobs, from_cloud: Option<i64>, tunnel: &str) -> Result<i64, ModelError> {
    knobs
        .device_asn
        .or(from_cloud.filter(|a| *a > 0))
        .ok_or_else(|| {
            ModelError(format!(
                "tunnel {tunnel}: BGP is on but the cloud has no ASN for the device; set `device_asn`"
            ))
        })
}

/// One phase's algorithms from the cloud's (API name, value) of its
/// encryption, integrity and group (for ESP: PFS group or none).
fn suite(
    c: Cloud,
    phase: Phase,
    [enc, int, group]: &[(&str, String); 3],
    id: &str,
) -> Result<Suite, ModelError> {
    let alg = |family, (setting, value): &(&str, String)| row(family, c, phase, value, id, setting);
    Ok(Suite {
        encryption: alg(ENCRYPTION, enc)?,
        integrity: alg(INTEGRITY, int)?,
        group: match phase {
            Phase::Ike => Some(alg(DH_GROUP, group)?),
            Phase::Esp => pfs(c, &group.1, id, group.0)?,
        },
    })
}

/// One tunnel as its cloud describes it, in the cloud's terms (its own end
/// is local) with the cloud's defaults filled in: what
/// [`Described::device_end`] turns into the device's view.
struct Described<'a> {
    cloud: Cloud,
    id: &'a str,
    /// The cloud's customer-side address (the device's) and its own.
    customer_ip: &'a str,
    cloud_ip: &'a str,
    /// The identities the cloud has set: its own, and the one it expects.
    local_id: Option<&'a str>,
    remote_id: Option<&'a str>,
    psk: Option<&'a Sensitive<String>>,
    /// The IKE version as the cloud writes it, and its words for 1 and 2.
    ike_version: (String, [&'static str; 2]),
    aggressive: bool,
    /// (API name, value) of each phase's encryption, integrity and group.
    ike: [(&'static str, String); 3],
    esp: [(&'static str, String); 3],
    /// IKE and ESP SA lifetimes in seconds; 0 or less leaves the device's.
    lifetimes: [i64; 2],
    dpd_delay: Option<i64>,
    /// The inside CIDR, and the cloud's and the device's host in it.
    inside: [Option<&'a str>; 3],
    /// With BGP on: the device's ASN as the cloud records it, and the cloud's.
    bgp: Option<(Option<i64>, i64)>,
    /// Where the inside CIDR is set, on a cloud whose BGP needs one.
    bgp_cidr: Option<&'static str>,
}

impl Described<'_> {
    /// The device's end: addresses, identities and inside hosts swapped.
    fn device_end(self, number: i64, knobs: &Knobs) -> Result<TunnelEnd, ModelError> {
        let (c, id) = (self.cloud, self.id);
        let (version, [v1, v2]) = &self.ike_version;
        let ike_version = match version.as_str() {
            v if v == *v1 => 1,
            v if v == *v2 => 2,
            other => {
                return Err(ModelError(format!(
                    "tunnel {id}: IKE version {other:?} is neither {v1} nor {v2}"
                )))
            }
        };
        let ike = suite(c, Phase::Ike, &self.ike, id)?;
        let esp = suite(c, Phase::Esp, &self.esp, id)?;
        let [cidr, cloud_host, device_host] = self.inside;
        let inside = inside(cidr, cloud_host, device_host, id)?;
        let bgp = match self.bgp {
            Some((device, cloud_asn)) => Some(TunnelBgp {
                device_asn: device_asn(knobs, device, id)?,
                cloud_asn,
            }),
            None => None,
        };
        if let Some(setting) = self.bgp_cidr.filter(|_| bgp.is_some() && inside.is_none()) {
            return Err(ModelError(format!(
                "tunnel {id}: BGP is on but the tunnel has no inside CIDR ({setting})"
            )));
        }
        let [ike_lifetime, esp_lifetime] = self.lifetimes.map(lifetime);
        Ok(TunnelEnd {
            number,
            cloud_tunnel_id: id.to_string(),
            device_ip: self.customer_ip.to_string(),
            peer_ip: self.cloud_ip.to_string(),
            // The cloud's remote identity is the device's own, and its
            // local identity the device's remote; both default to the
            // addresses.
            local_id: self.remote_id.unwrap_or(self.customer_ip).to_string(),
            remote_id: self.local_id.unwrap_or(self.cloud_ip).to_string(),
            psk: key(self.psk, knobs, id)?,
            ike_version,
            aggressive: ike_version == 1 && self.aggressive,
            ike,
            ike_lifetime,
            esp,
            esp_lifetime,
            dpd_delay: self.dpd_delay,
            inside,
            bgp,
        })
    }
}

/// The device's view of a connection's `tunnels` (in the order given),
/// each described by `describe`; an error when there are none.
fn peer_config<'a, T>(
    cloud: Cloud,
    connection_id: &str,
    bgp: bool,
    tunnels: Vec<T>,
    knobs: &Knobs,
    describe: impl Fn(usize, T) -> Result<Described<'a>, ModelError>,
) -> Result<PeerConfig, ModelError> {
    let mut cfg = PeerConfig {
        cloud,
        connection_id: connection_id.to_string(),
        bgp,
        tunnels: Vec::with_capacity(tunnels.len()),
    };
    // A connection without tunnels (yet: a first apply, or an import after an interrupted one)
    // renders as a file that says so, not as an error that would stop the whole plan.
    for (i, t) in tunnels.into_iter().enumerate() {
        let end = describe(i, t)?.device_end(knobs.first_number() + i as i64, knobs)?;
        cfg.tunnels.push(end);
    }
    Ok(cfg)
}

/// A cloud's value, or its default where the describe leaves it out.
fn or(v: Option<&str>, default: &str) -> String {
    v.unwrap_or(default).to_string()
}

/// A text field of a part of the cloud's answer that may be absent.
fn part<P>(p: Option<&P>, field: fn(&P) -> &Option<String>) -> Option<&str> {
    p.and_then(|p| text(field(p)))
}

/// A JD Cloud VPN connection, its customer gateway and its tunnels (any
/// order; the result is in the connection's cloud-IP order, then by
/// customer IP, then id).
pub fn from_jdcloud(
    conn: &jd::VpnConnection,
    cgw: Option<&jd::CustomerGateway>,
    tunnels: &[jd::VpnTunnel],
    knobs: &Knobs,
) -> Result<PeerConfig, ModelError> {
    use jd_default as d;
    let mut mine: Vec<&jd::VpnTunnel> = tunnels
        .iter()
        .filter(|t| t.vpn_connection_id == conn.vpn_connection_id)
        .collect();
    let position = |ip: &str| conn.cloud_public_ip.iter().position(|p| p == ip);
    mine.sort_by_key(|t| {
        (
            position(&t.cloud_public_ip),
            &t.customer_ip,
            &t.vpn_tunnel_id,
        )
    });
    let bgp = conn.bgp_enabled.then(|| {
        let cloud_asn = conn.local_asn.filter(|a| *a > 0);
        (cgw.map(|g| g.bgp_asn), cloud_asn.unwrap_or(d::CLOUD_ASN))
    });
    let id = &conn.vpn_connection_id;
    peer_config(Cloud::JdCloud, id, conn.bgp_enabled, mine, knobs, |_, t| {
        let dpd = t.ike_dpd_sec.unwrap_or(d::DPD_SEC);
        Ok(Described {
            cloud: Cloud::JdCloud,
            id: &t.vpn_tunnel_id,
            customer_ip: &t.customer_ip,
            cloud_ip: &t.cloud_public_ip,
            local_id: text(&t.local_id),
            remote_id: text(&t.remote_id),
            psk: t.psk.as_ref(),
            ike_version: (or(text(&t.ike_version), "v2"), ["v1", "v2"]),
            aggressive: text(&t.ike_mode) == Some("aggressive"),
            ike: [
                ("ikeCipher", or(text(&t.ike_cipher), "aes128")),
                ("ikeAuth", or(text(&t.ike_auth), "sha256")),
                ("ikeKeyExchange", or(text(&t.ike_key_exchange), "ecp256")),
            ],
            esp: [
                ("ipsecCipher", or(text(&t.ipsec_cipher), "aes128")),
                ("ipsecAuth", or(text(&t.ipsec_auth), "sha256")),
                (
                    "ipsecKeyExchange",
                    or(text(&t.ipsec_key_exchange), JDCLOUD_NO_PFS),
                ),
            ],
            lifetimes: [
                t.ike_sa_life_sec.unwrap_or(d::IKE_SA_LIFE_SEC),
                t.ipsec_sa_life_sec.unwrap_or(d::IPSEC_SA_LIFE_SEC),
            ],
            dpd_delay: (dpd > 0).then_some(dpd),
            inside: [&t.tunnel_ip, &t.local_tunnel_ip, &t.remote_tunnel_ip].map(text),
            bgp,
            bgp_cidr: None,
        })
    })
}

/// An Alibaba Cloud IPsec connection and the customer gateways its tunnels
/// point at (for their addresses and ASNs). Tunnels in `TunnelIndex` order.
pub fn from_alicloud(
    conn: &ali::VpnConnection,
    gateways: &[ali::CustomerGateway],
    knobs: &Knobs,
) -> Result<PeerConfig, ModelError> {
    use ali_default as d;
    let mut tunnels: Vec<&ali::Tunnel> = conn.tunnels().iter().collect();
    tunnels.sort_by_key(|t| (t.tunnel_index, t.tunnel_id.clone()));
    let bgp_on = conn.enable_tunnels_bgp.unwrap_or(false);
    let conn_id = &conn.vpn_connection_id;
    // The describe below borrows the tunnels' ids; those Alibaba leaves out
    // are named by connection and index, made here to outlive it.
    let ids: Vec<String> = (tunnels.iter().enumerate())
        .map(|(i, t)| match text(&t.tunnel_id) {
            Some(id) => id.to_string(),
            None => format!("{conn_id}#{}", t.tunnel_index.unwrap_or(i as i64 + 1)),
        })
        .collect();
    peer_config(Cloud::AliCloud, conn_id, bgp_on, tunnels, knobs, |i, t| {
        let id = ids[i].as_str();
        let gateway = gateways
            .iter()
            .find(|g| Some(g.customer_gateway_id.as_str()) == text(&t.customer_gateway_id))
            .ok_or_else(|| {
                ModelError(format!(
                    "tunnel {id}: customer gateway {:?} was not found",
                    t.customer_gateway_id.as_deref().unwrap_or_default()
                ))
            })?;
        let cloud_ip = text(&t.internet_ip).ok_or_else(|| {
            ModelError(format!(
                "tunnel {id} has no Alibaba Cloud address yet (the connection is allocated one \
                 when it is bound to a transit router)"
            ))
        })?;
        let (ike, ipsec) = (t.tunnel_ike_config.as_ref(), t.tunnel_ipsec_config.as_ref());
        let bgp_cfg = t.tunnel_bgp_config.as_ref();
        Ok(Described {
            cloud: Cloud::AliCloud,
            id,
            customer_ip: &gateway.ip_address,
            cloud_ip,
            local_id: part(ike, |c| &c.local_id),
            remote_id: part(ike, |c| &c.remote_id),
            psk: ike.and_then(|c| c.psk.as_ref()),
            ike_version: (
                or(part(ike, |c| &c.ike_version), "ikev2"),
                ["ikev1", "ikev2"],
            ),
            aggressive: part(ike, |c| &c.ike_mode) == Some("aggressive"),
            ike: [
                ("IkeEncAlg", or(part(ike, |c| &c.ike_enc_alg), "aes")),
                ("IkeAuthAlg", or(part(ike, |c| &c.ike_auth_alg), "sha1")),
                ("IkePfs", or(part(ike, |c| &c.ike_pfs), "group2")),
            ],
            esp: [
                ("IpsecEncAlg", or(part(ipsec, |c| &c.ipsec_enc_alg), "aes")),
                (
                    "IpsecAuthAlg",
                    or(part(ipsec, |c| &c.ipsec_auth_alg), "sha1"),
                ),
                ("IpsecPfs", or(part(ipsec, |c| &c.ipsec_pfs), "group2")),
            ],
            lifetimes: [
                ike.and_then(|c| c.ike_lifetime).unwrap_or(d::LIFETIME),
                ipsec.and_then(|c| c.ipsec_lifetime).unwrap_or(d::LIFETIME),
            ],
            dpd_delay: t.enable_dpd.unwrap_or(true).then_some(d::DPD_DELAY),
            inside: [
                part(bgp_cfg, |c| &c.tunnel_cidr),
                part(bgp_cfg, |c| &c.local_bgp_ip),
                part(bgp_cfg, |c| &c.peer_bgp_ip),
            ],
            bgp: bgp_on.then(|| {
                let cloud_asn = bgp_cfg.and_then(|c| c.local_asn).filter(|a| *a > 0);
                let device_asn = gateway.asn.or(bgp_cfg.and_then(|c| c.peer_asn));
                (device_asn, cloud_asn.unwrap_or(d::LOCAL_ASN))
            }),
            bgp_cidr: Some("TunnelBgpConfig.TunnelCidr"),
        })
    })
}
