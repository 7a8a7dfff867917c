//! The tests' own view of one cloud end of an IPsec tunnel, built from the sandbox's state
//! (`GET /_sandbox/state`) through a small mapping table, and rendered as a swanctl.conf
//! connection for [`super::ike::IkeLab`] (docs/design/ike-tests.md).
//!
//! Deliberately independent of the provider: nothing here calls the provider's code or its
//! renderers, so a wrong translation in the provider cannot be copied into the check of it. The
//! tables below are what each cloud's API accepts (the sandbox's validation lists) and the
//! strongSwan keyword for the same algorithm.

use std::fmt;
use std::net::Ipv4Addr;

use anyhow::{anyhow, bail, Context, Result};
use serde_json::Value;

/// Which cloud an end is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Cloud {
    JdCloud,
    AliCloud,
}

/// A pre-shared key: only its length in `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct Psk(pub String);

impl fmt::Debug for Psk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Psk(** {} bytes **)", self.0.len())
    }
}

/// One cloud end of a tunnel, in strongSwan's terms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CloudEnd {
    pub cloud: Cloud,
    /// The connection the tunnel belongs to (JD `vpnConnectionId`, Alibaba `VpnConnectionId`):
    /// ends of one connection sit in the same namespace.
    pub connection: String,
    /// JD `vpnTunnelId`, Alibaba `TunnelId`.
    pub tunnel: String,
    /// 1 or 2.
    pub ike_version: u8,
    /// IKEv1 aggressive mode.
    pub aggressive: bool,
    /// strongSwan keywords, e.g. `aes256`, `sha256`, `modp2048`.
    pub ike_encryption: String,
    pub ike_integrity: String,
    pub ike_dh: String,
    pub ike_lifetime_secs: i64,
    pub esp_encryption: String,
    pub esp_integrity: String,
    /// The PFS group, `None` for no PFS.
    pub pfs: Option<String>,
    pub ipsec_lifetime_secs: i64,
    pub psk: Psk,
    /// The tunnel's public IP on this end, and the peer's.
    pub local_addr: Ipv4Addr,
    pub remote_addr: Ipv4Addr,
    pub local_id: String,
    pub remote_id: String,
    /// Traffic selectors (CIDRs); route-based tunnels use 0.0.0.0/0.
    pub local_ts: Vec<String>,
    pub remote_ts: Vec<String>,
}

// ---------------------------------------------------------------------------------------------
// The mapping table: each cloud's spelling → strongSwan's keyword
// ---------------------------------------------------------------------------------------------

/// JD Cloud `ikeCipher` / `ipsecCipher` (`ipsecCipher` has no `3des`).
const JD_CIPHERS: &[(&str, &str)] = &[
    ("aes128", "aes128"),
    ("aes192", "aes192"),
    ("aes256", "aes256"),
    ("3des", "3des"),
];
/// JD Cloud `ikeAuth` / `ipsecAuth`.
const JD_AUTHS: &[(&str, &str)] = &[("sha1", "sha1"), ("sha256", "sha256"), ("sha384", "sha384")];
/// JD Cloud `ikeKeyExchange` / `ipsecKeyExchange` (the latter also `null`: no PFS).
const JD_GROUPS: &[(&str, &str)] = &[
    ("modp1024", "modp1024"),
    ("modp1536", "modp1536"),
    ("modp2048", "modp2048"),
    ("ecp256", "ecp256"),
    ("ecp384", "ecp384"),
];
const JD_NO_PFS: &str = "null";

/// Alibaba `IkeEncAlg` / `IpsecEncAlg`: plain `aes` is AES-128 (INFERRED, docs/design/ike-tests.md
/// §4).
const ALI_CIPHERS: &[(&str, &str)] = &[
    ("aes", "aes128"),
    ("aes192", "aes192"),
    ("aes256", "aes256"),
    ("des", "des"),
    ("3des", "3des"),
];
/// Alibaba `IkeAuthAlg` / `IpsecAuthAlg`.
const ALI_AUTHS: &[(&str, &str)] = &[
    ("md5", "md5"),
    ("sha1", "sha1"),
    ("sha256", "sha256"),
    ("sha384", "sha384"),
    ("sha512", "sha512"),
];
/// Alibaba `IkePfs` / `IpsecPfs` (the latter also `disabled`): IKE group numbers (RFC 2409,
/// RFC 3526).
const ALI_GROUPS: &[(&str, &str)] = &[
    ("group1", "modp768"),
    ("group2", "modp1024"),
    ("group5", "modp1536"),
    ("group14", "modp2048"),
];
const ALI_NO_PFS: &str = "disabled";

fn lookup(table: &[(&str, &str)], what: &str, value: &str) -> Result<String> {
    table
        .iter()
        .find(|(cloud, _)| *cloud == value)
        .map(|(_, swan)| (*swan).to_owned())
        .ok_or_else(|| {
            let known: Vec<&str> = table.iter().map(|(c, _)| *c).collect();
            anyhow!("{what} {value:?} is not in the test's mapping table (knows {known:?})")
        })
}

// ---------------------------------------------------------------------------------------------
// From the sandbox state
// ---------------------------------------------------------------------------------------------

/// Every cloud end of every tunnel in the sandbox state: JD Cloud's `jdcloud.vpn_tunnels` and
/// each tunnel of Alibaba's `alicloud.vpn_connections`.
pub fn cloud_ends(state: &Value) -> Result<Vec<CloudEnd>> {
    let mut ends = Vec::new();
    for tunnel in array(&state["jdcloud"]["vpn_tunnels"]) {
        let id = tunnel["vpnTunnelId"].as_str().unwrap_or("?");
        ends.push(jd_end(tunnel).with_context(|| format!("JD Cloud tunnel {id}"))?);
    }
    let gateways = array(&state["alicloud"]["customer_gateways"]);
    for connection in array(&state["alicloud"]["vpn_connections"]) {
        let id = connection["VpnConnectionId"].as_str().unwrap_or("?");
        for tunnel in array(&connection["TunnelOptionsSpecification"]["TunnelOptions"]) {
            ends.push(
                ali_end(connection, tunnel, gateways)
                    .with_context(|| format!("Alibaba Cloud connection {id}"))?,
            );
        }
    }
    Ok(ends)
}

/// A JD Cloud `VpnTunnel` as the sandbox stores it (the API object, camelCase).
pub fn jd_end(t: &Value) -> Result<CloudEnd> {
    let ike_version = match text(t, "ikeVersion")? {
        "v1" => 1,
        "v2" => 2,
        other => bail!("ikeVersion {other:?} is not v1 or v2"),
    };
    let pfs = match text(t, "ipsecKeyExchange")? {
        JD_NO_PFS => None,
        group => Some(lookup(JD_GROUPS, "ipsecKeyExchange", group)?),
    };
    let local_addr = addr(t, "cloudPublicIp")?;
    let remote_addr = addr(t, "customerIp")?;
    Ok(CloudEnd {
        cloud: Cloud::JdCloud,
        connection: text(t, "vpnConnectionId")?.to_owned(),
        tunnel: text(t, "vpnTunnelId")?.to_owned(),
        ike_version,
        aggressive: text(t, "ikeMode")? == "aggressive",
        ike_encryption: lookup(JD_CIPHERS, "ikeCipher", text(t, "ikeCipher")?)?,
        ike_integrity: lookup(JD_AUTHS, "ikeAuth", text(t, "ikeAuth")?)?,
        ike_dh: lookup(JD_GROUPS, "ikeKeyExchange", text(t, "ikeKeyExchange")?)?,
        ike_lifetime_secs: int(t, "ikeSaLifeSec")?,
        esp_encryption: lookup(JD_CIPHERS, "ipsecCipher", text(t, "ipsecCipher")?)?,
        esp_integrity: lookup(JD_AUTHS, "ipsecAuth", text(t, "ipsecAuth")?)?,
        pfs,
        ipsec_lifetime_secs: int(t, "ipsecSaLifeSec")?,
        psk: Psk(text(t, "psk")?.to_owned()),
        local_addr,
        remote_addr,
        local_id: non_empty(t, "localId").unwrap_or_else(|| local_addr.to_string()),
        remote_id: non_empty(t, "remoteId").unwrap_or_else(|| remote_addr.to_string()),
        // JD Cloud tunnels are route-based: everything goes in, routes pick what.
        local_ts: vec!["0.0.0.0/0".to_owned()],
        remote_ts: vec!["0.0.0.0/0".to_owned()],
    })
}

/// One tunnel of an Alibaba `VpnConnection` as the sandbox returns it (DescribeVpnConnection's
/// shape: `TunnelOptionsSpecification.TunnelOptions[]`, numbers as strings); the peer's address
/// is its customer gateway's `IpAddress`.
pub fn ali_end(connection: &Value, t: &Value, gateways: &[Value]) -> Result<CloudEnd> {
    let ike = &t["TunnelIkeConfig"];
    let ipsec = &t["TunnelIpsecConfig"];
    let ike_version = match text(ike, "IkeVersion")? {
        "ikev1" => 1,
        "ikev2" => 2,
        other => bail!("IkeVersion {other:?} is not ikev1 or ikev2"),
    };
    let pfs = match text(ipsec, "IpsecPfs")? {
        ALI_NO_PFS => None,
        group => Some(lookup(ALI_GROUPS, "IpsecPfs", group)?),
    };
    let gateway_id = text(t, "CustomerGatewayId")?;
    let gateway = gateways
        .iter()
        .find(|g| g["CustomerGatewayId"] == gateway_id)
        .ok_or_else(|| anyhow!("customer gateway {gateway_id} is not in the state"))?;
    let local_addr = addr(t, "InternetIp")?;
    let remote_addr = addr(gateway, "IpAddress")?;
    let subnets = |key: &str| -> Result<Vec<String>> {
        Ok(text(connection, key)?
            .split(',')
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect())
    };
    Ok(CloudEnd {
        cloud: Cloud::AliCloud,
        connection: text(connection, "VpnConnectionId")?.to_owned(),
        tunnel: text(t, "TunnelId")?.to_owned(),
        ike_version,
        aggressive: text(ike, "IkeMode")? == "aggressive",
        ike_encryption: lookup(ALI_CIPHERS, "IkeEncAlg", text(ike, "IkeEncAlg")?)?,
        ike_integrity: lookup(ALI_AUTHS, "IkeAuthAlg", text(ike, "IkeAuthAlg")?)?,
        ike_dh: lookup(ALI_GROUPS, "IkePfs", text(ike, "IkePfs")?)?,
        ike_lifetime_secs: int(ike, "IkeLifetime")?,
        esp_encryption: lookup(ALI_CIPHERS, "IpsecEncAlg", text(ipsec, "IpsecEncAlg")?)?,
        esp_integrity: lookup(ALI_AUTHS, "IpsecAuthAlg", text(ipsec, "IpsecAuthAlg")?)?,
        pfs,
        ipsec_lifetime_secs: int(ipsec, "IpsecLifetime")?,
        psk: Psk(text(ike, "Psk")?.to_owned()),
        local_addr,
        remote_addr,
        local_id: non_empty(ike, "LocalId").unwrap_or_else(|| local_addr.to_string()),
        remote_id: non_empty(ike, "RemoteId").unwrap_or_else(|| remote_addr.to_string()),
        local_ts: subnets("LocalSubnet")?,
        remote_ts: subnets("RemoteSubnet")?,
    })
}

/// The two ends of each tunnel: `(a, b)` where `a.remote_addr == b.local_addr` and back, `a`
/// on the side of the first connection (JD Cloud before Alibaba, then by connection id), `b`
/// on the other; exactly two connections must take part. Fails on an end without its peer.
pub fn pair_up(ends: &[CloudEnd]) -> Result<Vec<(CloudEnd, CloudEnd)>> {
    let mut connections: Vec<(Cloud, &str)> = ends
        .iter()
        .map(|e| (e.cloud, e.connection.as_str()))
        .collect();
    connections.sort();
    connections.dedup();
    let [first, second] = connections.as_slice() else {
        bail!("expected the tunnels of exactly two connections, found {connections:?}");
    };
    let on = |end: &CloudEnd, c: &(Cloud, &str)| end.cloud == c.0 && end.connection == c.1;
    let mut pairs = Vec::new();
    for a in ends.iter().filter(|e| on(e, first)) {
        let b = ends
            .iter()
            .find(|b| {
                on(b, second) && b.local_addr == a.remote_addr && b.remote_addr == a.local_addr
            })
            .ok_or_else(|| {
                anyhow!(
                    "{:?} tunnel {} ({} → {}) has no peer end on connection {}",
                    a.cloud,
                    a.tunnel,
                    a.local_addr,
                    a.remote_addr,
                    second.1
                )
            })?;
        pairs.push((a.clone(), b.clone()));
    }
    let paired = pairs.len();
    let on_second = ends.iter().filter(|e| on(e, second)).count();
    if paired != on_second {
        bail!("{on_second} tunnels on {} but {paired} pairs", second.1);
    }
    pairs.sort_by_key(|(a, _)| a.local_addr);
    Ok(pairs)
}

// ---------------------------------------------------------------------------------------------
// To swanctl.conf
// ---------------------------------------------------------------------------------------------

impl CloudEnd {
    /// The IKE proposal, e.g. `aes256-sha256-modp2048` (the PRF follows the integrity).
    pub fn ike_proposal(&self) -> String {
        format!(
            "{}-{}-{}",
            self.ike_encryption, self.ike_integrity, self.ike_dh
        )
    }

    /// The ESP proposal, e.g. `aes256-sha256-modp2048`, or `aes256-sha256` without PFS.
    pub fn esp_proposal(&self) -> String {
        let mut p = format!("{}-{}", self.esp_encryption, self.esp_integrity);
        if let Some(group) = &self.pfs {
            p.push('-');
            p.push_str(group);
        }
        p
    }

    /// The `connections { name {…} }` entry and its `secrets` entry, as two blocks to put
    /// inside `connections {}` and `secrets {}`. The CHILD_SA has the same name. Lifetimes go
    /// into rekey times (IKEv2 does not negotiate them; IKEv1 would propose them).
    pub fn swanctl_blocks(&self, name: &str) -> (String, String) {
        let aggressive = if self.aggressive { "yes" } else { "no" };
        let connection = format!(
            r#"    {name} {{
        version = {version}
        aggressive = {aggressive}
        local_addrs = {local}
        remote_addrs = {remote}
        proposals = {ike}
        rekey_time = {ike_life}s
        mobike = no
        local {{
            auth = psk
            id = {local_id}
        }}
        remote {{
            auth = psk
            id = {remote_id}
        }}
        children {{
            {name} {{
                local_ts = {local_ts}
                remote_ts = {remote_ts}
                esp_proposals = {esp}
                rekey_time = {ipsec_life}s
                mode = tunnel
                start_action = none
            }}
        }}
    }}
"#,
            version = self.ike_version,
            local = self.local_addr,
            remote = self.remote_addr,
            ike = self.ike_proposal(),
            ike_life = self.ike_lifetime_secs,
            local_id = swanctl_string(&self.local_id),
            remote_id = swanctl_string(&self.remote_id),
            local_ts = self.local_ts.join(","),
            remote_ts = self.remote_ts.join(","),
            esp = self.esp_proposal(),
            ipsec_life = self.ipsec_lifetime_secs,
        );
        // Hex, so that no character of the key (quotes, backticks, `#`) needs escaping.
        let secret = format!(
            "    ike-{name} {{\n        id-local = {}\n        id-remote = {}\n        secret = 0x{}\n    }}\n",
            swanctl_string(&self.local_id),
            swanctl_string(&self.remote_id),
            hex::encode(self.psk.0.as_bytes())
        );
        (connection, secret)
    }
}

/// A whole swanctl.conf holding each `(name, end)`.
pub fn swanctl_conf(ends: &[(&str, &CloudEnd)]) -> String {
    let mut connections = String::new();
    let mut secrets = String::new();
    for (name, end) in ends {
        let (c, s) = end.swanctl_blocks(name);
        connections.push_str(&c);
        secrets.push_str(&s);
    }
    format!("# Written by the IKE tests from the sandbox state.\nconnections {{\n{connections}}}\n\nsecrets {{\n{secrets}}}\n")
}

/// An identity as a quoted swanctl string.
fn swanctl_string(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

// ---------------------------------------------------------------------------------------------
// JSON helpers
// ---------------------------------------------------------------------------------------------

fn array(v: &Value) -> &[Value] {
    v.as_array().map(Vec::as_slice).unwrap_or(&[])
}

fn text<'a>(v: &'a Value, key: &str) -> Result<&'a str> {
    v[key]
        .as_str()
        .ok_or_else(|| anyhow!("{key} is missing or not a string in {v}"))
}

fn non_empty(v: &Value, key: &str) -> Option<String> {
    v[key].as_str().filter(|s| !s.is_empty()).map(str::to_owned)
}

/// An integer given as a number (JD Cloud) or a string (Alibaba's tunnel options).
fn int(v: &Value, key: &str) -> Result<i64> {
    match &v[key] {
        Value::Number(n) => n.to_string().parse().ok(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
    .ok_or_else(|| anyhow!("{key} is missing or not an integer in {v}"))
}

fn addr(v: &Value, key: &str) -> Result<Ipv4Addr> {
    text(v, key)?
        .parse()
        .with_context(|| format!("{key} is not an IPv4 address"))
}
