//! Polling until a cloud object reaches a state, bounded by the operation's
//! deadline (from `timeouts`) and Terraform's stop signal.

use std::future::Future;
use std::time::{Duration, Instant};

use crate::cloud::ApiError;
use crate::framework::{Ctx, Diagnostics};

const FIRST_INTERVAL: Duration = Duration::from_millis(200);
const MAX_INTERVAL: Duration = Duration::from_secs(5);

/// Calls `poll` until it returns `Ok(Some(_))`. `Ok(None)` means "not yet";
/// an error ends the wait. `what` reads like "Alibaba Cloud IPsec connection
/// (vco-1) to attach".
pub async fn wait_for<D, T, F, Fut>(ctx: &Ctx<D>, what: &str, mut poll: F) -> Result<T, Diagnostics>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Option<T>, ApiError>>,
{
    let started = Instant::now();
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
        interval = (interval * 3 / 2).min(MAX_INTERVAL);
    }
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
