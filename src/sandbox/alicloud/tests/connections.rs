//! Vpc 2016-04-28: dual-tunnel connections, their defaults, options and rules.

use super::*;

#[tokio::test]
async fn vpn_attachment_defaults_and_describe_shape() {
    let app = new_app(0);
    let (id, cgw1, cgw2) = create_vco(&app).await;
    assert!(id.starts_with("vco-"), "{id}");
    let v = describe_vco(&app, &id).await;
    assert_eq!(v["VpnConnectionId"], id.as_str());
    assert_eq!(v["Name"], "vco-test");
    assert!(v["CreateTime"].is_i64(), "{v}");
    assert_eq!(v["State"], "init");
    assert_eq!(v["AttachType"], "NO_ASSOCIATED");
    assert_eq!(v["VpnGatewayId"], "vpn-not-exist");
    assert_eq!(v["NetworkType"], "public");
    assert_eq!(v["EffectImmediately"], false);
    assert_eq!(v["EnableTunnelsBgp"], false);
    assert_eq!(v["CrossAccountAuthorized"], false);
    assert_eq!(v["TunnelBandwidth"], "Standard");
    assert_eq!(v["Status"], "ike_sa_not_established");
    assert_eq!(v["Tags"], json!({"Tag": []}));
    assert!(v.get("TransitRouterId").is_none() && v.get("AttachInstanceId").is_none());
    let tunnels = v["TunnelOptionsSpecification"]["TunnelOptions"]
        .as_array()
        .unwrap();
    assert_eq!(tunnels.len(), 2);
    let t1 = &tunnels[0];
    assert_eq!(t1["TunnelIndex"], 1);
    assert_eq!(t1["CustomerGatewayId"], cgw1.as_str());
    assert_eq!(tunnels[1]["CustomerGatewayId"], cgw2.as_str());
    assert_eq!(t1["Role"], "master");
    assert_eq!(tunnels[1]["Role"], "slave");
    assert_eq!(t1["State"], "active");
    assert_eq!(t1["ZoneNo"], "cn-hangzhou-h");
    assert_eq!(tunnels[1]["ZoneNo"], "cn-hangzhou-i");
    assert!(
        t1.get("InternetIp").is_none(),
        "no address before binding: {t1}"
    );
    assert!(t1["TunnelId"].as_str().unwrap().starts_with("tun-"));
    assert_ne!(t1["TunnelId"], tunnels[1]["TunnelId"]);
    // Every scalar is a string, as the SDK model declares.
    assert_eq!(t1["EnableDpd"], "true");
    assert_eq!(t1["EnableNatTraversal"], "true");
    assert_eq!(t1["TunnelBgpConfig"]["LocalAsn"], "45104");
    assert_eq!(t1["TunnelBgpConfig"]["PeerAsn"], "65001");
    let ike = &t1["TunnelIkeConfig"];
    assert_eq!(
        (
            ike["IkeVersion"].as_str(),
            ike["IkeMode"].as_str(),
            ike["IkeEncAlg"].as_str()
        ),
        (Some("ikev2"), Some("main"), Some("aes"))
    );
    assert_eq!(
        (ike["IkeAuthAlg"].as_str(), ike["IkePfs"].as_str()),
        (Some("sha1"), Some("group2"))
    );
    assert_eq!(ike["IkeLifetime"], "86400");
    assert_eq!(
        ike["RemoteId"], "203.0.113.10",
        "defaults to the gateway's address"
    );
    let psk = ike["Psk"].as_str().unwrap();
    assert_eq!(psk.len(), 16, "{psk}");
    assert!(psk.chars().all(|c| c.is_ascii_alphanumeric()));
    assert_ne!(psk, tunnels[1]["TunnelIkeConfig"]["Psk"].as_str().unwrap());
    let ipsec = &t1["TunnelIpsecConfig"];
    assert_eq!(ipsec["IpsecEncAlg"], "aes");
    assert_eq!(ipsec["IpsecAuthAlg"], "sha1");
    assert_eq!(ipsec["IpsecPfs"], "group2");
    assert_eq!(ipsec["IpsecLifetime"], "86400");

    // The list wraps, and names its tags `Tag`.
    let list = ok(&app, DESCRIBE_VCOS, &[("RegionId", REGION)]).await;
    assert_eq!(list["TotalCount"], 1);
    let item = &list["VpnConnections"]["VpnConnection"][0];
    assert_eq!(item["Tag"], json!({"Tag": []}));
    assert!(item.get("Tags").is_none());
    assert_eq!(
        item["TunnelOptionsSpecification"],
        v["TunnelOptionsSpecification"]
    );
    for (filter, value, expected) in [
        ("CustomerGatewayId", cgw2.as_str(), 1),
        ("CustomerGatewayId", "cgw-none", 0),
        ("VpnConnectionId", id.as_str(), 1),
        ("VpnGatewayId", "vpn-not-exist", 1),
        ("VpnGatewayId", "vpn-123", 0),
    ] {
        let list = ok(
            &app,
            DESCRIBE_VCOS,
            &[("RegionId", REGION), (filter, value)],
        )
        .await;
        assert_eq!(list["TotalCount"], expected, "{filter}={value}");
    }
    fails(&app, DESCRIBE_VCO, &vco_of("vco-missing"), VCO_NOT_FOUND).await;
}

#[tokio::test]
async fn vpn_attachment_full_options() {
    let app = new_app(0);
    let (cgw1, cgw2) = create_cgws(&app).await;
    let mut params = vco_params(&cgw1, &cgw2);
    params.extend([
        ("NetworkType", "private"),
        ("EffectImmediately", "True"),
        ("EnableTunnelsBgp", "TRUE"),
        ("TunnelBandwidth", "Large"),
        ("Tags.1.Key", "k"),
        ("Tags.1.Value", "v"),
        ("TunnelOptionsSpecification.1.EnableDpd", "False"),
        ("TunnelOptionsSpecification.1.EnableNatTraversal", "false"),
        ("TunnelOptionsSpecification.1.Role", "master"),
        (
            "TunnelOptionsSpecification.1.TunnelBgpConfig.LocalAsn",
            "65100",
        ),
        (
            "TunnelOptionsSpecification.1.TunnelBgpConfig.TunnelCidr",
            "169.254.10.0/30",
        ),
        (
            "TunnelOptionsSpecification.1.TunnelBgpConfig.LocalBgpIp",
            "169.254.10.2",
        ),
        (
            "TunnelOptionsSpecification.1.TunnelIkeConfig.Psk",
            "p~s!k@1",
        ),
        (
            "TunnelOptionsSpecification.1.TunnelIkeConfig.IkeVersion",
            "ikev1",
        ),
        (
            "TunnelOptionsSpecification.1.TunnelIkeConfig.IkeMode",
            "aggressive",
        ),
        (
            "TunnelOptionsSpecification.1.TunnelIkeConfig.IkeEncAlg",
            "aes256",
        ),
        (
            "TunnelOptionsSpecification.1.TunnelIkeConfig.IkeAuthAlg",
            "sha256",
        ),
        (
            "TunnelOptionsSpecification.1.TunnelIkeConfig.IkePfs",
            "group14",
        ),
        (
            "TunnelOptionsSpecification.1.TunnelIkeConfig.IkeLifetime",
            "0",
        ),
        (
            "TunnelOptionsSpecification.1.TunnelIkeConfig.LocalId",
            "vpn.example.com",
        ),
        (
            "TunnelOptionsSpecification.1.TunnelIkeConfig.RemoteId",
            "peer.example.com",
        ),
        (
            "TunnelOptionsSpecification.1.TunnelIpsecConfig.IpsecEncAlg",
            "3des",
        ),
        (
            "TunnelOptionsSpecification.1.TunnelIpsecConfig.IpsecAuthAlg",
            "md5",
        ),
        (
            "TunnelOptionsSpecification.1.TunnelIpsecConfig.IpsecPfs",
            "disabled",
        ),
        (
            "TunnelOptionsSpecification.1.TunnelIpsecConfig.IpsecLifetime",
            "3600",
        ),
        (
            "TunnelOptionsSpecification.2.TunnelBgpConfig.TunnelCidr",
            "169.254.11.0/30",
        ),
    ]);
    let created = ok(&app, CREATE_VCO, &params).await;
    assert_eq!(created["Code"], "200");
    assert_eq!(created["Message"], "successful");
    assert_eq!(created["Success"], true);
    assert_eq!(created["Name"], "vco-test");
    let v = describe_vco(&app, created["VpnConnectionId"].as_str().unwrap()).await;
    assert_eq!(v["NetworkType"], "private");
    assert_eq!(v["EffectImmediately"], true);
    assert_eq!(v["EnableTunnelsBgp"], true);
    assert_eq!(v["TunnelBandwidth"], "Large");
    assert_eq!(v["Tags"], json!({"Tag": [{"Key": "k", "Value": "v"}]}));
    let t1 = &v["TunnelOptionsSpecification"]["TunnelOptions"][0];
    assert_eq!(t1["EnableDpd"], "false");
    assert_eq!(t1["EnableNatTraversal"], "false");
    assert_eq!(
        t1["TunnelBgpConfig"],
        json!({"LocalAsn": "65100", "LocalBgpIp": "169.254.10.2", "TunnelCidr": "169.254.10.0/30",
               "PeerAsn": "65001", "PeerBgpIp": "169.254.10.1", "BgpStatus": "false"})
    );
    assert_eq!(
        t1["TunnelIkeConfig"],
        json!({"Psk": "p~s!k@1", "IkeVersion": "ikev1", "IkeMode": "aggressive",
               "IkeEncAlg": "aes256", "IkeAuthAlg": "sha256", "IkePfs": "group14",
               "IkeLifetime": "0", "LocalId": "vpn.example.com", "RemoteId": "peer.example.com"})
    );
    assert_eq!(
        t1["TunnelIpsecConfig"],
        json!({"IpsecEncAlg": "3des", "IpsecAuthAlg": "md5", "IpsecPfs": "disabled",
               "IpsecLifetime": "3600"})
    );
    let t2 = &v["TunnelOptionsSpecification"]["TunnelOptions"][1];
    assert_eq!(
        t2["TunnelBgpConfig"]["LocalBgpIp"], "169.254.11.1",
        "first host by default"
    );
    assert_eq!(t2["TunnelBgpConfig"]["PeerBgpIp"], "169.254.11.2");
    assert_eq!(t2["TunnelBgpConfig"]["PeerAsn"], "65002");
}

/// A change to valid parameters: added or replaced ones, removed ones.
type Change = (Vec<(String, String)>, Vec<&'static str>);

/// Sets `pairs` (tunnel 1's options by their key after `TunnelOptionsSpecification.1.`
/// with [`set1`]).
fn set(pairs: &[(&str, &str)]) -> Change {
    let owned = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()));
    (owned.collect(), vec![])
}

fn set1(key: &str, value: &str) -> Change {
    set(&[(&format!("TunnelOptionsSpecification.1.{key}"), value)])
}

fn removed(keys: &[&'static str]) -> Change {
    (vec![], keys.to_vec())
}

#[tokio::test]
async fn vpn_attachment_rules() {
    let app = new_app(0);
    let (cgw1, cgw2) = create_cgws(&app).await;
    let no_asn = create_cgw(&app, "203.0.113.12", None).await;
    let base = vco_params(&cgw1, &cgw2);
    let t1 = "TunnelOptionsSpecification.1.";
    let t2 = "TunnelOptionsSpecification.2.";
    // BGP on both tunnels, and `extra` too.
    let bgp = |extra: (&str, &str)| {
        let t1_cidr = format!("{t1}TunnelBgpConfig.TunnelCidr");
        let t2_cidr = format!("{t2}TunnelBgpConfig.TunnelCidr");
        set(&[
            ("EnableTunnelsBgp", "true"),
            (&t1_cidr, "169.254.10.0/30"),
            (&t2_cidr, "169.254.11.0/30"),
            extra,
        ])
    };
    let psk_101 = "x".repeat(101);
    let cases: Vec<(Change, &str)> = cases! {
        removed(&["LocalSubnet"]) => "MissingLocalSubnet",
        removed(&["RemoteSubnet"]) => "MissingRemoteSubnet",
        set(&[("LocalSubnet", "10.0.0.1/16")]) => "InvalidLocalSubnet",
        set(&[("RemoteSubnet", "192.168.0.0/16,x")]) => "InvalidRemoteSubnet",
        set(&[("NetworkType", "internet")]) => "InvalidNetworkType",
        set(&[("TunnelBandwidth", "Huge")]) => "InvalidTunnelBandwidth",
        set(&[("EnableTunnelsBgp", "yes")]) => "InvalidEnableTunnelsBgp",
        set(&[("Name", "https://x")]) => "InvalidName",
        removed(&[
            "TunnelOptionsSpecification.1.TunnelIndex",
            "TunnelOptionsSpecification.1.CustomerGatewayId",
            "TunnelOptionsSpecification.2.TunnelIndex",
            "TunnelOptionsSpecification.2.CustomerGatewayId",
        ]) => "MissingTunnelOptionsSpecification",
        removed(&[
            "TunnelOptionsSpecification.2.TunnelIndex",
            "TunnelOptionsSpecification.2.CustomerGatewayId",
        ]) => "InvalidTunnelOptionsSpecification",
        set(&[
            ("TunnelOptionsSpecification.3.TunnelIndex", "2"),
            ("TunnelOptionsSpecification.3.CustomerGatewayId", &cgw1),
        ]) => "InvalidTunnelOptionsSpecification",
        set1("TunnelIndex", "2") => "InvalidParameter",
        set1("TunnelIndex", "3") => "InvalidParameter",
        removed(&["TunnelOptionsSpecification.1.TunnelIndex"]) => "MissingParameter",
        removed(&["TunnelOptionsSpecification.1.CustomerGatewayId"]) => "MissingParameter",
        set1("CustomerGatewayId", "cgw-missing") => "InvalidCustomerGatewayInstanceId.NotFound",
        set1("EnableDpd", "maybe") => "InvalidParameter",
        set1("TunnelIkeConfig.Psk", "has space") => "InvalidParameter",
        set1("TunnelIkeConfig.Psk", &psk_101) => "InvalidParameter",
        set1("TunnelIkeConfig.IkeVersion", "ikev3") => "InvalidParameter",
        set1("TunnelIkeConfig.IkeMode", "Main") => "InvalidParameter",
        set1("TunnelIkeConfig.IkeEncAlg", "aes128") => "InvalidParameter",
        set1("TunnelIkeConfig.IkeAuthAlg", "sha224") => "InvalidParameter",
        set1("TunnelIkeConfig.IkePfs", "disabled") => "InvalidParameter",
        set1("TunnelIkeConfig.IkeLifetime", "86401") => "InvalidParameter",
        set1("TunnelIkeConfig.IkeLifetime", "-1") => "InvalidParameter",
        set1("TunnelIkeConfig.LocalId", "a b") => "InvalidParameter",
        set1("TunnelIpsecConfig.IpsecPfs", "group3") => "InvalidParameter",
        set1("TunnelIpsecConfig.IpsecLifetime", "90000") => "InvalidParameter",
        set1("TunnelBgpConfig.LocalAsn", "0") => "InvalidParameter",
        set1("TunnelBgpConfig.LocalAsn", "4294967296") => "InvalidParameter",
        set1("TunnelBgpConfig.TunnelCidr", "169.254.10.0/29") => "InvalidParameter",
        set1("TunnelBgpConfig.TunnelCidr", "169.254.2.0/30") => "InvalidParameter",
        set1("TunnelBgpConfig.TunnelCidr", "10.0.0.0/30") => "InvalidParameter",
        set(&[
            (&format!("{t1}TunnelBgpConfig.TunnelCidr"), "169.254.20.0/30"),
            (&format!("{t1}TunnelBgpConfig.LocalBgpIp"), "169.254.20.3"),
        ]) => "InvalidParameter",
        set1("TunnelBgpConfig.LocalBgpIp", "169.254.20.1") => "InvalidParameter",
        // BGP without a tunnel CIDR; same CIDR twice; gateway without ASN.
        set(&[("EnableTunnelsBgp", "true")]) => "MissingParameter",
        bgp((&format!("{t2}TunnelBgpConfig.TunnelCidr"), "169.254.10.0/30"))
            => "InvalidParameter",
        bgp((&format!("{t1}CustomerGatewayId"), &no_asn)) => "InvalidCustomerGateway.AsnNotSet",
        // Several subnets need IKEv2 on every tunnel.
        set(&[
            ("RemoteSubnet", "192.168.0.0/24,192.168.1.0/24"),
            (&format!("{t1}TunnelIkeConfig.IkeVersion"), "ikev1"),
        ]) => "InvalidIkeVersion.MultipleSubnets",
    };
    for ((extra, removed), code) in &cases {
        let mut params: Vec<(&str, &str)> = base
            .iter()
            .filter(|(k, _)| !removed.contains(k) && !extra.iter().any(|(e, _)| e == k))
            .copied()
            .collect();
        params.extend(extra.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let (status, body) = call(&app, CREATE_VCO, &params).await;
        let http = if code.ends_with("NotFound") { 404 } else { 400 };
        assert_eq!(status.as_u16(), http, "{extra:?} -{removed:?}: {body}");
        assert_eq!(body["Code"], *code, "{extra:?} -{removed:?}: {body}");
    }
    assert!(stored(&app, "vpn_connections").await.is_empty());

    // Several subnets with IKEv2 (the default) are fine; so is a tunnel on the same gateway twice.
    let mut params = vco_params(&cgw1, &cgw1);
    params.retain(|(k, _)| *k != "RemoteSubnet");
    params.push(("RemoteSubnet", "192.168.0.0/24,192.168.1.0/24"));
    ok(&app, CREATE_VCO, &params).await;
    // DryRun validates only.
    let mut params = vco_params(&cgw1, &cgw2);
    params.push(("DryRun", "true"));
    fails(&app, CREATE_VCO, &params, DRY_RUN).await;
    assert_eq!(stored(&app, "vpn_connections").await.len(), 1);
}
