//! What every client shares: the HTTP client, the clock and nonce source
//! (kept out of the signer so it stays pure), how a failed request is
//! described, and the retry policy, which is bounded by the operation's
//! deadline and nothing else (docs/design/reliability.md).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use backon::{BackoffBuilder, ExponentialBuilder};
use time::format_description::BorrowedFormatItem;
use time::macros::format_description;
use time::OffsetDateTime;

use bytes::Bytes;

use crate::signer::Credentials;

use super::error::Transport;
use super::ApiError;

/// The longest one request may take when the deadline leaves more.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// How long retries may go on for a client not bound to an operation's
/// deadline (`Client::until`).
pub const DEFAULT_BUDGET: Duration = Duration::from_secs(120);

/// One reqwest client (rustls). Trusts the bundled web PKI roots and the
/// system's store, which honours `SSL_CERT_FILE` / `SSL_CERT_DIR`, so a
/// private CA or a TLS-inspecting proxy can be trusted. No client-wide
/// timeout: each request gets what its operation's deadline leaves.
pub fn http_client() -> Result<reqwest::Client, ApiError> {
    reqwest::Client::builder()
        .user_agent(concat!("hybridnet/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(Duration::from_secs(10))
        .build()
        .map_err(|e| ApiError::Config(format!("building HTTP client: {e}")))
}

/// What a client of either cloud holds besides its endpoint: the HTTP client,
/// the provider's default region, the credentials and the deadline its calls
/// must keep.
#[derive(Clone)]
pub struct Session {
    http: reqwest::Client,
    region: String,
    credentials: Credentials,
    /// When every call must have ended: the operation's deadline, or `None`
    /// for a default budget per call.
    deadline: Option<Instant>,
    /// The throttle gates of the hosts this client calls, shared by every copy.
    gates: Gates,
}

impl Session {
    pub fn new(region: &str, credentials: Credentials) -> Result<Session, ApiError> {
        Ok(Session {
            http: http_client()?,
            region: region.to_string(),
            credentials,
            deadline: None,
            gates: Gates::default(),
        })
    }

    /// A copy whose calls, retries included, end by `deadline` (the
    /// operation's timeout).
    pub fn until(&self, deadline: Instant) -> Session {
        Session {
            deadline: Some(deadline),
            ..self.clone()
        }
    }

    /// When the current call must have ended.
    pub fn deadline(&self) -> Instant {
        deadline_or_default(self.deadline)
    }

    /// How long calls may still take.
    pub fn time_left(&self) -> Duration {
        self.deadline().saturating_duration_since(Instant::now())
    }

    /// The provider's default region.
    pub fn region(&self) -> &str {
        &self.region
    }

    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// The throttle gate of `host`, shared by every copy of this session.
    pub fn gate(&self, host: &str) -> Arc<ThrottleGate> {
        self.gates.of(host)
    }

    /// Sends one signed request to `url` within `timeout`: the signed
    /// headers (Host aside, which reqwest sets from the URL, identical to
    /// what was signed), the authorization marked sensitive, then `body`.
    /// Answers the status, the whole body and how long a throttled answer
    /// asked us to wait.
    pub async fn send(
        &self,
        operation: &str,
        (method, url): (reqwest::Method, reqwest::Url),
        headers: &[(String, String)],
        authorization: &str,
        body: Option<Vec<u8>>,
        timeout: Duration,
    ) -> Result<Answer, ApiError> {
        let host = host_of(&url);
        let mut rb = self.http.request(method, url).timeout(timeout);
        for (k, v) in headers.iter().filter(|(k, _)| k != "host") {
            rb = rb.header(k.as_str(), v.as_str());
        }
        let mut auth = reqwest::header::HeaderValue::from_str(authorization)
            .map_err(|e| ApiError::Config(format!("authorization header: {e}")))?;
        auth.set_sensitive(true);
        rb = rb.header(reqwest::header::AUTHORIZATION, auth);
        if let Some(body) = body {
            rb = rb.body(body);
        }
        let failed = |e: reqwest::Error| transport_error(operation, &host, timeout, &e);
        let resp = rb.send().await.map_err(failed)?;
        let status = resp.status().as_u16();
        let retry_after = retry_after(resp.headers());
        let body = resp.bytes().await.map_err(failed)?;
        Ok(Answer {
            status,
            body,
            retry_after,
        })
    }
}

/// What came back from one request.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub body: Bytes,
    /// How long the answer asked us to wait before calling again, when it said.
    pub retry_after: Option<Duration>,
}

/// The longest wait a `Retry-After` is taken at (a minute's window, with room): a larger value
/// is more likely a mistake than a plan, and the deadline bounds every wait anyway.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(300);

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

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("region", &self.region)
            .field("credentials", &self.credentials)
            .finish()
    }
}

/// Describes a failed request: refused, timed out, reset, TLS, DNS, with the
/// host, from the error's whole source chain (reqwest's own message is only
/// "error sending request for url").
pub fn transport_error(
    operation: &str,
    host: &str,
    after: Duration,
    e: &reqwest::Error,
) -> ApiError {
    let host = host.to_string();
    let chain = source_chain(e);
    let sent = !e.is_connect();
    let failure = if let Some(tls) = find_rustls(e) {
        Transport::Tls {
            host,
            detail: tls.to_string(),
        }
    } else if !sent && TLS_FAILURES.iter().any(|m| chain.contains(m)) {
        // hyper-rustls boxes the handshake error, which hides its type.
        Transport::Tls {
            host,
            detail: chain,
        }
    } else if e.is_timeout() {
        Transport::TimedOut { host, after, sent }
    } else {
        match find_io_kind(e) {
            Some(std::io::ErrorKind::ConnectionRefused) => Transport::Refused { host },
            Some(std::io::ErrorKind::TimedOut) => Transport::TimedOut { host, after, sent },
            Some(
                std::io::ErrorKind::ConnectionReset
                | std::io::ErrorKind::ConnectionAborted
                | std::io::ErrorKind::BrokenPipe
                | std::io::ErrorKind::UnexpectedEof,
            ) if sent => Transport::Reset {
                host,
                detail: chain,
            },
            // hyper-util reports resolver failures as "dns error".
            _ if !sent && chain.contains("dns error") => Transport::Dns {
                host,
                detail: chain,
            },
            // The connection was up and the answer never came whole.
            _ if sent && (e.is_body() || e.is_request() || e.is_decode()) => Transport::Reset {
                host,
                detail: chain,
            },
            _ => Transport::Other {
                host,
                detail: chain,
                sent,
            },
        }
    };
    ApiError::Transport {
        operation: operation.to_string(),
        failure,
    }
}

/// How rustls words handshake failures (`rustls::Error`'s Display), for when
/// the error's type is lost on its way up.
const TLS_FAILURES: &[&str] = &[
    "invalid peer certificate",
    "peer is incompatible",
    "peer misbehaved",
    "received fatal alert",
    "received corrupt message",
    "no certificates presented",
];

/// "a: b: c" from an error and its sources, without repeats (reqwest and
/// hyper often wrap the same message twice).
fn source_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        let s = err.to_string();
        if !parts.iter().any(|p| p.contains(&s)) {
            parts.push(s);
        }
        cur = err.source();
    }
    parts.join(": ")
}

fn find_rustls<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if let Some(t) = err.downcast_ref::<rustls::Error>() {
            return Some(t);
        }
        // rustls errors reach hyper wrapped in an io::Error.
        if let Some(t) = err
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
            .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        {
            return Some(t);
        }
        cur = err.source();
    }
    None
}

fn find_io_kind(e: &(dyn std::error::Error + 'static)) -> Option<std::io::ErrorKind> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            return Some(io.kind());
        }
        cur = err.source();
    }
    None
}

/// `host[:port]` of a URL, for messages and the signed `Host` header.
pub fn host_of(url: &reqwest::Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port() {
        Some(p) => format!("{host}:{p}"),
        None => host.to_string(),
    }
}

/// A canonical request for a TRACE log, with the values of credential
/// headers (STS tokens) replaced: signatures are already one-way, tokens
/// are not.
pub fn redact_canonical(canonical: &str, secret_headers: &[&str]) -> String {
    canonical
        .lines()
        .map(|line| match line.split_once(':') {
            Some((name, _)) if secret_headers.contains(&name) => format!("{name}:** redacted **"),
            _ => line.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Now, as JD Cloud's `x-jdcloud-date` wants it: `YYYYMMDDTHHMMSSZ`.
pub fn jd_date_now() -> String {
    now_utc(format_description!(
        "[year][month][day]T[hour][minute][second]Z"
    ))
}

/// Now, as Alibaba Cloud's `x-acs-date` wants it: `YYYY-MM-DDTHH:MM:SSZ`.
pub fn acs_date_now() -> String {
    now_utc(format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second]Z"
    ))
}

fn now_utc(format: &[BorrowedFormatItem<'_>]) -> String {
    // Formatting a UTC time with a fixed description only fails for years past 9999.
    OffsetDateTime::now_utc().format(format).unwrap_or_default()
}

pub fn nonce() -> String {
    uuid::Uuid::new_v4().to_string()
}

const MAX_DELAY: Duration = Duration::from_secs(5);

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

/// Whether a failed call may be sent again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Idempotency {
    /// Reads, deletes, modifies, and creates carrying an idempotency token:
    /// repeating them is harmless.
    Safe,
    /// Creates without a token: sent again only when the cloud certainly did
    /// not act (throttled, or never reached), never after a lost answer.
    Unsafe,
}

/// When a client's calls must end: an operation's deadline, or a default
/// budget counted from the start of each call.
pub fn deadline_or_default(deadline: Option<Instant>) -> Instant {
    deadline.unwrap_or_else(|| Instant::now() + DEFAULT_BUDGET)
}

/// Calls `call` until it succeeds, fails for good, or `deadline` passes.
/// `call` gets the time its request may take: [`REQUEST_TIMEOUT`] or what
/// is left, whichever is less. Retryable failures are retried with
/// jittered exponential backoff for as long as the deadline allows, and a
/// throttled one through `gate`, which every call to the same host waits
/// at; the error after the deadline says how long it tried and what failed
/// last.
pub async fn with_retry<T, F, Fut>(
    idempotency: Idempotency,
    deadline: Instant,
    gate: &ThrottleGate,
    call: F,
) -> Result<T, ApiError>
where
    F: FnMut(Duration) -> Fut,
    Fut: std::future::Future<Output = Result<T, ApiError>>,
{
    retry_with_pauses(idempotency, deadline, gate, backoff(), call).await
}

async fn retry_with_pauses<T, F, Fut>(
    idempotency: Idempotency,
    deadline: Instant,
    gate: &ThrottleGate,
    mut delays: impl Iterator<Item = Duration>,
    mut call: F,
) -> Result<T, ApiError>
where
    F: FnMut(Duration) -> Fut,
    Fut: std::future::Future<Output = Result<T, ApiError>>,
{
    let started = Instant::now();
    let mut last: Option<ApiError> = None;
    let timed_out = |last: Option<ApiError>| ApiError::Timeout {
        after: started.elapsed(),
        last: Box::new(last.unwrap_or_else(|| {
            ApiError::Config("the operation's time was up before the request was sent".into())
        })),
    };
    loop {
        if deadline <= Instant::now() {
            return Err(timed_out(last));
        }
        let pass = match gate.enter(deadline).await {
            Ok(pass) => pass,
            // Throttled by others all along: their refusal is why nothing was sent.
            Err(refused) => return Err(timed_out(last.or(refused))),
        };
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(timed_out(last));
        }
        let outcome = call(left.min(REQUEST_TIMEOUT)).await;
        let err = match outcome {
            Ok(v) => {
                pass.answered();
                return Ok(v);
            }
            Err(e) => e,
        };
        let throttled = err.is_throttling();
        if throttled {
            gate.throttled(&err);
            drop(pass);
        } else {
            pass.answered();
        }
        let again = match idempotency {
            Idempotency::Safe => err.is_retryable(),
            Idempotency::Unsafe => err.certainly_not_applied(),
        };
        if !again {
            return Err(err);
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left < Duration::from_millis(100) {
            return Err(timed_out(Some(err)));
        }
        if throttled {
            // The gate says when to call again, for every call to this host.
            tracing::debug!(error = %err, "throttled; waiting at the gate");
            last = Some(err);
            continue;
        }
        // Keep half of what is left for one more attempt.
        let delay = delays.next().unwrap_or(MAX_DELAY).min(left / 2);
        tracing::debug!(error = %err, delay_ms = delay.as_millis() as u64, "retrying cloud API call");
        last = Some(err);
        tokio::time::sleep(delay).await;
    }
}

/// The throttle gates of one client, one per host, shared by every copy of it (and so by all
/// the concurrent calls of a provider process to one cloud API).
#[derive(Clone, Default)]
struct Gates(Arc<Mutex<HashMap<String, Arc<ThrottleGate>>>>);

impl Gates {
    fn of(&self, host: &str) -> Arc<ThrottleGate> {
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
const OPEN_AFTER: usize = 12;

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

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    fn unavailable() -> ApiError {
        ApiError::Api {
            http_status: 503,
            code: "ServiceUnavailable".into(),
            message: String::new(),
            request_id: String::new(),
            retry_after: None,
        }
    }

    /// A gate of its own: nothing else throttles it.
    fn open() -> ThrottleGate {
        ThrottleGate::default()
    }

    /// Short pauses, so that a deadline of seconds allows many attempts.
    fn quick() -> impl Iterator<Item = Duration> {
        std::iter::repeat(Duration::from_millis(10))
    }

    #[tokio::test]
    async fn retries_until_the_deadline_not_a_count() {
        let n = AtomicU32::new(0);
        let start = Instant::now();
        let deadline = start + Duration::from_secs(2);
        let err =
            retry_with_pauses::<(), _, _>(Idempotency::Safe, deadline, &open(), quick(), |_| {
                n.fetch_add(1, Ordering::SeqCst);
                async { Err(unavailable()) }
            })
            .await
            .unwrap_err();
        let took = start.elapsed();
        assert!(took <= Duration::from_millis(2100), "{took:?}");
        assert!(took >= Duration::from_millis(1800), "{took:?}");
        // The old policy stopped after 10 attempts whatever the timeout.
        let attempts = n.load(Ordering::SeqCst);
        assert!(attempts > 50, "{attempts}");
        assert!(matches!(err, ApiError::Timeout { .. }), "{err}");
        assert!(err.to_string().contains("ServiceUnavailable"), "{err}");
    }

    #[tokio::test]
    async fn each_request_gets_at_most_what_is_left() {
        let start = Instant::now();
        let budget = Duration::from_secs(2);
        let mut seen = Vec::new();
        let _ = retry_with_pauses::<(), _, _>(
            Idempotency::Safe,
            start + budget,
            &open(),
            quick(),
            |t| {
                seen.push(t);
                async move {
                    tokio::time::sleep(t).await;
                    Err(ApiError::Transport {
                        operation: "op".into(),
                        failure: Transport::TimedOut {
                            host: "h".into(),
                            after: t,
                            sent: true,
                        },
                    })
                }
            },
        )
        .await;
        assert!(seen[0] <= budget && seen[0] > budget - Duration::from_millis(100));
        assert!(seen.iter().all(|t| *t <= budget));
        let took = start.elapsed();
        assert!(took <= budget + Duration::from_millis(200), "{took:?}");
    }

    #[tokio::test]
    async fn permanent_errors_fail_at_once() {
        let n = AtomicU32::new(0);
        let start = Instant::now();
        let err = with_retry::<(), _, _>(
            Idempotency::Safe,
            start + Duration::from_secs(300),
            &open(),
            |_| {
                n.fetch_add(1, Ordering::SeqCst);
                async {
                    Err(ApiError::Transport {
                        operation: "op".into(),
                        failure: Transport::Tls {
                            host: "h".into(),
                            detail: "invalid peer certificate: UnknownIssuer".into(),
                        },
                    })
                }
            },
        )
        .await
        .unwrap_err();
        assert_eq!(n.load(Ordering::SeqCst), 1);
        assert!(err.to_string().contains("UnknownIssuer"), "{err}");
    }

    #[tokio::test]
    async fn unsafe_calls_are_resent_only_when_not_applied() {
        let n = AtomicU32::new(0);
        let deadline = Instant::now() + Duration::from_secs(60);
        // Refused: never reached the server, so a create may be resent.
        let r = retry_with_pauses(Idempotency::Unsafe, deadline, &open(), quick(), |_| {
            let k = n.fetch_add(1, Ordering::SeqCst);
            async move {
                if k < 3 {
                    Err(ApiError::Transport {
                        operation: "op".into(),
                        failure: Transport::Refused { host: "h".into() },
                    })
                } else {
                    Ok(k)
                }
            }
        })
        .await;
        assert_eq!(r.unwrap(), 3);
        // A 503 may have been applied: handed back to the caller at once.
        let n = AtomicU32::new(0);
        let err = with_retry::<(), _, _>(Idempotency::Unsafe, deadline, &open(), |_| {
            n.fetch_add(1, Ordering::SeqCst);
            async { Err(unavailable()) }
        })
        .await
        .unwrap_err();
        assert_eq!(n.load(Ordering::SeqCst), 1);
        assert!(err.may_have_applied());
    }

    /// Which failures are sent again, by whether the call may be repeated: a call that fails
    /// once with `err`, then succeeds, is made twice when it is retried, once otherwise.
    #[tokio::test]
    async fn what_is_retried_by_idempotency() {
        let reset = ApiError::Transport {
            operation: "op".into(),
            failure: Transport::Reset {
                host: "h".into(),
                detail: "closed".into(),
            },
        };
        let throttled = ApiError::Api {
            http_status: 429,
            code: "RATE_LIMIT".into(),
            message: String::new(),
            request_id: String::new(),
            retry_after: None,
        };
        let invalid = ApiError::Api {
            http_status: 400,
            code: "INVALID_ARGUMENT".into(),
            message: "bgpAsn out of range".into(),
            request_id: String::new(),
            retry_after: None,
        };
        let not_found = ApiError::not_found("gone".into());
        let garbled = ApiError::Garbled("cut short".into());
        // (failure, attempts when Safe, attempts when Unsafe)
        let cases = [
            (reset, 2, 1),
            (garbled, 2, 1),
            (unavailable(), 2, 1),
            (throttled, 2, 2),
            (invalid, 1, 1),
            (not_found, 1, 1),
        ];
        let deadline = Instant::now() + Duration::from_secs(30);
        for (err, safe, unsafe_) in cases {
            for (idempotency, expected) in
                [(Idempotency::Safe, safe), (Idempotency::Unsafe, unsafe_)]
            {
                let n = AtomicU32::new(0);
                let r = retry_with_pauses(idempotency, deadline, &open(), quick(), |_| {
                    let first = n.fetch_add(1, Ordering::SeqCst) == 0;
                    let err = err.clone();
                    async move {
                        if first {
                            Err(err)
                        } else {
                            Ok(())
                        }
                    }
                })
                .await;
                let attempts = n.load(Ordering::SeqCst);
                assert_eq!(attempts, expected, "{err} ({idempotency:?})");
                match r {
                    Ok(()) => assert_eq!(attempts, 2),
                    // Handed back as it came, not wrapped in a timeout.
                    Err(e) => assert_eq!(e, err),
                }
            }
        }
    }

    /// A deadline already passed sends nothing; one too close for another attempt ends the
    /// retries with the last failure.
    #[tokio::test]
    async fn no_request_is_sent_past_the_deadline() {
        let n = AtomicU32::new(0);
        let err = retry_with_pauses::<(), _, _>(
            Idempotency::Safe,
            Instant::now(),
            &open(),
            quick(),
            |_| {
                n.fetch_add(1, Ordering::SeqCst);
                async { Ok(()) }
            },
        )
        .await
        .unwrap_err();
        assert_eq!(n.load(Ordering::SeqCst), 0);
        assert!(matches!(err, ApiError::Timeout { .. }), "{err}");

        let deadline = Instant::now() + Duration::from_millis(50);
        let err =
            retry_with_pauses::<(), _, _>(Idempotency::Safe, deadline, &open(), quick(), |t| {
                assert!(t <= Duration::from_millis(50), "{t:?}");
                n.fetch_add(1, Ordering::SeqCst);
                async { Err(unavailable()) }
            })
            .await
            .unwrap_err();
        assert_eq!(n.load(Ordering::SeqCst), 1);
        let ApiError::Timeout { last, .. } = err else {
            panic!("{err}")
        };
        assert_eq!(*last, unavailable());
    }

    fn throttled(retry_after: Option<Duration>) -> ApiError {
        ApiError::Api {
            http_status: 429,
            code: "RATE_LIMIT".into(),
            message: String::new(),
            request_id: String::new(),
            retry_after,
        }
    }

    /// Twelve calls waiting at a closed gate, against a cloud that refuses until `open_at`: one
    /// probe at a time is refused, not all twelve each pause; once one is admitted the others
    /// follow, one more at a time for each admitted, and the gate opens.
    #[tokio::test]
    async fn a_closed_gate_sends_one_probe_at_a_time() {
        let gate = ThrottleGate::default();
        let start = Instant::now();
        let second = Duration::from_secs(1);
        gate.throttled(&throttled(Some(second)));
        let open_at = start + Duration::from_millis(1_500);
        let refused = AtomicU32::new(0);
        let admitted = AtomicU32::new(0);
        let sent_early = AtomicU32::new(0);
        let (in_flight, most_in_flight) = (AtomicU32::new(0), AtomicU32::new(0));
        let deadline = start + Duration::from_secs(10);
        let calls = (0..12).map(|_| {
            retry_with_pauses(Idempotency::Safe, deadline, &gate, quick(), |_| async {
                if Instant::now() < start + second {
                    sent_early.fetch_add(1, Ordering::SeqCst);
                }
                let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                most_in_flight.fetch_max(now, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(20)).await;
                in_flight.fetch_sub(1, Ordering::SeqCst);
                if Instant::now() < open_at {
                    refused.fetch_add(1, Ordering::SeqCst);
                    Err(throttled(Some(Duration::from_millis(480))))
                } else {
                    admitted.fetch_add(1, Ordering::SeqCst);
                    Ok(())
                }
            })
        });
        let results = futures_util::future::join_all(calls).await;
        assert!(results.iter().all(Result::is_ok), "{results:?}");
        assert_eq!(sent_early.load(Ordering::SeqCst), 0, "sent while closed");
        // At 1 s one probe (refused: 480 ms more, taken as a second), at 2.02 s one probe
        // (admitted), then two at a time, three, …
        assert_eq!(refused.load(Ordering::SeqCst), 1);
        assert_eq!(admitted.load(Ordering::SeqCst), 12);
        let most = most_in_flight.load(Ordering::SeqCst);
        assert!((2..12).contains(&most), "{most} at once");
        assert!(gate.is_open(), "open again");
        let took = start.elapsed();
        assert!(took >= Duration::from_millis(2_020), "{took:?}");
        assert!(took < Duration::from_secs(3), "{took:?}");
    }

    /// One gate per host, shared by every copy of a session (the copies each operation's
    /// deadline makes), none between clients.
    #[tokio::test]
    async fn the_gate_is_shared_by_the_calls_of_one_host() {
        let session = Session::new("r", Credentials::new("ak", "sk")).unwrap();
        let copy = session.until(Instant::now() + Duration::from_secs(1));
        let a = session.gate("vpc.aliyuncs.com");
        assert!(Arc::ptr_eq(&a, &copy.gate("vpc.aliyuncs.com")));
        assert!(!Arc::ptr_eq(&a, &session.gate("cbn.aliyuncs.com")));
        a.throttled(&throttled(Some(Duration::from_secs(5))));
        assert!(copy.gate("vpc.aliyuncs.com").closed_until().is_some());
        assert!(session.gate("cbn.aliyuncs.com").closed_until().is_none());
        // A new provider process (a new client) starts open.
        let other = Session::new("r", Credentials::new("ak", "sk")).unwrap();
        assert!(other.gate("vpc.aliyuncs.com").closed_until().is_none());
    }

    /// A throttled call waits what the answer asked, in whole seconds; without advice, the
    /// gate's own backoff (200 ms, jittered, doubling).
    #[tokio::test]
    async fn retry_after_is_honoured_and_without_it_the_gate_backs_off() {
        for (advice, at_least, below) in [
            (Some(Duration::from_secs(1)), 1_000, 1_300),
            // Alibaba's advice in milliseconds, taken in whole seconds.
            (Some(Duration::from_millis(1_200)), 2_000, 2_300),
            (None, 200, 600),
        ] {
            let gate = ThrottleGate::default();
            let sent = Mutex::new(Vec::new());
            let r = retry_with_pauses(
                Idempotency::Unsafe,
                Instant::now() + Duration::from_secs(10),
                &gate,
                quick(),
                |_| {
                    let mut sent = sent.lock().unwrap();
                    sent.push(Instant::now());
                    let first = sent.len() == 1;
                    async move {
                        if first {
                            Err(throttled(advice))
                        } else {
                            Ok(())
                        }
                    }
                },
            )
            .await;
            assert!(r.is_ok(), "{r:?}");
            let sent = sent.into_inner().unwrap();
            assert_eq!(sent.len(), 2);
            let gap = sent[1] - sent[0];
            assert!(
                gap >= Duration::from_millis(at_least) && gap < Duration::from_millis(below),
                "{advice:?}: {gap:?}"
            );
        }
    }

    /// A wait at the gate ends at the caller's deadline, with the refusal that closed it; a
    /// call that is itself told to wait past its deadline ends there too, with its own.
    #[tokio::test]
    async fn the_deadline_ends_a_wait_at_a_closed_gate() {
        let gate = ThrottleGate::default();
        let mut refusal = throttled(Some(Duration::from_secs(30)));
        if let ApiError::Api { message, .. } = &mut refusal {
            *message = "at most 10 calls per minute".into();
        }
        gate.throttled(&refusal);
        let start = Instant::now();
        let n = AtomicU32::new(0);
        let err = retry_with_pauses::<(), _, _>(
            Idempotency::Safe,
            start + Duration::from_millis(300),
            &gate,
            quick(),
            |_| {
                n.fetch_add(1, Ordering::SeqCst);
                async { Ok(()) }
            },
        )
        .await
        .unwrap_err();
        let took = start.elapsed();
        assert_eq!(
            n.load(Ordering::SeqCst),
            0,
            "nothing is sent past a closed gate"
        );
        assert!(
            took >= Duration::from_millis(290) && took < Duration::from_millis(800),
            "{took:?}"
        );
        let ApiError::Timeout { last, .. } = &err else {
            panic!("{err}")
        };
        assert_eq!(**last, refusal);
        assert!(
            err.to_string().contains("at most 10 calls per minute"),
            "{err}"
        );

        let gate = ThrottleGate::default();
        let start = Instant::now();
        let err = retry_with_pauses::<(), _, _>(
            Idempotency::Safe,
            start + Duration::from_millis(500),
            &gate,
            quick(),
            |_| {
                n.fetch_add(1, Ordering::SeqCst);
                async { Err(throttled(Some(Duration::from_secs(30)))) }
            },
        )
        .await
        .unwrap_err();
        let took = start.elapsed();
        assert_eq!(n.load(Ordering::SeqCst), 1);
        assert!(
            took >= Duration::from_millis(490) && took < Duration::from_secs(1),
            "{took:?}"
        );
        assert!(
            err.to_string()
                .starts_with("timed out after 500ms; last attempt: RATE_LIMIT"),
            "{err}"
        );
    }

    /// A place given up (its operation cancelled) goes to the next waiting call; each admitted
    /// call lets one more go at a time.
    #[tokio::test]
    async fn places_at_a_closed_gate() {
        let gate = ThrottleGate::default();
        gate.throttled(&throttled(Some(Duration::from_millis(50))));
        let deadline = Instant::now() + Duration::from_secs(5);
        let soon = || Instant::now() + Duration::from_millis(100);
        let briefly = Instant::now() + Duration::from_millis(20);
        assert!(gate.enter(briefly).await.is_err(), "closed for a second");
        let first = gate.enter(deadline).await.unwrap();
        assert!(first.gated());
        assert!(gate.enter(soon()).await.is_err(), "one probe at a time");
        drop(first);
        let second = gate.enter(deadline).await.unwrap();
        second.answered();
        let (a, b) = (gate.enter(deadline).await, gate.enter(deadline).await);
        assert!(a.is_ok() && b.is_ok(), "two at a time after one admitted");
        assert!(gate.enter(soon()).await.is_err(), "not three");
        a.unwrap().answered();
        // A refusal: one at a time again, after the wait it asked.
        gate.throttled(&throttled(Some(Duration::from_millis(50))));
        let late = b.unwrap();
        late.answered();
        let briefly = Instant::now() + Duration::from_millis(20);
        assert!(gate.enter(briefly).await.is_err(), "closed for a second");
        let probe = gate.enter(deadline).await.unwrap();
        assert!(gate.enter(soon()).await.is_err(), "one probe at a time");
        probe.answered();
        for _ in 0..OPEN_AFTER {
            gate.enter(deadline).await.unwrap().answered();
        }
        assert!(gate.is_open());
        assert!(!gate.enter(soon()).await.unwrap().gated());
    }

    /// Without advice, the gate's pauses double while the probes are refused, and start again
    /// from 200 ms once one is not.
    #[tokio::test]
    async fn the_gates_own_backoff_restarts_after_an_admitted_call() {
        let gate = ThrottleGate::default();
        let closed_for = || gate.closed_until().unwrap() - Instant::now();
        gate.throttled(&throttled(None));
        let first = closed_for();
        assert!(first <= Duration::from_millis(400), "{first:?}");
        gate.throttled(&throttled(None));
        let second = closed_for();
        assert!(second >= Duration::from_millis(390), "{second:?}");
        let pass = gate
            .enter(Instant::now() + Duration::from_secs(5))
            .await
            .unwrap();
        pass.answered();
        gate.throttled(&throttled(None));
        let again = closed_for();
        assert!(
            again >= Duration::from_millis(150) && again <= Duration::from_millis(400),
            "{again:?}"
        );
    }

    #[test]
    fn retry_after_headers() {
        use reqwest::header::{HeaderMap, HeaderValue};
        let of = |pairs: &[(&'static str, &'static str)]| {
            let mut h = HeaderMap::new();
            for (k, v) in pairs {
                h.insert(*k, HeaderValue::from_static(v));
            }
            retry_after(&h)
        };
        assert_eq!(of(&[]), None);
        assert_eq!(of(&[("retry-after", "7")]), Some(Duration::from_secs(7)));
        // Alibaba's own header is in milliseconds, and more precise.
        assert_eq!(
            of(&[("retry-after", "2"), ("x-acs-retry-after", "1500")]),
            Some(Duration::from_millis(1500))
        );
        assert_eq!(of(&[("retry-after", "0")]), None);
        assert_eq!(
            of(&[("retry-after", "Wed, 21 Oct 2026 07:28:00 GMT")]),
            None
        );
        assert_eq!(of(&[("retry-after", "86400")]), Some(MAX_RETRY_AFTER));
    }

    #[test]
    fn dates_have_each_clouds_shape() {
        let jd = jd_date_now();
        assert_eq!(jd.len(), 16, "{jd}");
        assert_eq!((&jd[8..9], &jd[15..]), ("T", "Z"), "{jd}");
        let acs = acs_date_now();
        assert_eq!(acs.len(), 20, "{acs}");
        assert_eq!(
            (&acs[4..5], &acs[10..11], &acs[13..14]),
            ("-", "T", ":"),
            "{acs}"
        );
    }

    #[test]
    fn security_tokens_are_redacted_from_canonical_requests() {
        let canonical = "POST\n/\n\nhost:vpc.aliyuncs.com\nx-acs-security-token:STS.secret\nx-acs-version:2016-04-28\n\nhost;x-acs-security-token\nabc";
        let r = redact_canonical(canonical, &["x-acs-security-token"]);
        assert!(!r.contains("STS.secret"), "{r}");
        assert!(r.contains("x-acs-security-token:** redacted **"), "{r}");
        assert!(r.contains("host;x-acs-security-token"), "{r}");
    }

    /// The failure a real request to `url` meets, as our error.
    async fn failure_of(url: &str, timeout: Duration) -> Transport {
        let client = http_client().unwrap();
        let e = client
            .get(url)
            .timeout(timeout)
            .send()
            .await
            .expect_err("the request must fail");
        let host = url.split('/').nth(2).unwrap().to_string();
        match transport_error("op", &host, timeout, &e) {
            ApiError::Transport { failure, .. } => failure,
            other => panic!("{other}"),
        }
    }

    #[tokio::test]
    async fn real_failures_are_told_apart() {
        // Nothing listening.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let f = failure_of(&format!("http://127.0.0.1:{port}/"), Duration::from_secs(5)).await;
        assert!(matches!(f, Transport::Refused { .. }), "{f:?}");
        assert_eq!(
            f.to_string(),
            format!("connection refused by 127.0.0.1:{port}")
        );

        // Accepts, never answers.
        let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = silent.local_addr().unwrap();
        let _keep = tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((s, _)) = silent.accept().await {
                held.push(s);
            }
        });
        let f = failure_of(&format!("http://{addr}/"), Duration::from_millis(300)).await;
        assert!(matches!(f, Transport::TimedOut { sent: true, .. }), "{f:?}");

        // Accepts, then hangs up without a word.
        let rude = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = rude.local_addr().unwrap();
        let _close = tokio::spawn(async move {
            while let Ok((mut s, _)) = rude.accept().await {
                let mut buf = [0u8; 1024];
                let _ = tokio::io::AsyncReadExt::read(&mut s, &mut buf).await;
                drop(s);
            }
        });
        let f = failure_of(&format!("http://{addr}/"), Duration::from_secs(5)).await;
        assert!(matches!(f, Transport::Reset { .. }), "{f:?}");

        // TLS with a certificate nobody vouches for: permanent.
        let cert = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string()]).unwrap();
        let config = rustls::ServerConfig::builder_with_provider(std::sync::Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![cert.cert.der().clone()],
            rustls_pki_types::PrivateKeyDer::Pkcs8(cert.signing_key.serialize_der().into()),
        )
        .unwrap();
        let acceptor = tokio_rustls::TlsAcceptor::from(std::sync::Arc::new(config));
        let tls = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = tls.local_addr().unwrap();
        let _serve = tokio::spawn(async move {
            while let Ok((s, _)) = tls.accept().await {
                let _ = acceptor.accept(s).await;
            }
        });
        let f = failure_of(&format!("https://{addr}/"), Duration::from_secs(5)).await;
        assert!(matches!(f, Transport::Tls { .. }), "{f:?}");
        assert!(f.to_string().contains("UnknownIssuer"), "{f}");
        assert!(!ApiError::Transport {
            operation: "op".into(),
            failure: f
        }
        .is_retryable());
    }
}
