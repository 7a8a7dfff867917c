//! Rendered text, collected line by line, with the parts the platforms
//! share: the header every platform starts with, the BGP routers (one per
//! device ASN) and, for the routers with tunnel interfaces (Cisco, Huawei),
//! the frame around each tunnel's crypto settings.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use super::model::{Inside, PeerConfig, Session, TunnelEnd};
use crate::resources::ipsec::algorithms::Algorithm;

/// Whether an IKE identity is an address (else it is a name).
pub fn is_ip(id: &str) -> bool {
    id.parse::<Ipv4Addr>().is_ok()
}

/// Collects rendered text line by line; `comment` starts the header lines.
pub struct Lines {
    text: String,
    comment: &'static str,
}

impl Lines {
    pub fn new(comment: &'static str) -> Lines {
        Lines {
            text: String::new(),
            comment,
        }
    }
    pub fn line(&mut self, s: impl AsRef<str>) {
        self.text.push_str(s.as_ref());
        self.text.push('\n');
    }
    /// A line only where there is one, e.g. for a setting the cloud may leave out.
    pub fn maybe(&mut self, line: Option<impl AsRef<str>>) {
        if let Some(l) = line {
            self.line(l);
        }
    }
    /// The PFS group and SA lifetime of an IPsec profile, where the tunnel
    /// has them: `pfs` words the group, the lifetime's seconds follow `lifetime`.
    pub fn esp_options(&mut self, t: &TunnelEnd, pfs: fn(&Algorithm) -> String, lifetime: &str) {
        self.maybe(t.esp.group.map(pfs));
        self.maybe(t.esp_lifetime.map(|l| format!("{lifetime} {l}")));
    }
    fn lines<S: AsRef<str>>(&mut self, lines: impl IntoIterator<Item = S>) {
        lines.into_iter().for_each(|l| self.line(l));
    }
    /// Where the text comes from, and whether it holds keys.
    pub fn header(&mut self, cfg: &PeerConfig, holds_keys: bool) {
        let c = self.comment;
        let n = cfg.tunnels.len();
        self.line(format!(
            "{c} Rendered by hybridnet_peer_config from {}: {n} tunnel{}.",
            cfg.source(),
            if n == 1 { "" } else { "s" }
        ));
        if n == 0 {
            self.line(format!(
                "{c} The connection has no tunnels yet: read this again once they exist."
            ));
        }
        if holds_keys && n > 0 {
            self.line(format!("{c} Holds pre-shared keys: keep it private."));
        }
    }
    /// A router block per device ASN, in `words`; `more` gives the words of
    /// each neighbour's lines after its `remote-as`.
    pub fn bgp(
        &mut self,
        routers: &BTreeMap<i64, Vec<Session>>,
        words: &BgpWords,
        more: impl Fn(&Session) -> Vec<String>,
    ) {
        let neighbor = |s: &Session| format!(" {} {}", words.neighbor, s.inside.cloud);
        for (asn, sessions) in routers {
            self.line(format!("{} {asn}", words.router));
            self.lines(words.settings);
            for s in sessions {
                let n = neighbor(s);
                self.line(format!("{n} {} {}", words.remote_as, s.bgp.cloud_asn));
                self.lines(more(s).into_iter().map(|m| format!("{n} {m}")));
            }
            self.lines(words.family);
            for s in sessions {
                self.line(format!(" {} {}", neighbor(s), words.activate));
            }
            self.lines(words.close);
        }
    }
    pub fn finish(self) -> String {
        self.text
    }
}

/// How a platform words a BGP router block.
pub struct BgpWords {
    /// Opens the router, before the device's ASN.
    pub router: &'static str,
    /// The router's settings before its neighbours.
    pub settings: &'static [&'static str],
    /// What a neighbour is called, and the word for its ASN.
    pub neighbor: &'static str,
    pub remote_as: &'static str,
    /// Opens the address family, with a hint to announce a prefix.
    pub family: &'static [&'static str],
    /// Turns a neighbour on in the address family.
    pub activate: &'static str,
    /// Closes the address family and the router.
    pub close: &'static [&'static str],
}

/// A router that ends each tunnel on an interface of its own (a VTI): the
/// words of its text around each tunnel's crypto settings.
pub struct Device {
    pub comment: &'static str,
    /// A tunnel interface's name before the tunnel's number.
    pub interface: &'static str,
    /// The IKE and IPsec settings of one tunnel, before its interface.
    pub crypto: fn(&mut Lines, &TunnelEnd),
    /// The interface's inside address, and what stands for it without one.
    pub address: fn(&Inside) -> String,
    pub unnumbered: &'static str,
    /// The interface's tunnel settings after its address.
    pub tunnel: fn(&TunnelEnd) -> [String; 4],
    pub bgp: BgpWords,
    /// The neighbour setting naming the interface the session runs over.
    pub bgp_source: &'static str,
    /// A static route, shown when BGP is off; the interface follows.
    pub static_route: &'static str,
    /// The word ending the configuration.
    pub end: &'static str,
}

impl Device {
    pub fn render(&self, cfg: &PeerConfig) -> String {
        let c = self.comment;
        let mut o = Lines::new(c);
        o.header(cfg, true);
        for t in &cfg.tunnels {
            let (title, id) = (cfg.cloud.title(), &t.cloud_tunnel_id);
            o.line(format!("{c} Tunnel {}: {title} tunnel {id}", t.number));
            (self.crypto)(&mut o, t);
            o.line(c);
            o.line(format!("interface {}{}", self.interface, t.number));
            o.line(format!(" description {} tunnel {id}", cfg.cloud.key()));
            let address = t
                .inside
                .as_ref()
                .map_or(self.unnumbered.into(), self.address);
            o.line(format!(" {address}"));
            o.lines((self.tunnel)(t).iter().map(|l| format!(" {l}")));
            o.line(c);
        }
        let routers = cfg.routers();
        if routers.is_empty() {
            o.line(format!(
                "{c} BGP is off on this connection: add static routes to the cloud's prefixes,"
            ));
            o.line(format!(
                "{c} e.g. {} {}<n>",
                self.static_route, self.interface
            ));
            o.line(c);
        }
        o.bgp(&routers, &self.bgp, |s| {
            vec![format!(
                "{} {}{}",
                self.bgp_source, self.interface, s.tunnel.number
            )]
        });
        o.line(self.end);
        o.finish()
    }
}
