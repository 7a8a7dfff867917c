//! Client identities shaped like Terraform's (go-plugin `generateCert`): self-signed ECDSA
//! P-521 / SHA-512 certificates with `CA:TRUE`, for tests that act as Terraform. *ring* (the
//! provider's crypto) can neither make nor use a P-521 key, so the certificates are fixed (made
//! once with `openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-521 -sha512 -addext
//! basicConstraints=critical,CA:TRUE …`) and the key signs with the `p521` crate.
//! Test-only keys: they protect nothing. Used by the unit tests of `tfplugin::tls` (`#[path]`)
//! and by tests/plugin_handshake.rs.
#![allow(dead_code)]

use std::sync::Arc;

use p521::ecdsa::signature::Signer as _;
use rustls::client::ResolvesClientCert;
use rustls::sign::{CertifiedKey, Signer, SigningKey};
use rustls::{SignatureAlgorithm, SignatureScheme};
use rustls_pki_types::pem::PemObject as _;
use rustls_pki_types::CertificateDer;

/// One Terraform-like client: its certificate (PEM, as in `PLUGIN_CLIENT_CERT`, and DER) and key.
#[derive(Clone)]
pub struct TerraformClient {
    pub pem: &'static str,
    pub der: CertificateDer<'static>,
    key: Arc<P521Key>,
}

/// Two distinct identities: a pinned one and another that must be refused.
pub fn terraform_client(which: usize) -> TerraformClient {
    let (pem, scalar) = [(PEM_A, KEY_A), (PEM_B, KEY_B)][which];
    let der = CertificateDer::from_pem_slice(pem.as_bytes()).unwrap();
    let key = p521::ecdsa::SigningKey::from_slice(&hex::decode(scalar).unwrap()).unwrap();
    TerraformClient {
        pem,
        der,
        key: Arc::new(P521Key(key)),
    }
}

impl TerraformClient {
    /// This client's key behind `other`'s certificate: its handshake signatures do not match
    /// the certificate.
    pub fn with_certificate_of(self, other: &TerraformClient) -> TerraformClient {
        TerraformClient {
            pem: other.pem,
            der: other.der.clone(),
            key: self.key,
        }
    }

    /// For `ConfigBuilder::with_client_cert_resolver`.
    pub fn resolver(&self) -> Arc<dyn ResolvesClientCert> {
        Arc::new(Resolver(Arc::new(CertifiedKey::new(
            vec![self.der.clone()],
            self.key.clone(),
        ))))
    }
}

#[derive(Debug)]
struct Resolver(Arc<CertifiedKey>);

impl ResolvesClientCert for Resolver {
    fn resolve(
        &self,
        _root_hint_subjects: &[&[u8]],
        _sigschemes: &[SignatureScheme],
    ) -> Option<Arc<CertifiedKey>> {
        Some(self.0.clone())
    }

    fn has_certs(&self) -> bool {
        true
    }
}

#[derive(Clone)]
struct P521Key(p521::ecdsa::SigningKey);

impl std::fmt::Debug for P521Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("P521Key(<test key>)")
    }
}

impl SigningKey for P521Key {
    fn choose_scheme(&self, offered: &[SignatureScheme]) -> Option<Box<dyn Signer>> {
        offered
            .contains(&SignatureScheme::ECDSA_NISTP521_SHA512)
            .then(|| Box::new(self.clone()) as Box<dyn Signer>)
    }

    fn algorithm(&self) -> SignatureAlgorithm {
        SignatureAlgorithm::ECDSA
    }
}

impl Signer for P521Key {
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, rustls::Error> {
        let signature: p521::ecdsa::Signature = self.0.sign(message);
        Ok(signature.to_der().as_bytes().to_vec())
    }

    fn scheme(&self) -> SignatureScheme {
        SignatureScheme::ECDSA_NISTP521_SHA512
    }
}

const PEM_A: &str = "\
-----BEGIN CERTIFICATE-----
MIICTTCCAa+gAwIBAgIUKj+PGLmwem/wpH1RstI7G0HmU9wwCgYIKoZIzj0EAwQw
FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTIwMTIxMDg1MVoYDzIxMjYxMTA3
MjEwODUxWjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwgZswEAYHKoZIzj0CAQYFK4EE
ACMDgYYABAAHpv7Tflw8k19jkcXCN4792EuVzVhhag/3Sh4qm3FpRXLhhGl2aQk0
dARkAAzTdmDEKGejAP0UHlLISSzVk3jeIwDb5n6g6Aaik5xnBA5bfWoYQu5q6Q6u
ZDwXv1lkIcYspSmVuP3q8lz1JkwAcoLcnexSwwmrX+ErF8hxsWKTVUAR3qOBmTCB
ljAdBgNVHQ4EFgQUqf6MnGw/SYa5XyUAPIMnaUzJrfQwHwYDVR0jBBgwFoAUqf6M
nGw/SYa5XyUAPIMnaUzJrfQwDwYDVR0TAQH/BAUwAwEB/zAOBgNVHQ8BAf8EBAMC
AqwwHQYDVR0lBBYwFAYIKwYBBQUHAwIGCCsGAQUFBwMBMBQGA1UdEQQNMAuCCWxv
Y2FsaG9zdDAKBggqhkjOPQQDBAOBiwAwgYcCQWeWxFYnBB65hqS9OhZTpSUlwKkq
own2NWdQEObkKebcyvMIFAIQVuBZDX5cVobJMKkNz9j+gCPiOHdT7jk4VQj5AkIB
4RwyCOpUTO7/3Cl+Kf77QaEhr2wKergdkf6h106g70lxrj9t9roBL7VxPMiL4fLx
9DmhZq3tRAqglim7K0pRRSk=
-----END CERTIFICATE-----
";
const KEY_A: &str = "00b4f403eab4eaca823b72b060dbb9649148675497c7e306046969bee518395c3cded71404618158dec7565645d2f8a91fbeeb7798e48f3e383601f5af7e1ba580d2";

const PEM_B: &str = "\
-----BEGIN CERTIFICATE-----
MIICTjCCAa+gAwIBAgIUbh8idty220jG/OMpATprVERbAj0wCgYIKoZIzj0EAwQw
FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTIwMTIxMDg1MloYDzIxMjYxMTA3
MjEwODUyWjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwgZswEAYHKoZIzj0CAQYFK4EE
ACMDgYYABADXhfqsczv8dcNoUfCSgFck+uD3O6zlW5wScM7sEfZs2GelnhLJR08F
4/1bxwr6NTvzhUBshw9xMOKfn888sdX1PQELGsLVERTsUBTIVQQTm6RemTIHMQCw
5gR9ObSPogmXkBLBWmko5FOVscwXzcpTJZFuJL7WJ8GBKV5Pbxkmf30+0KOBmTCB
ljAdBgNVHQ4EFgQUlF7zQGDWu6mOTlBew3+IK775g0wwHwYDVR0jBBgwFoAUlF7z
QGDWu6mOTlBew3+IK775g0wwDwYDVR0TAQH/BAUwAwEB/zAOBgNVHQ8BAf8EBAMC
AqwwHQYDVR0lBBYwFAYIKwYBBQUHAwIGCCsGAQUFBwMBMBQGA1UdEQQNMAuCCWxv
Y2FsaG9zdDAKBggqhkjOPQQDBAOBjAAwgYgCQgHHtZ0C2WrfCcQMmNl9cMuPWRBl
qirWdGO5NEexIRfRVqGfTA3zuHIpQq5hJLvVA0TGS/kExdHEHCic3ixMvKYZYQJC
AcqknEQT35seFLD8fI1ogzCKGdXgSfoOakDKUFBvRRpM90UvIUwio//iUmau5uO2
tbOgiWf5yZ8uPgoGMIsyvF5M
-----END CERTIFICATE-----
";
const KEY_B: &str = "00ad3d628c865023b0bb044733ea85bb3e1dbf667795db214de1a44b0761bc8045a44ec63934e739243d90cff33fbda34cbcf701a9e37582b87e41267d7bd296bb57";
