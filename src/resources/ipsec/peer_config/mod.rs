//! `hybridnet_peer_config`: the configuration of the data-centre end of a
//! cloud VPN connection's tunnels, for a device to load. The connection is
//! read from the cloud (so connections made elsewhere work too), turned
//! into the device's view ([`model`]) and rendered for one platform, one
//! file per platform. The rendered text holds the pre-shared keys, so it is
//! sensitive; `tunnels` repeats the addresses without them.

pub mod cisco_ios_xe;
pub mod frr;
pub mod huawei_vrp;
mod lines;
pub mod model;
pub mod strongswan;

#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value as Json};

use crate::clients::ProviderData;
use crate::cloud::alicloud as ali;
use crate::cloud::jdcloud::{self as jd, ops};
use crate::cloud::{regions, ApiError};
use crate::framework::lifecycle::Connect;
use crate::framework::timeouts::{mins, BLOCK as TIMEOUTS_BLOCK};
use crate::framework::validate::{int_between, one_of, ObjectRule};
use crate::framework::{AttrPath, Attribute, Ctx, Diagnostics, Schema, Timeouts, Type, Value};
use crate::resources::alicloud::customer_gateway::read_gateway;
use crate::resources::alicloud::ipsec_connection_cen::read_connection;
use crate::resources::common::{api_error, jd_find};
use crate::signer::Sensitive;

use model::{Knobs, PeerConfig, TunnelEnd};

pub const TYPE_NAME: &str = "hybridnet_peer_config";

/// Only `read` applies to a data source.
const READ_TIMEOUT: Timeouts = Timeouts::all(mins(5));

/// The platforms, in the order the docs list them.
pub const PLATFORMS: &[&str] = &["strongswan", "frr", "cisco_ios_xe", "huawei_vrp"];

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct State {
    pub jdcloud_vpn_connection_id: Option<String>,
    pub alicloud_vpn_connection_id: Option<String>,
    pub region: Option<String>,
    pub platform: Option<String>,
    /// `device_asn`, `psk` and `first_tunnel_number`.
    #[serde(flatten)]
    pub knobs: Knobs,
    pub config: Option<Sensitive<String>>,
    /// Per tunnel an object of [`TUNNEL_OUT`]'s attributes.
    pub tunnels: Option<Vec<Map<String, Json>>>,
}

/// The attributes of an element of `tunnels` (the addresses, without
/// secrets): name, type and value for a tunnel.
#[rustfmt::skip]
#[allow(clippy::type_complexity)]
const TUNNEL_OUT: [(&str, Type, fn(&TunnelEnd) -> Json); 10] = [
    ("number", Type::Number, |t| json!(t.number)),
    ("cloud_tunnel_id", Type::String, |t| json!(t.cloud_tunnel_id)),
    ("cloud_public_ip", Type::String, |t| json!(t.peer_ip)),
    ("device_ip", Type::String, |t| json!(t.device_ip)),
    ("inside_cidr", Type::String, |t| json!(t.inside.map(|i| i.cidr.to_string()))),
    ("cloud_inside_ip", Type::String, |t| json!(t.inside.map(|i| i.cloud.to_string()))),
    ("device_inside_ip", Type::String, |t| json!(t.inside.map(|i| i.device.to_string()))),
    ("bgp_peer_ip", Type::String, |t| json!(t.bgp.and(t.inside).map(|i| i.cloud.to_string()))),
    ("cloud_asn", Type::Number, |t| json!(t.bgp.map(|b| b.cloud_asn))),
    ("device_asn", Type::Number, |t| json!(t.bgp.map(|b| b.device_asn))),
];

fn tunnel_type() -> Type {
    Type::Object(
        TUNNEL_OUT
            .iter()
            .map(|(k, t, _)| (k.to_string(), t.clone()))
            .collect(),
    )
}

pub fn schema() -> Schema {
    let mut s = Schema::new(
        "The configuration of the data-centre end of a cloud VPN connection, for a device to load: every \
         tunnel of a JD Cloud VPN connection or both tunnels of an Alibaba Cloud IPsec connection, read from \
         the cloud (so connections made outside this configuration work too), rendered for strongSwan \
         (`swanctl.conf`, route-based with XFRM interfaces), FRR (the BGP neighbours over the tunnels), Cisco \
         IOS XE or Huawei VRP. The device's addresses and identities are the cloud's remote ones and the \
         other way round; algorithm names are translated for the device. `config` holds the pre-shared keys \
         and is sensitive.",
    )
    .attribute(
        Attribute::string("jdcloud_vpn_connection_id")
            .optional()
            .description("A JD Cloud VPN connection: its tunnels are rendered. Exactly one of this and `alicloud_vpn_connection_id`."),
    )
    .attribute(
        Attribute::string("alicloud_vpn_connection_id")
            .optional()
            .description("An Alibaba Cloud IPsec connection (`vco-…`): both its tunnels are rendered."),
    )
    .attribute(
        Attribute::string("region")
            .optional()
            .computed()
            .description("Region of the connection; defaults to the provider's region for that cloud."),
    )
    .attribute(
        Attribute::string("platform")
            .required()
            .description("What to render: `strongswan` (swanctl.conf), `frr` (bgpd neighbours), `cisco_ios_xe` or `huawei_vrp`.")
            .validator(one_of(PLATFORMS)),
    )
    .attribute(
        Attribute::int("device_asn")
            .optional()
            .description("The device's BGP ASN, when BGP is on and the cloud's customer gateway has none (or to override it).")
            .validator(int_between(1, 4_294_967_295)),
    )
    .attribute(
        Attribute::string("psk")
            .optional()
            .sensitive()
            .description("Pre-shared key for tunnels whose key the cloud does not return in clear (both clouds return it today).")
            .validator(crate::framework::validate::length_between(1, 128)),
    )
    .attribute(
        Attribute::int("first_tunnel_number")
            .default(Value::int(1))
            .description("Number of the first tunnel: the device's connection names, `Tunnel<n>` interfaces and XFRM `if_id`s count up from it, so they can avoid ones the device already has.")
            .validator(int_between(0, 9999)),
    )
    .attribute(
        Attribute::string("config")
            .computed()
            .sensitive()
            .description("The rendered configuration, with the pre-shared keys."),
    )
    .attribute(
        Attribute::new("tunnels", Type::list(tunnel_type()))
            .computed()
            .description("Per tunnel, in the rendered order: `number`, `cloud_tunnel_id`, `cloud_public_ip`, `device_ip`, the inside /30 (`inside_cidr`, `cloud_inside_ip`, `device_inside_ip`), and with BGP `bgp_peer_ip` (the cloud's inside address), `cloud_asn` and `device_asn`."),
    )
    .validator(ObjectRule {
        description: "exactly one connection id, and a region of that connection's cloud",
        check: check_source,
    })
    .timeouts(READ_TIMEOUT);
    // A data source only reads: keep `read` alone in its timeouts block.
    if let Some(b) = s.block.blocks.iter_mut().find(|b| b.name == TIMEOUTS_BLOCK) {
        b.block.attributes.retain(|a| a.name == "read");
    }
    s
}

fn check_source(config: &Value, path: &AttrPath, diags: &mut Diagnostics) {
    let jd_id = config.get("jdcloud_vpn_connection_id");
    let ali_id = config.get("alicloud_vpn_connection_id");
    if matches!(jd_id, Value::Unknown) || matches!(ali_id, Value::Unknown) {
        return;
    }
    let region = config.get("region").as_str();
    match (jd_id.as_str(), ali_id.as_str()) {
        (Some(_), Some(_)) | (None, None) => diags.add_attr_error(
            &path.child("jdcloud_vpn_connection_id"),
            "Exactly one connection",
            "Set exactly one of jdcloud_vpn_connection_id and alicloud_vpn_connection_id.",
        ),
        (Some(_), None) => {
            if let Some(r) = region.filter(|r| !regions::is_jdcloud(r)) {
                bad_region(diags, path, r, "JD Cloud", regions::JDCLOUD);
            }
        }
        (None, Some(id)) => {
            if !id.starts_with("vco-") {
                diags.add_attr_error(
                    &path.child("alicloud_vpn_connection_id"),
                    "Invalid attribute value",
                    format!("alicloud_vpn_connection_id must be an IPsec connection id (`vco-…`), not {id:?}."),
                );
            }
            if let Some(r) = region.filter(|r| !regions::is_alicloud(r)) {
                bad_region(diags, path, r, "Alibaba Cloud", regions::ALICLOUD);
            }
        }
    }
}

fn bad_region(diags: &mut Diagnostics, path: &AttrPath, r: &str, cloud: &str, list: &[&str]) {
    diags.add_attr_error(
        &path.child("region"),
        "Invalid attribute value",
        format!(
            "region must be a {cloud} region ID, one of {}; got {r:?}.",
            list.join(", ")
        ),
    );
}

/// The docs' section on what is swapped and what each platform gets.
pub fn notes() -> String {
    "## The device's view\n\n\
     What the cloud calls local is the device's remote: the device's address is the cloud's customer-side \
     address (JD Cloud `customer_ip`, the Alibaba customer gateway's `ip_address`) and its peer the cloud's \
     public address; the device's own IKE identity is the cloud's remote identity (Alibaba `remote_id`) and it \
     expects the cloud's local identity (`local_id`), both the addresses unless set; the device's inside \
     address is the other host of the tunnel's /30 (JD `remote_tunnel_ip`, Alibaba `PeerBgpIp`) and its BGP \
     neighbour the cloud's (JD `local_tunnel_ip`, Alibaba `bgp_local_ip`). Algorithms are translated through \
     the table of `hybridnet_ipsec_profile` (Alibaba's `group14` is strongSwan's `modp2048` and Cisco's \
     `group 14`).\n\n\
     ## Platforms\n\n\
     | `platform` | What it renders | Checked by |\n|---|---|---|\n\
     | `strongswan` | `swanctl.conf`: a connection per tunnel with XFRM interfaces (`if_id_in`/`if_id_out`; the commands creating them are in its comments), proposals, lifetimes, DPD, identities and a secret per tunnel | the tests load it into strongSwan's `charon` |\n\
     | `frr` | `frr.conf`: `router bgp <device ASN>` with a neighbour per tunnel on the cloud's inside address; only comments when BGP is off | the tests run `vtysh --dryrun` on it |\n\
     | `cisco_ios_xe` | IKEv2 proposal, policy, keyring and profile (IKEv1: ISAKMP policy, keyring and profile), transform set, IPsec profile, `interface Tunnel<n>` in `tunnel mode ipsec ipv4`, BGP | golden files only |\n\
     | `huawei_vrp` | IKE proposal, IKE peer, IPsec proposal and profile, `interface Tunnel0/0/<n>` with `tunnel-protocol ipsec`, BGP | golden files only |\n\n\
     The Cisco and Huawei renderings follow those vendors' configuration guides and have not been loaded on a \
     device; review them before use.\n"
        .to_string()
}

/// The text for `platform`.
pub fn render(platform: &str, cfg: &PeerConfig) -> Result<String, Diagnostics> {
    Ok(match platform {
        "strongswan" => strongswan::render(cfg),
        "frr" => frr::render(cfg),
        "cisco_ios_xe" => cisco_ios_xe::render(cfg),
        "huawei_vrp" => huawei_vrp::render(cfg),
        other => {
            return Err(Diagnostics::error(
                "Unknown platform",
                format!("platform {other:?} is not one of {}", PLATFORMS.join(", ")),
            ))
        }
    })
}

pub fn tunnels_out(cfg: &PeerConfig) -> Vec<Map<String, Json>> {
    let out = |t| {
        TUNNEL_OUT
            .iter()
            .map(|(k, _, v)| (k.to_string(), v(t)))
            .collect()
    };
    cfg.tunnels.iter().map(out).collect()
}

fn not_found(what: &str, id: &str, region: &str, e: &ApiError) -> Diagnostics {
    if e.is_not_found() {
        Diagnostics::error(
            format!("{what} not found"),
            format!("{what} {id} does not exist in region {region}."),
        )
    } else {
        api_error("reading", &format!("{what} {id}"), e)
    }
}

fn model_error(e: model::ModelError) -> Diagnostics {
    Diagnostics::error("Cannot render the peer configuration", e.to_string())
}

/// What a read needs besides the connection's id.
struct Read<'a> {
    ctx: &'a Ctx<ProviderData>,
    region: Option<&'a str>,
    knobs: &'a Knobs,
}

impl Read<'_> {
    /// The cloud's client and the region to look in: the configured one, else
    /// the provider's for that cloud.
    fn connect<C: Connect<ProviderData>>(&self) -> Result<(C, String), Diagnostics> {
        let client = C::connect(&self.ctx.data, self.ctx.deadline)?;
        let region = self.region.unwrap_or(client.default_region()).to_string();
        Ok((client, region))
    }
}

/// Reads a JD Cloud VPN connection, its customer gateway and tunnels, as the
/// resources refresh: through the coalesced reads, so that in a plan what
/// the resources just read costs nothing more (docs/design/refresh.md).
async fn read_jdcloud(r: &Read<'_>, id: &str) -> Result<(String, PeerConfig), Diagnostics> {
    let (client, region) = r.connect::<jd::Client>()?;
    const WHAT: &str = "JD Cloud VPN connection";
    let conn: jd::types::VpnConnection = jd_find(&client, &ops::VPN_CONNECTION, &region, &[id])
        .await
        .map_err(|e| not_found(WHAT, id, &region, &e))?;
    let cgw: Option<jd::types::CustomerGateway> =
        if conn.bgp_enabled && r.knobs.device_asn.is_none() {
            let gw = &conn.cgw_id;
            Some(
                jd_find(&client, &ops::CUSTOMER_GATEWAY, &region, &[gw])
                    .await
                    .map_err(|e| not_found("JD Cloud customer gateway", gw, &region, &e))?,
            )
        } else {
            None
        };
    // The whole list (the client lists without filters, docs/design/jdcloud.md
    // §2.2); the model keeps this connection's tunnels.
    let tunnels: Vec<jd::types::VpnTunnel> = client
        .list_every(&ops::VPN_TUNNEL, &region, &[])
        .await
        .map_err(|e| api_error("listing", "JD Cloud VPN tunnels", &e))?;
    let cfg = model::from_jdcloud(&conn, cgw.as_ref(), &tunnels, r.knobs).map_err(model_error)?;
    Ok((region, cfg))
}

/// Reads an Alibaba Cloud IPsec connection and its tunnels' customer
/// gateways, through the coalesced reads as [`read_jdcloud`] does.
async fn read_alicloud(r: &Read<'_>, id: &str) -> Result<(String, PeerConfig), Diagnostics> {
    let (client, region) = r.connect::<ali::Client>()?;
    let conn = read_connection(&client, &region, id)
        .await
        .map_err(|e| not_found("Alibaba Cloud IPsec connection", id, &region, &e))?;
    let mut gateway_ids: Vec<String> = conn
        .tunnels()
        .iter()
        .filter_map(|t| t.customer_gateway_id.clone())
        .filter(|g| !g.is_empty())
        .collect();
    gateway_ids.sort();
    gateway_ids.dedup();
    let mut gateways = Vec::with_capacity(gateway_ids.len());
    for g in &gateway_ids {
        let gw = read_gateway(&client, &region, g)
            .await
            .map_err(|e| not_found("Alibaba Cloud customer gateway", g, &region, &e))?;
        gateways.push(gw);
    }
    let cfg = model::from_alicloud(&conn, &gateways, r.knobs).map_err(model_error)?;
    Ok((region, cfg))
}

declare!(PeerConfigSource: DataSource {
    async fn read(&self, ctx: &Ctx<ProviderData>, config: State) -> Result<State, Diagnostics> {
        let r = Read {
            ctx,
            region: config.region.as_deref(),
            knobs: &config.knobs,
        };
        let (region, cfg) =
            match (
                config.jdcloud_vpn_connection_id.as_deref(),
                config.alicloud_vpn_connection_id.as_deref(),
            ) {
                (Some(id), None) => read_jdcloud(&r, id).await?,
                (None, Some(id)) => read_alicloud(&r, id).await?,
                _ => return Err(Diagnostics::error(
                    "Exactly one connection",
                    "Set exactly one of jdcloud_vpn_connection_id and alicloud_vpn_connection_id.",
                )),
            };
        let text = render(config.platform.as_deref().unwrap_or_default(), &cfg)?;
        Ok(State {
            region: Some(region),
            config: Some(Sensitive::new(text)),
            tunnels: Some(tunnels_out(&cfg)),
            ..config
        })
    }
});
