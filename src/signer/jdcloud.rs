//! JD Cloud request signing: `JDCLOUD2-HMAC-SHA256` and `JDCLOUD3-HMAC-SHA256`.
//!
//! Both versions share one algorithm (AWS SigV4-like, docs/design/jdcloud.md §5); they differ
//! only in the algorithm string, the key prefix and the scope terminator. The provider signs
//! with V2 (documented, official worked example); the sandbox verifies either, picking the
//! version from the `Authorization` prefix.

use zeroize::Zeroize;

use super::canonical::{
    authorization_fields, check_declared_hash, check_security_token, check_signature, header_value,
    hex_sha256, hmac_sha256, hmac_signed, jdcloud_canonical_uri, malformed,
    normalize_signed_headers, scheme_canonical_request, RepeatedValues,
};
use super::{Credentials, SignError, SignableRequest, Signed};

/// Request time, `YYYYMMDDTHHMMSSZ`; its first 8 characters are the scope date.
pub const DATE_HEADER: &str = "x-jdcloud-date";
/// Per-request unique string (the SDKs use a UUIDv4).
pub const NONCE_HEADER: &str = "x-jdcloud-nonce";
/// If present, its value is used verbatim as the payload hash (Node/PHP/Go signers, vector 27).
pub const CONTENT_SHA256_HEADER: &str = "x-jdcloud-content-sha256";
/// STS token header; must be signed when present.
pub const SECURITY_TOKEN_HEADER: &str = "x-jdcloud-security-token";
/// Optional header some V3 signers add and sign; value is the algorithm string.
pub const ALGORITHM_HEADER: &str = "x-jdcloud-algorithm";

/// What the provider signs: the set the Go SDK and the doc examples sign.
pub const DEFAULT_SIGNED_HEADERS: &[&str] = &["content-type", "host", DATE_HEADER, NONCE_HEADER];

/// Signature scheme version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Version {
    /// `JDCLOUD2-HMAC-SHA256` (documented; Go, Java, Rust SDKs).
    V2,
    /// `JDCLOUD3-HMAC-SHA256` (Python ≥ 1.6.95, Node, .NET V3 signers).
    V3,
}

impl Version {
    /// The algorithm string (`Authorization` prefix and first line of the string to sign).
    pub fn algorithm(self) -> &'static str {
        match self {
            Version::V2 => "JDCLOUD2-HMAC-SHA256",
            Version::V3 => "JDCLOUD3-HMAC-SHA256",
        }
    }

    /// Prefix prepended to the secret to form the first HMAC key.
    pub fn key_prefix(self) -> &'static str {
        match self {
            Version::V2 => "JDCLOUD2",
            Version::V3 => "JDCLOUD3",
        }
    }

    /// Last component of the credential scope.
    pub fn terminator(self) -> &'static str {
        match self {
            Version::V2 => "jdcloud2_request",
            Version::V3 => "jdcloud3_request",
        }
    }

    /// The version named by an algorithm string, if any.
    pub fn from_algorithm(algorithm: &str) -> Option<Self> {
        [Version::V2, Version::V3]
            .into_iter()
            .find(|v| v.algorithm() == algorithm)
    }
}

/// Inputs of [`sign`] other than the request.
#[derive(Debug, Clone, Copy)]
pub struct SigningParams<'a> {
    pub credentials: &'a Credentials,
    /// Region of the scope: the `regionId` path parameter (`jdcloud-api` for region-less APIs).
    pub region: &'a str,
    /// Product code, e.g. `bgw` (not the host name).
    pub service: &'a str,
    /// The `x-jdcloud-date` value, `YYYYMMDDTHHMMSSZ`.
    pub date: &'a str,
    pub version: Version,
}

/// The HMAC key chain of one scope. Zeroed on drop: these keys are as good as the secret for a day.
pub struct SigningKeys {
    pub k_date: [u8; 32],
    pub k_region: [u8; 32],
    pub k_service: [u8; 32],
    pub k_signing: [u8; 32],
}

impl Drop for SigningKeys {
    fn drop(&mut self) {
        self.k_date.zeroize();
        self.k_region.zeroize();
        self.k_service.zeroize();
        self.k_signing.zeroize();
    }
}

/// Derives kDate → kRegion → kService → kSigning (raw bytes at every step, never hex).
pub fn derive_signing_keys(
    secret: &str,
    date8: &str,
    region: &str,
    service: &str,
    version: Version,
) -> SigningKeys {
    let first_key = zeroize::Zeroizing::new(format!("{}{secret}", version.key_prefix()));
    let k_date = hmac_sha256(first_key.as_bytes(), date8.as_bytes());
    let k_region = hmac_sha256(&k_date, region.as_bytes());
    let k_service = hmac_sha256(&k_region, service.as_bytes());
    let k_signing = hmac_sha256(&k_service, version.terminator().as_bytes());
    SigningKeys {
        k_date,
        k_region,
        k_service,
        k_signing,
    }
}

/// Headers the client adds before signing with [`DEFAULT_SIGNED_HEADERS`].
/// `host` is `host[:port]` as sent (port only when not 80/443).
pub fn client_headers(date: &str, nonce: &str, host: &str) -> Vec<(String, String)> {
    vec![
        ("content-type".to_owned(), "application/json".to_owned()),
        ("host".to_owned(), host.to_owned()),
        (DATE_HEADER.to_owned(), date.to_owned()),
        (NONCE_HEADER.to_owned(), nonce.to_owned()),
    ]
}

fn payload_hash(req: &SignableRequest<'_>) -> String {
    match header_value(req.headers, CONTENT_SHA256_HEADER) {
        Some(declared) => declared.to_owned(),
        None => hex_sha256(req.body),
    }
}

fn build_canonical_request(
    req: &SignableRequest<'_>,
    names: &[String],
) -> Result<String, SignError> {
    scheme_canonical_request(
        req,
        names,
        jdcloud_canonical_uri,
        RepeatedValues::InOrder,
        &payload_hash(req),
    )
}

/// The canonical request for `req`, signing the headers named in `signed_headers` (any case;
/// each must be present on the request).
pub fn canonical_request(
    req: &SignableRequest<'_>,
    signed_headers: &[&str],
) -> Result<String, SignError> {
    build_canonical_request(req, &normalize_signed_headers(signed_headers)?)
}

/// Checks `YYYYMMDDTHHMMSSZ` (shape only; calendar validity and clock skew are the caller's).
pub fn validate_date(date: &str) -> Result<(), SignError> {
    let b = date.as_bytes();
    let ok = b.len() == 16
        && b[..8].iter().all(u8::is_ascii_digit)
        && b[8] == b'T'
        && b[9..15].iter().all(u8::is_ascii_digit)
        && b[15] == b'Z';
    if ok {
        Ok(())
    } else {
        Err(SignError::InvalidDate(date.to_owned()))
    }
}

fn compute(
    req: &SignableRequest<'_>,
    names: &[String],
    credentials: &Credentials,
    region: &str,
    service: &str,
    date: &str,
    version: Version,
) -> Result<Signed, SignError> {
    let canonical_request = build_canonical_request(req, names)?;
    let date8 = date
        .get(..8)
        .ok_or_else(|| SignError::InvalidDate(date.to_owned()))?;
    let scope = format!("{date8}/{region}/{service}/{}", version.terminator());
    let string_to_sign = format!(
        "{}\n{date}\n{scope}\n{}",
        version.algorithm(),
        hex_sha256(canonical_request.as_bytes())
    );
    let keys = derive_signing_keys(credentials.secret(), date8, region, service, version);
    Ok(hmac_signed(
        canonical_request,
        string_to_sign,
        &keys.k_signing,
        |signature| {
            format!(
                "{} Credential={}/{scope}, SignedHeaders={}, Signature={signature}",
                version.algorithm(),
                credentials.access_key_id(),
                names.join(";")
            )
        },
    ))
}

/// Signs `req`. If the request carries `x-jdcloud-date` it must equal `params.date`; with
/// temporary credentials `x-jdcloud-security-token` must be present and signed.
pub fn sign(
    req: &SignableRequest<'_>,
    params: &SigningParams<'_>,
    signed_headers: &[&str],
) -> Result<Signed, SignError> {
    validate_date(params.date)?;
    if let Some(sent) = header_value(req.headers, DATE_HEADER) {
        if sent != params.date {
            return Err(SignError::DateMismatch(format!(
                "header {DATE_HEADER} is `{sent}` but the signing date is `{}`",
                params.date
            )));
        }
    }
    let names = normalize_signed_headers(signed_headers)?;
    check_security_token(req, &names, SECURITY_TOKEN_HEADER, params.credentials)?;
    compute(
        req,
        &names,
        params.credentials,
        params.region,
        params.service,
        params.date,
        params.version,
    )
}

/// The fields of a JD Cloud `Authorization` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedAuthorization {
    pub version: Version,
    pub access_key_id: String,
    /// Scope date, `YYYYMMDD`.
    pub date: String,
    pub region: String,
    pub service: String,
    /// Lower-case names, in the order given.
    pub signed_headers: Vec<String>,
    /// Lower-case hex.
    pub signature: String,
}

/// Parses `{ALG} Credential={AK}/{YYYYMMDD}/{region}/{service}/{terminator}, SignedHeaders=a;b, Signature={hex}`.
/// Spaces after the commas are optional. The access key id may contain spaces (it is split
/// off the scope from the right).
pub fn parse_authorization(header: &str) -> Result<ParsedAuthorization, SignError> {
    let fields = authorization_fields(header, |a| Version::from_algorithm(a).is_some())?;
    let (algorithm, credential) = (fields.algorithm, fields.credential);
    let version = Version::from_algorithm(algorithm)
        .ok_or_else(|| malformed(format!("unsupported algorithm `{algorithm}`")))?;

    let mut scope = credential.rsplitn(5, '/');
    let (Some(terminator), Some(service), Some(region), Some(date), Some(access_key_id)) = (
        scope.next(),
        scope.next(),
        scope.next(),
        scope.next(),
        scope.next(),
    ) else {
        return Err(malformed(
            "Credential must be AK/YYYYMMDD/region/service/terminator",
        ));
    };
    if terminator != version.terminator() {
        return Err(malformed(format!(
            "scope terminator `{terminator}` does not match {algorithm}"
        )));
    }
    if date.len() != 8 || !date.bytes().all(|b| b.is_ascii_digit()) {
        return Err(malformed(format!("scope date `{date}` is not YYYYMMDD")));
    }
    if access_key_id.is_empty() || region.is_empty() || service.is_empty() {
        return Err(malformed("empty access key id, region or service"));
    }
    let (signed_headers, signature) = (fields.signed_headers, fields.signature);
    Ok(ParsedAuthorization {
        version,
        access_key_id: access_key_id.to_owned(),
        date: date.to_owned(),
        region: region.to_owned(),
        service: service.to_owned(),
        signed_headers,
        signature,
    })
}

/// Server side: recomputes the signature of the received request over the headers listed in
/// `auth.signed_headers` and compares it in constant time.
///
/// Checks, in order: access key id; `x-jdcloud-date` present, well-formed and on the scope
/// date; security token (temporary credentials); `x-jdcloud-content-sha256`, when sent, equals
/// the body hash (it replaces the body hash in the canonical request, so it must be bound to
/// the body here); then the signature. Clock skew and nonce replay are the caller's job.
pub fn verify(
    req: &SignableRequest<'_>,
    auth: &ParsedAuthorization,
    credentials: &Credentials,
) -> Result<(), SignError> {
    if auth.access_key_id != credentials.access_key_id() {
        return Err(SignError::AccessKeyMismatch);
    }
    let date = header_value(req.headers, DATE_HEADER)
        .ok_or_else(|| SignError::MissingHeader(DATE_HEADER.to_owned()))?;
    validate_date(date)?;
    if date[..8] != auth.date {
        return Err(SignError::DateMismatch(format!(
            "header {DATE_HEADER} `{date}` is not on the credential scope date `{}`",
            auth.date
        )));
    }
    let names = normalize_signed_headers(&auth.signed_headers)?;
    check_security_token(req, &names, SECURITY_TOKEN_HEADER, credentials)?;
    check_declared_hash(req, CONTENT_SHA256_HEADER)?;
    let expected = compute(
        req,
        &names,
        credentials,
        &auth.region,
        &auth.service,
        date,
        auth.version,
    )?;
    check_signature(&expected.signature, &auth.signature)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DATE: &str = "20240102T030405Z";
    const NONCE: &str = "0b7a2c1e-1111-2222-3333-444455556666";
    const HOST: &str = "bgw.jdcloud-api.com";
    const PATH: &str = "/v1/regions/cn-north-1/vpnTunnels/vpntnl-abc123:adminStatus";
    const BODY: &[u8] = br#"{"adminStatus":"DOWN"}"#;

    fn creds() -> Credentials {
        Credentials::new("TESTAK", "TESTSK")
    }

    fn params(c: &Credentials, version: Version) -> SigningParams<'_> {
        SigningParams {
            credentials: c,
            region: "cn-north-1",
            service: "bgw",
            date: DATE,
            version,
        }
    }

    fn request<'a>(
        headers: &'a [(String, String)],
        path: &'a str,
        query: &'a str,
        body: &'a [u8],
    ) -> SignableRequest<'a> {
        SignableRequest {
            method: "POST",
            path,
            query,
            headers,
            body,
        }
    }

    fn sign_and_parse(req: &SignableRequest<'_>, version: Version) -> ParsedAuthorization {
        let c = creds();
        let signed = sign(req, &params(&c, version), DEFAULT_SIGNED_HEADERS).unwrap();
        parse_authorization(&signed.authorization).unwrap()
    }

    #[test]
    fn bgw_example_matches_stored_fixture() {
        let headers = client_headers(DATE, NONCE, HOST);
        let req = request(&headers, PATH, "", BODY);
        let c = creds();
        let signed = sign(&req, &params(&c, Version::V2), DEFAULT_SIGNED_HEADERS).unwrap();
        assert_eq!(
            signed.authorization,
            "JDCLOUD2-HMAC-SHA256 Credential=TESTAK/20240102/cn-north-1/bgw/jdcloud2_request, \
             SignedHeaders=content-type;host;x-jdcloud-date;x-jdcloud-nonce, \
             Signature=5ad00b9dd583a728224f3746ef48791f5dcd95711d6ae5eccadd7e742377e3ff"
        );
    }

    #[test]
    fn round_trip_both_versions() {
        for version in [Version::V2, Version::V3] {
            let headers = client_headers(DATE, NONCE, HOST);
            let req = request(&headers, PATH, "b=2&a=1", BODY);
            let auth = sign_and_parse(&req, version);
            assert_eq!(auth.version, version);
            assert_eq!(auth.date, "20240102");
            assert_eq!(auth.region, "cn-north-1");
            assert_eq!(auth.service, "bgw");
            verify(&req, &auth, &creds()).unwrap();
        }
    }

    #[test]
    fn any_change_is_a_signature_mismatch() {
        let headers = client_headers(DATE, NONCE, HOST);
        let req = request(&headers, PATH, "a=1", BODY);
        let auth = sign_and_parse(&req, Version::V2);
        let c = creds();

        let mut body = BODY.to_vec();
        body[3] ^= 1;
        let tampered = request(&headers, PATH, "a=1", &body);
        assert_eq!(
            verify(&tampered, &auth, &c),
            Err(SignError::SignatureMismatch)
        );

        let path = PATH.replace("abc", "abd");
        let tampered = request(&headers, &path, "a=1", BODY);
        assert_eq!(
            verify(&tampered, &auth, &c),
            Err(SignError::SignatureMismatch)
        );

        let tampered = request(&headers, PATH, "a=2", BODY);
        assert_eq!(
            verify(&tampered, &auth, &c),
            Err(SignError::SignatureMismatch)
        );

        let mut other = headers.clone();
        other[3].1.push('7'); // nonce
        let tampered = request(&other, PATH, "a=1", BODY);
        assert_eq!(
            verify(&tampered, &auth, &c),
            Err(SignError::SignatureMismatch)
        );

        let mut other = headers.clone();
        other[1].1 = "bgw.jdcloud-api.con".to_owned(); // host
        let tampered = request(&other, PATH, "a=1", BODY);
        assert_eq!(
            verify(&tampered, &auth, &c),
            Err(SignError::SignatureMismatch)
        );

        // An unsigned header may change freely.
        let mut other = headers.clone();
        other.push(("user-agent".to_owned(), "x".to_owned()));
        verify(&request(&other, PATH, "a=1", BODY), &auth, &c).unwrap();

        let wrong = Credentials::new("TESTAK", "TESTSk");
        assert_eq!(
            verify(&req, &auth, &wrong),
            Err(SignError::SignatureMismatch)
        );
        let other_ak = Credentials::new("OTHER", "TESTSK");
        assert_eq!(
            verify(&req, &auth, &other_ak),
            Err(SignError::AccessKeyMismatch)
        );
    }

    #[test]
    fn tampered_signature_or_scope_fails() {
        let headers = client_headers(DATE, NONCE, HOST);
        let req = request(&headers, PATH, "", BODY);
        let tampering: [fn(&mut ParsedAuthorization); 3] = [
            |auth| auth.region = "cn-south-1".to_owned(),
            |auth| auth.version = Version::V2,
            |auth| {
                let flipped = if auth.signature.starts_with('0') {
                    "1"
                } else {
                    "0"
                };
                auth.signature.replace_range(..1, flipped);
            },
        ];
        for tamper in tampering {
            let mut auth = sign_and_parse(&req, Version::V3);
            tamper(&mut auth);
            assert_eq!(
                verify(&req, &auth, &creds()),
                Err(SignError::SignatureMismatch)
            );
        }
    }

    #[test]
    fn date_rules() {
        let headers = client_headers(DATE, NONCE, HOST);
        let req = request(&headers, PATH, "", BODY);
        let c = creds();
        let mut auth = sign_and_parse(&req, Version::V2);
        auth.date = "20240103".to_owned();
        assert!(matches!(
            verify(&req, &auth, &c),
            Err(SignError::DateMismatch(_))
        ));

        let auth = sign_and_parse(&req, Version::V2);
        let no_date: Vec<_> = headers
            .iter()
            .filter(|(n, _)| n != DATE_HEADER)
            .cloned()
            .collect();
        assert_eq!(
            verify(&request(&no_date, PATH, "", BODY), &auth, &c),
            Err(SignError::MissingHeader(DATE_HEADER.to_owned()))
        );

        // Signing with a date other than the header's is a caller bug.
        let mut p = params(&c, Version::V2);
        p.date = "20240102T030406Z";
        assert!(matches!(
            sign(&req, &p, DEFAULT_SIGNED_HEADERS),
            Err(SignError::DateMismatch(_))
        ));
        p.date = "2024-01-02T03:04:05Z";
        assert!(matches!(
            sign(&req, &p, DEFAULT_SIGNED_HEADERS),
            Err(SignError::InvalidDate(_))
        ));
    }

    #[test]
    fn missing_signed_header_is_reported() {
        let headers = client_headers(DATE, NONCE, HOST);
        let req = request(&headers, PATH, "", BODY);
        let c = creds();
        assert_eq!(
            sign(&req, &params(&c, Version::V2), &["host", "x-absent"]),
            Err(SignError::MissingHeader("x-absent".to_owned()))
        );
        assert_eq!(
            canonical_request(&req, &["X-Absent"]),
            Err(SignError::MissingHeader("x-absent".to_owned()))
        );
    }

    #[test]
    fn unsigned_date_and_nonce_are_accepted() {
        // The production Python SDK signs only content-type;host (docs/design/jdcloud.md §5.2).
        let headers = client_headers(DATE, NONCE, HOST);
        let req = request(&headers, PATH, "", BODY);
        let c = creds();
        let signed = sign(&req, &params(&c, Version::V3), &["content-type", "host"]).unwrap();
        let auth = parse_authorization(&signed.authorization).unwrap();
        verify(&req, &auth, &c).unwrap();
    }

    #[test]
    fn content_sha256_header_must_match_body() {
        let mut headers = client_headers(DATE, NONCE, HOST);
        headers.push((CONTENT_SHA256_HEADER.to_owned(), hex_sha256(BODY)));
        let req = request(&headers, PATH, "", BODY);
        let auth = sign_and_parse(&req, Version::V2);
        let c = creds();
        verify(&req, &auth, &c).unwrap();
        let tampered = request(&headers, PATH, "", b"{}");
        assert_eq!(
            verify(&tampered, &auth, &c),
            Err(SignError::PayloadHashMismatch(
                CONTENT_SHA256_HEADER.to_owned()
            ))
        );
    }

    #[test]
    fn security_token_must_be_sent_and_signed() {
        let c = creds().with_security_token("sts-token");
        let mut headers = client_headers(DATE, NONCE, HOST);
        let req = request(&headers, PATH, "", BODY);
        assert!(matches!(
            sign(&req, &params(&c, Version::V2), DEFAULT_SIGNED_HEADERS),
            Err(SignError::SecurityToken(_))
        ));
        headers.push((SECURITY_TOKEN_HEADER.to_owned(), "sts-token".to_owned()));
        let req = request(&headers, PATH, "", BODY);
        assert!(matches!(
            sign(&req, &params(&c, Version::V2), DEFAULT_SIGNED_HEADERS),
            Err(SignError::SecurityToken(_))
        ));
        let mut names = DEFAULT_SIGNED_HEADERS.to_vec();
        names.push(SECURITY_TOKEN_HEADER);
        let signed = sign(&req, &params(&c, Version::V2), &names).unwrap();
        let auth = parse_authorization(&signed.authorization).unwrap();
        verify(&req, &auth, &c).unwrap();
        let other = creds().with_security_token("other-token");
        assert!(matches!(
            verify(&req, &auth, &other),
            Err(SignError::SecurityToken(_))
        ));
    }

    #[test]
    fn parse_authorization_fields() {
        let a = parse_authorization(
            "JDCLOUD2-HMAC-SHA256 Credential=access key/20190214/cn-north-1/test/jdcloud2_request, \
             SignedHeaders=content-type;host;x-jdcloud-date;x-jdcloud-nonce, \
             Signature=ab7f411c1af4d3938f69a24539572418fa4dcdb40e3c0dd4aa329fbca091688e",
        )
        .unwrap();
        assert_eq!(a.version, Version::V2);
        assert_eq!(a.access_key_id, "access key");
        assert_eq!(a.date, "20190214");
        assert_eq!(a.region, "cn-north-1");
        assert_eq!(a.service, "test");
        assert_eq!(
            a.signed_headers,
            ["content-type", "host", "x-jdcloud-date", "x-jdcloud-nonce"]
        );
        // Compact separators are accepted too.
        let b = parse_authorization(
            "JDCLOUD3-HMAC-SHA256 Credential=ak/20190917/cn-north-1/svc/jdcloud3_request,SignedHeaders=host,Signature=ab7f411c1af4d3938f69a24539572418fa4dcdb40e3c0dd4aa329fbca091688e",
        )
        .unwrap();
        assert_eq!(b.version, Version::V3);
        assert_eq!(b.signed_headers, ["host"]);
    }

    #[test]
    fn parse_authorization_rejects_garbage() {
        let sig = "ab7f411c1af4d3938f69a24539572418fa4dcdb40e3c0dd4aa329fbca091688e";
        let bad = [
            String::new(),
            "JDCLOUD2-HMAC-SHA256".to_owned(),
            format!("AWS4-HMAC-SHA256 Credential=a/20190214/r/s/jdcloud2_request, SignedHeaders=host, Signature={sig}"),
            format!("JDCLOUD2-HMAC-SHA256 Credential=a/20190214/r/s/jdcloud3_request, SignedHeaders=host, Signature={sig}"),
            format!("JDCLOUD2-HMAC-SHA256 Credential=a/2019021/r/s/jdcloud2_request, SignedHeaders=host, Signature={sig}"),
            format!("JDCLOUD2-HMAC-SHA256 Credential=20190214/r/s/jdcloud2_request, SignedHeaders=host, Signature={sig}"),
            format!("JDCLOUD2-HMAC-SHA256 Credential=a/20190214/r/s/jdcloud2_request, Signature={sig}"),
            format!("JDCLOUD2-HMAC-SHA256 Credential=a/20190214/r/s/jdcloud2_request, SignedHeaders=host;;x, Signature={sig}"),
            "JDCLOUD2-HMAC-SHA256 Credential=a/20190214/r/s/jdcloud2_request, SignedHeaders=host, Signature=xyz".to_owned(),
            format!("JDCLOUD2-HMAC-SHA256 Credential=a/20190214/r/s/jdcloud2_request, SignedHeaders=host, Signature={sig}, Extra=1"),
            format!("JDCLOUD2-HMAC-SHA256 Credential=a/20190214/r/s/jdcloud2_request, SignedHeaders=host, Signature={sig}, Signature={sig}"),
        ];
        for header in bad {
            assert!(
                matches!(
                    parse_authorization(&header),
                    Err(SignError::MalformedAuthorization(_))
                ),
                "accepted: {header}"
            );
        }
    }

    #[test]
    fn signing_keys_of_the_doc_example() {
        let k = derive_signing_keys("TESTSK", "20190214", "cn-north-1", "test", Version::V2);
        assert_eq!(
            hex::encode(k.k_signing),
            "a4e50bcb6001be0008696b173c30172b5ce22a77db00d21c6a9d69de2ba33b7d"
        );
    }

    #[test]
    fn error_messages_never_contain_the_secret() {
        let c = Credentials::new("TESTAK", "SECRET-XYZ");
        let headers = client_headers(DATE, NONCE, HOST);
        let req = request(&headers, PATH, "", BODY);
        let auth = sign_and_parse(&req, Version::V2);
        let err = verify(&req, &auth, &c).unwrap_err();
        assert!(!err.to_string().contains("SECRET-XYZ"));
        assert!(!format!("{err:?}").contains("SECRET-XYZ"));
    }
}
