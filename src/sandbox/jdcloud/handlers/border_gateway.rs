//! Border gateway operations (docs/design/jdcloud.md §4.1): parse, call the backend, render.
//!
//! INFERRED here (docs/design/jdcloud.md §8.2–§8.4): the body wrappers, the filter names and the
//! result shapes.

use super::kind::Wire;
use crate::sandbox::jdcloud::backend::border_gateway::{self as backend, BgwChange, NewBgw};
use crate::sandbox::jdcloud::backend::db::Db;
use crate::sandbox::jdcloud::backend::model::{Bgw, AZ_TYPE_EDGE, AZ_TYPE_STANDARD};
use crate::sandbox::jdcloud::error::JdError;
use crate::sandbox::jdcloud::validate;
use crate::sandbox::jdcloud::wire::{FilterField, OpRequest, Reply, Spec};

const CREATE_WRAPPER: &str = "bgwSpec";
const MODIFY_WRAPPER: &str = "modifyBgwSpec";
const ID_PARAM: &str = "bgwId";
/// "取值：standard(标准BGW)，edge(边缘BGW)"; absent means standard.
const AZ_TYPES: &[&str] = &[AZ_TYPE_STANDARD, AZ_TYPE_EDGE];

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

pub(super) const WIRE: Wire<Bgw> = Wire {
    id: ID_PARAM,
    one: "bgw",
    many: "bgws",
    filters: FILTERS,
};

pub(super) fn create(db: &Db<'_>, req: &OpRequest) -> Result<Reply, JdError> {
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

    let new = NewBgw {
        name,
        description,
        az_type,
        az,
    };
    let bgw = backend::create(db, &req.region, new).map_err(|e| spec.qualify(e))?;
    WIRE.created(&bgw)
}

pub(super) fn modify(db: &Db<'_>, req: &OpRequest) -> Result<Reply, JdError> {
    let id = req.params.get(ID_PARAM);
    db.get::<Bgw>(&req.region, id)?;
    let spec = Spec::parse(&req.body, MODIFY_WRAPPER)?;
    let change = BgwChange {
        name: spec.opt_string("bgwName")?,
        description: spec.opt_string("description")?,
        az_type: spec.opt_string("azType")?,
        az: spec.opt_string("az")?,
    };
    if let Some(name) = &change.name {
        validate::name(&spec.path("bgwName"), name)?;
    }
    if let Some(description) = &change.description {
        validate::description(&spec.path("description"), description)?;
    }
    backend::modify(db, &req.region, id, change).map_err(|e| spec.qualify(e))?;
    Ok(Reply::Empty)
}

pub(super) fn delete(db: &Db<'_>, req: &OpRequest) -> Result<Reply, JdError> {
    backend::delete(db, &req.region, req.params.get(ID_PARAM))?;
    Ok(Reply::Empty)
}
