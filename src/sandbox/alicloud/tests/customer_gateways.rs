//! Vpc 2016-04-28: customer gateways.

use super::*;

/// CreateCustomerGateway's parameters: the region, address `ip`, then `extra`.
fn gateway<'a>(ip: &'a str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut params = vec![("RegionId", REGION), ("IpAddress", ip)];
    params.extend_from_slice(extra);
    params
}

#[tokio::test]
async fn customer_gateway_round_trip() {
    let app = new_app(0);
    let created = ok(
        &app,
        CREATE_CGW,
        &[
            ("RegionId", REGION),
            ("IpAddress", "203.0.113.10"),
            ("Asn", "123.456"),
            ("AuthKey", "md5-key"),
            ("Name", "office"),
            ("Description", "the office"),
            ("Tags.1.Key", "env"),
            ("Tags.1.Value", "test"),
        ],
    )
    .await;
    let id = created["CustomerGatewayId"].as_str().unwrap().to_owned();
    assert!(id.starts_with("cgw-"), "{id}");
    assert_eq!(
        sorted_keys(&created),
        [
            "CreateTime",
            "CustomerGatewayId",
            "Description",
            "IpAddress",
            "Name",
            "RequestId",
            "ResourceGroupId"
        ]
    );
    assert!(created["CreateTime"].as_i64().unwrap() > 1_600_000_000_000);

    let described = ok(&app, DESCRIBE_CGW, &cgw_of(&id)).await;
    assert_eq!(
        described["Asn"], 8_061_384,
        "asdot hi.lo = hi*65536+lo, an integer"
    );
    assert_eq!(described["AuthKey"], "md5-key");
    assert_eq!(described["Name"], "office");
    assert_eq!(
        described["Tags"],
        json!({"Tag": [{"Key": "env", "Value": "test"}]})
    );
    assert_eq!(described["CreateTime"], created["CreateTime"]);

    // Another region does not see it.
    fails(
        &app,
        DESCRIBE_CGW,
        &[("RegionId", "cn-shanghai"), ("CustomerGatewayId", &id)],
        CGW_NOT_FOUND,
    )
    .await;

    let modified = ok(
        &app,
        MODIFY_CGW,
        &[
            ("RegionId", REGION),
            ("CustomerGatewayId", &id),
            ("Name", "renamed"),
            ("AuthKey", "new-key"),
            // Not members of the call: ignored.
            ("IpAddress", "198.51.100.1"),
            ("Asn", "65000"),
        ],
    )
    .await;
    assert_eq!(modified["Name"], "renamed");
    assert_eq!(modified["Description"], "the office");
    assert_eq!(modified["IpAddress"], "203.0.113.10");
    let described = ok(&app, DESCRIBE_CGW, &cgw_of(&id)).await;
    assert_eq!(described["AuthKey"], "new-key");
    assert_eq!(described["Asn"], 8_061_384);

    ok(&app, DELETE_CGW, &cgw_of(&id)).await;
    for action in [
        "DescribeCustomerGateway",
        "DeleteCustomerGateway",
        "ModifyCustomerGatewayAttribute",
    ] {
        fails(&app, (action, VPC), &cgw_of(&id), CGW_NOT_FOUND).await;
    }
}

#[tokio::test]
async fn customer_gateway_rules() {
    let app = new_app(0);
    let base = [("RegionId", REGION), ("IpAddress", "203.0.113.10")];
    let with = |extra: &[(&'static str, &'static str)]| {
        let mut p = base.to_vec();
        p.retain(|(k, _)| !extra.iter().any(|(e, _)| e == k));
        p.extend_from_slice(extra);
        p
    };
    let cases: &[(&[(&str, &str)], &str)] = &[
        (&[("IpAddress", "100.64.0.1")], "InvalidIpAddress"),
        (&[("IpAddress", "127.0.0.1")], "InvalidIpAddress"),
        (&[("IpAddress", "169.254.0.1")], "InvalidIpAddress"),
        (&[("IpAddress", "230.1.1.1")], "InvalidIpAddress"),
        (&[("IpAddress", "255.255.255.255")], "InvalidIpAddress"),
        (&[("IpAddress", "300.1.1.1")], "InvalidIpAddress"),
        (&[("Asn", "45104")], "InvalidAsn"),
        (&[("Asn", "0")], "InvalidAsn"),
        (&[("Asn", "4294967296")], "InvalidAsn"),
        (&[("Asn", "65536.0")], "InvalidAsn"),
        (&[("AuthKey", "has space")], "InvalidAuthKey"),
        (&[("AuthKey", "what?")], "InvalidAuthKey"),
        (&[("Name", "http://gw")], "InvalidName"),
        (&[("Description", "https://gw")], "InvalidDescription"),
        (
            &[("Tags.1.Key", "aliyun-x"), ("Tags.1.Value", "v")],
            "InvalidParameter",
        ),
        (&[("Tags.1.Value", "v")], "MissingParameter"),
        (&[("RegionId", "us-east-1")], "InvalidRegionId.NotFound"),
    ];
    for (extra, code) in cases {
        let params = with(extra);
        let (status, body) = call(&app, CREATE_CGW, &params).await;
        let expected = if *code == "InvalidRegionId.NotFound" {
            404
        } else {
            400
        };
        assert_eq!(status.as_u16(), expected, "{extra:?}: {body}");
        assert_eq!(body["Code"], *code, "{extra:?}: {body}");
    }
    all_fail(
        &app,
        cases! {
            vpc("CreateCustomerGateway", &[("RegionId", REGION)]) => (400, "MissingIpAddress"),
            vpc("CreateCustomerGateway", &[("IpAddress", "1.1.1.1")]) => (400, "MissingRegionId"),
        },
    )
    .await;
    let long = "n".repeat(101);
    let params = gateway("1.1.1.1", &[("Name", &long)]);
    fails(&app, CREATE_CGW, &params, (400, "InvalidName")).await;
    // Boundary values pass.
    let hundred = "n".repeat(100);
    let params = gateway(
        "100.63.255.255",
        &[("Asn", "4294967295"), ("Name", &hundred)],
    );
    ok(&app, CREATE_CGW, &params).await;
    assert_eq!(stored(&app, "customer_gateways").await.len(), 1);
}

#[tokio::test]
async fn customer_gateway_client_token_and_paging() {
    let app = new_app(0);
    let params = gateway("203.0.113.20", &[("ClientToken", "token-1")]);
    let a = ok(&app, CREATE_CGW, &params).await;
    let b = ok(&app, CREATE_CGW, &params).await;
    assert_eq!(a["CustomerGatewayId"], b["CustomerGatewayId"]);
    assert_ne!(a["RequestId"], b["RequestId"]);
    // Same token, other parameters.
    let other = gateway("203.0.113.21", &[("ClientToken", "token-1")]);
    fails(&app, CREATE_CGW, &other, TOKEN_MISMATCH).await;
    let long_token = "t".repeat(65);
    let params_long = gateway("1.1.1.1", &[("ClientToken", &long_token)]);
    fails(&app, CREATE_CGW, &params_long, (400, "InvalidClientToken")).await;

    for i in 0..11 {
        let ip = format!("198.51.100.{}", i + 1);
        create_cgw(&app, &ip, None).await;
    }
    let page = |n: &'static str, size: &'static str| {
        vec![("RegionId", REGION), ("PageNumber", n), ("PageSize", size)]
    };
    let first = ok(&app, DESCRIBE_CGWS, &[("RegionId", REGION)]).await;
    assert_eq!(first["TotalCount"], 12);
    assert_eq!(first["PageNumber"], 1);
    assert_eq!(first["PageSize"], 10);
    let items = first["CustomerGateways"]["CustomerGateway"]
        .as_array()
        .unwrap();
    assert_eq!(items.len(), 10);
    assert_eq!(items[0]["CustomerGatewayId"], a["CustomerGatewayId"]);
    assert!(items[0].get("Asn").is_none(), "no ASN given, none shown");
    let listed = |answer: &Value| {
        answer["CustomerGateways"]["CustomerGateway"]
            .as_array()
            .unwrap()
            .len()
    };
    let second = ok(&app, DESCRIBE_CGWS, &page("2", "10")).await;
    assert_eq!(listed(&second), 2);
    let all = ok(&app, DESCRIBE_CGWS, &page("1", "50")).await;
    assert_eq!(listed(&all), 12);
    all_fail(
        &app,
        cases! {
            vpc("DescribeCustomerGateways", &page("1", "51")) => (400, "InvalidPageSize"),
            vpc("DescribeCustomerGateways", &page("0", "10")) => (400, "InvalidPageNumber"),
        },
    )
    .await;
    let one = ok(
        &app,
        DESCRIBE_CGWS,
        &[
            ("RegionId", REGION),
            (
                "CustomerGatewayId",
                a["CustomerGatewayId"].as_str().unwrap(),
            ),
        ],
    )
    .await;
    assert_eq!(one["TotalCount"], 1);
}
