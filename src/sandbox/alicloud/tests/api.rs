//! Authentication (both dialects), dispatch errors, throttling and `/_sandbox/state`.

use super::*;

// ---------------------------------------------------------------------------------------------
// Authentication and dispatch
// ---------------------------------------------------------------------------------------------

const DESCRIBE_CGWS: (&str, &str) = ("DescribeCustomerGateways", VPC);

async fn describe_cgws_with(app: &Router, s: &Signing) -> (StatusCode, Value) {
    call_with(app, DESCRIBE_CGWS, &[("RegionId", REGION)], s).await
}

#[tokio::test]
async fn both_dialects_are_accepted() {
    let app = new_app(0);
    for v1 in [false, true] {
        for method in ["POST", "GET"] {
            let s = Signing {
                v1,
                method,
                ..Signing::default()
            };
            let (status, body) = describe_cgws_with(&app, &s).await;
            assert_eq!(status, StatusCode::OK, "v1={v1} {method}: {body}");
            let rid = body["RequestId"].as_str().unwrap();
            assert_eq!(rid.len(), 36);
            assert_eq!(rid, rid.to_uppercase());
        }
    }
    // A V1 call with its parameters (Action included) only in a form body.
    let s = Signing {
        v1: true,
        ..Signing::default()
    };
    let req = signed_request(DESCRIBE_CGWS.0, VPC, &[], &[("RegionId", REGION)], &s);
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap();
    let query = parts.uri.query().unwrap().to_owned();
    let moved = Request::post("/")
        .header("host", HOST)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(format!(
            "{query}&{}",
            String::from_utf8_lossy(&bytes)
        )))
        .unwrap();
    let (status, _, body) = send(&app, moved).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_counts(&app, cases! { "alicloud.DescribeCustomerGateways" => 5 }).await;
}

#[tokio::test]
async fn plus_in_the_query_is_a_space() {
    // The Python SDK sends spaces as `+`; the signature covers the decoded value.
    let app = new_app(0);
    let query = "RegionId=cn-hangzhou&IpAddress=1.1.1.1&Name=my+gw&Description=a%2Bb";
    let req = acs3_post(
        "CreateCustomerGateway",
        VPC,
        query,
        "n-plus",
        acs3::DEFAULT_SIGNED_HEADERS,
    );
    let (status, _, body) = send(&app, req).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["Name"], "my gw");
    assert_eq!(body["Description"], "a+b");
}

#[tokio::test]
async fn authentication_failures() {
    let app = new_app(0);
    let expect = |status: StatusCode, body: &Value, http: u16, code: &str| {
        assert_error(status, body, http, code);
    };

    for v1 in [false, true] {
        let wrong_secret = Signing {
            v1,
            sk: "other",
            ..Signing::default()
        };
        let (status, body) = describe_cgws_with(&app, &wrong_secret).await;
        expect(status, &body, 400, "SignatureDoesNotMatch");
        assert!(
            body["Message"]
                .as_str()
                .unwrap()
                .starts_with("Specified signature is not matched with our calculation. server string to sign is:"),
            "{body}"
        );
        let at = |minutes| acs_date(OffsetDateTime::now_utc() + time::Duration::minutes(minutes));
        let near = Signing {
            v1,
            date: at(-10),
            ..Signing::default()
        };
        let (status, body) = describe_cgws_with(&app, &near).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        // An unknown key, a clock 20 minutes off either way, a garbled date, and a security token
        // the sandbox was not configured with.
        let refused: Vec<(Signing, (u16, &str))> = cases! {
            Signing { v1, ak: "someone", ..Signing::default() }
                => (404, "InvalidAccessKeyId.NotFound"),
            Signing { v1, date: at(-20), ..Signing::default() } => (400, "InvalidTimeStamp.Expired"),
            Signing { v1, date: at(20), ..Signing::default() } => (400, "InvalidTimeStamp.Expired"),
            Signing { v1, date: "2026-11-25 19:55:30".to_owned(), ..Signing::default() }
                => (400, "InvalidTimeStamp.Format"),
            Signing { v1, security_token: Some("sts-token"), ..Signing::default() }
                => (400, "InvalidSecurityToken.Malformed"),
        };
        for (signing, (http, code)) in refused {
            let (status, body) = describe_cgws_with(&app, &signing).await;
            expect(status, &body, http, code);
        }
    }

    // Tampering after signing: query, body, an unsigned-for header.
    let req = signed_request(
        "CreateCustomerGateway",
        VPC,
        &[("RegionId", REGION), ("IpAddress", "1.1.1.1")],
        &[],
        &Signing::default(),
    );
    let (mut parts, body) = req.into_parts();
    parts.uri = "/?RegionId=cn-hangzhou&IpAddress=1.1.1.2".parse().unwrap();
    let (status, _, resp) = send(&app, Request::from_parts(parts, body)).await;
    expect(status, &resp, 400, "SignatureDoesNotMatch");
    assert!(
        resp["Message"]
            .as_str()
            .unwrap()
            .contains("server string to sign is:ACS3-HMAC-SHA256\n"),
        "{resp}"
    );

    let req = signed_request(
        "DescribeCustomerGateways",
        VPC,
        &[],
        &[("RegionId", REGION)],
        &Signing::default(),
    );
    let (parts, _) = req.into_parts();
    let (status, _, resp) = send(
        &app,
        Request::from_parts(parts, Body::from("RegionId=cn-shanghai")),
    )
    .await;
    expect(status, &resp, 400, "SignatureDoesNotMatch");

    // V1: one parameter changed after signing.
    let v1 = Signing {
        v1: true,
        ..Signing::default()
    };
    let req = signed_request(DESCRIBE_CGWS.0, VPC, &[("RegionId", REGION)], &[], &v1);
    let (mut parts, body) = req.into_parts();
    let q = parts
        .uri
        .query()
        .unwrap()
        .replace("cn-hangzhou", "cn-beijing");
    parts.uri = format!("/?{q}").parse().unwrap();
    let (status, _, resp) = send(&app, Request::from_parts(parts, body)).await;
    expect(status, &resp, 400, "SignatureDoesNotMatch");

    // Not signed at all; another algorithm; a signed-header list without the date.
    let req = Request::post("/?RegionId=cn-hangzhou")
        .header("host", HOST)
        .header("x-acs-action", "DescribeCustomerGateways")
        .header("x-acs-version", VPC)
        .body(Body::empty())
        .unwrap();
    let (status, headers, resp) = send(&app, req).await;
    expect(status, &resp, 400, "MissingSignature");
    assert_eq!(
        headers["x-acs-request-id"],
        resp["RequestId"].as_str().unwrap()
    );
    assert_eq!(resp["HostId"], HOST);

    let req = Request::post("/")
        .header("host", HOST)
        .header("x-acs-action", "DescribeCustomerGateways")
        .header("x-acs-version", VPC)
        .header(
            "authorization",
            "ACS3-HMAC-SM3 Credential=sandbox-ak,SignedHeaders=host,Signature=00",
        )
        .body(Body::empty())
        .unwrap();
    let (status, _, resp) = send(&app, req).await;
    expect(status, &resp, 400, "InvalidSignatureMethod");

    let signed_headers = ["host", "x-acs-action", "x-acs-version"];
    let query = "RegionId=cn-hangzhou";
    let req = acs3_post(DESCRIBE_CGWS.0, VPC, query, "n-short", &signed_headers);
    let (status, _, resp) = send(&app, req).await;
    expect(status, &resp, 400, "SignatureDoesNotMatch");
    assert!(
        resp["Message"].as_str().unwrap().contains("must be signed"),
        "{resp}"
    );

    // 2 dialects × (secret, key, 2 skews, format, token) + 3 tampered + 3 malformed.
    assert_counts(
        &app,
        cases! { "auth.rejected" => 18, "alicloud.DescribeCustomerGateways" => 2 },
    )
    .await;
}

#[tokio::test]
async fn nonce_reuse_is_refused_in_both_dialects() {
    let app = new_app(0);
    for v1 in [false, true] {
        let s = Signing {
            v1,
            nonce: Some(format!("nonce-{v1}")),
            ..Signing::default()
        };
        let (status, body) = describe_cgws_with(&app, &s).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, body) = describe_cgws_with(&app, &s).await;
        assert_error(status, &body, 400, "SignatureNonceUsed");
    }
    // One cache for both dialects: a V3 nonce cannot be replayed as V1.
    let s = Signing {
        nonce: Some("shared".to_owned()),
        ..Signing::default()
    };
    describe_cgws_with(&app, &s).await;
    let (status, body) = describe_cgws_with(
        &app,
        &Signing {
            v1: true,
            ..s.clone()
        },
    )
    .await;
    assert_error(status, &body, 400, "SignatureNonceUsed");
    // A badly signed request does not burn its nonce.
    let bad = Signing {
        sk: "wrong",
        nonce: Some("kept".to_owned()),
        ..Signing::default()
    };
    let (status, _) = describe_cgws_with(&app, &bad).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let good = Signing {
        nonce: Some("kept".to_owned()),
        ..Signing::default()
    };
    let (status, body) = describe_cgws_with(&app, &good).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Reset forgets nonces.
    admin(&app, "POST", "/_sandbox/reset").await;
    let (status, body) = describe_cgws_with(&app, &good).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn configured_security_token() {
    let app = app_with(SandboxConfig {
        alicloud_security_token: Some("sts-token".into()),
        ..SandboxConfig::default()
    });
    for v1 in [false, true] {
        let s = Signing {
            v1,
            security_token: Some("sts-token"),
            ..Signing::default()
        };
        let (status, body) = describe_cgws_with(&app, &s).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let wrong = Signing {
            security_token: Some("other"),
            ..s
        };
        let (status, body) = describe_cgws_with(&app, &wrong).await;
        assert_error(status, &body, 400, "InvalidSecurityToken.Malformed");
        // Without a token is still fine (long-term key).
        let (status, _) = describe_cgws_with(
            &app,
            &Signing {
                v1,
                ..Signing::default()
            },
        )
        .await;
        assert_eq!(status, StatusCode::OK);
    }
}

#[tokio::test]
async fn dispatch_errors() {
    let app = new_app(0);
    let msg = fails(
        &app,
        ("CreateNothing", VPC),
        &[],
        (404, "InvalidApi.NotFound"),
    )
    .await;
    assert!(msg.starts_with("Specified api is not found"), "{msg}");
    // A Vpc action under the Cbn version, and the reverse.
    all_fail(
        &app,
        cases! {
            cbn("CreateCustomerGateway", &[]) => (404, "InvalidApi.NotFound"),
            vpc("ListTransitRouterVpnAttachments", &[]) => (404, "InvalidApi.NotFound"),
        },
    )
    .await;
    let msg = fails(
        &app,
        ("CreateCustomerGateway", "2014-05-26"),
        &[],
        (400, "InvalidVersion"),
    )
    .await;
    assert!(msg.contains("Version"), "{msg}");
    let (status, body) = call(&app, DESCRIBE_CGWS, &[("RegionId", REGION)]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let counts = request_counts(&app).await;
    assert_eq!(
        counts,
        json!({"alicloud.DescribeCustomerGateways": 1}),
        "unknown actions are not counted"
    );
    // The envelope's Recommend names the product.
    let (_, body) = call(&app, LIST_ATTS, &[("MaxResults", "0")]).await;
    assert!(
        body["Recommend"].as_str().unwrap().contains("product=Cbn"),
        "{body}"
    );
}

#[tokio::test]
async fn throttling_shares_the_rate_limiter() {
    let app = app_with(SandboxConfig {
        rate_limit_per_minute: 2,
        ..SandboxConfig::default()
    });
    for _ in 0..2 {
        ok(&app, DESCRIBE_CGWS, &[("RegionId", REGION)]).await;
    }
    let msg = fails(
        &app,
        DESCRIBE_CGWS,
        &[("RegionId", REGION)],
        (400, "Throttling.User"),
    )
    .await;
    assert_eq!(msg, "Request was denied due to user flow control.");
    assert_counts(
        &app,
        cases! { "rate_limit.rejected" => 1, "alicloud.DescribeCustomerGateways" => 2 },
    )
    .await;
}

/// A refusal says when to call again: `Retry-After` in whole seconds and Alibaba's own
/// `x-acs-retry-after` in milliseconds (docs/design/alicloud.md §10.16).
#[tokio::test]
async fn throttled_answers_say_when_to_call_again() {
    let clock = Clock::manual();
    let app = app_with(SandboxConfig {
        rate_limit_per_minute: 1,
        clock: clock.clone(),
        ..SandboxConfig::default()
    });
    ok(&app, DESCRIBE_CGWS, &[("RegionId", REGION)]).await;
    clock.advance(1_500);
    let describe =
        |s: &Signing| signed_request(DESCRIBE_CGWS.0, VPC, &[("RegionId", REGION)], &[], s);
    let (status, headers, body) = send(&app, describe(&Signing::default())).await;
    assert_eq!(
        (status.as_u16(), &body["Code"]),
        (400, &json!("Throttling.User"))
    );
    assert_eq!(headers["retry-after"], "59");
    assert_eq!(headers["x-acs-retry-after"], "58500");
    clock.advance(58_500);
    let (status, headers, _) = send(&app, describe(&Signing::default())).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers.get("retry-after").is_none());
}

#[tokio::test]
async fn state_lists_user_kinds_and_the_seed() {
    let app = new_app(0);
    let state = admin(&app, "GET", "/_sandbox/state").await;
    let empty = crate::sandbox::tests::empty_state();
    assert_eq!(state["alicloud"], empty["alicloud"]);
    let seed = &state["alicloud_seed"];
    assert_eq!(seed["cen_instances"][0]["CenId"], CEN);
    let trs: Vec<&str> = seed["transit_routers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["TransitRouterId"].as_str().unwrap())
        .collect();
    assert_eq!(
        trs,
        [
            "tr-hz-sandbox0001",
            "tr-sh-sandbox0001",
            "tr-bj-sandbox0001",
            "tr-sz-sandbox0001"
        ]
    );
    assert!(seed["transit_routers"]
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["CenId"] == CEN && t["Type"] == "Enterprise"));
    assert_eq!(seed["route_tables"][0]["TransitRouterRouteTableId"], VTB);
    assert_eq!(
        seed["route_tables"][0]["TransitRouterRouteTableType"],
        "System"
    );

    let params = [
        ("RegionId", REGION),
        ("IpAddress", "203.0.113.10"),
        ("ClientToken", "t"),
    ];
    let id = ok(&app, CREATE_CGW, &params).await["CustomerGatewayId"].clone();
    let state = admin(&app, "GET", "/_sandbox/state").await;
    let gws = state["alicloud"]["customer_gateways"].as_array().unwrap();
    assert_eq!(gws.len(), 1);
    // The API shape (DescribeCustomerGateway) plus RegionId, without bookkeeping.
    assert_eq!(gws[0]["CustomerGatewayId"], id);
    assert_eq!(gws[0]["RegionId"], REGION);
    assert_eq!(gws[0]["Tags"], json!({"Tag": []}));
    assert!(gws[0].get("ClientToken").is_none(), "{}", gws[0]);
    admin(&app, "POST", "/_sandbox/reset").await;
    let after = admin(&app, "GET", "/_sandbox/state").await;
    assert!(after["alicloud"]["customer_gateways"]
        .as_array()
        .unwrap()
        .is_empty());
    assert_eq!(after["alicloud_seed"], *seed, "the seed survives reset");
}
