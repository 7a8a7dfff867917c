//! `hybridnet_jdcloud_border_gateway_route`: a static route on a border
//! gateway, towards a VPN connection or a VPC attachment.
//!
//! API: bgw `createBgwRoutes`, `describeBgwRoute`, `modifyBgwRoutes`,
//! `deleteBgwRoutes` (docs/design/jdcloud.md §4.6; paths: §8.1 and
//! `cloud::jdcloud::ops::BGW_ROUTE`). JD Cloud's modify takes the whole
//! route, so every argument but the border gateway changes in place.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::cloud::jdcloud::ops::BGW_ROUTE as KIND;
use crate::cloud::jdcloud::types as api;
use crate::cloud::jdcloud::Client;
use crate::cloud::ApiError;
use crate::framework::validate::{cidr, length_between, one_of};
use crate::framework::{Attribute, Ctx, Diagnostics, Failure, Resource, Schema, Timeouts};
use crate::provider::ProviderData;
use crate::resources::common::{api_error_id, jd_delete, jd_find, non_empty};
use crate::resources::ownership::{jd_create, Identity, Target};
use serde_json::json;

pub const TYPE_NAME: &str = "hybridnet_jdcloud_border_gateway_route";
const WHAT: &str = "JD Cloud border gateway route";
pub const TIMEOUTS: Timeouts = Timeouts::minutes(5, 5, 5, 5);

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct State {
    pub id: Option<String>,
    pub region: Option<String>,
    pub border_gateway_id: Option<String>,
    pub destination: Option<String>,
    pub next_hop_type: Option<String>,
    pub next_hop_id: Option<String>,
    pub description: Option<String>,
    pub priority: Option<i64>,
}

pub struct BorderGatewayRoute;

pub fn schema() -> Schema {
    Schema::new(
        "A static route on a JD Cloud border gateway: traffic for `destination` goes to a VPN connection (for \
         example your data centre's networks over static-routing VPN) or to a VPC attachment.",
    )
    .attribute(Attribute::string("id").computed().use_state_for_unknown().description("Route ID."))
    .attribute(
        Attribute::string("region")
            .optional()
            .computed()
            .requires_replace()
            .use_state_for_unknown()
            .description("Region; defaults to the provider's JD Cloud region.")
            .validator(super::region_rule()),
    )
    .attribute(Attribute::string("border_gateway_id").required().requires_replace().description("The border gateway that holds the route.").validator(super::id_rule()))
    .attribute(Attribute::string("destination").required().description("Destination CIDR block, e.g. `192.168.0.0/16`.").validator(cidr()))
    .attribute(
        Attribute::string("next_hop_type")
            .required()
            .description("Kind of next hop: `vpn_connection` or `vpc_attachment`.")
            .validator(one_of(&["vpn_connection", "vpc_attachment"])),
    )
    .attribute(Attribute::string("next_hop_id").required().description("ID of the VPN connection or VPC attachment.").validator(super::id_rule()))
    .attribute(
        Attribute::string("description")
            .optional()
            .description("Free-text description, up to 256 characters.")
            .validator(length_between(1, 256))
            .validator(crate::framework::validate::no_control_chars()),
    )
    .attribute(Attribute::int("priority").computed().description("Route priority JD Cloud assigned (static routes: 100)."))
    .timeouts(TIMEOUTS)
}

#[async_trait]
impl Resource<ProviderData> for BorderGatewayRoute {
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
        let bgw = plan.border_gateway_id.clone().unwrap_or_default();
        let spec = api::BgwRouteSpec {
            bgw_route_destination: plan.destination.clone().unwrap_or_default(),
            bgw_nexthop_type: plan.next_hop_type.clone().unwrap_or_default(),
            bgw_route_nexthop: plan.next_hop_id.clone().unwrap_or_default(),
            description: plan.description.clone(),
        };
        // A destination and next hop are unique on a border gateway.
        let identity = Identity::UniqueKey(vec![
            ("bgwRouteDestination", json!(spec.bgw_route_destination)),
            ("bgwRouteNexthop", json!(spec.bgw_route_nexthop)),
        ]);
        let parents = [bgw.as_str()];
        let target = Target::new(TYPE_NAME, WHAT, &region, &parents);
        let id = jd_create(
            client,
            &ctx.data.claims,
            &KIND,
            &target,
            &identity,
            &spec,
            None,
        )
        .await
        .map_err(|f| {
            f.into_failure(|id| State {
                id: Some(id),
                region: Some(region.clone()),
                border_gateway_id: Some(bgw.clone()),
                ..State::default()
            })
        })?;
        tracing::info!(id = %id, "created JD Cloud border gateway route");
        let created = State {
            id: Some(id.clone()),
            region: Some(region.clone()),
            ..plan
        };
        match find_by_id(client, &region, &bgw, &id).await {
            Ok(r) => Ok(flatten(&r, region, &bgw)),
            Err(e) => Err(Failure::partial(
                created,
                api_error_id("reading back", WHAT, &id, &e),
            )),
        }
    }

    async fn read(
        &self,
        ctx: &Ctx<ProviderData>,
        state: State,
    ) -> Result<Option<State>, Diagnostics> {
        let client = &ctx.data.jdcloud_until(ctx.deadline)?;
        let (region, bgw, id) = ids(client, &state)?;
        match find_by_id(client, &region, &bgw, &id).await {
            Ok(r) => Ok(Some(flatten(&r, region, &bgw))),
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
        let (region, bgw, id) = ids(client, &prior)?;
        let spec = api::ModifyBgwRouteSpec {
            bgw_route_id: id.clone(),
            bgw_route_destination: plan.destination.clone().unwrap_or_default(),
            bgw_nexthop_type: plan.next_hop_type.clone().unwrap_or_default(),
            bgw_route_nexthop: plan.next_hop_id.clone().unwrap_or_default(),
            // JD Cloud keeps the old description when the field is absent.
            description: Some(plan.description.clone().unwrap_or_default()),
        };
        client
            .modify(&KIND, &region, &[&bgw, &id], &spec)
            .await
            .map_err(|e| api_error_id("updating", WHAT, &id, &e))?;
        match find_by_id(client, &region, &bgw, &id).await {
            Ok(r) => Ok(flatten(&r, region, &bgw)),
            Err(e) => Err(Failure::partial(
                prior,
                api_error_id("reading back", WHAT, &id, &e),
            )),
        }
    }

    async fn delete(&self, ctx: &Ctx<ProviderData>, state: State) -> Result<(), Diagnostics> {
        let client = &ctx.data.jdcloud_until(ctx.deadline)?;
        let (region, bgw, id) = ids(client, &state)?;
        jd_delete(client, &KIND, &region, &[&bgw, &id], WHAT).await
    }

    /// `<border_gateway_id>/<route_id>` or `<region>/<border_gateway_id>/<route_id>`.
    async fn import(&self, ctx: &Ctx<ProviderData>, import_id: &str) -> Result<State, Diagnostics> {
        let client = &ctx.data.jdcloud_until(ctx.deadline)?;
        let parts: Vec<&str> = import_id.split('/').collect();
        let (region, bgw, id) = match parts.as_slice() {
            [b, i] if !b.is_empty() && !i.is_empty() => (client.region(), *b, *i),
            [r, b, i] if !r.is_empty() && !b.is_empty() && !i.is_empty() => (*r, *b, *i),
            _ => {
                return Err(Diagnostics::error(
                    "Invalid import ID",
                    format!("Expected \"<border_gateway_id>/<route_id>\" or \"<region>/<border_gateway_id>/<route_id>\", got {import_id:?}."),
                ))
            }
        };
        Ok(State {
            id: Some(id.to_string()),
            region: Some(region.to_string()),
            border_gateway_id: Some(bgw.to_string()),
            ..State::default()
        })
    }
}

fn ids(client: &Client, s: &State) -> Result<(String, String, String), Diagnostics> {
    match (&s.border_gateway_id, &s.id) {
        (Some(b), Some(i)) => Ok((
            s.region
                .clone()
                .unwrap_or_else(|| client.region().to_string()),
            b.clone(),
            i.clone(),
        )),
        _ => Err(Diagnostics::error(
            "Provider bug",
            "the route state has no border gateway or route id",
        )),
    }
}

/// Responses spell next-hop types in camelCase; requests in snake_case.
fn next_hop_type(from_api: Option<&str>) -> Option<String> {
    from_api.map(|t| match t {
        "vpnConnection" => "vpn_connection".to_string(),
        "vpcAttachment" => "vpc_attachment".to_string(),
        other => other.to_string(),
    })
}

fn flatten(r: &api::BgwRoute, region: String, bgw: &str) -> State {
    State {
        id: Some(r.bgw_route_id.clone()),
        region: Some(region),
        border_gateway_id: Some(
            non_empty(Some(r.bgw_id.clone())).unwrap_or_else(|| bgw.to_string()),
        ),
        destination: Some(r.bgw_route_destination.clone()),
        next_hop_type: next_hop_type(r.bgw_route_next_hop_type.as_deref()),
        next_hop_id: Some(r.bgw_route_nexthop.clone()),
        description: non_empty(r.description.clone()),
        priority: r.bgw_route_priority,
    }
}

pub async fn find_by_id(
    client: &Client,
    region: &str,
    bgw: &str,
    id: &str,
) -> Result<api::BgwRoute, ApiError> {
    jd_find(client, &KIND, region, &[bgw, id]).await
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
    fn validation_rules_point_at_the_attribute() {
        let s = schema();
        assert_eq!(
            validate_paths(&s, &[("destination", Value::string("10.0.0.1/8"))]),
            ["destination"]
        );
        assert_eq!(
            validate_paths(&s, &[("next_hop_type", Value::string("private_vif"))]),
            ["next_hop_type"]
        );
        assert!(validate_paths(
            &s,
            &[
                ("destination", Value::string("10.0.0.0/8")),
                ("next_hop_type", Value::string("vpn_connection"))
            ]
        )
        .is_empty());
    }

    #[test]
    fn next_hop_types_read_back_in_request_spelling() {
        assert_eq!(
            next_hop_type(Some("vpnConnection")).as_deref(),
            Some("vpn_connection")
        );
        assert_eq!(
            next_hop_type(Some("vpc_attachment")).as_deref(),
            Some("vpc_attachment")
        );
    }
}
