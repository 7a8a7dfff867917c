//! FRR `frr.conf` (bgpd): one BGP neighbour per tunnel, on the cloud's
//! inside address. The /30 is directly connected over the tunnel
//! interface, so no ebgp-multihop. The tunnels themselves come from the
//! `strongswan` output (or any IPsec daemon with route-based interfaces).

use super::lines::{BgpWords, Lines};
use super::model::PeerConfig;

const BGP: BgpWords = BgpWords {
    router: "router bgp",
    // Without a policy FRR (since 7.4) neither sends nor accepts eBGP routes.
    settings: &[" no bgp ebgp-requires-policy"],
    neighbor: "neighbor",
    remote_as: "remote-as",
    family: &[
        " !",
        " address-family ipv4 unicast",
        "  ! network <a data-centre prefix to announce>",
    ],
    activate: "activate",
    close: &[" exit-address-family", "exit", "!"],
};

pub fn render(cfg: &PeerConfig) -> String {
    let mut o = Lines::new("!");
    o.header(cfg, false);
    let routers = cfg.routers();
    if !cfg.bgp || routers.is_empty() {
        o.line("! BGP is off on this connection: the cloud routes statically, so there are no");
        o.line("! neighbours. Route the cloud's prefixes into the tunnel interfaces instead.");
        return o.finish();
    }
    o.line("frr defaults traditional");
    o.line("!");
    if routers.len() > 1 {
        o.line("! The tunnels end on devices with different ASNs: one router block each.");
    }
    o.bgp(&routers, &BGP, |s| {
        vec![
            format!(
                "description {} tunnel {}",
                cfg.cloud.key(),
                s.tunnel.cloud_tunnel_id
            ),
            format!("update-source {}", s.inside.device),
        ]
    });
    o.finish()
}
