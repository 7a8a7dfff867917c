//! The schema: the connection's arguments, the two tunnel blocks and the
//! rules between them.

use std::net::Ipv4Addr;

use ipnet::Ipv4Net;

use crate::signer::Sensitive;

use crate::framework::timeouts::mins;
use crate::framework::validate::{
    charset, cidr, each, int_between, one_of, parse_cidr, pattern, ObjectRule, Validator,
};
use crate::framework::{
    AttrPath, Attribute, Block, Diagnostics, NestedBlock, Nesting, Schema, Timeouts, Value,
};
use crate::resources::schema_parts;

pub const TYPE_NAME: &str = "hybridnet_alicloud_ipsec_connection_cen";
pub(super) const WHAT: &str = "Alibaba Cloud IPsec connection";
/// Binding to a transit router can take longer than most creates.
pub const TIMEOUTS: Timeouts = Timeouts {
    create: mins(20),
    ..schema_parts::TIMEOUTS
};
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
pub(super) const EVERYTHING: &str = "0.0.0.0/0";
/// What a PSK may hold besides ASCII letters and digits: Alibaba's list, with
/// a single quote and no double quote (docs/design/validation.md).
pub const PSK_SPECIALS: &str = "~`!@#$%^&*()_-+={}[]\\|;:',.<>/?";

/// Alibaba Cloud's encryption algorithms, for IKE and IPsec alike.
const ENCRYPTIONS: &[&str] = &["aes", "aes192", "aes256", "des", "3des"];
/// Alibaba Cloud's authentication algorithms, for IKE and IPsec alike.
const AUTHENTICATIONS: &[&str] = &["md5", "sha1", "sha256", "sha384", "sha512"];

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
        let problem = match schema_parts::slash_30(s) {
            Err(e) => Some(e),
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
        schema_parts::refuse(self, problem, path, diags);
    }
}

/// A tunnel's SA lifetime in seconds, 0–86400, a day unless set.
fn lifetime(name: &str, desc: &str) -> Attribute {
    Attribute::int(name)
        .default(Value::int(86400))
        .description(desc)
        .validator(int_between(0, 86400))
}

/// An IKE identity: 1 to 100 characters without spaces, Alibaba Cloud's
/// default address unless set.
fn ike_identity(name: &str, desc: &str) -> Attribute {
    Attribute::string(name)
        .optional()
        .computed()
        .use_state_for_unknown()
        .description(desc)
        .validator(pattern(r"\S{1,100}", "1 to 100 characters without spaces"))
}

/// What Alibaba Cloud reports about a tunnel.
fn computed(name: &str, desc: &str) -> Attribute {
    Attribute::string(name).computed().description(desc)
}

crate::typed_schema! {
    #[derive(Clone, PartialEq, Eq)]
    pub struct Tunnel;
    pub(crate) fn tunnel_block() -> Block {
        Block::new("One of the connection's two tunnels; the first block is tunnel 1 (active), the second tunnel 2 (standby).");
        customer_gateway_id: String = Attribute::string("customer_gateway_id")
            .required()
            .description("Customer gateway at the far end of this tunnel (`cgw-…`).")
            .validator(crate::resources::alicloud::id_rule("cgw", "a customer gateway ID such as `cgw-bp1abc`")),
        psk: Sensitive<String> = psk_rules(Attribute::string("psk"))
            .optional()
            .computed()
            .use_state_for_unknown()
            .description(
                "Pre-shared key: 1–100 letters, digits and ``~`!@#$%^&*()_-+={}[]\\|;:',.<>/?``, no spaces. Kept in \
                 the state (marked sensitive). When neither `psk` nor `psk_wo` is set, Alibaba Cloud generates a \
                 16-character key, which is then kept here. Conflicts with `psk_wo`.",
            ),
        /// Write-only: only ever filled from the configuration, for create and update.
        psk_wo: Sensitive<String> = psk_rules(Attribute::string("psk_wo"))
            .optional()
            .write_only()
            .description(
                "Pre-shared key with the same rules as `psk`, which neither plan nor state ever holds. With it \
                 `psk` stays null instead of holding the key Alibaba Cloud reads back, so a key changed outside \
                 Terraform goes unnoticed. Sent when the connection is created and whenever `psk_wo_version` \
                 changes; feed it from the ephemeral resource `hybridnet_psk`.",
            ),
        psk_wo_version: i64 = schema_parts::psk_wo_version(),
        ike_version: String = schema_parts::str_enum("ike_version", &["ikev1", "ikev2"], "ikev2", "IKE version."),
        ike_mode: String = schema_parts::str_enum("ike_mode", &["main", "aggressive"], "main", "IKE negotiation mode."),
        ike_encryption_algorithm: String = schema_parts::str_enum("ike_encryption_algorithm", ENCRYPTIONS, "aes", "IKE encryption algorithm."),
        ike_authentication_algorithm: String = schema_parts::str_enum("ike_authentication_algorithm", AUTHENTICATIONS, "sha1", "IKE authentication algorithm."),
        ike_dh_group: String = schema_parts::str_enum("ike_dh_group", &["group1", "group2", "group5", "group14"], "group2", "IKE Diffie-Hellman group."),
        ike_lifetime: i64 = lifetime("ike_lifetime", "IKE SA lifetime in seconds, 0–86400."),
        local_id: String = ike_identity("local_id", "IKE identity of the Alibaba Cloud side; defaults to the tunnel's gateway IP."),
        remote_id: String = ike_identity("remote_id", "IKE identity of the peer; defaults to the customer gateway's IP."),
        ipsec_encryption_algorithm: String = schema_parts::str_enum("ipsec_encryption_algorithm", ENCRYPTIONS, "aes", "IPsec encryption algorithm."),
        ipsec_authentication_algorithm: String = schema_parts::str_enum("ipsec_authentication_algorithm", AUTHENTICATIONS, "sha1", "IPsec authentication algorithm."),
        ipsec_pfs: String = schema_parts::str_enum("ipsec_pfs", &["disabled", "group1", "group2", "group5", "group14"], "group2", "IPsec PFS group, or `disabled`."),
        ipsec_lifetime: i64 = lifetime("ipsec_lifetime", "IPsec SA lifetime in seconds, 0–86400."),
        enable_dpd: bool = Attribute::bool("enable_dpd").default(Value::Bool(true)).description("Dead peer detection."),
        enable_nat_traversal: bool = Attribute::bool("enable_nat_traversal").default(Value::Bool(true)).description("NAT traversal."),
        bgp_local_asn: i64 = Attribute::int("bgp_local_asn")
            .default(Value::int(DEFAULT_LOCAL_ASN))
            .description("BGP ASN of the Alibaba Cloud side, 1–4294967295.")
            .validator(int_between(1, 4_294_967_295)),
        bgp_tunnel_cidr: String = Attribute::string("bgp_tunnel_cidr")
            .optional()
            .description("BGP inside /30 of this tunnel (required with `bgp_enabled`); the two tunnels' blocks must differ.")
            .validator(BgpTunnelCidr),
        bgp_local_ip: String = Attribute::string("bgp_local_ip")
            .optional()
            .computed()
            .use_state_for_unknown()
            .description("BGP address of the Alibaba Cloud side, inside `bgp_tunnel_cidr`.")
            .validator(crate::framework::validate::ipv4()),
        tunnel_id: String = computed("tunnel_id", "Tunnel ID.").use_state_for_unknown(),
        role: String = computed("role", "`master` (active) or `slave` (standby).").use_state_for_unknown(),
        state: String = computed("state", "Tunnel state (`active`, `updating`)."),
        status: String = computed("status", "IPsec negotiation status, e.g. `ipsec_sa_established`."),
        gateway_ip: String = computed("gateway_ip", "Alibaba Cloud-side public IP of the tunnel: give it to the peer.").use_state_for_unknown(),
        bgp_peer_ip: String = computed("bgp_peer_ip", "BGP address expected on the peer side.").use_state_for_unknown(),
    }
    .validator(ObjectRule {
        description: "`psk` and `psk_wo` are not both set, and `psk_wo_version` goes with `psk_wo`",
        check: |o: &Value, p: &AttrPath, d: &mut Diagnostics| {
            if !o.get("psk").is_null() && !o.get("psk_wo").is_null() {
                let at = p.child("psk_wo");
                d.add_attr_error(
                    &at,
                    "Conflicting configuration arguments",
                    format!("{at} conflicts with `psk`: `psk` keeps the key in the state, `psk_wo` keeps it out."),
                );
            }
            schema_parts::psk_wo_version_rule(o, p, d);
        },
    })
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

/// What Alibaba Cloud accepts as a key, for `psk` and `psk_wo` alike.
fn psk_rules(a: Attribute) -> Attribute {
    a.sensitive().validator(charset(
        1,
        100,
        PSK_SPECIALS,
        "1 to 100 letters, digits or ``~`!@#$%^&*()_-+={}[]\\|;:',.<>/?`` (no spaces)",
    ))
}

/// An on/off routing option with a default.
fn switch(name: &str, default: bool, desc: &str) -> Attribute {
    Attribute::bool(name)
        .default(Value::Bool(default))
        .description(desc)
}

crate::typed_schema! {
    pub struct State;
    pub fn schema() -> Schema {
        Schema::new(
            "A dual-tunnel Alibaba Cloud IPsec-VPN connection bound to a CEN transit router, with the console's \
             routing options. It owns the connection, its binding to the transit router and the binding's links \
             to the router's default route table. Tunnel gateway IPs (`tunnel[*].gateway_ip`) exist once it is bound.",
        );
        id: String = schema_parts::id("IPsec connection ID (`vco-…`)."),
        region: String = crate::resources::alicloud::region("Region of the connection and the transit router; defaults to the provider's Alibaba Cloud region."),
        name: String = crate::resources::alicloud::text(
            "name",
            "Name, 1–100 characters, not starting with `http://` or `https://`. Alibaba Cloud cannot clear a name: \
             removing the argument keeps the current one.",
        ),
        network_type: String = Attribute::string("network_type")
            .default(Value::string("public"))
            .requires_replace()
            .description("`public` (over the Internet) or `private` (over a private network).")
            .validator(one_of(&["public", "private"])),
        cen_id: String = schema_parts::reference("cen_id", "CEN instance (same account) whose transit router the connection binds to.", crate::resources::alicloud::id_rule("cen", "a CEN instance ID such as `cen-abc123`")),
        transit_router_id: String = Attribute::string("transit_router_id")
            .optional()
            .computed()
            .requires_replace()
            .use_state_for_unknown()
            .description("Transit router to bind to; defaults to the CEN's transit router in the region.")
            .validator(crate::resources::alicloud::id_rule("tr", "a transit router ID such as `tr-bp1abc`")),
        routing_mode: String = Attribute::string("routing_mode")
            .default(Value::string("destination_routing"))
            .description(
                "`destination_routing` (route-based: traffic selectors 0.0.0.0/0) or `protected_data_flows` \
                 (policy-based: `local_subnets` and `remote_subnets`).",
            )
            .validator(one_of(&["destination_routing", "protected_data_flows"])),
        local_subnets: Vec<String> = Attribute::string_list("local_subnets")
            .optional()
            .description("Alibaba Cloud-side CIDR blocks for `protected_data_flows`. More than one needs IKEv2 on both tunnels.")
            .validator(each(cidr())),
        remote_subnets: Vec<String> = Attribute::string_list("remote_subnets")
            .optional()
            .description("Peer-side CIDR blocks for `protected_data_flows`. More than one needs IKEv2 on both tunnels.")
            .validator(each(cidr())),
        effect_immediately: bool = switch("effect_immediately", false, "Negotiate right after configuration (`true`) or when traffic arrives (`false`)."),
        bgp_enabled: bool = switch("bgp_enabled", false, "Run BGP over both tunnels; each tunnel then needs `bgp_tunnel_cidr`."),
        auto_publish_routes: bool = switch("auto_publish_routes", true, "Let the transit router advertise its routes to the connection."),
        associate_default_route_table: bool = switch(
            "associate_default_route_table",
            false,
            "Associate the connection with the transit router's default (System) route table (associated forwarding).",
        ),
        propagate_default_route_table: bool = switch(
            "propagate_default_route_table",
            false,
            "Propagate the connection's routes to the transit router's default route table (route learning).",
        ),
        tunnel: Vec<Tunnel> = NestedBlock::new("tunnel", Nesting::List, tunnel_block()).items(2, Some(2)),
        status: String = Attribute::string("status").computed().description("Connection state, `attached` when bound and idle."),
        transit_router_attachment_id: String = schema_parts::fixed(Attribute::string("transit_router_attachment_id"), "ID of the binding to the transit router (`tr-attach-…`)."),
        route_table_id: String = Attribute::string("route_table_id").computed().description("The default route table, when associated or propagating."),
    }
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
    // BGP settings without BGP would be sent, then never read back (the cloud ignores them).
    if o.get("bgp_enabled").as_bool() == Some(false) {
        for (i, t) in tunnels.iter().enumerate() {
            for attr in ["bgp_tunnel_cidr", "bgp_local_ip"] {
                if t.get(attr).as_str().is_some() {
                    let at = p.child("tunnel").index(i).child(attr);
                    d.add_attr_error(
                        &at,
                        "Invalid attribute combination",
                        format!("{at} is only used with `bgp_enabled = true`; remove it or turn BGP on."),
                    );
                }
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
