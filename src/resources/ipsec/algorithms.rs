//! How each cloud and each device spells the same IPsec algorithm: the one
//! table the profile, the peer configurations and their docs read
//! (docs/design/ipsec.md). A row is one algorithm; a column that is `None`
//! means that side cannot do it in that phase.
//!
//! The neutral names are strongSwan's, the spelling most Linux routers and
//! most IPsec documentation share.

/// The two negotiation phases.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Phase 1: the IKE SA.
    Ike,
    /// Phase 2: the ESP (IPsec) SA.
    Esp,
}

/// The clouds a profile can be written for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cloud {
    JdCloud,
    AliCloud,
}

impl Cloud {
    pub const ALL: [Cloud; 2] = [Cloud::JdCloud, Cloud::AliCloud];

    /// The name users write in `clouds` and see as the output attribute.
    pub fn key(self) -> &'static str {
        match self {
            Cloud::JdCloud => "jdcloud",
            Cloud::AliCloud => "alicloud",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Cloud::JdCloud => "JD Cloud",
            Cloud::AliCloud => "Alibaba Cloud",
        }
    }

    pub fn from_key(key: &str) -> Option<Cloud> {
        Cloud::ALL.into_iter().find(|c| c.key() == key)
    }
}

/// One algorithm and its names. `*_ike`/`*_esp` are the clouds' API values
/// in each phase; the device columns are what their configurations say.
#[derive(Clone, Copy, Debug)]
pub struct Algorithm {
    pub neutral: &'static str,
    pub jdcloud_ike: Option<&'static str>,
    pub jdcloud_esp: Option<&'static str>,
    pub alicloud_ike: Option<&'static str>,
    pub alicloud_esp: Option<&'static str>,
    /// Cisco IOS XE: the IKEv2 proposal's word, the IKEv1 (`crypto isakmp
    /// policy`) word and the transform set's word (for groups: the `group`
    /// number of both IKE versions and the `set pfs` word).
    pub cisco_ike: &'static str,
    pub cisco_isakmp: &'static str,
    pub cisco_esp: &'static str,
    /// Huawei VRP: the IKE proposal's word and the IPsec proposal's word (for
    /// groups: the `dh` word of the IKE proposal and the `pfs` word).
    pub huawei_ike: &'static str,
    pub huawei_esp: &'static str,
}

impl Algorithm {
    /// The cloud's API value of this algorithm in `phase`, if it offers it.
    pub fn in_cloud(&self, cloud: Cloud, phase: Phase) -> Option<&'static str> {
        match (cloud, phase) {
            (Cloud::JdCloud, Phase::Ike) => self.jdcloud_ike,
            (Cloud::JdCloud, Phase::Esp) => self.jdcloud_esp,
            (Cloud::AliCloud, Phase::Ike) => self.alicloud_ike,
            (Cloud::AliCloud, Phase::Esp) => self.alicloud_esp,
        }
    }
}

/// A family of algorithms: encryption, integrity or Diffie-Hellman group.
#[derive(Clone, Copy, Debug)]
pub struct Family {
    /// How messages name the family ("encryption algorithm").
    pub what: &'static str,
    pub rows: &'static [Algorithm],
}

impl Family {
    pub fn neutral(&self, name: &str) -> Option<&'static Algorithm> {
        self.rows.iter().find(|a| a.neutral == name)
    }

    /// The row whose API value in `cloud` and `phase` is `value`.
    pub fn from_cloud(
        &self,
        cloud: Cloud,
        phase: Phase,
        value: &str,
    ) -> Option<&'static Algorithm> {
        self.rows
            .iter()
            .find(|a| a.in_cloud(cloud, phase) == Some(value))
    }

    pub fn neutral_names(&self) -> Vec<&'static str> {
        self.rows.iter().map(|a| a.neutral).collect()
    }

    /// "aes128 (`aes`), aes192 (`aes192`)…": what `cloud` offers in `phase`,
    /// in neutral names with the cloud's own spelling where it differs.
    pub fn offered(&self, cloud: Cloud, phase: Phase) -> String {
        let names: Vec<String> = self
            .rows
            .iter()
            .filter_map(|a| {
                let own = a.in_cloud(cloud, phase)?;
                Some(if own == a.neutral {
                    format!("`{}`", a.neutral)
                } else {
                    format!("`{}` (its `{own}`)", a.neutral)
                })
            })
            .collect();
        names.join(", ")
    }
}

const fn row(
    neutral: &'static str,
    jdcloud: [Option<&'static str>; 2],
    alicloud: [Option<&'static str>; 2],
    cisco: [&'static str; 3],
    huawei: [&'static str; 2],
) -> Algorithm {
    Algorithm {
        neutral,
        jdcloud_ike: jdcloud[0],
        jdcloud_esp: jdcloud[1],
        alicloud_ike: alicloud[0],
        alicloud_esp: alicloud[1],
        cisco_ike: cisco[0],
        cisco_isakmp: cisco[1],
        cisco_esp: cisco[2],
        huawei_ike: huawei[0],
        huawei_esp: huawei[1],
    }
}

/// JD Cloud's values: its tunnel API (docs/design/jdcloud.md); it has no
/// 3DES for ESP and no DES at all. Alibaba Cloud calls AES-128 `aes`
/// (docs/design/alicloud.md).
#[rustfmt::skip]
pub const ENCRYPTION: Family = Family {
    what: "encryption algorithm",
    rows: &[
        row("aes128", [Some("aes128"), Some("aes128")], [Some("aes"), Some("aes")], ["aes-cbc-128", "aes 128", "esp-aes 128"], ["aes-128", "aes-128"]),
        row("aes192", [Some("aes192"), Some("aes192")], [Some("aes192"), Some("aes192")], ["aes-cbc-192", "aes 192", "esp-aes 192"], ["aes-192", "aes-192"]),
        row("aes256", [Some("aes256"), Some("aes256")], [Some("aes256"), Some("aes256")], ["aes-cbc-256", "aes 256", "esp-aes 256"], ["aes-256", "aes-256"]),
        row("3des", [Some("3des"), None], [Some("3des"), Some("3des")], ["3des", "3des", "esp-3des"], ["3des", "3des"]),
        row("des", [None, None], [Some("des"), Some("des")], ["des", "des", "esp-des"], ["des", "des"]),
    ],
};

/// Integrity (and, in IKE, the PRF strongSwan derives from it).
#[rustfmt::skip]
pub const INTEGRITY: Family = Family {
    what: "integrity algorithm",
    rows: &[
        row("md5", [None, None], [Some("md5"), Some("md5")], ["md5", "md5", "esp-md5-hmac"], ["md5", "md5"]),
        row("sha1", [Some("sha1"), Some("sha1")], [Some("sha1"), Some("sha1")], ["sha1", "sha", "esp-sha-hmac"], ["sha1", "sha1"]),
        row("sha256", [Some("sha256"), Some("sha256")], [Some("sha256"), Some("sha256")], ["sha256", "sha256", "esp-sha256-hmac"], ["sha2-256", "sha2-256"]),
        row("sha384", [Some("sha384"), Some("sha384")], [Some("sha384"), Some("sha384")], ["sha384", "sha384", "esp-sha384-hmac"], ["sha2-384", "sha2-384"]),
        row("sha512", [None, None], [Some("sha512"), Some("sha512")], ["sha512", "sha512", "esp-sha512-hmac"], ["sha2-512", "sha2-512"]),
    ],
};

/// Diffie-Hellman groups (phase 1) and PFS groups (phase 2). Alibaba Cloud
/// names them by IKE group number; it has no elliptic-curve groups.
#[rustfmt::skip]
pub const DH_GROUP: Family = Family {
    what: "Diffie-Hellman group",
    rows: &[
        row("modp768", [None, None], [Some("group1"), Some("group1")], ["1", "1", "group1"], ["group1", "dh-group1"]),
        row("modp1024", [Some("modp1024"), Some("modp1024")], [Some("group2"), Some("group2")], ["2", "2", "group2"], ["group2", "dh-group2"]),
        row("modp1536", [Some("modp1536"), Some("modp1536")], [Some("group5"), Some("group5")], ["5", "5", "group5"], ["group5", "dh-group5"]),
        row("modp2048", [Some("modp2048"), Some("modp2048")], [Some("group14"), Some("group14")], ["14", "14", "group14"], ["group14", "dh-group14"]),
        row("ecp256", [Some("ecp256"), Some("ecp256")], [None, None], ["19", "19", "group19"], ["group19", "dh-group19"]),
        row("ecp384", [Some("ecp384"), Some("ecp384")], [None, None], ["20", "20", "group20"], ["group20", "dh-group20"]),
    ],
};

/// Phase 2 without perfect forward secrecy: the neutral name, and each
/// cloud's value for it. JD Cloud takes the string `null`
/// (INFERRED, docs/design/jdcloud.md §8.12).
pub const NO_PFS: &str = "none";
pub const JDCLOUD_NO_PFS: &str = "null";
pub const ALICLOUD_NO_PFS: &str = "disabled";

/// The PFS value `cloud` uses for a neutral PFS name (`none` or a group).
pub fn pfs_in_cloud(cloud: Cloud, neutral: &str) -> Option<&'static str> {
    if neutral == NO_PFS {
        return Some(match cloud {
            Cloud::JdCloud => JDCLOUD_NO_PFS,
            Cloud::AliCloud => ALICLOUD_NO_PFS,
        });
    }
    DH_GROUP.neutral(neutral)?.in_cloud(cloud, Phase::Esp)
}

/// The neutral PFS name for a cloud's value.
pub fn pfs_from_cloud(cloud: Cloud, value: &str) -> Option<&'static str> {
    match (cloud, value) {
        (Cloud::JdCloud, JDCLOUD_NO_PFS) | (Cloud::AliCloud, ALICLOUD_NO_PFS) => Some(NO_PFS),
        _ => DH_GROUP
            .from_cloud(cloud, Phase::Esp, value)
            .map(|a| a.neutral),
    }
}

/// A strongSwan proposal: `encryption-integrity[-group]`.
pub fn strongswan_proposal(encryption: &str, integrity: &str, group: Option<&str>) -> String {
    match group {
        Some(g) if g != NO_PFS => format!("{encryption}-{integrity}-{g}"),
        _ => format!("{encryption}-{integrity}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_cloud_value_maps_back_to_one_row() {
        for family in [ENCRYPTION, INTEGRITY, DH_GROUP] {
            for cloud in Cloud::ALL {
                for phase in [Phase::Ike, Phase::Esp] {
                    for a in family.rows {
                        if let Some(v) = a.in_cloud(cloud, phase) {
                            assert_eq!(
                                family.from_cloud(cloud, phase, v).map(|r| r.neutral),
                                Some(a.neutral)
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn the_gaps_the_issue_names_are_in_the_table() {
        // Alibaba Cloud has no elliptic-curve groups; JD calls group14 modp2048.
        assert_eq!(
            DH_GROUP
                .neutral("ecp256")
                .unwrap()
                .in_cloud(Cloud::AliCloud, Phase::Ike),
            None
        );
        assert_eq!(
            DH_GROUP
                .from_cloud(Cloud::AliCloud, Phase::Ike, "group14")
                .unwrap()
                .neutral,
            "modp2048"
        );
        assert_eq!(
            ENCRYPTION
                .neutral("3des")
                .unwrap()
                .in_cloud(Cloud::JdCloud, Phase::Esp),
            None
        );
        assert_eq!(pfs_in_cloud(Cloud::JdCloud, "none"), Some("null"));
        assert_eq!(pfs_from_cloud(Cloud::AliCloud, "disabled"), Some("none"));
        assert_eq!(pfs_from_cloud(Cloud::AliCloud, "group5"), Some("modp1536"));
        assert_eq!(
            strongswan_proposal("aes256", "sha256", Some("none")),
            "aes256-sha256"
        );
    }

    #[test]
    fn offered_lists_the_clouds_own_spelling() {
        let s = DH_GROUP.offered(Cloud::AliCloud, Phase::Ike);
        assert_eq!(s, "`modp768` (its `group1`), `modp1024` (its `group2`), `modp1536` (its `group5`), `modp2048` (its `group14`)");
    }
}
