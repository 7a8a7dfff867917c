//! Attributes most resources declare alike, written once: the object's id,
//! its region, a reference to another object and what the cloud reports
//! once. The descriptions stay each resource's own.

use crate::framework::validate::Validator;
use crate::framework::Attribute;

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
