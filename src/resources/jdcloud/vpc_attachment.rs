//! `hybridnet_jdcloud_vpc_attachment`: connects one VPC to a border gateway
//! and chooses which of its subnets are propagated to it.
//!
//! API: bgw `createVpcAttachment`, `describeVpcAttachment`,
//! `modifyVpcAttachment`, `deleteVpcAttachment` (docs/design/jdcloud.md §4.2).

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::cloud::jdcloud::ops::VPC_ATTACHMENT as KIND;
use crate::cloud::jdcloud::types as api;
use crate::cloud::jdcloud::Client;
use crate::cloud::ApiError;
use crate::framework::validate::{one_of, pattern, ObjectRule};
use crate::framework::{
    AttrPath, Attribute, Ctx, Diagnostics, Failure, Resource, Schema, Timeouts, Type, Value,
};
use crate::provider::ProviderData;
use crate::resources::common::{
    api_error_id, changed, jd_delete, jd_find, non_empty, region_and_id, split_import_id,
};
use crate::resources::ownership::{jd_create, Identity, Target};
use serde_json::json;

pub const TYPE_NAME: &str = "hybridnet_jdcloud_vpc_attachment";
const WHAT: &str = "JD Cloud VPC attachment";
pub const TIMEOUTS: Timeouts = Timeouts::minutes(10, 5, 10, 10);

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct State {
    pub id: Option<String>,
    pub region: Option<String>,
    pub name: Option<String>,
    pub border_gateway_id: Option<String>,
    pub vpc_id: Option<String>,
    pub propagate_type: Option<String>,
    pub subnet_ids: Option<Vec<String>>,
    pub propagated_cidrs: Option<Vec<String>>,
    pub status: Option<String>,
    pub created_time: Option<String>,
}

pub struct VpcAttachment;

pub fn schema() -> Schema {
    Schema::new(
        "A JD Cloud VPC attachment: connects a VPC to a border gateway and propagates all, some or none of \
         its subnets to it. A border gateway has at most one attachment per VPC.",
    )
    .attribute(Attribute::string("id").computed().use_state_for_unknown().description("VPC attachment ID."))
    .attribute(
        Attribute::string("region")
            .optional()
            .computed()
            .requires_replace()
            .use_state_for_unknown()
            .description("Region; defaults to the provider's JD Cloud region.")
            .validator(super::region_rule()),
    )
    .attribute(
        Attribute::string("name")
            .required()
            .description("Name of the VPC attachment.")
            .validator(pattern(super::NAME_PATTERN, super::NAME_EXPLANATION)),
    )
    .attribute(
        Attribute::string("border_gateway_id")
            .required()
            .requires_replace()
            .description("The border gateway to attach to. JD Cloud cannot move an attachment: a change replaces it.")
            .validator(super::id_rule()),
    )
    .attribute(
        Attribute::string("vpc_id")
            .required()
            .description("The VPC to attach (`vpc-…`); can be changed in place.")
            .validator(pattern("vpc-[0-9a-z]+", "a VPC ID such as `vpc-abc123`")),
    )
    .attribute(
        Attribute::string("propagate_type")
            .default(Value::string("all"))
            .description(
                "Which subnets are propagated to the border gateway: `all` (including subnets added later), \
                 `partial` (only `subnet_ids`) or `none`.",
            )
            .validator(one_of(&["all", "partial", "none"])),
    )
    .attribute(
        Attribute::new("subnet_ids", Type::set(Type::String))
            .optional()
            .description("Subnets to propagate; required with `propagate_type = \"partial\"` and not allowed otherwise.")
            .validator(crate::framework::validate::each(pattern("subnet-[0-9a-z]+", "a subnet ID such as `subnet-abc123`"))),
    )
    .attribute(
        Attribute::string_list("propagated_cidrs")
            .computed()
            .description("CIDR blocks currently propagated to the border gateway."),
    )
    .attribute(Attribute::string("status").computed().description("Attachment status (`active`)."))
    .attribute(Attribute::string("created_time").computed().use_state_for_unknown().description("When the attachment was created (UTC)."))
    .validator(ObjectRule {
        description: "`subnet_ids` goes with `propagate_type = \"partial\"` only",
        check: |o: &Value, p: &AttrPath, d: &mut Diagnostics| {
            let t = o.get("propagate_type");
            let subnets = o.get("subnet_ids");
            if t.is_unknown() || subnets.is_unknown() {
                return;
            }
            let partial = t.as_str() == Some("partial");
            let empty = subnets.as_list().is_none_or(<[Value]>::is_empty);
            if partial && empty {
                d.add_attr_error(&p.child("subnet_ids"), "Missing required argument", "`subnet_ids` needs at least one subnet when `propagate_type` is \"partial\".");
            }
            if !partial && !subnets.is_null() {
                d.add_attr_error(&p.child("subnet_ids"), "Invalid attribute combination", "`subnet_ids` applies only when `propagate_type` is \"partial\".");
            }
        },
    })
    .timeouts(TIMEOUTS)
}

#[async_trait]
impl Resource<ProviderData> for VpcAttachment {
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
        let spec = api::VpcAttachmentSpec {
            vpc_attachment_name: plan.name.clone().unwrap_or_default(),
            vpc_id: plan.vpc_id.clone().unwrap_or_default(),
            propagate_type: plan.propagate_type.clone().unwrap_or_else(|| "all".into()),
            bgw_id: plan.border_gateway_id.clone().unwrap_or_default(),
            subnet_ids: plan.subnet_ids.clone(),
        };
        // One attachment per VPC and border gateway.
        let identity = Identity::UniqueKey(vec![
            ("bgwId", json!(spec.bgw_id)),
            ("vpcId", json!(spec.vpc_id)),
        ]);
        let target = Target::new(TYPE_NAME, WHAT, &region, &[]);
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
                ..State::default()
            })
        })?;
        tracing::info!(id = %id, "created JD Cloud VPC attachment");
        let created = State {
            id: Some(id.clone()),
            region: Some(region.clone()),
            ..plan
        };
        match find_by_id(client, &region, &id).await {
            Ok(a) => Ok(flatten(&a, region)),
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
            Ok(a) => Ok(Some(flatten(&a, region))),
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
        let propagation_changed = prior.vpc_id != plan.vpc_id
            || prior.propagate_type != plan.propagate_type
            || sorted(&prior.subnet_ids) != sorted(&plan.subnet_ids);
        let change = api::ModifyVpcAttachmentSpec {
            vpc_attachment_name: changed(&prior.name, &plan.name),
            // Propagation is replaced as a whole.
            propagation_attribute: propagation_changed.then(|| api::PropagationAttribute {
                vpc_id: plan.vpc_id.clone().unwrap_or_default(),
                propagate_type: plan.propagate_type.clone().unwrap_or_else(|| "all".into()),
                subnet_ids: plan.subnet_ids.clone(),
            }),
        };
        if change != api::ModifyVpcAttachmentSpec::default() {
            client
                .modify(&KIND, &region, &[&id], &change)
                .await
                .map_err(|e| api_error_id("updating", WHAT, &id, &e))?;
        }
        match find_by_id(client, &region, &id).await {
            Ok(a) => Ok(flatten(&a, region)),
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

fn sorted(v: &Option<Vec<String>>) -> Option<Vec<String>> {
    v.clone().map(|mut v| {
        v.sort();
        v
    })
}

fn flatten(a: &api::VpcAttachment, region: String) -> State {
    let partial = a.propagate_type == "partial";
    State {
        id: Some(a.vpc_attachment_id.clone()),
        region: Some(region),
        name: Some(a.vpc_attachment_name.clone()),
        border_gateway_id: Some(a.bgw_id.clone()),
        vpc_id: Some(a.vpc_id.clone()),
        propagate_type: Some(a.propagate_type.clone()),
        // JD reports propagated subnets, not the ones chosen; for `partial`
        // they are the same set.
        subnet_ids: partial.then(|| {
            a.propagate_cidr_infos
                .iter()
                .map(|c| c.subnet_id.clone())
                .collect()
        }),
        propagated_cidrs: Some(
            a.propagate_cidr_infos
                .iter()
                .map(|c| c.subnet_cidr.clone())
                .collect(),
        ),
        status: non_empty(a.status.clone()),
        created_time: non_empty(a.created_time.clone()),
    }
}

pub async fn find_by_id(
    client: &Client,
    region: &str,
    id: &str,
) -> Result<api::VpcAttachment, ApiError> {
    jd_find(client, &KIND, region, &[id]).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::testing::validate_paths;
    use crate::resources::common::test_support::state_matches_schema;

    fn list(v: &[&str]) -> Value {
        Value::List(v.iter().map(|s| Value::string(*s)).collect())
    }

    #[test]
    fn state_fields_match_schema_attributes() {
        state_matches_schema(&schema(), &State::default());
    }

    #[test]
    fn validation_rules_point_at_the_attribute() {
        let s = schema();
        assert_eq!(
            validate_paths(&s, &[("vpc_id", Value::string("vpc1"))]),
            ["vpc_id"]
        );
        assert_eq!(
            validate_paths(&s, &[("propagate_type", Value::string("some"))]),
            ["propagate_type"]
        );
        assert_eq!(
            validate_paths(&s, &[("propagate_type", Value::string("partial"))]),
            ["subnet_ids"]
        );
        assert_eq!(
            validate_paths(&s, &[("subnet_ids", list(&["subnet-a1"]))]),
            ["subnet_ids"]
        );
        assert_eq!(
            validate_paths(
                &s,
                &[
                    ("propagate_type", Value::string("partial")),
                    ("subnet_ids", list(&["subnet-a1", "sub"]))
                ]
            ),
            ["subnet_ids[1]"]
        );
        assert!(validate_paths(
            &s,
            &[
                ("propagate_type", Value::string("partial")),
                ("subnet_ids", list(&["subnet-a1"]))
            ]
        )
        .is_empty());
    }
}
