//! Border-gateway static routes (docs/design/jdcloud.md §4.6): model, rules and five operations
//! under `/bgws/{bgwId}/bgwRoutes/`.
//!
//! Only the models are published. INFERRED here (docs/design/jdcloud.md §8.1–§8.5, §8.10, §8.11,
//! §8.16): the paths, wrappers (`bgwRouteSpec`, `modifyBgwRouteSpec`), result shapes, filter
//! names and the id prefix `bgwr`; deriving the next-hop type from the next hop when
//! `bgwNexthopType` is omitted; the `FAILED_PRECONDITION` status of a duplicate route; refusing to
//! delete a next hop a route uses. Propagated routes and the Direct Connect next hops
//! (`private_vif`, `hosted_private_vif`) are not emulated.

use serde::{Deserialize, Serialize};

use super::error::JdError;
use super::wire::{apply_filters, FilterField, ListParams, Spec};
use super::{border_gateway, get_in_region, validate, vpc_attachment, vpn_connection};
use super::{OpRequest, Reply, CLOUD};
use crate::sandbox::ids;
use crate::sandbox::store::{Kind, Tx};

pub(super) const KIND: Kind = Kind {
    cloud: CLOUD,
    name: "bgw_routes",
    id_prefix: "bgwr",
};

/// "50 static … routes/BGW" (docs/design/jdcloud.md §6).
const QUOTA_PER_BGW: usize = 50;
const CREATE_WRAPPER: &str = "bgwRouteSpec";
const MODIFY_WRAPPER: &str = "modifyBgwRouteSpec";
const BGW_PARAM: &str = "bgwId";
const ID_PARAM: &str = "bgwRouteId";
const WHAT: &str = "BgwRoute";
const ORIGIN_STATIC: &str = "static";
/// "route type Static 100" (`Border-Gateway-Features.md`).
const STATIC_PRIORITY: i64 = 100;

/// Next-hop types: request spelling (snake_case, `BgwRouteSpec`) → response spelling (camelCase,
/// `BgwRoute`); `None` = documented but not emulated.
const NEXTHOP_TYPES: &[(&str, Option<&str>)] = &[
    (NEXTHOP_VPN_CONNECTION, Some("vpnConnection")),
    (NEXTHOP_VPC_ATTACHMENT, Some("vpcAttachment")),
    ("private_vif", None),
    ("hosted_private_vif", None),
    ("vpc", None),
];
const NEXTHOP_VPN_CONNECTION: &str = "vpn_connection";
const NEXTHOP_VPC_ATTACHMENT: &str = "vpc_attachment";

/// The `BgwRoute` object (Go `services/bgw/models/BgwRoute.go`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct BgwRoute {
    pub bgw_route_id: String,
    pub bgw_id: String,
    pub bgw_route_destination: String,
    pub bgw_route_nexthop: String,
    pub origin: String,
    pub bgw_route_priority: i64,
    /// Note the capital H, unlike `bgwNexthopType` in the request.
    #[serde(rename = "bgwRouteNextHopType")]
    pub bgw_route_next_hop_type: String,
    pub description: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct CreateResult<'a> {
    bgw_route_id: &'a str,
    bgw_route: &'a BgwRoute,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct DescribeResult<'a> {
    bgw_route: &'a BgwRoute,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct DescribeManyResult {
    bgw_routes: Vec<BgwRoute>,
    total_count: usize,
}

const FILTERS: &[FilterField<BgwRoute>] = &[
    FilterField {
        name: "bgwRouteIds",
        value: |r| r.bgw_route_id.as_str(),
    },
    FilterField {
        name: "bgwRouteDestination",
        value: |r| r.bgw_route_destination.as_str(),
    },
    FilterField {
        name: "bgwRouteNexthop",
        value: |r| r.bgw_route_nexthop.as_str(),
    },
];

/// Destination, next hop and description of a create or modify body, checked against the gateway.
struct Target {
    destination: String,
    nexthop: String,
    /// Response spelling.
    nexthop_type: &'static str,
    description: Option<String>,
}

impl Target {
    fn parse(tx: &Tx<'_>, region: &str, bgw_id: &str, spec: &Spec) -> Result<Self, JdError> {
        let destination = spec.string("bgwRouteDestination")?;
        validate::cidr(&spec.path("bgwRouteDestination"), &destination)?;
        let nexthop = spec.string("bgwRouteNexthop")?;
        let requested_type = spec.opt_string("bgwNexthopType")?;
        let description = spec.opt_string("description")?;
        if let Some(d) = &description {
            validate::description(&spec.path("description"), d)?;
        }
        let type_field = spec.path("bgwNexthopType");
        let request_type = match requested_type {
            Some(t) => {
                let known: Vec<&str> = NEXTHOP_TYPES.iter().map(|(t, _)| *t).collect();
                validate::one_of(&type_field, &t, &known)?;
                t
            }
            None => infer_nexthop_type(tx, region, &nexthop)?.to_owned(),
        };
        let nexthop_type = NEXTHOP_TYPES
            .iter()
            .find(|(t, _)| *t == request_type)
            .and_then(|(_, response)| *response)
            .ok_or_else(|| {
                JdError::invalid_argument(format!(
                    "{type_field} {request_type} is not supported by the sandbox (only \
                     {NEXTHOP_VPN_CONNECTION} and {NEXTHOP_VPC_ATTACHMENT})"
                ))
            })?;
        let owner = if request_type == NEXTHOP_VPN_CONNECTION {
            vpn_connection::get(tx, region, &nexthop)?.bgw_id
        } else {
            vpc_attachment::get(tx, region, &nexthop)?.bgw_id
        };
        if owner != bgw_id {
            return Err(JdError::invalid_argument(format!(
                "{} '{nexthop}' belongs to Bgw '{owner}', not to Bgw '{bgw_id}'",
                spec.path("bgwRouteNexthop")
            )));
        }
        Ok(Self {
            destination,
            nexthop,
            nexthop_type,
            description,
        })
    }
}

/// Which kind of resource `id` is, when the body leaves `bgwNexthopType` out; 404 if neither.
fn infer_nexthop_type(tx: &Tx<'_>, region: &str, id: &str) -> Result<&'static str, JdError> {
    if tx
        .get::<vpn_connection::VpnConnection>(vpn_connection::KIND, id)?
        .is_some_and(|s| s.region == region)
    {
        return Ok(NEXTHOP_VPN_CONNECTION);
    }
    if tx
        .get::<vpc_attachment::VpcAttachment>(vpc_attachment::KIND, id)?
        .is_some_and(|s| s.region == region)
    {
        return Ok(NEXTHOP_VPC_ATTACHMENT);
    }
    Err(JdError::not_found(format!(
        "Next hop '{id}' not found (neither a VpnConnection nor a VpcAttachment)."
    )))
}

/// One route per (destination, next hop) on a gateway.
fn check_unique(routes: &[BgwRoute], target: &Target, except: Option<&str>) -> Result<(), JdError> {
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

pub(super) fn create(tx: &Tx<'_>, req: &OpRequest) -> Result<Reply, JdError> {
    let bgw = find_bgw(tx, req)?;
    let spec = Spec::parse(&req.body, CREATE_WRAPPER)?;
    let target = Target::parse(tx, &req.region, &bgw.bgw_id, &spec)?;
    let routes = of_bgw(tx, &req.region, &bgw.bgw_id)?;
    check_unique(&routes, &target, None)?;
    if routes.len() >= QUOTA_PER_BGW {
        return Err(JdError::quota_exceeded(format!(
            "BgwRoute quota limit exceeded ({QUOTA_PER_BGW} static routes per border gateway)."
        )));
    }
    let route = BgwRoute {
        bgw_route_id: ids::resource_id(tx, KIND)?,
        bgw_id: bgw.bgw_id,
        bgw_route_destination: target.destination,
        bgw_route_nexthop: target.nexthop,
        origin: ORIGIN_STATIC.to_owned(),
        bgw_route_priority: STATIC_PRIORITY,
        bgw_route_next_hop_type: target.nexthop_type.to_owned(),
        description: target.description.unwrap_or_default(),
    };
    tx.insert(KIND, &req.region, &route.bgw_route_id, &route)?;
    Reply::result(&CreateResult {
        bgw_route_id: &route.bgw_route_id,
        bgw_route: &route,
    })
}

pub(super) fn describe_many(tx: &Tx<'_>, req: &OpRequest) -> Result<Reply, JdError> {
    let bgw = find_bgw(tx, req)?;
    let params = ListParams::parse(&req.query)?;
    let all = of_bgw(tx, &req.region, &bgw.bgw_id)?;
    let matching = apply_filters(all, &params.filters, FILTERS)?;
    let (bgw_routes, total_count) = params.page(matching);
    Reply::result(&DescribeManyResult {
        bgw_routes,
        total_count,
    })
}

pub(super) fn describe(tx: &Tx<'_>, req: &OpRequest) -> Result<Reply, JdError> {
    let route = find(tx, req)?;
    Reply::result(&DescribeResult { bgw_route: &route })
}

/// `ModifyBgwRouteSpec`: `bgwRouteId`, destination, next hop (and its type) are all required;
/// `description` is optional.
pub(super) fn modify(tx: &Tx<'_>, req: &OpRequest) -> Result<Reply, JdError> {
    let mut route = find(tx, req)?;
    let spec = Spec::parse(&req.body, MODIFY_WRAPPER)?;
    let body_id = spec.string("bgwRouteId")?;
    if body_id != route.bgw_route_id {
        return Err(JdError::invalid_argument(format!(
            "{} {body_id:?} does not match the route in the path ({})",
            spec.path("bgwRouteId"),
            route.bgw_route_id
        )));
    }
    // Required here, unlike in BgwRouteSpec.
    spec.string("bgwNexthopType")?;
    let target = Target::parse(tx, &req.region, &route.bgw_id, &spec)?;
    let routes = of_bgw(tx, &req.region, &route.bgw_id)?;
    check_unique(&routes, &target, Some(&route.bgw_route_id))?;
    let before = route.clone();
    route.bgw_route_destination = target.destination;
    route.bgw_route_nexthop = target.nexthop;
    route.bgw_route_next_hop_type = target.nexthop_type.to_owned();
    if let Some(description) = target.description {
        route.description = description;
    }
    if route != before {
        tx.update(KIND, &route.bgw_route_id, &route)?;
    }
    Ok(Reply::Empty)
}

pub(super) fn delete(tx: &Tx<'_>, req: &OpRequest) -> Result<Reply, JdError> {
    let route = find(tx, req)?;
    tx.delete(KIND, &route.bgw_route_id)?;
    Ok(Reply::Empty)
}

fn find_bgw(tx: &Tx<'_>, req: &OpRequest) -> Result<border_gateway::Bgw, JdError> {
    border_gateway::get(tx, &req.region, req.params.get(BGW_PARAM))
}

/// The route named by the path, which must belong to the path's gateway; otherwise 404.
fn find(tx: &Tx<'_>, req: &OpRequest) -> Result<BgwRoute, JdError> {
    let bgw = find_bgw(tx, req)?;
    let id = req.params.get(ID_PARAM);
    let route: BgwRoute = get_in_region(tx, KIND, &req.region, id, WHAT)?;
    if route.bgw_id != bgw.bgw_id {
        return Err(JdError::not_found(format!(
            "{WHAT} '{id}' not found on Bgw '{}'.",
            bgw.bgw_id
        )));
    }
    Ok(route)
}

/// Static routes of one border gateway, oldest first.
pub(super) fn of_bgw(tx: &Tx<'_>, region: &str, bgw_id: &str) -> Result<Vec<BgwRoute>, JdError> {
    let all: Vec<BgwRoute> = tx.list(KIND, region)?;
    Ok(all.into_iter().filter(|r| r.bgw_id == bgw_id).collect())
}

/// Refuses to delete `nexthop_id` (a `what`) while a static route of `bgw_id` points at it.
pub(super) fn check_not_nexthop(
    tx: &Tx<'_>,
    region: &str,
    bgw_id: &str,
    nexthop_id: &str,
    what: &str,
) -> Result<(), JdError> {
    let routes: Vec<String> = of_bgw(tx, region, bgw_id)?
        .into_iter()
        .filter(|r| r.bgw_route_nexthop == nexthop_id)
        .map(|r| r.bgw_route_id)
        .collect();
    if routes.is_empty() {
        Ok(())
    } else {
        Err(JdError::failed_precondition(format!(
            "{what} '{nexthop_id}' cannot be deleted while static routes {} use it as next hop",
            routes.join(", ")
        )))
    }
}
