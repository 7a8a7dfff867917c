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
use axum::http::{Request, StatusCode};
use axum::Router;
use serde_json::{json, Value};
use time::OffsetDateTime;

pub(super) use crate::sandbox::tests::acs::{acs3_post, acs_date, signed_request, Signing, HOST};
use crate::sandbox::tests::admin_with_body;
use crate::sandbox::tests::cases::cases;
pub(super) use crate::sandbox::tests::{assert_counts, request_counts, send, sorted_keys};
use crate::sandbox::{app, Clock, SandboxConfig, SandboxState};
pub(super) use crate::signer::acs3;
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

/// An action and the API version it belongs to, named once here so that a call fits one line.
pub(super) type Action<'a> = (&'a str, &'a str);

pub(super) const CREATE_CGW: Action = ("CreateCustomerGateway", VPC);
pub(super) const DESCRIBE_CGW: Action = ("DescribeCustomerGateway", VPC);
pub(super) const DESCRIBE_CGWS: Action = ("DescribeCustomerGateways", VPC);
pub(super) const MODIFY_CGW: Action = ("ModifyCustomerGatewayAttribute", VPC);
pub(super) const DELETE_CGW: Action = ("DeleteCustomerGateway", VPC);
pub(super) const CREATE_VCO: Action = ("CreateVpnAttachment", VPC);
pub(super) const DESCRIBE_VCO: Action = ("DescribeVpnConnection", VPC);
pub(super) const DESCRIBE_VCOS: Action = ("DescribeVpnConnections", VPC);
pub(super) const MODIFY_VCO: Action = ("ModifyVpnAttachmentAttribute", VPC);
pub(super) const DELETE_VCO: Action = ("DeleteVpnAttachment", VPC);
pub(super) const CREATE_ROUTE: Action = ("CreateVcoRouteEntry", VPC);
pub(super) const DESCRIBE_ROUTES: Action = ("DescribeVcoRouteEntries", VPC);
pub(super) const MODIFY_ROUTE_WEIGHT: Action = ("ModifyVcoRouteEntryWeight", VPC);
pub(super) const DELETE_ROUTE: Action = ("DeleteVcoRouteEntry", VPC);
pub(super) const CREATE_ATT: Action = ("CreateTransitRouterVpnAttachment", CBN);
pub(super) const LIST_ATTS: Action = ("ListTransitRouterVpnAttachments", CBN);
pub(super) const UPDATE_ATT: Action = ("UpdateTransitRouterVpnAttachmentAttribute", CBN);
pub(super) const DELETE_ATT: Action = ("DeleteTransitRouterVpnAttachment", CBN);
pub(super) const ASSOCIATE_TABLE: Action = ("AssociateTransitRouterAttachmentWithRouteTable", CBN);
pub(super) const LIST_ASSOCIATIONS: Action = ("ListTransitRouterRouteTableAssociations", CBN);
pub(super) const LIST_TABLES: Action = ("ListTransitRouterRouteTables", CBN);
pub(super) const LIST_TR_ROUTES: Action = ("ListTransitRouterRouteEntries", CBN);

/// A refusal a call must meet: HTTP status and `Code`.
pub(super) type Expected<'a> = (u16, &'a str);

pub(super) const CGW_NOT_FOUND: Expected = (404, "InvalidCustomerGatewayInstanceId.NotFound");
pub(super) const VCO_NOT_FOUND: Expected = (404, "InvalidVpnConnectionInstanceId.NotFound");
pub(super) const ROUTE_NOT_FOUND: Expected = (404, "InvalidVcoRouteEntry.NotFound");
pub(super) const VCO_CONFIGURING: Expected = (400, "VpnConnection.Configuring");
pub(super) const TOKEN_MISMATCH: Expected = (400, "IdempotentParameterMismatch");
pub(super) const DRY_RUN: Expected = (400, "DryRunOperation");

/// An ACS3 call; `TunnelOptionsSpecification.*` go in a form body like the SDK sends them.
pub(super) async fn call(
    app: &Router,
    action: Action<'_>,
    params: &[(&str, &str)],
) -> (StatusCode, Value) {
    call_with(app, action, params, &Signing::default()).await
}

pub(super) async fn call_with(
    app: &Router,
    (action, version): Action<'_>,
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
pub(super) async fn ok(app: &Router, action: Action<'_>, params: &[(&str, &str)]) -> Value {
    let (status, body) = call(app, action, params).await;
    assert_eq!(status, StatusCode::OK, "{action:?} {params:?}: {body}");
    assert!(body["RequestId"].is_string(), "{body}");
    body
}

/// The parameters naming a connection, a customer gateway, a transit-router attachment.
pub(super) fn vco_of(id: &str) -> [(&'static str, &str); 2] {
    [("RegionId", REGION), ("VpnConnectionId", id)]
}

pub(super) fn cgw_of(id: &str) -> [(&'static str, &str); 2] {
    [("RegionId", REGION), ("CustomerGatewayId", id)]
}

pub(super) fn att_of(id: &str) -> [(&'static str, &str); 1] {
    [("TransitRouterAttachmentId", id)]
}

/// A call of a Vpc or a Cbn action: action and version, parameters.
pub(super) type Call<'a> = (Action<'a>, &'a [(&'a str, &'a str)]);

pub(super) fn vpc<'a>(action: &'a str, params: &'a [(&'a str, &'a str)]) -> Call<'a> {
    ((action, VPC), params)
}

pub(super) fn cbn<'a>(action: &'a str, params: &'a [(&'a str, &'a str)]) -> Call<'a> {
    ((action, CBN), params)
}

/// Each call must fail with its HTTP status and code (written with `cases!`).
pub(super) async fn all_fail(app: &Router, calls: Vec<(Call<'_>, Expected<'_>)>) {
    for ((action, params), expected) in calls {
        fails(app, action, params, expected).await;
    }
}

/// A call that must fail with `http` and `code`; its message.
pub(super) async fn fails(
    app: &Router,
    action: Action<'_>,
    params: &[(&str, &str)],
    (http, code): Expected<'_>,
) -> String {
    let (status, body) = call(app, action, params).await;
    let context = format!("{action:?} {params:?}: {body}");
    assert_eq!(
        (status.as_u16(), &body["Code"]),
        (http, &json!(code)),
        "{context}"
    );
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

/// A `/_sandbox/…` call that must succeed; its body.
pub(super) async fn admin(app: &Router, method: &str, uri: &str) -> Value {
    let (status, body) = admin_with_body(app, method, uri, "").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// The stored objects of `kind` (`/_sandbox/state`).
pub(super) async fn stored(app: &Router, kind: &str) -> Vec<Value> {
    let state = admin(app, "GET", "/_sandbox/state").await;
    state["alicloud"][kind].as_array().unwrap().clone()
}

/// Moves the sandbox's clock `ms` forward (`POST /_sandbox/clock`), as the acceptance tests do:
/// what is pending and due settles on the next call.
pub(super) async fn advance(app: &Router, ms: u64) {
    let advance = format!(r#"{{"advance_ms": {ms}}}"#);
    let (status, body) = admin_with_body(app, "POST", "/_sandbox/clock", &advance).await;
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
    let body = ok(app, CREATE_CGW, &params).await;
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

/// Two gateways with ASNs (65001 and 65002) for a connection's two tunnels.
pub(super) async fn create_cgws(app: &Router) -> (String, String) {
    let cgw1 = create_cgw(app, "203.0.113.10", Some("65001")).await;
    let cgw2 = create_cgw(app, "203.0.113.11", Some("65002")).await;
    (cgw1, cgw2)
}

/// Two gateways and a connection over them; (connection, gateway 1, gateway 2).
pub(super) async fn create_vco(app: &Router) -> (String, String, String) {
    let (cgw1, cgw2) = create_cgws(app).await;
    let body = ok(app, CREATE_VCO, &vco_params(&cgw1, &cgw2)).await;
    let id = body["VpnConnectionId"].as_str().unwrap().to_owned();
    (id, cgw1, cgw2)
}

pub(super) async fn describe_vco(app: &Router, id: &str) -> Value {
    ok(
        app,
        DESCRIBE_VCO,
        &[("RegionId", REGION), ("VpnConnectionId", id)],
    )
    .await
}
