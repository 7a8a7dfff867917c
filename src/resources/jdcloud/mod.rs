//! JD Cloud VPN resources (the `bgw` service).

pub mod border_gateway;
pub mod border_gateway_route;
pub mod customer_gateway;
pub mod customer_gateway_addresses;
pub mod vpc_attachment;
pub mod vpn_connection;
pub mod vpn_tunnel;

/// Name patterns JD Cloud applies to every bgw name (research jdcloud.md §7).
pub const NAME_PATTERN: &str = r"[\p{Han}0-9A-Za-z_-]{1,32}";
pub const NAME_EXPLANATION: &str =
    "1 to 32 characters: Chinese characters, letters, digits, `_` and `-`";
