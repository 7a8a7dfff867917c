//! Huawei VRP (AR routers, V200R010 and later): per tunnel an IKE proposal,
//! an IKE peer with the pre-shared key, an IPsec proposal and profile, a
//! `Tunnel0/0/<n>` interface with `tunnel-protocol ipsec`, and BGP peers on
//! the inside addresses. INFERRED: the syntax follows Huawei's AR
//! configuration guides; it has not been loaded on a device
//! (docs/design/ipsec.md).

use super::lines::{is_ip, BgpWords, Device, Lines};
use super::model::{PeerConfig, TunnelEnd};

fn name(t: &TunnelEnd) -> String {
    format!("hybridnet-{}", t.number)
}

/// The IKE proposal and peer, the IPsec proposal and profile of one tunnel.
fn crypto(o: &mut Lines, t: &TunnelEnd) {
    let n = name(t);
    o.line(format!("ike proposal {}", t.number));
    o.line(format!(
        " encryption-algorithm {}",
        t.ike.encryption.huawei_ike
    ));
    o.maybe(t.ike.group.map(|g| format!(" dh {}", g.huawei_ike)));
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
    o.maybe(t.ike_lifetime.map(|l| format!(" sa duration {l}")));
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
    o.esp_options(
        t,
        |g| format!(" pfs {}", g.huawei_esp),
        " sa duration time-based",
    );
}

const DEVICE: Device = Device {
    comment: "#",
    interface: "Tunnel0/0/",
    crypto,
    address: |i| format!("ip address {} {}", i.device, i.cidr.prefix_len()),
    unnumbered: "ip address unnumbered interface <uplink>",
    tunnel: |t| {
        [
            "tunnel-protocol ipsec".into(),
            format!("source {}", t.device_ip),
            format!("destination {}", t.peer_ip),
            format!("ipsec profile {}", name(t)),
        ]
    },
    bgp: BgpWords {
        router: "bgp",
        settings: &[],
        neighbor: "peer",
        remote_as: "as-number",
        family: &[
            " #",
            " ipv4-family unicast",
            "  # network <a data-centre prefix> <mask length>",
        ],
        activate: "enable",
        close: &["#"],
    },
    bgp_source: "connect-interface",
    static_route: "ip route-static <prefix> <mask>",
    end: "return",
};

pub fn render(cfg: &PeerConfig) -> String {
    DEVICE.render(cfg)
}
