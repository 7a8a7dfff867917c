//! JD Cloud VPN resources (the `bgw` service).

pub mod border_gateway;
pub mod border_gateway_route;
pub mod customer_gateway;
pub mod customer_gateway_addresses;
pub mod vpc_attachment;
pub mod vpn_connection;
pub mod vpn_tunnel;

/// Name patterns JD Cloud applies to every bgw name (docs/design/jdcloud.md §6).
pub const NAME_PATTERN: &str = r"[\p{Han}0-9A-Za-z_-]{1,32}";
pub const NAME_EXPLANATION: &str =
    "1 to 32 characters: Chinese characters, letters, digits, `_` and `-`";

use crate::cloud::regions;
use crate::framework::validate::{in_list, pattern, InList, StringPattern};

/// A resource's `region`: one of JD Cloud's regions (the table in `cloud::regions`).
pub fn region_rule() -> InList {
    in_list(regions::JDCLOUD, "a JD Cloud region ID")
}

/// An argument naming another JD Cloud object. The shape is INFERRED
/// (docs/design/jdcloud.md §8.5); what matters is that it is not empty and
/// safe in a URL path, where JD Cloud ids travel.
pub fn id_rule() -> StringPattern {
    pattern(
        "[a-z][a-z0-9]*-[a-z0-9]+",
        "a JD Cloud ID such as `bgw-abc123` (a lower-case prefix, `-`, lower-case letters and digits)",
    )
}
