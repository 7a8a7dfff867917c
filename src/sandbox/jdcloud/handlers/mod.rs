//! The JD Cloud handlers: one file per resource, each operation parsing the request (wire
//! types and field rules), calling the backend and rendering the result. [`run`] is the one
//! dispatch table from [`Op`] to handler.
//!
//! To add a resource: its objects in `backend::model`, its rules in a `backend` file, its
//! handlers here, its rows in `routes.rs`, its kind in `backend::model::KINDS`, and its arms in
//! [`run`].

mod bgw_route;
mod border_gateway;
mod customer_gateway;
mod kind;
mod vpc_attachment;
mod vpn_connection;
mod vpn_tunnel;

use super::backend::{self, db::Db};
use super::error::JdError;
use super::routes::Op;
use super::wire::{OpRequest, Reply};

/// Runs operation `op` in `db` (one store transaction).
pub(super) fn run(op: Op, db: &Db<'_>, req: &OpRequest) -> Result<Reply, JdError> {
    match op {
        Op::CreateBgw => border_gateway::create(db, req),
        Op::DescribeBgws => border_gateway::WIRE.describe_many(db, req),
        Op::DescribeBgw => border_gateway::WIRE.describe(db, req),
        Op::ModifyBgw => border_gateway::modify(db, req),
        Op::DeleteBgw => border_gateway::WIRE.delete(db, req, backend::border_gateway::delete),
        Op::CreateVpcAttachment => vpc_attachment::create(db, req),
        Op::DescribeVpcAttachments => vpc_attachment::WIRE.describe_many(db, req),
        Op::DescribeVpcAttachment => vpc_attachment::WIRE.describe(db, req),
        Op::ModifyVpcAttachment => vpc_attachment::modify(db, req),
        Op::DeleteVpcAttachment => {
            vpc_attachment::WIRE.delete(db, req, backend::vpc_attachment::delete)
        }
        Op::CreateCustomerGateway => customer_gateway::create(db, req),
        Op::DescribeCustomerGateways => customer_gateway::WIRE.describe_many(db, req),
        Op::DescribeCustomerGateway => customer_gateway::WIRE.describe(db, req),
        Op::ModifyCustomerGateway => customer_gateway::modify(db, req),
        Op::DeleteCustomerGateway => {
            customer_gateway::WIRE.delete(db, req, backend::customer_gateway::delete)
        }
        Op::CreateVpnConnection => vpn_connection::create(db, req),
        Op::DescribeVpnConnections => vpn_connection::WIRE.describe_many(db, req),
        Op::DescribeVpnConnection => vpn_connection::WIRE.describe(db, req),
        Op::ModifyVpnConnection => vpn_connection::modify(db, req),
        Op::DeleteVpnConnection => {
            vpn_connection::WIRE.delete(db, req, backend::vpn_connection::delete)
        }
        Op::CreateVpnTunnel => vpn_tunnel::create(db, req),
        Op::DescribeVpnTunnels => vpn_tunnel::WIRE.describe_many(db, req),
        Op::DescribeVpnTunnel => vpn_tunnel::WIRE.describe(db, req),
        Op::ModifyVpnTunnel => vpn_tunnel::modify(db, req),
        Op::DeleteVpnTunnel => vpn_tunnel::WIRE.delete(db, req, backend::vpn_tunnel::delete),
        Op::ModifyAdminStatus => vpn_tunnel::modify_admin_status(db, req),
        Op::CreateBgwRoute => bgw_route::create(db, req),
        Op::DescribeBgwRoutes => bgw_route::describe_many(db, req),
        Op::DescribeBgwRoute => bgw_route::describe(db, req),
        Op::ModifyBgwRoute => bgw_route::modify(db, req),
        Op::DeleteBgwRoute => bgw_route::delete(db, req),
    }
}
