//! Huawei VRP (AR routers, V200R010 and later): per tunnel an IKE proposal,
//! an IKE peer with the pre-shared key, an IPsec proposal and profile, a
//! `Tunnel0/0/<n>` interface with `tunnel-protocol ipsec`, and BGP peers on
//! the inside addresses. INFERRED: the syntax follows Huawei's AR
//! configuration guides; it has not been loaded on a device
//! (docs/design/ipsec.md).

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use super::lines::Lines;
use super::model::{PeerConfig, TunnelEnd};

fn name(t: &TunnelEnd) -> String {
    format!("hybridnet-{}", t.number)
}

fn is_ip(id: &str) -> bool {
    id.parse::<Ipv4Addr>().is_ok()
}

pub fn render(cfg: &PeerConfig) -> String {
    let mut o = Lines::new("#");
    o.header(cfg, true);
    for t in &cfg.tunnels {
        let n = name(t);
        o.line(format!(
            "# Tunnel {}: {} tunnel {}",
            t.number,
            cfg.cloud.title(),
            t.cloud_tunnel_id
        ));
        o.line(format!("ike proposal {}", t.number));
        o.line(format!(
            " encryption-algorithm {}",
            t.ike.encryption.huawei_ike
        ));
        if let Some(g) = t.ike.group {
            o.line(format!(" dh {}", g.huawei_ike));
        }
        o.line(" authentication-method pre-share");
        o.line(format!(
            " authentication-algorithm {}",
            t.ike.integrity.huawei_ike
        ));
        if t.ike_version == 2 {
            // IKEv2 takes integrity and PRF as HMACs of the same hash.
            o.line(format!(
                " integrity-algorithm hmac-{}",
                t.ike.integrity.huawei_ike
            ));
            o.line(format!(" prf hmac-{}", t.ike.integrity.huawei_ike));
        }
        if let Some(l) = t.ike_lifetime {
            o.line(format!(" sa duration {l}"));
        }
        o.line("#");
        o.line(format!("ike peer {n}"));
        if t.ike_version == 1 {
            o.line(" undo version 2");
            o.line(format!(
                " exchange-mode {}",
                if t.aggressive { "aggressive" } else { "main" }
            ));
        } else {
            o.line(" undo version 1");
        }
        o.line(format!(" pre-shared-key cipher {}", t.psk.as_str()));
        o.line(format!(" ike-proposal {}", t.number));
        if is_ip(&t.local_id) {
            o.line(" local-id-type ip");
            o.line(format!(" local-address {}", t.local_id));
        } else {
            o.line(" local-id-type fqdn");
            o.line(format!(" local-id {}", t.local_id));
            o.line(format!(" local-address {}", t.device_ip));
        }
        if is_ip(&t.remote_id) {
            o.line(" remote-id-type ip");
        } else {
            o.line(" remote-id-type fqdn");
            o.line(format!(" remote-id {}", t.remote_id));
        }
        o.line(format!(" remote-address {}", t.peer_ip));
        if let Some(d) = t.dpd_delay {
            o.line(" dpd type periodic");
            o.line(format!(" dpd idle-time {d}"));
        }
        o.line("#");
        o.line(format!("ipsec proposal {n}"));
        o.line(" transform esp");
        o.line(format!(
            " esp authentication-algorithm {}",
            t.esp.integrity.huawei_esp
        ));
        o.line(format!(
            " esp encryption-algorithm {}",
            t.esp.encryption.huawei_esp
        ));
        o.line("#");
        o.line(format!("ipsec profile {n}"));
        o.line(format!(" ike-peer {n}"));
        o.line(format!(" proposal {n}"));
        if let Some(g) = t.esp.group {
            o.line(format!(" pfs {}", g.huawei_esp));
        }
        if let Some(l) = t.esp_lifetime {
            o.line(format!(" sa duration time-based {l}"));
        }
        o.line("#");
        o.line(format!("interface Tunnel0/0/{}", t.number));
        o.line(format!(
            " description {} tunnel {}",
            cfg.cloud.key(),
            t.cloud_tunnel_id
        ));
        match &t.inside {
            Some(i) => o.line(format!(" ip address {} {}", i.device, i.cidr.prefix_len())),
            None => o.line(" ip address unnumbered interface <uplink>"),
        }
        o.line(" tunnel-protocol ipsec");
        o.line(format!(" source {}", t.device_ip));
        o.line(format!(" destination {}", t.peer_ip));
        o.line(format!(" ipsec profile {n}"));
        o.line("#");
    }
    bgp(&mut o, cfg);
    o.line("return");
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
        o.line("# BGP is off on this connection: add static routes to the cloud's prefixes,");
        o.line("# e.g. ip route-static <prefix> <mask> Tunnel0/0/<n>");
        o.line("#");
        return;
    }
    for (asn, tunnels) in by_asn {
        o.line(format!("bgp {asn}"));
        for t in &tunnels {
            if let (Some(b), Some(i)) = (&t.bgp, &t.inside) {
                o.line(format!(" peer {} as-number {}", i.cloud, b.cloud_asn));
                o.line(format!(
                    " peer {} connect-interface Tunnel0/0/{}",
                    i.cloud, t.number
                ));
            }
        }
        o.line(" #");
        o.line(" ipv4-family unicast");
        o.line("  # network <a data-centre prefix> <mask length>");
        for t in &tunnels {
            if let Some(i) = &t.inside {
                o.line(format!("  peer {} enable", i.cloud));
            }
        }
        o.line("#");
    }
}
