//! VPC attachment operations (docs/design/jdcloud.md §4.2): parse, call the backend, render.
//!
//! INFERRED here (docs/design/jdcloud.md §8.2–§8.5, §8.15): the body wrappers, filter names and
//! result shapes; refusing `subnetIds` with `all`/`none`.

use super::kind::{modified, wire, Wire};
use crate::sandbox::jdcloud::backend::db::Db;
use crate::sandbox::jdcloud::backend::model::{
    VpcAttachment, PROPAGATE_ALL, PROPAGATE_NONE, PROPAGATE_PARTIAL,
};
use crate::sandbox::jdcloud::backend::vpc_attachment::{
    self as backend, NewVpcAttachment, Propagation, VpcAttachmentChange,
};
use crate::sandbox::jdcloud::error::JdError;
use crate::sandbox::jdcloud::validate;
use crate::sandbox::jdcloud::wire::{OpRequest, Reply, Spec};

const PROPAGATE_TYPES: &[&str] = &[PROPAGATE_ALL, PROPAGATE_PARTIAL, PROPAGATE_NONE];

pub(super) const WIRE: Wire<VpcAttachment> = wire! {
    "vpcAttachment", modify: "modifyVpcAttachmentSpec",
    filters: [
        "vpcAttachmentIds" => vpc_attachment_id,
        "vpcAttachmentNames" => vpc_attachment_name,
        "bgwId" => bgw_id,
        "vpcId" => vpc_id,
    ],
};

/// `vpcId` + `propagateType` + `subnetIds`: flat in `VpcAttachmentSpec`, nested as
/// `PropagationAttribute` in the modify body.
fn parse_propagation(spec: &Spec) -> Result<Propagation, JdError> {
    let vpc_id = spec.checked("vpcId", validate::vpc_id)?;
    let propagate_type = spec.string("propagateType")?;
    let subnet_ids = spec.opt_string_list("subnetIds")?.unwrap_or_default();
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
    let spec = WIRE.create_spec(req)?;
    let new = NewVpcAttachment {
        name: spec.checked("vpcAttachmentName", validate::name)?,
        bgw_id: spec.string("bgwId")?,
        propagation: parse_propagation(&spec)?,
    };
    WIRE.create_reply(&spec, backend::create(db, new))
}

/// `vpcAttachmentName` and/or `propagationAttribute` ("全量更新": the whole propagation is
/// replaced).
pub(super) fn modify(db: &Db<'_>, req: &OpRequest) -> Result<Reply, JdError> {
    let (id, spec) = WIRE.modify_spec(db, req)?;
    let change = VpcAttachmentChange {
        name: spec.opt_checked("vpcAttachmentName", validate::name)?,
        bgw_id: spec.opt_string("bgwId")?,
        propagation: spec
            .opt_object("propagationAttribute")?
            .map(|attribute| parse_propagation(&attribute))
            .transpose()?,
    };
    modified(&spec, db.modify(id, change))
}
