//! What both clouds' front doors share: the largest body they read, the counters of refused
//! calls, and the last step of their answers — an encoded JSON envelope, sent with the cloud's
//! content type and its request-id header.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::ratelimit::retry_after_secs;

/// Largest request body read (both APIs' bodies are tiny).
pub(crate) const MAX_BODY_BYTES: usize = 1 << 20;
/// Counter (in `/_sandbox/requests`) of calls refused by authentication, either cloud.
pub(crate) const AUTH_REJECTED_COUNTER: &str = "auth.rejected";
/// Counter (in `/_sandbox/requests`) of calls refused by the rate limit, either cloud.
pub(crate) const RATE_LIMITED_COUNTER: &str = "rate_limit.rejected";

/// How long an injected throttle (`faults`) asks the client to wait: it stands for a passing
/// burst, not a full window.
pub(crate) const INJECTED_THROTTLE_WAIT: time::Duration = time::Duration::seconds(1);

/// How one cloud sends its envelopes.
pub(crate) struct Envelope {
    /// For the log line when an envelope cannot be encoded.
    pub cloud: &'static str,
    pub content_type: &'static str,
    pub request_id_header: &'static str,
    /// A header of the cloud's own that says in milliseconds how long a throttled client
    /// should wait, beside the standard `Retry-After`.
    pub retry_after_ms_header: Option<&'static str>,
}

impl Envelope {
    /// `body` (an envelope already encoded; 500 if that failed) with `status`, the content type
    /// and `request_id`.
    pub(crate) fn respond(
        &self,
        status: StatusCode,
        request_id: &str,
        body: serde_json::Result<Vec<u8>>,
    ) -> Response {
        let body = match body {
            Ok(b) => b,
            Err(e) => {
                tracing::error!(error = %e, cloud = self.cloud, "encoding envelope");
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            }
        };
        let mut response =
            (status, [(header::CONTENT_TYPE, self.content_type)], body).into_response();
        if let Ok(v) = HeaderValue::from_str(request_id) {
            response.headers_mut().insert(self.request_id_header, v);
        }
        response
    }

    /// Says on a throttled answer when to call again: `Retry-After` in whole seconds, rounded
    /// up (RFC 9110 §10.2.3), and the cloud's own header in milliseconds if it has one.
    /// INFERRED: whether the real clouds send either (docs/design/jdcloud.md §8.19,
    /// alicloud.md §10.16); the provider works without them.
    pub(crate) fn retry_after(&self, mut response: Response, wait: time::Duration) -> Response {
        let headers = response.headers_mut();
        headers.insert(
            header::RETRY_AFTER,
            HeaderValue::from(retry_after_secs(wait)),
        );
        if let Some(name) = self.retry_after_ms_header {
            let ms = u64::try_from(wait.whole_milliseconds()).unwrap_or(0).max(1);
            headers.insert(name, HeaderValue::from(ms));
        }
        response
    }
}
