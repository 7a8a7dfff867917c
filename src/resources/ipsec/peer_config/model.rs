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
    pfs_from_cloud, Algorithm, Cloud, Phase, DH_GROUP, ENCRYPTION, INTEGRITY,
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
    pub local_id: String,
    pub remote_id: String,
    pub psk: Sensitive<String>,
    pub ike_version: i64,
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
/// stands for (docs/design/jdcloud.md §4.5).
mod jd_default {
    pub const IKE_VERSION: &str = "v2";
    pub const IKE_MODE: &str = "main";
    pub const IKE_KEY_EXCHANGE: &str = "ecp256";
    pub const CIPHER: &str = "aes128";
    pub const AUTH: &str = "sha256";
    pub const DPD_SEC: i64 = 10;
    pub const IKE_SA_LIFE_SEC: i64 = 14400;
    pub const IPSEC_KEY_EXCHANGE: &str = "null";
    pub const IPSEC_SA_LIFE_SEC: i64 = 3600;
    /// A VPN connection without `localAsn` takes its border gateway's, which
    /// JD Cloud fixes at 65000 (docs/design/jdcloud.md §4.4).
    pub const CLOUD_ASN: i64 = 65000;
}

/// Alibaba Cloud's defaults (docs/design/alicloud.md §4.2).
mod ali_default {
    pub const IKE_VERSION: &str = "ikev2";
    pub const IKE_MODE: &str = "main";
    pub const ENC: &str = "aes";
    pub const AUTH: &str = "sha1";
    pub const PFS: &str = "group2";
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

/// A JD Cloud VPN connection, its customer gateway and its tunnels (any
/// order; the result is in the connection's cloud-IP order, then by
/// customer IP, then id).
pub fn from_jdcloud(
    conn: &jd::VpnConnection,
    cgw: Option<&jd::CustomerGateway>,
    tunnels: &[jd::VpnTunnel],
    knobs: &Knobs,
) -> Result<PeerConfig, ModelError> {
    let c = Cloud::JdCloud;
    let mut mine: Vec<&jd::VpnTunnel> = tunnels
        .iter()
        .filter(|t| t.vpn_connection_id == conn.vpn_connection_id)
        .collect();
    let position = |ip: &str| conn.cloud_public_ip.iter().position(|p| p == ip);
    mine.sort_by(|a, b| {
        (
            position(&a.cloud_public_ip),
            &a.customer_ip,
            &a.vpn_tunnel_id,
        )
            .cmp(&(
                position(&b.cloud_public_ip),
                &b.customer_ip,
                &b.vpn_tunnel_id,
            ))
    });
    if mine.is_empty() {
        return Err(ModelError(format!(
            "{} VPN connection {} has no tunnels",
            c.title(),
            conn.vpn_connection_id
        )));
    }
    let mut out = Vec::with_capacity(mine.len());
    for (i, t) in mine.into_iter().enumerate() {
        let id = t.vpn_tunnel_id.as_str();
        let get =
            |v: &Option<String>, default: &'static str| text(v).unwrap_or(default).to_string();
        let version = get(&t.ike_version, jd_default::IKE_VERSION);
        let ike_version = match version.as_str() {
            "v1" => 1,
            "v2" => 2,
            other => {
                return Err(ModelError(format!(
                    "tunnel {id}: IKE version {other:?} is neither v1 nor v2"
                )))
            }
        };
        let ike = Suite {
            encryption: row(
                ENCRYPTION,
                c,
                Phase::Ike,
                &get(&t.ike_cipher, jd_default::CIPHER),
                id,
                "ikeCipher",
            )?,
            integrity: row(
                INTEGRITY,
                c,
                Phase::Ike,
                &get(&t.ike_auth, jd_default::AUTH),
                id,
                "ikeAuth",
            )?,
            group: Some(row(
                DH_GROUP,
                c,
                Phase::Ike,
                &get(&t.ike_key_exchange, jd_default::IKE_KEY_EXCHANGE),
                id,
                "ikeKeyExchange",
            )?),
        };
        let esp = Suite {
            encryption: row(
                ENCRYPTION,
                c,
                Phase::Esp,
                &get(&t.ipsec_cipher, jd_default::CIPHER),
                id,
                "ipsecCipher",
            )?,
            integrity: row(
                INTEGRITY,
                c,
                Phase::Esp,
                &get(&t.ipsec_auth, jd_default::AUTH),
                id,
                "ipsecAuth",
            )?,
            group: pfs(
                c,
                &get(&t.ipsec_key_exchange, jd_default::IPSEC_KEY_EXCHANGE),
                id,
                "ipsecKeyExchange",
            )?,
        };
        let inside = inside(
            text(&t.tunnel_ip),
            text(&t.local_tunnel_ip),
            text(&t.remote_tunnel_ip),
            id,
        )?;
        let bgp = if conn.bgp_enabled {
            Some(TunnelBgp {
                device_asn: device_asn(knobs, cgw.map(|g| g.bgp_asn), id)?,
                cloud_asn: conn
                    .local_asn
                    .filter(|a| *a > 0)
                    .unwrap_or(jd_default::CLOUD_ASN),
            })
        } else {
            None
        };
        let dpd = t.ike_dpd_sec.unwrap_or(jd_default::DPD_SEC);
        out.push(TunnelEnd {
            number: knobs.first_number() + i as i64,
            cloud_tunnel_id: id.to_string(),
            device_ip: t.customer_ip.clone(),
            peer_ip: t.cloud_public_ip.clone(),
            // The cloud's remote identity is the device's own, and its
            // local identity the device's remote.
            local_id: text(&t.remote_id).unwrap_or(&t.customer_ip).to_string(),
            remote_id: text(&t.local_id).unwrap_or(&t.cloud_public_ip).to_string(),
            psk: key(t.psk.as_ref(), knobs, id)?,
            ike_version,
            aggressive: ike_version == 1 && get(&t.ike_mode, jd_default::IKE_MODE) == "aggressive",
            ike,
            ike_lifetime: lifetime(t.ike_sa_life_sec.unwrap_or(jd_default::IKE_SA_LIFE_SEC)),
            esp,
            esp_lifetime: lifetime(t.ipsec_sa_life_sec.unwrap_or(jd_default::IPSEC_SA_LIFE_SEC)),
            dpd_delay: (dpd > 0).then_some(dpd),
            inside,
            bgp,
        });
    }
    Ok(PeerConfig {
        cloud: c,
        connection_id: conn.vpn_connection_id.clone(),
        bgp: conn.bgp_enabled,
        tunnels: out,
    })
}

/// An Alibaba Cloud IPsec connection and the customer gateways its tunnels
/// point at (for their addresses and ASNs). Tunnels in `TunnelIndex` order.
pub fn from_alicloud(
    conn: &ali::VpnConnection,
    gateways: &[ali::CustomerGateway],
    knobs: &Knobs,
) -> Result<PeerConfig, ModelError> {
    let c = Cloud::AliCloud;
    let mut tunnels: Vec<&ali::Tunnel> = conn.tunnels().iter().collect();
    tunnels.sort_by_key(|t| (t.tunnel_index, t.tunnel_id.clone()));
    if tunnels.is_empty() {
        return Err(ModelError(format!(
            "{} IPsec connection {} has no tunnels",
            c.title(),
            conn.vpn_connection_id
        )));
    }
    let bgp_on = conn.enable_tunnels_bgp.unwrap_or(false);
    let mut out = Vec::with_capacity(tunnels.len());
    for (i, t) in tunnels.into_iter().enumerate() {
        let id = text(&t.tunnel_id).map(str::to_string).unwrap_or_else(|| {
            format!(
                "{}#{}",
                conn.vpn_connection_id,
                t.tunnel_index.unwrap_or(i as i64 + 1)
            )
        });
        let id = id.as_str();
        let gateway = gateways
            .iter()
            .find(|g| Some(g.customer_gateway_id.as_str()) == text(&t.customer_gateway_id))
            .ok_or_else(|| {
                ModelError(format!(
                    "tunnel {id}: customer gateway {:?} was not found",
                    t.customer_gateway_id.as_deref().unwrap_or_default()
                ))
            })?;
        let peer_ip = text(&t.internet_ip).ok_or_else(|| {
            ModelError(format!(
                "tunnel {id} has no Alibaba Cloud address yet (the connection is allocated one \
                 when it is bound to a transit router)"
            ))
        })?;
        let ike_cfg = t.tunnel_ike_config.clone().unwrap_or_default();
        let ipsec_cfg = t.tunnel_ipsec_config.clone().unwrap_or_default();
        let bgp_cfg = t.tunnel_bgp_config.clone().unwrap_or_default();
        let get =
            |v: &Option<String>, default: &'static str| text(v).unwrap_or(default).to_string();
        let ike_version = match get(&ike_cfg.ike_version, ali_default::IKE_VERSION).as_str() {
            "ikev1" => 1,
            "ikev2" => 2,
            other => {
                return Err(ModelError(format!(
                    "tunnel {id}: IKE version {other:?} is neither ikev1 nor ikev2"
                )))
            }
        };
        let ike = Suite {
            encryption: row(
                ENCRYPTION,
                c,
                Phase::Ike,
                &get(&ike_cfg.ike_enc_alg, ali_default::ENC),
                id,
                "IkeEncAlg",
            )?,
            integrity: row(
                INTEGRITY,
                c,
                Phase::Ike,
                &get(&ike_cfg.ike_auth_alg, ali_default::AUTH),
                id,
                "IkeAuthAlg",
            )?,
            group: Some(row(
                DH_GROUP,
                c,
                Phase::Ike,
                &get(&ike_cfg.ike_pfs, ali_default::PFS),
                id,
                "IkePfs",
            )?),
        };
        let esp = Suite {
            encryption: row(
                ENCRYPTION,
                c,
                Phase::Esp,
                &get(&ipsec_cfg.ipsec_enc_alg, ali_default::ENC),
                id,
                "IpsecEncAlg",
            )?,
            integrity: row(
                INTEGRITY,
                c,
                Phase::Esp,
                &get(&ipsec_cfg.ipsec_auth_alg, ali_default::AUTH),
                id,
                "IpsecAuthAlg",
            )?,
            group: pfs(
                c,
                &get(&ipsec_cfg.ipsec_pfs, ali_default::PFS),
                id,
                "IpsecPfs",
            )?,
        };
        let inside = inside(
            text(&bgp_cfg.tunnel_cidr),
            text(&bgp_cfg.local_bgp_ip),
            text(&bgp_cfg.peer_bgp_ip),
            id,
        )?;
        let bgp = if bgp_on {
            Some(TunnelBgp {
                device_asn: device_asn(knobs, gateway.asn.or(bgp_cfg.peer_asn), id)?,
                cloud_asn: bgp_cfg
                    .local_asn
                    .filter(|a| *a > 0)
                    .unwrap_or(ali_default::LOCAL_ASN),
            })
        } else {
            None
        };
        if bgp.is_some() && inside.is_none() {
            return Err(ModelError(format!(
                "tunnel {id}: BGP is on but the tunnel has no inside CIDR (TunnelBgpConfig.TunnelCidr)"
            )));
        }
        out.push(TunnelEnd {
            number: knobs.first_number() + i as i64,
            cloud_tunnel_id: id.to_string(),
            device_ip: gateway.ip_address.clone(),
            peer_ip: peer_ip.to_string(),
            // Alibaba's RemoteId is the device's own identity, its LocalId
            // the device's remote; both default to the addresses.
            local_id: text(&ike_cfg.remote_id)
                .unwrap_or(&gateway.ip_address)
                .to_string(),
            remote_id: text(&ike_cfg.local_id).unwrap_or(peer_ip).to_string(),
            psk: key(ike_cfg.psk.as_ref(), knobs, id)?,
            ike_version,
            aggressive: ike_version == 1
                && get(&ike_cfg.ike_mode, ali_default::IKE_MODE) == "aggressive",
            ike,
            ike_lifetime: lifetime(ike_cfg.ike_lifetime.unwrap_or(ali_default::LIFETIME)),
            esp,
            esp_lifetime: lifetime(ipsec_cfg.ipsec_lifetime.unwrap_or(ali_default::LIFETIME)),
            dpd_delay: t
                .enable_dpd
                .unwrap_or(true)
                .then_some(ali_default::DPD_DELAY),
            inside,
            bgp,
        });
    }
    Ok(PeerConfig {
        cloud: c,
        connection_id: conn.vpn_connection_id.clone(),
        bgp: bgp_on,
        tunnels: out,
    })
}
