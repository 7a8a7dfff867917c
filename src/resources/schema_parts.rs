//! Attributes most resources declare alike, written once: the object's id,
//! its region, a reference to another object and what the cloud reports
//! once. The descriptions stay each resource's own.

use ipnet::Ipv4Net;

use crate::framework::timeouts::mins;
use crate::framework::validate::{one_of, parse_cidr, Validator};
use crate::framework::{AttrPath, Attribute, Diagnostics, Timeouts, Value};

/// The timeouts of most resources: creating, changing and deleting wait on
/// the cloud up to 10 minutes, a read 5.
pub const TIMEOUTS: Timeouts = Timeouts {
    create: mins(10),
    read: mins(5),
    update: mins(10),
    delete: mins(10),
};

/// The object's id: the cloud assigns it and it never changes.
pub fn id(description: &str) -> Attribute {
    fixed(Attribute::string("id"), description)
}

/// Where the object lives: the provider's region unless set; another region
/// replaces the object.
pub fn region(description: &str, rule: impl Validator + 'static) -> Attribute {
    Attribute::string("region")
        .optional()
        .computed()
        .requires_replace()
        .use_state_for_unknown()
        .description(description)
        .validator(rule)
}

/// A required id of another object this one belongs to or joins; another id
/// replaces this object.
pub fn reference(name: &str, description: &str, rule: impl Validator + 'static) -> Attribute {
    Attribute::string(name)
        .required()
        .requires_replace()
        .description(description)
        .validator(rule)
}

/// What the cloud reports once and keeps (a creation time, an allocated
/// address): planned as the state has it.
pub fn fixed(attribute: Attribute, description: &str) -> Attribute {
    attribute
        .computed()
        .use_state_for_unknown()
        .description(description)
}

/// A string setting with a default, one of `values`.
pub fn str_enum(
    name: &str,
    values: &'static [&'static str],
    default: &str,
    desc: &str,
) -> Attribute {
    Attribute::string(name)
        .default(Value::string(default))
        .description(desc)
        .validator(one_of(values))
}

/// Reports what a resource's own validator found wrong with a value, if
/// anything: what the value must be (the rule's description), then why not.
pub fn refuse(
    rule: &dyn Validator,
    problem: Option<String>,
    path: &AttrPath,
    diags: &mut Diagnostics,
) {
    if let Some(p) = problem {
        diags.add_attr_error(
            path,
            "Invalid attribute value",
            format!("{path} must be {}: {p}.", rule.description()),
        );
    }
}

/// A tunnel's inside /30: the block `s` names, or why it is not a /30.
pub fn slash_30(s: &str) -> Result<Ipv4Net, String> {
    let net = parse_cidr(s)?;
    match net.prefix_len() {
        30 => Ok(net),
        len => Err(format!("{s:?} is a /{len}, not a /30")),
    }
}

/// `psk_wo_version`, which goes with a write-only `psk_wo`: Terraform never
/// shows a write-only value changing, so changing this is what sends the key
/// again (docs/design/plugin-protocol.md §8).
pub fn psk_wo_version() -> Attribute {
    Attribute::int("psk_wo_version").optional().description(
        "Required with `psk_wo`: change it (e.g. from 1 to 2) to send `psk_wo` again, in place. Terraform \
         never sees a write-only value change, so this is what rotates the key.",
    )
}

/// `psk_wo` and `psk_wo_version` are set together (an unknown value counts
/// as set): a state without the version could not tell a read that the key
/// must stay out of it.
pub fn psk_wo_version_rule(o: &Value, p: &AttrPath, d: &mut Diagnostics) {
    match (o.get("psk_wo").is_null(), o.get("psk_wo_version").is_null()) {
        (false, true) => d.add_attr_error(
            &p.child("psk_wo_version"),
            "Missing required argument",
            format!(
                "{} is required with `psk_wo`: changing it is what sends a new key.",
                p.child("psk_wo_version")
            ),
        ),
        (true, false) => d.add_attr_error(
            &p.child("psk_wo_version"),
            "Invalid attribute combination",
            format!("{} applies only with `psk_wo`.", p.child("psk_wo_version")),
        ),
        _ => {}
    }
}
