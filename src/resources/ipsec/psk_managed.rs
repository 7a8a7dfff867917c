//! `hybridnet_psk` as a managed resource: a random pre-shared key made once,
//! at create, and kept in the state (sensitive), like `random_password`. It
//! works on every Terraform version, where the ephemeral `hybridnet_psk`
//! (`psk`) needs 1.10 and write-only arguments 1.11. Terraform keeps managed
//! and ephemeral types apart, so both carry one name. No cloud is called: the
//! key comes from the same generator as the ephemeral one, so it meets every
//! listed cloud's rule (docs/design/ipsec.md, "Pre-shared keys").

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::clients::ProviderData;
use crate::framework::{Attribute, Ctx, Diagnostics, Failure, Schema, Type};
use crate::signer::Sensitive;

use super::algorithms::Cloud;
use super::psk::{
    accepts, clouds_attribute, clouds_from, length_attribute, length_rule, make_key, DEFAULT_LENGTH,
};

pub const TYPE_NAME: &str = super::psk::TYPE_NAME;

/// The import ID's prefix: `env:NAME` names the environment variable that
/// holds the key, because Terraform prints import IDs.
pub const IMPORT_PREFIX: &str = "env:";

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct State {
    pub id: Option<String>,
    pub length: Option<i64>,
    pub clouds: Option<Vec<String>>,
    pub keepers: Option<BTreeMap<String, String>>,
    pub value: Option<Sensitive<String>>,
}

pub fn schema() -> Schema {
    Schema::new(
        "A random pre-shared key that both ends of a tunnel accept, made once and kept in the state \
         (marked sensitive), like `random_password`; it works on every Terraform version. It changes only \
         when the resource is replaced: change `keepers` (or `length`, `clouds`) to rotate it, and the \
         tunnels using it are updated in place. The key comes from the operating system's random number \
         generator, by the same rules as the ephemeral resource `hybridnet_psk`: with both clouds, letters, \
         digits, `_` and `-`, never starting with `0x` or `0s`. No cloud is called. To keep the key out of \
         the state, use the ephemeral `hybridnet_psk` with `psk_wo` (Terraform 1.11 or later) instead.",
    )
    .attribute(Attribute::id(
        "A random identifier of this key (not derived from it).",
    ))
    .attribute(length_attribute().requires_replace())
    .attribute(clouds_attribute().requires_replace())
    .attribute(
        Attribute::new("keepers", Type::map(Type::String))
            .optional()
            .requires_replace()
            .description(
                "Arbitrary values that, when changed, make a new key (the resource is replaced). Put a \
                 rotation counter or date here.",
            ),
    )
    .attribute(
        Attribute::string("value")
            .computed()
            .sensitive()
            .description("The key, for `psk` arguments."),
    )
    .validator(length_rule())
}

declare!(PskResource: Resource {
    async fn create(
        &self,
        _ctx: &Ctx<ProviderData>,
        plan: State,
    ) -> Result<State, Failure<State>> {
        let clouds = clouds_from(plan.clouds.as_deref());
        let length = plan.length.unwrap_or(DEFAULT_LENGTH);
        let value = make_key(length, &clouds)?;
        Ok(State {
            id: Some(random_id()?),
            length: Some(length),
            clouds: Some(keys_of(&clouds)),
            keepers: plan.keepers,
            value: Some(value),
        })
    }

    /// Nothing outside the state holds the key: what is there stays.
    async fn read(
        &self,
        _ctx: &Ctx<ProviderData>,
        state: State,
    ) -> Result<Option<State>, Diagnostics> {
        Ok(Some(state))
    }

    /// Every argument forces a new key, so an update changes nothing; it
    /// keeps the key and the identifier.
    async fn update(
        &self,
        _ctx: &Ctx<ProviderData>,
        prior: State,
        plan: State,
    ) -> Result<State, Failure<State>> {
        Ok(State {
            id: plan.id.or(prior.id),
            value: plan.value.or(prior.value),
            ..plan
        })
    }

    /// Forgetting the key is all there is to delete.
    async fn delete(&self, _ctx: &Ctx<ProviderData>, _state: State) -> Result<(), Diagnostics> {
        Ok(())
    }

    async fn import(&self, _ctx: &Ctx<ProviderData>, id: &str) -> Result<State, Diagnostics> {
        let env = |name: &str| std::env::var(name).ok();
        imported(id, &env)
    }

    fn state_fields(&self) -> Option<Vec<String>> {
        match serde_json::to_value(State::default()) {
            Ok(serde_json::Value::Object(m)) => Some(m.keys().cloned().collect()),
            _ => None,
        }
    }
});

fn keys_of(clouds: &[Cloud]) -> Vec<String> {
    clouds.iter().map(|c| c.key().to_string()).collect()
}

/// 16 random hex digits: an identifier that says nothing about the key.
fn random_id() -> Result<String, Diagnostics> {
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).map_err(|e| {
        Diagnostics::error(
            "Cannot make a pre-shared key",
            format!("the operating system's random number generator failed: {e}."),
        )
    })?;
    Ok(format!(
        "psk-{}",
        b.iter().map(|x| format!("{x:02x}")).collect::<String>()
    ))
}

/// Why an import ID is refused. No variant holds the ID or the key: a key
/// typed as the ID must not be repeated in an error.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error(
        "the import ID must be `env:NAME`, where NAME is an environment variable (letters, digits, `_`, \
         not starting with a digit) of the Terraform process that holds the key; the key itself is \
         never accepted as the ID, because Terraform prints import IDs (this one is not repeated here)"
    )]
    NotEnv,
    #[error(
        "the environment variable named by the import ID is not set, or empty, in the environment \
         Terraform passes to the provider"
    )]
    Unset,
    #[error(
        "the key in the environment variable named by the import ID is not accepted by Alibaba Cloud \
         (1–100 letters, digits or its punctuation ``~`!@#$%^&*()_-+={{}}[]\\|;:',.<>/?``), so by neither \
         cloud; it is not repeated here"
    )]
    NotAccepted,
}

/// The variable name of an `env:NAME` import ID.
pub fn import_variable(id: &str) -> Result<&str, ImportError> {
    let name = id.strip_prefix(IMPORT_PREFIX).ok_or(ImportError::NotEnv)?;
    let mut bytes = name.bytes();
    let first_ok = bytes
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_');
    if first_ok && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        Ok(name)
    } else {
        Err(ImportError::NotEnv)
    }
}

/// The state an import ID gives, the key read through `env`. The clouds are
/// both when both accept the key, else Alibaba Cloud alone (every key JD
/// Cloud accepts, Alibaba Cloud accepts too); the length is the key's.
fn imported(id: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<State, Diagnostics> {
    let refused =
        |e: ImportError| Diagnostics::error("Cannot import hybridnet_psk", format!("{e}."));
    let name = import_variable(id).map_err(refused)?;
    let key = env(name)
        .filter(|k| !k.is_empty())
        .ok_or(ImportError::Unset)
        .map_err(refused)?;
    let clouds = if accepts(&key, &Cloud::ALL) {
        Cloud::ALL.to_vec()
    } else if accepts(&key, &[Cloud::AliCloud]) {
        vec![Cloud::AliCloud]
    } else {
        return Err(refused(ImportError::NotAccepted));
    };
    Ok(State {
        id: Some(random_id()?),
        length: i64::try_from(key.len()).ok(),
        clouds: Some(keys_of(&clouds)),
        keepers: None,
        value: Some(Sensitive::from(key)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::schema::conform;
    use crate::framework::testing::validate_paths;
    use crate::framework::Value;

    #[test]
    fn import_ids_name_an_environment_variable() {
        assert_eq!(
            import_variable("env:HYBRIDNET_PSK_1"),
            Ok("HYBRIDNET_PSK_1")
        );
        assert_eq!(import_variable("env:_x9"), Ok("_x9"));
        for bad in [
            "",
            "env:",
            "env:1ABC",
            "env:A-B",
            "env:A B",
            "ENV:KEY",
            "Secret_Key_123",
            "psk-0123456789abcdef",
            "env:KEY=x",
        ] {
            assert_eq!(import_variable(bad), Err(ImportError::NotEnv), "{bad:?}");
        }
    }

    #[test]
    fn import_reads_the_key_from_the_environment_and_never_echoes_the_id() {
        let vars: BTreeMap<&str, &str> = [
            ("BOTH", "Imported_Key-42"),
            ("ALI_ONLY", "a!b@c#0xZZ"),
            ("HEX", "0xabcdef"),
            ("LONG", "abcdefghijklmnopqrstuvwxyz"),
            ("BAD", "has space"),
            ("EMPTY", ""),
        ]
        .into_iter()
        .collect();
        let env = |n: &str| vars.get(n).map(|v| (*v).to_string());

        let s = imported("env:BOTH", &env).unwrap();
        assert_eq!(s.value.as_ref().unwrap().as_str(), "Imported_Key-42");
        assert_eq!(s.length, Some(15));
        assert_eq!(
            s.clouds.as_deref(),
            Some(&["jdcloud".to_string(), "alicloud".to_string()][..])
        );
        assert!(s.id.as_deref().unwrap().starts_with("psk-"));
        assert!(s.keepers.is_none());
        // Keys only Alibaba Cloud accepts import for Alibaba Cloud alone.
        for (var, len) in [("ALI_ONLY", 10), ("HEX", 8), ("LONG", 26)] {
            let s = imported(&format!("env:{var}"), &env).unwrap();
            assert_eq!(
                s.clouds.as_deref(),
                Some(&["alicloud".to_string()][..]),
                "{var}"
            );
            assert_eq!(s.length, Some(len));
        }
        for (id, secret) in [
            ("Typed_Key_In_ID", "Typed_Key_In_ID"),
            ("env:BAD", "has space"),
            ("env:EMPTY", "EMPTY"),
            ("env:MISSING", "MISSING"),
        ] {
            let d = imported(id, &env).unwrap_err();
            assert!(d.has_errors());
            let shown = d.to_string();
            assert!(!shown.contains(secret), "{id}: {shown}");
            assert!(!shown.contains(id), "{id}: {shown}");
        }
    }

    #[test]
    fn the_schema_forces_a_new_key_for_every_argument_and_hides_the_value() {
        let s = schema();
        s.block.internal_validate(TYPE_NAME).unwrap();
        assert!(s.timeouts.is_none());
        for a in ["length", "clouds", "keepers"] {
            assert!(s.attr(a).unwrap().requires_replace, "{a}");
        }
        let value = s.attr("value").unwrap();
        assert!(value.sensitive && value.computed && !value.optional);
        assert_eq!(
            validate_paths(&s, &[("length", Value::int(21))]),
            ["length"]
        );
        assert!(validate_paths(&s, &[]).is_empty());
    }

    /// Through the provider as Terraform drives it: plan, create, read,
    /// a re-plan with nothing to do, a changed keeper replacing the key.
    #[tokio::test]
    async fn create_keeps_the_key_until_a_keeper_changes() {
        let server = super::super::test_support::configured_server("1.0.3");
        let block = &schema().block;
        let mut config = conform(block, &Value::Object(Default::default()));
        *config.get_mut("keepers").unwrap() = Value::Map(
            [("rotation".to_string(), Value::string("1"))]
                .into_iter()
                .collect(),
        );
        let (planned, d) = server.plan_resource_change(TYPE_NAME, &Value::Null, &config, &config);
        assert!(d.is_empty(), "{d}");
        assert!(planned.state.get("value").is_unknown());
        let (state, d) = server
            .apply_resource_change(TYPE_NAME, &Value::Null, &planned.state, &config)
            .await;
        assert!(d.is_empty(), "{d}");
        let key = state.get("value").as_str().unwrap().to_string();
        assert_eq!(key.len(), 20);
        assert!(accepts(&key, &Cloud::ALL));
        assert_eq!(state.get("keepers"), config.get("keepers"));

        let (read, d) = server.read_resource(TYPE_NAME, &state).await;
        assert!(d.is_empty(), "{d}");
        assert!(read.equals(&state));
        let (again, _) = server.plan_resource_change(TYPE_NAME, &state, &state, &config);
        assert!(again.state.equals(&state) && again.requires_replace.is_empty());

        let mut rotated = config.clone();
        *rotated.get_mut("keepers").unwrap() = Value::Map(
            [("rotation".to_string(), Value::string("2"))]
                .into_iter()
                .collect(),
        );
        let mut proposed = state.clone();
        *proposed.get_mut("keepers").unwrap() = rotated.get("keepers").clone();
        let (replace, _) = server.plan_resource_change(TYPE_NAME, &state, &proposed, &rotated);
        assert_eq!(replace.requires_replace.len(), 1);
        assert_eq!(replace.requires_replace[0].to_string(), "keepers");
        let (fresh, d) = server
            .apply_resource_change(TYPE_NAME, &Value::Null, &replace.state, &rotated)
            .await;
        assert!(d.is_empty(), "{d}");
        assert_ne!(fresh.get("value").as_str().unwrap(), key);

        let (gone, d) = server
            .apply_resource_change(TYPE_NAME, &state, &Value::Null, &Value::Null)
            .await;
        assert!(d.is_empty() && gone.is_null());
    }

    #[test]
    fn the_state_matches_the_schema_and_hides_the_key() {
        super::super::test_support::check_state_hides_key::<State>(schema(), |s| &mut s.value);
    }
}
