//! Any bytes Terraform could send as a DynamicValue: decoding never panics,
//! and whatever decodes re-encodes to something that decodes to the same value.
#![no_main]
use hybridnet::framework::value::msgpack;
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    for ty in [common::rich_type(), hybridnet::framework::Type::Number, hybridnet::framework::Type::list(hybridnet::framework::Type::String)] {
        if let Ok(v) = msgpack::decode(data, &ty) {
            let again = msgpack::decode(&msgpack::encode(&v), &ty).expect("re-encoded value must decode");
            assert!(again.equals(&v), "round trip changed {v:?} into {again:?}");
        }
    }
});
