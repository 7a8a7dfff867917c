//! JD Cloud request authentication (docs/design/jdcloud.md §5, checks in the order of §5.5).
//!
//! The signature is recomputed over exactly what was received: raw path and raw query from the
//! request URI, the headers listed in `SignedHeaders` (so `host` as received), and the body bytes.
//! Date and nonce need not be signed (the Python SDK signs only `content-type;host`, §5.2).
//!
//! A nonce ("must remain unique for a certain period of time") is remembered for
//! [`MAX_CLOCK_SKEW`] per access key once the signature checks out, so a badly signed request
//! does not burn it; a reused one is 401 `ACCESS_ERROR`. The replay window is not published; it
//! is the skew window (§8.7). A request without a nonce is not refused (the
//! sandbox never required one; the SDKs always send one).

use axum::http::request::Parts;
use time::format_description::BorrowedFormatItem;
use time::macros::format_description;
use time::{Duration, OffsetDateTime, PrimitiveDateTime};

use super::error::JdError;
use crate::sandbox::nonces::NonceCache;
use crate::sandbox::signed;
use crate::signer::jdcloud::{self as signer, DATE_HEADER, NONCE_HEADER};

/// Allowed distance between `x-jdcloud-date` and the sandbox clock, also the nonce window. The
/// real value is not published; 15 minutes is INFERRED, AWS-like (docs/design/jdcloud.md §8.7).
pub(super) const MAX_CLOCK_SKEW: Duration = Duration::minutes(15);

/// Signing service name of the `bgw` API (§1).
const SERVICE: &str = "bgw";

const MISSING_AUTHORIZATION: &str = "lack of header authorization[gw]";
const SIGNATURE_MISMATCH: &str = "sign result is not same [gw]";

const DATE_FORMAT: &[BorrowedFormatItem<'static>] =
    format_description!("[year][month][day]T[hour][minute][second]Z");

/// Accepts the request (recording its nonce) or says why not, as the gateway's 401
/// `ACCESS_ERROR`.
pub(super) fn authenticate(
    credentials: &crate::signer::Credentials,
    nonces: &NonceCache,
    parts: &Parts,
    body: &[u8],
    now: OffsetDateTime,
) -> Result<(), JdError> {
    let Some(authorization) = parts.headers.get(axum::http::header::AUTHORIZATION) else {
        return Err(JdError::access_error(MISSING_AUTHORIZATION));
    };
    let reject = |reason: &dyn std::fmt::Display| {
        // The client only sees the gateway's fixed message; the reason helps whoever runs the sandbox.
        tracing::warn!(%reason, path = %parts.uri.path(), "JD Cloud request rejected");
        JdError::access_error(SIGNATURE_MISMATCH)
    };
    let authorization = authorization
        .to_str()
        .map_err(|_| reject(&"Authorization header is not ASCII"))?;
    let parsed = signer::parse_authorization(authorization).map_err(|e| reject(&e))?;
    if parsed.service != SERVICE {
        return Err(reject(&format_args!(
            "credential scope service is `{}`, expected `{SERVICE}`",
            parsed.service
        )));
    }

    let date = parts
        .headers
        .get(DATE_HEADER)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| reject(&format_args!("missing header {DATE_HEADER}")))?;
    let sent = PrimitiveDateTime::parse(date, DATE_FORMAT)
        .map_err(|e| reject(&format_args!("bad {DATE_HEADER} `{date}`: {e}")))?
        .assume_utc();
    let skew = (now - sent).abs();
    if skew > MAX_CLOCK_SKEW {
        tracing::warn!(date, skew = %skew, "JD Cloud request rejected: clock skew");
        return Err(JdError::access_error(format!(
            "request time skew too large: {DATE_HEADER} {date} is {} s away from the server \
             clock, at most {} s allowed [gw]",
            skew.whole_seconds(),
            MAX_CLOCK_SKEW.whole_seconds()
        )));
    }

    let headers = signed::headers(parts);
    let request = signed::request(parts, &headers, body);
    signer::verify(&request, &parsed, credentials).map_err(|e| reject(&e))?;

    let Some(nonce) = parts.headers.get(NONCE_HEADER) else {
        return Ok(());
    };
    let nonce = nonce
        .to_str()
        .map_err(|_| reject(&format_args!("{NONCE_HEADER} is not ASCII")))?;
    if nonces.check_and_record(&parsed.access_key_id, nonce, now) {
        Ok(())
    } else {
        tracing::warn!(nonce, "JD Cloud request rejected: nonce reused");
        Err(JdError::access_error(format!(
            "{NONCE_HEADER} {nonce:?} was already used within the last {} s: replayed request \
             refused [gw]",
            MAX_CLOCK_SKEW.whole_seconds()
        )))
    }
}
