//! Errors of the signer. Messages name headers and fields, never secrets.

/// Why a request could not be signed, or why a received signature was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignError {
    /// A header listed in `SignedHeaders` is not on the request.
    #[error("header `{0}` is listed as signed but is missing from the request")]
    MissingHeader(String),
    /// A header name that cannot appear in `SignedHeaders` (empty, or contains `;`, `,`, `:` or whitespace).
    #[error("invalid header name `{0}` in signed headers")]
    InvalidHeaderName(String),
    /// A header the scheme requires to be signed is not listed in `SignedHeaders`.
    #[error("header `{0}` must be signed but is not listed in SignedHeaders")]
    HeaderNotSigned(String),
    /// The `Authorization` header could not be parsed.
    #[error("malformed Authorization header: {0}")]
    MalformedAuthorization(String),
    /// The request date is not in the expected format.
    #[error("invalid request date `{0}`: expected YYYYMMDDTHHMMSSZ")]
    InvalidDate(String),
    /// The request date does not agree with the credential scope or the signing parameters.
    #[error("request date mismatch: {0}")]
    DateMismatch(String),
    /// The access key id in the Authorization header is not the one of the supplied credentials.
    #[error("access key id in Authorization does not match the credentials")]
    AccessKeyMismatch,
    /// Temporary credentials are in use but their token is missing, different or unsigned.
    #[error("security token problem: {0}")]
    SecurityToken(String),
    /// The content-sha256 header disagrees with the hash of the received body.
    #[error("payload hash header `{0}` does not match the SHA-256 of the body")]
    PayloadHashMismatch(String),
    /// The recomputed signature differs from the one received.
    #[error("signature mismatch")]
    SignatureMismatch,
}
