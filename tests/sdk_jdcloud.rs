//! The sandbox accepts requests from the OFFICIAL JD Cloud Python SDK (PyPI `jdcloud-sdk`), both
//! through its client and through its signer, and rejects the same signed request with one byte
//! changed. This pins the sandbox's verifier to a signer nobody on this project wrote.
//!
//! Needs `.venv` from `scripts/ensure-tools.sh`; the script is `tests/common/jdcloud_sdk_sign.py`.

mod common;

use std::path::PathBuf;
use std::process::Command;

use common::Sandbox;
use serde_json::Value;

fn venv_python() -> PathBuf {
    let python = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python");
    assert!(
        python.is_file(),
        "{} not found: run scripts/ensure-tools.sh (it installs the official SDKs into .venv)",
        python.display()
    );
    python
}

fn run_sdk_script(sandbox: &Sandbox) -> Value {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/common/jdcloud_sdk_sign.py");
    let out = Command::new(venv_python())
        .arg(&script)
        .arg(sandbox.url())
        .arg(sandbox.credentials().access_key_id())
        .arg(sandbox.credentials().secret())
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .unwrap_or_else(|e| panic!("running {}: {e}", script.display()));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "{} failed ({}):\n{stdout}\n{stderr}\nsandbox log:\n{}",
        script.display(),
        out.status,
        sandbox.log()
    );
    serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("script output is not JSON ({e}):\n{stdout}\n{stderr}"))
}

/// A check of the script's report: `{"http_status": .., "body": ..}` (raw) or
/// `{"error": .., "result": .., "request_id": ..}` (parsed by the SDK client).
fn check<'a>(report: &'a Value, name: &str) -> &'a Value {
    let v = &report[name];
    assert!(!v.is_null(), "no `{name}` in the report:\n{report:#}");
    v
}

fn assert_accepted(report: &Value, name: &str) {
    let c = check(report, name);
    assert_eq!(c["http_status"], 200, "{name} was not accepted:\n{c:#}");
    assert!(
        c["body"]["requestId"].is_string(),
        "{name}: no requestId:\n{c:#}"
    );
    assert!(
        c["body"].get("error").is_none(),
        "{name}: error envelope:\n{c:#}"
    );
}

fn assert_access_error(report: &Value, name: &str) {
    let c = check(report, name);
    assert_eq!(c["http_status"], 401, "{name} was not rejected:\n{c:#}");
    assert_eq!(
        c["body"]["error"]["status"], "ACCESS_ERROR",
        "{name}:\n{c:#}"
    );
    assert_eq!(c["body"]["error"]["code"], 401, "{name}:\n{c:#}");
    assert!(
        c["body"]["requestId"].is_string(),
        "{name}: no requestId:\n{c:#}"
    );
}

#[test]
fn official_jdcloud_sdk_is_accepted_and_tampering_is_rejected() {
    let sandbox = Sandbox::start();
    let report = run_sdk_script(&sandbox);

    // The SDK signed with its own algorithm (JDCLOUD3, content-type;host only).
    let auth = report["authorization"].as_str().unwrap_or_default();
    assert!(
        auth.starts_with("JDCLOUD3-HMAC-SHA256 Credential=sandbox-ak/"),
        "{auth}"
    );
    assert!(auth.contains("/cn-north-1/bgw/jdcloud3_request"), "{auth}");

    // The SDK client, end to end: create, list, describe.
    let created = check(&report, "client_create");
    assert!(created["error"].is_null(), "{created:#}\n{}", sandbox.log());
    let id = created["result"]["customerGatewayId"]
        .as_str()
        .unwrap_or_else(|| panic!("no customerGatewayId:\n{created:#}"));
    assert_eq!(
        created["result"]["customerGateway"]["customerGatewayName"],
        "sdk-client-cgw"
    );

    let listed = check(&report, "client_describe_many");
    assert!(listed["error"].is_null(), "{listed:#}");
    let names: Vec<&str> = listed["result"]["customerGateways"]
        .as_array()
        .map(|gws| {
            gws.iter()
                .filter_map(|g| g["customerGatewayId"].as_str())
                .collect()
        })
        .unwrap_or_default();
    assert!(names.contains(&id), "{id} not listed:\n{listed:#}");

    let described = check(&report, "client_describe");
    assert_eq!(
        described["result"]["customerGateway"]["customerGatewayId"],
        id
    );
    assert_eq!(described["result"]["customerGateway"]["bgpAsn"], 65100);

    // Errors come back as the envelope the SDK parses into resp.error.
    for name in ["client_not_found", "client_modify_admin_status"] {
        let c = check(&report, name);
        assert_eq!(c["error"]["status"], "NOT_FOUND", "{name}:\n{c:#}");
        assert_eq!(c["error"]["code"], 404, "{name}:\n{c:#}");
        assert!(c["request_id"].is_string(), "{name}:\n{c:#}");
    }

    // The signer alone: the originals pass, every one-byte change is refused.
    for name in [
        "signed_post",
        "signed_get",
        "signed_get_item",
        "signed_get_again",
    ] {
        assert_accepted(&report, name);
    }
    for name in [
        "tampered_body",
        "tampered_body_no_hash_header",
        "tampered_query",
        "tampered_path",
        "tampered_date",
    ] {
        assert_access_error(&report, name);
    }

    // Exactly the two accepted creates exist; no tampered create slipped through.
    let gateways = sandbox.jd_resources("customer_gateways");
    let mut names: Vec<&str> = gateways
        .iter()
        .filter_map(|g| g["customerGatewayName"].as_str())
        .collect();
    names.sort_unstable();
    assert_eq!(names, ["sdk-client-cgw", "sdk-signer-cgw"], "{gateways:#?}");
}
