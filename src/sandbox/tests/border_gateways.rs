//! Border gateways and VPC attachments through the router.

use super::fixtures::*;
use super::*;

// ---------------------------------------------------------------------------------------------
// Border gateways
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn border_gateway_round_trip() {
    let app = new_app();
    let result = ok(&app, "POST", BGWS, Some(bgw_spec("bgw-1"))).await;
    let (id, object) = created(
        &result,
        "bgw",
        "bgw-",
        &[
            "az",
            "azType",
            "bgwId",
            "bgwName",
            "createdTime",
            "description",
            "vifIds",
            "vpcAttachmentIds",
            "vpnConnectionIds",
        ],
    );
    assert_eq!(id.len(), 12, "{id}");
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

    delete_gone(&app, &item, &id).await;
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

    let cases: Vec<(Value, Expected<'_>)> = cases! {
        json!({}) => bad("bgwSpec.bgwName missing"),
        bgw_spec("bad name") => bad("bgwSpec.bgwName"),
        bgw_spec(&"x".repeat(33)) => bad("bgwName"),
        json!({"bgwSpec": {"bgwName": "a", "description": "x".repeat(257)}})
            => bad("bgwSpec.description"),
        json!({"bgwSpec": {"bgwName": "a", "azType": "central"}})
            => bad("bgwSpec.azType \"central\" is invalid"),
        json!({"bgwSpec": {"bgwName": "a", "azType": "edge"}})
            => bad("bgwSpec.az is required when azType is edge"),
        json!({"bgwSpec": {"bgwName": 7}}) => bad("bgwName must be a string"),
    };
    for (body, expected) in cases {
        fails(&app, "POST", BGWS, Some(body), expected).await;
    }

    let edge_item = format!("{BGWS}{}", s(&edge["bgwId"]));
    all_fail(
        &app,
        cases! {
            req("PATCH", &edge_item, Some(json!({"modifyBgwSpec": {"azType": "standard"}})))
                => bad("azType cannot be modified"),
            req("PATCH", &edge_item, Some(json!({"modifyBgwSpec": {"az": "other"}})))
                => bad("az cannot be modified"),
            req("PATCH", &edge_item, Some(json!({"modifyBgwSpec": {"bgwName": "a.b"}})))
                => bad("modifyBgwSpec.bgwName"),
        },
    )
    .await;
    assert_eq!(ok(&app, "GET", BGWS, None).await["totalCount"], 2);
}

#[tokio::test]
async fn border_gateway_quota_and_filters() {
    let app = new_app();
    let ids = create_each(5, "bgw", async |name| create_bgw(&app, name).await).await;
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
    let (id, object) = created(
        &result,
        "vpcAttachment",
        "vpca-",
        &[
            "bgwId",
            "createdTime",
            "propagateCidrInfos",
            "propagateType",
            "status",
            "vpcAttachmentId",
            "vpcAttachmentName",
            "vpcId",
        ],
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
    assert_children(&app, &bgw, "vpcAttachmentIds", &[&id]).await;

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
    assert_children(&app, &bgw, "vpcAttachmentIds", &[&id, &all_id]).await;
    let listing = Listing {
        items: VPCAS,
        list: "vpcAttachments",
        id: "vpcAttachmentId",
    };
    for (filter, value, expected) in [
        ("vpcId", "vpc-other01", vec![all_id.as_str()]),
        ("bgwId", bgw.as_str(), vec![id.as_str(), all_id.as_str()]),
        ("vpcAttachmentIds", id.as_str(), vec![id.as_str()]),
        ("vpcAttachmentNames", "att-2", vec![all_id.as_str()]),
    ] {
        assert_eq!(
            listing.filtered(&app, filter, value).await,
            expected,
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

    delete_gone(&app, &item, &id).await;
    assert_children(&app, &bgw, "vpcAttachmentIds", &[&all_id]).await;
}

#[tokio::test]
async fn vpc_attachment_validation() {
    let app = new_app();
    let bgw = create_bgw(&app, "bgw").await;
    let base = attachment_spec(&bgw, "vpc-abcd");
    let w = |extra: Value| Some(with(base.clone(), "vpcAttachmentSpec", extra));
    let required = ["vpcAttachmentName", "vpcId", "bgwId", "propagateType"];
    fails_without_each(&app, VPCAS, &base, "vpcAttachmentSpec", &required).await;
    let cases: Vec<Case<'_>> = cases! {
        w(json!({"vpcAttachmentName": "a b"})) => bad("vpcAttachmentName"),
        w(json!({"vpcId": "vpc_1234"})) => bad("is not a VPC id"),
        w(json!({"vpcId": "VPC-ABCD"})) => bad("is not a VPC id"),
        w(json!({"propagateType": "some"})) => bad("propagateType \"some\" is invalid"),
        w(json!({"propagateType": "partial"})) => bad("subnetIds must list at least one subnet"),
        w(json!({"propagateType": "partial", "subnetIds": []}))
            => bad("subnetIds must list at least one subnet"),
        w(json!({"propagateType": "all", "subnetIds": ["subnet-abcd"]}))
            => bad("only allowed when propagateType is partial"),
        w(json!({"subnetIds": ["subnet-abcd"]}))
            => bad("only allowed when propagateType is partial"),
        w(json!({"propagateType": "partial", "subnetIds": ["subnet-abcd", "sub-1"]}))
            => bad("vpcAttachmentSpec.subnetIds[1]"),
        w(json!({"propagateType": "partial", "subnetIds": ["subnet-abcd", "subnet-abcd"]}))
            => bad("must not repeat"),
        w(json!({"subnetIds": "subnet-abcd"})) => bad("array of strings"),
        w(json!({"bgwId": "bgw-missing1"})) => not_found("bgw-missing1"),
    };
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
    all_fail(&app, cases! {
        req("PATCH", &item, Some(attr("vpc-abcd", "all"))) => precondition(&first),
        req("PATCH", &item, Some(attr("vpc-efgh", "partial")))
            => bad("modifyVpcAttachmentSpec.propagationAttribute.subnetIds"),
        req("PATCH", &item, Some(json!({"modifyVpcAttachmentSpec": {"propagationAttribute": {"propagateType": "all"}}})))
            => bad("propagationAttribute.vpcId missing"),
        req("PATCH", &item, Some(json!({"modifyVpcAttachmentSpec": {"propagationAttribute": "all"}})))
            => bad("must be an object"),
        req("PATCH", &item, Some(json!({"modifyVpcAttachmentSpec": {"bgwId": other_bgw}})))
            => bad("bgwId cannot be modified"),
    })
    .await;
    // Re-sending its own VPC is not a conflict.
    ok(&app, "PATCH", &item, Some(attr("vpc-efgh", "all"))).await;
    fails_missing(&app, "GET", VPCAS, "vpca-missing1", None).await;
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

#[tokio::test]
async fn no_quotas_lets_a_kind_grow_past_its_quota() {
    let app = app(SandboxState::open(SandboxConfig {
        clock: Clock::manual(),
        quotas: false,
        ..SandboxConfig::default()
    })
    .unwrap());
    create_each(6, "bgw", async |name| create_bgw(&app, name).await).await;
    assert_eq!(ok(&app, "GET", BGWS, None).await["totalCount"], 6);
}
