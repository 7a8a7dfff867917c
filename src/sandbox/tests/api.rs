//! Authentication, admin routes (state, reset, requests, clock), the split between the two
//! clouds, persistence and serving over a socket.

use super::*;

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

    let body = request_counts(&app).await;
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

    let body = request_counts(&app).await;
    assert_eq!(
        body,
        json!({"jdcloud.createCustomerGateway": 1, "jdcloud.describeCustomerGateways": 1})
    );

    let (status, _) = send_admin(&app, "POST", "/_sandbox/reset").await;
    assert_eq!(status, StatusCode::OK);
    let (_, body) = send_admin(&app, "GET", "/_sandbox/state").await;
    assert_eq!(body, empty_state());
    let body = request_counts(&app).await;
    assert_eq!(body, json!({}));
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
    let iso = crate::sandbox::ids::iso8601;
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
    let body = request_counts(&app).await;
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
    let body = request_counts(&app).await;
    assert_eq!(body["jdcloud.createCustomerGateway"], 1);
}

#[tokio::test]
async fn serves_over_a_socket() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let state = SandboxState::open(SandboxConfig::default()).unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(crate::sandbox::serve_with_shutdown(
        listener,
        state,
        async {
            let _ = stopped.await;
        },
    ));

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

    assert_eq!(first_cgw_name(&client, &addr.to_string()).await, "socket");
    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
}
