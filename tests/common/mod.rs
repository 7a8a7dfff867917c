//! Harness shared by the acceptance tests: the real Terraform CLI drives the real provider binary
//! against a `hybridnet-sandbox` process.
//!
//! - [`terraform_bins`]: which Terraform binaries to test with (`HYBRIDNET_TF_BINS`, else the
//!   one `scripts/ensure-tools.sh` installs plus `terraform` on PATH).
//! - [`Sandbox`]: a sandbox process on a free port with its own state file; killed on drop.
//! - [`TfWorkdir`]: a temp dir with `main.tf` and a CLI config whose `dev_overrides` point
//!   `hybridnet/hybridnet` at the provider binary Cargo built. `terraform init` is never run:
//!   with dev overrides it would ask the registry and fail offline
//!   (docs/design/plugin-protocol.md §6).
//!
//! Everything here is synchronous (it runs child processes); do not call it from inside an
//! async runtime. Failures panic with the full Terraform output, since that is what one needs
//! to see when an acceptance test breaks.

// Each integration test compiles its own copy of this module and uses only part of it.
#![allow(dead_code)]

pub mod cloud_end;
pub mod ike;
pub mod ledger;

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::fs;
use std::io::{BufRead, BufReader, Read};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Mutex, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context};
use hybridnet::signer::acs3;
use hybridnet::signer::jdcloud::{self, SigningParams, Version};
use hybridnet::signer::{Credentials, SignableRequest};
use serde_json::Value;

/// Source address the test configurations use; `dev_overrides` maps it to the local build.
pub const PROVIDER_SOURCE: &str = "hybridnet/hybridnet";
/// Credentials the sandbox accepts unless started with others.
pub const SANDBOX_ACCESS_KEY: &str = "sandbox-ak";
pub const SANDBOX_SECRET_KEY: &str = "sandbox-sk";
pub const JDCLOUD_REGION: &str = "cn-north-1";
pub const ALICLOUD_REGION: &str = "cn-hangzhou";

/// How long one Terraform command may run before it is killed (override:
/// `HYBRIDNET_TF_TIMEOUT_SECS`). Generous: it only has to catch a hung provider.
const DEFAULT_TF_TIMEOUT: Duration = Duration::from_secs(300);
/// How long the sandbox may take to print its URL.
const SANDBOX_START_TIMEOUT: Duration = Duration::from_secs(20);

/// Inherited variables with these prefixes are removed from every Terraform run, so a
/// developer's `TF_LOG`, `TF_CLI_ARGS`, real cloud credentials or endpoints cannot leak in.
/// A test sets what it wants with [`TfWorkdir::env`].
const SCRUBBED_ENV_PREFIXES: &[&str] =
    &["TF_", "JDCLOUD_", "ALICLOUD_", "HYBRIDNET_", "CHECKPOINT_"];

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

// ---------------------------------------------------------------------------------------------
// Terraform binaries
// ---------------------------------------------------------------------------------------------

/// The Terraform binaries every acceptance test runs against.
///
/// `HYBRIDNET_TF_BINS` (colon-separated paths) wins; otherwise `.tools/terraform-1.0.3/terraform`
/// if present, plus `terraform` on PATH. Binaries printing the same `terraform version` are
/// tested once. Panics when there is none.
pub fn terraform_bins() -> Vec<PathBuf> {
    static BINS: OnceLock<Vec<PathBuf>> = OnceLock::new();
    BINS.get_or_init(|| {
        let candidates: Vec<PathBuf> = match std::env::var("HYBRIDNET_TF_BINS") {
            Ok(list) if !list.trim().is_empty() => {
                let listed: Vec<PathBuf> = list
                    .split(':')
                    .filter(|s| !s.is_empty())
                    .map(PathBuf::from)
                    .collect();
                for bin in &listed {
                    assert!(
                        bin.is_file(),
                        "HYBRIDNET_TF_BINS names {}, which does not exist",
                        bin.display()
                    );
                }
                listed
            }
            _ => {
                let mut found = Vec::new();
                let tools = repo_root().join(".tools/terraform-1.0.3/terraform");
                if tools.is_file() {
                    found.push(tools);
                }
                if let Some(on_path) = find_on_path("terraform") {
                    found.push(on_path);
                }
                found
            }
        };
        let mut seen = HashSet::new();
        let bins: Vec<PathBuf> = candidates
            .into_iter()
            .filter(|bin| seen.insert(terraform_version(bin)))
            .collect();
        assert!(
            !bins.is_empty(),
            "no Terraform binary found: run scripts/ensure-tools.sh (installs \
             .tools/terraform-1.0.3/terraform) or set HYBRIDNET_TF_BINS"
        );
        bins
    })
    .clone()
}

/// First line of `terraform version`, e.g. `Terraform v1.0.3` (cached per path).
pub fn terraform_version(bin: &Path) -> String {
    static CACHE: OnceLock<Mutex<Vec<(PathBuf, String)>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(Vec::new()));
    let mut cache = cache.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, v)) = cache.iter().find(|(p, _)| p == bin) {
        return v.clone();
    }
    let out = Command::new(bin)
        .arg("version")
        .env("CHECKPOINT_DISABLE", "1")
        .env("TF_CLI_CONFIG_FILE", "/dev/null")
        .env_remove("TF_LOG")
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {} version: {e}", bin.display()));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let version = stdout.lines().next().unwrap_or("").trim().to_owned();
    assert!(
        out.status.success() && version.starts_with("Terraform v"),
        "{} version failed ({}): {stdout}{}",
        bin.display(),
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    cache.push((bin.to_owned(), version.clone()));
    version
}

fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

// ---------------------------------------------------------------------------------------------
// Sandbox
// ---------------------------------------------------------------------------------------------

/// A running `hybridnet-sandbox` on `127.0.0.1:<free port>` with a state file in its own temp
/// dir. Killed when dropped.
pub struct Sandbox {
    child: Child,
    url: String,
    /// The arguments it was started with, for [`Sandbox::restart`].
    extra: Vec<String>,
    dir: tempfile::TempDir,
    credentials: Credentials,
    rt: tokio::runtime::Runtime,
    http: reqwest::Client,
}

impl Sandbox {
    /// Starts a sandbox with default credentials (`sandbox-ak` / `sandbox-sk`).
    pub fn start() -> Self {
        Self::start_with_args(&[])
    }

    /// Starts a sandbox with extra command-line arguments (e.g. `--faults`, `--access-key`).
    pub fn start_with_args(extra: &[&str]) -> Self {
        Self::try_start(extra).unwrap_or_else(|e| panic!("starting hybridnet-sandbox: {e:#}"))
    }

    fn try_start(extra: &[&str]) -> anyhow::Result<Self> {
        let dir = tempfile::Builder::new()
            .prefix("hybridnet-sandbox-")
            .tempdir()?;
        let (child, url) = Self::spawn(dir.path(), "127.0.0.1:0", extra)?;
        let credentials = Credentials::new(
            flag_value(extra, "--access-key").unwrap_or(SANDBOX_ACCESS_KEY),
            flag_value(extra, "--secret-key").unwrap_or(SANDBOX_SECRET_KEY),
        );
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            // The tests' own admin calls; the provider's trust is what TLS tests check.
            .danger_accept_invalid_certs(true)
            .build()?;
        Ok(Self {
            child,
            url,
            extra: extra.iter().map(|s| (*s).to_owned()).collect(),
            dir,
            credentials,
            rt,
            http,
        })
    }

    /// Kills the sandbox (as a crash or an outage would): connections are refused until
    /// [`Sandbox::restart`].
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Starts the sandbox again on the same address with the same state file and arguments.
    pub fn restart(&mut self) {
        self.kill();
        let listen = self
            .url
            .trim_start_matches("http://")
            .trim_start_matches("https://")
            .to_owned();
        let extra: Vec<&str> = self.extra.iter().map(String::as_str).collect();
        let (child, url) = Self::spawn(self.dir.path(), &listen, &extra)
            .unwrap_or_else(|e| panic!("restarting hybridnet-sandbox: {e:#}"));
        assert_eq!(url, self.url, "the sandbox came back elsewhere");
        self.child = child;
    }

    /// Spawns the binary with its state and log in `dir`; returns it and its URL.
    fn spawn(dir: &Path, listen: &str, extra: &[&str]) -> anyhow::Result<(Child, String)> {
        let state = dir.join("sandbox.db");
        let log_path = dir.join("sandbox.log");
        let log = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log_path)?;
        let mut child = Command::new(env!("CARGO_BIN_EXE_hybridnet-sandbox"))
            .arg("--listen")
            .arg(listen)
            .arg("--state")
            .arg(&state)
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            // A file, not a pipe: nobody reads the logs while the test runs, and a full pipe
            // would block the sandbox.
            .stderr(Stdio::from(log))
            .spawn()
            .context("spawning hybridnet-sandbox")?;

        let stdout = child.stdout.take().context("sandbox stdout")?;
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut first = String::new();
            let _ = tx.send(reader.read_line(&mut first).map(|_| first));
            // Keep draining so the sandbox never blocks on a full stdout pipe.
            let _ = std::io::copy(&mut reader, &mut std::io::sink());
        });
        let first = match rx.recv_timeout(SANDBOX_START_TIMEOUT) {
            Ok(Ok(line)) => line,
            Ok(Err(e)) => {
                let _ = child.kill();
                bail!("reading the sandbox URL: {e}");
            }
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                bail!(
                    "the sandbox printed no URL within {SANDBOX_START_TIMEOUT:?}; its log:\n{}",
                    fs::read_to_string(&log_path).unwrap_or_default()
                );
            }
        };
        let url = first.trim().trim_end_matches('/').to_owned();
        if !url.starts_with("http://") && !url.starts_with("https://") {
            let _ = child.kill();
            let _ = child.wait();
            bail!(
                "the sandbox's first line is not a URL: {first:?}; its log:\n{}",
                fs::read_to_string(&log_path).unwrap_or_default()
            );
        }
        Ok((child, url))
    }

    /// Base URL, `http://127.0.0.1:PORT` (no trailing slash).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// `host:port` of the URL, as sent in the `Host` header.
    pub fn host(&self) -> &str {
        self.url
            .trim_start_matches("http://")
            .trim_start_matches("https://")
    }

    /// The credentials the sandbox was started with.
    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// The sandbox's stderr log so far.
    pub fn log(&self) -> String {
        fs::read_to_string(self.dir.path().join("sandbox.log")).unwrap_or_default()
    }

    /// `GET /_sandbox/state`: every resource of both clouds.
    pub fn state(&self) -> Value {
        self.admin("GET", "/_sandbox/state")
    }

    /// `GET /_sandbox/requests`: request counts per operation.
    pub fn requests(&self) -> Value {
        self.admin("GET", "/_sandbox/requests")
    }

    /// Calls to either cloud's API since `before` (a [`requests`](Self::requests) answer), per
    /// operation, as `scripts/bench` counts them: the sandbox's own endpoints and throttled
    /// calls (`rate_limit.rejected`) are not counted.
    pub fn api_calls_since(&self, before: &Value) -> BTreeMap<String, i64> {
        let now = self.requests();
        now.as_object()
            .into_iter()
            .flatten()
            .filter(|(k, _)| k.starts_with("jdcloud.") || k.starts_with("alicloud."))
            .map(|(k, n)| {
                let was = before[k.as_str()].as_i64().unwrap_or(0);
                (k.clone(), n.as_i64().unwrap_or(0) - was)
            })
            .filter(|(_, n)| *n != 0)
            .collect()
    }

    /// `POST /_sandbox/reset`: empties all state.
    pub fn reset(&self) {
        self.admin("POST", "/_sandbox/reset");
    }

    /// `POST /_sandbox/clock`: moves the sandbox's clock `ms` forward, so that what is pending
    /// (Alibaba bindings, modifications, route changes) and due settles on the next call,
    /// without waiting. Request dates are still checked against the real time.
    pub fn advance_clock(&self, ms: u64) -> Value {
        let body = serde_json::json!({ "advance_ms": ms })
            .to_string()
            .into_bytes();
        let headers = vec![("content-type".to_owned(), "application/json".to_owned())];
        let (status, answer) = self
            .send("POST", "/_sandbox/clock", "", headers, body)
            .unwrap_or_else(|e| panic!("POST /_sandbox/clock: {e:#}"));
        assert_eq!(
            status, 200,
            "POST /_sandbox/clock returned {status}: {answer}"
        );
        answer
    }

    /// Advances the clock past the sandbox's `--provisioning-ms`: every asynchronous Alibaba
    /// operation started so far is due.
    pub fn settle_pending(&self) {
        let extra: Vec<&str> = self.extra.iter().map(String::as_str).collect();
        let provisioning = flag_value(&extra, "--provisioning-ms")
            .map(|v| v.parse().expect("--provisioning-ms is a number"))
            .unwrap_or(hybridnet::sandbox::DEFAULT_PROVISIONING_MS);
        self.advance_clock(provisioning);
    }

    /// Resources of one JD Cloud kind as listed by `/_sandbox/state`, e.g. `customerGateways`
    /// (whatever key the sandbox uses); empty when the kind is absent.
    pub fn jd_resources(&self, kind: &str) -> Vec<Value> {
        self.state()["jdcloud"][kind]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    fn admin(&self, method: &str, path: &str) -> Value {
        let (status, body) = self
            .send(method, path, "", Vec::new(), Vec::new())
            .unwrap_or_else(|e| panic!("{method} {path}: {e:#}"));
        assert_eq!(status, 200, "{method} {path} returned {status}: {body}");
        body
    }

    /// A JD Cloud OpenAPI request signed like the provider signs (JDCLOUD2, service `bgw`,
    /// region from the `/v1/regions/{r}/` path), for tests that act behind Terraform's back.
    /// `query` is the raw query without `?`. Returns the status and the JSON body (a JSON
    /// string holding the raw text if the body is not JSON).
    pub fn jd_request(
        &self,
        method: &str,
        path: &str,
        query: &str,
        body: Option<&Value>,
    ) -> (u16, Value) {
        self.try_jd_request(method, path, query, body)
            .unwrap_or_else(|e| panic!("{method} {path}?{query}: {e:#}"))
    }

    fn try_jd_request(
        &self,
        method: &str,
        path: &str,
        query: &str,
        body: Option<&Value>,
    ) -> anyhow::Result<(u16, Value)> {
        // Serialise once: the signature covers exactly these bytes.
        let body = match body {
            Some(v) => serde_json::to_vec(v)?,
            None => Vec::new(),
        };
        let date = time::OffsetDateTime::now_utc().format(time::macros::format_description!(
            "[year][month][day]T[hour][minute][second]Z"
        ))?;
        let nonce = uuid::Uuid::new_v4().to_string();
        let mut headers = jdcloud::client_headers(&date, &nonce, self.host());
        let region = path
            .strip_prefix("/v1/regions/")
            .and_then(|rest| rest.split('/').next())
            .filter(|r| !r.is_empty())
            .unwrap_or("jdcloud-api");
        let signed = jdcloud::sign(
            &SignableRequest {
                method,
                path,
                query,
                headers: &headers,
                body: &body,
            },
            &SigningParams {
                credentials: &self.credentials,
                region,
                service: "bgw",
                date: &date,
                version: Version::V2,
            },
            jdcloud::DEFAULT_SIGNED_HEADERS,
        )
        .map_err(|e| anyhow!("signing: {e}"))?;
        headers.push(("authorization".to_owned(), signed.authorization));
        // reqwest sets Host from the URL itself (same value as the signed one).
        headers.retain(|(name, _)| name != "host");
        self.send(method, path, query, headers, body)
    }

    /// An Alibaba Cloud RPC call (`POST /?<params>`, action in `x-acs-action`) signed with
    /// ACS3-HMAC-SHA256 like the provider signs; `api_version` is e.g. `2016-04-28` (VPC).
    /// Returns the status and the JSON body.
    pub fn ali_request(
        &self,
        action: &str,
        api_version: &str,
        params: &[(&str, &str)],
    ) -> (u16, Value) {
        self.try_ali_request(action, api_version, params)
            .unwrap_or_else(|e| panic!("{action} {params:?}: {e:#}"))
    }

    fn try_ali_request(
        &self,
        action: &str,
        api_version: &str,
        params: &[(&str, &str)],
    ) -> anyhow::Result<(u16, Value)> {
        let query = params
            .iter()
            .map(|(k, v)| format!("{}={}", acs3::percent_encode(k), acs3::percent_encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let date = time::OffsetDateTime::now_utc().format(time::macros::format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second]Z"
        ))?;
        let nonce = uuid::Uuid::new_v4().to_string();
        let mut headers =
            acs3::client_headers(self.host(), action, api_version, &date, &nonce, b"");
        let signed = acs3::sign(
            &SignableRequest {
                method: "POST",
                path: "/",
                query: &query,
                headers: &headers,
                body: b"",
            },
            &self.credentials,
            acs3::DEFAULT_SIGNED_HEADERS,
        )
        .map_err(|e| anyhow!("signing: {e}"))?;
        headers.push(("authorization".to_owned(), signed.authorization));
        headers.retain(|(name, _)| name != "host");
        self.send("POST", "/", &query, headers, Vec::new())
    }

    fn send(
        &self,
        method: &str,
        path: &str,
        query: &str,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    ) -> anyhow::Result<(u16, Value)> {
        let mut url = format!("{}{path}", self.url);
        if !query.is_empty() {
            url.push('?');
            url.push_str(query);
        }
        let method = reqwest::Method::from_bytes(method.as_bytes())?;
        let mut request = self.http.request(method, &url).body(body);
        for (name, value) in headers {
            request = request.header(name, value);
        }
        self.rt.block_on(async {
            let response = request.send().await.context("sending")?;
            let status = response.status().as_u16();
            let text = response.text().await.context("reading body")?;
            let value = serde_json::from_str(&text).unwrap_or_else(|_| Value::String(text.clone()));
            Ok((status, value))
        })
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn flag_value<'a>(args: &[&'a str], flag: &str) -> Option<&'a str> {
    args.iter()
        .position(|a| *a == flag)
        .and_then(|i| args.get(i + 1).copied())
}

// ---------------------------------------------------------------------------------------------
// Terraform working directory
// ---------------------------------------------------------------------------------------------

/// What one Terraform command did.
#[derive(Debug, Clone)]
pub struct TfOutput {
    /// The command line after `terraform`.
    pub args: Vec<String>,
    /// Exit code; -1 when killed by a signal or the timeout.
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub timed_out: bool,
}

impl TfOutput {
    pub fn success(&self) -> bool {
        self.code == 0 && !self.timed_out
    }

    /// stdout followed by stderr, for `contains` checks on messages.
    pub fn combined(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }
}

impl fmt::Display for TfOutput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let outcome = if self.timed_out {
            "timed out and was killed".to_owned()
        } else {
            format!("exited with {}", self.code)
        };
        write!(
            f,
            "`terraform {}` {outcome}\n----- stdout -----\n{}\n----- stderr -----\n{}\n------------------",
            self.args.join(" "),
            self.stdout.trim_end(),
            self.stderr.trim_end()
        )
    }
}

/// One Terraform working directory: `main.tf`, a CLI config with `dev_overrides`, and the
/// environment that points the provider at a [`Sandbox`].
///
/// The configuration lives two levels down a temp dir (`<tmp>/examples/root`) next to
/// `<tmp>/modules`, a link to the repository's `modules/`: the scenario examples call the modules
/// as `../../modules/<name>`, and so do tests. A `main.tf` with a `module` block gets
/// `terraform get` (local modules only; no init, no registry).
pub struct TfWorkdir {
    /// The temp dir holding the working directory, the CLI config and the modules link.
    _root: tempfile::TempDir,
    dir: PathBuf,
    terraform: PathBuf,
    version: String,
    env: Vec<(String, String)>,
    timeout: Duration,
}

impl TfWorkdir {
    /// A fresh directory for `terraform` talking to `sandbox`, with `main_tf` written.
    pub fn new(terraform: &Path, sandbox: &Sandbox, main_tf: &str) -> Self {
        let root = tempfile::Builder::new()
            .prefix("hybridnet-tf-")
            .tempdir()
            .unwrap_or_else(|e| panic!("creating a temp dir: {e}"));
        let dir = root.path().join("examples").join("root");
        fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("creating {}: {e}", dir.display()));
        std::os::unix::fs::symlink(repo_root().join("modules"), root.path().join("modules"))
            .unwrap_or_else(|e| panic!("linking modules/ into {}: {e}", root.path().display()));
        let provider_dir = Path::new(env!("CARGO_BIN_EXE_terraform-provider-hybridnet"))
            .parent()
            .unwrap_or_else(|| panic!("provider binary path has no parent"))
            .to_owned();
        let cli_config = root.path().join("cli.tfrc");
        write_file(&cli_config, &dev_overrides_config(&provider_dir));

        let url = sandbox.url().to_owned();
        let ak = sandbox.credentials().access_key_id().to_owned();
        let sk = sandbox.credentials().secret().to_owned();
        let env = [
            ("TF_CLI_CONFIG_FILE", cli_config.display().to_string()),
            ("CHECKPOINT_DISABLE", "1".to_owned()),
            ("TF_IN_AUTOMATION", "1".to_owned()),
            ("HYBRIDNET_JDCLOUD_ENDPOINT", url.clone()),
            ("JDCLOUD_ACCESS_KEY", ak.clone()),
            ("JDCLOUD_SECRET_KEY", sk.clone()),
            ("JDCLOUD_REGION", JDCLOUD_REGION.to_owned()),
            ("HYBRIDNET_ALICLOUD_ENDPOINT", url),
            ("ALICLOUD_ACCESS_KEY", ak),
            ("ALICLOUD_SECRET_KEY", sk),
            ("ALICLOUD_REGION", ALICLOUD_REGION.to_owned()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();

        let timeout = std::env::var("HYBRIDNET_TF_TIMEOUT_SECS")
            .ok()
            .and_then(|s| s.parse().ok())
            .map_or(DEFAULT_TF_TIMEOUT, Duration::from_secs);
        let workdir = Self {
            _root: root,
            dir,
            terraform: terraform.to_owned(),
            version: terraform_version(terraform),
            env,
            timeout,
        };
        workdir.write_main(main_tf);
        workdir
    }

    /// The working directory.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// `Terraform vX.Y.Z` of the binary this directory runs.
    pub fn terraform_version(&self) -> &str {
        &self.version
    }

    /// Sets (or replaces) an environment variable for every later command, e.g. `TF_LOG`.
    pub fn env(&mut self, key: &str, value: &str) -> &mut Self {
        self.env.retain(|(k, _)| k != key);
        self.env.push((key.to_owned(), value.to_owned()));
        self
    }

    /// Removes a variable this harness would otherwise set (e.g. `JDCLOUD_ACCESS_KEY`).
    pub fn unset_env(&mut self, key: &str) -> &mut Self {
        self.env.retain(|(k, _)| k != key);
        self
    }

    /// Replaces `main.tf`; installs its modules when it calls any.
    pub fn write_main(&self, main_tf: &str) {
        write_file(&self.path().join("main.tf"), main_tf);
        if calls_modules(main_tf) {
            self.run_ok(&["get", "-no-color"]);
        }
    }

    /// Writes another file into the working directory (e.g. `moved.tf`, `terraform.tfvars.json`).
    pub fn write_file(&self, name: &str, contents: &str) {
        write_file(&self.path().join(name), contents);
    }

    /// Runs `terraform <args>` in the directory; never panics on a non-zero exit.
    pub fn run(&self, args: &[&str]) -> TfOutput {
        let mut cmd = Command::new(&self.terraform);
        cmd.args(args).current_dir(self.path());
        for (key, _) in std::env::vars_os() {
            let name = key.to_string_lossy();
            if SCRUBBED_ENV_PREFIXES.iter().any(|p| name.starts_with(p)) {
                cmd.env_remove(&key);
            }
        }
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        run_with_timeout(cmd, args, self.timeout)
            .unwrap_or_else(|e| panic!("running {} {args:?}: {e:#}", self.terraform.display()))
    }

    /// Starts `terraform <args>` without waiting, its output going to `<dir>/<name>.out` (see
    /// [`TfWorkdir::output_of`]): for tests that kill it or act while it runs.
    pub fn spawn(&self, name: &str, args: &[&str]) -> Child {
        let mut cmd = Command::new(&self.terraform);
        cmd.args(args).current_dir(self.path());
        for (key, _) in std::env::vars_os() {
            let name = key.to_string_lossy();
            if SCRUBBED_ENV_PREFIXES.iter().any(|p| name.starts_with(p)) {
                cmd.env_remove(&key);
            }
        }
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        let out = fs::File::create(self.path().join(format!("{name}.out")))
            .unwrap_or_else(|e| panic!("creating {name}.out: {e}"));
        let err = out
            .try_clone()
            .unwrap_or_else(|e| panic!("cloning {name}.out: {e}"));
        cmd.stdin(Stdio::null())
            .stdout(Stdio::from(out))
            .stderr(Stdio::from(err))
            .spawn()
            .unwrap_or_else(|e| panic!("spawning terraform {args:?}: {e}"))
    }

    /// What a command started with [`TfWorkdir::spawn`] printed so far.
    pub fn output_of(&self, name: &str) -> String {
        fs::read_to_string(self.path().join(format!("{name}.out"))).unwrap_or_default()
    }

    /// Runs `terraform <args>` and panics, with the full output, unless it exits 0.
    pub fn run_ok(&self, args: &[&str]) -> TfOutput {
        let out = self.run(args);
        assert!(
            out.success(),
            "{} in {}:\n{out}",
            self.version,
            self.path().display()
        );
        out
    }

    /// Runs `terraform <args>` and panics, with the full output, unless it fails (exit 1).
    pub fn run_err(&self, args: &[&str]) -> TfOutput {
        let out = self.run(args);
        assert!(
            out.code == 1 && !out.timed_out,
            "expected failure (exit 1) with {} in {}:\n{out}",
            self.version,
            self.path().display()
        );
        out
    }

    /// `terraform apply -auto-approve -input=false -no-color`; must succeed.
    pub fn apply(&self) -> TfOutput {
        self.run_ok(&["apply", "-auto-approve", "-input=false", "-no-color"])
    }

    /// Same as [`apply`](Self::apply) but must fail; returns the output to check the error.
    pub fn apply_err(&self) -> TfOutput {
        self.run_err(&["apply", "-auto-approve", "-input=false", "-no-color"])
    }

    /// `terraform plan -detailed-exitcode -input=false -no-color`: 0 = no changes, 2 = changes.
    /// Panics (with the output) on an error.
    pub fn plan_detailed(&self) -> i32 {
        self.plan_detailed_output().code
    }

    /// Like [`plan_detailed`](Self::plan_detailed), returning the whole output.
    pub fn plan_detailed_output(&self) -> TfOutput {
        let out = self.run(&["plan", "-detailed-exitcode", "-input=false", "-no-color"]);
        assert!(
            (out.code == 0 || out.code == 2) && !out.timed_out,
            "plan failed with {} in {}:\n{out}",
            self.version,
            self.path().display()
        );
        out
    }

    /// `terraform destroy -auto-approve -input=false -no-color`; must succeed.
    pub fn destroy(&self) -> TfOutput {
        self.run_ok(&["destroy", "-auto-approve", "-input=false", "-no-color"])
    }

    /// `terraform import -input=false -no-color <addr> <id>`; must succeed.
    pub fn import(&self, addr: &str, id: &str) -> TfOutput {
        self.run_ok(&["import", "-input=false", "-no-color", addr, id])
    }

    /// How many managed resources the state holds (`terraform state list` without the data
    /// sources: `data.…` at the root, `module.….data.…` in modules).
    pub fn managed_resources(&self) -> usize {
        let out = self.run_ok(&["state", "list"]);
        out.stdout
            .lines()
            .filter(|l| !l.is_empty() && !l.starts_with("data.") && !l.contains(".data."))
            .count()
    }

    /// `terraform show -json`: state as Terraform presents it (`values.root_module.resources`).
    pub fn show_json(&self) -> Value {
        let out = self.run_ok(&["show", "-json", "-no-color"]);
        parse_json_output(&out)
    }

    /// `terraform output -json`: `{"name": {"value": .., "type": .., "sensitive": ..}}`.
    pub fn output_json(&self) -> Value {
        let out = self.run_ok(&["output", "-json", "-no-color"]);
        parse_json_output(&out)
    }

    /// The raw `terraform.tfstate` file (schema versions, private data included); `Null` when
    /// there is none yet.
    pub fn state_json(&self) -> Value {
        let path = self.path().join("terraform.tfstate");
        match fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("{} is not JSON: {e}\n{text}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Value::Null,
            Err(e) => panic!("reading {}: {e}", path.display()),
        }
    }

    /// The `values` of the resource at `addr` (e.g. `hybridnet_jdcloud_customer_gateway.idc`)
    /// from `terraform show -json`; panics if it is not in the state.
    pub fn resource_values(&self, addr: &str) -> Value {
        let shown = self.show_json();
        shown["values"]["root_module"]["resources"]
            .as_array()
            .and_then(|rs| rs.iter().find(|r| r["address"] == addr))
            .map(|r| r["values"].clone())
            .unwrap_or_else(|| panic!("{addr} is not in the state: {shown:#}"))
    }
}

/// Pids of the live processes whose parent is `pid` (from `/proc`).
pub fn children_of(pid: u32) -> Vec<u32> {
    let mut out = Vec::new();
    for entry in fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(child) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // "pid (comm) state ppid …": comm may hold spaces, so split after its ')'.
        let fields: Vec<&str> = stat
            .rsplit_once(')')
            .map(|(_, rest)| rest.split_whitespace().collect())
            .unwrap_or_default();
        if fields.first() != Some(&"Z") && fields.get(1) == Some(&pid.to_string().as_str()) {
            out.push(child);
        }
    }
    out
}

/// `pid`'s live descendants, children first.
pub fn descendants_of(pid: u32) -> Vec<u32> {
    let mut out = Vec::new();
    let mut queue = vec![pid];
    while let Some(p) = queue.pop() {
        for child in children_of(p) {
            out.push(child);
            queue.push(child);
        }
    }
    out
}

/// The provider processes `terraform` (pid) started, with their parents: Terraform 1.0 runs
/// its core in a child of the process we started (panicwrap), newer versions in that process.
pub fn providers_of(terraform: u32) -> Vec<(u32, u32)> {
    let mut all = vec![terraform];
    all.extend(descendants_of(terraform));
    all.iter()
        .flat_map(|parent| {
            children_of(*parent)
                .into_iter()
                .filter(|p| process_name(*p).starts_with("terraform-provi"))
                .map(move |p| (p, *parent))
        })
        .collect()
}

/// SIGKILLs `pid` and every Terraform process under it, leaving the providers they started to
/// notice on their own.
pub fn kill_terraform(pid: u32) {
    let mut victims: Vec<u32> = descendants_of(pid)
        .into_iter()
        .filter(|p| process_name(*p) == "terraform")
        .collect();
    victims.push(pid);
    for v in victims {
        let _ = Command::new("kill")
            .args(["-KILL", &v.to_string()])
            .status();
    }
}

/// Whether process `pid` exists and is not a zombie.
pub fn is_alive(pid: u32) -> bool {
    fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|stat| {
            stat.rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().next().map(|s| s != "Z"))
        })
        .unwrap_or(false)
}

/// The executable name of process `pid` (`/proc/<pid>/comm`).
pub fn process_name(pid: u32) -> String {
    fs::read_to_string(format!("/proc/{pid}/comm"))
        .map(|s| s.trim().to_owned())
        .unwrap_or_default()
}

/// The CLI configuration: our provider from the local build, everything else as usual.
pub fn dev_overrides_config(provider_dir: &Path) -> String {
    format!(
        "provider_installation {{\n  dev_overrides {{\n    \"{PROVIDER_SOURCE}\" = \"{}\"\n  }}\n  direct {{}}\n}}\n",
        provider_dir.display()
    )
}

/// The `terraform { required_providers }` block plus `provider "hybridnet" {}`; prepend it to a
/// test configuration that takes credentials from the environment.
pub fn provider_preamble() -> String {
    format!(
        "terraform {{\n  required_providers {{\n    hybridnet = {{\n      source = \"{PROVIDER_SOURCE}\"\n    }}\n  }}\n}}\n\nprovider \"hybridnet\" {{}}\n"
    )
}

/// Whether a configuration has a `module` block (which `terraform get` must install first).
pub fn calls_modules(config: &str) -> bool {
    config
        .lines()
        .any(|l| l.trim_start().starts_with("module \""))
}

fn write_file(path: &Path, contents: &str) {
    fs::write(path, contents).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
}

fn parse_json_output(out: &TfOutput) -> Value {
    // Terraform prints warnings (e.g. about dev_overrides) on stderr, but be lenient about a
    // stray line before the document.
    let text = out.stdout.trim();
    serde_json::from_str(text)
        .or_else(|e| match text.find('{') {
            Some(start) => serde_json::from_str(&text[start..]),
            None => Err(e),
        })
        .unwrap_or_else(|e| panic!("output is not JSON ({e}):\n{out}"))
}

/// Runs `cmd`, capturing both streams, killing it (and the providers it started, which share
/// its process group) after `timeout`.
fn run_with_timeout(
    mut cmd: Command,
    args: &[&str],
    timeout: Duration,
) -> anyhow::Result<TfOutput> {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    let mut child = cmd.spawn()?;
    let stdout = reader_thread(child.stdout.take().context("stdout")?);
    let stderr = reader_thread(child.stderr.take().context("stderr")?);
    let deadline = Instant::now() + timeout;
    let mut timed_out = false;
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if Instant::now() >= deadline {
            timed_out = true;
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", child.id())])
                .status();
            let _ = child.kill();
            break child.wait()?;
        }
        thread::sleep(Duration::from_millis(20));
    };
    let join = |h: thread::JoinHandle<Vec<u8>>| {
        String::from_utf8_lossy(&h.join().unwrap_or_default()).into_owned()
    };
    Ok(TfOutput {
        args: args.iter().map(|s| (*s).to_owned()).collect(),
        code: status.code().unwrap_or(-1),
        stdout: join(stdout),
        stderr: join(stderr),
        timed_out,
    })
}

fn reader_thread(mut source: impl Read + Send + 'static) -> thread::JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = source.read_to_end(&mut buf);
        buf
    })
}
