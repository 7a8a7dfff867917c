//! End-to-end tests of the Alibaba half through the router (no socket), on a manual clock that
//! the tests advance (`advance`) where pending states must settle: the shared helpers and
//! fixtures here; authentication, dispatch and the state view in `api.rs`; Vpc customer
//! gateways in `customer_gateways.rs`, connections in `connections.rs` and
//! `connection_changes.rs`; Cbn bindings and links in `cbn.rs`, their asynchronous states in
//! `cbn_states.rs`; destination routes and their publication in `routes.rs`.

mod api;
mod cbn;
mod cbn_states;
mod connection_changes;
mod connections;
mod customer_gateways;
mod routes;

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use axum::Router;
use serde_json::{json, Value};
use time::OffsetDateTime;
use tower::ServiceExt;

use crate::sandbox::{app, Clock, SandboxConfig, SandboxState};
use crate::signer::{acs3, rpc_v1, Credentials, SignableRequest};

pub(super) const HOST: &str = "sandbox.test";
pub(super) const REGION: &str = "cn-hangzhou";
pub(super) const VPC: &str = "2016-04-28";
pub(super) const CBN: &str = "2017-09-12";
/// The seeded ids of `cn-hangzhou`.
pub(super) const CEN: &str = "cen-sandbox0000000001";
pub(super) const TR: &str = "tr-hz-sandbox0001";
pub(super) const VTB: &str = "vtb-hz-sandbox0001";

/// A sandbox on a manual clock: pending states last until the test advances it.
pub(super) fn new_app(provisioning_ms: u64) -> Router {
    app_with(SandboxConfig {
        provisioning_ms,
        clock: Clock::manual(),
        ..SandboxConfig::default()
    })
}

pub(super) fn app_with(config: SandboxConfig) -> Router {
    app(SandboxState::open(config).unwrap())
}

fn acs_date(t: OffsetDateTime) -> String {
    crate::sandbox::ids::iso8601(t)
}

/// How to sign a test request.
#[derive(Clone)]
pub(super) struct Signing {
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
pub(super) fn signed_request(
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

pub(super) async fn send(app: &Router, req: Request<Body>) -> (StatusCode, HeaderMap, Value) {
    let resp = app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap();
    let body = serde_json::from_slice(&bytes)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&bytes)));
    (status, headers, body)
}

/// An ACS3 call; `TunnelOptionsSpecification.*` go in a form body like the SDK sends them.
pub(super) async fn call(
    app: &Router,
    action: &str,
    version: &str,
    params: &[(&str, &str)],
) -> (StatusCode, Value) {
    call_with(app, action, version, params, &Signing::default()).await
}

pub(super) async fn call_with(
    app: &Router,
    action: &str,
    version: &str,
    params: &[(&str, &str)],
    s: &Signing,
) -> (StatusCode, Value) {
    let is_body = |k: &str| k.starts_with("TunnelOptionsSpecification.");
    let body: Vec<(&str, &str)> = params.iter().copied().filter(|(k, _)| is_body(k)).collect();
    let query: Vec<(&str, &str)> = params
        .iter()
        .copied()
        .filter(|(k, _)| !is_body(k))
        .collect();
    let (status, _, body) = send(app, signed_request(action, version, &query, &body, s)).await;
    (status, body)
}

/// A call that must succeed; its body.
pub(super) async fn ok(
    app: &Router,
    action: &str,
    version: &str,
    params: &[(&str, &str)],
) -> Value {
    let (status, body) = call(app, action, version, params).await;
    assert_eq!(status, StatusCode::OK, "{action} {params:?}: {body}");
    assert!(body["RequestId"].is_string(), "{body}");
    body
}

/// A call that must fail with `http` and `code`; its message.
pub(super) async fn fails(
    app: &Router,
    action: &str,
    version: &str,
    params: &[(&str, &str)],
    http: u16,
    code: &str,
) -> String {
    let (status, body) = call(app, action, version, params).await;
    assert_error(status, &body, http, code);
    body["Message"].as_str().unwrap_or_default().to_owned()
}

pub(super) fn assert_error(status: StatusCode, body: &Value, http: u16, code: &str) {
    assert_eq!(status.as_u16(), http, "{body}");
    assert_eq!(body["Code"], code, "{body}");
    for key in ["RequestId", "HostId", "Message", "Recommend"] {
        assert!(body[key].is_string(), "{key} missing: {body}");
    }
}

pub(super) async fn admin(app: &Router, method: &str, uri: &str) -> Value {
    let req = Request::builder()
        .method(method)
        .uri(uri)
        .body(Body::empty())
        .unwrap();
    let (status, _, body) = send(app, req).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// Moves the sandbox's clock `ms` forward (`POST /_sandbox/clock`), as the acceptance tests do:
/// what is pending and due settles on the next call.
pub(super) async fn advance(app: &Router, ms: u64) {
    let req = Request::builder()
        .method("POST")
        .uri("/_sandbox/clock")
        .body(Body::from(format!(r#"{{"advance_ms": {ms}}}"#)))
        .unwrap();
    let (status, _, body) = send(app, req).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

// ---------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------

pub(super) async fn create_cgw(app: &Router, ip: &str, asn: Option<&str>) -> String {
    let mut params = vec![("RegionId", REGION), ("IpAddress", ip)];
    if let Some(asn) = asn {
        params.push(("Asn", asn));
    }
    let body = ok(app, "CreateCustomerGateway", VPC, &params).await;
    body["CustomerGatewayId"].as_str().unwrap().to_owned()
}

/// Parameters of a two-tunnel CreateVpnAttachment on gateways `cgw1` / `cgw2`.
pub(super) fn vco_params<'a>(cgw1: &'a str, cgw2: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("RegionId", REGION),
        ("LocalSubnet", "10.0.0.0/16"),
        ("RemoteSubnet", "192.168.0.0/16"),
        ("Name", "vco-test"),
        ("TunnelOptionsSpecification.1.TunnelIndex", "1"),
        ("TunnelOptionsSpecification.1.CustomerGatewayId", cgw1),
        ("TunnelOptionsSpecification.2.TunnelIndex", "2"),
        ("TunnelOptionsSpecification.2.CustomerGatewayId", cgw2),
    ]
}

/// Two gateways and a connection over them; (connection, gateway 1, gateway 2).
pub(super) async fn create_vco(app: &Router) -> (String, String, String) {
    let cgw1 = create_cgw(app, "203.0.113.10", Some("65001")).await;
    let cgw2 = create_cgw(app, "203.0.113.11", Some("65002")).await;
    let body = ok(app, "CreateVpnAttachment", VPC, &vco_params(&cgw1, &cgw2)).await;
    let id = body["VpnConnectionId"].as_str().unwrap().to_owned();
    (id, cgw1, cgw2)
}

pub(super) async fn describe_vco(app: &Router, id: &str) -> Value {
    ok(
        app,
        "DescribeVpnConnection",
        VPC,
        &[("RegionId", REGION), ("VpnConnectionId", id)],
    )
    .await
}
