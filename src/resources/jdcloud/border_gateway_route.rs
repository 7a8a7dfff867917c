//! `hybridnet_jdcloud_border_gateway_route`: a static route on a border
//! gateway, towards a VPN connection or a VPC attachment.
//!
//! API: bgw `createBgwRoutes`, `describeBgwRoute`, `modifyBgwRoutes`,
//! `deleteBgwRoutes` (docs/design/jdcloud.md §4.6; paths: §8.1 and
//! `cloud::jdcloud::ops::BGW_ROUTE`). JD Cloud's modify takes the whole
//! route, so every argument but the border gateway changes in place.

use crate::cloud::jdcloud::types as api;
use crate::framework::timeouts::mins;
use crate::framework::validate::{cidr, one_of};
use crate::framework::{Attribute, Diagnostics, Locator, Schema, Timeouts};
use crate::resources::common::non_empty;
use crate::resources::ownership::Identity;
use crate::resources::schema_parts;

pub const TYPE_NAME: &str = "hybridnet_jdcloud_border_gateway_route";
const WHAT: &str = "JD Cloud border gateway route";
pub const TIMEOUTS: Timeouts = Timeouts::all(mins(5));

pub struct BorderGatewayRoute;

crate::typed_schema! {
    pub struct State;
    pub fn schema() -> Schema {
        Schema::new(
            "A static route on a JD Cloud border gateway: traffic for `destination` goes to a VPN connection (for \
             example your data centre's networks over static-routing VPN) or to a VPC attachment.",
        );
        id: String = schema_parts::id("Route ID."),
        region: String = super::region("Region; defaults to the provider's JD Cloud region."),
        border_gateway_id: String = super::reference("border_gateway_id", "The border gateway that holds the route."),
        destination: String = Attribute::string("destination").required().description("Destination CIDR block, e.g. `192.168.0.0/16`.").validator(cidr()),
        next_hop_type: String = Attribute::string("next_hop_type")
            .required()
            .description("Kind of next hop: `vpn_connection` or `vpc_attachment`.")
            .validator(one_of(&["vpn_connection", "vpc_attachment"])),
        next_hop_id: String = Attribute::string("next_hop_id").required().description("ID of the VPN connection or VPC attachment.").validator(super::id_rule()),
        description: String = super::description(),
        priority: i64 = Attribute::int("priority").computed().description("Route priority JD Cloud assigned (static routes: 100)."),
    }
    .timeouts(TIMEOUTS)
}

// Routes live under their border gateway: `[region, [bgw, route]]`.
super::jd_resource! {
    BorderGatewayRoute => api::BgwRoute, located {
        fn place(&mut self, at: &Locator) {
            self.id = Some(at.id().to_string());
            self.region = Some(at.region.clone());
            self.border_gateway_id = at.parents().first().map(|b| (*b).to_string());
        }
        fn locate(&self, default_region: &str) -> Option<Locator> {
            let path = [self.border_gateway_id.clone()?, self.id.clone()?];
            Some(Locator::new(self.region().unwrap_or(default_region), path))
        }
        /// `<border_gateway_id>/<route_id>` or `<region>/<border_gateway_id>/<route_id>`.
        fn import_locator(id: &str, default_region: &str) -> Result<Locator, Diagnostics> {
            match id.split('/').collect::<Vec<_>>().as_slice() {
                [b, i] if !b.is_empty() && !i.is_empty() => Ok(Locator::new(default_region, [*b, *i])),
                [r, b, i] if !r.is_empty() && !b.is_empty() && !i.is_empty() => Ok(Locator::new(*r, [*b, *i])),
                _ => Err(Diagnostics::error(
                    "Invalid import ID",
                    format!("Expected \"<border_gateway_id>/<route_id>\" or \"<region>/<border_gateway_id>/<route_id>\", got {id:?}."),
                )),
            }
        }
    }, flattened_by flatten;

    fn parents(&self, plan: &State) -> Vec<String> {
        plan.border_gateway_id.clone().into_iter().collect()
    }

    fn expand(&self, plan: &State) -> api::BgwRouteSpec {
        api::BgwRouteSpec {
            bgw_route_destination: plan.destination.clone().unwrap_or_default(),
            bgw_nexthop_type: plan.next_hop_type.clone().unwrap_or_default(),
            bgw_route_nexthop: plan.next_hop_id.clone().unwrap_or_default(),
            description: plan.description.clone(),
        }
    }

    /// A destination and next hop are unique on a border gateway.
    fn identity(&self, spec: &api::BgwRouteSpec) -> Identity<api::BgwRoute> {
        let (dest, hop) = (
            spec.bgw_route_destination.clone(),
            spec.bgw_route_nexthop.clone(),
        );
        Identity::unique_key(
            format!("destination {dest} through {hop}"),
            move |o: &api::BgwRoute| o.bgw_route_destination == dest && o.bgw_route_nexthop == hop,
        )
    }

    /// JD Cloud modifies a route as a whole.
    fn expand_modify(&self, prior: &State, plan: &State) -> api::ModifyBgwRouteSpec {
        api::ModifyBgwRouteSpec {
            bgw_route_id: prior.id.clone().unwrap_or_default(),
            bgw_route_destination: plan.destination.clone().unwrap_or_default(),
            bgw_nexthop_type: plan.next_hop_type.clone().unwrap_or_default(),
            bgw_route_nexthop: plan.next_hop_id.clone().unwrap_or_default(),
            // JD Cloud keeps the old description when the field is absent.
            description: Some(plan.description.clone().unwrap_or_default()),
        }
    }
}

/// Responses spell next-hop types in camelCase; requests in snake_case.
fn next_hop_type(from_api: Option<&str>) -> Option<String> {
    from_api.map(|t| match t {
        "vpnConnection" => "vpn_connection".to_string(),
        "vpcAttachment" => "vpc_attachment".to_string(),
        other => other.to_string(),
    })
}

fn flatten(r: &api::BgwRoute, at: &Locator) -> State {
    let bgw = at
        .parents()
        .first()
        .map(|b| (*b).to_string())
        .unwrap_or_default();
    State {
        id: Some(r.bgw_route_id.clone()),
        region: Some(at.region.clone()),
        border_gateway_id: Some(non_empty(Some(r.bgw_id.clone())).unwrap_or(bgw)),
        destination: Some(r.bgw_route_destination.clone()),
        next_hop_type: next_hop_type(r.bgw_route_next_hop_type.as_deref()),
        next_hop_id: Some(r.bgw_route_nexthop.clone()),
        description: non_empty(r.description.clone()),
        priority: r.bgw_route_priority,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_hop_types_read_back_in_request_spelling() {
        assert_eq!(
            next_hop_type(Some("vpnConnection")).as_deref(),
            Some("vpn_connection")
        );
        assert_eq!(
            next_hop_type(Some("vpc_attachment")).as_deref(),
            Some("vpc_attachment")
        );
    }
}
