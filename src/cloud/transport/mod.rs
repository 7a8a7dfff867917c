//! What every client shares: the HTTP client, the clock and nonce source
//! (kept out of the signer so it stays pure), how a failed request is
//! described, and the retry policy, which is bounded by the operation's
//! deadline and nothing else (docs/design/reliability.md).

use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use time::format_description::BorrowedFormatItem;
use time::macros::format_description;
use time::OffsetDateTime;

use bytes::Bytes;

use crate::signer::Credentials;

use super::error::Transport;
use super::ApiError;

mod pauses;
mod throttle;
pub use pauses::backoff;
use pauses::MAX_DELAY;
use throttle::Gates;
pub use throttle::{retry_after, Pass, ThrottleGate};

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
    /// Built on the first request, shared by every copy: building it reads
    /// the system's certificate store, which a provider process that makes
    /// no call (most plans and validates) need not pay for.
    http: Arc<OnceLock<reqwest::Client>>,
    region: String,
    credentials: Credentials,
    /// When every call must have ended: the operation's deadline, or `None`
    /// for a default budget per call.
    deadline: Option<Instant>,
    /// The throttle gates of the hosts this client calls, shared by every copy.
    gates: Gates,
}

impl Session {
    pub fn new(region: &str, credentials: Credentials) -> Session {
        Session {
            http: Arc::default(),
            region: region.to_string(),
            credentials,
            deadline: None,
            gates: Gates::default(),
        }
    }

    /// The HTTP client, built on first use.
    fn http(&self) -> Result<&reqwest::Client, ApiError> {
        if let Some(http) = self.http.get() {
            return Ok(http);
        }
        let built = http_client()?;
        Ok(self.http.get_or_init(|| built))
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
        let mut rb = self.http()?.request(method, url).timeout(timeout);
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

#[cfg(test)]
mod tests;
