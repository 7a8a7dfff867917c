//! `hybridnet_jdcloud_border_gateway`: the JD Cloud border gateway (BGW)
//! that carries VPN connections and VPC attachments.
//!
//! API: bgw `createBgw`, `describeBgw`, `modifyBgw`, `deleteBgw`
//! (docs/design/jdcloud.md §4.1).

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::cloud::jdcloud::ops::BORDER_GATEWAY as KIND;
use crate::cloud::jdcloud::types as api;
use crate::cloud::jdcloud::Client;
use crate::cloud::ApiError;
use crate::framework::validate::{length_between, one_of, pattern, ObjectRule};
use crate::framework::{
    AttrPath, Attribute, Ctx, Diagnostics, Failure, Resource, Schema, Timeouts, Value,
};
use crate::provider::ProviderData;
use crate::resources::common::{
    api_error_id, changed, jd_delete, jd_find, non_empty, region_and_id, split_import_id,
};
use crate::resources::ownership::{jd_create, Identity, Target};
use serde_json::json;

pub const TYPE_NAME: &str = "hybridnet_jdcloud_border_gateway";
const WHAT: &str = "JD Cloud border gateway";
pub const TIMEOUTS: Timeouts = Timeouts::minutes(10, 5, 10, 10);
/// JD Cloud fixes every border gateway's BGP ASN (docs/design/jdcloud.md §4.1).
pub const BGW_ASN: i64 = 65000;

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct State {
    pub id: Option<String>,
    pub region: Option<String>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub az_type: Option<String>,
    pub az: Option<String>,
    pub asn: Option<i64>,
    pub created_time: Option<String>,
}

pub struct BorderGateway;

pub fn schema() -> Schema {
    Schema::new(
        "A JD Cloud border gateway: the cloud-side router of JD Cloud VPN. VPN connections and VPC attachments \
         hang off it; its BGP ASN is fixed at 65000.",
    )
    .attribute(Attribute::string("id").computed().use_state_for_unknown().description("Border gateway ID (`bgw-…`)."))
    .attribute(
        Attribute::string("region")
            .optional()
            .computed()
            .requires_replace()
            .use_state_for_unknown()
            .description("Region of the border gateway; defaults to the provider's JD Cloud region.")
            .validator(super::region_rule()),
    )
    .attribute(
        Attribute::string("name")
            .required()
            .description("Name of the border gateway.")
            .validator(pattern(super::NAME_PATTERN, super::NAME_EXPLANATION)),
    )
    .attribute(
        Attribute::string("description")
            .optional()
            .description("Free-text description, up to 256 characters.")
            .validator(length_between(1, 256))
            .validator(crate::framework::validate::no_control_chars()),
    )
    .attribute(
        Attribute::string("az_type")
            .default(Value::string("standard"))
            .requires_replace()
            .description("`standard` (regional) or `edge` (in an edge zone, `az` required).")
            .validator(one_of(&["standard", "edge"])),
    )
    .attribute(
        Attribute::string("az")
            .optional()
            .requires_replace()
            .description("Edge availability zone; required when `az_type` is `edge`, not allowed otherwise."),
    )
    .attribute(Attribute::int("asn").computed().use_state_for_unknown().description("BGP ASN of the border gateway (always 65000)."))
    .attribute(Attribute::string("created_time").computed().use_state_for_unknown().description("When the border gateway was created (UTC)."))
    .validator(ObjectRule {
        description: "`az` is required with `az_type = \"edge\"` and not allowed otherwise",
        check: |o: &Value, p: &AttrPath, d: &mut Diagnostics| {
            let az_type = o.get("az_type").as_str().unwrap_or("standard");
            let az = o.get("az");
            if o.get("az_type").is_unknown() || az.is_unknown() {
                return;
            }
            if az_type == "edge" && az.is_null() {
                d.add_attr_error(&p.child("az"), "Missing required argument", "`az` is required when `az_type` is \"edge\".");
            }
            if az_type == "standard" && !az.is_null() {
                d.add_attr_error(&p.child("az"), "Invalid attribute combination", "`az` applies only when `az_type` is \"edge\".");
            }
        },
    })
    .timeouts(TIMEOUTS)
}

#[async_trait]
impl Resource<ProviderData> for BorderGateway {
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
        let spec = api::BgwSpec {
            bgw_name: plan.name.clone().unwrap_or_default(),
            description: plan.description.clone(),
            az_type: plan.az_type.clone(),
            az: plan.az.clone(),
        };
        let identity = Identity::Named(vec![
            ("bgwName", json!(spec.bgw_name)),
            (
                "azType",
                json!(spec.az_type.as_deref().unwrap_or("standard")),
            ),
        ]);
        let target = Target::new(TYPE_NAME, WHAT, &region, &[]);
        let id = jd_create(
            client,
            &ctx.data.claims,
            &KIND,
            &target,
            &identity,
            &spec,
            plan.description.as_deref(),
        )
        .await
        .map_err(|f| {
            f.into_failure(|id| State {
                id: Some(id),
                region: Some(region.clone()),
                asn: Some(BGW_ASN),
                ..State::default()
            })
        })?;
        tracing::info!(id = %id, "created JD Cloud border gateway");
        let created = State {
            id: Some(id.clone()),
            region: Some(region.clone()),
            asn: Some(BGW_ASN),
            ..plan
        };
        match find_by_id(client, &region, &id).await {
            Ok(b) => Ok(flatten(&b, region)),
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
        let (region, id) = region_and_id(client.region(), &state.region, &state.id)?;
        match find_by_id(client, &region, &id).await {
            Ok(b) => Ok(Some(flatten(&b, region))),
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
        let change = api::ModifyBgwSpec {
            bgw_name: changed(&prior.name, &plan.name),
            description: changed(&prior.description, &plan.description),
        };
        if change != api::ModifyBgwSpec::default() {
            client
                .modify(&KIND, &region, &[&id], &change)
                .await
                .map_err(|e| api_error_id("updating", WHAT, &id, &e))?;
        }
        match find_by_id(client, &region, &id).await {
            Ok(b) => Ok(flatten(&b, region)),
            Err(e) => Err(Failure::partial(
                prior,
                api_error_id("reading back", WHAT, &id, &e),
            )),
        }
    }

    async fn delete(&self, ctx: &Ctx<ProviderData>, state: State) -> Result<(), Diagnostics> {
        let client = &ctx.data.jdcloud_until(ctx.deadline)?;
        let (region, id) = region_and_id(client.region(), &state.region, &state.id)?;
        jd_delete(client, &KIND, &region, &[&id], WHAT).await
    }

    async fn import(&self, ctx: &Ctx<ProviderData>, import_id: &str) -> Result<State, Diagnostics> {
        let client = &ctx.data.jdcloud_until(ctx.deadline)?;
        let (region, id) = split_import_id(import_id)?;
        Ok(State {
            id: Some(id.to_string()),
            region: Some(region.unwrap_or(client.region()).to_string()),
            ..State::default()
        })
    }
}

fn flatten(b: &api::Bgw, region: String) -> State {
    State {
        id: Some(b.bgw_id.clone()),
        region: Some(region),
        name: Some(b.bgw_name.clone()),
        description: non_empty(b.description.clone()),
        az_type: Some(non_empty(b.az_type.clone()).unwrap_or_else(|| "standard".to_string())),
        az: non_empty(b.az.clone()),
        asn: Some(BGW_ASN),
        created_time: non_empty(b.created_time.clone()),
    }
}

pub async fn find_by_id(client: &Client, region: &str, id: &str) -> Result<api::Bgw, ApiError> {
    jd_find(client, &KIND, region, &[id]).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::testing::validate_paths;
    use crate::resources::common::test_support::state_matches_schema;

    #[test]
    fn state_fields_match_schema_attributes() {
        state_matches_schema(&schema(), &State::default());
    }

    #[test]
    fn validation_rules_point_at_the_attribute() {
        let s = schema();
        assert!(validate_paths(&s, &[("name", Value::string("bgw_1"))]).is_empty());
        assert_eq!(
            validate_paths(&s, &[("name", Value::string("x".repeat(33)))]),
            ["name"]
        );
        assert_eq!(
            validate_paths(&s, &[("az_type", Value::string("core"))]),
            ["az_type"]
        );
        assert_eq!(
            validate_paths(&s, &[("az_type", Value::string("edge"))]),
            ["az"]
        );
        assert_eq!(
            validate_paths(&s, &[("az", Value::string("cn-north-1a"))]),
            ["az"]
        );
        assert!(validate_paths(
            &s,
            &[
                ("az_type", Value::string("edge")),
                ("az", Value::string("cn-north-1a"))
            ]
        )
        .is_empty());
    }
}
