//! End-to-end tests of the sandbox router (no socket, except one `serve` test). Customer gateways,
//! authentication and admin routes here; the other `bgw` resources in `tests/vpn.rs`.

mod layers;
mod vpn;

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use axum::Router;
use serde_json::{json, Value};
use time::OffsetDateTime;
use tower::ServiceExt;

use super::{app, Clock, SandboxConfig, SandboxState};
use crate::signer::jdcloud::{self, SigningParams, Version, DEFAULT_SIGNED_HEADERS};
use crate::signer::{Credentials, SignableRequest};

const HOST: &str = "sandbox.test";
const REGION: &str = "cn-north-1";
const CGWS: &str = "/v1/regions/cn-north-1/customerGateways/";

fn new_app() -> Router {
    app(SandboxState::open(SandboxConfig::default()).unwrap())
}

fn jd_date(t: OffsetDateTime) -> String {
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
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

async fn send(app: &Router, req: Request<Body>) -> (StatusCode, HeaderMap, Value) {
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

#[tokio::test]
async fn customer_gateway_round_trip() {
    let app = new_app();
    let (status, headers, body) = send(
        &app,
        signed(
            "POST",
            CGWS,
            Some(spec("office-gw", &["203.0.113.10", "198.51.100.7"], 65010)),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(headers["content-type"], "application/json; charset=utf-8");
    assert_eq!(
        headers["x-jdcloud-request-id"],
        body["requestId"].as_str().unwrap()
    );
    assert_eq!(headers["x-jdcloud-operationid"], "createCustomerGateway");
    let id = body["result"]["customerGatewayId"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(id.starts_with("cgw-") && id.len() == 12, "{id}");
    let object = body["result"]["customerGateway"].clone();
    let mut keys: Vec<&str> = object
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "bgpAsn",
            "createdTime",
            "customerGatewayId",
            "customerGatewayName",
            "customerIps",
            "description",
            "updatedTime"
        ]
    );
    assert_eq!(object["customerGatewayId"], id.as_str());
    assert_eq!(
        object["customerIps"],
        json!(["203.0.113.10", "198.51.100.7"])
    );
    assert_eq!(object["bgpAsn"], 65010);
    let created = object["createdTime"].as_str().unwrap();
    assert!(
        time::PrimitiveDateTime::parse(
            created,
            time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z")
        )
        .is_ok(),
        "{created}"
    );

    let item = format!("{CGWS}{id}");
    let (status, body) = call(&app, "GET", &item, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["result"]["customerGateway"], object);

    let (status, body) = call(&app, "GET", CGWS, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body["result"],
        json!({"customerGateways": [object], "totalCount": 1})
    );

    let (status, body) = call(
        &app,
        "PATCH",
        &item,
        Some(json!({"modifyCustomerGatewaySpec": {
            "customerGatewayName": "renamed", "description": "", "customerIps": ["8.8.8.8"]
        }})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["requestId"]
    );
    let (_, body) = call(&app, "GET", &item, None).await;
    let modified = &body["result"]["customerGateway"];
    assert_eq!(modified["customerGatewayName"], "renamed");
    assert_eq!(modified["description"], "");
    assert_eq!(modified["customerIps"], json!(["8.8.8.8"]));
    assert_eq!(modified["bgpAsn"], 65010);
    assert_eq!(modified["createdTime"], object["createdTime"]);

    let (status, body) = call(&app, "DELETE", &item, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body.as_object().unwrap().len(), 1);
    let (status, body) = call(&app, "GET", &item, None).await;
    assert_error(status, &body, 404, "NOT_FOUND", &id);
    let (status, body) = call(&app, "DELETE", &item, None).await;
    assert_error(status, &body, 404, "NOT_FOUND", &id);
    let (status, body) = call(&app, "PATCH", &item, Some(json!({}))).await;
    assert_error(status, &body, 404, "NOT_FOUND", &id);
}

#[tokio::test]
async fn flat_bodies_put_and_extra_fields() {
    let app = new_app();
    let (status, body) = call(
        &app,
        "POST",
        CGWS,
        Some(
            json!({"regionId": REGION, "customerGatewayName": "京东-gw_1",
                    "customerIps": ["1.2.3.4"], "bgpAsn": 65001}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let gw = &body["result"]["customerGateway"];
    assert_eq!(gw["customerGatewayName"], "京东-gw_1");
    assert_eq!(gw["description"], "", "absent description is empty");
    let id = gw["customerGatewayId"].as_str().unwrap();
    let item = format!("{CGWS}{id}");

    // Flat modify via PUT, with path ids repeated in the body and the unchanged ASN resent.
    let (status, body) = call(
        &app,
        "PUT",
        &item,
        Some(json!({"regionId": REGION, "customerGatewayId": id, "description": "flat", "bgpAsn": 65001})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, body) = call(&app, "GET", &item, None).await;
    assert_eq!(body["result"]["customerGateway"]["description"], "flat");
    assert_eq!(
        body["result"]["customerGateway"]["customerGatewayName"],
        "京东-gw_1"
    );
}

#[tokio::test]
async fn create_validation() {
    let app = new_app();
    let cases: Vec<(Value, &str, &str)> = vec![
        (
            json!({}),
            "INVALID_ARGUMENT",
            "customerGatewaySpec.customerGatewayName missing",
        ),
        (
            json!({"customerGatewaySpec": {"customerGatewayName": "a", "bgpAsn": 65001}}),
            "INVALID_ARGUMENT",
            "customerIps missing",
        ),
        (
            json!({"customerGatewaySpec": {"customerGatewayName": "a", "customerIps": ["1.1.1.1"]}}),
            "INVALID_ARGUMENT",
            "bgpAsn missing",
        ),
        (
            spec("bad name", &["1.1.1.1"], 65001),
            "INVALID_ARGUMENT",
            "customerGatewayName",
        ),
        (
            spec(&"x".repeat(33), &["1.1.1.1"], 65001),
            "INVALID_ARGUMENT",
            "customerGatewayName",
        ),
        (
            spec("", &["1.1.1.1"], 65001),
            "INVALID_ARGUMENT",
            "customerGatewayName",
        ),
        (
            json!({"customerGatewaySpec": {"customerGatewayName": "a", "customerIps": ["1.1.1.1"], "bgpAsn": 65001, "description": "x".repeat(257)}}),
            "INVALID_ARGUMENT",
            "description",
        ),
        (
            spec("a", &[], 65001),
            "INVALID_ARGUMENT",
            "customerIps must contain 1, 2 or 4",
        ),
        (
            spec("a", &["1.1.1.1", "1.1.1.2", "1.1.1.3"], 65001),
            "INVALID_ARGUMENT",
            "customerIps must contain 1, 2 or 4",
        ),
        (
            spec("a", &["1.1.1.1", "1.1.1.1"], 65001),
            "INVALID_ARGUMENT",
            "must not repeat",
        ),
        (
            spec("a", &["10.0.0.1"], 65001),
            "INVALID_ARGUMENT",
            "customerIps[0]",
        ),
        (
            spec("a", &["1.1.1.1", "192.168.0.1"], 65001),
            "INVALID_ARGUMENT",
            "customerIps[1]",
        ),
        (
            spec("a", &["100.64.1.1"], 65001),
            "INVALID_ARGUMENT",
            "not a public routable",
        ),
        (
            spec("a", &["not-an-ip"], 65001),
            "INVALID_ARGUMENT",
            "not an IPv4 address",
        ),
        (
            spec("a", &["1.1.1.1"], 65000),
            "OUT_OF_RANGE",
            "customerGatewaySpec.bgpAsn 65000 is out of range [65001, 65499]",
        ),
        (spec("a", &["1.1.1.1"], 65500), "OUT_OF_RANGE", "bgpAsn"),
        (
            json!({"customerGatewaySpec": {"customerGatewayName": "a", "customerIps": ["1.1.1.1"], "bgpAsn": "65001"}}),
            "INVALID_ARGUMENT",
            "bgpAsn must be an integer",
        ),
        (
            json!({"customerGatewaySpec": {"customerGatewayName": "a", "customerIps": "1.1.1.1", "bgpAsn": 65001}}),
            "INVALID_ARGUMENT",
            "customerIps must be an array of strings",
        ),
        (json!([1]), "INVALID_ARGUMENT", "JSON object"),
    ];
    for (body, code, needle) in cases {
        let (status, resp) = call(&app, "POST", CGWS, Some(body.clone())).await;
        assert_error(status, &resp, 400, code, needle);
    }
    let bad_json = signed_with("POST", CGWS, b"{not json", &Signing::default());
    let (status, _, resp) = send(&app, bad_json).await;
    assert_error(status, &resp, 400, "INVALID_ARGUMENT", "not valid JSON");
    let (_, body) = call(&app, "GET", CGWS, None).await;
    assert_eq!(body["result"]["totalCount"], 0, "nothing was created");
}

#[tokio::test]
async fn modify_validation() {
    let app = new_app();
    let id = create(&app, "gw").await;
    let item = format!("{CGWS}{id}");
    let cases: Vec<(Value, &str, &str)> = vec![
        (
            json!({"modifyCustomerGatewaySpec": {"bgpAsn": 65002}}),
            "INVALID_ARGUMENT",
            "bgpAsn cannot be modified",
        ),
        (
            json!({"modifyCustomerGatewaySpec": {"customerGatewayName": "a b"}}),
            "INVALID_ARGUMENT",
            "modifyCustomerGatewaySpec.customerGatewayName",
        ),
        (
            json!({"modifyCustomerGatewaySpec": {"description": "é".repeat(257)}}),
            "INVALID_ARGUMENT",
            "description",
        ),
        (
            json!({"modifyCustomerGatewaySpec": {"customerIps": ["127.0.0.1"]}}),
            "INVALID_ARGUMENT",
            "customerIps[0]",
        ),
        (
            json!({"customerIps": ["1.1.1.1", "2.2.2.2", "3.3.3.3"]}),
            "INVALID_ARGUMENT",
            "1, 2 or 4",
        ),
    ];
    for (body, code, needle) in cases {
        let (status, resp) = call(&app, "PATCH", &item, Some(body.clone())).await;
        assert_error(status, &resp, 400, code, needle);
    }
    let (_, body) = call(&app, "GET", &item, None).await;
    assert_eq!(
        body["result"]["customerGateway"]["customerGatewayName"], "gw",
        "unchanged"
    );
}

/// Issue 12 case 8: the sandbox took any JD region (`mars-1`); now, like the
/// Alibaba side, it answers a region outside its table with JD's envelope.
#[tokio::test]
async fn unknown_regions_are_refused_with_jd_s_envelope() {
    let app = new_app();
    for region in ["mars-1", "cn-north-9", "cn-hangzhou"] {
        let uri = format!("/v1/regions/{region}/customerGateways/");
        let signing = Signing {
            region: Box::leak(region.to_owned().into_boxed_str()),
            ..Signing::default()
        };
        let (status, _, body) = send(
            &app,
            signed_with(
                "POST",
                &uri,
                spec("gw", &["203.0.113.10"], 65010).to_string().as_bytes(),
                &signing,
            ),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{region}: {body}");
        assert_eq!(body["error"]["status"], "INVALID_ARGUMENT", "{body}");
        assert_eq!(body["error"]["code"], 400, "{body}");
        assert!(
            body["error"]["message"].as_str().unwrap().contains(region),
            "{body}"
        );
        assert!(body["requestId"].is_string(), "{body}");
    }
    for region in super::regions::JDCLOUD {
        let uri = format!("/v1/regions/{region}/customerGateways/");
        let signing = Signing {
            region,
            ..Signing::default()
        };
        let (status, _, body) = send(&app, signed_with("GET", &uri, b"", &signing)).await;
        assert_eq!(status, StatusCode::OK, "{region}: {body}");
    }
}

#[tokio::test]
async fn quota_per_region() {
    let app = new_app();
    for i in 0..10 {
        create(&app, &format!("gw{i}")).await;
    }
    let (status, body) = call(
        &app,
        "POST",
        CGWS,
        Some(spec("one-more", &["1.1.1.1"], 65001)),
    )
    .await;
    assert_error(status, &body, 429, "QUOTA_EXCEEDED", "quota");
    // Another region has its own quota.
    let other = "/v1/regions/cn-east-2/customerGateways/";
    let s = Signing {
        region: "cn-east-2",
        ..Signing::default()
    };
    let body = spec("elsewhere", &["1.1.1.1"], 65001).to_string();
    let (status, _, resp) = send(&app, signed_with("POST", other, body.as_bytes(), &s)).await;
    assert_eq!(status, StatusCode::OK, "{resp}");
}

#[tokio::test]
async fn list_filters_and_pages() {
    let app = new_app();
    let mut ids = Vec::new();
    for i in 0..10 {
        ids.push(create(&app, &format!("gw{i}")).await);
    }
    let (status, body) = call(
        &app,
        "GET",
        &format!("{CGWS}?pageNumber=7&pageSize=10"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let listed: Vec<&str> = body["result"]["customerGateways"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["customerGatewayId"].as_str().unwrap())
        .collect();
    assert_eq!(
        listed, ids,
        "past the end gives the last page, in creation order"
    );
    assert_eq!(body["result"]["totalCount"], 10);

    let q = format!(
        "{CGWS}?filters.1.name=customerGatewayIds&filters.1.values.1={}&filters.1.values.2={}",
        ids[3], ids[5]
    );
    let (_, body) = call(&app, "GET", &q, None).await;
    assert_eq!(body["result"]["totalCount"], 2);
    assert_eq!(
        body["result"]["customerGateways"][0]["customerGatewayId"],
        ids[3].as_str()
    );

    let q = format!("{CGWS}?filters.1.name=customerGatewayNames&filters.1.values.1=gw7");
    let (_, body) = call(&app, "GET", &q, None).await;
    assert_eq!(
        body["result"]["customerGateways"][0]["customerGatewayId"],
        ids[7].as_str()
    );
    assert_eq!(body["result"]["totalCount"], 1);

    let (status, body) = call(&app, "GET", &format!("{CGWS}?pageSize=5"), None).await;
    assert_error(status, &body, 400, "OUT_OF_RANGE", "pageSize");
    let (status, body) = call(
        &app,
        "GET",
        &format!("{CGWS}?filters.1.name=vpcIds&filters.1.values.1=x"),
        None,
    )
    .await;
    assert_error(status, &body, 400, "INVALID_ARGUMENT", "vpcIds");

    // Other regions see nothing.
    let s = Signing {
        region: "cn-south-1",
        ..Signing::default()
    };
    let req = signed_with("GET", "/v1/regions/cn-south-1/customerGateways/", b"", &s);
    let (_, _, body) = send(&app, req).await;
    assert_eq!(
        body["result"],
        json!({"customerGateways": [], "totalCount": 0})
    );
}

#[tokio::test]
async fn not_found_cases() {
    let app = new_app();
    let id = create(&app, "gw").await;
    let (status, body) = call(&app, "GET", &format!("{CGWS}cgw-missing1"), None).await;
    assert_error(status, &body, 404, "NOT_FOUND", "cgw-missing1");
    // A gateway is invisible from another region.
    let s = Signing {
        region: "cn-east-1",
        ..Signing::default()
    };
    let uri = format!("/v1/regions/cn-east-1/customerGateways/{id}");
    let (status, _, body) = send(&app, signed_with("GET", &uri, b"", &s)).await;
    assert_error(status, &body, 404, "NOT_FOUND", &id);
    // Unknown paths and methods, signed.
    for (method, uri) in [
        ("GET", "/v1/regions/cn-north-1/nothings/"),
        ("POST", "/v1/regions/cn-north-1/customerGateways"),
        ("POST", &format!("{CGWS}{id}")),
    ] {
        let (status, body) = call(&app, method, uri, None).await;
        assert_error(status, &body, 404, "NOT_FOUND", "no JD Cloud operation");
    }
    // Not JD Cloud, not Alibaba.
    let req = Request::get("/elsewhere").body(Body::empty()).unwrap();
    let (status, _, body) = send(&app, req).await;
    assert_error(status, &body, 404, "NOT_FOUND", "/elsewhere");
}

#[tokio::test]
async fn authentication() {
    let app = new_app();
    let unsigned = Request::get(CGWS)
        .header("host", HOST)
        .body(Body::empty())
        .unwrap();
    let (status, headers, body) = send(&app, unsigned).await;
    assert_error(
        status,
        &body,
        401,
        "ACCESS_ERROR",
        "lack of header authorization[gw]",
    );
    assert_eq!(
        headers["x-jdcloud-request-id"],
        body["requestId"].as_str().unwrap()
    );

    let mismatch = "sign result is not same [gw]";
    let wrong_secret = Signing {
        sk: "other",
        ..Signing::default()
    };
    let (status, _, body) = send(&app, signed_with("GET", CGWS, b"", &wrong_secret)).await;
    assert_error(status, &body, 401, "ACCESS_ERROR", mismatch);
    let wrong_key = Signing {
        ak: "someone-else",
        ..Signing::default()
    };
    let (status, _, body) = send(&app, signed_with("GET", CGWS, b"", &wrong_key)).await;
    assert_error(status, &body, 401, "ACCESS_ERROR", mismatch);

    // Body changed after signing.
    let req = signed("POST", CGWS, Some(spec("gw", &["1.1.1.1"], 65001)));
    let (parts, _) = req.into_parts();
    let tampered = Request::from_parts(
        parts,
        Body::from(spec("gw", &["1.1.1.2"], 65001).to_string()),
    );
    let (status, _, body) = send(&app, tampered).await;
    assert_error(status, &body, 401, "ACCESS_ERROR", mismatch);

    // Query changed after signing.
    let req = signed("GET", &format!("{CGWS}?pageSize=10"), None);
    let (mut parts, body) = req.into_parts();
    parts.uri = format!("{CGWS}?pageSize=20").parse().unwrap();
    let (status, _, body) = send(&app, Request::from_parts(parts, body)).await;
    assert_error(status, &body, 401, "ACCESS_ERROR", mismatch);

    // Host changed after signing.
    let req = signed("GET", CGWS, None);
    let (mut parts, body) = req.into_parts();
    parts
        .headers
        .insert("host", "elsewhere.test".parse().unwrap());
    let (status, _, body) = send(&app, Request::from_parts(parts, body)).await;
    assert_error(status, &body, 401, "ACCESS_ERROR", mismatch);

    // Garbage Authorization.
    let req = Request::get(CGWS)
        .header("host", HOST)
        .header("authorization", "Bearer x")
        .body(Body::empty())
        .unwrap();
    let (status, _, body) = send(&app, req).await;
    assert_error(status, &body, 401, "ACCESS_ERROR", mismatch);

    // Skewed clock, both directions.
    for minutes in [-20, 20] {
        let skewed = Signing {
            date: jd_date(OffsetDateTime::now_utc() + time::Duration::minutes(minutes)),
            ..Signing::default()
        };
        let (status, _, body) = send(&app, signed_with("GET", CGWS, b"", &skewed)).await;
        assert_error(status, &body, 401, "ACCESS_ERROR", "time skew");
    }
    // Within the window is fine.
    let near = Signing {
        date: jd_date(OffsetDateTime::now_utc() - time::Duration::minutes(10)),
        ..Signing::default()
    };
    let (status, _, body) = send(&app, signed_with("GET", CGWS, b"", &near)).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // Python SDK style: JDCLOUD3, only content-type;host signed.
    let python = Signing {
        version: Version::V3,
        signed_headers: &["content-type", "host"],
        ..Signing::default()
    };
    let (status, _, body) = send(&app, signed_with("GET", CGWS, b"", &python)).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let (_, body) = send_admin(&app, "GET", "/_sandbox/requests").await;
    assert_eq!(body["auth.rejected"], 9, "{body}");
    assert_eq!(body["jdcloud.describeCustomerGateways"], 2, "{body}");
}

#[tokio::test]
async fn percent_encoded_path_is_verified_raw() {
    let app = new_app();
    let id = create(&app, "gw").await;
    // The Go SDK sends escaped paths; verification uses the raw path, routing the decoded one.
    let uri = format!("/v1/regions/cn%2Dnorth-1/customerGateways/{id}");
    let (status, body) = call(&app, "GET", &uri, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["result"]["customerGateway"]["customerGatewayId"],
        id.as_str()
    );
}

async fn send_admin(app: &Router, method: &str, uri: &str) -> (StatusCode, Value) {
    let req = Request::builder()
        .method(method)
        .uri(uri)
        .body(Body::empty())
        .unwrap();
    let (status, _, body) = send(app, req).await;
    (status, body)
}

#[tokio::test]
async fn admin_routes() {
    let app = new_app();
    let (status, body) = send_admin(&app, "GET", "/_sandbox/state").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, empty_state());

    let id = create(&app, "gw").await;
    call(&app, "GET", CGWS, None).await;
    let (_, body) = send_admin(&app, "GET", "/_sandbox/state").await;
    let gws = body["jdcloud"]["customer_gateways"].as_array().unwrap();
    assert_eq!(gws.len(), 1);
    assert_eq!(gws[0]["customerGatewayId"], id.as_str());
    assert_eq!(gws[0]["bgpAsn"], 65010);

    let (_, body) = send_admin(&app, "GET", "/_sandbox/requests").await;
    assert_eq!(
        body,
        json!({"jdcloud.createCustomerGateway": 1, "jdcloud.describeCustomerGateways": 1})
    );

    let (status, _) = send_admin(&app, "POST", "/_sandbox/reset").await;
    assert_eq!(status, StatusCode::OK);
    let (_, body) = send_admin(&app, "GET", "/_sandbox/state").await;
    assert_eq!(body, empty_state());
    let (_, body) = send_admin(&app, "GET", "/_sandbox/requests").await;
    assert_eq!(body, json!({}));
}

async fn admin_with_body(app: &Router, method: &str, uri: &str, body: &str) -> (StatusCode, Value) {
    let req = Request::builder()
        .method(method)
        .uri(uri)
        .body(Body::from(body.to_owned()))
        .unwrap();
    let (status, _, body) = send(app, req).await;
    (status, body)
}

/// `/_sandbox/clock`: emulated time moves only when advanced, stamps what is created after,
/// and never disturbs authentication of clients that sign with the real time.
#[tokio::test]
async fn clock_route_moves_emulated_time_only() {
    let clock = Clock::manual();
    let app = app(SandboxState::open(SandboxConfig {
        clock: clock.clone(),
        ..SandboxConfig::default()
    })
    .unwrap());
    let (status, shown) = send_admin(&app, "GET", "/_sandbox/clock").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(shown["advanced_ms"], 0);
    assert_eq!(shown["now"], shown["wall"]);
    let start = clock.now();
    let first = create(&app, "early").await;

    let twenty_minutes = r#"{"advance_ms": 1200000}"#;
    let (status, shown) = admin_with_body(&app, "POST", "/_sandbox/clock", twenty_minutes).await;
    assert_eq!(status, StatusCode::OK, "{shown}");
    assert_eq!(shown["advanced_ms"], 1_200_000);
    assert_eq!(clock.now() - start, time::Duration::minutes(20));
    assert_eq!(
        shown["wall"],
        send_admin(&app, "GET", "/_sandbox/clock").await.1["wall"]
    );

    // Signed with the real time, 20 emulated minutes later: still accepted.
    let second = create(&app, "late").await;
    let created = |id: String| {
        let app = app.clone();
        async move {
            let (_, body) = call(&app, "GET", &format!("{CGWS}{id}"), None).await;
            body["result"]["customerGateway"]["createdTime"]
                .as_str()
                .unwrap()
                .to_owned()
        }
    };
    let iso = |t: OffsetDateTime| {
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        )
    };
    assert_eq!(created(first).await, iso(start));
    assert_eq!(
        created(second).await,
        iso(start + time::Duration::minutes(20))
    );

    for bad in [
        r#"{"advance_ms": -1}"#,
        "{}",
        "soon",
        r#"{"advance_ms": 1, "x": 2}"#,
    ] {
        let (status, body) = admin_with_body(&app, "POST", "/_sandbox/clock", bad).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
        assert!(
            body["error"].as_str().unwrap().contains("advance_ms"),
            "{body}"
        );
    }
    // A reset empties the state but does not turn the clock back.
    send_admin(&app, "POST", "/_sandbox/reset").await;
    assert_eq!(clock.advanced_ms(), 1_200_000);
}

/// `/_sandbox/state` with nothing in it: every kind of both clouds present and empty, plus the
/// Alibaba seed (CEN, transit routers, route tables), which is always there.
fn empty_state() -> Value {
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

#[tokio::test]
async fn alibaba_requests_reach_the_alibaba_half() {
    // Unsigned Alibaba calls (query `Action`, header `x-acs-action`, form body) get Alibaba's
    // envelope, not JD Cloud's; the Alibaba tests are in `alicloud/tests`.
    let app = new_app();
    let query =
        Request::post("/?Action=CreateCustomerGateway&Version=2016-04-28&IpAddress=1.1.1.1")
            .header("host", "vpc.aliyuncs.com")
            .body(Body::empty())
            .unwrap();
    let header = Request::post("/")
        .header("x-acs-action", "DescribeVpnConnection")
        .header("x-acs-version", "2016-04-28")
        .body(Body::empty())
        .unwrap();
    let form = Request::post("/")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(
            "Action=DescribeVpnConnection&Version=2016-04-28",
        ))
        .unwrap();
    for req in [query, header, form] {
        let (status, headers, body) = send(&app, req).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(body["Code"], "MissingSignature", "{body}");
        assert_eq!(
            headers["x-acs-request-id"],
            body["RequestId"].as_str().unwrap()
        );
    }
    let (_, body) = send_admin(&app, "GET", "/_sandbox/requests").await;
    assert_eq!(
        body,
        json!({"auth.rejected": 3}),
        "no operation was reached"
    );
}

#[tokio::test]
async fn state_survives_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let config = SandboxConfig {
        state_path: Some(dir.path().join("state.db")),
        ..SandboxConfig::default()
    };
    let id = {
        let app = app(SandboxState::open(config.clone()).unwrap());
        create(&app, "durable").await
    };
    let app = app(SandboxState::open(config).unwrap());
    let (status, body) = call(&app, "GET", &format!("{CGWS}{id}"), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["result"]["customerGateway"]["customerGatewayName"],
        "durable"
    );
    let (_, body) = send_admin(&app, "GET", "/_sandbox/requests").await;
    assert_eq!(body["jdcloud.createCustomerGateway"], 1);
}

#[tokio::test]
async fn serves_over_a_socket() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let state = SandboxState::open(SandboxConfig::default()).unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(super::serve_with_shutdown(listener, state, async {
        let _ = stopped.await;
    }));

    // Sign exactly what reqwest will send: Host is `127.0.0.1:PORT`.
    let host = addr.to_string();
    let date = jd_date(OffsetDateTime::now_utc());
    let headers = jdcloud::client_headers(&date, "nonce-2", &host);
    let body = spec("socket", &["1.1.1.1"], 65001).to_string();
    let credentials = Credentials::new("sandbox-ak", "sandbox-sk");
    let signed = jdcloud::sign(
        &SignableRequest {
            method: "POST",
            path: CGWS,
            query: "",
            headers: &headers,
            body: body.as_bytes(),
        },
        &SigningParams {
            credentials: &credentials,
            region: REGION,
            service: "bgw",
            date: &date,
            version: Version::V2,
        },
        DEFAULT_SIGNED_HEADERS,
    )
    .unwrap();
    let client = reqwest::Client::new();
    let mut req = client.post(format!("http://{addr}{CGWS}")).body(body);
    for (name, value) in headers.iter().filter(|(n, _)| n != "host") {
        req = req.header(name, value);
    }
    let resp = req
        .header("authorization", signed.authorization)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "{}", resp.text().await.unwrap());

    let state: Value = client
        .get(format!("http://{addr}/_sandbox/state"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        state["jdcloud"]["customer_gateways"][0]["customerGatewayName"],
        "socket"
    );
    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
}
