//! The sandbox accepts requests from the OFFICIAL Alibaba Cloud Python SDKs (PyPI
//! `alibabacloud-vpc20160428`, `alibabacloud-cbn20170912` over `alibabacloud-tea-openapi`) signed
//! both ways — ACS3-HMAC-SHA256 (the default) and HMAC-SHA1 signature V1
//! (`signature_algorithm='v2'`) — the SDK's response models parse what it answers, and the same
//! signed requests with one byte changed are refused. This pins the sandbox's Alibaba half to
//! clients nobody on this project wrote.
//!
//! Needs `.venv` from `scripts/ensure-tools.sh`; the script is `tests/common/alicloud_sdk.py`.

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
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/common/alicloud_sdk.py");
    let out = Command::new(venv_python())
        .arg(&script)
        .arg(sandbox.url())
        .arg(sandbox.credentials().access_key_id())
        .arg(sandbox.credentials().secret())
        .env("PYTHONDONTWRITEBYTECODE", "1")
        // The SDK falls back to these for its transport (docs/design/alicloud.md §7.4).
        .env_remove("HTTP_PROXY")
        .env_remove("http_proxy")
        .env_remove("HTTPS_PROXY")
        .env_remove("https_proxy")
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

fn check<'a>(report: &'a Value, path: &[&str]) -> &'a Value {
    let mut v = report;
    for key in path {
        v = &v[*key];
    }
    assert!(
        !v.is_null(),
        "no `{}` in the report:\n{report:#}",
        path.join(".")
    );
    v
}

/// The round trip through the SDK client of one signature dialect.
fn assert_vpc_round_trip(report: &Value, dialect: &str) {
    let r = check(report, &[dialect]);
    for n in ["create_cgw1", "create_cgw2"] {
        assert_eq!(r[n]["status"], 200, "{dialect} {n}:\n{r:#}");
        assert!(
            r[n]["customer_gateway_id"]
                .as_str()
                .is_some_and(|id| id.starts_with("cgw-")),
            "{dialect} {n}:\n{r:#}"
        );
        assert_eq!(r[n]["create_time_type"], "int", "{dialect} {n}");
    }
    let cgw = &r["describe_cgw"];
    assert_eq!(
        cgw["customer_gateway_id"],
        r["create_cgw1"]["customer_gateway_id"]
    );
    assert_eq!(cgw["ip_address"], "203.0.113.61");
    assert_eq!(
        cgw["asn"], 65001,
        "request Asn is a string, the answer an integer"
    );
    assert_eq!(cgw["asn_type"], "int");
    assert_eq!(
        cgw["name"],
        format!("sdk-{dialect}-cgw1 *~+/"),
        "special characters survive both signatures"
    );
    assert_eq!(cgw["description"], "desc with space");
    assert_eq!(cgw["tags"][0]["value"], "v 1");

    let created = &r["create_vco"];
    assert_eq!(created["status"], 200, "{dialect}:\n{created:#}");
    assert_eq!(created["code"], "200");
    assert_eq!(created["success"], true);
    let vco = &r["describe_vco"];
    assert_eq!(vco["vpn_connection_id"], created["vpn_connection_id"]);
    assert_eq!(vco["name"], format!("sdk-{dialect} vco"));
    assert_eq!(vco["state"], "init");
    assert_eq!(vco["attach_type"], "NO_ASSOCIATED");
    assert_eq!(vco["enable_tunnels_bgp"], true);
    assert_eq!(vco["enable_tunnels_bgp_type"], "bool");
    assert_eq!(vco["create_time_type"], "int");
    assert_eq!(vco["tags"][0]["value"], "sdk test");
    let tunnels = vco["tunnels"].as_array().expect("tunnels");
    assert_eq!(tunnels.len(), 2, "{vco:#}");
    let (t1, t2) = (&tunnels[0], &tunnels[1]);
    assert_eq!(t1["tunnel_index"], 1);
    assert_eq!(t2["tunnel_index"], 2);
    assert_eq!(
        t1["customer_gateway_id"],
        r["create_cgw1"]["customer_gateway_id"]
    );
    assert_eq!(
        t2["customer_gateway_id"],
        r["create_cgw2"]["customer_gateway_id"]
    );
    assert_eq!(t1["psk"], "sdk~psk!1", "the PSK sent, in plaintext");
    let generated = t2["psk"].as_str().unwrap_or_default();
    assert_eq!(
        generated.len(),
        16,
        "a 16-character PSK when none is sent: {t2:#}"
    );
    // Tunnel scalars are strings in DescribeVpnConnection (the SDK model says so).
    assert_eq!(t1["enable_dpd"], "true");
    assert_eq!(t1["enable_dpd_type"], "str");
    assert_eq!(t1["enable_nat_traversal"], "false");
    assert_eq!(t1["ike_lifetime"], "3600");
    assert_eq!(t1["ike_lifetime_type"], "str");
    assert_eq!(t1["local_asn"], "65500");
    assert_eq!(t1["peer_asn"], "65001");
    assert_eq!(t1["tunnel_cidr"], "169.254.10.0/30");
    assert_eq!(t2["tunnel_cidr"], "169.254.11.0/30");
    assert_eq!(t1["ipsec_pfs"], "group14");
    assert!(
        t1["internet_ip"].is_null(),
        "no address before binding: {t1:#}"
    );
}

fn assert_sdk_error(report: &Value, name: &str, status: u16, code: &str) {
    let e = check(report, &[name]);
    assert_eq!(e["type"], "ClientException", "{name}:\n{e:#}");
    assert_eq!(e["status_code"], status, "{name}:\n{e:#}");
    assert_eq!(e["code"], code, "{name}:\n{e:#}");
    assert!(
        e["request_id"].as_str().is_some_and(|id| id.len() == 36),
        "{name}:\n{e:#}"
    );
}

fn assert_raw(report: &Value, name: &str, status: u16, code: Option<&str>) -> Value {
    let c = check(report, &[name]);
    assert_eq!(c["http_status"], status, "{name}:\n{c:#}");
    assert!(c["body"]["RequestId"].is_string(), "{name}:\n{c:#}");
    if let Some(code) = code {
        assert_eq!(c["body"]["Code"], code, "{name}:\n{c:#}");
    }
    c["body"].clone()
}

#[test]
fn official_alibaba_sdks_are_accepted_and_tampering_is_rejected() {
    let sandbox = Sandbox::start_with_args(&["--provisioning-ms", "300"]);
    let report = run_sdk_script(&sandbox);

    // The official VPC client, both signatures.
    assert_vpc_round_trip(&report, "v3");
    assert_vpc_round_trip(&report, "v1");

    // The official CBN client binds the V3 connection to the seeded transit router; the
    // attachment goes through Attaching, then the tunnels have their addresses.
    let cbn = check(&report, &["cbn"]);
    assert_eq!(cbn["transit_router_id"], "tr-hz-sandbox0001");
    assert_eq!(cbn["cen_id"], "cen-sandbox0000000001");
    assert_eq!(
        cbn["vpn_id"],
        report["v3"]["create_vco"]["vpn_connection_id"]
    );
    assert_eq!(
        cbn["statuses_seen"],
        serde_json::json!(["Attaching", "Attached"]),
        "{cbn:#}"
    );
    assert_eq!(cbn["auto_publish_route_enabled"], true);
    let when = cbn["creation_time"].as_str().unwrap_or_default();
    assert!(
        when.len() == 17 && when.ends_with('Z') && when.as_bytes()[10] == b'T',
        "CreationTime is YYYY-MM-DDThh:mmZ: {when}"
    );
    assert_eq!(cbn["route_tables"][0]["id"], cbn["seeded_route_table"]);
    assert_eq!(cbn["route_tables"][0]["type"], "System");
    assert_eq!(cbn["not_found_list_length"], 0);
    let after = &cbn["describe_vco_after"];
    assert_eq!(after["state"], "attached");
    assert_eq!(after["attach_type"], "CEN");
    assert_eq!(after["transit_router_id"], "tr-hz-sandbox0001");
    let ips: Vec<&str> = after["tunnels"]
        .as_array()
        .map(|ts| {
            ts.iter()
                .filter_map(|t| t["internet_ip"].as_str())
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(ips.len(), 2, "{after:#}");
    assert_ne!(ips[0], ips[1]);

    // Destination routes of the bound connection: created, listed, re-weighted and deleted by
    // the Vpc client, and seen in the transit router's route table by the Cbn client.
    let vco = report["v3"]["create_vco"]["vpn_connection_id"].clone();
    let routes = check(&report, &["vco_routes"]);
    let created = &routes["created"];
    assert_eq!(created["route_dest"], "10.77.0.0/16", "{routes:#}");
    assert_eq!(created["next_hop"], vco);
    assert_eq!(
        (&created["weight"], &created["weight_type"]),
        (&serde_json::json!(100), &serde_json::json!("int"))
    );
    assert_eq!(created["state"], "published");
    assert_eq!(created["overlay_mode"], "Ipsec");
    assert_eq!(created["create_time_type"], "int");
    let listed = &routes["listed"];
    assert_eq!(listed["total_count"], 1, "{routes:#}");
    assert_eq!(listed["route_dest"], "10.77.0.0/16");
    assert_eq!(listed["vpn_connection_id"], vco);
    assert_eq!(listed["next_hop"], vco);
    assert_eq!(listed["weight"], 100);
    assert_eq!(listed["state"], "published");
    assert_eq!(listed["route_entry_type"], "custom");
    assert_eq!(listed["create_time_type"], "int");
    assert_eq!(
        listed["route_counts"],
        serde_json::json!([{"count": 1, "type": "custom"}])
    );
    assert_eq!(
        routes["published"],
        serde_json::json!([{
            "dest": "10.77.0.0/16",
            "next_hop_id": cbn["attachment_id"],
            "next_hop_type": "Attachment",
            "type": "Propagated",
            "origin": vco,
        }]),
        "{routes:#}"
    );
    assert_eq!(routes["weight_after_modify"], 0);
    assert_eq!(routes["count_after_delete"], 0);
    assert_eq!(routes["published_after_delete"], 0);

    // Our error envelopes, parsed by the SDK into its exceptions.
    assert_sdk_error(
        &report,
        "errors_wrong_secret_v3",
        400,
        "SignatureDoesNotMatch",
    );
    assert_sdk_error(
        &report,
        "errors_wrong_secret_v1",
        400,
        "SignatureDoesNotMatch",
    );
    assert_sdk_error(
        &report,
        "errors_not_found",
        404,
        "InvalidVpnConnectionInstanceId.NotFound",
    );
    let v1_message = report["errors_wrong_secret_v1"]["message"]
        .as_str()
        .unwrap_or_default();
    assert!(
        v1_message.contains("server string to sign is:POST&%2F&AccessKeyId%3Dsandbox-ak"),
        "{v1_message}"
    );

    // SDK-signed requests sent byte for byte: one changed byte is refused (before the nonce is
    // spent), the original is accepted once, and its replay is refused.
    let auth = report["tamper_v3_signed_headers"]
        .as_str()
        .unwrap_or_default();
    assert!(
        auth.starts_with("ACS3-HMAC-SHA256 Credential=sandbox-ak,SignedHeaders=accept;content-type;host;user-agent;"),
        "the SDK signs its own header set: {auth}"
    );
    assert_raw(
        &report,
        "tamper_v3_body",
        400,
        Some("SignatureDoesNotMatch"),
    );
    assert_raw(
        &report,
        "tamper_v3_body_and_hash",
        400,
        Some("SignatureDoesNotMatch"),
    );
    assert_raw(
        &report,
        "tamper_v3_query",
        400,
        Some("SignatureDoesNotMatch"),
    );
    let created = assert_raw(&report, "tamper_v3_original", 200, None);
    assert!(created["VpnConnectionId"].is_string(), "{created:#}");
    assert_raw(&report, "tamper_v3_replay", 400, Some("SignatureNonceUsed"));
    assert_eq!(report["tamper_v1_url_has_signature"], true);
    assert_raw(
        &report,
        "tamper_v1_query",
        400,
        Some("SignatureDoesNotMatch"),
    );
    let created = assert_raw(&report, "tamper_v1_original", 200, None);
    assert_eq!(created["Name"], "sdk-v1-tamper");
    assert_raw(&report, "tamper_v1_replay", 400, Some("SignatureNonceUsed"));

    // Exactly what was accepted exists: 4 SDK gateways + the V1 original; 2 SDK connections +
    // the V3 original; one binding. Nothing tampered slipped through.
    let state = sandbox.state();
    let ali = &state["alicloud"];
    let count = |kind: &str| ali[kind].as_array().map_or(0, Vec::len);
    assert_eq!(count("customer_gateways"), 5, "{ali:#}");
    assert_eq!(count("vpn_connections"), 3, "{ali:#}");
    assert_eq!(count("transit_router_vpn_attachments"), 1, "{ali:#}");
    let requests = sandbox.requests();
    assert_eq!(requests["alicloud.CreateVpnAttachment"], 3, "{requests:#}");
    assert_eq!(
        requests["alicloud.CreateTransitRouterVpnAttachment"], 1,
        "{requests:#}"
    );
}
