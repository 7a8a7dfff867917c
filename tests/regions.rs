//! The provider's region tables (`cloud::regions`) and the sandbox's own copy
//! (`sandbox::regions`, kept apart so a typo cannot hide on both sides) list
//! the same regions, in the same order.

#[test]
fn provider_and_sandbox_know_the_same_regions() {
    assert_eq!(
        hybridnet::cloud::regions::JDCLOUD,
        hybridnet::sandbox::regions::JDCLOUD
    );
    assert_eq!(
        hybridnet::cloud::regions::ALICLOUD,
        hybridnet::sandbox::regions::ALICLOUD
    );
}
