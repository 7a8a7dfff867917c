//! Call-frequency limit: JD Cloud answers 429 `RATE_LIMIT` past "1000 times/minute"
//! (docs/design/jdcloud.md §2.4). Emulated as a sliding one-minute window over admitted calls, in
//! the sandbox's emulated time (advancing the clock slides the window); the limiter is in
//! memory, so a restart (or `/_sandbox/reset`) forgets it.

use std::collections::VecDeque;
use std::sync::Mutex;
use time::{Duration, OffsetDateTime};

use super::sync::lock;

/// Length of the window the limit applies to.
pub(crate) const WINDOW: Duration = Duration::seconds(60);

/// Admits at most `limit` calls in any [`WINDOW`]; a limit of 0 admits everything.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    limit: u32,
    /// Admission times of the calls still inside the window, oldest first.
    admitted: Mutex<VecDeque<OffsetDateTime>>,
}

impl RateLimiter {
    pub(crate) fn new(limit: u32) -> Self {
        Self {
            limit,
            admitted: Mutex::new(VecDeque::new()),
        }
    }

    /// The configured limit per [`WINDOW`] (0 = unlimited).
    pub(crate) fn limit(&self) -> u32 {
        self.limit
    }

    /// Records a call at `now` and says whether it is within the limit. Refused calls are not
    /// recorded, so a client that backs off gets through once the window slides.
    pub(crate) fn admit(&self, now: OffsetDateTime) -> bool {
        if self.limit == 0 {
            return true;
        }
        let mut admitted = lock(&self.admitted);
        while admitted.front().is_some_and(|t| now - *t >= WINDOW) {
            admitted.pop_front();
        }
        if admitted.len() >= usize::try_from(self.limit).unwrap_or(usize::MAX) {
            return false;
        }
        admitted.push_back(now);
        true
    }

    /// Forgets every recorded call.
    pub(crate) fn reset(&self) {
        lock(&self.admitted).clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sliding_window() {
        let limiter = RateLimiter::new(3);
        let t0 = time::macros::datetime!(2026-01-01 00:00 UTC);
        let at = |s: i64| t0 + Duration::seconds(s);
        assert!(limiter.admit(at(0)));
        assert!(limiter.admit(at(10)));
        assert!(limiter.admit(at(20)));
        assert!(!limiter.admit(at(30)), "4th call within a minute");
        assert!(!limiter.admit(at(59)));
        // The call at 0 s leaves the window at 60 s.
        assert!(limiter.admit(at(60)));
        assert!(!limiter.admit(at(61)));
        assert!(limiter.admit(at(70)));
        limiter.reset();
        assert!(limiter.admit(at(71)));
        assert!(limiter.admit(at(71)));
    }

    #[test]
    fn zero_is_unlimited() {
        let limiter = RateLimiter::new(0);
        let now = OffsetDateTime::UNIX_EPOCH;
        assert!((0..10_000).all(|_| limiter.admit(now)));
        assert_eq!(limiter.limit(), 0);
    }
}
