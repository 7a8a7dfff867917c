//! The Alibaba Cloud backend: the objects ([`model`]), the seeded CEN and transit routers
//! ([`seed`]) and the rules between them, one file per resource, each working in a [`db::Db`]
//! (a store transaction and the request's time from the sandbox clock); [`lifecycle`] settles
//! what is pending. Inputs are typed and already checked parameter by parameter by the
//! handlers; outputs are the objects; errors are [`AliError`](super::error::AliError)s.
//!
//! Dependencies point one way: each resource file uses `db`, `model` and `seed` only, never
//! another resource file; what spans resources (a binding moving its connection, links removed
//! with their attachment, routes deleted with their connection) lives in `db` or `lifecycle`.

pub(super) mod customer_gateway;
pub(super) mod db;
pub(super) mod lifecycle;
pub(super) mod model;
pub(super) mod route_table;
pub(super) mod seed;
pub(super) mod tr_attachment;
pub(super) mod vco_route;
pub(super) mod vpn_connection;
