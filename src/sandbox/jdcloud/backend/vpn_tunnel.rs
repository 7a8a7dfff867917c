//! VPN tunnels (VPN隧道, docs/design/jdcloud.md §4.5): the addresses they may use, one tunnel per
//! address pair, inside blocks that do not overlap on a border gateway, the admin status and
//! the DOWN-before-delete rule. `opStatus` follows `adminStatus` (negotiation always succeeds in
//! the sandbox); every change refreshes the connection's `haStatus`.
//!
//! INFERRED here (docs/design/jdcloud.md §8.10, §8.13): `localId`/`remoteId`/`localIp`/`remoteIp`
//! = the public addresses; the default `localTunnelIp` (first usable host — the Cisco and
//! strongSwan guides put the customer on `.1` and the cloud on `.2`, so this may be the other way
//! round); keeping the host position when only `tunnelIp` changes; the `FAILED_PRECONDITION`
//! status of pair and tunnel-IP conflicts (might be 409).

use std::net::Ipv4Addr;

use ipnet::Ipv4Net;

use super::db::{unchanged, Change, Db};
use super::model::{
    tunnel_hosts, CustomerGateway, Object, Psk, TunnelOptions, VpnConnection, VpnTunnel,
    STATUS_DOWN, STATUS_UP, TUNNEL_IP_PREFIX_LEN, VPN_TUNNELS,
};
use crate::sandbox::change::{inputs, set};
use crate::sandbox::jdcloud::error::{JdError, Status};

/// Where tunnels without an explicit `tunnelIp` get their /30 (the first of the allowed ranges).
const AUTO_TUNNEL_IP_RANGE: ([u8; 4], u8) = ([169, 254, 0, 0], 20);

inputs! {
    /// A create, its fields already checked (`local_tunnel_ip` only with `tunnel_ip`).
    NewVpnTunnel /
    /// `VpnTunnelModifySpec`: psk, tunnel addresses and every IKE/IPsec option, all optional;
    /// the connection and the two public addresses may only be resent (ForceNew fields).
    VpnTunnelChange {
        connection_id: String,
        cloud_public_ip: String,
        customer_ip: String,
        psk: String,
    }
    same {
        /// Optional at create too (default: the next free /30).
        tunnel_ip: Option<Ipv4Net>,
        local_tunnel_ip: Option<Ipv4Addr>,
        /// Only the options sent; the others take their defaults (create) or stay (modify).
        options: TunnelOptions,
    }
}

pub(crate) fn create(db: &Db<'_>, new: NewVpnTunnel) -> Result<VpnTunnel, JdError> {
    let now = db.timestamp();
    let mut tunnel = VpnTunnel {
        vpn_tunnel_id: String::new(),
        vpn_connection_id: new.connection_id,
        local_id: new.cloud_public_ip.clone(),
        remote_id: new.customer_ip.clone(),
        local_ip: new.cloud_public_ip.clone(),
        remote_ip: new.customer_ip.clone(),
        cloud_public_ip: new.cloud_public_ip,
        customer_ip: new.customer_ip,
        psk: Psk::new(new.psk),
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
    TunnelOptions::defaults().apply(&mut tunnel);
    new.options.apply(&mut tunnel);

    let connection = db.get::<VpnConnection>(&tunnel.vpn_connection_id)?;
    let cloud_ips = &connection.cloud_public_ip;
    check_address_of(
        "cloudPublicIp",
        &tunnel.cloud_public_ip,
        "a public IP",
        &connection,
        cloud_ips,
    )?;
    let cgw = db.get::<CustomerGateway>(&connection.cgw_id)?;
    check_address_of(
        "customerIp",
        &tunnel.customer_ip,
        "an IP",
        &cgw,
        &cgw.customer_ips,
    )?;
    // "Number of VPN Tunnels creatable between the same pair of cloud public network address and
    // customer gateway public network addresses: 1" (this also caps a connection at 2 × |customerIps|).
    let siblings =
        db.all_where(|t: &VpnTunnel| t.vpn_connection_id == connection.vpn_connection_id)?;
    if let Some(other) = siblings.iter().find(|t| {
        t.cloud_public_ip == tunnel.cloud_public_ip && t.customer_ip == tunnel.customer_ip
    }) {
        return Err(JdError::failed_precondition(format!(
            "VpnTunnel '{}' already connects {} and {}; only one tunnel per address pair",
            other.vpn_tunnel_id, tunnel.cloud_public_ip, tunnel.customer_ip
        )));
    }
    let taken = tunnel_nets_of_bgw(db, &connection.bgw_id, None)?;
    let net = match new.tunnel_ip {
        Some(net) => {
            check_tunnel_ip_free(net, &taken, &connection.bgw_id)?;
            net
        }
        None => allocate_tunnel_ip(&taken, &connection.bgw_id)?,
    };
    let local = match new.local_tunnel_ip {
        Some(ip) => check_local_tunnel_ip(ip, net)?,
        None => tunnel_hosts(net)[0],
    };
    set_tunnel_ips(&mut tunnel, net, local);

    tunnel.vpn_tunnel_id = db.new_id(VPN_TUNNELS)?;
    db.add(&tunnel)?;
    db.refresh_ha_status(&tunnel.vpn_connection_id)?;
    Ok(tunnel)
}

/// A tunnel's `field` must be one of `owner`'s addresses (`what` names them).
fn check_address_of<T: Object>(
    field: &'static str,
    address: &str,
    what: &str,
    owner: &T,
    addresses: &[String],
) -> Result<(), JdError> {
    if addresses.iter().any(|a| a == address) {
        return Ok(());
    }
    Err(JdError::field(
        Status::InvalidArgument,
        field,
        format!(
            "{address:?} is not {what} of {} '{}' ({})",
            T::WHAT,
            owner.id(),
            addresses.join(", ")
        ),
    ))
}

impl Change for VpnTunnelChange {
    type Target = VpnTunnel;
    fn apply(self, db: &Db<'_>, tunnel: &mut VpnTunnel) -> Result<bool, JdError> {
        let change = self;
        let before = tunnel.clone();
        unchanged(
            "vpnConnectionId",
            &tunnel.vpn_connection_id,
            change.connection_id.as_ref(),
        )?;
        unchanged(
            "cloudPublicIp",
            &tunnel.cloud_public_ip,
            change.cloud_public_ip.as_ref(),
        )?;
        unchanged(
            "customerIp",
            &tunnel.customer_ip,
            change.customer_ip.as_ref(),
        )?;
        set(&mut tunnel.psk, change.psk.map(Psk::new));
        change.options.apply(tunnel);

        let current_net = stored_net(tunnel)?;
        let net = change.tunnel_ip.unwrap_or(current_net);
        if net != current_net {
            let connection = db.get::<VpnConnection>(&tunnel.vpn_connection_id)?;
            let taken = tunnel_nets_of_bgw(db, &connection.bgw_id, Some(&tunnel.vpn_tunnel_id))?;
            check_tunnel_ip_free(net, &taken, &connection.bgw_id)?;
        }
        let local = match change.local_tunnel_ip {
            Some(ip) => check_local_tunnel_ip(ip, net)?,
            None => {
                // Keep the cloud side on the same host position of the (possibly new) block.
                let old_hosts = tunnel_hosts(current_net);
                let position = usize::from(tunnel.local_tunnel_ip == old_hosts[1].to_string());
                tunnel_hosts(net)[position]
            }
        };
        set_tunnel_ips(tunnel, net, local);
        Ok(*tunnel != before)
    }
}

/// `modifyAdminStatus`: `UP` or `DOWN` (already checked).
pub(crate) fn set_admin_status(db: &Db<'_>, id: &str, status: String) -> Result<(), JdError> {
    let mut tunnel = db.get::<VpnTunnel>(id)?;
    if status != tunnel.admin_status {
        tunnel.admin_status = status.clone();
        tunnel.op_status = status;
        tunnel.touch(db.timestamp());
        db.save(&tunnel)?;
        db.refresh_ha_status(&tunnel.vpn_connection_id)?;
    }
    Ok(())
}

/// "can only be deleted when the management status of the VPN Tunnel is 'DOWN'"
/// (docs/design/jdcloud.md §4.5).
pub(crate) fn delete(db: &Db<'_>, id: &str) -> Result<(), JdError> {
    let tunnel = db.get::<VpnTunnel>(id)?;
    if tunnel.admin_status != STATUS_DOWN {
        return Err(JdError::failed_precondition(format!(
            "VpnTunnel '{}': tunnel must be DOWN to be deleted (adminStatus is {}; \
             call modifyAdminStatus with DOWN first)",
            tunnel.vpn_tunnel_id, tunnel.admin_status
        )));
    }
    db.remove(&tunnel)?;
    db.refresh_ha_status(&tunnel.vpn_connection_id)
}

/// The stored inside block of a tunnel.
fn stored_net(tunnel: &VpnTunnel) -> Result<Ipv4Net, JdError> {
    tunnel.tunnel_ip.parse().map_err(|_| {
        JdError::internal(format!(
            "stored tunnelIp {:?} of VpnTunnel '{}' is not a CIDR block",
            tunnel.tunnel_ip, tunnel.vpn_tunnel_id
        ))
    })
}

fn set_tunnel_ips(tunnel: &mut VpnTunnel, net: Ipv4Net, local: Ipv4Addr) {
    let hosts = tunnel_hosts(net);
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
fn check_local_tunnel_ip(ip: Ipv4Addr, net: Ipv4Net) -> Result<Ipv4Addr, JdError> {
    let hosts = tunnel_hosts(net);
    if hosts.contains(&ip) {
        Ok(ip)
    } else {
        Err(JdError::field(
            Status::InvalidArgument,
            "localTunnelIp",
            format!(
                "{ip} must be {} or {} (a usable host of tunnelIp {net})",
                hosts[0], hosts[1]
            ),
        ))
    }
}

/// "不能和同一边界网关上的其它VPN隧道内层地址冲突".
fn check_tunnel_ip_free(
    net: Ipv4Net,
    taken: &[(String, Ipv4Net)],
    bgw_id: &str,
) -> Result<(), JdError> {
    match taken
        .iter()
        .find(|(_, other)| other.contains(&net) || net.contains(other))
    {
        Some((id, other)) => Err(JdError::field(
            Status::FailedPrecondition,
            "tunnelIp",
            format!("{net} conflicts with {other} of VpnTunnel '{id}' on Bgw '{bgw_id}'"),
        )),
        None => Ok(()),
    }
}

/// The lowest /30 of [`AUTO_TUNNEL_IP_RANGE`] no tunnel of the gateway overlaps.
fn allocate_tunnel_ip(taken: &[(String, Ipv4Net)], bgw_id: &str) -> Result<Ipv4Net, JdError> {
    let (addr, len) = AUTO_TUNNEL_IP_RANGE;
    let range = Ipv4Net::new(Ipv4Addr::from(addr), len)
        .map_err(|e| JdError::internal(format!("tunnel IP range: {e}")))?;
    let blocks = range
        .subnets(TUNNEL_IP_PREFIX_LEN)
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
                "no free /{TUNNEL_IP_PREFIX_LEN} left in {range} for the tunnels of Bgw \
                 '{bgw_id}'; set tunnelIp"
            ))
        })
}

/// Inside blocks of every tunnel on border gateway `bgw_id` (all its connections), except one.
fn tunnel_nets_of_bgw(
    db: &Db<'_>,
    bgw_id: &str,
    except: Option<&str>,
) -> Result<Vec<(String, Ipv4Net)>, JdError> {
    let connections: Vec<String> = db
        .all_where(|c: &VpnConnection| c.bgw_id == bgw_id)?
        .into_iter()
        .map(|c| c.vpn_connection_id)
        .collect();
    let all: Vec<VpnTunnel> = db.all()?;
    let mut out = Vec::new();
    for t in all {
        if connections.contains(&t.vpn_connection_id) && Some(t.vpn_tunnel_id.as_str()) != except {
            let net = stored_net(&t)?;
            out.push((t.vpn_tunnel_id, net));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert!(check_tunnel_ip_free(n("169.254.0.4/30"), &taken, "bgw").is_ok());
        let e = check_tunnel_ip_free(n("169.254.0.8/30"), &taken, "bgw").unwrap_err();
        assert_eq!(e.field, Some("tunnelIp"));
    }
}
