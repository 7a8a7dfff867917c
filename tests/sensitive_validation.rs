//! Issue 12 case 4: a pre-shared key from a `sensitive` variable that breaks its rule is refused
//! at plan by rule and attribute path, and the key appears nowhere: not in Terraform's output,
//! not in its TRACE log (which carries the provider's own log lines). JD Cloud and Alibaba
//! Cloud tunnels, both Terraform versions.

mod common;

use common::{provider_preamble, terraform_bins, Sandbox, TfWorkdir};
use serde_json::json;

const JD_KEY: &str = "MyRealSecret 2024";
const ALI_KEY: &str = "Ali\"Secret\"2024";

fn main_tf() -> String {
    format!(
        r#"{}
variable "jd_psk" {{
  type      = string
  sensitive = true
  default   = "{}"
}}

variable "ali_psk" {{
  type      = string
  sensitive = true
  default   = "{}"
}}

resource "hybridnet_jdcloud_vpn_tunnel" "jd" {{
  vpn_connection_id = "vpnc-1"
  cloud_public_ip   = "198.51.100.10"
  customer_ip       = "203.0.113.10"
  psk               = var.jd_psk
}}

resource "hybridnet_alicloud_ipsec_connection_cen" "ali" {{
  cen_id = "cen-1"
  tunnel {{
    customer_gateway_id = "cgw-1"
    psk                 = var.ali_psk
  }}
  tunnel {{ customer_gateway_id = "cgw-2" }}
}}
"#,
        provider_preamble(),
        JD_KEY,
        ALI_KEY.replace('"', "\\\"")
    )
}

fn flat(text: &str) -> String {
    text.split_whitespace()
        .filter(|w| *w != "│")
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn a_sensitive_psk_that_breaks_its_rule_is_refused_without_being_shown() {
    for tf in terraform_bins() {
        let sb = Sandbox::start();
        let mut wd = TfWorkdir::new(&tf, &sb, &main_tf());
        wd.env("TF_LOG", "TRACE");
        let out = wd.run(&["plan", "-no-color", "-input=false", "-lock=false"]);
        let text = out.combined();
        assert_eq!(out.code, 1, "{out}");
        // The provider's own lines are in the trace, so the check below is not vacuous.
        assert!(
            text.contains("provider.terraform-provider-hybridnet"),
            "no provider log lines in the TRACE output"
        );
        for needle in [
            JD_KEY,
            ALI_KEY,
            "MyRealSecret",
            "Secret\"2024",
            "Secret\\\"2024",
        ] {
            assert!(!text.contains(needle), "{needle:?} shown:\n{out}");
        }
        let flat = flat(&text);
        for (resource, said) in [
            (
                "in resource \"hybridnet_jdcloud_vpn_tunnel\" \"jd\"",
                "psk must be 1 to 20 letters, digits, `_` or `-`. The value is sensitive, so it is not shown.",
            ),
            (
                "in resource \"hybridnet_alicloud_ipsec_connection_cen\" \"ali\"",
                "tunnel[0].psk must be 1 to 100 letters, digits or",
            ),
        ] {
            assert!(flat.contains(resource), "{resource} not named:\n{out}");
            assert!(flat.contains(said), "{said:?} not said:\n{out}");
        }
        assert_eq!(
            text.lines()
                .filter(|l| l.trim_start_matches(['│', ' ']).starts_with("Error: "))
                .count(),
            2,
            "{out}"
        );
        assert_eq!(sb.requests(), json!({}), "planning must not call the API");
    }
}
