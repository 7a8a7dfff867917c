//! Stored state JSON of any shape: decoding against the schema type never panics.
#![no_main]
use hybridnet::framework::Value;
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    if let Ok(j) = serde_json::from_slice::<serde_json::Value>(data) {
        if let Ok(v) = Value::from_json(&j, &common::rich_type()) {
            let _ = Value::from_json(&v.to_json(), &common::rich_type());
        }
    }
});
