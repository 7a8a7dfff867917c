//! A real IKE daemon proves that the two cloud ends of each tunnel negotiate: each example is
//! applied against the sandbox with the real Terraform CLI, both ends of every tunnel are built
//! from the sandbox's state through the tests' own mapping table (tests/common/cloud_end.rs, not
//! the provider's code), and strongSwan's charon negotiates them in two network namespaces
//! (tests/common/ike.rs). The write-only variant of the cross-cloud example runs on Terraform
//! 1.11 and later only (its keys come from ephemeral resources). How and why: docs/design/ike-tests.md.
//!
//! Each tunnel must reach an ESTABLISHED IKE SA with the algorithms the example sets, and the
//! responder must select the ESP proposal (with its PFS group). Then, against the same applied
//! state, one side's configuration is changed — its PSK, its IKE DH group, the identity it
//! expects, its PFS group — and the negotiation must fail; restored, it must succeed again, and
//! also with a PSK full of quotes, a backtick, `#` and a backslash on both sides.
//!
//! Needs root, `ip netns` and Debian's strongSwan (scripts/ensure-tools.sh installs it as root);
//! without them the tests fail in CI (`CI=true`) and are skipped elsewhere with a loud message.

mod common;

use std::path::Path;
use std::time::Instant;

use common::cloud_end::{self, CloudEnd, Psk};
use common::ike::{self, IkeLab, Negotiation, Side, NEGOTIATION_TIMEOUT};
use common::{terraform_bins, Sandbox, TfWorkdir};

/// An example and what its tunnels must negotiate, as its main.tf sets them.
struct Example {
    dir: &'static str,
    /// How many tunnels (pairs of cloud ends) it makes.
    tunnels: usize,
    /// IKE SA: encryption/integrity/DH, and the PRF (which follows the integrity).
    ike: &'static str,
    prf: &'static str,
    /// The ESP proposal the responder selects when asked for a CHILD_SA with PFS
    /// (CREATE_CHILD_SA); in IKE_AUTH the same without the DH group.
    esp: &'static str,
    /// The oldest Terraform `(major, minor)` that can apply it, and why; older ones are skipped.
    since: ((u32, u32), &'static str),
}

/// What every Terraform of `terraform_bins()` applies.
const ANY_TERRAFORM: ((u32, u32), &str) = ((1, 0), "");

/// Both ends from one `hybridnet_ipsec_profile`: AES-256, SHA-256, DH group 14 (JD `modp2048` =
/// Alibaba `group14`), PFS group 14.
const JDCLOUD_ALICLOUD: Example = Example {
    dir: "jdcloud-alicloud-vpn",
    tunnels: 2,
    ike: "aes256/sha256/modp2048",
    prf: "PRF_HMAC_SHA2_256",
    esp: "AES_CBC_256/HMAC_SHA2_256_128/MODP_2048/NO_EXT_SEQ",
    since: ANY_TERRAFORM,
};

/// The same link with its keys from ephemeral `hybridnet_psk`s through the write-only `psk_wo`:
/// the keys reach the sandbox only, and the test reads them there like any other.
const JDCLOUD_ALICLOUD_WRITE_ONLY: Example = Example {
    dir: "jdcloud-alicloud-vpn-write-only",
    since: (
        (1, 11),
        "ephemeral resources and write-only arguments need Terraform 1.11",
    ),
    ..JDCLOUD_ALICLOUD
};

/// Both regions take one `hybridnet_ipsec_profile` with its defaults: AES-256, SHA-256, DH group
/// 14, PFS group 14.
const JDCLOUD_CROSS_REGION: Example = Example {
    dir: "jdcloud-cross-region-vpn",
    tunnels: 2,
    ike: "aes256/sha256/modp2048",
    prf: "PRF_HMAC_SHA2_256",
    esp: "AES_CBC_256/HMAC_SHA2_256_128/MODP_2048/NO_EXT_SEQ",
    since: ANY_TERRAFORM,
};

#[test]
fn jdcloud_alicloud_vpn_tunnels_negotiate_ike() {
    cloud_to_cloud(
        "jdcloud_alicloud_vpn_tunnels_negotiate_ike",
        &JDCLOUD_ALICLOUD,
    );
}

/// The same link with static routes: both ends from one profile with its defaults.
const JDCLOUD_ALICLOUD_STATIC: Example = Example {
    dir: "jdcloud-alicloud-static-vpn",
    since: ANY_TERRAFORM,
    tunnels: 2,
    ike: "aes256/sha256/modp2048",
    prf: "PRF_HMAC_SHA2_256",
    esp: "AES_CBC_256/HMAC_SHA2_256_128/MODP_2048/NO_EXT_SEQ",
};

#[test]
fn jdcloud_alicloud_static_vpn_tunnels_negotiate_ike() {
    cloud_to_cloud(
        "jdcloud_alicloud_static_vpn_tunnels_negotiate_ike",
        &JDCLOUD_ALICLOUD_STATIC,
    );
}

#[test]
fn jdcloud_alicloud_vpn_write_only_tunnels_negotiate_ike() {
    cloud_to_cloud(
        "jdcloud_alicloud_vpn_write_only_tunnels_negotiate_ike",
        &JDCLOUD_ALICLOUD_WRITE_ONLY,
    );
}

#[test]
fn jdcloud_cross_region_vpn_tunnels_negotiate_ike() {
    cloud_to_cloud(
        "jdcloud_cross_region_vpn_tunnels_negotiate_ike",
        &JDCLOUD_CROSS_REGION,
    );
}

/// FRR's offline check, which the `frr` peer configuration is checked with, accepts a BGP
/// configuration and refuses a misspelt command.
#[test]
fn frr_dry_run_accepts_good_and_refuses_bad_configuration() {
    if !ike::ike_tests_can_run("frr_dry_run_accepts_good_and_refuses_bad_configuration") {
        return;
    }
    let good =
        "router bgp 65001\n bgp router-id 169.254.10.2\n neighbor 169.254.10.1 remote-as 65000\n";
    ike::frr_check(good)
        .expect("vtysh runs")
        .unwrap_or_else(|e| panic!("FRR refused a valid configuration: {e}"));
    let bad = "router bgp 65001\n neighbour 169.254.10.1 remote-as 65000\n";
    let refused = ike::frr_check(bad).expect("vtysh runs");
    let why = refused.expect_err("FRR accepted `neighbour`");
    assert!(why.contains("neighbour"), "{why}");
}

fn cloud_to_cloud(test: &str, example: &Example) {
    if !ike::ike_tests_can_run(test) {
        return;
    }
    let main_tf = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("examples")
            .join(example.dir)
            .join("main.tf"),
    )
    .unwrap_or_else(|e| panic!("reading examples/{}/main.tf: {e}", example.dir));
    for tf in terraform_bins() {
        let started = Instant::now();
        let sandbox = Sandbox::start();
        let workdir = TfWorkdir::new(&tf, &sandbox, &main_tf);
        let version = workdir.terraform_version().to_owned();
        let (since, why) = example.since;
        if major_minor(&version) < since {
            eprintln!("{version}: {} skipped: {why}", example.dir);
            continue;
        }
        workdir.apply();
        let applied = started.elapsed();

        let state = sandbox.state();
        let ends = cloud_end::cloud_ends(&state)
            .unwrap_or_else(|e| panic!("{version}: reading the cloud ends: {e:#}"));
        let pairs = cloud_end::pair_up(&ends)
            .unwrap_or_else(|e| panic!("{version}: pairing the cloud ends: {e:#}\n{ends:#?}"));
        assert_eq!(
            pairs.len(),
            example.tunnels,
            "{version}: tunnels of {}: {pairs:#?}",
            example.dir
        );
        let lab = Lab::start(&pairs);

        // Every tunnel, initiated alternately from either side.
        for (i, _) in pairs.iter().enumerate() {
            let initiator = if i % 2 == 0 { Side::A } else { Side::B };
            let n = lab.negotiate(i, initiator);
            lab.assert_established(&version, example, i, &n);
        }

        // One side's settings changed, against the same applied state: must not negotiate.
        let (a, b) = &pairs[0];
        let mutations: Vec<(&str, CloudEnd, Refusal)> = vec![
            (
                "the PSK changed on one side",
                CloudEnd {
                    psk: Psk(format!("{}x", b.psk.0)),
                    ..b.clone()
                },
                Refusal::Ike,
            ),
            (
                "the IKE DH group changed on one side",
                CloudEnd {
                    ike_dh: other_group(&b.ike_dh).to_owned(),
                    ..b.clone()
                },
                Refusal::Ike,
            ),
            (
                "the identity expected of the peer changed on one side",
                CloudEnd {
                    remote_id: "198.51.100.77".to_owned(),
                    ..b.clone()
                },
                Refusal::Ike,
            ),
            (
                "the PFS group changed on one side",
                CloudEnd {
                    pfs: Some(b.pfs.as_deref().map_or("modp2048", other_group).to_owned()),
                    ..b.clone()
                },
                Refusal::Esp,
            ),
        ];
        for (what, changed, refusal) in mutations {
            lab.load_b(0, &changed);
            let n = lab.negotiate(0, Side::A);
            match refusal {
                Refusal::Ike => assert!(
                    !n.established && n.algorithms.is_none(),
                    "{version}, {}, tunnel {} ↔ {}: with {what}, IKE must not be established, \
                     but it was:\n{}",
                    example.dir,
                    a.local_addr,
                    b.local_addr,
                    n.transcript
                ),
                Refusal::Esp => assert!(
                    n.established && n.esp_refused && n.esp_selected.len() == 1,
                    "{version}, {}, tunnel {} ↔ {}: with {what}, the IKE SA comes up but the \
                     CHILD_SA's ESP proposal must be refused; got established={}, \
                     refused={}, selected={:?}:\n{}",
                    example.dir,
                    a.local_addr,
                    b.local_addr,
                    n.established,
                    n.esp_refused,
                    n.esp_selected,
                    n.transcript
                ),
            }
            assert!(
                n.took <= NEGOTIATION_TIMEOUT,
                "{version}: {what}: took {:?}",
                n.took
            );
            eprintln!(
                "{version} {}: {what}: refused as it must be ({:.2}s)",
                example.dir,
                n.took.as_secs_f64()
            );
        }

        // Restored, the same tunnel negotiates again: the refusals came from the changes.
        lab.load_b(0, b);
        let n = lab.negotiate(0, Side::A);
        lab.assert_established(&version, example, 0, &n);

        // A PSK with every character a configuration file could trip on, on both sides.
        let awkward = Psk("it's `a` \"key\" #1 \\ $HOME;".to_owned());
        lab.load_pair(
            0,
            &CloudEnd {
                psk: awkward.clone(),
                ..a.clone()
            },
            &CloudEnd {
                psk: awkward,
                ..b.clone()
            },
        );
        let n = lab.negotiate(0, Side::B);
        lab.assert_established(&version, example, 0, &n);

        eprintln!(
            "{version} {}: apply {:.1}s, IKE checks {:.1}s",
            example.dir,
            applied.as_secs_f64(),
            (started.elapsed() - applied).as_secs_f64()
        );
    }
}

/// `(major, minor)` of a `Terraform vX.Y.Z` line.
fn major_minor(version: &str) -> (u32, u32) {
    let mut parts = version
        .trim_start_matches("Terraform v")
        .split('.')
        .map(|p| p.parse::<u32>().unwrap_or(0));
    (parts.next().unwrap_or(0), parts.next().unwrap_or(0))
}

/// Where a changed setting must make the negotiation fail.
enum Refusal {
    /// No IKE SA.
    Ike,
    /// The IKE SA comes up (IKE_AUTH keys the first CHILD_SA without a DH exchange), but the
    /// ESP proposal of a CHILD_SA with PFS is refused.
    Esp,
}

/// Another DH group of the same kind, that both clouds can express on JD Cloud's side.
fn other_group(group: &str) -> &'static str {
    match group {
        "modp2048" => "modp1024",
        "ecp256" => "ecp384",
        _ => "modp2048",
    }
}

/// The lab with each tunnel's two ends loaded: pair `i` is connection `t{i}` on both sides.
struct Lab<'p> {
    lab: IkeLab,
    pairs: &'p [(CloudEnd, CloudEnd)],
}

impl<'p> Lab<'p> {
    fn start(pairs: &'p [(CloudEnd, CloudEnd)]) -> Self {
        let a_addrs: Vec<_> = pairs.iter().map(|(a, _)| a.local_addr).collect();
        let b_addrs: Vec<_> = pairs.iter().map(|(_, b)| b.local_addr).collect();
        let lab = IkeLab::start(&a_addrs, &b_addrs)
            .unwrap_or_else(|e| panic!("starting the IKE lab: {e:#}"));
        let lab = Self { lab, pairs };
        lab.load(Side::A, None);
        lab.load(Side::B, None);
        lab
    }

    fn name(i: usize) -> String {
        format!("t{i}")
    }

    /// Loads every pair's end of `side`, pair `changed.0`'s end replaced by `changed.1`.
    fn load(&self, side: Side, changed: Option<(usize, &CloudEnd)>) {
        let names: Vec<String> = (0..self.pairs.len()).map(Self::name).collect();
        let ends: Vec<(&str, &CloudEnd)> = self
            .pairs
            .iter()
            .enumerate()
            .map(|(i, (a, b))| {
                let end = match (changed, side) {
                    (Some((j, end)), _) if j == i => end,
                    (_, Side::A) => a,
                    (_, Side::B) => b,
                };
                (names[i].as_str(), end)
            })
            .collect();
        self.lab
            .load(side, &cloud_end::swanctl_conf(&ends))
            .unwrap_or_else(|e| panic!("loading side {side:?}: {e:#}"));
    }

    /// Side B with pair `i`'s end replaced by `end`.
    fn load_b(&self, i: usize, end: &CloudEnd) {
        self.load(Side::B, Some((i, end)));
    }

    /// Both ends of pair `i` replaced.
    fn load_pair(&self, i: usize, a: &CloudEnd, b: &CloudEnd) {
        self.load(Side::A, Some((i, a)));
        self.load(Side::B, Some((i, b)));
    }

    fn negotiate(&self, i: usize, initiator: Side) -> Negotiation {
        let name = Self::name(i);
        self.lab
            .negotiate(initiator, &name, &name)
            .unwrap_or_else(|e| panic!("negotiating {name}: {e:#}"))
    }

    fn assert_established(&self, version: &str, example: &Example, i: usize, n: &Negotiation) {
        let (a, b) = &self.pairs[i];
        let at = format!(
            "{version}, {}, tunnel {i} ({:?} {} ↔ {:?} {})",
            example.dir, a.cloud, a.local_addr, b.cloud, b.local_addr
        );
        assert!(
            n.established && n.responder_established,
            "{at}: IKE SA not established on both sides within {NEGOTIATION_TIMEOUT:?} \
             (initiator: {}, responder: {}):\n{}",
            n.established,
            n.responder_established,
            n.transcript
        );
        assert_eq!(n.ike_version, Some(2), "{at}:\n{}", n.transcript);
        let algorithms = n
            .algorithms
            .as_ref()
            .expect("established SA has algorithms");
        assert_eq!(algorithms.short(), example.ike, "{at}: {algorithms}");
        assert_eq!(algorithms.prf, example.prf, "{at}: {algorithms}");
        // IKE_AUTH: the ESP proposal without a DH group; CREATE_CHILD_SA: with the PFS group.
        let without_dh = strip_dh(example.esp);
        assert_eq!(
            n.esp_selected,
            vec![without_dh, example.esp.to_owned()],
            "{at}: the responder's ESP selections\n{}",
            n.transcript
        );
        eprintln!(
            "{at}: IKE SA established: {} ({algorithms}), ESP {}, {:.2}s",
            algorithms.short(),
            example.esp,
            n.took.as_secs_f64()
        );
    }
}

/// `AES_CBC_256/HMAC_SHA2_256_128/MODP_2048/NO_EXT_SEQ` → `AES_CBC_256/HMAC_SHA2_256_128/NO_EXT_SEQ`.
fn strip_dh(esp: &str) -> String {
    esp.split('/')
        .filter(|p| !p.starts_with("MODP_") && !p.starts_with("ECP_"))
        .collect::<Vec<_>>()
        .join("/")
}

// ---------------------------------------------------------------------------------------------
// Cloud ↔ data centre: the provider's rendered strongSwan configuration against the cloud end.
// ---------------------------------------------------------------------------------------------

/// An example with a data centre end, the output holding `hybridnet_peer_config`'s strongSwan
/// rendering of it, and what the tunnels must negotiate (the example's settings, written out
/// here rather than derived, so a wrong translation on both sides cannot pass).
struct DataCentre {
    dir: &'static str,
    output: &'static str,
    tunnels: usize,
    ike: &'static str,
    /// The ESP proposal the responder selects in IKE_AUTH (no DH group there).
    esp: &'static str,
}

const DATA_CENTRES: [DataCentre; 3] = [
    // JD Cloud's tunnel defaults: AES-128, SHA-256, ecp256, no PFS.
    DataCentre {
        dir: "jdcloud-idc-vpn",
        output: "idc_strongswan_conf",
        tunnels: 2,
        ike: "aes128/sha256/ecp256",
        esp: "AES_CBC_128/HMAC_SHA2_256_128/NO_EXT_SEQ",
    },
    // AES-256 set in both phases, JD's other defaults; four tunnels over two cloud IPs.
    DataCentre {
        dir: "jdcloud-aws-style-bgp",
        output: "peer_strongswan_conf",
        tunnels: 4,
        ike: "aes256/sha256/ecp256",
        esp: "AES_CBC_256/HMAC_SHA2_256_128/NO_EXT_SEQ",
    },
    // Alibaba Cloud's defaults with IKEv2: `aes` (AES-128), SHA-1, group2, PFS group2.
    DataCentre {
        dir: "alicloud-dual-tunnel-cen",
        output: "idc_strongswan_conf",
        tunnels: 2,
        ike: "aes128/sha1/modp1024",
        esp: "AES_CBC_128/HMAC_SHA1_96/NO_EXT_SEQ",
    },
];

/// Every example with a data centre: the swanctl.conf that `hybridnet_peer_config` renders (as
/// the example outputs it) is loaded as the data centre, the cloud ends are built from the
/// sandbox state by the tests' own mapping, and every tunnel is initiated from the data centre.
/// A changed key or proposal in the rendered file must then fail.
#[test]
fn rendered_data_centre_configs_negotiate_with_the_cloud_ends() {
    let test = "rendered_data_centre_configs_negotiate_with_the_cloud_ends";
    if !ike::ike_tests_can_run(test) {
        return;
    }
    for tf in terraform_bins() {
        for dc in &DATA_CENTRES {
            let sandbox = Sandbox::start();
            let main_tf = std::fs::read_to_string(
                Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("examples")
                    .join(dc.dir)
                    .join("main.tf"),
            )
            .unwrap_or_else(|e| panic!("reading examples/{}/main.tf: {e}", dc.dir));
            let workdir = TfWorkdir::new(&tf, &sandbox, &main_tf);
            let version = workdir.terraform_version().to_owned();
            workdir.apply();
            let rendered = workdir.run_ok(&["output", "-raw", dc.output]).stdout;
            let at = format!("{version}, {}", dc.dir);
            let ends = cloud_end::cloud_ends(&sandbox.state())
                .unwrap_or_else(|e| panic!("{at}: reading the cloud ends: {e:#}"));
            assert_eq!(ends.len(), dc.tunnels, "{at}: {ends:#?}");
            let lab = DataCentreLab::start(&ends, &rendered);
            for i in 0..ends.len() {
                let n = lab.initiate_from_data_centre(i);
                lab.assert_established(&at, i, dc, &n);
            }
            // The rendered file with its first key changed, then its first proposal: refused.
            let first_secret = rendered
                .lines()
                .find(|l| l.trim_start().starts_with("secret = "))
                .unwrap_or_else(|| panic!("{at}: no secret in the rendered file:\n{rendered}"));
            let wrong_key = rendered.replacen(first_secret, "    secret = \"not-the-key\"", 1);
            let first_proposal = rendered
                .lines()
                .find(|l| l.trim_start().starts_with("proposals = "))
                .unwrap_or_else(|| panic!("{at}: no proposals in the rendered file"));
            let other = if first_proposal.contains("modp2048") {
                "    proposals = aes128-sha1-modp1536"
            } else {
                "    proposals = aes256-sha384-modp2048"
            };
            let wrong_proposal = rendered.replacen(first_proposal, other, 1);
            for (what, text) in [
                ("a changed key", wrong_key),
                ("a changed proposal", wrong_proposal),
            ] {
                lab.lab
                    .load(Side::B, &text)
                    .unwrap_or_else(|e| panic!("{at}: loading {what}: {e:#}"));
                let n = lab.initiate_from_data_centre(0);
                assert!(
                    !n.established && n.took <= NEGOTIATION_TIMEOUT,
                    "{at}: with {what} in the rendered file, IKE must not be established:\n{}",
                    n.transcript
                );
                eprintln!("{at}: {what} in the rendered file: refused as it must be");
            }
            // Restored: negotiates again.
            lab.lab
                .load(Side::B, &rendered)
                .unwrap_or_else(|e| panic!("{at}: reloading: {e:#}"));
            let n = lab.initiate_from_data_centre(0);
            lab.assert_established(&at, 0, dc, &n);
            workdir.destroy();
        }
    }
}

/// The cloud ends on side A (connection `t<i>`), a data centre configuration on side B
/// (connection `hybridnet-<i+1>`, as `hybridnet_peer_config` names them with its default
/// `first_tunnel_number`, in the same order as the cloud's tunnels).
struct DataCentreLab {
    lab: IkeLab,
}

impl DataCentreLab {
    fn start(ends: &[CloudEnd], data_centre_conf: &str) -> Self {
        // One cloud IP may serve several tunnels (and one device address too).
        let distinct = |mut v: Vec<std::net::Ipv4Addr>| {
            v.sort();
            v.dedup();
            v
        };
        let a_addrs = distinct(ends.iter().map(|e| e.local_addr).collect());
        let b_addrs = distinct(ends.iter().map(|e| e.remote_addr).collect());
        let lab = IkeLab::start(&a_addrs, &b_addrs)
            .unwrap_or_else(|e| panic!("starting the IKE lab: {e:#}"));
        let names: Vec<String> = (0..ends.len()).map(|i| format!("t{i}")).collect();
        let named: Vec<(&str, &CloudEnd)> = names.iter().map(String::as_str).zip(ends).collect();
        lab.load(Side::A, &cloud_end::swanctl_conf(&named))
            .unwrap_or_else(|e| panic!("loading the cloud ends: {e:#}"));
        lab.load(Side::B, data_centre_conf).unwrap_or_else(|e| {
            panic!("loading the rendered configuration: {e:#}\n{data_centre_conf}")
        });
        Self { lab }
    }

    fn initiate_from_data_centre(&self, i: usize) -> Negotiation {
        let name = format!("hybridnet-{}", i + 1);
        self.lab
            .negotiate(Side::B, &name, &name)
            .unwrap_or_else(|e| panic!("negotiating {name}: {e:#}"))
    }

    fn assert_established(&self, at: &str, i: usize, dc: &DataCentre, n: &Negotiation) {
        assert!(
            n.established && n.responder_established,
            "{at}: tunnel {i}: IKE SA not established on both sides:\n{}",
            n.transcript
        );
        let algorithms = n
            .algorithms
            .as_ref()
            .expect("established SA has algorithms");
        assert_eq!(algorithms.short(), dc.ike, "{at}: tunnel {i}: {algorithms}");
        assert_eq!(
            n.esp_selected.first().map(String::as_str),
            Some(dc.esp),
            "{at}: tunnel {i}: the cloud end's ESP selection\n{}",
            n.transcript
        );
        eprintln!(
            "{at}: tunnel {i}: IKE SA established: {} ({algorithms}), ESP {}",
            algorithms.short(),
            dc.esp
        );
    }
}

/// For `scripts/demo.sh`: the demo's rendered far-end configuration (`HYBRIDNET_DEMO_PEER_CONF`)
/// against the cloud end of the demo's first tunnel, from the demo sandbox's state
/// (`HYBRIDNET_DEMO_STATE`, connection `HYBRIDNET_DEMO_CONNECTION`). Prints one `IKE …` line.
#[test]
#[ignore = "run by scripts/demo.sh"]
fn demo_negotiation() {
    let var = |k: &str| std::env::var(k).unwrap_or_else(|_| panic!("{k} is not set"));
    let state: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(var("HYBRIDNET_DEMO_STATE")).unwrap())
            .unwrap();
    let rendered = std::fs::read_to_string(var("HYBRIDNET_DEMO_PEER_CONF")).unwrap();
    let connection = var("HYBRIDNET_DEMO_CONNECTION");
    let ends: Vec<CloudEnd> = cloud_end::cloud_ends(&state)
        .unwrap()
        .into_iter()
        .filter(|e| e.connection == connection)
        .collect();
    assert!(!ends.is_empty(), "no tunnel of {connection} in the state");
    let lab = DataCentreLab::start(&ends, &rendered);
    let n = lab.initiate_from_data_centre(0);
    assert!(n.established, "{}", n.transcript);
    let algorithms = n
        .algorithms
        .as_ref()
        .expect("established SA has algorithms");
    // The first rendered connection's own address, and the cloud end facing it.
    let device = rendered
        .lines()
        .find_map(|l| l.trim().strip_prefix("local_addrs = "))
        .unwrap_or("?");
    let cloud = ends
        .iter()
        .find(|e| e.remote_addr.to_string() == device)
        .map_or_else(|| "?".to_owned(), |e| e.local_addr.to_string());
    println!(
        "IKE SA established: {} (IKEv{}, PRF {}) between {device} and {cloud}",
        algorithms.short(),
        n.ike_version.unwrap_or(0),
        algorithms.prf,
    );
    if let Some(esp) = n.esp_selected.first() {
        println!("ESP proposal selected by the cloud end: {esp}");
    }
}
