//! Border-gateway static routes, delete order across resources, `/_sandbox/state` and the rate
//! limit.

use super::fixtures::*;
use super::*;

// ---------------------------------------------------------------------------------------------
// Border-gateway static routes
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn bgw_route_round_trip() {
    let app = new_app();
    let (bgw, _, _, connection_id, attachment) = next_hops(&app).await;
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
    let listing = Listing {
        items: &routes,
        list: "bgwRoutes",
        id: "bgwRouteId",
    };
    for (filter, value, expected) in [
        ("bgwRouteIds", to_vpc_id.as_str(), to_vpc_id.as_str()),
        ("bgwRouteDestination", "192.168.0.0/16", id.as_str()),
        ("bgwRouteNexthop", attachment.as_str(), to_vpc_id.as_str()),
    ] {
        assert_eq!(
            listing.filtered(&app, filter, value).await,
            [expected],
            "{filter}"
        );
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

    delete_gone(&app, &item, &id).await;
    fails(&app, "DELETE", &item, None, not_found(&id)).await;
    assert_counts(
        &app,
        cases! { "jdcloud.createBgwRoutes" => 2, "jdcloud.deleteBgwRoutes" => 2 },
    )
    .await;
}

#[tokio::test]
async fn bgw_route_validation() {
    let app = new_app();
    let (bgw, cgw, _, connection_id, attachment) = next_hops(&app).await;
    let other_bgw = create_bgw(&app, "other").await;
    let foreign = s(&create_connection(&app, &other_bgw, &cgw).await["vpnConnectionId"]);
    let routes = routes_of(&bgw);
    let r = |d: &str, t: Option<&str>, n: &str| Some(route_spec(d, t, n));
    let wrong_kind = format!("VpnConnection '{attachment}'");
    let wrong_bgw = format!("belongs to Bgw '{other_bgw}', not to Bgw '{bgw}'");
    let cases: Vec<Case<'_>> = cases! {
        Some(json!({"bgwRouteSpec": {"bgwRouteNexthop": connection_id}}))
            => bad("bgwRouteSpec.bgwRouteDestination missing"),
        Some(json!({"bgwRouteSpec": {"bgwRouteDestination": "10.0.0.0/8"}}))
            => bad("bgwRouteSpec.bgwRouteNexthop missing"),
        r("10.0.0.1/8", None, &connection_id)
            => bad("is not a canonical CIDR block (did you mean 10.0.0.0/8?)"),
        r("10.0.0.0", None, &connection_id) => bad("is not an IPv4 CIDR"),
        r("10.0.0.0/8", Some("private_vif"), &connection_id)
            => bad("private_vif is not supported by the sandbox"),
        r("10.0.0.0/8", Some("hosted_private_vif"), &connection_id)
            => bad("not supported by the sandbox"),
        r("10.0.0.0/8", Some("vpnConnection"), &connection_id)
            => bad("bgwNexthopType \"vpnConnection\" is invalid"),
        r("10.0.0.0/8", Some("vpn_connection"), &attachment) => not_found(&wrong_kind),
        r("10.0.0.0/8", Some("vpc_attachment"), "vpca-missing1") => not_found("vpca-missing1"),
        r("10.0.0.0/8", None, "vpnc-missing1") => not_found("vpnc-missing1"),
        r("10.0.0.0/8", None, &foreign) => bad(&wrong_bgw),
    };
    for (body, expected) in cases {
        fails(&app, "POST", &routes, body, expected).await;
    }
    all_fail(
        &app,
        cases! {
            req("POST", &routes_of("bgw-missing1"), r("10.0.0.0/8", None, &connection_id))
                => not_found("Bgw 'bgw-missing1'"),
            req("GET", &routes_of("bgw-missing1"), None) => not_found("bgw-missing1"),
        },
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
    let cases: Vec<Case<'_>> = cases! {
        m(json!({"bgwRouteId": null})) => bad("modifyBgwRouteSpec.bgwRouteId missing"),
        m(json!({"bgwRouteId": first})) => bad("does not match the route in the path"),
        m(json!({"bgwNexthopType": null})) => bad("modifyBgwRouteSpec.bgwNexthopType missing"),
        m(json!({"bgwRouteDestination": null}))
            => bad("modifyBgwRouteSpec.bgwRouteDestination missing"),
        m(json!({"bgwNexthopType": "vpn_connection", "bgwRouteNexthop": connection_id}))
            => precondition(&first),
        m(json!({"bgwRouteDestination": "10.0.0.0/33"})) => bad("bgwRouteDestination"),
        m(json!({"description": "d".repeat(257)})) => bad("modifyBgwRouteSpec.description"),
    };
    for (body, expected) in cases {
        fails(&app, "PATCH", &item, body, expected).await;
    }
    // Resending its own values is not a duplicate.
    ok(&app, "PUT", &item, m(json!({"description": "same route"}))).await;
    fails_missing(&app, "PATCH", &routes, "bgwr-missing1", m(json!({}))).await;
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
    let (bgw, cgw, connection, connection_id, attachment) = next_hops(&app).await;
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
    all_fail(&app, cases! {
        req("DELETE", &cgw_item, None) => precondition(&connection_id),
        req("PATCH", &cgw_item, Some(json!({"modifyCustomerGatewaySpec": {"customerIps": ["203.0.113.1"]}})))
            => precondition(&format!("while VPN tunnels {tunnel_id} exist")),
    })
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
    all_fail(
        &app,
        cases! {
            req("DELETE", &connection_item, None) => precondition(&tunnel_id),
            req("DELETE", &tunnel_item, None) => precondition("tunnel must be DOWN"),
        },
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
    all_fail(
        &app,
        cases! {
            req("DELETE", &connection_item, None) => precondition(&vpn_route),
            req("DELETE", &attachment_item, None) => precondition(&vpc_route),
        },
    )
    .await;
    for route in [&vpn_route, &vpc_route] {
        ok(&app, "DELETE", &format!("{}{route}", routes_of(&bgw)), None).await;
    }
    // The border gateway refuses while connections, then attachments, still use it.
    for (blocked_by, then_delete) in [
        ("VPN connections", [&connection_item, &cgw_item]),
        ("VPC attachments", [&attachment_item, &bgw_item]),
    ] {
        fails(&app, "DELETE", &bgw_item, None, precondition(blocked_by)).await;
        for item in then_delete {
            ok(&app, "DELETE", item, None).await;
        }
    }

    let (_, state) = send_admin(&app, "GET", "/_sandbox/state").await;
    assert_eq!(state, empty_state());
}

// ---------------------------------------------------------------------------------------------
// Admin state and rate limit
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn state_lists_every_kind() {
    let app = new_app();
    let (bgw, cgw, connection, connection_id, _) = next_hops(&app).await;
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
    // Stored bodies are the API objects, child lists and haStatus included, plus their region.
    let in_region = |mut object: Value| {
        object["region"] = json!("cn-north-1");
        object
    };
    assert_eq!(jd["bgws"][0], in_region(describe_bgw(&app, &bgw).await));
    assert_eq!(jd["bgws"][0]["vpnConnectionIds"], json!([connection_id]));
    assert_eq!(
        jd["customer_gateways"][0]["customerGatewayId"],
        cgw.as_str()
    );
    assert_eq!(jd["vpn_tunnels"][0], in_region(tunnel));
    assert_eq!(
        jd["vpn_connections"][0],
        in_region(describe_connection(&app, &connection_id).await)
    );

    send_admin(&app, "POST", "/_sandbox/reset").await;
    let (_, state) = send_admin(&app, "GET", "/_sandbox/state").await;
    assert_eq!(state, empty_state());
}

fn limited_app(limit: u32) -> Router {
    app(SandboxState::open(SandboxConfig {
        rate_limit_per_minute: limit,
        clock: Clock::manual(),
        ..SandboxConfig::default()
    })
    .unwrap())
}

/// A refusal says when the window admits a call again, in whole seconds rounded up, from the
/// oldest admission in the sandbox's clock (docs/design/jdcloud.md §8.19).
#[tokio::test]
async fn throttled_answers_say_when_to_call_again() {
    let app = limited_app(2);
    ok(&app, "GET", BGWS, None).await;
    admin_with_body(&app, "POST", "/_sandbox/clock", r#"{"advance_ms": 10000}"#).await;
    ok(&app, "GET", BGWS, None).await;
    let retry_after = |headers: &axum::http::HeaderMap| {
        assert!(headers.get("x-acs-retry-after").is_none(), "{headers:?}");
        headers["retry-after"].to_str().unwrap().to_owned()
    };
    admin_with_body(&app, "POST", "/_sandbox/clock", r#"{"advance_ms": 10500}"#).await;
    let (status, headers, _) = send(&app, signed("GET", BGWS, None)).await;
    assert_eq!((status.as_u16(), retry_after(&headers)), (429, "40".into()));
    admin_with_body(&app, "POST", "/_sandbox/clock", r#"{"advance_ms": 39000}"#).await;
    let (status, headers, _) = send(&app, signed("GET", BGWS, None)).await;
    assert_eq!((status.as_u16(), retry_after(&headers)), (429, "1".into()));
    admin_with_body(&app, "POST", "/_sandbox/clock", r#"{"advance_ms": 500}"#).await;
    let (status, headers, _) = send(&app, signed("GET", BGWS, None)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers.get("retry-after").is_none());
    // The second call (at 10 s) is now the oldest: 10 s more.
    let (status, headers, _) = send(&app, signed("GET", BGWS, None)).await;
    assert_eq!((status.as_u16(), retry_after(&headers)), (429, "10".into()));
}

/// The refusal of a call over the per-minute limit.
const LIMITED: Expected<'static> = (429, "RATE_LIMIT", "calls per minute");

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
    fails(&app, "POST", BGWS, Some(bgw_spec("x")), LIMITED).await;
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

    // The window is a minute of the sandbox's clock: advancing it lets calls through again.
    let app = limited_app(1);
    ok(&app, "GET", BGWS, None).await;
    fails(&app, "GET", BGWS, None, LIMITED).await;
    let minute = r#"{"advance_ms": 59999}"#;
    admin_with_body(&app, "POST", "/_sandbox/clock", minute).await;
    fails(&app, "GET", BGWS, None, LIMITED).await;
    admin_with_body(&app, "POST", "/_sandbox/clock", r#"{"advance_ms": 1}"#).await;
    ok(&app, "GET", BGWS, None).await;

    // 0 disables the limit.
    let app = limited_app(0);
    for _ in 0..20 {
        ok(&app, "GET", BGWS, None).await;
    }
}
