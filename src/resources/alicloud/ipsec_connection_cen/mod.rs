//! `hybridnet_alicloud_ipsec_connection_cen`: a dual-tunnel IPsec-VPN
//! connection bound to a CEN transit router, as the console's "create IPsec
//! connection (CEN)" page makes it.
//!
//! One resource, several API objects (docs/design/alicloud.md §5.6): Vpc
//! `CreateVpnAttachment` creates the connection unbound; Cbn
//! `CreateTransitRouterVpnAttachment` binds it (Attaching → Attached, which
//! also gives the tunnels their gateway IPs); the two routing switches are
//! an association with and a propagation to the transit router's System
//! route table. Delete unbinds (forcing the route-table links away), waits
//! until the binding is gone, then deletes the connection. Anything already
//! created when a later step fails stays in state.

mod expand;
mod find;
pub(crate) mod schema;
#[cfg(test)]
mod tests;
mod workflow;

use crate::cloud::alicloud::{actions, client_token, types as api, Client, Params};
use crate::cloud::ApiError;
use crate::framework::{Diagnostics, Failed, Locator, NotCreated, Value};
use crate::resources::common::{ali_delete, api_error_id};
use crate::resources::ownership::{ali_create, AliTwin, Target};

use super::{In, On};

use expand::{expand_tunnels, find_twin, flatten_full, settings_differ, subnets, tunnel_params};
pub use find::read_connection;
use find::{
    default_route_table, find_binding, find_connection, find_full, wait_binding, wait_connection,
    Full, Link, Switch,
};
use schema::WHAT;
pub use schema::{
    schema, State, Tunnel, DEFAULT_LOCAL_ASN, PSK_SPECIALS, RESERVED_TUNNEL_CIDRS, TIMEOUTS,
    TYPE_NAME,
};
use workflow::{bind, set_link, unbind};

pub struct IpsecConnectionCen;

/// Computed tunnel values that follow from configured ones: the peer's
/// BGP address from the tunnel CIDR, the default remote id from the
/// customer gateway. When those change, so must the plan. And `psk` with
/// `psk_wo`: see [`plan_psk`].
fn plan_tunnels(prior: &Value, planned: &mut Value, config: &Value, _diags: &mut Diagnostics) {
    let before = prior.get("tunnel").as_list().unwrap_or(&[]).to_vec();
    let config_tunnels = config.get("tunnel").as_list().unwrap_or(&[]);
    let Some(Value::List(after)) = planned.get_mut("tunnel") else {
        return;
    };
    for (i, t) in after.iter_mut().enumerate() {
        let c = config_tunnels.get(i).unwrap_or(&Value::Null);
        plan_psk(before.get(i), t, c);
        let Some(p) = before.get(i) else {
            continue;
        };
        let changed = |name: &str, t: &Value| !t.get(name).equals(p.get(name));
        let mut unknown = Vec::new();
        if changed("customer_gateway_id", t) && c.get("remote_id").is_null() {
            unknown.push("remote_id");
        }
        if changed("bgp_tunnel_cidr", t) {
            unknown.push("bgp_peer_ip");
            if c.get("bgp_local_ip").is_null() {
                unknown.push("bgp_local_ip");
            }
        }
        if changed("bgp_local_ip", t) {
            unknown.push("bgp_peer_ip");
        }
        for name in unknown {
            if let Some(v) = t.get_mut(name) {
                *v = Value::Unknown;
            }
        }
    }
}

/// `psk` is optional and computed (Alibaba Cloud makes a key when given
/// none) and is kept from the state: with `psk_wo` it is planned null, so the
/// key read back never reaches the state; when `psk_wo` goes away without a
/// `psk`, it is unknown again, since the read-back key will be stored.
fn plan_psk(prior: Option<&Value>, planned: &mut Value, config: &Value) {
    let Some(psk) = planned.get_mut("psk") else {
        return;
    };
    if !config.get("psk_wo").is_null() {
        *psk = Value::Null;
    } else if config.get("psk").is_null()
        && prior.is_some_and(|p| !p.get("psk_wo_version").is_null())
    {
        *psk = Value::Unknown;
    }
}

crate::resources::common::managed_resource! {
    IpsecConnectionCen => Full, planned_by plan_tunnels;

    async fn create(&self, op: &In<'_>, plan: &State) -> Result<Locator, NotCreated> {
        let (ctx, client, region, claims) = (op.ctx, op.client, op.region, &op.ctx.data.claims);
        let tunnels = plan.tunnel.clone().unwrap_or_default();
        // A token is unique to this process, so a connection left by a
        // killed run is found by what it joins: its customer gateways,
        // traffic selectors and transit router.
        let gateways: Vec<_> = tunnels.iter().map(|t| &t.customer_gateway_id).collect();
        let twin = AliTwin {
            turn: format!("alicloud/vco/{region}/{gateways:?}"),
            search: find_twin(client, region, plan, |id| !claims.holds(id)),
            matches: "already joins these customer gateways with these subnets on this CEN",
            otherwise: "delete it or change the tunnels' customer gateways",
        };
        let (local, remote) = subnets(plan);
        let mut params = Params::new()
            .set("LocalSubnet", local)
            .set("RemoteSubnet", remote)
            .opt("Name", plan.name.as_ref())
            .opt("NetworkType", plan.network_type.as_ref())
            .opt("EffectImmediately", plan.effect_immediately)
            .opt("EnableTunnelsBgp", plan.bgp_enabled);
        tunnel_params(&mut params, &expand_tunnels(&[], &tunnels));
        let target = Target::new(TYPE_NAME, WHAT, region, &[]);
        let create = (&actions::CREATE_VPN_ATTACHMENT, params);
        let id = |r: api::CreateVpnAttachmentResponse| r.vpn_connection_id;
        let at = ali_create(client, claims, &target, twin, create, id).await?;
        // From here on the connection exists: every failure keeps it in state.
        let on = On {
            ctx,
            client,
            at: &at,
        };
        match bind_and_link(&on, plan).await {
            Ok(()) => Ok(at),
            Err(d) => Err(NotCreated::Exists(at, d)),
        }
    }

    async fn find(&self, client: &Client, at: &Locator) -> Result<Full, ApiError> {
        find_full(client, &at.region, at.id()).await
    }

    fn flatten(&self, full: &Full, at: &Locator, known: &State) -> State {
        flatten_full(
            full,
            &at.region,
            known.tunnel.as_deref().unwrap_or_default(),
        )
    }

    async fn update(&self, on: &On<'_>, prior: &State, plan: &State) -> Result<(), Diagnostics> {
        let (client, at) = (on.client, on.at);
        let (region, id) = (at.region.as_str(), at.id());
        let prior_tunnels = prior.tunnel.clone().unwrap_or_default();
        let plan_tunnels = plan.tunnel.clone().unwrap_or_default();
        let tunnel_changes = expand_tunnels(&prior_tunnels, &plan_tunnels);
        let subnets_changed = subnets(prior) != subnets(plan);
        let connection_changed = prior.name != plan.name
            || subnets_changed
            || prior.effect_immediately != plan.effect_immediately
            || prior.bgp_enabled != plan.bgp_enabled
            || prior_tunnels
                .iter()
                .zip(&plan_tunnels)
                .any(|(a, b)| settings_differ(a, b));
        if connection_changed {
            let (local, remote) = subnets(plan);
            let mut params = Params::new()
                .set("VpnConnectionId", id)
                .set("ClientToken", client_token())
                .set("LocalSubnet", local)
                .set("RemoteSubnet", remote)
                .opt(
                    "Name",
                    plan.name.clone().filter(|n| prior.name.as_ref() != Some(n)),
                )
                .opt(
                    "EffectImmediately",
                    (prior.effect_immediately != plan.effect_immediately)
                        .then_some(plan.effect_immediately)
                        .flatten(),
                )
                .opt(
                    "EnableTunnelsBgp",
                    (prior.bgp_enabled != plan.bgp_enabled)
                        .then_some(plan.bgp_enabled)
                        .flatten(),
                );
            tunnel_params(&mut params, &tunnel_changes);
            client
                .call::<serde_json::Value>(
                    &actions::MODIFY_VPN_ATTACHMENT_ATTRIBUTE,
                    region,
                    params,
                )
                .await
                .map_err(|e| api_error_id("updating", WHAT, id, &e))?;
            wait_connection(on, "to finish updating").await?;
        }
        let attachment = prior
            .transit_router_attachment_id
            .clone()
            .unwrap_or_default();
        if prior.auto_publish_routes != plan.auto_publish_routes {
            let params = Params::new()
                .set("TransitRouterAttachmentId", &attachment)
                .set(
                    "AutoPublishRouteEnabled",
                    plan.auto_publish_routes.unwrap_or(true),
                );
            client
                .call::<serde_json::Value>(&actions::UPDATE_TR_VPN_ATTACHMENT, region, params)
                .await
                .map_err(|e| {
                    api_error_id("updating the transit router binding of", WHAT, id, &e)
                })?;
            wait_binding(on, &attachment).await?;
        }
        let links = [
            (
                Link::Association,
                prior.associate_default_route_table,
                plan.associate_default_route_table,
            ),
            (
                Link::Propagation,
                prior.propagate_default_route_table,
                plan.propagate_default_route_table,
            ),
        ];
        if links.iter().any(|(_, a, b)| a != b) {
            let tr = prior.transit_router_id.clone().unwrap_or_default();
            let table = default_route_table(client, region, &tr)
                .await
                .map_err(|e| api_error_id("finding the route table of", WHAT, id, &e))?;
            for (link, before, after) in links {
                if before != after {
                    set_link(on, link, &attachment, &table, Switch::of(after)).await?;
                }
            }
        }
        Ok(())
    }

    async fn delete(&self, on: &On<'_>) -> Result<(), Failed<ApiError>> {
        let (client, at) = (on.client, on.at);
        let (region, id) = (at.region.as_str(), at.id());
        let conn = find_connection(client, region, id).await?;
        if let Some(binding) = find_binding(client, region, &conn)
            .await
            .map_err(|e| Failed::Other(api_error_id("reading the binding of", WHAT, id, &e)))?
        {
            unbind(on, &binding).await.map_err(Failed::Other)?;
        }
        wait_connection(on, "to settle before deletion")
            .await
            .map_err(Failed::Other)?;
        let delete = &actions::DELETE_VPN_ATTACHMENT;
        Ok(ali_delete(client, delete, region, "VpnConnectionId", id).await?)
    }
}

/// Binds a new connection to the transit router and sets up the links the
/// plan asks for.
async fn bind_and_link(on: &On<'_>, plan: &State) -> Result<(), Diagnostics> {
    let (client, region, id) = (on.client, on.at.region.as_str(), on.at.id());
    let binding = bind(on, plan).await?;
    let links = [
        (Link::Association, plan.associate_default_route_table),
        (Link::Propagation, plan.propagate_default_route_table),
    ];
    if links
        .iter()
        .all(|(_, wanted)| Switch::of(*wanted) == Switch::Off)
    {
        return Ok(());
    }
    let table = default_route_table(client, region, &binding.transit_router_id)
        .await
        .map_err(|e| api_error_id("finding the route table of", WHAT, id, &e))?;
    for (link, wanted) in links {
        if Switch::of(wanted) == Switch::On {
            set_link(on, link, &binding.attachment_id, &table, Switch::On).await?;
        }
    }
    Ok(())
}
