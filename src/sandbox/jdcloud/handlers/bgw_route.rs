//! Border-gateway static route operations (docs/design/jdcloud.md §4.6) under
//! `/bgws/{bgwId}/bgwRoutes/`: parse, call the backend, render.
//!
//! Only the models are published. INFERRED here (docs/design/jdcloud.md §8.1–§8.5): the paths,
//! wrappers (`bgwRouteSpec`, `modifyBgwRouteSpec`), result shapes and filter names.

use super::kind::{modified, wire, Wire};
use crate::sandbox::jdcloud::backend::bgw_route::{self as backend, RouteTarget};
use crate::sandbox::jdcloud::backend::db::Db;
use crate::sandbox::jdcloud::backend::model::{Bgw, BgwRoute, NexthopType};
use crate::sandbox::jdcloud::error::JdError;
use crate::sandbox::jdcloud::validate;
use crate::sandbox::jdcloud::wire::{OpRequest, Reply, Spec};

/// The parent gateway's path parameter.
const BGW_PARAM: &str = "bgwId";

/// Next-hop types the request may name (`BgwRouteSpec.bgwNexthopType`); `None` = documented but
/// not emulated.
const NEXTHOP_TYPES: &[(&str, Option<NexthopType>)] = &[
    ("vpn_connection", Some(NexthopType::VpnConnection)),
    ("vpc_attachment", Some(NexthopType::VpcAttachment)),
    ("private_vif", None),
    ("hosted_private_vif", None),
    ("vpc", None),
];

pub(super) const WIRE: Wire<BgwRoute> = wire! {
    "bgwRoute", modify: "modifyBgwRouteSpec",
    filters: [
        "bgwRouteIds" => bgw_route_id,
        "bgwRouteDestination" => bgw_route_destination,
        "bgwRouteNexthop" => bgw_route_nexthop,
    ],
};

/// Destination, next hop (and its type, if sent) and description of a create or modify body.
fn parse_target(spec: &Spec) -> Result<RouteTarget, JdError> {
    let destination = spec.checked("bgwRouteDestination", |field, v| {
        validate::cidr(field, v).map(drop)
    })?;
    let nexthop = spec.string("bgwRouteNexthop")?;
    let requested_type = spec.opt_string("bgwNexthopType")?;
    let description = spec.opt_checked("description", validate::description)?;
    let nexthop_type = match requested_type {
        None => None,
        Some(t) => {
            let field = spec.path("bgwNexthopType");
            let known: Vec<&str> = NEXTHOP_TYPES.iter().map(|(t, _)| *t).collect();
            validate::one_of(&field, &t, &known)?;
            let emulated = NEXTHOP_TYPES
                .iter()
                .find(|(name, _)| *name == t)
                .and_then(|(_, emulated)| *emulated)
                .ok_or_else(|| {
                    JdError::invalid_argument(format!(
                        "{field} {t} is not supported by the sandbox (only {} and {})",
                        NexthopType::VpnConnection.request_name(),
                        NexthopType::VpcAttachment.request_name()
                    ))
                })?;
            Some(emulated)
        }
    };
    Ok(RouteTarget {
        destination,
        nexthop,
        nexthop_type,
        description,
    })
}

pub(super) fn create(db: &Db<'_>, req: &OpRequest) -> Result<Reply, JdError> {
    let bgw_id = req.params.get(BGW_PARAM);
    // An unknown gateway is 404 whatever the body says.
    db.get::<Bgw>(bgw_id)?;
    let spec = WIRE.create_spec(req)?;
    let target = parse_target(&spec)?;
    WIRE.create_reply(&spec, backend::create(db, bgw_id, target))
}

pub(super) fn describe_many(db: &Db<'_>, req: &OpRequest) -> Result<Reply, JdError> {
    let all = backend::list(db, req.params.get(BGW_PARAM))?;
    WIRE.listed(all, &req.query)
}

pub(super) fn describe(db: &Db<'_>, req: &OpRequest) -> Result<Reply, JdError> {
    let route = backend::get(db, req.params.get(BGW_PARAM), req.params.get(WIRE.id))?;
    WIRE.described(&route)
}

/// `ModifyBgwRouteSpec`: `bgwRouteId`, destination, next hop (and its type) are all required;
/// `description` is optional.
pub(super) fn modify(db: &Db<'_>, req: &OpRequest) -> Result<Reply, JdError> {
    let (bgw_id, id) = (req.params.get(BGW_PARAM), req.params.get(WIRE.id));
    backend::get(db, bgw_id, id)?;
    let spec = Spec::parse(&req.body, WIRE.modify)?;
    let body_id = spec.string("bgwRouteId")?;
    if body_id != id {
        return Err(JdError::invalid_argument(format!(
            "{} {body_id:?} does not match the route in the path ({id})",
            spec.path("bgwRouteId"),
        )));
    }
    // Required here, unlike in BgwRouteSpec.
    spec.string("bgwNexthopType")?;
    let target = parse_target(&spec)?;
    modified(&spec, backend::modify(db, bgw_id, id, target))
}

pub(super) fn delete(db: &Db<'_>, req: &OpRequest) -> Result<Reply, JdError> {
    backend::delete(db, req.params.get(BGW_PARAM), req.params.get(WIRE.id))?;
    Ok(Reply::Empty)
}
