//! go-plugin AutoMTLS with rustls.
//!
//! Terraform's client certificate is self-signed, `CA:TRUE`, ECDSA P-521 /
//! SHA-512. webpki refuses a CA certificate used as an end-entity certificate
//! and the *ring* provider cannot verify P-521, so the stock verifiers cannot
//! authenticate Terraform. Instead the server pins the exact DER Terraform
//! passed in `PLUGIN_CLIENT_CERT` and checks handshake signatures with the
//! aws-lc-rs provider, which supports `ECDSA_NISTP521_SHA512`.

use std::fmt;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{DigitallySignedStruct, DistinguishedName, ServerConfig, SignatureScheme};
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};

/// The only name Terraform's client checks the server certificate against.
pub const SERVER_NAME: &str = "localhost";

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("generating the server certificate: {0}")]
    Generate(#[from] rcgen::Error),
    #[error("building the TLS configuration: {0}")]
    Config(#[from] rustls::Error),
}

/// The crypto provider used for every TLS config in this crate.
pub fn crypto_provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// A fresh self-signed server certificate and its key.
pub struct ServerIdentity {
    cert: CertificateDer<'static>,
    key: PrivatePkcs8KeyDer<'static>,
}

impl fmt::Debug for ServerIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerIdentity")
            .field("cert", &format_args!("<{} bytes DER>", self.cert.len()))
            .field("key", &"<redacted>")
            .finish()
    }
}

impl ServerIdentity {
    /// Generates a certificate shaped like go-plugin's `generateCert()`, but
    /// with a P-256 key: Terraform starts several provider processes per
    /// command, and P-256 keygen is much cheaper than P-521.
    pub fn generate() -> Result<ServerIdentity, TlsError> {
        use rcgen::{
            BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
            KeyUsagePurpose,
        };

        let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)?;
        let mut params = CertificateParams::new(vec![SERVER_NAME.to_owned()])?;
        params.distinguished_name = rcgen::DistinguishedName::new();
        params
            .distinguished_name
            .push(DnType::CommonName, SERVER_NAME);
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
            KeyUsagePurpose::KeyAgreement,
            KeyUsagePurpose::KeyCertSign,
        ];
        params.extended_key_usages = vec![
            ExtendedKeyUsagePurpose::ServerAuth,
            ExtendedKeyUsagePurpose::ClientAuth,
        ];
        // Go's client uses this certificate as its own root CA.
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        // Same window as go-plugin: tolerate a little clock skew, never expire in practice.
        let now = time::OffsetDateTime::now_utc();
        params.not_before = now - time::Duration::seconds(30);
        params.not_after = now + time::Duration::days(30 * 365);

        let cert = params.self_signed(&key)?;
        Ok(ServerIdentity {
            cert: cert.der().clone(),
            key: PrivatePkcs8KeyDer::from(key.serialize_der()),
        })
    }

    /// The certificate, DER-encoded (printed in the handshake line).
    pub fn cert_der(&self) -> &CertificateDer<'static> {
        &self.cert
    }

    /// The private key (PKCS#8).
    pub fn key_der(&self) -> PrivateKeyDer<'static> {
        PrivateKeyDer::Pkcs8(self.key.clone_key())
    }
}

/// Trusts exactly one certificate, byte for byte, and checks handshake
/// signatures with the aws-lc-rs algorithms. Used by the server to
/// authenticate Terraform (as a `ClientCertVerifier`) and by tests and tools
/// acting as Terraform (as a `ServerCertVerifier`).
pub struct PinnedCert {
    der: CertificateDer<'static>,
    algs: WebPkiSupportedAlgorithms,
}

impl fmt::Debug for PinnedCert {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PinnedCert")
            .field("der", &format_args!("<{} bytes DER>", self.der.len()))
            .finish_non_exhaustive()
    }
}

impl PinnedCert {
    pub fn new(der: CertificateDer<'static>) -> PinnedCert {
        PinnedCert {
            der,
            algs: crypto_provider().signature_verification_algorithms,
        }
    }

    fn check(&self, presented: &CertificateDer<'_>) -> Result<(), rustls::Error> {
        if presented.as_ref() == self.der.as_ref() {
            Ok(())
        } else {
            Err(rustls::Error::InvalidCertificate(
                rustls::CertificateError::ApplicationVerificationFailure,
            ))
        }
    }
}

/// The handshake-signature checks both verifier traits ask for: the crypto
/// provider's own, with its algorithms (only the certificate is pinned).
macro_rules! handshake_signature_checks {
    () => {
        handshake_signature_checks!(verify_tls12_signature, verify_tls13_signature);

        fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
            self.algs.supported_schemes()
        }
    };
    ($($check:ident),*) => {
        $(
            fn $check(
                &self,
                message: &[u8],
                cert: &CertificateDer<'_>,
                dss: &DigitallySignedStruct,
            ) -> Result<HandshakeSignatureValid, rustls::Error> {
                rustls::crypto::$check(message, cert, dss, &self.algs)
            }
        )*
    };
}

impl ClientCertVerifier for PinnedCert {
    fn client_auth_mandatory(&self) -> bool {
        true
    }

    // Empty hints: Go's client then sends its only certificate.
    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &[]
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        self.check(end_entity)
            .map(|()| ClientCertVerified::assertion())
    }

    handshake_signature_checks!();
}

impl ServerCertVerifier for PinnedCert {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        self.check(end_entity)
            .map(|()| ServerCertVerified::assertion())
    }

    handshake_signature_checks!();
}

/// The server config for AutoMTLS: our identity, Terraform's certificate
/// pinned and required, ALPN `h2` (grpc-go >= 1.67, i.e. Terraform >= 1.12,
/// rejects servers without it).
pub fn server_config(
    identity: &ServerIdentity,
    client_cert: CertificateDer<'static>,
) -> Result<Arc<ServerConfig>, TlsError> {
    let mut config = ServerConfig::builder_with_provider(crypto_provider())
        .with_safe_default_protocol_versions()?
        .with_client_cert_verifier(Arc::new(PinnedCert::new(client_cert)))
        .with_single_cert(vec![identity.cert_der().clone()], identity.key_der())?;
    config.alpn_protocols = vec![b"h2".to_vec()];
    Ok(Arc::new(config))
}

#[cfg(test)]
mod tests {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    use tokio_rustls::{TlsAcceptor, TlsConnector};

    use super::*;

    /// A certificate shaped like Terraform's (go-plugin `generateCert`): P-521, CA:TRUE.
    fn terraform_like_client() -> (CertificateDer<'static>, PrivateKeyDer<'static>) {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P521_SHA512).unwrap();
        let mut params = rcgen::CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params.key_usages = vec![
            rcgen::KeyUsagePurpose::DigitalSignature,
            rcgen::KeyUsagePurpose::KeyEncipherment,
            rcgen::KeyUsagePurpose::KeyAgreement,
            rcgen::KeyUsagePurpose::KeyCertSign,
        ];
        params.extended_key_usages = vec![
            rcgen::ExtendedKeyUsagePurpose::ClientAuth,
            rcgen::ExtendedKeyUsagePurpose::ServerAuth,
        ];
        let cert = params.self_signed(&key).unwrap();
        (
            cert.der().clone(),
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        )
    }

    fn client_config(
        server_cert: &CertificateDer<'static>,
        client: Option<(CertificateDer<'static>, PrivateKeyDer<'static>)>,
    ) -> Arc<rustls::ClientConfig> {
        let builder = rustls::ClientConfig::builder_with_provider(crypto_provider())
            .with_safe_default_protocol_versions()
            .unwrap()
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(PinnedCert::new(server_cert.clone())));
        let mut config = match client {
            Some((cert, key)) => builder.with_client_auth_cert(vec![cert], key).unwrap(),
            None => builder.with_no_client_auth(),
        };
        config.alpn_protocols = vec![b"h2".to_vec()];
        Arc::new(config)
    }

    /// Runs one handshake + a one-byte echo; returns the server-side result.
    async fn handshake(
        pinned: CertificateDer<'static>,
        client: Option<(CertificateDer<'static>, PrivateKeyDer<'static>)>,
    ) -> Result<(), String> {
        let identity = ServerIdentity::generate().unwrap();
        let acceptor = TlsAcceptor::from(server_config(&identity, pinned).unwrap());
        let connector = TlsConnector::from(client_config(identity.cert_der(), client));
        let (client_io, server_io) = tokio::io::duplex(64 * 1024);

        let server = tokio::spawn(async move {
            let mut tls = acceptor
                .accept(server_io)
                .await
                .map_err(|e| e.to_string())?;
            let (_, conn) = tls.get_ref();
            assert_eq!(conn.alpn_protocol(), Some(&b"h2"[..]));
            let mut b = [0u8; 1];
            tls.read_exact(&mut b).await.map_err(|e| e.to_string())?;
            tls.write_all(&b).await.map_err(|e| e.to_string())?;
            tls.flush().await.map_err(|e| e.to_string())?;
            Ok::<(), String>(())
        });
        let name = ServerName::try_from(SERVER_NAME).unwrap();
        // In TLS 1.3 the client finishes before the server has checked its
        // certificate, so a rejection shows up on the first read instead.
        if let Ok(mut tls) = connector.connect(name, client_io).await {
            let _ = tls.write_all(b"x").await;
            let _ = tls.flush().await;
            let mut b = [0u8; 1];
            let _ = tls.read_exact(&mut b).await;
        }
        server.await.unwrap()
    }

    #[test]
    fn provider_supports_terraform_signature_scheme() {
        let schemes = crypto_provider()
            .signature_verification_algorithms
            .supported_schemes();
        assert!(schemes.contains(&SignatureScheme::ECDSA_NISTP521_SHA512));
    }

    #[test]
    fn server_identity_is_debug_redacted() {
        let identity = ServerIdentity::generate().unwrap();
        let dbg = format!("{identity:?}");
        assert!(dbg.contains("<redacted>"), "{dbg}");
    }

    #[tokio::test]
    async fn pinned_terraform_like_client_is_accepted() {
        let (cert, key) = terraform_like_client();
        handshake(cert.clone(), Some((cert, key))).await.unwrap();
    }

    #[tokio::test]
    async fn other_client_cert_is_rejected() {
        let (pinned, _) = terraform_like_client();
        let other = terraform_like_client();
        let err = handshake(pinned, Some(other)).await.unwrap_err();
        assert!(err.contains("invalid peer certificate"), "{err}");
    }

    #[tokio::test]
    async fn missing_client_cert_is_rejected() {
        let (pinned, _) = terraform_like_client();
        let err = handshake(pinned, None).await.unwrap_err();
        assert!(err.to_lowercase().contains("certificate"), "{err}");
    }
}
