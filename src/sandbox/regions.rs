//! The region ids the emulated clouds know — the sandbox's own copy of the
//! provider's tables (it may not import `cloud`, so a typo cannot hide on
//! both sides); `tests/regions.rs` checks the two are equal. A request for a
//! region outside these is refused with the cloud's own error envelope.
//!
//! Alibaba Cloud: of these, only the regions in `alicloud::seed::REGIONS`
//! have the seeded CEN transit router, so only they are served; the others
//! are refused with a message saying so.

/// JD Cloud region ids.
pub const JDCLOUD: &[&str] = &["cn-north-1", "cn-east-1", "cn-east-2", "cn-south-1"];

/// Alibaba Cloud region ids.
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
