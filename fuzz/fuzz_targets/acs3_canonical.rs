//! ACS3-HMAC-SHA256 canonical request builder over arbitrary input: never
//! panics, and what it signs it verifies.
#![no_main]
use hybridnet::signer::{acs3, Credentials, SignableRequest};
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let f = common::fields(data, 5);
    let mut headers = acs3::client_headers(&f[3], &f[0], "2016-04-28", "2024-01-02T03:04:05Z", &f[4], f[4].as_bytes());
    headers.push(("content-type".to_string(), "application/x-www-form-urlencoded".to_string()));
    let req = SignableRequest { method: "POST", path: &f[1], query: &f[2], headers: &headers, body: f[4].as_bytes() };
    let creds = Credentials::new("ak", "sk");
    // With a body, content-type must be signed too (as the provider does).
    let mut names = acs3::DEFAULT_SIGNED_HEADERS.to_vec();
    names.push("content-type");
    let _ = acs3::canonical_request(&req, &names);
    if let Ok(signed) = acs3::sign(&req, &creds, &names) {
        let parsed = acs3::parse_authorization(&signed.authorization).expect("own Authorization parses");
        acs3::verify(&req, &parsed, &creds).expect("own signature verifies");
    }
    let _ = acs3::parse_authorization(&f[2]);
    let _ = acs3::percent_encode(&f[1]);
});
