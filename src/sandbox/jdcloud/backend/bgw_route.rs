//! Border-gateway static routes (docs/design/jdcloud.md §4.6): a next hop of the same gateway, one
//! route per (destination, next hop), quota.
//!
//! INFERRED here (docs/design/jdcloud.md §8.10, §8.16): deriving the next-hop type from the next
//! hop when `bgwNexthopType` is omitted; the `FAILED_PRECONDITION` status of a duplicate route.
//! Propagated routes and the Direct Connect next hops are not emulated.

use super::db::Db;
use super::model::{
    Bgw, BgwRoute, NexthopType, Object, VpcAttachment, VpnConnection, BGW_ROUTES, VPC_ATTACHMENTS,
    VPN_CONNECTIONS,
};
use crate::sandbox::jdcloud::error::{JdError, Status};

const ORIGIN_STATIC: &str = "static";
/// "route type Static 100" (`Border-Gateway-Features.md`).
const STATIC_PRIORITY: i64 = 100;

/// Destination, next hop and description of a create or modify, their fields already checked.
pub(crate) struct RouteTarget {
    pub destination: String,
    pub nexthop: String,
    /// `None`: derived from what the next hop is.
    pub nexthop_type: Option<NexthopType>,
    pub description: Option<String>,
}

pub(crate) fn create(db: &Db<'_>, bgw_id: &str, target: RouteTarget) -> Result<BgwRoute, JdError> {
    let bgw = db.get::<Bgw>(bgw_id)?;
    let nexthop_type = check_target(db, &bgw.bgw_id, &target)?;
    let routes = db.all_where(|r: &BgwRoute| r.bgw_id == bgw.bgw_id)?;
    check_unique(&routes, &target, None)?;
    db.check_count::<BgwRoute>(routes.len())?;
    let route = BgwRoute {
        bgw_route_id: db.new_id(BGW_ROUTES)?,
        bgw_id: bgw.bgw_id,
        bgw_route_destination: target.destination,
        bgw_route_nexthop: target.nexthop,
        origin: ORIGIN_STATIC.to_owned(),
        bgw_route_priority: STATIC_PRIORITY,
        bgw_route_next_hop_type: nexthop_type.response_name().to_owned(),
        description: target.description.unwrap_or_default(),
    };
    db.add(&route)?;
    Ok(route)
}

/// The routes of a border gateway (404 if there is no such gateway).
pub(crate) fn list(db: &Db<'_>, bgw_id: &str) -> Result<Vec<BgwRoute>, JdError> {
    let bgw = db.get::<Bgw>(bgw_id)?;
    db.all_where(|r: &BgwRoute| r.bgw_id == bgw.bgw_id)
}

/// The route `id`, which must belong to gateway `bgw_id`; otherwise 404.
pub(crate) fn get(db: &Db<'_>, bgw_id: &str, id: &str) -> Result<BgwRoute, JdError> {
    let bgw = db.get::<Bgw>(bgw_id)?;
    let route = db.get::<BgwRoute>(id)?;
    if route.bgw_id != bgw.bgw_id {
        return Err(JdError::not_found(format!(
            "{} '{id}' not found on Bgw '{}'.",
            BgwRoute::WHAT,
            bgw.bgw_id
        )));
    }
    Ok(route)
}

/// `ModifyBgwRouteSpec`: destination and next hop replaced, `description` if sent.
pub(crate) fn modify(
    db: &Db<'_>,
    bgw_id: &str,
    id: &str,
    target: RouteTarget,
) -> Result<(), JdError> {
    let mut route = get(db, bgw_id, id)?;
    let nexthop_type = check_target(db, &route.bgw_id, &target)?;
    let routes = db.all_where(|r: &BgwRoute| r.bgw_id == route.bgw_id)?;
    check_unique(&routes, &target, Some(&route.bgw_route_id))?;
    let before = route.clone();
    route.bgw_route_destination = target.destination;
    route.bgw_route_nexthop = target.nexthop;
    route.bgw_route_next_hop_type = nexthop_type.response_name().to_owned();
    if let Some(description) = target.description {
        route.description = description;
    }
    if route != before {
        db.save(&route)?;
    }
    Ok(())
}

pub(crate) fn delete(db: &Db<'_>, bgw_id: &str, id: &str) -> Result<(), JdError> {
    let route = get(db, bgw_id, id)?;
    db.remove(&route)
}

/// The next hop's type, after checking that it exists and belongs to gateway `bgw_id`.
fn check_target(db: &Db<'_>, bgw_id: &str, target: &RouteTarget) -> Result<NexthopType, JdError> {
    let nexthop = target.nexthop.as_str();
    let nexthop_type = match target.nexthop_type {
        Some(t) => t,
        None => infer_nexthop_type(db, nexthop)?,
    };
    let owner = match nexthop_type {
        NexthopType::VpnConnection => db.get::<VpnConnection>(nexthop)?.bgw_id,
        NexthopType::VpcAttachment => db.get::<VpcAttachment>(nexthop)?.bgw_id,
    };
    if owner != bgw_id {
        return Err(JdError::field(
            Status::InvalidArgument,
            "bgwRouteNexthop",
            format!("'{nexthop}' belongs to Bgw '{owner}', not to Bgw '{bgw_id}'"),
        ));
    }
    Ok(nexthop_type)
}

/// Which kind of resource `id` is, when the body leaves `bgwNexthopType` out; 404 if neither.
fn infer_nexthop_type(db: &Db<'_>, id: &str) -> Result<NexthopType, JdError> {
    if db
        .find_in::<VpnConnection>(VPN_CONNECTIONS, db.region(), id)?
        .is_some()
    {
        return Ok(NexthopType::VpnConnection);
    }
    if db
        .find_in::<VpcAttachment>(VPC_ATTACHMENTS, db.region(), id)?
        .is_some()
    {
        return Ok(NexthopType::VpcAttachment);
    }
    Err(JdError::not_found(format!(
        "Next hop '{id}' not found (neither a VpnConnection nor a VpcAttachment)."
    )))
}

/// One route per (destination, next hop) on a gateway.
fn check_unique(
    routes: &[BgwRoute],
    target: &RouteTarget,
    except: Option<&str>,
) -> Result<(), JdError> {
    match routes.iter().find(|r| {
        r.bgw_route_destination == target.destination
            && r.bgw_route_nexthop == target.nexthop
            && Some(r.bgw_route_id.as_str()) != except
    }) {
        Some(other) => Err(JdError::failed_precondition(format!(
            "BgwRoute '{}' already routes {} via {}",
            other.bgw_route_id, target.destination, target.nexthop
        ))),
        None => Ok(()),
    }
}
