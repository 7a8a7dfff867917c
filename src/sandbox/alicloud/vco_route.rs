//! Destination routes of an IPsec connection bound to a transit router (Vpc 2016-04-28
//! `*VcoRouteEntr*`; docs/design/alicloud-vco-routes.md) and where they end up: the route
//! tables of the transit router that the connection's binding propagates to, as Cbn
//! `ListTransitRouterRouteEntries` shows them.
//!
//! Asynchronous like the connection they belong to: a create, weight change or delete puts the
//! connection in `updating`, and a created route is listed (and a deleted one gone) once that
//! ends (see `lifecycle`). One change at a time per connection: any call while it is `updating`
//! (or being bound or unbound) is answered `VpnConnection.Configuring`, which clients retry.
//! Routes belong to the connection: unbinding keeps them (unpublished, since the binding that
//! published them is gone), deleting the connection deletes them.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::error::{codes, AliError};
use super::model::{self, ClientToken, Page};
use super::params::Params;
use super::route_table::{Link, PROPAGATIONS};
use super::tr_attachment::{self, TrVpnAttachment};
use super::vpn_connection::{self, state, VpnConnection};
use super::{rules, seed, Call, CLOUD};
use crate::sandbox::store::{Kind, Tx};

pub(crate) const KIND: Kind = Kind {
    cloud: CLOUD,
    name: "vco_route_entries",
    id_prefix: "vcor",
};

/// `Weight`: low and high priority (the only values the API takes).
const WEIGHTS: &[&str] = &["0", "100"];
/// `OverlayMode`: the only tunnelling protocol, and the default.
const OVERLAY_MODES: &[&str] = &["Ipsec"];
/// `RouteEntryType` of DescribeVcoRouteEntries; the sandbox has no BGP, so `bgp` lists nothing.
const ENTRY_TYPES: &[&str] = &["custom", "bgp"];
const CUSTOM: &str = "custom";
/// `State` of a destination route the transit router has (the one documented value).
const PUBLISHED: &str = "published";
/// Destination the API refuses.
const EVERYTHING: &str = "0.0.0.0/0";

/// Where a route is in its asynchronous life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Phase {
    /// Accepted; listed once the connection's update ends.
    Creating,
    Active,
    /// Still listed until the connection's update ends.
    Deleting,
}

/// A stored destination route (PascalCase like the API; phase and token are bookkeeping).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct VcoRoute {
    pub vpn_connection_id: String,
    pub region_id: String,
    pub route_dest: String,
    pub next_hop: String,
    pub weight: i64,
    pub overlay_mode: String,
    pub description: String,
    /// Epoch milliseconds.
    pub create_time: i64,
    pub phase: Phase,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_token: Option<ClientToken>,
}

impl VcoRoute {
    /// Store id: a connection has one route per destination.
    fn key(&self) -> String {
        store_id(&self.vpn_connection_id, &self.route_dest)
    }

    /// A DescribeVcoRouteEntries element. `NextHopTunnelIdList` is left out: the API sends it
    /// only for tunnels whose phase-2 negotiation succeeded, which never happens here.
    fn to_json(&self) -> Value {
        json!({
            "VpnConnectionId": self.vpn_connection_id,
            "RouteDest": self.route_dest,
            "NextHop": self.next_hop,
            "Weight": self.weight,
            "State": PUBLISHED,
            "CreateTime": self.create_time,
            "RouteEntryType": CUSTOM,
        })
    }

    /// The CreateVcoRouteEntry answer.
    fn created_json(&self) -> Value {
        json!({
            "VpnConnectionId": self.vpn_connection_id,
            "RouteDest": self.route_dest,
            "NextHop": self.next_hop,
            "Weight": self.weight,
            "OverlayMode": self.overlay_mode,
            "Description": self.description,
            "State": PUBLISHED,
            "CreateTime": self.create_time,
        })
    }

    /// `/_sandbox/state`: as DescribeVcoRouteEntries lists it, plus `RegionId` (routes still
    /// being created are shown too: they exist).
    pub(crate) fn state_json(&self) -> Value {
        let mut v = self.to_json();
        if let Value::Object(map) = &mut v {
            map.insert("RegionId".to_owned(), json!(self.region_id));
        }
        v
    }

    /// Whether DescribeVcoRouteEntries lists it (and the transit router has it).
    fn listed(&self) -> bool {
        self.phase != Phase::Creating
    }
}

fn store_id(vco: &str, dest: &str) -> String {
    format!("{}:{vco}:{dest}", KIND.id_prefix)
}

/// Every route of a connection, pending ones included, oldest first.
fn routes_of(tx: &Tx<'_>, c: &VpnConnection) -> Result<Vec<VcoRoute>, AliError> {
    Ok(tx
        .list::<VcoRoute>(KIND, &c.region_id)?
        .into_iter()
        .filter(|r| r.vpn_connection_id == c.vpn_connection_id)
        .collect())
}

/// Deletes every route of connection `vco` at once (the connection is being deleted).
pub(crate) fn remove_all_of(tx: &Tx<'_>, vco: &str) -> Result<(), AliError> {
    for r in tx.list_all::<VcoRoute>(KIND)? {
        if r.vpn_connection_id == vco {
            tx.delete(KIND, &r.key())?;
        }
    }
    Ok(())
}

/// Finishes the pending routes of connections that are no longer `updating` (run by
/// `lifecycle::settle` after the connections).
pub(crate) fn settle(tx: &Tx<'_>) -> Result<(), AliError> {
    for mut r in tx.list_all::<VcoRoute>(KIND)? {
        if r.phase == Phase::Active {
            continue;
        }
        let connection = vpn_connection::find(tx, &r.vpn_connection_id)?;
        if connection
            .as_ref()
            .is_some_and(|c| c.state == state::UPDATING)
        {
            continue;
        }
        if r.phase == Phase::Creating && connection.is_some() {
            r.phase = Phase::Active;
            tx.update(KIND, &r.key(), &r)?;
        } else {
            tx.delete(KIND, &r.key())?;
        }
    }
    Ok(())
}

/// The connection a call names, in the call's region.
fn connection(tx: &Tx<'_>, p: &Params) -> Result<VpnConnection, AliError> {
    let region = rules::region(p)?;
    vpn_connection::get(tx, region.region, p.required("VpnConnectionId")?)
}

/// Refuses a call while the connection is changing: one route change at a time.
fn idle(c: &VpnConnection) -> Result<(), AliError> {
    if c.state == state::ATTACHED || c.state == state::INIT {
        Ok(())
    } else {
        Err(AliError::vco_configuring(&c.vpn_connection_id, &c.state))
    }
}

/// `RouteDest`: an IPv4 CIDR block written as its network address, not 0.0.0.0/0.
fn route_dest(p: &Params) -> Result<String, AliError> {
    let value = p.required("RouteDest")?;
    let nets = rules::subnets("RouteDest", value)?;
    match nets.as_slice() {
        [net] if net.to_string() == EVERYTHING => Err(AliError::invalid(
            "RouteDest",
            "a destination route cannot be 0.0.0.0/0",
        )),
        [net] => Ok(net.to_string()),
        _ => Err(AliError::invalid("RouteDest", "one CIDR block, not a list")),
    }
}

/// `NextHop`: the connection itself (INFERRED: the only next hop a connection's own route can
/// have; every documented example uses the connection's id; docs/design/alicloud-vco-routes.md).
fn next_hop(p: &Params, c: &VpnConnection) -> Result<String, AliError> {
    let hop = p.required("NextHop")?;
    if hop == c.vpn_connection_id {
        Ok(hop.to_owned())
    } else {
        Err(AliError::invalid(
            "NextHop",
            format!(
                "{hop:?} is not this IPsec connection ({}); a connection's destination route \
                 leads into the connection",
                c.vpn_connection_id
            ),
        ))
    }
}

fn weight(p: &Params, name: &str) -> Result<i64, AliError> {
    p.required(name)?;
    let v = p.one_of(name, WEIGHTS)?.unwrap_or_default();
    Ok(v.parse().unwrap_or_default())
}

fn overlay_mode(p: &Params) -> Result<String, AliError> {
    Ok(p.one_of("OverlayMode", OVERLAY_MODES)?
        .unwrap_or_else(|| OVERLAY_MODES[0].to_owned()))
}

/// The listed route a modify or delete call names by destination, next hop and current
/// weight (the API identifies a route by all three); otherwise 404.
fn named_route(tx: &Tx<'_>, p: &Params, c: &VpnConnection) -> Result<VcoRoute, AliError> {
    let dest = route_dest(p)?;
    let hop = p.required("NextHop")?;
    let weight = weight(p, "Weight")?;
    overlay_mode(p)?;
    tx.get::<VcoRoute>(KIND, &store_id(&c.vpn_connection_id, &dest))?
        .map(|s| s.body)
        .filter(|r| r.listed() && r.next_hop == hop && r.weight == weight)
        .ok_or_else(|| {
            AliError::not_found(
                codes::VCO_ROUTE_NOT_FOUND,
                format!(
                    "The IPsec connection {} has no destination route to {dest} via {hop} with \
                     weight {weight}.",
                    c.vpn_connection_id
                ),
            )
        })
}

/// Puts the connection in `updating` for the route change.
fn start_update(tx: &Tx<'_>, mut c: VpnConnection, now_ms: i64) -> Result<(), AliError> {
    c.state = state::UPDATING.to_owned();
    c.state_since = now_ms;
    vpn_connection::save(tx, &c)
}

/// CreateVcoRouteEntry: the connection must be bound to a transit router and idle; one route
/// per destination; a retried call with the same `ClientToken` answers the route it made.
pub(crate) fn create(tx: &Tx<'_>, call: &Call) -> Result<Value, AliError> {
    let p = &call.params;
    let c = connection(tx, p)?;
    let dest = route_dest(p)?;
    let hop = next_hop(p, &c)?;
    let weight = weight(p, "Weight")?;
    let overlay = overlay_mode(p)?;
    let description = p.string("Description").unwrap_or_default();
    if !description.is_empty() {
        rules::name_or_description("Description", &description)?;
    }
    let token = ClientToken::of(rules::client_token(p)?, p);

    let existing: Vec<VcoRoute> = tx.list(KIND, &c.region_id)?;
    if let Some(same) = model::replay(&existing, token.as_ref(), call.now_ms, |r| {
        (r.client_token.as_ref(), r.create_time)
    })? {
        return Ok(same.created_json());
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
        .find(|r| r.vpn_connection_id == c.vpn_connection_id && r.route_dest == dest)
    {
        return Err(AliError::bad(
            codes::VCO_ROUTE_EXISTS,
            format!(
                "The IPsec connection {} already has a destination route to {dest} (weight {}).",
                c.vpn_connection_id, twin.weight
            ),
        ));
    }
    p.dry_run_check()?;
    let route = VcoRoute {
        vpn_connection_id: c.vpn_connection_id.clone(),
        region_id: c.region_id.clone(),
        route_dest: dest,
        next_hop: hop,
        weight,
        overlay_mode: overlay,
        description,
        create_time: call.now_ms,
        phase: Phase::Creating,
        client_token: token,
    };
    tx.insert(KIND, &route.region_id, &route.key(), &route)?;
    start_update(tx, c, call.now_ms)?;
    Ok(route.created_json())
}

/// DescribeVcoRouteEntries: the connection's listed routes, Vpc paging, and the count.
pub(crate) fn describe(tx: &Tx<'_>, call: &Call) -> Result<Value, AliError> {
    let p = &call.params;
    let c = connection(tx, p)?;
    let page = Page::parse(p)?;
    let entry_type = p
        .one_of("RouteEntryType", ENTRY_TYPES)?
        .unwrap_or_else(|| CUSTOM.to_owned());
    let routes: Vec<VcoRoute> = if entry_type == CUSTOM {
        routes_of(tx, &c)?
            .into_iter()
            .filter(VcoRoute::listed)
            .collect()
    } else {
        Vec::new()
    };
    Ok(json!({
        "PageNumber": page.number,
        "PageSize": page.size,
        "TotalCount": routes.len(),
        "VcoRouteEntries": page.slice(&routes).iter().map(VcoRoute::to_json).collect::<Vec<_>>(),
        "VpnRouteCounts": [{"RouteCount": routes.len(), "RouteEntryType": entry_type}],
    }))
}

/// ModifyVcoRouteEntryWeight: `Weight` names the route (its current weight), `NewWeight` is
/// applied at once; the connection is `updating` meanwhile.
pub(crate) fn modify_weight(tx: &Tx<'_>, call: &Call) -> Result<Value, AliError> {
    let p = &call.params;
    let c = connection(tx, p)?;
    let new_weight = weight(p, "NewWeight")?;
    idle(&c)?;
    let mut route = named_route(tx, p, &c)?;
    p.dry_run_check()?;
    route.weight = new_weight;
    tx.update(KIND, &route.key(), &route)?;
    start_update(tx, c, call.now_ms)?;
    Ok(json!({}))
}

/// DeleteVcoRouteEntry: the route stays listed until the connection's update ends.
pub(crate) fn delete(tx: &Tx<'_>, call: &Call) -> Result<Value, AliError> {
    let p = &call.params;
    let c = connection(tx, p)?;
    idle(&c)?;
    let mut route = named_route(tx, p, &c)?;
    if route.phase == Phase::Deleting {
        return Err(AliError::vco_configuring(&c.vpn_connection_id, &c.state));
    }
    p.dry_run_check()?;
    route.phase = Phase::Deleting;
    tx.update(KIND, &route.key(), &route)?;
    start_update(tx, c, call.now_ms)?;
    Ok(json!({}))
}

/// One route of the transit router's table: a connection's destination route, learned through the
/// binding's propagation (`Propagated`, next hop the binding; INFERRED that destination routes
/// travel this way, as routes learned from any attachment do; docs/design/alicloud-vco-routes.md).
fn published_json(r: &VcoRoute, a: &TrVpnAttachment, table: &str) -> Value {
    json!({
        "TransitRouterRouteTableId": table,
        "TransitRouterRouteEntryDestinationCidrBlock": r.route_dest,
        "TransitRouterRouteEntryType": "Propagated",
        "TransitRouterRouteEntryStatus": "Active",
        "TransitRouterRouteEntryNextHopType": "Attachment",
        "TransitRouterRouteEntryNextHopId": a.transit_router_attachment_id,
        "TransitRouterRouteEntryNextHopResourceId": r.vpn_connection_id,
        "TransitRouterRouteEntryNextHopResourceType": "VPN",
        "TransitRouterRouteEntryOriginResourceId": r.vpn_connection_id,
        "TransitRouterRouteEntryOriginResourceType": "VPN",
        "OperationalMode": false,
    })
}

/// Every route the transit router route table `table` has: the listed destination routes of
/// each connection whose `Attached` binding has an `Active` propagation to it. Nothing is
/// stored: a route leaves the table when it is deleted, or when the propagation or binding ends.
pub(crate) fn published_in(tx: &Tx<'_>, table: &str) -> Result<Vec<Value>, AliError> {
    let mut out = Vec::new();
    for link in tx.list_all::<Link>(PROPAGATIONS)? {
        if link.transit_router_route_table_id != table || link.is_pending() {
            continue;
        }
        let attachment = tr_attachment::get(tx, &link.transit_router_attachment_id)?;
        if attachment.status != tr_attachment::status::ATTACHED {
            continue;
        }
        let Some(c) = vpn_connection::find(tx, &attachment.vpn_id)? else {
            continue;
        };
        for r in routes_of(tx, &c)?.iter().filter(|r| r.listed()) {
            out.push(published_json(r, &attachment, table));
        }
    }
    Ok(out)
}

/// Cbn ListTransitRouterRouteEntries (`TransitRouterRouteTableId` required, Cbn paging, the
/// common filters). The seeded tables hold no other routes.
pub(crate) fn list_tr_route_entries(tx: &Tx<'_>, call: &Call) -> Result<Value, AliError> {
    let p = &call.params;
    let table = p.required("TransitRouterRouteTableId")?;
    if seed::by_route_table(table).is_none() {
        return Err(AliError::not_found(
            codes::ROUTE_TABLE_NOT_FOUND,
            format!("The specified TransitRouterRouteTableId {table} does not exist."),
        ));
    }
    const FILTERS: &[&str] = &[
        "TransitRouterRouteEntryDestinationCidrBlock",
        "TransitRouterRouteEntryType",
        "TransitRouterRouteEntryStatus",
        "TransitRouterRouteEntryNextHopType",
        "TransitRouterRouteEntryNextHopId",
        "TransitRouterRouteEntryNextHopResourceId",
        "TransitRouterRouteEntryNextHopResourceType",
        "TransitRouterRouteEntryOriginResourceId",
        "TransitRouterRouteEntryOriginResourceType",
    ];
    let matching: Vec<Value> = published_in(tx, table)?
        .into_iter()
        .filter(|e| {
            FILTERS
                .iter()
                .all(|f| p.get(f).is_none_or(|want| e[*f].as_str() == Some(want)))
        })
        .collect();
    let (page, max, next) = model::cbn_page(p, &matching)?;
    Ok(json!({
        "TotalCount": matching.len(),
        "MaxResults": max,
        "NextToken": next,
        "TransitRouterRouteEntries": page,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn element_shapes() {
        let r = VcoRoute {
            vpn_connection_id: "vco-1".to_owned(),
            region_id: "cn-hangzhou".to_owned(),
            route_dest: "10.0.0.0/16".to_owned(),
            next_hop: "vco-1".to_owned(),
            weight: 100,
            overlay_mode: "Ipsec".to_owned(),
            description: String::new(),
            create_time: 1,
            phase: Phase::Active,
            client_token: None,
        };
        let v = r.to_json();
        assert_eq!(v["Weight"], 100);
        assert_eq!(v["State"], "published");
        assert_eq!(v["RouteEntryType"], "custom");
        assert_eq!(r.created_json()["OverlayMode"], "Ipsec");
        assert_eq!(r.state_json()["RegionId"], "cn-hangzhou");
        assert_eq!(r.key(), "vcor:vco-1:10.0.0.0/16");
    }
}
