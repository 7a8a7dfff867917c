//! The pauses between attempts, for the retry loop and for a throttle gate
//! that was not told how long to wait.

use std::time::Duration;

use backon::{BackoffBuilder, ExponentialBuilder};

/// The longest pause.
pub(super) const MAX_DELAY: Duration = Duration::from_secs(5);

/// The pauses between attempts: exponential from 200 ms to 5 s, jittered
/// so that parallel resources do not retry in step. Endless: the deadline
/// ends retries, not a count.
pub fn backoff() -> impl Iterator<Item = Duration> {
    ExponentialBuilder::default()
        .with_min_delay(Duration::from_millis(200))
        .with_max_delay(MAX_DELAY)
        .with_jitter()
        .without_max_times()
        .build()
}
