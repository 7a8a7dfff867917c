//! Border gateway operations (docs/design/jdcloud.md §4.1): parse, call the backend, render.
//!
//! INFERRED here (docs/design/jdcloud.md §8.2–§8.4): the body wrappers, the filter names and the
//! result shapes.

use serde::Serialize;

use crate::sandbox::jdcloud::backend::border_gateway::{self as backend, BgwChange, NewBgw};
use crate::sandbox::jdcloud::backend::db::Db;
use crate::sandbox::jdcloud::backend::model::{Bgw, AZ_TYPE_EDGE, AZ_TYPE_STANDARD};
use crate::sandbox::jdcloud::error::JdError;
use crate::sandbox::jdcloud::validate;
use crate::sandbox::jdcloud::wire::{
    apply_filters, FilterField, ListParams, OpRequest, Reply, Spec,
};

const CREATE_WRAPPER: &str = "bgwSpec";
const MODIFY_WRAPPER: &str = "modifyBgwSpec";
const ID_PARAM: &str = "bgwId";
/// "取值：standard(标准BGW)，edge(边缘BGW)"; absent means standard.
const AZ_TYPES: &[&str] = &[AZ_TYPE_STANDARD, AZ_TYPE_EDGE];

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
    Reply::result(&CreateResult {
        bgw_id: &bgw.bgw_id,
        bgw: &bgw,
    })
}

pub(super) fn describe_many(db: &Db<'_>, req: &OpRequest) -> Result<Reply, JdError> {
    let params = ListParams::parse(&req.query)?;
    let matching = apply_filters(backend::list(db, &req.region)?, &params.filters, FILTERS)?;
    let (bgws, total_count) = params.page(matching);
    Reply::result(&DescribeManyResult { bgws, total_count })
}

pub(super) fn describe(db: &Db<'_>, req: &OpRequest) -> Result<Reply, JdError> {
    let bgw = backend::get(db, &req.region, req.params.get(ID_PARAM))?;
    Reply::result(&DescribeResult { bgw: &bgw })
}

pub(super) fn modify(db: &Db<'_>, req: &OpRequest) -> Result<Reply, JdError> {
    let id = req.params.get(ID_PARAM);
    backend::get(db, &req.region, id)?;
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
