//! JDCLOUD2 canonical request builder over arbitrary paths, queries, headers
//! and bodies: never panics, and what it signs it verifies.
#![no_main]
use hybridnet::signer::{jdcloud, Credentials, SignableRequest};
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let f = common::fields(data, 5);
    let headers = vec![
        ("content-type".to_string(), "application/json".to_string()),
        ("host".to_string(), f[3].clone()),
        ("x-jdcloud-date".to_string(), "20240102T030405Z".to_string()),
        ("x-jdcloud-nonce".to_string(), f[4].clone()),
    ];
    let req = SignableRequest { method: &f[0], path: &f[1], query: &f[2], headers: &headers, body: f[4].as_bytes() };
    let creds = Credentials::new("ak", "sk");
    let params = jdcloud::SigningParams { credentials: &creds, region: "cn-north-1", service: "bgw", date: "20240102T030405Z", version: jdcloud::Version::V2 };
    let _ = jdcloud::canonical_request(&req, jdcloud::DEFAULT_SIGNED_HEADERS);
    if let Ok(signed) = jdcloud::sign(&req, &params, jdcloud::DEFAULT_SIGNED_HEADERS) {
        let parsed = jdcloud::parse_authorization(&signed.authorization).expect("own Authorization parses");
        jdcloud::verify(&req, &parsed, &creds).expect("own signature verifies");
    }
    let _ = jdcloud::parse_authorization(&f[1]);
});
