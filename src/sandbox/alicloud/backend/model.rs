//! The Alibaba Cloud objects the sandbox keeps (PascalCase like the API; `ClientToken`, state
//! timestamps and phases are bookkeeping the answers leave out), their store kinds, and the
//! rules every resource shares: tags and `ClientToken` idempotency.

use serde::{Deserialize, Serialize};

use crate::signer::Sensitive;

use crate::sandbox::alicloud::error::{codes, AliError};
use crate::sandbox::store::Kind;

/// Cloud name in the store and in `/_sandbox/state`.
pub(crate) const CLOUD: &str = "alicloud";

pub(crate) const CUSTOMER_GATEWAYS: Kind = Kind::new(CLOUD, "customer_gateways", "cgw");
pub(crate) const VPN_CONNECTIONS: Kind = Kind::new(CLOUD, "vpn_connections", "vco");
/// Tunnel ids (`tun-…`, INFERRED prefix, docs/design/alicloud.md §10.10); tunnels are stored
/// inside their connection.
pub(crate) const TUNNEL_IDS: Kind = Kind::new(CLOUD, "tunnels", "tun");
pub(crate) const TR_ATTACHMENTS: Kind =
    Kind::new(CLOUD, "transit_router_vpn_attachments", "tr-attach");
pub(crate) const ASSOCIATIONS: Kind = Kind::new(CLOUD, "route_table_associations", "rta");
pub(crate) const PROPAGATIONS: Kind = Kind::new(CLOUD, "route_table_propagations", "rtp");
pub(crate) const VCO_ROUTES: Kind = Kind::new(CLOUD, "vco_route_entries", "vcor");

/// How long a `ClientToken` makes a create idempotent: 24 h, the window Alibaba documents for
/// other products' tokens (INFERRED, docs/design/alicloud.md §10.8).
pub(crate) const CLIENT_TOKEN_WINDOW_MS: i64 = 24 * 60 * 60 * 1000;

/// Account id the sandbox acts as (`VpnOwnerId`); INFERRED shape, 16 digits
/// (docs/design/alicloud.md §10.9).
pub(crate) const ACCOUNT_ID: i64 = 1_000_000_000_000_001;

/// Resource group of objects created without `ResourceGroupId`; INFERRED id
/// (docs/design/alicloud.md §10.9).
pub(crate) const DEFAULT_RESOURCE_GROUP: &str = "rg-sandboxdefault";

/// Alibaba's own ASN: refused as a customer gateway ASN, default `LocalAsn` of a tunnel.
pub(crate) const ALIBABA_ASN: i64 = 45104;

/// A user tag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Tag {
    pub key: String,
    pub value: String,
}

impl Tag {
    pub(crate) fn from_pairs(pairs: Vec<(String, String)>) -> Vec<Tag> {
        pairs
            .into_iter()
            .map(|(key, value)| Tag { key, value })
            .collect()
    }
}

/// The `ClientToken` a resource was created with, and what was asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ClientToken {
    pub token: String,
    /// A digest of the creating call's parameters (the handler's `Params::fingerprint`).
    pub fingerprint: String,
}

/// A kind kept in the store under its own id, in its region (so that adding, saving and
/// removing one is written once, in [`Db`](super::db::Db)).
pub(crate) trait Stored: Serialize {
    const KIND: Kind;
    fn id(&self) -> &str;
    fn region(&self) -> &str;
}

/// `stored!(Type: KIND, id_field; …)`.
macro_rules! stored {
    ($($type:ty: $kind:expr, $id:ident);+ $(;)?) => {
        $(impl Stored for $type {
            const KIND: Kind = $kind;
            fn id(&self) -> &str {
                &self.$id
            }
            fn region(&self) -> &str {
                &self.region_id
            }
        })+
    };
}

stored!(
    CustomerGateway: CUSTOMER_GATEWAYS, customer_gateway_id;
    VpnConnection: VPN_CONNECTIONS, vpn_connection_id;
    TrVpnAttachment: TR_ATTACHMENTS, transit_router_attachment_id;
);

/// A stored object a retried create may answer: the `ClientToken` it was created with, and when
/// (epoch ms).
pub(crate) trait Replayable: Clone {
    fn created_with(&self) -> (Option<&ClientToken>, i64);
}

/// `replayable!(Type: time_field, …)`: the kinds created with a `ClientToken`.
macro_rules! replayable {
    ($($type:ty: $created:ident),+ $(,)?) => {
        $(impl Replayable for $type {
            fn created_with(&self) -> (Option<&ClientToken>, i64) {
                (self.client_token.as_ref(), self.$created)
            }
        })+
    };
}

replayable!(
    CustomerGateway: create_time,
    VpnConnection: create_time,
    TrVpnAttachment: creation_time,
    VcoRoute: create_time,
);

/// Idempotent creates: among `existing`, the resource created with the same token less than
/// 24 h ago. Same parameters → that resource (the call is answered with it, nothing new is
/// made); different parameters → 400 `IdempotentParameterMismatch`.
pub(crate) fn replay<T: Replayable>(
    existing: &[T],
    token: Option<&ClientToken>,
    now_ms: i64,
) -> Result<Option<T>, AliError> {
    let Some(token) = token else {
        return Ok(None);
    };
    for item in existing {
        let (theirs, created_ms) = item.created_with();
        let Some(theirs) = theirs else { continue };
        if theirs.token != token.token || now_ms - created_ms >= CLIENT_TOKEN_WINDOW_MS {
            continue;
        }
        if theirs.fingerprint == token.fingerprint {
            return Ok(Some(item.clone()));
        }
        return Err(AliError::bad(
            codes::IDEMPOTENT_MISMATCH,
            format!(
                "ClientToken {:?} was already used within 24 hours with different parameters.",
                token.token
            ),
        ));
    }
    Ok(None)
}

/// `DryRun=true`: validation passed, nothing is done (docs/design/alicloud.md §2.4).
pub(crate) fn dry_run_check(dry_run: bool) -> Result<(), AliError> {
    if dry_run {
        Err(AliError::dry_run())
    } else {
        Ok(())
    }
}

/// A customer gateway (Vpc, docs/design/alicloud.md §3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct CustomerGateway {
    pub customer_gateway_id: String,
    pub region_id: String,
    pub ip_address: String,
    /// Absent when none was given (BGP then cannot be used with this gateway).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asn: Option<i64>,
    /// BGP MD5 key, returned in plaintext by DescribeCustomerGateway.
    pub auth_key: Sensitive<String>,
    pub name: String,
    pub description: String,
    /// Epoch milliseconds.
    pub create_time: i64,
    pub resource_group_id: String,
    pub tags: Vec<Tag>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_token: Option<ClientToken>,
}

/// `State` values of a connection (docs/design/alicloud.md §4.3).
pub(crate) mod state {
    pub const INIT: &str = "init";
    pub const ATTACHING: &str = "attaching";
    pub const ATTACHED: &str = "attached";
    pub const DETACHING: &str = "detaching";
    pub const UPDATING: &str = "updating";
}

/// `AttachType` values.
pub(crate) const NOT_ASSOCIATED: &str = "NO_ASSOCIATED";
pub(crate) const ATTACHED_TO_CEN: &str = "CEN";

/// A dual-tunnel IPsec connection not on a VPN gateway (docs/design/alicloud.md §4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct VpnConnection {
    pub vpn_connection_id: String,
    pub region_id: String,
    pub name: String,
    /// Epoch milliseconds.
    pub create_time: i64,
    pub network_type: String,
    pub local_subnet: String,
    pub remote_subnet: String,
    pub effect_immediately: bool,
    pub auto_config_route: bool,
    pub enable_tunnels_bgp: bool,
    pub tunnel_bandwidth: String,
    pub resource_group_id: String,
    pub tags: Vec<Tag>,
    pub state: String,
    /// When `state` was entered (epoch ms): pending states end `provisioning_ms` later.
    pub state_since: i64,
    pub attach_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transit_router_id: Option<String>,
    /// The CEN instance of the transit router.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attach_instance_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transit_router_attachment_id: Option<String>,
    /// Tunnel index 1, then 2.
    pub tunnels: Vec<Tunnel>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_token: Option<ClientToken>,
}

impl VpnConnection {
    /// Whether no change is in progress (`init` or `attached`).
    pub(crate) fn is_idle(&self) -> bool {
        self.state == state::INIT || self.state == state::ATTACHED
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Tunnel {
    pub tunnel_id: String,
    pub tunnel_index: u8,
    pub customer_gateway_id: String,
    pub role: String,
    pub zone_no: String,
    /// Alibaba-side address; allocated when the connection is bound to a transit router.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub internet_ip: Option<String>,
    pub enable_dpd: bool,
    pub enable_nat_traversal: bool,
    pub bgp: TunnelBgp,
    pub ike: TunnelIke,
    pub ipsec: TunnelIpsec,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct TunnelBgp {
    pub local_asn: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local_bgp_ip: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tunnel_cidr: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct TunnelIke {
    /// Plaintext: DescribeVpnConnection returns it.
    pub psk: Sensitive<String>,
    pub ike_version: String,
    pub ike_mode: String,
    pub ike_enc_alg: String,
    pub ike_auth_alg: String,
    pub ike_pfs: String,
    pub ike_lifetime: i64,
    /// Default: the tunnel's address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local_id: Option<String>,
    /// Default: the customer gateway's address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct TunnelIpsec {
    pub ipsec_enc_alg: String,
    pub ipsec_auth_alg: String,
    pub ipsec_pfs: String,
    pub ipsec_lifetime: i64,
}

/// `Status` values of a transit-router attachment (docs/design/alicloud.md §5.2).
pub(crate) mod status {
    pub const ATTACHING: &str = "Attaching";
    pub const ATTACHED: &str = "Attached";
    pub const DETACHING: &str = "Detaching";
}

/// A connection's binding to a transit router (Cbn, docs/design/alicloud.md §5.1–§5.4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct TrVpnAttachment {
    pub transit_router_attachment_id: String,
    pub region_id: String,
    pub status: String,
    /// When `status` was entered (epoch ms).
    pub status_since: i64,
    pub vpn_id: String,
    pub vpn_owner_id: i64,
    pub vpn_region_id: String,
    pub transit_router_id: String,
    pub cen_id: String,
    pub transit_router_attachment_name: String,
    pub transit_router_attachment_description: String,
    pub auto_publish_route_enabled: bool,
    pub charge_type: String,
    pub order_type: String,
    /// Epoch milliseconds.
    pub creation_time: i64,
    pub zones: Vec<String>,
    pub tags: Vec<Tag>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_token: Option<ClientToken>,
}

/// Status of a link that is in place.
pub(crate) const LINK_ACTIVE: &str = "Active";

/// One association or propagation of an attachment with a route table (its kind says which).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Link {
    pub transit_router_attachment_id: String,
    pub transit_router_route_table_id: String,
    pub transit_router_id: String,
    /// The connection (`vco-…`).
    pub resource_id: String,
    pub resource_type: String,
    pub status: String,
    /// When `status` was entered (epoch ms).
    pub status_since: i64,
    /// `Associate…` / `Enable…` carry one; a retry with the same token succeeds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_token: Option<String>,
    /// `associations` or `propagations` (the store kind), to find the row again.
    pub kind: String,
}

impl Link {
    pub(crate) fn is_pending(&self) -> bool {
        self.status != LINK_ACTIVE
    }

    /// Its store kind and id.
    pub(crate) fn key(&self) -> (Kind, String) {
        let kind = if self.kind == PROPAGATIONS.name {
            PROPAGATIONS
        } else {
            ASSOCIATIONS
        };
        (
            kind,
            link_id(
                kind,
                &self.transit_router_attachment_id,
                &self.transit_router_route_table_id,
            ),
        )
    }
}

/// What differs between associations and propagations.
pub(crate) struct LinkType {
    pub kind: Kind,
    /// Status while being created / removed.
    pub creating: &'static str,
    pub removing: &'static str,
    pub not_found: &'static str,
    /// Error code when the link (or, for associations, any association) already exists.
    pub already: &'static str,
    /// An attachment may have only one link of this type (associations).
    pub one_per_attachment: bool,
}

pub(crate) const ASSOCIATION: LinkType = LinkType {
    kind: ASSOCIATIONS,
    creating: "Associating",
    removing: "Dissociating",
    not_found: codes::ASSOCIATION_NOT_FOUND,
    already: codes::ALREADY_ASSOCIATED,
    one_per_attachment: true,
};

pub(crate) const PROPAGATION: LinkType = LinkType {
    kind: PROPAGATIONS,
    creating: "Enabling",
    removing: "Disabling",
    not_found: codes::PROPAGATION_NOT_FOUND,
    already: codes::ALREADY_PROPAGATING,
    one_per_attachment: false,
};

/// Store id of a link: one per (kind, attachment, route table).
pub(crate) fn link_id(kind: Kind, attachment: &str, table: &str) -> String {
    format!("{}:{attachment}:{table}", kind.id_prefix)
}

/// Where a destination route is in its asynchronous life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Phase {
    /// Accepted; listed once the connection's update ends.
    Creating,
    Active,
    /// Still listed until the connection's update ends.
    Deleting,
}

/// A destination route of a connection (docs/design/alicloud-vco-routes.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct VcoRoute {
    pub vpn_connection_id: String,
    pub region_id: String,
    pub route_dest: String,
    pub next_hop: String,
    pub weight: i64,
    pub overlay_mode: String,
    pub description: String,
    /// Epoch milliseconds.
    pub create_time: i64,
    pub phase: Phase,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_token: Option<ClientToken>,
}

impl VcoRoute {
    /// Store id: a connection has one route per destination.
    pub(crate) fn key(&self) -> String {
        vco_route_id(&self.vpn_connection_id, &self.route_dest)
    }

    /// Whether DescribeVcoRouteEntries lists it (and the transit router has it).
    pub(crate) fn listed(&self) -> bool {
        self.phase != Phase::Creating
    }
}

/// Store id of connection `vco`'s route to `dest`.
pub(crate) fn vco_route_id(vco: &str, dest: &str) -> String {
    format!("{}:{vco}:{dest}", VCO_ROUTES.id_prefix)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Something made with a token at a time.
    #[derive(Debug, Clone)]
    struct Made(Option<ClientToken>, i64, &'static str);

    impl Replayable for Made {
        fn created_with(&self) -> (Option<&ClientToken>, i64) {
            (self.0.as_ref(), self.1)
        }
    }

    #[test]
    fn replay_rules() {
        let token = |fingerprint: &str| ClientToken {
            token: "t".to_owned(),
            fingerprint: fingerprint.to_owned(),
        };
        let mine = token("a");
        let items = vec![Made(Some(mine.clone()), 1_000i64, "x")];
        assert_eq!(replay(&items, Some(&mine), 2_000).unwrap().unwrap().2, "x");
        let other = token("b");
        assert_eq!(
            replay(&items, Some(&other), 2_000).unwrap_err().code,
            "IdempotentParameterMismatch"
        );
        // After 24 h the token is free again.
        let later = 1_000 + CLIENT_TOKEN_WINDOW_MS;
        assert!(replay(&items, Some(&other), later).unwrap().is_none());
        assert!(replay(&items, None, 2_000).unwrap().is_none());
    }

    #[test]
    fn store_ids() {
        assert_eq!(
            vco_route_id("vco-1", "10.0.0.0/16"),
            "vcor:vco-1:10.0.0.0/16"
        );
        assert_eq!(link_id(ASSOCIATIONS, "a", "t"), "rta:a:t");
    }
}
