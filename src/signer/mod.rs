//! Request signing for the two clouds: JD Cloud `JDCLOUD2/3-HMAC-SHA256` and Alibaba Cloud
//! `ACS3-HMAC-SHA256`, client side (`sign`) and server side (`parse_authorization` + `verify`,
//! used by the sandbox); plus Alibaba's older RPC signature V1 (`HMAC-SHA1`, [`rpc_v1`]).
//!
//! Pure functions only: no clock, no I/O, no randomness. The date and nonce are inputs.
//! [`Sensitive`] lives here too, as the one redacting wrapper every layer can use.

pub mod acs3;
pub mod canonical;
pub mod credentials;
pub mod error;
pub mod jdcloud;
pub mod rpc_v1;
pub mod sensitive;

pub use credentials::Credentials;
pub use error::SignError;
pub use sensitive::Sensitive;

/// Result of signing (JD Cloud and ACS3); the intermediate strings are returned for logging
/// and tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    /// Value of the `Authorization` header.
    pub authorization: String,
    pub canonical_request: String,
    pub string_to_sign: String,
    /// 64 lower-case hex characters.
    pub signature: String,
}

/// An HTTP request as the signer sees it.
#[derive(Debug, Clone, Copy)]
pub struct SignableRequest<'a> {
    /// HTTP method, any case (signed upper-cased).
    pub method: &'a str,
    /// Raw path as sent or received; may contain `:` or `%XX` escapes.
    pub path: &'a str,
    /// Raw query without the leading `?`; empty when there is none.
    pub query: &'a str,
    /// Header names may be any case; the signer lower-cases them. A repeated name is a
    /// multi-valued header.
    pub headers: &'a [(String, String)],
    /// The exact body bytes sent.
    pub body: &'a [u8],
}
