//! VPN connections (VPN连接, docs/design/jdcloud.md §4.4): what a connection needs from its border
//! gateway and customer gateway, its two cloud addresses, quota, and what blocks a delete.
//!
//! At create the connection gets two distinct IPv4 addresses from [`CLOUD_IP_POOL`] (the lowest
//! free ones over every region, so an address is never handed out twice while allocated).
//! `haStatus` follows its tunnels (`Db::refresh_ha_status`).
//!
//! INFERRED here (docs/design/jdcloud.md §8.11, §8.14): the address pool; the shape of `charge`
//! for a pay-by-usage resource (empty expiry times); refusing a `localAsn` equal to the
//! customer gateway's ASN (the docs require different ASNs for EBGP); how the edge `providers`
//! are checked; refusing a delete while a static route points at it.

use std::collections::BTreeSet;
use std::net::Ipv4Addr;

use super::db::{unchanged, Change, Db};
use super::model::{
    Bgw, Charge, CustomerGateway, TrafficSelector, VpnConnection, VpnTunnel, AZ_TYPE_EDGE, BGW_ASN,
    CLOUD_IPS_PER_CONNECTION, CONNECTION_CHARGE_MODE, CUSTOMER_GATEWAYS, HA_NO_REDUNDANCY,
    VPN_CONNECTIONS,
};
use crate::sandbox::change::set;
use crate::sandbox::jdcloud::error::{JdError, Status};
use crate::sandbox::pool;

/// Where cloud-side public addresses come from: TEST-NET-2 (RFC 5737), then the benchmarking
/// block 198.18.0.0/15's lower half (RFC 2544) once its 254 addresses are used up — never a
/// routable block, since the IKE tests put these addresses in network namespaces
/// (docs/design/jdcloud.md §8.14).
const CLOUD_IP_POOL: &[pool::Block] = &[([198, 51, 100, 0], 24), ([198, 18, 0, 0], 16)];
/// "当VPN为标准VPN时，2个线路都为bgp".
const STANDARD_PROVIDER: &str = "bgp";
const CHARGE_STATUS: &str = "normal";

/// A create, its fields already checked.
pub(crate) struct NewVpnConnection {
    pub name: String,
    pub description: String,
    pub bgw_id: String,
    pub cgw_id: String,
    pub bgp_enabled: bool,
    /// Default: the border gateway's ASN.
    pub local_asn: Option<i64>,
    /// Only for an edge border gateway (ignored for a standard one).
    pub providers: Option<Vec<String>>,
}

/// `ModifyVpnConnectionSpec`: name, description, bgpEnabled, trafficSelectors (replaced whole);
/// `bgwId`, `cgwId` and `localAsn` may only be resent (ForceNew for a provider).
pub(crate) struct VpnConnectionChange {
    pub name: Option<String>,
    pub description: Option<String>,
    pub bgp_enabled: Option<bool>,
    pub traffic_selectors: Option<Vec<TrafficSelector>>,
    pub bgw_id: Option<String>,
    pub cgw_id: Option<String>,
    pub local_asn: Option<i64>,
}

pub(crate) fn create(db: &Db<'_>, new: NewVpnConnection) -> Result<VpnConnection, JdError> {
    let local_asn = new.local_asn.unwrap_or(BGW_ASN);
    let bgw = db.get::<Bgw>(&new.bgw_id)?;
    let cgw = db.get::<CustomerGateway>(&new.cgw_id)?;
    if local_asn == cgw.bgp_asn {
        return Err(JdError::field(
            Status::InvalidArgument,
            "localAsn",
            format!(
                "{local_asn} equals the BGP ASN of CustomerGateway '{}'; EBGP needs different \
                 ASNs on both sides",
                new.cgw_id
            ),
        ));
    }
    let providers = if bgw.az_type == AZ_TYPE_EDGE {
        // Edge gateways take the two ISP lines from describeEdgeIpProviders (not emulated).
        match new.providers {
            Some(p) if p.len() == CLOUD_IPS_PER_CONNECTION && p.iter().all(|x| !x.is_empty()) => p,
            _ => {
                return Err(JdError::field(
                    Status::InvalidArgument,
                    "providers",
                    format!(
                        "must name {CLOUD_IPS_PER_CONNECTION} ISP lines for an edge border gateway"
                    ),
                ))
            }
        }
    } else {
        // "ignored for standard BGW".
        vec![STANDARD_PROVIDER.to_owned(); CLOUD_IPS_PER_CONNECTION]
    };
    let siblings = db.all_where(|c: &VpnConnection| c.bgw_id == new.bgw_id)?;
    db.check_count::<VpnConnection>(siblings.len())?;

    let now = db.timestamp();
    let connection = VpnConnection {
        vpn_connection_id: db.new_id(VPN_CONNECTIONS)?,
        vpn_connection_name: new.name,
        bgw_id: new.bgw_id,
        cgw_id: new.cgw_id,
        bgp_enabled: new.bgp_enabled,
        local_asn,
        cloud_public_ip: allocate_cloud_ips(db)?,
        providers,
        ha_status: HA_NO_REDUNDANCY.to_owned(),
        description: new.description,
        created_time: now.clone(),
        updated_time: now.clone(),
        charge: Charge {
            charge_mode: CONNECTION_CHARGE_MODE.to_owned(),
            charge_status: CHARGE_STATUS.to_owned(),
            charge_start_time: now,
            charge_expired_time: String::new(),
            charge_retire_time: String::new(),
        },
        traffic_selectors: Vec::new(),
        az_type: bgw.az_type,
        az: bgw.az,
    };
    db.add(&connection)?;
    db.refresh_children(&connection.bgw_id)?;
    Ok(connection)
}

impl Change for VpnConnectionChange {
    type Target = VpnConnection;
    fn apply(self, _: &Db<'_>, connection: &mut VpnConnection) -> Result<bool, JdError> {
        unchanged("bgwId", &connection.bgw_id, self.bgw_id.as_ref())?;
        unchanged("cgwId", &connection.cgw_id, self.cgw_id.as_ref())?;
        unchanged("localAsn", &connection.local_asn, self.local_asn.as_ref())?;
        Ok(set(&mut connection.vpn_connection_name, self.name)
            | set(&mut connection.description, self.description)
            | set(&mut connection.bgp_enabled, self.bgp_enabled)
            | set(&mut connection.traffic_selectors, self.traffic_selectors))
    }
}

/// "The VPN Connection without VPN Tunnel created can be deleted" (docs/design/jdcloud.md §4.4); a
/// static route through it blocks the delete too (§8.11).
pub(crate) fn delete(db: &Db<'_>, id: &str) -> Result<(), JdError> {
    let connection = db.get::<VpnConnection>(id)?;
    let id = connection.vpn_connection_id.as_str();
    let children = |t: &VpnTunnel| t.vpn_connection_id == id;
    db.check_unused(&connection, children, |ids| {
        format!("it has VPN tunnels {ids}")
    })?;
    db.check_not_nexthop(&connection.bgw_id, &connection)?;
    db.remove(&connection)?;
    db.refresh_children(&connection.bgw_id)
}

/// The two lowest addresses of [`CLOUD_IP_POOL`] that no connection in any region holds and no
/// customer gateway names (so the two ends of a tunnel never share an address).
fn allocate_cloud_ips(db: &Db<'_>) -> Result<Vec<String>, JdError> {
    let connections = db.list_all::<VpnConnection>(VPN_CONNECTIONS)?;
    let gateways = db.list_all::<CustomerGateway>(CUSTOMER_GATEWAYS)?;
    let used: BTreeSet<Ipv4Addr> = connections
        .iter()
        .flat_map(|c| &c.cloud_public_ip)
        .chain(gateways.iter().flat_map(|g| &g.customer_ips))
        .filter_map(|ip| ip.parse().ok())
        .collect();
    let free = pool::lowest_free(CLOUD_IP_POOL, &used, CLOUD_IPS_PER_CONNECTION);
    if free.len() < CLOUD_IPS_PER_CONNECTION {
        return Err(JdError::quota_exceeded(format!(
            "the sandbox's cloud public IP pool ({}) is exhausted",
            pool::describe(CLOUD_IP_POOL)
        )));
    }
    Ok(free.iter().map(Ipv4Addr::to_string).collect())
}
