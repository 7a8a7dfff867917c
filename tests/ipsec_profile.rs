//! `hybridnet_ipsec_profile` through the real Terraform CLI: outputs usable as
//! each cloud's arguments, and a proposal a requested cloud cannot express
//! refused by `terraform validate` and `plan`, naming the cloud and the
//! setting, on every binary of `terraform_bins()`.

mod common;

use common::{provider_preamble, terraform_bins, Sandbox, TfWorkdir};
use serde_json::json;

fn config(profile_body: &str) -> String {
    format!(
        "{}\ndata \"hybridnet_ipsec_profile\" \"p\" {{\n{profile_body}\n}}\n\n\
         output \"jd\" {{ value = data.hybridnet_ipsec_profile.p.jdcloud }}\n\
         output \"ali\" {{ value = data.hybridnet_ipsec_profile.p.alicloud }}\n\
         output \"sw\" {{ value = data.hybridnet_ipsec_profile.p.strongswan }}\n",
        provider_preamble()
    )
}

#[test]
fn the_profile_renders_each_clouds_arguments_and_strongswan_proposals() {
    let sb = Sandbox::start();
    for tf in terraform_bins() {
        let wd = TfWorkdir::new(
            &tf,
            &sb,
            &config("  esp_pfs_group = \"none\"\n  ike_lifetime = 86400"),
        );
        wd.apply();
        let out = wd.output_json();
        assert_eq!(
            out["jd"]["value"],
            json!({
                "ike_version": "v2", "ike_mode": "main", "ike_cipher": "aes256", "ike_auth": "sha256",
                "ike_key_exchange": "modp2048", "ike_sa_life_sec": 86400, "ike_dpd_sec": 10,
                "ipsec_cipher": "aes256", "ipsec_auth": "sha256", "ipsec_key_exchange": "null",
                "ipsec_sa_life_sec": 3600
            }),
            "{}",
            wd.terraform_version()
        );
        assert_eq!(out["ali"]["value"]["ike_dh_group"], "group14");
        assert_eq!(out["ali"]["value"]["ipsec_pfs"], "disabled");
        assert_eq!(out["ali"]["value"]["enable_nat_traversal"], true);
        assert_eq!(
            out["sw"]["value"],
            json!({"ike_proposal": "aes256-sha256-modp2048", "esp_proposal": "aes256-sha256"})
        );
        assert_eq!(wd.plan_detailed(), 0, "re-plan not empty");
        // A cloud left out has a null output and frees the settings only it lacks.
        wd.write_main(&config(
            "  clouds = [\"jdcloud\"]\n  ike_dh_group = \"ecp384\"",
        ));
        wd.apply();
        let out = wd.output_json();
        assert_eq!(out["jd"]["value"]["ike_key_exchange"], "ecp384");
        assert!(out.get("ali").is_none_or(|o| o["value"].is_null()), "{out}");
    }
}

#[test]
fn a_setting_a_requested_cloud_cannot_express_fails_validate_and_plan() {
    let sb = Sandbox::start();
    for tf in terraform_bins() {
        let wd = TfWorkdir::new(&tf, &sb, &config("  ike_dh_group = \"ecp256\""));
        for args in [&["validate"][..], &["plan", "-input=false"][..]] {
            let err = wd.run_err(args);
            let text = err.combined();
            assert!(
                text.contains("Setting not available on Alibaba Cloud"),
                "{args:?}:\n{text}"
            );
            assert!(text.contains("ike_dh_group"), "{text}");
            assert!(
                text.contains("(its `group14`)"),
                "what the cloud offers:\n{text}"
            );
        }
        // Nothing was created anywhere.
        assert!(sb.requests().as_array().is_none_or(|r| r.is_empty()));
    }
}
