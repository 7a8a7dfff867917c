//! Rendered text, collected line by line, with the header every platform
//! starts with.

use super::model::PeerConfig;

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
    /// Where the text comes from, and whether it holds keys.
    pub fn header(&mut self, cfg: &PeerConfig, holds_keys: bool) {
        let c = self.comment;
        let n = cfg.tunnels.len();
        self.line(format!(
            "{c} Rendered by hybridnet_peer_config from {}: {n} tunnel{}.",
            cfg.source(),
            if n == 1 { "" } else { "s" }
        ));
        if holds_keys {
            self.line(format!("{c} Holds pre-shared keys: keep it private."));
        }
    }
    pub fn finish(self) -> String {
        self.text
    }
}
