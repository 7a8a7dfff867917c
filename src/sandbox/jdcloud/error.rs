//! JD Cloud errors: HTTP status + upper-snake `status` string + message (docs/design/jdcloud.md
//! §2.3, §2.4).

use axum::http::StatusCode;

use crate::sandbox::store::StoreError;

/// An error as JD Cloud reports it: `{"error":{"code":<http>,"status":"..","message":".."}}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct JdError {
    pub http: StatusCode,
    pub status: &'static str,
    pub message: String,
}

impl JdError {
    fn new(http: StatusCode, status: &'static str, message: impl Into<String>) -> Self {
        Self {
            http,
            status,
            message: message.into(),
        }
    }

    /// 400: missing or malformed parameter.
    pub(crate) fn invalid_argument(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "INVALID_ARGUMENT", message)
    }

    /// 400: numeric parameter outside its range.
    pub(crate) fn out_of_range(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "OUT_OF_RANGE", message)
    }

    /// 400: the resource's state forbids the call (e.g. deleting a gateway still in use).
    pub(crate) fn failed_precondition(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "FAILED_PRECONDITION", message)
    }

    /// 401: authentication failure.
    pub(crate) fn access_error(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "ACCESS_ERROR", message)
    }

    /// 404: unknown resource or path.
    pub(crate) fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "NOT_FOUND", message)
    }

    /// 429: quota exhausted (not retryable, unlike `RATE_LIMIT`).
    pub(crate) fn quota_exceeded(message: impl Into<String>) -> Self {
        Self::new(StatusCode::TOO_MANY_REQUESTS, "QUOTA_EXCEEDED", message)
    }

    /// 429: too many calls per minute (retryable, unlike `QUOTA_EXCEEDED`).
    pub(crate) fn rate_limit(message: impl Into<String>) -> Self {
        Self::new(StatusCode::TOO_MANY_REQUESTS, "RATE_LIMIT", message)
    }

    /// 500: a sandbox bug or a broken state file.
    pub(crate) fn internal(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL", message)
    }
}

impl From<StoreError> for JdError {
    fn from(e: StoreError) -> Self {
        tracing::error!(error = %e, "state store failed");
        Self::internal(format!("sandbox state store: {e}"))
    }
}
