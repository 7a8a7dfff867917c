//! Vpc 2016-04-28: idempotent connection creates, signature V1, and modifications.

use super::*;

#[tokio::test]
async fn vpn_attachment_client_token_and_v1() {
    let app = new_app(0);
    let (cgw1, cgw2) = create_cgws(&app).await;
    let mut params = vco_params(&cgw1, &cgw2);
    params.push(("ClientToken", "create-once"));
    let a = ok(&app, CREATE_VCO, &params).await;
    // A retry over the other dialect with the same token: the same connection.
    let (status, b) = call_with(
        &app,
        CREATE_VCO,
        &params,
        &Signing {
            v1: true,
            ..Signing::default()
        },
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{b}");
    assert_eq!(a["VpnConnectionId"], b["VpnConnectionId"]);
    assert_eq!(a["CreateTime"], b["CreateTime"]);
    assert_eq!(stored(&app, "vpn_connections").await.len(), 1);
    params.retain(|(k, _)| *k != "Name");
    params.push(("Name", "other"));
    fails(&app, CREATE_VCO, &params, TOKEN_MISMATCH).await;

    // The gateway cannot go while the connection uses it.
    let msg = fails(
        &app,
        DELETE_CGW,
        &cgw_of(&cgw2),
        (400, "DependencyViolation.VpnConnection"),
    )
    .await;
    assert!(
        msg.contains(a["VpnConnectionId"].as_str().unwrap()),
        "{msg}"
    );
    let id = a["VpnConnectionId"].as_str().unwrap();
    let deleted = ok(&app, DELETE_VCO, &vco_of(id)).await;
    assert_eq!(deleted["Success"], true);
    fails(&app, DELETE_VCO, &vco_of(id), VCO_NOT_FOUND).await;
    ok(&app, DELETE_CGW, &cgw_of(&cgw2)).await;
}

#[tokio::test]
async fn modify_is_asynchronous_and_partial() {
    let app = new_app(500);
    let (id, _cgw1, cgw2) = create_vco(&app).await;
    let before = describe_vco(&app, &id).await;
    let before_t1 = &before["TunnelOptionsSpecification"]["TunnelOptions"][0];
    let before_t2 = &before["TunnelOptionsSpecification"]["TunnelOptions"][1];
    let psk2 = before_t2["TunnelIkeConfig"]["Psk"].clone();
    let tunnel_id = before_t1["TunnelId"].as_str().unwrap().to_owned();

    let modified = ok(
        &app,
        MODIFY_VCO,
        &[
            ("RegionId", REGION),
            ("VpnConnectionId", &id),
            ("Name", "renamed"),
            ("LocalSubnet", "10.1.0.0/16"),
            ("EnableTunnelsBgp", "true"),
            // Tunnel 1 by index, with its id as tf does not send but the SDK can.
            ("TunnelOptionsSpecification.1.TunnelIndex", "1"),
            ("TunnelOptionsSpecification.1.TunnelId", &tunnel_id),
            ("TunnelOptionsSpecification.1.CustomerGatewayId", &cgw2),
            (
                "TunnelOptionsSpecification.1.TunnelIkeConfig.Psk",
                "new-psk",
            ),
            (
                "TunnelOptionsSpecification.1.TunnelBgpConfig.TunnelCidr",
                "169.254.30.0/30",
            ),
            ("TunnelOptionsSpecification.2.TunnelIndex", "2"),
            (
                "TunnelOptionsSpecification.2.TunnelBgpConfig.TunnelCidr",
                "169.254.31.0/30",
            ),
        ],
    )
    .await;
    // The answer: a bare, typed tunnel array.
    let tunnels = modified["TunnelOptionsSpecification"].as_array().unwrap();
    assert_eq!(tunnels.len(), 2);
    assert_eq!(tunnels[0]["EnableDpd"], true);
    assert_eq!(tunnels[0]["TunnelBgpConfig"]["LocalAsn"], 45104);
    assert_eq!(tunnels[0]["TunnelIkeConfig"]["IkeLifetime"], 86400);
    assert_eq!(tunnels[0]["State"], "updating");
    assert_eq!(modified["VpnGatewayId"], "vpn-not-exist");
    assert_eq!(modified["Name"], "renamed");

    let during = describe_vco(&app, &id).await;
    assert_eq!(during["State"], "updating");
    // While updating, another change is refused (tf retries this code).
    all_fail(
        &app,
        cases! {
            vpc("ModifyVpnAttachmentAttribute", &[
                ("RegionId", REGION),
                ("VpnConnectionId", &id),
                ("Name", "again"),
            ]) => VCO_CONFIGURING,
            vpc("DeleteVpnAttachment", &vco_of(&id)) => VCO_CONFIGURING,
        },
    )
    .await;

    advance(&app, 600).await;
    let after = describe_vco(&app, &id).await;
    assert_eq!(after["State"], "init", "unbound: back to init");
    assert_eq!(after["Name"], "renamed");
    assert_eq!(after["LocalSubnet"], "10.1.0.0/16");
    assert_eq!(
        after["RemoteSubnet"], before["RemoteSubnet"],
        "not sent, unchanged"
    );
    let t1 = &after["TunnelOptionsSpecification"]["TunnelOptions"][0];
    let t2 = &after["TunnelOptionsSpecification"]["TunnelOptions"][1];
    assert_eq!(t1["TunnelId"], tunnel_id.as_str());
    assert_eq!(t1["State"], "active");
    assert_eq!(t1["CustomerGatewayId"], cgw2.as_str());
    assert_eq!(t1["TunnelIkeConfig"]["Psk"], "new-psk");
    assert_eq!(
        t1["TunnelIkeConfig"]["IkeVersion"], "ikev2",
        "not sent, unchanged"
    );
    assert_eq!(t1["TunnelBgpConfig"]["TunnelCidr"], "169.254.30.0/30");
    assert_eq!(
        t1["TunnelBgpConfig"]["PeerAsn"], "65002",
        "from the new gateway"
    );
    assert_eq!(t2["TunnelIkeConfig"]["Psk"], psk2, "tunnel 2's key is kept");
    assert_eq!(after["EnableTunnelsBgp"], true);

    // Validation as on create, and tunnels must be named.
    for (params, code) in cases! {
        vec![("TunnelOptionsSpecification.1.TunnelBgpConfig.TunnelCidr", "169.254.31.0/30")]
            => "InvalidParameter",
        vec![("TunnelOptionsSpecification.1.TunnelIkeConfig.Psk", "a b")] => "InvalidParameter",
        vec![("TunnelOptionsSpecification.1.EnableDpd", "False")] => "MissingParameter",
        vec![("TunnelOptionsSpecification.1.TunnelId", "tun-other")] => "InvalidParameter",
        vec![("NetworkType", "private")] => "InvalidNetworkType",
        vec![("RemoteSubnet", "1.2.3.4/8")] => "InvalidRemoteSubnet",
    } {
        let mut p = vec![("RegionId", REGION), ("VpnConnectionId", id.as_str())];
        if params[0].0.starts_with("TunnelOptionsSpecification.1.")
            && params[0].0 != "TunnelOptionsSpecification.1.EnableDpd"
            && params[0].0 != "TunnelOptionsSpecification.1.TunnelId"
        {
            p.push(("TunnelOptionsSpecification.1.TunnelIndex", "1"));
        }
        p.extend(params.iter().copied());
        let (status, body) = call(&app, MODIFY_VCO, &p).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{p:?}: {body}");
        assert_eq!(body["Code"], code, "{p:?}: {body}");
    }
    fails(&app, MODIFY_VCO, &vco_of("vco-missing"), VCO_NOT_FOUND).await;
    let still = describe_vco(&app, &id).await;
    assert_eq!(
        still["State"], "init",
        "refused modifications change nothing"
    );
}
