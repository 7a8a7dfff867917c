//! The `hybridnet` provider: its configuration (one block per cloud, each
//! falling back to environment variables) and the clients it hands to
//! resources.

use crate::cloud::{alicloud, jdcloud};
use crate::framework::{
    self, Attribute, Block, Diagnostics, DynResource, NestedBlock, Nesting, Schema, Value,
};
use crate::resources;
use crate::resources::ownership::Claims;
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
}

const JDCLOUD_SETTINGS: &[Setting] = &[
    Setting { attr: "access_key", env: "JDCLOUD_ACCESS_KEY", sensitive: false, description: "JD Cloud access key ID." },
    Setting { attr: "secret_key", env: "JDCLOUD_SECRET_KEY", sensitive: true, description: "JD Cloud secret access key." },
    Setting { attr: "region", env: "JDCLOUD_REGION", sensitive: false, description: "Default region for JD Cloud resources (default `cn-north-1`)." },
    Setting {
        attr: "endpoint",
        env: "HYBRIDNET_JDCLOUD_ENDPOINT",
        sensitive: false,
        description: "Base URL of the JD Cloud `bgw` API (default `https://bgw.jdcloud-api.com`); point it at `hybridnet-sandbox` to work offline.",
    },
];

const ALICLOUD_SETTINGS: &[Setting] = &[
    Setting { attr: "access_key", env: "ALICLOUD_ACCESS_KEY", sensitive: false, description: "Alibaba Cloud AccessKey ID." },
    Setting { attr: "secret_key", env: "ALICLOUD_SECRET_KEY", sensitive: true, description: "Alibaba Cloud AccessKey secret." },
    Setting { attr: "security_token", env: "ALICLOUD_SECURITY_TOKEN", sensitive: true, description: "STS security token, for temporary credentials." },
    Setting { attr: "region", env: "ALICLOUD_REGION", sensitive: false, description: "Default region for Alibaba Cloud resources (default `cn-hangzhou`)." },
    Setting {
        attr: "endpoint",
        env: "HYBRIDNET_ALICLOUD_ENDPOINT",
        sensitive: false,
        description: "One base URL for the Alibaba Cloud VPC and CBN APIs (default: their public endpoints); point it at `hybridnet-sandbox` to work offline.",
    },
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

fn cloud_block_name(cloud: &str) -> &'static str {
    if cloud == "JD Cloud" {
        "jdcloud"
    } else {
        "alicloud"
    }
}

/// What resources receive. A cloud whose credentials are missing only
/// fails when a resource of that cloud is used.
#[derive(Debug)]
pub struct ProviderData {
    jdcloud: Result<jdcloud::Client, String>,
    alicloud: Result<alicloud::Client, String>,
    /// What this provider process created, adopted or reported, so that
    /// resources never take each other's objects.
    pub claims: Claims,
}

impl ProviderData {
    /// The JD Cloud client, its retries bounded by `deadline`.
    pub fn jdcloud_until(
        &self,
        deadline: std::time::Instant,
    ) -> Result<jdcloud::Client, Diagnostics> {
        self.jdcloud().map(|c| c.until(deadline))
    }
    /// The Alibaba Cloud client, its retries bounded by `deadline`.
    pub fn alicloud_until(
        &self,
        deadline: std::time::Instant,
    ) -> Result<alicloud::Client, Diagnostics> {
        self.alicloud().map(|c| c.until(deadline))
    }
    pub fn jdcloud(&self) -> Result<&jdcloud::Client, Diagnostics> {
        self.jdcloud
            .as_ref()
            .map_err(|e| Diagnostics::error("JD Cloud provider configuration", e.clone()))
    }
    pub fn alicloud(&self) -> Result<&alicloud::Client, Diagnostics> {
        self.alicloud
            .as_ref()
            .map_err(|e| Diagnostics::error("Alibaba Cloud provider configuration", e.clone()))
    }

    /// Builds the data from the provider block and an environment lookup.
    pub fn from_config(config: &Value, env: &dyn Fn(&str) -> Option<String>) -> ProviderData {
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
            let creds =
                Credentials::new(jd.required(ak, "JD Cloud")?, jd.required(sk, "JD Cloud")?);
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
        ProviderData {
            jdcloud,
            alicloud,
            claims: Claims::default(),
        }
    }
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
        Ok(ProviderData::from_config(config, &|k| {
            std::env::var(k).ok()
        }))
    }

    fn resources(&self) -> Vec<Box<dyn DynResource<ProviderData>>> {
        resources::registry()
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
        let d = ProviderData::from_config(&config(None), &|_| None);
        let err = d.jdcloud().unwrap_err().to_string();
        assert!(err.contains("JDCLOUD_ACCESS_KEY"), "{err}");
        let err = d.alicloud().unwrap_err().to_string();
        assert!(err.contains("ALICLOUD_ACCESS_KEY"), "{err}");
    }

    #[test]
    fn block_wins_over_environment() {
        let env = |k: &str| match k {
            "JDCLOUD_ACCESS_KEY" => Some("env-ak".to_string()),
            "JDCLOUD_SECRET_KEY" => Some("env-sk".to_string()),
            "JDCLOUD_REGION" => Some("cn-east-2".to_string()),
            _ => None,
        };
        let d = ProviderData::from_config(&config(Some(&[("region", "cn-south-1")])), &env);
        let c = d.jdcloud().unwrap();
        assert_eq!(c.region(), "cn-south-1");
        let dbg = format!("{c:?}");
        assert!(dbg.contains("env-ak") && !dbg.contains("env-sk"), "{dbg}");
    }
}
