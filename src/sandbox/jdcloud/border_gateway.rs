//! Border gateway (边界网关, docs/design/jdcloud.md §4.1): model, rules and the five operations.
//!
//! The stored body is exactly the API object. `vpcAttachmentIds` and `vpnConnectionIds` are kept in
//! step with the children by [`refresh_children`], which every child create/delete calls in the
//! same transaction; `vifIds` stays empty (Direct Connect is not emulated).
//!
//! INFERRED here (docs/design/jdcloud.md §8.2–§8.5, §8.11): the id prefix `bgw`, the body wrappers,
//! the filter names, the result shapes and refusing a delete while static routes exist.

use serde::{Deserialize, Serialize};

use super::error::JdError;
use super::wire::{apply_filters, FilterField, ListParams, Spec};
use super::{bgw_route, get_in_region, validate, vpc_attachment, vpn_connection};
use super::{OpRequest, Reply, CLOUD};
use crate::sandbox::ids;
use crate::sandbox::store::{Kind, Tx};

pub(super) const KIND: Kind = Kind {
    cloud: CLOUD,
    name: "bgws",
    id_prefix: "bgw",
};

/// "5 BGWs/region" (docs/design/jdcloud.md §6).
const QUOTA_PER_REGION: usize = 5;
const CREATE_WRAPPER: &str = "bgwSpec";
const MODIFY_WRAPPER: &str = "modifyBgwSpec";
const ID_PARAM: &str = "bgwId";
/// Name used in messages.
const WHAT: &str = "Bgw";

const AZ_TYPE_STANDARD: &str = "standard";
const AZ_TYPE_EDGE: &str = "edge";
/// "取值：standard(标准BGW)，edge(边缘BGW)"; absent means standard.
const AZ_TYPES: &[&str] = &[AZ_TYPE_STANDARD, AZ_TYPE_EDGE];

/// The `Bgw` object (Go `services/bgw/models/Bgw.go`). No status, no ASN (the ASN is fixed, see
/// [`BGW_ASN`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Bgw {
    pub bgw_id: String,
    pub bgw_name: String,
    pub description: String,
    pub vif_ids: Vec<String>,
    pub vpc_attachment_ids: Vec<String>,
    pub vpn_connection_ids: Vec<String>,
    pub az_type: String,
    /// Empty for a standard gateway ("中心BGW返回空").
    pub az: String,
    pub created_time: String,
}

/// "The BGP ASN of current JD Cloud border gateway is fixed to 65000"; connections inherit it as
/// their default `localAsn`.
pub(super) const BGW_ASN: i64 = 65000;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct CreateResult<'a> {
    bgw_id: &'a str,
    bgw: &'a Bgw,
}

#[derive(Debug, Serialize)]
struct DescribeResult<'a> {
    bgw: &'a Bgw,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct DescribeManyResult {
    bgws: Vec<Bgw>,
    total_count: usize,
}

const FILTERS: &[FilterField<Bgw>] = &[
    FilterField {
        name: "bgwIds",
        value: |g| g.bgw_id.as_str(),
    },
    FilterField {
        name: "bgwNames",
        value: |g| g.bgw_name.as_str(),
    },
];

pub(super) fn create(tx: &Tx<'_>, req: &OpRequest) -> Result<Reply, JdError> {
    let spec = Spec::parse(&req.body, CREATE_WRAPPER)?;
    let name = spec.string("bgwName")?;
    let description = spec.opt_string("description")?.unwrap_or_default();
    let az_type = spec
        .opt_string("azType")?
        .unwrap_or_else(|| AZ_TYPE_STANDARD.to_owned());
    let az = spec.opt_string("az")?.unwrap_or_default();

    validate::name(&spec.path("bgwName"), &name)?;
    validate::description(&spec.path("description"), &description)?;
    validate::one_of(&spec.path("azType"), &az_type, AZ_TYPES)?;
    // "azType为edge时，边缘BGW必须指定可用区，edge为standard时忽略".
    let az = if az_type == AZ_TYPE_EDGE {
        if az.is_empty() {
            return Err(JdError::invalid_argument(format!(
                "{} is required when azType is edge",
                spec.path("az")
            )));
        }
        az
    } else {
        String::new()
    };
    if tx.count(KIND, &req.region)? >= QUOTA_PER_REGION {
        return Err(JdError::quota_exceeded(format!(
            "Bgw quota limit exceeded ({QUOTA_PER_REGION} per region)."
        )));
    }

    let bgw = Bgw {
        bgw_id: ids::resource_id(tx, KIND)?,
        bgw_name: name,
        description,
        vif_ids: Vec::new(),
        vpc_attachment_ids: Vec::new(),
        vpn_connection_ids: Vec::new(),
        az_type,
        az,
        created_time: ids::iso8601(req.now),
    };
    tx.insert(KIND, &req.region, &bgw.bgw_id, &bgw)?;
    Reply::result(&CreateResult {
        bgw_id: &bgw.bgw_id,
        bgw: &bgw,
    })
}

pub(super) fn describe_many(tx: &Tx<'_>, req: &OpRequest) -> Result<Reply, JdError> {
    let params = ListParams::parse(&req.query)?;
    let all: Vec<Bgw> = tx.list(KIND, &req.region)?;
    let matching = apply_filters(all, &params.filters, FILTERS)?;
    let (bgws, total_count) = params.page(matching);
    Reply::result(&DescribeManyResult { bgws, total_count })
}

pub(super) fn describe(tx: &Tx<'_>, req: &OpRequest) -> Result<Reply, JdError> {
    let bgw = find(tx, req)?;
    Reply::result(&DescribeResult { bgw: &bgw })
}

pub(super) fn modify(tx: &Tx<'_>, req: &OpRequest) -> Result<Reply, JdError> {
    let mut bgw = find(tx, req)?;
    let spec = Spec::parse(&req.body, MODIFY_WRAPPER)?;
    // Not part of ModifyBgwSpec; refusing a change beats silently ignoring it.
    spec.unchanged_string("azType", &bgw.az_type)?;
    if bgw.az_type == AZ_TYPE_EDGE {
        spec.unchanged_string("az", &bgw.az)?;
    }
    let mut changed = false;
    if let Some(name) = spec.opt_string("bgwName")? {
        validate::name(&spec.path("bgwName"), &name)?;
        changed |= name != bgw.bgw_name;
        bgw.bgw_name = name;
    }
    if let Some(description) = spec.opt_string("description")? {
        validate::description(&spec.path("description"), &description)?;
        changed |= description != bgw.description;
        bgw.description = description;
    }
    if changed {
        tx.update(KIND, &bgw.bgw_id, &bgw)?;
    }
    Ok(Reply::Empty)
}

/// "The Border Gateway without Private Virtual Interface, Hosted Private Virtual Interface, VPN
/// Connection and VPC Attachment created can be deleted" (docs/design/jdcloud.md §4.1); static
/// routes count too (§8.11).
pub(super) fn delete(tx: &Tx<'_>, req: &OpRequest) -> Result<Reply, JdError> {
    let bgw = find(tx, req)?;
    let id = bgw.bgw_id.as_str();
    let attachments = vpc_attachment::of_bgw(tx, &req.region, id)?;
    let connections = vpn_connection::of_bgw(tx, &req.region, id)?;
    let routes = bgw_route::of_bgw(tx, &req.region, id)?;
    let mut in_use = Vec::new();
    if !attachments.is_empty() {
        let ids: Vec<&str> = attachments
            .iter()
            .map(|a| a.vpc_attachment_id.as_str())
            .collect();
        in_use.push(format!("VPC attachments {}", ids.join(", ")));
    }
    if !connections.is_empty() {
        let ids: Vec<&str> = connections
            .iter()
            .map(|c| c.vpn_connection_id.as_str())
            .collect();
        in_use.push(format!("VPN connections {}", ids.join(", ")));
    }
    if !routes.is_empty() {
        let ids: Vec<&str> = routes.iter().map(|r| r.bgw_route_id.as_str()).collect();
        in_use.push(format!("static routes {}", ids.join(", ")));
    }
    if !in_use.is_empty() {
        return Err(JdError::failed_precondition(format!(
            "Bgw '{id}' cannot be deleted while it has {}",
            in_use.join("; ")
        )));
    }
    tx.delete(KIND, id)?;
    Ok(Reply::Empty)
}

/// The gateway named by the path, in the path's region; otherwise 404.
fn find(tx: &Tx<'_>, req: &OpRequest) -> Result<Bgw, JdError> {
    get(tx, &req.region, req.params.get(ID_PARAM))
}

/// The gateway `id` in `region`; otherwise 404 (also used for `bgwId` references).
pub(super) fn get(tx: &Tx<'_>, region: &str, id: &str) -> Result<Bgw, JdError> {
    get_in_region(tx, KIND, region, id, WHAT)
}

/// Recomputes the child id lists of gateway `bgw_id` from the stored children.
pub(super) fn refresh_children(tx: &Tx<'_>, region: &str, bgw_id: &str) -> Result<(), JdError> {
    let mut bgw = get(tx, region, bgw_id)?;
    let attachments: Vec<String> = vpc_attachment::of_bgw(tx, region, bgw_id)?
        .into_iter()
        .map(|a| a.vpc_attachment_id)
        .collect();
    let connections: Vec<String> = vpn_connection::of_bgw(tx, region, bgw_id)?
        .into_iter()
        .map(|c| c.vpn_connection_id)
        .collect();
    if attachments != bgw.vpc_attachment_ids || connections != bgw.vpn_connection_ids {
        bgw.vpc_attachment_ids = attachments;
        bgw.vpn_connection_ids = connections;
        tx.update(KIND, bgw_id, &bgw)?;
    }
    Ok(())
}
