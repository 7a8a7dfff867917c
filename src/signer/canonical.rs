//! Hashing and canonicalisation helpers shared by the JD Cloud and Alibaba Cloud schemes.
//!
//! Both schemes use the same RFC 3986 encoder (keep `A-Z a-z 0-9 - _ . ~`, upper-case `%XX`)
//! and the same `name:value\n` header block; they differ in path handling and in how repeated
//! header values are ordered, which the callers choose.

use hmac::{Hmac, Mac};
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::{Credentials, SignError, SignableRequest, Signed};

/// Everything except the RFC 3986 unreserved characters is percent-encoded.
const RFC3986: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// As [`RFC3986`] but `/` is kept, for paths.
const RFC3986_PATH: &AsciiSet = &RFC3986.remove(b'/');

pub(crate) fn malformed(msg: impl Into<String>) -> SignError {
    SignError::MalformedAuthorization(msg.into())
}

/// The parts of an `ALGORITHM Credential=…, SignedHeaders=…, Signature=…` header, the shape
/// both clouds' schemes share (spaces after the commas tolerated), each field present once.
pub(crate) struct AuthorizationFields<'a> {
    pub algorithm: &'a str,
    pub credential: &'a str,
    /// Parsed: lower-case names, in order.
    pub signed_headers: Vec<String>,
    /// Parsed: lower-case hex.
    pub signature: String,
}

/// Splits an authorization header into its fields. `algorithm_known` is asked first, so an
/// unknown scheme is reported as such whatever follows it.
pub(crate) fn authorization_fields(
    header: &str,
    algorithm_known: impl Fn(&str) -> bool,
) -> Result<AuthorizationFields<'_>, SignError> {
    let (algorithm, rest) = header
        .trim()
        .split_once(' ')
        .ok_or_else(|| malformed("missing algorithm"))?;
    if !algorithm_known(algorithm) {
        return Err(malformed(format!("unsupported algorithm `{algorithm}`")));
    }
    let (mut credential, mut signed, mut signature) = (None, None, None);
    for part in rest.split(',') {
        let (key, value) = part
            .trim()
            .split_once('=')
            .ok_or_else(|| malformed(format!("expected key=value, got `{}`", part.trim())))?;
        let slot = match key {
            "Credential" => &mut credential,
            "SignedHeaders" => &mut signed,
            "Signature" => &mut signature,
            other => return Err(malformed(format!("unexpected field `{other}`"))),
        };
        if slot.replace(value).is_some() {
            return Err(malformed(format!("duplicate field `{key}`")));
        }
    }
    Ok(AuthorizationFields {
        algorithm,
        credential: credential.ok_or_else(|| malformed("missing Credential"))?,
        signed_headers: parse_signed_headers(
            signed.ok_or_else(|| malformed("missing SignedHeaders"))?,
        )?,
        signature: parse_hex_signature(signature.ok_or_else(|| malformed("missing Signature"))?)?,
    })
}

/// Checks the body against the SHA-256 (hex, any case) that `header` declares; `Ok(false)` when
/// the request has no such header.
pub(crate) fn check_declared_hash(
    req: &SignableRequest<'_>,
    header: &str,
) -> Result<bool, SignError> {
    match header_value(req.headers, header) {
        None => Ok(false),
        Some(declared) if declared.eq_ignore_ascii_case(&hex_sha256(req.body)) => Ok(true),
        Some(_) => Err(SignError::PayloadHashMismatch(header.to_owned())),
    }
}

/// The signature we computed against the one presented, in constant time.
pub(crate) fn check_signature(expected: &str, presented: &str) -> Result<(), SignError> {
    if constant_time_eq(expected, presented) {
        Ok(())
    } else {
        Err(SignError::SignatureMismatch)
    }
}

/// The HMAC-SHA256 of `string_to_sign` under `key`, in hex, with the `Authorization` header
/// that `authorization` renders from it.
pub(crate) fn hmac_signed(
    canonical_request: String,
    string_to_sign: String,
    key: &[u8],
    authorization: impl FnOnce(&str) -> String,
) -> Signed {
    let signature = hex::encode(hmac_sha256(key, string_to_sign.as_bytes()));
    Signed {
        authorization: authorization(&signature),
        canonical_request,
        string_to_sign,
        signature,
    }
}

/// Lower-case hex SHA-256 of `bytes`.
pub fn hex_sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Raw HMAC-SHA256 of `data` under `key`.
pub fn hmac_sha256(key: &[u8], data: &[u8]) -> [u8; 32] {
    // HMAC accepts keys of any length, so `new_from_slice` cannot fail here.
    let mut mac = match Hmac::<Sha256>::new_from_slice(key) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC-SHA256 accepts any key length"),
    };
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// Compares two strings without early exit (for signatures and tokens).
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

/// RFC 3986 percent-encoding of the UTF-8 bytes of `s`: space `%20`, `*` `%2A`, `~` kept, `/` `%2F`.
pub fn encode_rfc3986(s: &str) -> String {
    utf8_percent_encode(s, RFC3986).to_string()
}

/// As [`encode_rfc3986`] but keeps `/` (path separators).
pub fn encode_path(s: &str) -> String {
    utf8_percent_encode(s, RFC3986_PATH).to_string()
}

/// Percent-decodes `s`. Invalid `%` sequences are kept literally and invalid UTF-8 becomes
/// U+FFFD, matching the JD Cloud reference signers. With `plus_as_space`, `+` decodes to a
/// space (form/query style; `%2B` still decodes to `+`).
pub fn percent_decode_lossy(s: &str, plus_as_space: bool) -> String {
    if plus_as_space && s.contains('+') {
        let replaced = s.replace('+', " ");
        percent_decode_str(&replaced)
            .decode_utf8_lossy()
            .into_owned()
    } else {
        percent_decode_str(s).decode_utf8_lossy().into_owned()
    }
}

/// JD Cloud canonical URI: decode (`+` is a space), collapse runs of `/`, encode everything but
/// unreserved characters and `/`, ensure a leading `/`. A trailing `/` is kept.
pub fn jdcloud_canonical_uri(path: &str) -> String {
    let decoded = percent_decode_lossy(path, true);
    let mut collapsed = String::with_capacity(decoded.len());
    for c in decoded.chars() {
        if c == '/' && collapsed.ends_with('/') {
            continue;
        }
        collapsed.push(c);
    }
    let encoded = encode_path(&collapsed);
    if encoded.starts_with('/') {
        encoded
    } else {
        format!("/{encoded}")
    }
}

/// Alibaba Cloud (ACS3) canonical URI: decode, re-encode each segment, keep `/` as is.
/// RPC-style APIs always use `/`; an empty path is `/`.
pub fn acs3_canonical_uri(path: &str) -> String {
    let encoded = encode_path(&percent_decode_lossy(path, false));
    if encoded.starts_with('/') {
        encoded
    } else {
        format!("/{encoded}")
    }
}

/// Canonical query string shared by both schemes.
///
/// Items are split on `&` (empty items dropped) and on the first `=`; names and values are
/// form-decoded (`+` is a space) and re-encoded with [`encode_rfc3986`]; items with an empty
/// name are dropped; an item without `=` becomes `name=` (JD Cloud doc rule; note the JD Python
/// V3 SDK drops such items instead, so never send bare keys); pairs are sorted by encoded
/// name, then encoded value, and joined with `&`.
pub fn canonical_query(raw: &str) -> String {
    let raw = raw.strip_prefix('?').unwrap_or(raw);
    let mut pairs: Vec<(String, String)> = raw
        .split('&')
        .filter(|item| !item.is_empty())
        .filter_map(|item| {
            let (name, value) = item.split_once('=').unwrap_or((item, ""));
            let name = encode_rfc3986(&percent_decode_lossy(name, true));
            if name.is_empty() {
                return None;
            }
            Some((name, encode_rfc3986(&percent_decode_lossy(value, true))))
        })
        .collect();
    pairs.sort();
    let mut out = String::new();
    for (i, (name, value)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(name);
        out.push('=');
        out.push_str(value);
    }
    out
}

/// Lower-cases, validates, sorts and de-duplicates the names that go into `SignedHeaders`.
pub fn normalize_signed_headers<S: AsRef<str>>(names: &[S]) -> Result<Vec<String>, SignError> {
    let mut out = Vec::with_capacity(names.len());
    for name in names {
        let name = name.as_ref();
        let valid = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_graphic() && !matches!(b, b';' | b',' | b':'));
        if !valid {
            return Err(SignError::InvalidHeaderName(name.to_owned()));
        }
        out.push(name.to_ascii_lowercase());
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// All values of header `name` (case-insensitive), in request order.
pub fn header_values<'r>(headers: &'r [(String, String)], name: &str) -> Vec<&'r str> {
    headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
        .collect()
}

/// The first value of header `name` (case-insensitive), trimmed.
pub fn header_value<'r>(headers: &'r [(String, String)], name: &str) -> Option<&'r str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.trim())
}

/// How repeated values of one header are combined (after trimming each one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RepeatedValues {
    /// Request order (JD Cloud signers).
    InOrder,
    /// Sorted (Alibaba Python/Go/TS signers).
    Sorted,
}

/// The canonical header block: `name:value\n` for each (already normalised) name. Each value is
/// trimmed; repeated headers are joined with `,`. Errors if a listed header is absent.
pub fn canonical_headers(
    headers: &[(String, String)],
    names: &[String],
    repeated: RepeatedValues,
) -> Result<String, SignError> {
    let mut out = String::new();
    for name in names {
        let mut values: Vec<&str> = header_values(headers, name)
            .into_iter()
            .map(str::trim)
            .collect();
        if values.is_empty() {
            return Err(SignError::MissingHeader(name.clone()));
        }
        if repeated == RepeatedValues::Sorted {
            values.sort_unstable();
        }
        out.push_str(name);
        out.push(':');
        out.push_str(&values.join(","));
        out.push('\n');
    }
    Ok(out)
}

/// The canonical request of `req` over the headers `names`: the scheme chooses how the path is
/// canonicalised, the order of repeated header values and the payload hash.
pub(crate) fn scheme_canonical_request(
    req: &SignableRequest<'_>,
    names: &[String],
    canonical_uri: fn(&str) -> String,
    repeated: RepeatedValues,
    payload_hash: &str,
) -> Result<String, SignError> {
    let headers_block = canonical_headers(req.headers, names, repeated)?;
    Ok(join_canonical_request(
        req.method,
        &canonical_uri(req.path),
        &canonical_query(req.query),
        &headers_block,
        names,
        payload_hash,
    ))
}

/// Joins the canonical request lines (both schemes share this layout).
pub fn join_canonical_request(
    method: &str,
    uri: &str,
    query: &str,
    headers_block: &str,
    signed_headers: &[String],
    payload_hash: &str,
) -> String {
    format!(
        "{}\n{uri}\n{query}\n{headers_block}\n{}\n{payload_hash}",
        method.to_ascii_uppercase(),
        signed_headers.join(";")
    )
}

/// With temporary credentials, `token_header` must be on the request, carry the token and be
/// signed (both clouds require the token to be covered by the signature).
pub fn check_security_token(
    req: &SignableRequest<'_>,
    signed: &[String],
    token_header: &str,
    credentials: &Credentials,
) -> Result<(), SignError> {
    let Some(token) = credentials.security_token() else {
        return Ok(());
    };
    let Some(sent) = header_value(req.headers, token_header) else {
        return Err(SignError::SecurityToken(format!(
            "temporary credentials require header `{token_header}`"
        )));
    };
    if !signed.iter().any(|n| n == token_header) {
        return Err(SignError::SecurityToken(format!(
            "header `{token_header}` must be signed"
        )));
    }
    if !constant_time_eq(sent, token) {
        return Err(SignError::SecurityToken(format!(
            "header `{token_header}` does not carry the credentials' token"
        )));
    }
    Ok(())
}

/// `a;b;c` → names; an empty list is allowed (the date is still bound by the string to sign).
pub fn parse_signed_headers(list: &str) -> Result<Vec<String>, SignError> {
    if list.is_empty() {
        return Ok(Vec::new());
    }
    let names: Vec<&str> = list.split(';').collect();
    // Validate each name; normalisation itself happens again when the request is rebuilt.
    normalize_signed_headers(&names)
        .map_err(|e| SignError::MalformedAuthorization(format!("SignedHeaders: {e}")))?;
    Ok(names.iter().map(|n| n.to_ascii_lowercase()).collect())
}

/// A 64-character hex signature from an Authorization header, lower-cased.
pub fn parse_hex_signature(signature: &str) -> Result<String, SignError> {
    if signature.len() == 64 && signature.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(signature.to_ascii_lowercase())
    } else {
        Err(SignError::MalformedAuthorization(
            "Signature must be 64 hex characters".to_owned(),
        ))
    }
}

/// Asserts `f(input) == expected` for each pair, naming the input that fails.
#[cfg(test)]
pub(crate) fn assert_maps(f: impl Fn(&str) -> String, cases: &[(&str, &str)]) {
    for (input, expected) in cases {
        assert_eq!(f(input), *expected, "for {input:?}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_and_hmac_known_values() {
        assert_maps(
            |s| hex_sha256(s.as_bytes()),
            &[
                (
                    "",
                    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                ),
                (
                    "test",
                    "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                ),
            ],
        );
        // RFC 4231 test case 2.
        assert_eq!(
            hex::encode(hmac_sha256(b"Jefe", b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn rfc3986_encoding() {
        assert_maps(
            encode_rfc3986,
            &[
                (" ~/*-+", "%20~%2F%2A-%2B"),
                ("a/b/c/ test", "a%2Fb%2Fc%2F%20test"),
                ("é:=", "%C3%A9%3A%3D"),
            ],
        );
        assert_eq!(encode_path("/path/ test"), "/path/%20test");
    }

    #[test]
    fn jd_uri_custom_action_colon_is_encoded() {
        // Raw, and already escaped on the wire (Go SDK style): canonicalised the same.
        let escaped = "/v1/regions/cn-north-1/vpnTunnels/t-1%3AadminStatus";
        assert_maps(
            jdcloud_canonical_uri,
            &[
                ("/v1/regions/cn-north-1/vpnTunnels/t-1:adminStatus", escaped),
                (escaped, escaped),
            ],
        );
    }

    #[test]
    fn jd_uri_slashes() {
        assert_maps(
            jdcloud_canonical_uri,
            &[
                ("", "/"),
                ("/", "/"),
                ("v1", "/v1"),
                ("v1/", "/v1/"),
                ("///a//b///", "/a/b/"),
                (
                    "%2Fv1%2Fregions%2F%2F%2Fcn-north-1%2Finstances",
                    "/v1/regions/cn-north-1/instances",
                ),
                (
                    "/v1/regions/cn-north-1/connections/",
                    "/v1/regions/cn-north-1/connections/",
                ),
            ],
        );
    }

    #[test]
    fn jd_uri_bad_escapes_and_plus() {
        assert_maps(
            jdcloud_canonical_uri,
            &[
                ("/v1/%2/%2f/%2b%f", "/v1/%252/%2B%25f"),
                ("/a+b/%2B", "/a%20b/%2B"),
                ("/中文", "/%E4%B8%AD%E6%96%87"),
                // Invalid UTF-8 after decoding becomes U+FFFD.
                ("/%FF", "/%EF%BF%BD"),
            ],
        );
    }

    #[test]
    fn acs3_uri() {
        assert_maps(
            acs3_canonical_uri,
            &[
                ("", "/"),
                ("/", "/"),
                ("/path/ test", "/path/%20test"),
                ("/path/%20test", "/path/%20test"),
                // No slash collapsing and `+` is literal in ACS3 paths.
                ("/a//b+", "/a//b%2B"),
            ],
        );
    }

    #[test]
    fn query_sorting_and_encoding() {
        assert_maps(
            canonical_query,
            &[
                ("", ""),
                ("?", ""),
                ("p1=p1&p0=p0&o=%&u=u", "o=%25&p0=p0&p1=p1&u=u"),
                ("b=2&a=1&a=0", "a=0&a=1&b=2"),
                ("a&b", "a=&b="),
                ("=a&a=a&=&&", "a=a"),
                ("x=a+b%2Bc&y=a%20b", "x=a%20b%2Bc&y=a%20b"),
                ("k=v=w", "k=v%3Dw"),
                ("pageNumber=1&pageSize=10&filters.1.name=connectionIds&filters.1.values.1=dc-abc", "filters.1.name=connectionIds&filters.1.values.1=dc-abc&pageNumber=1&pageSize=10"),
                ("Name=my+gw%2A~%2B%2F", "Name=my%20gw%2A~%2B%2F"),
            ],
        );
    }

    #[test]
    fn signed_header_names() {
        assert_eq!(
            normalize_signed_headers(&["X-B", "a", "x-b"]).unwrap(),
            vec!["a".to_owned(), "x-b".to_owned()]
        );
        for bad in ["", "a;b", "a b", "a,b", "a:b"] {
            assert_eq!(
                normalize_signed_headers(&[bad]),
                Err(SignError::InvalidHeaderName(bad.to_owned()))
            );
        }
    }

    #[test]
    fn header_block() {
        let headers = vec![
            ("X-Multi".to_owned(), " b ".to_owned()),
            ("host".to_owned(), " h ".to_owned()),
            ("x-multi".to_owned(), "a".to_owned()),
        ];
        let names = vec!["host".to_owned(), "x-multi".to_owned()];
        assert_eq!(
            canonical_headers(&headers, &names, RepeatedValues::InOrder).unwrap(),
            "host:h\nx-multi:b,a\n"
        );
        assert_eq!(
            canonical_headers(&headers, &names, RepeatedValues::Sorted).unwrap(),
            "host:h\nx-multi:a,b\n"
        );
        assert_eq!(
            canonical_headers(&headers, &["x-none".to_owned()], RepeatedValues::InOrder),
            Err(SignError::MissingHeader("x-none".to_owned()))
        );
    }
}
