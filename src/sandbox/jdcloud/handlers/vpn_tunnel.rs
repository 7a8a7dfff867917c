//! VPN tunnel operations (docs/design/jdcloud.md §4.5) and `modifyAdminStatus` (the one published
//! path, `POST …/vpnTunnels/{id}:adminStatus`): parse, call the backend, render. The IKE/IPsec
//! options are checked against the tables of `backend::model` (allowed values, create
//! defaults).
//!
//! INFERRED here (docs/design/jdcloud.md §8.2–§8.4, §8.13): the body wrappers, filter names and
//! result shapes; that `localTunnelIp` needs an explicit `tunnelIp` at create.

use super::kind::{modified, wire, Wire};
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
use crate::sandbox::jdcloud::wire::{OpRequest, Reply, Spec};

/// Wrapper model of modifyAdminStatus; the published SDKs send the field flat, both are accepted.
const ADMIN_STATUS_WRAPPER: &str = "vpnTunnelAdminStatus";
const ADMIN_STATUSES: &[&str] = &[STATUS_UP, STATUS_DOWN];

pub(super) const WIRE: Wire<VpnTunnel> = wire! {
    "vpnTunnel", modify: "vpnTunnelModifySpec",
    filters: ["vpnTunnelIds" => vpn_tunnel_id, "vpnConnectionId" => vpn_connection_id],
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
    let spec = WIRE.create_spec(req)?;
    let connection_id = spec.string("vpnConnectionId")?;
    let cloud_public_ip = spec.string("cloudPublicIp")?;
    let customer_ip = spec.string("customerIp")?;
    let psk = spec.checked("psk", validate::psk)?;
    let tunnel_ip = spec.opt_parsed("tunnelIp", validate::tunnel_ip)?;
    let local_tunnel_ip = spec.opt_parsed("localTunnelIp", validate::ipv4)?;
    if local_tunnel_ip.is_some() && tunnel_ip.is_none() {
        return Err(JdError::invalid_argument(format!(
            "{} needs {} (the /30 it must lie in)",
            spec.path("localTunnelIp"),
            spec.path("tunnelIp")
        )));
    }
    validate::charge_spec(&spec, TUNNEL_CHARGE_MODE)?;
    let new = NewVpnTunnel {
        connection_id,
        cloud_public_ip,
        customer_ip,
        psk,
        tunnel_ip,
        local_tunnel_ip,
        options: parse_options(&spec)?,
    };
    WIRE.create_reply(&spec, backend::create(db, new))
}

pub(super) fn modify(db: &Db<'_>, req: &OpRequest) -> Result<Reply, JdError> {
    let (id, spec) = WIRE.modify_spec(db, req)?;
    let change = VpnTunnelChange {
        connection_id: spec.opt_string("vpnConnectionId")?,
        cloud_public_ip: spec.opt_string("cloudPublicIp")?,
        customer_ip: spec.opt_string("customerIp")?,
        psk: spec.opt_checked("psk", validate::psk)?,
        options: parse_options(&spec)?,
        tunnel_ip: spec.opt_parsed("tunnelIp", validate::tunnel_ip)?,
        local_tunnel_ip: spec.opt_parsed("localTunnelIp", validate::ipv4)?,
    };
    modified(&spec, db.modify(id, change))
}

/// `modifyAdminStatus`: `{"adminStatus": "UP" | "DOWN"}`.
pub(super) fn modify_admin_status(db: &Db<'_>, req: &OpRequest) -> Result<Reply, JdError> {
    let id = req.params.get(WIRE.id);
    db.get::<VpnTunnel>(id)?;
    let spec = Spec::parse(&req.body, ADMIN_STATUS_WRAPPER)?;
    let status = spec.checked("adminStatus", |field, v| {
        validate::one_of(field, v, ADMIN_STATUSES)
    })?;
    backend::set_admin_status(db, id, status)?;
    Ok(Reply::Empty)
}
