//! Between the state and the API: parameters from the plan, the state from
//! what the API answers, and the search for a connection a killed run left.

use crate::cloud::alicloud::{actions, flatten::flatten, types as api, Client, Params};
use crate::cloud::ApiError;
use crate::resources::common::non_empty;
use crate::signer::Sensitive;

use super::find::{find_binding, Full};
use super::schema::{State, Tunnel, DEFAULT_LOCAL_ASN, EVERYTHING};

/// `LocalSubnet`, `RemoteSubnet` as the API spells them.
pub fn subnets(s: &State) -> (String, String) {
    if s.routing_mode.as_deref() == Some("protected_data_flows") {
        let join = |v: &Option<Vec<String>>| v.clone().unwrap_or_default().join(",");
        (join(&s.local_subnets), join(&s.remote_subnets))
    } else {
        (EVERYTHING.to_string(), EVERYTHING.to_string())
    }
}

/// A connection that already joins the planned customer gateways with the
/// planned subnets, unbound or bound to the planned CEN, if any.
pub async fn find_twin(
    client: &Client,
    region: &str,
    plan: &State,
    unclaimed: impl Fn(&str) -> bool,
) -> Result<Option<String>, ApiError> {
    let gateways: Vec<Option<&str>> = plan
        .tunnel
        .iter()
        .flatten()
        .map(|t| t.customer_gateway_id.as_deref())
        .collect();
    let Some(Some(first)) = gateways.first().copied() else {
        return Ok(None);
    };
    let candidates: Vec<api::VpnConnection> = client
        .list_all(
            &actions::DESCRIBE_VPN_CONNECTIONS,
            region,
            Params::new().set("CustomerGatewayId", first),
            ("VpnConnections", "VpnConnection"),
        )
        .await?;
    fn selectors(s: &str) -> Vec<&str> {
        let mut v: Vec<&str> = s.split(',').map(str::trim).collect();
        v.sort_unstable();
        v
    }
    let (local, remote) = subnets(plan);
    for c in candidates {
        let same = c
            .tunnels()
            .iter()
            .map(|t| t.customer_gateway_id.as_deref())
            .eq(gateways.iter().copied())
            && selectors(c.local_subnet.as_deref().unwrap_or_default()) == selectors(&local)
            && selectors(c.remote_subnet.as_deref().unwrap_or_default()) == selectors(&remote)
            && c.network_type.as_deref().unwrap_or("public")
                == plan.network_type.as_deref().unwrap_or("public")
            && plan
                .name
                .as_ref()
                .is_none_or(|n| c.name.as_ref() == Some(n));
        if !same || !unclaimed(&c.vpn_connection_id) {
            continue;
        }
        let on_our_cen = match (
            non_empty(c.transit_router_id.clone()),
            &plan.transit_router_id,
        ) {
            (None, _) => true,
            (Some(tr), Some(want)) => &tr == want,
            (Some(_), None) => find_binding(client, region, &c)
                .await?
                .is_none_or(|b| b.cen_id.is_none() || b.cen_id == plan.cen_id),
        };
        if on_our_cen {
            return Ok(Some(c.vpn_connection_id));
        }
    }
    Ok(None)
}

/// Whether anything ModifyVpnAttachmentAttribute carries differs.
pub fn settings_differ(a: &Tunnel, b: &Tunnel) -> bool {
    let strip = |t: &Tunnel| Tunnel {
        // Write-only: null in the prior state, the configured key in the
        // plan. Its version says when it must be sent.
        psk_wo: None,
        tunnel_id: None,
        role: None,
        state: None,
        status: None,
        gateway_ip: None,
        bgp_peer_ip: None,
        ..t.clone()
    };
    strip(a) != strip(b)
}

/// Tunnel options for create (`prior` empty: everything set) or modify (only
/// what changed, plus each tunnel's id, index and customer gateway).
pub fn expand_tunnels(prior: &[Tunnel], plan: &[Tunnel]) -> Vec<api::TunnelOptions> {
    fn diff<T: Clone + PartialEq>(a: Option<&T>, b: &Option<T>) -> Option<T> {
        match a {
            Some(a) if Some(a) == b.as_ref() => None,
            _ => b.clone(),
        }
    }
    plan.iter()
        .enumerate()
        .map(|(i, t)| {
            let p = prior.get(i);
            let f =
                |get: fn(&Tunnel) -> &Option<String>| diff(p.and_then(|p| get(p).as_ref()), get(t));
            let n =
                |get: fn(&Tunnel) -> &Option<i64>| diff(p.and_then(|p| get(p).as_ref()), get(t));
            let b =
                |get: fn(&Tunnel) -> &Option<bool>| diff(p.and_then(|p| get(p).as_ref()), get(t));
            api::TunnelOptions {
                tunnel_id: p.and_then(|p| p.tunnel_id.clone()),
                tunnel_index: i64::try_from(i).unwrap_or(0) + 1,
                customer_gateway_id: t.customer_gateway_id.clone(),
                enable_dpd: b(|t| &t.enable_dpd),
                enable_nat_traversal: b(|t| &t.enable_nat_traversal),
                tunnel_bgp_config: api::TunnelBgpConfig {
                    local_asn: n(|t| &t.bgp_local_asn),
                    local_bgp_ip: f(|t| &t.bgp_local_ip),
                    tunnel_cidr: f(|t| &t.bgp_tunnel_cidr),
                },
                tunnel_ike_config: api::TunnelIkeConfig {
                    psk: write_only_psk(p, t)
                        .or_else(|| diff(p.and_then(|p| p.psk.as_ref()), &t.psk)),
                    ike_version: f(|t| &t.ike_version),
                    ike_mode: f(|t| &t.ike_mode),
                    ike_enc_alg: f(|t| &t.ike_encryption_algorithm),
                    ike_auth_alg: f(|t| &t.ike_authentication_algorithm),
                    ike_pfs: f(|t| &t.ike_dh_group),
                    ike_lifetime: n(|t| &t.ike_lifetime),
                    local_id: f(|t| &t.local_id),
                    remote_id: f(|t| &t.remote_id),
                },
                tunnel_ipsec_config: api::TunnelIpsecConfig {
                    ipsec_enc_alg: f(|t| &t.ipsec_encryption_algorithm),
                    ipsec_auth_alg: f(|t| &t.ipsec_authentication_algorithm),
                    ipsec_pfs: f(|t| &t.ipsec_pfs),
                    ipsec_lifetime: n(|t| &t.ipsec_lifetime),
                },
            }
        })
        .collect()
}

/// A tunnel's write-only key, when it must be sent: on create and when its
/// `psk_wo_version` changes.
fn write_only_psk(prior: Option<&Tunnel>, plan: &Tunnel) -> Option<Sensitive<String>> {
    let sent_before = prior.is_some_and(|p| p.psk_wo_version == plan.psk_wo_version);
    plan.psk_wo.clone().filter(|_| !sent_before)
}

/// Tunnel options go in the form body, flattened as the SDK does.
pub fn tunnel_params(params: &mut Params, tunnels: &[api::TunnelOptions]) {
    if let Ok(v) = serde_json::to_value(tunnels) {
        flatten("TunnelOptionsSpecification", &v, &mut params.form);
    }
}

/// The state of the connection `full` describes. `ours` carries what the
/// API cannot tell: a masked key, `psk_wo_version`, and whether the key read
/// back must stay out of the state.
pub fn flatten_full(full: &Full, region: &str, ours: &[Tunnel]) -> State {
    let Full {
        conn,
        binding,
        associated,
        propagating,
        table,
    } = full;
    let bgp_on = conn.enable_tunnels_bgp.unwrap_or(false);
    let split = |s: &Option<String>| -> Vec<String> {
        s.clone()
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|x| !x.is_empty())
            .map(str::to_string)
            .collect()
    };
    let (local, remote) = (split(&conn.local_subnet), split(&conn.remote_subnet));
    let destination = local == [EVERYTHING] && remote == [EVERYTHING];
    let mut tunnels: Vec<&api::Tunnel> = conn.tunnels().iter().collect();
    tunnels.sort_by_key(|t| t.tunnel_index.unwrap_or(0));
    State {
        id: Some(conn.vpn_connection_id.clone()),
        region: Some(region.to_string()),
        name: non_empty(conn.name.clone()),
        network_type: non_empty(conn.network_type.clone()).or(Some("public".into())),
        cen_id: binding
            .as_ref()
            .and_then(|b| non_empty(b.cen_id.clone()))
            .or_else(|| non_empty(conn.attach_instance_id.clone())),
        transit_router_id: non_empty(conn.transit_router_id.clone()),
        routing_mode: Some(
            if destination {
                "destination_routing"
            } else {
                "protected_data_flows"
            }
            .to_string(),
        ),
        local_subnets: (!destination).then_some(local),
        remote_subnets: (!destination).then_some(remote),
        effect_immediately: Some(conn.effect_immediately.unwrap_or(false)),
        bgp_enabled: Some(bgp_on),
        auto_publish_routes: binding
            .as_ref()
            .map(|b| b.auto_publish_route_enabled.unwrap_or(true)),
        associate_default_route_table: Some(*associated),
        propagate_default_route_table: Some(*propagating),
        tunnel: Some(
            tunnels
                .iter()
                .enumerate()
                .map(|(i, t)| flatten_tunnel(t, ours.get(i), bgp_on))
                .collect(),
        ),
        status: non_empty(conn.state.clone()),
        transit_router_attachment_id: binding
            .as_ref()
            .map(|b| b.transit_router_attachment_id.clone()),
        route_table_id: table.clone(),
    }
}

fn flatten_tunnel(t: &api::Tunnel, ours: Option<&Tunnel>, bgp_on: bool) -> Tunnel {
    let ike = t.tunnel_ike_config.clone().unwrap_or_default();
    let ipsec = t.tunnel_ipsec_config.clone().unwrap_or_default();
    // With BGP off the tunnel's BGP settings mean nothing, and the cloud may keep the last ones:
    // reading them back would contradict a plan that cleared them.
    let bgp = t
        .tunnel_bgp_config
        .clone()
        .filter(|_| bgp_on)
        .unwrap_or_default();
    let write_only = ours.and_then(|o| o.psk_wo_version);
    Tunnel {
        customer_gateway_id: non_empty(t.customer_gateway_id.clone()),
        // INFERRED: the API returns the key in clear; if it ever masks it, keep
        // ours (docs/design/alicloud.md §10.5). With `psk_wo` (its version is
        // set: `psk_wo` itself is always null in state) it is not stored.
        psk: ike
            .psk
            .filter(|p| !p.as_str().is_empty() && !p.as_str().contains("***"))
            .or_else(|| ours.and_then(|o| o.psk.clone()))
            .filter(|_| write_only.is_none()),
        psk_wo: None,
        psk_wo_version: write_only,
        ike_version: non_empty(ike.ike_version),
        ike_mode: non_empty(ike.ike_mode),
        ike_encryption_algorithm: non_empty(ike.ike_enc_alg),
        ike_authentication_algorithm: non_empty(ike.ike_auth_alg),
        ike_dh_group: non_empty(ike.ike_pfs),
        ike_lifetime: ike.ike_lifetime,
        local_id: non_empty(ike.local_id),
        remote_id: non_empty(ike.remote_id),
        ipsec_encryption_algorithm: non_empty(ipsec.ipsec_enc_alg),
        ipsec_authentication_algorithm: non_empty(ipsec.ipsec_auth_alg),
        ipsec_pfs: non_empty(ipsec.ipsec_pfs),
        ipsec_lifetime: ipsec.ipsec_lifetime,
        enable_dpd: Some(t.enable_dpd.unwrap_or(true)),
        enable_nat_traversal: Some(t.enable_nat_traversal.unwrap_or(true)),
        bgp_local_asn: Some(
            bgp.local_asn
                .or_else(|| ours.and_then(|o| o.bgp_local_asn))
                .unwrap_or(DEFAULT_LOCAL_ASN),
        ),
        bgp_tunnel_cidr: non_empty(bgp.tunnel_cidr),
        bgp_local_ip: non_empty(bgp.local_bgp_ip),
        tunnel_id: non_empty(t.tunnel_id.clone()),
        role: non_empty(t.role.clone()),
        state: non_empty(t.state.clone()),
        status: non_empty(t.status.clone()),
        gateway_ip: non_empty(t.internet_ip.clone()),
        bgp_peer_ip: non_empty(bgp.peer_bgp_ip),
    }
}
