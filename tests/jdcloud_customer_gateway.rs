//! Acceptance tests of `hybridnet_jdcloud_customer_gateway`: the real Terraform CLI (every
//! binary of `terraform_bins()`) drives the provider against the sandbox.

mod common;

use common::{provider_preamble, terraform_bins, Sandbox, TfWorkdir};
use serde_json::{json, Value};

const ADDR: &str = "hybridnet_jdcloud_customer_gateway.idc";

fn config(name: &str, ips: &[&str], asn: i64, extra: &str) -> String {
    let ips: Vec<String> = ips.iter().map(|ip| format!("{ip:?}")).collect();
    format!(
        "{}\nresource \"hybridnet_jdcloud_customer_gateway\" \"idc\" {{\n  name         = {name:?}\n  customer_ips = [{}]\n  bgp_asn      = {asn}\n{extra}}}\n",
        provider_preamble(),
        ips.join(", ")
    )
}

fn sandbox_gateways(sb: &Sandbox) -> Vec<Value> {
    sb.jd_resources("customer_gateways")
}

#[test]
fn customer_gateway_lifecycle() {
    for tf in terraform_bins() {
        let sb = Sandbox::start();
        let wd = TfWorkdir::new(
            &tf,
            &sb,
            &config("idc-bj", &["203.0.113.10", "203.0.113.11"], 65010, ""),
        );

        // Create, then a second plan has nothing to do.
        wd.apply();
        assert_eq!(
            wd.plan_detailed(),
            0,
            "second plan not empty with {}",
            wd.terraform_version()
        );
        let v = wd.resource_values(ADDR);
        let id = v["id"].as_str().unwrap().to_string();
        assert!(id.starts_with("cgw-"), "{v}");
        assert_eq!(v["region"], "cn-north-1");
        assert_eq!(
            v["customer_ips"],
            serde_json::json!(["203.0.113.10", "203.0.113.11"])
        );
        assert_eq!(v["bgp_asn"], 65010);
        assert!(v["description"].is_null());
        assert!(!v["created_time"].as_str().unwrap_or_default().is_empty());
        let gws = sandbox_gateways(&sb);
        assert_eq!(gws.len(), 1);
        assert_eq!(gws[0]["customerGatewayName"], "idc-bj");

        // Name, description and addresses change in place: same id.
        wd.write_main(&config(
            "idc-bj-2",
            &[
                "203.0.113.10",
                "203.0.113.12",
                "203.0.113.13",
                "203.0.113.14",
            ],
            65010,
            "  description = \"edge routers\"\n",
        ));
        let out = wd.apply();
        assert!(out.stdout.contains("1 changed, 0 destroyed"), "{out}");
        assert_eq!(wd.plan_detailed(), 0);
        let v = wd.resource_values(ADDR);
        assert_eq!(v["id"], id.as_str());
        assert_eq!(v["name"], "idc-bj-2");
        assert_eq!(v["description"], "edge routers");
        assert_eq!(
            sandbox_gateways(&sb)[0]["customerIps"]
                .as_array()
                .unwrap()
                .len(),
            4
        );

        // Removing the description clears it in the cloud too.
        wd.write_main(&config("idc-bj-2", &["203.0.113.10"], 65010, ""));
        wd.apply();
        assert_eq!(wd.plan_detailed(), 0);
        assert_eq!(sandbox_gateways(&sb)[0]["description"], "");

        // bgp_asn cannot change in place: the gateway is replaced.
        wd.write_main(&config("idc-bj-2", &["203.0.113.10"], 65020, ""));
        let plan = wd.plan_detailed_output();
        assert!(plan.stdout.contains("forces replacement"), "{plan}");
        wd.apply();
        let v = wd.resource_values(ADDR);
        let new_id = v["id"].as_str().unwrap().to_string();
        assert_ne!(new_id, id);
        let gws = sandbox_gateways(&sb);
        assert_eq!(gws.len(), 1, "old gateway must be gone: {gws:?}");
        assert_eq!(gws[0]["bgpAsn"], 65020);

        // Import into a fresh state reproduces the same attributes and an empty plan.
        let fresh = TfWorkdir::new(&tf, &sb, &config("idc-bj-2", &["203.0.113.10"], 65020, ""));
        fresh.import(ADDR, &format!("cn-north-1/{new_id}"));
        assert_eq!(fresh.resource_values(ADDR), v, "imported state differs");
        assert_eq!(fresh.plan_detailed(), 0);
        // An id alone uses the provider's region.
        let bare = TfWorkdir::new(&tf, &sb, &config("idc-bj-2", &["203.0.113.10"], 65020, ""));
        bare.import(ADDR, &new_id);
        assert_eq!(bare.resource_values(ADDR), v);

        // Deleted behind Terraform's back: the plan recreates it.
        let (status, body) = sb.jd_request(
            "DELETE",
            &format!("/v1/regions/cn-north-1/customerGateways/{new_id}"),
            "",
            None,
        );
        assert_eq!(status, 200, "{body}");
        let plan = wd.plan_detailed_output();
        assert_eq!(plan.code, 2, "{plan}");
        assert!(plan.stdout.contains("will be created"), "{plan}");
        wd.apply();
        assert_eq!(sandbox_gateways(&sb).len(), 1);
        assert_eq!(wd.plan_detailed(), 0);

        // Destroy leaves the sandbox empty.
        wd.destroy();
        assert!(sandbox_gateways(&sb).is_empty());
    }
}

#[test]
fn customer_gateway_import_of_a_missing_id_fails_clearly() {
    for tf in terraform_bins() {
        let sb = Sandbox::start();
        let wd = TfWorkdir::new(&tf, &sb, &config("idc", &["203.0.113.10"], 65010, ""));
        let out = wd.run_err(&[
            "import",
            "-input=false",
            "-no-color",
            ADDR,
            "cgw-doesnotexist",
        ]);
        assert!(
            out.combined().contains("non-existent remote object")
                || out.combined().contains("Cannot import"),
            "{out}"
        );
        let out = wd.run_err(&["import", "-input=false", "-no-color", ADDR, "a/b/c"]);
        assert!(out.combined().contains("Invalid import ID"), "{out}");
    }
}

#[test]
fn customer_gateway_validation_happens_before_any_api_call() {
    let cases: &[(&str, &[&str], i64, &str, &str)] = &[
        ("bad name!", &["203.0.113.10"], 65010, "", "name"),
        (
            "idc",
            &["203.0.113.10", "203.0.113.11", "203.0.113.12"],
            65010,
            "",
            "customer_ips",
        ),
        (
            "idc",
            &["203.0.113.10", "203.0.113.10"],
            65010,
            "",
            "customer_ips",
        ),
        ("idc", &["10.1.2.3"], 65010, "", "customer_ips"),
        ("idc", &["203.0.113.300"], 65010, "", "customer_ips"),
        ("idc", &["203.0.113.10"], 65000, "", "bgp_asn"),
        ("idc", &["203.0.113.10"], 65500, "", "bgp_asn"),
        (
            "idc",
            &["203.0.113.10"],
            65010,
            "  timeouts {\n    create = \"ten\"\n  }\n",
            "create",
        ),
        ("idc", &["203.0.113.10"], 65010, "  id = \"cgw-1\"\n", "id"),
    ];
    for tf in terraform_bins() {
        let sb = Sandbox::start();
        for (name, ips, asn, extra, attr) in cases {
            let wd = TfWorkdir::new(&tf, &sb, &config(name, ips, *asn, extra));
            let out = wd.run_err(&["validate", "-no-color"]);
            let text = out.combined();
            assert!(text.contains("Error"), "{out}");
            // The diagnostic carries the attribute path, so Terraform quotes
            // that attribute's line of main.tf ("  12:   name = ...").
            let quoted = text.lines().any(|l| {
                let l = l.trim_start_matches(['│', ' ']);
                l.split_once(':').is_some_and(|(n, rest)| {
                    n.chars().all(|c| c.is_ascii_digit()) && rest.trim_start().starts_with(attr)
                })
            });
            assert!(quoted, "{attr}: {out}");
        }
        assert_eq!(
            sb.requests(),
            serde_json::json!({}),
            "validation must not call the API"
        );
    }
}

#[test]
fn missing_credentials_name_the_variable() {
    for tf in terraform_bins() {
        let sb = Sandbox::start();
        let mut wd = TfWorkdir::new(&tf, &sb, &config("idc", &["203.0.113.10"], 65010, ""));
        wd.unset_env("JDCLOUD_SECRET_KEY");
        let out = wd.apply_err();
        assert!(out.combined().contains("JDCLOUD_SECRET_KEY"), "{out}");
        // A configuration without JD Cloud resources needs no JD Cloud credentials.
        let mut empty = TfWorkdir::new(&tf, &sb, &provider_preamble());
        empty
            .unset_env("JDCLOUD_ACCESS_KEY")
            .unset_env("JDCLOUD_SECRET_KEY");
        empty.apply();
    }
}

/// A provider killed after JD Cloud accepted a create leaves an object Terraform does not
/// know. The next apply must not make a twin: it reports the object and how to adopt it.
#[test]
fn customer_gateway_twin_is_reported_not_duplicated() {
    for tf in terraform_bins() {
        let sb = Sandbox::start();
        let body = json!({"customerGatewaySpec": {"customerGatewayName": "idc", "customerIps": ["203.0.113.10"], "bgpAsn": 65010}});
        let (status, created) = sb.jd_request(
            "POST",
            "/v1/regions/cn-north-1/customerGateways/",
            "",
            Some(&body),
        );
        assert_eq!(status, 200, "{created}");
        let orphan = created["result"]["customerGatewayId"]
            .as_str()
            .unwrap()
            .to_string();
        let wd = TfWorkdir::new(&tf, &sb, &config("idc", &["203.0.113.10"], 65010, ""));
        let out = wd.apply_err();
        let text = out.combined().replace('\n', " ");
        assert!(
            text.contains(&orphan) && text.contains("terraform import"),
            "{out}"
        );
        assert_eq!(sandbox_gateways(&sb).len(), 1, "no twin was created");
        // Following the advice adopts it.
        wd.import(ADDR, &format!("cn-north-1/{orphan}"));
        assert_eq!(wd.plan_detailed(), 0);
        wd.destroy();
        assert!(sandbox_gateways(&sb).is_empty());
    }
}
