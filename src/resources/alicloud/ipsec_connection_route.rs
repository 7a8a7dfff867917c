//! `hybridnet_alicloud_ipsec_connection_route`: a destination route of an
//! IPsec connection bound to a transit router, which Alibaba Cloud publishes
//! to the transit router — how a static (non-BGP) connection tells the
//! transit router which networks lie behind it.
//!
//! API: Vpc `CreateVcoRouteEntry`, `DescribeVcoRouteEntries`,
//! `ModifyVcoRouteEntryWeight`, `DeleteVcoRouteEntry`
//! (docs/design/alicloud-vco-routes.md). Only the weight changes in place.
//! Every change is asynchronous: the connection is `updating` until it is done.

use crate::clients::{Claims, ProviderData};
use crate::cloud::alicloud::{actions, client_token, types as api, Client, Paging, Params};
use crate::cloud::ApiError;
use crate::framework::validate::{cidr, int_one_of, one_of, parse_cidr, ObjectRule, Validator};
use crate::framework::{
    AttrPath, Attribute, Ctx, Diagnostics, Failed, Locator, NotCreated, Schema, Timeouts, Value,
};
use crate::resources::common::{ali_find, api_error, api_error_id, non_empty};
use crate::resources::ownership::Target;
use crate::resources::schema_parts;
use crate::resources::wait::wait_for;

use super::{In, On};

pub const TYPE_NAME: &str = "hybridnet_alicloud_ipsec_connection_route";
const WHAT: &str = "Alibaba Cloud IPsec connection route";
pub const TIMEOUTS: Timeouts = schema_parts::TIMEOUTS;
/// High priority: the route is used whenever the connection is up.
const DEFAULT_WEIGHT: i64 = 100;
/// The only tunnelling protocol the API has.
const OVERLAY_IPSEC: &str = "Ipsec";
/// `State` of a route the transit router has.
const PUBLISHED: &str = "published";
/// Connection states in which no change is running.
const IDLE: &[&str] = &["attached", "init", "active"];
/// Largest page DescribeVcoRouteEntries serves.
const PAGE_SIZE: usize = 50;

pub struct IpsecConnectionRoute;

/// Destinations Alibaba Cloud refuses (0.0.0.0/0) or warns against: anything
/// touching 100.64.0.0/10 breaks the connection's negotiation.
struct RouteDest;

impl Validator for RouteDest {
    fn description(&self) -> String {
        "not `0.0.0.0/0`, and neither inside, equal to nor containing `100.64.0.0/10`".to_string()
    }
    fn validate(&self, value: &Value, path: &AttrPath, diags: &mut Diagnostics) {
        let Some(Ok(net)) = value.as_str().map(parse_cidr) else {
            return;
        };
        let shared = "100.64.0.0/10".parse::<ipnet::Ipv4Net>().ok();
        let problem = if net.prefix_len() == 0 {
            Some("Alibaba Cloud refuses a destination route to 0.0.0.0/0".to_string())
        } else if shared.is_some_and(|s| s.contains(&net) || net.contains(&s)) {
            Some(format!(
                "{net} overlaps 100.64.0.0/10, which breaks the IPsec negotiation"
            ))
        } else {
            None
        };
        schema_parts::refuse(self, problem, path, diags);
    }
}

crate::typed_schema! {
    pub struct State;
    pub fn schema() -> Schema {
        Schema::new(
            "A destination route of an Alibaba Cloud IPsec connection bound to a transit router (destination \
             routing without BGP): traffic for `route_dest` enters the connection. Alibaba Cloud publishes the \
             route to the transit router, whose route tables that the connection propagates to then lead to \
             the peer's network. One route per destination and connection.",
        );
        id: String = schema_parts::id("`<vpn_connection_id>/<route_dest>`, e.g. `vco-0123abcd/192.168.0.0/16`."),
        region: String = super::region("Region of the connection; defaults to the provider's Alibaba Cloud region."),
        vpn_connection_id: String = schema_parts::reference("vpn_connection_id", "IPsec connection (`vco-…`) the route belongs to; it must be bound to a transit router.", super::id_rule("vco", "an IPsec connection ID such as `vco-bp1abc`")),
        route_dest: String = Attribute::string("route_dest")
            .required()
            .requires_replace()
            .description("Destination CIDR block, the network behind the connection, e.g. `10.0.0.0/16`. Cannot change in place.")
            .validator(cidr())
            .validator(RouteDest),
        next_hop: String = Attribute::string("next_hop")
            .optional()
            .computed()
            .requires_replace()
            .description("Next hop: the connection itself, which is also the default. Exists to match the API; set it only to the connection's id."),
        weight: i64 = Attribute::int("weight")
            .default(Value::int(DEFAULT_WEIGHT))
            .description(
                "Priority when routes to the same destination lead into different connections: `100` (high) or `0` \
                 (low, e.g. a standby connection). Changes in place.",
            )
            .validator(int_one_of(&[0, 100])),
        overlay_mode: String = Attribute::string("overlay_mode")
            .default(Value::string(OVERLAY_IPSEC))
            .requires_replace()
            .description("Tunnelling protocol; Alibaba Cloud has only `Ipsec`.")
            .validator(one_of(&[OVERLAY_IPSEC])),
        status: String = Attribute::string("status")
            .computed()
            .description("`published` once the transit router has the route."),
        create_time: i64 = super::create_time(),
    }
    .validator(ObjectRule {
        description: "`next_hop` is the connection",
        check: validate_next_hop,
    })
    .timeouts(TIMEOUTS)
}

fn validate_next_hop(o: &Value, p: &AttrPath, d: &mut Diagnostics) {
    let (Some(hop), Some(vco)) = (
        o.get("next_hop").as_str(),
        o.get("vpn_connection_id").as_str(),
    ) else {
        return;
    };
    if hop != vco {
        let at = p.child("next_hop");
        d.add_attr_error(
            &at,
            "Invalid attribute value",
            format!(
                "{at} must be the connection itself ({vco:?}), got {hop:?}: an IPsec connection's \
                 destination route leads into that connection. Leave it unset."
            ),
        );
    }
}

/// An unset `next_hop` is the connection: planned as its id, known or not.
fn plan_next_hop(_prior: &Value, planned: &mut Value, config: &Value, _diags: &mut Diagnostics) {
    if config.get("next_hop").is_null() {
        let vco = planned.get("vpn_connection_id").clone();
        if let Some(hop) = planned.get_mut("next_hop") {
            *hop = vco;
        }
    }
}

// A route is named by its connection and destination.
crate::resources::common::managed_resource! {
    IpsecConnectionRoute => api::VcoRouteEntry, located {
        fn place(&mut self, at: &Locator) {
            let (vco, dest) = (at.parents().join("/"), at.id().to_string());
            self.id = Some(route_id(&vco, &dest));
            self.region = Some(at.region.clone());
            self.vpn_connection_id = Some(vco);
            self.route_dest = Some(dest);
        }
        fn locate(&self, default_region: &str) -> Option<Locator> {
            let path = [self.vpn_connection_id.clone()?, self.route_dest.clone()?];
            Some(Locator::new(self.region().unwrap_or(default_region), path))
        }
        /// `<vpn_connection_id>/<route_dest>` or `<region>/<vpn_connection_id>/<route_dest>`;
        /// the destination's own `/` makes three or four parts.
        fn import_locator(id: &str, default_region: &str) -> Result<Locator, Diagnostics> {
            let parts: Vec<&str> = id.split('/').collect();
            let (region, vco, addr, len) = match parts.as_slice() {
                [v, a, l] => (default_region, *v, *a, *l),
                [r, v, a, l] if !r.is_empty() => (*r, *v, *a, *l),
                _ => ("", "", "", ""),
            };
            let dest = format!("{addr}/{len}");
            if vco.is_empty() || parse_cidr(&dest).is_err() {
                return Err(Diagnostics::error(
                    "Invalid import ID",
                    format!(
                        "Expected \"<vpn_connection_id>/<route_dest>\" or \"<region>/<vpn_connection_id>/<route_dest>\", \
                         e.g. \"cn-hangzhou/vco-0123abcd/192.168.0.0/16\"; got {id:?}."
                    ),
                ));
            }
            Ok(Locator::new(region, [vco.to_string(), dest]))
        }
    }, planned_by plan_next_hop;

    async fn create(&self, op: &In<'_>, plan: &State) -> Result<Locator, NotCreated> {
        let (ctx, client, region) = (op.ctx, op.client, op.region);
        let vco = plan.vpn_connection_id.clone().unwrap_or_default();
        let dest = plan.route_dest.clone().unwrap_or_default();
        let claims = &ctx.data.claims;
        // One destination per connection: identical siblings take turns, so
        // the second sees the first's route as taken, not as a leftover.
        let _turn = claims
            .turn(&format!("alicloud/vco-route/{region}/{vco}/{dest}"))
            .await;
        // One token for every retry of this create: a retried request whose
        // first attempt succeeded returns the same route, not a refusal.
        let params = Params::new()
            .set("ClientToken", client_token())
            .set("VpnConnectionId", &vco)
            .set("RouteDest", &dest)
            .set("NextHop", plan.next_hop.as_deref().unwrap_or(&vco))
            .set("Weight", plan.weight.unwrap_or(DEFAULT_WEIGHT))
            .set(
                "OverlayMode",
                plan.overlay_mode.as_deref().unwrap_or(OVERLAY_IPSEC),
            );
        if let Err(e) = client
            .call::<api::VcoRouteEntry>(&actions::CREATE_VCO_ROUTE_ENTRY, region, params)
            .await
        {
            return Err(refused(client, claims, region, &vco, &dest, e).await.into());
        }
        let id = route_id(&vco, &dest);
        claims.hold(&id);
        let at = Locator::new(region, [vco.clone(), dest.clone()]);
        // From here on the route exists: a failed wait keeps it in state.
        let wanted = plan.weight.unwrap_or(DEFAULT_WEIGHT);
        let what = format!("{WHAT} ({id}) to be published");
        let published = wait_settled(ctx, client, region, &vco, &dest, &what, |r| match r {
            Some(r)
                if r.state.as_deref() == Some(PUBLISHED)
                    && r.weight.is_none_or(|w| w == wanted) =>
            {
                Ok(Some(()))
            }
            Some(_) => Ok(None),
            None => Err(ApiError::not_found(format!(
                "{id} is not listed after its creation"
            ))),
        })
        .await;
        match published {
            Ok(()) => Ok(at),
            Err(d) => Err(NotCreated::Exists(at, d)),
        }
    }

    async fn find(&self, client: &Client, at: &Locator) -> Result<api::VcoRouteEntry, ApiError> {
        let (vco, dest) = (at.parents().join("/"), at.id());
        // The connection's routes, listed once for all its routes read at the same time.
        let listed = client
            .list_shared::<api::VcoRouteEntry>(
                &actions::DESCRIBE_VCO_ROUTE_ENTRIES,
                &at.region,
                routes_of(&vco),
                Paging::Pages(&["VcoRouteEntries"]),
            )
            .await;
        let found = match listed {
            Ok(all) => all
                .into_iter()
                .find(|r| is_custom(r) && r.route_dest == dest),
            Err(e) if e.is_not_found() => None,
            Err(e) => return Err(e),
        };
        found.ok_or_else(|| ApiError::not_found(format!("no route to {dest} on {vco}")))
    }

    fn flatten(&self, r: &api::VcoRouteEntry, at: &Locator, known: &State) -> State {
        flatten(r, at, known)
    }

    async fn update(&self, on: &On<'_>, prior: &State, plan: &State) -> Result<(), Diagnostics> {
        let (ctx, client, at) = (on.ctx, on.client, on.at);
        let (region, vco, dest) = (&at.region, at.parents().join("/"), at.id());
        let id = route_id(&vco, dest);
        let wanted = plan.weight.unwrap_or(DEFAULT_WEIGHT);
        // The API names the route by its current weight: ask, rather than trust the state.
        let current = self
            .find(client, at)
            .await
            .map_err(|e| api_error_id("reading", WHAT, &id, &e))?;
        if current.weight != Some(wanted) {
            let params = named(&current, &vco, prior)
                .set("ClientToken", client_token())
                .set("NewWeight", wanted);
            client
                .call::<serde_json::Value>(&actions::MODIFY_VCO_ROUTE_ENTRY_WEIGHT, region, params)
                .await
                .map_err(|e| api_error_id("updating", WHAT, &id, &e))?;
        }
        let what = format!("{WHAT} ({id}) to take weight {wanted}");
        wait_settled(ctx, client, region, &vco, dest, &what, |r| match r {
            Some(r) if r.weight.is_none_or(|w| w == wanted) => Ok(Some(())),
            Some(_) => Ok(None),
            None => Err(ApiError::not_found(format!(
                "{id} disappeared during the update"
            ))),
        })
        .await
    }

    async fn delete(&self, on: &On<'_>) -> Result<(), Failed<ApiError>> {
        let (ctx, client, at) = (on.ctx, on.client, on.at);
        let (region, vco, dest) = (&at.region, at.parents().join("/"), at.id());
        let current = self.find(client, at).await?;
        let params = named(&current, &vco, &State::default()).set("ClientToken", client_token());
        if let Err(e) = client
            .call::<serde_json::Value>(&actions::DELETE_VCO_ROUTE_ENTRY, region, params)
            .await
        {
            // A resent delete whose first attempt worked finds nothing to delete.
            return match find_route(client, region, &vco, dest).await {
                Ok(None) => Ok(()),
                _ => Err(e.into()),
            };
        }
        let what = format!("{WHAT} ({}) to be deleted", route_id(&vco, dest));
        wait_settled(ctx, client, region, &vco, dest, &what, |r| {
            Ok(r.is_none().then_some(()))
        })
        .await
        .map_err(Failed::Other)
    }
}

/// A refused create. A route to the same destination already there (most
/// likely made by a run that was killed before Terraform saved it) is
/// reported with the import that adopts it; anything else as it came.
async fn refused(
    client: &Client,
    claims: &Claims,
    region: &str,
    vco: &str,
    dest: &str,
    err: ApiError,
) -> Diagnostics {
    if err.is_refusal() {
        if let Ok(Some(_)) = find_route(client, region, vco, dest).await {
            return Target::new(TYPE_NAME, WHAT, region, &[]).taken(
                claims,
                &route_id(vco, dest),
                &format!("route_dest {dest} on {vco}"),
                &format!(
                    "is already a destination of {vco}, which takes one route per destination"
                ),
                "remove that route or choose another route_dest",
            );
        }
    }
    api_error("creating", WHAT, &err)
}

fn route_id(vco: &str, dest: &str) -> String {
    format!("{vco}/{dest}")
}

/// The parameters that name an existing route: connection, destination, next
/// hop, current weight and overlay mode.
fn named(r: &api::VcoRouteEntry, vco: &str, s: &State) -> Params {
    Params::new()
        .set("VpnConnectionId", vco)
        .set("RouteDest", &r.route_dest)
        .set(
            "NextHop",
            non_empty(r.next_hop.clone()).unwrap_or_else(|| vco.to_string()),
        )
        .set("Weight", r.weight.or(s.weight).unwrap_or(DEFAULT_WEIGHT))
        .set(
            "OverlayMode",
            s.overlay_mode.as_deref().unwrap_or(OVERLAY_IPSEC),
        )
}

/// `prior` supplies what the API does not return (the overlay mode) or may
/// leave out (the weight).
fn flatten(r: &api::VcoRouteEntry, at: &Locator, prior: &State) -> State {
    let vco = non_empty(r.vpn_connection_id.clone()).unwrap_or_else(|| at.parents().join("/"));
    State {
        id: Some(route_id(&vco, &r.route_dest)),
        region: Some(at.region.clone()),
        route_dest: Some(r.route_dest.clone()),
        next_hop: Some(non_empty(r.next_hop.clone()).unwrap_or_else(|| vco.clone())),
        weight: r.weight.or(prior.weight),
        overlay_mode: Some(
            prior
                .overlay_mode
                .clone()
                .unwrap_or_else(|| OVERLAY_IPSEC.to_string()),
        ),
        status: non_empty(r.state.clone()),
        create_time: r.create_time.or(prior.create_time),
        vpn_connection_id: Some(vco),
    }
}

/// Every destination route of the connection; `None` for a route (or a
/// connection) that does not exist.
pub async fn find_route(
    client: &Client,
    region: &str,
    vco: &str,
    dest: &str,
) -> Result<Option<api::VcoRouteEntry>, ApiError> {
    match list_routes(client, region, vco).await {
        Ok(all) => Ok(all.into_iter().find(|r| r.route_dest == dest)),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(e),
    }
}

/// What lists a connection's destination routes.
fn routes_of(vco: &str) -> Params {
    Params::new()
        .set("VpnConnectionId", vco)
        .set("RouteEntryType", "custom")
}

/// A destination route, not a BGP one.
fn is_custom(r: &api::VcoRouteEntry) -> bool {
    r.route_entry_type.as_deref().is_none_or(|t| t == "custom")
}

/// The connection's destination routes (its BGP routes left out), every page.
async fn list_routes(
    client: &Client,
    region: &str,
    vco: &str,
) -> Result<Vec<api::VcoRouteEntry>, ApiError> {
    let mut out = Vec::new();
    for page in 1.. {
        let p: api::VcoRouteEntryPage = client
            .call(
                &actions::DESCRIBE_VCO_ROUTE_ENTRIES,
                region,
                routes_of(vco)
                    .set("PageNumber", page)
                    .set("PageSize", PAGE_SIZE),
            )
            .await?;
        let n = p.vco_route_entries.len();
        out.extend(p.vco_route_entries.into_iter().filter(is_custom));
        let total = usize::try_from(p.total_count.unwrap_or(0)).unwrap_or(usize::MAX);
        if n < PAGE_SIZE || page * PAGE_SIZE >= total {
            break;
        }
    }
    Ok(out)
}

/// Waits until the connection has no change running and `done` accepts the
/// route to `dest` as listed then (`None`: not listed). A connection that is
/// gone counts as listing nothing.
async fn wait_settled<T>(
    ctx: &Ctx<ProviderData>,
    client: &Client,
    region: &str,
    vco: &str,
    dest: &str,
    what: &str,
    done: impl Fn(Option<&api::VcoRouteEntry>) -> Result<Option<T>, ApiError>,
) -> Result<T, Diagnostics> {
    wait_for(ctx, what, || async {
        let connection: Result<api::VpnConnection, ApiError> = ali_find(
            client,
            &actions::DESCRIBE_VPN_CONNECTION,
            region,
            "VpnConnectionId",
            vco,
        )
        .await;
        match connection {
            Ok(c) if !c.state.as_deref().is_some_and(|s| IDLE.contains(&s)) => return Ok(None),
            Ok(_) => {}
            Err(e) if e.is_not_found() => return done(None),
            Err(e) => return Err(e),
        }
        let route = find_route(client, region, vco, dest).await?;
        done(route.as_ref())
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_hop_follows_the_connection() {
        let mut planned = Value::Object(
            [
                ("vpn_connection_id".to_string(), Value::string("vco-9")),
                ("next_hop".to_string(), Value::Unknown),
            ]
            .into_iter()
            .collect(),
        );
        let config = Value::Object(
            [("next_hop".to_string(), Value::Null)]
                .into_iter()
                .collect(),
        );
        plan_next_hop(&Value::Null, &mut planned, &config, &mut Diagnostics::new());
        assert_eq!(planned.get("next_hop").as_str(), Some("vco-9"));
    }

    #[test]
    fn flatten_keeps_what_the_api_does_not_return() {
        let entry: api::VcoRouteEntry = serde_json::from_value(serde_json::json!({
            "RouteDest": "10.0.0.0/16", "NextHop": "vco-1", "State": "published",
            "CreateTime": 5, "VpnConnectionId": "vco-1"
        }))
        .unwrap();
        let prior = State {
            weight: Some(0),
            ..State::default()
        };
        let s = flatten(
            &entry,
            &Locator::new("cn-hangzhou", ["vco-1", "10.0.0.0/16"]),
            &prior,
        );
        assert_eq!(s.id.as_deref(), Some("vco-1/10.0.0.0/16"));
        assert_eq!(s.weight, Some(0), "no weight listed: the state's stays");
        assert_eq!(s.overlay_mode.as_deref(), Some("Ipsec"));
        assert_eq!(s.status.as_deref(), Some("published"));
    }
}
