//! `hybridnet_peer_config` through the real Terraform CLI, on every binary of
//! `terraform_bins()`: a JD Cloud connection with two BGP tunnels and an
//! Alibaba Cloud dual-tunnel connection are applied, then rendered for every
//! platform from what the sandbox answers. The rendered text has the
//! device's addresses and each platform's words for the proposals; it is
//! `(sensitive value)` in plans and no pre-shared key is ever printed; a
//! connection that does not exist is an error naming it.

mod common;

use common::{provider_preamble, terraform_bins, Sandbox, TfOutput, TfWorkdir};
use serde_json::Value;

const JD_PSKS: [&str; 2] = ["PeerCfgTunnel1_Key", "PeerCfgTunnel2_Key"];
/// Alibaba Cloud takes punctuation: a key with a quote and a backtick.
const ALI_PSKS: [&str; 2] = ["it's`Ali!Key-1", "it's`Ali!Key-2"];
const PLATFORMS: [&str; 4] = ["strongswan", "frr", "cisco_ios_xe", "huawei_vrp"];

/// The clouds' objects: JD (BGP, two tunnels, AES-256/SHA-256/modp2048 with
/// PFS) and Alibaba (BGP, two tunnels, the same proposal in its own words).
fn resources() -> String {
    format!(
        r#"{preamble}
resource "hybridnet_jdcloud_border_gateway" "main" {{
  name = "peer-bgw"
}}

resource "hybridnet_jdcloud_customer_gateway" "idc" {{
  name         = "peer-idc"
  customer_ips = ["203.0.113.10", "203.0.113.11"]
  bgp_asn      = 65010
}}

resource "hybridnet_jdcloud_vpn_connection" "idc" {{
  name                = "peer-bgp"
  border_gateway_id   = hybridnet_jdcloud_border_gateway.main.id
  customer_gateway_id = hybridnet_jdcloud_customer_gateway.idc.id
  bgp_enabled         = true
}}

resource "hybridnet_jdcloud_vpn_tunnel" "idc" {{
  count              = 2
  vpn_connection_id  = hybridnet_jdcloud_vpn_connection.idc.id
  cloud_public_ip    = hybridnet_jdcloud_vpn_connection.idc.cloud_public_ips[count.index]
  customer_ip        = hybridnet_jdcloud_customer_gateway.idc.customer_ips[count.index]
  psk                = ["{jd0}", "{jd1}"][count.index]
  tunnel_ip          = cidrsubnet("169.254.1.0/24", 6, count.index)
  local_tunnel_ip    = cidrhost(cidrsubnet("169.254.1.0/24", 6, count.index), 2)
  ike_cipher         = "aes256"
  ike_key_exchange   = "modp2048"
  ipsec_cipher       = "aes256"
  ipsec_key_exchange = "modp2048"
}}

resource "hybridnet_alicloud_customer_gateway" "router" {{
  count      = 2
  ip_address = ["203.0.113.20", "203.0.113.21"][count.index]
  asn        = 65020
}}

resource "hybridnet_alicloud_ipsec_connection_cen" "idc" {{
  name               = "peer-dual"
  cen_id             = "cen-sandbox0000000001"
  bgp_enabled        = true
  effect_immediately = true

  dynamic "tunnel" {{
    for_each = [0, 1]
    content {{
      customer_gateway_id            = hybridnet_alicloud_customer_gateway.router[tunnel.value].id
      psk                            = ["{ali0}", "{ali1}"][tunnel.value]
      ike_version                    = "ikev2"
      ike_encryption_algorithm       = "aes256"
      ike_authentication_algorithm   = "sha256"
      ike_dh_group                   = "group14"
      ipsec_encryption_algorithm     = "aes256"
      ipsec_authentication_algorithm = "sha256"
      ipsec_pfs                      = "group14"
      bgp_tunnel_cidr                = "169.254.${{10 + tunnel.value}}.0/30"
      bgp_local_ip                   = "169.254.${{10 + tunnel.value}}.1"
    }}
  }}
}}
"#,
        preamble = provider_preamble(),
        jd0 = JD_PSKS[0],
        jd1 = JD_PSKS[1],
        ali0 = ALI_PSKS[0],
        ali1 = ALI_PSKS[1],
    )
}

/// The resources plus one data source per cloud and platform.
fn with_configs() -> String {
    let mut s = resources();
    s.push_str(&format!(
        r#"
locals {{
  platforms = {platforms:?}
}}

data "hybridnet_peer_config" "jd" {{
  for_each                  = toset(local.platforms)
  jdcloud_vpn_connection_id = hybridnet_jdcloud_vpn_connection.idc.id
  platform                  = each.key
}}

data "hybridnet_peer_config" "ali" {{
  for_each                   = toset(local.platforms)
  alicloud_vpn_connection_id = hybridnet_alicloud_ipsec_connection_cen.idc.id
  platform                   = each.key
  timeouts {{
    read = "2m"
  }}
}}

output "jd" {{
  value     = {{ for k, d in data.hybridnet_peer_config.jd : k => d.config }}
  sensitive = true
}}

output "ali" {{
  value     = {{ for k, d in data.hybridnet_peer_config.ali : k => d.config }}
  sensitive = true
}}

output "jd_tunnels" {{
  value = data.hybridnet_peer_config.jd["strongswan"].tunnels
}}

output "ali_tunnels" {{
  value = data.hybridnet_peer_config.ali["frr"].tunnels
}}
"#,
        platforms = PLATFORMS
    ));
    s
}

fn assert_no_psk(what: &str, out: &TfOutput) {
    let text = out.combined();
    for psk in JD_PSKS.iter().chain(&ALI_PSKS) {
        assert!(
            !text.contains(psk),
            "{what} printed a pre-shared key:\n{out}"
        );
    }
}

fn contains_all(what: &str, text: &str, words: &[String]) {
    for w in words {
        assert!(text.contains(w.as_str()), "{what} lacks {w:?}:\n{text}");
    }
}

#[test]
fn peer_configs_render_both_clouds_for_every_platform_and_never_print_a_key() {
    let sb = Sandbox::start();
    for tf in terraform_bins() {
        let wd = TfWorkdir::new(&tf, &sb, &resources());
        let v = wd.terraform_version().to_string();
        assert_no_psk("apply", &wd.apply());
        // Added once the connections exist: read during plan, shown masked.
        wd.write_main(&with_configs());
        let plan = wd.run_ok(&["plan", "-input=false", "-no-color"]);
        assert_no_psk("plan", &plan);
        assert!(
            plan.stdout.contains("(sensitive value)"),
            "{v}: plan does not mask the config:\n{plan}"
        );
        assert_no_psk("apply", &wd.apply());
        let show = wd.run_ok(&["show", "-no-color"]);
        assert_no_psk("show", &show);
        assert!(
            show.stdout.contains("config")
                && show.stdout.contains("(sensitive value)")
                && show.stdout.contains("data.hybridnet_peer_config.jd"),
            "{v}: show:\n{show}"
        );
        assert_no_psk("output", &wd.run_ok(&["output", "-no-color"]));
        assert_eq!(wd.plan_detailed(), 0, "{v}: second plan not empty");

        let out = wd.output_json();
        let jd_conn = wd.resource_values("hybridnet_jdcloud_vpn_connection.idc");
        let cloud_ips: Vec<String> = jd_conn["cloud_public_ips"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i.as_str().unwrap().to_string())
            .collect();
        let jd = |p: &str| out["jd"]["value"][p].as_str().unwrap().to_string();
        let ali = |p: &str| out["ali"]["value"][p].as_str().unwrap().to_string();

        // The JD tunnels as the device sees them.
        let sw = jd("strongswan");
        let mut words = vec![
            "local_addrs = 203.0.113.10".to_string(),
            "local_addrs = 203.0.113.11".into(),
            "proposals = aes256-sha256-modp2048".into(),
            "esp_proposals = aes256-sha256-modp2048".into(),
            format!("secret = \"{}\"", JD_PSKS[0]),
            format!("secret = \"{}\"", JD_PSKS[1]),
        ];
        words.extend(cloud_ips.iter().map(|ip| format!("remote_addrs = {ip}")));
        contains_all(&format!("{v} jd strongswan"), &sw, &words);
        contains_all(
            &format!("{v} jd frr"),
            &jd("frr"),
            &[
                "router bgp 65010".into(),
                "neighbor 169.254.1.2 remote-as 65000".into(),
                "neighbor 169.254.1.6 remote-as 65000".into(),
            ],
        );
        contains_all(
            &format!("{v} jd cisco"),
            &jd("cisco_ios_xe"),
            &[
                "encryption aes-cbc-256".into(),
                "group 14".into(),
                "set pfs group14".into(),
                "ip address 169.254.1.1 255.255.255.252".into(),
                format!("tunnel destination {}", cloud_ips[0]),
                format!("pre-shared-key {}", JD_PSKS[0]),
            ],
        );
        contains_all(
            &format!("{v} jd huawei"),
            &jd("huawei_vrp"),
            &[
                "dh group14".into(),
                "pfs dh-group14".into(),
                "interface Tunnel0/0/2".into(),
                "peer 169.254.1.6 as-number 65000".into(),
            ],
        );
        let jt = out["jd_tunnels"]["value"].as_array().unwrap();
        assert_eq!(jt.len(), 2, "{v}: {jt:?}");
        assert_eq!(jt[0]["cloud_public_ip"], Value::from(cloud_ips[0].as_str()));
        assert_eq!(jt[0]["device_ip"], "203.0.113.10");
        assert_eq!(jt[0]["device_inside_ip"], "169.254.1.1");
        assert_eq!(jt[0]["bgp_peer_ip"], "169.254.1.2");
        assert_eq!(jt[0]["device_asn"], 65010);

        // The Alibaba tunnels: group14 is modp2048 for strongSwan, the
        // identities and addresses swapped, the awkward key kept.
        let ali_conn = wd.resource_values("hybridnet_alicloud_ipsec_connection_cen.idc");
        let gateway_ips: Vec<String> = ali_conn["tunnel"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["gateway_ip"].as_str().unwrap().to_string())
            .collect();
        let mut words = vec![
            "local_addrs = 203.0.113.20".to_string(),
            "id = 203.0.113.21".into(),
            "proposals = aes256-sha256-modp2048".into(),
            format!("secret = \"{}\"", ALI_PSKS[0]),
        ];
        words.extend(gateway_ips.iter().map(|ip| format!("remote_addrs = {ip}")));
        contains_all(&format!("{v} ali strongswan"), &ali("strongswan"), &words);
        contains_all(
            &format!("{v} ali frr"),
            &ali("frr"),
            &[
                "router bgp 65020".into(),
                "neighbor 169.254.10.1 remote-as 45104".into(),
                "neighbor 169.254.11.1 remote-as 45104".into(),
            ],
        );
        contains_all(
            &format!("{v} ali huawei"),
            &ali("huawei_vrp"),
            &[format!("pre-shared-key cipher {}", ALI_PSKS[1])],
        );
        let at = out["ali_tunnels"]["value"].as_array().unwrap();
        assert_eq!(at[1]["device_inside_ip"], "169.254.11.2", "{v}: {at:?}");
        assert_eq!(at[1]["cloud_asn"], 45104);

        wd.destroy();
    }
}

#[test]
fn a_connection_that_does_not_exist_is_an_error_naming_it() {
    let sb = Sandbox::start();
    for tf in terraform_bins() {
        for (attr, id, what) in [
            (
                "jdcloud_vpn_connection_id",
                "vpnc-doesnotexist",
                "JD Cloud VPN connection",
            ),
            (
                "alicloud_vpn_connection_id",
                "vco-doesnotexist",
                "Alibaba Cloud IPsec connection",
            ),
        ] {
            let main = format!(
                "{}\ndata \"hybridnet_peer_config\" \"x\" {{\n  {attr} = \"{id}\"\n  platform = \"strongswan\"\n}}\n",
                provider_preamble()
            );
            let wd = TfWorkdir::new(&tf, &sb, &main);
            let err = wd.run_err(&["plan", "-input=false", "-no-color"]);
            let text = err.combined();
            assert!(
                text.contains(&format!("{what} not found"))
                    && text.contains(&format!("{what} {id} does not exist")),
                "{}: {text}",
                wd.terraform_version()
            );
        }
    }
}
