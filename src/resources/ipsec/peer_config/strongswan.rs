//! strongSwan `swanctl.conf`, route-based: one connection per tunnel, each
//! bound to its own XFRM interface through `if_id_in`/`if_id_out`, with
//! traffic selectors 0.0.0.0/0 so routing (static or BGP) picks the tunnel.

use super::lines::Lines;
use super::model::{PeerConfig, Suite, TunnelEnd};
use crate::resources::ipsec::algorithms::strongswan_proposal;

/// `aes256-sha256-modp2048`, or without the group for ESP without PFS.
fn proposal(s: &Suite) -> String {
    strongswan_proposal(
        s.encryption.neutral,
        s.integrity.neutral,
        s.group.map(|g| g.neutral),
    )
}

/// A swanctl string value. swanctl reads a secret starting with `0x` or `0s`
/// (any case) as hex or base64 even inside quotes, so such a key is written
/// in hex; any other is double-quoted with `\` and `"` escaped, which keeps
/// `'`, backticks and every other character as they are.
pub fn secret(psk: &str) -> String {
    let lower = psk.get(..2).map(str::to_ascii_lowercase);
    if matches!(lower.as_deref(), Some("0x" | "0s")) {
        let hex: String = psk.bytes().map(|b| format!("{b:02x}")).collect();
        return format!("0x{hex}");
    }
    let mut s = String::with_capacity(psk.len() + 2);
    s.push('"');
    for c in psk.chars() {
        if matches!(c, '"' | '\\') {
            s.push('\\');
        }
        s.push(c);
    }
    s.push('"');
    s
}

/// The connection's name: `hybridnet-<n>`.
pub fn conn_name(t: &TunnelEnd) -> String {
    format!("hybridnet-{}", t.number)
}

/// The XFRM interface of a tunnel: `xfrm<n>`.
fn interface(t: &TunnelEnd) -> String {
    format!("xfrm{}", t.number)
}

pub fn render(cfg: &PeerConfig) -> String {
    let mut o = Lines::new("#");
    o.header(cfg, true);
    o.line("# Route-based: each tunnel's traffic goes through its own XFRM interface, matched by");
    o.line("# if_id. Create the interfaces before loading this file (as root; <uplink> is the");
    o.line("# interface holding the device address):");
    for t in &cfg.tunnels {
        o.line(format!(
            "#   ip link add {} type xfrm dev <uplink> if_id {}",
            interface(t),
            t.number
        ));
        if let Some(i) = &t.inside {
            o.line(format!(
                "#   ip addr add {}/{} dev {}",
                i.device,
                i.cidr.prefix_len(),
                interface(t)
            ));
        }
        o.line(format!("#   ip link set {} up", interface(t)));
    }
    if !cfg.bgp {
        o.line("# BGP is off: route the cloud's prefixes into the interfaces, e.g.");
        o.line("#   ip route add <cloud prefix> dev xfrm<n>");
    }
    o.line("");
    o.line("connections {");
    for t in &cfg.tunnels {
        let name = conn_name(t);
        o.line(format!("  {name} {{"));
        o.line(format!(
            "    # {} tunnel {}",
            cfg.cloud.title(),
            t.cloud_tunnel_id
        ));
        o.line(format!("    version = {}", t.ike_version));
        if t.aggressive {
            o.line("    aggressive = yes");
        }
        o.line(format!("    local_addrs = {}", t.device_ip));
        o.line(format!("    remote_addrs = {}", t.peer_ip));
        o.line(format!("    proposals = {}", proposal(&t.ike)));
        o.maybe(t.ike_lifetime.map(|l| format!("    rekey_time = {l}s")));
        o.maybe(t.dpd_delay.map(|d| format!("    dpd_delay = {d}s")));
        o.line(format!("    if_id_in = {}", t.number));
        o.line(format!("    if_id_out = {}", t.number));
        o.line("    local {");
        o.line("      auth = psk");
        o.line(format!("      id = {}", t.local_id));
        o.line("    }");
        o.line("    remote {");
        o.line("      auth = psk");
        o.line(format!("      id = {}", t.remote_id));
        o.line("    }");
        o.line("    children {");
        o.line(format!("      {name} {{"));
        o.line("        local_ts = 0.0.0.0/0");
        o.line("        remote_ts = 0.0.0.0/0");
        o.line(format!("        esp_proposals = {}", proposal(&t.esp)));
        o.maybe(t.esp_lifetime.map(|l| format!("        rekey_time = {l}s")));
        if t.dpd_delay.is_some() {
            o.line("        dpd_action = restart");
        }
        o.line("        start_action = start");
        o.line("      }");
        o.line("    }");
        o.line("  }");
    }
    o.line("}");
    o.line("");
    o.line("secrets {");
    for t in &cfg.tunnels {
        o.line(format!("  ike-{} {{", conn_name(t)));
        o.line(format!("    id-local = {}", t.local_id));
        o.line(format!("    id-remote = {}", t.remote_id));
        o.line(format!("    secret = {}", secret(t.psk.as_str())));
        o.line("  }");
    }
    o.line("}");
    o.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_keep_quotes_backticks_and_escape_what_swanctl_would_read() {
        assert_eq!(secret("it's`k"), "\"it's`k\"");
        assert_eq!(secret(r#"a"b\c"#), r#""a\"b\\c""#);
        // swanctl would read these as hex / base64: written as hex of the text.
        assert_eq!(secret("0xAB"), "0x30784142");
        assert_eq!(secret("0Sk"), "0x30536b");
        assert_eq!(secret("0"), "\"0\"");
    }
}
