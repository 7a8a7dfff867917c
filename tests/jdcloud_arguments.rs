//! Every argument of every JD Cloud resource, one at a time: updatable ones change in place
//! (same id), replace-only ones replace the resource (new id), and each apply is followed by an
//! empty plan, which proves the cloud took the value (the read-back must match it).

mod common;

use std::collections::BTreeMap;

use common::{provider_preamble, terraform_bins, Sandbox, TfWorkdir};

/// Resource address → attribute → HCL expression.
type Config = BTreeMap<&'static str, BTreeMap<&'static str, String>>;

fn render(cfg: &Config) -> String {
    let mut s = provider_preamble();
    for (addr, attrs) in cfg {
        let (ty, name) = addr.split_once('.').unwrap();
        s.push_str(&format!("\nresource \"{ty}\" \"{name}\" {{\n"));
        for (k, v) in attrs {
            if k.starts_with("block:") {
                s.push_str(&format!("  {v}\n"));
            } else {
                s.push_str(&format!("  {k} = {v}\n"));
            }
        }
        s.push_str("}\n");
    }
    s
}

fn q(s: &str) -> String {
    format!("{s:?}")
}

const BGW: &str = "hybridnet_jdcloud_border_gateway.a";
const BGW2: &str = "hybridnet_jdcloud_border_gateway.b";
const BGW3: &str = "hybridnet_jdcloud_border_gateway.c";
const VPCA: &str = "hybridnet_jdcloud_vpc_attachment.a";
const VPCA2: &str = "hybridnet_jdcloud_vpc_attachment.b";
const CGW: &str = "hybridnet_jdcloud_customer_gateway.a";
const CGW2: &str = "hybridnet_jdcloud_customer_gateway.b";
const CGW3: &str = "hybridnet_jdcloud_customer_gateway.c";
const ADDRS: &str = "hybridnet_jdcloud_customer_gateway_addresses.c";
const CONN: &str = "hybridnet_jdcloud_vpn_connection.a";
const CONN2: &str = "hybridnet_jdcloud_vpn_connection.b";
const TUN: &str = "hybridnet_jdcloud_vpn_tunnel.a";
const ROUTE: &str = "hybridnet_jdcloud_border_gateway_route.a";

fn base() -> Config {
    let mut c = Config::new();
    let mut put = |addr: &'static str, attrs: &[(&'static str, String)]| {
        c.insert(addr, attrs.iter().cloned().collect());
    };
    put(BGW, &[("name", q("bgw-a"))]);
    put(BGW2, &[("name", q("bgw-b"))]);
    put(BGW3, &[("name", q("bgw-c"))]);
    put(
        VPCA,
        &[
            ("name", q("vpca")),
            ("border_gateway_id", format!("{BGW}.id")),
            ("vpc_id", q("vpc-app00001")),
        ],
    );
    put(
        VPCA2,
        &[
            ("name", q("vpcb")),
            ("border_gateway_id", format!("{BGW2}.id")),
            ("vpc_id", q("vpc-app00009")),
        ],
    );
    put(
        CGW,
        &[
            ("name", q("cgw-a")),
            (
                "customer_ips",
                "[\"203.0.113.10\", \"203.0.113.11\"]".into(),
            ),
            ("bgp_asn", "65010".into()),
        ],
    );
    put(
        CGW2,
        &[
            ("name", q("cgw-b")),
            (
                "customer_ips",
                "[\"203.0.113.20\", \"203.0.113.21\"]".into(),
            ),
            ("bgp_asn", "65020".into()),
        ],
    );
    put(CGW3, &[("name", q("cgw-c")), ("bgp_asn", "65030".into())]);
    put(
        ADDRS,
        &[
            ("customer_gateway_id", format!("{CGW3}.id")),
            ("customer_ips", "[\"198.51.100.1\"]".into()),
        ],
    );
    put(
        CONN,
        &[
            ("name", q("conn-a")),
            ("border_gateway_id", format!("{BGW}.id")),
            ("customer_gateway_id", format!("{CGW}.id")),
        ],
    );
    put(
        CONN2,
        &[
            ("name", q("conn-b")),
            ("border_gateway_id", format!("{BGW}.id")),
            ("customer_gateway_id", format!("{CGW2}.id")),
        ],
    );
    put(
        TUN,
        &[
            ("vpn_connection_id", format!("{CONN}.id")),
            ("cloud_public_ip", format!("{CONN}.cloud_public_ips[0]")),
            ("customer_ip", format!("{CGW}.customer_ips[0]")),
            ("psk", q("Psk_1")),
        ],
    );
    put(
        ROUTE,
        &[
            ("border_gateway_id", format!("{BGW}.id")),
            ("destination", q("192.168.0.0/16")),
            ("next_hop_type", q("vpn_connection")),
            ("next_hop_id", format!("{CONN}.id")),
        ],
    );
    c
}

/// One step: a resource, the attributes it changes, and whether that replaces it.
type Case = (&'static str, Vec<(&'static str, String)>, bool);

/// Applied one after the other.
fn cases() -> Vec<Case> {
    vec![
        // Border gateway.
        (BGW, vec![("description", q("first"))], false),
        (BGW, vec![("name", q("bgw-a2"))], false),
        (BGW3, vec![("az_type", q("edge")), ("az", q("cn-north-1-edge-a"))], true),
        (BGW3, vec![("region", q("cn-east-2")), ("az", q("cn-east-2-edge-a"))], true),
        // VPC attachment.
        (VPCA, vec![("name", q("vpca2"))], false),
        (VPCA, vec![("propagate_type", q("partial")), ("subnet_ids", "[\"subnet-aaaa0001\"]".into())], false),
        (VPCA, vec![("subnet_ids", "[\"subnet-aaaa0001\", \"subnet-bbbb0002\"]".into())], false),
        (VPCA, vec![("propagate_type", q("none")), ("subnet_ids", "null".into())], false),
        (VPCA, vec![("vpc_id", q("vpc-app00002"))], false),
        (VPCA2, vec![("border_gateway_id", format!("{BGW}.id"))], true),
        // Customer gateway and its managed addresses.
        (CGW2, vec![("description", q("peer b"))], false),
        (CGW2, vec![("customer_ips", "[\"203.0.113.20\", \"203.0.113.21\", \"203.0.113.22\", \"203.0.113.23\"]".into())], false),
        (CGW2, vec![("bgp_asn", "65021".into())], true),
        (ADDRS, vec![("customer_ips", "[\"198.51.100.1\", \"198.51.100.2\"]".into())], false),
        // VPN connection.
        (CONN, vec![("name", q("conn-a2"))], false),
        (CONN, vec![("description", q("to the data centre"))], false),
        (CONN, vec![("bgp_enabled", "false".into())], false),
        (CONN, vec![("block:ts", "traffic_selector {\n    local_subnet = \"10.0.0.0/16\"\n    remote_subnets = [\"192.168.0.0/16\"]\n  }".into())], false),
        (CONN2, vec![("local_asn", "64700".into())], true),
        (CONN2, vec![("customer_gateway_id", format!("{CGW3}.id"))], true),
        (CONN2, vec![("border_gateway_id", format!("{BGW2}.id"))], true),
        // VPN tunnel: every setting in place…
        (TUN, vec![("psk", q("Psk_2"))], false),
        (TUN, vec![("tunnel_ip", q("169.254.4.0/30")), ("local_tunnel_ip", q("169.254.4.2"))], false),
        (TUN, vec![("ike_version", q("v1"))], false),
        (TUN, vec![("ike_mode", q("aggressive"))], false),
        (TUN, vec![("ike_key_exchange", q("modp2048"))], false),
        (TUN, vec![("ike_cipher", q("aes256"))], false),
        (TUN, vec![("ike_auth", q("sha384"))], false),
        (TUN, vec![("ike_dpd_sec", "0".into())], false),
        (TUN, vec![("ike_sa_life_sec", "28800".into())], false),
        (TUN, vec![("ipsec_cipher", q("aes192"))], false),
        (TUN, vec![("ipsec_auth", q("sha1"))], false),
        (TUN, vec![("ipsec_key_exchange", q("ecp384"))], false),
        (TUN, vec![("ipsec_sa_life_sec", "7200".into())], false),
        (TUN, vec![("ipsec_sa_lifepkt", "100000".into())], false),
        (TUN, vec![("ipsec_sa_lifebyte", "107374182400".into())], false),
        (TUN, vec![("bandwidth_mbps", "500".into())], false),
        (TUN, vec![("admin_status", q("DOWN"))], false),
        (TUN, vec![("admin_status", q("UP"))], false),
        // …and its endpoints by replacement.
        (TUN, vec![("customer_ip", format!("{CGW}.customer_ips[1]"))], true),
        (TUN, vec![("cloud_public_ip", format!("{CONN}.cloud_public_ips[1]"))], true),
        (
            TUN,
            vec![
                ("vpn_connection_id", format!("{CONN2}.id")),
                ("cloud_public_ip", format!("{CONN2}.cloud_public_ips[0]")),
                ("customer_ip", format!("{ADDRS}.customer_ips[0]")),
            ],
            true,
        ),
        // Static route.
        (ROUTE, vec![("description", q("idc"))], false),
        (ROUTE, vec![("destination", q("192.168.0.0/20"))], false),
        (ROUTE, vec![("next_hop_type", q("vpc_attachment")), ("next_hop_id", format!("{VPCA2}.id"))], false),
        (
            ROUTE,
            vec![("border_gateway_id", format!("{BGW2}.id")), ("next_hop_type", q("vpn_connection")), ("next_hop_id", format!("{CONN2}.id"))],
            true,
        ),
    ]
}

fn id(wd: &TfWorkdir, addr: &str) -> String {
    wd.resource_values(addr)["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{addr} has no id"))
        .to_string()
}

#[test]
fn every_jdcloud_argument_updates_or_replaces_as_declared() {
    // One binary: the behaviour under test is the provider's; the protocol
    // paths are covered for every binary by the other acceptance tests.
    let tf = terraform_bins().remove(0);
    let sb = Sandbox::start();
    let mut cfg = base();
    let wd = TfWorkdir::new(&tf, &sb, &render(&cfg));
    wd.apply();
    assert_eq!(wd.plan_detailed(), 0);
    for (addr, overrides, replaced) in cases() {
        let before = id(&wd, addr);
        for (k, v) in &overrides {
            let attrs = cfg.get_mut(addr).unwrap();
            if v == "null" {
                attrs.remove(k);
            } else {
                attrs.insert(k, v.clone());
            }
        }
        wd.write_main(&render(&cfg));
        let plan = wd.plan_detailed_output();
        assert_eq!(
            plan.code, 2,
            "{addr} {overrides:?} planned no change:\n{plan}"
        );
        let forces = plan.stdout.contains(&format!("{addr} must be replaced"));
        assert_eq!(
            forces, replaced,
            "{addr} {overrides:?}: replacement expected {replaced}:\n{plan}"
        );
        wd.apply();
        let after_plan = wd.plan_detailed_output();
        assert_eq!(
            after_plan.code, 0,
            "{addr} {overrides:?} did not converge:\n{after_plan}"
        );
        assert_eq!(id(&wd, addr) != before, replaced, "{addr} {overrides:?}");
    }
    // The addresses resource imports like the others.
    let fresh = TfWorkdir::new(&tf, &sb, &render(&cfg));
    let cgw3 = id(&wd, CGW3);
    fresh.import(ADDRS, &cgw3);
    assert_eq!(fresh.resource_values(ADDRS), wd.resource_values(ADDRS));
    wd.destroy();
    let state = sb.state();
    for (kind, items) in state["jdcloud"].as_object().unwrap() {
        assert_eq!(
            items.as_array().map(Vec::len),
            Some(0),
            "{kind} left: {items}"
        );
    }
}
