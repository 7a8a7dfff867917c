//! VPC attachment operations (docs/design/jdcloud.md §4.2): parse, call the backend, render.
//!
//! INFERRED here (docs/design/jdcloud.md §8.2–§8.5, §8.15): the body wrappers, filter names and
//! result shapes; refusing `subnetIds` with `all`/`none`.

use super::kind::Wire;
use crate::sandbox::jdcloud::backend::db::Db;
use crate::sandbox::jdcloud::backend::model::{
    VpcAttachment, PROPAGATE_ALL, PROPAGATE_NONE, PROPAGATE_PARTIAL,
};
use crate::sandbox::jdcloud::backend::vpc_attachment::{
    self as backend, NewVpcAttachment, Propagation, VpcAttachmentChange,
};
use crate::sandbox::jdcloud::error::JdError;
use crate::sandbox::jdcloud::validate;
use crate::sandbox::jdcloud::wire::{FilterField, OpRequest, Reply, Spec};

const CREATE_WRAPPER: &str = "vpcAttachmentSpec";
const MODIFY_WRAPPER: &str = "modifyVpcAttachmentSpec";
const ID_PARAM: &str = "vpcAttachmentId";
const PROPAGATE_TYPES: &[&str] = &[PROPAGATE_ALL, PROPAGATE_PARTIAL, PROPAGATE_NONE];

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

pub(super) const WIRE: Wire<VpcAttachment> = Wire {
    id: ID_PARAM,
    one: "vpcAttachment",
    many: "vpcAttachments",
    filters: FILTERS,
};

/// `vpcId` + `propagateType` + `subnetIds`: flat in `VpcAttachmentSpec`, nested as
/// `PropagationAttribute` in the modify body.
fn parse_propagation(spec: &Spec) -> Result<Propagation, JdError> {
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
    Ok(Propagation {
        vpc_id,
        propagate_type,
        subnet_ids,
    })
}

pub(super) fn create(db: &Db<'_>, req: &OpRequest) -> Result<Reply, JdError> {
    let spec = Spec::parse(&req.body, CREATE_WRAPPER)?;
    let name = spec.string("vpcAttachmentName")?;
    let bgw_id = spec.string("bgwId")?;
    validate::name(&spec.path("vpcAttachmentName"), &name)?;
    let propagation = parse_propagation(&spec)?;

    let new = NewVpcAttachment {
        name,
        bgw_id,
        propagation,
    };
    let attachment = backend::create(db, &req.region, new).map_err(|e| spec.qualify(e))?;
    WIRE.created(&attachment)
}

/// `vpcAttachmentName` and/or `propagationAttribute` ("全量更新": the whole propagation is
/// replaced).
pub(super) fn modify(db: &Db<'_>, req: &OpRequest) -> Result<Reply, JdError> {
    let id = req.params.get(ID_PARAM);
    db.get::<VpcAttachment>(&req.region, id)?;
    let spec = Spec::parse(&req.body, MODIFY_WRAPPER)?;
    let name = spec.opt_string("vpcAttachmentName")?;
    if let Some(name) = &name {
        validate::name(&spec.path("vpcAttachmentName"), name)?;
    }
    let propagation = spec
        .opt_object("propagationAttribute")?
        .map(|attribute| parse_propagation(&attribute))
        .transpose()?;
    let change = VpcAttachmentChange {
        name,
        bgw_id: spec.opt_string("bgwId")?,
        propagation,
    };
    backend::modify(db, &req.region, id, change).map_err(|e| spec.qualify(e))?;
    Ok(Reply::Empty)
}

pub(super) fn delete(db: &Db<'_>, req: &OpRequest) -> Result<Reply, JdError> {
    backend::delete(db, &req.region, req.params.get(ID_PARAM))?;
    Ok(Reply::Empty)
}
