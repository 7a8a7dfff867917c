//! `hybridnet_jdcloud_vpn_tunnel`: one IPsec tunnel of a VPN connection,
//! between one of its cloud public IPs and one customer gateway IP.
//!
//! API: bgw `createVpnTunnel`, `describeVpnTunnel`, `modifyVpnTunnel`,
//! `modifyAdminStatus`, `deleteVpnTunnel` (docs/design/jdcloud.md §4.5). JD
//! Cloud only deletes a tunnel that is administratively DOWN, so delete
//! sets it DOWN first.

use std::net::Ipv4Addr;

use ipnet::Ipv4Net;

use crate::signer::Sensitive;

use crate::cloud::jdcloud::types::{self as api, AdminStatus};
use crate::cloud::ApiError;
use crate::framework::validate::{
    int_between, int_one_of, ipv4, no_prefix, parse_cidr, pattern, ObjectRule, Validator,
};
use crate::framework::{AttrPath, Attribute, Diagnostics, Locator, Schema, Timeouts, Value};
use crate::resources::common::{api_error_id, non_empty};
use crate::resources::ownership::Identity;
use crate::resources::schema_parts;

use super::On;

pub const TYPE_NAME: &str = "hybridnet_jdcloud_vpn_tunnel";
const WHAT: &str = "JD Cloud VPN tunnel";
pub const TIMEOUTS: Timeouts = schema_parts::TIMEOUTS;

/// Where a tunnel's inside /30 may come from (docs/design/jdcloud.md §6).
pub const TUNNEL_IP_RANGES: &[&str] = &[
    "169.254.0.0/20",
    "10.0.0.0/8",
    "172.16.0.0/12",
    "192.168.0.0/16",
];

pub struct VpnTunnel;

/// A /30 inside one of the allowed ranges.
struct TunnelCidr;

impl Validator for TunnelCidr {
    fn description(&self) -> String {
        "a /30 CIDR block inside 169.254.0.0/20, 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16"
            .to_string()
    }
    fn validate(&self, value: &Value, path: &AttrPath, diags: &mut Diagnostics) {
        let Some(s) = value.as_str() else { return };
        let problem = match schema_parts::slash_30(s) {
            Err(e) => Some(e),
            Ok(net) if !in_allowed_range(net) => {
                Some(format!("{s:?} is outside {}", TUNNEL_IP_RANGES.join(", ")))
            }
            Ok(_) => None,
        };
        schema_parts::refuse(self, problem, path, diags);
    }
}

fn in_allowed_range(net: Ipv4Net) -> bool {
    TUNNEL_IP_RANGES
        .iter()
        .filter_map(|r| r.parse::<Ipv4Net>().ok())
        .any(|r| r.contains(&net))
}

/// The two usable host addresses of a /30.
fn usable_hosts(net: Ipv4Net) -> [Ipv4Addr; 2] {
    let base = u32::from(net.network());
    [Ipv4Addr::from(base + 1), Ipv4Addr::from(base + 2)]
}

/// One end of the tunnel, an IPv4 address; another replaces the tunnel.
fn endpoint(name: &str, desc: &str) -> Attribute {
    Attribute::string(name)
        .required()
        .requires_replace()
        .description(desc)
        .validator(ipv4())
}

/// A whole-number setting with a default, between `min` and `max`.
fn int_range(name: &str, min: i64, max: i64, default: i64, desc: &str) -> Attribute {
    Attribute::int(name)
        .default(Value::int(default))
        .description(desc)
        .validator(int_between(min, max))
}

crate::typed_schema! {
    pub struct State;
    pub fn schema() -> Schema {
        Schema::new(
            "One IPsec tunnel of a JD Cloud VPN connection, from one of the connection's cloud public IPs to one of \
             the customer gateway's IPs. At most one tunnel per pair of addresses. Defaults are JD Cloud's \
             recommended settings.",
        );
        id: String = schema_parts::id("VPN tunnel ID."),
        region: String = super::region("Region; defaults to the provider's JD Cloud region."),
        vpn_connection_id: String = super::reference("vpn_connection_id", "The VPN connection the tunnel belongs to."),
        cloud_public_ip: String = endpoint("cloud_public_ip", "Cloud-side endpoint: one of the connection's `cloud_public_ips`."),
        customer_ip: String = endpoint("customer_ip", "Customer-side endpoint: one of the customer gateway's `customer_ips`."),
        psk: Sensitive<String> = psk_rules(Attribute::string("psk"))
            .optional()
            .description(
                "Pre-shared key: 1–20 letters, digits, `_` or `-`, not starting with `0x` or `0s`. Kept in the \
                 state (marked sensitive). Set exactly one of `psk` and `psk_wo`.",
            ),
        /// Write-only: only ever filled from the configuration, for create and update.
        psk_wo: Sensitive<String> = psk_rules(Attribute::string("psk_wo"))
            .optional()
            .write_only()
            .description(
                "Pre-shared key with the same rules as `psk`, which neither plan nor state ever holds. Nor \
                 is the key JD Cloud reads back stored, so a key changed outside Terraform goes unnoticed. \
                 Sent when the tunnel is created and whenever `psk_wo_version` changes; feed it from the \
                 ephemeral resource `hybridnet_psk`.",
            ),
        psk_wo_version: i64 = schema_parts::psk_wo_version(),
        tunnel_ip: String = Attribute::string("tunnel_ip")
            .optional()
            .computed()
            .use_state_for_unknown()
            .description(
                "Inside /30 of the tunnel, unique on the border gateway; JD Cloud picks one in 169.254.0.0/20 when unset. \
                 Set `local_tunnel_ip` with it.",
            )
            .validator(TunnelCidr),
        local_tunnel_ip: String = Attribute::string("local_tunnel_ip")
            .optional()
            .computed()
            .use_state_for_unknown()
            .description("Cloud-side inside address: one of the two usable hosts of `tunnel_ip`.")
            .validator(ipv4()),
        remote_tunnel_ip: String = Attribute::string("remote_tunnel_ip")
            .computed()
            .use_state_for_unknown()
            .description("Customer-side inside address: the other usable host of `tunnel_ip`; configure it on your device."),
        ike_version: String = schema_parts::str_enum("ike_version", &["v1", "v2"], "v2", "IKE version."),
        ike_mode: String = schema_parts::str_enum("ike_mode", &["main", "aggressive"], "main", "IKEv1 negotiation mode (ignored with IKEv2)."),
        ike_key_exchange: String = schema_parts::str_enum(
        "ike_key_exchange",
        &["modp1024", "modp1536", "modp2048", "ecp256", "ecp384"],
        "ecp256",
        "IKE Diffie-Hellman group.",
    ),
        ike_cipher: String = schema_parts::str_enum("ike_cipher", &["aes128", "aes192", "aes256", "3des"], "aes128", "IKE encryption algorithm."),
        ike_auth: String = schema_parts::str_enum("ike_auth", &["sha1", "sha256", "sha384"], "sha256", "IKE authentication algorithm."),
        ike_dpd_sec: i64 = Attribute::int("ike_dpd_sec")
            .default(Value::int(10))
            .description("Dead peer detection: `10` (every 10 seconds) or `0` (off).")
            .validator(int_one_of(&[0, 10])),
        ike_sa_life_sec: i64 = int_range("ike_sa_life_sec", 60, 86400, 14400, "IKE SA lifetime in seconds."),
        ipsec_cipher: String = schema_parts::str_enum("ipsec_cipher", &["aes128", "aes192", "aes256"], "aes128", "IPsec encryption algorithm."),
        ipsec_auth: String = schema_parts::str_enum("ipsec_auth", &["sha1", "sha256", "sha384"], "sha256", "IPsec authentication algorithm."),
        // No PFS is sent as the string "null", not JSON null: INFERRED (docs/design/jdcloud.md §8.12).
        ipsec_key_exchange: String = schema_parts::str_enum(
        "ipsec_key_exchange",
        &["null", "modp1024", "modp1536", "modp2048", "ecp256", "ecp384"],
        "null",
        "IPsec PFS group; `null` disables PFS.",
    ),
        ipsec_sa_life_sec: i64 = int_range("ipsec_sa_life_sec", 60, 86400, 3600, "IPsec SA lifetime in seconds."),
        ipsec_sa_lifepkt: i64 = int_range("ipsec_sa_lifepkt", 0, 100_000_000, 0, "IPsec SA lifetime in packets; `0` disables."),
        ipsec_sa_lifebyte: i64 = int_range("ipsec_sa_lifebyte", 0, 107_374_182_400, 0, "IPsec SA lifetime in bytes; `0` disables."),
        bandwidth_mbps: i64 = Attribute::int("bandwidth_mbps")
            .optional()
            .computed()
            .use_state_for_unknown()
            .description("Public bandwidth limit of the tunnel in Mbps, 1–1500.")
            .validator(int_between(1, 1500)),
        admin_status: String = schema_parts::str_enum("admin_status", &["UP", "DOWN"], "UP", "Administrative status: `DOWN` disables the tunnel without deleting it."),
        op_status: String = Attribute::string("op_status").computed().description("Whether IPsec negotiation is up (`UP`) or not (`DOWN`)."),
        created_time: String = super::created_time("When the tunnel was created (UTC)."),
    }
    .validator(ObjectRule {
        description: "`local_tunnel_ip` is a usable host of `tunnel_ip`, and they are set together",
        check: |o: &Value, p: &AttrPath, d: &mut Diagnostics| {
            let (cidr, local) = (o.get("tunnel_ip"), o.get("local_tunnel_ip"));
            if cidr.is_unknown() || local.is_unknown() {
                return;
            }
            match (cidr.as_str(), local.as_str()) {
                (None, None) => {}
                (Some(_), None) | (None, Some(_)) => d.add_attr_error(
                    &p.child(if cidr.is_null() { "tunnel_ip" } else { "local_tunnel_ip" }),
                    "Missing required argument",
                    "`tunnel_ip` and `local_tunnel_ip` are set together.",
                ),
                (Some(c), Some(l)) => {
                    let (Ok(net), Ok(ip)) = (parse_cidr(c), l.parse::<Ipv4Addr>()) else { return };
                    if net.prefix_len() == 30 && !usable_hosts(net).contains(&ip) {
                        d.add_attr_error(
                            &p.child("local_tunnel_ip"),
                            "Invalid attribute value",
                            format!("local_tunnel_ip must be a usable host of {c} ({} or {}), got {l}.", usable_hosts(net)[0], usable_hosts(net)[1]),
                        );
                    }
                }
            }
        },
    })
    .validator(ObjectRule {
        description: "exactly one of `psk` and `psk_wo` is set, and `psk_wo_version` with `psk_wo`",
        check: check_psk_choice,
    })
    .timeouts(TIMEOUTS)
}

/// What JD Cloud accepts as a key, for `psk` and `psk_wo` alike.
fn psk_rules(a: Attribute) -> Attribute {
    a.sensitive()
        .validator(pattern(
            "[0-9A-Za-z_-]{1,20}",
            "1 to 20 letters, digits, `_` or `-`",
        ))
        .validator(no_prefix(&["0x", "0s"]))
}

/// Exactly one of `psk` and `psk_wo`; `psk_wo_version` goes with `psk_wo`.
/// An unknown value counts as set. Messages name attributes, never values.
fn check_psk_choice(o: &Value, p: &AttrPath, d: &mut Diagnostics) {
    let set = |name: &str| !o.get(name).is_null();
    match (set("psk"), set("psk_wo")) {
        (true, true) => d.add_attr_error(
            &p.child("psk_wo"),
            "Conflicting configuration arguments",
            "`psk` and `psk_wo` cannot both be set: `psk` keeps the key in the state, `psk_wo` keeps it out.",
        ),
        (false, false) => d.add_attr_error(
            &p.child("psk"),
            "Missing required argument",
            "Exactly one of `psk` and `psk_wo` (write-only, Terraform 1.11 or later) must be set.",
        ),
        _ => {}
    }
    schema_parts::psk_wo_version_rule(o, p, d);
}

/// `remote_tunnel_ip` follows from `tunnel_ip` and `local_tunnel_ip`, so
/// plan it instead of showing it as unknown.
fn plan_remote_tunnel_ip(
    prior: &Value,
    planned: &mut Value,
    _config: &Value,
    _diags: &mut Diagnostics,
) {
    let (cidr, local) = (
        planned.get("tunnel_ip").clone(),
        planned.get("local_tunnel_ip").clone(),
    );
    if cidr.equals(prior.get("tunnel_ip")) && local.equals(prior.get("local_tunnel_ip")) {
        return;
    }
    let remote = match (
        cidr.as_str().map(parse_cidr),
        local.as_str().map(str::parse::<Ipv4Addr>),
    ) {
        (Some(Ok(net)), Some(Ok(ip))) => usable_hosts(net)
            .into_iter()
            .find(|h| *h != ip)
            .map_or(Value::Unknown, |h| Value::string(h.to_string())),
        _ => Value::Unknown,
    };
    if let Some(slot) = planned.get_mut("remote_tunnel_ip") {
        *slot = remote;
    }
}

super::jd_resource! {
    VpnTunnel => api::VpnTunnel, planned_by plan_remote_tunnel_ip;

    fn expand(&self, plan: &State) -> api::VpnTunnelSpec {
        api::VpnTunnelSpec {
            vpn_connection_id: plan.vpn_connection_id.clone().unwrap_or_default(),
            cloud_public_ip: plan.cloud_public_ip.clone().unwrap_or_default(),
            customer_ip: plan.customer_ip.clone().unwrap_or_default(),
            settings: expand_settings(&State::default(), plan),
        }
    }

    /// One tunnel per pair of addresses on a connection.
    fn identity(&self, spec: &api::VpnTunnelSpec) -> Identity<api::VpnTunnel> {
        let (conn, cloud_ip, customer_ip) = (
            spec.vpn_connection_id.clone(),
            spec.cloud_public_ip.clone(),
            spec.customer_ip.clone(),
        );
        Identity::unique_key(
            format!("addresses {cloud_ip} and {customer_ip} on {conn}"),
            move |o: &api::VpnTunnel| {
                o.vpn_connection_id == conn
                    && o.cloud_public_ip == cloud_ip
                    && o.customer_ip == customer_ip
            },
        )
    }

    fn expand_modify(&self, prior: &State, plan: &State) -> api::TunnelSettings {
        expand_settings(prior, plan)
    }

    fn flatten(&self, t: &api::VpnTunnel, at: &Locator, known: &State) -> State {
        let mut state = flatten(t, at, known.psk.clone());
        // With `psk_wo` the key JD Cloud reads back in clear must not reach
        // the state (docs/design/jdcloud.md §8.6); the version says which
        // mode a state is in, since its `psk_wo` is always null.
        if known.psk_wo_version.is_some() {
            state.psk = None;
        }
        state.psk_wo_version = known.psk_wo_version;
        state
    }

    /// Tunnels start UP; a tunnel planned DOWN is switched off right away.
    async fn after_create(&self, on: &On<'_>, plan: &State) -> Result<(), Diagnostics> {
        match AdminStatus::from_state(plan.admin_status.as_deref()) {
            AdminStatus::Up => Ok(()),
            AdminStatus::Down => set_admin_status(on, AdminStatus::Down).await,
        }
    }

    async fn after_update(
        &self,
        on: &On<'_>,
        prior: &State,
        plan: &State,
    ) -> Result<(), Diagnostics> {
        if prior.admin_status == plan.admin_status {
            return Ok(());
        }
        set_admin_status(on, AdminStatus::from_state(plan.admin_status.as_deref())).await
    }

    /// JD Cloud deletes only DOWN tunnels.
    async fn before_delete(&self, on: &On<'_>) -> Result<(), ApiError> {
        let at = on.at;
        on.client
            .modify_admin_status(&at.region, at.id(), AdminStatus::Down)
            .await
    }
}

async fn set_admin_status(on: &On<'_>, status: AdminStatus) -> Result<(), Diagnostics> {
    let at = on.at;
    on.client
        .modify_admin_status(&at.region, at.id(), status)
        .await
        .map_err(|e| api_error_id("setting admin status of", WHAT, at.id(), &e))
}

/// The settings that differ between `prior` and `plan`: everything for a
/// create (prior empty), only changes for a modify.
fn expand_settings(prior: &State, plan: &State) -> api::TunnelSettings {
    fn diff<T: Clone + PartialEq>(a: &Option<T>, b: &Option<T>) -> Option<T> {
        if a == b {
            None
        } else {
            b.clone()
        }
    }
    api::TunnelSettings {
        psk: write_only_psk(prior, plan).or_else(|| diff(&prior.psk, &plan.psk)),
        tunnel_ip: diff(&prior.tunnel_ip, &plan.tunnel_ip),
        local_tunnel_ip: diff(&prior.local_tunnel_ip, &plan.local_tunnel_ip),
        ike_version: diff(&prior.ike_version, &plan.ike_version),
        ike_mode: diff(&prior.ike_mode, &plan.ike_mode),
        ike_key_exchange: diff(&prior.ike_key_exchange, &plan.ike_key_exchange),
        ike_cipher: diff(&prior.ike_cipher, &plan.ike_cipher),
        ike_auth: diff(&prior.ike_auth, &plan.ike_auth),
        ike_dpd_sec: diff(&prior.ike_dpd_sec, &plan.ike_dpd_sec),
        ike_sa_life_sec: diff(&prior.ike_sa_life_sec, &plan.ike_sa_life_sec),
        ipsec_cipher: diff(&prior.ipsec_cipher, &plan.ipsec_cipher),
        ipsec_auth: diff(&prior.ipsec_auth, &plan.ipsec_auth),
        ipsec_key_exchange: diff(&prior.ipsec_key_exchange, &plan.ipsec_key_exchange),
        ipsec_sa_life_sec: diff(&prior.ipsec_sa_life_sec, &plan.ipsec_sa_life_sec),
        ipsec_sa_lifepkt: diff(&prior.ipsec_sa_lifepkt, &plan.ipsec_sa_lifepkt),
        ipsec_sa_lifebyte: diff(&prior.ipsec_sa_lifebyte, &plan.ipsec_sa_lifebyte),
        bandwidth_mbps: diff(&prior.bandwidth_mbps, &plan.bandwidth_mbps),
    }
}

/// The write-only key, when it must be sent: on create and when
/// `psk_wo_version` changes (prior and planned `psk_wo` are always null, so
/// the version is the only sign of a new key).
fn write_only_psk(prior: &State, plan: &State) -> Option<Sensitive<String>> {
    plan.psk_wo
        .clone()
        .filter(|_| prior.psk_wo_version != plan.psk_wo_version || prior.id.is_none())
}

/// INFERRED: JD Cloud returns the key in clear; if it masks it, keep ours
/// (docs/design/jdcloud.md §8.6).
fn read_psk(
    from_api: Option<Sensitive<String>>,
    ours: Option<Sensitive<String>>,
) -> Option<Sensitive<String>> {
    match from_api {
        Some(p) if !p.as_str().is_empty() && !p.as_str().contains('*') => Some(p),
        _ => ours,
    }
}

fn flatten(t: &api::VpnTunnel, at: &Locator, psk: Option<Sensitive<String>>) -> State {
    State {
        id: Some(t.vpn_tunnel_id.clone()),
        region: Some(at.region.clone()),
        vpn_connection_id: Some(t.vpn_connection_id.clone()),
        cloud_public_ip: Some(t.cloud_public_ip.clone()),
        customer_ip: Some(t.customer_ip.clone()),
        psk: read_psk(t.psk.clone(), psk),
        psk_wo: None,
        psk_wo_version: None,
        tunnel_ip: non_empty(t.tunnel_ip.clone()),
        local_tunnel_ip: non_empty(t.local_tunnel_ip.clone()),
        remote_tunnel_ip: non_empty(t.remote_tunnel_ip.clone()),
        ike_version: non_empty(t.ike_version.clone()),
        ike_mode: non_empty(t.ike_mode.clone()),
        ike_key_exchange: non_empty(t.ike_key_exchange.clone()),
        ike_cipher: non_empty(t.ike_cipher.clone()),
        ike_auth: non_empty(t.ike_auth.clone()),
        ike_dpd_sec: t.ike_dpd_sec,
        ike_sa_life_sec: t.ike_sa_life_sec,
        ipsec_cipher: non_empty(t.ipsec_cipher.clone()),
        ipsec_auth: non_empty(t.ipsec_auth.clone()),
        ipsec_key_exchange: non_empty(t.ipsec_key_exchange.clone()).or_else(|| Some("null".into())),
        ipsec_sa_life_sec: t.ipsec_sa_life_sec,
        ipsec_sa_lifepkt: t.ipsec_sa_lifepkt,
        ipsec_sa_lifebyte: t.ipsec_sa_lifebyte,
        bandwidth_mbps: t.bandwidth_mbps,
        admin_status: non_empty(t.admin_status.clone()),
        op_status: non_empty(t.op_status.clone()),
        created_time: non_empty(t.created_time.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::testing::validate_paths;
    use crate::resources::jdcloud::JdResource;

    #[test]
    fn exactly_one_key_and_the_version_with_the_write_only_one() {
        let s = schema();
        let v = |pairs: &[(&str, Value)]| validate_paths(&s, pairs);
        let key = || Value::string("Abc_123-x");
        assert_eq!(v(&[]), ["psk"]);
        assert!(v(&[("psk", key())]).is_empty());
        assert!(v(&[("psk_wo", key()), ("psk_wo_version", Value::int(1))]).is_empty());
        // An ephemeral key is unknown while validating: it counts as set.
        assert!(v(&[
            ("psk_wo", Value::Unknown),
            ("psk_wo_version", Value::int(1))
        ])
        .is_empty());
        assert_eq!(
            v(&[
                ("psk", key()),
                ("psk_wo", key()),
                ("psk_wo_version", Value::int(1))
            ]),
            ["psk_wo"]
        );
        assert_eq!(v(&[("psk_wo", key())]), ["psk_wo_version"]);
        assert_eq!(
            v(&[("psk", key()), ("psk_wo_version", Value::int(1))]),
            ["psk_wo_version"]
        );
        // psk_wo has psk's rules, and the messages never quote the key.
        for bad in ["0xdeadbeef", "has space", &"x".repeat(21)] {
            let config = [
                ("psk_wo", Value::string(bad)),
                ("psk_wo_version", Value::int(1)),
            ];
            assert_eq!(v(&config), ["psk_wo"], "{bad}");
            let errs = crate::framework::testing::errors(
                &s.block,
                &crate::framework::testing::object(&config),
            );
            assert!(errs.iter().all(|(_, d)| !d.contains(bad)), "{errs:?}");
        }
    }

    fn tunnel_state(version: Option<i64>, wo: Option<&str>, psk: Option<&str>) -> State {
        State {
            id: Some("vpnt-1".into()),
            psk: psk.map(Into::into),
            psk_wo: wo.map(Into::into),
            psk_wo_version: version,
            ..State::default()
        }
    }

    #[test]
    fn the_write_only_key_is_sent_on_create_and_when_its_version_changes() {
        let sent = |prior: &State, plan: &State| {
            expand_settings(prior, plan)
                .psk
                .map(|p| p.as_str().to_string())
        };
        let plan = tunnel_state(Some(1), Some("Wo_Key_1"), None);
        assert_eq!(sent(&State::default(), &plan).as_deref(), Some("Wo_Key_1"));
        // Same version: the configured key is not sent again (it may be a fresh
        // ephemeral key every run).
        let prior = tunnel_state(Some(1), None, None);
        assert_eq!(sent(&prior, &plan), None);
        let bumped = tunnel_state(Some(2), Some("Wo_Key_2"), None);
        assert_eq!(sent(&prior, &bumped).as_deref(), Some("Wo_Key_2"));
        // From psk to psk_wo: the version appears, the key is sent.
        let from_psk = tunnel_state(None, None, Some("Old_Key"));
        assert_eq!(sent(&from_psk, &plan).as_deref(), Some("Wo_Key_1"));
        // Back to psk.
        let to_psk = tunnel_state(None, None, Some("New_Key"));
        assert_eq!(sent(&prior, &to_psk).as_deref(), Some("New_Key"));
    }

    #[test]
    fn the_key_read_back_stays_out_of_a_write_only_state() {
        let object: api::VpnTunnel = serde_json::from_value(
            serde_json::json!({"vpnTunnelId": "vpnt-1", "psk": "Cloud_Key"}),
        )
        .unwrap();
        let at = Locator::new("cn-north-1", ["vpnt-1"]);
        let wo = VpnTunnel.flatten(&object, &at, &tunnel_state(Some(3), None, None));
        assert_eq!((wo.psk.is_none(), wo.psk_wo.is_none()), (true, true));
        assert_eq!(wo.psk_wo_version, Some(3));
        // With psk, and on import (nothing known), the key is read for drift detection.
        let with_psk = VpnTunnel.flatten(&object, &at, &tunnel_state(None, None, Some("Old")));
        assert_eq!(with_psk.psk.as_ref().map(|p| p.as_str()), Some("Cloud_Key"));
        let imported = VpnTunnel.flatten(&object, &at, &State::default());
        assert_eq!(imported.psk.as_ref().map(|p| p.as_str()), Some("Cloud_Key"));
    }

    #[test]
    fn remote_inside_address_is_planned_from_the_cidr() {
        let mut planned = Value::Object(
            [
                ("tunnel_ip".to_string(), Value::string("169.254.21.0/30")),
                ("local_tunnel_ip".to_string(), Value::string("169.254.21.2")),
                ("remote_tunnel_ip".to_string(), Value::Unknown),
            ]
            .into(),
        );
        plan_remote_tunnel_ip(
            &Value::Null,
            &mut planned,
            &Value::Null,
            &mut Diagnostics::new(),
        );
        assert_eq!(
            planned.get("remote_tunnel_ip"),
            &Value::string("169.254.21.1")
        );
    }

    #[test]
    fn debug_never_shows_the_psk() {
        let s = State {
            psk: Some("TopSecret_1".into()),
            ..State::default()
        };
        assert!(!format!("{s:?}").contains("TopSecret"));
    }
}
