//! What the provider does on the network, with the real Terraform CLI:
//!
//! - a certificate nobody vouches for fails at once (not retried for the whole timeout), saying
//!   so with the host and how to trust a private CA;
//! - a private CA named by `SSL_CERT_FILE` is trusted (the system store is used, not only the
//!   built-in roots), so the same apply succeeds;
//! - the provider exits by itself within seconds when Terraform is killed.

mod common;

use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, Instant};

use common::{
    is_alive, kill_terraform, provider_preamble, providers_of, terraform_bins, Sandbox, TfWorkdir,
};
use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};

const GATEWAYS: &str = r#"
resource "hybridnet_jdcloud_customer_gateway" "idc" {
  name         = "idc"
  customer_ips = ["203.0.113.10"]
  bgp_asn      = 65010
}
resource "hybridnet_alicloud_customer_gateway" "idc" {
  ip_address = "203.0.113.20"
  asn        = 65020
}
"#;

/// A private CA and a certificate it issued for 127.0.0.1, as PEM files in `dir`:
/// `(ca.pem, cert.pem, key.pem)`.
fn private_pki(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "hybridnet test CA");
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);
    let leaf_key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
        .unwrap()
        .signed_by(&leaf_key, &issuer)
        .unwrap();
    let paths = (
        dir.join("ca.pem"),
        dir.join("cert.pem"),
        dir.join("key.pem"),
    );
    std::fs::write(&paths.0, ca_cert.pem()).unwrap();
    std::fs::write(&paths.1, leaf.pem()).unwrap();
    std::fs::write(&paths.2, leaf_key.serialize_pem()).unwrap();
    (paths.0, paths.1, paths.2)
}

#[test]
fn tls_trust_comes_from_the_system_store_and_untrusted_fails_at_once() {
    let pki = tempfile::tempdir().unwrap();
    let (ca, cert, key) = private_pki(pki.path());
    for tf in terraform_bins() {
        let sb = Sandbox::start_with_args(&[
            "--tls-cert",
            cert.to_str().unwrap(),
            "--tls-key",
            key.to_str().unwrap(),
        ]);
        assert!(sb.url().starts_with("https://127.0.0.1:"), "{}", sb.url());
        let main = format!("{}{GATEWAYS}", provider_preamble());

        // Not trusted: refused at once, with the cause, although the create may take 5 minutes.
        let wd = TfWorkdir::new(&tf, &sb, &main);
        let started = Instant::now();
        let out = wd.apply_err();
        assert!(started.elapsed() < Duration::from_secs(20), "{out}");
        let text = out.combined().replace('\n', " ");
        for needle in [
            format!("TLS with {} failed", sb.host()),
            "UnknownIssuer".to_owned(),
            "SSL_CERT_FILE".to_owned(),
        ] {
            assert!(text.contains(&needle), "{needle:?} missing:\n{out}");
        }
        assert_eq!(sb.requests(), serde_json::json!({}), "nothing got through");

        // Trusted through SSL_CERT_FILE: the same configuration applies and destroys.
        let mut wd = TfWorkdir::new(&tf, &sb, &main);
        wd.env("SSL_CERT_FILE", ca.to_str().unwrap());
        wd.apply();
        assert_eq!(wd.plan_detailed(), 0);
        wd.destroy();
    }
}

/// Terraform killed with SIGKILL never says goodbye; the provider must notice and exit.
#[test]
fn provider_exits_when_terraform_is_killed() {
    for tf in terraform_bins() {
        // An endpoint that never answers keeps the apply (and the provider) busy.
        let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let endpoint = format!("http://{}", silent.local_addr().unwrap());
        let sb = Sandbox::start();
        let mut wd = TfWorkdir::new(&tf, &sb, &format!("{}{GATEWAYS}", provider_preamble()));
        wd.env("HYBRIDNET_JDCLOUD_ENDPOINT", &endpoint)
            .env("HYBRIDNET_ALICLOUD_ENDPOINT", &endpoint);
        let mut apply = wd.spawn(
            "apply",
            &["apply", "-auto-approve", "-input=false", "-no-color"],
        );
        let started = Instant::now();
        let provider = loop {
            // Past the plan: the provider that applies is up once Terraform says it is creating.
            if wd.output_of("apply").contains("Creating...") {
                if let Some((p, _)) = providers_of(apply.id()).into_iter().next() {
                    break p;
                }
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "the apply never started creating:\n{}",
                wd.output_of("apply")
            );
            thread::sleep(Duration::from_millis(50));
        };
        kill_terraform(apply.id());
        apply.wait().unwrap();
        let killed = Instant::now();
        while is_alive(provider) {
            assert!(
                killed.elapsed() < Duration::from_secs(5),
                "{}: the provider (pid {provider}) outlived Terraform by 5 s",
                wd.terraform_version()
            );
            thread::sleep(Duration::from_millis(100));
        }
        drop(silent);
    }
}
