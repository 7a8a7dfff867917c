//! Alibaba Cloud VPN resources (VPC 2016-04-28 and CBN 2017-09-12).

pub mod customer_gateway;
pub mod ipsec_connection_cen;
pub mod ipsec_connection_route;

use crate::cloud::regions;
use crate::framework::validate::{in_list, pattern, InList, StringPattern};

/// A resource's `region`: one of Alibaba Cloud's regions (the table in `cloud::regions`).
pub fn region_rule() -> InList {
    in_list(regions::ALICLOUD, "an Alibaba Cloud region ID")
}

/// An argument naming another Alibaba Cloud object: its documented prefix
/// (`cgw-`, `cen-`, `tr-`), then lower-case letters, digits and `-`.
pub fn id_rule(prefix: &'static str, explanation: &'static str) -> StringPattern {
    pattern(&format!("{prefix}-[a-z0-9][a-z0-9-]*"), explanation)
}
