//! Replay protection shared by both clouds' authentication: the signature nonces seen per access
//! key within [`WINDOW`], in memory (a restart forgets them, as does `/_sandbox/reset`). Each
//! cloud has its own cache: the two do not share nonces.

use std::collections::HashMap;
use std::sync::Mutex;

use time::{Duration, OffsetDateTime};

use super::sync::lock;

/// How long a nonce is remembered: the request-date window of both clouds (an older request is
/// refused for its date anyway). Alibaba: "user time and server time differ by more than 15
/// minutes" (docs/design/alicloud.md §6.2); JD Cloud's window is INFERRED to be the same
/// (docs/design/jdcloud.md §8.7).
pub(crate) const WINDOW: Duration = Duration::minutes(15);

/// Nonces seen per access key.
#[derive(Debug, Default)]
pub(crate) struct NonceCache {
    seen: Mutex<HashMap<String, HashMap<String, OffsetDateTime>>>,
}

impl NonceCache {
    /// Records `nonce` for `access_key` at `now`; false if it was seen within the window.
    pub(crate) fn check_and_record(
        &self,
        access_key: &str,
        nonce: &str,
        now: OffsetDateTime,
    ) -> bool {
        let mut seen = lock(&self.seen);
        let nonces = seen.entry(access_key.to_owned()).or_default();
        nonces.retain(|_, at| (now - *at).abs() <= WINDOW);
        if nonces.contains_key(nonce) {
            return false;
        }
        nonces.insert(nonce.to_owned(), now);
        true
    }

    /// Forgets every nonce.
    pub(crate) fn reset(&self) {
        lock(&self.seen).clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonce_window() {
        let cache = NonceCache::default();
        let t0 = time::macros::datetime!(2026-11-25 19:55:30 UTC);
        assert!(cache.check_and_record("ak", "n1", t0));
        assert!(!cache.check_and_record("ak", "n1", t0 + Duration::minutes(14)));
        // Another access key has its own nonces.
        assert!(cache.check_and_record("other", "n1", t0));
        // Forgotten once the window has passed.
        assert!(cache.check_and_record("ak", "n1", t0 + Duration::minutes(16)));
        cache.reset();
        assert!(cache.check_and_record("ak", "n1", t0 + Duration::minutes(16)));
    }
}
