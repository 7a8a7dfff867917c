//! PlanResourceChange, driven entirely by the schema: defaults, computed
//! values marked unknown, prior values kept where the schema says so, and the
//! attribute paths whose change forces replacement.

use std::collections::BTreeMap;

use super::path::AttrPath;
use super::schema::{Block, Nesting};
use super::value::Value;

/// The outcome of planning one resource instance.
#[derive(Debug, Clone, PartialEq)]
pub struct Planned {
    pub state: Value,
    pub requires_replace: Vec<AttrPath>,
}

/// Plans `proposed` (Terraform's merge of prior state and config) against
/// `prior` (null on create) and `config`.
pub fn plan(block: &Block, prior: &Value, proposed: &Value, config: &Value) -> Planned {
    if proposed.is_null() {
        // Destroy (Terraform asks since we advertise plan_destroy): the plan is null.
        return Planned {
            state: Value::Null,
            requires_replace: Vec::new(),
        };
    }
    // Write-only values come from the configuration into the proposal; the
    // plan holds them null, and first, or a set one would make every plan differ
    // from the prior state.
    let proposed = &block.null_write_only(proposed);
    let mut state = with_defaults(block, proposed, config);
    // Like terraform-plugin-framework: only a changing resource gets its
    // computed values recomputed; an unchanged one must plan as a no-op.
    if prior.is_null() || !state.equals(prior) {
        state = mark_computed_unknown(block, &state, config);
        state = keep_prior_where_stable(block, &state, prior, config);
    }
    let mut requires_replace = Vec::new();
    if !prior.is_null() {
        collect_replacements(
            block,
            prior,
            &state,
            &AttrPath::root(),
            &mut requires_replace,
        );
    }
    Planned {
        state,
        requires_replace,
    }
}

/// Rewrites the attributes of one object: (schema, attributes, config, prior).
type ObjectFn<'a> =
    &'a dyn Fn(&Block, &BTreeMap<String, Value>, &Value, &Value) -> BTreeMap<String, Value>;

fn map_objects(
    block: &Block,
    value: &Value,
    config: &Value,
    prior: &Value,
    f: ObjectFn<'_>,
) -> Value {
    let Value::Object(m) = value else {
        return value.clone();
    };
    let mut out = f(block, m, config, prior);
    for b in &block.blocks {
        let v = m.get(&b.name).cloned().unwrap_or_default();
        let c = config.get(&b.name);
        let p = prior.get(&b.name);
        let nv = match (b.nesting, v) {
            (Nesting::Single, v @ Value::Object(_)) => map_objects(&b.block, &v, c, p, f),
            (Nesting::List, Value::List(items)) => Value::List(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, x)| {
                        let ci = c.as_list().and_then(|l| l.get(i)).unwrap_or(&Value::Null);
                        let pi = p.as_list().and_then(|l| l.get(i)).unwrap_or(&Value::Null);
                        map_objects(&b.block, x, ci, pi, f)
                    })
                    .collect(),
            ),
            // Set elements cannot be correlated by position; plan them on
            // their own (config correlation by equality is enough here).
            (Nesting::Set, Value::Set(items)) => Value::Set(
                items
                    .iter()
                    .map(|x| map_objects(&b.block, x, x, &Value::Null, f))
                    .collect(),
            ),
            (_, other) => other,
        };
        out.insert(b.name.clone(), nv);
    }
    Value::Object(out)
}

/// `config` with each null attribute that has a default set to it: what a
/// plan would hold, for configurations Terraform does not plan (ephemeral
/// resources).
pub fn defaults_applied(block: &Block, config: &Value) -> Value {
    with_defaults(block, config, config)
}

fn with_defaults(block: &Block, proposed: &Value, config: &Value) -> Value {
    map_objects(block, proposed, config, &Value::Null, &|b, m, config, _| {
        let mut out = m.clone();
        for a in &b.attributes {
            if let Some(d) = &a.default {
                if config.get(&a.name).is_null() {
                    out.insert(a.name.clone(), d.clone());
                }
            }
        }
        out
    })
}

fn mark_computed_unknown(block: &Block, state: &Value, config: &Value) -> Value {
    map_objects(block, state, config, &Value::Null, &|b, m, config, _| {
        let mut out = m.clone();
        for a in &b.attributes {
            if a.computed && a.default.is_none() && config.get(&a.name).is_null() {
                out.insert(a.name.clone(), Value::Unknown);
            }
        }
        out
    })
}

fn keep_prior_where_stable(block: &Block, state: &Value, prior: &Value, config: &Value) -> Value {
    map_objects(block, state, config, prior, &|b, m, config, prior| {
        let mut out = m.clone();
        for a in &b.attributes {
            let prior_v = prior.get(&a.name);
            if a.use_state_for_unknown
                && !prior_v.is_null()
                && m.get(&a.name).is_some_and(Value::is_unknown)
                && !config.get(&a.name).is_unknown()
            {
                out.insert(a.name.clone(), prior_v.clone());
            }
        }
        out
    })
}

fn collect_replacements(
    block: &Block,
    prior: &Value,
    planned: &Value,
    path: &AttrPath,
    out: &mut Vec<AttrPath>,
) {
    for a in &block.attributes {
        if a.requires_replace && !planned.get(&a.name).equals(prior.get(&a.name)) {
            out.push(path.child(&a.name));
        }
    }
    for b in &block.blocks {
        let (p, n) = (prior.get(&b.name), planned.get(&b.name));
        match b.nesting {
            Nesting::Single if !p.is_null() && !n.is_null() => {
                collect_replacements(&b.block, p, n, &path.child(&b.name), out)
            }
            Nesting::List => {
                if let (Some(pl), Some(nl)) = (p.as_list(), n.as_list()) {
                    for (i, (pi, ni)) in pl.iter().zip(nl).enumerate() {
                        collect_replacements(&b.block, pi, ni, &path.child(&b.name).index(i), out);
                    }
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::schema::{Attribute, Schema};
    use crate::framework::testing::object;

    fn schema() -> Schema {
        Schema::new("t")
            .attribute(Attribute::id("i"))
            .attribute(Attribute::string("name").required().description("n"))
            .attribute(
                Attribute::number("asn")
                    .required()
                    .requires_replace()
                    .description("a"),
            )
            .attribute(
                Attribute::string("mode")
                    .default(Value::string("main"))
                    .description("m"),
            )
            .attribute(Attribute::string("status").computed().description("s"))
    }

    /// An object of `schema()`, attribute by attribute.
    fn thing(id: Value, name: &str, asn: i64, mode: Value, status: Value) -> Value {
        object(&[
            ("id", id),
            ("name", Value::string(name)),
            ("asn", Value::int(asn)),
            ("mode", mode),
            ("status", status),
        ])
    }

    /// A configuration: computed and defaulted attributes null.
    fn config(name: &str, asn: i64) -> Value {
        thing(Value::Null, name, asn, Value::Null, Value::Null)
    }

    /// A known state (or proposed state) of object `x`.
    fn known(name: &str, asn: i64) -> Value {
        thing(
            Value::string("x"),
            name,
            asn,
            Value::string("main"),
            Value::string("up"),
        )
    }

    #[test]
    fn create_marks_computed_unknown_and_fills_defaults() {
        let s = schema();
        let config = config("a", 1);
        let p = plan(&s.block, &Value::Null, &config, &config);
        assert_eq!(p.state.get("id"), &Value::Unknown);
        assert_eq!(p.state.get("status"), &Value::Unknown);
        assert_eq!(p.state.get("mode"), &Value::string("main"));
        assert!(p.requires_replace.is_empty());
    }

    #[test]
    fn unchanged_resource_plans_equal_to_prior() {
        let s = schema();
        let prior = known("a", 1);
        let p = plan(&s.block, &prior, &known("a", 1), &config("a", 1));
        assert_eq!(p.state, prior);
    }

    fn with_secret() -> Schema {
        schema().attribute(
            Attribute::string("secret_wo")
                .optional()
                .sensitive()
                .write_only()
                .description("w"),
        )
    }

    /// A known state of [`with_secret`]: the secret null, as Terraform keeps it.
    fn known_with_secret() -> Value {
        object(&[
            ("id", Value::string("x")),
            ("name", Value::string("a")),
            ("asn", Value::int(1)),
            ("mode", Value::string("main")),
            ("status", Value::string("up")),
            ("secret_wo", Value::Null),
        ])
    }

    #[test]
    fn a_write_only_value_is_planned_null_and_does_not_make_a_change() {
        let s = with_secret();
        let prior = known_with_secret();
        let config = object(&[
            ("id", Value::Null),
            ("name", Value::string("a")),
            ("asn", Value::int(1)),
            ("mode", Value::Null),
            ("status", Value::Null),
            ("secret_wo", Value::string("hunter2")),
        ]);
        // Terraform proposes the configured value.
        let mut proposed = prior.clone();
        *proposed.get_mut("secret_wo").unwrap() = Value::string("hunter2");
        let p = plan(&s.block, &prior, &proposed, &config);
        assert_eq!(p.state, prior, "no change, and the secret is null");
        // On create too.
        let p = plan(&s.block, &Value::Null, &config, &config);
        assert!(p.state.get("secret_wo").is_null());
        assert!(p.state.get("id").is_unknown());
    }

    #[test]
    fn a_destroy_plans_null() {
        let s = with_secret();
        let prior = known_with_secret();
        let p = plan(&s.block, &prior, &Value::Null, &Value::Null);
        assert_eq!(
            p,
            Planned {
                state: Value::Null,
                requires_replace: Vec::new()
            }
        );
    }

    #[test]
    fn update_keeps_stable_ids_and_flags_replacement() {
        let s = schema();
        let p = plan(&s.block, &known("a", 1), &known("b", 2), &config("b", 2));
        assert_eq!(p.state.get("id"), &Value::string("x"));
        assert_eq!(p.state.get("status"), &Value::Unknown);
        assert_eq!(p.requires_replace, vec![AttrPath::attr("asn")]);
    }
}
