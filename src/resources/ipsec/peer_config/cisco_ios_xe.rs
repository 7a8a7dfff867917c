//! Cisco IOS XE: per tunnel an IKEv2 proposal, policy, keyring and profile
//! (or, for IKEv1, an ISAKMP policy and key), an IPsec transform set and
//! profile, a `Tunnel<n>` interface in `tunnel mode ipsec ipv4` (a VTI),
//! and BGP neighbours on the inside addresses.

use std::net::Ipv4Addr;

use super::lines::{is_ip, BgpWords, Device, Lines};
use super::model::{PeerConfig, TunnelEnd};

fn name(t: &TunnelEnd) -> String {
    format!("HYBRIDNET-{}", t.number)
}

/// The profile's match on the identity the cloud sends: its address with a
/// host mask, or its name.
fn match_identity(t: &TunnelEnd, address: &str, name: &str) -> String {
    let id = &t.remote_id;
    if is_ip(id) {
        format!(" match identity {address} {id} 255.255.255.255")
    } else {
        format!(" match identity {name} {id}")
    }
}

fn netmask(prefix: u8) -> Ipv4Addr {
    Ipv4Addr::from(u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0))
}

fn ikev2(o: &mut Lines, t: &TunnelEnd) {
    let n = name(t);
    o.line(format!("crypto ikev2 proposal {n}"));
    o.line(format!(" encryption {}", t.ike.encryption.cisco_ike));
    o.line(format!(" integrity {}", t.ike.integrity.cisco_ike));
    o.maybe(t.ike.group.map(|g| format!(" group {}", g.cisco_ike)));
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
    o.line(match_identity(t, "remote address", "remote fqdn"));
    if is_ip(&t.local_id) {
        o.line(format!(" identity local address {}", t.local_id));
    } else {
        o.line(format!(" identity local fqdn {}", t.local_id));
    }
    o.line(format!(" match address local {}", t.device_ip));
    o.line(" authentication remote pre-share");
    o.line(" authentication local pre-share");
    o.line(format!(" keyring local {n}"));
    o.maybe(t.ike_lifetime.map(|l| format!(" lifetime {l}")));
    o.maybe(t.dpd_delay.map(|d| format!(" dpd {d} 3 periodic")));
    o.line("!");
}

fn ikev1(o: &mut Lines, t: &TunnelEnd) {
    let n = name(t);
    o.line(format!("crypto isakmp policy {}", 10 * t.number));
    o.line(format!(" encryption {}", t.ike.encryption.cisco_isakmp));
    o.line(format!(" hash {}", t.ike.integrity.cisco_isakmp));
    o.line(" authentication pre-share");
    o.maybe(t.ike.group.map(|g| format!(" group {}", g.cisco_isakmp)));
    o.maybe(t.ike_lifetime.map(|l| format!(" lifetime {l}")));
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
    o.line(match_identity(t, "address", "host"));
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
    o.maybe(t.dpd_delay.map(|d| format!(" keepalive {d} retry 3")));
    o.line("!");
}

/// IKE (v1 or v2), the transform set and the IPsec profile of one tunnel.
fn crypto(o: &mut Lines, t: &TunnelEnd) {
    let n = name(t);
    if t.ike_version == 1 {
        ikev1(o, t);
    } else {
        ikev2(o, t);
    }
    o.line(format!(
        "crypto ipsec transform-set {n} {} {}",
        t.esp.encryption.cisco_esp, t.esp.integrity.cisco_esp
    ));
    o.line(" mode tunnel");
    o.line("!");
    o.line(format!("crypto ipsec profile {n}"));
    o.line(format!(" set transform-set {n}"));
    o.esp_options(
        t,
        |g| format!(" set pfs {}", g.cisco_esp),
        " set security-association lifetime seconds",
    );
    if t.ike_version == 1 {
        o.line(format!(" set isakmp-profile {n}"));
    } else {
        o.line(format!(" set ikev2-profile {n}"));
    }
}

const DEVICE: Device = Device {
    comment: "!",
    interface: "Tunnel",
    crypto,
    address: |i| format!("ip address {} {}", i.device, netmask(i.cidr.prefix_len())),
    // No inside /30 from the cloud: borrow the uplink's address.
    unnumbered: "ip unnumbered <uplink>",
    tunnel: |t| {
        [
            format!("tunnel source {}", t.device_ip),
            format!("tunnel destination {}", t.peer_ip),
            "tunnel mode ipsec ipv4".into(),
            format!("tunnel protection ipsec profile {}", name(t)),
        ]
    },
    bgp: BgpWords {
        router: "router bgp",
        settings: &[" bgp log-neighbor-changes"],
        neighbor: "neighbor",
        remote_as: "remote-as",
        family: &[
            " address-family ipv4",
            "  ! network <a data-centre prefix> mask <mask>",
        ],
        activate: "activate",
        close: &[" exit-address-family", "!"],
    },
    bgp_source: "update-source",
    static_route: "ip route <prefix> <mask>",
    end: "end",
};

pub fn render(cfg: &PeerConfig) -> String {
    DEVICE.render(cfg)
}
