//! VPN connection (VPN连接, docs/design/jdcloud.md §4.4): model, rules and the five operations.
//!
//! At create the connection gets two distinct public IPv4 addresses from [`CLOUD_IP_POOL`] (the
//! lowest free ones over every region, so an address is never handed out twice while allocated).
//! `haStatus` is recomputed by [`refresh_ha_status`] whenever one of its tunnels changes.
//!
//! INFERRED here (docs/design/jdcloud.md §8.2–§8.5, §8.11, §8.14): the id prefix `vpnc`, the body
//! wrappers, filter names and result shapes; the address pool; the shape of `charge` for a
//! pay-by-usage resource (empty expiry times); refusing `trafficSelectors` at create
//! (`VpnConnectionSpec` has none, the real API probably ignores them) and a `localAsn` equal to the
//! customer gateway's ASN (the docs require different ASNs for EBGP); how the edge `providers` are
//! checked; refusing a delete while a static route points at it.

use std::collections::BTreeSet;
use std::net::Ipv4Addr;
use std::ops::RangeInclusive;

use ipnet::Ipv4Net;
use serde::{Deserialize, Serialize};

use super::customer_gateway;
use super::error::JdError;
use super::wire::{apply_filters, FilterField, ListParams, Spec};
use super::{bgw_route, border_gateway, get_in_region, validate, vpn_tunnel};
use super::{OpRequest, Reply, CLOUD};
use crate::sandbox::ids;
use crate::sandbox::store::{Kind, Tx};

pub(super) const KIND: Kind = Kind {
    cloud: CLOUD,
    name: "vpn_connections",
    id_prefix: "vpnc",
};

/// "10 VPN connections/BGW" (docs/design/jdcloud.md §6).
const QUOTA_PER_BGW: usize = 10;
const CREATE_WRAPPER: &str = "vpnConnectionSpec";
const MODIFY_WRAPPER: &str = "modifyVpnConnectionSpec";
const ID_PARAM: &str = "vpnConnectionId";
pub(super) const WHAT: &str = "VpnConnection";

/// "支持16位的私有ASN，取值范围为：64512~65534，默认从BGW继承65000".
const LOCAL_ASN_RANGE: RangeInclusive<i64> = 64512..=65534;
/// Where cloud-side public addresses come from: a JD Cloud public block (docs/design/jdcloud.md
/// §8.14; any public block that customer gateways are unlikely to use would do).
const CLOUD_IP_POOL: ([u8; 4], u8) = ([116, 196, 0, 0], 16);
/// "Number of cloud public network addresses under the same VPN Connection: 2".
pub(super) const CLOUD_IPS_PER_CONNECTION: usize = 2;
/// "当VPN为标准VPN时，2个线路都为bgp".
const STANDARD_PROVIDER: &str = "bgp";
/// "计费配置，仅支持按用量".
const CHARGE_MODE: &str = "postpaid_by_usage";
const CHARGE_STATUS: &str = "normal";
pub(super) const HA_REDUNDANCY: &str = "redundancy";
pub(super) const HA_NO_REDUNDANCY: &str = "no_redundancy";
const AZ_TYPE_EDGE: &str = "edge";

/// The `VpnConnection` object (Go `services/bgw/models/VpnConnection.go`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct VpnConnection {
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
pub(super) struct Charge {
    pub charge_mode: String,
    pub charge_status: String,
    pub charge_start_time: String,
    pub charge_expired_time: String,
    pub charge_retire_time: String,
}

/// `VpnTrafficSelectorSpec`; absent optional fields are returned empty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct TrafficSelector {
    pub local_subnet: String,
    pub remote_subnets: Vec<String>,
    pub description: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct CreateResult<'a> {
    vpn_connection_id: &'a str,
    vpn_connection: &'a VpnConnection,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct DescribeResult<'a> {
    vpn_connection: &'a VpnConnection,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct DescribeManyResult {
    vpn_connections: Vec<VpnConnection>,
    total_count: usize,
}

const FILTERS: &[FilterField<VpnConnection>] = &[
    FilterField {
        name: "vpnConnectionIds",
        value: |c| c.vpn_connection_id.as_str(),
    },
    FilterField {
        name: "vpnConnectionNames",
        value: |c| c.vpn_connection_name.as_str(),
    },
    FilterField {
        name: "bgwId",
        value: |c| c.bgw_id.as_str(),
    },
    FilterField {
        name: "cgwId",
        value: |c| c.cgw_id.as_str(),
    },
];

pub(super) fn create(tx: &Tx<'_>, req: &OpRequest) -> Result<Reply, JdError> {
    let spec = Spec::parse(&req.body, CREATE_WRAPPER)?;
    let name = spec.string("vpnConnectionName")?;
    let description = spec.opt_string("description")?.unwrap_or_default();
    let bgw_id = spec.string("bgwId")?;
    let cgw_id = spec.string("cgwId")?;
    let bgp_enabled = spec.opt_bool("bgpEnabled")?.unwrap_or(true);
    let local_asn = spec.opt_i64("localAsn")?;
    let providers = spec.opt_string_list("providers")?;
    validate::name(&spec.path("vpnConnectionName"), &name)?;
    validate::description(&spec.path("description"), &description)?;
    if let Some(asn) = local_asn {
        validate::in_range(&spec.path("localAsn"), asn, LOCAL_ASN_RANGE)?;
    }
    let local_asn = local_asn.unwrap_or(border_gateway::BGW_ASN);
    check_charge_spec(&spec, CHARGE_MODE)?;
    if spec.has("trafficSelectors") {
        return Err(JdError::invalid_argument(format!(
            "{} cannot be set at create (VpnConnectionSpec has no such field); \
             set it with modifyVpnConnection",
            spec.path("trafficSelectors")
        )));
    }

    let bgw = border_gateway::get(tx, &req.region, &bgw_id)?;
    let cgw = customer_gateway::get(tx, &req.region, &cgw_id)?;
    if local_asn == cgw.bgp_asn {
        return Err(JdError::invalid_argument(format!(
            "{} {local_asn} equals the BGP ASN of CustomerGateway '{cgw_id}'; EBGP needs \
             different ASNs on both sides",
            spec.path("localAsn")
        )));
    }
    let providers = if bgw.az_type == AZ_TYPE_EDGE {
        // Edge gateways take the two ISP lines from describeEdgeIpProviders (not emulated).
        let field = spec.path("providers");
        match providers {
            Some(p) if p.len() == CLOUD_IPS_PER_CONNECTION && p.iter().all(|x| !x.is_empty()) => p,
            _ => {
                return Err(JdError::invalid_argument(format!(
                    "{field} must name {CLOUD_IPS_PER_CONNECTION} ISP lines for an edge border \
                     gateway"
                )))
            }
        }
    } else {
        // "ignored for standard BGW".
        vec![STANDARD_PROVIDER.to_owned(); CLOUD_IPS_PER_CONNECTION]
    };
    if of_bgw(tx, &req.region, &bgw_id)?.len() >= QUOTA_PER_BGW {
        return Err(JdError::quota_exceeded(format!(
            "VpnConnection quota limit exceeded ({QUOTA_PER_BGW} per border gateway)."
        )));
    }

    let now = ids::iso8601(req.now);
    let connection = VpnConnection {
        vpn_connection_id: ids::resource_id(tx, KIND)?,
        vpn_connection_name: name,
        bgw_id,
        cgw_id,
        bgp_enabled,
        local_asn,
        cloud_public_ip: allocate_cloud_ips(tx)?,
        providers,
        ha_status: HA_NO_REDUNDANCY.to_owned(),
        description,
        created_time: now.clone(),
        updated_time: now.clone(),
        charge: Charge {
            charge_mode: CHARGE_MODE.to_owned(),
            charge_status: CHARGE_STATUS.to_owned(),
            charge_start_time: now,
            charge_expired_time: String::new(),
            charge_retire_time: String::new(),
        },
        traffic_selectors: Vec::new(),
        az_type: bgw.az_type,
        az: bgw.az,
    };
    tx.insert(
        KIND,
        &req.region,
        &connection.vpn_connection_id,
        &connection,
    )?;
    border_gateway::refresh_children(tx, &req.region, &connection.bgw_id)?;
    Reply::result(&CreateResult {
        vpn_connection_id: &connection.vpn_connection_id,
        vpn_connection: &connection,
    })
}

pub(super) fn describe_many(tx: &Tx<'_>, req: &OpRequest) -> Result<Reply, JdError> {
    let params = ListParams::parse(&req.query)?;
    let all: Vec<VpnConnection> = tx.list(KIND, &req.region)?;
    let matching = apply_filters(all, &params.filters, FILTERS)?;
    let (vpn_connections, total_count) = params.page(matching);
    Reply::result(&DescribeManyResult {
        vpn_connections,
        total_count,
    })
}

pub(super) fn describe(tx: &Tx<'_>, req: &OpRequest) -> Result<Reply, JdError> {
    let connection = find(tx, req)?;
    Reply::result(&DescribeResult {
        vpn_connection: &connection,
    })
}

/// `ModifyVpnConnectionSpec`: name, description, bgpEnabled, trafficSelectors (replaced whole).
pub(super) fn modify(tx: &Tx<'_>, req: &OpRequest) -> Result<Reply, JdError> {
    let mut connection = find(tx, req)?;
    let spec = Spec::parse(&req.body, MODIFY_WRAPPER)?;
    // Not in ModifyVpnConnectionSpec (ForceNew for a provider): refuse a change, allow a resend.
    spec.unchanged_string("bgwId", &connection.bgw_id)?;
    spec.unchanged_string("cgwId", &connection.cgw_id)?;
    spec.unchanged_i64("localAsn", connection.local_asn)?;
    let mut changed = false;
    if let Some(name) = spec.opt_string("vpnConnectionName")? {
        validate::name(&spec.path("vpnConnectionName"), &name)?;
        changed |= name != connection.vpn_connection_name;
        connection.vpn_connection_name = name;
    }
    if let Some(description) = spec.opt_string("description")? {
        validate::description(&spec.path("description"), &description)?;
        changed |= description != connection.description;
        connection.description = description;
    }
    if let Some(bgp_enabled) = spec.opt_bool("bgpEnabled")? {
        changed |= bgp_enabled != connection.bgp_enabled;
        connection.bgp_enabled = bgp_enabled;
    }
    if let Some(items) = spec.opt_object_list("trafficSelectors")? {
        let selectors = items
            .iter()
            .map(parse_traffic_selector)
            .collect::<Result<Vec<_>, _>>()?;
        changed |= selectors != connection.traffic_selectors;
        connection.traffic_selectors = selectors;
    }
    if changed {
        connection.updated_time = ids::iso8601(req.now);
        tx.update(KIND, &connection.vpn_connection_id, &connection)?;
    }
    Ok(Reply::Empty)
}

/// "The VPN Connection without VPN Tunnel created can be deleted" (docs/design/jdcloud.md §4.4); a
/// static route through it blocks the delete too (§8.11).
pub(super) fn delete(tx: &Tx<'_>, req: &OpRequest) -> Result<Reply, JdError> {
    let connection = find(tx, req)?;
    let id = connection.vpn_connection_id.as_str();
    let tunnels = vpn_tunnel::of_connection(tx, &req.region, id)?;
    if !tunnels.is_empty() {
        let ids: Vec<&str> = tunnels.iter().map(|t| t.vpn_tunnel_id.as_str()).collect();
        return Err(JdError::failed_precondition(format!(
            "VpnConnection '{id}' cannot be deleted while it has VPN tunnels {}",
            ids.join(", ")
        )));
    }
    bgw_route::check_not_nexthop(tx, &req.region, &connection.bgw_id, id, WHAT)?;
    tx.delete(KIND, id)?;
    border_gateway::refresh_children(tx, &req.region, &connection.bgw_id)?;
    Ok(Reply::Empty)
}

fn parse_traffic_selector(spec: &Spec) -> Result<TrafficSelector, JdError> {
    let local_subnet = spec.string("localSubnet")?;
    validate::cidr(&spec.path("localSubnet"), &local_subnet)?;
    let remote_subnets = spec.opt_string_list("remoteSubnets")?.unwrap_or_default();
    let field = spec.path("remoteSubnets");
    for (i, subnet) in remote_subnets.iter().enumerate() {
        validate::cidr(&format!("{field}[{i}]"), subnet)?;
    }
    let description = spec.opt_string("description")?.unwrap_or_default();
    validate::description(&spec.path("description"), &description)?;
    Ok(TrafficSelector {
        local_subnet,
        remote_subnets,
        description,
    })
}

/// `chargeSpec` is optional; when given it must be an object whose `chargeMode`, if any, is the one
/// the resource supports (connections: by usage; tunnels: by configuration).
pub(super) fn check_charge_spec(spec: &Spec, supported_mode: &str) -> Result<(), JdError> {
    if let Some(charge) = spec.opt_object("chargeSpec")? {
        if let Some(mode) = charge.opt_string("chargeMode")? {
            validate::one_of(&charge.path("chargeMode"), &mode, &[supported_mode])?;
        }
    }
    Ok(())
}

/// The two lowest addresses of [`CLOUD_IP_POOL`] no connection in any region holds, skipping
/// `.0` and `.255` host bytes.
fn allocate_cloud_ips(tx: &Tx<'_>) -> Result<Vec<String>, JdError> {
    let used: BTreeSet<String> = tx
        .list_all::<VpnConnection>(KIND)?
        .into_iter()
        .flat_map(|c| c.cloud_public_ip)
        .collect();
    let (addr, len) = CLOUD_IP_POOL;
    let pool = Ipv4Net::new(Ipv4Addr::from(addr), len)
        .map_err(|e| JdError::internal(format!("cloud IP pool: {e}")))?;
    let free: Vec<String> = pool
        .hosts()
        .filter(|ip| !matches!(ip.octets()[3], 0 | 255))
        .map(|ip| ip.to_string())
        .filter(|ip| !used.contains(ip))
        .take(CLOUD_IPS_PER_CONNECTION)
        .collect();
    if free.len() < CLOUD_IPS_PER_CONNECTION {
        return Err(JdError::quota_exceeded(
            "the sandbox's cloud public IP pool is exhausted",
        ));
    }
    Ok(free)
}

/// Recomputes `haStatus` of connection `id` from its tunnels: `redundancy` iff each of the two
/// cloud addresses has at least one tunnel whose `opStatus` is `UP` (docs/design/jdcloud.md §4.4).
pub(super) fn refresh_ha_status(tx: &Tx<'_>, region: &str, id: &str) -> Result<(), JdError> {
    let mut connection = get(tx, region, id)?;
    let tunnels = vpn_tunnel::of_connection(tx, region, id)?;
    let redundant = connection.cloud_public_ip.iter().all(|ip| {
        tunnels
            .iter()
            .any(|t| &t.cloud_public_ip == ip && t.op_status == vpn_tunnel::STATUS_UP)
    });
    let ha_status = if redundant {
        HA_REDUNDANCY
    } else {
        HA_NO_REDUNDANCY
    };
    if connection.ha_status != ha_status {
        connection.ha_status = ha_status.to_owned();
        tx.update(KIND, id, &connection)?;
    }
    Ok(())
}

fn find(tx: &Tx<'_>, req: &OpRequest) -> Result<VpnConnection, JdError> {
    get(tx, &req.region, req.params.get(ID_PARAM))
}

/// The connection `id` in `region`; otherwise 404.
pub(super) fn get(tx: &Tx<'_>, region: &str, id: &str) -> Result<VpnConnection, JdError> {
    get_in_region(tx, KIND, region, id, WHAT)
}

/// Connections of one border gateway, oldest first.
pub(super) fn of_bgw(
    tx: &Tx<'_>,
    region: &str,
    bgw_id: &str,
) -> Result<Vec<VpnConnection>, JdError> {
    let all: Vec<VpnConnection> = tx.list(KIND, region)?;
    Ok(all.into_iter().filter(|c| c.bgw_id == bgw_id).collect())
}

/// Connections using one customer gateway, oldest first.
pub(super) fn of_customer_gateway(
    tx: &Tx<'_>,
    region: &str,
    cgw_id: &str,
) -> Result<Vec<VpnConnection>, JdError> {
    let all: Vec<VpnConnection> = tx.list(KIND, region)?;
    Ok(all.into_iter().filter(|c| c.cgw_id == cgw_id).collect())
}
