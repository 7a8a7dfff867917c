//! Border gateway operations (docs/design/jdcloud.md §4.1): parse, call the backend, render.
//!
//! INFERRED here (docs/design/jdcloud.md §8.2–§8.4): the body wrappers, the filter names and the
//! result shapes.

use super::kind::{modified, wire, Wire};
use crate::sandbox::jdcloud::backend::border_gateway::{self as backend, BgwChange, NewBgw};
use crate::sandbox::jdcloud::backend::db::Db;
use crate::sandbox::jdcloud::backend::model::{Bgw, AZ_TYPE_EDGE, AZ_TYPE_STANDARD};
use crate::sandbox::jdcloud::error::JdError;
use crate::sandbox::jdcloud::validate;
use crate::sandbox::jdcloud::wire::{OpRequest, Reply};

/// "取值：standard(标准BGW)，edge(边缘BGW)"; absent means standard.
const AZ_TYPES: &[&str] = &[AZ_TYPE_STANDARD, AZ_TYPE_EDGE];

pub(super) const WIRE: Wire<Bgw> = wire! {
    "bgw", modify: "modifyBgwSpec",
    filters: ["bgwIds" => bgw_id, "bgwNames" => bgw_name],
};

pub(super) fn create(db: &Db<'_>, req: &OpRequest) -> Result<Reply, JdError> {
    let spec = WIRE.create_spec(req)?;
    let name = spec.checked("bgwName", validate::name)?;
    let description = spec.opt_checked("description", validate::description)?;
    let az_type = spec
        .opt_string("azType")?
        .unwrap_or_else(|| AZ_TYPE_STANDARD.to_owned());
    let az = spec.opt_string("az")?.unwrap_or_default();
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
    let new = NewBgw {
        name,
        description: description.unwrap_or_default(),
        az_type,
        az,
    };
    WIRE.create_reply(&spec, backend::create(db, new))
}

pub(super) fn modify(db: &Db<'_>, req: &OpRequest) -> Result<Reply, JdError> {
    let (id, spec) = WIRE.modify_spec(db, req)?;
    let change = BgwChange {
        name: spec.opt_checked("bgwName", validate::name)?,
        description: spec.opt_checked("description", validate::description)?,
        az_type: spec.opt_string("azType")?,
        az: spec.opt_string("az")?,
    };
    modified(&spec, db.modify(id, change))
}
