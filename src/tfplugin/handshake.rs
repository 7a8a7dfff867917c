//! go-plugin's launch contract, as Terraform drives it: the magic cookie,
//! protocol-version negotiation, the AutoMTLS client certificate, and the
//! handshake line printed on stdout.
//!
//! Parsing is a pure function of a variable lookup (`Handshake::from_vars`)
//! so it can be tested without touching the process environment.

use std::fmt;

use base64::engine::general_purpose::STANDARD_NO_PAD;
use base64::Engine as _;
use rustls_pki_types::pem::PemObject as _;
use rustls_pki_types::CertificateDer;

/// Environment variable holding Terraform's magic cookie.
pub const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
/// Terraform's cookie value (`hashicorp/terraform internal/plugin/serve.go`); never changes.
pub const MAGIC_COOKIE_VALUE: &str =
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
/// Comma-separated protocol versions the client speaks (in random order).
pub const PROTOCOL_VERSIONS_KEY: &str = "PLUGIN_PROTOCOL_VERSIONS";
/// PEM client certificate; present when AutoMTLS is on (Terraform's default).
pub const CLIENT_CERT_KEY: &str = "PLUGIN_CLIENT_CERT";

/// go-plugin's core protocol version: the first handshake field.
pub const CORE_PROTOCOL_VERSION: u32 = 1;
/// The only application protocol this binary speaks: tfplugin5.
pub const PROTOCOL_VERSION: u32 = 5;

/// go-plugin's exact text for a binary run by hand (`go-plugin server.go`).
const NOT_A_PLUGIN: &str =
    "This binary is a plugin. These are not meant to be executed directly.\n\
Please execute the program that consumes these plugins, which will load any plugins automatically";

/// Why the process cannot serve; `main` prints the Display text and exits 1.
#[derive(Debug, thiserror::Error)]
pub enum HandshakeError {
    /// The magic cookie is missing or wrong: someone ran the binary by hand.
    #[error("{NOT_A_PLUGIN}")]
    NotAPlugin,
    /// The client does not offer protocol 5.
    #[error(
        "this provider speaks only plugin protocol {PROTOCOL_VERSION} \
         (Terraform 0.12 or later), but the client offered {offered:?}"
    )]
    UnsupportedProtocol { offered: String },
    /// `PLUGIN_CLIENT_CERT` is set but is not a PEM certificate.
    #[error("PLUGIN_CLIENT_CERT is not a valid PEM certificate: {0}")]
    InvalidClientCert(String),
}

/// What the client asked for, validated.
#[derive(Clone, PartialEq, Eq)]
pub struct Handshake {
    protocol_version: u32,
    client_cert: Option<CertificateDer<'static>>,
}

impl fmt::Debug for Handshake {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Handshake")
            .field("protocol_version", &self.protocol_version)
            .field(
                "client_cert",
                &self
                    .client_cert
                    .as_ref()
                    .map(|c| format!("<{} bytes DER>", c.len())),
            )
            .finish()
    }
}

impl Handshake {
    /// Reads the handshake from the process environment.
    pub fn from_env() -> Result<Handshake, HandshakeError> {
        Handshake::from_vars(|k| std::env::var(k).ok())
    }

    /// Parses the handshake from a variable lookup (pure; used by tests).
    pub fn from_vars<F>(get: F) -> Result<Handshake, HandshakeError>
    where
        F: Fn(&str) -> Option<String>,
    {
        if get(MAGIC_COOKIE_KEY).as_deref() != Some(MAGIC_COOKIE_VALUE) {
            return Err(HandshakeError::NotAPlugin);
        }

        // Absent means a pre-negotiation client: go-plugin then uses the
        // server's default version, which for us is 5.
        let offered = get(PROTOCOL_VERSIONS_KEY).unwrap_or_default();
        if !offered.trim().is_empty() {
            // Unparsable entries are skipped, as go-plugin does.
            let speaks_5 = offered
                .split(',')
                .filter_map(|v| v.trim().parse::<u32>().ok())
                .any(|v| v == PROTOCOL_VERSION);
            if !speaks_5 {
                return Err(HandshakeError::UnsupportedProtocol { offered });
            }
        }

        let client_cert = match get(CLIENT_CERT_KEY) {
            Some(pem) if !pem.trim().is_empty() => Some(
                CertificateDer::from_pem_slice(pem.as_bytes())
                    .map_err(|e| HandshakeError::InvalidClientCert(e.to_string()))?,
            ),
            _ => None,
        };

        Ok(Handshake {
            protocol_version: PROTOCOL_VERSION,
            client_cert,
        })
    }

    /// The negotiated application protocol version (always 5).
    pub fn protocol_version(&self) -> u32 {
        self.protocol_version
    }

    /// Terraform's certificate (DER) when AutoMTLS is on; `None` means plaintext.
    pub fn client_cert(&self) -> Option<&CertificateDer<'static>> {
        self.client_cert.as_ref()
    }

    /// The line go-plugin's client reads from stdout (without the newline):
    /// `1|5|unix|<socket>|grpc|<cert>`, where `<cert>` is the server's DER
    /// certificate in standard base64 WITHOUT padding (go's RawStdEncoding;
    /// padding makes Terraform fail) or empty when serving plaintext.
    pub fn line(&self, socket_path: &str, server_cert_der: Option<&[u8]>) -> String {
        let cert = server_cert_der
            .map(|d| STANDARD_NO_PAD.encode(d))
            .unwrap_or_default();
        format!(
            "{CORE_PROTOCOL_VERSION}|{}|unix|{socket_path}|grpc|{cert}",
            self.protocol_version
        )
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn parse(vars: &[(&str, &str)]) -> Result<Handshake, HandshakeError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Handshake::from_vars(|k| map.get(k).cloned())
    }

    fn test_cert_pem() -> String {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        let params = rcgen::CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
        params.self_signed(&key).unwrap().pem()
    }

    #[test]
    fn missing_or_wrong_cookie_is_not_a_plugin() {
        for vars in [vec![], vec![(MAGIC_COOKIE_KEY, "nope")]] {
            let err = parse(&vars).unwrap_err();
            assert!(matches!(err, HandshakeError::NotAPlugin));
            assert_eq!(
                err.to_string(),
                "This binary is a plugin. These are not meant to be executed directly.\n\
                 Please execute the program that consumes these plugins, which will load any \
                 plugins automatically"
            );
        }
    }

    #[test]
    fn protocol_versions_are_a_set() {
        for offered in ["5,6", "6,5", "5", " 6 , 5 ", "x,5", ""] {
            let hs = parse(&[
                (MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE),
                (PROTOCOL_VERSIONS_KEY, offered),
            ])
            .unwrap_or_else(|e| panic!("{offered:?}: {e}"));
            assert_eq!(hs.protocol_version(), 5);
            assert!(hs.client_cert().is_none());
        }
        let hs = parse(&[(MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE)]).unwrap();
        assert_eq!(hs.protocol_version(), 5);
    }

    #[test]
    fn protocol_without_5_is_rejected() {
        for offered in ["6", "4,6", "55"] {
            let err = parse(&[
                (MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE),
                (PROTOCOL_VERSIONS_KEY, offered),
            ])
            .unwrap_err();
            assert!(
                matches!(err, HandshakeError::UnsupportedProtocol { .. }),
                "{offered}"
            );
            assert!(err.to_string().contains("protocol 5"), "{err}");
        }
    }

    #[test]
    fn client_cert_is_parsed_from_pem() {
        let pem = test_cert_pem();
        let hs = parse(&[
            (MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE),
            (PROTOCOL_VERSIONS_KEY, "6,5"),
            (CLIENT_CERT_KEY, &pem),
        ])
        .unwrap();
        let der = CertificateDer::from_pem_slice(pem.as_bytes()).unwrap();
        assert_eq!(hs.client_cert(), Some(&der));
        assert!(format!("{hs:?}").contains("bytes DER"));

        let empty = parse(&[
            (MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE),
            (CLIENT_CERT_KEY, "\n"),
        ])
        .unwrap();
        assert!(empty.client_cert().is_none());

        let err = parse(&[
            (MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE),
            (CLIENT_CERT_KEY, "garbage"),
        ])
        .unwrap_err();
        assert!(matches!(err, HandshakeError::InvalidClientCert(_)));
    }

    #[test]
    fn line_without_tls_has_empty_cert_field() {
        let hs = parse(&[(MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE)]).unwrap();
        assert_eq!(
            hs.line("/tmp/x/plugin.sock", None),
            "1|5|unix|/tmp/x/plugin.sock|grpc|"
        );
    }

    #[test]
    fn line_with_tls_is_unpadded_standard_base64() {
        let hs = parse(&[(MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE)]).unwrap();
        // 4 bytes would need "==" padding and contain '+' and '/' in STANDARD.
        let line = hs.line("/s", Some(&[0xfb, 0xff, 0xbf, 0x01]));
        assert_eq!(line, "1|5|unix|/s|grpc|+/+/AQ");
    }
}
