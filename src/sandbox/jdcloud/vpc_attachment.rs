//! VPC attachment (VPC接口, docs/design/jdcloud.md §4.2): model, rules and the five operations.
//!
//! The sandbox does not emulate the `vpc` service: any `vpcId` matching `^vpc-[a-z0-9]{4,}$` and any
//! `subnetId` matching `^subnet-[a-z0-9]{4,}$` is taken to exist, and `propagateCidrInfos` is
//! fabricated deterministically from the ids (see [`subnet_cidr`]).
//!
//! INFERRED here (docs/design/jdcloud.md §8.2–§8.5, §8.10, §8.11, §8.15): the id prefix `vpca`, the
//! body wrappers, filter names and result shapes; refusing `subnetIds` with `all`/`none`; the
//! status of the one-per-(bgw, vpc) rule (`FAILED_PRECONDITION`, might be 409); refusing a delete
//! while a static route points at it.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::error::JdError;
use super::wire::{apply_filters, FilterField, ListParams, Spec};
use super::{bgw_route, border_gateway, get_in_region, validate, OpRequest, Reply, CLOUD};
use crate::sandbox::ids;
use crate::sandbox::store::{Kind, Tx};

pub(super) const KIND: Kind = Kind {
    cloud: CLOUD,
    name: "vpc_attachments",
    id_prefix: "vpca",
};

/// "50 VPC attachments/BGW" (docs/design/jdcloud.md §6).
const QUOTA_PER_BGW: usize = 50;
const CREATE_WRAPPER: &str = "vpcAttachmentSpec";
const MODIFY_WRAPPER: &str = "modifyVpcAttachmentSpec";
const ID_PARAM: &str = "vpcAttachmentId";
const WHAT: &str = "VpcAttachment";

const PROPAGATE_ALL: &str = "all";
const PROPAGATE_PARTIAL: &str = "partial";
const PROPAGATE_NONE: &str = "none";
const PROPAGATE_TYPES: &[&str] = &[PROPAGATE_ALL, PROPAGATE_PARTIAL, PROPAGATE_NONE];
/// "创建vpc接口的状态:active" — the only documented value.
const STATUS_ACTIVE: &str = "active";
/// How many subnets a fabricated VPC has (what `all` propagates).
const FABRICATED_SUBNETS_PER_VPC: u32 = 2;

/// The `VpcAttachment` object (Go `services/bgw/models/VpcAttachment.go`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct VpcAttachment {
    pub vpc_attachment_id: String,
    pub vpc_attachment_name: String,
    pub bgw_id: String,
    pub vpc_id: String,
    pub propagate_type: String,
    pub status: String,
    pub propagate_cidr_infos: Vec<PropagateCidrInfo>,
    pub created_time: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct PropagateCidrInfo {
    pub subnet_cidr: String,
    pub subnet_id: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct CreateResult<'a> {
    vpc_attachment_id: &'a str,
    vpc_attachment: &'a VpcAttachment,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct DescribeResult<'a> {
    vpc_attachment: &'a VpcAttachment,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct DescribeManyResult {
    vpc_attachments: Vec<VpcAttachment>,
    total_count: usize,
}

const FILTERS: &[FilterField<VpcAttachment>] = &[
    FilterField {
        name: "vpcAttachmentIds",
        value: |a| a.vpc_attachment_id.as_str(),
    },
    FilterField {
        name: "vpcAttachmentNames",
        value: |a| a.vpc_attachment_name.as_str(),
    },
    FilterField {
        name: "bgwId",
        value: |a| a.bgw_id.as_str(),
    },
    FilterField {
        name: "vpcId",
        value: |a| a.vpc_id.as_str(),
    },
];

/// `vpcId` + `propagateType` + `subnetIds`: flat in `VpcAttachmentSpec`, nested as
/// `PropagationAttribute` in the modify body.
struct Propagation {
    vpc_id: String,
    propagate_type: String,
    subnet_ids: Vec<String>,
}

impl Propagation {
    fn parse(spec: &Spec) -> Result<Self, JdError> {
        let vpc_id = spec.string("vpcId")?;
        let propagate_type = spec.string("propagateType")?;
        let subnet_ids = spec.opt_string_list("subnetIds")?.unwrap_or_default();
        validate::vpc_id(&spec.path("vpcId"), &vpc_id)?;
        validate::one_of(
            &spec.path("propagateType"),
            &propagate_type,
            PROPAGATE_TYPES,
        )?;
        let field = spec.path("subnetIds");
        if propagate_type == PROPAGATE_PARTIAL {
            if subnet_ids.is_empty() {
                return Err(JdError::invalid_argument(format!(
                    "{field} must list at least one subnet when propagateType is partial"
                )));
            }
        } else if !subnet_ids.is_empty() {
            // "仅在传播方式为partial的时候生效": refusing beats silently ignoring (an empty list is fine).
            return Err(JdError::invalid_argument(format!(
                "{field} is only allowed when propagateType is partial (got {propagate_type})"
            )));
        }
        for (i, subnet) in subnet_ids.iter().enumerate() {
            validate::subnet_id(&format!("{field}[{i}]"), subnet)?;
            if subnet_ids[..i].contains(subnet) {
                return Err(JdError::invalid_argument(format!(
                    "{field} must not repeat a subnet ({subnet:?})"
                )));
            }
        }
        Ok(Self {
            vpc_id,
            propagate_type,
            subnet_ids,
        })
    }

    fn cidr_infos(&self) -> Vec<PropagateCidrInfo> {
        let subnets: Vec<String> = match self.propagate_type.as_str() {
            PROPAGATE_ALL => (1..=FABRICATED_SUBNETS_PER_VPC)
                .map(|n| fabricated_subnet_id(&self.vpc_id, n))
                .collect(),
            PROPAGATE_PARTIAL => self.subnet_ids.clone(),
            _ => Vec::new(),
        };
        subnets
            .into_iter()
            .map(|subnet_id| PropagateCidrInfo {
                subnet_cidr: subnet_cidr(&subnet_id),
                subnet_id,
            })
            .collect()
    }
}

/// The `n`th subnet of a VPC the sandbox pretends exists: `subnet-<8 hex of sha256(vpc#n)>`.
fn fabricated_subnet_id(vpc_id: &str, n: u32) -> String {
    let digest = Sha256::digest(format!("{vpc_id}#{n}").as_bytes());
    format!("subnet-{}", hex::encode(&digest[..4]))
}

/// A stable `10.x.y.0/24` for a subnet id, from its hash.
fn subnet_cidr(subnet_id: &str) -> String {
    let digest = Sha256::digest(subnet_id.as_bytes());
    format!("10.{}.{}.0/24", digest[0], digest[1])
}

pub(super) fn create(tx: &Tx<'_>, req: &OpRequest) -> Result<Reply, JdError> {
    let spec = Spec::parse(&req.body, CREATE_WRAPPER)?;
    let name = spec.string("vpcAttachmentName")?;
    let bgw_id = spec.string("bgwId")?;
    validate::name(&spec.path("vpcAttachmentName"), &name)?;
    let propagation = Propagation::parse(&spec)?;

    border_gateway::get(tx, &req.region, &bgw_id)?;
    let siblings = of_bgw(tx, &req.region, &bgw_id)?;
    check_unique(&siblings, &bgw_id, &propagation.vpc_id, None)?;
    if siblings.len() >= QUOTA_PER_BGW {
        return Err(JdError::quota_exceeded(format!(
            "VpcAttachment quota limit exceeded ({QUOTA_PER_BGW} per border gateway)."
        )));
    }

    let attachment = VpcAttachment {
        vpc_attachment_id: ids::resource_id(tx, KIND)?,
        vpc_attachment_name: name,
        bgw_id,
        propagate_cidr_infos: propagation.cidr_infos(),
        vpc_id: propagation.vpc_id,
        propagate_type: propagation.propagate_type,
        status: STATUS_ACTIVE.to_owned(),
        created_time: ids::iso8601(req.now),
    };
    tx.insert(
        KIND,
        &req.region,
        &attachment.vpc_attachment_id,
        &attachment,
    )?;
    border_gateway::refresh_children(tx, &req.region, &attachment.bgw_id)?;
    Reply::result(&CreateResult {
        vpc_attachment_id: &attachment.vpc_attachment_id,
        vpc_attachment: &attachment,
    })
}

pub(super) fn describe_many(tx: &Tx<'_>, req: &OpRequest) -> Result<Reply, JdError> {
    let params = ListParams::parse(&req.query)?;
    let all: Vec<VpcAttachment> = tx.list(KIND, &req.region)?;
    let matching = apply_filters(all, &params.filters, FILTERS)?;
    let (vpc_attachments, total_count) = params.page(matching);
    Reply::result(&DescribeManyResult {
        vpc_attachments,
        total_count,
    })
}

pub(super) fn describe(tx: &Tx<'_>, req: &OpRequest) -> Result<Reply, JdError> {
    let attachment = find(tx, req)?;
    Reply::result(&DescribeResult {
        vpc_attachment: &attachment,
    })
}

/// `vpcAttachmentName` and/or `propagationAttribute` ("全量更新": the whole propagation is
/// replaced). "modification for Border Gateway of VPC Attachment is not supported".
pub(super) fn modify(tx: &Tx<'_>, req: &OpRequest) -> Result<Reply, JdError> {
    let mut attachment = find(tx, req)?;
    let spec = Spec::parse(&req.body, MODIFY_WRAPPER)?;
    spec.unchanged_string("bgwId", &attachment.bgw_id)?;
    let mut changed = false;
    if let Some(name) = spec.opt_string("vpcAttachmentName")? {
        validate::name(&spec.path("vpcAttachmentName"), &name)?;
        changed |= name != attachment.vpc_attachment_name;
        attachment.vpc_attachment_name = name;
    }
    if let Some(attribute) = spec.opt_object("propagationAttribute")? {
        let propagation = Propagation::parse(&attribute)?;
        let siblings = of_bgw(tx, &req.region, &attachment.bgw_id)?;
        check_unique(
            &siblings,
            &attachment.bgw_id,
            &propagation.vpc_id,
            Some(&attachment.vpc_attachment_id),
        )?;
        let infos = propagation.cidr_infos();
        changed |= propagation.vpc_id != attachment.vpc_id
            || propagation.propagate_type != attachment.propagate_type
            || infos != attachment.propagate_cidr_infos;
        attachment.vpc_id = propagation.vpc_id;
        attachment.propagate_type = propagation.propagate_type;
        attachment.propagate_cidr_infos = infos;
    }
    if changed {
        tx.update(KIND, &attachment.vpc_attachment_id, &attachment)?;
    }
    Ok(Reply::Empty)
}

pub(super) fn delete(tx: &Tx<'_>, req: &OpRequest) -> Result<Reply, JdError> {
    let attachment = find(tx, req)?;
    let id = attachment.vpc_attachment_id.as_str();
    bgw_route::check_not_nexthop(tx, &req.region, &attachment.bgw_id, id, WHAT)?;
    tx.delete(KIND, id)?;
    border_gateway::refresh_children(tx, &req.region, &attachment.bgw_id)?;
    Ok(Reply::Empty)
}

/// "Number of VPC Attachments creatable between the same pair of VPC and Border Gateway: 1".
fn check_unique(
    siblings: &[VpcAttachment],
    bgw_id: &str,
    vpc_id: &str,
    except: Option<&str>,
) -> Result<(), JdError> {
    match siblings
        .iter()
        .find(|a| a.vpc_id == vpc_id && Some(a.vpc_attachment_id.as_str()) != except)
    {
        Some(other) => Err(JdError::failed_precondition(format!(
            "VPC '{vpc_id}' is already attached to Bgw '{bgw_id}' by VpcAttachment '{}'",
            other.vpc_attachment_id
        ))),
        None => Ok(()),
    }
}

fn find(tx: &Tx<'_>, req: &OpRequest) -> Result<VpcAttachment, JdError> {
    get(tx, &req.region, req.params.get(ID_PARAM))
}

/// The attachment `id` in `region`; otherwise 404.
pub(super) fn get(tx: &Tx<'_>, region: &str, id: &str) -> Result<VpcAttachment, JdError> {
    get_in_region(tx, KIND, region, id, WHAT)
}

/// The attachments of one border gateway, oldest first.
pub(super) fn of_bgw(
    tx: &Tx<'_>,
    region: &str,
    bgw_id: &str,
) -> Result<Vec<VpcAttachment>, JdError> {
    let all: Vec<VpcAttachment> = tx.list(KIND, region)?;
    Ok(all.into_iter().filter(|a| a.bgw_id == bgw_id).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fabricated_subnets_are_stable() {
        let a = fabricated_subnet_id("vpc-abcd", 1);
        assert_eq!(a, fabricated_subnet_id("vpc-abcd", 1));
        assert_ne!(a, fabricated_subnet_id("vpc-abcd", 2));
        assert!(validate::subnet_id("s", &a).is_ok(), "{a}");
        let cidr = subnet_cidr(&a);
        assert_eq!(cidr, subnet_cidr(&a));
        assert!(validate::cidr("c", &cidr).is_ok(), "{cidr}");
        assert!(cidr.starts_with("10.") && cidr.ends_with(".0/24"), "{cidr}");
    }
}
