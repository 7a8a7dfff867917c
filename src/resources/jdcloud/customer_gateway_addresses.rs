//! `hybridnet_jdcloud_customer_gateway_addresses`: owns the public IPs of a
//! customer gateway created without them.
//!
//! Why it exists: when both ends are clouds (JD Cloud region ↔ region, JD
//! Cloud ↔ Alibaba Cloud), each side's customer gateway must carry the other
//! side's VPN gateway IPs, and those exist only once the other side's
//! connection exists — a dependency cycle. Create the customer gateway
//! without `customer_ips`, create the connections, then let this resource
//! set the addresses; tunnels take their `customer_ip` from this resource, so
//! they are created after the addresses are in place (JD Cloud refuses to
//! change addresses while tunnels exist).
//!
//! API: bgw `describeCustomerGateway`, `modifyCustomerGateway`.

use crate::cloud::jdcloud::ops::CUSTOMER_GATEWAY as KIND;
use crate::cloud::jdcloud::types as api;
use crate::cloud::jdcloud::Client;
use crate::cloud::ApiError;
use crate::framework::timeouts::mins;
use crate::framework::{Attribute, Diagnostics, Failed, Locator, NotCreated, Schema, Timeouts};
use crate::resources::common::{api_error_id, jd_find};
use crate::resources::schema_parts;

use super::customer_gateway::ips_rule;
use super::{In, On};

pub const TYPE_NAME: &str = "hybridnet_jdcloud_customer_gateway_addresses";
const WHAT: &str = "JD Cloud customer gateway addresses";
pub const TIMEOUTS: Timeouts = Timeouts::all(mins(5));

pub struct CustomerGatewayAddresses;

crate::typed_schema! {
    pub struct State;
    pub fn schema() -> Schema {
        Schema::new(
            "Sets the public IPs of a `hybridnet_jdcloud_customer_gateway` created without `customer_ips`. Use it when \
             the peer is another cloud's VPN gateway whose addresses exist only after this side's connection does (see \
             the cross-region and cross-cloud examples). Destroying it leaves the addresses on the gateway.",
        );
        id: String = schema_parts::id("The customer gateway ID."),
        region: String = super::region("Region of the customer gateway; defaults to the provider's JD Cloud region."),
        customer_gateway_id: String = super::reference("customer_gateway_id", "The customer gateway whose addresses this resource owns. Leave its `customer_ips` unset."),
        customer_ips: Vec<String> = Attribute::string_list("customer_ips")
            .required()
            .description("The peer's public IPv4 addresses: one, two or four. JD Cloud refuses changes while tunnels use the gateway.")
            .validator(ips_rule()),
    }
    .timeouts(TIMEOUTS)
}

// The id is the customer gateway's.
crate::resources::common::managed_resource! {
    CustomerGatewayAddresses => api::CustomerGateway, located {
        fn place(&mut self, at: &Locator) {
            self.id = Some(at.id().to_string());
            self.region = Some(at.region.clone());
            self.customer_gateway_id = Some(at.id().to_string());
        }
    };

    /// Nothing is made: the addresses are set on the existing gateway.
    async fn create(&self, op: &In<'_>, plan: &State) -> Result<Locator, NotCreated> {
        let gateway = plan.customer_gateway_id.clone().unwrap_or_default();
        let at = Locator::new(op.region, [gateway]);
        set_ips(
            op.client,
            &at,
            plan.customer_ips.clone().unwrap_or_default(),
        )
        .await?;
        Ok(at)
    }

    async fn find(&self, client: &Client, at: &Locator) -> Result<api::CustomerGateway, ApiError> {
        jd_find(client, &KIND, &at.region, &at.ids()).await
    }

    fn flatten(&self, gw: &api::CustomerGateway, at: &Locator, _known: &State) -> State {
        State {
            id: Some(gw.customer_gateway_id.clone()),
            region: Some(at.region.clone()),
            customer_gateway_id: Some(gw.customer_gateway_id.clone()),
            customer_ips: Some(gw.customer_ips.clone()),
        }
    }

    async fn update(&self, on: &On<'_>, prior: &State, plan: &State) -> Result<(), Diagnostics> {
        if prior.customer_ips == plan.customer_ips {
            return Ok(());
        }
        set_ips(
            on.client,
            on.at,
            plan.customer_ips.clone().unwrap_or_default(),
        )
        .await
    }

    /// The addresses stay on the gateway; this only ends their management.
    async fn delete(&self, _on: &On<'_>) -> Result<(), Failed<ApiError>> {
        Ok(())
    }
}

async fn set_ips(client: &Client, at: &Locator, ips: Vec<String>) -> Result<(), Diagnostics> {
    let spec = api::ModifyCustomerGatewaySpec {
        customer_ips: Some(ips),
        ..Default::default()
    };
    client
        .modify(&KIND, &at.region, &at.ids(), &spec)
        .await
        .map_err(|e| api_error_id("setting", WHAT, at.id(), &e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::testing::validate_paths;
    use crate::framework::Value;

    #[test]
    fn addresses_follow_the_customer_gateway_rules() {
        let ips = |v: &[&str]| Value::List(v.iter().map(|s| Value::string(*s)).collect());
        assert_eq!(
            validate_paths(&schema(), &[("customer_ips", ips(&["192.168.1.1"]))]),
            ["customer_ips[0]"]
        );
        assert_eq!(
            validate_paths(
                &schema(),
                &[("customer_ips", ips(&["1.1.1.1", "1.1.1.2", "1.1.1.3"]))]
            ),
            ["customer_ips"]
        );
    }
}
