//! Protocol 5.10 through the real Terraform CLI, on every binary of `terraform_bins()`:
//! `hybridnet_psk` opened and closed by Terraform 1.10 and later (and an ephemeral block refused
//! by older ones, which know none), the cached schema reused from Terraform 1.6 on, and the
//! write-only capability arriving with validation from Terraform 1.11 on.

mod common;

use common::{provider_preamble, terraform_bins, Sandbox, TfWorkdir};

/// `(major, minor)` of a `Terraform vX.Y.Z` line.
fn minor(wd: &TfWorkdir) -> (u32, u32) {
    let v = wd.terraform_version();
    let digits = v.trim_start_matches("Terraform v");
    let mut parts = digits.split('.').map(|p| p.parse::<u32>().unwrap());
    (parts.next().unwrap(), parts.next().unwrap())
}

/// Turns on Terraform's trace log (provider lines included) into `<dir>/log.txt`.
fn traced(wd: &mut TfWorkdir) -> std::path::PathBuf {
    let log = wd.path().join("log.txt");
    wd.env("TF_LOG", "trace")
        .env("TF_LOG_PATH", &log.display().to_string());
    log
}

fn read_log(path: &std::path::Path) -> String {
    let log = std::fs::read_to_string(path).unwrap_or_default();
    // Each command appends; the next one starts from a clean file.
    let _ = std::fs::remove_file(path);
    log
}

fn psk_config(check: &str) -> String {
    format!(
        "{}\nephemeral \"hybridnet_psk\" \"both\" {{}}\n\n\
         ephemeral \"hybridnet_psk\" \"ali\" {{\n  clouds = [\"alicloud\"]\n  length = 64\n}}\n\n\
         locals {{\n  both = ephemeral.hybridnet_psk.both.value\n  ali = ephemeral.hybridnet_psk.ali.value\n}}\n\n\
         output \"checked\" {{\n  value = true\n  precondition {{\n    condition = {check}\n    \
         error_message = \"unexpected key\"\n  }}\n}}\n",
        provider_preamble()
    )
}

/// What both clouds accept (JD Cloud's rule is the narrower), and Alibaba Cloud's own length.
const GOOD_KEYS: &str = "can(regex(\"^[A-Za-z0-9_-]{20}$\", local.both)) && \
     !startswith(lower(local.both), \"0x\") && !startswith(lower(local.both), \"0s\") && \
     length(local.ali) == 64";

#[test]
fn the_psk_is_opened_checked_and_closed_by_terraform_1_10_and_refused_before() {
    let sb = Sandbox::start();
    for tf in terraform_bins() {
        let mut wd = TfWorkdir::new(&tf, &sb, &psk_config(GOOD_KEYS));
        if minor(&wd) < (1, 10) {
            // No ephemeral blocks before 1.10: Terraform itself refuses the block.
            let out = wd.run_err(&["validate", "-no-color"]);
            assert!(out.combined().contains("Unsupported block type"), "{out}");
            continue;
        }
        let log = traced(&mut wd);
        let out = wd.apply();
        let log = read_log(&log);
        assert!(
            out.combined()
                .contains("ephemeral.hybridnet_psk.both: Closing complete"),
            "{out}"
        );
        for rpc in ["OpenEphemeralResource", "CloseEphemeralResource"] {
            assert!(log.contains(&format!("GRPCProvider: {rpc}")), "no {rpc}");
        }
        let state = std::fs::read_to_string(wd.path().join("terraform.tfstate")).unwrap();
        let state: serde_json::Value = serde_json::from_str(&state).unwrap();
        assert_eq!(state["resources"], serde_json::json!([]), "{state}");
        assert_eq!(state["outputs"]["checked"]["value"], true);
        // The check can fail: a wrong expectation about the key is caught.
        wd.write_main(&psk_config("length(local.ali) == 63"));
        let out = wd.apply_err();
        assert!(out.combined().contains("unexpected key"), "{out}");
    }
}

#[test]
fn terraform_1_6_and_later_reuse_the_cached_schema() {
    let sb = Sandbox::start();
    let config = format!(
        "{}\ndata \"hybridnet_ipsec_profile\" \"p\" {{}}\n\
         output \"sw\" {{ value = data.hybridnet_ipsec_profile.p.strongswan }}\n",
        provider_preamble()
    );
    for tf in terraform_bins() {
        let mut wd = TfWorkdir::new(&tf, &sb, &config);
        let log = traced(&mut wd);
        wd.apply();
        let log = read_log(&log);
        let processes = log.matches("starting plugin").count();
        let schemas = log
            .matches("provider.terraform-provider-hybridnet: GetSchema")
            .count();
        assert!(processes > 1, "{processes} provider processes");
        if minor(&wd) >= (1, 6) {
            // get_provider_schema_optional: one GetSchema for the whole command.
            assert_eq!(schemas, 1, "{} processes", processes);
        } else {
            assert_eq!(schemas, processes, "1.0 asks every process");
        }
    }
}

#[test]
fn terraform_1_11_says_it_keeps_write_only_arguments_out_of_state() {
    let sb = Sandbox::start();
    let config = format!(
        "{}\nresource \"hybridnet_jdcloud_customer_gateway\" \"g\" {{\n  name = \"g\"\n  \
         customer_ips = [\"203.0.113.10\"]\n  bgp_asn = 65010\n}}\n",
        provider_preamble()
    );
    for tf in terraform_bins() {
        let mut wd = TfWorkdir::new(&tf, &sb, &config);
        let log = traced(&mut wd);
        wd.run_ok(&["validate", "-no-color"]);
        let log = read_log(&log);
        let expected = minor(&wd) >= (1, 11);
        assert!(
            log.contains(&format!("write_only_attributes_allowed={expected}")),
            "{}: no capability line with {expected}",
            wd.terraform_version()
        );
    }
}
