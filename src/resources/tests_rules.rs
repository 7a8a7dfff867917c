//! Each resource's attribute rules, one table a resource: the attributes a
//! case sets and the attribute paths its errors must point at (none: the
//! case is accepted). Required attributes a case leaves out are unknown, as
//! variables are under `terraform validate`, so only the rules under test
//! report (`framework::testing::validate_paths`).

use crate::framework::testing::validate_paths;
use crate::framework::{Schema, Value};

use super::{alicloud, jdcloud};

/// The attributes one case sets.
type Config = Vec<(&'static str, Value)>;

fn s(v: &str) -> Value {
    Value::string(v)
}

fn n(v: i64) -> Value {
    Value::int(v)
}

fn list(v: &[&str]) -> Value {
    Value::List(v.iter().map(|x| Value::string(*x)).collect())
}

/// Checks every case of `table` against `schema`; `common` is set in every
/// case before the case's own attributes.
fn check(schema: Schema, common: &[(&'static str, Value)], table: Vec<(Config, Vec<&str>)>) {
    for (config, expected) in table {
        let mut all = common.to_vec();
        all.extend(config.iter().cloned());
        assert_eq!(validate_paths(&schema, &all), expected, "{config:?}");
    }
}

#[test]
fn jdcloud_border_gateway() {
    check(
        jdcloud::border_gateway::schema(),
        &[],
        vec![
            (vec![("name", s("bgw_1"))], vec![]),
            (vec![("name", s(&"x".repeat(33)))], vec!["name"]),
            (vec![("az_type", s("core"))], vec!["az_type"]),
            (vec![("az_type", s("edge"))], vec!["az"]),
            (vec![("az", s("cn-north-1a"))], vec!["az"]),
            (
                vec![("az_type", s("edge")), ("az", s("cn-north-1a"))],
                vec![],
            ),
        ],
    );
}

#[test]
fn jdcloud_border_gateway_route() {
    check(
        jdcloud::border_gateway_route::schema(),
        &[],
        vec![
            (vec![("destination", s("10.0.0.1/8"))], vec!["destination"]),
            (
                vec![("next_hop_type", s("private_vif"))],
                vec!["next_hop_type"],
            ),
            (
                vec![
                    ("destination", s("10.0.0.0/8")),
                    ("next_hop_type", s("vpn_connection")),
                ],
                vec![],
            ),
        ],
    );
}

#[test]
fn jdcloud_customer_gateway() {
    let good = vec![
        ("name", s("idc-1")),
        ("customer_ips", list(&["203.0.113.1"])),
        ("bgp_asn", n(65010)),
    ];
    check(
        jdcloud::customer_gateway::schema(),
        &[],
        vec![
            (good, vec![]),
            (vec![("name", s("bad name!"))], vec!["name"]),
            (vec![("bgp_asn", n(65000))], vec!["bgp_asn"]),
            (
                vec![("customer_ips", list(&["1.1.1.1", "1.1.1.2", "1.1.1.3"]))],
                vec!["customer_ips"],
            ),
            (
                vec![("customer_ips", list(&["1.1.1.1", "1.1.1.1"]))],
                vec!["customer_ips[1]"],
            ),
            (
                vec![("customer_ips", list(&["10.0.0.1"]))],
                vec!["customer_ips[0]"],
            ),
            (
                vec![("description", s(&"x".repeat(257)))],
                vec!["description"],
            ),
            (vec![("id", s("cgw-x"))], vec!["id"]),
        ],
    );
}

#[test]
fn jdcloud_vpc_attachment() {
    check(
        jdcloud::vpc_attachment::schema(),
        &[],
        vec![
            (vec![("vpc_id", s("vpc1"))], vec!["vpc_id"]),
            (vec![("propagate_type", s("some"))], vec!["propagate_type"]),
            (vec![("propagate_type", s("partial"))], vec!["subnet_ids"]),
            (
                vec![("subnet_ids", list(&["subnet-a1"]))],
                vec!["subnet_ids"],
            ),
            (
                vec![
                    ("propagate_type", s("partial")),
                    ("subnet_ids", list(&["subnet-a1", "sub"])),
                ],
                vec!["subnet_ids[1]"],
            ),
            (
                vec![
                    ("propagate_type", s("partial")),
                    ("subnet_ids", list(&["subnet-a1"])),
                ],
                vec![],
            ),
        ],
    );
}

#[test]
fn jdcloud_vpn_connection() {
    let selector = |local: &str, remote: &str| {
        Value::Object(
            [
                ("local_subnet".to_string(), s(local)),
                ("remote_subnets".to_string(), list(&[remote])),
                ("description".to_string(), Value::Null),
            ]
            .into(),
        )
    };
    let selectors = Value::List(vec![
        selector("10.0.0.0/24", "192.168.0.0/16"),
        selector("10.0.1.0/33", "192.168.0.1/16"),
    ]);
    check(
        jdcloud::vpn_connection::schema(),
        &[],
        vec![
            (vec![("local_asn", n(65535))], vec!["local_asn"]),
            (vec![("local_asn", n(64512))], vec![]),
            (
                vec![("traffic_selector", selectors)],
                vec![
                    "traffic_selector[1].local_subnet",
                    "traffic_selector[1].remote_subnets[0]",
                ],
            ),
        ],
    );
}

#[test]
fn jdcloud_vpn_tunnel() {
    let pair =
        |cidr: &str, local: &str| vec![("tunnel_ip", s(cidr)), ("local_tunnel_ip", s(local))];
    // A key is set (unknown, as from a variable) unless a case sets its own.
    check(
        jdcloud::vpn_tunnel::schema(),
        &[("psk", Value::Unknown)],
        vec![
            (vec![("psk", s("0xdeadbeef"))], vec!["psk"]),
            (vec![("psk", s("0Sabc"))], vec!["psk"]),
            (vec![("psk", s("has space"))], vec!["psk"]),
            (vec![("psk", s(&"x".repeat(21)))], vec!["psk"]),
            (vec![("psk", s("Abc_123-x"))], vec![]),
            (pair("169.254.11.0/30", "169.254.11.1"), vec![]),
            // APIPA /30s outside 169.254.0.0/20, as AWS often assigns, are refused by JD Cloud.
            (pair("169.254.21.0/30", "169.254.21.1"), vec!["tunnel_ip"]),
            (pair("169.254.11.0/29", "169.254.11.1"), vec!["tunnel_ip"]),
            (pair("169.254.11.1/30", "169.254.11.1"), vec!["tunnel_ip"]),
            (pair("169.254.16.0/30", "169.254.16.1"), vec!["tunnel_ip"]),
            (pair("100.64.0.0/30", "100.64.0.1"), vec!["tunnel_ip"]),
            (pair("10.1.1.0/30", "10.1.1.3"), vec!["local_tunnel_ip"]),
            (
                vec![("tunnel_ip", s("10.1.1.0/30"))],
                vec!["local_tunnel_ip"],
            ),
            (vec![("ike_version", s("v3"))], vec!["ike_version"]),
            (vec![("ipsec_cipher", s("3des"))], vec!["ipsec_cipher"]),
            (vec![("ike_dpd_sec", n(5))], vec!["ike_dpd_sec"]),
            (vec![("ike_sa_life_sec", n(59))], vec!["ike_sa_life_sec"]),
            (
                vec![("ipsec_sa_lifebyte", n(107_374_182_401))],
                vec!["ipsec_sa_lifebyte"],
            ),
            (vec![("bandwidth_mbps", n(0))], vec!["bandwidth_mbps"]),
            (vec![("admin_status", s("up"))], vec!["admin_status"]),
            (
                vec![("cloud_public_ip", s("1.2.3"))],
                vec!["cloud_public_ip"],
            ),
        ],
    );
}

#[test]
fn alicloud_customer_gateway() {
    check(
        alicloud::customer_gateway::schema(),
        &[],
        vec![
            (
                vec![("ip_address", s("203.0.113.7")), ("asn", n(65001))],
                vec![],
            ),
            (vec![("ip_address", s("100.64.1.1"))], vec!["ip_address"]),
            (vec![("ip_address", s("169.254.1.1"))], vec!["ip_address"]),
            (vec![("ip_address", s("300.1.1.1"))], vec!["ip_address"]),
            (vec![("asn", n(45104))], vec!["asn"]),
            (vec![("asn", n(0))], vec!["asn"]),
            (vec![("asn", n(4_294_967_296))], vec!["asn"]),
            (vec![("name", s("https://x"))], vec!["name"]),
            (
                vec![("description", s(&"d".repeat(101)))],
                vec!["description"],
            ),
        ],
    );
}

#[test]
fn alicloud_ipsec_connection_route() {
    let with = |dest: &str, extra: &[(&'static str, Value)]| {
        let mut config = vec![("vpn_connection_id", s("vco-1")), ("route_dest", s(dest))];
        config.extend(extra.iter().cloned());
        config
    };
    check(
        alicloud::ipsec_connection_route::schema(),
        &[],
        vec![
            (with("10.0.0.0/16", &[]), vec![]),
            (with("10.0.0.1/16", &[]), vec!["route_dest"]),
            (with("0.0.0.0/0", &[]), vec!["route_dest"]),
            (with("100.64.1.0/24", &[]), vec!["route_dest"]),
            (with("100.0.0.0/8", &[]), vec!["route_dest"]),
            (with("10.0.0.0/16", &[("weight", n(50))]), vec!["weight"]),
            (
                with("10.0.0.0/16", &[("next_hop", s("vco-2"))]),
                vec!["next_hop"],
            ),
            (with("10.0.0.0/16", &[("next_hop", s("vco-1"))]), vec![]),
            (
                with("10.0.0.0/16", &[("overlay_mode", s("Gre"))]),
                vec!["overlay_mode"],
            ),
        ],
    );
}
