//! Asynchronous operations, computed lazily: every pending object stores the (emulated) time its
//! state was entered, and [`settle`] (run at the start of every Alibaba call and of
//! `/_sandbox/state`) moves the ones whose `provisioning_ms` have passed by the sandbox clock to
//! their next state. No background task: advancing the clock (`POST /_sandbox/clock`) is all it
//! takes to make them settle.
//!
//! | object | pending → next |
//! |---|---|
//! | TR attachment | `Attaching` → `Attached` (connection `attaching` → `attached`, tunnels get `InternetIp`) |
//! | TR attachment | `Detaching` → gone (connection → `init`, `NO_ASSOCIATED`, addresses released) |
//! | connection | `updating` → `attached` if bound, else `init` |
//! | destination route | created: listed once its connection is no longer `updating`; deleted: gone then |
//! | association | `Associating` → `Active`; `Dissociating` → gone |
//! | propagation | `Enabling` → `Active`; `Disabling` → gone |

use std::collections::BTreeSet;
use std::net::Ipv4Addr;

use super::db::Db;
use super::model::{
    state, status, CustomerGateway, Link, Phase, TrVpnAttachment, VcoRoute, VpnConnection,
    ASSOCIATION, CUSTOMER_GATEWAYS, LINK_ACTIVE, NOT_ASSOCIATED, PROPAGATION, TR_ATTACHMENTS,
    VCO_ROUTES, VPN_CONNECTIONS,
};
use crate::sandbox::alicloud::error::AliError;
use crate::sandbox::pool;

/// Where tunnel addresses come from (INFERRED pool, docs/design/alicloud.md §10.10): the upper
/// half of TEST-NET-3 (RFC 5737; the examples give data-centre devices 203.0.113.1–127), then
/// 198.19.0.0/16 (RFC 2544 benchmarking space) once it is used up — never a routable block,
/// since the IKE tests put these addresses in network namespaces.
const PUBLIC_IP_POOL: &[pool::Block] = &[([203, 0, 113, 128], 25), ([198, 19, 0, 0], 16)];

/// Whether a state entered at `since` has lasted `delay_ms` at `now_ms`.
fn due(since: i64, now_ms: i64, delay_ms: i64) -> bool {
    now_ms.saturating_sub(since) >= delay_ms
}

/// Advances every pending object whose `delay_ms` have passed at the request's time.
pub(crate) fn settle(db: &Db<'_>, delay_ms: i64) -> Result<(), AliError> {
    let now_ms = db.now_ms();
    for mut a in db.list_all::<TrVpnAttachment>(TR_ATTACHMENTS)? {
        if !due(a.status_since, now_ms, delay_ms) {
            continue;
        }
        if a.status == status::ATTACHING {
            a.status = status::ATTACHED.to_owned();
            a.status_since = now_ms;
            db.save(&a)?;
            if let Some(mut c) = db.find_connection(&a.vpn_id)? {
                allocate_addresses(db, &mut c)?;
                c.state = state::ATTACHED.to_owned();
                c.state_since = now_ms;
                db.save(&c)?;
            }
        } else if a.status == status::DETACHING {
            for link in db.links_of(&a.transit_router_attachment_id)? {
                db.remove_link(&link)?;
            }
            db.remove(&a)?;
            if let Some(mut c) = db.find_connection(&a.vpn_id)? {
                c.state = state::INIT.to_owned();
                c.state_since = now_ms;
                c.attach_type = NOT_ASSOCIATED.to_owned();
                c.transit_router_id = None;
                c.attach_instance_id = None;
                c.transit_router_attachment_id = None;
                for t in &mut c.tunnels {
                    t.internet_ip = None;
                }
                db.save(&c)?;
            }
        }
    }

    for mut c in db.list_all::<VpnConnection>(VPN_CONNECTIONS)? {
        if c.state == state::UPDATING && due(c.state_since, now_ms, delay_ms) {
            c.state = if c.transit_router_attachment_id.is_some() {
                state::ATTACHED
            } else {
                state::INIT
            }
            .to_owned();
            c.state_since = now_ms;
            db.save(&c)?;
        }
    }
    settle_routes(db)?;

    for t in [&ASSOCIATION, &PROPAGATION] {
        for mut link in db.list_all::<Link>(t.kind)? {
            if !due(link.status_since, now_ms, delay_ms) {
                continue;
            }
            if link.status == t.creating {
                link.status = LINK_ACTIVE.to_owned();
                link.status_since = now_ms;
                db.save_link(&link)?;
            } else if link.status == t.removing {
                db.remove_link(&link)?;
            }
        }
    }
    Ok(())
}

/// Finishes the pending routes of connections that are no longer `updating` (after the
/// connections settled).
fn settle_routes(db: &Db<'_>) -> Result<(), AliError> {
    for mut r in db.list_all::<VcoRoute>(VCO_ROUTES)? {
        if r.phase == Phase::Active {
            continue;
        }
        let connection = db.find_connection(&r.vpn_connection_id)?;
        if connection
            .as_ref()
            .is_some_and(|c| c.state == state::UPDATING)
        {
            continue;
        }
        if r.phase == Phase::Creating && connection.is_some() {
            r.phase = Phase::Active;
            db.update(VCO_ROUTES, &r.key(), &r)?;
        } else {
            db.delete(VCO_ROUTES, &r.key())?;
        }
    }
    Ok(())
}

/// Gives each tunnel of `c` without an address the lowest free one of the pool: unique across
/// all connections, and never a customer gateway's address (the two ends of a tunnel differ).
fn allocate_addresses(db: &Db<'_>, c: &mut VpnConnection) -> Result<(), AliError> {
    let gateways = db.list_all::<CustomerGateway>(CUSTOMER_GATEWAYS)?;
    let mut used: BTreeSet<Ipv4Addr> = db
        .list_all::<VpnConnection>(VPN_CONNECTIONS)?
        .iter()
        .flat_map(|other| other.tunnels.iter())
        .chain(c.tunnels.iter())
        .filter_map(|t| t.internet_ip.as_deref())
        .chain(gateways.iter().map(|g| g.ip_address.as_str()))
        .filter_map(|ip| ip.parse().ok())
        .collect();
    for t in c.tunnels.iter_mut().filter(|t| t.internet_ip.is_none()) {
        let Some(&ip) = pool::lowest_free(PUBLIC_IP_POOL, &used, 1).first() else {
            return Err(AliError::internal(format!(
                "the sandbox's public address pool ({}) is exhausted",
                pool::describe(PUBLIC_IP_POOL)
            )));
        };
        used.insert(ip);
        t.internet_ip = Some(ip.to_string());
    }
    Ok(())
}
