//! Fault injection: the seeded draw, plan checks, and what clients see through the router.

use std::collections::BTreeMap;
use std::time::Duration;

use axum::body::Body;
use axum::http::Request;
use axum::Router;
use serde_json::{json, Value};
use time::OffsetDateTime;
use tower::ServiceExt;

use super::acs::{signed_request, Signing};
use super::first_cgw_name;
use crate::sandbox::faults::{Fault, FaultPlan, Faults};
use crate::sandbox::{app, SandboxConfig, SandboxState};
use crate::signer::jdcloud::{self, SigningParams, Version, DEFAULT_SIGNED_HEADERS};
use crate::signer::{Credentials, SignableRequest};

const HOST: &str = "sandbox.test";
const CGWS: &str = "/v1/regions/cn-north-1/customerGateways/";
const VPC: &str = "2016-04-28";

fn plan(json: Value) -> FaultPlan {
    FaultPlan::from_json(json).unwrap()
}

fn new_state(faults: Value) -> SandboxState {
    SandboxState::open(SandboxConfig {
        faults: Some(plan(faults)),
        rate_limit_per_minute: 0,
        ..SandboxConfig::default()
    })
    .unwrap()
}

fn credentials() -> Credentials {
    Credentials::new("sandbox-ak", "sandbox-sk")
}

/// Headers (host excluded) of a JD Cloud call signed for `host`.
fn jd_headers(
    method: &str,
    path: &str,
    body: &[u8],
    host: &str,
    nonce: &str,
) -> Vec<(String, String)> {
    let date = super::jd_date(OffsetDateTime::now_utc());
    let mut headers = jdcloud::client_headers(&date, nonce, host);
    let signed = jdcloud::sign(
        &SignableRequest {
            method,
            path,
            query: "",
            headers: &headers,
            body,
        },
        &SigningParams {
            credentials: &credentials(),
            region: "cn-north-1",
            service: "bgw",
            date: &date,
            version: Version::V2,
        },
        DEFAULT_SIGNED_HEADERS,
    )
    .unwrap();
    headers.push(("authorization".to_owned(), signed.authorization));
    headers.retain(|(n, _)| n != "host");
    headers
}

fn jd_request(method: &str, path: &str, body: Option<Value>, nonce: &str) -> Request<Body> {
    let body = body.map(|b| b.to_string().into_bytes()).unwrap_or_default();
    let mut builder = Request::builder()
        .method(method)
        .uri(path)
        .header("host", HOST);
    for (name, value) in jd_headers(method, path, &body, HOST, nonce) {
        builder = builder.header(name, value);
    }
    builder.body(Body::from(body)).unwrap()
}

fn fresh_nonce() -> String {
    uuid::Uuid::new_v4().to_string()
}

fn jd_create(name: &str) -> Request<Body> {
    let body = json!({"customerGatewaySpec": {
        "customerGatewayName": name, "customerIps": ["203.0.113.1"], "bgpAsn": 65001
    }});
    jd_request("POST", CGWS, Some(body), &fresh_nonce())
}

fn ali_request(action: &str, params: &[(&str, &str)]) -> Request<Body> {
    signed_request(action, VPC, params, &[], &Signing::default())
}

/// What the client got: status and JSON body, or `None` when the body broke off (reset).
/// An Alibaba call (DescribeCustomerGateways in cn-hangzhou) that must be answered.
async fn ali_describe(app: &Router) -> (u16, Value) {
    let describe = ali_request("DescribeCustomerGateways", &[("RegionId", "cn-hangzhou")]);
    send(app, describe).await.unwrap()
}

async fn send(app: &Router, req: Request<Body>) -> Option<(u16, Value)> {
    let resp = app.clone().oneshot(req).await.unwrap();
    let status = resp.status().as_u16();
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .ok()?;
    Some((
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    ))
}

async fn admin(app: &Router, method: &str, path: &str, body: &str) -> (u16, Value) {
    let (status, body) = super::admin_with_body(app, method, path, body).await;
    (status.as_u16(), body)
}

async fn counters(app: &Router) -> BTreeMap<String, i64> {
    let (_, v) = admin(app, "GET", "/_sandbox/requests", "").await;
    serde_json::from_value(v).unwrap()
}

fn count(counters: &BTreeMap<String, i64>, name: &str) -> i64 {
    counters.get(name).copied().unwrap_or(0)
}

#[test]
fn same_seed_same_faults() {
    let p = plan(json!({"throttle_rate": 0.3, "error_rate": 0.1, "reset_rate": 0.05, "seed": 42}));
    let run = |p: FaultPlan| {
        let faults = Faults::new(p);
        (0..200).map(|_| faults.draw("op").1).collect::<Vec<_>>()
    };
    let first = run(p.clone());
    assert_eq!(first, run(p.clone()));
    assert_ne!(
        first,
        run(FaultPlan {
            seed: Some(43),
            ..p.clone()
        })
    );
    // Restarting replays the sequence.
    let faults = Faults::new(p.clone());
    let a: Vec<_> = (0..50).map(|_| faults.draw("op").1).collect();
    faults.restart();
    let b: Vec<_> = (0..50).map(|_| faults.draw("op").1).collect();
    assert_eq!(a, b);
    // Without a seed one is picked and reported.
    let faults = Faults::new(FaultPlan { seed: None, ..p });
    assert!(faults.plan().seed.is_some());
}

#[test]
fn rates_are_respected() {
    let faults = Faults::new(plan(
        json!({"throttle_rate": 0.3, "error_rate": 0.1, "reset_rate": 0.05, "seed": 7}),
    ));
    let mut seen: BTreeMap<&str, u32> = BTreeMap::new();
    for _ in 0..1000 {
        let (latency, fault) = faults.draw("op");
        assert_eq!(latency, Duration::ZERO);
        *seen
            .entry(fault.map_or("none", Fault::counter))
            .or_default() += 1;
    }
    let got = |k: &str| seen.get(k).copied().unwrap_or(0);
    let within = |k: &str, lo: u32, hi: u32| {
        assert!((lo..=hi).contains(&got(k)), "{k}: {} in {seen:?}", got(k));
    };
    // Expected 300 / 50 / 50 / 50 / 550; bounds are about ±4 standard deviations.
    within("faults.throttle", 240, 360);
    within("faults.error_before", 22, 80);
    within("faults.error_after", 22, 80);
    within("faults.reset", 22, 80);
    within("none", 480, 620);
}

#[test]
fn plans_are_checked() {
    assert!(FaultPlan::from_json(json!({})).unwrap().is_off());
    assert!(!FaultPlan::from_json(json!({"latency_ms": 5}))
        .unwrap()
        .is_off());
    for bad in [
        json!({"throttle_rate": -0.1}),
        json!({"error_rate": 1.5}),
        json!({"throttle_rate": 0.6, "error_rate": 0.3, "reset_rate": 0.2}),
        json!({"throttle": 0.1}),
        json!({"seed": -1}),
        json!([]),
    ] {
        assert!(FaultPlan::from_json(bad.clone()).is_err(), "{bad}");
    }
    let faults = Faults::new(FaultPlan::default());
    assert!((0..100).all(|_| faults.draw("op") == (Duration::ZERO, None)));
}

#[tokio::test]
async fn admin_route_sets_and_shows_the_plan() {
    let state = new_state(json!({"throttle_rate": 1.0, "seed": 9}));
    let app = app(state);
    let (status, shown) = admin(&app, "GET", "/_sandbox/faults", "").await;
    assert_eq!(status, 200);
    assert_eq!(
        shown,
        json!({"throttle_rate": 1.0, "error_rate": 0.0, "reset_rate": 0.0, "garble_rate": 0.0, "latency_ms": 0, "seed": 9})
    );
    // Admin routes are never faulted; cloud calls are (after authentication).
    let (status, body) = send(&app, jd_create("a")).await.unwrap();
    assert_eq!(
        (status, body["error"]["status"].as_str()),
        (429, Some("RATE_LIMIT"))
    );
    let mut bad = jd_create("b");
    bad.headers_mut().insert(
        "authorization",
        "JDCLOUD2-HMAC-SHA256 nonsense".parse().unwrap(),
    );
    assert_eq!(send(&app, bad).await.unwrap().0, 401);

    let (status, body) = admin(&app, "POST", "/_sandbox/faults", r#"{"error_rate": 2}"#).await;
    assert_eq!(status, 400);
    assert!(
        body["error"].as_str().unwrap().contains("error_rate"),
        "{body}"
    );
    let (status, _) = admin(&app, "POST", "/_sandbox/faults", "not json").await;
    assert_eq!(status, 400);

    // `{}` turns faults off.
    let (status, shown) = admin(&app, "POST", "/_sandbox/faults", "{}").await;
    assert_eq!(status, 200);
    assert_eq!(shown["throttle_rate"], 0.0);
    assert!(shown["seed"].is_u64(), "a seed is always reported: {shown}");
    for i in 0..20 {
        let (status, _) = send(&app, jd_create(&format!("ok{i}"))).await.unwrap();
        assert!(status == 200 || status == 429, "{status}");
    }
    let c = counters(&app).await;
    assert_eq!(count(&c, "faults.throttle"), 1, "{c:?}");
    assert_eq!(count(&c, "auth.rejected"), 1, "{c:?}");
}

#[tokio::test]
async fn envelopes_per_cloud() {
    let app = app(new_state(json!({"throttle_rate": 1.0, "seed": 1})));
    // An injected throttle asks for a short wait: it stands for a burst, not a full window.
    let headers = |req: Request<Body>| async {
        let resp = app.clone().oneshot(req).await.unwrap();
        resp.headers().clone()
    };
    let jd = headers(jd_create("t")).await;
    assert_eq!(jd["retry-after"], "1");
    let describe = ali_request("DescribeCustomerGateways", &[("RegionId", "cn-hangzhou")]);
    let ali = headers(describe).await;
    assert_eq!(ali["retry-after"], "1");
    assert_eq!(ali["x-acs-retry-after"], "1000");
    let (status, body) = send(&app, jd_create("t")).await.unwrap();
    assert_eq!(status, 429);
    assert_eq!(body["error"]["code"], 429);
    assert_eq!(body["error"]["status"], "RATE_LIMIT");
    assert!(body["requestId"].is_string(), "{body}");
    let (status, body) = ali_describe(&app).await;
    assert_eq!(
        (status, body["Code"].as_str()),
        (400, Some("Throttling.User"))
    );
    assert!(body["RequestId"].is_string(), "{body}");

    admin(
        &app,
        "POST",
        "/_sandbox/faults",
        r#"{"error_rate": 1, "seed": 1}"#,
    )
    .await;
    let (status, body) = send(&app, jd_create("e")).await.unwrap();
    assert_eq!(status, 500);
    assert_eq!(body["error"]["code"], 500);
    assert_eq!(body["error"]["status"], "INTERNAL");
    let (status, body) = ali_describe(&app).await;
    assert_eq!(
        (status, body["Code"].as_str()),
        (503, Some("ServiceUnavailable"))
    );
    assert!(body["Recommend"].is_string(), "{body}");
    // Nothing throttled was applied.
    let (_, state) = admin(&app, "GET", "/_sandbox/state", "").await;
    let created = state["jdcloud"]["customer_gateways"].as_array().unwrap();
    assert!(
        created.iter().all(|g| g["customerGatewayName"] != "t"),
        "{state}"
    );
}

/// Error-after and reset apply the change; throttle and error-before do not.
#[tokio::test]
async fn faults_after_the_operation_apply_it() {
    let app = app(new_state(
        json!({"error_rate": 0.5, "reset_rate": 0.5, "seed": 3}),
    ));
    let mut broken = 0;
    for i in 0..8 {
        let name = format!("jd{i}");
        match send(&app, jd_create(&name)).await {
            Some((status, _)) => assert_eq!(status, 500),
            None => broken += 1,
        }
        let ip = format!("198.51.100.{}", i + 1);
        let create = ali_request(
            "CreateCustomerGateway",
            &[("RegionId", "cn-hangzhou"), ("IpAddress", &ip)],
        );
        match send(&app, create).await {
            Some((status, body)) => assert_eq!(
                (status, body["Code"].as_str()),
                (503, Some("ServiceUnavailable"))
            ),
            None => broken += 1,
        }
    }
    let c = counters(&app).await;
    assert_eq!(count(&c, "faults.reset"), broken, "{c:?}");
    let applied = count(&c, "faults.error_after") + count(&c, "faults.reset");
    assert!(count(&c, "faults.error_after") > 0 && broken > 0, "{c:?}");
    assert_eq!(applied + count(&c, "faults.error_before"), 16, "{c:?}");
    let (_, state) = admin(&app, "GET", "/_sandbox/state", "").await;
    let jd = state["jdcloud"]["customer_gateways"]
        .as_array()
        .unwrap()
        .len();
    let ali = state["alicloud"]["customer_gateways"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(
        i64::try_from(jd + ali).unwrap(),
        applied,
        "every fault after the operation left its object: {c:?}\n{state}"
    );
}

#[tokio::test]
async fn same_seed_same_responses() {
    async fn statuses() -> Vec<Option<u16>> {
        let app = app(new_state(
            json!({"throttle_rate": 0.3, "error_rate": 0.1, "reset_rate": 0.05, "seed": 42}),
        ));
        let mut out = Vec::new();
        for _ in 0..40 {
            let req = jd_request("GET", CGWS, None, &fresh_nonce());
            out.push(send(&app, req).await.map(|(s, _)| s));
        }
        out
    }
    let first = statuses().await;
    assert_eq!(first, statuses().await);
    assert!(
        first.contains(&Some(429)) && first.contains(&Some(200)),
        "{first:?}"
    );
}

#[test]
fn faults_can_aim_at_operations_and_stop_after_a_count() {
    let faults = Faults::new(plan(
        json!({"reset_rate": 1.0, "seed": 3, "only": ["createX"], "max_faults": 2}),
    ));
    assert_eq!(faults.draw("describeX").1, None);
    assert_eq!(faults.draw("createX").1, Some(Fault::Reset));
    assert_eq!(faults.draw("describeX").1, None);
    assert_eq!(faults.draw("createX").1, Some(Fault::Reset));
    assert_eq!(faults.draw("createX").1, None, "max_faults reached");
    // Shown as set, and omitted when not.
    let shown = serde_json::to_value(faults.plan()).unwrap();
    assert_eq!(shown["only"], json!(["createX"]));
    assert_eq!(shown["max_faults"], 2);
    let plain = serde_json::to_value(FaultPlan::default()).unwrap();
    assert!(plain.get("only").is_none() && plain.get("max_faults").is_none());
}

/// A garbled answer is a 200 that is not the envelope, after the change was made.
#[tokio::test]
async fn garble_answers_200_with_a_broken_body_after_applying() {
    let state = new_state(json!({"garble_rate": 1.0, "seed": 5}));
    let app = app(state);
    let response = app.clone().oneshot(jd_create("garbled")).await.unwrap();
    assert_eq!(response.status(), 200);
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    assert!(serde_json::from_slice::<Value>(&bytes).is_err());
    let (_, shown) = admin(&app, "GET", "/_sandbox/state", "").await;
    assert_eq!(
        shown["jdcloud"]["customer_gateways"][0]["customerGatewayName"],
        "garbled"
    );
    let (_, counts) = admin(&app, "GET", "/_sandbox/requests", "").await;
    assert_eq!(counts["faults.garble"], 1, "{counts}");
}

/// Over a socket, a reset is a transport error for the client, after the change was made.
#[tokio::test]
async fn reset_is_a_transport_error() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let state = new_state(json!({"reset_rate": 1.0, "seed": 5}));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(crate::sandbox::serve_with_shutdown(
        listener,
        state.clone(),
        async {
            let _ = stopped.await;
        },
    ));
    let host = addr.to_string();
    let body = json!({"customerGatewaySpec": {
        "customerGatewayName": "reset", "customerIps": ["203.0.113.9"], "bgpAsn": 65009
    }})
    .to_string();
    let client = reqwest::Client::new();
    let mut req = client
        .post(format!("http://{host}{CGWS}"))
        .body(body.clone());
    for (name, value) in jd_headers("POST", CGWS, body.as_bytes(), &host, &fresh_nonce()) {
        req = req.header(name, value);
    }
    // No status line at all: hyper reports an incomplete message.
    let err = req
        .send()
        .await
        .expect_err("a reset must not look like an HTTP answer");
    assert!(err.is_request() && !err.is_timeout(), "{err:?}");
    assert!(format!("{err:?}").contains("IncompleteMessage"), "{err:?}");

    // The gateway was created all the same.
    assert_eq!(first_cgw_name(&client, &host.to_string()).await, "reset");
    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
}

#[tokio::test]
async fn jdcloud_nonce_replay_is_refused() {
    let app = app(new_state(json!({})));
    let body = json!({"customerGatewaySpec": {
        "customerGatewayName": "n", "customerIps": ["203.0.113.1"], "bgpAsn": 65001
    }});
    // A badly signed request does not burn its nonce.
    let mut bad = jd_request("POST", CGWS, Some(body.clone()), "nonce-x");
    *bad.uri_mut() = "/v1/regions/cn-north-1/customerGateways/?tampered=1"
        .parse()
        .unwrap();
    let (status, err) = send(&app, bad).await.unwrap();
    assert_eq!(
        (status, err["error"]["message"].as_str()),
        (401, Some("sign result is not same [gw]"))
    );
    let (status, _) = send(
        &app,
        jd_request("POST", CGWS, Some(body.clone()), "nonce-x"),
    )
    .await
    .unwrap();
    assert_eq!(status, 200);
    // The same nonce again, even on another well-signed request, is a replay.
    let (status, err) = send(&app, jd_request("GET", CGWS, None, "nonce-x"))
        .await
        .unwrap();
    assert_eq!(status, 401);
    assert_eq!(err["error"]["status"], "ACCESS_ERROR");
    let message = err["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("x-jdcloud-nonce") && message.contains("already used"),
        "{message}"
    );
    assert!(!message.contains("sandbox-sk"), "{message}");
    let c = counters(&app).await;
    assert_eq!(count(&c, "auth.rejected"), 2, "{c:?}");
    // `/_sandbox/reset` forgets nonces.
    admin(&app, "POST", "/_sandbox/reset", "").await;
    let (status, _) = send(&app, jd_request("GET", CGWS, None, "nonce-x"))
        .await
        .unwrap();
    assert_eq!(status, 200);
}

#[tokio::test]
async fn latency_delays_calls() {
    let app = app(new_state(json!({"latency_ms": 150, "seed": 1})));
    let started = std::time::Instant::now();
    let (status, _) = send(&app, jd_request("GET", CGWS, None, &fresh_nonce()))
        .await
        .unwrap();
    assert_eq!(status, 200);
    assert!(started.elapsed() >= Duration::from_millis(150));
    // Admin routes are not delayed... nor faulted.
    let started = std::time::Instant::now();
    admin(&app, "GET", "/_sandbox/state", "").await;
    assert!(started.elapsed() < Duration::from_millis(150));
}
