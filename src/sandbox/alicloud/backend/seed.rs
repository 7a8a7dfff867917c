//! The fixed objects every sandbox has (docs/design/alicloud.md §9): no hybridnet
//! resource creates a CEN or a transit router, so one CEN instance spans every served region,
//! and each region has one Enterprise Edition transit router with its `System` route table.
//!
//! They are constants, not stored rows: nothing the sandbox serves changes them, so they survive
//! `/_sandbox/reset` and restarts by construction, and `/_sandbox/state` lists them under
//! `alicloud_seed` (apart from the user-created `alicloud` kinds; rendered by
//! `handlers::state_view`). Their ids are stable and derived from the region table below —
//! change regions, ids or names here and nowhere else.

/// One served region and what the sandbox seeds in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SeedRegion {
    /// Region id, e.g. `cn-hangzhou`.
    pub region: &'static str,
    /// Short form used in the seeded ids, e.g. `hz`.
    pub short: &'static str,
    /// Zones the two tunnels of a connection are placed in (index 1, index 2). INFERRED: real
    /// zone letters of the region, but which zones a tunnel lands in is not documented
    /// (docs/design/alicloud.md §10.10).
    pub tunnel_zones: [&'static str; 2],
}

/// The regions the sandbox serves (Vpc and Cbn); a `RegionId` outside this list is refused.
pub(crate) const REGIONS: &[SeedRegion] = &[
    SeedRegion::new("cn-hangzhou", "hz", ["cn-hangzhou-h", "cn-hangzhou-i"]),
    SeedRegion::new("cn-shanghai", "sh", ["cn-shanghai-e", "cn-shanghai-f"]),
    SeedRegion::new("cn-beijing", "bj", ["cn-beijing-h", "cn-beijing-i"]),
    SeedRegion::new("cn-shenzhen", "sz", ["cn-shenzhen-d", "cn-shenzhen-e"]),
];

/// The one CEN instance, shared by every region's transit router.
pub(crate) const CEN_ID: &str = "cen-sandbox0000000001";
pub(crate) const CEN_NAME: &str = "sandbox-cen";
/// Creation time shown for every seeded object (they exist "since forever").
pub(crate) const SEED_CREATION_TIME: &str = "2024-01-01T00:00Z";

impl SeedRegion {
    /// A row of [`REGIONS`]: region id, short form, tunnel zones.
    const fn new(
        region: &'static str,
        short: &'static str,
        tunnel_zones: [&'static str; 2],
    ) -> Self {
        Self {
            region,
            short,
            tunnel_zones,
        }
    }

    /// `tr-<short>-sandbox0001`.
    pub(crate) fn transit_router_id(&self) -> String {
        format!("tr-{}-sandbox0001", self.short)
    }

    pub(crate) fn transit_router_name(&self) -> String {
        format!("sandbox-tr-{}", self.region)
    }

    /// `vtb-<short>-sandbox0001`: the transit router's `System` (default) route table.
    pub(crate) fn route_table_id(&self) -> String {
        format!("vtb-{}-sandbox0001", self.short)
    }

    pub(crate) fn route_table_name(&self) -> String {
        format!("sandbox-system-{}", self.region)
    }
}

/// The served region with this id.
pub(crate) fn region(id: &str) -> Option<&'static SeedRegion> {
    REGIONS.iter().find(|r| r.region == id)
}

/// The region whose seeded transit router has this id.
pub(crate) fn by_transit_router(id: &str) -> Option<&'static SeedRegion> {
    REGIONS.iter().find(|r| r.transit_router_id() == id)
}

/// The region whose seeded route table has this id.
pub(crate) fn by_route_table(id: &str) -> Option<&'static SeedRegion> {
    REGIONS.iter().find(|r| r.route_table_id() == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_and_unique() {
        let hz = region("cn-hangzhou").unwrap();
        assert_eq!(hz.transit_router_id(), "tr-hz-sandbox0001");
        assert_eq!(hz.route_table_id(), "vtb-hz-sandbox0001");
        assert_eq!(
            by_transit_router("tr-sz-sandbox0001").unwrap().region,
            "cn-shenzhen"
        );
        assert_eq!(
            by_route_table("vtb-bj-sandbox0001").unwrap().region,
            "cn-beijing"
        );
        assert!(region("us-west-1").is_none());
        let mut shorts: Vec<&str> = REGIONS.iter().map(|r| r.short).collect();
        shorts.sort_unstable();
        shorts.dedup();
        assert_eq!(shorts.len(), REGIONS.len());
    }
}
