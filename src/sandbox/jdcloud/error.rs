//! JD Cloud errors: upper-snake `status` (which decides the HTTP status) + message
//! (docs/design/jdcloud.md §2.3, §2.4). Both the backend (rules between objects) and the handlers
//! (field rules) answer with it; `mod.rs` renders it as the error envelope.

use std::fmt;

use crate::sandbox::store::StoreError;

/// The `status` of a JD Cloud error, with its HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    /// 400: missing or malformed parameter.
    InvalidArgument,
    /// 400: numeric parameter outside its range.
    OutOfRange,
    /// 400: the resource's state forbids the call (e.g. deleting a gateway still in use).
    FailedPrecondition,
    /// 401: authentication failure.
    AccessError,
    /// 404: unknown resource or path.
    NotFound,
    /// 429: quota exhausted (not retryable, unlike `RATE_LIMIT`).
    QuotaExceeded,
    /// 429: too many calls per minute (retryable, unlike `QUOTA_EXCEEDED`).
    RateLimit,
    /// 500: a sandbox bug or a broken state file.
    Internal,
}

impl Status {
    /// The HTTP status this error is answered with.
    pub(crate) fn http(self) -> u16 {
        match self {
            Self::InvalidArgument | Self::OutOfRange | Self::FailedPrecondition => 400,
            Self::AccessError => 401,
            Self::NotFound => 404,
            Self::QuotaExceeded | Self::RateLimit => 429,
            Self::Internal => 500,
        }
    }

    /// The `status` string of the envelope.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::InvalidArgument => "INVALID_ARGUMENT",
            Self::OutOfRange => "OUT_OF_RANGE",
            Self::FailedPrecondition => "FAILED_PRECONDITION",
            Self::AccessError => "ACCESS_ERROR",
            Self::NotFound => "NOT_FOUND",
            Self::QuotaExceeded => "QUOTA_EXCEEDED",
            Self::RateLimit => "RATE_LIMIT",
            Self::Internal => "INTERNAL",
        }
    }
}

impl PartialEq<&str> for Status {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error as JD Cloud reports it: `{"error":{"code":<http>,"status":"..","message":".."}}`.
///
/// A backend rule about one request field (`field` set) leaves the field's place in the body to
/// the handler, which knows the wrapper: [`JdError::qualified`] turns `localAsn` into
/// `vpnConnectionSpec.localAsn`, the name every message starts with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct JdError {
    pub status: Status,
    /// The message; for a field error, what follows the field's name.
    pub message: String,
    /// The request field a backend rule refused, not yet qualified by its wrapper.
    pub field: Option<&'static str>,
}

impl JdError {
    fn new(status: Status, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            field: None,
        }
    }

    /// A rule about request field `field` (its API name): the message is `detail`, after the
    /// field's qualified name.
    pub(crate) fn field(status: Status, field: &'static str, detail: impl Into<String>) -> Self {
        Self {
            field: Some(field),
            ..Self::new(status, detail)
        }
    }

    /// Puts the field's place in the body (`<prefix>.<field>`) in front of the message.
    pub(crate) fn qualified(self, prefix: &str) -> Self {
        match self.field {
            Some(field) => Self::new(self.status, format!("{prefix}.{field} {}", self.message)),
            None => self,
        }
    }

    /// The message as the client sees it.
    pub(crate) fn text(&self) -> String {
        match self.field {
            Some(field) => format!("{field} {}", self.message),
            None => self.message.clone(),
        }
    }
}

/// One constructor per status, e.g. `JdError::not_found("…")`.
macro_rules! constructors {
    ($($(#[$doc:meta])* $name:ident => $status:ident;)+) => {
        impl JdError {
            $($(#[$doc])*
            pub(crate) fn $name(message: impl Into<String>) -> Self {
                Self::new(Status::$status, message)
            })+
        }
    };
}

constructors! {
    /// 400: missing or malformed parameter.
    invalid_argument => InvalidArgument;
    /// 400: numeric parameter outside its range.
    out_of_range => OutOfRange;
    /// 400: the resource's state forbids the call.
    failed_precondition => FailedPrecondition;
    /// 401: authentication failure.
    access_error => AccessError;
    /// 404: unknown resource or path.
    not_found => NotFound;
    /// 429: quota exhausted.
    quota_exceeded => QuotaExceeded;
    /// 429: too many calls per minute.
    rate_limit => RateLimit;
    /// 500: a sandbox bug or a broken state file.
    internal => Internal;
}

impl From<StoreError> for JdError {
    fn from(e: StoreError) -> Self {
        tracing::error!(error = %e, "state store failed");
        Self::internal(format!("sandbox state store: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_and_field_errors() {
        assert_eq!(JdError::quota_exceeded("q").status.http(), 429);
        assert_eq!(JdError::not_found("n").status, "NOT_FOUND");
        let e = JdError::field(Status::InvalidArgument, "localAsn", "65001 is taken");
        assert_eq!(e.text(), "localAsn 65001 is taken");
        let e = e.qualified("vpnConnectionSpec");
        assert_eq!(e.message, "vpnConnectionSpec.localAsn 65001 is taken");
        assert_eq!(e.text(), e.message);
        let plain = JdError::invalid_argument("x").qualified("spec");
        assert_eq!(plain.message, "x");
    }
}
