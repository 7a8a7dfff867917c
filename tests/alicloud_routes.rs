//! Acceptance tests of `hybridnet_alicloud_ipsec_connection_route` and the static JD Cloud ↔
//! Alibaba Cloud example: the real Terraform CLI against the sandbox, for every binary of
//! `terraform_bins()`.

mod common;

use common::{provider_preamble, terraform_bins, Sandbox, TfWorkdir};
use serde_json::{json, Value};

const CONN: &str = "hybridnet_alicloud_ipsec_connection_cen.c";
const ROUTE: &str = "hybridnet_alicloud_ipsec_connection_route.r";
const CEN: &str = "cen-sandbox0000000001";
const REGION: &str = "cn-hangzhou";
const VPC: &str = "2016-04-28";
const CBN: &str = "2017-09-12";

fn ali(sb: &Sandbox, kind: &str) -> Vec<Value> {
    sb.state()["alicloud"][kind]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn assert_sandbox_empty(sb: &Sandbox) {
    let state = sb.state();
    for cloud in ["alicloud", "jdcloud"] {
        for (kind, items) in state[cloud].as_object().unwrap() {
            assert_eq!(
                items.as_array().map(Vec::len),
                Some(0),
                "{cloud}.{kind} left in the sandbox: {items}"
            );
        }
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

fn value(wd: &TfWorkdir, addr: &str, attr: &str) -> String {
    wd.resource_values(addr)[attr]
        .as_str()
        .unwrap_or_else(|| panic!("{addr} has no {attr}"))
        .to_string()
}

/// A static connection propagating to the default route table, and one route on it.
fn config(route: &str) -> String {
    let mut s = provider_preamble();
    for i in 0..2 {
        s.push_str(&format!(
            "\nresource \"hybridnet_alicloud_customer_gateway\" \"g{i}\" {{\n  ip_address = \"203.0.113.6{i}\"\n}}\n"
        ));
    }
    s.push_str(&format!(
        "\nresource \"hybridnet_alicloud_ipsec_connection_cen\" \"c\" {{\n  cen_id = \"{CEN}\"\n  propagate_default_route_table = true\n"
    ));
    for i in 0..2 {
        s.push_str(&format!(
            "  tunnel {{\n    customer_gateway_id = hybridnet_alicloud_customer_gateway.g{i}.id\n  }}\n"
        ));
    }
    s.push_str("}\n");
    s.push_str(&format!(
        "\nresource \"hybridnet_alicloud_ipsec_connection_route\" \"r\" {{\n  vpn_connection_id = hybridnet_alicloud_ipsec_connection_cen.c.id\n{route}}}\n"
    ));
    s
}

/// `(destination, next hop)` of every route of a transit router route table.
fn published(sb: &Sandbox, table: &str) -> Vec<(String, String)> {
    let (s, body) = sb.ali_request(
        "ListTransitRouterRouteEntries",
        CBN,
        &[("TransitRouterRouteTableId", table)],
    );
    assert_eq!(s, 200, "{body}");
    body["TransitRouterRouteEntries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["TransitRouterRouteEntryDestinationCidrBlock"]
                    .as_str()
                    .unwrap()
                    .to_string(),
                e["TransitRouterRouteEntryNextHopId"]
                    .as_str()
                    .unwrap()
                    .to_string(),
            )
        })
        .collect()
}

/// Lets the pending route change settle (the sandbox's clock, not a wait), then checks the
/// sandbox lists no route of the connection.
fn settle_and_expect_no_routes(sb: &Sandbox, vco: &str) {
    sb.settle_pending();
    let (s, body) = sb.ali_request(
        "DescribeVcoRouteEntries",
        VPC,
        &[("RegionId", REGION), ("VpnConnectionId", vco)],
    );
    assert_eq!(s, 200, "{body}");
    assert_eq!(
        body["TotalCount"], 0,
        "the routes of {vco} were not deleted: {body}"
    );
}

#[test]
fn alicloud_ipsec_connection_route_lifecycle() {
    for tf in terraform_bins() {
        let sb = Sandbox::start();
        let wd = TfWorkdir::new(&tf, &sb, "");
        converge(&wd, &config("  route_dest = \"10.50.0.0/16\"\n"));
        let vco = value(&wd, CONN, "id");
        let table = value(&wd, CONN, "route_table_id");
        let attachment = value(&wd, CONN, "transit_router_attachment_id");
        let v = wd.resource_values(ROUTE);
        let first = value(&wd, ROUTE, "id");
        assert_eq!(first, format!("{vco}/10.50.0.0/16"));
        assert_eq!(v["next_hop"], vco.as_str(), "{v}");
        assert_eq!(v["weight"], 100);
        assert_eq!(v["overlay_mode"], "Ipsec");
        assert_eq!(v["status"], "published");
        assert_eq!(v["region"], REGION);
        assert!(v["create_time"].as_i64().is_some_and(|t| t > 0), "{v}");
        let routes = ali(&sb, "vco_route_entries");
        assert_eq!(routes.len(), 1, "{routes:?}");
        assert_eq!(routes[0]["VpnConnectionId"], vco.as_str());
        // Published to the transit router's route table, through the connection's binding.
        assert_eq!(
            published(&sb, &table),
            [("10.50.0.0/16".to_string(), attachment.clone())]
        );

        // The weight changes in place.
        let out = converge(
            &wd,
            &config("  route_dest = \"10.50.0.0/16\"\n  weight = 0\n"),
        );
        assert!(
            out.stdout.contains("0 added, 1 changed, 0 destroyed"),
            "{out}"
        );
        assert_eq!(value(&wd, ROUTE, "id"), first);
        assert_eq!(ali(&sb, "vco_route_entries")[0]["Weight"], 0);

        // The destination forces replacement.
        let moved = config("  route_dest = \"10.51.0.0/16\"\n  weight = 0\n");
        let out = converge(&wd, &moved);
        assert!(
            out.stdout.contains("1 added, 0 changed, 1 destroyed"),
            "{out}"
        );
        let second = value(&wd, ROUTE, "id");
        assert_eq!(second, format!("{vco}/10.51.0.0/16"));
        assert_eq!(ali(&sb, "vco_route_entries").len(), 1);
        assert_eq!(
            published(&sb, &table),
            [("10.51.0.0/16".to_string(), attachment.clone())]
        );

        // Import, with and without the region, reproduces the state exactly.
        let before = wd.resource_values(ROUTE);
        for import_id in [format!("{REGION}/{second}"), second.clone()] {
            wd.run_ok(&["state", "rm", ROUTE]);
            wd.import(ROUTE, &import_id);
            assert_eq!(wd.resource_values(ROUTE), before, "imported as {import_id}");
            assert_eq!(wd.plan_detailed(), 0, "plan after importing {import_id}");
        }

        // Forgotten by Terraform (a run killed after the create): reported with its import,
        // not duplicated.
        wd.run_ok(&["state", "rm", ROUTE]);
        let out = wd.apply_err();
        let text = out.combined().replace('\n', " ");
        assert!(
            text.contains("terraform import") && text.contains(&format!("{REGION}/{second}")),
            "expected the route reported with its import id:\n{out}"
        );
        assert_eq!(ali(&sb, "vco_route_entries").len(), 1);
        wd.import(ROUTE, &format!("{REGION}/{second}"));
        assert_eq!(wd.plan_detailed(), 0);

        // Deleted behind Terraform's back: planned again, and re-created.
        let (s, b) = sb.ali_request(
            "DeleteVcoRouteEntry",
            VPC,
            &[
                ("RegionId", REGION),
                ("VpnConnectionId", &vco),
                ("RouteDest", "10.51.0.0/16"),
                ("NextHop", &vco),
                ("Weight", "0"),
            ],
        );
        assert_eq!(s, 200, "{b}");
        settle_and_expect_no_routes(&sb, &vco);
        assert!(published(&sb, &table).is_empty());
        let plan = wd.plan_detailed_output();
        assert!(
            plan.stdout.contains(&format!("{ROUTE} will be created")),
            "{plan}"
        );
        converge(&wd, &moved);
        assert_eq!(published(&sb, &table).len(), 1);

        wd.destroy();
        assert_sandbox_empty(&sb);
    }
}

#[test]
fn alicloud_route_bad_inputs_fail_validate() {
    let route = |body: &str| {
        format!("resource \"hybridnet_alicloud_ipsec_connection_route\" \"r\" {{\n  vpn_connection_id = \"vco-one\"\n{body}}}\n")
    };
    let cases: Vec<(String, &str)> = vec![
        (route("  route_dest = \"10.0.0.1/16\"\n"), "route_dest"),
        (route("  route_dest = \"10.0.0.0\"\n"), "route_dest"),
        (route("  route_dest = \"0.0.0.0/0\"\n"), "route_dest"),
        (route("  route_dest = \"100.64.8.0/24\"\n"), "route_dest"),
        (
            route("  route_dest = \"10.0.0.0/16\"\n  weight = 50\n"),
            "weight",
        ),
        (
            route("  route_dest = \"10.0.0.0/16\"\n  next_hop = \"vco-other\"\n"),
            "next_hop",
        ),
        (
            route("  route_dest = \"10.0.0.0/16\"\n  overlay_mode = \"Gre\"\n"),
            "overlay_mode",
        ),
    ];
    for tf in terraform_bins() {
        let sb = Sandbox::start();
        for (body, attr) in &cases {
            let wd = TfWorkdir::new(&tf, &sb, &format!("{}\n{body}", provider_preamble()));
            for cmd in [
                &["validate", "-no-color"][..],
                &["plan", "-input=false", "-no-color"][..],
            ] {
                let out = wd.run_err(cmd);
                // The error quotes the configuration line of the attribute.
                let quoted = out.combined().lines().any(|l| {
                    let l = l.trim_start_matches(['│', ' ']);
                    l.split_once(':').is_some_and(|(n, rest)| {
                        !n.is_empty()
                            && n.chars().all(|c| c.is_ascii_digit())
                            && rest.trim_start().starts_with(attr)
                    })
                });
                assert!(quoted, "{attr} ({}):\n{out}", cmd[0]);
            }
        }
        assert_eq!(sb.requests(), json!({}), "validation must not call the API");
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
fn static_cross_cloud_example_routes_both_ways() {
    for tf in terraform_bins() {
        let sb = Sandbox::start();
        let wd = TfWorkdir::new(&tf, &sb, &example("jdcloud-alicloud-static-vpn"));
        wd.apply();
        let plan = wd.plan_detailed_output();
        assert_eq!(plan.code, 0, "second plan not empty:\n{plan}");

        // JD Cloud → Alibaba Cloud: a border gateway route into the static VPN connection.
        let jd_conn = &sb.jd_resources("vpn_connections")[0];
        assert_eq!(jd_conn["bgpEnabled"], false, "{jd_conn}");
        let jd_routes = sb.jd_resources("bgw_routes");
        assert_eq!(jd_routes.len(), 1, "{jd_routes:?}");
        assert_eq!(jd_routes[0]["bgwRouteDestination"], "172.16.0.0/12");
        assert_eq!(jd_routes[0]["bgwRouteNexthop"], jd_conn["vpnConnectionId"]);

        // Alibaba Cloud → JD Cloud: a destination route on the static connection, published
        // to the transit router's default route table.
        let conn = &ali(&sb, "vpn_connections")[0];
        assert_eq!(conn["EnableTunnelsBgp"], false, "{conn}");
        let vco = conn["VpnConnectionId"].as_str().unwrap();
        let routes = ali(&sb, "vco_route_entries");
        assert_eq!(routes.len(), 1, "{routes:?}");
        assert_eq!(routes[0]["RouteDest"], "10.10.0.0/16");
        assert_eq!(routes[0]["VpnConnectionId"], vco);
        let attachment = ali(&sb, "transit_router_vpn_attachments")[0]["TransitRouterAttachmentId"]
            .as_str()
            .unwrap()
            .to_string();
        let table = sb.state()["alicloud_seed"]["route_tables"][0]["TransitRouterRouteTableId"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(
            published(&sb, &table),
            [("10.10.0.0/16".to_string(), attachment)]
        );

        wd.destroy();
        assert_sandbox_empty(&sb);
    }
}
