//! The one error type of every cloud client.

use thiserror::Error;

#[derive(Debug, Clone, Error, PartialEq, Eq)]
pub enum ApiError {
    /// The cloud answered with its error envelope.
    #[error("{code}: {message} (HTTP {http_status}, request id {request_id})")]
    Api {
        http_status: u16,
        code: String,
        message: String,
        request_id: String,
    },
    /// No usable answer: connection refused or reset, timeout, TLS failure.
    #[error("request failed: {0}")]
    Transport(String),
    /// An answer we could not understand.
    #[error("unexpected response: {0}")]
    Decode(String),
    /// Local misconfiguration, e.g. an endpoint that is not a URL.
    #[error("{0}")]
    Config(String),
}

/// Error codes that mean "the object does not exist".
const NOT_FOUND_CODES: &[&str] = &["NOT_FOUND"];
/// Error codes worth retrying: throttling and transient server trouble.
const RETRYABLE_CODES: &[&str] = &[
    "RATE_LIMIT",
    "INTERNAL",
    "UNKNOWN",
    "UNAVAILABLE",
    "Throttling.User",
    "ServiceUnavailable",
];

impl ApiError {
    /// A not-found error made on our side, e.g. when an answer names a
    /// different object than the one asked for.
    pub fn not_found(message: String) -> ApiError {
        ApiError::Api {
            http_status: 404,
            code: "NOT_FOUND".into(),
            message,
            request_id: String::new(),
        }
    }
    pub fn code(&self) -> Option<&str> {
        match self {
            ApiError::Api { code, .. } => Some(code),
            _ => None,
        }
    }
    pub fn is_not_found(&self) -> bool {
        match self {
            ApiError::Api {
                http_status, code, ..
            } => {
                NOT_FOUND_CODES.contains(&code.as_str())
                    || code.ends_with(".NotFound")
                    || *http_status == 404
            }
            _ => false,
        }
    }
    /// Throttling, 5xx and transport errors. Never validation, auth, quota or not-found.
    pub fn is_retryable(&self) -> bool {
        match self {
            ApiError::Api {
                http_status, code, ..
            } => {
                RETRYABLE_CODES.contains(&code.as_str())
                    || (*http_status >= 500 && *http_status != 501)
            }
            ApiError::Transport(_) => true,
            _ => false,
        }
    }
    /// True when the cloud certainly did not act on the request (it was
    /// throttled), so even a non-idempotent create may be sent again.
    pub fn is_throttling(&self) -> bool {
        matches!(self.code(), Some("RATE_LIMIT" | "Throttling.User"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(status: u16, code: &str) -> ApiError {
        ApiError::Api {
            http_status: status,
            code: code.into(),
            message: String::new(),
            request_id: String::new(),
        }
    }

    #[test]
    fn classifies_errors() {
        assert!(api(429, "RATE_LIMIT").is_retryable());
        assert!(!api(429, "QUOTA_EXCEEDED").is_retryable());
        assert!(api(404, "NOT_FOUND").is_not_found());
        assert!(!api(400, "INVALID_ARGUMENT").is_retryable());
        assert!(api(503, "X").is_retryable());
        assert!(ApiError::Transport("reset".into()).is_retryable());
    }
}
