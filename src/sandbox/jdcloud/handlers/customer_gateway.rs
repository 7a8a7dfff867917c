//! Customer gateway operations (docs/design/jdcloud.md §4.3): parse, call the backend, render.
//!
//! INFERRED here (docs/design/jdcloud.md §8.2–§8.4): the body wrappers, filter names and result
//! shapes.

use std::ops::RangeInclusive;

use super::kind::Wire;
use crate::sandbox::jdcloud::backend::customer_gateway::{
    self as backend, CustomerGatewayChange, NewCustomerGateway,
};
use crate::sandbox::jdcloud::backend::db::Db;
use crate::sandbox::jdcloud::backend::model::CustomerGateway;
use crate::sandbox::jdcloud::error::JdError;
use crate::sandbox::jdcloud::validate;
use crate::sandbox::jdcloud::wire::{FilterField, OpRequest, Reply, Spec};

/// "取值范围\[65001,65499\]，设置后不支持修改".
const BGP_ASN_RANGE: RangeInclusive<i64> = 65001..=65499;
/// Body wrappers (docs/design/jdcloud.md §3.1); the flat form is accepted too.
const CREATE_WRAPPER: &str = "customerGatewaySpec";
const MODIFY_WRAPPER: &str = "modifyCustomerGatewaySpec";
/// Path parameter naming the gateway.
const ID_PARAM: &str = "customerGatewayId";

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

pub(super) const WIRE: Wire<CustomerGateway> = Wire {
    id: ID_PARAM,
    one: "customerGateway",
    many: "customerGateways",
    filters: FILTERS,
};

pub(super) fn create(db: &Db<'_>, req: &OpRequest) -> Result<Reply, JdError> {
    let spec = Spec::parse(&req.body, CREATE_WRAPPER)?;
    let name = spec.string("customerGatewayName")?;
    let ips = spec.string_list("customerIps")?;
    let bgp_asn = spec.i64("bgpAsn")?;
    let description = spec.opt_string("description")?.unwrap_or_default();
    validate::name(&spec.path("customerGatewayName"), &name)?;
    validate::description(&spec.path("description"), &description)?;
    validate::customer_ips(&spec.path("customerIps"), &ips)?;
    validate::in_range(&spec.path("bgpAsn"), bgp_asn, BGP_ASN_RANGE)?;

    let new = NewCustomerGateway {
        name,
        ips,
        bgp_asn,
        description,
    };
    let gateway = backend::create(db, &req.region, new).map_err(|e| spec.qualify(e))?;
    WIRE.created(&gateway)
}

pub(super) fn modify(db: &Db<'_>, req: &OpRequest) -> Result<Reply, JdError> {
    let id = req.params.get(ID_PARAM);
    // An unknown gateway is 404 whatever the body says.
    db.get::<CustomerGateway>(&req.region, id)?;
    let spec = Spec::parse(&req.body, MODIFY_WRAPPER)?;
    let change = CustomerGatewayChange {
        name: spec.opt_string("customerGatewayName")?,
        description: spec.opt_string("description")?,
        ips: spec.opt_string_list("customerIps")?,
        // Not part of ModifyCustomerGatewaySpec; the backend allows resending the same value.
        bgp_asn: spec.opt_i64("bgpAsn")?,
    };
    if let Some(name) = &change.name {
        validate::name(&spec.path("customerGatewayName"), name)?;
    }
    if let Some(description) = &change.description {
        validate::description(&spec.path("description"), description)?;
    }
    if let Some(ips) = &change.ips {
        validate::customer_ips(&spec.path("customerIps"), ips)?;
    }
    backend::modify(db, &req.region, id, change).map_err(|e| spec.qualify(e))?;
    Ok(Reply::Empty)
}

pub(super) fn delete(db: &Db<'_>, req: &OpRequest) -> Result<Reply, JdError> {
    backend::delete(db, &req.region, req.params.get(ID_PARAM))?;
    Ok(Reply::Empty)
}
