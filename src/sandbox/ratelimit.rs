//! Call-frequency limit: JD Cloud answers 429 `RATE_LIMIT` past "1000 times/minute"
//! (docs/design/jdcloud.md §2.4). Emulated as a sliding one-minute window over admitted calls, in
//! the sandbox's emulated time (advancing the clock slides the window); the limiter is in
//! memory, so a restart (or `/_sandbox/reset`) forgets it. A refusal says when the window
//! admits a call again (the `Retry-After` of the throttled answers; that the real clouds send
//! one is INFERRED: docs/design/jdcloud.md §8.19, alicloud.md §10.16).

use std::collections::VecDeque;
use std::sync::Mutex;
use time::{Duration, OffsetDateTime};

use super::sync::lock;

/// Length of the window the limit applies to, unless the configuration shortens it
/// (`SandboxConfig::rate_limit_window`, for tests).
pub(crate) const WINDOW: Duration = Duration::seconds(60);

/// Admits at most `limit` calls in any window; a limit of 0 admits everything.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    limit: u32,
    window: Duration,
    /// Admission times of the calls still inside the window, oldest first.
    admitted: Mutex<VecDeque<OffsetDateTime>>,
}

impl RateLimiter {
    pub(crate) fn new(limit: u32, window: Duration) -> Self {
        Self {
            limit,
            window,
            admitted: Mutex::new(VecDeque::new()),
        }
    }

    /// The configured limit per window (0 = unlimited).
    pub(crate) fn limit(&self) -> u32 {
        self.limit
    }

    /// Records a call at `now` if it is within the limit. Refused calls are not recorded, so a
    /// client that backs off gets through once the window slides; the refusal is how long
    /// until it has: until the oldest admission leaves the window.
    pub(crate) fn admit(&self, now: OffsetDateTime) -> Result<(), Duration> {
        if self.limit == 0 {
            return Ok(());
        }
        let mut admitted = lock(&self.admitted);
        while admitted.front().is_some_and(|t| now - *t >= self.window) {
            admitted.pop_front();
        }
        if admitted.len() >= usize::try_from(self.limit).unwrap_or(usize::MAX) {
            let oldest = admitted.front().copied().unwrap_or(now);
            return Err(self.window - (now - oldest));
        }
        admitted.push_back(now);
        Ok(())
    }

    /// Forgets every recorded call.
    pub(crate) fn reset(&self) {
        lock(&self.admitted).clear();
    }
}

/// A wait as a `Retry-After` value: whole seconds, rounded up (a client that waits less would
/// be refused again), at least 1.
pub(crate) fn retry_after_secs(wait: Duration) -> u64 {
    let ms = u64::try_from(wait.whole_milliseconds()).unwrap_or(0);
    ms.div_ceil(1000).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sliding_window() {
        let limiter = RateLimiter::new(3, WINDOW);
        let t0 = time::macros::datetime!(2026-01-01 00:00 UTC);
        let at = |s: i64| t0 + Duration::seconds(s);
        assert!(limiter.admit(at(0)).is_ok());
        assert!(limiter.admit(at(10)).is_ok());
        assert!(limiter.admit(at(20)).is_ok());
        // Refused until the call at 0 s leaves the window at 60 s.
        assert_eq!(
            limiter.admit(at(30)),
            Err(Duration::seconds(30)),
            "4th call"
        );
        assert_eq!(limiter.admit(at(59)), Err(Duration::seconds(1)));
        assert!(limiter.admit(at(60)).is_ok());
        // Then until the call at 10 s leaves.
        assert_eq!(limiter.admit(at(61)), Err(Duration::seconds(9)));
        assert!(limiter.admit(at(70)).is_ok());
        limiter.reset();
        assert!(limiter.admit(at(71)).is_ok());
        assert!(limiter.admit(at(71)).is_ok());
    }

    #[test]
    fn a_shorter_window() {
        let limiter = RateLimiter::new(1, Duration::seconds(2));
        let t0 = OffsetDateTime::UNIX_EPOCH;
        assert!(limiter.admit(t0).is_ok());
        assert_eq!(
            limiter.admit(t0 + Duration::milliseconds(500)),
            Err(Duration::milliseconds(1500))
        );
        assert!(limiter.admit(t0 + Duration::seconds(2)).is_ok());
    }

    #[test]
    fn retry_after_is_whole_seconds_rounded_up() {
        let secs = |ms: i64| retry_after_secs(Duration::milliseconds(ms));
        assert_eq!(secs(60_000), 60);
        assert_eq!(secs(59_001), 60);
        assert_eq!(secs(1_500), 2);
        assert_eq!(secs(1), 1);
        // Never "now": the window admits nothing before the oldest call leaves it.
        assert_eq!(secs(0), 1);
    }

    #[test]
    fn zero_is_unlimited() {
        let limiter = RateLimiter::new(0, WINDOW);
        let now = OffsetDateTime::UNIX_EPOCH;
        assert!((0..10_000).all(|_| limiter.admit(now).is_ok()));
        assert_eq!(limiter.limit(), 0);
    }
}
