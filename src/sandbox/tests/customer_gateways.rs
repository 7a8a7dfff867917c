//! JD Cloud customer gateways through the router: round trip, bodies, validation, regions,
//! quota, lists, not-found answers.

use super::fixtures::create_each;
use super::*;

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
    assert_eq!(
        sorted_keys(&object),
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
    let cases: Vec<(Value, (&str, &str))> = cases! {
        json!({}) => ("INVALID_ARGUMENT", "customerGatewaySpec.customerGatewayName missing"),
        json!({"customerGatewaySpec": {"customerGatewayName": "a", "bgpAsn": 65001}})
            => ("INVALID_ARGUMENT", "customerIps missing"),
        json!({"customerGatewaySpec": {"customerGatewayName": "a", "customerIps": ["1.1.1.1"]}})
            => ("INVALID_ARGUMENT", "bgpAsn missing"),
        spec("bad name", &["1.1.1.1"], 65001) => ("INVALID_ARGUMENT", "customerGatewayName"),
        spec(&"x".repeat(33), &["1.1.1.1"], 65001) => ("INVALID_ARGUMENT", "customerGatewayName"),
        spec("", &["1.1.1.1"], 65001) => ("INVALID_ARGUMENT", "customerGatewayName"),
        json!({"customerGatewaySpec": {"customerGatewayName": "a", "customerIps": ["1.1.1.1"], "bgpAsn": 65001, "description": "x".repeat(257)}})
            => ("INVALID_ARGUMENT", "description"),
        spec("a", &[], 65001) => ("INVALID_ARGUMENT", "customerIps must contain 1, 2 or 4"),
        spec("a", &["1.1.1.1", "1.1.1.2", "1.1.1.3"], 65001)
            => ("INVALID_ARGUMENT", "customerIps must contain 1, 2 or 4"),
        spec("a", &["1.1.1.1", "1.1.1.1"], 65001) => ("INVALID_ARGUMENT", "must not repeat"),
        spec("a", &["10.0.0.1"], 65001) => ("INVALID_ARGUMENT", "customerIps[0]"),
        spec("a", &["1.1.1.1", "192.168.0.1"], 65001) => ("INVALID_ARGUMENT", "customerIps[1]"),
        spec("a", &["100.64.1.1"], 65001) => ("INVALID_ARGUMENT", "not a public routable"),
        spec("a", &["not-an-ip"], 65001) => ("INVALID_ARGUMENT", "not an IPv4 address"),
        spec("a", &["1.1.1.1"], 65000)
            => ("OUT_OF_RANGE", "customerGatewaySpec.bgpAsn 65000 is out of range [65001, 65499]"),
        spec("a", &["1.1.1.1"], 65500) => ("OUT_OF_RANGE", "bgpAsn"),
        json!({"customerGatewaySpec": {"customerGatewayName": "a", "customerIps": ["1.1.1.1"], "bgpAsn": "65001"}})
            => ("INVALID_ARGUMENT", "bgpAsn must be an integer"),
        json!({"customerGatewaySpec": {"customerGatewayName": "a", "customerIps": "1.1.1.1", "bgpAsn": 65001}})
            => ("INVALID_ARGUMENT", "customerIps must be an array of strings"),
        json!([1]) => ("INVALID_ARGUMENT", "JSON object"),
    };
    for (body, (code, needle)) in cases {
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
    let cases: Vec<(Value, (&str, &str))> = cases! {
        json!({"modifyCustomerGatewaySpec": {"bgpAsn": 65002}})
            => ("INVALID_ARGUMENT", "bgpAsn cannot be modified"),
        json!({"modifyCustomerGatewaySpec": {"customerGatewayName": "a b"}})
            => ("INVALID_ARGUMENT", "modifyCustomerGatewaySpec.customerGatewayName"),
        json!({"modifyCustomerGatewaySpec": {"description": "é".repeat(257)}})
            => ("INVALID_ARGUMENT", "description"),
        json!({"modifyCustomerGatewaySpec": {"customerIps": ["127.0.0.1"]}})
            => ("INVALID_ARGUMENT", "customerIps[0]"),
        json!({"customerIps": ["1.1.1.1", "2.2.2.2", "3.3.3.3"]})
            => ("INVALID_ARGUMENT", "1, 2 or 4"),
    };
    for (body, (code, needle)) in cases {
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
    for region in crate::sandbox::regions::JDCLOUD {
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
    create_each(10, "gw", async |name| create(&app, name).await).await;
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

/// `describeCustomerGateways` with this query string.
async fn list_cgws(app: &Router, query: &str) -> (StatusCode, Value) {
    call(app, "GET", &format!("{CGWS}?{query}"), None).await
}

#[tokio::test]
async fn list_filters_and_pages() {
    let app = new_app();
    let ids = create_each(10, "gw", async |name| create(&app, name).await).await;
    let (status, body) = list_cgws(&app, "pageNumber=7&pageSize=10").await;
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
        "filters.1.name=customerGatewayIds&filters.1.values.1={}&filters.1.values.2={}",
        ids[3], ids[5]
    );
    let (_, body) = list_cgws(&app, &q).await;
    assert_eq!(body["result"]["totalCount"], 2);
    assert_eq!(
        body["result"]["customerGateways"][0]["customerGatewayId"],
        ids[3].as_str()
    );

    let q = "filters.1.name=customerGatewayNames&filters.1.values.1=gw7";
    let (_, body) = list_cgws(&app, q).await;
    assert_eq!(
        body["result"]["customerGateways"][0]["customerGatewayId"],
        ids[7].as_str()
    );
    assert_eq!(body["result"]["totalCount"], 1);

    let (status, body) = list_cgws(&app, "pageSize=5").await;
    assert_error(status, &body, 400, "OUT_OF_RANGE", "pageSize");
    let (status, body) = list_cgws(&app, "filters.1.name=vpcIds&filters.1.values.1=x").await;
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
