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

use std::net::Ipv4Addr;

use async_trait::async_trait;
use ipnet::Ipv4Net;
use serde::{Deserialize, Serialize};

use crate::cloud::alicloud::{
    actions, client_token, flatten::flatten, types as api, Client, Params,
};
use crate::cloud::ApiError;
use crate::framework::validate::{
    charset, cidr, each, int_between, length_between, no_prefix, one_of, parse_cidr, pattern,
    ObjectRule, Validator,
};
use crate::framework::{
    AttrPath, Attribute, Block, Ctx, Diagnostics, Failure, NestedBlock, Nesting, Resource, Schema,
    Timeouts, Value,
};
use crate::provider::ProviderData;
use crate::resources::common::{
    ali_find, api_error, api_error_id, non_empty, region_and_id, split_import_id,
};
use crate::resources::ownership::{refuse_twin, Target};
use crate::resources::wait::wait_for;

pub const TYPE_NAME: &str = "hybridnet_alicloud_ipsec_connection_cen";
const WHAT: &str = "Alibaba Cloud IPsec connection";
pub const TIMEOUTS: Timeouts = Timeouts::minutes(20, 5, 10, 10);
/// Alibaba Cloud's side of BGP unless told otherwise.
pub const DEFAULT_LOCAL_ASN: i64 = 45104;
/// /30s Alibaba Cloud reserves inside 169.254.0.0/16 (docs/design/alicloud.md §4.2).
pub const RESERVED_TUNNEL_CIDRS: &[&str] = &[
    "169.254.0.0/30",
    "169.254.1.0/30",
    "169.254.2.0/30",
    "169.254.3.0/30",
    "169.254.4.0/30",
    "169.254.5.0/30",
    "169.254.6.0/30",
    "169.254.169.252/30",
];
const EVERYTHING: &str = "0.0.0.0/0";
/// What a PSK may hold besides ASCII letters and digits: Alibaba's list, with
/// a single quote and no double quote (docs/design/validation.md).
pub const PSK_SPECIALS: &str = "~`!@#$%^&*()_-+={}[]\\|;:',.<>/?";

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct State {
    pub id: Option<String>,
    pub region: Option<String>,
    pub name: Option<String>,
    pub network_type: Option<String>,
    pub cen_id: Option<String>,
    pub transit_router_id: Option<String>,
    pub routing_mode: Option<String>,
    pub local_subnets: Option<Vec<String>>,
    pub remote_subnets: Option<Vec<String>>,
    pub effect_immediately: Option<bool>,
    pub bgp_enabled: Option<bool>,
    pub auto_publish_routes: Option<bool>,
    pub associate_default_route_table: Option<bool>,
    pub propagate_default_route_table: Option<bool>,
    pub tunnel: Option<Vec<Tunnel>>,
    pub status: Option<String>,
    pub transit_router_attachment_id: Option<String>,
    pub route_table_id: Option<String>,
}

#[derive(Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tunnel {
    pub customer_gateway_id: Option<String>,
    pub psk: Option<String>,
    pub ike_version: Option<String>,
    pub ike_mode: Option<String>,
    pub ike_encryption_algorithm: Option<String>,
    pub ike_authentication_algorithm: Option<String>,
    pub ike_dh_group: Option<String>,
    pub ike_lifetime: Option<i64>,
    pub local_id: Option<String>,
    pub remote_id: Option<String>,
    pub ipsec_encryption_algorithm: Option<String>,
    pub ipsec_authentication_algorithm: Option<String>,
    pub ipsec_pfs: Option<String>,
    pub ipsec_lifetime: Option<i64>,
    pub enable_dpd: Option<bool>,
    pub enable_nat_traversal: Option<bool>,
    pub bgp_local_asn: Option<i64>,
    pub bgp_tunnel_cidr: Option<String>,
    pub bgp_local_ip: Option<String>,
    pub tunnel_id: Option<String>,
    pub role: Option<String>,
    pub state: Option<String>,
    pub status: Option<String>,
    pub gateway_ip: Option<String>,
    pub bgp_peer_ip: Option<String>,
}

impl std::fmt::Debug for Tunnel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tunnel")
            .field("tunnel_id", &self.tunnel_id)
            .field("customer_gateway_id", &self.customer_gateway_id)
            .field("psk", &self.psk.as_ref().map(|_| "** redacted **"))
            .finish_non_exhaustive()
    }
}

pub struct IpsecConnectionCen;

/// A BGP tunnel /30: inside 169.254.0.0/16 and not reserved.
struct BgpTunnelCidr;

impl Validator for BgpTunnelCidr {
    fn description(&self) -> String {
        format!(
            "a /30 inside 169.254.0.0/16 other than {}",
            RESERVED_TUNNEL_CIDRS.join(", ")
        )
    }
    fn validate(&self, value: &Value, path: &AttrPath, diags: &mut Diagnostics) {
        let Some(s) = value.as_str() else { return };
        let problem = match parse_cidr(s) {
            Err(e) => Some(e),
            Ok(n) if n.prefix_len() != 30 => {
                Some(format!("{s:?} is a /{}, not a /30", n.prefix_len()))
            }
            Ok(n)
                if !"169.254.0.0/16"
                    .parse::<Ipv4Net>()
                    .is_ok_and(|r| r.contains(&n)) =>
            {
                Some(format!("{s:?} is outside 169.254.0.0/16"))
            }
            Ok(_) if RESERVED_TUNNEL_CIDRS.contains(&s) => {
                Some(format!("{s} is reserved by Alibaba Cloud"))
            }
            Ok(_) => None,
        };
        if let Some(p) = problem {
            diags.add_attr_error(
                path,
                "Invalid attribute value",
                format!("{path} must be {}: {p}.", self.description()),
            );
        }
    }
}

fn tunnel_block() -> Block {
    let str_enum = |name: &str, values: &'static [&'static str], default: &str, desc: &str| {
        Attribute::string(name)
            .default(Value::string(default))
            .description(desc)
            .validator(one_of(values))
    };
    let lifetime = |name: &str, desc: &str| {
        Attribute::int(name)
            .default(Value::int(86400))
            .description(desc)
            .validator(int_between(0, 86400))
    };
    let computed = |name: &str, desc: &str| Attribute::string(name).computed().description(desc);
    Block::new("One of the connection's two tunnels; the first block is tunnel 1 (active), the second tunnel 2 (standby).")
        .attribute(
            Attribute::string("customer_gateway_id")
                .required()
                .description("Customer gateway at the far end of this tunnel (`cgw-…`).")
                .validator(super::id_rule("cgw", "a customer gateway ID such as `cgw-bp1abc`")),
        )
        .attribute(
            Attribute::string("psk")
                .optional()
                .computed()
                .sensitive()
                .use_state_for_unknown()
                .description(
                    "Pre-shared key: 1–100 letters, digits and ``~`!@#$%^&*()_-+={}[]\\|;:',.<>/?``, no spaces. When unset, \
                     Alibaba Cloud generates a 16-character key, which is then kept.",
                )
                .validator(charset(
                    1,
                    100,
                    PSK_SPECIALS,
                    "1 to 100 letters, digits or ``~`!@#$%^&*()_-+={}[]\\|;:',.<>/?`` (no spaces)",
                )),
        )
        .attribute(str_enum("ike_version", &["ikev1", "ikev2"], "ikev2", "IKE version."))
        .attribute(str_enum("ike_mode", &["main", "aggressive"], "main", "IKE negotiation mode."))
        .attribute(str_enum("ike_encryption_algorithm", &["aes", "aes192", "aes256", "des", "3des"], "aes", "IKE encryption algorithm."))
        .attribute(str_enum(
            "ike_authentication_algorithm",
            &["md5", "sha1", "sha256", "sha384", "sha512"],
            "sha1",
            "IKE authentication algorithm.",
        ))
        .attribute(str_enum("ike_dh_group", &["group1", "group2", "group5", "group14"], "group2", "IKE Diffie-Hellman group."))
        .attribute(lifetime("ike_lifetime", "IKE SA lifetime in seconds, 0–86400."))
        .attribute(
            Attribute::string("local_id")
                .optional()
                .computed()
                .use_state_for_unknown()
                .description("IKE identity of the Alibaba Cloud side; defaults to the tunnel's gateway IP.")
                .validator(pattern(r"\S{1,100}", "1 to 100 characters without spaces")),
        )
        .attribute(
            Attribute::string("remote_id")
                .optional()
                .computed()
                .use_state_for_unknown()
                .description("IKE identity of the peer; defaults to the customer gateway's IP.")
                .validator(pattern(r"\S{1,100}", "1 to 100 characters without spaces")),
        )
        .attribute(str_enum("ipsec_encryption_algorithm", &["aes", "aes192", "aes256", "des", "3des"], "aes", "IPsec encryption algorithm."))
        .attribute(str_enum(
            "ipsec_authentication_algorithm",
            &["md5", "sha1", "sha256", "sha384", "sha512"],
            "sha1",
            "IPsec authentication algorithm.",
        ))
        .attribute(str_enum("ipsec_pfs", &["disabled", "group1", "group2", "group5", "group14"], "group2", "IPsec PFS group, or `disabled`."))
        .attribute(lifetime("ipsec_lifetime", "IPsec SA lifetime in seconds, 0–86400."))
        .attribute(Attribute::bool("enable_dpd").default(Value::Bool(true)).description("Dead peer detection."))
        .attribute(Attribute::bool("enable_nat_traversal").default(Value::Bool(true)).description("NAT traversal."))
        .attribute(
            Attribute::int("bgp_local_asn")
                .default(Value::int(DEFAULT_LOCAL_ASN))
                .description("BGP ASN of the Alibaba Cloud side, 1–4294967295.")
                .validator(int_between(1, 4_294_967_295)),
        )
        .attribute(
            Attribute::string("bgp_tunnel_cidr")
                .optional()
                .description("BGP inside /30 of this tunnel (required with `bgp_enabled`); the two tunnels' blocks must differ.")
                .validator(BgpTunnelCidr),
        )
        .attribute(
            Attribute::string("bgp_local_ip")
                .optional()
                .computed()
                .use_state_for_unknown()
                .description("BGP address of the Alibaba Cloud side, inside `bgp_tunnel_cidr`.")
                .validator(crate::framework::validate::ipv4()),
        )
        .attribute(computed("tunnel_id", "Tunnel ID.").use_state_for_unknown())
        .attribute(computed("role", "`master` (active) or `slave` (standby).").use_state_for_unknown())
        .attribute(computed("state", "Tunnel state (`active`, `updating`)."))
        .attribute(computed("status", "IPsec negotiation status, e.g. `ipsec_sa_established`."))
        .attribute(computed("gateway_ip", "Alibaba Cloud-side public IP of the tunnel: give it to the peer.").use_state_for_unknown())
        .attribute(computed("bgp_peer_ip", "BGP address expected on the peer side.").use_state_for_unknown())
        .validator(ObjectRule {
            description: "`bgp_local_ip` lies inside `bgp_tunnel_cidr`",
            check: |o: &Value, p: &AttrPath, d: &mut Diagnostics| {
                let (cidr, ip) = (o.get("bgp_tunnel_cidr"), o.get("bgp_local_ip"));
                if cidr.is_null() && ip.as_str().is_some() {
                    let at = p.child("bgp_local_ip");
                    d.add_attr_error(&at, "Missing required argument", format!("{at} needs `bgp_tunnel_cidr` to lie in."));
                    return;
                }
                let (Some(c), Some(ip)) = (cidr.as_str(), ip.as_str()) else { return };
                let (Ok(net), Ok(ip)) = (parse_cidr(c), ip.parse::<Ipv4Addr>()) else { return };
                if !net.hosts().any(|h| h == ip) {
                    let at = p.child("bgp_local_ip");
                    d.add_attr_error(&at, "Invalid attribute value", format!("{at} must be a host of {c}, got {ip}."));
                }
            },
        })
}

pub fn schema() -> Schema {
    let switch = |name: &str, default: bool, desc: &str| {
        Attribute::bool(name)
            .default(Value::Bool(default))
            .description(desc)
    };
    Schema::new(
        "A dual-tunnel Alibaba Cloud IPsec-VPN connection bound to a CEN transit router, with the console's \
         routing options. It owns the connection, its binding to the transit router and the binding's links \
         to the router's default route table. Tunnel gateway IPs (`tunnel[*].gateway_ip`) exist once it is bound.",
    )
    .attribute(Attribute::string("id").computed().use_state_for_unknown().description("IPsec connection ID (`vco-…`)."))
    .attribute(
        Attribute::string("region")
            .optional()
            .computed()
            .requires_replace()
            .use_state_for_unknown()
            .description("Region of the connection and the transit router; defaults to the provider's Alibaba Cloud region.")
            .validator(super::region_rule()),
    )
    .attribute(
        Attribute::string("name")
            .optional()
            .computed()
            .use_state_for_unknown()
            .description(
                "Name, 1–100 characters, not starting with `http://` or `https://`. Alibaba Cloud cannot clear a name: \
                 removing the argument keeps the current one.",
            )
            .validator(length_between(1, 100))
            .validator(no_prefix(&["http://", "https://"]))
            .validator(crate::framework::validate::no_control_chars()),
    )
    .attribute(
        Attribute::string("network_type")
            .default(Value::string("public"))
            .requires_replace()
            .description("`public` (over the Internet) or `private` (over a private network).")
            .validator(one_of(&["public", "private"])),
    )
    .attribute(
        Attribute::string("cen_id")
            .required()
            .requires_replace()
            .description("CEN instance (same account) whose transit router the connection binds to.")
            .validator(super::id_rule("cen", "a CEN instance ID such as `cen-abc123`")),
    )
    .attribute(
        Attribute::string("transit_router_id")
            .optional()
            .computed()
            .requires_replace()
            .use_state_for_unknown()
            .description("Transit router to bind to; defaults to the CEN's transit router in the region.")
            .validator(super::id_rule("tr", "a transit router ID such as `tr-bp1abc`")),
    )
    .attribute(
        Attribute::string("routing_mode")
            .default(Value::string("destination_routing"))
            .description(
                "`destination_routing` (route-based: traffic selectors 0.0.0.0/0) or `protected_data_flows` \
                 (policy-based: `local_subnets` and `remote_subnets`).",
            )
            .validator(one_of(&["destination_routing", "protected_data_flows"])),
    )
    .attribute(
        Attribute::string_list("local_subnets")
            .optional()
            .description("Alibaba Cloud-side CIDR blocks for `protected_data_flows`. More than one needs IKEv2 on both tunnels.")
            .validator(each(cidr())),
    )
    .attribute(
        Attribute::string_list("remote_subnets")
            .optional()
            .description("Peer-side CIDR blocks for `protected_data_flows`. More than one needs IKEv2 on both tunnels.")
            .validator(each(cidr())),
    )
    .attribute(switch("effect_immediately", false, "Negotiate right after configuration (`true`) or when traffic arrives (`false`)."))
    .attribute(switch("bgp_enabled", false, "Run BGP over both tunnels; each tunnel then needs `bgp_tunnel_cidr`."))
    .attribute(switch("auto_publish_routes", true, "Let the transit router advertise its routes to the connection."))
    .attribute(switch(
        "associate_default_route_table",
        false,
        "Associate the connection with the transit router's default (System) route table (associated forwarding).",
    ))
    .attribute(switch(
        "propagate_default_route_table",
        false,
        "Propagate the connection's routes to the transit router's default route table (route learning).",
    ))
    .block(NestedBlock::new("tunnel", Nesting::List, tunnel_block()).items(2, Some(2)))
    .attribute(Attribute::string("status").computed().description("Connection state, `attached` when bound and idle."))
    .attribute(
        Attribute::string("transit_router_attachment_id")
            .computed()
            .use_state_for_unknown()
            .description("ID of the binding to the transit router (`tr-attach-…`)."),
    )
    .attribute(Attribute::string("route_table_id").computed().description("The default route table, when associated or propagating."))
    .validator(ObjectRule {
        description: "routing mode, subnets, IKE version and BGP settings are consistent",
        check: validate_connection,
    })
    .timeouts(TIMEOUTS)
}

fn validate_connection(o: &Value, p: &AttrPath, d: &mut Diagnostics) {
    let mode = o.get("routing_mode");
    let (local, remote) = (o.get("local_subnets"), o.get("remote_subnets"));
    if mode.is_known() && local.is_known() && remote.is_known() {
        let policy = mode.as_str() == Some("protected_data_flows");
        for (name, v) in [("local_subnets", local), ("remote_subnets", remote)] {
            if policy && v.as_list().is_none_or(<[Value]>::is_empty) {
                d.add_attr_error(
                    &p.child(name),
                    "Missing required argument",
                    format!(
                        "`{name}` is required when `routing_mode` is \"protected_data_flows\"."
                    ),
                );
            }
            if !policy && !v.is_null() {
                d.add_attr_error(
                    &p.child(name),
                    "Invalid attribute combination",
                    format!(
                        "`{name}` applies only when `routing_mode` is \"protected_data_flows\"."
                    ),
                );
            }
        }
    }
    let tunnels = o.get("tunnel").as_list().unwrap_or(&[]);
    let many = |v: &Value| v.as_list().is_some_and(|l| l.len() > 1);
    if many(local) || many(remote) {
        for (i, t) in tunnels.iter().enumerate() {
            if matches!(t.get("ike_version").as_str(), Some(v) if v != "ikev2") {
                d.add_attr_error(
                    &p.child("tunnel").index(i).child("ike_version"),
                    "Invalid attribute combination",
                    format!("{} must be \"ikev2\": several local or remote subnets need IKEv2 on both tunnels.", p.child("tunnel").index(i).child("ike_version")),
                );
            }
        }
    }
    if o.get("bgp_enabled").as_bool() == Some(true) {
        for (i, t) in tunnels.iter().enumerate() {
            if t.get("bgp_tunnel_cidr").is_null() {
                d.add_attr_error(
                    &p.child("tunnel").index(i).child("bgp_tunnel_cidr"),
                    "Missing required argument",
                    format!(
                        "{} is required: `bgp_enabled` is true.",
                        p.child("tunnel").index(i).child("bgp_tunnel_cidr")
                    ),
                );
            }
        }
    }
    if let [a, b] = tunnels {
        let (ca, cb) = (a.get("bgp_tunnel_cidr"), b.get("bgp_tunnel_cidr"));
        if ca.as_str().is_some() && ca == cb {
            d.add_attr_error(
                &p.child("tunnel").index(1).child("bgp_tunnel_cidr"),
                "Invalid attribute value",
                format!(
                    "{} must differ from tunnel[0].bgp_tunnel_cidr.",
                    p.child("tunnel").index(1).child("bgp_tunnel_cidr")
                ),
            );
        }
    }
}

#[async_trait]
impl Resource<ProviderData> for IpsecConnectionCen {
    type State = State;

    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    /// Computed tunnel values that follow from configured ones: the peer's
    /// BGP address from the tunnel CIDR, the default remote id from the
    /// customer gateway. When those change, so must the plan.
    fn modify_plan(
        &self,
        prior: &Value,
        planned: &mut Value,
        config: &Value,
        _diags: &mut Diagnostics,
    ) {
        let (Some(before), Some(Value::List(after))) =
            (prior.get("tunnel").as_list(), planned.get_mut("tunnel"))
        else {
            return;
        };
        let config_tunnels = config.get("tunnel").as_list().unwrap_or(&[]);
        for (i, t) in after.iter_mut().enumerate() {
            let (Some(p), c) = (before.get(i), config_tunnels.get(i).unwrap_or(&Value::Null))
            else {
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

    async fn create(&self, ctx: &Ctx<ProviderData>, plan: State) -> Result<State, Failure<State>> {
        let client = &ctx.data.alicloud_until(ctx.deadline)?;
        let region = plan
            .region
            .clone()
            .unwrap_or_else(|| client.region().to_string());
        let tunnels = plan.tunnel.clone().unwrap_or_default();
        // A token is unique to this process, so a connection left by a
        // killed run is found by what it joins: its customer gateways,
        // traffic selectors and transit router.
        let claims = &ctx.data.claims;
        let _turn = claims
            .turn(&format!(
                "alicloud/vco/{region}/{:?}",
                plan.tunnel
                    .iter()
                    .flatten()
                    .map(|t| &t.customer_gateway_id)
                    .collect::<Vec<_>>()
            ))
            .await;
        refuse_twin(
            claims,
            &Target::new(TYPE_NAME, WHAT, &region, &[]),
            find_twin(client, &region, &plan, |id| !claims.holds(id)).await,
            "already joins these customer gateways with these subnets on this CEN",
            "delete it or change the tunnels' customer gateways",
        )?;
        let (local, remote) = subnets(&plan);
        let mut params = Params::new()
            .set("ClientToken", client_token())
            .set("LocalSubnet", local)
            .set("RemoteSubnet", remote)
            .opt("Name", plan.name.as_ref())
            .opt("NetworkType", plan.network_type.as_ref())
            .opt("EffectImmediately", plan.effect_immediately)
            .opt("EnableTunnelsBgp", plan.bgp_enabled);
        tunnel_params(&mut params, &expand_tunnels(&[], &tunnels));
        let r: api::CreateVpnAttachmentResponse = client
            .call(&actions::CREATE_VPN_ATTACHMENT, &region, params)
            .await
            .map_err(|e| api_error("creating", WHAT, &e))?;
        let id = r.vpn_connection_id;
        claims.hold(&id);
        tracing::info!(id = %id, "created Alibaba Cloud IPsec connection");
        // From here on the connection exists: every failure keeps it in state.
        let partial = |e: Diagnostics| {
            Failure::partial(
                State {
                    id: Some(id.clone()),
                    region: Some(region.clone()),
                    tunnel: Some(Vec::new()),
                    ..State::default()
                },
                e,
            )
        };
        let binding = bind(ctx, client, &region, &id, &plan)
            .await
            .map_err(partial)?;
        if plan.associate_default_route_table == Some(true)
            || plan.propagate_default_route_table == Some(true)
        {
            let table = default_route_table(client, &region, &binding.transit_router_id)
                .await
                .map_err(|e| partial(api_error_id("finding the route table of", WHAT, &id, &e)))?;
            if plan.associate_default_route_table == Some(true) {
                set_link(
                    ctx,
                    client,
                    &region,
                    Link::Association,
                    &binding.attachment_id,
                    &table,
                    true,
                )
                .await
                .map_err(partial)?;
            }
            if plan.propagate_default_route_table == Some(true) {
                set_link(
                    ctx,
                    client,
                    &region,
                    Link::Propagation,
                    &binding.attachment_id,
                    &table,
                    true,
                )
                .await
                .map_err(partial)?;
            }
        }
        match read_full(client, &region, &id, &tunnels).await {
            Ok(Some(s)) => Ok(s),
            Ok(None) => Err(partial(Diagnostics::error(
                format!("reading back {WHAT} ({id})"),
                "it disappeared right after it was created",
            ))),
            Err(e) => Err(partial(api_error_id("reading back", WHAT, &id, &e))),
        }
    }

    async fn read(
        &self,
        ctx: &Ctx<ProviderData>,
        state: State,
    ) -> Result<Option<State>, Diagnostics> {
        let client = &ctx.data.alicloud_until(ctx.deadline)?;
        let (region, id) = region_and_id(client.region(), &state.region, &state.id)?;
        read_full(client, &region, &id, &state.tunnel.unwrap_or_default())
            .await
            .map_err(|e| api_error_id("reading", WHAT, &id, &e))
    }

    async fn update(
        &self,
        ctx: &Ctx<ProviderData>,
        prior: State,
        plan: State,
    ) -> Result<State, Failure<State>> {
        let client = &ctx.data.alicloud_until(ctx.deadline)?;
        let (region, id) = region_and_id(client.region(), &prior.region, &prior.id)?;
        let prior_tunnels = prior.tunnel.clone().unwrap_or_default();
        let plan_tunnels = plan.tunnel.clone().unwrap_or_default();
        let tunnel_changes = expand_tunnels(&prior_tunnels, &plan_tunnels);
        let subnets_changed = subnets(&prior) != subnets(&plan);
        let connection_changed = prior.name != plan.name
            || subnets_changed
            || prior.effect_immediately != plan.effect_immediately
            || prior.bgp_enabled != plan.bgp_enabled
            || prior_tunnels
                .iter()
                .zip(&plan_tunnels)
                .any(|(a, b)| settings_differ(a, b));
        if connection_changed {
            let (local, remote) = subnets(&plan);
            let mut params = Params::new()
                .set("VpnConnectionId", &id)
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
                    &region,
                    params,
                )
                .await
                .map_err(|e| api_error_id("updating", WHAT, &id, &e))?;
            wait_connection(ctx, client, &region, &id, "to finish updating").await?;
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
                .call::<serde_json::Value>(&actions::UPDATE_TR_VPN_ATTACHMENT, &region, params)
                .await
                .map_err(|e| {
                    api_error_id("updating the transit router binding of", WHAT, &id, &e)
                })?;
            wait_binding(ctx, client, &region, &attachment).await?;
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
            let table = default_route_table(client, &region, &tr)
                .await
                .map_err(|e| api_error_id("finding the route table of", WHAT, &id, &e))?;
            for (link, before, after) in links {
                if before != after {
                    set_link(
                        ctx,
                        client,
                        &region,
                        link,
                        &attachment,
                        &table,
                        after == Some(true),
                    )
                    .await?;
                }
            }
        }
        match read_full(client, &region, &id, &plan_tunnels).await {
            Ok(Some(s)) => Ok(s),
            Ok(None) => Err(Failure::clean(Diagnostics::error(
                format!("reading back {WHAT} ({id})"),
                "it disappeared during the update",
            ))),
            Err(e) => Err(Failure::partial(
                prior,
                api_error_id("reading back", WHAT, &id, &e),
            )),
        }
    }

    async fn delete(&self, ctx: &Ctx<ProviderData>, state: State) -> Result<(), Diagnostics> {
        let client = &ctx.data.alicloud_until(ctx.deadline)?;
        let (region, id) = region_and_id(client.region(), &state.region, &state.id)?;
        let conn = match find_by_id(client, &region, &id).await {
            Ok(c) => c,
            Err(e) if e.is_not_found() => return Ok(()),
            Err(e) => return Err(api_error_id("reading", WHAT, &id, &e)),
        };
        // Unbind first: a bound connection cannot be deleted. Force removes
        // the route-table association and propagation with the binding.
        if let Some(binding) = find_binding(client, &region, &conn)
            .await
            .map_err(|e| api_error_id("reading the binding of", WHAT, &id, &e))?
        {
            let params = Params::new()
                .set(
                    "TransitRouterAttachmentId",
                    &binding.transit_router_attachment_id,
                )
                .set("Force", true);
            match client
                .call::<serde_json::Value>(&actions::DELETE_TR_VPN_ATTACHMENT, &region, params)
                .await
            {
                Ok(_) => {}
                Err(e) if e.is_not_found() => {}
                Err(e) => return Err(api_error_id("unbinding", WHAT, &id, &e)),
            }
            let attachment = binding.transit_router_attachment_id.clone();
            wait_for(ctx, &format!("{WHAT} ({id}) to be unbound"), || async {
                Ok(list_binding(client, &region, &attachment)
                    .await?
                    .is_none()
                    .then_some(()))
            })
            .await?;
        }
        wait_connection(ctx, client, &region, &id, "to settle before deletion").await?;
        match client
            .call::<serde_json::Value>(
                &actions::DELETE_VPN_ATTACHMENT,
                &region,
                Params::new().set("VpnConnectionId", &id),
            )
            .await
        {
            Ok(_) => Ok(()),
            Err(e) if e.is_not_found() => Ok(()),
            Err(e) => Err(api_error_id("deleting", WHAT, &id, &e)),
        }
    }

    async fn import(&self, ctx: &Ctx<ProviderData>, import_id: &str) -> Result<State, Diagnostics> {
        let client = &ctx.data.alicloud_until(ctx.deadline)?;
        let (region, id) = split_import_id(import_id)?;
        Ok(State {
            id: Some(id.to_string()),
            region: Some(region.unwrap_or(client.region()).to_string()),
            tunnel: Some(Vec::new()),
            ..State::default()
        })
    }
}

/// `LocalSubnet`, `RemoteSubnet` as the API spells them.
fn subnets(s: &State) -> (String, String) {
    if s.routing_mode.as_deref() == Some("protected_data_flows") {
        let join = |v: &Option<Vec<String>>| v.clone().unwrap_or_default().join(",");
        (join(&s.local_subnets), join(&s.remote_subnets))
    } else {
        (EVERYTHING.to_string(), EVERYTHING.to_string())
    }
}

/// A connection that already joins the planned customer gateways with the
/// planned subnets, unbound or bound to the planned CEN, if any.
async fn find_twin(
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
fn settings_differ(a: &Tunnel, b: &Tunnel) -> bool {
    let strip = |t: &Tunnel| Tunnel {
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
fn expand_tunnels(prior: &[Tunnel], plan: &[Tunnel]) -> Vec<api::TunnelOptions> {
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
                    psk: f(|t| &t.psk),
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

/// Tunnel options go in the form body, flattened as the SDK does.
fn tunnel_params(params: &mut Params, tunnels: &[api::TunnelOptions]) {
    if let Ok(v) = serde_json::to_value(tunnels) {
        flatten("TunnelOptionsSpecification", &v, &mut params.form);
    }
}

struct Binding {
    attachment_id: String,
    transit_router_id: String,
}

/// Binds the connection to the CEN's transit router and waits until the
/// binding and the connection are both ready.
async fn bind(
    ctx: &Ctx<ProviderData>,
    client: &Client,
    region: &str,
    id: &str,
    plan: &State,
) -> Result<Binding, Diagnostics> {
    let params = Params::new()
        .set("RegionId", region)
        .set("VpnId", id)
        .set("ClientToken", client_token())
        .opt("CenId", plan.cen_id.as_ref())
        .opt("TransitRouterId", plan.transit_router_id.as_ref())
        .set(
            "AutoPublishRouteEnabled",
            plan.auto_publish_routes.unwrap_or(true),
        );
    let r: api::CreateTrVpnAttachmentResponse = client
        .call(&actions::CREATE_TR_VPN_ATTACHMENT, region, params)
        .await
        .map_err(|e| api_error_id("binding to the transit router", WHAT, id, &e))?;
    let attachment = r.transit_router_attachment_id;
    let bound = wait_binding(ctx, client, region, &attachment).await?;
    wait_connection(ctx, client, region, id, "to be attached").await?;
    Ok(Binding {
        attachment_id: attachment,
        transit_router_id: bound.transit_router_id.unwrap_or_default(),
    })
}

async fn wait_binding(
    ctx: &Ctx<ProviderData>,
    client: &Client,
    region: &str,
    attachment: &str,
) -> Result<api::TrVpnAttachment, Diagnostics> {
    wait_for(
        ctx,
        &format!("transit router binding {attachment} to be Attached"),
        || async {
            match list_binding(client, region, attachment).await? {
                Some(a) if a.status.as_deref() == Some("Attached") => Ok(Some(a)),
                Some(_) => Ok(None),
                None => Err(ApiError::not_found(format!(
                    "transit router binding {attachment} disappeared"
                ))),
            }
        },
    )
    .await
}

/// Waits until the connection is idle (`attached` or `init`).
async fn wait_connection(
    ctx: &Ctx<ProviderData>,
    client: &Client,
    region: &str,
    id: &str,
    what: &str,
) -> Result<(), Diagnostics> {
    wait_for(ctx, &format!("{WHAT} ({id}) {what}"), || async {
        let c = find_by_id(client, region, id).await?;
        Ok(matches!(c.state.as_deref(), Some("attached" | "init" | "active")).then_some(()))
    })
    .await
}

async fn list_binding(
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
async fn find_binding(
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

async fn default_route_table(
    client: &Client,
    region: &str,
    transit_router: &str,
) -> Result<String, ApiError> {
    let params = Params::new()
        .set("TransitRouterId", transit_router)
        .set("TransitRouterRouteTableType", "System");
    let list: api::RouteTableList = client
        .call(&actions::LIST_TR_ROUTE_TABLES, region, params)
        .await?;
    list.transit_router_route_tables
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

#[derive(Clone, Copy, Debug)]
enum Link {
    Association,
    Propagation,
}

/// The status of the attachment's link of this kind, with its route table.
async fn link_status(
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
    let links = match link {
        Link::Association => {
            client
                .call::<api::AssociationList>(
                    &actions::LIST_ROUTE_TABLE_ASSOCIATIONS,
                    region,
                    params,
                )
                .await?
                .transit_router_associations
        }
        Link::Propagation => {
            client
                .call::<api::PropagationList>(
                    &actions::LIST_ROUTE_TABLE_PROPAGATIONS,
                    region,
                    params,
                )
                .await?
                .transit_router_propagations
        }
    };
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

/// Turns an association or propagation on or off and waits for the result.
async fn set_link(
    ctx: &Ctx<ProviderData>,
    client: &Client,
    region: &str,
    link: Link,
    attachment: &str,
    table: &str,
    on: bool,
) -> Result<(), Diagnostics> {
    let action = match (link, on) {
        (Link::Association, true) => &actions::ASSOCIATE_ROUTE_TABLE,
        (Link::Association, false) => &actions::DISSOCIATE_ROUTE_TABLE,
        (Link::Propagation, true) => &actions::ENABLE_PROPAGATION,
        (Link::Propagation, false) => &actions::DISABLE_PROPAGATION,
    };
    let params = Params::new()
        .set("TransitRouterAttachmentId", attachment)
        .set("TransitRouterRouteTableId", table);
    if let Err(e) = client
        .call::<serde_json::Value>(action, region, params)
        .await
    {
        // A retried call whose first attempt went through is refused as
        // "already done": that is success. Anything else is an error.
        let done = match link_status(client, region, link, attachment, table).await {
            Ok(status) => status.is_some() == on,
            Err(_) => false,
        };
        if !done {
            return Err(api_error_id(
                &format!("{} ({link:?})", action.name),
                "transit router binding",
                attachment,
                &e,
            ));
        }
    }
    wait_for(
        ctx,
        &format!(
            "route table {link:?} of {attachment} to become {}",
            if on { "Active" } else { "absent" }
        ),
        || async {
            let status = link_status(client, region, link, attachment, table).await?;
            Ok(match (on, status) {
                (true, Some((s, _))) if s == "Active" => Some(()),
                (false, None) => Some(()),
                _ => None,
            })
        },
    )
    .await
}

/// Reads the connection, its binding and the binding's route-table links.
/// `ours` carries what the API cannot tell (nothing today but kept for
/// masked secrets).
async fn read_full(
    client: &Client,
    region: &str,
    id: &str,
    ours: &[Tunnel],
) -> Result<Option<State>, ApiError> {
    let conn = match find_by_id(client, region, id).await {
        Ok(c) => c,
        Err(e) if e.is_not_found() => return Ok(None),
        Err(e) => return Err(e),
    };
    let binding = find_binding(client, region, &conn).await?;
    let (mut associated, mut propagating, mut table) = (false, false, None);
    if let Some(b) = &binding {
        let tr = non_empty(b.transit_router_id.clone())
            .or_else(|| non_empty(conn.transit_router_id.clone()));
        let system = default_route_table(client, region, &tr.unwrap_or_default()).await?;
        let attachment = &b.transit_router_attachment_id;
        associated = link_status(client, region, Link::Association, attachment, &system)
            .await?
            .is_some();
        propagating = link_status(client, region, Link::Propagation, attachment, &system)
            .await?
            .is_some();
        table = (associated || propagating).then_some(system);
    }
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
    Ok(Some(State {
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
        bgp_enabled: Some(conn.enable_tunnels_bgp.unwrap_or(false)),
        auto_publish_routes: binding
            .as_ref()
            .map(|b| b.auto_publish_route_enabled.unwrap_or(true)),
        associate_default_route_table: Some(associated),
        propagate_default_route_table: Some(propagating),
        tunnel: Some(
            tunnels
                .iter()
                .enumerate()
                .map(|(i, t)| flatten_tunnel(t, ours.get(i)))
                .collect(),
        ),
        status: non_empty(conn.state.clone()),
        transit_router_attachment_id: binding.map(|b| b.transit_router_attachment_id),
        route_table_id: table,
    }))
}

fn flatten_tunnel(t: &api::Tunnel, ours: Option<&Tunnel>) -> Tunnel {
    let ike = t.tunnel_ike_config.clone().unwrap_or_default();
    let ipsec = t.tunnel_ipsec_config.clone().unwrap_or_default();
    let bgp = t.tunnel_bgp_config.clone().unwrap_or_default();
    Tunnel {
        customer_gateway_id: non_empty(t.customer_gateway_id.clone()),
        // INFERRED: the API returns the key in clear; if it ever masks it, keep
        // ours (docs/design/alicloud.md §10.5).
        psk: non_empty(ike.psk)
            .filter(|p| !p.contains("***"))
            .or_else(|| ours.and_then(|o| o.psk.clone())),
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
        bgp_local_asn: Some(bgp.local_asn.unwrap_or(DEFAULT_LOCAL_ASN)),
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

pub async fn find_by_id(
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::testing::validate_paths;
    use crate::resources::common::test_support::state_matches_schema;

    #[test]
    fn state_fields_match_schema_attributes() {
        state_matches_schema(&schema(), &State::default());
        let tunnel = serde_json::to_value(Tunnel::default()).unwrap();
        let mut fields: Vec<&str> = tunnel
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let block = tunnel_block();
        let mut attrs: Vec<&str> = block.attributes.iter().map(|a| a.name.as_str()).collect();
        fields.sort_unstable();
        attrs.sort_unstable();
        assert_eq!(fields, attrs);
    }

    fn tunnel(pairs: &[(&str, Value)]) -> Value {
        let mut m: std::collections::BTreeMap<String, Value> = tunnel_block()
            .attributes
            .iter()
            .map(|a| (a.name.clone(), Value::Null))
            .collect();
        m.insert("customer_gateway_id".into(), Value::string("cgw-1"));
        for (k, v) in pairs {
            m.insert(k.to_string(), v.clone());
        }
        Value::Object(m)
    }

    fn list(v: &[&str]) -> Value {
        Value::List(v.iter().map(|s| Value::string(*s)).collect())
    }

    #[test]
    fn validation_rules_point_at_the_attribute() {
        let s = schema();
        let v = |pairs: &[(&str, Value)]| validate_paths(&s, pairs);
        let two = |a: Value, b: Value| Value::List(vec![a, b]);
        assert!(v(&[("tunnel", two(tunnel(&[]), tunnel(&[])))]).is_empty());
        assert_eq!(v(&[("tunnel", Value::List(vec![tunnel(&[])]))]), ["tunnel"]);
        assert_eq!(
            v(&[(
                "tunnel",
                two(tunnel(&[("psk", Value::string("has space"))]), tunnel(&[]))
            )]),
            ["tunnel[0].psk"]
        );
        assert_eq!(
            v(&[(
                "tunnel",
                two(
                    tunnel(&[("psk", Value::string("x".repeat(101)))]),
                    tunnel(&[])
                )
            )]),
            ["tunnel[0].psk"]
        );
        // Alibaba's specials, every one of them (`'` included, `"` not).
        assert!(v(&[(
            "tunnel",
            two(
                tunnel(&[("psk", Value::string(format!("a{PSK_SPECIALS}9")))]),
                tunnel(&[])
            )
        )])
        .is_empty());
        assert_eq!(
            v(&[(
                "tunnel",
                two(tunnel(&[]), tunnel(&[("psk", Value::string("say\"hi\""))]))
            )]),
            ["tunnel[1].psk"]
        );
        assert_eq!(
            v(&[(
                "tunnel",
                two(tunnel(&[]), tunnel(&[("ike_lifetime", Value::int(86401))]))
            )]),
            ["tunnel[1].ike_lifetime"]
        );
        assert_eq!(
            v(&[(
                "tunnel",
                two(
                    tunnel(&[("ipsec_pfs", Value::string("group3"))]),
                    tunnel(&[])
                )
            )]),
            ["tunnel[0].ipsec_pfs"]
        );
        assert_eq!(
            v(&[(
                "tunnel",
                two(tunnel(&[("bgp_local_asn", Value::int(0))]), tunnel(&[]))
            )]),
            ["tunnel[0].bgp_local_asn"]
        );
        let cidr = |c: &str| tunnel(&[("bgp_tunnel_cidr", Value::string(c))]);
        assert_eq!(
            v(&[(
                "tunnel",
                two(cidr("169.254.1.0/30"), cidr("169.254.10.0/30"))
            )]),
            ["tunnel[0].bgp_tunnel_cidr"]
        );
        assert_eq!(
            v(&[("tunnel", two(cidr("10.0.0.0/30"), cidr("169.254.10.0/30")))]),
            ["tunnel[0].bgp_tunnel_cidr"]
        );
        assert_eq!(
            v(&[(
                "tunnel",
                two(cidr("169.254.10.0/29"), cidr("169.254.11.0/30"))
            )]),
            ["tunnel[0].bgp_tunnel_cidr"]
        );
        assert_eq!(
            v(&[(
                "tunnel",
                two(cidr("169.254.10.0/30"), cidr("169.254.10.0/30"))
            )]),
            ["tunnel[1].bgp_tunnel_cidr"]
        );
        let bad_ip = tunnel(&[
            ("bgp_tunnel_cidr", Value::string("169.254.10.0/30")),
            ("bgp_local_ip", Value::string("169.254.10.3")),
        ]);
        assert_eq!(
            v(&[("tunnel", two(bad_ip, cidr("169.254.11.0/30")))]),
            ["tunnel[0].bgp_local_ip"]
        );
        assert_eq!(
            v(&[
                ("bgp_enabled", Value::Bool(true)),
                ("tunnel", two(tunnel(&[]), cidr("169.254.11.0/30")))
            ]),
            ["tunnel[0].bgp_tunnel_cidr"]
        );
        let pdf = Value::string("protected_data_flows");
        assert_eq!(
            v(&[
                ("routing_mode", pdf.clone()),
                ("tunnel", two(tunnel(&[]), tunnel(&[])))
            ]),
            ["local_subnets", "remote_subnets"]
        );
        assert_eq!(
            v(&[
                ("local_subnets", list(&["10.0.0.0/8"])),
                ("tunnel", two(tunnel(&[]), tunnel(&[])))
            ]),
            ["local_subnets"]
        );
        let v1 = tunnel(&[("ike_version", Value::string("ikev1"))]);
        assert_eq!(
            v(&[
                ("routing_mode", pdf),
                ("local_subnets", list(&["10.0.0.0/16", "10.1.0.0/16"])),
                ("remote_subnets", list(&["192.168.0.0/16"])),
                ("tunnel", two(v1, tunnel(&[])))
            ]),
            ["tunnel[0].ike_version"]
        );
        assert_eq!(
            v(&[
                ("network_type", Value::string("vpc")),
                ("tunnel", two(tunnel(&[]), tunnel(&[])))
            ]),
            ["network_type"]
        );
    }

    #[test]
    fn modify_sends_only_changed_members_with_tunnel_identity() {
        let prior = Tunnel {
            tunnel_id: Some("tun-1".into()),
            customer_gateway_id: Some("cgw-1".into()),
            psk: Some("old".into()),
            ike_version: Some("ikev2".into()),
            ..Tunnel::default()
        };
        let plan = Tunnel {
            psk: Some("new".into()),
            ..prior.clone()
        };
        let t = &expand_tunnels(&[prior.clone(), prior.clone()], &[plan, prior])[..];
        assert_eq!(t[0].tunnel_id.as_deref(), Some("tun-1"));
        assert_eq!(t[0].tunnel_index, 1);
        assert_eq!(t[1].tunnel_index, 2);
        assert_eq!(t[0].tunnel_ike_config.psk.as_deref(), Some("new"));
        assert!(t[0].tunnel_ike_config.ike_version.is_none());
        assert!(t[1].tunnel_ike_config.is_empty());
    }
}
