//! Alibaba Cloud VPN resources (VPC 2016-04-28 and CBN 2017-09-12).

pub mod customer_gateway;
pub mod ipsec_connection_cen;
pub mod ipsec_connection_route;
