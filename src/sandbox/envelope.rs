//! What both clouds' front doors share: the largest body they read, the counters of refused
//! calls, and the last step of their answers — an encoded JSON envelope, sent with the cloud's
//! content type and its request-id header.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// Largest request body read (both APIs' bodies are tiny).
pub(crate) const MAX_BODY_BYTES: usize = 1 << 20;
/// Counter (in `/_sandbox/requests`) of calls refused by authentication, either cloud.
pub(crate) const AUTH_REJECTED_COUNTER: &str = "auth.rejected";
/// Counter (in `/_sandbox/requests`) of calls refused by the rate limit, either cloud.
pub(crate) const RATE_LIMITED_COUNTER: &str = "rate_limit.rejected";

/// How one cloud sends its envelopes.
pub(crate) struct Envelope {
    /// For the log line when an envelope cannot be encoded.
    pub cloud: &'static str,
    pub content_type: &'static str,
    pub request_id_header: &'static str,
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
}
