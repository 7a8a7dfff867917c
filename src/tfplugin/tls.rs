//! go-plugin AutoMTLS with rustls.
//!
//! Terraform's client certificate is self-signed, `CA:TRUE`, ECDSA P-521 /
//! SHA-512. webpki refuses a CA certificate used as an end-entity certificate,
//! so the stock verifiers cannot authenticate Terraform. Instead the server
//! pins the exact DER Terraform passed in `PLUGIN_CLIENT_CERT` and checks
//! handshake signatures with the *ring* provider's algorithms plus ECDSA P-521
//! from the pure-Rust `p521` crate, which *ring* lacks. *ring* rather than
//! aws-lc: aws-lc seeds its random generator from CPU-jitter sampling at the
//! first key, ~25 ms of every provider start (docs/performance.md).

use std::fmt;
use std::sync::{Arc, LazyLock};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{DigitallySignedStruct, DistinguishedName, ServerConfig, SignatureScheme};
use rustls_pki_types::{
    alg_id, AlgorithmIdentifier, CertificateDer, InvalidSignature, PrivateKeyDer,
    PrivatePkcs8KeyDer, ServerName, SignatureVerificationAlgorithm, UnixTime,
};
use sha2::Digest as _;

/// The only name Terraform's client checks the server certificate against.
pub const SERVER_NAME: &str = "localhost";

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("generating the server certificate: {0}")]
    Generate(#[from] rcgen::Error),
    #[error("building the TLS configuration: {0}")]
    Config(#[from] rustls::Error),
}

/// The crypto provider used for every TLS config in this crate: *ring*, with
/// ECDSA P-521 added to the signatures it checks.
pub fn crypto_provider() -> Arc<CryptoProvider> {
    Arc::new(CryptoProvider {
        signature_verification_algorithms: *SIGNATURE_ALGORITHMS,
        ..rustls::crypto::ring::default_provider()
    })
}

/// ECDSA over P-521 with one hash. TLS 1.3 only uses SHA-512 with P-521; in
/// TLS 1.2 the scheme names the hash only, so the other two are listed too.
#[derive(Debug)]
struct EcdsaP521 {
    hash: AlgorithmIdentifier,
}

static ECDSA_P521_SHA256: EcdsaP521 = EcdsaP521 {
    hash: alg_id::ECDSA_SHA256,
};
static ECDSA_P521_SHA384: EcdsaP521 = EcdsaP521 {
    hash: alg_id::ECDSA_SHA384,
};
static ECDSA_P521_SHA512: EcdsaP521 = EcdsaP521 {
    hash: alg_id::ECDSA_SHA512,
};

impl SignatureVerificationAlgorithm for EcdsaP521 {
    fn verify_signature(
        &self,
        public_key: &[u8],
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), InvalidSignature> {
        use p521::ecdsa::signature::hazmat::PrehashVerifier as _;
        let key =
            p521::ecdsa::VerifyingKey::from_sec1_bytes(public_key).map_err(|_| InvalidSignature)?;
        let signature =
            p521::ecdsa::Signature::from_der(signature).map_err(|_| InvalidSignature)?;
        let digest = if self.hash == alg_id::ECDSA_SHA256 {
            sha2::Sha256::digest(message).to_vec()
        } else if self.hash == alg_id::ECDSA_SHA384 {
            sha2::Sha384::digest(message).to_vec()
        } else {
            sha2::Sha512::digest(message).to_vec()
        };
        key.verify_prehash(&digest, &signature)
            .map_err(|_| InvalidSignature)
    }

    fn public_key_alg_id(&self) -> AlgorithmIdentifier {
        alg_id::ECDSA_P521
    }

    fn signature_alg_id(&self) -> AlgorithmIdentifier {
        self.hash
    }
}

/// *ring*'s algorithms with the P-521 ones added. rustls wants `'static`
/// slices: they are built once per process and leaked (a few hundred bytes).
static SIGNATURE_ALGORITHMS: LazyLock<WebPkiSupportedAlgorithms> = LazyLock::new(|| {
    let ring = rustls::crypto::ring::default_provider().signature_verification_algorithms;
    let p521: [&'static dyn SignatureVerificationAlgorithm; 3] =
        [&ECDSA_P521_SHA256, &ECDSA_P521_SHA384, &ECDSA_P521_SHA512];
    let mut all = ring.all.to_vec();
    all.extend(p521);
    let mut mapping: Vec<(SignatureScheme, Algorithms)> = ring
        .mapping
        .iter()
        .map(|&(scheme, algs)| {
            let extra: Option<&'static dyn SignatureVerificationAlgorithm> = match scheme {
                SignatureScheme::ECDSA_NISTP256_SHA256 => Some(&ECDSA_P521_SHA256),
                SignatureScheme::ECDSA_NISTP384_SHA384 => Some(&ECDSA_P521_SHA384),
                _ => None,
            };
            match extra {
                Some(extra) => (scheme, leak([algs, &[extra]].concat())),
                None => (scheme, algs),
            }
        })
        .collect();
    // After the other ECDSA schemes, where aws-lc-rs lists it.
    let at = mapping
        .iter()
        .rposition(|(scheme, _)| {
            matches!(
                *scheme,
                SignatureScheme::ECDSA_NISTP256_SHA256 | SignatureScheme::ECDSA_NISTP384_SHA384
            )
        })
        .map_or(0, |i| i + 1);
    mapping.insert(
        at,
        (
            SignatureScheme::ECDSA_NISTP521_SHA512,
            leak(vec![&ECDSA_P521_SHA512]),
        ),
    );
    WebPkiSupportedAlgorithms {
        all: leak(all),
        mapping: Box::leak(mapping.into_boxed_slice()),
    }
});

type Algorithms = &'static [&'static dyn SignatureVerificationAlgorithm];

fn leak(algs: Vec<&'static dyn SignatureVerificationAlgorithm>) -> Algorithms {
    Box::leak(algs.into_boxed_slice())
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
/// signatures with [`crypto_provider`]'s algorithms. Used by the server to
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

/// Terraform-like client identities, shared with tests/plugin_handshake.rs.
#[cfg(test)]
#[path = "../../tests/common/terraform_client.rs"]
mod terraform_client;

#[cfg(test)]
mod tests {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    use tokio_rustls::{TlsAcceptor, TlsConnector};

    use super::*;

    use super::terraform_client::{terraform_client, TerraformClient};

    fn client_config(
        server_cert: &CertificateDer<'static>,
        client: Option<&TerraformClient>,
    ) -> Arc<rustls::ClientConfig> {
        let builder = rustls::ClientConfig::builder_with_provider(crypto_provider())
            .with_safe_default_protocol_versions()
            .unwrap()
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(PinnedCert::new(server_cert.clone())));
        let mut config = match client {
            Some(client) => builder.with_client_cert_resolver(client.resolver()),
            None => builder.with_no_client_auth(),
        };
        config.alpn_protocols = vec![b"h2".to_vec()];
        Arc::new(config)
    }

    /// Runs one handshake + a one-byte echo; returns the server-side result.
    async fn handshake(
        pinned: CertificateDer<'static>,
        client: Option<&TerraformClient>,
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
        let client = terraform_client(0);
        handshake(client.der.clone(), Some(&client)).await.unwrap();
    }

    #[tokio::test]
    async fn other_client_cert_is_rejected() {
        let pinned = terraform_client(0).der;
        let other = terraform_client(1);
        let err = handshake(pinned, Some(&other)).await.unwrap_err();
        assert!(err.contains("invalid peer certificate"), "{err}");
    }

    /// The pinned certificate is not enough: the handshake signature must be made with its key
    /// (checked by the P-521 verifier above).
    #[tokio::test]
    async fn pinned_cert_with_another_key_is_rejected() {
        let pinned = terraform_client(0);
        let impostor = terraform_client(1).with_certificate_of(&pinned);
        let err = handshake(pinned.der.clone(), Some(&impostor))
            .await
            .unwrap_err();
        assert!(err.to_lowercase().contains("signature"), "{err}");
    }

    #[test]
    fn p521_verifier_checks_the_signature() {
        use p521::ecdsa::signature::Signer as _;
        let mut scalar = [7u8; 66];
        scalar[0] = 0; // below the group order
        let key = p521::ecdsa::SigningKey::from_slice(&scalar).unwrap();
        let public = p521::ecdsa::VerifyingKey::from(&key).to_encoded_point(false);
        let signature: p521::ecdsa::Signature = key.sign(b"message");
        let der = signature.to_der();
        let check = |alg: &EcdsaP521, message: &[u8]| {
            alg.verify_signature(public.as_bytes(), message, der.as_bytes())
                .is_ok()
        };
        assert!(check(&ECDSA_P521_SHA512, b"message"));
        assert!(!check(&ECDSA_P521_SHA512, b"massage"));
        // The same signature under a SHA-256 digest does not verify.
        assert!(!check(&ECDSA_P521_SHA256, b"message"));
    }

    #[tokio::test]
    async fn missing_client_cert_is_rejected() {
        let pinned = terraform_client(0).der;
        let err = handshake(pinned, None).await.unwrap_err();
        assert!(err.to_lowercase().contains("certificate"), "{err}");
    }
}
