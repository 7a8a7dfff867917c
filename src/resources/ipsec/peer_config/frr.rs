//! FRR `frr.conf` (bgpd): one BGP neighbour per tunnel, on the cloud's
//! inside address. The /30 is directly connected over the tunnel
//! interface, so no ebgp-multihop. The tunnels themselves come from the
//! `strongswan` output (or any IPsec daemon with route-based interfaces).

use std::collections::BTreeMap;

use super::lines::Lines;
use super::model::{PeerConfig, TunnelEnd};

pub fn render(cfg: &PeerConfig) -> String {
    let mut o = Lines::new("!");
    o.header(cfg, false);
    let mut by_asn: BTreeMap<i64, Vec<&TunnelEnd>> = BTreeMap::new();
    for t in &cfg.tunnels {
        if let (Some(b), Some(_)) = (&t.bgp, &t.inside) {
            by_asn.entry(b.device_asn).or_default().push(t);
        }
    }
    if !cfg.bgp || by_asn.is_empty() {
        o.line("! BGP is off on this connection: the cloud routes statically, so there are no");
        o.line("! neighbours. Route the cloud's prefixes into the tunnel interfaces instead.");
        return o.finish();
    }
    o.line("frr defaults traditional");
    o.line("!");
    if by_asn.len() > 1 {
        o.line("! The tunnels end on devices with different ASNs: one router block each.");
    }
    for (asn, tunnels) in &by_asn {
        o.line(format!("router bgp {asn}"));
        // Without a policy FRR (since 7.4) neither sends nor accepts eBGP routes.
        o.line(" no bgp ebgp-requires-policy");
        for t in tunnels {
            let (Some(b), Some(i)) = (&t.bgp, &t.inside) else {
                continue;
            };
            o.line(format!(" neighbor {} remote-as {}", i.cloud, b.cloud_asn));
            o.line(format!(
                " neighbor {} description {} tunnel {}",
                i.cloud,
                cfg.cloud.key(),
                t.cloud_tunnel_id
            ));
            o.line(format!(" neighbor {} update-source {}", i.cloud, i.device));
        }
        o.line(" !");
        o.line(" address-family ipv4 unicast");
        o.line("  ! network <a data-centre prefix to announce>");
        for t in tunnels {
            if let Some(i) = &t.inside {
                o.line(format!("  neighbor {} activate", i.cloud));
            }
        }
        o.line(" exit-address-family");
        o.line("exit");
        o.line("!");
    }
    o.finish()
}
