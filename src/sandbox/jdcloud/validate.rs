//! Field rules shared by the `bgw` resources (jdcloud.md §4, §7). Messages name the field.

use std::net::Ipv4Addr;
use std::ops::RangeInclusive;
use std::sync::LazyLock;

use regex::Regex;

use super::error::JdError;

/// "只允许输入中文、数字、大小写字母、英文下划线“_”及中划线“-”，不允许为空且不超过32字符" (every `*Name`).
static NAME: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^[\p{Han}0-9A-Za-z_-]{1,32}$").ok());

/// "不超过256字符" (every `description`), counted in characters.
const DESCRIPTION_MAX_CHARS: usize = 256;

/// IPv4 ranges that are not "公网可路由" (publicly routable) and so cannot be a customer gateway
/// address: (network, prefix length, what it is). The documentation ranges 192.0.2.0/24,
/// 198.51.100.0/24 and 203.0.113.0/24 are deliberately NOT here: the examples use them.
pub(super) const NON_PUBLIC_IPV4: &[([u8; 4], u8, &str)] = &[
    ([0, 0, 0, 0], 8, "\"this network\" 0.0.0.0/8"),
    ([10, 0, 0, 0], 8, "private 10.0.0.0/8"),
    ([100, 64, 0, 0], 10, "shared address space 100.64.0.0/10"),
    ([127, 0, 0, 0], 8, "loopback 127.0.0.0/8"),
    ([169, 254, 0, 0], 16, "link-local 169.254.0.0/16"),
    ([172, 16, 0, 0], 12, "private 172.16.0.0/12"),
    ([192, 168, 0, 0], 16, "private 192.168.0.0/16"),
    ([224, 0, 0, 0], 4, "multicast 224.0.0.0/4"),
    // Also covers the limited broadcast address 255.255.255.255.
    ([240, 0, 0, 0], 4, "reserved 240.0.0.0/4"),
];

pub(super) fn name(field: &str, value: &str) -> Result<(), JdError> {
    let ok = match NAME.as_ref() {
        Some(re) => re.is_match(value),
        None => return Err(JdError::internal("name pattern failed to compile")),
    };
    if ok {
        Ok(())
    } else {
        Err(JdError::invalid_argument(format!(
            "{field} {value:?} is invalid: 1 to 32 characters, only Chinese characters, \
             digits, letters, '_' and '-'"
        )))
    }
}

pub(super) fn description(field: &str, value: &str) -> Result<(), JdError> {
    let n = value.chars().count();
    if n <= DESCRIPTION_MAX_CHARS {
        Ok(())
    } else {
        Err(JdError::invalid_argument(format!(
            "{field} is {n} characters long, at most {DESCRIPTION_MAX_CHARS} are allowed"
        )))
    }
}

/// Why `ip` is not publicly routable, if it is not.
fn non_public_reason(ip: Ipv4Addr) -> Option<&'static str> {
    let ip = u32::from(ip);
    NON_PUBLIC_IPV4.iter().find_map(|(net, len, what)| {
        let mask = u32::MAX.checked_shl(32 - u32::from(*len)).unwrap_or(0);
        (ip & mask == u32::from(Ipv4Addr::from(*net)) & mask).then_some(*what)
    })
}

/// "可以为单IP、双IP、四IP，IP不能相同": 1, 2 or 4 distinct public IPv4 addresses.
pub(super) fn customer_ips(field: &str, ips: &[String]) -> Result<(), JdError> {
    if ![1, 2, 4].contains(&ips.len()) {
        return Err(JdError::invalid_argument(format!(
            "{field} must contain 1, 2 or 4 IPv4 addresses, got {}",
            ips.len()
        )));
    }
    for (i, raw) in ips.iter().enumerate() {
        let ip: Ipv4Addr = raw.parse().map_err(|_| {
            JdError::invalid_argument(format!("{field}[{i}] {raw:?} is not an IPv4 address"))
        })?;
        if let Some(why) = non_public_reason(ip) {
            return Err(JdError::invalid_argument(format!(
                "{field}[{i}] {raw:?} is not a public routable IPv4 address ({why})"
            )));
        }
        if ips[..i].contains(raw) {
            return Err(JdError::invalid_argument(format!(
                "{field} must not repeat an address ({raw:?})"
            )));
        }
    }
    Ok(())
}

/// Integer range check → 400 `OUT_OF_RANGE`.
pub(super) fn in_range(field: &str, value: i64, range: RangeInclusive<i64>) -> Result<(), JdError> {
    if range.contains(&value) {
        Ok(())
    } else {
        Err(JdError::out_of_range(format!(
            "{field} {value} is out of range [{}, {}]",
            range.start(),
            range.end()
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        for ok in [
            "a",
            "cgw_1-x",
            "京东云网关",
            &"x".repeat(32),
            &"云".repeat(32),
        ] {
            assert!(name("n", ok).is_ok(), "{ok}");
        }
        for bad in ["", "a b", "a.b", &"x".repeat(33), "ä", "a/b"] {
            assert!(name("n", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn descriptions() {
        assert!(description("d", &"云".repeat(256)).is_ok());
        assert!(description("d", &"a".repeat(257)).is_err());
    }

    #[test]
    fn ips() {
        let v = |xs: &[&str]| xs.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        for ok in [
            v(&["1.2.3.4"]),
            v(&["203.0.113.1", "198.51.100.2"]),
            v(&["192.0.2.1", "8.8.8.8", "100.63.255.255", "100.128.0.1"]),
            v(&["172.32.0.1"]),
        ] {
            assert!(customer_ips("ips", &ok).is_ok(), "{ok:?}");
        }
        for bad in [
            v(&[]),
            v(&["1.1.1.1", "1.1.1.2", "1.1.1.3"]),
            v(&["1.1.1.1", "1.1.1.1"]),
            v(&["1.1.1"]),
            v(&["::1"]),
            v(&["10.1.2.3"]),
            v(&["172.16.0.1"]),
            v(&["172.31.255.255"]),
            v(&["192.168.1.1"]),
            v(&["100.64.0.1"]),
            v(&["127.0.0.1"]),
            v(&["169.254.1.1"]),
            v(&["224.0.0.1"]),
            v(&["0.1.2.3"]),
            v(&["255.255.255.255"]),
            v(&["240.0.0.1"]),
        ] {
            assert!(customer_ips("ips", &bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn ranges() {
        assert!(in_range("a", 65001, 65001..=65499).is_ok());
        assert_eq!(
            in_range("a", 65000, 65001..=65499).unwrap_err().status,
            "OUT_OF_RANGE"
        );
    }
}
