//! Serves a tfplugin5 provider the way go-plugin's client expects: a unix
//! socket in a private temp dir, AutoMTLS (or h2c), the handshake line on
//! stdout, `plugin.GRPCController/Shutdown`, the `plugin` health status, and
//! SIGINT ignored (Terraform handles Ctrl-C itself and calls `Stop`).

use std::io::{self, Write as _};
use std::sync::Arc;
use std::time::Duration;

use tokio::net::{UnixListener, UnixStream};
use tokio::signal::unix::{signal, SignalKind};
use tokio::sync::{mpsc, watch};
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;
use tokio_stream::wrappers::{ReceiverStream, UnixListenerStream};
use tonic::transport::server::Router;
use tonic::{Request, Response, Status};

use super::handshake::Handshake;
use super::proto::plugin::grpc_controller_server::{GrpcController, GrpcControllerServer};
use super::proto::plugin::Empty;
use super::proto::tfplugin5::provider_server::{Provider, ProviderServer};
use super::tls::{self, ServerIdentity, TlsError};

/// Go SDK servers accept 256 MiB messages; tonic defaults to 4 MiB, too small
/// for the whole state and config Terraform sends.
const MAX_MESSAGE_SIZE: usize = 256 << 20;

/// How often we check that Terraform, our parent, is still alive.
const PARENT_POLL: Duration = Duration::from_secs(1);

/// How long in-flight RPCs may run after a shutdown request before we return
/// anyway: go-plugin SIGKILLs the process 2 s after `Shutdown`.
const SHUTDOWN_GRACE: Duration = Duration::from_millis(750);

/// A connection that has not finished its TLS handshake by then is dropped.
const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// gRPC health service name go-plugin reports as SERVING.
const HEALTH_SERVICE: &str = "plugin";

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("{context}: {source}")]
    Io {
        context: &'static str,
        #[source]
        source: io::Error,
    },
    #[error("socket path {0:?} cannot be announced in the handshake line")]
    SocketPath(std::path::PathBuf),
    #[error(transparent)]
    Tls(#[from] TlsError),
    #[error("gRPC server: {0}")]
    Transport(#[from] tonic::transport::Error),
}

fn io_err(context: &'static str) -> impl FnOnce(io::Error) -> ServeError {
    move |source| ServeError::Io { context, source }
}

/// Why the server is stopping; sent once through a watch channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    Running,
    Requested(&'static str),
}

/// Shared handle that asks the server to stop.
#[derive(Debug, Clone)]
struct Stopper(Arc<watch::Sender<Stop>>);

impl Stopper {
    fn stop(&self, why: &'static str) {
        self.0.send_if_modified(|s| {
            let first = *s == Stop::Running;
            if first {
                *s = Stop::Requested(why);
            }
            first
        });
    }
}

/// Resolves once a stop was requested.
async fn stopped(mut rx: watch::Receiver<Stop>) -> &'static str {
    match rx.wait_for(|s| *s != Stop::Running).await {
        Ok(s) => match *s {
            Stop::Requested(why) => why,
            Stop::Running => "unknown",
        },
        // The sender lives as long as `serve`; treat its loss as a stop.
        Err(_) => "stop channel closed",
    }
}

/// go-plugin's controller: Terraform calls `Shutdown` when it closes the provider.
#[derive(Debug)]
struct Controller {
    stopper: Stopper,
}

#[tonic::async_trait]
impl GrpcController for Controller {
    async fn shutdown(&self, _request: Request<Empty>) -> Result<Response<Empty>, Status> {
        tracing::debug!("GRPCController.Shutdown called");
        self.stopper.stop("GRPCController.Shutdown");
        Ok(Response::new(Empty {}))
    }
}

/// Serves `provider` until Terraform calls `GRPCController/Shutdown` or the
/// process receives SIGTERM. Prints the handshake line on stdout exactly
/// once; nothing else is ever written to stdout.
pub async fn serve<P>(provider: P, handshake: Handshake) -> Result<(), ServeError>
where
    P: Provider,
{
    // Registering a handler replaces the default "terminate" disposition.
    // This must happen before Terraform learns where to connect.
    let mut sigint =
        signal(SignalKind::interrupt()).map_err(io_err("installing SIGINT handler"))?;
    let sigint_task = tokio::spawn(async move {
        while sigint.recv().await.is_some() {
            tracing::debug!("received SIGINT, ignoring: Terraform handles Ctrl-C and calls Stop");
        }
    });
    let _sigint_guard = AbortOnDrop(sigint_task);
    let mut sigterm =
        signal(SignalKind::terminate()).map_err(io_err("installing SIGTERM handler"))?;

    let (stop_tx, stop_rx) = watch::channel(Stop::Running);
    let stopper = Stopper(Arc::new(stop_tx));
    let sigterm_stopper = stopper.clone();
    let _sigterm_guard = AbortOnDrop(tokio::spawn(async move {
        if sigterm.recv().await.is_some() {
            tracing::debug!("received SIGTERM, shutting down");
            sigterm_stopper.stop("SIGTERM");
        }
    }));

    // Terraform killed (kill -9, OOM) never calls Shutdown; without this we
    // would outlive it, still holding cloud calls and the socket. Polling the
    // parent rather than PR_SET_PDEATHSIG, which fires when the *thread* that
    // forked us exits, and Go's runtime does retire threads.
    let parent_stopper = stopper.clone();
    let _parent_guard = AbortOnDrop(tokio::spawn(async move {
        let parent = std::os::unix::process::parent_id();
        loop {
            tokio::time::sleep(PARENT_POLL).await;
            if std::os::unix::process::parent_id() != parent {
                tracing::warn!(
                    parent,
                    "Terraform exited without stopping the provider; exiting"
                );
                parent_stopper.stop("parent exited");
                return;
            }
        }
    }));

    // A private (0700) directory: only this user can reach the socket.
    // Dropping it on return removes the socket.
    let dir = tempfile::Builder::new()
        .prefix("plugin")
        .tempdir()
        .map_err(io_err("creating the socket directory"))?;
    let socket = dir.path().join("plugin.sock");
    let socket_str = match socket.to_str() {
        Some(s) if !s.contains(['|', '\n', '\r']) => s.to_owned(),
        _ => return Err(ServeError::SocketPath(socket)),
    };
    let listener = UnixListener::bind(&socket).map_err(io_err("binding the unix socket"))?;

    let tls = match handshake.client_cert() {
        Some(client_cert) => {
            let identity = ServerIdentity::generate()?;
            let config = tls::server_config(&identity, client_cert.clone())?;
            Some((identity, TlsAcceptor::from(config)))
        }
        None => None,
    };

    let (health_reporter, health_service) = tonic_health::server::health_reporter();
    health_reporter
        .set_service_status(HEALTH_SERVICE, tonic_health::ServingStatus::Serving)
        .await;

    let router = tonic::transport::Server::builder()
        .add_service(
            ProviderServer::new(provider)
                .max_decoding_message_size(MAX_MESSAGE_SIZE)
                .max_encoding_message_size(MAX_MESSAGE_SIZE),
        )
        .add_service(GrpcControllerServer::new(Controller {
            stopper: stopper.clone(),
        }))
        .add_service(health_service);

    let line = handshake.line(
        &socket_str,
        tls.as_ref().map(|(id, _)| id.cert_der().as_ref()),
    );
    announce(&line).map_err(io_err("writing the handshake line to stdout"))?;
    tracing::debug!(
        socket = %socket_str,
        tls = tls.is_some(),
        protocol = handshake.protocol_version(),
        "plugin server listening"
    );

    let result = match tls {
        Some((_identity, acceptor)) => {
            let (rx, accept_task) = tls_incoming(listener, acceptor);
            let _accept_guard = AbortOnDrop(accept_task);
            run(router, ReceiverStream::new(rx), stop_rx).await
        }
        None => run(router, UnixListenerStream::new(listener), stop_rx).await,
    };
    drop(dir);
    result
}

/// Prints the handshake line and flushes: go-plugin waits for it.
fn announce(line: &str) -> io::Result<()> {
    let mut out = io::stdout().lock();
    writeln!(out, "{line}")?;
    out.flush()
}

/// Runs the server until it drains after a stop request, or until the grace
/// period after the request runs out (a client that keeps a stream open must
/// not keep us alive into go-plugin's SIGKILL).
async fn run<I, IO, IE>(
    router: Router,
    incoming: I,
    stop_rx: watch::Receiver<Stop>,
) -> Result<(), ServeError>
where
    I: tokio_stream::Stream<Item = Result<IO, IE>>,
    IO: tokio::io::AsyncRead
        + tokio::io::AsyncWrite
        + tonic::transport::server::Connected
        + Unpin
        + Send
        + 'static,
    IE: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let server = router.serve_with_incoming_shutdown(incoming, stop_signal(stop_rx.clone()));
    tokio::select! {
        res = server => res.map_err(ServeError::from),
        why = async {
            let why = stopped(stop_rx).await;
            tokio::time::sleep(SHUTDOWN_GRACE).await;
            why
        } => {
            tracing::debug!(reason = why, "connections still open after the grace period; exiting");
            Ok(())
        }
    }
}

async fn stop_signal(rx: watch::Receiver<Stop>) {
    let why = stopped(rx).await;
    tracing::debug!(reason = why, "plugin server shutting down");
}

/// Accepts unix connections and completes their TLS handshakes concurrently,
/// so one bad or slow client cannot stop or stall the server.
fn tls_incoming(
    listener: UnixListener,
    acceptor: TlsAcceptor,
) -> (
    mpsc::Receiver<io::Result<TlsStream<UnixStream>>>,
    tokio::task::JoinHandle<()>,
) {
    let (tx, rx) = mpsc::channel(16);
    let task = tokio::spawn(async move {
        loop {
            let stream = match listener.accept().await {
                Ok((stream, _)) => stream,
                Err(e) => {
                    tracing::warn!(error = %e, "accepting a connection failed");
                    // Avoid a hot loop on e.g. EMFILE.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            };
            if tx.is_closed() {
                return;
            }
            let acceptor = acceptor.clone();
            let tx = tx.clone();
            tokio::spawn(async move {
                match tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                    Ok(Ok(tls)) => {
                        // Fails only when the server is gone; the connection just drops.
                        let _ = tx.send(Ok(tls)).await;
                    }
                    Ok(Err(e)) => tracing::debug!(error = %e, "TLS handshake failed"),
                    Err(_) => tracing::debug!("TLS handshake timed out"),
                }
            });
        }
    });
    (rx, task)
}

/// Aborts a background task when the owner returns, on every path.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}
