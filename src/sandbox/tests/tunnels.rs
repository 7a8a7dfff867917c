//! VPN tunnels, `haStatus` and `modifyAdminStatus` through the router.

use super::fixtures::*;
use super::*;

// ---------------------------------------------------------------------------------------------
// VPN tunnels
// ---------------------------------------------------------------------------------------------

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
    all_fail(
        &app,
        cases! {
            req("GET", &item, None) => not_found(&id),
            req("DELETE", &item, None) => not_found(&id),
            req("POST", &format!("{item}:adminStatus"), Some(json!({"adminStatus": "UP"})))
                => not_found(&id),
        },
    )
    .await;
}

#[tokio::test]
async fn vpn_tunnel_create_validation() {
    let app = new_app();
    let (_, _, connection) = tunnel_fixture(&app).await;
    let base = tunnel_spec(&connection, 0, "203.0.113.1");
    let w = |extra: Value| Some(with(base.clone(), "vpnTunnelSpec", extra));
    let required = ["vpnConnectionId", "cloudPublicIp", "customerIp", "psk"];
    fails_without_each(&app, VPNTS, &base, "vpnTunnelSpec", &required).await;
    // Bad keys: empty, too long, outside the allowed characters, a prefix taken for hex/base64.
    let long = "x".repeat(21);
    let mut cases: Vec<Case<'_>> = cases! {
        "" => "vpnTunnelSpec.psk is invalid",
        long.as_str() => "psk is invalid",
        "has space" => "psk is invalid",
        "dot.ted" => "psk is invalid",
        "0xabc" => "must not start with 0x",
        "0Xabc" => "must not start with 0x",
        "0sabc" => "must not start with 0s",
        "0Sabc" => "must not start with 0s",
    }
    .into_iter()
    .map(|(psk, needle)| (w(json!({ "psk": psk })), bad(needle)))
    .collect();
    cases.extend(cases! {
        w(json!({"tunnelIp": "169.254.1.0/29"})) => bad("must be a /30 block"),
        w(json!({"tunnelIp": "169.254.1.1/30"})) => bad("is not a canonical CIDR block"),
        w(json!({"tunnelIp": "169.254.16.0/30"})) => bad("must lie inside one of 169.254.0.0/20"),
        w(json!({"tunnelIp": "8.8.8.0/30"})) => bad("must lie inside"),
        w(json!({"tunnelIp": "172.32.0.0/30"})) => bad("must lie inside"),
        w(json!({"tunnelIp": "bogus"})) => bad("is not an IPv4 CIDR"),
        w(json!({"tunnelIp": "10.0.0.0/30", "localTunnelIp": "10.0.0.0"}))
            => bad("localTunnelIp 10.0.0.0 must be 10.0.0.1 or 10.0.0.2"),
        w(json!({"tunnelIp": "10.0.0.0/30", "localTunnelIp": "10.0.0.3"}))
            => bad("must be 10.0.0.1 or 10.0.0.2"),
        w(json!({"tunnelIp": "10.0.0.0/30", "localTunnelIp": "10.0.1.1"}))
            => bad("must be 10.0.0.1 or 10.0.0.2"),
        w(json!({"tunnelIp": "10.0.0.0/30", "localTunnelIp": "x"}))
            => bad("is not an IPv4 address"),
        w(json!({"localTunnelIp": "169.254.0.1"}))
            => bad("localTunnelIp needs vpnTunnelSpec.tunnelIp"),
        w(json!({"chargeSpec": {"chargeMode": "postpaid_by_usage"}}))
            => bad("chargeSpec.chargeMode"),
        w(json!({"cloudPublicIp": "116.196.255.1"})) => bad("is not a public IP of VpnConnection"),
        w(json!({"customerIp": "203.0.113.3"})) => bad("is not an IP of CustomerGateway"),
        w(json!({"vpnConnectionId": "vpnc-missing1"}))
            => not_found("VpnConnection 'vpnc-missing1'"),
        w(json!({"ikeDpdSec": "10"})) => bad("ikeDpdSec must be an integer"),
    });
    // Every enumerated and ranged option, one bad value each, named in the message.
    for ((field, value), expected) in cases! {
        ("ikeVersion", json!("v3")) => bad("vpnTunnelSpec.ikeVersion \"v3\" is invalid"),
        ("ikeMode", json!("quick")) => bad("vpnTunnelSpec.ikeMode"),
        ("ikeKeyExchange", json!("modp768")) => bad("vpnTunnelSpec.ikeKeyExchange"),
        ("ikeCipher", json!("des")) => bad("vpnTunnelSpec.ikeCipher"),
        ("ikeAuth", json!("md5")) => bad("vpnTunnelSpec.ikeAuth"),
        ("ipsecCipher", json!("3des")) => bad("vpnTunnelSpec.ipsecCipher"),
        ("ipsecAuth", json!("sha512")) => bad("vpnTunnelSpec.ipsecAuth"),
        ("ipsecKeyExchange", json!("none")) => bad("vpnTunnelSpec.ipsecKeyExchange"),
        ("ikeDpdSec", json!(5)) => bad("vpnTunnelSpec.ikeDpdSec 5 is invalid"),
        ("ikeSaLifeSec", json!(59)) => range("vpnTunnelSpec.ikeSaLifeSec 59"),
        ("ikeSaLifeSec", json!(86401)) => range("ikeSaLifeSec"),
        ("ipsecSaLifeSec", json!(59)) => range("vpnTunnelSpec.ipsecSaLifeSec"),
        ("ipsecSaLifeSec", json!(86401)) => range("ipsecSaLifeSec"),
        ("ipsecSaLifepkt", json!(-1)) => range("vpnTunnelSpec.ipsecSaLifepkt"),
        ("ipsecSaLifepkt", json!(100000001)) => range("ipsecSaLifepkt"),
        ("ipsecSaLifebyte", json!(-1)) => range("vpnTunnelSpec.ipsecSaLifebyte"),
        ("ipsecSaLifebyte", json!(107374182401_i64)) => range("ipsecSaLifebyte"),
        ("bandwidthMbps", json!(0)) => range("vpnTunnelSpec.bandwidthMbps 0"),
        ("bandwidthMbps", json!(1501)) => range("bandwidthMbps"),
    } {
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
    let item = tunnel_item(&tunnel);
    let m = |spec: Value| Some(json!({ "vpnTunnelModifySpec": spec }));
    let cases: Vec<Case<'_>> = cases! {
        m(json!({"psk": "0x1"})) => bad("vpnTunnelModifySpec.psk must not start with 0x"),
        m(json!({"psk": ""})) => bad("vpnTunnelModifySpec.psk is invalid"),
        m(json!({"ikeVersion": "v0"})) => bad("vpnTunnelModifySpec.ikeVersion"),
        m(json!({"ikeDpdSec": 30})) => bad("vpnTunnelModifySpec.ikeDpdSec 30 is invalid"),
        m(json!({"ipsecSaLifeSec": 10})) => range("vpnTunnelModifySpec.ipsecSaLifeSec 10"),
        m(json!({"bandwidthMbps": 2000})) => range("vpnTunnelModifySpec.bandwidthMbps"),
        m(json!({"tunnelIp": "169.254.0.0/31"})) => bad("must be a /30 block"),
        m(json!({"localTunnelIp": "169.254.0.3"})) => bad("must be 169.254.0.1 or 169.254.0.2"),
        m(json!({"tunnelIp": "10.0.0.4/30", "localTunnelIp": "169.254.0.1"}))
            => bad("must be 10.0.0.5 or 10.0.0.6"),
        m(json!({"cloudPublicIp": s(&connection["cloudPublicIp"][1])}))
            => bad("cloudPublicIp cannot be modified"),
        m(json!({"customerIp": "203.0.113.2"})) => bad("customerIp cannot be modified"),
        m(json!({"vpnConnectionId": "vpnc-other123"})) => bad("vpnConnectionId cannot be modified"),
    };
    for (body, expected) in cases {
        fails(&app, "PATCH", &item, body, expected).await;
    }
    assert_eq!(
        describe_tunnel(&app, &s(&tunnel["vpnTunnelId"])).await,
        tunnel,
        "failed modifies change nothing"
    );
    fails_missing(&app, "PATCH", VPNTS, "vpnt-missing1", m(json!({}))).await;
}

#[tokio::test]
async fn vpn_tunnel_pairs_and_tunnel_ip_conflicts() {
    let app = new_app();
    let (bgw, cgw, connection) = tunnel_fixture(&app).await;
    // At most one tunnel per (cloud IP, customer IP): 2 × 2 = 4 tunnels for this connection.
    let t1 = create_tunnel(&app, &connection, 0, "203.0.113.1").await;
    let t2 = create_tunnel(&app, &connection, 0, "203.0.113.2").await;
    let t3_ip = tunnel_ip("169.254.0.8/30");
    let t3 = create_tunnel_with(&app, &connection, 1, "203.0.113.1", t3_ip).await;
    // Automatic blocks skip the taken ones: 0/30, 4/30, (8/30 taken explicitly), 12/30.
    assert_eq!(t1["tunnelIp"], "169.254.0.0/30");
    assert_eq!(t2["tunnelIp"], "169.254.0.4/30");
    let t4 = create_tunnel(&app, &connection, 1, "203.0.113.2").await;
    assert_eq!(t4["tunnelIp"], "169.254.0.12/30");
    let pair = |cloud, customer| {
        req(
            "POST",
            VPNTS,
            Some(tunnel_spec(&connection, cloud, customer)),
        )
    };
    let t1_taken = format!("VpnTunnel '{}' already connects", s(&t1["vpnTunnelId"]));
    all_fail(
        &app,
        cases! {
            pair(0, "203.0.113.1") => precondition(&t1_taken),
            pair(0, "203.0.113.1") => precondition("only one tunnel per address pair"),
            pair(1, "203.0.113.2") => precondition("only one tunnel per address pair"),
        },
    )
    .await;

    // Tunnel IPs are unique per border gateway, across its connections.
    let cgw2 = create_cgw(&app, &["198.51.100.1"], 65020).await;
    let same_bgw = create_connection(&app, &bgw, &cgw2).await;
    let spec = with(
        tunnel_spec(&same_bgw, 0, "198.51.100.1"),
        "vpnTunnelSpec",
        tunnel_ip("169.254.0.8/30"),
    );
    let t3_block = format!(
        "conflicts with 169.254.0.8/30 of VpnTunnel '{}'",
        s(&t3["vpnTunnelId"])
    );
    fails(&app, "POST", VPNTS, Some(spec), precondition(&t3_block)).await;
    let t5 = create_tunnel(&app, &same_bgw, 0, "198.51.100.1").await;
    assert_eq!(
        t5["tunnelIp"], "169.254.0.16/30",
        "allocation sees other connections"
    );
    // Modifying into a taken block conflicts; keeping one's own block does not.
    let t5_item = tunnel_item(&t5);
    let block = |cidr| Some(json!({ "vpnTunnelModifySpec": tunnel_ip(cidr) }));
    let taken = precondition("conflicts with 169.254.0.4/30");
    fails(&app, "PATCH", &t5_item, block("169.254.0.4/30"), taken).await;
    ok(&app, "PATCH", &t5_item, block("169.254.0.16/30")).await;

    // Another border gateway may reuse the same block.
    let other_bgw = create_bgw(&app, "other").await;
    let other = create_connection(&app, &other_bgw, &cgw).await;
    let reused =
        create_tunnel_with(&app, &other, 0, "203.0.113.1", tunnel_ip("169.254.0.8/30")).await;
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
    // One UP tunnel per cloud IP is enough: (tunnel, admin status set, haStatus after).
    for (step, (tunnel, status, expected)) in [
        (&a1, "DOWN", "redundancy"),
        (&b2, "DOWN", "no_redundancy"),
        (&b2, "UP", "redundancy"),
        (&a2, "DOWN", "no_redundancy"),
        (&a1, "UP", "redundancy"),
    ]
    .into_iter()
    .enumerate()
    {
        set_admin_status(&app, &s(&tunnel["vpnTunnelId"]), status).await;
        let connection = describe_connection(&app, &id).await;
        assert_eq!(ha(connection), expected, "step {step}");
    }
    // Deleting a DOWN tunnel changes nothing; a new (UP) tunnel on that cloud IP restores it.
    set_admin_status(&app, &s(&a1["vpnTunnelId"]), "DOWN").await;
    ok(&app, "DELETE", &tunnel_item(&a1), None).await;
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
    all_fail(&app, cases! {
        req("POST", &uri, Some(json!({"adminStatus": "up"})))
            => bad("adminStatus \"up\" is invalid"),
        req("POST", &uri, Some(json!({}))) => bad("adminStatus missing"),
        req("POST", &format!("{VPNTS}{id}:otherAction"), Some(json!({"adminStatus": "UP"})))
            => not_found("no JD Cloud operation"),
        req("POST", &format!("{VPNTS}vpnt-missing1%3AadminStatus"), Some(json!({"adminStatus": "UP"})))
            => not_found("VpnTunnel 'vpnt-missing1'"),
    })
    .await;
    assert_counts(&app, cases! { "jdcloud.modifyAdminStatus" => 7 }).await;
}
