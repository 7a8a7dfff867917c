//! `hybridnet_ipsec_profile`: one IPsec proposal in neutral terms, rendered
//! as each cloud's tunnel arguments and as strongSwan proposals, so both ends
//! of a link are set from one place. A proposal a requested cloud cannot
//! express is refused at plan time (the checks are schema rules, so
//! `terraform validate` reports them too).

use std::sync::LazyLock;

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value as Json};

use crate::clients::ProviderData;
use crate::framework::validate::{each, int_between, int_one_of, one_of, ObjectRule};
use crate::framework::{AttrPath, Attribute, Ctx, Diagnostics, Schema, Type, Value};

use super::algorithms::{
    pfs_in_cloud, strongswan_proposal, Cloud, Family, Phase, DH_GROUP, ENCRYPTION, INTEGRITY,
    NO_PFS,
};
use super::clouds_of;

pub const TYPE_NAME: &str = "hybridnet_ipsec_profile";

/// JD Cloud's only dead-peer-detection interval, in seconds; `0` is off.
const JDCLOUD_DPD_SEC: i64 = 10;

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct State {
    pub clouds: Option<Vec<String>>,
    /// The proposal: the attributes of [`SETTINGS`], by name.
    #[serde(flatten)]
    pub settings: Map<String, Json>,
    /// The proposal as the arguments of each cloud's tunnel resource.
    pub jdcloud: Option<Map<String, Json>>,
    pub alicloud: Option<Map<String, Json>>,
    pub strongswan: Option<StrongSwan>,
}

/// swanctl.conf proposal strings.
#[derive(Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct StrongSwan {
    pub ike_proposal: String,
    pub esp_proposal: String,
}

/// What a proposal setting is, which says how each cloud writes it.
#[derive(Clone)]
enum Kind {
    /// `1` or `2`: JD Cloud's `v1`/`v2`, Alibaba Cloud's `ikev1`/`ikev2`.
    IkeVersion,
    /// A neutral algorithm name, translated through the table.
    Algorithm(Family, Phase),
    /// A PFS group or `none`.
    Pfs,
    /// Dead peer detection on or off: JD Cloud's probe interval or `0`,
    /// Alibaba Cloud's switch.
    Dpd,
    /// Passed on as it is, of this type.
    Same(Type),
}

/// The proposal's settings: the profile's attribute, what it is, and the
/// argument it becomes on JD Cloud and on Alibaba Cloud (`None`: the cloud
/// has no such argument). INFERRED (docs/design/jdcloud.md §8.17): JD
/// tunnels always allow NAT traversal.
#[rustfmt::skip]
const SETTINGS: [(&str, Kind, [Option<&str>; 2]); 12] = [
    ("ike_version", Kind::IkeVersion, [Some("ike_version"), Some("ike_version")]),
    ("ike_mode", Kind::Same(Type::String), [Some("ike_mode"), Some("ike_mode")]),
    ("ike_encryption", Kind::Algorithm(ENCRYPTION, Phase::Ike), [Some("ike_cipher"), Some("ike_encryption_algorithm")]),
    ("ike_integrity", Kind::Algorithm(INTEGRITY, Phase::Ike), [Some("ike_auth"), Some("ike_authentication_algorithm")]),
    ("ike_dh_group", Kind::Algorithm(DH_GROUP, Phase::Ike), [Some("ike_key_exchange"), Some("ike_dh_group")]),
    ("ike_lifetime", Kind::Same(Type::Number), [Some("ike_sa_life_sec"), Some("ike_lifetime")]),
    ("esp_encryption", Kind::Algorithm(ENCRYPTION, Phase::Esp), [Some("ipsec_cipher"), Some("ipsec_encryption_algorithm")]),
    ("esp_integrity", Kind::Algorithm(INTEGRITY, Phase::Esp), [Some("ipsec_auth"), Some("ipsec_authentication_algorithm")]),
    ("esp_pfs_group", Kind::Pfs, [Some("ipsec_key_exchange"), Some("ipsec_pfs")]),
    ("esp_lifetime", Kind::Same(Type::Number), [Some("ipsec_sa_life_sec"), Some("ipsec_lifetime")]),
    ("dpd", Kind::Dpd, [Some("ike_dpd_sec"), Some("enable_dpd")]),
    ("nat_traversal", Kind::Same(Type::Bool), [None, Some("enable_nat_traversal")]),
];

/// A setting's argument on `cloud`, from its row of [`SETTINGS`].
fn argument(cloud: Cloud, [jdcloud, alicloud]: &[Option<&'static str>; 2]) -> Option<&'static str> {
    match cloud {
        Cloud::JdCloud => *jdcloud,
        Cloud::AliCloud => *alicloud,
    }
}

/// The attributes checked against each cloud's table: (attribute, family, phase).
fn checked() -> impl Iterator<Item = (&'static str, Family, Phase)> {
    SETTINGS.iter().filter_map(|(attr, kind, _)| match kind {
        Kind::Algorithm(family, phase) => Some((*attr, *family, *phase)),
        _ => None,
    })
}

fn object_type(fields: &[(&str, Type)]) -> Type {
    Type::Object(
        fields
            .iter()
            .map(|(k, t)| (k.to_string(), t.clone()))
            .collect(),
    )
}

/// The type of a cloud's output: its arguments of [`SETTINGS`].
fn cloud_type(cloud: Cloud) -> Type {
    let field = |(_, kind, args): &(&str, Kind, _)| {
        let ty = match kind {
            Kind::Same(t) => t.clone(),
            Kind::Dpd if cloud == Cloud::JdCloud => Type::Number,
            Kind::Dpd => Type::Bool,
            Kind::IkeVersion | Kind::Algorithm(..) | Kind::Pfs => Type::String,
        };
        Some((argument(cloud, args)?.to_string(), ty))
    };
    Type::Object(SETTINGS.iter().filter_map(field).collect())
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
    .attribute(output("jdcloud", cloud_type(Cloud::JdCloud), "The proposal as `hybridnet_jdcloud_vpn_tunnel` arguments; null when `clouds` leaves JD Cloud out."))
    .attribute(output("alicloud", cloud_type(Cloud::AliCloud), "The proposal as arguments of a `hybridnet_alicloud_ipsec_connection_cen` `tunnel` block; null when `clouds` leaves Alibaba Cloud out."))
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

fn check_clouds(config: &Value, path: &AttrPath, diags: &mut Diagnostics) {
    let Some(clouds) = clouds_of(config.get("clouds")) else {
        return;
    };
    for cloud in clouds {
        for (attr, family, phase) in checked() {
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

/// The neutral proposal: every setting, the schema's default where the
/// configuration leaves one out.
struct Proposal(Map<String, Json>);

impl Proposal {
    fn of(s: &State) -> Proposal {
        let schema = schema();
        let default = |attr: &str| schema.attr(attr)?.default.as_ref().map(Value::to_json);
        let setting = |(attr, ..): &(&str, Kind, _)| {
            let set = s.settings.get(*attr).filter(|v| !v.is_null()).cloned();
            (
                attr.to_string(),
                set.or_else(|| default(attr)).unwrap_or_default(),
            )
        };
        Proposal(SETTINGS.iter().map(setting).collect())
    }

    fn text(&self, attr: &str) -> &str {
        self.0.get(attr).and_then(Json::as_str).unwrap_or_default()
    }

    fn pfs(&self, cloud: Cloud) -> Result<&'static str, Diagnostics> {
        let group = self.text("esp_pfs_group");
        pfs_in_cloud(cloud, group)
            .ok_or_else(|| in_cloud(DH_GROUP, group, cloud, Phase::Esp).unwrap_err())
    }

    /// The arguments of `cloud`'s tunnel resource.
    fn arguments(&self, cloud: Cloud) -> Result<Map<String, Json>, Diagnostics> {
        let mut out = Map::new();
        for (attr, kind, args) in &SETTINGS {
            let Some(arg) = argument(cloud, args) else {
                continue;
            };
            let value = &self.0[*attr];
            let v = match kind {
                Kind::IkeVersion => match cloud {
                    Cloud::JdCloud => json!(format!("v{value}")),
                    Cloud::AliCloud => json!(format!("ikev{value}")),
                },
                Kind::Algorithm(family, phase) => {
                    json!(in_cloud(*family, self.text(attr), cloud, *phase)?)
                }
                Kind::Pfs => json!(self.pfs(cloud)?),
                Kind::Dpd if cloud == Cloud::JdCloud => {
                    json!(if value.as_bool() == Some(true) {
                        JDCLOUD_DPD_SEC
                    } else {
                        0
                    })
                }
                Kind::Dpd | Kind::Same(_) => value.clone(),
            };
            out.insert(arg.to_string(), v);
        }
        Ok(out)
    }

    fn strongswan(&self) -> StrongSwan {
        let proposal = |[e, i, g]: [&str; 3]| {
            strongswan_proposal(self.text(e), self.text(i), Some(self.text(g)))
        };
        StrongSwan {
            ike_proposal: proposal(["ike_encryption", "ike_integrity", "ike_dh_group"]),
            esp_proposal: proposal(["esp_encryption", "esp_integrity", "esp_pfs_group"]),
        }
    }
}

declare!(IpsecProfile: DataSource {
    async fn read(&self, _ctx: &Ctx<ProviderData>, config: State) -> Result<State, Diagnostics> {
        render(config)
    }
});

/// Fills in the outputs; needs no cloud.
pub fn render(config: State) -> Result<State, Diagnostics> {
    let wants = |c: Cloud| {
        config
            .clouds
            .as_ref()
            .is_none_or(|list| list.iter().any(|k| k == c.key()))
    };
    let p = Proposal::of(&config);
    let args = |c: Cloud| wants(c).then(|| p.arguments(c)).transpose();
    let jdcloud = args(Cloud::JdCloud)?;
    let alicloud = args(Cloud::AliCloud)?;
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
    use crate::framework::schema::conform;
    use crate::framework::typed::to_typed;

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
                &jd["ike_version"],
                &jd["ike_key_exchange"],
                &jd["ipsec_key_exchange"]
            ),
            (&json!("v2"), &json!("modp2048"), &json!("modp2048"))
        );
        assert_eq!(jd["ike_dpd_sec"], 10);
        let ali = s.alicloud.unwrap();
        assert_eq!(
            (&ali["ike_version"], &ali["ike_dh_group"], &ali["ipsec_pfs"]),
            (&json!("ikev2"), &json!("group14"), &json!("group14"))
        );
        assert_eq!(ali["ike_encryption_algorithm"], "aes256");
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
        assert_eq!(s.jdcloud.unwrap()["ike_key_exchange"], "ecp256");
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
        assert_eq!(s.jdcloud.unwrap()["ipsec_key_exchange"], "null");
        assert_eq!(s.alicloud.unwrap()["ipsec_pfs"], "disabled");
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
                for (attr, f, _) in checked() {
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
                    let state = crate::framework::typed::from_typed(&schema(), &s, &v).unwrap();
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
        // Every algorithm argument of both clouds.
        let mut cases = Vec::new();
        for (attr, family, phase) in checked() {
            let (_, _, args) = SETTINGS.iter().find(|(a, ..)| *a == attr).unwrap();
            for (block, cloud) in [(&jd, Cloud::JdCloud), (&ali, Cloud::AliCloud)] {
                cases.push((block, cloud, argument(cloud, args).unwrap(), family, phase));
            }
        }
        assert_eq!(cases.len(), 10);
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
