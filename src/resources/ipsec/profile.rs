//! `hybridnet_ipsec_profile`: one IPsec proposal in neutral terms, rendered
//! as each cloud's tunnel arguments and as strongSwan proposals, so both ends
//! of a link are set from one place. A proposal a requested cloud cannot
//! express is refused at plan time (the checks are schema rules, so
//! `terraform validate` reports them too).

use std::sync::LazyLock;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::clients::ProviderData;
use crate::framework::validate::{each, int_between, int_one_of, one_of, ObjectRule};
use crate::framework::{AttrPath, Attribute, Ctx, DataSource, Diagnostics, Schema, Type, Value};

use super::algorithms::{
    pfs_in_cloud, strongswan_proposal, Cloud, Family, Phase, DH_GROUP, ENCRYPTION, INTEGRITY,
    NO_PFS,
};

pub const TYPE_NAME: &str = "hybridnet_ipsec_profile";

/// JD Cloud's only dead-peer-detection interval, in seconds; `0` is off.
const JDCLOUD_DPD_SEC: i64 = 10;

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct State {
    pub clouds: Option<Vec<String>>,
    pub ike_version: Option<i64>,
    pub ike_mode: Option<String>,
    pub ike_encryption: Option<String>,
    pub ike_integrity: Option<String>,
    pub ike_dh_group: Option<String>,
    pub ike_lifetime: Option<i64>,
    pub esp_encryption: Option<String>,
    pub esp_integrity: Option<String>,
    pub esp_pfs_group: Option<String>,
    pub esp_lifetime: Option<i64>,
    pub dpd: Option<bool>,
    pub nat_traversal: Option<bool>,
    pub jdcloud: Option<JdCloudTunnel>,
    pub alicloud: Option<AliCloudTunnel>,
    pub strongswan: Option<StrongSwan>,
}

/// Exactly the proposal arguments of `hybridnet_jdcloud_vpn_tunnel`.
#[derive(Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct JdCloudTunnel {
    pub ike_version: String,
    pub ike_mode: String,
    pub ike_cipher: String,
    pub ike_auth: String,
    pub ike_key_exchange: String,
    pub ike_sa_life_sec: i64,
    pub ike_dpd_sec: i64,
    pub ipsec_cipher: String,
    pub ipsec_auth: String,
    pub ipsec_key_exchange: String,
    pub ipsec_sa_life_sec: i64,
}

/// Exactly the proposal arguments of a `tunnel` block of
/// `hybridnet_alicloud_ipsec_connection_cen`.
#[derive(Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct AliCloudTunnel {
    pub ike_version: String,
    pub ike_mode: String,
    pub ike_encryption_algorithm: String,
    pub ike_authentication_algorithm: String,
    pub ike_dh_group: String,
    pub ike_lifetime: i64,
    pub ipsec_encryption_algorithm: String,
    pub ipsec_authentication_algorithm: String,
    pub ipsec_pfs: String,
    pub ipsec_lifetime: i64,
    pub enable_dpd: bool,
    pub enable_nat_traversal: bool,
}

/// swanctl.conf proposal strings.
#[derive(Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct StrongSwan {
    pub ike_proposal: String,
    pub esp_proposal: String,
}

fn object_type(fields: &[(&str, Type)]) -> Type {
    Type::Object(
        fields
            .iter()
            .map(|(k, t)| (k.to_string(), t.clone()))
            .collect(),
    )
}

fn jdcloud_type() -> Type {
    use Type::{Number as N, String as S};
    object_type(&[
        ("ike_version", S),
        ("ike_mode", S),
        ("ike_cipher", S),
        ("ike_auth", S),
        ("ike_key_exchange", S),
        ("ike_sa_life_sec", N),
        ("ike_dpd_sec", N),
        ("ipsec_cipher", S),
        ("ipsec_auth", S),
        ("ipsec_key_exchange", S),
        ("ipsec_sa_life_sec", N),
    ])
}

fn alicloud_type() -> Type {
    use Type::{Bool as B, Number as N, String as S};
    object_type(&[
        ("ike_version", S),
        ("ike_mode", S),
        ("ike_encryption_algorithm", S),
        ("ike_authentication_algorithm", S),
        ("ike_dh_group", S),
        ("ike_lifetime", N),
        ("ipsec_encryption_algorithm", S),
        ("ipsec_authentication_algorithm", S),
        ("ipsec_pfs", S),
        ("ipsec_lifetime", N),
        ("enable_dpd", B),
        ("enable_nat_traversal", B),
    ])
}

/// The neutral names each attribute accepts: every row of its family.
static ENCRYPTION_NAMES: LazyLock<Vec<&str>> = LazyLock::new(|| ENCRYPTION.neutral_names());
static INTEGRITY_NAMES: LazyLock<Vec<&str>> = LazyLock::new(|| INTEGRITY.neutral_names());
static DH_GROUP_NAMES: LazyLock<Vec<&str>> = LazyLock::new(|| DH_GROUP.neutral_names());
static PFS_NAMES: LazyLock<Vec<&str>> = LazyLock::new(|| {
    let mut names = vec![NO_PFS];
    names.extend(DH_GROUP.neutral_names());
    names
});

/// The attributes checked against each cloud: (attribute, family, phase).
const CHECKED: [(&str, Family, Phase); 5] = [
    ("ike_encryption", ENCRYPTION, Phase::Ike),
    ("ike_integrity", INTEGRITY, Phase::Ike),
    ("ike_dh_group", DH_GROUP, Phase::Ike),
    ("esp_encryption", ENCRYPTION, Phase::Esp),
    ("esp_integrity", INTEGRITY, Phase::Esp),
];

pub fn schema() -> Schema {
    let choice = |name: &str, names: &'static [&'static str], default: &str, desc: &str| {
        Attribute::string(name)
            .default(Value::string(default))
            .description(desc)
            .validator(one_of(names))
    };
    let lifetime = |name: &str, default: i64, desc: &str| {
        Attribute::int(name)
            .default(Value::int(default))
            .description(desc)
            .validator(int_between(60, 86400))
    };
    let output =
        |name: &str, ty: Type, desc: &str| Attribute::new(name, ty).computed().description(desc);
    Schema::new(
        "One IPsec proposal written once, in strongSwan's names, for both ends of a link: `jdcloud` holds the \
         proposal arguments of `hybridnet_jdcloud_vpn_tunnel`, `alicloud` those of a `tunnel` block of \
         `hybridnet_alicloud_ipsec_connection_cen`, and `strongswan` the proposal strings for a Linux router. \
         A setting that a cloud listed in `clouds` cannot express is an error at plan time naming the cloud, \
         the setting and what that cloud offers. The defaults (IKEv2, AES-256, SHA-256, DH group 14 in both \
         phases) work on both clouds.",
    )
    .attribute(
        Attribute::string_list("clouds")
            .optional()
            .description("The clouds the proposal must work on; the output of a cloud not listed is null. Defaults to both.")
            .validator(each(one_of(&["jdcloud", "alicloud"]))),
    )
    .attribute(
        Attribute::int("ike_version")
            .default(Value::int(2))
            .description("IKE version, `1` or `2`.")
            .validator(int_one_of(&[1, 2])),
    )
    .attribute(
        Attribute::string("ike_mode")
            .default(Value::string("main"))
            .description("IKEv1 exchange mode, `main` or `aggressive`; IKEv2 has no modes and ignores it.")
            .validator(one_of(&["main", "aggressive"])),
    )
    .attribute(choice("ike_encryption", &ENCRYPTION_NAMES, "aes256", "Phase 1 encryption."))
    .attribute(choice("ike_integrity", &INTEGRITY_NAMES, "sha256", "Phase 1 integrity (and PRF)."))
    .attribute(choice("ike_dh_group", &DH_GROUP_NAMES, "modp2048", "Phase 1 Diffie-Hellman group (`modp2048` is IKE group 14)."))
    .attribute(lifetime("ike_lifetime", 28800, "IKE SA lifetime in seconds, 60–86400."))
    .attribute(choice("esp_encryption", &ENCRYPTION_NAMES, "aes256", "Phase 2 (ESP) encryption."))
    .attribute(choice("esp_integrity", &INTEGRITY_NAMES, "sha256", "Phase 2 (ESP) integrity."))
    .attribute(
        Attribute::string("esp_pfs_group")
            .default(Value::string("modp2048"))
            .description("Phase 2 perfect-forward-secrecy group, or `none`.")
            .validator(one_of(&PFS_NAMES)),
    )
    .attribute(lifetime("esp_lifetime", 3600, "ESP SA lifetime in seconds, 60–86400."))
    .attribute(Attribute::bool("dpd").default(Value::Bool(true)).description("Dead peer detection (JD Cloud probes every 10 seconds)."))
    .attribute(
        Attribute::bool("nat_traversal")
            .default(Value::Bool(true))
            .description("NAT traversal. JD Cloud has no setting for it, so a profile for JD Cloud keeps it on."),
    )
    .attribute(output("jdcloud", jdcloud_type(), "The proposal as `hybridnet_jdcloud_vpn_tunnel` arguments; null when `clouds` leaves JD Cloud out."))
    .attribute(output("alicloud", alicloud_type(), "The proposal as arguments of a `hybridnet_alicloud_ipsec_connection_cen` `tunnel` block; null when `clouds` leaves Alibaba Cloud out."))
    .attribute(output(
        "strongswan",
        object_type(&[("ike_proposal", Type::String), ("esp_proposal", Type::String)]),
        "swanctl.conf `proposals` of the connection (`ike_proposal`) and of its child (`esp_proposal`).",
    ))
    .validator(ObjectRule {
        description: "every setting is one each cloud in `clouds` offers",
        check: check_clouds,
    })
}

/// The clouds a configuration asks for; `None` while they are unknown.
fn clouds_of(config: &Value) -> Option<Vec<Cloud>> {
    match config.get("clouds") {
        Value::Null => Some(Cloud::ALL.to_vec()),
        v => v
            .as_list()?
            .iter()
            .map(|c| c.as_str().and_then(Cloud::from_key))
            .collect(),
    }
}

fn check_clouds(config: &Value, path: &AttrPath, diags: &mut Diagnostics) {
    let Some(clouds) = clouds_of(config) else {
        return;
    };
    for cloud in clouds {
        for (attr, family, phase) in CHECKED {
            let Some(name) = config.get(attr).as_str() else {
                continue;
            };
            let Some(row) = family.neutral(name) else {
                continue;
            };
            if row.in_cloud(cloud, phase).is_none() {
                refuse(
                    diags,
                    path,
                    attr,
                    name,
                    cloud,
                    family.what,
                    &family.offered(cloud, phase),
                );
            }
        }
        if let Some(name) = config.get("esp_pfs_group").as_str() {
            if DH_GROUP.neutral(name).is_some() && pfs_in_cloud(cloud, name).is_none() {
                let offered = format!("`{NO_PFS}`, {}", DH_GROUP.offered(cloud, Phase::Esp));
                refuse(
                    diags,
                    path,
                    "esp_pfs_group",
                    name,
                    cloud,
                    "PFS group",
                    &offered,
                );
            }
        }
        // INFERRED (docs/design/jdcloud.md §8.17): JD tunnels always allow NAT traversal.
        if cloud == Cloud::JdCloud && config.get("nat_traversal").as_bool() == Some(false) {
            let at = path.child("nat_traversal");
            diags.add_attr_error(
                &at,
                "Setting not available on JD Cloud",
                format!(
                    "{at} = false cannot be used with JD Cloud (jdcloud): its tunnels have no NAT traversal \
                     setting. Keep it true, or leave jdcloud out of `clouds`."
                ),
            );
        }
    }
}

fn refuse(
    diags: &mut Diagnostics,
    path: &AttrPath,
    attr: &str,
    value: &str,
    cloud: Cloud,
    what: &str,
    offered: &str,
) {
    let at = path.child(attr);
    diags.add_attr_error(
        &at,
        format!("Setting not available on {}", cloud.title()),
        format!(
            "{at} = {value:?} cannot be used with {} ({}): its {what}s are {offered}. Choose one of \
             those, or leave {} out of `clouds`.",
            cloud.title(),
            cloud.key(),
            cloud.key()
        ),
    );
}

/// A neutral name's value in `cloud`; the schema rule has refused what has none.
fn in_cloud(family: Family, name: &str, cloud: Cloud, phase: Phase) -> Result<String, Diagnostics> {
    family
        .neutral(name)
        .and_then(|a| a.in_cloud(cloud, phase))
        .map(str::to_string)
        .ok_or_else(|| {
            Diagnostics::error(
                "Provider bug: a refused setting reached the profile",
                format!("{} has no {} {name:?}", cloud.title(), family.what),
            )
        })
}

/// The neutral proposal, with the schema defaults already applied by the plan.
struct Proposal<'a> {
    ike_version: i64,
    ike_mode: &'a str,
    ike_encryption: &'a str,
    ike_integrity: &'a str,
    ike_dh_group: &'a str,
    ike_lifetime: i64,
    esp_encryption: &'a str,
    esp_integrity: &'a str,
    esp_pfs_group: &'a str,
    esp_lifetime: i64,
    dpd: bool,
    nat_traversal: bool,
}

impl<'a> Proposal<'a> {
    fn of(s: &'a State) -> Proposal<'a> {
        Proposal {
            ike_version: s.ike_version.unwrap_or(2),
            ike_mode: s.ike_mode.as_deref().unwrap_or("main"),
            ike_encryption: s.ike_encryption.as_deref().unwrap_or("aes256"),
            ike_integrity: s.ike_integrity.as_deref().unwrap_or("sha256"),
            ike_dh_group: s.ike_dh_group.as_deref().unwrap_or("modp2048"),
            ike_lifetime: s.ike_lifetime.unwrap_or(28800),
            esp_encryption: s.esp_encryption.as_deref().unwrap_or("aes256"),
            esp_integrity: s.esp_integrity.as_deref().unwrap_or("sha256"),
            esp_pfs_group: s.esp_pfs_group.as_deref().unwrap_or("modp2048"),
            esp_lifetime: s.esp_lifetime.unwrap_or(3600),
            dpd: s.dpd.unwrap_or(true),
            nat_traversal: s.nat_traversal.unwrap_or(true),
        }
    }

    fn pfs(&self, cloud: Cloud) -> Result<String, Diagnostics> {
        pfs_in_cloud(cloud, self.esp_pfs_group)
            .map(str::to_string)
            .ok_or_else(|| in_cloud(DH_GROUP, self.esp_pfs_group, cloud, Phase::Esp).unwrap_err())
    }

    fn jdcloud(&self) -> Result<JdCloudTunnel, Diagnostics> {
        let c = Cloud::JdCloud;
        Ok(JdCloudTunnel {
            ike_version: format!("v{}", self.ike_version),
            ike_mode: self.ike_mode.to_string(),
            ike_cipher: in_cloud(ENCRYPTION, self.ike_encryption, c, Phase::Ike)?,
            ike_auth: in_cloud(INTEGRITY, self.ike_integrity, c, Phase::Ike)?,
            ike_key_exchange: in_cloud(DH_GROUP, self.ike_dh_group, c, Phase::Ike)?,
            ike_sa_life_sec: self.ike_lifetime,
            ike_dpd_sec: if self.dpd { JDCLOUD_DPD_SEC } else { 0 },
            ipsec_cipher: in_cloud(ENCRYPTION, self.esp_encryption, c, Phase::Esp)?,
            ipsec_auth: in_cloud(INTEGRITY, self.esp_integrity, c, Phase::Esp)?,
            ipsec_key_exchange: self.pfs(c)?,
            ipsec_sa_life_sec: self.esp_lifetime,
        })
    }

    fn alicloud(&self) -> Result<AliCloudTunnel, Diagnostics> {
        let c = Cloud::AliCloud;
        Ok(AliCloudTunnel {
            ike_version: format!("ikev{}", self.ike_version),
            ike_mode: self.ike_mode.to_string(),
            ike_encryption_algorithm: in_cloud(ENCRYPTION, self.ike_encryption, c, Phase::Ike)?,
            ike_authentication_algorithm: in_cloud(INTEGRITY, self.ike_integrity, c, Phase::Ike)?,
            ike_dh_group: in_cloud(DH_GROUP, self.ike_dh_group, c, Phase::Ike)?,
            ike_lifetime: self.ike_lifetime,
            ipsec_encryption_algorithm: in_cloud(ENCRYPTION, self.esp_encryption, c, Phase::Esp)?,
            ipsec_authentication_algorithm: in_cloud(INTEGRITY, self.esp_integrity, c, Phase::Esp)?,
            ipsec_pfs: self.pfs(c)?,
            ipsec_lifetime: self.esp_lifetime,
            enable_dpd: self.dpd,
            enable_nat_traversal: self.nat_traversal,
        })
    }

    fn strongswan(&self) -> StrongSwan {
        StrongSwan {
            ike_proposal: strongswan_proposal(
                self.ike_encryption,
                self.ike_integrity,
                Some(self.ike_dh_group),
            ),
            esp_proposal: strongswan_proposal(
                self.esp_encryption,
                self.esp_integrity,
                Some(self.esp_pfs_group),
            ),
        }
    }
}

pub struct IpsecProfile;

#[async_trait]
impl DataSource<ProviderData> for IpsecProfile {
    type State = State;
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }
    fn schema(&self) -> Schema {
        schema()
    }
    async fn read(&self, _ctx: &Ctx<ProviderData>, config: State) -> Result<State, Diagnostics> {
        render(config)
    }
}

/// Fills in the outputs; needs no cloud.
pub fn render(config: State) -> Result<State, Diagnostics> {
    let wants = |c: Cloud| {
        config
            .clouds
            .as_ref()
            .is_none_or(|list| list.iter().any(|k| k == c.key()))
    };
    let p = Proposal::of(&config);
    let jdcloud = wants(Cloud::JdCloud).then(|| p.jdcloud()).transpose()?;
    let alicloud = wants(Cloud::AliCloud).then(|| p.alicloud()).transpose()?;
    let strongswan = Some(p.strongswan());
    Ok(State {
        jdcloud,
        alicloud,
        strongswan,
        ..config
    })
}

/// The docs' table of each cloud's values side by side, from the same table
/// the profile uses.
pub fn values_table() -> String {
    let mut s = String::from(
        "## Values on each side\n\n\
         Each row is one algorithm: the profile's name, then what JD Cloud, Alibaba Cloud, Cisco IOS XE and \
         Huawei VRP call it in phase 1 / phase 2 (— where that side cannot do it).\n\n\
         | Profile | JD Cloud | Alibaba Cloud | Cisco IOS XE | Huawei VRP |\n|---|---|---|---|---|\n",
    );
    let cell = |ike: Option<&str>, esp: Option<&str>| match (ike, esp) {
        (Some(a), Some(b)) if a == b => format!("`{a}`"),
        (a, b) => format!(
            "{} / {}",
            a.map_or("—".to_string(), |v| format!("`{v}`")),
            b.map_or("—".to_string(), |v| format!("`{v}`"))
        ),
    };
    for family in [ENCRYPTION, INTEGRITY, DH_GROUP] {
        s.push_str(&format!("| **{}** | | | | |\n", family.what));
        for a in family.rows {
            s.push_str(&format!(
                "| `{}` | {} | {} | {} | {} |\n",
                a.neutral,
                cell(a.jdcloud_ike, a.jdcloud_esp),
                cell(a.alicloud_ike, a.alicloud_esp),
                cell(Some(a.cisco_ike), Some(a.cisco_esp)),
                cell(Some(a.huawei_ike), Some(a.huawei_esp)),
            ));
        }
    }
    s.push_str(&format!(
        "| `{NO_PFS}` (phase 2 only) | `{}` | `{}` | no `set pfs` | no `pfs` |\n\n\
         Other settings: IKE version `1`/`2` is JD Cloud's `v1`/`v2` and Alibaba Cloud's `ikev1`/`ikev2`; lifetimes \
         are seconds on both (60–86400 here); `dpd` is JD Cloud's `ike_dpd_sec` `{JDCLOUD_DPD_SEC}` or `0` and \
         Alibaba Cloud's `enable_dpd`. A pre-shared key both clouds accept has 1–20 letters, digits, `_` or `-`.\n",
        pfs_in_cloud(Cloud::JdCloud, NO_PFS).unwrap_or_default(),
        pfs_in_cloud(Cloud::AliCloud, NO_PFS).unwrap_or_default(),
    ));
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::resource::to_typed;
    use crate::framework::schema::conform;

    /// A configuration as the plan gives it: defaults filled in.
    fn planned(pairs: &[(&str, Value)]) -> Value {
        let schema = schema();
        let mut v = conform(&schema.block, &Value::Object(Default::default()));
        for a in &schema.block.attributes {
            if let (Some(d), Some(slot)) = (&a.default, v.get_mut(&a.name)) {
                *slot = d.clone();
            }
        }
        for (k, val) in pairs {
            *v.get_mut(k).unwrap() = val.clone();
        }
        v
    }

    fn errors(v: &Value) -> Vec<(String, String)> {
        let mut d = Diagnostics::new();
        schema().block.validate(v, &AttrPath::root(), &mut d);
        d.iter()
            .map(|d| {
                (
                    d.path.as_ref().map(|p| p.to_string()).unwrap_or_default(),
                    d.detail.clone(),
                )
            })
            .collect()
    }

    #[test]
    fn the_defaults_work_on_both_clouds_and_spell_each_clouds_values() {
        let v = planned(&[]);
        assert!(errors(&v).is_empty(), "{:?}", errors(&v));
        let s = render(to_typed::<State>(&v).unwrap()).unwrap();
        let jd = s.jdcloud.unwrap();
        assert_eq!(
            (
                jd.ike_version.as_str(),
                jd.ike_key_exchange.as_str(),
                jd.ipsec_key_exchange.as_str()
            ),
            ("v2", "modp2048", "modp2048")
        );
        assert_eq!(jd.ike_dpd_sec, 10);
        let ali = s.alicloud.unwrap();
        assert_eq!(
            (
                ali.ike_version.as_str(),
                ali.ike_dh_group.as_str(),
                ali.ipsec_pfs.as_str()
            ),
            ("ikev2", "group14", "group14")
        );
        assert_eq!(ali.ike_encryption_algorithm, "aes256");
        let sw = s.strongswan.unwrap();
        assert_eq!(
            (sw.ike_proposal.as_str(), sw.esp_proposal.as_str()),
            ("aes256-sha256-modp2048", "aes256-sha256-modp2048")
        );
    }

    #[test]
    fn a_setting_a_requested_cloud_lacks_is_refused_naming_cloud_setting_and_offer() {
        let e = errors(&planned(&[("ike_dh_group", Value::string("ecp256"))]));
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!(e[0].0, "ike_dh_group");
        assert!(e[0].1.contains("Alibaba Cloud (alicloud)"), "{}", e[0].1);
        assert!(e[0].1.contains("`modp2048` (its `group14`)"), "{}", e[0].1);
        // Without Alibaba Cloud, ecp256 is fine and the Alibaba output is null.
        let jd_only = planned(&[
            ("ike_dh_group", Value::string("ecp256")),
            ("clouds", Value::List(vec![Value::string("jdcloud")])),
        ]);
        assert!(errors(&jd_only).is_empty());
        let s = render(to_typed::<State>(&jd_only).unwrap()).unwrap();
        assert!(s.alicloud.is_none());
        assert_eq!(s.jdcloud.unwrap().ike_key_exchange, "ecp256");
        // JD Cloud has no 3DES for ESP but has it for IKE.
        let e = errors(&planned(&[
            ("esp_encryption", Value::string("3des")),
            ("ike_encryption", Value::string("3des")),
        ]));
        assert_eq!(
            e.iter().map(|(p, _)| p.as_str()).collect::<Vec<_>>(),
            ["esp_encryption"]
        );
        assert!(e[0].1.contains("JD Cloud (jdcloud)"));
        let e = errors(&planned(&[("nat_traversal", Value::Bool(false))]));
        assert_eq!(e[0].0, "nat_traversal");
        let e = errors(&planned(&[("esp_pfs_group", Value::string("ecp384"))]));
        assert_eq!(e[0].0, "esp_pfs_group");
        assert!(e[0].1.contains("`none`"));
    }

    #[test]
    fn no_pfs_is_each_clouds_own_word_and_leaves_the_group_out_of_the_esp_proposal() {
        let s = render(
            to_typed::<State>(&planned(&[("esp_pfs_group", Value::string("none"))])).unwrap(),
        )
        .unwrap();
        assert_eq!(s.jdcloud.unwrap().ipsec_key_exchange, "null");
        assert_eq!(s.alicloud.unwrap().ipsec_pfs, "disabled");
        assert_eq!(s.strongswan.unwrap().esp_proposal, "aes256-sha256");
    }

    #[test]
    fn unknown_clouds_are_checked_once_known() {
        let v = planned(&[
            ("ike_dh_group", Value::string("ecp256")),
            ("clouds", Value::Unknown),
        ]);
        assert!(errors(&v).is_empty());
    }

    /// The outputs hold exactly the arguments of the resources they feed, and
    /// every value the table gives a cloud is one its resource accepts.
    #[test]
    fn outputs_are_the_argument_names_and_values_of_the_cloud_resources() {
        use crate::resources::alicloud::ipsec_connection_cen::schema::tunnel_block;
        use crate::resources::jdcloud::vpn_tunnel;
        let jd_schema = vpn_tunnel::schema();
        let ali_block = tunnel_block();
        let check = |block: &crate::framework::Block, out: &Value| {
            for (name, value) in out.as_object().unwrap() {
                let attr = block.attributes.iter().find(|a| &a.name == name);
                let attr = attr.unwrap_or_else(|| panic!("{name} is not an argument"));
                let mut d = Diagnostics::new();
                for v in &attr.validators {
                    v.validate(value, &AttrPath::root().child(name), &mut d);
                }
                assert!(d.is_empty(), "{name} = {value:?}: {d:?}");
            }
        };
        for family in [ENCRYPTION, INTEGRITY, DH_GROUP] {
            for a in family.rows {
                let mut pairs = Vec::new();
                for (attr, f, _) in CHECKED {
                    if f.what == family.what {
                        pairs.push((attr, Value::string(a.neutral)));
                    }
                }
                if family.what == DH_GROUP.what {
                    pairs.push(("esp_pfs_group", Value::string(a.neutral)));
                }
                for cloud in Cloud::ALL {
                    let mut with = pairs.clone();
                    with.push(("clouds", Value::List(vec![Value::string(cloud.key())])));
                    let v = planned(&with);
                    if !errors(&v).is_empty() {
                        continue;
                    }
                    let s = render(to_typed::<State>(&v).unwrap()).unwrap();
                    let state = crate::framework::resource::from_typed(&schema(), &s, &v).unwrap();
                    match cloud {
                        Cloud::JdCloud => check(&jd_schema.block, state.get("jdcloud")),
                        Cloud::AliCloud => check(&ali_block, state.get("alicloud")),
                    }
                }
            }
        }
    }

    /// The other way round: every value a cloud resource accepts has a row,
    /// so any tunnel read from a cloud can be translated for a device.
    #[test]
    fn every_value_the_cloud_resources_accept_has_a_row() {
        use crate::resources::alicloud::ipsec_connection_cen::schema::tunnel_block;
        use crate::resources::jdcloud::vpn_tunnel;
        let accepted = |block: &crate::framework::Block, name: &str| -> Vec<String> {
            let attr = block.attributes.iter().find(|a| a.name == name).unwrap();
            let d = attr.validators[0].description();
            let list = d
                .strip_prefix("one of ")
                .unwrap_or_else(|| panic!("{name}: {d}"));
            list.split(", ")
                .map(|v| v.trim_matches('`').to_string())
                .collect()
        };
        let jd = vpn_tunnel::schema().block;
        let ali = tunnel_block();
        let cases: [(&crate::framework::Block, Cloud, &str, Family, Phase); 10] = [
            (&jd, Cloud::JdCloud, "ike_cipher", ENCRYPTION, Phase::Ike),
            (&jd, Cloud::JdCloud, "ike_auth", INTEGRITY, Phase::Ike),
            (
                &jd,
                Cloud::JdCloud,
                "ike_key_exchange",
                DH_GROUP,
                Phase::Ike,
            ),
            (&jd, Cloud::JdCloud, "ipsec_cipher", ENCRYPTION, Phase::Esp),
            (&jd, Cloud::JdCloud, "ipsec_auth", INTEGRITY, Phase::Esp),
            (
                &ali,
                Cloud::AliCloud,
                "ike_encryption_algorithm",
                ENCRYPTION,
                Phase::Ike,
            ),
            (
                &ali,
                Cloud::AliCloud,
                "ike_authentication_algorithm",
                INTEGRITY,
                Phase::Ike,
            ),
            (&ali, Cloud::AliCloud, "ike_dh_group", DH_GROUP, Phase::Ike),
            (
                &ali,
                Cloud::AliCloud,
                "ipsec_encryption_algorithm",
                ENCRYPTION,
                Phase::Esp,
            ),
            (
                &ali,
                Cloud::AliCloud,
                "ipsec_authentication_algorithm",
                INTEGRITY,
                Phase::Esp,
            ),
        ];
        for (block, cloud, name, family, phase) in cases {
            for v in accepted(block, name) {
                assert!(
                    family.from_cloud(cloud, phase, &v).is_some(),
                    "{name} = {v} has no row"
                );
            }
        }
        for v in accepted(&jd, "ipsec_key_exchange") {
            assert!(
                super::super::algorithms::pfs_from_cloud(Cloud::JdCloud, &v).is_some(),
                "{v}"
            );
        }
        for v in accepted(&ali, "ipsec_pfs") {
            assert!(
                super::super::algorithms::pfs_from_cloud(Cloud::AliCloud, &v).is_some(),
                "{v}"
            );
        }
    }
}
