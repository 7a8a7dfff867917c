//! `hybridnet_psk`: an ephemeral resource (Terraform 1.10 and later) that
//! makes a random pre-shared key both ends of a tunnel accept. Terraform keeps
//! it in memory for one run and never writes it to plan or state; it is meant
//! for write-only arguments. The key comes from the operating system's CSPRNG
//! and is drawn uniformly from the characters every listed cloud accepts
//! (docs/design/ipsec.md, "Pre-shared keys").

use serde::{Deserialize, Serialize};

use crate::clients::ProviderData;
use crate::framework::validate::{distinct, each, int_between, list_length_in, one_of, ObjectRule};
use crate::framework::{AttrPath, Attribute, Ctx, Diagnostics, Opened, Schema, Value};
use crate::resources::alicloud::ipsec_connection_cen::schema::PSK_SPECIALS;
use crate::signer::Sensitive;

use super::algorithms::Cloud;
use super::clouds_of;

pub const TYPE_NAME: &str = "hybridnet_psk";

/// The longest key both clouds accept: JD Cloud's limit.
pub const DEFAULT_LENGTH: i64 = 20;

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct State {
    pub length: Option<i64>,
    pub clouds: Option<Vec<String>>,
    pub value: Option<Sensitive<String>>,
}

/// What one cloud accepts as a pre-shared key.
struct CloudRule {
    max_len: usize,
    allowed: fn(u8) -> bool,
    /// JD Cloud refuses keys starting with `0x` or `0s` (any case): they
    /// would read as hex or base64 notation.
    forbidden_prefixes: &'static [&'static str],
}

fn cloud_rule(cloud: Cloud) -> CloudRule {
    match cloud {
        // docs/design/jdcloud.md: 1–20 letters, digits, `_`, `-`, not `0x…`/`0s…`.
        Cloud::JdCloud => CloudRule {
            max_len: 20,
            allowed: |b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-',
            forbidden_prefixes: &["0x", "0s"],
        },
        // docs/design/validation.md, "Alibaba pre-shared keys".
        Cloud::AliCloud => CloudRule {
            max_len: 100,
            allowed: |b| b.is_ascii_alphanumeric() || PSK_SPECIALS.as_bytes().contains(&b),
            forbidden_prefixes: &[],
        },
    }
}

/// The rule a key must meet on every cloud in `clouds`: the intersection.
struct KeyRule {
    max_len: usize,
    charset: Vec<u8>,
    forbidden_prefixes: Vec<&'static str>,
}

fn key_rule(clouds: &[Cloud]) -> KeyRule {
    let rules: Vec<CloudRule> = clouds.iter().map(|c| cloud_rule(*c)).collect();
    KeyRule {
        max_len: rules.iter().map(|r| r.max_len).min().unwrap_or(0),
        charset: (0x21u8..0x7f)
            .filter(|b| rules.iter().all(|r| (r.allowed)(*b)))
            .collect(),
        forbidden_prefixes: rules
            .iter()
            .flat_map(|r| r.forbidden_prefixes.iter().copied())
            .collect(),
    }
}

/// Why a key cannot be made, as a user-facing sentence.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("length must be from 1 to {max} for {clouds}, got {got}")]
    Length {
        got: usize,
        max: usize,
        clouds: String,
    },
    #[error("the operating system's random number generator failed: {0}")]
    Random(String),
}

/// A uniformly random key of `length` characters that every cloud in `clouds` accepts.
pub fn generate(length: usize, clouds: &[Cloud]) -> Result<Sensitive<String>, KeyError> {
    let rule = key_rule(clouds);
    if length == 0 || length > rule.max_len || rule.charset.is_empty() {
        return Err(KeyError::Length {
            got: length,
            max: rule.max_len,
            clouds: titles(clouds),
        });
    }
    loop {
        let key = random_string(length, &rule.charset)?;
        let lower = key.to_ascii_lowercase();
        // Rejecting whole keys keeps every allowed key equally likely.
        if !rule.forbidden_prefixes.iter().any(|p| lower.starts_with(p)) {
            return Ok(Sensitive::from(key));
        }
    }
}

/// `length` characters drawn uniformly from `charset` (rejection sampling, so
/// no character is favoured by a modulo).
fn random_string(length: usize, charset: &[u8]) -> Result<String, KeyError> {
    let n = charset.len();
    // The largest multiple of n that fits in a byte: bytes at or above it are dropped.
    let limit = 256 - 256 % n;
    let mut out = String::with_capacity(length);
    let mut buf = [0u8; 64];
    while out.len() < length {
        getrandom::fill(&mut buf).map_err(|e| KeyError::Random(e.to_string()))?;
        for b in buf {
            if usize::from(b) < limit && out.len() < length {
                out.push(char::from(charset[usize::from(b) % n]));
            }
        }
    }
    Ok(out)
}

fn titles(clouds: &[Cloud]) -> String {
    clouds
        .iter()
        .map(|c| c.title())
        .collect::<Vec<_>>()
        .join(" and ")
}

fn check_length(config: &Value, path: &AttrPath, diags: &mut Diagnostics) {
    let Some(clouds) = clouds_of(config.get("clouds")) else {
        return;
    };
    let length = match config.get("length") {
        Value::Null => DEFAULT_LENGTH,
        v => match v.as_i64() {
            Some(n) => n,
            None => return,
        },
    };
    let max = key_rule(&clouds).max_len;
    if usize::try_from(length).map_or(true, |n| n > max) && !clouds.is_empty() {
        diags.add_attr_error(
            &path.child("length"),
            "Invalid attribute value",
            format!(
                "length must be at most {max} for a key {} accepts, got {length}.",
                titles(&clouds)
            ),
        );
    }
}

pub fn schema() -> Schema {
    Schema::new(
        "A random pre-shared key that both ends of a tunnel accept. Terraform keeps it in memory for one run \
         and never writes it to the plan or the state; it is new on every run, and Terraform accepts it only \
         where nothing is stored, such as write-only arguments. The key comes from the operating system's random number generator; with both clouds its characters \
         are letters, digits, `_` and `-` (64 symbols, 6 bits each: the default 20 characters carry 120 bits), \
         and it never starts with `0x` or `0s`, which JD Cloud refuses. The managed resource of the same name \
         makes a key once and keeps it in the state instead, on every Terraform version, for `psk` arguments.",
    )
    .attribute(length_attribute())
    .attribute(clouds_attribute())
    .attribute(
        Attribute::string("value")
            .computed()
            .sensitive()
            .description("The key, for write-only arguments."),
    )
    .validator(length_rule())
}

/// `length`, shared with the managed resource `hybridnet_psk` (`psk_managed`).
pub(super) fn length_attribute() -> Attribute {
    Attribute::int("length")
        .default(Value::int(DEFAULT_LENGTH))
        .description(
            "Number of characters. At most 20 when JD Cloud is in `clouds` (its limit), at most 100 for \
             Alibaba Cloud alone.",
        )
        .validator(int_between(1, 100))
}

/// `clouds`, shared with the managed resource `hybridnet_psk`.
pub(super) fn clouds_attribute() -> Attribute {
    Attribute::string_list("clouds")
        .default(Value::List(
            Cloud::ALL.iter().map(|c| Value::string(c.key())).collect(),
        ))
        .description(
            "The clouds that must accept the key. With `alicloud` alone the key may also hold \
             Alibaba Cloud's punctuation (``~`!@#$%^&*()_-+={}[]\\|;:',.<>/?``).",
        )
        .validator(list_length_in(&[1, 2]))
        .validator(distinct())
        .validator(each(one_of(&["jdcloud", "alicloud"])))
}

/// `length` against `clouds`, shared with the managed resource `hybridnet_psk`.
pub(super) fn length_rule() -> ObjectRule<fn(&Value, &AttrPath, &mut Diagnostics)> {
    ObjectRule {
        description: "`length` is at most what every cloud in `clouds` accepts",
        check: check_length,
    }
}

/// The clouds a typed `clouds` names (both when null).
pub(super) fn clouds_from(keys: Option<&[String]>) -> Vec<Cloud> {
    keys.map(|keys| keys.iter().filter_map(|k| Cloud::from_key(k)).collect())
        .unwrap_or_else(|| Cloud::ALL.to_vec())
}

/// A new key of `length` for `clouds`, or the error at `length`.
pub(super) fn make_key(length: i64, clouds: &[Cloud]) -> Result<Sensitive<String>, Diagnostics> {
    usize::try_from(length)
        .map_err(|_| KeyError::Length {
            got: 0,
            max: key_rule(clouds).max_len,
            clouds: titles(clouds),
        })
        .and_then(|n| generate(n, clouds))
        .map_err(|e| {
            let mut d = Diagnostics::new();
            d.add_attr_error(
                &AttrPath::attr("length"),
                "Cannot make a pre-shared key",
                format!("{e}."),
            );
            d
        })
}

/// Whether every cloud in `clouds` accepts `key`: the generator's own rule,
/// for keys that come from elsewhere (an import).
pub fn accepts(key: &str, clouds: &[Cloud]) -> bool {
    let rule = key_rule(clouds);
    let lower = key.to_ascii_lowercase();
    !key.is_empty()
        && key.len() <= rule.max_len
        && key.bytes().all(|b| rule.charset.contains(&b))
        && !rule.forbidden_prefixes.iter().any(|p| lower.starts_with(p))
}

declare!(Psk: EphemeralResource {
    async fn open(
        &self,
        _ctx: &Ctx<ProviderData>,
        config: State,
    ) -> Result<Opened<State>, Diagnostics> {
        let clouds = clouds_from(config.clouds.as_deref());
        let length = config.length.unwrap_or(DEFAULT_LENGTH);
        let value = make_key(length, &clouds)?;
        Ok(Opened::new(State {
            length: Some(length),
            clouds: Some(clouds.iter().map(|c| c.key().to_string()).collect()),
            value: Some(value),
        }))
    }
});

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::schema::conform;
    use crate::framework::testing::validate_paths;
    use crate::resources::alicloud::ipsec_connection_cen::schema::tunnel_block;
    use crate::resources::jdcloud::vpn_tunnel;

    /// Runs the `psk` argument's own validators of a cloud resource on `key`.
    fn accepted_by(block: &crate::framework::Block, key: &str) -> Result<(), String> {
        let attr = block.attributes.iter().find(|a| a.name == "psk").unwrap();
        assert!(!attr.validators.is_empty());
        let mut d = Diagnostics::new();
        for v in &attr.validators {
            v.validate(&Value::string(key), &AttrPath::attr("psk"), &mut d);
        }
        if d.is_empty() {
            Ok(())
        } else {
            Err(d.to_string())
        }
    }

    #[test]
    fn keys_for_both_clouds_pass_both_clouds_own_psk_rules() {
        let jd = vpn_tunnel::schema().block;
        let ali = tunnel_block();
        for length in 1..=20 {
            for _ in 0..50 {
                let key = generate(length, &Cloud::ALL).unwrap().into_inner();
                assert_eq!(key.len(), length);
                accepted_by(&jd, &key).unwrap();
                accepted_by(&ali, &key).unwrap();
                let lower = key.to_ascii_lowercase();
                assert!(
                    !lower.starts_with("0x") && !lower.starts_with("0s"),
                    "{key:?}"
                );
            }
        }
    }

    /// `accepts` (what an imported managed `hybridnet_psk` is checked with)
    /// says what the clouds' own `psk` validators say.
    #[test]
    fn accepts_agrees_with_both_clouds_own_psk_rules() {
        let jd = vpn_tunnel::schema().block;
        let ali = tunnel_block();
        let mut keys: Vec<String> = [
            "a",
            "Good_Key-20_chars_ok",
            "Twenty_one_chars_key_",
            "0xabc",
            "0Sabc",
            "x0sabc",
            "has space",
            "semi;colon",
            "quote\"d",
            "~`!@#$%^&*()_-+={}[]\\|;:',.<>/?",
            "é",
            "",
        ]
        .iter()
        .map(|k| (*k).to_string())
        .collect();
        keys.push("k".repeat(100));
        keys.push("k".repeat(101));
        for _ in 0..20 {
            keys.push(generate(20, &Cloud::ALL).unwrap().into_inner());
            keys.push(generate(100, &[Cloud::AliCloud]).unwrap().into_inner());
        }
        for key in &keys {
            let by_jd = accepted_by(&jd, key).is_ok();
            let by_ali = accepted_by(&ali, key).is_ok();
            assert_eq!(
                accepts(key, &[Cloud::JdCloud]),
                by_jd,
                "{key:?} on JD Cloud"
            );
            assert_eq!(
                accepts(key, &[Cloud::AliCloud]),
                by_ali,
                "{key:?} on Alibaba Cloud"
            );
            assert_eq!(
                accepts(key, &Cloud::ALL),
                by_jd && by_ali,
                "{key:?} on both"
            );
        }
    }

    #[test]
    fn one_cloud_gets_its_own_charset_and_length() {
        let jd = vpn_tunnel::schema().block;
        let ali = tunnel_block();
        for _ in 0..50 {
            let key = generate(100, &[Cloud::AliCloud]).unwrap().into_inner();
            assert_eq!(key.len(), 100);
            accepted_by(&ali, &key).unwrap();
            let key = generate(20, &[Cloud::JdCloud]).unwrap().into_inner();
            accepted_by(&jd, &key).unwrap();
        }
        // Alibaba's punctuation shows up when only Alibaba Cloud must accept the key.
        let many: String = (0..20)
            .map(|_| generate(100, &[Cloud::AliCloud]).unwrap().into_inner())
            .collect();
        assert!(many.bytes().any(|b| PSK_SPECIALS.as_bytes().contains(&b)));
        assert!(generate(21, &[Cloud::JdCloud]).is_err());
        assert!(generate(21, &Cloud::ALL).is_err());
        assert!(generate(0, &Cloud::ALL).is_err());
        assert!(generate(101, &[Cloud::AliCloud]).is_err());
    }

    #[test]
    fn the_intersection_is_letters_digits_underscore_and_dash() {
        let rule = key_rule(&Cloud::ALL);
        assert_eq!(rule.max_len, 20);
        assert_eq!(rule.charset.len(), 64);
        assert!(rule
            .charset
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'-'));
        assert_eq!(
            key_rule(&[Cloud::AliCloud]).charset.len(),
            62 + PSK_SPECIALS.len()
        );
    }

    /// Every symbol is used and none dominates: a crude check that the
    /// sampling has no modulo bias or stuck byte.
    #[test]
    fn characters_are_spread_over_the_whole_charset() {
        let mut counts = std::collections::BTreeMap::new();
        for _ in 0..640 {
            for b in generate(20, &Cloud::ALL).unwrap().as_str().bytes() {
                *counts.entry(b).or_insert(0u32) += 1;
            }
        }
        // 12 800 draws over 64 symbols: about 200 each.
        assert_eq!(counts.len(), 64);
        assert!(
            counts.values().all(|c| (100..320).contains(c)),
            "{counts:?}"
        );
    }

    #[test]
    fn the_schema_refuses_lengths_the_clouds_cannot_take() {
        let s = schema();
        assert!(validate_paths(&s, &[]).is_empty());
        assert_eq!(
            validate_paths(&s, &[("length", Value::int(21))]),
            ["length"]
        );
        let ali = Value::List(vec![Value::string("alicloud")]);
        assert!(validate_paths(&s, &[("length", Value::int(64)), ("clouds", ali)]).is_empty());
        assert_eq!(
            validate_paths(&s, &[("clouds", Value::List(vec![]))]),
            ["clouds"]
        );
        assert_eq!(
            validate_paths(&s, &[("clouds", Value::List(vec![Value::string("aws")]))]),
            ["clouds[0]"]
        );
        // Unknown clouds are checked once known.
        assert!(validate_paths(
            &s,
            &[("length", Value::int(50)), ("clouds", Value::Unknown)]
        )
        .is_empty());
        s.block.internal_validate(TYPE_NAME).unwrap();
    }

    /// Through the provider as Terraform drives it: defaults filled in, a
    /// fresh key each open, the configured values kept.
    #[tokio::test]
    async fn opening_through_the_provider_fills_defaults_and_makes_a_new_key_each_time() {
        let server = super::super::test_support::configured_server("1.11.4");
        let config = conform(&schema().block, &Value::Object(Default::default()));
        let (a, d) = server.open_ephemeral_resource(TYPE_NAME, &config).await;
        assert!(d.is_empty(), "{d}");
        let a = a.unwrap();
        assert_eq!(a.result.get("length"), &Value::int(20));
        assert_eq!(
            a.result.get("clouds"),
            &Value::List(vec![Value::string("jdcloud"), Value::string("alicloud")])
        );
        let key = a.result.get("value").as_str().unwrap().to_string();
        assert_eq!(key.len(), 20);
        assert!(a.private.is_none() && a.renew_at.is_none());
        let (b, _) = server.open_ephemeral_resource(TYPE_NAME, &config).await;
        assert_ne!(b.unwrap().result.get("value").as_str().unwrap(), key);

        let mut ali = config.clone();
        *ali.get_mut("clouds").unwrap() = Value::List(vec![Value::string("alicloud")]);
        *ali.get_mut("length").unwrap() = Value::int(64);
        let (o, d) = server.open_ephemeral_resource(TYPE_NAME, &ali).await;
        assert!(d.is_empty(), "{d}");
        let o = o.unwrap().result;
        assert_eq!(o.get("value").as_str().unwrap().len(), 64);
        assert_eq!(o.get("clouds"), ali.get("clouds"));
        // Too long for JD Cloud: refused before any key is made.
        let mut long = config.clone();
        *long.get_mut("length").unwrap() = Value::int(30);
        let (o, d) = server.open_ephemeral_resource(TYPE_NAME, &long).await;
        assert!(o.is_none());
        assert_eq!(d.0[0].path.as_ref().unwrap().to_string(), "length");
        assert!(server
            .close_ephemeral_resource(TYPE_NAME, None)
            .await
            .is_empty());
    }

    #[test]
    fn the_state_matches_the_schema_and_hides_the_key() {
        super::super::test_support::check_state_hides_key::<State>(schema(), |s| &mut s.value);
    }
}
