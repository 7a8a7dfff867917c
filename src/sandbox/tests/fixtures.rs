//! Fixtures of the `bgw` tests: expected failures, spec builders, objects created through the
//! router.

use axum::http::StatusCode;
use axum::Router;
use serde_json::{json, Value};

use super::{assert_error, call, send, signed_with, spec, Signing, CGWS};

pub(super) const BGWS: &str = "/v1/regions/cn-north-1/bgws/";
pub(super) const VPCAS: &str = "/v1/regions/cn-north-1/vpcAttachments/";
pub(super) const VPNCS: &str = "/v1/regions/cn-north-1/vpnConnections/";
pub(super) const VPNTS: &str = "/v1/regions/cn-north-1/vpnTunnels/";
pub(super) const PSK: &str = "Secret_psk-1";

/// The `result` of a call that must succeed (`Null` when there is none).
pub(super) async fn ok(app: &Router, method: &str, uri: &str, body: Option<Value>) -> Value {
    let (status, body) = call(app, method, uri, body).await;
    assert_eq!(status, StatusCode::OK, "{method} {uri}: {body}");
    body.get("result").cloned().unwrap_or(Value::Null)
}

/// A call that must fail with `http`/`code` and a message containing `needle`.
pub(super) async fn fails(
    app: &Router,
    method: &str,
    uri: &str,
    body: Option<Value>,
    (http, code, needle): Expected<'_>,
) {
    let (status, resp) = call(app, method, uri, body.clone()).await;
    assert!(
        status.as_u16() == http,
        "{method} {uri} {body:?} gave {status}: {resp}"
    );
    assert_error(status, &resp, http, code, needle);
}

/// A call naming object `id` of the collection at `items`, which does not exist: 404 naming it,
/// whatever the body says.
pub(super) async fn fails_missing(
    app: &Router,
    method: &str,
    items: &str,
    id: &str,
    body: Option<Value>,
) {
    fails(app, method, &format!("{items}{id}"), body, not_found(id)).await;
}

/// Deletes the object at `item` (named `id`) and checks it is gone: a describe is 404.
pub(super) async fn delete_gone(app: &Router, item: &str, id: &str) {
    ok(app, "DELETE", item, None).await;
    fails(app, "GET", item, None, not_found(id)).await;
}

/// How a kind lists: at `items`, in the answer's array `list`, each object known by its `id`.
pub(super) struct Listing<'a> {
    pub items: &'a str,
    pub list: &'a str,
    pub id: &'a str,
}

impl Listing<'_> {
    /// The ids listed with the one filter `name` = `value`, in order (one page: `totalCount`
    /// must count them all).
    pub(super) async fn filtered(&self, app: &Router, name: &str, value: &str) -> Vec<String> {
        let items = self.items;
        let q = format!("{items}?filters.1.name={name}&filters.1.values.1={value}");
        let result = ok(app, "GET", &q, None).await;
        let objects = result[self.list].as_array().unwrap();
        assert_eq!(result["totalCount"], objects.len(), "{q}");
        objects.iter().map(|o| s(&o[self.id])).collect()
    }
}

/// A create at `items` from `base` without each of the `required` fields of its `wrapper` must
/// fail naming the field.
pub(super) async fn fails_without_each(
    app: &Router,
    items: &str,
    base: &Value,
    wrapper: &str,
    required: &[&str],
) {
    for field in required {
        let body = with(base.clone(), wrapper, json!({ *field: null }));
        let needle = format!("{wrapper}.{field} missing");
        fails(app, "POST", items, Some(body), bad(&needle)).await;
    }
}

/// A call: method, URI, body.
pub(super) type Req<'a> = (&'a str, &'a str, Option<Value>);

pub(super) fn req<'a>(method: &'a str, uri: &'a str, body: Option<Value>) -> Req<'a> {
    (method, uri, body)
}

/// Each call must fail as expected (written with `cases!`).
pub(super) async fn all_fail(app: &Router, calls: Vec<(Req<'_>, Expected<'_>)>) {
    for ((method, uri, body), expected) in calls {
        fails(app, method, uri, body, expected).await;
    }
}

/// Expected failure: HTTP status, `error.status`, a substring of the message.
pub(super) type Expected<'a> = (u16, &'a str, &'a str);
/// A request body and how it must fail.
pub(super) type Case<'a> = (Option<Value>, Expected<'a>);

pub(super) const BAD: (u16, &str) = (400, "INVALID_ARGUMENT");
pub(super) const RANGE: (u16, &str) = (400, "OUT_OF_RANGE");
pub(super) const PRECONDITION: (u16, &str) = (400, "FAILED_PRECONDITION");

pub(super) fn bad(needle: &str) -> Expected<'_> {
    (BAD.0, BAD.1, needle)
}
pub(super) fn range(needle: &str) -> Expected<'_> {
    (RANGE.0, RANGE.1, needle)
}
pub(super) fn precondition(needle: &str) -> Expected<'_> {
    (PRECONDITION.0, PRECONDITION.1, needle)
}
pub(super) fn not_found(needle: &str) -> Expected<'_> {
    (404, "NOT_FOUND", needle)
}
pub(super) fn quota(needle: &str) -> Expected<'_> {
    (429, "QUOTA_EXCEEDED", needle)
}

/// `base` with `extra`'s fields set inside `wrapper` (a `null` removes the field).
pub(super) fn with(mut base: Value, wrapper: &str, extra: Value) -> Value {
    let inner = base[wrapper].as_object_mut().unwrap();
    for (k, v) in extra.as_object().unwrap() {
        if v.is_null() {
            inner.remove(k);
        } else {
            inner.insert(k.clone(), v.clone());
        }
    }
    base
}

pub(super) fn s(v: &Value) -> String {
    v.as_str()
        .unwrap_or_else(|| panic!("not a string: {v}"))
        .to_owned()
}

pub(super) fn bgw_spec(name: &str) -> Value {
    json!({"bgwSpec": {"bgwName": name, "description": "d"}})
}

pub(super) async fn create_bgw(app: &Router, name: &str) -> String {
    s(&ok(app, "POST", BGWS, Some(bgw_spec(name))).await["bgwId"])
}

/// The ids of `n` objects made one after another by `create`, named `{prefix}0`, `{prefix}1`, ….
pub(super) async fn create_each(
    n: usize,
    prefix: &str,
    create: impl AsyncFn(&str) -> String,
) -> Vec<String> {
    let mut ids = Vec::new();
    for i in 0..n {
        ids.push(create(&format!("{prefix}{i}")).await);
    }
    ids
}

pub(super) async fn describe_bgw(app: &Router, id: &str) -> Value {
    ok(app, "GET", &format!("{BGWS}{id}"), None).await["bgw"].clone()
}

/// A create's answer: the new `<kind>Id` (which must start with `prefix`) and the `<kind>`
/// object, whose keys must be exactly `keys` (sorted).
pub(super) fn created(result: &Value, kind: &str, prefix: &str, keys: &[&str]) -> (String, Value) {
    let id = s(&result[format!("{kind}Id")]);
    assert!(id.starts_with(prefix), "{id}");
    let object = result[kind].clone();
    assert_eq!(super::sorted_keys(&object), keys, "keys of {kind}");
    (id, object)
}

/// Asserts that gateway `bgw` lists exactly `ids`, in order, as `list` (`vpnConnectionIds`, …).
pub(super) async fn assert_children(app: &Router, bgw: &str, list: &str, ids: &[&str]) {
    assert_eq!(
        describe_bgw(app, bgw).await[list],
        json!(ids),
        "{list} of {bgw}"
    );
}

pub(super) async fn create_cgw(app: &Router, ips: &[&str], asn: i64) -> String {
    s(&ok(app, "POST", CGWS, Some(spec("cgw", ips, asn))).await["customerGatewayId"])
}

pub(super) fn attachment_spec(bgw: &str, vpc: &str) -> Value {
    json!({"vpcAttachmentSpec": {
        "vpcAttachmentName": "att", "vpcId": vpc, "propagateType": "none", "bgwId": bgw
    }})
}

pub(super) async fn create_attachment(app: &Router, bgw: &str, vpc: &str) -> String {
    s(&ok(app, "POST", VPCAS, Some(attachment_spec(bgw, vpc))).await["vpcAttachmentId"])
}

pub(super) fn connection_spec(bgw: &str, cgw: &str) -> Value {
    json!({"vpnConnectionSpec": {"vpnConnectionName": "conn", "bgwId": bgw, "cgwId": cgw}})
}

/// Creates a connection and returns its object.
pub(super) async fn create_connection(app: &Router, bgw: &str, cgw: &str) -> Value {
    let result = ok(app, "POST", VPNCS, Some(connection_spec(bgw, cgw))).await;
    assert_eq!(
        result["vpnConnectionId"],
        result["vpnConnection"]["vpnConnectionId"]
    );
    result["vpnConnection"].clone()
}

/// The URI of connection object `c`.
pub(super) fn connection_item(c: &Value) -> String {
    format!("{VPNCS}{}", s(&c["vpnConnectionId"]))
}

pub(super) async fn describe_connection(app: &Router, id: &str) -> Value {
    ok(app, "GET", &format!("{VPNCS}{id}"), None).await["vpnConnection"].clone()
}

/// The create body of a tunnel of `connection` (its object) from its `cloud`-th public address
/// to `customer_ip`.
pub(super) fn tunnel_spec(connection: &Value, cloud: usize, customer_ip: &str) -> Value {
    json!({"vpnTunnelSpec": {
        "vpnConnectionId": connection["vpnConnectionId"],
        "cloudPublicIp": connection["cloudPublicIp"][cloud],
        "customerIp": customer_ip, "psk": PSK
    }})
}

/// Spec fields asking for the tunnel address block `cidr`.
pub(super) fn tunnel_ip(cidr: &str) -> Value {
    json!({ "tunnelIp": cidr })
}

/// Creates a tunnel (with `extra` spec fields) and returns its object.
pub(super) async fn create_tunnel(
    app: &Router,
    connection: &Value,
    cloud: usize,
    customer_ip: &str,
) -> Value {
    create_tunnel_with(app, connection, cloud, customer_ip, json!({})).await
}

pub(super) async fn create_tunnel_with(
    app: &Router,
    connection: &Value,
    cloud: usize,
    customer_ip: &str,
    extra: Value,
) -> Value {
    let body = with(
        tunnel_spec(connection, cloud, customer_ip),
        "vpnTunnelSpec",
        extra,
    );
    let result = ok(app, "POST", VPNTS, Some(body)).await;
    assert_eq!(result["vpnTunnelId"], result["vpnTunnel"]["vpnTunnelId"]);
    result["vpnTunnel"].clone()
}

/// The URI of tunnel object `t`.
pub(super) fn tunnel_item(t: &Value) -> String {
    format!("{VPNTS}{}", s(&t["vpnTunnelId"]))
}

pub(super) async fn describe_tunnel(app: &Router, id: &str) -> Value {
    ok(app, "GET", &format!("{VPNTS}{id}"), None).await["vpnTunnel"].clone()
}

pub(super) async fn set_admin_status(app: &Router, tunnel: &str, status: &str) {
    ok(
        app,
        "POST",
        &format!("{VPNTS}{tunnel}:adminStatus"),
        Some(json!({"adminStatus": status})),
    )
    .await;
}

pub(super) fn routes_of(bgw: &str) -> String {
    format!("{BGWS}{bgw}/bgwRoutes/")
}

pub(super) fn route_spec(destination: &str, nexthop_type: Option<&str>, nexthop: &str) -> Value {
    let mut spec = json!({"bgwRouteDestination": destination, "bgwRouteNexthop": nexthop});
    if let Some(t) = nexthop_type {
        spec["bgwNexthopType"] = json!(t);
    }
    json!({ "bgwRouteSpec": spec })
}

pub(super) async fn create_route(
    app: &Router,
    bgw: &str,
    destination: &str,
    nexthop: &str,
) -> String {
    let body = route_spec(destination, None, nexthop);
    s(&ok(app, "POST", &routes_of(bgw), Some(body)).await["bgwRouteId"])
}

/// A signed call in another region.
pub(super) async fn call_in(
    app: &Router,
    region: &'static str,
    method: &str,
    uri: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let signing = Signing {
        region,
        ..Signing::default()
    };
    let body = body.map(|b| b.to_string().into_bytes()).unwrap_or_default();
    let (status, _, body) = send(app, signed_with(method, uri, &body, &signing)).await;
    (status, body)
}

/// A border gateway, a 2-IP customer gateway and a connection between them.
pub(super) async fn tunnel_fixture(app: &Router) -> (String, String, Value) {
    let bgw = create_bgw(app, "bgw").await;
    let cgw = create_cgw(app, &["203.0.113.1", "203.0.113.2"], 65010).await;
    let connection = create_connection(app, &bgw, &cgw).await;
    (bgw, cgw, connection)
}

/// [`tunnel_fixture`] and a VPC attachment of its border gateway, so that routes have a next hop
/// of each kind: border gateway, customer gateway, connection, connection id, attachment id.
pub(super) async fn next_hops(app: &Router) -> (String, String, Value, String, String) {
    let (bgw, cgw, connection) = tunnel_fixture(app).await;
    let connection_id = s(&connection["vpnConnectionId"]);
    let attachment = create_attachment(app, &bgw, "vpc-abcd").await;
    (bgw, cgw, connection, connection_id, attachment)
}
