//! `hybridnet-sandbox`: serves the JD Cloud and Alibaba Cloud emulator on one port.
//!
//! Prints its base URL (`http://127.0.0.1:PORT`) as the first line on stdout, then serves until
//! SIGTERM/SIGINT. Logs go to stderr (filter: `HYBRIDNET_SANDBOX_LOG`, default `info`).

use std::io::Write;
use std::path::PathBuf;

use anyhow::{bail, Context};
use hybridnet::sandbox::{self, FaultPlan, SandboxConfig, SandboxState};
use hybridnet::signer::Credentials;
use tracing_subscriber::EnvFilter;

const USAGE: &str = "usage: hybridnet-sandbox [--listen ADDR] [--state FILE] \
[--access-key AK --secret-key SK] [--faults JSON] [--rate-limit N] [--provisioning-ms N] \
[--no-quotas] [--tls-cert PEM --tls-key PEM] [--security-token TOKEN]

  --listen ADDR      address to bind (default 127.0.0.1:0)
  --state FILE       SQLite state file (default: in memory, lost on exit)
  --access-key AK    access key id requests must be signed with (default sandbox-ak)
  --secret-key SK    its secret (default sandbox-sk)
  --faults JSON      fault-injection plan, e.g. '{\"throttle_rate\":0.3,\"error_rate\":0.1,
                     \"reset_rate\":0.05,\"latency_ms\":0,\"seed\":42}' (every field optional;
                     replaceable at run time: POST /_sandbox/faults)
  --rate-limit N     calls per minute before JD Cloud 429 RATE_LIMIT / Alibaba 400
                     Throttling.User (default 1000, 0 = off)
  --provisioning-ms N
                     how long asynchronous Alibaba operations stay pending (binding to a
                     transit router, modify, route-table association/propagation) before
                     their next state (default 500, 0 = settle on the next call); time is the
                     sandbox's clock, which POST /_sandbox/clock {\"advance_ms\":N} moves forward
  --no-quotas        let JD Cloud creates past the quotas (e.g. 5 border gateways per region),
                     for benchmarks that create hundreds of one kind
  --tls-cert PEM, --tls-key PEM
                     serve HTTPS with this certificate chain and private key (the first
                     line printed is then https://ADDR)
  --security-token TOKEN
                     the STS token Alibaba requests may carry (default: none is accepted)";

/// Flags that take a value.
const FLAGS: &[&str] = &[
    "--listen",
    "--state",
    "--access-key",
    "--secret-key",
    "--faults",
    "--rate-limit",
    "--provisioning-ms",
    "--tls-cert",
    "--tls-key",
    "--security-token",
];

#[derive(Debug)]
struct Args {
    listen: String,
    state: Option<PathBuf>,
    access_key: String,
    secret_key: String,
    faults: Option<FaultPlan>,
    rate_limit: u32,
    provisioning_ms: u64,
    quotas: bool,
    tls: (Option<PathBuf>, Option<PathBuf>),
    security_token: Option<String>,
}

fn parse_args(mut args: impl Iterator<Item = String>) -> anyhow::Result<Option<Args>> {
    let mut out = Args {
        listen: "127.0.0.1:0".to_owned(),
        state: None,
        access_key: sandbox::DEFAULT_ACCESS_KEY.to_owned(),
        secret_key: sandbox::DEFAULT_SECRET_KEY.to_owned(),
        faults: None,
        rate_limit: sandbox::DEFAULT_RATE_LIMIT_PER_MINUTE,
        provisioning_ms: sandbox::DEFAULT_PROVISIONING_MS,
        quotas: true,
        tls: (None, None),
        security_token: None,
    };
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_owned(), Some(v.to_owned())),
            _ => (arg, None),
        };
        if flag == "--help" || flag == "-h" {
            return Ok(None);
        }
        if flag == "--no-quotas" && inline.is_none() {
            out.quotas = false;
            continue;
        }
        if !FLAGS.contains(&flag.as_str()) {
            bail!("unknown argument {flag}");
        }
        let Some(value) = inline.or_else(|| args.next()) else {
            bail!("{flag} needs a value")
        };
        match flag.as_str() {
            "--listen" => out.listen = value,
            "--state" => out.state = Some(PathBuf::from(value)),
            "--access-key" => out.access_key = value,
            "--secret-key" => out.secret_key = value,
            "--faults" => {
                let json = serde_json::from_str(&value).context("--faults is not valid JSON")?;
                out.faults = Some(FaultPlan::from_json(json).context("--faults")?);
            }
            "--rate-limit" => {
                out.rate_limit = value
                    .parse()
                    .with_context(|| format!("--rate-limit {value:?} is not a count"))?
            }
            "--provisioning-ms" => {
                out.provisioning_ms = value.parse().with_context(|| {
                    format!("--provisioning-ms {value:?} is not a number of milliseconds")
                })?
            }
            "--tls-cert" => out.tls.0 = Some(PathBuf::from(value)),
            "--tls-key" => out.tls.1 = Some(PathBuf::from(value)),
            "--security-token" => out.security_token = Some(value),
            _ => bail!("unknown argument {flag}"),
        }
    }
    if out.tls.0.is_some() != out.tls.1.is_some() {
        bail!("--tls-cert and --tls-key go together");
    }
    Ok(Some(out))
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for SIGINT");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
    tracing::info!("shutting down");
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            EnvFilter::try_from_env("HYBRIDNET_SANDBOX_LOG")
                .unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();

    let args = match parse_args(std::env::args().skip(1)) {
        Ok(Some(args)) => args,
        Ok(None) => {
            println!("{USAGE}");
            return Ok(());
        }
        Err(e) => {
            eprintln!("hybridnet-sandbox: {e:#}\n\n{USAGE}");
            std::process::exit(2);
        }
    };

    let config = SandboxConfig {
        state_path: args.state.clone(),
        credentials: Credentials::new(args.access_key, args.secret_key),
        faults: args.faults,
        rate_limit_per_minute: args.rate_limit,
        rate_limit_window: sandbox::DEFAULT_RATE_LIMIT_WINDOW,
        provisioning_ms: args.provisioning_ms,
        quotas: args.quotas,
        alicloud_security_token: args.security_token.clone().map(Into::into),
        clock: sandbox::Clock::system(),
    };
    let state = SandboxState::open(config).with_context(|| match &args.state {
        Some(p) => format!("opening state file {}", p.display()),
        None => "opening in-memory state".to_owned(),
    })?;
    let listener = tokio::net::TcpListener::bind(&args.listen)
        .await
        .with_context(|| format!("binding {}", args.listen))?;
    let addr = listener.local_addr().context("reading bound address")?;
    let acceptor = match &args.tls {
        (Some(cert), Some(key)) => Some(sandbox::tls_acceptor(cert, key)?),
        _ => None,
    };
    let scheme = if acceptor.is_some() { "https" } else { "http" };

    // The first stdout line is the contract with whoever started us; flush it now.
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{scheme}://{addr}").context("writing base URL")?;
    stdout.flush().context("flushing stdout")?;
    drop(stdout);
    tracing::info!(%addr, state = ?args.state, scheme, "sandbox listening");

    match acceptor {
        Some(acceptor) => {
            sandbox::serve_tls_with_shutdown(listener, acceptor, state, shutdown_signal()).await?
        }
        None => sandbox::serve_with_shutdown(listener, state, shutdown_signal()).await?,
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> anyhow::Result<Option<Args>> {
        parse_args(args.iter().map(|s| s.to_string()))
    }

    #[test]
    fn flags() {
        let a = parse(&[
            "--listen",
            "127.0.0.1:9",
            "--state=/tmp/s.db",
            "--faults",
            "{}",
        ])
        .unwrap()
        .unwrap();
        assert_eq!(a.listen, "127.0.0.1:9");
        assert_eq!(a.state, Some(PathBuf::from("/tmp/s.db")));
        assert_eq!(a.access_key, "sandbox-ak");
        assert_eq!(a.faults, Some(FaultPlan::default()));
        let f = parse(&["--faults", r#"{"throttle_rate":0.3,"seed":42}"#])
            .unwrap()
            .unwrap()
            .faults
            .unwrap();
        assert_eq!(
            (f.throttle_rate, f.error_rate, f.seed),
            (0.3, 0.0, Some(42))
        );
        assert!(parse(&["--faults", r#"{"error_rate":2}"#]).is_err());
        assert!(parse(&["--faults", r#"{"typo_rate":0.1}"#]).is_err());
        assert_eq!(a.rate_limit, 1000);
        assert_eq!(parse(&["--rate-limit=5"]).unwrap().unwrap().rate_limit, 5);
        assert!(parse(&["--rate-limit", "-1"]).is_err());
        assert_eq!(a.provisioning_ms, 500);
        assert_eq!(
            parse(&["--provisioning-ms", "0"])
                .unwrap()
                .unwrap()
                .provisioning_ms,
            0
        );
        assert!(parse(&["--provisioning-ms=soon"]).is_err());
        assert!(a.quotas);
        assert!(!parse(&["--no-quotas"]).unwrap().unwrap().quotas);
        assert!(parse(&["--no-quotas=yes"]).is_err());
        assert!(parse(&["--help"]).unwrap().is_none());
        assert!(parse(&["--bogus", "x"])
            .unwrap_err()
            .to_string()
            .contains("unknown"));
        assert!(parse(&["--state"])
            .unwrap_err()
            .to_string()
            .contains("needs a value"));
        assert!(parse(&["--faults", "{"]).is_err());
    }
}
