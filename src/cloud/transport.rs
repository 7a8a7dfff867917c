//! What every client shares: the HTTP client, the clock and nonce source
//! (kept out of the signer so it stays pure), and the retry policy.

use std::time::Duration;

use backon::{ExponentialBuilder, Retryable};
use time::OffsetDateTime;

use super::ApiError;

/// One reqwest client (rustls) for the process.
pub fn http_client() -> Result<reqwest::Client, ApiError> {
    reqwest::Client::builder()
        .user_agent(concat!("hybridnet/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(60))
        .build()
        .map_err(|e| ApiError::Config(format!("building HTTP client: {e}")))
}

/// Now, as JD Cloud's `x-jdcloud-date` wants it: `YYYYMMDDTHHMMSSZ`.
pub fn jd_date_now() -> String {
    let t = OffsetDateTime::now_utc();
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Now, as Alibaba Cloud's `x-acs-date` wants it: `YYYY-MM-DDTHH:MM:SSZ`.
pub fn acs_date_now() -> String {
    let t = OffsetDateTime::now_utc();
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

pub fn nonce() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Whether a failed call may be sent again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Idempotency {
    /// Reads, deletes, modifies: repeating them is harmless.
    Safe,
    /// Creates without a client token: only retried when the cloud certainly
    /// did not act (throttled), never after a lost response.
    Unsafe,
}

/// Retries `call` with exponential backoff and jitter on retryable errors.
pub async fn with_retry<T, F, Fut>(
    idempotency: Idempotency,
    max_elapsed: Duration,
    call: F,
) -> Result<T, ApiError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, ApiError>>,
{
    let policy = ExponentialBuilder::default()
        .with_min_delay(Duration::from_millis(200))
        .with_max_delay(Duration::from_secs(5))
        .with_jitter()
        .with_total_delay(Some(max_elapsed))
        .with_max_times(10);
    call.retry(policy)
        .when(|e: &ApiError| match idempotency {
            Idempotency::Safe => e.is_retryable(),
            Idempotency::Unsafe => e.is_throttling(),
        })
        .notify(|e, d| tracing::debug!(error = %e, delay_ms = d.as_millis() as u64, "retrying cloud API call"))
        .await
}
