//! Finding the connection and what hangs off it (its binding, the binding's
//! route-table links), and waiting for each to reach a state.

use crate::cloud::alicloud::{actions, types as api, Client, Paging, Params};
use crate::cloud::ApiError;
use crate::framework::Diagnostics;
use crate::resources::common::{ali_find, non_empty};
use crate::resources::wait::wait_for;

use super::schema::WHAT;
use crate::resources::alicloud::On;

/// The connection as `find` returns it: with its binding to a transit
/// router and that binding's links to the router's System route table.
pub struct Full {
    pub conn: api::VpnConnection,
    pub binding: Option<api::TrVpnAttachment>,
    pub associated: bool,
    pub propagating: bool,
    /// The route table a link points at, when there is a link.
    pub table: Option<String>,
}

/// Reads the connection, its binding and the binding's route-table links,
/// for a refresh: the connection coalesced with the other connections read
/// at the same time, and what belongs to the transit router (its bindings,
/// its System table, that table's links) listed once for all of them
/// (`cloud::coalesce`). Waits poll with the functions below, which always ask.
pub async fn find_full(client: &Client, region: &str, id: &str) -> Result<Full, ApiError> {
    let conn = read_connection(client, region, id).await?;
    let binding = match non_empty(conn.transit_router_id.clone()) {
        None => None,
        Some(tr) => client
            .list_shared::<api::TrVpnAttachment>(
                &actions::LIST_TR_VPN_ATTACHMENTS,
                region,
                Params::new()
                    .set("RegionId", region)
                    .set("TransitRouterId", &tr),
                Paging::Tokens("TransitRouterAttachments"),
            )
            .await?
            .into_iter()
            .find(|a| a.vpn_id.as_deref() == Some(conn.vpn_connection_id.as_str())),
    };
    let (mut associated, mut propagating, mut table) = (false, false, None);
    if let Some(b) = &binding {
        let tr = non_empty(b.transit_router_id.clone())
            .or_else(|| non_empty(conn.transit_router_id.clone()))
            .unwrap_or_default();
        let tables = client
            .list_shared::<api::RouteTable>(
                &actions::LIST_TR_ROUTE_TABLES,
                region,
                system_tables_of(&tr),
                Paging::Tokens("TransitRouterRouteTables"),
            )
            .await?;
        let system = system_table(tables, &tr)?;
        let attachment = b.transit_router_attachment_id.as_str();
        let linked = |links: Vec<api::RouteTableLink>| {
            links
                .iter()
                .any(|l| l.transit_router_attachment_id.as_deref() == Some(attachment))
        };
        // Every link of the table, once for all the bindings read at the same time.
        let of_table = || Params::new().set("TransitRouterRouteTableId", &system);
        let mut listed = [false; 2];
        for (slot, link) in listed
            .iter_mut()
            .zip([Link::Association, Link::Propagation])
        {
            let (action, key) = link.listing();
            let links = client
                .list_shared(action, region, of_table(), Paging::Tokens(key))
                .await?;
            *slot = linked(links);
        }
        [associated, propagating] = listed;
        table = (associated || propagating).then_some(system);
    }
    Ok(Full {
        conn,
        binding,
        associated,
        propagating,
        table,
    })
}

/// The connection for a refresh or a data source, coalesced with the other
/// connections read at the same time (`cloud::coalesce`).
pub async fn read_connection(
    client: &Client,
    region: &str,
    id: &str,
) -> Result<api::VpnConnection, ApiError> {
    client
        .read_one(
            (
                &actions::DESCRIBE_VPN_CONNECTION,
                &actions::DESCRIBE_VPN_CONNECTIONS,
            ),
            ("VpnConnections", "VpnConnection"),
            "VpnConnectionId",
            region,
            id,
        )
        .await
}

/// The connection alone, for a poll; an answer about another one counts as
/// not found.
pub async fn find_connection(
    client: &Client,
    region: &str,
    id: &str,
) -> Result<api::VpnConnection, ApiError> {
    ali_find(
        client,
        &actions::DESCRIBE_VPN_CONNECTION,
        region,
        "VpnConnectionId",
        id,
    )
    .await
}

/// Waits until the binding is `Attached`. `Attaching` is on its way; any
/// other status (detaching, detached, failed) or a binding that disappears
/// ends the wait at once rather than at the timeout.
pub async fn wait_binding(
    on: &On<'_>,
    attachment: &str,
) -> Result<api::TrVpnAttachment, Diagnostics> {
    let (client, region) = (on.client, on.at.region.as_str());
    wait_for(
        on.ctx,
        &format!("transit router binding {attachment} to be {ATTACHED}"),
        || async {
            let Some(a) = list_binding(client, region, attachment).await? else {
                return Err(ApiError::not_found(format!(
                    "transit router binding {attachment} disappeared"
                )));
            };
            match a.status.as_deref() {
                Some(ATTACHED) => Ok(Some(a)),
                Some(ATTACHING) | None => Ok(None),
                Some(other) => Err(ApiError::State(format!(
                    "transit router binding {attachment} is {other}, not {ATTACHING} or {ATTACHED}"
                ))),
            }
        },
    )
    .await
}

/// A binding's status on its way up, and when it is done.
const ATTACHING: &str = "Attaching";
const ATTACHED: &str = "Attached";

/// Waits until the connection is idle (`attached` or `init`).
/// `what` says what for, e.g. "to be attached".
pub async fn wait_connection(on: &On<'_>, what: &str) -> Result<(), Diagnostics> {
    let (client, region, id) = (on.client, on.at.region.as_str(), on.at.id());
    wait_for(on.ctx, &format!("{WHAT} ({id}) {what}"), || async {
        let c = find_connection(client, region, id).await?;
        Ok(matches!(c.state.as_deref(), Some("attached" | "init" | "active")).then_some(()))
    })
    .await
}

pub async fn list_binding(
    client: &Client,
    region: &str,
    attachment: &str,
) -> Result<Option<api::TrVpnAttachment>, ApiError> {
    let list: api::TrVpnAttachmentList = client
        .call(
            &actions::LIST_TR_VPN_ATTACHMENTS,
            region,
            Params::new()
                .set("RegionId", region)
                .set("TransitRouterAttachmentId", attachment),
        )
        .await?;
    Ok(list
        .transit_router_attachments
        .into_iter()
        .find(|a| a.transit_router_attachment_id == attachment))
}

/// The binding of a connection, found from its transit router.
pub async fn find_binding(
    client: &Client,
    region: &str,
    conn: &api::VpnConnection,
) -> Result<Option<api::TrVpnAttachment>, ApiError> {
    let Some(tr) = non_empty(conn.transit_router_id.clone()) else {
        return Ok(None);
    };
    let mut token: Option<String> = None;
    loop {
        let params = Params::new()
            .set("RegionId", region)
            .set("TransitRouterId", &tr)
            .set("MaxResults", 100)
            .opt("NextToken", token.as_ref());
        let list: api::TrVpnAttachmentList = client
            .call(&actions::LIST_TR_VPN_ATTACHMENTS, region, params)
            .await?;
        if let Some(a) = list
            .transit_router_attachments
            .into_iter()
            .find(|a| a.vpn_id.as_deref() == Some(conn.vpn_connection_id.as_str()))
        {
            return Ok(Some(a));
        }
        match non_empty(list.next_token) {
            Some(t) if Some(&t) != token.as_ref() => token = Some(t),
            _ => return Ok(None),
        }
    }
}

pub async fn default_route_table(
    client: &Client,
    region: &str,
    transit_router: &str,
) -> Result<String, ApiError> {
    let list: api::RouteTableList = client
        .call(
            &actions::LIST_TR_ROUTE_TABLES,
            region,
            system_tables_of(transit_router),
        )
        .await?;
    system_table(list.transit_router_route_tables, transit_router)
}

/// What lists a transit router's System route table.
fn system_tables_of(transit_router: &str) -> Params {
    Params::new()
        .set("TransitRouterId", transit_router)
        .set("TransitRouterRouteTableType", "System")
}

/// The System table among a transit router's route tables.
fn system_table(tables: Vec<api::RouteTable>, transit_router: &str) -> Result<String, ApiError> {
    tables
        .into_iter()
        .find(|t| {
            t.transit_router_route_table_type
                .as_deref()
                .is_none_or(|k| k == "System")
        })
        .map(|t| t.transit_router_route_table_id)
        .ok_or_else(|| {
            ApiError::not_found(format!(
                "transit router {transit_router} has no System route table"
            ))
        })
}

/// A link between the binding and a route table.
#[derive(Clone, Copy, Debug)]
pub enum Link {
    Association,
    Propagation,
}

impl Link {
    /// The list call of this kind of link and the key of its answer's list.
    pub fn listing(self) -> (&'static actions::Action, &'static str) {
        match self {
            Link::Association => (
                &actions::LIST_ROUTE_TABLE_ASSOCIATIONS,
                "TransitRouterAssociations",
            ),
            Link::Propagation => (
                &actions::LIST_ROUTE_TABLE_PROPAGATIONS,
                "TransitRouterPropagations",
            ),
        }
    }
}

/// The status of the attachment's link of this kind, with its route table.
pub async fn link_status(
    client: &Client,
    region: &str,
    link: Link,
    attachment: &str,
    table: &str,
) -> Result<Option<(String, String)>, ApiError> {
    // The official model requires the route table for propagations.
    let params = Params::new()
        .set("TransitRouterAttachmentId", attachment)
        .set("TransitRouterRouteTableId", table);
    let (action, key) = link.listing();
    let mut answer: serde_json::Value = client.call(action, region, params).await?;
    let listed = answer
        .get_mut(key)
        .map(serde_json::Value::take)
        .unwrap_or_else(|| serde_json::Value::Array(Vec::new()));
    let links: Vec<api::RouteTableLink> = serde_json::from_value(listed)
        .map_err(|e| ApiError::Decode(format!("{}: {e}", action.name)))?;
    Ok(links
        .into_iter()
        .find(|l| l.transit_router_attachment_id.as_deref() == Some(attachment))
        .map(|l| {
            (
                l.status.unwrap_or_default(),
                l.transit_router_route_table_id.unwrap_or_default(),
            )
        }))
}

/// Whether a link should exist.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Switch {
    On,
    Off,
}

impl Switch {
    /// The state's `true` / `false` (or unset, off).
    pub fn of(on: Option<bool>) -> Switch {
        if on == Some(true) {
            Switch::On
        } else {
            Switch::Off
        }
    }
}
