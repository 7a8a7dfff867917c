//! VPN tunnel operations (docs/design/jdcloud.md §4.5) and `modifyAdminStatus` (the one published
//! path, `POST …/vpnTunnels/{id}:adminStatus`): parse, call the backend, render. The IKE/IPsec
//! options are checked against the tables of `backend::model` (allowed values, create
//! defaults).
//!
//! INFERRED here (docs/design/jdcloud.md §8.2–§8.4, §8.13): the body wrappers, filter names and
//! result shapes; that `localTunnelIp` needs an explicit `tunnelIp` at create.

use super::kind::Wire;
use crate::sandbox::jdcloud::backend::db::Db;
use crate::sandbox::jdcloud::backend::model::{
    IntRule, TunnelOptions, VpnTunnel, INT_OPTIONS, STATUS_DOWN, STATUS_UP, STRING_OPTIONS,
    TUNNEL_CHARGE_MODE,
};
use crate::sandbox::jdcloud::backend::vpn_tunnel::{
    self as backend, NewVpnTunnel, VpnTunnelChange,
};
use crate::sandbox::jdcloud::error::JdError;
use crate::sandbox::jdcloud::validate;
use crate::sandbox::jdcloud::wire::{FilterField, OpRequest, Reply, Spec};

const CREATE_WRAPPER: &str = "vpnTunnelSpec";
const MODIFY_WRAPPER: &str = "vpnTunnelModifySpec";
/// Wrapper model of modifyAdminStatus; the published SDKs send the field flat, both are accepted.
const ADMIN_STATUS_WRAPPER: &str = "vpnTunnelAdminStatus";
const ID_PARAM: &str = "vpnTunnelId";
const ADMIN_STATUSES: &[&str] = &[STATUS_UP, STATUS_DOWN];

const FILTERS: &[FilterField<VpnTunnel>] = &[
    FilterField {
        name: "vpnTunnelIds",
        value: |t| t.vpn_tunnel_id.as_str(),
    },
    FilterField {
        name: "vpnConnectionId",
        value: |t| t.vpn_connection_id.as_str(),
    },
];

pub(super) const WIRE: Wire<VpnTunnel> = Wire {
    id: ID_PARAM,
    one: "vpnTunnel",
    many: "vpnTunnels",
    filters: FILTERS,
};

/// Every option present in `spec`, checked against its table row.
fn parse_options(spec: &Spec) -> Result<TunnelOptions, JdError> {
    let mut options = TunnelOptions::default();
    for option in STRING_OPTIONS {
        if let Some(value) = spec.opt_string(option.field)? {
            validate::one_of(&spec.path(option.field), &value, option.allowed)?;
            options.strings.push((option, value));
        }
    }
    for option in INT_OPTIONS {
        if let Some(value) = spec.opt_i64(option.field)? {
            let field = spec.path(option.field);
            match &option.rule {
                IntRule::OneOf(allowed) if !allowed.contains(&value) => {
                    let allowed: Vec<String> = allowed.iter().map(i64::to_string).collect();
                    return Err(JdError::invalid_argument(format!(
                        "{field} {value} is invalid, allowed values: {}",
                        allowed.join(", ")
                    )));
                }
                IntRule::OneOf(_) => {}
                IntRule::Range(range) => validate::in_range(&field, value, range.clone())?,
            }
            options.ints.push((option, value));
        }
    }
    Ok(options)
}

pub(super) fn create(db: &Db<'_>, req: &OpRequest) -> Result<Reply, JdError> {
    let spec = Spec::parse(&req.body, CREATE_WRAPPER)?;
    let connection_id = spec.string("vpnConnectionId")?;
    let cloud_public_ip = spec.string("cloudPublicIp")?;
    let customer_ip = spec.string("customerIp")?;
    let psk = spec.string("psk")?;
    validate::psk(&spec.path("psk"), &psk)?;
    let tunnel_ip = spec
        .opt_string("tunnelIp")?
        .map(|v| validate::tunnel_ip(&spec.path("tunnelIp"), &v))
        .transpose()?;
    let local_tunnel_ip = spec
        .opt_string("localTunnelIp")?
        .map(|v| validate::ipv4(&spec.path("localTunnelIp"), &v))
        .transpose()?;
    if local_tunnel_ip.is_some() && tunnel_ip.is_none() {
        return Err(JdError::invalid_argument(format!(
            "{} needs {} (the /30 it must lie in)",
            spec.path("localTunnelIp"),
            spec.path("tunnelIp")
        )));
    }
    validate::charge_spec(&spec, TUNNEL_CHARGE_MODE)?;
    let options = parse_options(&spec)?;

    let new = NewVpnTunnel {
        connection_id,
        cloud_public_ip,
        customer_ip,
        psk,
        tunnel_ip,
        local_tunnel_ip,
        options,
    };
    let tunnel = backend::create(db, &req.region, new).map_err(|e| spec.qualify(e))?;
    WIRE.created(&tunnel)
}

pub(super) fn modify(db: &Db<'_>, req: &OpRequest) -> Result<Reply, JdError> {
    let id = req.params.get(ID_PARAM);
    db.get::<VpnTunnel>(&req.region, id)?;
    let spec = Spec::parse(&req.body, MODIFY_WRAPPER)?;
    let connection_id = spec.opt_string("vpnConnectionId")?;
    let cloud_public_ip = spec.opt_string("cloudPublicIp")?;
    let customer_ip = spec.opt_string("customerIp")?;
    let psk = spec.opt_string("psk")?;
    if let Some(psk) = &psk {
        validate::psk(&spec.path("psk"), psk)?;
    }
    let options = parse_options(&spec)?;
    let tunnel_ip = spec
        .opt_string("tunnelIp")?
        .map(|v| validate::tunnel_ip(&spec.path("tunnelIp"), &v))
        .transpose()?;
    let local_tunnel_ip = spec
        .opt_string("localTunnelIp")?
        .map(|v| validate::ipv4(&spec.path("localTunnelIp"), &v))
        .transpose()?;

    let change = VpnTunnelChange {
        psk,
        tunnel_ip,
        local_tunnel_ip,
        options,
        connection_id,
        cloud_public_ip,
        customer_ip,
    };
    backend::modify(db, &req.region, id, change).map_err(|e| spec.qualify(e))?;
    Ok(Reply::Empty)
}

/// `modifyAdminStatus`: `{"adminStatus": "UP" | "DOWN"}`.
pub(super) fn modify_admin_status(db: &Db<'_>, req: &OpRequest) -> Result<Reply, JdError> {
    let id = req.params.get(ID_PARAM);
    db.get::<VpnTunnel>(&req.region, id)?;
    let spec = Spec::parse(&req.body, ADMIN_STATUS_WRAPPER)?;
    let status = spec.string("adminStatus")?;
    validate::one_of(&spec.path("adminStatus"), &status, ADMIN_STATUSES)?;
    backend::set_admin_status(db, &req.region, id, status)?;
    Ok(Reply::Empty)
}

pub(super) fn delete(db: &Db<'_>, req: &OpRequest) -> Result<Reply, JdError> {
    backend::delete(db, &req.region, req.params.get(ID_PARAM))?;
    Ok(Reply::Empty)
}
