//! Helpers for the resources' schema unit tests.

use super::{AttrPath, Block, Diagnostics, Schema, Value};

/// Validates a config with `pairs` set and returns the attribute paths of the
/// errors. Required attributes not in `pairs` are unknown (as with variables
/// under `terraform validate`), so only the rules under test report; every
/// other attribute is null and every block absent.
pub fn validate_paths(schema: &Schema, pairs: &[(&str, Value)]) -> Vec<String> {
    let mut m: std::collections::BTreeMap<String, Value> = schema
        .block
        .attributes
        .iter()
        .map(|a| {
            let v = if a.required {
                Value::Unknown
            } else {
                Value::Null
            };
            (a.name.clone(), v)
        })
        .collect();
    for b in &schema.block.blocks {
        m.insert(b.name.clone(), b.empty_value());
    }
    for (k, v) in pairs {
        m.insert(k.to_string(), v.clone());
    }
    errors(&schema.block, &Value::Object(m))
        .into_iter()
        .map(|(path, _)| path)
        .collect()
}

/// An object value from `(attribute, value)` pairs.
pub fn object(pairs: &[(&str, Value)]) -> Value {
    Value::Object(
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
    )
}

/// Validates `v` against `block`: each error's attribute path and detail.
pub fn errors(block: &Block, v: &Value) -> Vec<(String, String)> {
    let mut d = Diagnostics::new();
    block.validate(v, &AttrPath::root(), &mut d);
    d.iter()
        .map(|d| {
            (
                d.path.as_ref().map(ToString::to_string).unwrap_or_default(),
                d.detail.clone(),
            )
        })
        .collect()
}
