//! Customer gateway operations (docs/design/jdcloud.md §4.3): parse, call the backend, render.
//!
//! INFERRED here (docs/design/jdcloud.md §8.2–§8.4): the body wrappers, filter names and result
//! shapes.

use std::ops::RangeInclusive;

use super::kind::{modified, wire, Wire};
use crate::sandbox::jdcloud::backend::customer_gateway::{
    self as backend, CustomerGatewayChange, NewCustomerGateway,
};
use crate::sandbox::jdcloud::backend::db::Db;
use crate::sandbox::jdcloud::backend::model::CustomerGateway;
use crate::sandbox::jdcloud::error::JdError;
use crate::sandbox::jdcloud::validate;
use crate::sandbox::jdcloud::wire::{OpRequest, Reply};

/// "取值范围\[65001,65499\]，设置后不支持修改".
const BGP_ASN_RANGE: RangeInclusive<i64> = 65001..=65499;

pub(super) const WIRE: Wire<CustomerGateway> = wire! {
    "customerGateway", modify: "modifyCustomerGatewaySpec",
    filters: [
        "customerGatewayIds" => customer_gateway_id,
        "customerGatewayNames" => customer_gateway_name,
    ],
};

pub(super) fn create(db: &Db<'_>, req: &OpRequest) -> Result<Reply, JdError> {
    let spec = WIRE.create_spec(req)?;
    let name = spec.checked("customerGatewayName", validate::name)?;
    let ips = spec.string_list("customerIps")?;
    let bgp_asn = spec.i64("bgpAsn")?;
    let description = spec.opt_checked("description", validate::description)?;
    validate::customer_ips(&spec.path("customerIps"), &ips)?;
    validate::in_range(&spec.path("bgpAsn"), bgp_asn, BGP_ASN_RANGE)?;
    let new = NewCustomerGateway {
        name,
        ips,
        bgp_asn,
        description: description.unwrap_or_default(),
    };
    WIRE.create_reply(&spec, backend::create(db, new))
}

pub(super) fn modify(db: &Db<'_>, req: &OpRequest) -> Result<Reply, JdError> {
    let (id, spec) = WIRE.modify_spec(db, req)?;
    let ips = spec.opt_string_list("customerIps")?;
    if let Some(ips) = &ips {
        validate::customer_ips(&spec.path("customerIps"), ips)?;
    }
    let change = CustomerGatewayChange {
        name: spec.opt_checked("customerGatewayName", validate::name)?,
        description: spec.opt_checked("description", validate::description)?,
        ips,
        // Not part of ModifyCustomerGatewaySpec; the backend allows resending the same value.
        bgp_asn: spec.opt_i64("bgpAsn")?,
    };
    modified(&spec, db.modify(id, change))
}
