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

use self::route_table::{link_off, link_on, list_links, ASSOCIATIONS, PROPAGATIONS};
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

/// `actions! { PRODUCT { "Action" => handler, … } … }`: the rows of [`ACTIONS`], grouped by
/// product.
macro_rules! actions {
    ($($product:ident { $($name:literal => $handler:expr,)* })*) => {
        &[$($(Action { product: $product, name: $name, handler: $handler },)*)*]
    };
}

/// The dispatch table, keyed by (product version, action). Associations and propagations share
/// one set of handlers, told apart by their [`route_table::Links`].
pub(crate) static ACTIONS: &[Action] = actions! {
    VPC {
        "CreateCustomerGateway" => customer_gateway::create,
        "DescribeCustomerGateway" => customer_gateway::describe,
        "DescribeCustomerGateways" => customer_gateway::describe_many,
        "ModifyCustomerGatewayAttribute" => customer_gateway::modify,
        "DeleteCustomerGateway" => customer_gateway::delete,
        "CreateVpnAttachment" => vpn_connection::create,
        "DescribeVpnConnection" => vpn_connection::describe,
        "DescribeVpnConnections" => vpn_connection::describe_many,
        "ModifyVpnAttachmentAttribute" => vpn_connection::modify,
        "DeleteVpnAttachment" => vpn_connection::delete,
        "CreateVcoRouteEntry" => vco_route::create,
        "DescribeVcoRouteEntries" => vco_route::describe,
        "ModifyVcoRouteEntryWeight" => vco_route::modify_weight,
        "DeleteVcoRouteEntry" => vco_route::delete,
    }
    CBN {
        "CreateTransitRouterVpnAttachment" => tr_attachment::create,
        "ListTransitRouterVpnAttachments" => tr_attachment::list,
        "UpdateTransitRouterVpnAttachmentAttribute" => tr_attachment::update,
        "DeleteTransitRouterVpnAttachment" => tr_attachment::delete,
        "ListTransitRouterRouteTables" => route_table::list_tables,
        "AssociateTransitRouterAttachmentWithRouteTable" => |db, p| link_on(db, p, &ASSOCIATIONS),
        "DissociateTransitRouterAttachmentFromRouteTable" => |db, p| link_off(db, p, &ASSOCIATIONS),
        "ListTransitRouterRouteTableAssociations" => |db, p| list_links(db, p, &ASSOCIATIONS),
        "EnableTransitRouterRouteTablePropagation" => |db, p| link_on(db, p, &PROPAGATIONS),
        "DisableTransitRouterRouteTablePropagation" => |db, p| link_off(db, p, &PROPAGATIONS),
        "ListTransitRouterRouteTablePropagations" => |db, p| list_links(db, p, &PROPAGATIONS),
        "ListTransitRouterRouteEntries" => vco_route::list_tr_route_entries,
    }
};

/// The action `name` of `product`, if implemented.
pub(crate) fn find(product: Product, name: &str) -> Option<&'static Action> {
    ACTIONS
        .iter()
        .find(|a| a.product == product && a.name == name)
}
