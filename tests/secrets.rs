//! Secrets (pre-shared keys, secret keys) never appear in Terraform's output, its TRACE log
//! (which carries the provider's own log lines), or plan output; nor do the keys
//! `examples/jdcloud-alicloud-vpn` has its module generate (`hybridnet_psk`), read from the state.

mod common;

use common::{terraform_bins, Sandbox, TfWorkdir};

/// Secrets that the examples below use; none may be printed anywhere.
const SECRETS: &[&str] = &[
    "IdcTunnel1_Key",
    "IdcTunnel2_Key",
    "CrossRegion_Key1",
    "CrossRegion_Key2",
    "SuperSecretSk_42",
    "STS.SecretToken_9f3b",
];

fn example(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name)
        .join("main.tf");
    std::fs::read_to_string(path).unwrap()
}

/// Neither a fixed secret nor one of `generated` (which are not printed when found).
fn assert_none_of(what: &str, text: &str, generated: &[String]) {
    for s in SECRETS {
        assert!(!text.contains(s), "{what} contains the secret {s:?}");
    }
    for k in generated {
        assert!(
            !text.contains(k.as_str()),
            "{what} contains a generated key"
        );
    }
}

/// The keys `hybridnet_psk` holds in the state (the generated ones).
fn generated_keys(wd: &TfWorkdir) -> Vec<String> {
    wd.state_json()["resources"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["type"] == "hybridnet_psk")
        .flat_map(|r| r["instances"].as_array().cloned().unwrap_or_default())
        .filter_map(|i| i["attributes"]["value"].as_str().map(str::to_owned))
        .collect()
}

#[test]
fn secrets_never_reach_logs_or_plans() {
    for tf in terraform_bins() {
        let sb = Sandbox::start_with_args(&[
            "--secret-key",
            "SuperSecretSk_42",
            "--security-token",
            "STS.SecretToken_9f3b",
        ]);
        let mut all_generated = Vec::new();
        for name in [
            "jdcloud-idc-vpn",
            "jdcloud-cross-region-vpn",
            "jdcloud-alicloud-vpn",
        ] {
            let mut wd = TfWorkdir::new(&tf, &sb, &example(name));
            // Temporary credentials: the token is signed and sent, and must be redacted in
            // the request log like the signature.
            wd.env("TF_LOG", "TRACE")
                .env("ALICLOUD_SECURITY_TOKEN", "STS.SecretToken_9f3b");
            let apply = wd.apply();
            let text = apply.combined();
            // The provider's own lines are in the trace (so the check is not vacuous)…
            assert!(
                text.contains("provider.terraform-provider-hybridnet"),
                "no provider log lines in TRACE output"
            );
            assert!(
                text.contains("signed JD Cloud request"),
                "the provider's request log is missing"
            );
            if name == "jdcloud-alicloud-vpn" {
                assert!(
                    text.contains("signed Alibaba Cloud request"),
                    "the Alibaba request log is missing"
                );
                // The token was signed and sent (the sandbox accepted it), and redacted.
                assert!(
                    text.contains("x-acs-security-token:** redacted **"),
                    "the signed token header is not in the request log"
                );
            }
            // …and none of them, nor Terraform's, carries a secret.
            let generated = generated_keys(&wd);
            if name == "jdcloud-alicloud-vpn" {
                assert_eq!(generated.len(), 2, "the module's generated keys");
            }
            all_generated.extend(generated.iter().cloned());
            assert_none_of(
                &format!("{name} apply with TF_LOG=TRACE"),
                &text,
                &generated,
            );
            let plan = wd.run_ok(&["plan", "-no-color", "-input=false"]);
            assert_none_of(&format!("{name} plan"), &plan.combined(), &generated);
            // A change of key shows as "(sensitive value)": a given key edited, or a generated
            // one replaced.
            let changed = example(name)
                .replace("IdcTunnel1_Key", "IdcTunnel1_New")
                .replace("CrossRegion_Key1", "CrossRegion_New1");
            wd.write_main(&changed);
            let plan = if generated.is_empty() {
                wd.run(&["plan", "-no-color", "-input=false"])
            } else {
                wd.run(&[
                    "plan",
                    "-no-color",
                    "-input=false",
                    "-replace=module.link.hybridnet_psk.this[0]",
                ])
            };
            assert!(plan.stdout.contains("(sensitive value)"), "{plan}");
            assert!(
                !plan.stdout.contains("_New"),
                "new key printed in plan:\n{plan}"
            );
            assert_none_of(
                &format!("{name} key change plan"),
                &plan.combined(),
                &generated,
            );
            wd.write_main(&example(name));
            wd.env("TF_LOG", "TRACE");
            let destroy = wd.destroy();
            assert_none_of(&format!("{name} destroy"), &destroy.combined(), &generated);
        }
        // The sandbox's log (stderr) must not carry them either.
        assert_none_of("sandbox log", &sb.log(), &all_generated);
    }
}
