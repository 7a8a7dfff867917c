//! Field rules of the Vpc and Cbn parameters (docs/design/alicloud.md §8). Each
//! function takes the full parameter name for its message and answers 400 `Invalid…`.

use std::net::Ipv4Addr;
use std::ops::RangeInclusive;

use ipnet::Ipv4Net;

use super::backend::model::ALIBABA_ASN;
use super::backend::seed::{self, SeedRegion};
use super::error::{codes, AliError};
use super::params::Params;

pub(crate) const ASN_RANGE: RangeInclusive<i64> = 1..=4_294_967_295;
/// IKE / IPsec SA lifetimes, seconds.
pub(crate) const LIFETIME_RANGE: RangeInclusive<i64> = 0..=86_400;

/// Customer gateway addresses with which "the connection cannot come up" (§3).
const UNUSABLE_IPV4: &[([u8; 4], u8, &str)] = &[
    ([100, 64, 0, 0], 10, "100.64.0.0-100.127.255.255"),
    ([127, 0, 0, 0], 8, "127.0.0.0/8"),
    ([169, 254, 0, 0], 16, "169.254.0.0/16"),
    ([224, 0, 0, 0], 4, "224.0.0.0-239.255.255.255"),
    ([255, 0, 0, 0], 8, "255.0.0.0-255.255.255.255"),
];

/// `TunnelCidr` must be a /30 inside this range …
const TUNNEL_CIDR_RANGE: ([u8; 4], u8) = ([169, 254, 0, 0], 16);
/// … and none of these (§4.2).
const RESERVED_TUNNEL_CIDRS: &[&str] = &[
    "169.254.0.0/30",
    "169.254.1.0/30",
    "169.254.2.0/30",
    "169.254.3.0/30",
    "169.254.4.0/30",
    "169.254.5.0/30",
    "169.254.6.0/30",
    "169.254.169.252/30",
];

/// PSK specials besides letters and digits: ``~`!@#$%^&*()_-+={}[]\|;:',.<>/?``, as Alibaba's
/// guide to creating a CEN-bound IPsec connection lists them — a single quote, not a double quote
/// (docs/design/validation.md).
const PSK_SPECIALS: &str = "~`!@#$%^&*()_-+={}[]\\|;:',.<>/?";
const PSK_MAX_CHARS: usize = 100;
/// Name / Description of customer gateways and connections.
const NAME_MAX_CHARS: usize = 100;
const ID_MAX_CHARS: usize = 100;
const AUTH_KEY_MAX_CHARS: usize = 64;
const CLIENT_TOKEN_MAX_CHARS: usize = 64;
const MAX_TAGS: usize = 20;
const TAG_KEY_MAX_CHARS: usize = 64;
const TAG_VALUE_MAX_CHARS: usize = 128;

/// `RegionId`, required and served by the sandbox.
pub(crate) fn region(p: &Params) -> Result<&'static SeedRegion, AliError> {
    let id = p.required("RegionId")?;
    if !crate::sandbox::regions::ALICLOUD.contains(&id) {
        return Err(AliError::not_found(
            codes::REGION_NOT_FOUND,
            format!("The specified RegionId {id:?} does not exist."),
        ));
    }
    seed::region(id).ok_or_else(|| {
        AliError::not_found(
            codes::REGION_NOT_FOUND,
            format!(
                "The sandbox does not serve RegionId {id:?}; it serves {}.",
                seed::REGIONS
                    .iter()
                    .map(|r| r.region)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
    })
}

fn starts_with_url(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// `Name` / `Description` of customer gateways and connections: 1–100 characters, not starting
/// with `http://` or `https://`.
pub(crate) fn name_or_description(name: &str, value: &str) -> Result<(), AliError> {
    let n = value.chars().count();
    if n == 0 || n > NAME_MAX_CHARS {
        return Err(AliError::invalid(
            name,
            format!("{n} characters, 1 to {NAME_MAX_CHARS} allowed"),
        ));
    }
    if starts_with_url(value) {
        return Err(AliError::invalid(
            name,
            "must not start with http:// or https://",
        ));
    }
    Ok(())
}

/// `TransitRouterAttachmentName`: 2–128 characters, letters, digits, `_` and `-`, starting with
/// a letter (docs/design/alicloud.md §5.1).
pub(crate) fn attachment_name(name: &str, value: &str) -> Result<(), AliError> {
    let n = value.chars().count();
    let first_letter = value.chars().next().is_some_and(char::is_alphabetic);
    let charset = value
        .chars()
        .all(|c| c.is_alphanumeric() || c == '_' || c == '-');
    if (2..=128).contains(&n) && first_letter && charset {
        Ok(())
    } else {
        Err(AliError::invalid(
            name,
            "2 to 128 characters (letters, digits, '_' and '-'), starting with a letter",
        ))
    }
}

/// `TransitRouterAttachmentDescription`: 2–256 characters, starting with a letter, not
/// `http(s)://` (docs/design/alicloud.md §5.1).
pub(crate) fn attachment_description(name: &str, value: &str) -> Result<(), AliError> {
    let n = value.chars().count();
    let first_letter = value.chars().next().is_some_and(char::is_alphabetic);
    if (2..=256).contains(&n) && first_letter && !starts_with_url(value) {
        Ok(())
    } else {
        Err(AliError::invalid(
            name,
            "2 to 256 characters, starting with a letter, not http:// or https://",
        ))
    }
}

/// `ClientToken`: at most 64 ASCII characters.
pub(crate) fn client_token(p: &Params) -> Result<Option<String>, AliError> {
    let Some(token) = p.get("ClientToken") else {
        return Ok(None);
    };
    if token.len() <= CLIENT_TOKEN_MAX_CHARS && token.is_ascii() {
        Ok(Some(token.to_owned()))
    } else {
        Err(AliError::invalid(
            &p.path("ClientToken"),
            format!("at most {CLIENT_TOKEN_MAX_CHARS} ASCII characters"),
        ))
    }
}

/// A customer gateway `IpAddress`: IPv4, not in a range the connection cannot use.
pub(crate) fn gateway_ip(name: &str, value: &str) -> Result<Ipv4Addr, AliError> {
    let ip: Ipv4Addr = value
        .parse()
        .map_err(|_| AliError::invalid(name, format!("{value:?} is not an IPv4 address")))?;
    let bits = u32::from(ip);
    for (net, len, what) in UNUSABLE_IPV4 {
        let mask = u32::MAX.checked_shl(32 - u32::from(*len)).unwrap_or(0);
        if bits & mask == u32::from(Ipv4Addr::from(*net)) & mask {
            return Err(AliError::invalid(
                name,
                format!("{ip} is in {what}, which cannot be used"),
            ));
        }
    }
    Ok(ip)
}

/// A customer gateway `Asn` (a string): `1`–`4294967295`, or asdot `hi.lo` = hi×65536+lo;
/// never 45104.
pub(crate) fn gateway_asn(name: &str, value: &str) -> Result<i64, AliError> {
    let bad = || {
        AliError::invalid(
            name,
            format!("{value:?} is not an ASN (1-4294967295 or asdot hi.lo)"),
        )
    };
    let asn = match value.split_once('.') {
        Some((hi, lo)) => {
            let hi: u16 = hi.parse().map_err(|_| bad())?;
            let lo: u16 = lo.parse().map_err(|_| bad())?;
            i64::from(hi) * 65_536 + i64::from(lo)
        }
        None => value.parse::<i64>().map_err(|_| bad())?,
    };
    if !ASN_RANGE.contains(&asn) {
        return Err(bad());
    }
    if asn == ALIBABA_ASN {
        return Err(AliError::invalid(
            name,
            format!("{ALIBABA_ASN} is Alibaba Cloud's own ASN"),
        ));
    }
    Ok(asn)
}

/// `AuthKey` (BGP MD5 key): 1–64 ASCII characters, no spaces, no `?`.
pub(crate) fn auth_key(name: &str, value: &str) -> Result<(), AliError> {
    let ok = (1..=AUTH_KEY_MAX_CHARS).contains(&value.len())
        && value.bytes().all(|b| b.is_ascii_graphic() && b != b'?');
    if ok {
        Ok(())
    } else {
        Err(AliError::invalid(
            name,
            format!("1 to {AUTH_KEY_MAX_CHARS} ASCII characters without spaces or '?'"),
        ))
    }
}

/// `Tags.N.Key` / `Tags.N.Value` (or `Tag.N.*` on Cbn): at most 20; key 1–64 characters, value
/// at most 128; neither starts with `aliyun` or `acs:` nor contains `http://` / `https://`.
pub(crate) fn tags(p: &Params, name: &str) -> Result<Vec<(String, String)>, AliError> {
    let groups = p.groups(name)?;
    if groups.len() > MAX_TAGS {
        return Err(AliError::invalid(
            &p.path(name),
            format!("{} tags, at most {MAX_TAGS}", groups.len()),
        ));
    }
    let reserved = |s: &str| {
        let lower = s.to_ascii_lowercase();
        lower.starts_with("aliyun")
            || lower.starts_with("acs:")
            || lower.contains("http://")
            || lower.contains("https://")
    };
    let mut out = Vec::with_capacity(groups.len());
    for tag in groups.values() {
        let key = tag.required("Key")?;
        let value = tag.get("Value").unwrap_or_default();
        if key.chars().count() > TAG_KEY_MAX_CHARS || reserved(key) {
            return Err(AliError::invalid(
                &tag.path("Key"),
                format!("1 to {TAG_KEY_MAX_CHARS} characters, not aliyun*/acs:*, no URL"),
            ));
        }
        if value.chars().count() > TAG_VALUE_MAX_CHARS || reserved(value) {
            return Err(AliError::invalid(
                &tag.path("Value"),
                format!("at most {TAG_VALUE_MAX_CHARS} characters, not aliyun*/acs:*, no URL"),
            ));
        }
        out.push((key.to_owned(), value.to_owned()));
    }
    Ok(out)
}

/// `LocalSubnet` / `RemoteSubnet`: comma-separated IPv4 CIDR blocks, each written as its
/// network address (INFERRED: host bits set are refused, as a console would;
/// docs/design/alicloud.md §10.13).
pub(crate) fn subnets(name: &str, value: &str) -> Result<Vec<Ipv4Net>, AliError> {
    let mut out = Vec::new();
    for item in value.split(',') {
        let item = item.trim();
        let net: Ipv4Net = item
            .parse()
            .map_err(|_| AliError::invalid(name, format!("{item:?} is not an IPv4 CIDR block")))?;
        if net.trunc() != net {
            return Err(AliError::invalid(
                name,
                format!("{item} has host bits set (use {})", net.trunc()),
            ));
        }
        out.push(net);
    }
    Ok(out)
}

/// A pre-shared key: 1–100 characters from letters, digits and [`PSK_SPECIALS`], no spaces.
pub(crate) fn psk(name: &str, value: &str) -> Result<(), AliError> {
    let n = value.chars().count();
    let charset = value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || PSK_SPECIALS.contains(c));
    if (1..=PSK_MAX_CHARS).contains(&n) && charset {
        Ok(())
    } else {
        Err(AliError::invalid(
            name,
            format!(
                "1 to {PSK_MAX_CHARS} characters: letters, digits and {PSK_SPECIALS} (no spaces)"
            ),
        ))
    }
}

/// `LocalId` / `RemoteId`: at most 100 characters, no spaces.
pub(crate) fn ike_id(name: &str, value: &str) -> Result<(), AliError> {
    if value.chars().count() <= ID_MAX_CHARS && !value.chars().any(char::is_whitespace) {
        Ok(())
    } else {
        Err(AliError::invalid(
            name,
            format!("at most {ID_MAX_CHARS} characters without spaces"),
        ))
    }
}

/// `TunnelCidr`: a /30 network inside 169.254.0.0/16, not a reserved one.
pub(crate) fn tunnel_cidr(name: &str, value: &str) -> Result<Ipv4Net, AliError> {
    let net: Ipv4Net = value
        .parse()
        .map_err(|_| AliError::invalid(name, format!("{value:?} is not an IPv4 CIDR block")))?;
    let range = Ipv4Net::new(Ipv4Addr::from(TUNNEL_CIDR_RANGE.0), TUNNEL_CIDR_RANGE.1)
        .map_err(|e| AliError::internal(format!("tunnel CIDR range: {e}")))?;
    if net.prefix_len() != 30 || net.trunc() != net || !range.contains(&net) {
        return Err(AliError::invalid(
            name,
            format!("{value} is not a /30 network inside {range}"),
        ));
    }
    if RESERVED_TUNNEL_CIDRS.contains(&net.to_string().as_str()) {
        return Err(AliError::invalid(
            name,
            format!("{net} is reserved ({})", RESERVED_TUNNEL_CIDRS.join(", ")),
        ));
    }
    Ok(net)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_outside_the_table_do_not_exist_and_unseeded_ones_are_not_served() {
        let at = |id: &str| region(&Params::new([("RegionId".to_owned(), id.to_owned())]));
        assert_eq!(at("cn-hangzhou").unwrap().region, "cn-hangzhou");
        assert_eq!(at("").unwrap_err().code, "MissingRegionId");
        for unknown in ["mars-1", "a/../b", "cn-north-1"] {
            let e = at(unknown).unwrap_err();
            assert_eq!(e.code, codes::REGION_NOT_FOUND, "{unknown}");
            assert!(
                e.message.contains("does not exist"),
                "{unknown}: {}",
                e.message
            );
        }
        let e = at("ap-southeast-1").unwrap_err();
        assert_eq!(e.code, codes::REGION_NOT_FOUND);
        assert!(e.message.contains("does not serve"), "{}", e.message);
        for served in seed::REGIONS {
            assert!(crate::sandbox::regions::ALICLOUD.contains(&served.region));
        }
    }

    #[test]
    fn gateway_ip_ranges() {
        for ok in [
            "203.0.113.10",
            "1.1.1.1",
            "100.63.255.255",
            "100.128.0.0",
            "223.255.255.255",
        ] {
            gateway_ip("IpAddress", ok).unwrap();
        }
        for bad in [
            "100.64.0.1",
            "100.127.255.255",
            "127.0.0.1",
            "169.254.1.1",
            "224.0.0.1",
            "239.255.255.255",
            "255.1.2.3",
            "1.2.3",
            "::1",
        ] {
            assert_eq!(
                gateway_ip("IpAddress", bad).unwrap_err().code,
                "InvalidIpAddress",
                "{bad}"
            );
        }
    }

    #[test]
    fn asns() {
        assert_eq!(gateway_asn("Asn", "65000").unwrap(), 65000);
        assert_eq!(gateway_asn("Asn", "4294967295").unwrap(), 4_294_967_295);
        assert_eq!(gateway_asn("Asn", "123.456").unwrap(), 8_061_384);
        for bad in [
            "0",
            "4294967296",
            "45104",
            "0.45104",
            "-1",
            "1.2.3",
            "a",
            "70000.1",
        ] {
            assert!(gateway_asn("Asn", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn strings() {
        name_or_description("Name", "x").unwrap();
        name_or_description("Name", &"é".repeat(100)).unwrap();
        assert!(name_or_description("Name", &"a".repeat(101)).is_err());
        assert!(name_or_description("Name", "").is_err());
        assert!(name_or_description("Description", "https://x").is_err());
        assert!(name_or_description("Description", "HTTP://x").is_err());
        auth_key("AuthKey", "k-1!").unwrap();
        assert!(auth_key("AuthKey", "a b").is_err());
        assert!(auth_key("AuthKey", "a?").is_err());
        assert!(auth_key("AuthKey", "中").is_err());
        assert!(auth_key("AuthKey", &"k".repeat(65)).is_err());
        psk("Psk", "Ab1~`!@#$%^&*()_-+={}[]\\|;:',.<>/?").unwrap();
        assert!(psk("Psk", "has space").is_err());
        assert!(psk("Psk", &"p".repeat(101)).is_err());
        assert!(psk("Psk", "").is_err());
        attachment_name("N", "vpn_att-1").unwrap();
        for bad in ["a", "1abc", "a b", &"a".repeat(129)] {
            assert!(attachment_name("N", bad).is_err(), "{bad}");
        }
        attachment_description("D", "Desc 1").unwrap();
        assert!(attachment_description("D", "1desc").is_err());
        ike_id("LocalId", "vpn.example.com").unwrap();
        assert!(ike_id("LocalId", "a b").is_err());
    }

    /// Issue 12 case 10: `'` is one of Alibaba's PSK specials and `"` is not.
    #[test]
    fn psk_specials_are_alibaba_s_list_exactly() {
        let specials: Vec<char> = "~`!@#$%^&*()_-+={}[]\\|;:',.<>/?".chars().collect();
        assert_eq!(specials.len(), 31);
        for c in &specials {
            psk("Psk", &format!("k{c}1")).unwrap_or_else(|e| panic!("{c:?}: {e:?}"));
        }
        psk("Psk", "it's").unwrap();
        for c in (0u8..=127).map(char::from) {
            if !c.is_ascii_alphanumeric() && !specials.contains(&c) {
                assert!(psk("Psk", &format!("k{c}1")).is_err(), "{c:?} accepted");
            }
        }
        assert!(psk("Psk", "say\"hi\"").is_err());
        assert!(psk("Psk", "ключ").is_err());
        psk("Psk", &"p".repeat(100)).unwrap();
    }

    #[test]
    fn cidrs() {
        assert_eq!(subnets("L", "10.0.0.0/8, 192.168.1.0/24").unwrap().len(), 2);
        assert!(subnets("L", "10.0.0.1/8").is_err());
        assert!(subnets("L", "10.0.0.0/33").is_err());
        assert!(subnets("L", "").is_err());
        assert_eq!(
            tunnel_cidr("C", "169.254.10.0/30").unwrap().to_string(),
            "169.254.10.0/30"
        );
        for bad in [
            "169.254.10.0/29",
            "169.254.10.1/30",
            "10.0.0.0/30",
            "169.254.0.0/30",
            "169.254.6.0/30",
            "169.254.169.252/30",
        ] {
            assert!(tunnel_cidr("C", bad).is_err(), "{bad}");
        }
    }
}
