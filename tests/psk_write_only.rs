//! Write-only pre-shared keys (`psk_wo`, `psk_wo_version`) through the real Terraform CLI, on
//! every binary of `terraform_bins()`:
//!
//! - Terraform 1.11 and later: examples/jdcloud-alicloud-vpn-write-only applies and re-plans
//!   empty; the sandbox holds the same key on both ends of each tunnel pair, and that key is in
//!   none of `terraform.tfstate`, `terraform show -json`, a saved plan (`terraform show -json
//!   PLANFILE`), Terraform's output, the TRACE log (the provider's lines included) or the
//!   sandbox's log; raising `psk_version` is an update in place of the three resources that
//!   carry keys, after which both ends hold a new, matching key (same tunnel ids).
//! - Before 1.11: `psk_wo` is refused with an error naming it and the version it needs, while
//!   `psk` still plans.

mod common;

use common::cloud_end::{self, CloudEnd};
use common::{provider_preamble, terraform_bins, Sandbox, TfWorkdir};
use serde_json::Value;

const EXAMPLE: &str = "jdcloud-alicloud-vpn-write-only";

fn example(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name)
        .join("main.tf");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `(major, minor)` of a `Terraform vX.Y.Z` line.
fn minor(wd: &TfWorkdir) -> (u32, u32) {
    let v = wd.terraform_version();
    let digits = v.trim_start_matches("Terraform v");
    let mut parts = digits.split('.').map(|p| p.parse::<u32>().unwrap());
    (parts.next().unwrap(), parts.next().unwrap())
}

/// Each tunnel pair's two cloud ends, as the sandbox holds them (JD tunnel `psk`, Alibaba
/// `TunnelIkeConfig.Psk`), through the tests' own reading of the sandbox state.
fn pairs(sb: &Sandbox) -> Vec<(CloudEnd, CloudEnd)> {
    let state = sb.state();
    let ends = cloud_end::cloud_ends(&state).unwrap_or_else(|e| panic!("cloud ends: {e:#}"));
    cloud_end::pair_up(&ends).unwrap_or_else(|e| panic!("pairing: {e:#}"))
}

/// The key of each pair, after checking that both ends hold the same one.
fn pair_keys(version: &str, sb: &Sandbox) -> Vec<String> {
    let pairs = pairs(sb);
    assert_eq!(pairs.len(), 2, "{version}: {pairs:#?}");
    pairs
        .iter()
        .map(|(a, b)| {
            assert!(
                a.psk.0 == b.psk.0,
                "{version}: the two ends of {} ↔ {} hold different keys",
                a.local_addr,
                b.local_addr
            );
            assert_eq!(a.psk.0.len(), 20, "{version}: a hybridnet_psk key");
            a.psk.0.clone()
        })
        .collect()
}

/// The connection and tunnel ids of both ends of every pair: unchanged by an update in place.
fn object_ids(sb: &Sandbox) -> Vec<String> {
    let mut ids: Vec<String> = pairs(sb)
        .iter()
        .flat_map(|(a, b)| [a, b])
        .flat_map(|e| [e.connection.clone(), e.tunnel.clone()])
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

fn assert_no_key(version: &str, what: &str, text: &str, keys: &[String]) {
    assert!(
        !text.is_empty(),
        "{version}: {what} is empty: the check would be vacuous"
    );
    for k in keys {
        assert!(
            !text.contains(k.as_str()),
            "{version}: {what} contains a pre-shared key"
        );
    }
}

/// Every resource instance's attributes in `terraform.tfstate` of type `ty`.
fn state_instances(state: &Value, ty: &str) -> Vec<Value> {
    state["resources"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["type"] == ty)
        .flat_map(|r| r["instances"].as_array().cloned().unwrap_or_default())
        .map(|i| i["attributes"].clone())
        .collect()
}

/// The state holds no key and no `psk_wo`, only the version.
fn assert_state_shape(version: &str, wd: &TfWorkdir, psk_version: i64) {
    let state = wd.state_json();
    let jd = state_instances(&state, "hybridnet_jdcloud_vpn_tunnel");
    assert_eq!(jd.len(), 2, "{version}");
    for t in &jd {
        assert_eq!(t["psk"], Value::Null, "{version}: JD tunnel psk");
        assert_eq!(t["psk_wo"], Value::Null, "{version}: JD tunnel psk_wo");
        assert_eq!(t["psk_wo_version"], psk_version, "{version}");
    }
    let ali = state_instances(&state, "hybridnet_alicloud_ipsec_connection_cen");
    assert_eq!(ali.len(), 1, "{version}");
    let tunnels = ali[0]["tunnel"].as_array().cloned().unwrap_or_default();
    assert_eq!(tunnels.len(), 2, "{version}");
    for t in &tunnels {
        assert_eq!(t["psk"], Value::Null, "{version}: Alibaba tunnel psk");
        assert_eq!(t["psk_wo"], Value::Null, "{version}: Alibaba tunnel psk_wo");
        assert_eq!(t["psk_wo_version"], psk_version, "{version}");
    }
}

#[test]
fn write_only_keys_reach_both_ends_but_no_state_plan_or_log_and_rotate_in_place() {
    let mut ran = false;
    for tf in terraform_bins() {
        let sb = Sandbox::start();
        let mut wd = TfWorkdir::new(&tf, &sb, &example(EXAMPLE));
        let version = wd.terraform_version().to_owned();
        if minor(&wd) < (1, 11) {
            // Its `ephemeral` block and `required_version` are for 1.11 and later; what older
            // versions do with `psk_wo` is the next test.
            eprintln!("{version}: skipped: {EXAMPLE} needs Terraform 1.11 or later");
            continue;
        }
        ran = true;
        let log = wd.path().join("trace.log");
        wd.env("TF_LOG", "trace")
            .env("TF_LOG_PATH", &log.display().to_string());

        let applied = wd.apply();
        let first = pair_keys(&version, &sb);
        assert_ne!(first[0], first[1], "{version}: one key per pair");
        let ids = object_ids(&sb);
        assert!(ids.len() >= 5, "{version}: ids {ids:?}");
        assert_state_shape(&version, &wd, 1);
        let replan = wd.plan_detailed_output();
        assert_eq!(replan.code, 0, "{version}: re-plan not empty:\n{replan}");
        let show = wd.run_ok(&["show", "-json", "-no-color"]);

        // Rotation, through a saved plan: an update in place of the three resources holding keys.
        wd.env("TF_VAR_psk_version", "2");
        let planned = wd.run_ok(&["plan", "-input=false", "-no-color", "-out=rotate.tfplan"]);
        let text = planned.combined();
        assert!(
            text.contains("Plan: 0 to add, 3 to change, 0 to destroy."),
            "{version}: rotation plan:\n{text}"
        );
        for addr in [
            "hybridnet_jdcloud_vpn_tunnel.alicloud[0]",
            "hybridnet_jdcloud_vpn_tunnel.alicloud[1]",
            "hybridnet_alicloud_ipsec_connection_cen.jd",
        ] {
            assert!(
                text.contains(&format!("# {addr} will be updated in-place")),
                "{version}: {addr} not updated in place:\n{text}"
            );
        }
        let plan_json = wd.run_ok(&["show", "-json", "-no-color", "rotate.tfplan"]);
        let plan_bytes = std::fs::read(wd.path().join("rotate.tfplan")).unwrap();
        let rotated = wd.run_ok(&["apply", "-input=false", "-no-color", "rotate.tfplan"]);
        let second = pair_keys(&version, &sb);
        for (a, b) in first.iter().zip(&second) {
            assert_ne!(a, b, "{version}: the key did not change");
        }
        assert_eq!(object_ids(&sb), ids, "{version}: rotation replaced objects");
        assert_state_shape(&version, &wd, 2);
        let replan = wd.plan_detailed_output();
        assert_eq!(
            replan.code, 0,
            "{version}: re-plan after rotation:\n{replan}"
        );
        let show_after = wd.run_ok(&["show", "-json", "-no-color"]);

        let keys: Vec<String> = first.iter().chain(&second).cloned().collect();
        let state_text = std::fs::read_to_string(wd.path().join("terraform.tfstate")).unwrap();
        let trace = std::fs::read_to_string(&log).unwrap_or_default();
        assert!(
            trace.contains("write_only_attributes_allowed=true"),
            "{version}: the TRACE log lacks the provider's lines"
        );
        let sandbox_log = sb.log();
        for (what, text) in [
            ("terraform.tfstate", state_text),
            ("terraform show -json", show.combined()),
            ("terraform show -json after rotation", show_after.combined()),
            (
                "terraform show -json of the saved plan",
                plan_json.combined(),
            ),
            (
                "the saved plan file",
                String::from_utf8_lossy(&plan_bytes).into_owned(),
            ),
            ("apply output", applied.combined()),
            ("plan output", planned.combined()),
            ("apply of the saved plan", rotated.combined()),
            ("the TRACE log", trace),
            ("the sandbox's log", sandbox_log),
        ] {
            assert_no_key(&version, what, &text, &keys);
        }
        wd.destroy();
    }
    if !ran {
        eprintln!("no Terraform 1.11 or later in terraform_bins(): nothing ran");
    }
}

/// A JD tunnel and an Alibaba connection with a write-only key each, from literal ids (a plan
/// creates nothing).
fn write_only_config(jd_key: &str, ali_key: &str) -> String {
    format!(
        "{}\nresource \"hybridnet_jdcloud_vpn_tunnel\" \"t\" {{\n  vpn_connection_id = \"vpnc-1\"\n  \
         cloud_public_ip = \"116.196.0.10\"\n  customer_ip = \"203.0.113.10\"\n  {jd_key}\n}}\n\n\
         resource \"hybridnet_alicloud_ipsec_connection_cen\" \"c\" {{\n  cen_id = \"cen-sandbox0000000001\"\n  \
         tunnel {{\n    customer_gateway_id = \"cgw-1\"\n    {ali_key}\n  }}\n  \
         tunnel {{ customer_gateway_id = \"cgw-2\" }}\n}}\n",
        provider_preamble()
    )
}

#[test]
fn terraform_before_1_11_refuses_psk_wo_by_name_and_keeps_psk() {
    for tf in terraform_bins() {
        let sb = Sandbox::start();
        let wo = write_only_config(
            "psk_wo = \"Wo_Key_1\"\n  psk_wo_version = 1",
            "psk_wo = \"Wo-Key-2\"\n    psk_wo_version = 1",
        );
        let wd = TfWorkdir::new(&tf, &sb, &wo);
        let version = wd.terraform_version().to_owned();
        let plan = wd.run(&["plan", "-input=false", "-no-color"]);
        let text = plan.combined();
        if minor(&wd) >= (1, 11) {
            assert!(plan.success(), "{version}: psk_wo refused:\n{plan}");
            assert!(
                !text.contains("Wo_Key_1") && !text.contains("Wo-Key-2"),
                "{version}: plan output shows a write-only key:\n{text}"
            );
        } else {
            assert!(!plan.success(), "{version}: psk_wo accepted:\n{plan}");
            let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
            for path in [
                "psk_wo is a write-only argument",
                "tunnel[0].psk_wo is a write-only argument",
            ] {
                assert!(
                    flat.contains(&format!("{path}, which needs Terraform 1.11 or later")),
                    "{version}: no clear message for {path}:\n{text}"
                );
            }
            // Terraform quotes the configuration's line (`psk_wo = "..."`) under each error;
            // the provider's own detail names the path and never the value.
            let details: Vec<&str> = text
                .lines()
                .filter(|l| l.contains("write-only argument") || l.contains("psk_wo unset"))
                .collect();
            assert!(
                details
                    .iter()
                    .all(|l| !l.contains("Wo_Key_1") && !l.contains("Wo-Key-2")),
                "{version}: the refusal shows a key:\n{text}"
            );
        }
        // `psk` keeps working everywhere.
        wd.write_main(&write_only_config("psk = \"Key_1\"", "psk = \"Key-2\""));
        wd.run_ok(&["plan", "-input=false", "-no-color"]);
    }
}
