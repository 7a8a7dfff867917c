//! VPN connection operations (docs/design/jdcloud.md §4.4): parse, call the backend, render.
//!
//! INFERRED here (docs/design/jdcloud.md §8.2–§8.4, §8.14): the body wrappers, filter names and
//! result shapes; refusing `trafficSelectors` at create (`VpnConnectionSpec` has none, the real
//! API probably ignores them).

use std::ops::RangeInclusive;

use super::kind::Wire;
use crate::sandbox::jdcloud::backend::db::Db;
use crate::sandbox::jdcloud::backend::model::{
    TrafficSelector, VpnConnection, CONNECTION_CHARGE_MODE,
};
use crate::sandbox::jdcloud::backend::vpn_connection::{
    self as backend, NewVpnConnection, VpnConnectionChange,
};
use crate::sandbox::jdcloud::error::JdError;
use crate::sandbox::jdcloud::validate;
use crate::sandbox::jdcloud::wire::{FilterField, OpRequest, Reply, Spec};

const CREATE_WRAPPER: &str = "vpnConnectionSpec";
const MODIFY_WRAPPER: &str = "modifyVpnConnectionSpec";
const ID_PARAM: &str = "vpnConnectionId";
/// "支持16位的私有ASN，取值范围为：64512~65534，默认从BGW继承65000".
const LOCAL_ASN_RANGE: RangeInclusive<i64> = 64512..=65534;

const FILTERS: &[FilterField<VpnConnection>] = &[
    FilterField {
        name: "vpnConnectionIds",
        value: |c| c.vpn_connection_id.as_str(),
    },
    FilterField {
        name: "vpnConnectionNames",
        value: |c| c.vpn_connection_name.as_str(),
    },
    FilterField {
        name: "bgwId",
        value: |c| c.bgw_id.as_str(),
    },
    FilterField {
        name: "cgwId",
        value: |c| c.cgw_id.as_str(),
    },
];

pub(super) const WIRE: Wire<VpnConnection> = Wire {
    id: ID_PARAM,
    one: "vpnConnection",
    many: "vpnConnections",
    filters: FILTERS,
};

pub(super) fn create(db: &Db<'_>, req: &OpRequest) -> Result<Reply, JdError> {
    let spec = Spec::parse(&req.body, CREATE_WRAPPER)?;
    let name = spec.string("vpnConnectionName")?;
    let description = spec.opt_string("description")?.unwrap_or_default();
    let bgw_id = spec.string("bgwId")?;
    let cgw_id = spec.string("cgwId")?;
    let bgp_enabled = spec.opt_bool("bgpEnabled")?.unwrap_or(true);
    let local_asn = spec.opt_i64("localAsn")?;
    let providers = spec.opt_string_list("providers")?;
    validate::name(&spec.path("vpnConnectionName"), &name)?;
    validate::description(&spec.path("description"), &description)?;
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
        description,
        bgw_id,
        cgw_id,
        bgp_enabled,
        local_asn,
        providers,
    };
    let connection = backend::create(db, &req.region, new).map_err(|e| spec.qualify(e))?;
    WIRE.created(&connection)
}

pub(super) fn modify(db: &Db<'_>, req: &OpRequest) -> Result<Reply, JdError> {
    let id = req.params.get(ID_PARAM);
    db.get::<VpnConnection>(&req.region, id)?;
    let spec = Spec::parse(&req.body, MODIFY_WRAPPER)?;
    let name = spec.opt_string("vpnConnectionName")?;
    if let Some(name) = &name {
        validate::name(&spec.path("vpnConnectionName"), name)?;
    }
    let description = spec.opt_string("description")?;
    if let Some(description) = &description {
        validate::description(&spec.path("description"), description)?;
    }
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
    backend::modify(db, &req.region, id, change).map_err(|e| spec.qualify(e))?;
    Ok(Reply::Empty)
}

pub(super) fn delete(db: &Db<'_>, req: &OpRequest) -> Result<Reply, JdError> {
    backend::delete(db, &req.region, req.params.get(ID_PARAM))?;
    Ok(Reply::Empty)
}

fn parse_traffic_selector(spec: &Spec) -> Result<TrafficSelector, JdError> {
    let local_subnet = spec.string("localSubnet")?;
    validate::cidr(&spec.path("localSubnet"), &local_subnet)?;
    let remote_subnets = spec.opt_string_list("remoteSubnets")?.unwrap_or_default();
    let field = spec.path("remoteSubnets");
    for (i, subnet) in remote_subnets.iter().enumerate() {
        validate::cidr(&format!("{field}[{i}]"), subnet)?;
    }
    let description = spec.opt_string("description")?.unwrap_or_default();
    validate::description(&spec.path("description"), &description)?;
    Ok(TrafficSelector {
        local_subnet,
        remote_subnets,
        description,
    })
}
