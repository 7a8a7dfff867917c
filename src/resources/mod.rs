//! Terraform resources. `registry()` is the one list a new resource joins.

pub mod alicloud;
pub mod common;
pub mod jdcloud;
pub mod ownership;
pub mod wait;

use crate::framework::{DynResource, Typed};
use crate::provider::ProviderData;

pub fn registry() -> Vec<Box<dyn DynResource<ProviderData>>> {
    use alicloud::{customer_gateway as ali_cgw, ipsec_connection_cen, ipsec_connection_route};
    use jdcloud::*;
    vec![
        Box::new(Typed::new(ali_cgw::CustomerGateway)),
        Box::new(Typed::new(ipsec_connection_cen::IpsecConnectionCen)),
        Box::new(Typed::new(ipsec_connection_route::IpsecConnectionRoute)),
        Box::new(Typed::new(border_gateway::BorderGateway)),
        Box::new(Typed::new(border_gateway_route::BorderGatewayRoute)),
        Box::new(Typed::new(customer_gateway::CustomerGateway)),
        Box::new(Typed::new(
            customer_gateway_addresses::CustomerGatewayAddresses,
        )),
        Box::new(Typed::new(vpc_attachment::VpcAttachment)),
        Box::new(Typed::new(vpn_connection::VpnConnection)),
        Box::new(Typed::new(vpn_tunnel::VpnTunnel)),
    ]
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
    }

    /// Typed states read every number as `i64`, so every number attribute is
    /// declared `int` and a fraction or a huge value is refused at validate.
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
                if n.contains("psk")
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
        use crate::framework::Provider;
        walk(&crate::provider::provider().schema().block, "provider");
    }
}
