//! Signing Alibaba Cloud test requests (ACS3 or signature V1), shared by the Alibaba tests and
//! the fault tests.

use axum::body::Body;
use axum::http::Request;
use time::OffsetDateTime;

use crate::signer::{acs3, rpc_v1, Credentials, SignableRequest};

pub(in crate::sandbox) const HOST: &str = "sandbox.test";

pub(in crate::sandbox) fn acs_date(t: OffsetDateTime) -> String {
    crate::sandbox::ids::iso8601(t)
}

/// How to sign a test request.
#[derive(Clone)]
pub(in crate::sandbox) struct Signing {
    /// Signature V1 (HMAC-SHA1 parameters) instead of ACS3.
    pub v1: bool,
    pub ak: &'static str,
    pub sk: &'static str,
    pub date: String,
    /// `None`: a fresh UUID.
    pub nonce: Option<String>,
    pub method: &'static str,
    pub security_token: Option<&'static str>,
}

impl Default for Signing {
    fn default() -> Self {
        Self {
            v1: false,
            ak: "sandbox-ak",
            sk: "sandbox-sk",
            date: acs_date(OffsetDateTime::now_utc()),
            nonce: None,
            method: "POST",
            security_token: None,
        }
    }
}

/// A POST of `query` (sent as it is, no body) with the client headers of `action`, signed with
/// ACS3 over `signed_headers`.
pub(in crate::sandbox) fn acs3_post(
    action: &str,
    version: &str,
    query: &str,
    nonce: &str,
    signed_headers: &[&str],
) -> Request<Body> {
    let date = acs_date(OffsetDateTime::now_utc());
    let headers = acs3::client_headers(HOST, action, version, &date, nonce, b"");
    let signed = acs3::sign(
        &SignableRequest {
            method: "POST",
            path: "/",
            query,
            headers: &headers,
            body: b"",
        },
        &Credentials::new("sandbox-ak", "sandbox-sk"),
        signed_headers,
    )
    .unwrap();
    let mut builder = Request::post(format!("/?{query}"));
    for (k, v) in &headers {
        builder = builder.header(k, v);
    }
    builder
        .header("authorization", signed.authorization)
        .body(Body::empty())
        .unwrap()
}

fn encode_pairs(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", acs3::percent_encode(k), acs3::percent_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn owned(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// A signed request: `query` in the URL, `body` as a form body (as the SDK sends tunnels).
pub(in crate::sandbox) fn signed_request(
    action: &str,
    version: &str,
    query: &[(&str, &str)],
    body: &[(&str, &str)],
    s: &Signing,
) -> Request<Body> {
    let nonce = s
        .nonce
        .clone()
        .unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string());
    let body_pairs = owned(body);
    let body_text = encode_pairs(&body_pairs);
    let credentials = Credentials::new(s.ak, s.sk);
    let mut builder = Request::builder().method(s.method).header("host", HOST);
    if !body.is_empty() {
        builder = builder.header("content-type", "application/x-www-form-urlencoded");
    }
    let query_text;
    if s.v1 {
        let mut q = owned(&[
            ("Action", action),
            ("Version", version),
            ("Format", "JSON"),
            ("AccessKeyId", s.ak),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureVersion", "1.0"),
            ("SignatureNonce", &nonce),
            ("Timestamp", &s.date),
        ]);
        if let Some(token) = s.security_token {
            q.push(("SecurityToken".to_owned(), token.to_owned()));
        }
        q.extend(owned(query));
        let all: Vec<(String, String)> = q.iter().chain(body_pairs.iter()).cloned().collect();
        let signed = rpc_v1::sign(s.method, &all, &credentials);
        q.push(("Signature".to_owned(), signed.signature));
        query_text = encode_pairs(&q);
    } else {
        query_text = encode_pairs(&owned(query));
        let mut headers =
            acs3::client_headers(HOST, action, version, &s.date, &nonce, body_text.as_bytes());
        let mut names: Vec<&str> = acs3::DEFAULT_SIGNED_HEADERS.to_vec();
        if !body.is_empty() {
            headers.push((
                "content-type".to_owned(),
                "application/x-www-form-urlencoded".to_owned(),
            ));
            names.push("content-type");
        }
        if let Some(token) = s.security_token {
            headers.push((acs3::SECURITY_TOKEN_HEADER.to_owned(), token.to_owned()));
            names.push(acs3::SECURITY_TOKEN_HEADER);
        }
        let signed = acs3::sign(
            &SignableRequest {
                method: s.method,
                path: "/",
                query: &query_text,
                headers: &headers,
                body: body_text.as_bytes(),
            },
            &credentials,
            &names,
        )
        .unwrap();
        for (name, value) in headers
            .iter()
            .filter(|(n, _)| n != "host" && n != "content-type")
        {
            builder = builder.header(name, value);
        }
        builder = builder.header("authorization", signed.authorization);
    }
    let uri = if query_text.is_empty() {
        "/".to_owned()
    } else {
        format!("/?{query_text}")
    };
    builder.uri(uri).body(Body::from(body_text)).unwrap()
}
