//! Destination routes of an IPsec connection bound to a transit router (Vpc 2016-04-28
//! `*VcoRouteEntr*`; docs/design/alicloud-vco-routes.md) and where they end up: the route
//! tables of the transit router that the connection's binding propagates to.
//!
//! Asynchronous like the connection they belong to: a create, weight change or delete puts the
//! connection in `updating`, and a created route is listed (and a deleted one gone) once that
//! ends (see `lifecycle`). One change at a time per connection: any call while it is `updating`
//! (or being bound or unbound) is answered `VpnConnection.Configuring`, which clients retry.
//! Routes belong to the connection: unbinding keeps them (unpublished, since the binding that
//! published them is gone), deleting the connection deletes them.

use super::db::Db;
use super::model::{
    dry_run_check, replay, state, status, vco_route_id, ClientToken, Link, Phase, TrVpnAttachment,
    VcoRoute, VpnConnection, PROPAGATIONS, VCO_ROUTES,
};
use crate::sandbox::alicloud::error::{codes, AliError};

/// A create, its parameters already checked (`next_hop` is the connection itself).
pub(crate) struct NewRoute {
    pub route_dest: String,
    pub next_hop: String,
    pub weight: i64,
    pub overlay_mode: String,
    pub description: String,
    pub token: Option<ClientToken>,
    pub dry_run: bool,
}

/// How a modify or delete names a route: destination, next hop and current weight (the API
/// identifies a route by all three).
pub(crate) struct RouteName {
    pub route_dest: String,
    pub next_hop: String,
    pub weight: i64,
}

/// A route the transit router's table has, and the binding it came through.
pub(crate) struct Published {
    pub route: VcoRoute,
    pub attachment: TrVpnAttachment,
}

/// Refuses a call while the connection is changing: one route change at a time.
fn idle(c: &VpnConnection) -> Result<(), AliError> {
    if c.is_idle() {
        Ok(())
    } else {
        Err(AliError::vco_configuring(&c.vpn_connection_id, &c.state))
    }
}

/// Puts the connection in `updating` for the route change.
fn start_update(db: &Db<'_>, mut c: VpnConnection) -> Result<(), AliError> {
    c.state = state::UPDATING.to_owned();
    c.state_since = db.now_ms();
    db.save(&c)
}

/// The listed route `name` names; otherwise 404.
fn named_route(db: &Db<'_>, c: &VpnConnection, name: &RouteName) -> Result<VcoRoute, AliError> {
    db.find::<VcoRoute>(
        VCO_ROUTES,
        &vco_route_id(&c.vpn_connection_id, &name.route_dest),
    )?
    .filter(|r| r.listed() && r.next_hop == name.next_hop && r.weight == name.weight)
    .ok_or_else(|| {
        AliError::not_found(
            codes::VCO_ROUTE_NOT_FOUND,
            format!(
                "The IPsec connection {} has no destination route to {} via {} with \
                     weight {}.",
                c.vpn_connection_id, name.route_dest, name.next_hop, name.weight
            ),
        )
    })
}

/// CreateVcoRouteEntry: the connection must be bound to a transit router and idle; one route
/// per destination; a retried call with the same `ClientToken` answers the route it made.
pub(crate) fn create(db: &Db<'_>, c: VpnConnection, new: NewRoute) -> Result<VcoRoute, AliError> {
    let existing: Vec<VcoRoute> = db.list(VCO_ROUTES, &c.region_id)?;
    if let Some(same) = replay(&existing, new.token.as_ref(), db.now_ms())? {
        return Ok(same);
    }
    if c.transit_router_attachment_id.is_none() {
        return Err(AliError::bad(
            codes::VCO_NOT_BOUND,
            format!(
                "The IPsec connection {} is not bound to a transit router; bind it first (Cbn \
                 CreateTransitRouterVpnAttachment).",
                c.vpn_connection_id
            ),
        ));
    }
    idle(&c)?;
    if let Some(twin) = existing
        .iter()
        .find(|r| r.vpn_connection_id == c.vpn_connection_id && r.route_dest == new.route_dest)
    {
        return Err(AliError::bad(
            codes::VCO_ROUTE_EXISTS,
            format!(
                "The IPsec connection {} already has a destination route to {} (weight {}).",
                c.vpn_connection_id, new.route_dest, twin.weight
            ),
        ));
    }
    dry_run_check(new.dry_run)?;
    let route = VcoRoute {
        vpn_connection_id: c.vpn_connection_id.clone(),
        region_id: c.region_id.clone(),
        route_dest: new.route_dest,
        next_hop: new.next_hop,
        weight: new.weight,
        overlay_mode: new.overlay_mode,
        description: new.description,
        create_time: db.now_ms(),
        phase: Phase::Creating,
        client_token: new.token,
    };
    db.insert(VCO_ROUTES, &route.region_id, &route.key(), &route)?;
    start_update(db, c)?;
    Ok(route)
}

/// The connection's listed routes, oldest first.
pub(crate) fn listed(db: &Db<'_>, c: VpnConnection) -> Result<Vec<VcoRoute>, AliError> {
    Ok(db
        .routes_of(&c)?
        .into_iter()
        .filter(VcoRoute::listed)
        .collect())
}

/// ModifyVcoRouteEntryWeight: `new_weight` is applied at once; the connection is `updating`
/// meanwhile.
pub(crate) fn modify_weight(
    db: &Db<'_>,
    c: VpnConnection,
    name: &RouteName,
    new_weight: i64,
    dry_run: bool,
) -> Result<(), AliError> {
    idle(&c)?;
    let mut route = named_route(db, &c, name)?;
    dry_run_check(dry_run)?;
    route.weight = new_weight;
    db.update(VCO_ROUTES, &route.key(), &route)?;
    start_update(db, c)
}

/// DeleteVcoRouteEntry: the route stays listed until the connection's update ends.
pub(crate) fn delete(
    db: &Db<'_>,
    c: VpnConnection,
    name: &RouteName,
    dry_run: bool,
) -> Result<(), AliError> {
    idle(&c)?;
    let mut route = named_route(db, &c, name)?;
    if route.phase == Phase::Deleting {
        return Err(AliError::vco_configuring(&c.vpn_connection_id, &c.state));
    }
    dry_run_check(dry_run)?;
    route.phase = Phase::Deleting;
    db.update(VCO_ROUTES, &route.key(), &route)?;
    start_update(db, c)
}

/// Every route the transit router route table `table` has: the listed destination routes of
/// each connection whose `Attached` binding has an `Active` propagation to it (INFERRED that
/// destination routes travel this way, as routes learned from any attachment do;
/// docs/design/alicloud-vco-routes.md). Nothing is stored: a route leaves the table when it is
/// deleted, or when the propagation or binding ends.
pub(crate) fn published_in(db: &Db<'_>, table: &str) -> Result<Vec<Published>, AliError> {
    let mut out = Vec::new();
    for link in db.list_all::<Link>(PROPAGATIONS)? {
        if link.transit_router_route_table_id != table || link.is_pending() {
            continue;
        }
        let attachment = db.attachment(&link.transit_router_attachment_id)?;
        if attachment.status != status::ATTACHED {
            continue;
        }
        let Some(c) = db.find_connection(&attachment.vpn_id)? else {
            continue;
        };
        for route in db.routes_of(&c)?.into_iter().filter(VcoRoute::listed) {
            out.push(Published {
                route,
                attachment: attachment.clone(),
            });
        }
    }
    Ok(out)
}
