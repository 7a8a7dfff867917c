//! What both ends of a tunnel must agree on, independent of any one cloud:
//! the algorithm names of each side ([`algorithms`]), the
//! `hybridnet_ipsec_profile` data source ([`profile`]), the
//! `hybridnet_peer_config` data source ([`peer_config`]), which renders a
//! device's end of a cloud connection, and `hybridnet_psk`, both the
//! ephemeral resource ([`psk`]) and the managed one ([`psk_managed`]).

/// Declares `$name`, the provider's `$kind` (`DataSource`,
/// `EphemeralResource` or `Resource`) of the module it stands in: the module's `State`,
/// `TYPE_NAME` and `schema()`, and its operations, given as items.
macro_rules! declare {
    ($name:ident: $kind:ident { $($operation:item)+ }) => {
        pub struct $name;

        impl crate::framework::Declared<crate::clients::ProviderData> for $name {
            type State = State;
            fn type_name(&self) -> &'static str {
                TYPE_NAME
            }
            fn schema(&self) -> Schema {
                schema()
            }
        }

        #[async_trait::async_trait]
        impl crate::framework::$kind<crate::clients::ProviderData> for $name {
            $($operation)+
        }
    };
}

pub mod algorithms;
pub mod peer_config;
pub mod profile;
pub mod psk;
pub mod psk_managed;

use crate::framework::Value;

use algorithms::Cloud;

/// The clouds a `clouds` attribute names, both when it is null; `None`
/// while it is unknown.
fn clouds_of(clouds: &Value) -> Option<Vec<Cloud>> {
    match clouds {
        Value::Null => Some(Cloud::ALL.to_vec()),
        v => v
            .as_list()?
            .iter()
            .map(|c| c.as_str().and_then(Cloud::from_key))
            .collect(),
    }
}

/// What the key resources' tests share.
#[cfg(test)]
mod test_support {
    use serde::de::DeserializeOwned;

    use crate::framework::schema::conform;
    use crate::framework::typed::to_typed;
    use crate::framework::{Provider, ProviderServer, Schema, Value};
    use crate::provider::{provider, HybridnetProvider};
    use crate::signer::Sensitive;

    /// A key resource's state: the schema's empty object reads into it with no
    /// key, and its `Debug` never shows the key it holds.
    pub(super) fn check_state_hides_key<S>(
        schema: Schema,
        key: fn(&mut S) -> &mut Option<Sensitive<String>>,
    ) where
        S: DeserializeOwned + std::fmt::Debug,
    {
        let v = conform(&schema.block, &Value::Object(Default::default()));
        let mut s: S = to_typed(&v).unwrap();
        assert!(key(&mut s).is_none());
        *key(&mut s) = Some(Sensitive::from("SecretKey_1".to_string()));
        let shown = format!("{s:?}");
        assert!(!shown.contains("SecretKey_1"), "{shown}");
    }

    /// The provider's server as Terraform `version` configures it with no
    /// arguments.
    pub(super) fn configured_server(version: &str) -> ProviderServer<HybridnetProvider> {
        let p = provider();
        let provider_config = conform(&p.schema().block, &Value::Object(Default::default()));
        let server = ProviderServer::new(p);
        assert!(server.configure(version, &provider_config).is_empty());
        server
    }
}
