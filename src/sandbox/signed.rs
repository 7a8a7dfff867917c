//! What both clouds' authentication reads from a received request to check its signature.

use axum::http::request::Parts;

use crate::signer::SignableRequest;

/// The request's headers as the signer takes them. Non-UTF-8 values are left out: if one is
/// signed, verification fails as it should.
pub(crate) fn headers(parts: &Parts) -> Vec<(String, String)> {
    parts
        .headers
        .iter()
        .filter_map(|(name, value)| {
            value
                .to_str()
                .ok()
                .map(|v| (name.as_str().to_owned(), v.to_owned()))
        })
        .collect()
}

/// The request as the signer sees it, `headers` from [`headers`].
pub(crate) fn request<'a>(
    parts: &'a Parts,
    headers: &'a [(String, String)],
    body: &'a [u8],
) -> SignableRequest<'a> {
    SignableRequest {
        method: parts.method.as_str(),
        path: parts.uri.path(),
        query: parts.uri.query().unwrap_or(""),
        headers,
        body,
    }
}
