//! A real IKE daemon for the tests: two network namespaces joined by a veth pair, one strongSwan
//! `charon` in each, each loaded with a swanctl.conf, one side initiating (docs/design/ike-tests.md).
//!
//! - [`ike_tests_can_run`]: whether this machine can (root, `ip netns`, Debian's charon and
//!   swanctl); in CI (`CI=true`) a machine that cannot fails the test and says why, elsewhere the
//!   test is skipped with a loud message.
//! - [`IkeLab`]: the namespaces and the two charons; everything is torn down on drop, also when the
//!   test panics. Nothing leaves the namespaces: they have no link but the veth pair.
//! - [`IkeLab::negotiate`]: initiates one connection and reports the IKE SA (state and negotiated
//!   algorithms, from `swanctl --list-sas`) and the ESP proposals the responder selected (from its
//!   log). The kernel here refuses ESP states ("Protocol not supported"), so no CHILD_SA is ever
//!   installed: the proof is the IKE SA plus the responder's choice of ESP proposal.
//! - [`frr_check`]: FRR's own offline configuration check (`vtysh --dryrun`).

use std::fmt;
use std::fs;
use std::io::Write;
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};

/// Debian's path of the IKE daemon (package strongswan-charon).
pub const CHARON: &str = "/usr/lib/ipsec/charon";
/// How long one negotiation may take before it counts as failed. A working one takes well under
/// a second; a refused one (wrong key, proposal or identity) ends with a notify just as fast, so
/// this only bounds a lost exchange.
pub const NEGOTIATION_TIMEOUT: Duration = Duration::from_secs(20);
/// How long a charon may take to answer on its VICI socket after being started.
const CHARON_START_TIMEOUT: Duration = Duration::from_secs(15);
/// Prefix of the namespaces this harness makes: `hnike-<pid>-<n>-a|b`.
const NETNS_PREFIX: &str = "hnike-";
/// The veth ends' own addresses (TEST-NET-1); the tunnels' public IPs are added beside them.
const LINK_ADDRS: [Ipv4Addr; 2] = [Ipv4Addr::new(192, 0, 2, 1), Ipv4Addr::new(192, 0, 2, 2)];
/// Name of the veth end in each namespace.
const VETH: &str = "ike0";

// ---------------------------------------------------------------------------------------------
// Can the IKE tests run here?
// ---------------------------------------------------------------------------------------------

/// Why the IKE tests cannot run on this machine, or `Ok` when they can.
pub fn availability() -> std::result::Result<(), String> {
    static CHECKED: OnceLock<std::result::Result<(), String>> = OnceLock::new();
    CHECKED.get_or_init(check_availability).clone()
}

fn check_availability() -> std::result::Result<(), String> {
    if effective_uid() != Some(0) {
        return Err("not running as root (network namespaces and charon need it)".to_owned());
    }
    for tool in ["ip", "unshare", "swanctl"] {
        if super::find_on_path(tool).is_none() {
            return Err(format!(
                "`{tool}` is not on PATH (scripts/ensure-tools.sh installs strongSwan as root)"
            ));
        }
    }
    if !Path::new(CHARON).is_file() {
        return Err(format!(
            "{CHARON} is missing (Debian strongswan-charon; scripts/ensure-tools.sh installs it as root)"
        ));
    }
    // A namespace made and removed again: `ip netns` can fail even as root (e.g. in a container
    // without CAP_SYS_ADMIN).
    let probe = format!("{NETNS_PREFIX}probe-{}", std::process::id());
    run("ip", &["netns", "add", &probe]).map_err(|e| format!("`ip netns add` fails: {e:#}"))?;
    run("ip", &["netns", "del", &probe]).map_err(|e| format!("`ip netns del` fails: {e:#}"))?;
    Ok(())
}

/// Call first in every IKE test: `true` when it can run. When it cannot, in CI (`CI=true`) this
/// panics with the reason; elsewhere it prints a loud message and returns `false`, and the test
/// returns early.
pub fn ike_tests_can_run(test: &str) -> bool {
    match availability() {
        Ok(()) => true,
        Err(why) => {
            let in_ci = std::env::var("CI").is_ok_and(|v| v == "true");
            assert!(
                !in_ci,
                "{test}: the IKE tests cannot run here, and CI must run them: {why}"
            );
            // Straight to stderr, not `eprintln!`, which the test harness captures and hides
            // for a test that returns normally.
            let _ = writeln!(
                std::io::stderr(),
                "\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\
                 !!! SKIPPED {test}: the IKE tests cannot run here: {why}.\n\
                 !!! They need root, `ip netns` and Debian's strongSwan (scripts/ensure-tools.sh);\n\
                 !!! in CI (CI=true) this is a failure.\n\
                 !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n"
            );
            false
        }
    }
}

/// The effective uid, from `/proc/self/status` (`Uid: real effective saved fs`).
fn effective_uid() -> Option<u32> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("Uid:"))?;
    line.split_whitespace().nth(2)?.parse().ok()
}

// ---------------------------------------------------------------------------------------------
// The lab: two namespaces, two charons
// ---------------------------------------------------------------------------------------------

/// One of the two namespaces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    A,
    B,
}

impl Side {
    fn index(self) -> usize {
        match self {
            Side::A => 0,
            Side::B => 1,
        }
    }

    /// The other side.
    pub fn peer(self) -> Side {
        match self {
            Side::A => Side::B,
            Side::B => Side::A,
        }
    }
}

/// One running charon and its files.
struct Charon {
    child: Child,
    /// Its directory: strongswan.conf, the VICI socket, charon.log, swanctl.conf.
    dir: PathBuf,
}

impl Charon {
    fn strongswan_conf(&self) -> PathBuf {
        self.dir.join("strongswan.conf")
    }

    fn uri(&self) -> String {
        format!("unix://{}", self.dir.join("charon.vici").display())
    }

    fn log_path(&self) -> PathBuf {
        self.dir.join("charon.log")
    }

    fn log(&self) -> String {
        fs::read_to_string(self.log_path()).unwrap_or_default()
    }

    /// `swanctl <args> --uri <this charon>`, with this charon's strongswan.conf.
    fn swanctl(&self, args: &[&str]) -> Result<Output> {
        let uri = self.uri();
        Command::new("swanctl")
            .args(args)
            .args(["--uri", &uri])
            .env("STRONGSWAN_CONF", self.strongswan_conf())
            .stdin(Stdio::null())
            .output()
            .with_context(|| format!("running swanctl {args:?}"))
    }
}

/// Two network namespaces joined by a veth pair, with a charon in each. Dropping it kills the
/// charons and deletes the namespaces.
pub struct IkeLab {
    netns: [String; 2],
    charons: Vec<Charon>,
    /// The charons' files; removed on drop, after the charons.
    dir: tempfile::TempDir,
}

/// The IKE SA as the initiator's `swanctl --list-sas` shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IkeAlgorithms {
    /// e.g. `AES_CBC-256`
    pub encr: String,
    /// e.g. `HMAC_SHA2_256_128`
    pub integ: String,
    /// e.g. `PRF_HMAC_SHA2_256`
    pub prf: String,
    /// e.g. `MODP_2048`
    pub dh: String,
}

impl IkeAlgorithms {
    /// The short form used in messages and by the examples' settings: `aes256/sha256/modp2048`.
    pub fn short(&self) -> String {
        let encr = match self.encr.strip_prefix("AES_CBC-") {
            Some(bits) => format!("aes{bits}"),
            None if self.encr.starts_with("3DES_CBC") => "3des".to_owned(),
            None => self.encr.to_lowercase(),
        };
        // HMAC_SHA2_256_128 → sha256, HMAC_SHA1_96 → sha1, HMAC_MD5_96 → md5.
        let integ = match self.integ.as_str() {
            "HMAC_SHA1_96" => "sha1".to_owned(),
            "HMAC_MD5_96" => "md5".to_owned(),
            other => other
                .strip_prefix("HMAC_SHA2_")
                .and_then(|rest| rest.split('_').next())
                .map_or_else(|| other.to_lowercase(), |bits| format!("sha{bits}")),
        };
        let dh = self.dh.to_lowercase().replace('_', "");
        format!("{encr}/{integ}/{dh}")
    }
}

impl fmt::Display for IkeAlgorithms {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{}/{}", self.encr, self.integ, self.prf, self.dh)
    }
}

/// What one [`IkeLab::negotiate`] found.
#[derive(Clone, Debug)]
pub struct Negotiation {
    /// The initiator's IKE SA reached ESTABLISHED within [`NEGOTIATION_TIMEOUT`].
    pub established: bool,
    /// The responder also lists an ESTABLISHED IKE SA.
    pub responder_established: bool,
    /// The IKE version of the established SA.
    pub ike_version: Option<u8>,
    /// The negotiated algorithms of the established SA.
    pub algorithms: Option<IkeAlgorithms>,
    /// Every `selected proposal: ESP:…` the responder logged during this negotiation, in order,
    /// without the `ESP:` prefix: first from IKE_AUTH (which never carries a DH group, the
    /// CHILD_SA being keyed from the IKE SA), then from the CREATE_CHILD_SA that
    /// [`IkeLab::negotiate`] sends once the IKE SA is up (which carries the PFS group, if any).
    pub esp_selected: Vec<String>,
    /// The responder logged "no acceptable proposal found" for an ESP proposal.
    pub esp_refused: bool,
    /// How long until the IKE SA was established or given up.
    pub took: Duration,
    /// What the initiator's swanctl printed and the lines of both logs that explain the outcome,
    /// for assertion messages.
    pub transcript: String,
}

impl Negotiation {
    /// The ESP proposal the responder selected last (from the CREATE_CHILD_SA when the IKE SA
    /// came up).
    pub fn esp_proposal(&self) -> Option<&str> {
        self.esp_selected.last().map(String::as_str)
    }
}

impl IkeLab {
    /// Two namespaces, A holding `a_addrs` and B `b_addrs` (each a tunnel end's public IP) on
    /// the veth between them, with routes to each other's addresses, and a charon in each.
    pub fn start(a_addrs: &[Ipv4Addr], b_addrs: &[Ipv4Addr]) -> Result<Self> {
        if let Some(dup) = a_addrs.iter().find(|a| b_addrs.contains(a)) {
            bail!("{dup} is on both sides");
        }
        sweep_stale_namespaces();
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let base = format!("{NETNS_PREFIX}{}-{n}", std::process::id());
        let netns = [format!("{base}-a"), format!("{base}-b")];
        let dir = tempfile::Builder::new()
            .prefix("hybridnet-ike-")
            .tempdir()?;
        // From here on, whatever exists is removed by Drop if a later step fails.
        let mut lab = Self {
            netns,
            charons: Vec::new(),
            dir,
        };
        lab.make_network(a_addrs, b_addrs)?;
        for side in [Side::A, Side::B] {
            let charon = lab.start_charon(side)?;
            lab.charons.push(charon);
        }
        Ok(lab)
    }

    /// The namespace of `side`.
    pub fn netns(&self, side: Side) -> &str {
        &self.netns[side.index()]
    }

    fn make_network(&self, a_addrs: &[Ipv4Addr], b_addrs: &[Ipv4Addr]) -> Result<()> {
        for ns in &self.netns {
            run("ip", &["netns", "add", ns])?;
        }
        let [a, b] = &self.netns;
        // Both ends are made inside their namespaces, so the fixed name cannot clash.
        run(
            "ip",
            &[
                "link", "add", VETH, "netns", a, "type", "veth", "peer", "name", VETH, "netns", b,
            ],
        )?;
        let addrs = [a_addrs, b_addrs];
        for side in [Side::A, Side::B] {
            let ns = self.netns(side);
            let i = side.index();
            let link = format!("{}/24", LINK_ADDRS[i]);
            run("ip", &["-n", ns, "link", "set", "lo", "up"])?;
            run("ip", &["-n", ns, "addr", "add", &link, "dev", VETH])?;
            for addr in addrs[i] {
                run(
                    "ip",
                    &["-n", ns, "addr", "add", &format!("{addr}/32"), "dev", VETH],
                )?;
            }
            run("ip", &["-n", ns, "link", "set", VETH, "up"])?;
            let via = LINK_ADDRS[1 - i].to_string();
            for peer in addrs[1 - i] {
                run(
                    "ip",
                    &["-n", ns, "route", "add", &format!("{peer}/32"), "via", &via],
                )?;
            }
        }
        Ok(())
    }

    fn start_charon(&self, side: Side) -> Result<Charon> {
        let dir = self.dir.path().join(match side {
            Side::A => "a",
            Side::B => "b",
        });
        fs::create_dir_all(&dir)?;
        fs::write(dir.join("strongswan.conf"), strongswan_conf(&dir))?;
        let out = fs::File::create(dir.join("charon.out"))?;
        let err = out.try_clone()?;
        // Its own /run: charon keeps its pid file there and refuses to start beside another.
        let child = Command::new("ip")
            .args([
                "netns",
                "exec",
                self.netns(side),
                "unshare",
                "-m",
                "sh",
                "-c",
            ])
            .arg(format!("mount -t tmpfs tmpfs /run && exec {CHARON}"))
            .env("STRONGSWAN_CONF", dir.join("strongswan.conf"))
            .stdin(Stdio::null())
            .stdout(Stdio::from(out))
            .stderr(Stdio::from(err))
            .spawn()
            .context("starting charon")?;
        let mut charon = Charon { child, dir };
        let started = Instant::now();
        loop {
            if let Some(status) = charon.child.try_wait()? {
                bail!(
                    "charon in {} exited at start ({status}):\n{}\n{}",
                    self.netns(side),
                    fs::read_to_string(charon.dir.join("charon.out")).unwrap_or_default(),
                    charon.log()
                );
            }
            if charon.swanctl(&["--stats"])?.status.success() {
                return Ok(charon);
            }
            if started.elapsed() > CHARON_START_TIMEOUT {
                stop(&mut charon.child);
                bail!(
                    "charon in {} did not answer on {} within {CHARON_START_TIMEOUT:?}:\n{}",
                    self.netns(side),
                    charon.uri(),
                    charon.log()
                );
            }
            thread::sleep(Duration::from_millis(50));
        }
    }

    fn charon(&self, side: Side) -> &Charon {
        &self.charons[side.index()]
    }

    /// Loads `swanctl_conf` into `side`'s charon (`swanctl --load-all`): its connections and
    /// secrets replace whatever was loaded before.
    pub fn load(&self, side: Side, swanctl_conf: &str) -> Result<()> {
        let charon = self.charon(side);
        let path = charon.dir.join("swanctl.conf");
        fs::write(&path, swanctl_conf)?;
        let path = path.display().to_string();
        let out = charon.swanctl(&["--load-all", "--clear", "--file", &path])?;
        if !out.status.success() {
            bail!(
                "swanctl --load-all into {} failed ({}):\n{}{}",
                self.netns(side),
                out.status,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Ok(())
    }

    /// `side`'s charon log so far.
    pub fn log(&self, side: Side) -> String {
        self.charon(side).log()
    }

    /// Initiates connection `ike` (with its CHILD_SA `child`) from `initiator` and waits, at most
    /// [`NEGOTIATION_TIMEOUT`], until the IKE SA is ESTABLISHED or given up. When it is up, a
    /// second CHILD_SA is asked for (CREATE_CHILD_SA, carrying the PFS group) so that the
    /// responder's choice of ESP proposal with its DH group is in its log. Any IKE SA of an
    /// earlier negotiation is closed first.
    pub fn negotiate(&self, initiator: Side, ike: &str, child: &str) -> Result<Negotiation> {
        let responder = initiator.peer();
        for side in [Side::A, Side::B] {
            self.terminate_all(side)?;
        }
        let offsets = [Side::A, Side::B].map(|s| self.log(s).len());
        let started = Instant::now();
        let ini = self.charon(initiator);
        // swanctl waits for the result; a refusal ends it at once, a lost exchange after
        // `--timeout` seconds (charon keeps retrying, which the polling below bounds).
        let secs = NEGOTIATION_TIMEOUT.as_secs().to_string();
        let out = ini.swanctl(&[
            "--initiate",
            "--ike",
            ike,
            "--child",
            child,
            "--timeout",
            &secs,
        ])?;
        let mut transcript = format!(
            "swanctl --initiate --ike {ike} --child {child} (from {}): {}\n{}{}",
            self.netns(initiator),
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let sa = loop {
            let sa = self.ike_sa(initiator, ike)?;
            let state = sa.as_ref().map(|s| s.get("state").unwrap_or(""));
            match state {
                Some("ESTABLISHED") | None => break sa,
                Some(_) if started.elapsed() >= NEGOTIATION_TIMEOUT => break sa,
                Some(_) => thread::sleep(Duration::from_millis(100)),
            }
        };
        let took = started.elapsed();
        let established = sa.as_ref().and_then(|s| s.get("state")) == Some("ESTABLISHED");
        let mut responder_established = false;
        if established {
            responder_established = self
                .list_sas(responder)?
                .iter()
                .any(|s| s.get("state") == Some("ESTABLISHED"));
            let out = ini.swanctl(&["--initiate", "--child", child, "--timeout", &secs])?;
            transcript.push_str(&format!(
                "swanctl --initiate --child {child} (CREATE_CHILD_SA): {}\n",
                out.status
            ));
        } else if let Some(sa) = &sa {
            // Still connecting at the deadline: stop it, so it cannot come up later.
            if let Some(id) = sa.get("uniqueid") {
                let _ = ini.swanctl(&["--terminate", "--ike-id", id, "--force", "--timeout", "2"]);
            }
        }
        let logs = [Side::A, Side::B].map(|s| {
            let log = self.log(s);
            log.get(offsets[s.index()]..).unwrap_or("").to_owned()
        });
        let responder_log = &logs[responder.index()];
        let esp_selected = responder_log
            .lines()
            .filter_map(|l| l.split_once("selected proposal: ESP:"))
            .map(|(_, p)| p.trim().to_owned())
            .collect();
        // A refusal in the CREATE_CHILD_SA (after the IKE SA is up) is one of the ESP proposal.
        let esp_refused = established
            && responder_log
                .split_once("CREATE_CHILD_SA request")
                .is_some_and(|(_, after)| after.contains("no acceptable proposal found"));
        for side in [Side::A, Side::B] {
            transcript.push_str(&format!("--- {} ({side:?}) log:\n", self.netns(side)));
            for line in logs[side.index()].lines().filter(|l| is_telling(l)) {
                transcript.push_str(line);
                transcript.push('\n');
            }
        }
        Ok(Negotiation {
            established,
            responder_established,
            ike_version: sa
                .as_ref()
                .and_then(|s| s.get("version"))
                .and_then(|v| v.parse().ok()),
            algorithms: sa.as_ref().filter(|_| established).map(|s| IkeAlgorithms {
                encr: match s.get("encr-keysize") {
                    Some(bits) => format!("{}-{bits}", s.get("encr-alg").unwrap_or("")),
                    None => s.get("encr-alg").unwrap_or("").to_owned(),
                },
                integ: s.get("integ-alg").unwrap_or("").to_owned(),
                prf: s.get("prf-alg").unwrap_or("").to_owned(),
                dh: s.get("dh-group").unwrap_or("").to_owned(),
            }),
            esp_selected,
            esp_refused,
            took,
            transcript,
        })
    }

    /// Closes every IKE SA of `side`, without waiting for the peer.
    fn terminate_all(&self, side: Side) -> Result<()> {
        let charon = self.charon(side);
        for sa in self.list_sas(side)? {
            if let Some(id) = sa.get("uniqueid") {
                let _ =
                    charon.swanctl(&["--terminate", "--ike-id", id, "--force", "--timeout", "2"]);
            }
        }
        Ok(())
    }

    /// The IKE SA named `name` on `side`, if any.
    fn ike_sa(&self, side: Side, name: &str) -> Result<Option<RawSa>> {
        Ok(self.list_sas(side)?.into_iter().find(|s| s.name == name))
    }

    /// `swanctl --list-sas --raw`: one `list-sa event {NAME {key=value … child-sas {…}}}` line
    /// per IKE SA.
    fn list_sas(&self, side: Side) -> Result<Vec<RawSa>> {
        let out = self.charon(side).swanctl(&["--list-sas", "--raw"])?;
        if !out.status.success() {
            bail!(
                "swanctl --list-sas in {} failed: {}",
                self.netns(side),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Ok(String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(RawSa::parse)
            .collect())
    }
}

impl Drop for IkeLab {
    fn drop(&mut self) {
        for charon in &mut self.charons {
            stop(&mut charon.child);
        }
        for ns in &self.netns {
            // Deleting the namespace deletes its veth end, and so the pair.
            let _ = run("ip", &["netns", "del", ns]);
        }
    }
}

/// SIGTERM, a short grace for charon to close its SAs, then SIGKILL.
fn stop(child: &mut Child) {
    if let Ok(Some(_)) = child.try_wait() {
        return;
    }
    let _ = run("kill", &["-TERM", &child.id().to_string()]);
    let deadline = Instant::now() + Duration::from_secs(3);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// One IKE SA of `swanctl --list-sas --raw`: its name and top-level `key=value` pairs.
#[derive(Clone, Debug)]
struct RawSa {
    name: String,
    fields: Vec<(String, String)>,
}

impl RawSa {
    fn parse(line: &str) -> Option<Self> {
        let body = line.strip_prefix("list-sa event {")?;
        let (name, rest) = body.split_once(" {")?;
        // The IKE SA's own fields end where `child-sas {` begins.
        let own = rest.split(" child-sas {").next().unwrap_or(rest);
        let fields = own
            .split_whitespace()
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        Some(Self {
            name: name.trim().to_owned(),
            fields,
        })
    }

    fn get(&self, key: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// Log lines worth showing when a negotiation does not go as expected.
fn is_telling(line: &str) -> bool {
    [
        "selected proposal",
        "no acceptable proposal",
        "received proposals",
        "configured proposals",
        "state change",
        "authentication of",
        "AUTHENTICATION_FAILED",
        "NO_PROPOSAL_CHOSEN",
        "INVALID_KE_PAYLOAD",
        "no matching peer config",
        "looking for peer configs",
        "no shared key",
        "MAC mismatched",
        "verification of AUTH",
        "establishing CHILD_SA",
        "unable to install",
        "Protocol not supported",
        "failed",
    ]
    .iter()
    .any(|m| line.contains(m))
}

/// The strongswan.conf of one charon: its own VICI socket and log in `dir`, no bypass of LAN
/// traffic (it would install policies on the veth), only the plugins the tests need (a default
/// charon tries dozens Debian does not ship and logs each).
fn strongswan_conf(dir: &Path) -> String {
    let d = dir.display();
    format!(
        r#"# Written by tests/common/ike.rs for one test charon.
charon {{
    load = random nonce openssl pem pkcs1 x509 pubkey sha1 sha2 md5 hmac aes des gmp kdf kernel-netlink socket-default vici
    install_routes = no
    install_virtual_ip = no
    retransmit_tries = 3
    filelog {{
        test {{
            path = {d}/charon.log
            default = 1
            ike = 2
            cfg = 2
            flush_line = yes
            time_format = %T
        }}
    }}
    syslog {{
        daemon {{
            default = -1
        }}
    }}
    plugins {{
        vici {{
            socket = unix://{d}/charon.vici
        }}
        bypass-lan {{
            load = no
        }}
    }}
}}
swanctl {{
    load = random nonce openssl pem pkcs1 x509 pubkey
}}
"#
    )
}

/// Deletes the namespaces (and stops the charons in them) that an earlier test process of this
/// harness left behind when it was killed; its pid is in the name. Once per process.
fn sweep_stale_namespaces() {
    static SWEPT: OnceLock<()> = OnceLock::new();
    SWEPT.get_or_init(|| {
        let Ok(list) = run("ip", &["netns", "list"]) else {
            return;
        };
        for name in list.lines().filter_map(|l| l.split_whitespace().next()) {
            let Some(rest) = name.strip_prefix(NETNS_PREFIX) else {
                continue;
            };
            let Some(pid) = rest.split('-').next().and_then(|p| p.parse::<u32>().ok()) else {
                continue;
            };
            if super::is_alive(pid) {
                continue;
            }
            if let Ok(pids) = run("ip", &["netns", "pids", name]) {
                for p in pids.split_whitespace() {
                    let _ = run("kill", &["-KILL", p]);
                }
            }
            let _ = run("ip", &["netns", "del", name]);
        }
    });
}

/// Runs a command; fails with its output unless it exits 0.
fn run(program: &str, args: &[&str]) -> Result<String> {
    let out = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("running {program}"))?;
    if !out.status.success() {
        return Err(anyhow!(
            "`{program} {}` failed ({}): {}{}",
            args.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

// ---------------------------------------------------------------------------------------------
// FRR
// ---------------------------------------------------------------------------------------------

/// FRR's own check of a configuration (`vtysh --dryrun`, Debian frr; no daemon needed):
/// `Ok(Ok(()))` when FRR accepts it, `Ok(Err(what FRR said))` when it does not, `Err` when the
/// check cannot run (no vtysh).
pub fn frr_check(config: &str) -> Result<std::result::Result<(), String>> {
    let dir = tempfile::Builder::new()
        .prefix("hybridnet-frr-")
        .tempdir()?;
    let path = dir.path().join("frr.conf");
    fs::write(&path, config)?;
    let out = Command::new("vtysh")
        .arg("--dryrun")
        .arg("--inputfile")
        .arg(&path)
        .stdin(Stdio::null())
        .output()
        .context("running vtysh (Debian frr; scripts/ensure-tools.sh installs it as root)")?;
    if out.status.success() {
        Ok(Ok(()))
    } else {
        Ok(Err(format!(
            "vtysh --dryrun: {}\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )))
    }
}
