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

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::cloud::jdcloud::ops::CUSTOMER_GATEWAY as KIND;
use crate::cloud::jdcloud::types as api;
use crate::framework::{Attribute, Ctx, Diagnostics, Failure, Resource, Schema, Timeouts};
use crate::provider::ProviderData;
use crate::resources::common::{api_error_id, region_and_id, split_import_id};

use super::customer_gateway::{find_by_id, ips_rule};

pub const TYPE_NAME: &str = "hybridnet_jdcloud_customer_gateway_addresses";
const WHAT: &str = "JD Cloud customer gateway addresses";
pub const TIMEOUTS: Timeouts = Timeouts::minutes(5, 5, 5, 5);

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct State {
    pub id: Option<String>,
    pub region: Option<String>,
    pub customer_gateway_id: Option<String>,
    pub customer_ips: Option<Vec<String>>,
}

pub struct CustomerGatewayAddresses;

pub fn schema() -> Schema {
    Schema::new(
        "Sets the public IPs of a `hybridnet_jdcloud_customer_gateway` created without `customer_ips`. Use it when \
         the peer is another cloud's VPN gateway whose addresses exist only after this side's connection does (see \
         the cross-region and cross-cloud examples). Destroying it leaves the addresses on the gateway.",
    )
    .attribute(Attribute::string("id").computed().use_state_for_unknown().description("The customer gateway ID."))
    .attribute(
        Attribute::string("region")
            .optional()
            .computed()
            .requires_replace()
            .use_state_for_unknown()
            .description("Region of the customer gateway; defaults to the provider's JD Cloud region.")
            .validator(super::region_rule()),
    )
    .attribute(
        Attribute::string("customer_gateway_id")
            .required()
            .requires_replace()
            .description("The customer gateway whose addresses this resource owns. Leave its `customer_ips` unset.")
            .validator(super::id_rule()),
    )
    .attribute(
        Attribute::string_list("customer_ips")
            .required()
            .description("The peer's public IPv4 addresses: one, two or four. JD Cloud refuses changes while tunnels use the gateway.")
            .validator(ips_rule()),
    )
    .timeouts(TIMEOUTS)
}

#[async_trait]
impl Resource<ProviderData> for CustomerGatewayAddresses {
    type State = State;

    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn create(&self, ctx: &Ctx<ProviderData>, plan: State) -> Result<State, Failure<State>> {
        let client = &ctx.data.jdcloud_until(ctx.deadline)?;
        let region = plan
            .region
            .clone()
            .unwrap_or_else(|| client.region().to_string());
        let id = plan.customer_gateway_id.clone().unwrap_or_default();
        set_ips(
            client,
            &region,
            &id,
            plan.customer_ips.clone().unwrap_or_default(),
        )
        .await?;
        read_back(client, region, id).await
    }

    async fn read(
        &self,
        ctx: &Ctx<ProviderData>,
        state: State,
    ) -> Result<Option<State>, Diagnostics> {
        let client = &ctx.data.jdcloud_until(ctx.deadline)?;
        let (region, id) = region_and_id(client.region(), &state.region, &state.id)?;
        match find_by_id(client, &region, &id).await {
            Ok(gw) => Ok(Some(flatten(&gw, region))),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(api_error_id("reading", WHAT, &id, &e)),
        }
    }

    async fn update(
        &self,
        ctx: &Ctx<ProviderData>,
        prior: State,
        plan: State,
    ) -> Result<State, Failure<State>> {
        let client = &ctx.data.jdcloud_until(ctx.deadline)?;
        let (region, id) = region_and_id(client.region(), &prior.region, &prior.id)?;
        if prior.customer_ips != plan.customer_ips {
            set_ips(
                client,
                &region,
                &id,
                plan.customer_ips.clone().unwrap_or_default(),
            )
            .await?;
        }
        read_back(client, region, id).await
    }

    /// The addresses stay on the gateway; this only ends their management.
    async fn delete(&self, _ctx: &Ctx<ProviderData>, _state: State) -> Result<(), Diagnostics> {
        Ok(())
    }

    async fn import(&self, ctx: &Ctx<ProviderData>, import_id: &str) -> Result<State, Diagnostics> {
        let client = &ctx.data.jdcloud_until(ctx.deadline)?;
        let (region, id) = split_import_id(import_id)?;
        Ok(State {
            id: Some(id.to_string()),
            region: Some(region.unwrap_or(client.region()).to_string()),
            customer_gateway_id: Some(id.to_string()),
            ..State::default()
        })
    }
}

async fn set_ips(
    client: &crate::cloud::jdcloud::Client,
    region: &str,
    id: &str,
    ips: Vec<String>,
) -> Result<(), Diagnostics> {
    let spec = api::ModifyCustomerGatewaySpec {
        customer_ips: Some(ips),
        ..Default::default()
    };
    client
        .modify(&KIND, region, &[id], &spec)
        .await
        .map_err(|e| api_error_id("setting", WHAT, id, &e))
}

async fn read_back(
    client: &crate::cloud::jdcloud::Client,
    region: String,
    id: String,
) -> Result<State, Failure<State>> {
    match find_by_id(client, &region, &id).await {
        Ok(gw) => Ok(flatten(&gw, region)),
        // The change went through; without a read we cannot report the
        // result, so keep the resource with an error rather than lose it.
        Err(e) => Err(Failure::partial(
            State {
                id: Some(id.clone()),
                region: Some(region),
                customer_gateway_id: Some(id.clone()),
                customer_ips: None,
            },
            api_error_id("reading back", WHAT, &id, &e),
        )),
    }
}

fn flatten(gw: &api::CustomerGateway, region: String) -> State {
    State {
        id: Some(gw.customer_gateway_id.clone()),
        region: Some(region),
        customer_gateway_id: Some(gw.customer_gateway_id.clone()),
        customer_ips: Some(gw.customer_ips.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::testing::validate_paths;
    use crate::framework::Value;
    use crate::resources::common::test_support::state_matches_schema;

    #[test]
    fn state_fields_match_schema_attributes() {
        state_matches_schema(&schema(), &State::default());
    }

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
