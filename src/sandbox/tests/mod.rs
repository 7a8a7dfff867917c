//! End-to-end tests of the sandbox router (no socket, except one `serve` test): the shared
//! helpers here; JD Cloud customer gateways in `customer_gateways.rs`, authentication and admin
//! routes in `api.rs`, the other `bgw` resources in `border_gateways.rs`, `connections.rs`,
//! `tunnels.rs` and `routes.rs` (their fixtures in `fixtures.rs`), fault injection through the
//! router in `faults.rs`, the sandbox's import rules in `layers.rs`. The Alibaba half is tested
//! in `alicloud/tests`.

pub(super) mod acs;
mod api;
mod border_gateways;
pub(super) mod cases;
mod connections;
mod customer_gateways;
mod faults;
mod fixtures;
mod layers;
mod routes;
mod tunnels;

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use axum::Router;
use serde_json::{json, Value};
use time::OffsetDateTime;
use tower::ServiceExt;

use self::cases::cases;
use super::{app, Clock, SandboxConfig, SandboxState};
use crate::signer::jdcloud::{self, SigningParams, Version, DEFAULT_SIGNED_HEADERS};
use crate::signer::{Credentials, SignableRequest};

const HOST: &str = "sandbox.test";
const REGION: &str = "cn-north-1";
const CGWS: &str = "/v1/regions/cn-north-1/customerGateways/";

/// A sandbox on a manual clock (nothing here waits for time to pass).
fn new_app() -> Router {
    app(SandboxState::open(SandboxConfig {
        clock: Clock::manual(),
        ..SandboxConfig::default()
    })
    .unwrap())
}

/// `x-jdcloud-date`: ISO 8601 basic format, `YYYYMMDDTHHMMSSZ`.
pub(super) fn jd_date(t: OffsetDateTime) -> String {
    crate::sandbox::ids::iso8601(t).replace(['-', ':'], "")
}

/// The name of the first JD Cloud customer gateway in `/_sandbox/state` of the sandbox serving
/// at `host` (over a real socket).
pub(super) async fn first_cgw_name(client: &reqwest::Client, host: &str) -> Value {
    let state: Value = client
        .get(format!("http://{host}/_sandbox/state"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    state["jdcloud"]["customer_gateways"][0]["customerGatewayName"].clone()
}

/// How to sign a test request.
struct Signing {
    ak: &'static str,
    sk: &'static str,
    date: String,
    version: Version,
    signed_headers: &'static [&'static str],
    region: &'static str,
}

impl Default for Signing {
    fn default() -> Self {
        Self {
            ak: "sandbox-ak",
            sk: "sandbox-sk",
            date: jd_date(OffsetDateTime::now_utc()),
            version: Version::V2,
            signed_headers: DEFAULT_SIGNED_HEADERS,
            region: REGION,
        }
    }
}

fn signed_with(method: &str, uri: &str, body: &[u8], s: &Signing) -> Request<Body> {
    let (path, query) = uri.split_once('?').unwrap_or((uri, ""));
    let headers = jdcloud::client_headers(&s.date, &uuid::Uuid::new_v4().to_string(), HOST);
    let credentials = Credentials::new(s.ak, s.sk);
    let signed = jdcloud::sign(
        &SignableRequest {
            method,
            path,
            query,
            headers: &headers,
            body,
        },
        &SigningParams {
            credentials: &credentials,
            region: s.region,
            service: "bgw",
            date: &s.date,
            version: s.version,
        },
        s.signed_headers,
    )
    .unwrap();
    let mut builder = Request::builder().method(method).uri(uri);
    for (name, value) in &headers {
        builder = builder.header(name, value);
    }
    builder
        .header("authorization", signed.authorization)
        .body(Body::from(body.to_vec()))
        .unwrap()
}

fn signed(method: &str, uri: &str, body: Option<Value>) -> Request<Body> {
    let body = body.map(|b| b.to_string().into_bytes()).unwrap_or_default();
    signed_with(method, uri, &body, &Signing::default())
}

/// Sends `req` through the router; status, headers and the JSON body (both clouds' tests).
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

async fn call(app: &Router, method: &str, uri: &str, body: Option<Value>) -> (StatusCode, Value) {
    let (status, _, body) = send(app, signed(method, uri, body)).await;
    (status, body)
}

/// The field names of JSON object `v`, sorted (both clouds' tests compare answers' shapes).
pub(super) fn sorted_keys(v: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    keys
}

fn spec(name: &str, ips: &[&str], asn: i64) -> Value {
    json!({"customerGatewaySpec": {
        "customerGatewayName": name, "customerIps": ips, "bgpAsn": asn, "description": "d"
    }})
}

async fn create(app: &Router, name: &str) -> String {
    let (status, body) = call(
        app,
        "POST",
        CGWS,
        Some(spec(name, &["203.0.113.10"], 65010)),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["result"]["customerGatewayId"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn assert_error(status: StatusCode, body: &Value, http: u16, code: &str, needle: &str) {
    assert_eq!(status.as_u16(), http, "{body}");
    assert_eq!(body["error"]["code"], http, "{body}");
    assert_eq!(body["error"]["status"], code, "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains(needle), "{message:?} lacks {needle:?}");
    assert_eq!(body["requestId"].as_str().unwrap().len(), 32);
}

/// `/_sandbox/requests`: the calls of each operation, and the refusals, the sandbox counted.
pub(super) async fn request_counts(app: &Router) -> Value {
    let (status, counts) = send_admin(app, "GET", "/_sandbox/requests").await;
    assert_eq!(status, StatusCode::OK, "{counts}");
    counts
}

/// Each named counter of `/_sandbox/requests` has its value (the others are not looked at);
/// written with `cases!`, a counter a line.
pub(super) async fn assert_counts(app: &Router, expected: Vec<(&str, i64)>) {
    let counts = request_counts(app).await;
    for (name, n) in expected {
        assert_eq!(counts[name], n, "{name}: {counts}");
    }
}

async fn send_admin(app: &Router, method: &str, uri: &str) -> (StatusCode, Value) {
    admin_with_body(app, method, uri, "").await
}

/// An unsigned call of the sandbox's own `/_sandbox/…` routes.
pub(super) async fn admin_with_body(
    app: &Router,
    method: &str,
    uri: &str,
    body: &str,
) -> (StatusCode, Value) {
    let req = Request::builder()
        .method(method)
        .uri(uri)
        .body(Body::from(body.to_owned()))
        .unwrap();
    let (status, _, body) = send(app, req).await;
    (status, body)
}

/// `/_sandbox/state` with nothing in it: every kind of both clouds present and empty, plus the
/// Alibaba seed (CEN, transit routers, route tables), which is always there.
pub(super) fn empty_state() -> Value {
    json!({
        "jdcloud": {
            "bgws": [],
            "vpc_attachments": [],
            "customer_gateways": [],
            "vpn_connections": [],
            "vpn_tunnels": [],
            "bgw_routes": []
        },
        "alicloud": {
            "customer_gateways": [],
            "vpn_connections": [],
            "vco_route_entries": [],
            "transit_router_vpn_attachments": [],
            "route_table_associations": [],
            "route_table_propagations": []
        },
        "alicloud_seed": super::alicloud::seed_state()
    })
}
