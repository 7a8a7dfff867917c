//! `hybridnet_jdcloud_vpc_attachment`: connects one VPC to a border gateway
//! and chooses which of its subnets are propagated to it.
//!
//! API: bgw `createVpcAttachment`, `describeVpcAttachment`,
//! `modifyVpcAttachment`, `deleteVpcAttachment` (docs/design/jdcloud.md §4.2).

use crate::cloud::jdcloud::types as api;
use crate::framework::validate::{one_of, pattern, ObjectRule};
use crate::framework::{AttrPath, Attribute, Diagnostics, Locator, Schema, Timeouts, Type, Value};
use crate::resources::common::{changed, non_empty};
use crate::resources::ownership::Identity;
use crate::resources::schema_parts;

pub const TYPE_NAME: &str = "hybridnet_jdcloud_vpc_attachment";
const WHAT: &str = "JD Cloud VPC attachment";
/// The default propagation: every subnet of the VPC, including later ones.
const ALL: &str = "all";
pub const TIMEOUTS: Timeouts = schema_parts::TIMEOUTS;

pub struct VpcAttachment;

crate::typed_schema! {
    pub struct State;
    pub fn schema() -> Schema {
        Schema::new(
            "A JD Cloud VPC attachment: connects a VPC to a border gateway and propagates all, some or none of \
             its subnets to it. A border gateway has at most one attachment per VPC.",
        );
        id: String = schema_parts::id("VPC attachment ID."),
        region: String = super::region("Region; defaults to the provider's JD Cloud region."),
        name: String = super::name("Name of the VPC attachment."),
        border_gateway_id: String = super::reference("border_gateway_id", "The border gateway to attach to. JD Cloud cannot move an attachment: a change replaces it."),
        vpc_id: String = Attribute::string("vpc_id")
            .required()
            .description("The VPC to attach (`vpc-…`); can be changed in place.")
            .validator(pattern("vpc-[0-9a-z]+", "a VPC ID such as `vpc-abc123`")),
        propagate_type: String = Attribute::string("propagate_type")
            .default(Value::string("all"))
            .description(
                "Which subnets are propagated to the border gateway: `all` (including subnets added later), \
                 `partial` (only `subnet_ids`) or `none`.",
            )
            .validator(one_of(&["all", "partial", "none"])),
        subnet_ids: Vec<String> = Attribute::new("subnet_ids", Type::set(Type::String))
            .optional()
            .description("Subnets to propagate; required with `propagate_type = \"partial\"` and not allowed otherwise.")
            .validator(crate::framework::validate::each(pattern("subnet-[0-9a-z]+", "a subnet ID such as `subnet-abc123`"))),
        propagated_cidrs: Vec<String> = Attribute::string_list("propagated_cidrs")
            .computed()
            .description("CIDR blocks currently propagated to the border gateway."),
        status: String = Attribute::string("status").computed().description("Attachment status (`active`)."),
        created_time: String = super::created_time("When the attachment was created (UTC)."),
    }
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

super::jd_resource! {
    VpcAttachment => api::VpcAttachment, flattened_by flatten;

    fn expand(&self, plan: &State) -> api::VpcAttachmentSpec {
        api::VpcAttachmentSpec {
            vpc_attachment_name: plan.name.clone().unwrap_or_default(),
            vpc_id: plan.vpc_id.clone().unwrap_or_default(),
            propagate_type: plan.propagate_type.clone().unwrap_or_else(|| ALL.into()),
            bgw_id: plan.border_gateway_id.clone().unwrap_or_default(),
            subnet_ids: plan.subnet_ids.clone(),
        }
    }

    /// One attachment per VPC and border gateway.
    fn identity(&self, spec: &api::VpcAttachmentSpec) -> Identity<api::VpcAttachment> {
        let (bgw, vpc) = (spec.bgw_id.clone(), spec.vpc_id.clone());
        Identity::unique_key(
            format!("border gateway {bgw} and VPC {vpc}"),
            move |o: &api::VpcAttachment| o.bgw_id == bgw && o.vpc_id == vpc,
        )
    }

    fn expand_modify(&self, prior: &State, plan: &State) -> api::ModifyVpcAttachmentSpec {
        let propagation_changed = prior.vpc_id != plan.vpc_id
            || prior.propagate_type != plan.propagate_type
            || sorted(&prior.subnet_ids) != sorted(&plan.subnet_ids);
        api::ModifyVpcAttachmentSpec {
            vpc_attachment_name: changed(&prior.name, &plan.name),
            // Propagation is replaced as a whole.
            propagation_attribute: propagation_changed.then(|| api::PropagationAttribute {
                vpc_id: plan.vpc_id.clone().unwrap_or_default(),
                propagate_type: plan.propagate_type.clone().unwrap_or_else(|| ALL.into()),
                subnet_ids: plan.subnet_ids.clone(),
            }),
        }
    }
}

fn sorted(v: &Option<Vec<String>>) -> Option<Vec<String>> {
    v.clone().map(|mut v| {
        v.sort();
        v
    })
}

fn flatten(a: &api::VpcAttachment, at: &Locator) -> State {
    let partial = a.propagate_type == "partial";
    State {
        id: Some(a.vpc_attachment_id.clone()),
        region: Some(at.region.clone()),
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
