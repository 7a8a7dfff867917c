//! The sandbox's public address pools: where JD Cloud's VPN connections get their two cloud
//! addresses and Alibaba Cloud's tunnels their `InternetIp`. Both clouds take the lowest free
//! address, so the rule is written once.
//!
//! The pools are ranges that never route on the Internet (documentation and benchmarking space,
//! RFC 5737 and RFC 2544), because the IKE tests put these addresses inside network namespaces
//! and the addresses of real hosts must never appear there (docs/design/jdcloud.md §8.14,
//! docs/design/alicloud.md §10.10).

use std::collections::BTreeSet;
use std::net::Ipv4Addr;

/// A block of addresses, `(network, prefix length)`.
pub(crate) type Block = ([u8; 4], u8);

/// The `n` lowest addresses of `blocks` (in the order given: a later block is used only once the
/// earlier ones are full) that are not in `used`, skipping each block's network and broadcast
/// addresses and any `.0` or `.255` host byte (addresses some stacks treat as special). Fewer
/// than `n` when the pool is exhausted.
pub(crate) fn lowest_free(blocks: &[Block], used: &BTreeSet<Ipv4Addr>, n: usize) -> Vec<Ipv4Addr> {
    blocks
        .iter()
        .flat_map(|&(network, len)| {
            let base = u32::from(Ipv4Addr::from(network));
            let size = 1u32 << (32 - u32::from(len));
            (1..size.saturating_sub(1)).map(move |i| Ipv4Addr::from(base + i))
        })
        .filter(|ip| !matches!(ip.octets()[3], 0 | 255) && !used.contains(ip))
        .take(n)
        .collect()
}

/// `blocks` as `a.b.c.d/len, …`, for messages.
pub(crate) fn describe(blocks: &[Block]) -> String {
    let blocks: Vec<String> = blocks
        .iter()
        .map(|&(network, len)| format!("{}/{len}", Ipv4Addr::from(network)))
        .collect();
    blocks.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const BLOCKS: &[Block] = &[([203, 0, 113, 128], 25), ([198, 19, 0, 0], 16)];

    #[test]
    fn lowest_free_fills_the_first_block_first() {
        let mut used = BTreeSet::new();
        let first = lowest_free(BLOCKS, &used, 2);
        assert_eq!(
            first,
            [
                "203.0.113.129".parse::<Ipv4Addr>().unwrap(),
                "203.0.113.130".parse().unwrap()
            ]
        );
        used.extend(first);
        assert_eq!(
            lowest_free(BLOCKS, &used, 1),
            ["203.0.113.131".parse::<Ipv4Addr>().unwrap()]
        );
        // .129–.254 are the 126 usable addresses of the /25; then the /16 starts at .1.
        let all_first: BTreeSet<Ipv4Addr> = lowest_free(BLOCKS, &BTreeSet::new(), 126)
            .into_iter()
            .collect();
        assert!(all_first.iter().all(|ip| ip.octets()[..3] == [203, 0, 113]
            && ip.octets()[3] > 128
            && ip.octets()[3] < 255));
        assert_eq!(
            lowest_free(BLOCKS, &all_first, 1),
            ["198.19.0.1".parse::<Ipv4Addr>().unwrap()]
        );
        // Inside the /16, no .0 or .255 host byte.
        let many = lowest_free(&BLOCKS[1..], &BTreeSet::new(), 300);
        assert_eq!(many.len(), 300);
        assert!(many.iter().all(|ip| !matches!(ip.octets()[3], 0 | 255)));
        assert!(many.contains(&"198.19.1.1".parse().unwrap()));
        assert!(lowest_free(&[([192, 0, 2, 0], 30)], &BTreeSet::new(), 3).len() == 2);
        assert_eq!(describe(BLOCKS), "203.0.113.128/25, 198.19.0.0/16");
    }
}
