//! Terraform resources. `registry()` is the one list a new resource joins.

pub mod alicloud;
pub mod common;
pub mod ipsec;
pub mod jdcloud;
pub mod ownership;
pub mod schema_parts;
#[cfg(test)]
mod tests_bad_input;
#[cfg(test)]
mod tests_rules;
pub mod wait;

use std::time::Instant;

use crate::clients::ProviderData;
use crate::cloud::{alicloud as ali, jdcloud as jd, ApiError};
use crate::framework::{
    CloudError, Connect, Diagnostics, DynDataSource, DynEphemeralResource, DynResource, Lifecycle,
    Managed, Typed,
};

/// A managed resource, ready for the registry.
fn managed<M: Managed<ProviderData>>(m: M) -> Box<dyn DynResource<ProviderData>> {
    Box::new(Typed::new(Lifecycle(m)))
}

impl CloudError for ApiError {
    fn is_not_found(&self) -> bool {
        ApiError::is_not_found(self)
    }
}

/// A cloud's client, bound to an operation's deadline, from the provider's
/// configuration of that cloud (or why there is none).
macro_rules! connect {
    ($client:ty, $configured:ident, $cloud:literal) => {
        impl Connect<ProviderData> for $client {
            type Error = ApiError;
            fn connect(data: &ProviderData, deadline: Instant) -> Result<Self, Diagnostics> {
                data.$configured()
                    .map(|c| c.until(deadline))
                    .map_err(|e| Diagnostics::error(concat!($cloud, " provider configuration"), e))
            }
            fn default_region(&self) -> &str {
                self.region()
            }
        }
    };
}

connect!(jd::Client, jdcloud, "JD Cloud");
connect!(ali::Client, alicloud, "Alibaba Cloud");

pub fn registry() -> Vec<Box<dyn DynResource<ProviderData>>> {
    use alicloud::{customer_gateway as ali_cgw, ipsec_connection_cen, ipsec_connection_route};
    use jdcloud::*;
    vec![
        managed(ali_cgw::CustomerGateway),
        managed(ipsec_connection_cen::IpsecConnectionCen),
        managed(ipsec_connection_route::IpsecConnectionRoute),
        managed(border_gateway::BorderGateway),
        managed(border_gateway_route::BorderGatewayRoute),
        managed(customer_gateway::CustomerGateway),
        managed(customer_gateway_addresses::CustomerGatewayAddresses),
        managed(vpc_attachment::VpcAttachment),
        managed(vpn_connection::VpnConnection),
        managed(vpn_tunnel::VpnTunnel),
        // No cloud behind it: a key kept in the state.
        Box::new(Typed::new::<ProviderData>(ipsec::psk_managed::PskResource)),
    ]
}

/// Every data source of the provider.
pub fn data_sources() -> Vec<Box<dyn DynDataSource<ProviderData>>> {
    vec![
        Box::new(Typed::new(ipsec::profile::IpsecProfile)),
        Box::new(Typed::new(ipsec::peer_config::PeerConfigSource)),
    ]
}

/// Every ephemeral resource of the provider.
pub fn ephemeral_resources() -> Vec<Box<dyn DynEphemeralResource<ProviderData>>> {
    vec![Box::new(Typed::new(ipsec::psk::Psk))]
}

/// A section a data source adds to its generated page, written from code so
/// it cannot fall behind (e.g. a table of each cloud's values).
pub fn data_source_notes(type_name: &str) -> Option<String> {
    match type_name {
        ipsec::profile::TYPE_NAME => Some(ipsec::profile::values_table()),
        ipsec::peer_config::TYPE_NAME => Some(ipsec::peer_config::notes()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_schema_is_valid_and_prefixed() {
        let mut names = std::collections::BTreeSet::new();
        for r in registry() {
            let name = r.type_name();
            assert!(name.starts_with(concat!("hybridnet", "_")), "{name}");
            assert!(names.insert(name), "duplicate {name}");
            r.schema().block.internal_validate(name).unwrap();
        }
        for d in data_sources() {
            let name = d.type_name();
            assert!(name.starts_with(concat!("hybridnet", "_")), "{name}");
            assert!(names.insert(name), "duplicate {name}");
            d.schema().block.internal_validate(name).unwrap();
        }
    }

    /// Typed states read every number as `i64`, so every number attribute is
    /// declared `int` and a fraction or a huge value is refused at validate.
    /// A typed state's serde fields are exactly its schema's attributes and
    /// blocks (`timeouts` aside, which the framework keeps).
    #[test]
    fn every_state_matches_its_schema() {
        for r in registry() {
            let mut fields = r
                .state_fields()
                .unwrap_or_else(|| panic!("{} has no default state", r.type_name()));
            let block = &r.schema().block;
            let mut declared: Vec<String> = block
                .attributes
                .iter()
                .map(|a| a.name.clone())
                .chain(block.blocks.iter().map(|b| b.name.clone()))
                .filter(|n| n != "timeouts")
                .collect();
            fields.sort_unstable();
            declared.sort_unstable();
            assert_eq!(fields, declared, "{}", r.type_name());
        }
    }

    #[test]
    fn every_number_is_an_integer() {
        fn walk(b: &crate::framework::Block, at: &str) {
            for a in &b.attributes {
                if a.ty == crate::framework::Type::Number {
                    assert!(a.integer, "{at}.{} must be Attribute::int", a.name);
                }
            }
            for nb in &b.blocks {
                walk(&nb.block, &format!("{at}.{}", nb.name));
            }
        }
        for r in registry() {
            walk(&r.schema().block, r.type_name());
        }
    }

    #[test]
    fn secrets_are_sensitive() {
        fn walk(b: &crate::framework::Block, at: &str) {
            for a in &b.attributes {
                let n = a.name.as_str();
                // `psk_wo_version` is a plain number that says when to send a key.
                let secret_name = n.contains("psk") && !n.ends_with("_version");
                if secret_name
                    || n.contains("secret")
                    || n.contains("password")
                    || n.ends_with("_token")
                {
                    assert!(a.sensitive, "{at}.{n} must be sensitive");
                }
            }
            for nb in &b.blocks {
                walk(&nb.block, &format!("{at}.{}", nb.name));
            }
        }
        for r in registry() {
            walk(&r.schema().block, r.type_name());
        }
        for d in data_sources() {
            walk(&d.schema().block, d.type_name());
        }
        use crate::framework::Provider;
        walk(&crate::provider::provider().schema().block, "provider");
    }
}
