//! `hybridnet_jdcloud_customer_gateway`: the customer's VPN device as JD
//! Cloud sees it — its public IPs (1, 2 or 4) and BGP ASN.
//!
//! API: bgw `createCustomerGateway`, `describeCustomerGateway`,
//! `modifyCustomerGateway`, `deleteCustomerGateway` (docs/design/jdcloud.md §4.3).

use crate::cloud::jdcloud::types as api;
use crate::framework::timeouts::mins;
use crate::framework::validate::{distinct, each, int_between, list_length_in, public_ipv4};
use crate::framework::{Attribute, Locator, Schema, Timeouts};
use crate::resources::common::{changed, non_empty};
use crate::resources::ownership::Identity;
use crate::resources::schema_parts;

pub const TYPE_NAME: &str = "hybridnet_jdcloud_customer_gateway";
const WHAT: &str = "JD Cloud customer gateway";
pub const TIMEOUTS: Timeouts = Timeouts::all(mins(5));

pub struct CustomerGateway;

/// Address a gateway is created with when `customer_ips` is unset (a
/// documentation address, RFC 5737). INFERRED: JD Cloud accepts it
/// (docs/design/jdcloud.md §8.9).
pub const PLACEHOLDER_IPS: &[&str] = &["192.0.2.1"];

/// The rules JD Cloud applies to a customer gateway's address list.
pub fn ips_rule() -> impl crate::framework::validate::Validator {
    crate::framework::validate::All(vec![
        Box::new(list_length_in(&[1, 2, 4])),
        Box::new(distinct()),
        Box::new(each(public_ipv4())),
    ])
}

crate::typed_schema! {
    pub struct State;
    pub fn schema() -> Schema {
        Schema::new(
            "A JD Cloud customer gateway: the public side of your VPN device (one, two or four public IPv4 addresses \
             and a BGP ASN), used by `hybridnet_jdcloud_vpn_connection`.",
        );
        id: String = schema_parts::id("Customer gateway ID (`cgw-…`)."),
        region: String = super::region("Region of the customer gateway; defaults to the provider's JD Cloud region. Changing it replaces the gateway."),
        name: String = super::name("Name of the customer gateway."),
        description: String = super::description(),
        customer_ips: Vec<String> = Attribute::string_list("customer_ips")
            .optional()
            .computed()
            .use_state_for_unknown()
            .description(
                "Public IPv4 addresses of your VPN device: one, two or four distinct addresses. Can be changed in \
                 place only while no VPN tunnel uses the gateway. Leave it unset when the addresses are only known \
                 later (the peer is another cloud's VPN gateway) and set them with \
                 `hybridnet_jdcloud_customer_gateway_addresses`; until then the gateway carries a placeholder address.",
            )
            .validator(ips_rule()),
        bgp_asn: i64 = Attribute::int("bgp_asn")
            .required()
            .requires_replace()
            .description("BGP ASN of your side, 65001–65499. JD Cloud cannot change it: a new value replaces the gateway.")
            .validator(int_between(65001, 65499)),
        created_time: String = super::created_time("When the gateway was created (UTC)."),
    }
    .timeouts(TIMEOUTS)
}

super::jd_resource! {
    CustomerGateway => api::CustomerGateway, described_by description, flattened_by flatten;

    fn expand(&self, plan: &State) -> api::CustomerGatewaySpec {
        expand(plan)
    }

    fn identity(&self, spec: &api::CustomerGatewaySpec) -> Identity<api::CustomerGateway> {
        let (name, asn, ips) = (
            spec.customer_gateway_name.clone(),
            spec.bgp_asn,
            spec.customer_ips.clone(),
        );
        Identity::named(
            format!("name {name:?}, ASN {asn} and addresses {ips:?}"),
            move |o: &api::CustomerGateway| {
                o.customer_gateway_name == name && o.bgp_asn == asn && o.customer_ips == ips
            },
        )
    }

    fn expand_modify(&self, prior: &State, plan: &State) -> api::ModifyCustomerGatewaySpec {
        expand_modify(prior, plan)
    }
}

fn expand(plan: &State) -> api::CustomerGatewaySpec {
    api::CustomerGatewaySpec {
        customer_gateway_name: plan.name.clone().unwrap_or_default(),
        customer_ips: plan
            .customer_ips
            .clone()
            .unwrap_or_else(|| PLACEHOLDER_IPS.iter().map(|s| (*s).to_string()).collect()),
        bgp_asn: plan.bgp_asn.unwrap_or_default(),
        description: plan.description.clone(),
    }
}

/// Only what changed; clearing the description sends "".
fn expand_modify(prior: &State, plan: &State) -> api::ModifyCustomerGatewaySpec {
    api::ModifyCustomerGatewaySpec {
        customer_gateway_name: changed(&prior.name, &plan.name),
        description: changed(&prior.description, &plan.description),
        // Unset means "managed elsewhere": never send it.
        customer_ips: plan
            .customer_ips
            .clone()
            .filter(|ips| prior.customer_ips.as_ref() != Some(ips)),
    }
}

fn flatten(gw: &api::CustomerGateway, at: &Locator) -> State {
    State {
        id: Some(gw.customer_gateway_id.clone()),
        region: Some(at.region.clone()),
        name: Some(gw.customer_gateway_name.clone()),
        description: non_empty(gw.description.clone()),
        customer_ips: Some(gw.customer_ips.clone()),
        bgp_asn: Some(gw.bgp_asn),
        created_time: non_empty(gw.created_time.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modify_sends_only_changes() {
        let prior = State {
            name: Some("a".into()),
            description: Some("d".into()),
            customer_ips: Some(vec!["1.1.1.1".into()]),
            ..State::default()
        };
        let plan = State {
            name: Some("b".into()),
            description: None,
            customer_ips: Some(vec!["1.1.1.1".into()]),
            ..State::default()
        };
        let m = expand_modify(&prior, &plan);
        assert_eq!(m.customer_gateway_name.as_deref(), Some("b"));
        assert_eq!(m.description.as_deref(), Some(""));
        assert!(m.customer_ips.is_none());
    }
}
