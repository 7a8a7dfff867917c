//! The JD Cloud backend: the objects ([`model`]) and the rules between them, one file per
//! resource, each working in a [`db::Db`] (a store transaction and the request's time from the
//! sandbox clock). Inputs are typed and already field-checked by the handlers; outputs are the
//! objects; errors are [`JdError`](super::error::JdError)s, a rule about one request field naming
//! it unqualified (the handler knows the body's wrapper).
//!
//! Dependencies point one way: each resource file uses `db` and `model` only, never another
//! resource file, so a rule that spans resources (a delete blocked by children, `haStatus`
//! following tunnels, a border gateway's child lists) lives in `db`.

pub(super) mod bgw_route;
pub(super) mod border_gateway;
pub(super) mod customer_gateway;
pub(super) mod db;
pub(super) mod model;
pub(super) mod vpc_attachment;
pub(super) mod vpn_connection;
pub(super) mod vpn_tunnel;
