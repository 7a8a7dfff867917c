//! Acceptance tests of the Alibaba Cloud resources and the cross-cloud example: the real
//! Terraform CLI against the sandbox, for every binary of `terraform_bins()`.

mod common;

use common::{provider_preamble, terraform_bins, Sandbox, TfWorkdir};
use serde_json::{json, Value};

const CGW: &str = "hybridnet_alicloud_customer_gateway.a";
const CONN: &str = "hybridnet_alicloud_ipsec_connection_cen.c";
const CEN: &str = "cen-sandbox0000000001";

fn ali(sb: &Sandbox, kind: &str) -> Vec<Value> {
    sb.state()["alicloud"][kind]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn assert_alicloud_empty(sb: &Sandbox) {
    let state = sb.state();
    for (kind, items) in state["alicloud"].as_object().unwrap() {
        assert_eq!(
            items.as_array().map(Vec::len),
            Some(0),
            "{kind} left in the sandbox: {items}"
        );
    }
    for (kind, items) in state["jdcloud"].as_object().unwrap() {
        assert_eq!(
            items.as_array().map(Vec::len),
            Some(0),
            "{kind} left in the sandbox: {items}"
        );
    }
}

fn converge(wd: &TfWorkdir, main: &str) -> common::TfOutput {
    wd.write_main(main);
    let out = wd.apply();
    let plan = wd.plan_detailed_output();
    assert_eq!(
        plan.code,
        0,
        "plan after apply not empty with {}:\n{plan}",
        wd.terraform_version()
    );
    out
}

fn id(wd: &TfWorkdir, addr: &str) -> String {
    wd.resource_values(addr)["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{addr} has no id"))
        .to_string()
}

fn cgw(ip: &str, asn: &str, extra: &str) -> String {
    format!("{}\nresource \"hybridnet_alicloud_customer_gateway\" \"a\" {{\n  ip_address = \"{ip}\"\n{asn}{extra}}}\n", provider_preamble())
}

#[test]
fn alicloud_customer_gateway_lifecycle() {
    for tf in terraform_bins() {
        let sb = Sandbox::start();
        let wd = TfWorkdir::new(&tf, &sb, "");
        converge(
            &wd,
            &cgw("203.0.113.30", "  asn = 65030\n", "  name = \"gw\"\n"),
        );
        let v = wd.resource_values(CGW);
        let first = id(&wd, CGW);
        assert!(first.starts_with("cgw-"), "{v}");
        assert_eq!(
            (v["asn"].as_i64(), v["region"].as_str()),
            (Some(65030), Some("cn-hangzhou"))
        );
        // Name and description change in place.
        let out = converge(
            &wd,
            &cgw(
                "203.0.113.30",
                "  asn = 65030\n",
                "  name = \"gw2\"\n  description = \"router\"\n",
            ),
        );
        assert!(
            out.stdout.contains("0 added, 1 changed, 0 destroyed"),
            "{out}"
        );
        assert_eq!(ali(&sb, "customer_gateways")[0]["Name"], "gw2");
        // Import into a fresh state.
        let fresh = TfWorkdir::new(
            &tf,
            &sb,
            &cgw(
                "203.0.113.30",
                "  asn = 65030\n",
                "  name = \"gw2\"\n  description = \"router\"\n",
            ),
        );
        fresh.import(CGW, &format!("cn-hangzhou/{first}"));
        assert_eq!(fresh.resource_values(CGW), wd.resource_values(CGW));
        // Refreshing one resource costs the one describe it always did.
        let before = sb.requests();
        assert_eq!(fresh.plan_detailed(), 0);
        let calls = sb.api_calls_since(&before);
        assert_eq!(calls.values().sum::<i64>(), 1, "{calls:?}");
        // The address and the ASN force replacement.
        for main in [
            cgw("203.0.113.31", "  asn = 65030\n", ""),
            cgw("203.0.113.31", "  asn = 65031\n", ""),
        ] {
            let before = id(&wd, CGW);
            let out = converge(&wd, &main);
            assert!(
                out.stdout.contains("1 added, 0 changed, 1 destroyed"),
                "{out}"
            );
            assert_ne!(id(&wd, CGW), before);
        }
        assert_eq!(ali(&sb, "customer_gateways").len(), 1);
        // Deleted behind Terraform's back.
        let (s, b) = sb.ali_request(
            "DeleteCustomerGateway",
            "2016-04-28",
            &[
                ("RegionId", "cn-hangzhou"),
                ("CustomerGatewayId", &id(&wd, CGW)),
            ],
        );
        assert_eq!(s, 200, "{b}");
        assert_eq!(wd.plan_detailed(), 2);
        converge(&wd, &cgw("203.0.113.31", "  asn = 65031\n", ""));
        wd.destroy();
        assert_alicloud_empty(&sb);
    }
}

fn connection(tunnel_extra: [&str; 2], extra: &str) -> String {
    let mut s = provider_preamble();
    for i in 0..2 {
        s.push_str(&format!(
            "\nresource \"hybridnet_alicloud_customer_gateway\" \"g{i}\" {{\n  ip_address = \"203.0.113.4{i}\"\n  asn = 65040\n}}\n"
        ));
    }
    s.push_str(&format!("\nresource \"hybridnet_alicloud_ipsec_connection_cen\" \"c\" {{\n  cen_id = \"{CEN}\"\n{extra}"));
    for (i, e) in tunnel_extra.iter().enumerate() {
        s.push_str(&format!("  tunnel {{\n    customer_gateway_id = hybridnet_alicloud_customer_gateway.g{i}.id\n{e}  }}\n"));
    }
    s.push_str("}\n");
    s
}

/// Starts unbinding the connection from its transit router, as the console would.
fn unbind_behind_terraforms_back(sb: &Sandbox, wd: &TfWorkdir) {
    let attachment = wd.resource_values(CONN)["transit_router_attachment_id"]
        .as_str()
        .unwrap()
        .to_string();
    let (s, b) = sb.ali_request(
        "DeleteTransitRouterVpnAttachment",
        "2017-09-12",
        &[
            ("TransitRouterAttachmentId", &attachment),
            ("Force", "true"),
        ],
    );
    assert_eq!(s, 200, "{b}");
}

#[test]
fn alicloud_ipsec_connection_lifecycle() {
    for tf in terraform_bins() {
        let sb = Sandbox::start();
        let wd = TfWorkdir::new(&tf, &sb, "");
        // PSKs omitted: Alibaba Cloud generates them and they stay put.
        let bgp = |i: u8| format!("    bgp_tunnel_cidr = \"169.254.{}.0/30\"\n", 20 + i);
        let base = connection([&bgp(0), &bgp(1)], "  bgp_enabled = true\n");
        converge(&wd, &base);
        let v = wd.resource_values(CONN);
        let conn_id = id(&wd, CONN);
        assert_eq!(v["status"], "attached", "{v}");
        assert_eq!(v["cen_id"], CEN);
        assert!(
            v["transit_router_id"].as_str().unwrap().starts_with("tr-"),
            "{v}"
        );
        assert!(
            v["transit_router_attachment_id"]
                .as_str()
                .unwrap()
                .starts_with("tr-attach-"),
            "{v}"
        );
        assert_eq!(v["routing_mode"], "destination_routing");
        let tunnels = v["tunnel"].as_array().unwrap();
        assert_eq!(tunnels.len(), 2);
        for t in tunnels {
            assert_eq!(
                t["psk"].as_str().map(str::len),
                Some(16),
                "generated PSK: {t}"
            );
            assert!(
                t["gateway_ip"].as_str().is_some_and(|ip| !ip.is_empty()),
                "{t}"
            );
            assert_eq!(t["ike_version"], "ikev2");
            assert_eq!(t["bgp_local_asn"], 45104);
        }
        assert_eq!(tunnels[0]["role"], "master");
        assert!(
            v["associate_default_route_table"] == false && v["auto_publish_routes"] == true,
            "{v}"
        );
        let psks: Vec<Value> = tunnels.iter().map(|t| t["psk"].clone()).collect();
        assert!(!wd
            .plan_detailed_output()
            .stdout
            .contains(psks[0].as_str().unwrap()));

        // Import reproduces everything, generated PSKs included.
        let fresh = TfWorkdir::new(&tf, &sb, &base);
        for g in ["g0", "g1"] {
            let addr = format!("hybridnet_alicloud_customer_gateway.{g}");
            let gw_id = wd.resource_values(&addr)["id"]
                .as_str()
                .unwrap()
                .to_string();
            fresh.import(&addr, &gw_id);
        }
        fresh.import(CONN, &conn_id);
        let strip = |mut v: Value| {
            for t in v["tunnel"].as_array_mut().unwrap() {
                t.as_object_mut().unwrap().remove("status");
                t.as_object_mut().unwrap().remove("state");
            }
            v
        };
        assert_eq!(
            strip(fresh.resource_values(CONN)),
            strip(wd.resource_values(CONN))
        );
        assert_eq!(fresh.plan_detailed(), 0);

        // In place: keys, IKE/IPsec settings, DPD/NAT-T, BGP, name, the routing switches.
        let t0 = "    psk = \"Tunnel-1_new!\"\n    ike_encryption_algorithm = \"aes256\"\n    ike_authentication_algorithm = \"sha256\"\n    ike_dh_group = \"group14\"\n    ipsec_pfs = \"disabled\"\n    ipsec_lifetime = 3600\n    enable_dpd = false\n    bgp_tunnel_cidr = \"169.254.30.0/30\"\n    bgp_local_ip = \"169.254.30.2\"\n    bgp_local_asn = 65100\n";
        let updated = connection(
            [t0, &bgp(1)],
            "  name = \"renamed\"\n  bgp_enabled = true\n  effect_immediately = true\n  auto_publish_routes = false\n  associate_default_route_table = true\n  propagate_default_route_table = true\n",
        );
        let out = converge(&wd, &updated);
        assert!(
            out.stdout.contains("0 added, 1 changed, 0 destroyed"),
            "{out}"
        );
        assert!(!out.stdout.contains("Tunnel-1_new"), "PSK printed:\n{out}");
        assert_eq!(id(&wd, CONN), conn_id);
        let v = wd.resource_values(CONN);
        assert_eq!(v["tunnel"][0]["psk"], "Tunnel-1_new!");
        assert_eq!(
            v["tunnel"][1]["psk"], psks[1],
            "the untouched tunnel keeps its generated key"
        );
        assert_eq!(v["tunnel"][0]["bgp_local_ip"], "169.254.30.2");
        assert_eq!(v["tunnel"][0]["enable_dpd"], false);
        assert!(
            v["route_table_id"]
                .as_str()
                .is_some_and(|t| t.starts_with("vtb-")),
            "{v}"
        );
        assert_eq!(ali(&sb, "route_table_associations").len(), 1);
        assert_eq!(ali(&sb, "route_table_propagations").len(), 1);
        assert_eq!(
            ali(&sb, "transit_router_vpn_attachments")[0]["AutoPublishRouteEnabled"],
            false
        );

        // Policy-based routing with two subnets (IKEv2 is the default).
        let policy = updated.replace(
            "  name = \"renamed\"\n",
            "  name = \"renamed\"\n  routing_mode = \"protected_data_flows\"\n  local_subnets = [\"10.0.0.0/16\", \"10.1.0.0/16\"]\n  remote_subnets = [\"192.168.0.0/16\"]\n",
        );
        converge(&wd, &policy);
        assert_eq!(
            ali(&sb, "vpn_connections")[0]["LocalSubnet"],
            "10.0.0.0/16,10.1.0.0/16"
        );
        // Switches off again: the links go away.
        converge(&wd, &base);
        assert!(ali(&sb, "route_table_associations").is_empty());
        assert!(ali(&sb, "route_table_propagations").is_empty());

        // BGP switched off in place: the tunnels' BGP settings go from the configuration, and the
        // ones the cloud keeps are not read back; then on again.
        let static_routing = connection(["", ""], "  bgp_enabled = false\n");
        let out = converge(&wd, &static_routing);
        assert!(
            out.stdout.contains("0 added, 1 changed, 0 destroyed"),
            "{out}"
        );
        assert_eq!(id(&wd, CONN), conn_id);
        let v = wd.resource_values(CONN);
        assert!(v["tunnel"][0]["bgp_tunnel_cidr"].is_null(), "{v}");
        converge(&wd, &base);

        // The network type forces replacement (unbind, delete, create, bind).
        let private = base.replace(
            "  bgp_enabled = true\n",
            "  bgp_enabled = true\n  network_type = \"private\"\n",
        );
        let out = converge(&wd, &private);
        assert!(
            out.stdout.contains("1 added, 0 changed, 1 destroyed"),
            "{out}"
        );
        assert_ne!(id(&wd, CONN), conn_id);
        assert_eq!(ali(&sb, "vpn_connections").len(), 1);

        // Deleted behind Terraform's back (unbind, then delete): planned again.
        unbind_behind_terraforms_back(&sb, &wd);
        let gone = id(&wd, CONN);
        // Unbinding is asynchronous; once it is through, the connection can go.
        sb.settle_pending();
        let (s, b) = sb.ali_request(
            "DeleteVpnAttachment",
            "2016-04-28",
            &[("RegionId", "cn-hangzhou"), ("VpnConnectionId", &gone)],
        );
        assert_eq!(s, 200, "could not delete the connection out of band: {b}");
        let plan = wd.plan_detailed_output();
        assert!(
            plan.stdout.contains(&format!("{CONN} will be created")),
            "{plan}"
        );
        converge(&wd, &private);

        wd.destroy();
        assert_alicloud_empty(&sb);
    }
}

fn assert_reports_twin(wd: &TfWorkdir, twin: &str) {
    let out = wd.apply_err();
    let text = out.combined().replace('\n', " ");
    assert!(
        text.contains(twin) && text.contains("terraform import"),
        "expected {twin} reported with an import hint:\n{out}"
    );
}

/// A provider killed after Alibaba Cloud accepted a create leaves objects Terraform does not
/// know (here: removed from state). The next apply must not make twins: it names them and the
/// import to run, and following that advice converges without a second object.
#[test]
fn alicloud_twins_are_reported_not_duplicated() {
    const G0: &str = "hybridnet_alicloud_customer_gateway.g0";
    for tf in terraform_bins() {
        let sb = Sandbox::start();
        let base = connection(["", ""], "");
        let wd = TfWorkdir::new(&tf, &sb, "");
        converge(&wd, &base);
        let conn_id = id(&wd, CONN);
        let g0 = id(&wd, G0);
        wd.run_ok(&["state", "rm", CONN, G0]);

        assert_reports_twin(&wd, &g0);
        assert_eq!(ali(&sb, "customer_gateways").len(), 2);
        wd.import(G0, &format!("cn-hangzhou/{g0}"));
        assert_reports_twin(&wd, &conn_id);
        assert_eq!(ali(&sb, "vpn_connections").len(), 1);
        wd.import(CONN, &format!("cn-hangzhou/{conn_id}"));
        assert_eq!(wd.plan_detailed(), 0);

        // Killed between creating the connection and binding it: still found.
        unbind_behind_terraforms_back(&sb, &wd);
        wd.run_ok(&["state", "rm", CONN]);
        sb.settle_pending();
        assert!(ali(&sb, "transit_router_vpn_attachments").is_empty());
        assert_reports_twin(&wd, &conn_id);
        assert_eq!(ali(&sb, "vpn_connections").len(), 1);
        wd.import(CONN, &conn_id);
        // Adopted unbound, it is bound by replacement: still one connection.
        converge(&wd, &base);
        assert_eq!(ali(&sb, "vpn_connections").len(), 1);
        assert_eq!(wd.resource_values(CONN)["status"], "attached");

        wd.destroy();
        assert_alicloud_empty(&sb);
    }
}

fn example(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name)
        .join("main.tf");
    std::fs::read_to_string(path).unwrap()
}

#[test]
fn alicloud_examples_converge_in_one_apply() {
    for tf in terraform_bins() {
        for name in ["alicloud-dual-tunnel-cen", "jdcloud-alicloud-vpn"] {
            let sb = Sandbox::start();
            let wd = TfWorkdir::new(&tf, &sb, &example(name));
            wd.apply();
            let before = sb.requests();
            let plan = wd.plan_detailed_output();
            assert_eq!(plan.code, 0, "{name}: second plan not empty:\n{plan}");
            if name == "jdcloud-alicloud-vpn" {
                // Issue 16: refreshing the example costs at most one call per resource; its
                // peer-config data sources read what the resources just read, for nothing
                // (docs/design/refresh.md).
                let calls = sb.api_calls_since(&before);
                let (total, resources) = (calls.values().sum::<i64>(), wd.managed_resources());
                assert!(
                    total <= resources as i64,
                    "{name}: {total} calls to refresh {resources} resources: {calls:#?}"
                );
            }
            let conns = ali(&sb, "vpn_connections");
            assert_eq!(conns.len(), 1, "{name}");
            assert_eq!(conns[0]["State"], "attached", "{name}");
            assert_eq!(ali(&sb, "route_table_associations").len(), 1, "{name}");
            assert_eq!(ali(&sb, "route_table_propagations").len(), 1, "{name}");
            if name == "jdcloud-alicloud-vpn" {
                // Both ends agree: addresses, keys, inside /30s.
                let jd_conn = &sb.jd_resources("vpn_connections")[0];
                let jd_gw = &sb.jd_resources("customer_gateways")[0];
                let ali_tunnels = conns[0]["TunnelOptionsSpecification"]["TunnelOptions"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                let ali_ips: Vec<Value> = ali_tunnels
                    .iter()
                    .map(|t| t["InternetIp"].clone())
                    .collect();
                assert_eq!(
                    jd_gw["customerIps"],
                    json!(ali_ips),
                    "JD customer gateway carries the Alibaba gateway IPs"
                );
                let ali_gws: Vec<Value> = ali(&sb, "customer_gateways")
                    .iter()
                    .map(|g| g["IpAddress"].clone())
                    .collect();
                for ip in jd_conn["cloudPublicIp"].as_array().unwrap() {
                    assert!(
                        ali_gws.contains(ip),
                        "Alibaba customer gateways {ali_gws:?} lack JD IP {ip}"
                    );
                }
                for t in sb.jd_resources("vpn_tunnels") {
                    let peer = ali_tunnels
                        .iter()
                        .find(|a| a["InternetIp"] == t["customerIp"])
                        .expect("peer tunnel");
                    assert_eq!(peer["TunnelIkeConfig"]["Psk"], t["psk"]);
                    assert_eq!(peer["TunnelBgpConfig"]["TunnelCidr"], t["tunnelIp"]);
                }
            }
            wd.destroy();
            assert_alicloud_empty(&sb);
        }
    }
}

#[test]
fn alicloud_invalid_inputs_are_rejected_by_validate() {
    let tunnel =
        |extra: &str| format!("  tunnel {{\n    customer_gateway_id = \"cgw-1\"\n{extra}  }}\n");
    let conn = |extra: &str, t0: &str, t1: &str| {
        format!("resource \"hybridnet_alicloud_ipsec_connection_cen\" \"c\" {{\n  cen_id = \"{CEN}\"\n{extra}{}{}}}\n", tunnel(t0), tunnel(t1))
    };
    let cases: Vec<(String, &str)> = vec![
        ("resource \"hybridnet_alicloud_customer_gateway\" \"a\" {\n  ip_address = \"127.0.0.1\"\n}\n".into(), "ip_address"),
        ("resource \"hybridnet_alicloud_customer_gateway\" \"a\" {\n  ip_address = \"1.2.3.4\"\n  asn = 45104\n}\n".into(), "asn"),
        ("resource \"hybridnet_alicloud_customer_gateway\" \"a\" {\n  ip_address = \"1.2.3.4\"\n  name = \"http://x\"\n}\n".into(), "name"),
        (conn("", "    psk = \"has space\"\n", ""), "psk"),
        (conn("", "", "    ike_lifetime = 90000\n"), "ike_lifetime"),
        (conn("", "    ike_version = \"ikev3\"\n", ""), "ike_version"),
        (conn("", "    ike_dh_group = \"group24\"\n", ""), "ike_dh_group"),
        (conn("", "    ipsec_authentication_algorithm = \"sha3\"\n", ""), "ipsec_authentication_algorithm"),
        (conn("", "    bgp_tunnel_cidr = \"169.254.3.0/30\"\n", ""), "bgp_tunnel_cidr"),
        (conn("", "    bgp_tunnel_cidr = \"10.0.0.0/30\"\n", ""), "bgp_tunnel_cidr"),
        (conn("", "    bgp_tunnel_cidr = \"169.254.40.0/30\"\n", "    bgp_tunnel_cidr = \"169.254.40.0/30\"\n"), "bgp_tunnel_cidr"),
        (conn("", "    bgp_tunnel_cidr = \"169.254.40.0/30\"\n    bgp_local_ip = \"169.254.41.1\"\n", ""), "bgp_local_ip"),
        (conn("", "    bgp_local_asn = 0\n", ""), "bgp_local_asn"),
        (conn("  network_type = \"vpc\"\n", "", ""), "network_type"),
        (conn("  local_subnets = [\"10.0.0.0/8\"]\n", "", ""), "local_subnets"),
        (
            conn(
                "  routing_mode = \"protected_data_flows\"\n  local_subnets = [\"10.0.0.0/8\", \"11.0.0.0/8\"]\n  remote_subnets = [\"192.168.0.0/16\"]\n",
                "    ike_version = \"ikev1\"\n",
                "",
            ),
            "ike_version",
        ),
        (
            format!("resource \"hybridnet_alicloud_ipsec_connection_cen\" \"c\" {{\n  cen_id = \"{CEN}\"\n{}}}\n", tunnel("")),
            "!At least 2",
        ),
    ];
    for tf in terraform_bins() {
        let sb = Sandbox::start();
        for (body, attr) in &cases {
            let wd = TfWorkdir::new(&tf, &sb, &format!("{}\n{body}", provider_preamble()));
            let out = wd.run_err(&["validate", "-no-color"]);
            let text = out.combined();
            if let Some(msg) = attr.strip_prefix('!') {
                assert!(text.contains(msg), "{attr}:\n{out}");
                continue;
            }
            let quoted = text.lines().any(|l| {
                let l = l.trim_start_matches(['│', ' ']);
                l.split_once(':').is_some_and(|(n, rest)| {
                    !n.is_empty()
                        && n.chars().all(|c| c.is_ascii_digit())
                        && rest.trim_start().starts_with(attr)
                })
            });
            assert!(quoted, "{attr}:\n{out}");
        }
        assert_eq!(sb.requests(), json!({}), "validation must not call the API");
    }
}
