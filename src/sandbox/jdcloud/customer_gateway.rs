//! Customer gateway (客户网关, docs/design/jdcloud.md §4.3): model, rules and the five operations.
//!
//! The stored body is exactly the API object, so describe/list return it as stored.
//!
//! INFERRED here (docs/design/jdcloud.md §8.2–§8.5): the id prefix `cgw`, the body wrappers, filter
//! names and result shapes.

use std::ops::RangeInclusive;

use serde::{Deserialize, Serialize};

use super::error::JdError;
use super::wire::{apply_filters, FilterField, ListParams, Spec};
use super::{get_in_region, validate, vpn_connection, vpn_tunnel, OpRequest, Reply, CLOUD};
use crate::sandbox::ids;
use crate::sandbox::store::{Kind, Tx};

pub(super) const KIND: Kind = Kind {
    cloud: CLOUD,
    name: "customer_gateways",
    id_prefix: "cgw",
};

/// "10 customer gateways/region" (docs/design/jdcloud.md §6).
const QUOTA_PER_REGION: usize = 10;
/// "取值范围[65001,65499]，设置后不支持修改".
const BGP_ASN_RANGE: RangeInclusive<i64> = 65001..=65499;
/// Body wrappers (docs/design/jdcloud.md §3.1); the flat form is accepted too.
const CREATE_WRAPPER: &str = "customerGatewaySpec";
const MODIFY_WRAPPER: &str = "modifyCustomerGatewaySpec";
/// Path parameter naming the gateway.
const ID_PARAM: &str = "customerGatewayId";
const WHAT: &str = "CustomerGateway";

/// The `CustomerGateway` object (Go `services/bgw/models/CustomerGateway.go`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct CustomerGateway {
    pub customer_gateway_id: String,
    pub customer_gateway_name: String,
    pub customer_ips: Vec<String>,
    pub bgp_asn: i64,
    pub description: String,
    pub created_time: String,
    pub updated_time: String,
}

/// `createCustomerGateway` result: the id and the whole object, so clients expecting either
/// find it (docs/design/jdcloud.md §3.2).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct CreateResult<'a> {
    customer_gateway_id: &'a str,
    customer_gateway: &'a CustomerGateway,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct DescribeResult<'a> {
    customer_gateway: &'a CustomerGateway,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct DescribeManyResult {
    customer_gateways: Vec<CustomerGateway>,
    total_count: usize,
}

/// Filter names (docs/design/jdcloud.md §8.4).
const FILTERS: &[FilterField<CustomerGateway>] = &[
    FilterField {
        name: "customerGatewayIds",
        value: |g| g.customer_gateway_id.as_str(),
    },
    FilterField {
        name: "customerGatewayNames",
        value: |g| g.customer_gateway_name.as_str(),
    },
];

pub(super) fn create(tx: &Tx<'_>, req: &OpRequest) -> Result<Reply, JdError> {
    let spec = Spec::parse(&req.body, CREATE_WRAPPER)?;
    let name = spec.string("customerGatewayName")?;
    let ips = spec.string_list("customerIps")?;
    let bgp_asn = spec.i64("bgpAsn")?;
    let description = spec.opt_string("description")?.unwrap_or_default();

    validate::name(&spec.path("customerGatewayName"), &name)?;
    validate::description(&spec.path("description"), &description)?;
    validate::customer_ips(&spec.path("customerIps"), &ips)?;
    validate::in_range(&spec.path("bgpAsn"), bgp_asn, BGP_ASN_RANGE)?;
    if tx.count(KIND, &req.region)? >= QUOTA_PER_REGION {
        return Err(JdError::quota_exceeded(format!(
            "CustomerGateway quota limit exceeded ({QUOTA_PER_REGION} per region)."
        )));
    }

    let now = ids::iso8601(req.now);
    let gateway = CustomerGateway {
        customer_gateway_id: ids::resource_id(tx, KIND)?,
        customer_gateway_name: name,
        customer_ips: ips,
        bgp_asn,
        description,
        created_time: now.clone(),
        updated_time: now,
    };
    tx.insert(KIND, &req.region, &gateway.customer_gateway_id, &gateway)?;
    Reply::result(&CreateResult {
        customer_gateway_id: &gateway.customer_gateway_id,
        customer_gateway: &gateway,
    })
}

pub(super) fn describe_many(tx: &Tx<'_>, req: &OpRequest) -> Result<Reply, JdError> {
    let params = ListParams::parse(&req.query)?;
    let all: Vec<CustomerGateway> = tx.list(KIND, &req.region)?;
    let matching = apply_filters(all, &params.filters, FILTERS)?;
    let (customer_gateways, total_count) = params.page(matching);
    Reply::result(&DescribeManyResult {
        customer_gateways,
        total_count,
    })
}

pub(super) fn describe(tx: &Tx<'_>, req: &OpRequest) -> Result<Reply, JdError> {
    let gateway = find(tx, req)?;
    Reply::result(&DescribeResult {
        customer_gateway: &gateway,
    })
}

pub(super) fn modify(tx: &Tx<'_>, req: &OpRequest) -> Result<Reply, JdError> {
    let mut gateway = find(tx, req)?;
    let spec = Spec::parse(&req.body, MODIFY_WRAPPER)?;
    let name = spec.opt_string("customerGatewayName")?;
    let description = spec.opt_string("description")?;
    let ips = spec.opt_string_list("customerIps")?;
    // Not part of ModifyCustomerGatewaySpec: "设置后不支持修改". Resending the same value is harmless.
    if let Some(asn) = spec.opt_i64("bgpAsn")? {
        if asn != gateway.bgp_asn {
            return Err(JdError::invalid_argument(format!(
                "{} cannot be modified (is {}, requested {asn})",
                spec.path("bgpAsn"),
                gateway.bgp_asn
            )));
        }
    }

    let mut changed = false;
    if let Some(name) = name {
        validate::name(&spec.path("customerGatewayName"), &name)?;
        changed |= name != gateway.customer_gateway_name;
        gateway.customer_gateway_name = name;
    }
    if let Some(description) = description {
        validate::description(&spec.path("description"), &description)?;
        changed |= description != gateway.description;
        gateway.description = description;
    }
    if let Some(ips) = ips {
        validate::customer_ips(&spec.path("customerIps"), &ips)?;
        if ips != gateway.customer_ips {
            check_ips_modifiable(tx, &req.region, &gateway)?;
            changed = true;
        }
        gateway.customer_ips = ips;
    }
    if changed {
        gateway.updated_time = ids::iso8601(req.now);
        tx.update(KIND, &gateway.customer_gateway_id, &gateway)?;
    }
    Ok(Reply::Empty)
}

pub(super) fn delete(tx: &Tx<'_>, req: &OpRequest) -> Result<Reply, JdError> {
    let gateway = find(tx, req)?;
    check_deletable(tx, &req.region, &gateway)?;
    tx.delete(KIND, &gateway.customer_gateway_id)?;
    Ok(Reply::Empty)
}

/// The gateway named by the path, in the path's region; otherwise 404.
fn find(tx: &Tx<'_>, req: &OpRequest) -> Result<CustomerGateway, JdError> {
    get(tx, &req.region, req.params.get(ID_PARAM))
}

/// The gateway `id` in `region`; otherwise 404 (also used for `cgwId` references).
pub(super) fn get(tx: &Tx<'_>, region: &str, id: &str) -> Result<CustomerGateway, JdError> {
    get_in_region(tx, KIND, region, id, WHAT)
}

/// Delete precondition, "The Customer Gateway without creation of VPN Connection can be deleted"
/// (docs/design/jdcloud.md §4.3).
fn check_deletable(tx: &Tx<'_>, region: &str, gateway: &CustomerGateway) -> Result<(), JdError> {
    let id = gateway.customer_gateway_id.as_str();
    let connections = vpn_connection::of_customer_gateway(tx, region, id)?;
    if connections.is_empty() {
        return Ok(());
    }
    let ids: Vec<&str> = connections
        .iter()
        .map(|c| c.vpn_connection_id.as_str())
        .collect();
    Err(JdError::failed_precondition(format!(
        "CustomerGateway '{id}' cannot be deleted while VPN connections {} use it",
        ids.join(", ")
    )))
}

/// "the public network address can be modified if no VPN Tunnel has been created for the Customer
/// Gateway" (docs/design/jdcloud.md §4.3): no tunnel on any connection using it.
fn check_ips_modifiable(
    tx: &Tx<'_>,
    region: &str,
    gateway: &CustomerGateway,
) -> Result<(), JdError> {
    let id = gateway.customer_gateway_id.as_str();
    let mut tunnels = Vec::new();
    for connection in vpn_connection::of_customer_gateway(tx, region, id)? {
        tunnels.extend(
            vpn_tunnel::of_connection(tx, region, &connection.vpn_connection_id)?
                .into_iter()
                .map(|t| t.vpn_tunnel_id),
        );
    }
    if tunnels.is_empty() {
        return Ok(());
    }
    Err(JdError::failed_precondition(format!(
        "customerIps of CustomerGateway '{id}' cannot be modified while VPN tunnels {} exist",
        tunnels.join(", ")
    )))
}
