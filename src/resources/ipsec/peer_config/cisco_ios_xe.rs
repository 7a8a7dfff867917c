//! Cisco IOS XE: per tunnel an IKEv2 proposal, policy, keyring and profile
//! (or, for IKEv1, an ISAKMP policy and key), an IPsec transform set and
//! profile, a `Tunnel<n>` interface in `tunnel mode ipsec ipv4` (a VTI),
//! and BGP neighbours on the inside addresses.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use super::lines::Lines;
use super::model::{PeerConfig, TunnelEnd};

fn name(t: &TunnelEnd) -> String {
    format!("HYBRIDNET-{}", t.number)
}

fn is_ip(id: &str) -> bool {
    id.parse::<Ipv4Addr>().is_ok()
}

fn netmask(prefix: u8) -> Ipv4Addr {
    Ipv4Addr::from(u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0))
}

fn ikev2(o: &mut Lines, t: &TunnelEnd) {
    let n = name(t);
    o.line(format!("crypto ikev2 proposal {n}"));
    o.line(format!(" encryption {}", t.ike.encryption.cisco_ike));
    o.line(format!(" integrity {}", t.ike.integrity.cisco_ike));
    if let Some(g) = t.ike.group {
        o.line(format!(" group {}", g.cisco_ike));
    }
    o.line("!");
    o.line(format!("crypto ikev2 policy {n}"));
    o.line(format!(" match address local {}", t.device_ip));
    o.line(format!(" proposal {n}"));
    o.line("!");
    o.line(format!("crypto ikev2 keyring {n}"));
    o.line(format!(" peer {n}"));
    o.line(format!("  address {}", t.peer_ip));
    o.line(format!("  pre-shared-key {}", t.psk.as_str()));
    o.line("!");
    o.line(format!("crypto ikev2 profile {n}"));
    if is_ip(&t.remote_id) {
        o.line(format!(
            " match identity remote address {} 255.255.255.255",
            t.remote_id
        ));
    } else {
        o.line(format!(" match identity remote fqdn {}", t.remote_id));
    }
    if is_ip(&t.local_id) {
        o.line(format!(" identity local address {}", t.local_id));
    } else {
        o.line(format!(" identity local fqdn {}", t.local_id));
    }
    o.line(format!(" match address local {}", t.device_ip));
    o.line(" authentication remote pre-share");
    o.line(" authentication local pre-share");
    o.line(format!(" keyring local {n}"));
    if let Some(l) = t.ike_lifetime {
        o.line(format!(" lifetime {l}"));
    }
    if let Some(d) = t.dpd_delay {
        o.line(format!(" dpd {d} 3 periodic"));
    }
    o.line("!");
}

fn ikev1(o: &mut Lines, t: &TunnelEnd) {
    let n = name(t);
    o.line(format!("crypto isakmp policy {}", 10 * t.number));
    o.line(format!(" encryption {}", t.ike.encryption.cisco_isakmp));
    o.line(format!(" hash {}", t.ike.integrity.cisco_isakmp));
    o.line(" authentication pre-share");
    if let Some(g) = t.ike.group {
        o.line(format!(" group {}", g.cisco_isakmp));
    }
    if let Some(l) = t.ike_lifetime {
        o.line(format!(" lifetime {l}"));
    }
    o.line("!");
    o.line(format!("crypto keyring {n}"));
    o.line(format!(
        " pre-shared-key address {} key {}",
        t.peer_ip,
        t.psk.as_str()
    ));
    o.line("!");
    o.line(format!("crypto isakmp profile {n}"));
    o.line(format!(" keyring {n}"));
    if is_ip(&t.remote_id) {
        o.line(format!(
            " match identity address {} 255.255.255.255",
            t.remote_id
        ));
    } else {
        o.line(format!(" match identity host {}", t.remote_id));
    }
    o.line(format!(" local-address {}", t.device_ip));
    if !is_ip(&t.local_id) {
        // IKEv1 sends a name only when told to, for the whole router.
        o.line(format!(
            " ! the cloud expects the identity {}: needs crypto isakmp identity hostname",
            t.local_id
        ));
    }
    if t.aggressive {
        o.line(" initiate mode aggressive");
    }
    if let Some(d) = t.dpd_delay {
        o.line(format!(" keepalive {d} retry 3"));
    }
    o.line("!");
}

pub fn render(cfg: &PeerConfig) -> String {
    let mut o = Lines::new("!");
    o.header(cfg, true);
    for t in &cfg.tunnels {
        let n = name(t);
        o.line(format!(
            "! Tunnel {}: {} tunnel {}",
            t.number,
            cfg.cloud.title(),
            t.cloud_tunnel_id
        ));
        if t.ike_version == 1 {
            ikev1(&mut o, t);
        } else {
            ikev2(&mut o, t);
        }
        o.line(format!(
            "crypto ipsec transform-set {n} {} {}",
            t.esp.encryption.cisco_esp, t.esp.integrity.cisco_esp
        ));
        o.line(" mode tunnel");
        o.line("!");
        o.line(format!("crypto ipsec profile {n}"));
        o.line(format!(" set transform-set {n}"));
        if let Some(g) = t.esp.group {
            o.line(format!(" set pfs {}", g.cisco_esp));
        }
        if let Some(l) = t.esp_lifetime {
            o.line(format!(" set security-association lifetime seconds {l}"));
        }
        if t.ike_version == 1 {
            o.line(format!(" set isakmp-profile {n}"));
        } else {
            o.line(format!(" set ikev2-profile {n}"));
        }
        o.line("!");
        o.line(format!("interface Tunnel{}", t.number));
        o.line(format!(
            " description {} tunnel {}",
            cfg.cloud.key(),
            t.cloud_tunnel_id
        ));
        match &t.inside {
            Some(i) => o.line(format!(
                " ip address {} {}",
                i.device,
                netmask(i.cidr.prefix_len())
            )),
            // No inside /30 from the cloud: borrow the uplink's address.
            None => o.line(" ip unnumbered <uplink>"),
        }
        o.line(format!(" tunnel source {}", t.device_ip));
        o.line(format!(" tunnel destination {}", t.peer_ip));
        o.line(" tunnel mode ipsec ipv4");
        o.line(format!(" tunnel protection ipsec profile {n}"));
        o.line("!");
    }
    bgp(&mut o, cfg);
    o.line("end");
    o.finish()
}

fn bgp(o: &mut Lines, cfg: &PeerConfig) {
    let mut by_asn: BTreeMap<i64, Vec<&TunnelEnd>> = BTreeMap::new();
    for t in &cfg.tunnels {
        if let (Some(b), Some(_)) = (&t.bgp, &t.inside) {
            by_asn.entry(b.device_asn).or_default().push(t);
        }
    }
    if by_asn.is_empty() {
        o.line("! BGP is off on this connection: add static routes to the cloud's prefixes,");
        o.line("! e.g. ip route <prefix> <mask> Tunnel<n>");
        o.line("!");
        return;
    }
    for (asn, tunnels) in by_asn {
        o.line(format!("router bgp {asn}"));
        o.line(" bgp log-neighbor-changes");
        for t in &tunnels {
            if let (Some(b), Some(i)) = (&t.bgp, &t.inside) {
                o.line(format!(" neighbor {} remote-as {}", i.cloud, b.cloud_asn));
                o.line(format!(
                    " neighbor {} update-source Tunnel{}",
                    i.cloud, t.number
                ));
            }
        }
        o.line(" address-family ipv4");
        o.line("  ! network <a data-centre prefix> mask <mask>");
        for t in &tunnels {
            if let Some(i) = &t.inside {
                o.line(format!("  neighbor {} activate", i.cloud));
            }
        }
        o.line(" exit-address-family");
        o.line("!");
    }
}
