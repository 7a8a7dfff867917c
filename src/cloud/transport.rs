//! What every client shares: the HTTP client, the clock and nonce source
//! (kept out of the signer so it stays pure), how a failed request is
//! described, and the retry policy, which is bounded by the operation's
//! deadline and nothing else (docs/design/reliability.md).

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
}

impl Session {
    pub fn new(region: &str, credentials: Credentials) -> Result<Session, ApiError> {
        Ok(Session {
            http: http_client()?,
            region: region.to_string(),
            credentials,
            deadline: None,
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

    /// Sends one signed request to `url` within `timeout`: the signed
    /// headers (Host aside, which reqwest sets from the URL, identical to
    /// what was signed), the authorization marked sensitive, then `body`.
    /// Answers the status and the whole body.
    pub async fn send(
        &self,
        operation: &str,
        (method, url): (reqwest::Method, reqwest::Url),
        headers: &[(String, String)],
        authorization: &str,
        body: Option<Vec<u8>>,
        timeout: Duration,
    ) -> Result<(u16, Bytes), ApiError> {
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
        let bytes = resp.bytes().await.map_err(failed)?;
        Ok((status, bytes))
    }
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
/// jittered exponential backoff for as long as the deadline allows; the
/// error after the deadline says how long it tried and what failed last.
pub async fn with_retry<T, F, Fut>(
    idempotency: Idempotency,
    deadline: Instant,
    call: F,
) -> Result<T, ApiError>
where
    F: FnMut(Duration) -> Fut,
    Fut: std::future::Future<Output = Result<T, ApiError>>,
{
    retry_with_pauses(idempotency, deadline, backoff(), call).await
}

async fn retry_with_pauses<T, F, Fut>(
    idempotency: Idempotency,
    deadline: Instant,
    mut delays: impl Iterator<Item = Duration>,
    mut call: F,
) -> Result<T, ApiError>
where
    F: FnMut(Duration) -> Fut,
    Fut: std::future::Future<Output = Result<T, ApiError>>,
{
    let started = Instant::now();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(ApiError::Timeout {
                after: started.elapsed(),
                last: Box::new(ApiError::Config(
                    "the operation's time was up before the request was sent".into(),
                )),
            });
        }
        let err = match call(left.min(REQUEST_TIMEOUT)).await {
            Ok(v) => return Ok(v),
            Err(e) => e,
        };
        let again = match idempotency {
            Idempotency::Safe => err.is_retryable(),
            Idempotency::Unsafe => err.certainly_not_applied(),
        };
        if !again {
            return Err(err);
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left < Duration::from_millis(100) {
            return Err(ApiError::Timeout {
                after: started.elapsed(),
                last: Box::new(err),
            });
        }
        // Keep half of what is left for one more attempt.
        let delay = delays.next().unwrap_or(MAX_DELAY).min(left / 2);
        tracing::debug!(error = %err, delay_ms = delay.as_millis() as u64, "retrying cloud API call");
        tokio::time::sleep(delay).await;
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
        }
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
        let err = retry_with_pauses::<(), _, _>(Idempotency::Safe, deadline, quick(), |_| {
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
        let _ = retry_with_pauses::<(), _, _>(Idempotency::Safe, start + budget, quick(), |t| {
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
        })
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
        let err =
            with_retry::<(), _, _>(Idempotency::Safe, start + Duration::from_secs(300), |_| {
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
            })
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
        let r = retry_with_pauses(Idempotency::Unsafe, deadline, quick(), |_| {
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
        let err = with_retry::<(), _, _>(Idempotency::Unsafe, deadline, |_| {
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
        };
        let invalid = ApiError::Api {
            http_status: 400,
            code: "INVALID_ARGUMENT".into(),
            message: "bgpAsn out of range".into(),
            request_id: String::new(),
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
                let r = retry_with_pauses(idempotency, deadline, quick(), |_| {
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
        let err = retry_with_pauses::<(), _, _>(Idempotency::Safe, Instant::now(), quick(), |_| {
            n.fetch_add(1, Ordering::SeqCst);
            async { Ok(()) }
        })
        .await
        .unwrap_err();
        assert_eq!(n.load(Ordering::SeqCst), 0);
        assert!(matches!(err, ApiError::Timeout { .. }), "{err}");

        let deadline = Instant::now() + Duration::from_millis(50);
        let err = retry_with_pauses::<(), _, _>(Idempotency::Safe, deadline, quick(), |t| {
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
