//! The sandbox's clock, handed to it in [`SandboxConfig`](super::config::SandboxConfig): every
//! "now" the emulated clouds use (object timestamps, pending Alibaba states, the rate-limit
//! window) comes from here, so tests move time forward instead of sleeping.
//!
//! Two readings:
//! * [`Clock::now`] — emulated time: the base (the system clock, or a manual clock's start) plus
//!   everything [`Clock::advance`] added (`POST /_sandbox/clock` in the sandbox process);
//! * [`Clock::wall`] — the base alone. Request signatures carry the client's own clock, so their
//!   dates and nonces are checked against this one: advancing the emulated clock never makes
//!   a client with a correct real-time clock fail authentication.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use time::{Duration, OffsetDateTime};

/// A shared clock: clones see the same time and the same advances.
#[derive(Clone)]
pub struct Clock {
    inner: Arc<Inner>,
}

struct Inner {
    base: Base,
    /// Milliseconds added by [`Clock::advance`] so far.
    advanced_ms: AtomicI64,
}

#[derive(Debug, Clone, Copy)]
enum Base {
    /// The system clock.
    System,
    /// Time stands still at this instant unless advanced.
    Manual(OffsetDateTime),
}

impl Clock {
    /// The system clock (what the `hybridnet-sandbox` binary runs on).
    pub fn system() -> Self {
        Self::with_base(Base::System)
    }

    /// A clock standing still at the current system time until [`Clock::advance`]d: tests
    /// decide when pending states settle. It starts at the real time so that requests signed
    /// with the real time (all the test clients) pass the date check.
    pub fn manual() -> Self {
        Self::with_base(Base::Manual(OffsetDateTime::now_utc()))
    }

    fn with_base(base: Base) -> Self {
        Self {
            inner: Arc::new(Inner {
                base,
                advanced_ms: AtomicI64::new(0),
            }),
        }
    }

    /// Emulated time: the base plus every advance.
    pub fn now(&self) -> OffsetDateTime {
        self.wall()
            .saturating_add(Duration::milliseconds(self.advanced_ms()))
    }

    /// The base without the advances: what request dates are checked against.
    pub fn wall(&self) -> OffsetDateTime {
        match self.inner.base {
            Base::System => OffsetDateTime::now_utc(),
            Base::Manual(at) => at,
        }
    }

    /// Moves emulated time forward by `ms` milliseconds (negative values are ignored: time
    /// never runs backwards, so a state's "entered at" is never in the future).
    pub fn advance(&self, ms: i64) {
        if ms > 0 {
            self.inner.advanced_ms.fetch_add(ms, Ordering::SeqCst);
        }
    }

    /// How far [`Clock::now`] is ahead of [`Clock::wall`], in milliseconds.
    pub fn advanced_ms(&self) -> i64 {
        self.inner.advanced_ms.load(Ordering::SeqCst)
    }
}

impl Default for Clock {
    fn default() -> Self {
        Self::system()
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Clock")
            .field("base", &self.inner.base)
            .field("advanced_ms", &self.advanced_ms())
            .finish()
    }
}

/// Unix epoch milliseconds of `t` (how the Alibaba objects keep time).
pub(crate) fn epoch_ms(t: OffsetDateTime) -> i64 {
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_advanced() {
        let clock = Clock::manual();
        let start = clock.now();
        assert_eq!(clock.now(), start);
        let shared = clock.clone();
        shared.advance(1_500);
        assert_eq!(clock.now() - start, Duration::milliseconds(1_500));
        assert_eq!(clock.wall(), start, "the wall reading ignores advances");
        clock.advance(-10_000);
        assert_eq!(clock.advanced_ms(), 1_500, "never backwards");
    }

    #[test]
    fn system_clock_plus_advance() {
        let clock = Clock::system();
        clock.advance(3_600_000);
        let ahead = clock.now() - OffsetDateTime::now_utc();
        assert!(ahead > Duration::minutes(59), "{ahead}");
        assert!((clock.wall() - OffsetDateTime::now_utc()).abs() < Duration::seconds(5));
    }

    #[test]
    fn epoch_millis() {
        let t = time::macros::datetime!(2022-07-08 08:45:59.123 UTC);
        assert_eq!(epoch_ms(t), 1_657_269_959_123);
    }
}
