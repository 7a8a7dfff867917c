//! `hybridnet-sandbox`: a local emulator of the JD Cloud `bgw` OpenAPI and Alibaba Cloud's RPC APIs,
//! both on one HTTP port.
//!
//! Layout (moto-style, state and rules apart from the wire):
//! * [`store`] – SQLite state shared by both clouds (generic `resources` table + request counters);
//! * `jdcloud` – REST routing table, signature check, envelopes, one file per resource model;
//! * `alicloud` – RPC dispatch on `Action` / `x-acs-action` (Vpc customer gateways and
//!   dual-tunnel IPsec connections, Cbn transit-router binding; seeded CEN and transit routers);
//! * `admin` – `/_sandbox/{state,reset,requests,faults}` for tests and demos;
//! * `ratelimit` – the calls-per-minute limit (JD Cloud 429 `RATE_LIMIT`, Alibaba 400
//!   `Throttling.User`);
//! * `faults` – seeded fault injection (throttling, transient errors, dropped connections).
//!
//! This module depends on `crate::signer` only and defines its own wire types, so a bug in the
//! provider's client types cannot be mirrored here.

mod admin;
mod alicloud;
mod faults;
mod ids;
mod jdcloud;
mod ratelimit;
pub mod regions;
mod store;

use std::fmt;
use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::response::Response;
use axum::Router;
use tokio::net::TcpListener;

use crate::signer::Credentials;

pub use faults::{FaultPlan, FaultPlanError};
pub use store::StoreError;

/// Access key id accepted when none is configured.
pub const DEFAULT_ACCESS_KEY: &str = "sandbox-ak";
/// Secret key accepted when none is configured.
pub const DEFAULT_SECRET_KEY: &str = "sandbox-sk";
/// JD Cloud's documented default call-frequency limit, "1000 times/minute"
/// (docs/design/jdcloud.md §2.4).
pub const DEFAULT_RATE_LIMIT_PER_MINUTE: u32 = 1000;
/// How long an asynchronous Alibaba operation stays pending by default (`--provisioning-ms`).
pub const DEFAULT_PROVISIONING_MS: u64 = 500;

/// How to run the sandbox.
#[derive(Clone)]
pub struct SandboxConfig {
    /// SQLite state file; `None` keeps the state in memory.
    pub state_path: Option<PathBuf>,
    /// The one key pair requests must be signed with (both clouds).
    pub credentials: Credentials,
    /// Fault-injection plan at start-up (`--faults`); `None` injects nothing. Replaceable at
    /// run time through `POST /_sandbox/faults`.
    pub faults: Option<FaultPlan>,
    /// Authenticated calls (both clouds, one window) admitted per sliding minute before JD Cloud
    /// 429 `RATE_LIMIT` / Alibaba 400 `Throttling.User` (`--rate-limit`); 0 disables the limit.
    pub rate_limit_per_minute: u32,
    /// Milliseconds an asynchronous Alibaba operation (binding to a transit router, modify,
    /// route-table association/propagation) stays pending before its next state
    /// (`--provisioning-ms`); 0 settles on the next call.
    pub provisioning_ms: u64,
    /// The one STS token Alibaba requests may carry (`x-acs-security-token` /
    /// `SecurityToken`); `None` refuses every request that carries one.
    pub alicloud_security_token: Option<String>,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            state_path: None,
            credentials: Credentials::new(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY),
            faults: None,
            rate_limit_per_minute: DEFAULT_RATE_LIMIT_PER_MINUTE,
            provisioning_ms: DEFAULT_PROVISIONING_MS,
            alicloud_security_token: None,
        }
    }
}

impl fmt::Debug for SandboxConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `Credentials` redacts its secret itself.
        f.debug_struct("SandboxConfig")
            .field("state_path", &self.state_path)
            .field("credentials", &self.credentials)
            .field("faults", &self.faults)
            .field("rate_limit_per_minute", &self.rate_limit_per_minute)
            .field("provisioning_ms", &self.provisioning_ms)
            .field(
                "alicloud_security_token",
                &self
                    .alicloud_security_token
                    .as_ref()
                    .map(|_| "** redacted **"),
            )
            .finish()
    }
}

/// Why the sandbox could not start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    /// The state database could not be opened.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The fault plan is invalid.
    #[error(transparent)]
    Faults(#[from] FaultPlanError),
    /// Serving failed.
    #[error("serving: {0}")]
    Io(#[from] std::io::Error),
}

/// Shared state of a running sandbox: configuration plus the store. Cheap to clone.
#[derive(Clone)]
pub struct SandboxState {
    inner: Arc<Inner>,
}

struct Inner {
    config: SandboxConfig,
    store: store::Store,
    rate_limiter: ratelimit::RateLimiter,
    /// Alibaba signature nonces seen recently (replay protection), in memory.
    alicloud_nonces: alicloud::NonceCache,
    /// JD Cloud `x-jdcloud-nonce` values seen recently; the same cache type and window as
    /// Alibaba's, but a separate set (the two clouds do not share nonces).
    jdcloud_nonces: alicloud::NonceCache,
    faults: faults::Faults,
}

impl SandboxState {
    /// Opens the state store named by `config` (creating the file if needed).
    pub fn open(config: SandboxConfig) -> Result<Self, SandboxError> {
        let plan = config.faults.clone().unwrap_or_default();
        plan.validate()?;
        let store = store::Store::open(config.state_path.as_deref())?;
        let rate_limiter = ratelimit::RateLimiter::new(config.rate_limit_per_minute);
        let faults = faults::Faults::new(plan);
        Ok(Self {
            inner: Arc::new(Inner {
                config,
                store,
                rate_limiter,
                alicloud_nonces: alicloud::NonceCache::default(),
                jdcloud_nonces: alicloud::NonceCache::default(),
                faults,
            }),
        })
    }

    /// The configuration this sandbox runs with.
    pub fn config(&self) -> &SandboxConfig {
        &self.inner.config
    }

    pub(crate) fn store(&self) -> &store::Store {
        &self.inner.store
    }

    pub(crate) fn rate_limiter(&self) -> &ratelimit::RateLimiter {
        &self.inner.rate_limiter
    }

    pub(crate) fn alicloud_nonces(&self) -> &alicloud::NonceCache {
        &self.inner.alicloud_nonces
    }

    pub(crate) fn jdcloud_nonces(&self) -> &alicloud::NonceCache {
        &self.inner.jdcloud_nonces
    }

    pub(crate) fn faults(&self) -> &faults::Faults {
        &self.inner.faults
    }

    pub(crate) fn credentials(&self) -> &Credentials {
        &self.inner.config.credentials
    }
}

impl fmt::Debug for SandboxState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SandboxState")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

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
        rustls::crypto::aws_lc_rs::default_provider(),
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

#[cfg(test)]
mod tests;
