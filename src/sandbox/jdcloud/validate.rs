//! Field rules shared by the `bgw` resources (docs/design/jdcloud.md §4, §6). Messages name the
//! field.

use std::net::Ipv4Addr;
use std::ops::RangeInclusive;
use std::sync::LazyLock;

use ipnet::Ipv4Net;
use regex::Regex;

use super::backend::model::TUNNEL_IP_PREFIX_LEN;
use super::error::JdError;
use super::wire::Spec;

/// "只允许输入中文、数字、大小写字母、英文下划线“_”及中划线“-”，不允许为空且不超过32字符" (every `*Name`).
static NAME: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^[\p{Han}0-9A-Za-z_-]{1,32}$").ok());

/// VPC and subnet ids. The sandbox does not emulate the `vpc` service, so any id of this shape is
/// taken to exist (INFERRED shape, as `subnet-0rtcw9jl0` in JD Cloud's docs; docs/design/jdcloud.md
/// §8.5).
static VPC_ID: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new(r"^vpc-[a-z0-9]{4,}$").ok());
static SUBNET_ID: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^subnet-[a-z0-9]{4,}$").ok());

/// `VpnTunnelSpec.psk`: "只允许输入数字、大小写字母、英文下划线“_”及中划线“-”，不允许为空且不超过20字符,
/// 不能以0x或0s开头". The case of `x`/`s` is not published, so `0X`/`0S` are refused too.
static PSK: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new(r"^[0-9A-Za-z_-]{1,20}$").ok());
const PSK_FORBIDDEN_PREFIXES: &[&str] = &["0x", "0s"];

/// `VpnTunnelSpec.tunnelIp`: "必须在169.254.0.0/20, 10.0.0.0/8, 192.168.0.0/16, 172.16.0.0/12这四个网段内".
const TUNNEL_IP_RANGES: &[([u8; 4], u8)] = &[
    ([169, 254, 0, 0], 20),
    ([10, 0, 0, 0], 8),
    ([192, 168, 0, 0], 16),
    ([172, 16, 0, 0], 12),
];

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
    shaped(
        &NAME,
        field,
        value,
        "is invalid: 1 to 32 characters, only Chinese characters, digits, letters, '_' and '-'",
    )
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

/// `value` must match `re`; otherwise `"<field> <value> <rule>"`.
fn shaped(
    re: &LazyLock<Option<Regex>>,
    field: &str,
    value: &str,
    rule: &str,
) -> Result<(), JdError> {
    if matches(re, value)? {
        Ok(())
    } else {
        Err(JdError::invalid_argument(format!(
            "{field} {value:?} {rule}"
        )))
    }
}

fn matches(re: &LazyLock<Option<Regex>>, value: &str) -> Result<bool, JdError> {
    match re.as_ref() {
        Some(re) => Ok(re.is_match(value)),
        None => Err(JdError::internal("a validation pattern failed to compile")),
    }
}

/// An enumerated string (`azType`, `propagateType`, `ikeVersion`, …) → 400 `INVALID_ARGUMENT`.
pub(super) fn one_of(field: &str, value: &str, allowed: &[&str]) -> Result<(), JdError> {
    if allowed.contains(&value) {
        Ok(())
    } else {
        Err(JdError::invalid_argument(format!(
            "{field} {value:?} is invalid, allowed values: {}",
            allowed.join(", ")
        )))
    }
}

pub(super) fn vpc_id(field: &str, value: &str) -> Result<(), JdError> {
    shaped(&VPC_ID, field, value, "is not a VPC id (vpc-xxxx)")
}

pub(super) fn subnet_id(field: &str, value: &str) -> Result<(), JdError> {
    shaped(&SUBNET_ID, field, value, "is not a subnet id (subnet-xxxx)")
}

pub(super) fn psk(field: &str, value: &str) -> Result<(), JdError> {
    // The value itself is a secret: never echo it.
    if !matches(&PSK, value)? {
        return Err(JdError::invalid_argument(format!(
            "{field} is invalid: 1 to 20 characters, only digits, letters, '_' and '-'"
        )));
    }
    let lower = value.to_ascii_lowercase();
    if let Some(p) = PSK_FORBIDDEN_PREFIXES
        .iter()
        .find(|p| lower.starts_with(**p))
    {
        return Err(JdError::invalid_argument(format!(
            "{field} must not start with {p} (case-insensitive)"
        )));
    }
    Ok(())
}

/// An IPv4 CIDR in canonical form (network address, no leading zeros), e.g. `192.168.1.0/24`.
pub(super) fn cidr(field: &str, value: &str) -> Result<Ipv4Net, JdError> {
    let net: Ipv4Net = value.parse().map_err(|_| {
        JdError::invalid_argument(format!("{field} {value:?} is not an IPv4 CIDR block"))
    })?;
    let canonical = net.trunc();
    if canonical.to_string() != value {
        return Err(JdError::invalid_argument(format!(
            "{field} {value:?} is not a canonical CIDR block (did you mean {canonical}?)"
        )));
    }
    Ok(net)
}

pub(super) fn ipv4(field: &str, value: &str) -> Result<Ipv4Addr, JdError> {
    value
        .parse()
        .map_err(|_| JdError::invalid_argument(format!("{field} {value:?} is not an IPv4 address")))
}

/// A tunnel's inside block: a network-aligned /30 inside one of [`TUNNEL_IP_RANGES`].
pub(super) fn tunnel_ip(field: &str, value: &str) -> Result<Ipv4Net, JdError> {
    let net = cidr(field, value)?;
    if net.prefix_len() != TUNNEL_IP_PREFIX_LEN {
        return Err(JdError::invalid_argument(format!(
            "{field} {value:?} must be a /{TUNNEL_IP_PREFIX_LEN} block"
        )));
    }
    let inside = TUNNEL_IP_RANGES.iter().any(|(addr, len)| {
        Ipv4Net::new(Ipv4Addr::from(*addr), *len).is_ok_and(|range| range.contains(&net))
    });
    if !inside {
        let ranges: Vec<String> = TUNNEL_IP_RANGES
            .iter()
            .map(|(a, l)| format!("{}/{l}", Ipv4Addr::from(*a)))
            .collect();
        return Err(JdError::invalid_argument(format!(
            "{field} {value:?} must lie inside one of {}",
            ranges.join(", ")
        )));
    }
    Ok(net)
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

/// `chargeSpec` is optional; when given it must be an object whose `chargeMode`, if any, is the one
/// the resource supports (connections: by usage; tunnels: by configuration).
pub(super) fn charge_spec(spec: &Spec, supported_mode: &str) -> Result<(), JdError> {
    if let Some(charge) = spec.opt_object("chargeSpec")? {
        if let Some(mode) = charge.opt_string("chargeMode")? {
            one_of(&charge.path("chargeMode"), &mode, &[supported_mode])?;
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
        let (x32, han32, x33) = ("x".repeat(32), "云".repeat(32), "x".repeat(33));
        sorts(
            name,
            &["a", "cgw_1-x", "京东云网关", &x32, &han32],
            &["", "a b", "a.b", &x33, "ä", "a/b"],
        );
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
        // Not a public IPv4 address (malformed, IPv6, private, shared, loopback, link-local,
        // multicast, "this network", broadcast, reserved), alone.
        let not_public = [
            "1.1.1",
            "::1",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "100.64.0.1",
            "127.0.0.1",
            "169.254.1.1",
            "224.0.0.1",
            "0.1.2.3",
            "255.255.255.255",
            "240.0.0.1",
        ];
        let lists = [
            v(&[]),
            v(&["1.1.1.1", "1.1.1.2", "1.1.1.3"]),
            v(&["1.1.1.1", "1.1.1.1"]),
        ];
        for bad in not_public.iter().map(|ip| v(&[ip])).chain(lists) {
            assert!(customer_ips("ips", &bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn enums_and_ids() {
        assert!(one_of("t", "all", &["all", "none"]).is_ok());
        let e = one_of("t", "some", &["all", "none"]).unwrap_err();
        assert_eq!(e.status, "INVALID_ARGUMENT");
        assert!(e.message.contains("all, none"), "{}", e.message);
        assert!(vpc_id("v", "vpc-abcd").is_ok());
        for bad in ["vpc-abc", "vpc-ABCD", "subnet-abcd", "vpc_abcd", ""] {
            assert!(vpc_id("v", bad).is_err(), "{bad}");
        }
        assert!(subnet_id("s", "subnet-0rtcw9jl0").is_ok());
        assert!(subnet_id("s", "vpc-0rtcw9jl0").is_err());
    }

    #[test]
    fn psks() {
        for ok in ["a", "Secret_key-1", &"x".repeat(20), "x0x", "0a"] {
            assert!(psk("p", ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            &"x".repeat(21),
            "a b",
            "a.b",
            "0xdead",
            "0Xdead",
            "0sabc",
            "0Sabc",
        ] {
            let e = psk("p", bad).unwrap_err();
            assert_eq!(e.status, "INVALID_ARGUMENT");
            if bad.len() > 3 {
                assert!(!e.message.contains(bad), "secret echoed: {}", e.message);
            }
        }
    }

    /// `check` accepts every value of `ok` and refuses every value of `bad`.
    fn sorts<T>(check: impl Fn(&str, &str) -> Result<T, JdError>, ok: &[&str], bad: &[&str]) {
        for v in ok {
            assert!(check("f", v).is_ok(), "{v}");
        }
        for v in bad {
            assert!(check("f", v).is_err(), "{v}");
        }
    }

    #[test]
    fn cidrs_and_tunnel_ips() {
        assert_eq!(cidr("c", "10.1.0.0/16").unwrap().prefix_len(), 16);
        let bad = [
            "10.1.0.1/16",
            "10.1.0.0",
            "10.1.0.0/33",
            "x/8",
            "010.1.0.0/16",
        ];
        sorts(cidr, &[], &bad);
        sorts(
            tunnel_ip,
            &[
                "169.254.0.0/30",
                "169.254.15.252/30",
                "10.9.9.4/30",
                "172.31.0.8/30",
                "192.168.255.252/30",
            ],
            &[
                "169.254.16.0/30",
                "169.254.1.1/30",
                "169.254.1.0/29",
                "172.32.0.0/30",
                "8.8.8.0/30",
            ],
        );
        sorts(ipv4, &["1.2.3.4"], &["1.2.3"]);
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
