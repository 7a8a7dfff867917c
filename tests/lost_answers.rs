//! A create whose answer never arrives whole — a `200 OK` with a garbled body, a dropped
//! connection, a 500 after the cloud acted — must end with exactly the object the cloud made in
//! Terraform's state: not a failure that orphans it, not a second object. One fault, aimed at
//! the create call alone, per case.

mod common;

use common::{provider_preamble, terraform_bins, Sandbox, TfWorkdir};
use serde_json::Value;

const CONFIG: &str = r#"
resource "hybridnet_jdcloud_customer_gateway" "idc" {
  name         = "idc"
  customer_ips = ["203.0.113.10"]
  bgp_asn      = 65010
  description  = "Beijing data centre"
}
resource "hybridnet_alicloud_customer_gateway" "idc" {
  ip_address = "203.0.113.20"
  asn        = 65020
}
"#;

/// The fault plan that hits each create once with `fault` (`garble`, `reset` or `error`).
fn plan(fault: &str) -> String {
    // An error may come before or after the cloud acted: either way, one object.
    format!(
        r#"{{"{fault}_rate":1.0,"seed":1,"only":["createCustomerGateway","CreateCustomerGateway"],"max_faults":2}}"#
    )
}

fn objects(sb: &Sandbox, cloud: &str) -> Vec<Value> {
    sb.state()[cloud]["customer_gateways"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[test]
fn a_lost_or_garbled_create_answer_keeps_the_object_it_made() {
    for tf in terraform_bins() {
        for fault in ["garble", "reset", "error"] {
            let sb = Sandbox::start_with_args(&["--faults", &plan(fault)]);
            let wd = TfWorkdir::new(&tf, &sb, &format!("{}{CONFIG}", provider_preamble()));
            wd.apply();
            let counters = sb.requests();
            let injected: i64 = counters
                .as_object()
                .into_iter()
                .flatten()
                .filter(|(k, _)| k.starts_with("faults."))
                .filter_map(|(_, v)| v.as_i64())
                .sum();
            assert_eq!(injected, 2, "{fault}: both creates must be hit: {counters}");
            for (cloud, addr, id_field) in [
                (
                    "jdcloud",
                    "hybridnet_jdcloud_customer_gateway.idc",
                    "customerGatewayId",
                ),
                (
                    "alicloud",
                    "hybridnet_alicloud_customer_gateway.idc",
                    "CustomerGatewayId",
                ),
            ] {
                let made = objects(&sb, cloud);
                assert_eq!(made.len(), 1, "{fault}, {cloud}: {made:?}");
                assert_eq!(
                    wd.resource_values(addr)["id"],
                    made[0][id_field],
                    "{fault}: {addr} holds another object"
                );
            }
            // The JD create marker is gone: the description is the one configured.
            assert_eq!(
                objects(&sb, "jdcloud")[0]["description"],
                "Beijing data centre"
            );
            assert_eq!(wd.plan_detailed(), 0, "{fault}: the re-plan is not empty");
            wd.destroy();
        }
    }
}

/// Two resources with identical settings get one object each, however Terraform schedules
/// them: side by side (default parallelism) or one after the other (`-parallelism=1`, where the
/// second used to be refused as a "duplicate" of the first).
#[test]
fn identical_resources_do_not_depend_on_parallelism() {
    const TWINS: &str = r#"
resource "hybridnet_jdcloud_customer_gateway" "twin" {
  count        = 2
  name         = "twin"
  customer_ips = ["203.0.113.10"]
  bgp_asn      = 65010
}
resource "hybridnet_alicloud_customer_gateway" "twin" {
  count      = 2
  ip_address = "203.0.113.20"
  asn        = 65020
}
"#;
    for tf in terraform_bins() {
        for parallelism in ["-parallelism=10", "-parallelism=1"] {
            let sb = Sandbox::start();
            let wd = TfWorkdir::new(&tf, &sb, &format!("{}{TWINS}", provider_preamble()));
            wd.run_ok(&[
                "apply",
                "-auto-approve",
                "-input=false",
                "-no-color",
                parallelism,
            ]);
            for (cloud, addr) in [
                ("jdcloud", "hybridnet_jdcloud_customer_gateway.twin"),
                ("alicloud", "hybridnet_alicloud_customer_gateway.twin"),
            ] {
                assert_eq!(objects(&sb, cloud).len(), 2, "{parallelism}, {cloud}");
                let ids: Vec<Value> = (0..2)
                    .map(|i| wd.resource_values(&format!("{addr}[{i}]"))["id"].clone())
                    .collect();
                assert_ne!(ids[0], ids[1], "{parallelism}: one object in two resources");
            }
            wd.destroy();
        }
    }
}
