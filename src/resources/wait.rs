//! Polling until a cloud object reaches a state, bounded by the operation's
//! deadline (from `timeouts`) and Terraform's stop signal.

use std::future::Future;
use std::time::{Duration, Instant};

use crate::cloud::ApiError;
use crate::framework::{Ctx, Diagnostics};

const FIRST_INTERVAL: Duration = Duration::from_millis(200);
const MAX_INTERVAL: Duration = Duration::from_secs(5);
/// A pause is at most this fraction of the time waited so far, so that a wait ends at most a
/// sixth past the moment the object got ready (3 s pending: done by 3.5 s, not 4.2 s).
const PAUSE_PER_WAITED: u32 = 6;

/// Calls `poll` until it returns `Ok(Some(_))`. `Ok(None)` means "not yet";
/// an error ends the wait. `what` reads like "Alibaba Cloud IPsec connection
/// (vco-1) to attach".
pub async fn wait_for<D, T, F, Fut>(ctx: &Ctx<D>, what: &str, mut poll: F) -> Result<T, Diagnostics>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Option<T>, ApiError>>,
{
    let started = Instant::now();
    // The clock the pauses run on (tokio's, which tests can pause).
    let waiting_since = tokio::time::Instant::now();
    let mut interval = FIRST_INTERVAL;
    loop {
        match poll().await {
            Ok(Some(t)) => return Ok(t),
            Ok(None) => {}
            Err(e) => {
                return Err(Diagnostics::error(
                    format!("waiting for {what}"),
                    e.to_string(),
                ))
            }
        }
        let now = Instant::now();
        if now >= ctx.deadline {
            return Err(Diagnostics::error(
                format!("waiting for {what}"),
                format!(
                    "timed out after {:?}; raise the resource's `timeouts` if the cloud is slow",
                    started.elapsed()
                ),
            ));
        }
        let sleep = interval.min(ctx.deadline - now);
        tokio::select! {
            () = tokio::time::sleep(sleep) => {}
            () = ctx.stop.stopped() => {
                return Err(Diagnostics::error(format!("waiting for {what}"), "interrupted: Terraform asked the provider to stop"));
            }
        }
        interval = next_interval(interval, waiting_since.elapsed());
    }
}

/// The pause after `previous`: 1.5 times longer, but at most a sixth of the time `waited`
/// (never under [`FIRST_INTERVAL`]) and at most [`MAX_INTERVAL`].
fn next_interval(previous: Duration, waited: Duration) -> Duration {
    (previous * 3 / 2)
        .min((waited / PAUSE_PER_WAITED).max(FIRST_INTERVAL))
        .min(MAX_INTERVAL)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::{Op, StopToken};
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::sync::Arc;

    fn ctx(timeout: Duration) -> Ctx<()> {
        Ctx {
            data: Arc::new(()),
            op: Op::Create,
            timeout,
            deadline: Instant::now() + timeout,
            stop: StopToken::new(),
        }
    }

    #[tokio::test(start_paused = true)]
    async fn polls_until_ready() {
        let n = AtomicU32::new(0);
        let v = wait_for(&ctx(Duration::from_secs(60)), "x", || async {
            Ok((n.fetch_add(1, Ordering::SeqCst) == 3).then_some(7))
        })
        .await
        .unwrap();
        assert_eq!(v, 7);
        assert_eq!(n.load(Ordering::SeqCst), 4);
    }

    #[tokio::test(start_paused = true)]
    async fn never_sleeps_far_past_readiness() {
        for secs in [1, 3, 20, 60, 300] {
            let ready_after = Duration::from_secs(secs);
            let start = tokio::time::Instant::now();
            let polls = AtomicU32::new(0);
            wait_for(&ctx(Duration::from_secs(3600)), "x", || async {
                polls.fetch_add(1, Ordering::SeqCst);
                Ok((start.elapsed() >= ready_after).then_some(()))
            })
            .await
            .unwrap();
            let late = start.elapsed() - ready_after;
            let bound = (ready_after / PAUSE_PER_WAITED)
                .max(FIRST_INTERVAL)
                .min(MAX_INTERVAL);
            assert!(late <= bound, "ready after {secs} s, done {late:?} later");
            // Backing off still: 34 polls for a minute, then one per 5 s.
            let polls = polls.load(Ordering::SeqCst);
            assert!(u64::from(polls) <= 30 + secs / 4, "{secs} s: {polls} polls");
        }
    }

    #[test]
    fn intervals_grow_to_the_cap() {
        let mut interval = FIRST_INTERVAL;
        let mut waited = Duration::ZERO;
        for _ in 0..200 {
            waited += interval;
            let next = next_interval(interval, waited);
            assert!(
                next >= interval && next <= interval * 3 / 2,
                "{interval:?} → {next:?}"
            );
            interval = next;
        }
        assert_eq!(interval, MAX_INTERVAL);
    }

    #[tokio::test(start_paused = true)]
    async fn times_out_and_stops() {
        let err =
            wait_for::<(), (), _, _>(&ctx(Duration::from_secs(2)), "x", || async { Ok(None) })
                .await
                .unwrap_err();
        assert!(err.to_string().contains("timed out"), "{err}");
        let c = ctx(Duration::from_secs(600));
        c.stop.stop();
        let err = wait_for::<(), (), _, _>(&c, "x", || async { Ok(None) })
            .await
            .unwrap_err();
        assert!(err.to_string().contains("stop"), "{err}");
    }
}
