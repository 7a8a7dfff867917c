//! The one error type of every cloud client, and how errors are classified:
//! retry, give up, or "the call may have been carried out" (which a create
//! must resolve before it may send again).

use std::time::Duration;

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
        /// How long the cloud asked us to wait before calling again (a throttled answer's
        /// `x-acs-retry-after` or `Retry-After`), when it said.
        retry_after: Option<Duration>,
    },
    /// No usable answer: see [`Transport`].
    #[error("{operation}: {failure}")]
    Transport {
        operation: String,
        failure: Transport,
    },
    /// A success status whose body is not the cloud's envelope (cut short or
    /// garbled on the way). The call may have been carried out.
    #[error("{0}")]
    Garbled(String),
    /// A well-formed answer we could not map onto our types.
    #[error("unexpected response: {0}")]
    Decode(String),
    /// Local misconfiguration, e.g. an endpoint that is not a URL.
    #[error("{0}")]
    Config(String),
    /// An object reached a state that what we wait for cannot follow
    /// (e.g. a binding that is detaching while we wait for it to attach).
    #[error("{0}")]
    State(String),
    /// The operation's deadline (its `timeouts`) passed while retrying.
    #[error("timed out after {}; last attempt: {last}", format_secs(*after))]
    Timeout {
        after: Duration,
        last: Box<ApiError>,
    },
}

/// Why a request got no answer, with the host it was for.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
pub enum Transport {
    #[error("connection refused by {host}")]
    Refused { host: String },
    #[error("cannot resolve {host}: {detail}")]
    Dns { host: String, detail: String },
    #[error("no answer from {host} within {}", format_secs(*after))]
    TimedOut {
        host: String,
        after: Duration,
        /// Whether the request had been sent (a connect timeout: it had not).
        sent: bool,
    },
    #[error("connection to {host} closed before an answer ({detail})")]
    Reset { host: String, detail: String },
    /// Permanent: retrying cannot make a certificate trusted.
    #[error("TLS with {host} failed: {detail}. To trust a private CA or a TLS-inspecting proxy, add its certificate to the system trust store or point SSL_CERT_FILE at it")]
    Tls { host: String, detail: String },
    #[error("request to {host} failed: {detail}")]
    Other {
        host: String,
        detail: String,
        sent: bool,
    },
}

impl Transport {
    /// Whether the server may have received the request (and acted on it).
    pub fn sent(&self) -> bool {
        match self {
            Transport::Refused { .. } | Transport::Dns { .. } | Transport::Tls { .. } => false,
            Transport::TimedOut { sent, .. } | Transport::Other { sent, .. } => *sent,
            Transport::Reset { .. } => true,
        }
    }
}

/// "20s", "250ms": durations in messages, as users write them in `timeouts`
/// (a deadline of "20s" is reached a few milliseconds either side of 20 s).
fn format_secs(d: Duration) -> String {
    if d < Duration::from_secs(1) {
        format!("{}ms", d.as_millis())
    } else {
        format!("{}s", d.as_secs_f64().round())
    }
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
    // INFERRED: CBN's code for a transit-router attachment that is gone
    // (docs/design/alicloud.md §10.4).
    "InvalidTransitRouterAttachmentId.NotFound",
];
/// JD Cloud statuses and Alibaba Cloud codes for throttling, transient
/// server trouble and "busy, try again" conflicts (docs/design/reliability.md).
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
            retry_after: None,
        }
    }
    pub fn code(&self) -> Option<&str> {
        match self {
            ApiError::Api { code, .. } => Some(code),
            ApiError::Timeout { last, .. } => last.code(),
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
    /// Throttling, 5xx, busy states, and transport failures other than TLS.
    /// Never validation, auth, quota or not-found, and never a passed deadline.
    pub fn is_retryable(&self) -> bool {
        match self {
            ApiError::Api {
                http_status, code, ..
            } => {
                RETRYABLE_CODES.contains(&code.as_str())
                    || code.ends_with(".Configuring")
                    || (*http_status >= 500 && *http_status != 501)
            }
            ApiError::Transport { failure, .. } => !matches!(failure, Transport::Tls { .. }),
            // A body cut short on the way; the next answer is likely whole.
            ApiError::Garbled(_) => true,
            _ => false,
        }
    }
    /// True when the request may have been carried out although it failed:
    /// the answer was lost or garbled, or the server failed after acting.
    pub fn may_have_applied(&self) -> bool {
        match self {
            ApiError::Transport { failure, .. } => failure.sent(),
            ApiError::Api { http_status, .. } => *http_status >= 500,
            ApiError::Garbled(_) | ApiError::Decode(_) => true,
            ApiError::Timeout { last, .. } => last.may_have_applied(),
            ApiError::Config(_) | ApiError::State(_) => false,
        }
    }
    /// True when the cloud certainly did not act on the request: it was
    /// throttled, or never reached the server. Even a create without an
    /// idempotency token may then be sent again.
    pub fn certainly_not_applied(&self) -> bool {
        match self {
            ApiError::Transport { failure, .. } => !failure.sent(),
            _ => self.is_throttling(),
        }
    }
    /// How long a throttled answer asked us to wait, when it said.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            ApiError::Api { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
    /// Throttled: the cloud did not act and asks to slow down.
    pub fn is_throttling(&self) -> bool {
        matches!(self, ApiError::Api { code, .. } if code == "RATE_LIMIT" || code.starts_with("Throttling"))
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
            retry_after: None,
        }
    }

    fn transport(failure: Transport) -> ApiError {
        ApiError::Transport {
            operation: "describeCustomerGateways".into(),
            failure,
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
        assert!(api(400, "FAILED_PRECONDITION").is_refusal());
        assert!(api(409, "CONFLICT").is_refusal());
        assert!(!api(400, "Throttling.User").is_refusal());
        assert!(!api(404, "NOT_FOUND").is_refusal());
        assert!(!api(500, "INTERNAL").is_refusal());
    }

    #[test]
    fn transport_failures_say_whether_the_call_may_have_happened() {
        let host = || "127.0.0.1:9".to_string();
        let refused = transport(Transport::Refused { host: host() });
        assert!(refused.is_retryable() && refused.certainly_not_applied());
        assert!(!refused.may_have_applied());
        let reset = transport(Transport::Reset {
            host: host(),
            detail: "eof".into(),
        });
        assert!(reset.is_retryable() && reset.may_have_applied());
        let tls = transport(Transport::Tls {
            host: host(),
            detail: "invalid peer certificate: UnknownIssuer".into(),
        });
        assert!(!tls.is_retryable() && !tls.may_have_applied());
        assert!(tls.to_string().contains("SSL_CERT_FILE"), "{tls}");
        let timed_out = transport(Transport::TimedOut {
            host: host(),
            after: Duration::from_secs(20),
            sent: true,
        });
        assert!(timed_out.is_retryable() && timed_out.may_have_applied());
        assert_eq!(
            timed_out.to_string(),
            "describeCustomerGateways: no answer from 127.0.0.1:9 within 20s"
        );
        let garbled = ApiError::Garbled("x".into());
        assert!(garbled.is_retryable() && garbled.may_have_applied());
        assert!(!ApiError::Decode("x".into()).is_retryable());
    }

    #[test]
    fn a_timeout_names_its_last_cause() {
        let e = ApiError::Timeout {
            after: Duration::from_millis(19_960),
            last: Box::new(api(503, "ServiceUnavailable")),
        };
        assert_eq!(
            e.to_string(),
            "timed out after 20s; last attempt: ServiceUnavailable:  (HTTP 503)"
        );
        assert!(!e.is_retryable());
        assert!(e.may_have_applied());
        assert_eq!(e.code(), Some("ServiceUnavailable"));
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
