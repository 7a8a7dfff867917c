//! VPN connections through the router.

use std::collections::BTreeSet;

use super::fixtures::*;
use super::*;

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
    let (id, object) = created(
        &result,
        "vpnConnection",
        "vpnc-",
        &[
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
            "vpnConnectionName",
        ],
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
    assert_children(&app, &bgw, "vpnConnectionIds", &[&id]).await;

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
    let listing = Listing {
        items: VPNCS,
        list: "vpnConnections",
        id: "vpnConnectionId",
    };
    let both = vec![id.as_str(), other_id.as_str()];
    for (filter, value, expected) in [
        (
            "vpnConnectionIds",
            other_id.as_str(),
            vec![other_id.as_str()],
        ),
        ("vpnConnectionNames", "conn", vec![id.as_str()]),
        ("bgwId", bgw.as_str(), both.clone()),
        ("cgwId", cgw.as_str(), both),
    ] {
        assert_eq!(
            listing.filtered(&app, filter, value).await,
            expected,
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

    delete_gone(&app, &item, &id).await;
    assert_children(&app, &bgw, "vpnConnectionIds", &[&other_id]).await;
}

#[tokio::test]
async fn vpn_connection_validation() {
    let app = new_app();
    let bgw = create_bgw(&app, "bgw").await;
    let cgw = create_cgw(&app, &["203.0.113.1"], 65010).await;
    let base = connection_spec(&bgw, &cgw);
    let w = |extra: Value| Some(with(base.clone(), "vpnConnectionSpec", extra));
    let required = ["vpnConnectionName", "bgwId", "cgwId"];
    fails_without_each(&app, VPNCS, &base, "vpnConnectionSpec", &required).await;
    let cases: Vec<Case<'_>> = cases! {
        w(json!({"vpnConnectionName": "x/y"})) => bad("vpnConnectionName"),
        w(json!({"description": "d".repeat(257)})) => bad("description"),
        w(json!({"bgpEnabled": "yes"})) => bad("bgpEnabled must be a boolean"),
        w(json!({"localAsn": 64511}))
            => range("vpnConnectionSpec.localAsn 64511 is out of range [64512, 65534]"),
        w(json!({"localAsn": 65535})) => range("localAsn"),
        w(json!({"localAsn": 65010})) => bad("equals the BGP ASN"),
        w(json!({"trafficSelectors": [{"localSubnet": "10.0.0.0/8"}]}))
            => bad("trafficSelectors cannot be set at create"),
        w(json!({"chargeSpec": {"chargeMode": "prepaid_by_duration"}}))
            => bad("chargeSpec.chargeMode"),
        w(json!({"chargeSpec": "postpaid"})) => bad("must be an object"),
        w(json!({"bgwId": "bgw-missing1"})) => not_found("Bgw 'bgw-missing1'"),
        w(json!({"cgwId": "cgw-missing1"})) => not_found("CustomerGateway 'cgw-missing1'"),
    };
    for (body, expected) in cases {
        fails(&app, "POST", VPNCS, body, expected).await;
    }

    let connection = create_connection(&app, &bgw, &cgw).await;
    let item = connection_item(&connection);
    let m = |spec: Value| Some(json!({ "modifyVpnConnectionSpec": spec }));
    let cases: Vec<Case<'_>> = cases! {
        m(json!({"trafficSelectors": [{"remoteSubnets": ["10.0.0.0/8"]}]}))
            => bad("modifyVpnConnectionSpec.trafficSelectors[0].localSubnet missing"),
        m(json!({"trafficSelectors": [{"localSubnet": "10.0.0.0/8"}, {"localSubnet": "10.0.0.1/8"}]}))
            => bad("trafficSelectors[1].localSubnet \"10.0.0.1/8\" is not a canonical CIDR"),
        m(json!({"trafficSelectors": [{"localSubnet": "10.0.0.0/8", "remoteSubnets": ["x"]}]}))
            => bad("trafficSelectors[0].remoteSubnets[0]"),
        m(json!({"trafficSelectors": {"localSubnet": "10.0.0.0/8"}})) => bad("array of objects"),
        m(json!({"localAsn": 64600})) => bad("localAsn cannot be modified"),
        m(json!({"cgwId": "cgw-other123"})) => bad("cgwId cannot be modified"),
        m(json!({"vpnConnectionName": ""})) => bad("vpnConnectionName"),
    };
    for (body, expected) in cases {
        fails(&app, "PATCH", &item, body, expected).await;
    }
    fails_missing(&app, "PATCH", VPNCS, "vpnc-missing1", m(json!({}))).await;
}

/// A connection on `bgw` that asks for the `ct` and `cu` ISP lines; its object.
async fn create_with_providers(app: &Router, bgw: &str, cgw: &str) -> Value {
    let providers = json!({"providers": ["ct", "cu"]});
    let spec = with(connection_spec(bgw, cgw), "vpnConnectionSpec", providers);
    ok(app, "POST", VPNCS, Some(spec)).await["vpnConnection"].clone()
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
    refused_connection(&app, &edge, &cgw, bad("providers must name 2 ISP lines")).await;
    let connection = create_with_providers(&app, &edge, &cgw).await;
    assert_eq!(connection["providers"], json!(["ct", "cu"]));
    assert_eq!(connection["azType"], "edge");
    assert_eq!(connection["az"], "cn-east-1-edge");
    // Ignored on a standard gateway.
    let standard = create_bgw(&app, "std").await;
    let connection = create_with_providers(&app, &standard, &cgw).await;
    assert_eq!(connection["providers"], json!(["bgp", "bgp"]));
}

/// A connection create from `bgw` to `cgw` that must fail as `expected`.
async fn refused_connection(app: &Router, bgw: &str, cgw: &str, expected: Expected<'_>) {
    fails(
        app,
        "POST",
        VPNCS,
        Some(connection_spec(bgw, cgw)),
        expected,
    )
    .await;
}

/// Adds a connection's cloud-side addresses to `seen`, failing on one handed out before.
fn all_new(seen: &mut BTreeSet<String>, connection: &Value) {
    for ip in connection["cloudPublicIp"].as_array().unwrap() {
        assert!(seen.insert(s(ip)), "{ip} handed out twice");
    }
}

/// A create in region cn-east-2; `collection` is the path's last part (`bgws`, …).
async fn create_in_east(app: &Router, collection: &str, body: Value) -> (StatusCode, Value) {
    let uri = format!("/v1/regions/cn-east-2/{collection}/");
    call_in(app, "cn-east-2", "POST", &uri, Some(body)).await
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
        all_new(&mut ips, &c);
        first.get_or_insert(c);
    }
    refused_connection(&app, &bgw, &cgw, quota("VpnConnection quota")).await;
    // Another gateway has its own quota; addresses stay unique across regions too.
    let other = create_bgw(&app, "other").await;
    let c = create_connection(&app, &other, &cgw).await;
    all_new(&mut ips, &c);
    let (status, east_bgw) = create_in_east(&app, "bgws", bgw_spec("east")).await;
    assert_eq!(status, StatusCode::OK);
    let east_gateway = spec("east", &["203.0.113.9"], 65010);
    let (status, east_cgw) = create_in_east(&app, "customerGateways", east_gateway).await;
    assert_eq!(status, StatusCode::OK);
    let (status, east) = create_in_east(
        &app,
        "vpnConnections",
        connection_spec(
            &s(&east_bgw["result"]["bgwId"]),
            &s(&east_cgw["result"]["customerGatewayId"]),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{east}");
    all_new(&mut ips, &east["result"]["vpnConnection"]);
    // Resources of another region are invisible (404), even as references.
    let (status, body) = create_in_east(
        &app,
        "vpnConnections",
        connection_spec(&bgw, &s(&east_cgw["result"]["customerGatewayId"])),
    )
    .await;
    assert_error(status, &body, 404, "NOT_FOUND", &bgw);
    // Deleting a connection frees its addresses for later connections only.
    let first = first.unwrap();
    ok(&app, "DELETE", &connection_item(&first), None).await;
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
