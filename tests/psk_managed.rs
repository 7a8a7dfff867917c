//! The managed resource `hybridnet_psk` through the real Terraform CLI, on every binary of
//! `terraform_bins()`:
//!
//! - two keys feed a JD Cloud tunnel each and an Alibaba Cloud connection's two tunnels: after
//!   apply the keys are in the state, both clouds' rules hold for them, the sandbox holds each
//!   on both ends, `terraform show` says `(sensitive value)`, and no key is in the apply or plan
//!   output or the TRACE log; the re-plan is empty;
//! - a changed `keepers` replaces both keys and updates the tunnels in place (same cloud ids),
//!   both ends holding the new keys;
//! - import: `env:NAME` reads the key from Terraform's environment and re-plans empty; a bare ID
//!   is refused without the provider repeating it; on Terraform 1.10 and later the managed and
//!   the ephemeral `hybridnet_psk` sit in one configuration;
//! - destroy leaves the sandbox empty.

mod common;

use common::cloud_end::{self, Cloud};
use common::ledger::sandbox_objects;
use common::{provider_preamble, terraform_bins, Sandbox, TfWorkdir};
use serde_json::Value;

/// Two keys (`keepers` from `var.rotation`), each on one JD tunnel and one Alibaba tunnel.
fn config() -> String {
    format!(
        r#"{preamble}
variable "rotation" {{
  type    = string
  default = "1"
}}

resource "hybridnet_psk" "pair" {{
  count   = 2
  keepers = {{ rotation = var.rotation }}
}}

resource "hybridnet_jdcloud_border_gateway" "main" {{
  name = "pskm-bgw"
}}

resource "hybridnet_jdcloud_customer_gateway" "idc" {{
  name         = "pskm-idc"
  customer_ips = ["203.0.113.30", "203.0.113.31"]
  bgp_asn      = 65030
}}

resource "hybridnet_jdcloud_vpn_connection" "idc" {{
  name                = "pskm-conn"
  border_gateway_id   = hybridnet_jdcloud_border_gateway.main.id
  customer_gateway_id = hybridnet_jdcloud_customer_gateway.idc.id
}}

resource "hybridnet_jdcloud_vpn_tunnel" "idc" {{
  count             = 2
  vpn_connection_id = hybridnet_jdcloud_vpn_connection.idc.id
  cloud_public_ip   = hybridnet_jdcloud_vpn_connection.idc.cloud_public_ips[count.index]
  customer_ip       = hybridnet_jdcloud_customer_gateway.idc.customer_ips[count.index]
  psk               = hybridnet_psk.pair[count.index].value
  tunnel_ip         = cidrsubnet("169.254.3.0/24", 6, count.index)
  local_tunnel_ip   = cidrhost(cidrsubnet("169.254.3.0/24", 6, count.index), 2)
}}

resource "hybridnet_alicloud_customer_gateway" "router" {{
  count      = 2
  ip_address = ["203.0.113.40", "203.0.113.41"][count.index]
  asn        = 65030
}}

resource "hybridnet_alicloud_ipsec_connection_cen" "idc" {{
  name               = "pskm-dual"
  cen_id             = "cen-sandbox0000000001"
  effect_immediately = true

  dynamic "tunnel" {{
    for_each = [0, 1]
    content {{
      customer_gateway_id = hybridnet_alicloud_customer_gateway.router[tunnel.value].id
      psk                 = hybridnet_psk.pair[tunnel.value].value
    }}
  }}
}}
"#,
        preamble = provider_preamble()
    )
}

/// `(major, minor)` of the directory's Terraform.
fn minor(wd: &TfWorkdir) -> (u32, u32) {
    let v = wd.terraform_version();
    let mut parts = v
        .trim_start_matches("Terraform v")
        .split('.')
        .map(|p| p.parse::<u32>().unwrap_or(0));
    (parts.next().unwrap_or(0), parts.next().unwrap_or(0))
}

/// The `value` of each `hybridnet_psk` instance in `terraform.tfstate`, in index order.
fn state_keys(wd: &TfWorkdir) -> Vec<String> {
    let state = wd.state_json();
    let mut out: Vec<(i64, String)> = state["resources"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["mode"] == "managed" && r["type"] == "hybridnet_psk")
        .flat_map(|r| r["instances"].as_array().cloned().unwrap_or_default())
        .map(|i| {
            (
                i["index_key"].as_i64().unwrap_or(0),
                i["attributes"]["value"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    out.sort();
    out.into_iter().map(|(_, k)| k).collect()
}

/// What both clouds accept (JD Cloud's rule, the stricter).
fn valid_for_both(key: &str) -> bool {
    let lower = key.to_ascii_lowercase();
    (1..=20).contains(&key.len())
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        && !lower.starts_with("0x")
        && !lower.starts_with("0s")
}

/// Each key is held by exactly one JD tunnel and one Alibaba tunnel in the sandbox; returns the
/// tunnel ids of both clouds (sorted), which an update in place keeps.
fn both_ends_hold(version: &str, sb: &Sandbox, keys: &[String]) -> Vec<String> {
    let ends = cloud_end::cloud_ends(&sb.state()).unwrap_or_else(|e| panic!("cloud ends: {e:#}"));
    for key in keys {
        let holders: Vec<Cloud> = ends
            .iter()
            .filter(|e| e.psk.0 == *key)
            .map(|e| e.cloud)
            .collect();
        assert_eq!(holders.len(), 2, "{version}: a key on {holders:?}");
        assert!(
            holders.contains(&Cloud::JdCloud) && holders.contains(&Cloud::AliCloud),
            "{version}: a key on {holders:?}"
        );
    }
    let mut ids: Vec<String> = ends.iter().map(|e| e.tunnel.clone()).collect();
    ids.sort();
    ids
}

fn assert_no_key(version: &str, what: &str, text: &str, keys: &[String]) {
    assert!(!text.is_empty(), "{version}: {what} is empty");
    for k in keys {
        assert!(!text.contains(k.as_str()), "{version}: {what} shows a key");
    }
}

fn create_rotate_destroy(tf: &std::path::Path) {
    let sb = Sandbox::start();
    let mut wd = TfWorkdir::new(tf, &sb, &config());
    let version = wd.terraform_version().to_owned();
    let log = wd.path().join("trace.log");
    wd.env("TF_LOG", "trace")
        .env("TF_LOG_PATH", &log.display().to_string());

    let applied = wd.apply();
    let first = state_keys(&wd);
    assert_eq!(first.len(), 2, "{version}: {first:?}");
    assert_ne!(first[0], first[1], "{version}: one key per pair");
    for k in &first {
        assert_eq!(k.len(), 20, "{version}");
        assert!(valid_for_both(k), "{version}: a key both clouds refuse");
    }
    let ids = both_ends_hold(&version, &sb, &first);
    assert_eq!(ids.len(), 4, "{version}: {ids:?}");

    let replan = wd.plan_detailed_output();
    assert_eq!(replan.code, 0, "{version}: re-plan not empty:\n{replan}");
    let show = wd.run_ok(&["show", "-no-color"]);
    assert!(
        show.stdout.contains("(sensitive value)"),
        "{version}: show:\n{show}"
    );
    let show_json = wd.show_json();
    let psk0 = show_json["values"]["root_module"]["resources"]
        .as_array()
        .and_then(|rs| rs.iter().find(|r| r["address"] == "hybridnet_psk.pair[0]"))
        .cloned()
        .unwrap_or_default();
    // Terraform 1.0's `show -json` marks only values sensitive through the configuration, not
    // through the schema; its human `show` above hides the value all the same.
    if minor(&wd) >= (1, 11) {
        assert_eq!(
            psk0["sensitive_values"]["value"],
            Value::Bool(true),
            "{version}: value not sensitive in show -json"
        );
    }
    assert!(psk0["values"]["value"].is_string(), "{version}: {psk0:#}");

    // Rotation: a changed keeper replaces both keys; the tunnels change in place.
    wd.env("TF_VAR_rotation", "2");
    let planned = wd.run_ok(&["plan", "-input=false", "-no-color", "-out=rotate.tfplan"]);
    let text = planned.combined();
    assert!(
        text.contains("Plan: 2 to add, 3 to change, 2 to destroy."),
        "{version}: rotation plan:\n{text}"
    );
    for addr in ["hybridnet_psk.pair[0]", "hybridnet_psk.pair[1]"] {
        assert!(
            text.contains(&format!("# {addr} must be replaced")),
            "{version}: {addr} not replaced:\n{text}"
        );
    }
    for addr in [
        "hybridnet_jdcloud_vpn_tunnel.idc[0]",
        "hybridnet_jdcloud_vpn_tunnel.idc[1]",
        "hybridnet_alicloud_ipsec_connection_cen.idc",
    ] {
        assert!(
            text.contains(&format!("# {addr} will be updated in-place")),
            "{version}: {addr} not updated in place:\n{text}"
        );
    }
    let rotated = wd.run_ok(&["apply", "-input=false", "-no-color", "rotate.tfplan"]);
    let second = state_keys(&wd);
    assert_eq!(second.len(), 2, "{version}");
    for (a, b) in first.iter().zip(&second) {
        assert_ne!(a, b, "{version}: the key did not change");
    }
    assert_eq!(
        both_ends_hold(&version, &sb, &second),
        ids,
        "{version}: rotation replaced tunnels"
    );
    let replan = wd.plan_detailed_output();
    assert_eq!(
        replan.code, 0,
        "{version}: re-plan after rotation:\n{replan}"
    );

    let keys: Vec<String> = first.iter().chain(&second).cloned().collect();
    let trace = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(
        trace.contains("terraform-provider-hybridnet"),
        "{version}: the TRACE log lacks the provider's lines"
    );
    for (what, text) in [
        ("apply output", applied.combined()),
        ("terraform show", show.combined()),
        ("rotation plan output", planned.combined()),
        ("apply of the saved plan", rotated.combined()),
        ("the TRACE log", trace),
    ] {
        assert_no_key(&version, what, &text, &keys);
    }
    wd.destroy();
    let (objects, unknown) = sandbox_objects(&sb.state());
    assert!(
        objects.is_empty() && unknown.is_empty(),
        "{version}: left in the sandbox after destroy"
    );
}

#[test]
fn keys_are_kept_in_state_reach_both_ends_and_rotate_with_keepers() {
    let bins = terraform_bins();
    std::thread::scope(|s| {
        for tf in &bins {
            s.spawn(move || create_rotate_destroy(tf));
        }
    });
}

const IMPORTED: &str = "Imported_Key-0123456";
const BARE_ID: &str = "Bare_Key_Typed_As_ID";

#[test]
fn import_reads_the_key_from_the_environment_and_refuses_anything_else() {
    for tf in terraform_bins() {
        let sb = Sandbox::start();
        let mut wd = TfWorkdir::new(&tf, &sb, "");
        let with_ephemeral = minor(&wd) >= (1, 10);
        // The managed and the ephemeral resource of one name in one configuration.
        let ephemeral = if with_ephemeral {
            "\nephemeral \"hybridnet_psk\" \"e\" {}\n"
        } else {
            ""
        };
        wd.write_main(&format!(
            "{}\nresource \"hybridnet_psk\" \"imported\" {{}}\n{ephemeral}",
            provider_preamble()
        ));
        let version = wd.terraform_version().to_owned();
        wd.run_ok(&["validate", "-no-color"]);

        // A key typed as the ID: refused, and the provider's error does not repeat it
        // (Terraform's own "Importing from ID" line does, which is why it is refused).
        let refused = wd.run_err(&[
            "import",
            "-input=false",
            "-no-color",
            "hybridnet_psk.imported",
            BARE_ID,
        ]);
        let text = refused.combined();
        let error = text
            .split("Error: ")
            .nth(1)
            .unwrap_or_else(|| panic!("{version}: no error:\n{text}"));
        assert!(
            error.contains("env:NAME") && !error.contains(BARE_ID),
            "{version}: the refusal:\n{text}"
        );
        let unset = wd.run_err(&[
            "import",
            "-input=false",
            "-no-color",
            "hybridnet_psk.imported",
            "env:HYBRIDNET_TEST_UNSET_PSK",
        ]);
        assert!(
            unset.combined().contains("is not set"),
            "{version}: {unset}"
        );

        wd.env("HYBRIDNET_TEST_IMPORT_PSK", IMPORTED);
        wd.import("hybridnet_psk.imported", "env:HYBRIDNET_TEST_IMPORT_PSK");
        assert_eq!(state_keys(&wd), [IMPORTED], "{version}");
        let replan = wd.plan_detailed_output();
        assert_eq!(
            replan.code, 0,
            "{version}: re-plan after import not empty:\n{replan}"
        );
        assert!(
            !replan.combined().contains(IMPORTED),
            "{version}: the plan shows the key"
        );
        if with_ephemeral {
            // The ephemeral one opened during that plan; the state holds only the managed one.
            let types: Vec<String> = wd.state_json()["resources"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|r| format!("{}.{}", r["mode"], r["type"]))
                .collect();
            assert_eq!(types, ["\"managed\".\"hybridnet_psk\""], "{version}");
        }
        wd.destroy();
        assert!(state_keys(&wd).is_empty(), "{version}");
    }
}
