//! Asynchronous operations, computed lazily: every pending object stores the time its state was
//! entered, and [`settle`] (run at the start of every Alibaba call and of `/_sandbox/state`)
//! moves the ones whose `provisioning_ms` have passed to their next state. No background task.
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

use super::error::AliError;
use super::route_table::{self, Link, ASSOCIATION, PROPAGATION};
use super::tr_attachment::{self, status, TrVpnAttachment};
use super::vco_route;
use super::vpn_connection::{self, state, VpnConnection, NOT_ASSOCIATED};
use crate::sandbox::store::Tx;

/// Where tunnel addresses come from: Alibaba public space (47.98.0.0/16, INFERRED pool,
/// docs/design/alicloud.md §10.10).
const PUBLIC_IP_POOL: ([u8; 4], u8) = ([47, 98, 0, 0], 16);

/// Whether a state entered at `since` has lasted `delay_ms` at `now_ms`.
fn due(since: i64, now_ms: i64, delay_ms: i64) -> bool {
    now_ms.saturating_sub(since) >= delay_ms
}

/// Advances every pending object whose delay has passed.
pub(crate) fn settle(tx: &Tx<'_>, now_ms: i64, delay_ms: i64) -> Result<(), AliError> {
    for mut a in tx.list_all::<TrVpnAttachment>(tr_attachment::KIND)? {
        if !due(a.status_since, now_ms, delay_ms) {
            continue;
        }
        if a.status == status::ATTACHING {
            a.status = status::ATTACHED.to_owned();
            a.status_since = now_ms;
            tr_attachment::save(tx, &a)?;
            if let Some(mut c) = vpn_connection::find(tx, &a.vpn_id)? {
                allocate_addresses(tx, &mut c)?;
                c.state = state::ATTACHED.to_owned();
                c.state_since = now_ms;
                vpn_connection::save(tx, &c)?;
            }
        } else if a.status == status::DETACHING {
            for link in route_table::links_of(tx, &a.transit_router_attachment_id)? {
                route_table::remove(tx, &link)?;
            }
            tx.delete(tr_attachment::KIND, &a.transit_router_attachment_id)?;
            if let Some(mut c) = vpn_connection::find(tx, &a.vpn_id)? {
                c.state = state::INIT.to_owned();
                c.state_since = now_ms;
                c.attach_type = NOT_ASSOCIATED.to_owned();
                c.transit_router_id = None;
                c.attach_instance_id = None;
                c.transit_router_attachment_id = None;
                for t in &mut c.tunnels {
                    t.internet_ip = None;
                }
                vpn_connection::save(tx, &c)?;
            }
        }
    }

    for mut c in tx.list_all::<VpnConnection>(vpn_connection::KIND)? {
        if c.state == state::UPDATING && due(c.state_since, now_ms, delay_ms) {
            c.state = if c.transit_router_attachment_id.is_some() {
                state::ATTACHED
            } else {
                state::INIT
            }
            .to_owned();
            c.state_since = now_ms;
            vpn_connection::save(tx, &c)?;
        }
    }
    vco_route::settle(tx)?;

    for t in [&ASSOCIATION, &PROPAGATION] {
        for mut link in tx.list_all::<Link>(t.kind)? {
            if !due(link.status_since, now_ms, delay_ms) {
                continue;
            }
            if link.status == t.creating {
                link.status = "Active".to_owned();
                link.status_since = now_ms;
                route_table::save(tx, &link)?;
            } else if link.status == t.removing {
                route_table::remove(tx, &link)?;
            }
        }
    }
    Ok(())
}

/// Gives each tunnel of `c` without an address the lowest free one of the pool (unique across
/// all connections; `.0` and `.255` are skipped).
fn allocate_addresses(tx: &Tx<'_>, c: &mut VpnConnection) -> Result<(), AliError> {
    let mut used: BTreeSet<Ipv4Addr> = tx
        .list_all::<VpnConnection>(vpn_connection::KIND)?
        .iter()
        .flat_map(|other| other.tunnels.iter())
        .chain(c.tunnels.iter())
        .filter_map(|t| t.internet_ip.as_deref()?.parse().ok())
        .collect();
    let base = u32::from(Ipv4Addr::from(PUBLIC_IP_POOL.0));
    let size = 1u32 << (32 - u32::from(PUBLIC_IP_POOL.1));
    for t in c.tunnels.iter_mut().filter(|t| t.internet_ip.is_none()) {
        let free = (1..size)
            .map(|i| Ipv4Addr::from(base + i))
            .filter(|ip| !matches!(ip.octets()[3], 0 | 255))
            .find(|ip| !used.contains(ip));
        match free {
            Some(ip) => {
                used.insert(ip);
                t.internet_ip = Some(ip.to_string());
            }
            None => {
                return Err(AliError::internal(
                    "the sandbox's public address pool 47.98.0.0/16 is exhausted",
                ))
            }
        }
    }
    Ok(())
}
