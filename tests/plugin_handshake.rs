//! Runs the real provider binary the way Terraform's go-plugin client does:
//! environment handshake, the stdout line, AutoMTLS over a unix socket,
//! `GRPCController/Shutdown`, and signals.

use std::io::{BufRead as _, BufReader, Read as _};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::engine::general_purpose::STANDARD_NO_PAD;
use base64::Engine as _;
use hybridnet::tfplugin::proto::plugin::grpc_controller_client::GrpcControllerClient;
use hybridnet::tfplugin::proto::plugin::Empty;
use hybridnet::tfplugin::proto::tfplugin5::get_provider_schema;
use hybridnet::tfplugin::proto::tfplugin5::provider_client::ProviderClient;
use hybridnet::tfplugin::tls::{crypto_provider, PinnedCert};
use hyper_util::rt::TokioIo;
use rustls_pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncRead, AsyncWrite};
use tonic::transport::{Channel, Endpoint, Uri};

const BIN: &str = env!("CARGO_BIN_EXE_terraform-provider-hybridnet");
#[path = "common/terraform_client.rs"]
mod terraform_client;
use terraform_client::{terraform_client, TerraformClient};

const COOKIE: &str = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";

/// A provider process with its handshake line read and its log lines (stderr, echoed to the
/// test's stderr) delivered as events.
struct Plugin {
    /// Taken by [`Plugin::wait_exit`], which reaps it.
    child: Option<Child>,
    pid: u32,
    stdout: BufReader<ChildStdout>,
    line: String,
    log: tokio::sync::mpsc::UnboundedReceiver<String>,
}

impl Plugin {
    fn start(client_cert_pem: Option<&str>) -> Plugin {
        let mut cmd = base_command();
        cmd.env("TF_PLUGIN_MAGIC_COOKIE", COOKIE)
            .env("PLUGIN_PROTOCOL_VERSIONS", "6,5");
        if let Some(pem) = client_cert_pem {
            cmd.env("PLUGIN_CLIENT_CERT", pem);
        }
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (log_tx, log) = tokio::sync::mpsc::unbounded_channel();
        let stderr = BufReader::new(child.stderr.take().unwrap());
        std::thread::spawn(move || {
            for line in stderr.lines().map_while(Result::ok) {
                eprintln!("{line}");
                // The test may have stopped listening; the echo above still matters.
                let _ = log_tx.send(line);
            }
        });
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        // go-plugin waits up to a minute; the binary should answer at once.
        stdout.read_line(&mut line).unwrap();
        assert!(
            line.ends_with('\n'),
            "handshake line not terminated: {line:?}"
        );
        line.pop();
        Plugin {
            pid: child.id(),
            child: Some(child),
            stdout,
            line,
            log,
        }
    }

    fn socket(&self) -> PathBuf {
        PathBuf::from(self.line.split('|').nth(3).unwrap())
    }

    fn server_cert(&self) -> CertificateDer<'static> {
        let b64 = self.line.split('|').nth(5).unwrap();
        CertificateDer::from(STANDARD_NO_PAD.decode(b64).unwrap())
    }

    fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .arg(format!("-{name}"))
            .arg(self.pid.to_string())
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Whether the process is still running.
    fn running(&mut self) -> bool {
        let child = self.child.as_mut().expect("not reaped yet");
        child.try_wait().unwrap().is_none()
    }

    /// Waits for a log line containing `needle` (the provider saying it did something); panics
    /// after `limit` or if the log ends first.
    async fn wait_for_log(&mut self, needle: &str, limit: Duration) -> String {
        let seen = tokio::time::timeout(limit, async {
            while let Some(line) = self.log.recv().await {
                if line.contains(needle) {
                    return Some(line);
                }
            }
            None
        })
        .await;
        match seen {
            Ok(Some(line)) => line,
            Ok(None) => panic!("the provider's log ended without {needle:?}"),
            Err(_) => panic!("no log line with {needle:?} within {limit:?}"),
        }
    }

    /// Waits for the process to exit, on the blocking pool so the runtime stays free (the
    /// client must stay able to answer the server's GOAWAY ping); kills it and panics after
    /// `limit`.
    async fn wait_exit(&mut self, limit: Duration) -> ExitStatus {
        let mut child = self.child.take().expect("waited for twice");
        let exited = tokio::time::timeout(limit, tokio::task::spawn_blocking(move || child.wait()));
        match exited.await {
            Ok(status) => status.unwrap().unwrap(),
            Err(_) => {
                let _ = Command::new("kill")
                    .arg("-KILL")
                    .arg(self.pid.to_string())
                    .status();
                panic!("provider still running {limit:?} after being asked to stop");
            }
        }
    }

    /// After exit: nothing but the handshake line was ever written to stdout.
    fn assert_stdout_silent(&mut self) {
        let mut rest = String::new();
        self.stdout.read_to_string(&mut rest).unwrap();
        assert_eq!(rest, "", "unexpected stdout after the handshake line");
    }
}

impl Drop for Plugin {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn base_command() -> Command {
    let mut cmd = Command::new(BIN);
    for var in [
        "TF_PLUGIN_MAGIC_COOKIE",
        "PLUGIN_PROTOCOL_VERSIONS",
        "PLUGIN_CLIENT_CERT",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("TF_LOG_PROVIDER", "TRACE")
        .stdin(Stdio::null())
        .stderr(Stdio::inherit());
    cmd
}

trait Io: AsyncRead + AsyncWrite + Send + Unpin {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin> Io for T {}

/// Connects like Terraform: TLS over the unix socket when `tls` is set,
/// trusting the server certificate from the handshake line, name "localhost".
async fn connect(
    socket: &Path,
    tls: Option<(CertificateDer<'static>, &TerraformClient)>,
) -> Result<Channel, tonic::transport::Error> {
    let socket = socket.to_owned();
    let config = tls.map(|(server_cert, client)| {
        let mut config = rustls::ClientConfig::builder_with_provider(crypto_provider())
            .with_safe_default_protocol_versions()
            .unwrap()
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(PinnedCert::new(server_cert)))
            .with_client_cert_resolver(client.resolver());
        config.alpn_protocols = vec![b"h2".to_vec()];
        Arc::new(config)
    });
    let connector = tower::service_fn(move |_: Uri| {
        let socket = socket.clone();
        let config = config.clone();
        async move {
            let stream = tokio::net::UnixStream::connect(&socket).await?;
            let io: Box<dyn Io> = match config {
                Some(config) => {
                    let name = ServerName::try_from("localhost").unwrap();
                    let tls = tokio_rustls::TlsConnector::from(config)
                        .connect(name, stream)
                        .await?;
                    assert_eq!(tls.get_ref().1.alpn_protocol(), Some(&b"h2"[..]));
                    Box::new(tls)
                }
                None => Box::new(stream),
            };
            Ok::<_, std::io::Error>(TokioIo::new(io))
        }
    });
    Endpoint::try_from("http://localhost")
        .unwrap()
        .connect_timeout(Duration::from_secs(5))
        .connect_with_connector(connector)
        .await
}

/// Calls Shutdown the way Terraform's `Close` does, drops the connection,
/// and checks the process exits 0 within go-plugin's 2 s.
async fn shutdown_and_expect_exit(plugin: &mut Plugin, channel: Channel) {
    let start = Instant::now();
    GrpcControllerClient::new(channel)
        .shutdown(Empty {})
        .await
        .unwrap();
    // Dropping the last client closes the connection, as go-plugin does.
    let status = plugin.wait_exit(Duration::from_secs(2)).await;
    assert!(status.success(), "exit status {status}");
    assert!(start.elapsed() < Duration::from_secs(2));
    plugin.assert_stdout_silent();
}

#[test]
fn run_by_hand_explains_and_exits_1() {
    let out = base_command()
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("This binary is a plugin"), "{stderr}");
}

#[test]
fn without_protocol_5_exits_1() {
    let out = base_command()
        .env("TF_PLUGIN_MAGIC_COOKIE", COOKIE)
        .env("PLUGIN_PROTOCOL_VERSIONS", "6")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
}

#[tokio::test]
async fn automtls_handshake_serves_and_shuts_down() {
    let client = terraform_client(0);
    let mut plugin = Plugin::start(Some(client.pem));
    let re = regex::Regex::new(r"^1\|5\|unix\|/.+\|grpc\|[A-Za-z0-9+/]{50,}$").unwrap();
    assert!(re.is_match(&plugin.line), "{}", plugin.line);
    let socket = plugin.socket();
    let server_cert = plugin.server_cert();

    // A client with another certificate is refused; the server keeps serving.
    let intruder = terraform_client(1);
    let bad = match connect(&socket, Some((server_cert.clone(), &intruder))).await {
        Ok(channel) => GrpcControllerClient::new(channel)
            .shutdown(Empty {})
            .await
            .err(),
        Err(e) => Some(tonic::Status::unavailable(e.to_string())),
    };
    assert!(bad.is_some(), "a foreign client certificate was accepted");
    assert!(plugin.running());

    let channel = connect(&socket, Some((server_cert, &client)))
        .await
        .unwrap();
    let health = tonic_health::pb::health_client::HealthClient::new(channel.clone())
        .check(tonic_health::pb::HealthCheckRequest {
            service: "plugin".to_owned(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        health.status,
        tonic_health::pb::health_check_response::ServingStatus::Serving as i32
    );

    ProviderClient::new(channel.clone())
        .get_schema(get_provider_schema::Request {})
        .await
        .unwrap();

    shutdown_and_expect_exit(&mut plugin, channel).await;
    assert!(!socket.exists(), "socket left behind");
    assert!(
        !socket.parent().unwrap().exists(),
        "socket directory left behind"
    );
}

#[tokio::test]
async fn sigint_is_ignored_and_plaintext_works() {
    let mut plugin = Plugin::start(None);
    let re = regex::Regex::new(r"^1\|5\|unix\|/.+\|grpc\|$").unwrap();
    assert!(re.is_match(&plugin.line), "{}", plugin.line);

    plugin.signal("INT");
    // The provider logs that it received SIGINT and ignores it: once it says so, it is
    // still running (had SIGINT's default action applied, there would be no such line).
    plugin
        .wait_for_log("received SIGINT, ignoring", Duration::from_secs(10))
        .await;
    assert!(plugin.running(), "SIGINT killed the provider");

    let channel = connect(&plugin.socket(), None).await.unwrap();
    shutdown_and_expect_exit(&mut plugin, channel).await;
}

#[tokio::test]
async fn sigterm_exits_promptly() {
    let mut plugin = Plugin::start(None);
    let socket = plugin.socket();
    plugin.signal("TERM");
    let status = plugin.wait_exit(Duration::from_secs(2)).await;
    assert!(status.success(), "exit status {status}");
    assert!(!socket.exists(), "socket left behind");
}

/// Protocol 5.10 over the wire, as Terraform 1.11 and later call it: capabilities, metadata,
/// the ephemeral `hybridnet_psk` opened and closed, destroys planned null, and the RPCs
/// hybridnet has nothing for answered with a diagnostic rather than a gRPC error.
#[tokio::test]
async fn protocol_5_10_rpcs_are_answered() {
    use hybridnet::framework::schema::conform;
    use hybridnet::framework::value::msgpack;
    use hybridnet::framework::{Provider as _, Value};
    use hybridnet::tfplugin::proto::tfplugin5 as pb;

    let client = terraform_client(0);
    let mut plugin = Plugin::start(Some(client.pem));
    let channel = connect(&plugin.socket(), Some((plugin.server_cert(), &client)))
        .await
        .unwrap();
    let mut p = ProviderClient::new(channel.clone());
    let dv = |v: &Value| pb::DynamicValue {
        msgpack: msgpack::encode(v),
        json: Vec::new(),
    };
    let provider = hybridnet::provider::provider();

    let schema = p
        .get_schema(get_provider_schema::Request {})
        .await
        .unwrap()
        .into_inner();
    let caps = schema.server_capabilities.unwrap();
    assert!(caps.plan_destroy && caps.get_provider_schema_optional && !caps.move_resource_state);
    let psk = &schema.ephemeral_resource_schemas["hybridnet_psk"];
    let value = psk.block.as_ref().unwrap().attributes.iter();
    let value = value.clone().find(|a| a.name == "value").unwrap();
    assert!(value.sensitive && value.computed && !value.write_only);
    assert!(schema.functions.is_empty() && schema.list_resource_schemas.is_empty());

    let meta = p
        .get_metadata(pb::get_metadata::Request {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!(meta.server_capabilities, Some(caps));
    assert_eq!(meta.resources.len(), schema.resource_schemas.len());
    assert!(meta
        .resources
        .iter()
        .any(|r| r.type_name == "hybridnet_jdcloud_vpn_tunnel"));
    // GetProviderSchema's map has no order; GetMetadata's list is sorted.
    let mut schema_sources: Vec<&str> = schema
        .data_source_schemas
        .keys()
        .map(String::as_str)
        .collect();
    schema_sources.sort_unstable();
    assert_eq!(
        meta.data_sources
            .iter()
            .map(|d| d.type_name.as_str())
            .collect::<Vec<_>>(),
        schema_sources
    );
    assert!(!meta.data_sources.is_empty());
    assert_eq!(meta.ephemeral_resources[0].type_name, "hybridnet_psk");
    assert!(meta.functions.is_empty());

    // Configure as Terraform does for a `provider "hybridnet" {}` block.
    let empty = |schema: &hybridnet::framework::Schema| {
        conform(&schema.block, &Value::Object(Default::default()))
    };
    let configured = p
        .configure(pb::configure::Request {
            terraform_version: "1.11.4".into(),
            config: Some(dv(&empty(&provider.schema()))),
            client_capabilities: Some(pb::ClientCapabilities {
                deferral_allowed: false,
                write_only_attributes_allowed: true,
            }),
        })
        .await
        .unwrap()
        .into_inner();
    assert!(configured.diagnostics.is_empty(), "{configured:?}");

    // The ephemeral PSK: validated, opened (20 characters both clouds accept), closed.
    let psk_schema = hybridnet::resources::ipsec::psk::schema();
    let config = dv(&empty(&psk_schema));
    let validated = p
        .validate_ephemeral_resource_config(pb::validate_ephemeral_resource_config::Request {
            type_name: "hybridnet_psk".into(),
            config: Some(config.clone()),
        })
        .await
        .unwrap()
        .into_inner();
    assert!(validated.diagnostics.is_empty());
    let opened = p
        .open_ephemeral_resource(pb::open_ephemeral_resource::Request {
            type_name: "hybridnet_psk".into(),
            config: Some(config),
            client_capabilities: None,
        })
        .await
        .unwrap()
        .into_inner();
    assert!(opened.diagnostics.is_empty(), "{:?}", opened.diagnostics);
    assert!(opened.renew_at.is_none() && opened.private.is_none());
    let result = msgpack::decode(&opened.result.unwrap().msgpack, &psk_schema.ty()).unwrap();
    let key = result.get("value").as_str().unwrap();
    assert!(
        regex::Regex::new("^[A-Za-z0-9_-]{20}$")
            .unwrap()
            .is_match(key),
        "{key:?}"
    );
    assert_eq!(result.get("length"), &Value::int(20));
    let closed = p
        .close_ephemeral_resource(pb::close_ephemeral_resource::Request {
            type_name: "hybridnet_psk".into(),
            private: None,
        })
        .await
        .unwrap()
        .into_inner();
    assert!(closed.diagnostics.is_empty());

    // plan_destroy: a destroy (null proposal and configuration) plans null.
    let gw = provider
        .resources()
        .into_iter()
        .find(|r| r.type_name() == "hybridnet_jdcloud_customer_gateway")
        .unwrap();
    let mut prior = empty(gw.schema());
    *prior.get_mut("id").unwrap() = Value::string("cgw-1");
    let planned = p
        .plan_resource_change(pb::plan_resource_change::Request {
            type_name: gw.type_name().into(),
            prior_state: Some(dv(&prior)),
            proposed_new_state: Some(dv(&Value::Null)),
            config: Some(dv(&Value::Null)),
            prior_private: b"{}".to_vec(),
            provider_meta: None,
            client_capabilities: None,
            prior_identity: None,
        })
        .await
        .unwrap()
        .into_inner();
    assert!(planned.diagnostics.is_empty(), "{:?}", planned.diagnostics);
    assert_eq!(planned.planned_state.unwrap().msgpack, [0xc0]);
    assert!(planned.requires_replace.is_empty());
    assert_eq!(planned.planned_private, b"{}");

    // What hybridnet does not have: answered, with a reason.
    let moved = p
        .move_resource_state(pb::move_resource_state::Request {
            source_provider_address: "registry.terraform.io/hashicorp/null".into(),
            source_type_name: "null_resource".into(),
            target_type_name: gw.type_name().into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(moved.diagnostics.len(), 1);
    assert!(moved.diagnostics[0].detail.contains("null_resource"));
    assert!(moved.target_state.is_none());
    let functions = p
        .get_functions(pb::get_functions::Request {})
        .await
        .unwrap()
        .into_inner();
    assert!(functions.functions.is_empty() && functions.diagnostics.is_empty());
    let called = p
        .call_function(pb::call_function::Request {
            name: "nope".into(),
            arguments: Vec::new(),
        })
        .await
        .unwrap()
        .into_inner();
    assert!(called.error.unwrap().text.contains("nope"));
    let identities = p
        .get_resource_identity_schemas(pb::get_resource_identity_schemas::Request {})
        .await
        .unwrap()
        .into_inner();
    assert!(identities.identity_schemas.is_empty() && identities.diagnostics.is_empty());
    let mut events = p
        .list_resource(pb::list_resource::Request {
            type_name: "hybridnet_thing".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    let event = events.message().await.unwrap().unwrap();
    assert_eq!(event.diagnostic.len(), 1);
    assert!(events.message().await.unwrap().is_none());

    drop(p);
    shutdown_and_expect_exit(&mut plugin, channel).await;
}
