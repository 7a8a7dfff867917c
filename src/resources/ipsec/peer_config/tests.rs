//! Golden files per platform, model building from each cloud's answers, and
//! the real daemons' own checks of the rendered text (strongSwan's charon
//! loading the `swanctl.conf`, FRR's `vtysh --dryrun`).

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;

use super::model::{self, Inside, Knobs, PeerConfig, Suite, TunnelBgp, TunnelEnd};
use super::*;
use crate::resources::ipsec::algorithms::{Cloud, DH_GROUP, ENCRYPTION, INTEGRITY};

/// A key with the characters shells and config parsers trip on.
const AWKWARD_PSK: &str = "it's`a\"k\\ey";

fn alg(
    f: crate::resources::ipsec::algorithms::Family,
    n: &str,
) -> &'static crate::resources::ipsec::algorithms::Algorithm {
    f.neutral(n).unwrap()
}

/// Two tunnels with BGP: IKEv2, AES-256/SHA-256/group 14 in both phases.
fn bgp_model() -> PeerConfig {
    let suite = Suite {
        encryption: alg(ENCRYPTION, "aes256"),
        integrity: alg(INTEGRITY, "sha256"),
        group: Some(alg(DH_GROUP, "modp2048")),
    };
    let tunnel = |n: i64, device: &str, peer: &str, cidr: &str, d: &str, c: &str| TunnelEnd {
        number: n,
        cloud_tunnel_id: format!("vpnt-golden{n}"),
        device_ip: device.into(),
        peer_ip: peer.into(),
        local_id: device.into(),
        remote_id: peer.into(),
        psk: Sensitive::new(format!("{AWKWARD_PSK}{n}")),
        ike_version: 2,
        aggressive: false,
        ike: suite,
        ike_lifetime: Some(28800),
        esp: suite,
        esp_lifetime: Some(3600),
        dpd_delay: Some(10),
        inside: Some(Inside {
            cidr: cidr.parse().unwrap(),
            device: d.parse().unwrap(),
            cloud: c.parse().unwrap(),
        }),
        bgp: Some(TunnelBgp {
            device_asn: 65010,
            cloud_asn: 65000,
        }),
    };
    PeerConfig {
        cloud: Cloud::JdCloud,
        connection_id: "vpnc-golden".into(),
        bgp: true,
        tunnels: vec![
            tunnel(
                1,
                "203.0.113.10",
                "198.51.100.1",
                "169.254.1.0/30",
                "169.254.1.1",
                "169.254.1.2",
            ),
            tunnel(
                2,
                "203.0.113.11",
                "198.51.100.2",
                "169.254.1.4/30",
                "169.254.1.5",
                "169.254.1.6",
            ),
        ],
    }
}

/// Two static tunnels: IKEv1, no PFS, DPD off, names as identities, the
/// second without inside addresses.
fn static_model() -> PeerConfig {
    let ike = Suite {
        encryption: alg(ENCRYPTION, "aes128"),
        integrity: alg(INTEGRITY, "sha1"),
        group: Some(alg(DH_GROUP, "modp1024")),
    };
    let esp = Suite { group: None, ..ike };
    let tunnel = |n: i64, device: &str, peer: &str| TunnelEnd {
        number: n,
        cloud_tunnel_id: format!("tun-golden{n}"),
        device_ip: device.into(),
        peer_ip: peer.into(),
        local_id: "dc.example.com".into(),
        remote_id: format!("cloud{n}.example.com"),
        psk: Sensitive::new(format!("{AWKWARD_PSK}{n}")),
        ike_version: 1,
        aggressive: n == 2,
        ike,
        ike_lifetime: Some(86400),
        esp,
        esp_lifetime: Some(86400),
        dpd_delay: None,
        inside: (n == 1).then(|| Inside {
            cidr: "169.254.10.0/30".parse().unwrap(),
            device: "169.254.10.2".parse().unwrap(),
            cloud: "169.254.10.1".parse().unwrap(),
        }),
        bgp: None,
    };
    PeerConfig {
        cloud: Cloud::AliCloud,
        connection_id: "vco-golden".into(),
        bgp: false,
        tunnels: vec![
            tunnel(1, "203.0.113.20", "198.51.100.21"),
            tunnel(2, "203.0.113.20", "198.51.100.22"),
        ],
    }
}

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/peer_config")
        .join(format!("{name}.txt"))
}

/// Compares with the golden file; `HYBRIDNET_BLESS=1` rewrites it.
fn golden(name: &str, text: &str) {
    let path = fixture(name);
    if std::env::var("HYBRIDNET_BLESS").as_deref() == Ok("1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (HYBRIDNET_BLESS=1 writes it)", path.display()));
    assert!(
        want == text,
        "{name} differs from {} (HYBRIDNET_BLESS=1 rewrites it):\n{text}",
        path.display()
    );
}

#[test]
fn every_platform_matches_its_golden_files() {
    for platform in PLATFORMS {
        let bgp = render(platform, &bgp_model()).unwrap();
        golden(platform, &bgp);
        golden(
            &format!("{platform}_static"),
            &render(platform, &static_model()).unwrap(),
        );
        // Rendering is deterministic.
        assert_eq!(bgp, render(platform, &bgp_model()).unwrap());
    }
}

#[test]
fn the_renders_carry_each_platforms_words_for_the_same_proposal() {
    let m = bgp_model();
    let sw = render("strongswan", &m).unwrap();
    assert!(sw.contains("proposals = aes256-sha256-modp2048"), "{sw}");
    assert!(sw.contains("if_id_in = 2"), "{sw}");
    assert!(sw.contains(r#"secret = "it's`a\"k\\ey1""#), "{sw}");
    let words: [(&str, &[&str]); 2] = [
        (
            "cisco_ios_xe",
            &[
                "encryption aes-cbc-256",
                "group 14",
                "esp-aes 256 esp-sha256-hmac",
                "set pfs group14",
                "tunnel mode ipsec ipv4",
                "neighbor 169.254.1.6 remote-as 65000",
            ],
        ),
        (
            "huawei_vrp",
            &[
                "encryption-algorithm aes-256",
                "dh group14",
                "pfs dh-group14",
                "interface Tunnel0/0/2",
                "tunnel-protocol ipsec",
                "peer 169.254.1.2 as-number 65000",
            ],
        ),
    ];
    for (platform, words) in words {
        let text = render(platform, &m).unwrap();
        for w in words {
            assert!(text.contains(w), "{platform}: {w}:\n{text}");
        }
    }
    let frr = render("frr", &m).unwrap();
    assert!(frr.contains("router bgp 65010\n"), "{frr}");
    assert!(
        frr.contains(" neighbor 169.254.1.2 remote-as 65000\n"),
        "{frr}"
    );
    assert!(!frr.contains("ebgp-multihop"));
    // Static: no neighbours anywhere, and IKEv1 words on Cisco.
    let s = static_model();
    assert!(!render("frr", &s).unwrap().contains("neighbor"));
    let cisco = render("cisco_ios_xe", &s).unwrap();
    assert!(
        cisco.contains("crypto isakmp policy 10\n encryption aes 128\n hash sha\n"),
        "{cisco}"
    );
    assert!(!cisco.contains("set pfs"), "{cisco}");
    assert!(!render("strongswan", &s)
        .unwrap()
        .contains("esp_proposals = aes128-sha1-"));
}

// --- model building from the clouds' answers -------------------------------

/// The cloud's tunnel ids, in the model's order.
fn ids(m: &PeerConfig) -> Vec<&str> {
    m.tunnels
        .iter()
        .map(|t| t.cloud_tunnel_id.as_str())
        .collect()
}

/// The device's address, its peer's, its own identity and the one it expects.
fn addresses(t: &TunnelEnd) -> [&str; 4] {
    [&t.device_ip, &t.peer_ip, &t.local_id, &t.remote_id].map(String::as_str)
}

fn jd_conn(bgp: bool) -> jd::types::VpnConnection {
    serde_json::from_value(json!({
        "vpnConnectionId": "vpnc-1", "bgwId": "bgw-1", "cgwId": "cgw-1", "bgpEnabled": bgp,
        "localAsn": 64600, "cloudPublicIp": ["116.196.0.2", "116.196.0.1"]
    }))
    .unwrap()
}

fn jd_tunnel(
    id: &str,
    cloud_ip: &str,
    customer_ip: &str,
    extra: serde_json::Value,
) -> jd::types::VpnTunnel {
    let mut v = json!({
        "vpnTunnelId": id, "vpnConnectionId": "vpnc-1", "cloudPublicIp": cloud_ip,
        "customerIp": customer_ip, "psk": "Key_1", "localId": cloud_ip, "remoteId": customer_ip,
        "tunnelIp": "169.254.1.0/30", "localTunnelIp": "169.254.1.2", "remoteTunnelIp": "169.254.1.1",
        "ikeVersion": "v2", "ikeMode": "main", "ikeKeyExchange": "modp2048", "ikeCipher": "aes256",
        "ikeAuth": "sha256", "ikeDpdSec": 10, "ikeSaLifeSec": 28800, "ipsecCipher": "aes128",
        "ipsecAuth": "sha1", "ipsecKeyExchange": "null", "ipsecSaLifeSec": 3600
    });
    for (k, x) in extra.as_object().unwrap() {
        v[k] = x.clone();
    }
    serde_json::from_value(v).unwrap()
}

/// The connection's tunnel on its first cloud IP, changed by `extra`.
fn jd_tunnel_a(extra: serde_json::Value) -> jd::types::VpnTunnel {
    jd_tunnel("vpnt-a", "116.196.0.2", "203.0.113.10", extra)
}

fn jd_cgw() -> jd::types::CustomerGateway {
    serde_json::from_value(
        json!({"customerGatewayId": "cgw-1", "customerIps": ["203.0.113.10"], "bgpAsn": 65010}),
    )
    .unwrap()
}

#[test]
fn a_jd_connection_becomes_the_devices_view_through_the_table() {
    let tunnels = [
        jd_tunnel(
            "vpnt-b",
            "116.196.0.1",
            "203.0.113.10",
            json!({"tunnelIp": "169.254.1.4/30", "localTunnelIp": "169.254.1.5", "remoteTunnelIp": ""}),
        ),
        jd_tunnel_a(json!({})),
        jd_tunnel(
            "vpnt-other",
            "116.196.0.9",
            "203.0.113.10",
            json!({"vpnConnectionId": "vpnc-2"}),
        ),
    ];
    let knobs = Knobs {
        first_tunnel_number: Some(1),
        ..Knobs::default()
    };
    let m = model::from_jdcloud(&jd_conn(true), Some(&jd_cgw()), &tunnels, &knobs).unwrap();
    // Only this connection's tunnels, in the connection's cloud-IP order.
    assert_eq!(ids(&m), ["vpnt-a", "vpnt-b"]);
    let t = &m.tunnels[0];
    assert_eq!(
        addresses(t),
        ["203.0.113.10", "116.196.0.2", "203.0.113.10", "116.196.0.2"]
    );
    assert_eq!(t.ike.group.unwrap().neutral, "modp2048");
    assert_eq!(t.ike.encryption.neutral, "aes256");
    assert_eq!(t.esp.encryption.neutral, "aes128");
    assert!(t.esp.group.is_none(), "JD's \"null\" is no PFS");
    assert_eq!(t.dpd_delay, Some(10));
    assert_eq!(t.psk.as_str(), "Key_1");
    // The cloud's local inside address is the device's remote.
    let i = t.inside.unwrap();
    assert_eq!(
        (i.device.to_string(), i.cloud.to_string()),
        ("169.254.1.1".into(), "169.254.1.2".into())
    );
    // A missing host is the /30's other one.
    let i = m.tunnels[1].inside.unwrap();
    assert_eq!(i.device.to_string(), "169.254.1.6");
    assert_eq!(
        t.bgp,
        Some(TunnelBgp {
            device_asn: 65010,
            cloud_asn: 64600
        })
    );
    assert_eq!(m.tunnels[1].number, 2);
    // Without BGP there are no ASNs and no customer gateway is needed.
    let m = model::from_jdcloud(&jd_conn(false), None, &tunnels, &knobs).unwrap();
    assert!(m.tunnels.iter().all(|t| t.bgp.is_none()));
    // BGP on with no ASN known: the error says which knob to set.
    let e = model::from_jdcloud(&jd_conn(true), None, &tunnels, &knobs).unwrap_err();
    assert!(e.to_string().contains("device_asn"), "{e}");
    // A masked key needs `psk`, and the error never holds a key.
    let masked = [jd_tunnel_a(json!({"psk": "******"}))];
    let e = model::from_jdcloud(&jd_conn(false), None, &masked, &knobs).unwrap_err();
    assert!(e.to_string().contains("set `psk`"), "{e}");
    let with = Knobs {
        psk: Some("Mine_1".into()),
        ..knobs.clone()
    };
    let m = model::from_jdcloud(&jd_conn(false), None, &masked, &with).unwrap();
    assert_eq!(m.tunnels[0].psk.as_str(), "Mine_1");
    // A value the table lacks is named, not guessed.
    let odd = [jd_tunnel_a(json!({"ikeCipher": "sm4"}))];
    let e = model::from_jdcloud(&jd_conn(false), None, &odd, &knobs).unwrap_err();
    assert!(e.to_string().contains("ikeCipher \"sm4\""), "{e}");
}

fn ali_conn(
    bgp: bool,
    ike: serde_json::Value,
    ipsec: serde_json::Value,
) -> ali::types::VpnConnection {
    let tunnel = |i: i64, cgw: &str, ip: &str, cidr: &str, local: &str| {
        json!({
            "TunnelId": format!("tun-{i}"), "TunnelIndex": i.to_string(), "CustomerGatewayId": cgw,
            "InternetIp": ip, "EnableDpd": "true", "EnableNatTraversal": "true",
            "TunnelBgpConfig": {"LocalAsn": "45104", "TunnelCidr": cidr, "LocalBgpIp": local},
            "TunnelIkeConfig": ike.clone(), "TunnelIpsecConfig": ipsec.clone()
        })
    };
    serde_json::from_value(json!({
        "VpnConnectionId": "vco-1", "EnableTunnelsBgp": bgp.to_string(),
        "TunnelOptionsSpecification": {"TunnelOptions": [
            tunnel(2, "cgw-b", "47.0.0.2", "169.254.11.0/30", "169.254.11.1"),
            tunnel(1, "cgw-a", "47.0.0.1", "169.254.10.0/30", "169.254.10.1"),
        ]}
    }))
    .unwrap()
}

fn ali_gateways() -> Vec<ali::types::CustomerGateway> {
    serde_json::from_value(json!([
        {"CustomerGatewayId": "cgw-a", "IpAddress": "203.0.113.20", "Asn": 65020},
        {"CustomerGatewayId": "cgw-b", "IpAddress": "203.0.113.21", "Asn": "65021"}
    ]))
    .unwrap()
}

#[test]
fn an_alibaba_connection_swaps_identities_and_translates_group_numbers() {
    let ike = json!({"Psk": "it's`k", "IkeVersion": "ikev1", "IkeMode": "aggressive", "IkeEncAlg": "aes",
                     "IkeAuthAlg": "sha1", "IkePfs": "group14", "IkeLifetime": "86400",
                     "LocalId": "cloud.example.com", "RemoteId": "dc.example.com"});
    let ipsec = json!({"IpsecEncAlg": "aes256", "IpsecAuthAlg": "sha256", "IpsecPfs": "disabled", "IpsecLifetime": "0"});
    let knobs = Knobs {
        first_tunnel_number: Some(5),
        ..Knobs::default()
    };
    let m = model::from_alicloud(&ali_conn(true, ike, ipsec), &ali_gateways(), &knobs).unwrap();
    assert_eq!(ids(&m), ["tun-1", "tun-2"], "TunnelIndex order");
    let t = &m.tunnels[0];
    assert_eq!(t.number, 5);
    // The cloud's RemoteId is the device's own identity.
    assert_eq!(
        addresses(t),
        [
            "203.0.113.20",
            "47.0.0.1",
            "dc.example.com",
            "cloud.example.com"
        ]
    );
    assert_eq!((t.ike_version, t.aggressive), (1, true));
    assert_eq!(t.ike.encryption.neutral, "aes128", "Alibaba's `aes`");
    assert_eq!(
        t.ike.group.unwrap().neutral,
        "modp2048",
        "Alibaba's `group14`"
    );
    assert!(t.esp.group.is_none(), "`disabled` is no PFS");
    assert_eq!(t.esp_lifetime, None, "0 leaves the device's default");
    assert_eq!(t.psk.as_str(), "it's`k");
    let i = t.inside.unwrap();
    assert_eq!(
        (i.cloud.to_string(), i.device.to_string()),
        ("169.254.10.1".into(), "169.254.10.2".into())
    );
    assert_eq!(
        t.bgp,
        Some(TunnelBgp {
            device_asn: 65020,
            cloud_asn: 45104
        })
    );
    assert_eq!(
        m.tunnels[1].bgp.unwrap().device_asn,
        65021,
        "each tunnel's own gateway"
    );
    // Identities default to the addresses.
    let m = model::from_alicloud(
        &ali_conn(false, json!({"Psk": "k"}), json!({})),
        &ali_gateways(),
        &knobs,
    )
    .unwrap();
    let t = &m.tunnels[0];
    assert_eq!(addresses(t)[2..], ["203.0.113.20", "47.0.0.1"]);
    // Alibaba's defaults: aes/sha1/group2 in both phases, IKEv2.
    assert_eq!(t.ike_version, 2);
    assert_eq!(t.esp.group.unwrap().neutral, "modp1024");
    assert!(t.bgp.is_none());
    // The device ASN knob overrides the gateway's.
    let k = Knobs {
        device_asn: Some(64999),
        ..knobs
    };
    let m = model::from_alicloud(
        &ali_conn(true, json!({"Psk": "k"}), json!({})),
        &ali_gateways(),
        &k,
    )
    .unwrap();
    assert_eq!(m.tunnels[0].bgp.unwrap().device_asn, 64999);
}

#[test]
fn an_unbound_alibaba_connection_says_it_has_no_address_yet() {
    let mut c = ali_conn(false, json!({"Psk": "k"}), json!({}));
    if let Some(spec) = c.tunnel_options_specification.as_mut() {
        spec.tunnel_options[0].internet_ip = None;
    }
    let e = model::from_alicloud(&c, &ali_gateways(), &Knobs::default()).unwrap_err();
    assert!(e.to_string().contains("bound to a transit router"), "{e}");
}

#[test]
fn the_schema_is_valid_and_refuses_two_or_no_connections() {
    let s = schema();
    s.block.internal_validate(TYPE_NAME).unwrap();
    let timeouts = s
        .block
        .blocks
        .iter()
        .find(|b| b.name == "timeouts")
        .unwrap();
    let names: Vec<_> = timeouts
        .block
        .attributes
        .iter()
        .map(|a| a.name.as_str())
        .collect();
    assert_eq!(names, ["read"]);
    assert!(s.attr("config").unwrap().sensitive);
    assert!(s.attr("psk").unwrap().sensitive);
    assert!(!s.attr("tunnels").unwrap().sensitive);
    let cfg = |pairs: &[(&str, Value)]| {
        let mut v = crate::framework::schema::conform(&s.block, &Value::Object(Default::default()));
        *v.get_mut("platform").unwrap() = Value::string("frr");
        for (k, x) in pairs {
            *v.get_mut(k).unwrap() = x.clone();
        }
        let mut d = Diagnostics::new();
        s.block.validate(&v, &AttrPath::root(), &mut d);
        d.iter().map(|d| d.detail.clone()).collect::<Vec<_>>()
    };
    assert!(cfg(&[])[0].contains("exactly one"));
    assert!(cfg(&[
        ("jdcloud_vpn_connection_id", Value::string("vpnc-1")),
        ("alicloud_vpn_connection_id", Value::string("vco-1")),
    ])[0]
        .contains("exactly one"));
    assert!(cfg(&[("jdcloud_vpn_connection_id", Value::string("vpnc-1"))]).is_empty());
    assert!(cfg(&[("alicloud_vpn_connection_id", Value::string("vpn-1"))])[0].contains("vco-"));
    let e = cfg(&[
        ("jdcloud_vpn_connection_id", Value::string("vpnc-1")),
        ("region", Value::string("cn-hangzhou")),
    ]);
    assert!(e[0].contains("JD Cloud region"), "{e:?}");
    assert!(cfg(&[("jdcloud_vpn_connection_id", Value::Unknown)]).is_empty());
}

// --- the daemons' own checks -------------------------------------------------

/// Whether a check needing root and a tool may run: skipped loudly when
/// not, except in CI, where it fails.
fn may_run(what: &str, tools: &[&str]) -> bool {
    let missing: Vec<&str> = tools
        .iter()
        .copied()
        .filter(|t| !std::path::Path::new(t).exists())
        .collect();
    let root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false);
    let why = if !missing.is_empty() {
        format!("{} not installed", missing.join(", "))
    } else if !root {
        "not root".to_string()
    } else {
        return true;
    };
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("{what} cannot run in CI: {why}");
    }
    eprintln!("\n*** SKIPPED {what}: {why} ***\n");
    false
}

const CHARON: &str = "/usr/lib/ipsec/charon";
const SWANCTL: &str = "/usr/sbin/swanctl";

/// A charon in a network namespace of its own, with its own /run (for its
/// pid file), strongswan.conf and VICI socket. Killed (by pid) and its
/// namespace removed on drop.
struct Charon {
    netns: String,
    dir: tempfile::TempDir,
    child: Child,
}

impl Charon {
    fn start() -> Charon {
        let dir = tempfile::tempdir().unwrap();
        let netns = format!("hn-peer-{}", std::process::id());
        let socket = dir.path().join("charon.vici");
        let conf = dir.path().join("strongswan.conf");
        std::fs::write(
            &conf,
            format!(
                "charon {{\n  load_modular = yes\n  install_routes = no\n  plugins {{\n    include /etc/strongswan.d/charon/*.conf\n    \
                 vici {{\n      socket = unix://{}\n    }}\n    bypass-lan {{\n      load = no\n    }}\n  }}\n  \
                 filelog {{\n    log {{\n      path = {}\n      default = 1\n    }}\n  }}\n}}\n",
                socket.display(),
                dir.path().join("charon.log").display()
            ),
        )
        .unwrap();
        let _ = Command::new("ip")
            .args(["netns", "del", &netns])
            .stderr(Stdio::null())
            .status();
        let ok = Command::new("ip")
            .args(["netns", "add", &netns])
            .status()
            .unwrap();
        assert!(ok.success(), "ip netns add {netns}");
        // `ip netns exec`, `unshare` and `sh` all exec: the child is charon.
        let child = Command::new("ip")
            .args(["netns", "exec", &netns, "unshare", "-m", "sh", "-c"])
            .arg(format!("mount -t tmpfs tmpfs /run && exec {CHARON}"))
            .env("STRONGSWAN_CONF", &conf)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let c = Charon { netns, dir, child };
        let start = Instant::now();
        while !socket.exists() {
            assert!(
                start.elapsed() < Duration::from_secs(15),
                "charon did not open {}: {}",
                socket.display(),
                c.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        c
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("charon.log")).unwrap_or_default()
    }

    /// `swanctl --load-all --file <conf>`: (success, output).
    fn load_all(&self, swanctl_conf: &str) -> (bool, String) {
        let file = self.dir.path().join("swanctl.conf");
        std::fs::write(&file, swanctl_conf).unwrap();
        let out = Command::new(SWANCTL)
            .args(["--load-all", "--file"])
            .arg(&file)
            .arg("--uri")
            .arg(format!(
                "unix://{}",
                self.dir.path().join("charon.vici").display()
            ))
            .env("STRONGSWAN_CONF", self.dir.path().join("strongswan.conf"))
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.success(), text)
    }
}

impl Drop for Charon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = Command::new("ip")
            .args(["netns", "del", &self.netns])
            .status();
    }
}

#[test]
fn charon_loads_every_rendered_connection_and_secret() {
    if !may_run("the strongSwan load check", &[CHARON, SWANCTL]) {
        return;
    }
    let charon = Charon::start();
    for m in [bgp_model(), static_model()] {
        let text = render("strongswan", &m).unwrap();
        let (ok, out) = charon.load_all(&text);
        assert!(ok, "swanctl refused it:\n{out}\n{text}");
        for t in &m.tunnels {
            let name = strongswan::conn_name(t);
            assert!(
                out.contains(&format!("loaded connection '{name}'")),
                "{out}"
            );
            assert!(
                out.contains(&format!("loaded ike secret 'ike-{name}'")),
                "{out}"
            );
        }
        assert!(
            out.contains(&format!(
                "successfully loaded {} connections",
                m.tunnels.len()
            )),
            "{out}"
        );
    }
    // The check can fail: a proposal charon does not know is refused.
    let bad = render("strongswan", &bgp_model()).unwrap().replace(
        "proposals = aes256-sha256-modp2048",
        "proposals = aes256-sha256-nogroup",
    );
    let (ok, out) = charon.load_all(&bad);
    assert!(!ok && out.contains("invalid value for: proposals"), "{out}");
}

const VTYSH: &str = "/usr/bin/vtysh";

#[test]
fn frrs_own_parser_accepts_the_frr_output() {
    if !may_run("the FRR dry run", &[VTYSH]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let check = |text: &str| {
        let f = dir.path().join("frr.conf");
        std::fs::write(&f, text).unwrap();
        let out = Command::new(VTYSH)
            .arg("--dryrun")
            .arg("-f")
            .arg(&f)
            .output()
            .unwrap();
        (
            out.status.success(),
            format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
        )
    };
    for m in [bgp_model(), static_model()] {
        let text = render("frr", &m).unwrap();
        let (ok, out) = check(&text);
        assert!(ok, "vtysh --dryrun refused it:\n{out}\n{text}");
    }
    // The check can fail.
    let (ok, _) = check("router bgp 65010\n neighbour 169.254.1.2 remote-as 65000\n");
    assert!(!ok);
}

/// A connection with no tunnels yet (a first apply, an import after an interrupted one) renders a
/// file that says so on every platform, instead of failing the plan.
#[test]
fn a_connection_without_tunnels_renders_a_file_that_says_so() {
    let m = model::from_jdcloud(&jd_conn(true), Some(&jd_cgw()), &[], &Knobs::default()).unwrap();
    assert!(m.tunnels.is_empty());
    for platform in PLATFORMS {
        let text = render(platform, &m).unwrap();
        assert!(text.contains("0 tunnels"), "{platform}:\n{text}");
        assert!(text.contains("no tunnels yet"), "{platform}:\n{text}");
        assert!(
            !text.contains("Holds pre-shared keys"),
            "{platform}:\n{text}"
        );
    }
}
