//! The throttle gate: where a client's calls to one host wait once it refuses them as
//! throttled, so that a full rate-limit window costs one refusal per probe, not one per call per
//! pause (docs/design/reliability.md), and how an answer says how long to wait.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::pauses::{backoff, MAX_DELAY};
use crate::cloud::ApiError;

/// The longest wait a `Retry-After` is taken at (a minute's window, with room): a larger value
/// is more likely a mistake than a plan, and the deadline bounds every wait anyway.
pub(super) const MAX_RETRY_AFTER: Duration = Duration::from_secs(300);

/// How long an answer asks us to wait: Alibaba's `x-acs-retry-after` in milliseconds (what its
/// SDK reads), else the standard `Retry-After` in whole seconds (docs/design/reliability.md).
/// Whether either cloud sends one is INFERRED (docs/design/jdcloud.md §8.19, alicloud.md
/// §10.16); the client works without. A date, zero, or anything unparsable is no advice;
/// advice past [`MAX_RETRY_AFTER`] is capped.
pub fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let number = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .filter(|n| *n > 0)
    };
    number("x-acs-retry-after")
        .map(Duration::from_millis)
        .or_else(|| number("retry-after").map(Duration::from_secs))
        .map(|d| d.min(MAX_RETRY_AFTER))
}

/// The throttle gates of one client, one per host, shared by every copy of it (and so by all
/// the concurrent calls of a provider process to one cloud API).
#[derive(Clone, Default)]
pub(super) struct Gates(Arc<Mutex<HashMap<String, Arc<ThrottleGate>>>>);

impl Gates {
    pub(super) fn of(&self, host: &str) -> Arc<ThrottleGate> {
        let mut gates = self.0.lock().unwrap_or_else(|e| e.into_inner());
        gates.entry(host.to_string()).or_default().clone()
    }
}

/// Where the calls to one host wait once it throttles (docs/design/reliability.md). Open, calls
/// go as they come. A throttled answer closes it until its `Retry-After` (or, without one, the
/// next pause of a jittered exponential backoff of its own); then calls go ONE AT A TIME (a
/// probe) until one is not throttled, and from then on one more at a time for every call that
/// is not ([`OPEN_AFTER`] at a time: open again). So while a rate limit's window is full, the
/// calls waiting for it cost one refusal per probe instead of one per call per pause, and a
/// sliding window, which frees its places one by one as its oldest calls age out, is not met
/// by every waiting call at once. Every wait ends at the waiting call's deadline.
pub struct ThrottleGate {
    state: Mutex<GateState>,
    /// Wakes the calls waiting for a place: a call ended, or the gate closed or opened.
    changed: tokio::sync::Notify,
}

/// How many calls at a time open the gate again: more than Terraform's default parallelism
/// (10), so a recovering gate paces everything one Terraform run sends until then.
pub(super) const OPEN_AFTER: usize = 12;

/// A wait asked for, rounded up to whole seconds as `Retry-After` has it. A sliding window
/// frees its places at the pace they were taken, and the advice (Alibaba's is in milliseconds)
/// is when the first frees: calling right then would chase the window's places one refusal
/// each, while a second later those its calls of that second held are free too.
fn whole_seconds(asked: Duration) -> Duration {
    Duration::from_secs(
        asked
            .as_millis()
            .div_ceil(1000)
            .try_into()
            .unwrap_or(u64::MAX),
    )
}

#[derive(Default)]
struct GateState {
    /// `None`: open.
    closed: Option<Closed>,
    /// Counts the refusals: a place given before the last one is not counted after it.
    epoch: u64,
    /// The pauses after throttled answers that did not say how long to wait, from the first
    /// refusal until a call through the closed gate is not refused.
    pauses: Option<Box<dyn Iterator<Item = Duration> + Send>>,
}

struct Closed {
    /// No call before this.
    until: Instant,
    /// Calls allowed at a time after `until`.
    allowed: usize,
    /// Calls sent since the last refusal and not yet answered.
    in_flight: usize,
    /// The last refusal, for a call whose deadline passes while it waits.
    refusal: ApiError,
}

impl Default for ThrottleGate {
    fn default() -> Self {
        ThrottleGate {
            state: Mutex::default(),
            changed: tokio::sync::Notify::new(),
        }
    }
}

/// Leave to send one call, from [`ThrottleGate::enter`]. Through a closed gate it holds a place
/// until it is dropped (so an operation cancelled mid-call gives its place back).
pub struct Pass<'a> {
    gate: &'a ThrottleGate,
    /// The refusal count when the place was given; `None`: the gate was open.
    epoch: Option<u64>,
}

impl Pass<'_> {
    /// Whether this call went through a closed gate (holds one of its places).
    pub fn gated(&self) -> bool {
        self.epoch.is_some()
    }

    /// The call got an answer other than a throttle: a call sent through the closed gate since
    /// its last refusal lets one more go at a time, up to opening it.
    pub fn answered(self) {
        let Some(epoch) = self.epoch else { return };
        let mut state = self.gate.lock();
        if state.epoch != epoch {
            return;
        }
        // The backoff grows only while the probes keep being refused.
        state.pauses = None;
        if let Some(closed) = &mut state.closed {
            closed.allowed += 1;
            if closed.allowed >= OPEN_AFTER {
                state.closed = None;
                tracing::debug!("cloud API no longer throttled: calls go as they come");
            }
        }
        drop(state);
        self.gate.changed.notify_waiters();
    }
}

impl Drop for Pass<'_> {
    fn drop(&mut self) {
        let Some(epoch) = self.epoch else { return };
        let mut state = self.gate.lock();
        if state.epoch != epoch {
            return;
        }
        if let Some(closed) = &mut state.closed {
            closed.in_flight = closed.in_flight.saturating_sub(1);
        }
        drop(state);
        self.gate.changed.notify_waiters();
    }
}

impl ThrottleGate {
    fn lock(&self) -> MutexGuard<'_, GateState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether calls go as they come.
    pub fn is_open(&self) -> bool {
        self.lock().closed.is_none()
    }

    /// Until when no call is sent; `None` when the gate is open.
    pub fn closed_until(&self) -> Option<Instant> {
        self.lock().closed.as_ref().map(|c| c.until)
    }

    /// Waits until a call may be sent: at once while the gate is open; once it is closed, until
    /// its time is up and a place is free. Gives up at `deadline` with the last refusal that
    /// closed the gate.
    pub async fn enter(&self, deadline: Instant) -> Result<Pass<'_>, Option<ApiError>> {
        let gave_up = || Err(self.lock().closed.as_ref().map(|c| c.refusal.clone()));
        loop {
            // Listening before looking, so that a change in between is not missed.
            let changed = self.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            let until = {
                let mut state = self.lock();
                let epoch = state.epoch;
                match &mut state.closed {
                    None => {
                        return Ok(Pass {
                            gate: self,
                            epoch: None,
                        })
                    }
                    Some(c) if c.until > Instant::now() => Some(c.until),
                    Some(c) if c.in_flight < c.allowed => {
                        c.in_flight += 1;
                        return Ok(Pass {
                            gate: self,
                            epoch: Some(epoch),
                        });
                    }
                    Some(_) => None,
                }
            };
            match until {
                Some(until) if until >= deadline => {
                    tokio::time::sleep_until(deadline.into()).await;
                    return gave_up();
                }
                Some(until) => tokio::time::sleep_until(until.into()).await,
                None => {
                    if tokio::time::timeout_at(deadline.into(), changed)
                        .await
                        .is_err()
                    {
                        return gave_up();
                    }
                }
            }
        }
    }

    /// A call was throttled: closes the gate for what `refusal` asked, rounded up to whole
    /// seconds (at most [`MAX_RETRY_AFTER`]), or the next pause of the gate's backoff; after
    /// that, one call at a time again.
    pub fn throttled(&self, refusal: &ApiError) {
        let mut state = self.lock();
        let wait = match refusal.retry_after() {
            Some(asked) => whole_seconds(asked),
            None => state
                .pauses
                .get_or_insert_with(|| Box::new(backoff()))
                .next()
                .unwrap_or(MAX_DELAY),
        };
        let until = Instant::now() + wait.min(MAX_RETRY_AFTER);
        let until = state.closed.as_ref().map_or(until, |c| c.until.max(until));
        state.epoch += 1;
        state.closed = Some(Closed {
            until,
            allowed: 1,
            in_flight: 0,
            refusal: refusal.clone(),
        });
        drop(state);
        self.changed.notify_waiters();
        tracing::debug!(
            wait_ms = wait.as_millis() as u64,
            error = %refusal,
            "cloud API throttled: calls to it wait"
        );
    }
}
