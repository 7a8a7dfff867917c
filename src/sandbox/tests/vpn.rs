//! End-to-end tests of border gateways, VPC attachments, VPN connections, VPN tunnels, static
//! routes, the rules between them, and the rate limit.

use std::collections::BTreeSet;

use axum::http::StatusCode;
use axum::Router;
use serde_json::{json, Value};

use super::{
    app, assert_error, call, empty_state, new_app, send, send_admin, signed, signed_with, spec,
    SandboxConfig, SandboxState, Signing, REGION,
};

const BGWS: &str = "/v1/regions/cn-north-1/bgws/";
const VPCAS: &str = "/v1/regions/cn-north-1/vpcAttachments/";
const CGWS: &str = "/v1/regions/cn-north-1/customerGateways/";
const VPNCS: &str = "/v1/regions/cn-north-1/vpnConnections/";
const VPNTS: &str = "/v1/regions/cn-north-1/vpnTunnels/";
const PSK: &str = "Secret_psk-1";

/// The `result` of a call that must succeed (`Null` when there is none).
async fn ok(app: &Router, method: &str, uri: &str, body: Option<Value>) -> Value {
    let (status, body) = call(app, method, uri, body).await;
    assert_eq!(status, StatusCode::OK, "{method} {uri}: {body}");
    body.get("result").cloned().unwrap_or(Value::Null)
}

/// A call that must fail with `http`/`code` and a message containing `needle`.
async fn fails(
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

/// Expected failure: HTTP status, `error.status`, a substring of the message.
type Expected<'a> = (u16, &'a str, &'a str);
/// A request body and how it must fail.
type Case<'a> = (Option<Value>, Expected<'a>);

const BAD: (u16, &str) = (400, "INVALID_ARGUMENT");
const RANGE: (u16, &str) = (400, "OUT_OF_RANGE");
const PRECONDITION: (u16, &str) = (400, "FAILED_PRECONDITION");

fn bad(needle: &str) -> Expected<'_> {
    (BAD.0, BAD.1, needle)
}
fn range(needle: &str) -> Expected<'_> {
    (RANGE.0, RANGE.1, needle)
}
fn precondition(needle: &str) -> Expected<'_> {
    (PRECONDITION.0, PRECONDITION.1, needle)
}
fn not_found(needle: &str) -> Expected<'_> {
    (404, "NOT_FOUND", needle)
}
fn quota(needle: &str) -> Expected<'_> {
    (429, "QUOTA_EXCEEDED", needle)
}

/// `base` with `extra`'s fields set inside `wrapper` (a `null` removes the field).
fn with(mut base: Value, wrapper: &str, extra: Value) -> Value {
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

fn sorted_keys(v: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    keys
}

fn s(v: &Value) -> String {
    v.as_str()
        .unwrap_or_else(|| panic!("not a string: {v}"))
        .to_owned()
}

fn bgw_spec(name: &str) -> Value {
    json!({"bgwSpec": {"bgwName": name, "description": "d"}})
}

async fn create_bgw(app: &Router, name: &str) -> String {
    s(&ok(app, "POST", BGWS, Some(bgw_spec(name))).await["bgwId"])
}

async fn describe_bgw(app: &Router, id: &str) -> Value {
    ok(app, "GET", &format!("{BGWS}{id}"), None).await["bgw"].clone()
}

async fn create_cgw(app: &Router, ips: &[&str], asn: i64) -> String {
    s(&ok(app, "POST", CGWS, Some(spec("cgw", ips, asn))).await["customerGatewayId"])
}

fn attachment_spec(bgw: &str, vpc: &str) -> Value {
    json!({"vpcAttachmentSpec": {
        "vpcAttachmentName": "att", "vpcId": vpc, "propagateType": "none", "bgwId": bgw
    }})
}

async fn create_attachment(app: &Router, bgw: &str, vpc: &str) -> String {
    s(&ok(app, "POST", VPCAS, Some(attachment_spec(bgw, vpc))).await["vpcAttachmentId"])
}

fn connection_spec(bgw: &str, cgw: &str) -> Value {
    json!({"vpnConnectionSpec": {"vpnConnectionName": "conn", "bgwId": bgw, "cgwId": cgw}})
}

/// Creates a connection and returns its object.
async fn create_connection(app: &Router, bgw: &str, cgw: &str) -> Value {
    let result = ok(app, "POST", VPNCS, Some(connection_spec(bgw, cgw))).await;
    assert_eq!(
        result["vpnConnectionId"],
        result["vpnConnection"]["vpnConnectionId"]
    );
    result["vpnConnection"].clone()
}

async fn describe_connection(app: &Router, id: &str) -> Value {
    ok(app, "GET", &format!("{VPNCS}{id}"), None).await["vpnConnection"].clone()
}

fn tunnel_spec(connection: &str, cloud_ip: &str, customer_ip: &str) -> Value {
    json!({"vpnTunnelSpec": {
        "vpnConnectionId": connection, "cloudPublicIp": cloud_ip,
        "customerIp": customer_ip, "psk": PSK
    }})
}

/// Creates a tunnel (with `extra` spec fields) and returns its object.
async fn create_tunnel(app: &Router, connection: &Value, cloud: usize, customer_ip: &str) -> Value {
    create_tunnel_with(app, connection, cloud, customer_ip, json!({})).await
}

async fn create_tunnel_with(
    app: &Router,
    connection: &Value,
    cloud: usize,
    customer_ip: &str,
    extra: Value,
) -> Value {
    let body = with(
        tunnel_spec(
            &s(&connection["vpnConnectionId"]),
            &s(&connection["cloudPublicIp"][cloud]),
            customer_ip,
        ),
        "vpnTunnelSpec",
        extra,
    );
    let result = ok(app, "POST", VPNTS, Some(body)).await;
    assert_eq!(result["vpnTunnelId"], result["vpnTunnel"]["vpnTunnelId"]);
    result["vpnTunnel"].clone()
}

async fn describe_tunnel(app: &Router, id: &str) -> Value {
    ok(app, "GET", &format!("{VPNTS}{id}"), None).await["vpnTunnel"].clone()
}

async fn set_admin_status(app: &Router, tunnel: &str, status: &str) {
    ok(
        app,
        "POST",
        &format!("{VPNTS}{tunnel}:adminStatus"),
        Some(json!({"adminStatus": status})),
    )
    .await;
}

fn routes_of(bgw: &str) -> String {
    format!("{BGWS}{bgw}/bgwRoutes/")
}

fn route_spec(destination: &str, nexthop_type: Option<&str>, nexthop: &str) -> Value {
    let mut spec = json!({"bgwRouteDestination": destination, "bgwRouteNexthop": nexthop});
    if let Some(t) = nexthop_type {
        spec["bgwNexthopType"] = json!(t);
    }
    json!({ "bgwRouteSpec": spec })
}

async fn create_route(app: &Router, bgw: &str, destination: &str, nexthop: &str) -> String {
    let body = route_spec(destination, None, nexthop);
    s(&ok(app, "POST", &routes_of(bgw), Some(body)).await["bgwRouteId"])
}

/// A signed call in another region.
async fn call_in(
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

// ---------------------------------------------------------------------------------------------
// Border gateways
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn border_gateway_round_trip() {
    let app = new_app();
    let result = ok(&app, "POST", BGWS, Some(bgw_spec("bgw-1"))).await;
    let id = s(&result["bgwId"]);
    assert!(id.starts_with("bgw-") && id.len() == 12, "{id}");
    let object = result["bgw"].clone();
    assert_eq!(
        sorted_keys(&object),
        [
            "az",
            "azType",
            "bgwId",
            "bgwName",
            "createdTime",
            "description",
            "vifIds",
            "vpcAttachmentIds",
            "vpnConnectionIds"
        ]
    );
    assert_eq!(object["bgwId"], id.as_str());
    assert_eq!(object["bgwName"], "bgw-1");
    assert_eq!(object["azType"], "standard");
    assert_eq!(object["az"], "");
    assert_eq!(object["vifIds"], json!([]));
    assert_eq!(object["vpcAttachmentIds"], json!([]));
    assert_eq!(object["vpnConnectionIds"], json!([]));

    let item = format!("{BGWS}{id}");
    assert_eq!(describe_bgw(&app, &id).await, object);
    assert_eq!(
        ok(&app, "GET", BGWS, None).await,
        json!({"bgws": [object], "totalCount": 1})
    );

    let (status, body) = call(
        &app,
        "PATCH",
        &item,
        Some(json!({"modifyBgwSpec": {"bgwName": "renamed", "description": ""}})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.get("result").is_none(), "{body}");
    // Flat body via PUT, with the SDK's extra path fields and an unchanged azType.
    ok(
        &app,
        "PUT",
        &item,
        Some(json!({"regionId": REGION, "bgwId": id, "description": "flat", "azType": "standard"})),
    )
    .await;
    let modified = describe_bgw(&app, &id).await;
    assert_eq!(modified["bgwName"], "renamed");
    assert_eq!(modified["description"], "flat");
    assert_eq!(modified["createdTime"], object["createdTime"]);

    ok(&app, "DELETE", &item, None).await;
    fails(&app, "GET", &item, None, not_found(&id)).await;
    fails(&app, "DELETE", &item, None, not_found(&id)).await;
    fails(&app, "PATCH", &item, Some(json!({})), not_found(&id)).await;
}

#[tokio::test]
async fn border_gateway_az_and_validation() {
    let app = new_app();
    let edge = ok(
        &app,
        "POST",
        BGWS,
        Some(json!({"bgwSpec": {"bgwName": "e", "azType": "edge", "az": "cn-north-1-edge-a"}})),
    )
    .await;
    assert_eq!(edge["bgw"]["azType"], "edge");
    assert_eq!(edge["bgw"]["az"], "cn-north-1-edge-a");
    // `az` is ignored for a standard gateway.
    let standard = ok(
        &app,
        "POST",
        BGWS,
        Some(json!({"bgwName": "s", "azType": "standard", "az": "cn-north-1a"})),
    )
    .await;
    assert_eq!(standard["bgw"]["az"], "");

    let cases: Vec<(Value, Expected<'_>)> = vec![
        (json!({}), bad("bgwSpec.bgwName missing")),
        (bgw_spec("bad name"), bad("bgwSpec.bgwName")),
        (bgw_spec(&"x".repeat(33)), bad("bgwName")),
        (
            json!({"bgwSpec": {"bgwName": "a", "description": "x".repeat(257)}}),
            bad("bgwSpec.description"),
        ),
        (
            json!({"bgwSpec": {"bgwName": "a", "azType": "central"}}),
            bad("bgwSpec.azType \"central\" is invalid"),
        ),
        (
            json!({"bgwSpec": {"bgwName": "a", "azType": "edge"}}),
            bad("bgwSpec.az is required when azType is edge"),
        ),
        (
            json!({"bgwSpec": {"bgwName": 7}}),
            bad("bgwName must be a string"),
        ),
    ];
    for (body, expected) in cases {
        fails(&app, "POST", BGWS, Some(body), expected).await;
    }

    let edge_item = format!("{BGWS}{}", s(&edge["bgwId"]));
    fails(
        &app,
        "PATCH",
        &edge_item,
        Some(json!({"modifyBgwSpec": {"azType": "standard"}})),
        bad("azType cannot be modified"),
    )
    .await;
    fails(
        &app,
        "PATCH",
        &edge_item,
        Some(json!({"modifyBgwSpec": {"az": "other"}})),
        bad("az cannot be modified"),
    )
    .await;
    fails(
        &app,
        "PATCH",
        &edge_item,
        Some(json!({"modifyBgwSpec": {"bgwName": "a.b"}})),
        bad("modifyBgwSpec.bgwName"),
    )
    .await;
    assert_eq!(ok(&app, "GET", BGWS, None).await["totalCount"], 2);
}

#[tokio::test]
async fn border_gateway_quota_and_filters() {
    let app = new_app();
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(create_bgw(&app, &format!("bgw{i}")).await);
    }
    fails(
        &app,
        "POST",
        BGWS,
        Some(bgw_spec("six")),
        quota("Bgw quota"),
    )
    .await;
    let (status, body) = call_in(
        &app,
        "cn-east-2",
        "POST",
        "/v1/regions/cn-east-2/bgws/",
        Some(bgw_spec("elsewhere")),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let q = format!(
        "{BGWS}?filters.1.name=bgwIds&filters.1.operator=in&filters.1.values.1={}&filters.1.values.2={}",
        ids[1], ids[3]
    );
    let result = ok(&app, "GET", &q, None).await;
    assert_eq!(result["totalCount"], 2);
    assert_eq!(result["bgws"][1]["bgwId"], ids[3].as_str());
    let q = format!("{BGWS}?filters.1.name=bgwNames&filters.1.values.1=bgw4");
    let result = ok(&app, "GET", &q, None).await;
    assert_eq!(result["bgws"][0]["bgwId"], ids[4].as_str());
    fails(
        &app,
        "GET",
        &format!("{BGWS}?filters.1.name=vpcId&filters.1.values.1=x"),
        None,
        bad("vpcId"),
    )
    .await;
}

// ---------------------------------------------------------------------------------------------
// VPC attachments
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn vpc_attachment_round_trip() {
    let app = new_app();
    let bgw = create_bgw(&app, "bgw").await;
    let result = ok(
        &app,
        "POST",
        VPCAS,
        Some(json!({"vpcAttachmentSpec": {
            "vpcAttachmentName": "att-1", "vpcId": "vpc-abcd1234", "propagateType": "partial",
            "bgwId": bgw, "subnetIds": ["subnet-aaaa1111", "subnet-bbbb2222"]
        }})),
    )
    .await;
    let id = s(&result["vpcAttachmentId"]);
    assert!(id.starts_with("vpca-"), "{id}");
    let object = result["vpcAttachment"].clone();
    assert_eq!(
        sorted_keys(&object),
        [
            "bgwId",
            "createdTime",
            "propagateCidrInfos",
            "propagateType",
            "status",
            "vpcAttachmentId",
            "vpcAttachmentName",
            "vpcId"
        ]
    );
    assert_eq!(object["status"], "active");
    assert_eq!(object["propagateType"], "partial");
    let infos = object["propagateCidrInfos"].as_array().unwrap();
    assert_eq!(infos.len(), 2);
    assert_eq!(infos[0]["subnetId"], "subnet-aaaa1111");
    assert_eq!(infos[1]["subnetId"], "subnet-bbbb2222");
    for info in infos {
        let cidr = s(&info["subnetCidr"]);
        assert!(cidr.starts_with("10.") && cidr.ends_with(".0/24"), "{cidr}");
    }
    assert_eq!(
        describe_bgw(&app, &bgw).await["vpcAttachmentIds"],
        json!([id])
    );

    let item = format!("{VPCAS}{id}");
    assert_eq!(ok(&app, "GET", &item, None).await["vpcAttachment"], object);

    // Another attachment ("all" fabricates two subnets) and filters.
    let all = ok(
        &app,
        "POST",
        VPCAS,
        Some(json!({"vpcAttachmentName": "att-2", "vpcId": "vpc-other01",
                    "propagateType": "all", "bgwId": bgw, "subnetIds": []})),
    )
    .await;
    let all_infos = all["vpcAttachment"]["propagateCidrInfos"]
        .as_array()
        .unwrap();
    assert_eq!(all_infos.len(), 2);
    assert_ne!(all_infos[0]["subnetId"], all_infos[1]["subnetId"]);
    let all_id = s(&all["vpcAttachmentId"]);
    assert_eq!(
        describe_bgw(&app, &bgw).await["vpcAttachmentIds"],
        json!([id, all_id])
    );
    for (filter, value, expected) in [
        ("vpcId", "vpc-other01", &all_id),
        ("bgwId", bgw.as_str(), &id),
        ("vpcAttachmentIds", id.as_str(), &id),
        ("vpcAttachmentNames", "att-2", &all_id),
    ] {
        let q = format!("{VPCAS}?filters.1.name={filter}&filters.1.values.1={value}");
        let result = ok(&app, "GET", &q, None).await;
        assert_eq!(
            result["vpcAttachments"][0]["vpcAttachmentId"],
            expected.as_str(),
            "{filter}"
        );
    }

    // Modify: name, then the whole propagation (none → empty list).
    ok(
        &app,
        "PATCH",
        &item,
        Some(json!({"modifyVpcAttachmentSpec": {"vpcAttachmentName": "renamed"}})),
    )
    .await;
    let got = ok(&app, "GET", &item, None).await["vpcAttachment"].clone();
    assert_eq!(got["vpcAttachmentName"], "renamed");
    assert_eq!(got["propagateCidrInfos"], object["propagateCidrInfos"]);
    ok(
        &app,
        "PUT",
        &item,
        Some(json!({"modifyVpcAttachmentSpec": {"propagationAttribute": {
            "vpcId": "vpc-abcd9999", "propagateType": "none"
        }}})),
    )
    .await;
    let got = ok(&app, "GET", &item, None).await["vpcAttachment"].clone();
    assert_eq!(got["vpcId"], "vpc-abcd9999");
    assert_eq!(got["propagateType"], "none");
    assert_eq!(got["propagateCidrInfos"], json!([]));
    assert_eq!(got["vpcAttachmentName"], "renamed");

    ok(&app, "DELETE", &item, None).await;
    fails(&app, "GET", &item, None, not_found(&id)).await;
    assert_eq!(
        describe_bgw(&app, &bgw).await["vpcAttachmentIds"],
        json!([all_id])
    );
}

#[tokio::test]
async fn vpc_attachment_validation() {
    let app = new_app();
    let bgw = create_bgw(&app, "bgw").await;
    let base = attachment_spec(&bgw, "vpc-abcd");
    let w = |extra: Value| Some(with(base.clone(), "vpcAttachmentSpec", extra));
    let cases: Vec<Case<'_>> = vec![
        (
            w(json!({"vpcAttachmentName": null})),
            bad("vpcAttachmentSpec.vpcAttachmentName missing"),
        ),
        (
            w(json!({"vpcId": null})),
            bad("vpcAttachmentSpec.vpcId missing"),
        ),
        (
            w(json!({"bgwId": null})),
            bad("vpcAttachmentSpec.bgwId missing"),
        ),
        (
            w(json!({"propagateType": null})),
            bad("vpcAttachmentSpec.propagateType missing"),
        ),
        (
            w(json!({"vpcAttachmentName": "a b"})),
            bad("vpcAttachmentName"),
        ),
        (w(json!({"vpcId": "vpc_1234"})), bad("is not a VPC id")),
        (w(json!({"vpcId": "VPC-ABCD"})), bad("is not a VPC id")),
        (
            w(json!({"propagateType": "some"})),
            bad("propagateType \"some\" is invalid"),
        ),
        (
            w(json!({"propagateType": "partial"})),
            bad("subnetIds must list at least one subnet"),
        ),
        (
            w(json!({"propagateType": "partial", "subnetIds": []})),
            bad("subnetIds must list at least one subnet"),
        ),
        (
            w(json!({"propagateType": "all", "subnetIds": ["subnet-abcd"]})),
            bad("only allowed when propagateType is partial"),
        ),
        (
            w(json!({"subnetIds": ["subnet-abcd"]})),
            bad("only allowed when propagateType is partial"),
        ),
        (
            w(json!({"propagateType": "partial", "subnetIds": ["subnet-abcd", "sub-1"]})),
            bad("vpcAttachmentSpec.subnetIds[1]"),
        ),
        (
            w(json!({"propagateType": "partial", "subnetIds": ["subnet-abcd", "subnet-abcd"]})),
            bad("must not repeat"),
        ),
        (
            w(json!({"subnetIds": "subnet-abcd"})),
            bad("array of strings"),
        ),
        (
            w(json!({"bgwId": "bgw-missing1"})),
            not_found("bgw-missing1"),
        ),
    ];
    for (body, expected) in cases {
        fails(&app, "POST", VPCAS, body, expected).await;
    }

    // One attachment per (border gateway, VPC); the same VPC on another gateway is fine.
    let first = create_attachment(&app, &bgw, "vpc-abcd").await;
    fails(
        &app,
        "POST",
        VPCAS,
        Some(base.clone()),
        precondition("already attached"),
    )
    .await;
    let other_bgw = create_bgw(&app, "other").await;
    create_attachment(&app, &other_bgw, "vpc-abcd").await;
    let second = create_attachment(&app, &bgw, "vpc-efgh").await;

    let item = format!("{VPCAS}{second}");
    let attr = |vpc: &str, t: &str| json!({"modifyVpcAttachmentSpec": {"propagationAttribute": {"vpcId": vpc, "propagateType": t}}});
    fails(
        &app,
        "PATCH",
        &item,
        Some(attr("vpc-abcd", "all")),
        precondition(&first),
    )
    .await;
    fails(
        &app,
        "PATCH",
        &item,
        Some(attr("vpc-efgh", "partial")),
        bad("modifyVpcAttachmentSpec.propagationAttribute.subnetIds"),
    )
    .await;
    fails(
        &app,
        "PATCH",
        &item,
        Some(
            json!({"modifyVpcAttachmentSpec": {"propagationAttribute": {"propagateType": "all"}}}),
        ),
        bad("propagationAttribute.vpcId missing"),
    )
    .await;
    fails(
        &app,
        "PATCH",
        &item,
        Some(json!({"modifyVpcAttachmentSpec": {"propagationAttribute": "all"}})),
        bad("must be an object"),
    )
    .await;
    fails(
        &app,
        "PATCH",
        &item,
        Some(json!({"modifyVpcAttachmentSpec": {"bgwId": other_bgw}})),
        bad("bgwId cannot be modified"),
    )
    .await;
    // Re-sending its own VPC is not a conflict.
    ok(&app, "PATCH", &item, Some(attr("vpc-efgh", "all"))).await;
    fails(
        &app,
        "GET",
        &format!("{VPCAS}vpca-missing1"),
        None,
        not_found("vpca-missing1"),
    )
    .await;
}

#[tokio::test]
async fn vpc_attachment_quota_per_bgw() {
    let app = new_app();
    let bgw = create_bgw(&app, "bgw").await;
    for i in 0..50 {
        create_attachment(&app, &bgw, &format!("vpc-{i:04}")).await;
    }
    fails(
        &app,
        "POST",
        VPCAS,
        Some(attachment_spec(&bgw, "vpc-more")),
        quota("VpcAttachment quota"),
    )
    .await;
    let other = create_bgw(&app, "other").await;
    create_attachment(&app, &other, "vpc-more").await;
}

// ---------------------------------------------------------------------------------------------
// VPN connections
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn vpn_connection_round_trip() {
    let app = new_app();
    let bgw = create_bgw(&app, "bgw").await;
    let cgw = create_cgw(&app, &["203.0.113.1", "203.0.113.2"], 65010).await;
    let result = ok(
        &app,
        "POST",
        VPNCS,
        Some(with(
            connection_spec(&bgw, &cgw),
            "vpnConnectionSpec",
            json!({"description": "to the office",
                   "chargeSpec": {"chargeMode": "postpaid_by_usage"}}),
        )),
    )
    .await;
    let id = s(&result["vpnConnectionId"]);
    assert!(id.starts_with("vpnc-"), "{id}");
    let object = result["vpnConnection"].clone();
    assert_eq!(
        sorted_keys(&object),
        [
            "az",
            "azType",
            "bgpEnabled",
            "bgwId",
            "cgwId",
            "charge",
            "cloudPublicIp",
            "createdTime",
            "description",
            "haStatus",
            "localAsn",
            "providers",
            "trafficSelectors",
            "updatedTime",
            "vpnConnectionId",
            "vpnConnectionName"
        ]
    );
    assert_eq!(object["bgwId"], bgw.as_str());
    assert_eq!(object["cgwId"], cgw.as_str());
    assert_eq!(object["bgpEnabled"], true);
    assert_eq!(object["localAsn"], 65000);
    assert_eq!(object["providers"], json!(["bgp", "bgp"]));
    assert_eq!(object["haStatus"], "no_redundancy");
    assert_eq!(object["trafficSelectors"], json!([]));
    assert_eq!(object["azType"], "standard");
    assert_eq!(object["az"], "");
    assert_eq!(object["description"], "to the office");
    assert_eq!(object["charge"]["chargeMode"], "postpaid_by_usage");
    assert_eq!(object["charge"]["chargeStatus"], "normal");
    assert_eq!(object["charge"]["chargeStartTime"], object["createdTime"]);
    let ips: Vec<String> = object["cloudPublicIp"]
        .as_array()
        .unwrap()
        .iter()
        .map(s)
        .collect();
    assert_eq!(ips.len(), 2);
    assert_ne!(ips[0], ips[1]);
    for ip in &ips {
        let parsed: std::net::Ipv4Addr = ip.parse().unwrap();
        assert!(!parsed.is_private() && !parsed.is_loopback(), "{ip}");
    }
    assert_eq!(
        describe_bgw(&app, &bgw).await["vpnConnectionIds"],
        json!([id])
    );

    let item = format!("{VPNCS}{id}");
    assert_eq!(describe_connection(&app, &id).await, object);

    // Explicit localAsn and bgpEnabled=false.
    let other = ok(
        &app,
        "POST",
        VPNCS,
        Some(
            json!({"vpnConnectionName": "static", "bgwId": bgw, "cgwId": cgw,
                    "bgpEnabled": false, "localAsn": 64512}),
        ),
    )
    .await["vpnConnection"]
        .clone();
    assert_eq!(other["bgpEnabled"], false);
    assert_eq!(other["localAsn"], 64512);
    let other_id = s(&other["vpnConnectionId"]);
    for (filter, value, expected) in [
        ("vpnConnectionIds", other_id.as_str(), &other_id),
        ("vpnConnectionNames", "conn", &id),
        ("bgwId", bgw.as_str(), &id),
        ("cgwId", cgw.as_str(), &id),
    ] {
        let q = format!("{VPNCS}?filters.1.name={filter}&filters.1.values.1={value}");
        let result = ok(&app, "GET", &q, None).await;
        assert_eq!(
            result["vpnConnections"][0]["vpnConnectionId"],
            expected.as_str(),
            "{filter}"
        );
    }
    assert_eq!(ok(&app, "GET", VPNCS, None).await["totalCount"], 2);

    // Modify: everything ModifyVpnConnectionSpec has; traffic selectors are replaced whole.
    ok(
        &app,
        "PATCH",
        &item,
        Some(json!({"modifyVpnConnectionSpec": {
            "vpnConnectionName": "renamed", "description": "", "bgpEnabled": false,
            "trafficSelectors": [
                {"localSubnet": "10.0.0.0/16", "remoteSubnets": ["192.168.1.0/24", "192.168.2.0/24"],
                 "description": "a"},
                {"localSubnet": "10.1.0.0/16"}
            ]
        }})),
    )
    .await;
    let got = describe_connection(&app, &id).await;
    assert_eq!(got["vpnConnectionName"], "renamed");
    assert_eq!(got["description"], "");
    assert_eq!(got["bgpEnabled"], false);
    assert_eq!(
        got["trafficSelectors"],
        json!([
            {"localSubnet": "10.0.0.0/16", "remoteSubnets": ["192.168.1.0/24", "192.168.2.0/24"],
             "description": "a"},
            {"localSubnet": "10.1.0.0/16", "remoteSubnets": [], "description": ""}
        ])
    );
    assert_eq!(got["cloudPublicIp"], object["cloudPublicIp"]);
    assert_eq!(got["createdTime"], object["createdTime"]);
    ok(
        &app,
        "PUT",
        &item,
        Some(
            json!({"regionId": REGION, "vpnConnectionId": id, "trafficSelectors": [],
                    "bgwId": bgw, "localAsn": 65000}),
        ),
    )
    .await;
    assert_eq!(
        describe_connection(&app, &id).await["trafficSelectors"],
        json!([])
    );

    ok(&app, "DELETE", &item, None).await;
    fails(&app, "GET", &item, None, not_found(&id)).await;
    assert_eq!(
        describe_bgw(&app, &bgw).await["vpnConnectionIds"],
        json!([other_id])
    );
}

#[tokio::test]
async fn vpn_connection_validation() {
    let app = new_app();
    let bgw = create_bgw(&app, "bgw").await;
    let cgw = create_cgw(&app, &["203.0.113.1"], 65010).await;
    let base = connection_spec(&bgw, &cgw);
    let w = |extra: Value| Some(with(base.clone(), "vpnConnectionSpec", extra));
    let cases: Vec<Case<'_>> = vec![
        (
            w(json!({"vpnConnectionName": null})),
            bad("vpnConnectionSpec.vpnConnectionName missing"),
        ),
        (
            w(json!({"bgwId": null})),
            bad("vpnConnectionSpec.bgwId missing"),
        ),
        (
            w(json!({"cgwId": null})),
            bad("vpnConnectionSpec.cgwId missing"),
        ),
        (
            w(json!({"vpnConnectionName": "x/y"})),
            bad("vpnConnectionName"),
        ),
        (
            w(json!({"description": "d".repeat(257)})),
            bad("description"),
        ),
        (
            w(json!({"bgpEnabled": "yes"})),
            bad("bgpEnabled must be a boolean"),
        ),
        (
            w(json!({"localAsn": 64511})),
            range("vpnConnectionSpec.localAsn 64511 is out of range [64512, 65534]"),
        ),
        (w(json!({"localAsn": 65535})), range("localAsn")),
        (w(json!({"localAsn": 65010})), bad("equals the BGP ASN")),
        (
            w(json!({"trafficSelectors": [{"localSubnet": "10.0.0.0/8"}]})),
            bad("trafficSelectors cannot be set at create"),
        ),
        (
            w(json!({"chargeSpec": {"chargeMode": "prepaid_by_duration"}})),
            bad("chargeSpec.chargeMode"),
        ),
        (
            w(json!({"chargeSpec": "postpaid"})),
            bad("must be an object"),
        ),
        (
            w(json!({"bgwId": "bgw-missing1"})),
            not_found("Bgw 'bgw-missing1'"),
        ),
        (
            w(json!({"cgwId": "cgw-missing1"})),
            not_found("CustomerGateway 'cgw-missing1'"),
        ),
    ];
    for (body, expected) in cases {
        fails(&app, "POST", VPNCS, body, expected).await;
    }

    let connection = create_connection(&app, &bgw, &cgw).await;
    let item = format!("{VPNCS}{}", s(&connection["vpnConnectionId"]));
    let m = |spec: Value| Some(json!({ "modifyVpnConnectionSpec": spec }));
    let cases: Vec<Case<'_>> = vec![
        (
            m(json!({"trafficSelectors": [{"remoteSubnets": ["10.0.0.0/8"]}]})),
            bad("modifyVpnConnectionSpec.trafficSelectors[0].localSubnet missing"),
        ),
        (
            m(
                json!({"trafficSelectors": [{"localSubnet": "10.0.0.0/8"}, {"localSubnet": "10.0.0.1/8"}]}),
            ),
            bad("trafficSelectors[1].localSubnet \"10.0.0.1/8\" is not a canonical CIDR"),
        ),
        (
            m(json!({"trafficSelectors": [{"localSubnet": "10.0.0.0/8", "remoteSubnets": ["x"]}]})),
            bad("trafficSelectors[0].remoteSubnets[0]"),
        ),
        (
            m(json!({"trafficSelectors": {"localSubnet": "10.0.0.0/8"}})),
            bad("array of objects"),
        ),
        (
            m(json!({"localAsn": 64600})),
            bad("localAsn cannot be modified"),
        ),
        (
            m(json!({"cgwId": "cgw-other123"})),
            bad("cgwId cannot be modified"),
        ),
        (
            m(json!({"vpnConnectionName": ""})),
            bad("vpnConnectionName"),
        ),
    ];
    for (body, expected) in cases {
        fails(&app, "PATCH", &item, body, expected).await;
    }
    fails(
        &app,
        "PATCH",
        &format!("{VPNCS}vpnc-missing1"),
        m(json!({})),
        not_found("vpnc-missing1"),
    )
    .await;
}

#[tokio::test]
async fn vpn_connection_edge_providers() {
    let app = new_app();
    let edge = s(&ok(
        &app,
        "POST",
        BGWS,
        Some(json!({"bgwSpec": {"bgwName": "edge", "azType": "edge", "az": "cn-east-1-edge"}})),
    )
    .await["bgwId"]);
    let cgw = create_cgw(&app, &["203.0.113.1"], 65010).await;
    fails(
        &app,
        "POST",
        VPNCS,
        Some(connection_spec(&edge, &cgw)),
        bad("providers must name 2 ISP lines"),
    )
    .await;
    let connection = ok(
        &app,
        "POST",
        VPNCS,
        Some(with(
            connection_spec(&edge, &cgw),
            "vpnConnectionSpec",
            json!({"providers": ["ct", "cu"]}),
        )),
    )
    .await["vpnConnection"]
        .clone();
    assert_eq!(connection["providers"], json!(["ct", "cu"]));
    assert_eq!(connection["azType"], "edge");
    assert_eq!(connection["az"], "cn-east-1-edge");
    // Ignored on a standard gateway.
    let standard = create_bgw(&app, "std").await;
    let connection = ok(
        &app,
        "POST",
        VPNCS,
        Some(with(
            connection_spec(&standard, &cgw),
            "vpnConnectionSpec",
            json!({"providers": ["ct", "cu"]}),
        )),
    )
    .await["vpnConnection"]
        .clone();
    assert_eq!(connection["providers"], json!(["bgp", "bgp"]));
}

#[tokio::test]
async fn vpn_connection_quota_and_unique_cloud_ips() {
    let app = new_app();
    let bgw = create_bgw(&app, "bgw").await;
    let cgw = create_cgw(&app, &["203.0.113.1"], 65010).await;
    let mut ips = BTreeSet::new();
    let mut first = None;
    for _ in 0..10 {
        let c = create_connection(&app, &bgw, &cgw).await;
        for ip in c["cloudPublicIp"].as_array().unwrap() {
            assert!(ips.insert(s(ip)), "{ip} handed out twice");
        }
        first.get_or_insert(c);
    }
    fails(
        &app,
        "POST",
        VPNCS,
        Some(connection_spec(&bgw, &cgw)),
        quota("VpnConnection quota"),
    )
    .await;
    // Another gateway has its own quota; addresses stay unique across regions too.
    let other = create_bgw(&app, "other").await;
    let c = create_connection(&app, &other, &cgw).await;
    for ip in c["cloudPublicIp"].as_array().unwrap() {
        assert!(ips.insert(s(ip)), "{ip} handed out twice");
    }
    let (status, east_bgw) = call_in(
        &app,
        "cn-east-2",
        "POST",
        "/v1/regions/cn-east-2/bgws/",
        Some(bgw_spec("east")),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, east_cgw) = call_in(
        &app,
        "cn-east-2",
        "POST",
        "/v1/regions/cn-east-2/customerGateways/",
        Some(spec("east", &["203.0.113.9"], 65010)),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, east) = call_in(
        &app,
        "cn-east-2",
        "POST",
        "/v1/regions/cn-east-2/vpnConnections/",
        Some(connection_spec(
            &s(&east_bgw["result"]["bgwId"]),
            &s(&east_cgw["result"]["customerGatewayId"]),
        )),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{east}");
    for ip in east["result"]["vpnConnection"]["cloudPublicIp"]
        .as_array()
        .unwrap()
    {
        assert!(ips.insert(s(ip)), "{ip} handed out twice");
    }
    // Resources of another region are invisible (404), even as references.
    let (status, body) = call_in(
        &app,
        "cn-east-2",
        "POST",
        "/v1/regions/cn-east-2/vpnConnections/",
        Some(connection_spec(
            &bgw,
            &s(&east_cgw["result"]["customerGatewayId"]),
        )),
    )
    .await;
    assert_error(status, &body, 404, "NOT_FOUND", &bgw);
    // Deleting a connection frees its addresses for later connections only.
    let first = first.unwrap();
    ok(
        &app,
        "DELETE",
        &format!("{VPNCS}{}", s(&first["vpnConnectionId"])),
        None,
    )
    .await;
    let again = create_connection(&app, &bgw, &cgw).await;
    let again: BTreeSet<String> = again["cloudPublicIp"]
        .as_array()
        .unwrap()
        .iter()
        .map(s)
        .collect();
    let freed: BTreeSet<String> = first["cloudPublicIp"]
        .as_array()
        .unwrap()
        .iter()
        .map(s)
        .collect();
    assert_eq!(
        again, freed,
        "lowest free addresses are reused after delete"
    );
}

// ---------------------------------------------------------------------------------------------
// VPN tunnels
// ---------------------------------------------------------------------------------------------

/// A border gateway, a 2-IP customer gateway and a connection between them.
async fn tunnel_fixture(app: &Router) -> (String, String, Value) {
    let bgw = create_bgw(app, "bgw").await;
    let cgw = create_cgw(app, &["203.0.113.1", "203.0.113.2"], 65010).await;
    let connection = create_connection(app, &bgw, &cgw).await;
    (bgw, cgw, connection)
}

#[tokio::test]
async fn vpn_tunnel_round_trip() {
    let app = new_app();
    let (_, _, connection) = tunnel_fixture(&app).await;
    let connection_id = s(&connection["vpnConnectionId"]);
    let cloud_ip = s(&connection["cloudPublicIp"][0]);
    let tunnel = create_tunnel(&app, &connection, 0, "203.0.113.1").await;
    let id = s(&tunnel["vpnTunnelId"]);
    assert!(id.starts_with("vpnt-"), "{id}");
    assert_eq!(
        sorted_keys(&tunnel),
        [
            "adminStatus",
            "bandwidthMbps",
            "cloudPublicIp",
            "createdTime",
            "customerIp",
            "ikeAuth",
            "ikeCipher",
            "ikeDpdSec",
            "ikeKeyExchange",
            "ikeMode",
            "ikeSaLifeSec",
            "ikeVersion",
            "ipsecAuth",
            "ipsecCipher",
            "ipsecKeyExchange",
            "ipsecSaLifeSec",
            "ipsecSaLifebyte",
            "ipsecSaLifepkt",
            "localId",
            "localIp",
            "localTunnelIp",
            "opStatus",
            "psk",
            "remoteId",
            "remoteIp",
            "remoteTunnelIp",
            "tunnelIp",
            "updatedTime",
            "vpnConnectionId",
            "vpnTunnelId"
        ]
    );
    let expected_defaults = json!({
        "vpnConnectionId": connection_id, "cloudPublicIp": cloud_ip, "customerIp": "203.0.113.1",
        "psk": PSK, "localId": cloud_ip, "remoteId": "203.0.113.1", "localIp": cloud_ip,
        "remoteIp": "203.0.113.1", "tunnelIp": "169.254.0.0/30", "localTunnelIp": "169.254.0.1",
        "remoteTunnelIp": "169.254.0.2", "ikeVersion": "v2", "ikeMode": "main",
        "ikeKeyExchange": "ecp256", "ikeCipher": "aes128", "ikeAuth": "sha256", "ikeDpdSec": 10,
        "ikeSaLifeSec": 14400, "ipsecCipher": "aes128", "ipsecAuth": "sha256",
        "ipsecKeyExchange": "null", "ipsecSaLifeSec": 3600, "ipsecSaLifepkt": 0,
        "ipsecSaLifebyte": 0, "adminStatus": "UP", "opStatus": "UP", "bandwidthMbps": 100
    });
    for (k, v) in expected_defaults.as_object().unwrap() {
        assert_eq!(&tunnel[k], v, "{k}");
    }
    assert_eq!(describe_tunnel(&app, &id).await, tunnel);

    // Every option set explicitly at create.
    let explicit = create_tunnel_with(
        &app,
        &connection,
        1,
        "203.0.113.2",
        json!({"tunnelIp": "10.10.10.8/30", "localTunnelIp": "10.10.10.10", "ikeVersion": "v1",
               "ikeMode": "aggressive", "ikeKeyExchange": "modp2048", "ikeCipher": "3des",
               "ikeAuth": "sha1", "ikeDpdSec": 0, "ikeSaLifeSec": 60, "ipsecCipher": "aes256",
               "ipsecAuth": "sha384", "ipsecKeyExchange": "ecp384", "ipsecSaLifeSec": 86400,
               "ipsecSaLifepkt": 100000000, "ipsecSaLifebyte": 107374182400_i64,
               "bandwidthMbps": 1500, "chargeSpec": {"chargeMode": "postpaid_by_duration"}}),
    )
    .await;
    let expected = json!({
        "tunnelIp": "10.10.10.8/30", "localTunnelIp": "10.10.10.10",
        "remoteTunnelIp": "10.10.10.9", "ikeVersion": "v1", "ikeMode": "aggressive",
        "ikeKeyExchange": "modp2048", "ikeCipher": "3des", "ikeAuth": "sha1", "ikeDpdSec": 0,
        "ikeSaLifeSec": 60, "ipsecCipher": "aes256", "ipsecAuth": "sha384",
        "ipsecKeyExchange": "ecp384", "ipsecSaLifeSec": 86400, "ipsecSaLifepkt": 100000000,
        "ipsecSaLifebyte": 107374182400_i64, "bandwidthMbps": 1500
    });
    for (k, v) in expected.as_object().unwrap() {
        assert_eq!(&explicit[k], v, "{k}");
    }
    let explicit_id = s(&explicit["vpnTunnelId"]);

    // Lists and filters.
    assert_eq!(ok(&app, "GET", VPNTS, None).await["totalCount"], 2);
    let q = format!("{VPNTS}?filters.1.name=vpnTunnelIds&filters.1.values.1={explicit_id}");
    let result = ok(&app, "GET", &q, None).await;
    assert_eq!(result["totalCount"], 1);
    assert_eq!(result["vpnTunnels"][0], explicit);
    let q = format!("{VPNTS}?filters.1.name=vpnConnectionId&filters.1.values.1={connection_id}");
    assert_eq!(ok(&app, "GET", &q, None).await["totalCount"], 2);
    let q = format!("{VPNTS}?filters.1.name=vpnConnectionId&filters.1.values.1=vpnc-none");
    assert_eq!(ok(&app, "GET", &q, None).await["totalCount"], 0);

    // Modify: options, psk, then a new block keeps the cloud side on the same host position.
    let item = format!("{VPNTS}{id}");
    ok(
        &app,
        "PATCH",
        &item,
        Some(json!({"vpnTunnelModifySpec": {
            "psk": "new-key", "ikeCipher": "aes256", "ipsecSaLifebyte": 1024, "bandwidthMbps": 50,
            "localTunnelIp": "169.254.0.2"
        }})),
    )
    .await;
    let got = describe_tunnel(&app, &id).await;
    assert_eq!(got["psk"], "new-key");
    assert_eq!(got["ikeCipher"], "aes256");
    assert_eq!(got["ipsecSaLifebyte"], 1024);
    assert_eq!(got["bandwidthMbps"], 50);
    assert_eq!(got["localTunnelIp"], "169.254.0.2");
    assert_eq!(got["remoteTunnelIp"], "169.254.0.1");
    assert_eq!(
        got["ikeAuth"], "sha256",
        "untouched options keep their value"
    );
    assert_eq!(got["createdTime"], tunnel["createdTime"]);
    ok(
        &app,
        "PUT",
        &item,
        Some(json!({"vpnTunnelId": id, "tunnelIp": "192.168.7.4/30",
                    "vpnConnectionId": connection_id})),
    )
    .await;
    let got = describe_tunnel(&app, &id).await;
    assert_eq!(got["tunnelIp"], "192.168.7.4/30");
    assert_eq!(got["localTunnelIp"], "192.168.7.6");
    assert_eq!(got["remoteTunnelIp"], "192.168.7.5");

    // Delete only when DOWN.
    fails(
        &app,
        "DELETE",
        &item,
        None,
        precondition("tunnel must be DOWN"),
    )
    .await;
    set_admin_status(&app, &id, "DOWN").await;
    let down = describe_tunnel(&app, &id).await;
    assert_eq!(down["adminStatus"], "DOWN");
    assert_eq!(down["opStatus"], "DOWN");
    ok(&app, "DELETE", &item, None).await;
    fails(&app, "GET", &item, None, not_found(&id)).await;
    fails(&app, "DELETE", &item, None, not_found(&id)).await;
    fails(
        &app,
        "POST",
        &format!("{item}:adminStatus"),
        Some(json!({"adminStatus": "UP"})),
        not_found(&id),
    )
    .await;
}

#[tokio::test]
async fn vpn_tunnel_create_validation() {
    let app = new_app();
    let (_, _, connection) = tunnel_fixture(&app).await;
    let base = tunnel_spec(
        &s(&connection["vpnConnectionId"]),
        &s(&connection["cloudPublicIp"][0]),
        "203.0.113.1",
    );
    let w = |extra: Value| Some(with(base.clone(), "vpnTunnelSpec", extra));
    let mut cases: Vec<Case<'_>> = vec![
        (
            w(json!({"vpnConnectionId": null})),
            bad("vpnTunnelSpec.vpnConnectionId missing"),
        ),
        (
            w(json!({"cloudPublicIp": null})),
            bad("vpnTunnelSpec.cloudPublicIp missing"),
        ),
        (
            w(json!({"customerIp": null})),
            bad("vpnTunnelSpec.customerIp missing"),
        ),
        (w(json!({"psk": null})), bad("vpnTunnelSpec.psk missing")),
        (w(json!({"psk": ""})), bad("vpnTunnelSpec.psk is invalid")),
        (w(json!({"psk": "x".repeat(21)})), bad("psk is invalid")),
        (w(json!({"psk": "has space"})), bad("psk is invalid")),
        (w(json!({"psk": "dot.ted"})), bad("psk is invalid")),
        (w(json!({"psk": "0xabc"})), bad("must not start with 0x")),
        (w(json!({"psk": "0Xabc"})), bad("must not start with 0x")),
        (w(json!({"psk": "0sabc"})), bad("must not start with 0s")),
        (w(json!({"psk": "0Sabc"})), bad("must not start with 0s")),
        (
            w(json!({"tunnelIp": "169.254.1.0/29"})),
            bad("must be a /30 block"),
        ),
        (
            w(json!({"tunnelIp": "169.254.1.1/30"})),
            bad("is not a canonical CIDR block"),
        ),
        (
            w(json!({"tunnelIp": "169.254.16.0/30"})),
            bad("must lie inside one of 169.254.0.0/20"),
        ),
        (w(json!({"tunnelIp": "8.8.8.0/30"})), bad("must lie inside")),
        (
            w(json!({"tunnelIp": "172.32.0.0/30"})),
            bad("must lie inside"),
        ),
        (w(json!({"tunnelIp": "bogus"})), bad("is not an IPv4 CIDR")),
        (
            w(json!({"tunnelIp": "10.0.0.0/30", "localTunnelIp": "10.0.0.0"})),
            bad("localTunnelIp 10.0.0.0 must be 10.0.0.1 or 10.0.0.2"),
        ),
        (
            w(json!({"tunnelIp": "10.0.0.0/30", "localTunnelIp": "10.0.0.3"})),
            bad("must be 10.0.0.1 or 10.0.0.2"),
        ),
        (
            w(json!({"tunnelIp": "10.0.0.0/30", "localTunnelIp": "10.0.1.1"})),
            bad("must be 10.0.0.1 or 10.0.0.2"),
        ),
        (
            w(json!({"tunnelIp": "10.0.0.0/30", "localTunnelIp": "x"})),
            bad("is not an IPv4 address"),
        ),
        (
            w(json!({"localTunnelIp": "169.254.0.1"})),
            bad("localTunnelIp needs vpnTunnelSpec.tunnelIp"),
        ),
        (
            w(json!({"chargeSpec": {"chargeMode": "postpaid_by_usage"}})),
            bad("chargeSpec.chargeMode"),
        ),
        (
            w(json!({"cloudPublicIp": "116.196.255.1"})),
            bad("is not a public IP of VpnConnection"),
        ),
        (
            w(json!({"customerIp": "203.0.113.3"})),
            bad("is not an IP of CustomerGateway"),
        ),
        (
            w(json!({"vpnConnectionId": "vpnc-missing1"})),
            not_found("VpnConnection 'vpnc-missing1'"),
        ),
        (
            w(json!({"ikeDpdSec": "10"})),
            bad("ikeDpdSec must be an integer"),
        ),
    ];
    // Every enumerated and ranged option, one bad value each, named in the message.
    for (field, value, expected) in [
        (
            "ikeVersion",
            json!("v3"),
            bad("vpnTunnelSpec.ikeVersion \"v3\" is invalid"),
        ),
        ("ikeMode", json!("quick"), bad("vpnTunnelSpec.ikeMode")),
        (
            "ikeKeyExchange",
            json!("modp768"),
            bad("vpnTunnelSpec.ikeKeyExchange"),
        ),
        ("ikeCipher", json!("des"), bad("vpnTunnelSpec.ikeCipher")),
        ("ikeAuth", json!("md5"), bad("vpnTunnelSpec.ikeAuth")),
        (
            "ipsecCipher",
            json!("3des"),
            bad("vpnTunnelSpec.ipsecCipher"),
        ),
        ("ipsecAuth", json!("sha512"), bad("vpnTunnelSpec.ipsecAuth")),
        (
            "ipsecKeyExchange",
            json!("none"),
            bad("vpnTunnelSpec.ipsecKeyExchange"),
        ),
        (
            "ikeDpdSec",
            json!(5),
            bad("vpnTunnelSpec.ikeDpdSec 5 is invalid"),
        ),
        (
            "ikeSaLifeSec",
            json!(59),
            range("vpnTunnelSpec.ikeSaLifeSec 59"),
        ),
        ("ikeSaLifeSec", json!(86401), range("ikeSaLifeSec")),
        (
            "ipsecSaLifeSec",
            json!(59),
            range("vpnTunnelSpec.ipsecSaLifeSec"),
        ),
        ("ipsecSaLifeSec", json!(86401), range("ipsecSaLifeSec")),
        (
            "ipsecSaLifepkt",
            json!(-1),
            range("vpnTunnelSpec.ipsecSaLifepkt"),
        ),
        ("ipsecSaLifepkt", json!(100000001), range("ipsecSaLifepkt")),
        (
            "ipsecSaLifebyte",
            json!(-1),
            range("vpnTunnelSpec.ipsecSaLifebyte"),
        ),
        (
            "ipsecSaLifebyte",
            json!(107374182401_i64),
            range("ipsecSaLifebyte"),
        ),
        (
            "bandwidthMbps",
            json!(0),
            range("vpnTunnelSpec.bandwidthMbps 0"),
        ),
        ("bandwidthMbps", json!(1501), range("bandwidthMbps")),
    ] {
        cases.push((w(json!({ field: value })), expected));
    }
    for (body, expected) in cases {
        fails(&app, "POST", VPNTS, body, expected).await;
    }
    assert_eq!(ok(&app, "GET", VPNTS, None).await["totalCount"], 0);
    // The psk is never echoed in an error.
    let (_, body) = call(&app, "POST", VPNTS, w(json!({"psk": "0xsecretvalue"}))).await;
    assert!(!body.to_string().contains("secretvalue"), "{body}");
}

#[tokio::test]
async fn vpn_tunnel_modify_validation() {
    let app = new_app();
    let (_, _, connection) = tunnel_fixture(&app).await;
    let tunnel = create_tunnel(&app, &connection, 0, "203.0.113.1").await;
    let item = format!("{VPNTS}{}", s(&tunnel["vpnTunnelId"]));
    let m = |spec: Value| Some(json!({ "vpnTunnelModifySpec": spec }));
    let cases: Vec<Case<'_>> = vec![
        (
            m(json!({"psk": "0x1"})),
            bad("vpnTunnelModifySpec.psk must not start with 0x"),
        ),
        (
            m(json!({"psk": ""})),
            bad("vpnTunnelModifySpec.psk is invalid"),
        ),
        (
            m(json!({"ikeVersion": "v0"})),
            bad("vpnTunnelModifySpec.ikeVersion"),
        ),
        (
            m(json!({"ikeDpdSec": 30})),
            bad("vpnTunnelModifySpec.ikeDpdSec 30 is invalid"),
        ),
        (
            m(json!({"ipsecSaLifeSec": 10})),
            range("vpnTunnelModifySpec.ipsecSaLifeSec 10"),
        ),
        (
            m(json!({"bandwidthMbps": 2000})),
            range("vpnTunnelModifySpec.bandwidthMbps"),
        ),
        (
            m(json!({"tunnelIp": "169.254.0.0/31"})),
            bad("must be a /30 block"),
        ),
        (
            m(json!({"localTunnelIp": "169.254.0.3"})),
            bad("must be 169.254.0.1 or 169.254.0.2"),
        ),
        (
            m(json!({"tunnelIp": "10.0.0.4/30", "localTunnelIp": "169.254.0.1"})),
            bad("must be 10.0.0.5 or 10.0.0.6"),
        ),
        (
            m(json!({"cloudPublicIp": s(&connection["cloudPublicIp"][1])})),
            bad("cloudPublicIp cannot be modified"),
        ),
        (
            m(json!({"customerIp": "203.0.113.2"})),
            bad("customerIp cannot be modified"),
        ),
        (
            m(json!({"vpnConnectionId": "vpnc-other123"})),
            bad("vpnConnectionId cannot be modified"),
        ),
    ];
    for (body, expected) in cases {
        fails(&app, "PATCH", &item, body, expected).await;
    }
    assert_eq!(
        describe_tunnel(&app, &s(&tunnel["vpnTunnelId"])).await,
        tunnel,
        "failed modifies change nothing"
    );
    fails(
        &app,
        "PATCH",
        &format!("{VPNTS}vpnt-missing1"),
        m(json!({})),
        not_found("vpnt-missing1"),
    )
    .await;
}

#[tokio::test]
async fn vpn_tunnel_pairs_and_tunnel_ip_conflicts() {
    let app = new_app();
    let (bgw, cgw, connection) = tunnel_fixture(&app).await;
    // At most one tunnel per (cloud IP, customer IP): 2 × 2 = 4 tunnels for this connection.
    let t1 = create_tunnel(&app, &connection, 0, "203.0.113.1").await;
    let body = tunnel_spec(
        &s(&connection["vpnConnectionId"]),
        &s(&connection["cloudPublicIp"][0]),
        "203.0.113.1",
    );
    fails(
        &app,
        "POST",
        VPNTS,
        Some(body),
        precondition(&format!(
            "VpnTunnel '{}' already connects",
            s(&t1["vpnTunnelId"])
        )),
    )
    .await;
    let t2 = create_tunnel(&app, &connection, 0, "203.0.113.2").await;
    let t3 = create_tunnel_with(
        &app,
        &connection,
        1,
        "203.0.113.1",
        json!({"tunnelIp": "169.254.0.8/30"}),
    )
    .await;
    // Automatic blocks skip the taken ones: 0/30, 4/30, (8/30 taken explicitly), 12/30.
    assert_eq!(t1["tunnelIp"], "169.254.0.0/30");
    assert_eq!(t2["tunnelIp"], "169.254.0.4/30");
    let t4 = create_tunnel(&app, &connection, 1, "203.0.113.2").await;
    assert_eq!(t4["tunnelIp"], "169.254.0.12/30");
    for (cloud, customer) in [(0, "203.0.113.1"), (1, "203.0.113.2")] {
        let body = tunnel_spec(
            &s(&connection["vpnConnectionId"]),
            &s(&connection["cloudPublicIp"][cloud]),
            customer,
        );
        fails(
            &app,
            "POST",
            VPNTS,
            Some(body),
            precondition("only one tunnel per address pair"),
        )
        .await;
    }

    // Tunnel IPs are unique per border gateway, across its connections.
    let cgw2 = create_cgw(&app, &["198.51.100.1"], 65020).await;
    let same_bgw = create_connection(&app, &bgw, &cgw2).await;
    let conflict = with(
        tunnel_spec(
            &s(&same_bgw["vpnConnectionId"]),
            &s(&same_bgw["cloudPublicIp"][0]),
            "198.51.100.1",
        ),
        "vpnTunnelSpec",
        json!({"tunnelIp": "169.254.0.8/30"}),
    );
    fails(
        &app,
        "POST",
        VPNTS,
        Some(conflict),
        precondition(&format!(
            "conflicts with 169.254.0.8/30 of VpnTunnel '{}'",
            s(&t3["vpnTunnelId"])
        )),
    )
    .await;
    let t5 = create_tunnel(&app, &same_bgw, 0, "198.51.100.1").await;
    assert_eq!(
        t5["tunnelIp"], "169.254.0.16/30",
        "allocation sees other connections"
    );
    // Modifying into a taken block conflicts; keeping one's own block does not.
    let t5_item = format!("{VPNTS}{}", s(&t5["vpnTunnelId"]));
    fails(
        &app,
        "PATCH",
        &t5_item,
        Some(json!({"vpnTunnelModifySpec": {"tunnelIp": "169.254.0.4/30"}})),
        precondition("conflicts with 169.254.0.4/30"),
    )
    .await;
    ok(
        &app,
        "PATCH",
        &t5_item,
        Some(json!({"vpnTunnelModifySpec": {"tunnelIp": "169.254.0.16/30"}})),
    )
    .await;

    // Another border gateway may reuse the same block.
    let other_bgw = create_bgw(&app, "other").await;
    let other = create_connection(&app, &other_bgw, &cgw).await;
    let reused = create_tunnel_with(
        &app,
        &other,
        0,
        "203.0.113.1",
        json!({"tunnelIp": "169.254.0.8/30"}),
    )
    .await;
    assert_eq!(reused["tunnelIp"], "169.254.0.8/30");
    let auto = create_tunnel(&app, &other, 1, "203.0.113.1").await;
    assert_eq!(auto["tunnelIp"], "169.254.0.0/30");
}

#[tokio::test]
async fn vpn_connection_ha_status() {
    let app = new_app();
    let (_, _, connection) = tunnel_fixture(&app).await;
    let id = s(&connection["vpnConnectionId"]);
    let ha = |c: Value| s(&c["haStatus"]);
    assert_eq!(ha(describe_connection(&app, &id).await), "no_redundancy");
    let a1 = create_tunnel(&app, &connection, 0, "203.0.113.1").await;
    let a2 = create_tunnel(&app, &connection, 0, "203.0.113.2").await;
    assert_eq!(
        ha(describe_connection(&app, &id).await),
        "no_redundancy",
        "both tunnels on the same cloud IP"
    );
    let b2 = create_tunnel(&app, &connection, 1, "203.0.113.2").await;
    assert_eq!(ha(describe_connection(&app, &id).await), "redundancy");
    // One UP tunnel per cloud IP is enough.
    set_admin_status(&app, &s(&a1["vpnTunnelId"]), "DOWN").await;
    assert_eq!(ha(describe_connection(&app, &id).await), "redundancy");
    set_admin_status(&app, &s(&b2["vpnTunnelId"]), "DOWN").await;
    assert_eq!(ha(describe_connection(&app, &id).await), "no_redundancy");
    set_admin_status(&app, &s(&b2["vpnTunnelId"]), "UP").await;
    assert_eq!(ha(describe_connection(&app, &id).await), "redundancy");
    set_admin_status(&app, &s(&a2["vpnTunnelId"]), "DOWN").await;
    assert_eq!(ha(describe_connection(&app, &id).await), "no_redundancy");
    // Deleting a DOWN tunnel changes nothing; a new (UP) tunnel on that cloud IP restores it.
    set_admin_status(&app, &s(&a1["vpnTunnelId"]), "UP").await;
    assert_eq!(ha(describe_connection(&app, &id).await), "redundancy");
    set_admin_status(&app, &s(&a1["vpnTunnelId"]), "DOWN").await;
    ok(
        &app,
        "DELETE",
        &format!("{VPNTS}{}", s(&a1["vpnTunnelId"])),
        None,
    )
    .await;
    assert_eq!(ha(describe_connection(&app, &id).await), "no_redundancy");
    create_tunnel(&app, &connection, 0, "203.0.113.1").await;
    assert_eq!(ha(describe_connection(&app, &id).await), "redundancy");
}

#[tokio::test]
async fn modify_admin_status_paths() {
    let app = new_app();
    let (_, _, connection) = tunnel_fixture(&app).await;
    let tunnel = create_tunnel(&app, &connection, 0, "203.0.113.1").await;
    let id = s(&tunnel["vpnTunnelId"]);

    // Raw ':' (what the Go SDK sends as-is), encoded `%3A` and `%3a`; flat and wrapped bodies.
    for (suffix, body, expected) in [
        (":adminStatus", json!({"adminStatus": "DOWN"}), "DOWN"),
        ("%3AadminStatus", json!({"adminStatus": "UP"}), "UP"),
        (
            "%3aadminStatus",
            json!({"regionId": REGION, "vpnTunnelId": id, "adminStatus": "DOWN"}),
            "DOWN",
        ),
        (
            ":adminStatus",
            json!({"vpnTunnelAdminStatus": {"adminStatus": "UP"}}),
            "UP",
        ),
    ] {
        let uri = format!("{VPNTS}{id}{suffix}");
        let (status, headers, resp) = send(&app, signed("POST", &uri, Some(body))).await;
        assert_eq!(status, StatusCode::OK, "{uri}: {resp}");
        assert_eq!(headers["x-jdcloud-operationid"], "modifyAdminStatus");
        assert!(resp.get("result").is_none(), "{resp}");
        let got = describe_tunnel(&app, &id).await;
        assert_eq!(got["adminStatus"], expected, "{uri}");
        assert_eq!(got["opStatus"], expected, "{uri}");
    }
    let uri = format!("{VPNTS}{id}:adminStatus");
    fails(
        &app,
        "POST",
        &uri,
        Some(json!({"adminStatus": "up"})),
        bad("adminStatus \"up\" is invalid"),
    )
    .await;
    fails(
        &app,
        "POST",
        &uri,
        Some(json!({})),
        bad("adminStatus missing"),
    )
    .await;
    fails(
        &app,
        "POST",
        &format!("{VPNTS}{id}:otherAction"),
        Some(json!({"adminStatus": "UP"})),
        not_found("no JD Cloud operation"),
    )
    .await;
    fails(
        &app,
        "POST",
        &format!("{VPNTS}vpnt-missing1%3AadminStatus"),
        Some(json!({"adminStatus": "UP"})),
        not_found("VpnTunnel 'vpnt-missing1'"),
    )
    .await;
    let (_, counts) = send_admin(&app, "GET", "/_sandbox/requests").await;
    assert_eq!(counts["jdcloud.modifyAdminStatus"], 7, "{counts}");
}

// ---------------------------------------------------------------------------------------------
// Border-gateway static routes
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn bgw_route_round_trip() {
    let app = new_app();
    let (bgw, _, connection) = tunnel_fixture(&app).await;
    let connection_id = s(&connection["vpnConnectionId"]);
    let attachment = create_attachment(&app, &bgw, "vpc-abcd").await;
    let routes = routes_of(&bgw);

    let result = ok(
        &app,
        "POST",
        &routes,
        Some(json!({"bgwRouteSpec": {
            "bgwRouteDestination": "192.168.0.0/16", "bgwNexthopType": "vpn_connection",
            "bgwRouteNexthop": connection_id, "description": "to the office"
        }})),
    )
    .await;
    let id = s(&result["bgwRouteId"]);
    assert!(id.starts_with("bgwr-"), "{id}");
    let object = result["bgwRoute"].clone();
    assert_eq!(
        object,
        json!({"bgwRouteId": id, "bgwId": bgw, "bgwRouteDestination": "192.168.0.0/16",
               "bgwRouteNexthop": connection_id, "origin": "static", "bgwRoutePriority": 100,
               "bgwRouteNextHopType": "vpnConnection", "description": "to the office"})
    );
    // Next-hop type left out: taken from the next hop (flat body).
    let to_vpc = ok(
        &app,
        "POST",
        &routes,
        Some(json!({"bgwRouteDestination": "10.0.0.0/8", "bgwRouteNexthop": attachment})),
    )
    .await;
    let to_vpc_id = s(&to_vpc["bgwRouteId"]);
    assert_eq!(to_vpc["bgwRoute"]["bgwRouteNextHopType"], "vpcAttachment");
    assert_eq!(to_vpc["bgwRoute"]["description"], "");

    let item = format!("{routes}{id}");
    assert_eq!(ok(&app, "GET", &item, None).await["bgwRoute"], object);
    let listed = ok(&app, "GET", &routes, None).await;
    assert_eq!(listed["totalCount"], 2);
    assert_eq!(listed["bgwRoutes"][0], object);
    for (filter, value, expected) in [
        ("bgwRouteIds", to_vpc_id.as_str(), &to_vpc_id),
        ("bgwRouteDestination", "192.168.0.0/16", &id),
        ("bgwRouteNexthop", attachment.as_str(), &to_vpc_id),
    ] {
        let q = format!("{routes}?filters.1.name={filter}&filters.1.values.1={value}");
        let result = ok(&app, "GET", &q, None).await;
        assert_eq!(result["totalCount"], 1, "{filter}");
        assert_eq!(result["bgwRoutes"][0]["bgwRouteId"], expected.as_str());
    }
    // Another gateway's list is its own.
    let other_bgw = create_bgw(&app, "other").await;
    assert_eq!(
        ok(&app, "GET", &routes_of(&other_bgw), None).await,
        json!({"bgwRoutes": [], "totalCount": 0})
    );
    fails(
        &app,
        "GET",
        &format!("{}{id}", routes_of(&other_bgw)),
        None,
        not_found(&id),
    )
    .await;

    // Modify: every field but the description is required.
    ok(
        &app,
        "PATCH",
        &item,
        Some(json!({"modifyBgwRouteSpec": {
            "bgwRouteId": id, "bgwRouteDestination": "172.16.0.0/12",
            "bgwNexthopType": "vpc_attachment", "bgwRouteNexthop": attachment
        }})),
    )
    .await;
    let got = ok(&app, "GET", &item, None).await["bgwRoute"].clone();
    assert_eq!(got["bgwRouteDestination"], "172.16.0.0/12");
    assert_eq!(got["bgwRouteNexthop"], attachment.as_str());
    assert_eq!(got["bgwRouteNextHopType"], "vpcAttachment");
    assert_eq!(got["description"], "to the office", "kept when omitted");

    ok(&app, "DELETE", &item, None).await;
    fails(&app, "GET", &item, None, not_found(&id)).await;
    fails(&app, "DELETE", &item, None, not_found(&id)).await;
    let (_, counts) = send_admin(&app, "GET", "/_sandbox/requests").await;
    assert_eq!(counts["jdcloud.createBgwRoutes"], 2, "{counts}");
    assert_eq!(counts["jdcloud.deleteBgwRoutes"], 2, "{counts}");
}

#[tokio::test]
async fn bgw_route_validation() {
    let app = new_app();
    let (bgw, cgw, connection) = tunnel_fixture(&app).await;
    let connection_id = s(&connection["vpnConnectionId"]);
    let attachment = create_attachment(&app, &bgw, "vpc-abcd").await;
    let other_bgw = create_bgw(&app, "other").await;
    let foreign = s(&create_connection(&app, &other_bgw, &cgw).await["vpnConnectionId"]);
    let routes = routes_of(&bgw);
    let r = |d: &str, t: Option<&str>, n: &str| Some(route_spec(d, t, n));
    let wrong_kind = format!("VpnConnection '{attachment}'");
    let wrong_bgw = format!("belongs to Bgw '{other_bgw}', not to Bgw '{bgw}'");
    let cases: Vec<Case<'_>> = vec![
        (
            Some(json!({"bgwRouteSpec": {"bgwRouteNexthop": connection_id}})),
            bad("bgwRouteSpec.bgwRouteDestination missing"),
        ),
        (
            Some(json!({"bgwRouteSpec": {"bgwRouteDestination": "10.0.0.0/8"}})),
            bad("bgwRouteSpec.bgwRouteNexthop missing"),
        ),
        (
            r("10.0.0.1/8", None, &connection_id),
            bad("is not a canonical CIDR block (did you mean 10.0.0.0/8?)"),
        ),
        (
            r("10.0.0.0", None, &connection_id),
            bad("is not an IPv4 CIDR"),
        ),
        (
            r("10.0.0.0/8", Some("private_vif"), &connection_id),
            bad("private_vif is not supported by the sandbox"),
        ),
        (
            r("10.0.0.0/8", Some("hosted_private_vif"), &connection_id),
            bad("not supported by the sandbox"),
        ),
        (
            r("10.0.0.0/8", Some("vpnConnection"), &connection_id),
            bad("bgwNexthopType \"vpnConnection\" is invalid"),
        ),
        (
            r("10.0.0.0/8", Some("vpn_connection"), &attachment),
            not_found(&wrong_kind),
        ),
        (
            r("10.0.0.0/8", Some("vpc_attachment"), "vpca-missing1"),
            not_found("vpca-missing1"),
        ),
        (
            r("10.0.0.0/8", None, "vpnc-missing1"),
            not_found("vpnc-missing1"),
        ),
        (r("10.0.0.0/8", None, &foreign), bad(&wrong_bgw)),
    ];
    for (body, expected) in cases {
        fails(&app, "POST", &routes, body, expected).await;
    }
    fails(
        &app,
        "POST",
        &routes_of("bgw-missing1"),
        r("10.0.0.0/8", None, &connection_id),
        not_found("Bgw 'bgw-missing1'"),
    )
    .await;
    fails(
        &app,
        "GET",
        &routes_of("bgw-missing1"),
        None,
        not_found("bgw-missing1"),
    )
    .await;

    // Duplicate (destination, next hop); the same destination via another next hop is fine.
    let first = create_route(&app, &bgw, "10.0.0.0/8", &connection_id).await;
    fails(
        &app,
        "POST",
        &routes,
        r("10.0.0.0/8", Some("vpn_connection"), &connection_id),
        precondition(&format!("BgwRoute '{first}' already routes 10.0.0.0/8")),
    )
    .await;
    let second = create_route(&app, &bgw, "10.0.0.0/8", &attachment).await;

    let item = format!("{routes}{second}");
    let m = |extra: Value| {
        let mut spec = json!({"bgwRouteId": second, "bgwRouteDestination": "10.0.0.0/8",
                              "bgwNexthopType": "vpc_attachment", "bgwRouteNexthop": attachment});
        for (k, v) in extra.as_object().unwrap() {
            if v.is_null() {
                spec.as_object_mut().unwrap().remove(k);
            } else {
                spec[k] = v.clone();
            }
        }
        Some(json!({ "modifyBgwRouteSpec": spec }))
    };
    let cases: Vec<Case<'_>> = vec![
        (
            m(json!({"bgwRouteId": null})),
            bad("modifyBgwRouteSpec.bgwRouteId missing"),
        ),
        (
            m(json!({"bgwRouteId": first})),
            bad("does not match the route in the path"),
        ),
        (
            m(json!({"bgwNexthopType": null})),
            bad("modifyBgwRouteSpec.bgwNexthopType missing"),
        ),
        (
            m(json!({"bgwRouteDestination": null})),
            bad("modifyBgwRouteSpec.bgwRouteDestination missing"),
        ),
        (
            m(json!({"bgwNexthopType": "vpn_connection", "bgwRouteNexthop": connection_id})),
            precondition(&first),
        ),
        (
            m(json!({"bgwRouteDestination": "10.0.0.0/33"})),
            bad("bgwRouteDestination"),
        ),
        (
            m(json!({"description": "d".repeat(257)})),
            bad("modifyBgwRouteSpec.description"),
        ),
    ];
    for (body, expected) in cases {
        fails(&app, "PATCH", &item, body, expected).await;
    }
    // Resending its own values is not a duplicate.
    ok(&app, "PUT", &item, m(json!({"description": "same route"}))).await;
    fails(
        &app,
        "PATCH",
        &format!("{routes}bgwr-missing1"),
        m(json!({})),
        not_found("bgwr-missing1"),
    )
    .await;
}

#[tokio::test]
async fn bgw_route_quota_per_bgw() {
    let app = new_app();
    let bgw = create_bgw(&app, "bgw").await;
    let attachment = create_attachment(&app, &bgw, "vpc-abcd").await;
    for i in 0..50 {
        create_route(&app, &bgw, &format!("10.{i}.0.0/16"), &attachment).await;
    }
    fails(
        &app,
        "POST",
        &routes_of(&bgw),
        Some(route_spec("10.200.0.0/16", None, &attachment)),
        quota("BgwRoute quota"),
    )
    .await;
}

// ---------------------------------------------------------------------------------------------
// Delete order across resources
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn delete_order_is_enforced() {
    let app = new_app();
    let (bgw, cgw, connection) = tunnel_fixture(&app).await;
    let connection_id = s(&connection["vpnConnectionId"]);
    let attachment = create_attachment(&app, &bgw, "vpc-abcd").await;
    let tunnel = create_tunnel(&app, &connection, 0, "203.0.113.1").await;
    let tunnel_id = s(&tunnel["vpnTunnelId"]);
    let vpn_route = create_route(&app, &bgw, "192.168.0.0/16", &connection_id).await;
    let vpc_route = create_route(&app, &bgw, "10.0.0.0/8", &attachment).await;

    let bgw_item = format!("{BGWS}{bgw}");
    let cgw_item = format!("{CGWS}{cgw}");
    let connection_item = format!("{VPNCS}{connection_id}");
    let attachment_item = format!("{VPCAS}{attachment}");
    let tunnel_item = format!("{VPNTS}{tunnel_id}");

    // A border gateway with children.
    let (status, body) = call(&app, "DELETE", &bgw_item, None).await;
    assert_error(status, &body, 400, "FAILED_PRECONDITION", &attachment);
    for needle in [&connection_id, &vpn_route, &vpc_route] {
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains(needle.as_str()),
            "{body}"
        );
    }
    // A customer gateway used by a connection; its addresses while a tunnel exists.
    fails(
        &app,
        "DELETE",
        &cgw_item,
        None,
        precondition(&connection_id),
    )
    .await;
    fails(
        &app,
        "PATCH",
        &cgw_item,
        Some(json!({"modifyCustomerGatewaySpec": {"customerIps": ["203.0.113.1"]}})),
        precondition(&format!("while VPN tunnels {tunnel_id} exist")),
    )
    .await;
    // Same addresses, name and description are still modifiable.
    ok(
        &app,
        "PATCH",
        &cgw_item,
        Some(json!({"modifyCustomerGatewaySpec": {
            "customerGatewayName": "renamed", "customerIps": ["203.0.113.1", "203.0.113.2"]
        }})),
    )
    .await;
    // A connection with a tunnel, then with a route; an attachment with a route.
    fails(
        &app,
        "DELETE",
        &connection_item,
        None,
        precondition(&tunnel_id),
    )
    .await;
    fails(
        &app,
        "DELETE",
        &tunnel_item,
        None,
        precondition("tunnel must be DOWN"),
    )
    .await;
    set_admin_status(&app, &tunnel_id, "DOWN").await;
    ok(&app, "DELETE", &tunnel_item, None).await;
    // Without tunnels the customer gateway's addresses may change again.
    ok(
        &app,
        "PATCH",
        &cgw_item,
        Some(json!({"customerIps": ["203.0.113.7"]})),
    )
    .await;
    fails(
        &app,
        "DELETE",
        &connection_item,
        None,
        precondition(&vpn_route),
    )
    .await;
    fails(
        &app,
        "DELETE",
        &attachment_item,
        None,
        precondition(&vpc_route),
    )
    .await;
    for route in [&vpn_route, &vpc_route] {
        ok(&app, "DELETE", &format!("{}{route}", routes_of(&bgw)), None).await;
    }
    fails(
        &app,
        "DELETE",
        &bgw_item,
        None,
        precondition("VPN connections"),
    )
    .await;
    ok(&app, "DELETE", &connection_item, None).await;
    ok(&app, "DELETE", &cgw_item, None).await;
    fails(
        &app,
        "DELETE",
        &bgw_item,
        None,
        precondition("VPC attachments"),
    )
    .await;
    ok(&app, "DELETE", &attachment_item, None).await;
    ok(&app, "DELETE", &bgw_item, None).await;

    let (_, state) = send_admin(&app, "GET", "/_sandbox/state").await;
    assert_eq!(state, empty_state());
}

// ---------------------------------------------------------------------------------------------
// Admin state and rate limit
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn state_lists_every_kind() {
    let app = new_app();
    let (bgw, cgw, connection) = tunnel_fixture(&app).await;
    let connection_id = s(&connection["vpnConnectionId"]);
    create_attachment(&app, &bgw, "vpc-abcd").await;
    let tunnel = create_tunnel(&app, &connection, 0, "203.0.113.1").await;
    create_route(&app, &bgw, "192.168.0.0/16", &connection_id).await;
    let (_, state) = send_admin(&app, "GET", "/_sandbox/state").await;
    let jd = &state["jdcloud"];
    assert_eq!(
        sorted_keys(jd),
        [
            "bgw_routes",
            "bgws",
            "customer_gateways",
            "vpc_attachments",
            "vpn_connections",
            "vpn_tunnels"
        ]
    );
    for kind in sorted_keys(jd) {
        assert_eq!(jd[kind].as_array().unwrap().len(), 1, "{kind}");
    }
    // Stored bodies are the API objects, child lists and haStatus included.
    assert_eq!(jd["bgws"][0], describe_bgw(&app, &bgw).await);
    assert_eq!(jd["bgws"][0]["vpnConnectionIds"], json!([connection_id]));
    assert_eq!(
        jd["customer_gateways"][0]["customerGatewayId"],
        cgw.as_str()
    );
    assert_eq!(jd["vpn_tunnels"][0], tunnel);
    assert_eq!(
        jd["vpn_connections"][0],
        describe_connection(&app, &connection_id).await
    );

    send_admin(&app, "POST", "/_sandbox/reset").await;
    let (_, state) = send_admin(&app, "GET", "/_sandbox/state").await;
    assert_eq!(state, empty_state());
}

fn limited_app(limit: u32) -> Router {
    app(SandboxState::open(SandboxConfig {
        rate_limit_per_minute: limit,
        ..SandboxConfig::default()
    })
    .unwrap())
}

#[tokio::test]
async fn rate_limit() {
    assert_eq!(SandboxConfig::default().rate_limit_per_minute, 1000);
    let app = limited_app(3);
    for _ in 0..3 {
        ok(&app, "GET", BGWS, None).await;
    }
    let (status, headers, body) = send(&app, signed("GET", BGWS, None)).await;
    assert_error(
        status,
        &body,
        429,
        "RATE_LIMIT",
        "at most 3 calls per minute",
    );
    assert_eq!(
        headers["x-jdcloud-request-id"],
        body["requestId"].as_str().unwrap()
    );
    // Whatever the operation; authentication is still checked first.
    fails(
        &app,
        "POST",
        BGWS,
        Some(bgw_spec("x")),
        (429, "RATE_LIMIT", "calls per minute"),
    )
    .await;
    let unsigned = axum::http::Request::get(BGWS)
        .body(axum::body::Body::empty())
        .unwrap();
    let (status, _, body) = send(&app, unsigned).await;
    assert_error(
        status,
        &body,
        401,
        "ACCESS_ERROR",
        "lack of header authorization",
    );
    // Admin routes are never limited; refused calls are counted, not run.
    let (status, counts) = send_admin(&app, "GET", "/_sandbox/requests").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        counts,
        json!({"jdcloud.describeBgws": 3, "rate_limit.rejected": 2, "auth.rejected": 1})
    );
    // Reset forgets the window.
    send_admin(&app, "POST", "/_sandbox/reset").await;
    ok(&app, "GET", BGWS, None).await;

    // 0 disables the limit.
    let app = limited_app(0);
    for _ in 0..20 {
        ok(&app, "GET", BGWS, None).await;
    }
}
