//! VPN tunnel (VPN隧道, docs/design/jdcloud.md §4.5): model, rules, the five operations and
//! `modifyAdminStatus` (the one published path, `POST …/vpnTunnels/{id}:adminStatus`).
//!
//! IKE/IPsec options live in two tables, [`STRING_OPTIONS`] and [`INT_OPTIONS`] (allowed values,
//! create defaults), applied the same way by create (from the defaults) and modify (from the stored
//! tunnel). `opStatus` follows `adminStatus` (negotiation always succeeds in the sandbox).
//!
//! INFERRED here (docs/design/jdcloud.md §8.2–§8.5, §8.10, §8.12, §8.13): the id prefix `vpnt`, the
//! body wrappers, filter names and result shapes; `ipsecKeyExchange` default as the string
//! `"null"`; `bandwidthMbps` default [`DEFAULT_BANDWIDTH_MBPS`];
//! `localId`/`remoteId`/`localIp`/`remoteIp` = the public addresses; the default `localTunnelIp`
//! (first usable host — the Cisco and strongSwan guides put the customer on `.1` and the cloud on
//! `.2`, so this may be the other way round); keeping the host position when only `tunnelIp`
//! changes; that `localTunnelIp` needs an explicit `tunnelIp` at create; the `FAILED_PRECONDITION`
//! status of pair and tunnel-IP conflicts (might be 409); the tunnel `chargeSpec` mode name.

use std::fmt;
use std::net::Ipv4Addr;
use std::ops::RangeInclusive;

use ipnet::Ipv4Net;
use serde::{Deserialize, Serialize};

use super::error::JdError;
use super::wire::{apply_filters, FilterField, ListParams, Spec};
use super::{customer_gateway, get_in_region, validate, vpn_connection};
use super::{OpRequest, Reply, CLOUD};
use crate::sandbox::ids;
use crate::sandbox::store::{Kind, Tx};

pub(super) const KIND: Kind = Kind {
    cloud: CLOUD,
    name: "vpn_tunnels",
    id_prefix: "vpnt",
};

const CREATE_WRAPPER: &str = "vpnTunnelSpec";
const MODIFY_WRAPPER: &str = "vpnTunnelModifySpec";
/// Wrapper model of modifyAdminStatus; the published SDKs send the field flat, both are accepted.
const ADMIN_STATUS_WRAPPER: &str = "vpnTunnelAdminStatus";
const ID_PARAM: &str = "vpnTunnelId";
const WHAT: &str = "VpnTunnel";

pub(super) const STATUS_UP: &str = "UP";
const STATUS_DOWN: &str = "DOWN";
const ADMIN_STATUSES: &[&str] = &[STATUS_UP, STATUS_DOWN];
/// "仅支持按配置" (pay by configuration).
const CHARGE_MODE: &str = "postpaid_by_duration";
/// Where tunnels without an explicit `tunnelIp` get their /30 (the first of the allowed ranges).
const AUTO_TUNNEL_IP_RANGE: ([u8; 4], u8) = ([169, 254, 0, 0], 20);
/// Documented range [1, 1500]; the default is not published.
const DEFAULT_BANDWIDTH_MBPS: i64 = 100;

/// The pre-shared key: echoed by the API, never printed by the sandbox.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub(super) struct Psk(String);

impl fmt::Debug for Psk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Psk(<redacted>)")
    }
}

/// The `VpnTunnel` object (Go `services/bgw/models/VpnTunnel.go`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct VpnTunnel {
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

/// A string option: allowed values and create default, verbatim from `VpnTunnelSpec`
/// (docs/design/jdcloud.md §4.5).
struct StringOption {
    field: &'static str,
    allowed: &'static [&'static str],
    default: &'static str,
    slot: fn(&mut VpnTunnel) -> &mut String,
}

/// What an integer option accepts: a set (→ `INVALID_ARGUMENT`) or a range (→ `OUT_OF_RANGE`).
enum IntRule {
    OneOf(&'static [i64]),
    Range(RangeInclusive<i64>),
}

struct IntOption {
    field: &'static str,
    rule: IntRule,
    default: i64,
    slot: fn(&mut VpnTunnel) -> &mut i64,
}

const STRING_OPTIONS: &[StringOption] = &[
    StringOption {
        field: "ikeVersion",
        allowed: &["v1", "v2"],
        default: "v2",
        slot: |t| &mut t.ike_version,
    },
    // "IKEv2时忽略": still validated and stored.
    StringOption {
        field: "ikeMode",
        allowed: &["main", "aggressive"],
        default: "main",
        slot: |t| &mut t.ike_mode,
    },
    StringOption {
        field: "ikeKeyExchange",
        allowed: &["modp1024", "modp1536", "modp2048", "ecp256", "ecp384"],
        default: "ecp256",
        slot: |t| &mut t.ike_key_exchange,
    },
    StringOption {
        field: "ikeCipher",
        allowed: &["aes128", "aes192", "aes256", "3des"],
        default: "aes128",
        slot: |t| &mut t.ike_cipher,
    },
    StringOption {
        field: "ikeAuth",
        allowed: &["sha1", "sha256", "sha384"],
        default: "sha256",
        slot: |t| &mut t.ike_auth,
    },
    // No 3des for IPsec.
    StringOption {
        field: "ipsecCipher",
        allowed: &["aes128", "aes192", "aes256"],
        default: "aes128",
        slot: |t| &mut t.ipsec_cipher,
    },
    StringOption {
        field: "ipsecAuth",
        allowed: &["sha1", "sha256", "sha384"],
        default: "sha256",
        slot: |t| &mut t.ipsec_auth,
    },
    // `null` = no PFS, sent as the string "null" (§8.12).
    StringOption {
        field: "ipsecKeyExchange",
        allowed: &[
            "null", "modp1024", "modp1536", "modp2048", "ecp256", "ecp384",
        ],
        default: "null",
        slot: |t| &mut t.ipsec_key_exchange,
    },
];

const INT_OPTIONS: &[IntOption] = &[
    IntOption {
        field: "ikeDpdSec",
        rule: IntRule::OneOf(&[0, 10]),
        default: 10,
        slot: |t| &mut t.ike_dpd_sec,
    },
    IntOption {
        field: "ikeSaLifeSec",
        rule: IntRule::Range(60..=86_400),
        default: 14_400,
        slot: |t| &mut t.ike_sa_life_sec,
    },
    IntOption {
        field: "ipsecSaLifeSec",
        rule: IntRule::Range(60..=86_400),
        default: 3_600,
        slot: |t| &mut t.ipsec_sa_life_sec,
    },
    IntOption {
        field: "ipsecSaLifepkt",
        rule: IntRule::Range(0..=100_000_000),
        default: 0,
        slot: |t| &mut t.ipsec_sa_lifepkt,
    },
    IntOption {
        field: "ipsecSaLifebyte",
        rule: IntRule::Range(0..=107_374_182_400),
        default: 0,
        slot: |t| &mut t.ipsec_sa_lifebyte,
    },
    IntOption {
        field: "bandwidthMbps",
        rule: IntRule::Range(1..=1_500),
        default: DEFAULT_BANDWIDTH_MBPS,
        slot: |t| &mut t.bandwidth_mbps,
    },
];

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct CreateResult<'a> {
    vpn_tunnel_id: &'a str,
    vpn_tunnel: &'a VpnTunnel,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct DescribeResult<'a> {
    vpn_tunnel: &'a VpnTunnel,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct DescribeManyResult {
    vpn_tunnels: Vec<VpnTunnel>,
    total_count: usize,
}

const FILTERS: &[FilterField<VpnTunnel>] = &[
    FilterField {
        name: "vpnTunnelIds",
        value: |t| t.vpn_tunnel_id.as_str(),
    },
    FilterField {
        name: "vpnConnectionId",
        value: |t| t.vpn_connection_id.as_str(),
    },
];

/// Validates and applies every option present in `spec` to `tunnel`.
fn apply_options(spec: &Spec, tunnel: &mut VpnTunnel) -> Result<(), JdError> {
    for option in STRING_OPTIONS {
        if let Some(value) = spec.opt_string(option.field)? {
            validate::one_of(&spec.path(option.field), &value, option.allowed)?;
            *(option.slot)(tunnel) = value;
        }
    }
    for option in INT_OPTIONS {
        if let Some(value) = spec.opt_i64(option.field)? {
            let field = spec.path(option.field);
            match &option.rule {
                IntRule::OneOf(allowed) if !allowed.contains(&value) => {
                    let allowed: Vec<String> = allowed.iter().map(i64::to_string).collect();
                    return Err(JdError::invalid_argument(format!(
                        "{field} {value} is invalid, allowed values: {}",
                        allowed.join(", ")
                    )));
                }
                IntRule::OneOf(_) => {}
                IntRule::Range(range) => validate::in_range(&field, value, range.clone())?,
            }
            *(option.slot)(tunnel) = value;
        }
    }
    Ok(())
}

pub(super) fn create(tx: &Tx<'_>, req: &OpRequest) -> Result<Reply, JdError> {
    let spec = Spec::parse(&req.body, CREATE_WRAPPER)?;
    let connection_id = spec.string("vpnConnectionId")?;
    let cloud_public_ip = spec.string("cloudPublicIp")?;
    let customer_ip = spec.string("customerIp")?;
    let psk = spec.string("psk")?;
    validate::psk(&spec.path("psk"), &psk)?;
    let requested_net = spec
        .opt_string("tunnelIp")?
        .map(|v| validate::tunnel_ip(&spec.path("tunnelIp"), &v))
        .transpose()?;
    let requested_local = spec
        .opt_string("localTunnelIp")?
        .map(|v| validate::ipv4(&spec.path("localTunnelIp"), &v))
        .transpose()?;
    if requested_local.is_some() && requested_net.is_none() {
        return Err(JdError::invalid_argument(format!(
            "{} needs {} (the /30 it must lie in)",
            spec.path("localTunnelIp"),
            spec.path("tunnelIp")
        )));
    }
    vpn_connection::check_charge_spec(&spec, CHARGE_MODE)?;
    let now = ids::iso8601(req.now);
    let mut tunnel = VpnTunnel {
        vpn_tunnel_id: String::new(),
        vpn_connection_id: connection_id,
        local_id: cloud_public_ip.clone(),
        remote_id: customer_ip.clone(),
        local_ip: cloud_public_ip.clone(),
        remote_ip: customer_ip.clone(),
        cloud_public_ip,
        customer_ip,
        psk: Psk(psk),
        local_tunnel_ip: String::new(),
        remote_tunnel_ip: String::new(),
        tunnel_ip: String::new(),
        ike_version: String::new(),
        ike_mode: String::new(),
        ike_key_exchange: String::new(),
        ike_cipher: String::new(),
        ike_auth: String::new(),
        ike_dpd_sec: 0,
        ike_sa_life_sec: 0,
        ipsec_cipher: String::new(),
        ipsec_auth: String::new(),
        ipsec_key_exchange: String::new(),
        ipsec_sa_life_sec: 0,
        ipsec_sa_lifepkt: 0,
        ipsec_sa_lifebyte: 0,
        admin_status: STATUS_UP.to_owned(),
        op_status: STATUS_UP.to_owned(),
        created_time: now.clone(),
        updated_time: now,
        bandwidth_mbps: 0,
    };
    for option in STRING_OPTIONS {
        *(option.slot)(&mut tunnel) = option.default.to_owned();
    }
    for option in INT_OPTIONS {
        *(option.slot)(&mut tunnel) = option.default;
    }
    apply_options(&spec, &mut tunnel)?;

    let connection = vpn_connection::get(tx, &req.region, &tunnel.vpn_connection_id)?;
    if !connection.cloud_public_ip.contains(&tunnel.cloud_public_ip) {
        return Err(JdError::invalid_argument(format!(
            "{} {:?} is not a public IP of VpnConnection '{}' ({})",
            spec.path("cloudPublicIp"),
            tunnel.cloud_public_ip,
            connection.vpn_connection_id,
            connection.cloud_public_ip.join(", ")
        )));
    }
    let cgw = customer_gateway::get(tx, &req.region, &connection.cgw_id)?;
    if !cgw.customer_ips.contains(&tunnel.customer_ip) {
        return Err(JdError::invalid_argument(format!(
            "{} {:?} is not an IP of CustomerGateway '{}' ({})",
            spec.path("customerIp"),
            tunnel.customer_ip,
            cgw.customer_gateway_id,
            cgw.customer_ips.join(", ")
        )));
    }
    // "Number of VPN Tunnels creatable between the same pair of cloud public network address and
    // customer gateway public network addresses: 1" (this also caps a connection at 2 × |customerIps|).
    let siblings = of_connection(tx, &req.region, &connection.vpn_connection_id)?;
    if let Some(other) = siblings.iter().find(|t| {
        t.cloud_public_ip == tunnel.cloud_public_ip && t.customer_ip == tunnel.customer_ip
    }) {
        return Err(JdError::failed_precondition(format!(
            "VpnTunnel '{}' already connects {} and {}; only one tunnel per address pair",
            other.vpn_tunnel_id, tunnel.cloud_public_ip, tunnel.customer_ip
        )));
    }
    let taken = tunnel_nets_of_bgw(tx, &req.region, &connection.bgw_id, None)?;
    let net = match requested_net {
        Some(net) => {
            check_tunnel_ip_free(&spec.path("tunnelIp"), net, &taken, &connection.bgw_id)?;
            net
        }
        None => allocate_tunnel_ip(&taken, &connection.bgw_id)?,
    };
    let local = match requested_local {
        Some(ip) => check_local_tunnel_ip(&spec.path("localTunnelIp"), ip, net)?,
        None => validate::tunnel_hosts(net)[0],
    };
    set_tunnel_ips(&mut tunnel, net, local);

    tunnel.vpn_tunnel_id = ids::resource_id(tx, KIND)?;
    tx.insert(KIND, &req.region, &tunnel.vpn_tunnel_id, &tunnel)?;
    vpn_connection::refresh_ha_status(tx, &req.region, &tunnel.vpn_connection_id)?;
    Reply::result(&CreateResult {
        vpn_tunnel_id: &tunnel.vpn_tunnel_id,
        vpn_tunnel: &tunnel,
    })
}

pub(super) fn describe_many(tx: &Tx<'_>, req: &OpRequest) -> Result<Reply, JdError> {
    let params = ListParams::parse(&req.query)?;
    let all: Vec<VpnTunnel> = tx.list(KIND, &req.region)?;
    let matching = apply_filters(all, &params.filters, FILTERS)?;
    let (vpn_tunnels, total_count) = params.page(matching);
    Reply::result(&DescribeManyResult {
        vpn_tunnels,
        total_count,
    })
}

pub(super) fn describe(tx: &Tx<'_>, req: &OpRequest) -> Result<Reply, JdError> {
    let tunnel = find(tx, req)?;
    Reply::result(&DescribeResult {
        vpn_tunnel: &tunnel,
    })
}

/// `VpnTunnelModifySpec`: psk, tunnel addresses and every IKE/IPsec option, all optional.
pub(super) fn modify(tx: &Tx<'_>, req: &OpRequest) -> Result<Reply, JdError> {
    let mut tunnel = find(tx, req)?;
    let before = tunnel.clone();
    let spec = Spec::parse(&req.body, MODIFY_WRAPPER)?;
    // ForceNew fields: refuse a change, allow a resend.
    spec.unchanged_string("vpnConnectionId", &tunnel.vpn_connection_id)?;
    spec.unchanged_string("cloudPublicIp", &tunnel.cloud_public_ip)?;
    spec.unchanged_string("customerIp", &tunnel.customer_ip)?;
    if let Some(psk) = spec.opt_string("psk")? {
        validate::psk(&spec.path("psk"), &psk)?;
        tunnel.psk = Psk(psk);
    }
    apply_options(&spec, &mut tunnel)?;

    let current_net = validate::tunnel_ip("stored tunnelIp", &tunnel.tunnel_ip)?;
    let net = match spec.opt_string("tunnelIp")? {
        Some(v) => validate::tunnel_ip(&spec.path("tunnelIp"), &v)?,
        None => current_net,
    };
    let requested_local = spec
        .opt_string("localTunnelIp")?
        .map(|v| validate::ipv4(&spec.path("localTunnelIp"), &v))
        .transpose()?;
    if net != current_net {
        let connection = vpn_connection::get(tx, &req.region, &tunnel.vpn_connection_id)?;
        let taken = tunnel_nets_of_bgw(
            tx,
            &req.region,
            &connection.bgw_id,
            Some(&tunnel.vpn_tunnel_id),
        )?;
        check_tunnel_ip_free(&spec.path("tunnelIp"), net, &taken, &connection.bgw_id)?;
    }
    let local = match requested_local {
        Some(ip) => check_local_tunnel_ip(&spec.path("localTunnelIp"), ip, net)?,
        None => {
            // Keep the cloud side on the same host position of the (possibly new) block.
            let old_hosts = validate::tunnel_hosts(current_net);
            let position = usize::from(tunnel.local_tunnel_ip == old_hosts[1].to_string());
            validate::tunnel_hosts(net)[position]
        }
    };
    set_tunnel_ips(&mut tunnel, net, local);

    if tunnel != before {
        tunnel.updated_time = ids::iso8601(req.now);
        tx.update(KIND, &tunnel.vpn_tunnel_id, &tunnel)?;
    }
    Ok(Reply::Empty)
}

/// `modifyAdminStatus`: `{"adminStatus": "UP" | "DOWN"}`.
pub(super) fn modify_admin_status(tx: &Tx<'_>, req: &OpRequest) -> Result<Reply, JdError> {
    let mut tunnel = find(tx, req)?;
    let spec = Spec::parse(&req.body, ADMIN_STATUS_WRAPPER)?;
    let status = spec.string("adminStatus")?;
    validate::one_of(&spec.path("adminStatus"), &status, ADMIN_STATUSES)?;
    if status != tunnel.admin_status {
        tunnel.admin_status = status.clone();
        tunnel.op_status = status;
        tunnel.updated_time = ids::iso8601(req.now);
        tx.update(KIND, &tunnel.vpn_tunnel_id, &tunnel)?;
        vpn_connection::refresh_ha_status(tx, &req.region, &tunnel.vpn_connection_id)?;
    }
    Ok(Reply::Empty)
}

/// "can only be deleted when the management status of the VPN Tunnel is 'DOWN'"
/// (docs/design/jdcloud.md §4.5).
pub(super) fn delete(tx: &Tx<'_>, req: &OpRequest) -> Result<Reply, JdError> {
    let tunnel = find(tx, req)?;
    if tunnel.admin_status != STATUS_DOWN {
        return Err(JdError::failed_precondition(format!(
            "VpnTunnel '{}': tunnel must be DOWN to be deleted (adminStatus is {}; \
             call modifyAdminStatus with DOWN first)",
            tunnel.vpn_tunnel_id, tunnel.admin_status
        )));
    }
    tx.delete(KIND, &tunnel.vpn_tunnel_id)?;
    vpn_connection::refresh_ha_status(tx, &req.region, &tunnel.vpn_connection_id)?;
    Ok(Reply::Empty)
}

fn set_tunnel_ips(tunnel: &mut VpnTunnel, net: Ipv4Net, local: Ipv4Addr) {
    let hosts = validate::tunnel_hosts(net);
    let remote = if local == hosts[0] {
        hosts[1]
    } else {
        hosts[0]
    };
    tunnel.tunnel_ip = net.to_string();
    tunnel.local_tunnel_ip = local.to_string();
    tunnel.remote_tunnel_ip = remote.to_string();
}

/// "不能是段里的第一个和最后一个ip": one of the two usable hosts of `net`.
fn check_local_tunnel_ip(field: &str, ip: Ipv4Addr, net: Ipv4Net) -> Result<Ipv4Addr, JdError> {
    let hosts = validate::tunnel_hosts(net);
    if hosts.contains(&ip) {
        Ok(ip)
    } else {
        Err(JdError::invalid_argument(format!(
            "{field} {ip} must be {} or {} (a usable host of tunnelIp {net})",
            hosts[0], hosts[1]
        )))
    }
}

/// "不能和同一边界网关上的其它VPN隧道内层地址冲突".
fn check_tunnel_ip_free(
    field: &str,
    net: Ipv4Net,
    taken: &[(String, Ipv4Net)],
    bgw_id: &str,
) -> Result<(), JdError> {
    match taken
        .iter()
        .find(|(_, other)| other.contains(&net) || net.contains(other))
    {
        Some((id, other)) => Err(JdError::failed_precondition(format!(
            "{field} {net} conflicts with {other} of VpnTunnel '{id}' on Bgw '{bgw_id}'"
        ))),
        None => Ok(()),
    }
}

/// The lowest /30 of [`AUTO_TUNNEL_IP_RANGE`] no tunnel of the gateway overlaps.
fn allocate_tunnel_ip(taken: &[(String, Ipv4Net)], bgw_id: &str) -> Result<Ipv4Net, JdError> {
    let (addr, len) = AUTO_TUNNEL_IP_RANGE;
    let range = Ipv4Net::new(Ipv4Addr::from(addr), len)
        .map_err(|e| JdError::internal(format!("tunnel IP range: {e}")))?;
    let blocks = range
        .subnets(validate::TUNNEL_IP_PREFIX_LEN)
        .map_err(|e| JdError::internal(format!("tunnel IP range: {e}")))?;
    blocks
        .into_iter()
        .find(|net| {
            !taken
                .iter()
                .any(|(_, other)| other.contains(net) || net.contains(other))
        })
        .ok_or_else(|| {
            JdError::failed_precondition(format!(
                "no free /{} left in {range} for the tunnels of Bgw '{bgw_id}'; set tunnelIp",
                validate::TUNNEL_IP_PREFIX_LEN
            ))
        })
}

/// Inside blocks of every tunnel on border gateway `bgw_id` (all its connections), except one.
fn tunnel_nets_of_bgw(
    tx: &Tx<'_>,
    region: &str,
    bgw_id: &str,
    except: Option<&str>,
) -> Result<Vec<(String, Ipv4Net)>, JdError> {
    let connections: Vec<String> = vpn_connection::of_bgw(tx, region, bgw_id)?
        .into_iter()
        .map(|c| c.vpn_connection_id)
        .collect();
    let all: Vec<VpnTunnel> = tx.list(KIND, region)?;
    let mut out = Vec::new();
    for t in all {
        if connections.contains(&t.vpn_connection_id) && Some(t.vpn_tunnel_id.as_str()) != except {
            let net = validate::tunnel_ip("stored tunnelIp", &t.tunnel_ip)?;
            out.push((t.vpn_tunnel_id, net));
        }
    }
    Ok(out)
}

fn find(tx: &Tx<'_>, req: &OpRequest) -> Result<VpnTunnel, JdError> {
    get_in_region(tx, KIND, &req.region, req.params.get(ID_PARAM), WHAT)
}

/// Tunnels of one connection, oldest first.
pub(super) fn of_connection(
    tx: &Tx<'_>,
    region: &str,
    connection_id: &str,
) -> Result<Vec<VpnTunnel>, JdError> {
    let all: Vec<VpnTunnel> = tx.list(KIND, region)?;
    Ok(all
        .into_iter()
        .filter(|t| t.vpn_connection_id == connection_id)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn psk_is_redacted_in_debug() {
        let psk = Psk("hunter2".to_owned());
        assert_eq!(format!("{psk:?}"), "Psk(<redacted>)");
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
    fn allocation_skips_taken_blocks() {
        let n = |s: &str| s.parse::<Ipv4Net>().unwrap();
        let taken = vec![
            ("a".to_owned(), n("169.254.0.0/30")),
            ("b".to_owned(), n("169.254.0.8/30")),
        ];
        assert_eq!(
            allocate_tunnel_ip(&taken, "bgw").unwrap(),
            n("169.254.0.4/30")
        );
        let all: Vec<(String, Ipv4Net)> = vec![("x".to_owned(), n("169.254.0.0/20"))];
        assert_eq!(
            allocate_tunnel_ip(&all, "bgw").unwrap_err().status,
            "FAILED_PRECONDITION"
        );
        assert!(check_tunnel_ip_free("t", n("169.254.0.4/30"), &taken, "bgw").is_ok());
        assert!(check_tunnel_ip_free("t", n("169.254.0.8/30"), &taken, "bgw").is_err());
    }
}
