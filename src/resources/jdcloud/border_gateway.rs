//! `hybridnet_jdcloud_border_gateway`: the JD Cloud border gateway (BGW)
//! that carries VPN connections and VPC attachments.
//!
//! API: bgw `createBgw`, `describeBgw`, `modifyBgw`, `deleteBgw`
//! (docs/design/jdcloud.md §4.1).

use crate::cloud::jdcloud::types as api;
use crate::framework::validate::{one_of, ObjectRule};
use crate::framework::{AttrPath, Attribute, Diagnostics, Locator, Schema, Timeouts, Value};
use crate::resources::common::{changed, non_empty};
use crate::resources::ownership::Identity;
use crate::resources::schema_parts;

pub const TYPE_NAME: &str = "hybridnet_jdcloud_border_gateway";
const WHAT: &str = "JD Cloud border gateway";
pub const TIMEOUTS: Timeouts = schema_parts::TIMEOUTS;
/// The AZ type of a border gateway that names none.
const STANDARD: &str = "standard";
/// JD Cloud fixes every border gateway's BGP ASN (docs/design/jdcloud.md §4.1).
pub const BGW_ASN: i64 = 65000;

pub struct BorderGateway;

crate::typed_schema! {
    pub struct State;
    pub fn schema() -> Schema {
        Schema::new(
            "A JD Cloud border gateway: the cloud-side router of JD Cloud VPN. VPN connections and VPC attachments \
             hang off it; its BGP ASN is fixed at 65000.",
        );
        id: String = schema_parts::id("Border gateway ID (`bgw-…`)."),
        region: String = super::region("Region of the border gateway; defaults to the provider's JD Cloud region."),
        name: String = super::name("Name of the border gateway."),
        description: String = super::description(),
        az_type: String = Attribute::string("az_type")
            .default(Value::string("standard"))
            .requires_replace()
            .description("`standard` (regional) or `edge` (in an edge zone, `az` required).")
            .validator(one_of(&["standard", "edge"])),
        az: String = Attribute::string("az")
            .optional()
            .requires_replace()
            .description("Edge availability zone; required when `az_type` is `edge`, not allowed otherwise."),
        asn: i64 = schema_parts::fixed(Attribute::int("asn"), "BGP ASN of the border gateway (always 65000)."),
        created_time: String = super::created_time("When the border gateway was created (UTC)."),
    }
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

super::jd_resource! {
    BorderGateway => api::Bgw, described_by description, flattened_by flatten;

    fn expand(&self, plan: &State) -> api::BgwSpec {
        api::BgwSpec {
            bgw_name: plan.name.clone().unwrap_or_default(),
            description: plan.description.clone(),
            az_type: plan.az_type.clone(),
            az: plan.az.clone(),
        }
    }

    fn identity(&self, spec: &api::BgwSpec) -> Identity<api::Bgw> {
        let name = spec.bgw_name.clone();
        let az_type = spec.az_type.clone().unwrap_or_else(|| STANDARD.to_string());
        Identity::named(
            format!("name {name:?} and AZ type {az_type:?}"),
            move |o: &api::Bgw| {
                o.bgw_name == name
                    && non_empty(o.az_type.clone()).as_deref().unwrap_or(STANDARD) == az_type
            },
        )
    }

    fn expand_modify(&self, prior: &State, plan: &State) -> api::ModifyBgwSpec {
        api::ModifyBgwSpec {
            bgw_name: changed(&prior.name, &plan.name),
            description: changed(&prior.description, &plan.description),
        }
    }
}

fn flatten(b: &api::Bgw, at: &Locator) -> State {
    State {
        id: Some(b.bgw_id.clone()),
        region: Some(at.region.clone()),
        name: Some(b.bgw_name.clone()),
        description: non_empty(b.description.clone()),
        az_type: Some(non_empty(b.az_type.clone()).unwrap_or_else(|| STANDARD.to_string())),
        az: non_empty(b.az.clone()),
        asn: Some(BGW_ASN),
        created_time: non_empty(b.created_time.clone()),
    }
}
