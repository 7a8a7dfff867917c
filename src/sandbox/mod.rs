//! `hybridnet-sandbox`: a local emulator of the JD Cloud `bgw` OpenAPI and Alibaba Cloud's RPC APIs,
//! both on one HTTP port.
//!
//! Layout (moto-style: state and rules apart from the wire). Each cloud has a request pipeline
//! (its `mod.rs`: authenticate, rate limit, route, faults, one store transaction, envelope), a
//! `handlers/` directory (parse and field-check a request, call the backend, render the answer)
//! and a `backend/` directory (the objects and the rules between them, working in a store
//! transaction at the time the sandbox clock gives). Dependencies point one way — handlers →
//! backend → store — and `tests/layers.rs` reads the imports to keep it so.
//! * `jdcloud` – the `bgw` REST API: routing table, JDCLOUD2/3 signature check, envelopes;
//! * `alicloud` – RPC dispatch on `Action` / `x-acs-action` (Vpc customer gateways, dual-tunnel
//!   IPsec connections and their destination routes; Cbn transit-router binding and route
//!   tables; seeded CEN and transit routers);
//! * `store` – SQLite state shared by both clouds (generic `resources` table + request counters);
//! * `change` – applying a modify's sent fields to a stored object;
//! * `db` – the transaction-and-time every backend operation works in, in its cloud's error type;
//! * `envelope` – sending either cloud's encoded answer (content type, request-id header);
//! * `clock` – the [`Clock`] the sandbox is handed: system time, or a manual one in tests;
//!   `POST /_sandbox/clock` moves it forward so pending states settle without waiting;
//! * `signed` – a received request as the signer sees it (both clouds' authentication);
//! * `pool` – the public address pools (lowest free address, non-routable ranges);
//! * `nonces` – signature-nonce replay protection, one cache per cloud;
//! * `ratelimit` – the calls-per-minute limit (JD Cloud 429 `RATE_LIMIT`, Alibaba 400
//!   `Throttling.User`), over the clock's time;
//! * `sync` – locking that outlives a panicking holder;
//! * `faults` – seeded fault injection (throttling, transient errors, dropped connections);
//! * `admin` – `/_sandbox/{state,reset,requests,faults,clock}` for tests and demos;
//! * `config`, `state` – [`SandboxConfig`] and the shared [`SandboxState`].
//!
//! This module depends on `crate::signer` only and defines its own wire types, so a bug in the
//! provider's client types cannot be mirrored here. It is compiled with the `sandbox` cargo
//! feature (on by default); the provider binary does not need it.

mod admin;
mod alicloud;
mod change;
mod clock;
mod config;
mod db;
mod envelope;
mod faults;
mod ids;
mod jdcloud;
mod nonces;
mod pool;
mod ratelimit;
pub mod regions;
mod signed;
mod state;
mod store;
mod sync;

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::response::Response;
use axum::Router;
use tokio::net::TcpListener;

pub use self::clock::Clock;
pub use self::config::{
    SandboxConfig, DEFAULT_ACCESS_KEY, DEFAULT_PROVISIONING_MS, DEFAULT_RATE_LIMIT_PER_MINUTE,
    DEFAULT_RATE_LIMIT_WINDOW, DEFAULT_SECRET_KEY,
};
pub use self::faults::{FaultPlan, FaultPlanError};
pub use self::state::{SandboxError, SandboxState};
pub use self::store::StoreError;

/// The sandbox as a router: admin routes, then JD Cloud (`/v1/…`), then Alibaba RPC (`Action`).
/// Testable without a socket (`tower::ServiceExt::oneshot`).
pub fn app(state: SandboxState) -> Router {
    Router::new()
        .merge(admin::router())
        .fallback(dispatch)
        .with_state(state)
}

async fn dispatch(State(state): State<SandboxState>, request: Request) -> Response {
    let path = request.uri().path();
    if path == "/v1" || path.starts_with("/v1/") {
        jdcloud::handle(state, request).await
    } else if alicloud::is_rpc_request(&request) {
        alicloud::handle(state, request).await
    } else {
        jdcloud::unknown_path(&request)
    }
}

/// Opens the state named by `config` and serves on `listener` until the task is dropped.
pub async fn serve(listener: TcpListener, config: SandboxConfig) -> Result<(), SandboxError> {
    let state = tokio::task::spawn_blocking(move || SandboxState::open(config))
        .await
        .map_err(|e| SandboxError::Io(std::io::Error::other(e)))??;
    serve_with_shutdown(listener, state, std::future::pending()).await
}

/// Loads a PEM certificate chain and private key for serving HTTPS (`--tls-cert`,
/// `--tls-key`): how the tests show that the provider trusts a private CA through
/// `SSL_CERT_FILE` and refuses a certificate nobody vouches for.
pub fn tls_acceptor(
    cert_pem: &std::path::Path,
    key_pem: &std::path::Path,
) -> Result<tokio_rustls::TlsAcceptor, SandboxError> {
    use rustls_pki_types::pem::PemObject;
    use rustls_pki_types::{CertificateDer, PrivateKeyDer};
    let bad = |what: &str, e: &dyn fmt::Display| {
        SandboxError::Io(std::io::Error::other(format!("{what}: {e}")))
    };
    let chain = CertificateDer::pem_file_iter(cert_pem)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|e| bad(&format!("reading {}", cert_pem.display()), &e))?;
    let key = PrivateKeyDer::from_pem_file(key_pem)
        .map_err(|e| bad(&format!("reading {}", key_pem.display()), &e))?;
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| bad("TLS versions", &e))?
    .with_no_client_auth()
    .with_single_cert(chain, key)
    .map_err(|e| bad("TLS certificate", &e))?;
    Ok(tokio_rustls::TlsAcceptor::from(Arc::new(config)))
}

/// A TCP listener that hands out TLS connections; a failed handshake (e.g. a client that does
/// not trust the certificate) is logged and skipped.
struct TlsListener {
    tcp: TcpListener,
    acceptor: tokio_rustls::TlsAcceptor,
}

impl axum::serve::Listener for TlsListener {
    type Io = tokio_rustls::server::TlsStream<tokio::net::TcpStream>;
    type Addr = std::net::SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let (stream, addr) = axum::serve::Listener::accept(&mut self.tcp).await;
            match self.acceptor.accept(stream).await {
                Ok(tls) => return (tls, addr),
                Err(e) => tracing::info!(%addr, error = %e, "TLS handshake failed"),
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.tcp.local_addr()
    }
}

/// Like [`serve_with_shutdown`], over HTTPS.
pub async fn serve_tls_with_shutdown(
    listener: TcpListener,
    acceptor: tokio_rustls::TlsAcceptor,
    state: SandboxState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), SandboxError> {
    let tls = TlsListener {
        tcp: listener,
        acceptor,
    };
    axum::serve(tls, app(state))
        .with_graceful_shutdown(shutdown)
        .await?;
    Ok(())
}

/// Serves `state` on `listener` until `shutdown` completes, then finishes in-flight requests.
pub async fn serve_with_shutdown(
    listener: TcpListener,
    state: SandboxState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), SandboxError> {
    axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown)
        .await?;
    Ok(())
}

/// A sandbox served in this process on a free port of 127.0.0.1, stopped when dropped: what
/// the middle-layer tests and tools that call the clients without Terraform need.
pub struct Running {
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl Running {
    /// Serves `state` on a free port from a task of the current tokio runtime.
    pub async fn start(state: SandboxState) -> Result<Running, SandboxError> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}", listener.local_addr()?);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(serve_with_shutdown(listener, state, async {
            let _ = stopped.await;
        }));
        Ok(Running { url, _stop: stop })
    }
}

#[cfg(test)]
mod tests;
