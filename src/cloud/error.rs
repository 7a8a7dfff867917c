//! The one error type of every cloud client.

use thiserror::Error;

#[derive(Debug, Clone, Error, PartialEq, Eq)]
pub enum ApiError {
    /// The cloud answered with its error envelope.
    #[error(
        "{code}: {message} (HTTP {http_status}{})",
        request_id_suffix(request_id)
    )]
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

/// Errors we make ourselves have no request id to quote.
fn request_id_suffix(id: &str) -> String {
    if id.is_empty() {
        String::new()
    } else {
        format!(", request id {id}")
    }
}

/// Error codes that mean "the object does not exist".
/// Not auth failures such as `InvalidAccessKeyId.NotFound`: those must never
/// make Terraform forget a resource.
const NOT_FOUND_CODES: &[&str] = &[
    "NOT_FOUND",
    "InvalidVpnConnectionInstanceId.NotFound",
    "InvalidCustomerGatewayInstanceId.NotFound",
    // INFERRED: CBN's code for a transit-router attachment that is gone.
    "InvalidTransitRouterAttachmentId.NotFound",
];
/// Error codes worth retrying: throttling and transient server trouble.
/// JD Cloud statuses and Alibaba Cloud codes for throttling, transient
/// server trouble and "busy, try again" conflicts (research alicloud.md §A6).
const RETRYABLE_CODES: &[&str] = &[
    "RATE_LIMIT",
    "INTERNAL",
    "UNKNOWN",
    "UNAVAILABLE",
    "Throttling",
    "Throttling.User",
    "Throttling.Api",
    "ServiceUnavailable",
    "InternalError",
    "VpnTask.CONFLICT",
    "TaskConflict",
    "OperationConflict",
    "IncorrectStatus.Status",
    "Operation.Blocking",
    "OperationFailed.AllocateCidrFailed",
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
    /// The cloud refused the request as it stands (HTTP 400 or 409, not a
    /// throttle or a "busy" state): bad input, or a conflict such as a
    /// unique key already taken.
    pub fn is_refusal(&self) -> bool {
        matches!(
            self,
            ApiError::Api {
                http_status: 400 | 409,
                ..
            }
        ) && !self.is_retryable()
    }
    pub fn is_not_found(&self) -> bool {
        matches!(self, ApiError::Api { code, .. } if NOT_FOUND_CODES.contains(&code.as_str()))
    }
    /// Throttling, 5xx and transport errors. Never validation, auth, quota or not-found.
    pub fn is_retryable(&self) -> bool {
        match self {
            ApiError::Api {
                http_status, code, ..
            } => {
                RETRYABLE_CODES.contains(&code.as_str())
                    || code.ends_with(".Configuring")
                    || (*http_status >= 500 && *http_status != 501)
            }
            ApiError::Transport(_) => true,
            _ => false,
        }
    }
    /// True when the request may have been carried out although it failed:
    /// the answer was lost or the server failed after acting.
    pub fn may_have_applied(&self) -> bool {
        match self {
            ApiError::Transport(_) => true,
            ApiError::Api { http_status, .. } => *http_status >= 500,
            _ => false,
        }
    }
    /// True when the cloud certainly did not act on the request (it was
    /// throttled), so even a non-idempotent create may be sent again.
    pub fn is_throttling(&self) -> bool {
        matches!(self.code(), Some(c) if c == "RATE_LIMIT" || c.starts_with("Throttling"))
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
        assert!(api(404, "InvalidVpnConnectionInstanceId.NotFound").is_not_found());
        assert!(!api(404, "InvalidAccessKeyId.NotFound").is_not_found());
        assert!(api(400, "VpnConnection.Configuring").is_retryable());
        assert!(api(400, "Throttling.User").is_throttling());
        assert!(ApiError::Transport("reset".into()).is_retryable());
        assert!(api(400, "FAILED_PRECONDITION").is_refusal());
        assert!(api(409, "CONFLICT").is_refusal());
        assert!(!api(400, "Throttling.User").is_refusal());
        assert!(!api(404, "NOT_FOUND").is_refusal());
        assert!(!api(500, "INTERNAL").is_refusal());
    }

    #[test]
    fn display_omits_an_empty_request_id() {
        assert_eq!(api(409, "DUPLICATE").to_string(), "DUPLICATE:  (HTTP 409)");
        let mut e = api(400, "X");
        if let ApiError::Api { request_id, .. } = &mut e {
            *request_id = "r1".into();
        }
        assert_eq!(e.to_string(), "X:  (HTTP 400, request id r1)");
    }
}
