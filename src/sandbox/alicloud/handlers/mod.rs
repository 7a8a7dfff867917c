//! The Alibaba Cloud handlers: one file per resource, each action parsing the call's parameters
//! (field rules in `rules`), calling the backend and rendering the answer; [`find`] looks an
//! action up in the one dispatch table, [`ACTIONS`]. `state_view` renders `/_sandbox/state`.
//!
//! To add an action: a handler `fn(&Db, &Params) -> Result<Value, AliError>` in its resource
//! file (and what it needs in the backend), and a row in [`ACTIONS`].

mod customer_gateway;
mod route_table;
mod shared;
pub(super) mod state_view;
mod tr_attachment;
mod vco_route;
mod vpn_connection;

use serde_json::Value;

use super::backend::db::Db;
use super::error::AliError;
use super::params::Params;

/// An API product: name (for `Recommend`) and the version that selects it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Product {
    pub name: &'static str,
    pub version: &'static str,
}

pub(crate) const VPC: Product = Product {
    name: "Vpc",
    version: "2016-04-28",
};
pub(crate) const CBN: Product = Product {
    name: "Cbn",
    version: "2017-09-12",
};
pub(crate) const PRODUCTS: &[Product] = &[VPC, CBN];

pub(crate) type Handler = fn(&Db<'_>, &Params) -> Result<Value, AliError>;

/// One row per implemented action.
pub(crate) struct Action {
    pub product: Product,
    pub name: &'static str,
    pub handler: Handler,
}

const fn action(product: Product, name: &'static str, handler: Handler) -> Action {
    Action {
        product,
        name,
        handler,
    }
}

/// The dispatch table, keyed by (product version, action).
pub(crate) static ACTIONS: &[Action] = &[
    action(VPC, "CreateCustomerGateway", customer_gateway::create),
    action(VPC, "DescribeCustomerGateway", customer_gateway::describe),
    action(
        VPC,
        "DescribeCustomerGateways",
        customer_gateway::describe_many,
    ),
    action(
        VPC,
        "ModifyCustomerGatewayAttribute",
        customer_gateway::modify,
    ),
    action(VPC, "DeleteCustomerGateway", customer_gateway::delete),
    action(VPC, "CreateVpnAttachment", vpn_connection::create),
    action(VPC, "DescribeVpnConnection", vpn_connection::describe),
    action(VPC, "DescribeVpnConnections", vpn_connection::describe_many),
    action(VPC, "ModifyVpnAttachmentAttribute", vpn_connection::modify),
    action(VPC, "DeleteVpnAttachment", vpn_connection::delete),
    action(VPC, "CreateVcoRouteEntry", vco_route::create),
    action(VPC, "DescribeVcoRouteEntries", vco_route::describe),
    action(VPC, "ModifyVcoRouteEntryWeight", vco_route::modify_weight),
    action(VPC, "DeleteVcoRouteEntry", vco_route::delete),
    action(
        CBN,
        "CreateTransitRouterVpnAttachment",
        tr_attachment::create,
    ),
    action(CBN, "ListTransitRouterVpnAttachments", tr_attachment::list),
    action(
        CBN,
        "UpdateTransitRouterVpnAttachmentAttribute",
        tr_attachment::update,
    ),
    action(
        CBN,
        "DeleteTransitRouterVpnAttachment",
        tr_attachment::delete,
    ),
    action(
        CBN,
        "ListTransitRouterRouteTables",
        route_table::list_tables,
    ),
    action(
        CBN,
        "AssociateTransitRouterAttachmentWithRouteTable",
        route_table::associate,
    ),
    action(
        CBN,
        "DissociateTransitRouterAttachmentFromRouteTable",
        route_table::dissociate,
    ),
    action(
        CBN,
        "ListTransitRouterRouteTableAssociations",
        route_table::list_associations,
    ),
    action(
        CBN,
        "EnableTransitRouterRouteTablePropagation",
        route_table::enable_propagation,
    ),
    action(
        CBN,
        "DisableTransitRouterRouteTablePropagation",
        route_table::disable_propagation,
    ),
    action(
        CBN,
        "ListTransitRouterRouteTablePropagations",
        route_table::list_propagations,
    ),
    action(
        CBN,
        "ListTransitRouterRouteEntries",
        vco_route::list_tr_route_entries,
    ),
];

/// The action `name` of `product`, if implemented.
pub(crate) fn find(product: Product, name: &str) -> Option<&'static Action> {
    ACTIONS
        .iter()
        .find(|a| a.product == product && a.name == name)
}
