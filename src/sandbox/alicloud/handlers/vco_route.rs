//! Destination-route actions (Vpc 2016-04-28 `*VcoRouteEntr*`; docs/design/alicloud-vco-routes.md)
//! and Cbn `ListTransitRouterRouteEntries`, which shows where the routes end up: parse, call the
//! backend, render.

use serde_json::{json, Value};

use super::shared::{self, Page};
use crate::sandbox::alicloud::backend::db::Db;
use crate::sandbox::alicloud::backend::model::{VcoRoute, VpnConnection};
use crate::sandbox::alicloud::backend::route_table;
use crate::sandbox::alicloud::backend::vco_route::{
    self as backend, NewRoute, Published, RouteName,
};
use crate::sandbox::alicloud::error::AliError;
use crate::sandbox::alicloud::params::Params;
use crate::sandbox::alicloud::rules;

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

/// A DescribeVcoRouteEntries element. `NextHopTunnelIdList` is left out: the API sends it only
/// for tunnels whose phase-2 negotiation succeeded, which never happens here.
fn render(r: &VcoRoute) -> Value {
    json!({
        "VpnConnectionId": r.vpn_connection_id,
        "RouteDest": r.route_dest,
        "NextHop": r.next_hop,
        "Weight": r.weight,
        "State": PUBLISHED,
        "CreateTime": r.create_time,
        "RouteEntryType": CUSTOM,
    })
}

/// The CreateVcoRouteEntry answer.
fn render_created(r: &VcoRoute) -> Value {
    json!({
        "VpnConnectionId": r.vpn_connection_id,
        "RouteDest": r.route_dest,
        "NextHop": r.next_hop,
        "Weight": r.weight,
        "OverlayMode": r.overlay_mode,
        "Description": r.description,
        "State": PUBLISHED,
        "CreateTime": r.create_time,
    })
}

/// `/_sandbox/state`: as DescribeVcoRouteEntries lists it, plus `RegionId` (routes still being
/// created are shown too: they exist).
pub(super) fn render_state(r: &VcoRoute) -> Value {
    let mut v = render(r);
    if let Value::Object(map) = &mut v {
        map.insert("RegionId".to_owned(), json!(r.region_id));
    }
    v
}

/// The connection a call names (region and id), which must exist: said before anything about
/// the other parameters.
fn connection(db: &Db<'_>, p: &Params) -> Result<VpnConnection, AliError> {
    let region = rules::region(p)?;
    db.connection(region.region, p.required("VpnConnectionId")?)
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
fn next_hop(p: &Params, vco: &str) -> Result<String, AliError> {
    let hop = p.required("NextHop")?;
    if hop == vco {
        Ok(hop.to_owned())
    } else {
        Err(AliError::invalid(
            "NextHop",
            format!(
                "{hop:?} is not this IPsec connection ({vco}); a connection's destination route \
                 leads into the connection"
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

/// How a modify or delete names the route: destination, next hop and current weight.
fn route_name(p: &Params) -> Result<RouteName, AliError> {
    let route_dest = route_dest(p)?;
    let next_hop = p.required("NextHop")?.to_owned();
    let weight = weight(p, "Weight")?;
    overlay_mode(p)?;
    Ok(RouteName {
        route_dest,
        next_hop,
        weight,
    })
}

pub(super) fn create(db: &Db<'_>, p: &Params) -> Result<Value, AliError> {
    let c = connection(db, p)?;
    let route_dest = route_dest(p)?;
    let next_hop = next_hop(p, &c.vpn_connection_id)?;
    let weight = weight(p, "Weight")?;
    let overlay_mode = overlay_mode(p)?;
    let description = p.string("Description").unwrap_or_default();
    if !description.is_empty() {
        rules::name_or_description("Description", &description)?;
    }
    let new = NewRoute {
        route_dest,
        next_hop,
        weight,
        overlay_mode,
        description,
        token: shared::client_token(p)?,
        dry_run: shared::dry_run(p)?,
    };
    Ok(render_created(&backend::create(db, c, new)?))
}

/// DescribeVcoRouteEntries: the connection's listed routes, Vpc paging, and the count.
pub(super) fn describe(db: &Db<'_>, p: &Params) -> Result<Value, AliError> {
    let c = connection(db, p)?;
    let page = Page::parse(p)?;
    let entry_type = p
        .one_of("RouteEntryType", ENTRY_TYPES)?
        .unwrap_or_else(|| CUSTOM.to_owned());
    let routes: Vec<VcoRoute> = if entry_type == CUSTOM {
        backend::listed(db, c)?
    } else {
        Vec::new()
    };
    Ok(json!({
        "PageNumber": page.number,
        "PageSize": page.size,
        "TotalCount": routes.len(),
        "VcoRouteEntries": page.slice(&routes).iter().map(render).collect::<Vec<_>>(),
        "VpnRouteCounts": [{"RouteCount": routes.len(), "RouteEntryType": entry_type}],
    }))
}

/// ModifyVcoRouteEntryWeight: `Weight` names the route (its current weight), `NewWeight` is
/// applied at once.
pub(super) fn modify_weight(db: &Db<'_>, p: &Params) -> Result<Value, AliError> {
    let c = connection(db, p)?;
    let new_weight = weight(p, "NewWeight")?;
    let name = route_name(p)?;
    backend::modify_weight(db, c, &name, new_weight, shared::dry_run(p)?)?;
    Ok(json!({}))
}

/// DeleteVcoRouteEntry: the route stays listed until the connection's update ends.
pub(super) fn delete(db: &Db<'_>, p: &Params) -> Result<Value, AliError> {
    let c = connection(db, p)?;
    let name = route_name(p)?;
    backend::delete(db, c, &name, shared::dry_run(p)?)?;
    Ok(json!({}))
}

/// One route of the transit router's table: a connection's destination route, learned through
/// the binding's propagation (`Propagated`, next hop the binding).
fn render_published(p: &Published, table: &str) -> Value {
    json!({
        "TransitRouterRouteTableId": table,
        "TransitRouterRouteEntryDestinationCidrBlock": p.route.route_dest,
        "TransitRouterRouteEntryType": "Propagated",
        "TransitRouterRouteEntryStatus": "Active",
        "TransitRouterRouteEntryNextHopType": "Attachment",
        "TransitRouterRouteEntryNextHopId": p.attachment.transit_router_attachment_id,
        "TransitRouterRouteEntryNextHopResourceId": p.route.vpn_connection_id,
        "TransitRouterRouteEntryNextHopResourceType": "VPN",
        "TransitRouterRouteEntryOriginResourceId": p.route.vpn_connection_id,
        "TransitRouterRouteEntryOriginResourceType": "VPN",
        "OperationalMode": false,
    })
}

/// Cbn ListTransitRouterRouteEntries (`TransitRouterRouteTableId` required, Cbn paging, the
/// common filters). The seeded tables hold no other routes.
pub(super) fn list_tr_route_entries(db: &Db<'_>, p: &Params) -> Result<Value, AliError> {
    let table = p.required("TransitRouterRouteTableId")?;
    route_table::table(table)?;
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
    let matching: Vec<Value> = backend::published_in(db, table)?
        .iter()
        .map(|published| render_published(published, table))
        .filter(|e| {
            FILTERS
                .iter()
                .all(|f| p.get(f).is_none_or(|want| e[*f].as_str() == Some(want)))
        })
        .collect();
    shared::cbn_answer(p, &matching, "TransitRouterRouteEntries", Value::clone)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::alicloud::backend::model::Phase;

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
        let v = render(&r);
        assert_eq!(v["Weight"], 100);
        assert_eq!(v["State"], "published");
        assert_eq!(v["RouteEntryType"], "custom");
        assert_eq!(render_created(&r)["OverlayMode"], "Ipsec");
        assert_eq!(render_state(&r)["RegionId"], "cn-hangzhou");
        assert_eq!(r.key(), "vcor:vco-1:10.0.0.0/16");
    }
}
