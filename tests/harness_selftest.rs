//! Checks the acceptance-test harness itself: every Terraform binary runs, the sandbox starts
//! and answers, and Terraform can launch the provider through `dev_overrides` (`validate`
//! needs the provider's schema, so it exercises the plugin handshake and `GetSchema`).

mod common;

use common::{provider_preamble, terraform_bins, terraform_version, Sandbox, TfWorkdir};

#[test]
fn every_terraform_binary_reports_its_version() {
    let bins = terraform_bins();
    for bin in &bins {
        let version = terraform_version(bin);
        assert!(
            version.starts_with("Terraform v"),
            "{}: {version}",
            bin.display()
        );
    }
    let oldest = bins
        .iter()
        .map(|b| terraform_version(b))
        .any(|v| v == "Terraform v1.0.3");
    if !oldest {
        eprintln!("note: Terraform 1.0.3 is not among the tested binaries: {bins:?}");
    }
}

#[test]
fn sandbox_starts_and_serves_admin_routes() {
    let sandbox = Sandbox::start();
    assert!(
        sandbox.url().starts_with("http://127.0.0.1:"),
        "{}",
        sandbox.url()
    );
    let state = sandbox.state();
    assert!(state["jdcloud"].is_object(), "{state:#}");
    assert!(state["alicloud"].is_object(), "{state:#}");
    sandbox.reset();
    assert!(sandbox.requests().is_object());
}

#[test]
fn signed_requests_reach_the_sandbox() {
    let sandbox = Sandbox::start();
    let (status, body) =
        sandbox.jd_request("GET", "/v1/regions/cn-north-1/customerGateways/", "", None);
    assert_eq!(status, 200, "{body:#}\n{}", sandbox.log());
    assert!(body["requestId"].is_string(), "{body:#}");
}

#[test]
fn terraform_validates_a_config_with_the_provider() {
    let sandbox = Sandbox::start();
    for bin in terraform_bins() {
        let workdir = TfWorkdir::new(&bin, &sandbox, &provider_preamble());
        let out = workdir.run_ok(&["validate", "-no-color"]);
        assert!(
            out.stdout.contains("The configuration is valid"),
            "{}:\n{out}",
            workdir.terraform_version()
        );
    }
}
