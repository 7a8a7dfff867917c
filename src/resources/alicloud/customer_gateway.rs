//! `hybridnet_alicloud_customer_gateway`: the peer of an Alibaba Cloud
//! IPsec connection — its IP address and BGP ASN.
//!
//! API: Vpc `CreateCustomerGateway`, `DescribeCustomerGateway`,
//! `ModifyCustomerGatewayAttribute`, `DeleteCustomerGateway`
//! (docs/design/alicloud.md §3). Only name and description change in place.

use crate::cloud::alicloud::{actions, types as api, Client, Params};
use crate::cloud::ApiError;
use crate::framework::timeouts::mins;
use crate::framework::validate::{int_between, ipv4, Validator};
use crate::framework::{
    AttrPath, Attribute, Diagnostics, Failed, Locator, NotCreated, Schema, Timeouts, Value,
};
use crate::resources::common::{ali_delete, api_error_id, non_empty};
use crate::resources::ownership::{ali_create, AliTwin, Target};

use super::{In, On};
use crate::resources::schema_parts;

pub const TYPE_NAME: &str = "hybridnet_alicloud_customer_gateway";
const WHAT: &str = "Alibaba Cloud customer gateway";
pub const TIMEOUTS: Timeouts = Timeouts::all(mins(5));
/// Alibaba Cloud's own ASN, refused for customer gateways.
const ALIBABA_ASN: i64 = 45104;

pub struct CustomerGateway;

/// Addresses a customer gateway cannot use: Alibaba's documented list, plus
/// 0.0.0.0/8, which is no host's address (INFERRED refusal,
/// docs/design/alicloud.md §10.6). Private ranges stay allowed, as private
/// connections need them (docs/design/validation.md).
const UNUSABLE_RANGES: &[&str] = &[
    "0.0.0.0/8",
    "100.64.0.0/10",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "224.0.0.0/4",
    "240.0.0.0/4",
];

struct UsableIp;

impl Validator for UsableIp {
    fn description(&self) -> String {
        "an IPv4 address outside 0.0.0.0/8, 100.64.0.0/10, 127.0.0.0/8, 169.254.0.0/16 and 224.0.0.0–255.255.255.255".to_string()
    }
    fn validate(&self, value: &Value, path: &AttrPath, diags: &mut Diagnostics) {
        let Some(ip) = value
            .as_str()
            .and_then(|s| s.parse::<std::net::Ipv4Addr>().ok())
        else {
            return;
        };
        let bad = UNUSABLE_RANGES
            .iter()
            .filter_map(|r| r.parse::<ipnet::Ipv4Net>().ok())
            .any(|n| n.contains(&ip));
        if bad {
            diags.add_attr_error(
                path,
                "Invalid attribute value",
                format!("{path} must be {}, got {ip}.", self.description()),
            );
        }
    }
}

struct NotAlibabaAsn;

impl Validator for NotAlibabaAsn {
    fn description(&self) -> String {
        "not 45104 (Alibaba Cloud's own ASN)".to_string()
    }
    fn validate(&self, value: &Value, path: &AttrPath, diags: &mut Diagnostics) {
        if value.as_i64() == Some(ALIBABA_ASN) {
            diags.add_attr_error(
                path,
                "Invalid attribute value",
                format!("{path} must not be 45104, Alibaba Cloud's own ASN."),
            );
        }
    }
}

crate::typed_schema! {
    pub struct State;
    pub fn schema() -> Schema {
        Schema::new(
            "An Alibaba Cloud customer gateway: the static IP address (and BGP ASN) of the peer of an IPsec connection — \
             a data-centre device, or another cloud's VPN gateway.",
        );
        id: String = schema_parts::id("Customer gateway ID (`cgw-…`)."),
        region: String = super::region("Region; defaults to the provider's Alibaba Cloud region."),
        ip_address: String = Attribute::string("ip_address")
            .required()
            .requires_replace()
            .description("Static IP address of the peer: public for public connections, private for private ones. Cannot change in place.")
            .validator(ipv4())
            .validator(UsableIp),
        asn: i64 = Attribute::int("asn")
            .optional()
            .requires_replace()
            .description("BGP ASN of the peer (needed for BGP), 1–4294967295 except 45104. Cannot change in place.")
            .validator(int_between(1, 4_294_967_295))
            .validator(NotAlibabaAsn),
        name: String = super::text("name", "Name, 1–100 characters, not starting with `http://` or `https://`; removing it keeps the current name."),
        description: String = super::text("description", "Description, 1–100 characters, not starting with `http://` or `https://`; removing it keeps the current one."),
        create_time: i64 = super::create_time(),
    }
    .timeouts(TIMEOUTS)
}

crate::resources::common::managed_resource! {
    CustomerGateway => api::CustomerGateway;

    async fn create(&self, op: &In<'_>, plan: &State) -> Result<Locator, NotCreated> {
        let (client, region, claims) = (op.client, op.region, &op.ctx.data.claims);
        // A token is unique to this process, so a gateway left by a killed
        // run is found by what identifies a peer: its address and ASN. One
        // create per peer at a time, so siblings never see each other's
        // gateway as a leftover.
        let twin = AliTwin {
            turn: format!("alicloud/cgw/{region}/{:?}/{:?}", plan.ip_address, plan.asn),
            search: find_twin(client, region, plan, |id| !claims.holds(id)),
            matches: "has the same IP address and ASN",
            otherwise: "use another address or ASN",
        };
        let params = Params::new()
            .opt("IpAddress", plan.ip_address.as_ref())
            .opt("Asn", plan.asn)
            .opt("Name", plan.name.as_ref())
            .opt("Description", plan.description.as_ref());
        let target = Target::new(TYPE_NAME, WHAT, region, &[]);
        let create = (&actions::CREATE_CUSTOMER_GATEWAY, params);
        let id = |r: api::CreateCustomerGatewayResponse| r.customer_gateway_id;
        Ok(ali_create(client, claims, &target, twin, create, id).await?)
    }

    async fn find(&self, client: &Client, at: &Locator) -> Result<api::CustomerGateway, ApiError> {
        read_gateway(client, &at.region, at.id()).await
    }

    fn flatten(&self, gw: &api::CustomerGateway, at: &Locator, _known: &State) -> State {
        flatten(gw, at)
    }

    async fn update(&self, on: &On<'_>, prior: &State, plan: &State) -> Result<(), Diagnostics> {
        let (client, at) = (on.client, on.at);
        // Unset values plan as the prior ones, so only real changes are sent.
        let name = plan.name.clone().filter(|n| prior.name.as_ref() != Some(n));
        let description = plan
            .description
            .clone()
            .filter(|d| prior.description.as_ref() != Some(d));
        if name.is_none() && description.is_none() {
            return Ok(());
        }
        let params = Params::new()
            .set("CustomerGatewayId", at.id())
            .opt("Name", name)
            .opt("Description", description);
        client
            .call::<serde_json::Value>(
                &actions::MODIFY_CUSTOMER_GATEWAY_ATTRIBUTE,
                &at.region,
                params,
            )
            .await
            .map(drop)
            .map_err(|e| api_error_id("updating", WHAT, at.id(), &e))
    }

    async fn delete(&self, on: &On<'_>) -> Result<(), Failed<ApiError>> {
        let (action, at) = (&actions::DELETE_CUSTOMER_GATEWAY, on.at);
        Ok(ali_delete(on.client, action, &at.region, "CustomerGatewayId", at.id()).await?)
    }
}

fn flatten(gw: &api::CustomerGateway, at: &Locator) -> State {
    State {
        id: Some(gw.customer_gateway_id.clone()),
        region: Some(at.region.clone()),
        ip_address: Some(gw.ip_address.clone()),
        // An ASN of 0 means none was set.
        asn: gw.asn.filter(|a| *a != 0),
        name: non_empty(gw.name.clone()),
        description: non_empty(gw.description.clone()),
        create_time: gw.create_time,
    }
}

/// A gateway for a refresh or a data source, coalesced with the other
/// gateways read at the same time (`cloud::coalesce`).
pub async fn read_gateway(
    client: &Client,
    region: &str,
    id: &str,
) -> Result<api::CustomerGateway, ApiError> {
    client
        .read_one(
            (
                &actions::DESCRIBE_CUSTOMER_GATEWAY,
                &actions::DESCRIBE_CUSTOMER_GATEWAYS,
            ),
            ("CustomerGateways", "CustomerGateway"),
            "CustomerGatewayId",
            region,
            id,
        )
        .await
}

/// A gateway that already stands for the planned peer, if any.
async fn find_twin(
    client: &Client,
    region: &str,
    plan: &State,
    unclaimed: impl Fn(&str) -> bool,
) -> Result<Option<String>, ApiError> {
    let all: Vec<api::CustomerGateway> = client
        .list_all(
            &actions::DESCRIBE_CUSTOMER_GATEWAYS,
            region,
            Params::new(),
            ("CustomerGateways", "CustomerGateway"),
        )
        .await?;
    let asn = |a: Option<i64>| a.filter(|a| *a != 0);
    Ok(all
        .into_iter()
        .find(|g| {
            plan.ip_address.as_deref() == Some(g.ip_address.as_str())
                && asn(g.asn) == asn(plan.asn)
                && unclaimed(&g.customer_gateway_id)
        })
        .map(|g| g.customer_gateway_id))
}
