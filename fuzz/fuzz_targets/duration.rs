//! Any string as a `timeouts` entry: parsing never panics or overflows, an
//! accepted timeout lies in 1s..=24h, and turning it into a deadline (as
//! apply does) never panics either.
#![no_main]
use std::time::{Duration, Instant};

use hybridnet::framework::timeouts::{self, deadline_after, parse_duration, parse_timeout, Op, Timeouts};
use hybridnet::framework::Value;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let s = String::from_utf8_lossy(data);
    let parsed = parse_duration(&s);
    match parse_timeout(&s) {
        Ok(d) => {
            assert!((timeouts::MIN_TIMEOUT..=timeouts::MAX_TIMEOUT).contains(&d), "{s:?} gave {d:?}");
            assert_eq!(parsed, Ok(d));
        }
        Err(_) => {}
    }
    if let Ok(d) = parsed {
        let now = Instant::now();
        assert!(deadline_after(now, d) >= now);
    }
    let t = Timeouts::minutes(5, 5, 5, 5);
    let v = Value::Object(
        [(
            timeouts::BLOCK.to_string(),
            Value::Object([("create".to_string(), Value::string(s.as_ref()))].into()),
        )]
        .into(),
    );
    let resolved = t.resolve(&v, Op::Create);
    assert!(resolved >= Duration::from_secs(1) && resolved <= Duration::from_secs(86400));
});
