//! The region ids each cloud's API accepts: one table per cloud. The
//! provider block's and the resources' `region` validators use them, so a
//! region the cloud does not know (`mars-1`, `""`, `a/../b`) is refused at
//! plan instead of surfacing as a signature mismatch or a 404.
//!
//! `hybridnet-sandbox` keeps its own copy (it may not import `cloud`);
//! `tests/regions.rs` checks that the two are equal. Sources:
//! docs/design/validation.md. INFERRED: that the Alibaba table is complete
//! (docs/design/alicloud.md §10.7).

/// JD Cloud: the four regions of the OpenAPI's region table.
pub const JDCLOUD: &[&str] = &["cn-north-1", "cn-east-1", "cn-east-2", "cn-south-1"];

/// Alibaba Cloud: the public regions, then the finance and government
/// regions that have their own region id.
pub const ALICLOUD: &[&str] = &[
    "cn-qingdao",
    "cn-beijing",
    "cn-zhangjiakou",
    "cn-huhehaote",
    "cn-wulanchabu",
    "cn-hangzhou",
    "cn-shanghai",
    "cn-nanjing",
    "cn-shenzhen",
    "cn-heyuan",
    "cn-guangzhou",
    "cn-chengdu",
    "cn-wuhan-lr",
    "cn-hongkong",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ap-south-1",
    "us-east-1",
    "us-west-1",
    "eu-west-1",
    "eu-central-1",
    "me-east-1",
    "me-central-1",
    "cn-hangzhou-finance",
    "cn-shanghai-finance-1",
    "cn-shenzhen-finance-1",
    "cn-beijing-finance-1",
    "cn-north-2-gov-1",
];

pub fn is_jdcloud(region: &str) -> bool {
    JDCLOUD.contains(&region)
}

pub fn is_alicloud(region: &str) -> bool {
    ALICLOUD.contains(&region)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_hold_plain_unique_ids_and_the_defaults() {
        for table in [JDCLOUD, ALICLOUD] {
            let mut seen = std::collections::BTreeSet::new();
            for r in table {
                assert!(seen.insert(r), "{r} twice");
                assert!(
                    r.bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                    "{r}"
                );
            }
        }
        assert!(is_jdcloud(crate::provider::JDCLOUD_DEFAULT_REGION));
        assert!(is_alicloud(crate::provider::ALICLOUD_DEFAULT_REGION));
        for bad in ["mars-1", "", "a/../b", "CN-NORTH-1", " cn-north-1"] {
            assert!(!is_jdcloud(bad) && !is_alicloud(bad), "{bad}");
        }
    }
}
