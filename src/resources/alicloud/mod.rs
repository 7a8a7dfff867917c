//! Alibaba Cloud VPN resources (VPC 2016-04-28 and CBN 2017-09-12).

pub mod customer_gateway;
pub mod ipsec_connection_cen;
pub mod ipsec_connection_route;

use crate::clients::ProviderData;
use crate::cloud::alicloud::Client;
use crate::cloud::regions;
use crate::framework::validate::{
    in_list, length_between, no_control_chars, no_prefix, pattern, InList, StringPattern,
};
use crate::framework::{lifecycle, Attribute};
use crate::resources::schema_parts;

/// An Alibaba Cloud create's means: see [`lifecycle::In`].
pub type In<'a> = lifecycle::In<'a, ProviderData, Client>;
/// An Alibaba Cloud update's or delete's means: see [`lifecycle::On`].
pub type On<'a> = lifecycle::On<'a, ProviderData, Client>;

/// A resource's `region`: one of Alibaba Cloud's regions (the table in `cloud::regions`).
pub fn region_rule() -> InList {
    in_list(regions::ALICLOUD, "an Alibaba Cloud region ID")
}

/// An argument naming another Alibaba Cloud object: its documented prefix
/// (`cgw-`, `cen-`, `tr-`), then lower-case letters, digits and `-`.
pub fn id_rule(prefix: &'static str, explanation: &'static str) -> StringPattern {
    pattern(&format!("{prefix}-[a-z0-9][a-z0-9-]*"), explanation)
}

/// An Alibaba Cloud resource's `region` argument.
pub fn region(description: &str) -> Attribute {
    schema_parts::region(description, region_rule())
}

/// A name or description: Alibaba Cloud cannot clear one, so unset keeps
/// the current value.
pub fn text(name: &str, description: &str) -> Attribute {
    Attribute::string(name)
        .optional()
        .computed()
        .use_state_for_unknown()
        .description(description)
        .validator(length_between(1, 100))
        .validator(no_prefix(&["http://", "https://"]))
        .validator(no_control_chars())
}

/// When Alibaba Cloud created the object.
pub fn create_time() -> Attribute {
    schema_parts::fixed(
        Attribute::int("create_time"),
        "Creation time, Unix epoch milliseconds.",
    )
}
