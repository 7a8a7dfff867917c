//! `hybridnet_jdcloud_vpn_connection`: a VPN connection between a border
//! gateway and a customer gateway. JD Cloud allocates two cloud public IPs
//! to it; its tunnels (`hybridnet_jdcloud_vpn_tunnel`) run between those and
//! the customer gateway's IPs.
//!
//! API: bgw `createVpnConnection`, `describeVpnConnection`,
//! `modifyVpnConnection`, `deleteVpnConnection` (docs/design/jdcloud.md §4.4).
//! Traffic selectors can only be set by modify, so create is followed by a
//! modify when the configuration has any.

use serde::{Deserialize, Serialize};

use crate::cloud::jdcloud::ops::VPN_CONNECTION;
use crate::cloud::jdcloud::types as api;
use crate::framework::validate::{cidr, each, int_between, length_between};
use crate::framework::{
    Attribute, Block, Diagnostics, Locator, NestedBlock, Nesting, Schema, Timeouts, Value,
};
use crate::resources::common::{changed, jd_modify, non_empty};
use crate::resources::ownership::Identity;
use crate::resources::schema_parts;

use super::On;

pub const TYPE_NAME: &str = "hybridnet_jdcloud_vpn_connection";
const WHAT: &str = "JD Cloud VPN connection";
pub const TIMEOUTS: Timeouts = schema_parts::TIMEOUTS;

#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrafficSelector {
    pub local_subnet: Option<String>,
    pub remote_subnets: Option<Vec<String>>,
    pub description: Option<String>,
}

pub struct VpnConnection;

crate::typed_schema! {
    pub struct State;
    pub fn schema() -> Schema {
        Schema::new(
            "A JD Cloud VPN connection between a border gateway and a customer gateway. JD Cloud allocates two \
             cloud-side public IPs (`cloud_public_ips`); create tunnels from each of them to the customer gateway's \
             addresses with `hybridnet_jdcloud_vpn_tunnel`. All tunnels of a connection share its routing mode.",
        );
        id: String = schema_parts::id("VPN connection ID."),
        region: String = super::region("Region; defaults to the provider's JD Cloud region."),
        name: String = super::name("Name of the VPN connection."),
        description: String = super::description(),
        border_gateway_id: String = super::reference("border_gateway_id", "The border gateway the connection belongs to."),
        customer_gateway_id: String = super::reference("customer_gateway_id", "The customer gateway at the other end."),
        bgp_enabled: bool = Attribute::bool("bgp_enabled")
            .default(Value::Bool(true))
            .description("Route with BGP over the tunnels (`true`) or with static routes (`false`). Switching drops all BGP sessions."),
        local_asn: i64 = Attribute::int("local_asn")
            .optional()
            .computed()
            .requires_replace()
            .use_state_for_unknown()
            .description("Cloud-side BGP ASN, a 16-bit private ASN 64512–65534; inherits the border gateway's 65000 when unset.")
            .validator(int_between(64512, 65534)),
        traffic_selector: Vec<TrafficSelector> = NestedBlock::new(
            "traffic_selector",
            Nesting::List,
            Block::new("IPsec traffic selectors (phase 2 interesting traffic): a cloud-side subnet and the remote subnets it talks to.")
                .attribute(Attribute::string("local_subnet").required().description("Cloud-side CIDR, e.g. `192.168.1.0/24`.").validator(cidr()))
                .attribute(
                    Attribute::string_list("remote_subnets")
                        .optional()
                        .description("Remote CIDRs, e.g. your data centre's networks.")
                        .validator(each(cidr())),
                )
                .attribute(Attribute::string("description").optional().description("Description.").validator(length_between(1, 256)).validator(crate::framework::validate::no_control_chars())),
        )
        .items(0, Some(10)),
        cloud_public_ips: Vec<String> = Attribute::string_list("cloud_public_ips")
            .computed()
            .use_state_for_unknown()
            .description("The two cloud-side public IPv4 addresses JD Cloud allocated to the connection."),
        ha_status: String = Attribute::string("ha_status").computed().description("`redundancy` when a tunnel is up on each cloud IP, else `no_redundancy`."),
        created_time: String = super::created_time("When the connection was created (UTC)."),
    }
    .timeouts(TIMEOUTS)
}

super::jd_resource! {
    VpnConnection => api::VpnConnection, described_by description, flattened_by flatten;

    fn expand(&self, plan: &State) -> api::VpnConnectionSpec {
        api::VpnConnectionSpec {
            vpn_connection_name: plan.name.clone().unwrap_or_default(),
            description: plan.description.clone(),
            bgw_id: plan.border_gateway_id.clone().unwrap_or_default(),
            cgw_id: plan.customer_gateway_id.clone().unwrap_or_default(),
            bgp_enabled: plan.bgp_enabled.unwrap_or(true),
            local_asn: plan.local_asn,
        }
    }

    fn identity(&self, spec: &api::VpnConnectionSpec) -> Identity<api::VpnConnection> {
        let (name, bgw, cgw) = (
            spec.vpn_connection_name.clone(),
            spec.bgw_id.clone(),
            spec.cgw_id.clone(),
        );
        Identity::named(
            format!("name {name:?} between {bgw} and {cgw}"),
            move |o: &api::VpnConnection| {
                o.vpn_connection_name == name && o.bgw_id == bgw && o.cgw_id == cgw
            },
        )
    }

    fn expand_modify(&self, prior: &State, plan: &State) -> api::ModifyVpnConnectionSpec {
        let selectors = plan.traffic_selector.clone().unwrap_or_default();
        api::ModifyVpnConnectionSpec {
            vpn_connection_name: changed(&prior.name, &plan.name),
            description: changed(&prior.description, &plan.description),
            bgp_enabled: (prior.bgp_enabled != plan.bgp_enabled)
                .then_some(plan.bgp_enabled.unwrap_or(true)),
            traffic_selectors: (prior.traffic_selector.clone().unwrap_or_default() != selectors)
                .then(|| expand_selectors(&selectors)),
        }
    }

    /// The create takes no traffic selectors; they are set right after.
    async fn after_create(&self, on: &On<'_>, plan: &State) -> Result<(), Diagnostics> {
        let selectors = plan.traffic_selector.clone().unwrap_or_default();
        let change = api::ModifyVpnConnectionSpec {
            traffic_selectors: (!selectors.is_empty()).then(|| expand_selectors(&selectors)),
            ..Default::default()
        };
        let what = format!("traffic selectors of {WHAT}");
        jd_modify(on.client, &VPN_CONNECTION, on.at, &what, &change).await
    }
}

fn expand_selectors(s: &[TrafficSelector]) -> Vec<api::VpnTrafficSelectorSpec> {
    s.iter()
        .map(|t| api::VpnTrafficSelectorSpec {
            local_subnet: t.local_subnet.clone().unwrap_or_default(),
            remote_subnets: t.remote_subnets.clone().unwrap_or_default(),
            description: t.description.clone(),
        })
        .collect()
}

fn flatten(c: &api::VpnConnection, at: &Locator) -> State {
    State {
        id: Some(c.vpn_connection_id.clone()),
        region: Some(at.region.clone()),
        name: Some(c.vpn_connection_name.clone()),
        description: non_empty(c.description.clone()),
        border_gateway_id: Some(c.bgw_id.clone()),
        customer_gateway_id: Some(c.cgw_id.clone()),
        bgp_enabled: Some(c.bgp_enabled),
        local_asn: c.local_asn,
        traffic_selector: Some(
            c.traffic_selectors
                .iter()
                .flatten()
                .map(|t| TrafficSelector {
                    local_subnet: Some(t.local_subnet.clone()),
                    remote_subnets: (!t.remote_subnets.is_empty())
                        .then(|| t.remote_subnets.clone()),
                    description: non_empty(t.description.clone()),
                })
                .collect(),
        ),
        cloud_public_ips: Some(c.cloud_public_ip.clone()),
        ha_status: non_empty(c.ha_status.clone()),
        created_time: non_empty(c.created_time.clone()),
    }
}
