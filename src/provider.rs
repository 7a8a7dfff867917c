//! The `hybridnet` provider: its configuration (one block per cloud, each
//! falling back to environment variables) and the clients it hands to
//! resources.

use crate::clients::ProviderData;
use crate::cloud::{alicloud, jdcloud, regions};
use crate::framework::validate::Validator;
use crate::framework::{
    self, AttrPath, Attribute, Block, Diagnostics, DynResource, NestedBlock, Nesting, Schema, Value,
};
use crate::resources;
use crate::signer::Credentials;

/// The provider's local name: every resource type starts with it.
pub const NAME: &str = "hybridnet";

pub const JDCLOUD_DEFAULT_REGION: &str = "cn-north-1";
pub const ALICLOUD_DEFAULT_REGION: &str = "cn-hangzhou";

/// One provider configuration attribute and the environment variable that
/// stands in for it.
struct Setting {
    attr: &'static str,
    env: &'static str,
    sensitive: bool,
    description: &'static str,
    /// What a value must be, checked at ValidateProviderConfig when it is in
    /// the block and at Configure wherever it came from.
    rule: Rule,
}

impl Setting {
    const fn new(
        attr: &'static str,
        env: &'static str,
        description: &'static str,
        rule: Rule,
    ) -> Setting {
        Setting {
            attr,
            env,
            sensitive: false,
            description,
            rule,
        }
    }
    /// The setting's value is a secret: sensitive in the schema.
    const fn sensitive(self) -> Setting {
        Setting {
            sensitive: true,
            ..self
        }
    }
}

/// The checks a setting's value gets (empty means unset, so it is never checked).
#[derive(Clone, Copy)]
enum Rule {
    Any,
    Region(&'static [&'static str], &'static str),
    Endpoint,
}

impl Rule {
    fn description(self) -> Option<String> {
        match self {
            Rule::Any => None,
            Rule::Region(ids, cloud) => Some(format!(
                "{cloud} region ID, one of {}",
                ids.iter().map(|r| format!("`{r}`")).collect::<Vec<_>>().join(", ")
            )),
            Rule::Endpoint => Some(
                "`http://` or `https://`, a host and an optional port, with no path, query or user \
                 information (such as `https://vpc.aliyuncs.com` or `http://127.0.0.1:8080`)"
                    .to_string(),
            ),
        }
    }

    /// Why `value` breaks the rule. Never quotes an endpoint: one with user
    /// information may carry a password.
    fn problem(self, value: &str) -> Option<String> {
        match self {
            Rule::Any => None,
            Rule::Region(ids, _) if ids.contains(&value) => None,
            Rule::Region(..) => Some(format!("got {value:?}")),
            Rule::Endpoint => endpoint_problem(value).map(str::to_string),
        }
    }
}

/// What is wrong with an endpoint, if anything: only `http(s)://host[:port]`
/// with an optional trailing `/` is accepted, so a typo cannot send signed
/// requests somewhere unexpected or sign a path the API never sees.
fn endpoint_problem(value: &str) -> Option<&'static str> {
    let lower = value.to_ascii_lowercase();
    let Some(rest) = ["http://", "https://"]
        .iter()
        .find_map(|scheme| lower.strip_prefix(scheme))
    else {
        return Some("it does not start with `http://` or `https://`");
    };
    if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Some("it contains spaces or control characters");
    }
    if rest.contains(['?', '#']) {
        return Some("it has a query or a fragment");
    }
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    if authority.contains('@') {
        return Some("it has user information");
    }
    if !path.is_empty() {
        return Some("it has a path");
    }
    let (host, port) = match authority.strip_prefix('[') {
        Some(v6) => match v6.split_once(']') {
            Some((ip, rest)) if ip.parse::<std::net::Ipv6Addr>().is_ok() => match rest {
                "" => (ip, None),
                _ => match rest.strip_prefix(':') {
                    Some(p) => (ip, Some(p)),
                    None => return Some("its host is not valid"),
                },
            },
            _ => return Some("its host is not valid"),
        },
        None => match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        },
    };
    if host.is_empty() {
        return Some("it has no host");
    }
    let host_chars = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_');
    if !authority.starts_with('[') && !host.chars().all(host_chars) {
        return Some("its host is not valid");
    }
    match port {
        None => None,
        Some("") => Some("its port is empty"),
        Some(p) if p.bytes().all(|b| b.is_ascii_digit()) && p.len() <= 5 => {
            match p.parse::<u16>() {
                Ok(n) if n >= 1 => None,
                _ => Some("its port is not from 1 to 65535"),
            }
        }
        Some(_) => Some("its port is not from 1 to 65535"),
    }
}

/// The schema side of a [`Rule`]: a validator on the block's attribute.
struct SettingRule(Rule);

impl Validator for SettingRule {
    fn description(&self) -> String {
        self.0.description().unwrap_or_default()
    }
    fn validate(&self, value: &Value, path: &AttrPath, diags: &mut Diagnostics) {
        let Some(v) = value.as_str().filter(|v| !v.is_empty()) else {
            return;
        };
        if let Some(problem) = self.0.problem(v) {
            diags.add_attr_error(
                path,
                "Invalid provider setting",
                format!("{path} must be {}: {problem}.", self.description()),
            );
        }
    }
}

#[rustfmt::skip]
const JDCLOUD_SETTINGS: &[Setting] = &[
    Setting::new("access_key", "JDCLOUD_ACCESS_KEY", "JD Cloud access key ID.", Rule::Any),
    Setting::new("secret_key", "JDCLOUD_SECRET_KEY", "JD Cloud secret access key.", Rule::Any).sensitive(),
    Setting::new("region", "JDCLOUD_REGION", "Default region for JD Cloud resources (default `cn-north-1`).", Rule::Region(regions::JDCLOUD, "a JD Cloud")),
    Setting::new("endpoint", "HYBRIDNET_JDCLOUD_ENDPOINT", "Base URL of the JD Cloud `bgw` API (default `https://bgw.jdcloud-api.com`); point it at `hybridnet-sandbox` to work offline.", Rule::Endpoint),
];

#[rustfmt::skip]
const ALICLOUD_SETTINGS: &[Setting] = &[
    Setting::new("access_key", "ALICLOUD_ACCESS_KEY", "Alibaba Cloud AccessKey ID.", Rule::Any),
    Setting::new("secret_key", "ALICLOUD_SECRET_KEY", "Alibaba Cloud AccessKey secret.", Rule::Any).sensitive(),
    Setting::new("security_token", "ALICLOUD_SECURITY_TOKEN", "STS security token, for temporary credentials.", Rule::Any).sensitive(),
    Setting::new("region", "ALICLOUD_REGION", "Default region for Alibaba Cloud resources (default `cn-hangzhou`).", Rule::Region(regions::ALICLOUD, "an Alibaba Cloud")),
    Setting::new("endpoint", "HYBRIDNET_ALICLOUD_ENDPOINT", "One base URL for the Alibaba Cloud VPC and CBN APIs (default: their public endpoints); point it at `hybridnet-sandbox` to work offline.", Rule::Endpoint),
];

fn cloud_block(name: &str, description: &str, settings: &[Setting]) -> NestedBlock {
    let mut b = Block::new(description);
    for s in settings {
        let desc = format!(
            "{} Falls back to the `{}` environment variable.",
            s.description, s.env
        );
        let mut a = Attribute::string(s.attr).optional().description(&desc);
        if s.sensitive {
            a = a.sensitive();
        }
        if s.rule.description().is_some() {
            a = a.validator(SettingRule(s.rule));
        }
        b = b.attribute(a);
    }
    NestedBlock::new(name, Nesting::Single, b).items(0, Some(1))
}

/// Settings of one cloud after merging the block with the environment.
struct Resolved<'a> {
    block: &'a Value,
    env: &'a dyn Fn(&str) -> Option<String>,
}

impl Resolved<'_> {
    fn get(&self, s: &Setting) -> Result<Option<String>, String> {
        match self.block.get(s.attr) {
            Value::Unknown => Err(format!(
                "`{}` depends on a value not known until apply",
                s.attr
            )),
            Value::String(v) if !v.is_empty() => Ok(Some(v.clone())),
            _ => Ok((self.env)(s.env).filter(|v| !v.is_empty())),
        }
    }
    fn required(&self, s: &Setting, cloud: &str) -> Result<String, String> {
        self.get(s)?.ok_or_else(|| {
            format!("No {cloud} {} configured: set `{}` in the provider's `{}` block or the {} environment variable.",
                s.attr.replace('_', " "), s.attr, cloud_block_name(cloud), s.env)
        })
    }
}

/// Checks the settings with a rule whose value comes from the environment,
/// which only Configure sees (values in the block are the schema's to check,
/// and Configure validates the block first). Errors name the setting and the
/// variable.
fn check_environment(config: &Value, env: &dyn Fn(&str) -> Option<String>) -> Diagnostics {
    let mut d = Diagnostics::new();
    for (block, settings) in [
        ("jdcloud", JDCLOUD_SETTINGS),
        ("alicloud", ALICLOUD_SETTINGS),
    ] {
        for s in settings {
            let Some(rule) = s.rule.description() else {
                continue;
            };
            if matches!(config.get(block).get(s.attr), Value::String(v) if !v.is_empty()) {
                continue;
            }
            let Some(v) = env(s.env).filter(|v| !v.is_empty()) else {
                continue;
            };
            if let Some(problem) = s.rule.problem(&v) {
                d.add_error(
                    "Invalid provider setting",
                    format!(
                        "{block}.{}, taken from the {} environment variable, must be {rule}: {problem}.",
                        s.attr, s.env
                    ),
                );
            }
        }
    }
    d
}

fn cloud_block_name(cloud: &str) -> &'static str {
    if cloud == "JD Cloud" {
        "jdcloud"
    } else {
        "alicloud"
    }
}

/// The clients resources get, from the provider block and an environment
/// lookup.
pub fn provider_data(config: &Value, env: &dyn Fn(&str) -> Option<String>) -> ProviderData {
    let jd = Resolved {
        block: config.get("jdcloud"),
        env,
    };
    let [ak, sk, region, endpoint] = [
        &JDCLOUD_SETTINGS[0],
        &JDCLOUD_SETTINGS[1],
        &JDCLOUD_SETTINGS[2],
        &JDCLOUD_SETTINGS[3],
    ];
    let jdcloud = (|| {
        let creds = Credentials::new(jd.required(ak, "JD Cloud")?, jd.required(sk, "JD Cloud")?);
        let region = jd
            .get(region)?
            .unwrap_or_else(|| JDCLOUD_DEFAULT_REGION.to_string());
        let endpoint = jd
            .get(endpoint)?
            .unwrap_or_else(|| jdcloud::ops::DEFAULT_ENDPOINT.to_string());
        jdcloud::Client::new(&endpoint, &region, creds).map_err(|e| e.to_string())
    })();
    let ali = Resolved {
        block: config.get("alicloud"),
        env,
    };
    let [ak, sk, token, region, endpoint] = [
        &ALICLOUD_SETTINGS[0],
        &ALICLOUD_SETTINGS[1],
        &ALICLOUD_SETTINGS[2],
        &ALICLOUD_SETTINGS[3],
        &ALICLOUD_SETTINGS[4],
    ];
    let alicloud = (|| {
        let mut creds = Credentials::new(
            ali.required(ak, "Alibaba Cloud")?,
            ali.required(sk, "Alibaba Cloud")?,
        );
        if let Some(t) = ali.get(token)? {
            creds = creds.with_security_token(t);
        }
        let region = ali
            .get(region)?
            .unwrap_or_else(|| ALICLOUD_DEFAULT_REGION.to_string());
        // Unset: each product's public endpoint (VPC regional, CBN central).
        let endpoint = ali.get(endpoint)?;
        alicloud::Client::new(endpoint.as_deref(), &region, creds).map_err(|e| e.to_string())
    })();
    ProviderData::new(jdcloud, alicloud)
}

pub struct HybridnetProvider;

/// The provider served by the `terraform-provider-hybridnet` binary.
pub fn provider() -> HybridnetProvider {
    HybridnetProvider
}

impl framework::Provider for HybridnetProvider {
    type Data = ProviderData;

    fn schema(&self) -> Schema {
        Schema::new(
            "Hybrid-cloud IPsec VPN on JD Cloud and Alibaba Cloud. Each cloud is configured in its own block; \
             every setting falls back to an environment variable, and a cloud's credentials are only required \
             once a resource of that cloud is used.",
        )
        .block(cloud_block("jdcloud", "JD Cloud credentials, region and endpoint.", JDCLOUD_SETTINGS))
        .block(cloud_block("alicloud", "Alibaba Cloud credentials, region and endpoint.", ALICLOUD_SETTINGS))
    }

    fn configure(
        &self,
        config: &Value,
        _terraform_version: &str,
    ) -> Result<ProviderData, Diagnostics> {
        let env = |k: &str| std::env::var(k).ok();
        let problems = check_environment(config, &env);
        if problems.has_errors() {
            return Err(problems);
        }
        Ok(provider_data(config, &env))
    }

    fn resources(&self) -> Vec<Box<dyn DynResource<ProviderData>>> {
        resources::registry()
    }
    fn data_sources(&self) -> Vec<Box<dyn framework::DynDataSource<ProviderData>>> {
        resources::data_sources()
    }
    fn ephemeral_resources(&self) -> Vec<Box<dyn framework::DynEphemeralResource<ProviderData>>> {
        resources::ephemeral_resources()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn config(jd: Option<&[(&str, &str)]>) -> Value {
        let block = |pairs: &[(&str, &str)], settings: &[Setting]| {
            let mut m = BTreeMap::new();
            for s in settings {
                m.insert(s.attr.to_string(), Value::Null);
            }
            for (k, v) in pairs {
                m.insert(k.to_string(), Value::string(*v));
            }
            Value::Object(m)
        };
        let mut m = BTreeMap::new();
        m.insert(
            "jdcloud".to_string(),
            jd.map_or(Value::Null, |p| block(p, JDCLOUD_SETTINGS)),
        );
        m.insert("alicloud".to_string(), Value::Null);
        Value::Object(m)
    }

    #[test]
    fn missing_credentials_name_the_variable_and_only_fail_on_use() {
        let d = provider_data(&config(None), &|_| None);
        let err = d.jdcloud().unwrap_err().to_string();
        assert!(err.contains("JDCLOUD_ACCESS_KEY"), "{err}");
        let err = d.alicloud().unwrap_err().to_string();
        assert!(err.contains("ALICLOUD_ACCESS_KEY"), "{err}");
    }

    #[test]
    fn endpoints_are_scheme_host_and_port_only() {
        for ok in [
            "https://bgw.jdcloud-api.com",
            "http://127.0.0.1:8080",
            "http://127.0.0.1:8080/",
            "HTTPS://VPC.ALIYUNCS.COM",
            "http://[::1]:65535",
            "http://localhost",
        ] {
            assert_eq!(endpoint_problem(ok), None, "{ok}");
        }
        for (bad, why) in [
            ("", "does not start"),
            ("bgw.jdcloud-api.com", "does not start"),
            ("ftp://host", "does not start"),
            ("https://", "no host"),
            ("https://:80", "no host"),
            ("https://host/v1", "path"),
            ("https://host//", "path"),
            ("https://host/?a=1", "query"),
            ("https://host#x", "fragment"),
            ("https://user:pass@host", "user information"),
            ("https://ho st", "spaces"),
            ("https://host\n", "control"),
            ("https://host:99999", "port"),
            ("https://host:0", "port"),
            ("https://host:", "port is empty"),
            ("https://host:8a", "port"),
            ("https://a:b:c", "host"),
            ("https://[::1", "host"),
            ("https://[nope]:80", "host"),
            ("https://ho%st", "host"),
        ] {
            let p = endpoint_problem(bad).unwrap_or_else(|| panic!("{bad:?} accepted"));
            assert!(p.contains(why), "{bad:?}: {p}");
        }
    }

    fn schema_errors(config: &Value) -> Vec<(String, String)> {
        use crate::framework::Provider;
        let mut d = Diagnostics::new();
        provider()
            .schema()
            .block
            .validate(config, &AttrPath::root(), &mut d);
        d.iter()
            .map(|d| {
                (
                    d.path.as_ref().map(ToString::to_string).unwrap_or_default(),
                    d.detail.clone(),
                )
            })
            .collect()
    }

    /// Issue 12 case 8 and the endpoint rule, in the provider block.
    #[test]
    fn bad_regions_and_endpoints_in_the_block_are_refused_by_name() {
        let e = schema_errors(&config(Some(&[("region", "mars-1")])));
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!(e[0].0, "jdcloud.region");
        assert!(e[0].1.contains("got \"mars-1\""), "{e:?}");
        let e = schema_errors(&config(Some(&[("endpoint", "https://user:secret@host/x")])));
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!(e[0].0, "jdcloud.endpoint");
        assert!(!e[0].1.contains("secret"), "{e:?}");
        // Empty means unset: the environment or the default applies.
        assert!(schema_errors(&config(Some(&[("region", ""), ("endpoint", "")]))).is_empty());
        assert!(schema_errors(&config(Some(&[("region", "cn-east-2")]))).is_empty());
    }

    #[test]
    fn bad_settings_from_the_environment_fail_configure_naming_the_variable() {
        let env = |k: &str| match k {
            "HYBRIDNET_ALICLOUD_ENDPOINT" => Some("http://127.0.0.1:1/path".to_string()),
            "JDCLOUD_REGION" => Some("a/../b".to_string()),
            _ => None,
        };
        let d = check_environment(&config(None), &env);
        let text = d.to_string();
        assert_eq!(d.0.len(), 2, "{text}");
        assert!(text.contains("alicloud.endpoint, taken from the HYBRIDNET_ALICLOUD_ENDPOINT environment variable"), "{text}");
        assert!(
            text.contains("jdcloud.region, taken from the JDCLOUD_REGION environment variable"),
            "{text}"
        );
        // A value in the block wins, so the variable is not looked at.
        assert!(
            check_environment(&config(Some(&[("region", "cn-south-1")])), &|k| {
                (k == "JDCLOUD_REGION").then(|| "mars-1".to_string())
            })
            .is_empty()
        );
    }

    #[test]
    fn block_wins_over_environment() {
        let env = |k: &str| match k {
            "JDCLOUD_ACCESS_KEY" => Some("env-ak".to_string()),
            "JDCLOUD_SECRET_KEY" => Some("env-sk".to_string()),
            "JDCLOUD_REGION" => Some("cn-east-2".to_string()),
            _ => None,
        };
        let d = provider_data(&config(Some(&[("region", "cn-south-1")])), &env);
        let c = d.jdcloud().unwrap();
        assert_eq!(c.region(), "cn-south-1");
        let dbg = format!("{c:?}");
        assert!(dbg.contains("env-ak") && !dbg.contains("env-sk"), "{dbg}");
    }
}
