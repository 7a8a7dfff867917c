//! VPN connection operations (docs/design/jdcloud.md §4.4): parse, call the backend, render.
//!
//! INFERRED here (docs/design/jdcloud.md §8.2–§8.4, §8.14): the body wrappers, filter names and
//! result shapes; refusing `trafficSelectors` at create (`VpnConnectionSpec` has none, the real
//! API probably ignores them).

use std::ops::RangeInclusive;

use super::kind::{modified, wire, Wire};
use crate::sandbox::jdcloud::backend::db::Db;
use crate::sandbox::jdcloud::backend::model::{
    TrafficSelector, VpnConnection, CONNECTION_CHARGE_MODE,
};
use crate::sandbox::jdcloud::backend::vpn_connection::{
    self as backend, NewVpnConnection, VpnConnectionChange,
};
use crate::sandbox::jdcloud::error::JdError;
use crate::sandbox::jdcloud::validate;
use crate::sandbox::jdcloud::wire::{OpRequest, Reply, Spec};

/// "支持16位的私有ASN，取值范围为：64512~65534，默认从BGW继承65000".
const LOCAL_ASN_RANGE: RangeInclusive<i64> = 64512..=65534;

pub(super) const WIRE: Wire<VpnConnection> = wire! {
    "vpnConnection", modify: "modifyVpnConnectionSpec",
    filters: [
        "vpnConnectionIds" => vpn_connection_id,
        "vpnConnectionNames" => vpn_connection_name,
        "bgwId" => bgw_id,
        "cgwId" => cgw_id,
    ],
};

pub(super) fn create(db: &Db<'_>, req: &OpRequest) -> Result<Reply, JdError> {
    let spec = WIRE.create_spec(req)?;
    let name = spec.checked("vpnConnectionName", validate::name)?;
    let description = spec.opt_checked("description", validate::description)?;
    let bgw_id = spec.string("bgwId")?;
    let cgw_id = spec.string("cgwId")?;
    let bgp_enabled = spec.opt_bool("bgpEnabled")?.unwrap_or(true);
    let local_asn = spec.opt_i64("localAsn")?;
    let providers = spec.opt_string_list("providers")?;
    if let Some(asn) = local_asn {
        validate::in_range(&spec.path("localAsn"), asn, LOCAL_ASN_RANGE)?;
    }
    validate::charge_spec(&spec, CONNECTION_CHARGE_MODE)?;
    if spec.has("trafficSelectors") {
        return Err(JdError::invalid_argument(format!(
            "{} cannot be set at create (VpnConnectionSpec has no such field); \
             set it with modifyVpnConnection",
            spec.path("trafficSelectors")
        )));
    }
    let new = NewVpnConnection {
        name,
        description: description.unwrap_or_default(),
        bgw_id,
        cgw_id,
        bgp_enabled,
        local_asn,
        providers,
    };
    WIRE.create_reply(&spec, backend::create(db, new))
}

pub(super) fn modify(db: &Db<'_>, req: &OpRequest) -> Result<Reply, JdError> {
    let (id, spec) = WIRE.modify_spec(db, req)?;
    let name = spec.opt_checked("vpnConnectionName", validate::name)?;
    let description = spec.opt_checked("description", validate::description)?;
    let traffic_selectors = spec
        .opt_object_list("trafficSelectors")?
        .map(|items| {
            items
                .iter()
                .map(parse_traffic_selector)
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()?;
    let change = VpnConnectionChange {
        name,
        description,
        bgp_enabled: spec.opt_bool("bgpEnabled")?,
        traffic_selectors,
        bgw_id: spec.opt_string("bgwId")?,
        cgw_id: spec.opt_string("cgwId")?,
        local_asn: spec.opt_i64("localAsn")?,
    };
    modified(&spec, db.modify(id, change))
}

fn parse_traffic_selector(spec: &Spec) -> Result<TrafficSelector, JdError> {
    let local_subnet =
        spec.checked("localSubnet", |field, v| validate::cidr(field, v).map(drop))?;
    let remote_subnets = spec.opt_string_list("remoteSubnets")?.unwrap_or_default();
    let field = spec.path("remoteSubnets");
    for (i, subnet) in remote_subnets.iter().enumerate() {
        validate::cidr(&format!("{field}[{i}]"), subnet)?;
    }
    let description = spec.opt_checked("description", validate::description)?;
    Ok(TrafficSelector {
        local_subnet,
        remote_subnets,
        description: description.unwrap_or_default(),
    })
}
