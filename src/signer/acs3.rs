//! Alibaba Cloud signature V3, `ACS3-HMAC-SHA256` (docs/design/alicloud.md §7).
//!
//! Unlike JD Cloud there is no scope or derived key: the signature is
//! `HMAC-SHA256(secret, "ACS3-HMAC-SHA256\n" + hex(SHA256(canonical request)))`.
//! RPC-style APIs (VPC, CBN) use path `/` and carry all parameters in the query.

use super::canonical::{
    acs3_canonical_uri, authorization_fields, check_declared_hash, check_security_token,
    check_signature, encode_rfc3986, header_value, hex_sha256, hmac_signed, malformed,
    normalize_signed_headers, scheme_canonical_request, RepeatedValues,
};
use super::{Credentials, SignError, SignableRequest, Signed};

/// The only algorithm accepted (`ACS3-HMAC-SM3` / `ACS3-RSA-SHA256` exist but SDKs use them
/// only when configured to).
pub const ALGORITHM: &str = "ACS3-HMAC-SHA256";

pub const ACTION_HEADER: &str = "x-acs-action";
pub const VERSION_HEADER: &str = "x-acs-version";
/// UTC `yyyy-MM-ddTHH:mm:ssZ`.
pub const DATE_HEADER: &str = "x-acs-date";
pub const NONCE_HEADER: &str = "x-acs-signature-nonce";
/// Lower-case hex SHA-256 of the body; itself signed.
pub const CONTENT_SHA256_HEADER: &str = "x-acs-content-sha256";
pub const SECURITY_TOKEN_HEADER: &str = "x-acs-security-token";

/// Headers [`verify`] insists are signed. INFERRED from the docs' rule "every common request
/// header except Authorization, if present, must be signed"; every official SDK signs at least
/// these (docs/design/alicloud.md §10.1). Correct here if the service proves laxer.
pub const REQUIRED_SIGNED_HEADERS: &[&str] = &[
    "host",
    ACTION_HEADER,
    CONTENT_SHA256_HEADER,
    DATE_HEADER,
    NONCE_HEADER,
    VERSION_HEADER,
];

/// What our client signs: the docs' minimal set (same as [`REQUIRED_SIGNED_HEADERS`]); add
/// `content-type` when sending a body.
pub const DEFAULT_SIGNED_HEADERS: &[&str] = REQUIRED_SIGNED_HEADERS;

/// The fields of an `ACS3-HMAC-SHA256` `Authorization` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedAuthorization {
    pub access_key_id: String,
    /// Lower-case names, in the order given.
    pub signed_headers: Vec<String>,
    /// Lower-case hex.
    pub signature: String,
}

/// RFC 3986 encoding used for query names/values: space `%20`, `*` `%2A`, `~` kept,
/// upper-case hex, everything but `A-Z a-z 0-9 - _ . ~` encoded.
pub fn percent_encode(s: &str) -> String {
    encode_rfc3986(s)
}

/// Headers the client adds before signing with [`DEFAULT_SIGNED_HEADERS`]. `host` is the
/// endpoint as sent (with port if non-default); `api_version` is e.g. `2016-04-28`.
pub fn client_headers(
    host: &str,
    action: &str,
    api_version: &str,
    date: &str,
    nonce: &str,
    body: &[u8],
) -> Vec<(String, String)> {
    vec![
        ("host".to_owned(), host.to_owned()),
        (ACTION_HEADER.to_owned(), action.to_owned()),
        (VERSION_HEADER.to_owned(), api_version.to_owned()),
        (DATE_HEADER.to_owned(), date.to_owned()),
        (NONCE_HEADER.to_owned(), nonce.to_owned()),
        (CONTENT_SHA256_HEADER.to_owned(), hex_sha256(body)),
    ]
}

fn build_canonical_request(
    req: &SignableRequest<'_>,
    names: &[String],
    payload_hash: &str,
) -> Result<String, SignError> {
    // The Python SDK sorts repeated values before joining them (docs/design/alicloud.md §7.1).
    scheme_canonical_request(
        req,
        names,
        acs3_canonical_uri,
        RepeatedValues::Sorted,
        payload_hash,
    )
}

/// The canonical request, with the SHA-256 of `req.body` as payload hash.
pub fn canonical_request(
    req: &SignableRequest<'_>,
    signed_headers: &[&str],
) -> Result<String, SignError> {
    canonical_request_with_payload_hash(req, signed_headers, &hex_sha256(req.body))
}

/// The canonical request with a caller-supplied payload hash (the SDK unit-test vectors pass
/// one in directly).
pub fn canonical_request_with_payload_hash(
    req: &SignableRequest<'_>,
    signed_headers: &[&str],
    payload_hash: &str,
) -> Result<String, SignError> {
    build_canonical_request(
        req,
        &normalize_signed_headers(signed_headers)?,
        payload_hash,
    )
}

/// Signs an already-built canonical request. `signed_headers` is the `a;b;c` list that goes
/// into the Authorization header.
pub fn sign_canonical_request(
    canonical_request: String,
    credentials: &Credentials,
    signed_headers: &str,
) -> Signed {
    let string_to_sign = format!("{ALGORITHM}\n{}", hex_sha256(canonical_request.as_bytes()));
    hmac_signed(
        canonical_request,
        string_to_sign,
        credentials.secret().as_bytes(),
        |signature| {
            format!(
                "{ALGORITHM} Credential={},SignedHeaders={signed_headers},Signature={signature}",
                credentials.access_key_id()
            )
        },
    )
}

/// Signs `req` over `signed_headers` (any case; each must be present). With temporary
/// credentials `x-acs-security-token` must be present and signed.
pub fn sign(
    req: &SignableRequest<'_>,
    credentials: &Credentials,
    signed_headers: &[&str],
) -> Result<Signed, SignError> {
    sign_with_payload_hash(req, credentials, signed_headers, &hex_sha256(req.body))
}

/// As [`sign`] with a caller-supplied payload hash.
pub fn sign_with_payload_hash(
    req: &SignableRequest<'_>,
    credentials: &Credentials,
    signed_headers: &[&str],
    payload_hash: &str,
) -> Result<Signed, SignError> {
    let names = normalize_signed_headers(signed_headers)?;
    check_security_token(req, &names, SECURITY_TOKEN_HEADER, credentials)?;
    let canonical = build_canonical_request(req, &names, payload_hash)?;
    Ok(sign_canonical_request(
        canonical,
        credentials,
        &names.join(";"),
    ))
}

/// Parses `ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=a;b,Signature=hex` (spaces after the
/// commas tolerated).
pub fn parse_authorization(header: &str) -> Result<ParsedAuthorization, SignError> {
    let fields = authorization_fields(header, |a| a == ALGORITHM)?;
    let access_key_id = fields.credential;
    if access_key_id.is_empty() {
        return Err(malformed("empty Credential"));
    }
    Ok(ParsedAuthorization {
        access_key_id: access_key_id.to_owned(),
        signed_headers: fields.signed_headers,
        signature: fields.signature,
    })
}

/// Server side: checks the access key id, that [`REQUIRED_SIGNED_HEADERS`] (and `content-type`
/// when a body is sent with one) are signed, the security token, that `x-acs-content-sha256`
/// equals the SHA-256 of the received body, then recomputes the signature over the listed
/// headers and compares in constant time. Clock skew and nonce replay are the caller's job.
pub fn verify(
    req: &SignableRequest<'_>,
    auth: &ParsedAuthorization,
    credentials: &Credentials,
) -> Result<(), SignError> {
    if auth.access_key_id != credentials.access_key_id() {
        return Err(SignError::AccessKeyMismatch);
    }
    let names = normalize_signed_headers(&auth.signed_headers)?;
    let must_sign = REQUIRED_SIGNED_HEADERS.iter().copied().chain(
        (!req.body.is_empty() && header_value(req.headers, "content-type").is_some())
            .then_some("content-type"),
    );
    for required in must_sign {
        if !names.iter().any(|n| n == required) {
            return Err(SignError::HeaderNotSigned(required.to_owned()));
        }
    }
    check_security_token(req, &names, SECURITY_TOKEN_HEADER, credentials)?;
    if !check_declared_hash(req, CONTENT_SHA256_HEADER)? {
        return Err(SignError::MissingHeader(CONTENT_SHA256_HEADER.to_owned()));
    }
    let canonical = build_canonical_request(req, &names, &hex_sha256(req.body))?;
    let expected = sign_canonical_request(canonical, credentials, &names.join(";"));
    check_signature(&expected.signature, &auth.signature)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOST: &str = "vpc.aliyuncs.com";
    const QUERY: &str = "RegionId=cn-hangzhou&Name=my+gw%2A~%2B%2F&Tags.1.Key=k1";

    fn creds() -> Credentials {
        Credentials::new("sandbox-ak", "sandbox-sk")
    }

    fn headers(body: &[u8]) -> Vec<(String, String)> {
        client_headers(
            HOST,
            "CreateCustomerGateway",
            "2016-04-28",
            "2026-11-25T19:55:30Z",
            "8818803cfa1096b566c2330671f2486a",
            body,
        )
    }

    fn request<'a>(
        headers: &'a [(String, String)],
        query: &'a str,
        body: &'a [u8],
    ) -> SignableRequest<'a> {
        SignableRequest {
            method: "POST",
            path: "/",
            query,
            headers,
            body,
        }
    }

    fn sign_and_parse(req: &SignableRequest<'_>, names: &[&str]) -> ParsedAuthorization {
        let signed = sign(req, &creds(), names).unwrap();
        parse_authorization(&signed.authorization).unwrap()
    }

    #[test]
    fn percent_encode_rules() {
        crate::signer::canonical::assert_maps(
            percent_encode,
            &[
                (" ~/*-+", "%20~%2F%2A-%2B"),
                ("a/b/c/ test", "a%2Fb%2Fc%2F%20test"),
                ("é", "%C3%A9"),
                ("AZaz09-_.~", "AZaz09-_.~"),
            ],
        );
    }

    #[test]
    fn round_trip_and_tampering() {
        let body = b"A=1&B=2".to_vec();
        let mut hs = headers(&body);
        hs.push((
            "content-type".to_owned(),
            "application/x-www-form-urlencoded".to_owned(),
        ));
        let mut names = DEFAULT_SIGNED_HEADERS.to_vec();
        names.push("content-type");
        let req = request(&hs, QUERY, &body);
        let auth = sign_and_parse(&req, &names);
        let c = creds();
        verify(&req, &auth, &c).unwrap();

        // Body changed but x-acs-content-sha256 kept: the declared hash no longer matches.
        let mut tampered_body = body.clone();
        tampered_body[2] = b'9';
        assert_eq!(
            verify(&request(&hs, QUERY, &tampered_body), &auth, &c),
            Err(SignError::PayloadHashMismatch(
                CONTENT_SHA256_HEADER.to_owned()
            ))
        );
        // Body and its hash header both changed: the signature covers the header.
        let mut hs2 = hs.clone();
        hs2[5].1 = hex_sha256(&tampered_body);
        assert_eq!(
            verify(&request(&hs2, QUERY, &tampered_body), &auth, &c),
            Err(SignError::SignatureMismatch)
        );

        let q = QUERY.replace("k1", "k2");
        assert_eq!(
            verify(&request(&hs, &q, &body), &auth, &c),
            Err(SignError::SignatureMismatch)
        );
        let mut path_req = request(&hs, QUERY, &body);
        path_req.path = "/x";
        assert_eq!(
            verify(&path_req, &auth, &c),
            Err(SignError::SignatureMismatch)
        );
        let mut hs3 = hs.clone();
        hs3[1].1 = "DeleteCustomerGateway".to_owned();
        assert_eq!(
            verify(&request(&hs3, QUERY, &body), &auth, &c),
            Err(SignError::SignatureMismatch)
        );
        assert_eq!(
            verify(&req, &auth, &Credentials::new("sandbox-ak", "sandbox-sK")),
            Err(SignError::SignatureMismatch)
        );
        assert_eq!(
            verify(&req, &auth, &Credentials::new("other", "sandbox-sk")),
            Err(SignError::AccessKeyMismatch)
        );
    }

    #[test]
    fn wire_query_form_is_irrelevant() {
        // `+` vs `%20`, order and case of hex digits do not change the canonical query.
        let hs = headers(b"");
        let a = request(&hs, "B=x+y&A=%2a", b"");
        let b = request(&hs, "A=%2A&B=x%20y", b"");
        assert_eq!(
            canonical_request(&a, DEFAULT_SIGNED_HEADERS).unwrap(),
            canonical_request(&b, DEFAULT_SIGNED_HEADERS).unwrap()
        );
        let auth = sign_and_parse(&a, DEFAULT_SIGNED_HEADERS);
        verify(&b, &auth, &creds()).unwrap();
    }

    #[test]
    fn required_headers_must_be_signed() {
        let hs = headers(b"");
        let req = request(&hs, QUERY, b"");
        let auth = sign_and_parse(&req, &["host", "x-acs-action", "x-acs-date"]);
        assert_eq!(
            verify(&req, &auth, &creds()),
            Err(SignError::HeaderNotSigned(CONTENT_SHA256_HEADER.to_owned()))
        );
        let body = b"A=1";
        let mut hs = headers(body);
        hs.push(("Content-Type".to_owned(), "application/json".to_owned()));
        let req = request(&hs, QUERY, body);
        let auth = sign_and_parse(&req, DEFAULT_SIGNED_HEADERS);
        assert_eq!(
            verify(&req, &auth, &creds()),
            Err(SignError::HeaderNotSigned("content-type".to_owned()))
        );
    }

    #[test]
    fn security_token() {
        let c = creds().with_security_token("tok");
        let mut hs = headers(b"");
        hs.push((SECURITY_TOKEN_HEADER.to_owned(), "tok".to_owned()));
        let req = request(&hs, QUERY, b"");
        assert!(matches!(
            sign(&req, &c, DEFAULT_SIGNED_HEADERS),
            Err(SignError::SecurityToken(_))
        ));
        let mut names = DEFAULT_SIGNED_HEADERS.to_vec();
        names.push(SECURITY_TOKEN_HEADER);
        let signed = sign(&req, &c, &names).unwrap();
        let auth = parse_authorization(&signed.authorization).unwrap();
        verify(&req, &auth, &c).unwrap();
    }

    #[test]
    fn parse_authorization_forms() {
        let sig = "3b9480bc42f6c8121c80974af31afe124f4c92d6eccb2d4a0858a6b824ee88fa";
        let a = parse_authorization(&format!(
            "ACS3-HMAC-SHA256 Credential=AKID,SignedHeaders=host;x-acs-date,Signature={sig}"
        ))
        .unwrap();
        assert_eq!(a.access_key_id, "AKID");
        assert_eq!(a.signed_headers, ["host", "x-acs-date"]);
        assert_eq!(a.signature, sig);
        let b = parse_authorization(&format!(
            "ACS3-HMAC-SHA256 Credential=AKID, SignedHeaders=, Signature={sig}"
        ))
        .unwrap();
        assert!(b.signed_headers.is_empty());
        for bad in [
            format!("ACS3-HMAC-SM3 Credential=AKID,SignedHeaders=host,Signature={sig}"),
            format!("ACS3-HMAC-SHA256 SignedHeaders=host,Signature={sig}"),
            format!("ACS3-HMAC-SHA256 Credential=,SignedHeaders=host,Signature={sig}"),
            "ACS3-HMAC-SHA256 Credential=AKID,SignedHeaders=host,Signature=00".to_owned(),
            format!("ACS3-HMAC-SHA256 Credential=AKID,SignedHeaders=host,Signature={sig},X=1"),
            "ACS3-HMAC-SHA256".to_owned(),
        ] {
            assert!(
                matches!(
                    parse_authorization(&bad),
                    Err(SignError::MalformedAuthorization(_))
                ),
                "accepted: {bad}"
            );
        }
    }
}
