use super::schema::tunnel_block;
use super::*;
use crate::framework::testing::validate_paths;

#[test]
fn tunnel_fields_match_the_tunnel_block() {
    let tunnel = serde_json::to_value(Tunnel::default()).unwrap();
    let mut fields: Vec<&str> = tunnel
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let block = tunnel_block();
    let mut attrs: Vec<&str> = block.attributes.iter().map(|a| a.name.as_str()).collect();
    fields.sort_unstable();
    attrs.sort_unstable();
    assert_eq!(fields, attrs);
}

fn tunnel(pairs: &[(&str, Value)]) -> Value {
    let mut m: std::collections::BTreeMap<String, Value> = tunnel_block()
        .attributes
        .iter()
        .map(|a| (a.name.clone(), Value::Null))
        .collect();
    m.insert("customer_gateway_id".into(), Value::string("cgw-1"));
    for (k, v) in pairs {
        m.insert(k.to_string(), v.clone());
    }
    Value::Object(m)
}

fn list(v: &[&str]) -> Value {
    Value::List(v.iter().map(|s| Value::string(*s)).collect())
}

#[test]
fn validation_rules_point_at_the_attribute() {
    let s = schema();
    let v = |pairs: &[(&str, Value)]| validate_paths(&s, pairs);
    let two = |a: Value, b: Value| Value::List(vec![a, b]);
    assert!(v(&[("tunnel", two(tunnel(&[]), tunnel(&[])))]).is_empty());
    assert_eq!(v(&[("tunnel", Value::List(vec![tunnel(&[])]))]), ["tunnel"]);
    assert_eq!(
        v(&[(
            "tunnel",
            two(tunnel(&[("psk", Value::string("has space"))]), tunnel(&[]))
        )]),
        ["tunnel[0].psk"]
    );
    assert_eq!(
        v(&[(
            "tunnel",
            two(
                tunnel(&[("psk", Value::string("x".repeat(101)))]),
                tunnel(&[])
            )
        )]),
        ["tunnel[0].psk"]
    );
    // Alibaba's specials, every one of them (`'` included, `"` not).
    assert!(v(&[(
        "tunnel",
        two(
            tunnel(&[("psk", Value::string(format!("a{PSK_SPECIALS}9")))]),
            tunnel(&[])
        )
    )])
    .is_empty());
    assert_eq!(
        v(&[(
            "tunnel",
            two(tunnel(&[]), tunnel(&[("psk", Value::string("say\"hi\""))]))
        )]),
        ["tunnel[1].psk"]
    );
    assert_eq!(
        v(&[(
            "tunnel",
            two(tunnel(&[]), tunnel(&[("ike_lifetime", Value::int(86401))]))
        )]),
        ["tunnel[1].ike_lifetime"]
    );
    assert_eq!(
        v(&[(
            "tunnel",
            two(
                tunnel(&[("ipsec_pfs", Value::string("group3"))]),
                tunnel(&[])
            )
        )]),
        ["tunnel[0].ipsec_pfs"]
    );
    assert_eq!(
        v(&[(
            "tunnel",
            two(tunnel(&[("bgp_local_asn", Value::int(0))]), tunnel(&[]))
        )]),
        ["tunnel[0].bgp_local_asn"]
    );
    let cidr = |c: &str| tunnel(&[("bgp_tunnel_cidr", Value::string(c))]);
    assert_eq!(
        v(&[(
            "tunnel",
            two(cidr("169.254.1.0/30"), cidr("169.254.10.0/30"))
        )]),
        ["tunnel[0].bgp_tunnel_cidr"]
    );
    assert_eq!(
        v(&[("tunnel", two(cidr("10.0.0.0/30"), cidr("169.254.10.0/30")))]),
        ["tunnel[0].bgp_tunnel_cidr"]
    );
    assert_eq!(
        v(&[(
            "tunnel",
            two(cidr("169.254.10.0/29"), cidr("169.254.11.0/30"))
        )]),
        ["tunnel[0].bgp_tunnel_cidr"]
    );
    assert_eq!(
        v(&[(
            "tunnel",
            two(cidr("169.254.10.0/30"), cidr("169.254.10.0/30"))
        )]),
        ["tunnel[1].bgp_tunnel_cidr"]
    );
    let bad_ip = tunnel(&[
        ("bgp_tunnel_cidr", Value::string("169.254.10.0/30")),
        ("bgp_local_ip", Value::string("169.254.10.3")),
    ]);
    assert_eq!(
        v(&[("tunnel", two(bad_ip, cidr("169.254.11.0/30")))]),
        ["tunnel[0].bgp_local_ip"]
    );
    assert_eq!(
        v(&[
            ("bgp_enabled", Value::Bool(true)),
            ("tunnel", two(tunnel(&[]), cidr("169.254.11.0/30")))
        ]),
        ["tunnel[0].bgp_tunnel_cidr"]
    );
    let pdf = Value::string("protected_data_flows");
    assert_eq!(
        v(&[
            ("routing_mode", pdf.clone()),
            ("tunnel", two(tunnel(&[]), tunnel(&[])))
        ]),
        ["local_subnets", "remote_subnets"]
    );
    assert_eq!(
        v(&[
            ("local_subnets", list(&["10.0.0.0/8"])),
            ("tunnel", two(tunnel(&[]), tunnel(&[])))
        ]),
        ["local_subnets"]
    );
    let v1 = tunnel(&[("ike_version", Value::string("ikev1"))]);
    assert_eq!(
        v(&[
            ("routing_mode", pdf),
            ("local_subnets", list(&["10.0.0.0/16", "10.1.0.0/16"])),
            ("remote_subnets", list(&["192.168.0.0/16"])),
            ("tunnel", two(v1, tunnel(&[])))
        ]),
        ["tunnel[0].ike_version"]
    );
    assert_eq!(
        v(&[
            ("network_type", Value::string("vpc")),
            ("tunnel", two(tunnel(&[]), tunnel(&[])))
        ]),
        ["network_type"]
    );
}

#[test]
fn modify_sends_only_changed_members_with_tunnel_identity() {
    let prior = Tunnel {
        tunnel_id: Some("tun-1".into()),
        customer_gateway_id: Some("cgw-1".into()),
        psk: Some("old".into()),
        ike_version: Some("ikev2".into()),
        ..Tunnel::default()
    };
    let plan = Tunnel {
        psk: Some("new".into()),
        ..prior.clone()
    };
    let t = &expand_tunnels(&[prior.clone(), prior.clone()], &[plan, prior])[..];
    assert_eq!(t[0].tunnel_id.as_deref(), Some("tun-1"));
    assert_eq!(t[0].tunnel_index, 1);
    assert_eq!(t[1].tunnel_index, 2);
    assert_eq!(
        t[0].tunnel_ike_config.psk.as_ref().map(|p| p.as_str()),
        Some("new")
    );
    assert!(t[0].tunnel_ike_config.ike_version.is_none());
    assert!(t[1].tunnel_ike_config.is_empty());
}

#[test]
fn psk_and_psk_wo_conflict_and_the_version_goes_with_psk_wo() {
    let s = schema();
    let v = |t: Value| validate_paths(&s, &[("tunnel", Value::List(vec![t, tunnel(&[])]))]);
    let key = || Value::string("Wo-Key!1");
    let one = || Value::int(1);
    assert!(v(tunnel(&[("psk_wo", key()), ("psk_wo_version", one())])).is_empty());
    assert!(v(tunnel(&[
        ("psk_wo", Value::Unknown),
        ("psk_wo_version", one())
    ]))
    .is_empty());
    assert_eq!(
        v(tunnel(&[
            ("psk", key()),
            ("psk_wo", key()),
            ("psk_wo_version", one())
        ])),
        ["tunnel[0].psk_wo"]
    );
    assert_eq!(
        v(tunnel(&[("psk_wo", key())])),
        ["tunnel[0].psk_wo_version"]
    );
    assert_eq!(
        v(tunnel(&[("psk_wo_version", one())])),
        ["tunnel[0].psk_wo_version"]
    );
    let bad = tunnel(&[
        ("psk_wo", Value::string("say\"hi\"")),
        ("psk_wo_version", one()),
    ]);
    assert_eq!(v(bad), ["tunnel[0].psk_wo"]);
}

fn wo(version: Option<i64>, key: Option<&str>, psk: Option<&str>) -> Tunnel {
    Tunnel {
        tunnel_id: Some("tun-1".into()),
        customer_gateway_id: Some("cgw-1".into()),
        psk: psk.map(Into::into),
        psk_wo: key.map(Into::into),
        psk_wo_version: version,
        ..Tunnel::default()
    }
}

#[test]
fn the_write_only_key_is_sent_on_create_and_when_its_version_changes() {
    let sent = |prior: &[Tunnel], plan: Tunnel| {
        let t = expand_tunnels(prior, &[plan]);
        t[0].tunnel_ike_config
            .psk
            .as_ref()
            .map(|p| p.as_str().to_string())
    };
    assert_eq!(
        sent(&[], wo(Some(1), Some("K1"), None)).as_deref(),
        Some("K1")
    );
    let applied = wo(Some(1), None, None);
    assert_eq!(
        sent(
            std::slice::from_ref(&applied),
            wo(Some(1), Some("K1"), None)
        ),
        None
    );
    assert!(!settings_differ(&applied, &wo(Some(1), Some("K1"), None)));
    assert_eq!(
        sent(
            std::slice::from_ref(&applied),
            wo(Some(2), Some("K2"), None)
        )
        .as_deref(),
        Some("K2")
    );
    assert!(settings_differ(&applied, &wo(Some(2), Some("K2"), None)));
}

#[test]
fn psk_is_planned_null_with_psk_wo_and_unknown_when_psk_wo_goes() {
    use crate::framework::testing::object;
    let planned_psk = |prior: Value, planned: Value, config: Value| {
        let list = |t: Value| object(&[("tunnel", Value::List(vec![t]))]);
        let mut p = list(planned);
        plan_tunnels(&list(prior), &mut p, &list(config), &mut Diagnostics::new());
        p.get("tunnel").as_list().unwrap()[0].get("psk").clone()
    };
    let config_wo = object(&[
        ("psk_wo", Value::Unknown),
        ("psk_wo_version", Value::int(1)),
    ]);
    // Create: psk would be unknown (computed) and filled by the read-back.
    let unknown = object(&[("psk", Value::Unknown)]);
    assert_eq!(
        planned_psk(Value::Null, unknown.clone(), config_wo.clone()),
        Value::Null
    );
    // Switching from a kept key: the state's key is not kept.
    let kept = object(&[("psk", Value::string("Old"))]);
    let prior = object(&[("psk", Value::string("Old"))]);
    assert_eq!(planned_psk(prior, kept, config_wo), Value::Null);
    // psk_wo removed, no psk: Alibaba's key will be read back into state.
    let prior_wo = object(&[("psk", Value::Null), ("psk_wo_version", Value::int(1))]);
    let planned = object(&[("psk", Value::Null)]);
    assert_eq!(
        planned_psk(prior_wo.clone(), planned.clone(), object(&[])),
        Value::Unknown
    );
    let config_psk = object(&[("psk", Value::string("New"))]);
    let planned_new = object(&[("psk", Value::string("New"))]);
    assert_eq!(
        planned_psk(prior_wo, planned_new, config_psk),
        Value::string("New")
    );
}

#[test]
fn the_key_read_back_stays_out_of_a_write_only_state() {
    let conn: api::VpnConnection = serde_json::from_value(serde_json::json!({
        "VpnConnectionId": "vco-1",
        "TunnelOptionsSpecification": {"TunnelOptions": [
            {"TunnelId": "tun-1", "TunnelIndex": 1, "TunnelIkeConfig": {"Psk": "Cloud-Key"}}
        ]}
    }))
    .unwrap();
    let full = Full {
        conn,
        binding: None,
        associated: false,
        propagating: false,
        table: None,
    };
    let tunnel0 = |ours: &[Tunnel]| {
        let s = flatten_full(&full, "cn-hangzhou", ours);
        s.tunnel.unwrap().remove(0)
    };
    let t = tunnel0(&[wo(Some(4), None, None)]);
    assert_eq!((t.psk, t.psk_wo, t.psk_wo_version), (None, None, Some(4)));
    let t = tunnel0(&[]);
    assert_eq!(t.psk.as_ref().map(|p| p.as_str()), Some("Cloud-Key"));
    assert_eq!(t.psk_wo_version, None);
}

/// Switching BGP off in place: the cloud may keep the tunnels' last BGP settings, which must not
/// come back into a state whose plan cleared them ("inconsistent result after apply").
#[test]
fn with_bgp_off_the_tunnels_bgp_settings_are_not_read_back() {
    let conn = |bgp: bool| -> api::VpnConnection {
        serde_json::from_value(serde_json::json!({
            "VpnConnectionId": "vco-1",
            "EnableTunnelsBgp": bgp,
            "TunnelOptionsSpecification": {"TunnelOptions": [{
                "TunnelId": "tun-1", "TunnelIndex": 1,
                "TunnelBgpConfig": {"LocalAsn": "65100", "TunnelCidr": "169.254.30.0/30",
                                    "LocalBgpIp": "169.254.30.1", "PeerBgpIp": "169.254.30.2"}
            }]}
        }))
        .unwrap()
    };
    let tunnel0 = |bgp: bool| {
        let full = Full {
            conn: conn(bgp),
            binding: None,
            associated: false,
            propagating: false,
            table: None,
        };
        flatten_full(&full, "cn-hangzhou", &[])
            .tunnel
            .unwrap()
            .remove(0)
    };
    let on = tunnel0(true);
    assert_eq!(on.bgp_tunnel_cidr.as_deref(), Some("169.254.30.0/30"));
    assert_eq!(on.bgp_peer_ip.as_deref(), Some("169.254.30.2"));
    assert_eq!(on.bgp_local_asn, Some(65100));
    let off = tunnel0(false);
    assert_eq!(
        (off.bgp_tunnel_cidr, off.bgp_local_ip, off.bgp_peer_ip),
        (None, None, None)
    );
}

#[test]
fn bgp_settings_need_bgp_on() {
    let s = schema();
    let cidr = |c: &str| tunnel(&[("bgp_tunnel_cidr", Value::string(c))]);
    let tunnels = Value::List(vec![cidr("169.254.30.0/30"), cidr("169.254.31.0/30")]);
    let off = validate_paths(
        &s,
        &[
            ("bgp_enabled", Value::Bool(false)),
            ("tunnel", tunnels.clone()),
        ],
    );
    assert_eq!(
        off,
        ["tunnel[0].bgp_tunnel_cidr", "tunnel[1].bgp_tunnel_cidr"]
    );
    let on = validate_paths(
        &s,
        &[("bgp_enabled", Value::Bool(true)), ("tunnel", tunnels)],
    );
    assert!(on.is_empty(), "{on:?}");
}
