//! Acceptance tests of the JD Cloud VPN resources (border gateway, VPC attachment, VPN
//! connection, VPN tunnel, border gateway route, customer gateway addresses): the real
//! Terraform CLI against the sandbox, for every binary of `terraform_bins()`.

mod common;

use std::collections::BTreeMap;

use common::{provider_preamble, terraform_bins, Sandbox, TfWorkdir};
use serde_json::json;

/// A configuration built from named resource bodies, so a test step can
/// change one argument of one resource.
#[derive(Clone)]
struct Config(BTreeMap<String, String>);

impl Config {
    fn new() -> Config {
        Config(BTreeMap::new())
    }
    fn with(mut self, addr: &str, body: &str) -> Config {
        self.0.insert(addr.to_string(), body.to_string());
        self
    }
    fn without(mut self, addr: &str) -> Config {
        self.0.remove(addr);
        self
    }
    fn render(&self) -> String {
        let mut s = provider_preamble();
        for (addr, body) in &self.0 {
            let (ty, name) = addr.split_once('.').unwrap();
            s.push_str(&format!("\nresource \"{ty}\" \"{name}\" {{\n{body}\n}}\n"));
        }
        s
    }
}

const BGW: &str = "hybridnet_jdcloud_border_gateway.main";
const VPCA: &str = "hybridnet_jdcloud_vpc_attachment.app";
const CGW: &str = "hybridnet_jdcloud_customer_gateway.idc";
const CONN: &str = "hybridnet_jdcloud_vpn_connection.idc";
const TUN: &str = "hybridnet_jdcloud_vpn_tunnel.t0";
const ROUTE: &str = "hybridnet_jdcloud_border_gateway_route.idc";

fn base() -> Config {
    Config::new()
        .with(BGW, "  name = \"bgw-main\"\n  description = \"main\"")
        .with(VPCA, "  name = \"app\"\n  border_gateway_id = hybridnet_jdcloud_border_gateway.main.id\n  vpc_id = \"vpc-app00001\"")
        .with(CGW, "  name = \"idc\"\n  customer_ips = [\"203.0.113.10\", \"203.0.113.11\"]\n  bgp_asn = 65010")
        .with(
            CONN,
            "  name = \"idc\"\n  border_gateway_id = hybridnet_jdcloud_border_gateway.main.id\n  customer_gateway_id = hybridnet_jdcloud_customer_gateway.idc.id",
        )
        .with(TUN, &tunnel("Key_One_1", ""))
        .with(
            ROUTE,
            "  border_gateway_id = hybridnet_jdcloud_border_gateway.main.id\n  destination = \"192.168.0.0/16\"\n  next_hop_type = \"vpn_connection\"\n  next_hop_id = hybridnet_jdcloud_vpn_connection.idc.id",
        )
}

fn tunnel(psk: &str, extra: &str) -> String {
    format!(
        "  vpn_connection_id = hybridnet_jdcloud_vpn_connection.idc.id\n  cloud_public_ip = hybridnet_jdcloud_vpn_connection.idc.cloud_public_ips[0]\n  customer_ip = hybridnet_jdcloud_customer_gateway.idc.customer_ips[0]\n  psk = \"{psk}\"\n{extra}"
    )
}

fn id(wd: &TfWorkdir, addr: &str) -> String {
    wd.resource_values(addr)["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{addr} has no id"))
        .to_string()
}

/// Applies `cfg`, checks the next plan is empty, and returns the apply output.
fn converge(wd: &TfWorkdir, cfg: &Config) -> common::TfOutput {
    wd.write_main(&cfg.render());
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

/// Every resource in `addrs` imports into a fresh state with the same values.
fn assert_imports(
    tf: &std::path::Path,
    sb: &Sandbox,
    cfg: &Config,
    wd: &TfWorkdir,
    addrs: &[(&str, String)],
) {
    let fresh = TfWorkdir::new(tf, sb, &cfg.render());
    for (addr, import_id) in addrs {
        fresh.import(addr, import_id);
        let mut want = wd.resource_values(addr);
        let mut got = fresh.resource_values(addr);
        // Computed status values may move between two reads; ids and arguments may not.
        for v in [&mut want, &mut got] {
            for volatile in ["ha_status", "op_status"] {
                if let Some(o) = v.as_object_mut() {
                    o.remove(volatile);
                }
            }
        }
        assert_eq!(got, want, "imported {addr} differs");
    }
}

#[test]
fn jdcloud_vpn_resources_lifecycle() {
    for tf in terraform_bins() {
        let sb = Sandbox::start();
        let wd = TfWorkdir::new(&tf, &sb, "");
        let cfg = base();
        converge(&wd, &cfg);

        let bgw = wd.resource_values(BGW);
        assert_eq!(bgw["asn"], 65000);
        assert_eq!(bgw["az_type"], "standard");
        let conn = wd.resource_values(CONN);
        assert_eq!(
            conn["cloud_public_ips"].as_array().map(Vec::len),
            Some(2),
            "{conn}"
        );
        assert_eq!(conn["bgp_enabled"], true);
        let tun = wd.resource_values(TUN);
        assert_eq!(tun["admin_status"], "UP");
        assert_eq!(tun["ike_version"], "v2");
        assert_eq!(tun["ipsec_key_exchange"], "null");
        assert!(tun["tunnel_ip"].as_str().unwrap().ends_with("/30"), "{tun}");
        let vpca = wd.resource_values(VPCA);
        assert_eq!(vpca["status"], "active");
        assert_eq!(vpca["propagate_type"], "all");

        // Import every resource into a fresh state.
        let (bgw_id, conn_id, tun_id, route_id) =
            (id(&wd, BGW), id(&wd, CONN), id(&wd, TUN), id(&wd, ROUTE));
        assert_imports(
            &tf,
            &sb,
            &cfg,
            &wd,
            &[
                (BGW, bgw_id.clone()),
                (VPCA, format!("cn-north-1/{}", id(&wd, VPCA))),
                (CONN, conn_id.clone()),
                (TUN, tun_id.clone()),
                (ROUTE, format!("{bgw_id}/{route_id}")),
            ],
        );

        // In-place updates keep every id.
        let cfg = cfg
            .with(BGW, "  name = \"bgw-main-2\"")
            .with(
                VPCA,
                "  name = \"app2\"\n  border_gateway_id = hybridnet_jdcloud_border_gateway.main.id\n  vpc_id = \"vpc-app00001\"\n  propagate_type = \"partial\"\n  subnet_ids = [\"subnet-web00001\", \"subnet-db000001\"]",
            )
            .with(
                CONN,
                "  name = \"idc-2\"\n  description = \"static now\"\n  bgp_enabled = false\n  border_gateway_id = hybridnet_jdcloud_border_gateway.main.id\n  customer_gateway_id = hybridnet_jdcloud_customer_gateway.idc.id\n  traffic_selector {\n    local_subnet = \"10.0.0.0/16\"\n    remote_subnets = [\"192.168.0.0/16\"]\n  }",
            )
            .with(
                TUN,
                &tunnel(
                    "Key_Two_2",
                    "  ike_cipher = \"aes256\"\n  ipsec_key_exchange = \"ecp384\"\n  admin_status = \"DOWN\"\n  tunnel_ip = \"169.254.3.0/30\"\n  local_tunnel_ip = \"169.254.3.1\"\n  bandwidth_mbps = 200",
                ),
            )
            .with(
                ROUTE,
                "  border_gateway_id = hybridnet_jdcloud_border_gateway.main.id\n  destination = \"192.168.0.0/20\"\n  next_hop_type = \"vpc_attachment\"\n  next_hop_id = hybridnet_jdcloud_vpc_attachment.app.id\n  description = \"now to the VPC\"",
            );
        let out = converge(&wd, &cfg);
        assert!(
            out.stdout.contains("0 added, 5 changed, 0 destroyed"),
            "{out}"
        );
        assert_eq!(id(&wd, TUN), tun_id);
        assert_eq!(id(&wd, CONN), conn_id);
        let tun = wd.resource_values(TUN);
        assert_eq!(
            (
                tun["admin_status"].as_str(),
                tun["remote_tunnel_ip"].as_str()
            ),
            (Some("DOWN"), Some("169.254.3.2"))
        );
        assert_eq!(tun["bandwidth_mbps"], 200);
        let conn = wd.resource_values(CONN);
        assert_eq!(
            conn["traffic_selector"][0]["remote_subnets"],
            json!(["192.168.0.0/16"])
        );
        let vpca = wd.resource_values(VPCA);
        assert_eq!(vpca["subnet_ids"].as_array().map(Vec::len), Some(2));
        assert_eq!(wd.resource_values(ROUTE)["next_hop_type"], "vpc_attachment");
        // The PSK is in the cloud (and sensitive in Terraform's output).
        let tunnels = sb.jd_resources("vpn_tunnels");
        assert_eq!(tunnels[0]["psk"], "Key_Two_2");
        assert!(
            !out.stdout.contains("Key_Two_2"),
            "PSK printed in apply output:\n{out}"
        );

        // Back up, and propagation back to all / none.
        let cfg = cfg
            .with(TUN, &tunnel("Key_Two_2", "  tunnel_ip = \"169.254.3.0/30\"\n  local_tunnel_ip = \"169.254.3.1\"\n  bandwidth_mbps = 200"))
            .with(
                VPCA,
                "  name = \"app2\"\n  border_gateway_id = hybridnet_jdcloud_border_gateway.main.id\n  vpc_id = \"vpc-app00002\"\n  propagate_type = \"none\"",
            );
        converge(&wd, &cfg);
        assert_eq!(wd.resource_values(TUN)["admin_status"], "UP");
        assert_eq!(wd.resource_values(VPCA)["propagated_cidrs"], json!([]));

        // Replace-only arguments: the tunnel's customer IP, the connection's local ASN.
        let cfg = cfg.with(
            TUN,
            &tunnel("Key_Two_2", "  tunnel_ip = \"169.254.3.0/30\"\n  local_tunnel_ip = \"169.254.3.1\"\n  bandwidth_mbps = 200")
                .replace("customer_ips[0]", "customer_ips[1]"),
        );
        let out = converge(&wd, &cfg);
        assert!(
            out.stdout.contains("1 added, 0 changed, 1 destroyed"),
            "{out}"
        );
        assert_ne!(id(&wd, TUN), tun_id);
        assert_eq!(sb.jd_resources("vpn_tunnels").len(), 1);

        // Out-of-band deletion of the tunnel (DOWN first, as JD Cloud requires): recreated.
        let tun_id = id(&wd, TUN);
        let (s, b) = sb.jd_request(
            "POST",
            &format!("/v1/regions/cn-north-1/vpnTunnels/{tun_id}:adminStatus"),
            "",
            Some(&json!({"adminStatus": "DOWN"})),
        );
        assert_eq!(s, 200, "{b}");
        let (s, b) = sb.jd_request(
            "DELETE",
            &format!("/v1/regions/cn-north-1/vpnTunnels/{tun_id}"),
            "",
            None,
        );
        assert_eq!(s, 200, "{b}");
        let plan = wd.plan_detailed_output();
        assert_eq!(plan.code, 2, "{plan}");
        assert!(
            plan.stdout.contains(&format!("{TUN} will be created")),
            "{plan}"
        );
        converge(&wd, &cfg);

        // Out-of-band deletion of the route.
        let route_id = id(&wd, ROUTE);
        let (s, b) = sb.jd_request(
            "DELETE",
            &format!("/v1/regions/cn-north-1/bgws/{bgw_id}/bgwRoutes/{route_id}"),
            "",
            None,
        );
        assert_eq!(s, 200, "{b}");
        assert_eq!(wd.plan_detailed(), 2);
        converge(&wd, &cfg);

        // Removing the tunnel from the configuration deletes it (DOWN, then delete).
        converge(&wd, &cfg.clone().without(TUN));
        assert!(sb.jd_resources("vpn_tunnels").is_empty());

        wd.destroy();
        assert_sandbox_empty(&sb);
    }
}

#[test]
fn jdcloud_border_gateway_replacements_and_disappearance() {
    for tf in terraform_bins() {
        let sb = Sandbox::start();
        let wd = TfWorkdir::new(&tf, &sb, "");
        let cfg = Config::new().with(BGW, "  name = \"edge\"");
        converge(&wd, &cfg);
        let first = id(&wd, BGW);
        // az_type/az cannot change in place.
        let cfg = cfg.with(
            BGW,
            "  name = \"edge\"\n  az_type = \"edge\"\n  az = \"cn-north-1-edge-a\"",
        );
        let out = converge(&wd, &cfg);
        assert!(
            out.stdout.contains("1 added, 0 changed, 1 destroyed"),
            "{out}"
        );
        let second = id(&wd, BGW);
        assert_ne!(first, second);
        assert_eq!(wd.resource_values(BGW)["az"], "cn-north-1-edge-a");
        // Deleted behind Terraform's back.
        let (s, b) = sb.jd_request(
            "DELETE",
            &format!("/v1/regions/cn-north-1/bgws/{second}"),
            "",
            None,
        );
        assert_eq!(s, 200, "{b}");
        assert_eq!(wd.plan_detailed(), 2);
        converge(&wd, &cfg);
        // A region change replaces it.
        let cfg = Config::new().with(BGW, "  name = \"edge\"\n  region = \"cn-east-2\"\n  az_type = \"edge\"\n  az = \"cn-east-2-edge-a\"");
        converge(&wd, &cfg);
        assert_eq!(wd.resource_values(BGW)["region"], "cn-east-2");
        wd.destroy();
        assert_sandbox_empty(&sb);
    }
}

#[test]
fn jdcloud_connection_and_attachment_replacements() {
    for tf in terraform_bins() {
        let sb = Sandbox::start();
        let wd = TfWorkdir::new(&tf, &sb, "");
        let cfg = base().without(TUN).without(ROUTE).with(
            "hybridnet_jdcloud_border_gateway.other",
            "  name = \"other\"",
        );
        converge(&wd, &cfg);
        let (conn, vpca) = (id(&wd, CONN), id(&wd, VPCA));
        // A new local ASN or border gateway replaces the connection / attachment.
        let cfg = cfg
            .with(
                CONN,
                "  name = \"idc\"\n  local_asn = 64600\n  border_gateway_id = hybridnet_jdcloud_border_gateway.main.id\n  customer_gateway_id = hybridnet_jdcloud_customer_gateway.idc.id",
            )
            .with(VPCA, "  name = \"app\"\n  border_gateway_id = hybridnet_jdcloud_border_gateway.other.id\n  vpc_id = \"vpc-app00001\"");
        let out = converge(&wd, &cfg);
        assert!(
            out.stdout.contains("2 added, 0 changed, 2 destroyed"),
            "{out}"
        );
        assert_ne!(id(&wd, CONN), conn);
        assert_ne!(id(&wd, VPCA), vpca);
        assert_eq!(wd.resource_values(CONN)["local_asn"], 64600);
        // Out-of-band deletion of the connection and the attachment.
        for (path, addr) in [("vpnConnections", CONN), ("vpcAttachments", VPCA)] {
            let (s, b) = sb.jd_request(
                "DELETE",
                &format!("/v1/regions/cn-north-1/{path}/{}", id(&wd, addr)),
                "",
                None,
            );
            assert_eq!(s, 200, "{b}");
        }
        let plan = wd.plan_detailed_output();
        assert!(
            plan.stdout.contains("2 to add, 0 to change, 0 to destroy"),
            "{plan}"
        );
        converge(&wd, &cfg);
        wd.destroy();
        assert_sandbox_empty(&sb);
    }
}

/// Objects with a unique key (attachment, tunnel, route) that a killed run created but
/// Terraform never saved: the cloud refuses a twin, and the provider turns that refusal into
/// the object's id and the import to run. Following it converges with no second object.
#[test]
fn jdcloud_unique_key_twins_are_reported_with_import_hints() {
    for tf in terraform_bins() {
        let sb = Sandbox::start();
        let wd = TfWorkdir::new(&tf, &sb, "");
        let cfg = base();
        converge(&wd, &cfg);
        let left: Vec<(&str, String)> = [VPCA, TUN, ROUTE]
            .into_iter()
            .map(|a| (a, id(&wd, a)))
            .collect();
        let mut rm = vec!["state", "rm"];
        rm.extend([VPCA, TUN, ROUTE]);
        wd.run_ok(&rm);
        let out = wd.apply_err();
        let text = out.combined().replace('\n', " ");
        for (addr, twin) in &left {
            assert!(
                text.contains(&format!("{twin} already exists")),
                "{addr}: {twin} not reported:\n{out}"
            );
        }
        assert!(text.contains("terraform import"), "{out}");
        for kind in ["vpc_attachments", "vpn_tunnels", "bgw_routes"] {
            assert_eq!(sb.jd_resources(kind).len(), 1, "{kind}");
        }
        // The hint's import ids are the ones each resource takes.
        let bgw = id(&wd, BGW);
        for (addr, twin) in &left {
            let import_id = if *addr == ROUTE {
                format!("cn-north-1/{bgw}/{twin}")
            } else {
                format!("cn-north-1/{twin}")
            };
            assert!(text.contains(&import_id), "{import_id}:\n{out}");
            wd.import(addr, &import_id);
        }
        assert_eq!(wd.plan_detailed(), 0);
        wd.destroy();
        assert_sandbox_empty(&sb);
    }
}

fn assert_sandbox_empty(sb: &Sandbox) {
    let state = sb.state();
    for (kind, items) in state["jdcloud"].as_object().unwrap() {
        assert_eq!(
            items.as_array().map(Vec::len),
            Some(0),
            "{kind} left in the sandbox: {items}"
        );
    }
}

fn example(name: &str) -> String {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name);
    std::fs::read_to_string(dir.join("main.tf")).unwrap()
}

#[test]
fn jdcloud_examples_converge_in_one_apply() {
    for tf in terraform_bins() {
        for name in [
            "jdcloud-idc-vpn",
            "jdcloud-cross-region-vpn",
            "jdcloud-aws-style-bgp",
        ] {
            let sb = Sandbox::start();
            let wd = TfWorkdir::new(&tf, &sb, &example(name));
            wd.apply();
            let plan = wd.plan_detailed_output();
            assert_eq!(plan.code, 0, "{name}: second plan not empty:\n{plan}");
            let tunnels = sb.jd_resources("vpn_tunnels");
            assert!(tunnels.len() >= 2, "{name}: {tunnels:?}");
            if name == "jdcloud-cross-region-vpn" {
                // Each side's customer gateway carries the other side's cloud IPs.
                let conns = sb.jd_resources("vpn_connections");
                let gws = sb.jd_resources("customer_gateways");
                for c in &conns {
                    let peer = conns
                        .iter()
                        .find(|o| o["vpnConnectionId"] != c["vpnConnectionId"])
                        .unwrap();
                    let gw = gws
                        .iter()
                        .find(|g| g["customerGatewayId"] == c["cgwId"])
                        .unwrap();
                    assert_eq!(gw["customerIps"], peer["cloudPublicIp"], "{name}");
                }
                // Mirrored tunnels share a PSK and a /30.
                for t in &tunnels {
                    let twin = tunnels
                        .iter()
                        .find(|o| {
                            o["cloudPublicIp"] == t["customerIp"]
                                && o["customerIp"] == t["cloudPublicIp"]
                        })
                        .unwrap_or_else(|| panic!("no mirror of {t}"));
                    assert_eq!(twin["psk"], t["psk"]);
                    assert_eq!(twin["tunnelIp"], t["tunnelIp"]);
                    assert_eq!(twin["localTunnelIp"], t["remoteTunnelIp"]);
                }
            }
            wd.destroy();
            assert_sandbox_empty(&sb);
        }
    }
}

/// Every rule of docs/design/jdcloud.md §6 is enforced by `terraform validate`, pointing at the
/// attribute, with no request reaching the cloud.
#[test]
fn jdcloud_invalid_inputs_are_rejected_by_validate() {
    let cases: Vec<(&str, String, &str)> = vec![
        (BGW, "  name = \"has space\"".to_string(), "name"),
        (BGW, "  name = \"ok\"\n  description = \"\"".to_string(), "description"),
        (BGW, "  name = \"ok\"\n  az_type = \"core\"".to_string(), "az_type"),
        (BGW, "  name = \"ok\"\n  az_type = \"edge\"".to_string(), "!`az` is required"),
        (VPCA, "  name = \"a\"\n  border_gateway_id = \"bgw-1\"\n  vpc_id = \"vpc1\"".to_string(), "vpc_id"),
        (VPCA, "  name = \"a\"\n  border_gateway_id = \"bgw-1\"\n  vpc_id = \"vpc-1\"\n  propagate_type = \"some\"".to_string(), "propagate_type"),
        (VPCA, "  name = \"a\"\n  border_gateway_id = \"bgw-1\"\n  vpc_id = \"vpc-1\"\n  propagate_type = \"partial\"".to_string(), "!`subnet_ids` needs at least one subnet"),
        (VPCA, "  name = \"a\"\n  border_gateway_id = \"bgw-1\"\n  vpc_id = \"vpc-1\"\n  subnet_ids = [\"subnet-1\"]".to_string(), "subnet_ids"),
        (CONN, "  name = \"c\"\n  border_gateway_id = \"b\"\n  customer_gateway_id = \"c\"\n  local_asn = 65535".to_string(), "local_asn"),
        (CONN, "  name = \"c\"\n  border_gateway_id = \"b\"\n  customer_gateway_id = \"c\"\n  traffic_selector {\n    local_subnet = \"10.0.0.1/16\"\n  }".to_string(), "local_subnet"),
        (TUN, "  vpn_connection_id = \"v\"\n  cloud_public_ip = \"1.1.1.1\"\n  customer_ip = \"2.2.2.2\"\n  psk = \"0xabc\"".to_string(), "psk"),
        (TUN, "  vpn_connection_id = \"v\"\n  cloud_public_ip = \"1.1.1.1\"\n  customer_ip = \"2.2.2.2\"\n  psk = \"abcdefghijklmnopqrstu\"".to_string(), "psk"),
        (TUN, "  vpn_connection_id = \"v\"\n  cloud_public_ip = \"1.1.1.1\"\n  customer_ip = \"2.2.2.2\"\n  psk = \"a b\"".to_string(), "psk"),
        (TUN, "  vpn_connection_id = \"v\"\n  cloud_public_ip = \"1.1.1\"\n  customer_ip = \"2.2.2.2\"\n  psk = \"k\"".to_string(), "cloud_public_ip"),
        (TUN, tunnel_with("  tunnel_ip = \"169.254.21.0/30\"\n  local_tunnel_ip = \"169.254.21.1\""), "tunnel_ip"),
        (TUN, tunnel_with("  tunnel_ip = \"169.254.1.0/29\"\n  local_tunnel_ip = \"169.254.1.1\""), "tunnel_ip"),
        (TUN, tunnel_with("  tunnel_ip = \"169.254.1.0/30\"\n  local_tunnel_ip = \"169.254.1.3\""), "local_tunnel_ip"),
        (TUN, tunnel_with("  tunnel_ip = \"169.254.1.0/30\""), "!set together"),
        (TUN, tunnel_with("  ike_version = \"v3\""), "ike_version"),
        (TUN, tunnel_with("  ike_mode = \"quick\""), "ike_mode"),
        (TUN, tunnel_with("  ike_key_exchange = \"modp4096\""), "ike_key_exchange"),
        (TUN, tunnel_with("  ike_cipher = \"des\""), "ike_cipher"),
        (TUN, tunnel_with("  ike_auth = \"md5\""), "ike_auth"),
        (TUN, tunnel_with("  ike_dpd_sec = 30"), "ike_dpd_sec"),
        (TUN, tunnel_with("  ike_sa_life_sec = 86401"), "ike_sa_life_sec"),
        (TUN, tunnel_with("  ipsec_cipher = \"3des\""), "ipsec_cipher"),
        (TUN, tunnel_with("  ipsec_auth = \"sha512\""), "ipsec_auth"),
        (TUN, tunnel_with("  ipsec_key_exchange = \"none\""), "ipsec_key_exchange"),
        (TUN, tunnel_with("  ipsec_sa_life_sec = 59"), "ipsec_sa_life_sec"),
        (TUN, tunnel_with("  ipsec_sa_lifepkt = 100000001"), "ipsec_sa_lifepkt"),
        (TUN, tunnel_with("  ipsec_sa_lifebyte = -1"), "ipsec_sa_lifebyte"),
        (TUN, tunnel_with("  bandwidth_mbps = 1501"), "bandwidth_mbps"),
        (TUN, tunnel_with("  admin_status = \"OFF\""), "admin_status"),
        (ROUTE, "  border_gateway_id = \"b\"\n  destination = \"192.168.0.0/33\"\n  next_hop_type = \"vpn_connection\"\n  next_hop_id = \"c\"".to_string(), "destination"),
        (ROUTE, "  border_gateway_id = \"b\"\n  destination = \"192.168.0.0/16\"\n  next_hop_type = \"private_vif\"\n  next_hop_id = \"c\"".to_string(), "next_hop_type"),
        (
            "hybridnet_jdcloud_customer_gateway_addresses.x",
            "  customer_gateway_id = \"c\"\n  customer_ips = [\"1.1.1.1\", \"1.1.1.2\", \"1.1.1.3\"]".to_string(),
            "customer_ips",
        ),
    ];
    for tf in terraform_bins() {
        let sb = Sandbox::start();
        for (addr, body, attr) in &cases {
            let wd = TfWorkdir::new(&tf, &sb, &Config::new().with(addr, body).render());
            let out = wd.run_err(&["validate", "-no-color"]);
            let text = out.combined();
            // An attribute absent from the file cannot be quoted: check the message.
            if let Some(msg) = attr.strip_prefix('!') {
                assert!(text.contains(msg), "{addr} / {attr}:\n{out}");
                continue;
            }
            // Terraform quotes the offending attribute's line: "  12:   psk = ...".
            let quoted = text.lines().any(|l| {
                let l = l.trim_start_matches(['│', ' ']);
                l.split_once(':').is_some_and(|(n, rest)| {
                    !n.is_empty()
                        && n.chars().all(|c| c.is_ascii_digit())
                        && rest.trim_start().starts_with(attr)
                })
            });
            assert!(quoted, "{addr} / {attr}:\n{out}");
        }
        assert_eq!(sb.requests(), json!({}), "validation must not call the API");
    }
}

fn tunnel_with(extra: &str) -> String {
    format!("  vpn_connection_id = \"v\"\n  cloud_public_ip = \"1.1.1.1\"\n  customer_ip = \"2.2.2.2\"\n  psk = \"k\"\n{extra}")
}
