//! Unit tests of `framework::schema`: validation, write-only values and internal checks.

use super::*;
use crate::framework::validate::{each, ipv4, pattern, ObjectRule};
use crate::framework::value::Number;

fn schema() -> Block {
    Block::new("t")
        .attribute(Attribute::string("name").required().description("n"))
        .attribute(
            Attribute::string_list("ips")
                .optional()
                .description("i")
                .validator(each(ipv4())),
        )
        .attribute(Attribute::int("asn").optional().description("a"))
        .attribute(
            Attribute::string("psk")
                .optional()
                .sensitive()
                .description("p")
                .validator(pattern("[a-z]{1,8}", "1 to 8 lower-case letters")),
        )
        .validator(ObjectRule {
            description: "`name` differs from `psk`",
            check: |o: &Value, p: &AttrPath, d: &mut Diagnostics| {
                if let (Some(n), Some(k)) = (o.get("name").as_str(), o.get("psk").as_str()) {
                    if n == k {
                        d.add_attr_error(
                            &p.child("name"),
                            "Bad",
                            format!("name {n:?} equals the key {k:?}"),
                        );
                    }
                }
            },
        })
}

fn config(pairs: &[(&str, Value)]) -> Value {
    let mut m: BTreeMap<String, Value> = ["name", "ips", "asn", "psk"]
        .iter()
        .map(|k| (k.to_string(), Value::Null))
        .collect();
    m.insert("name".into(), Value::string("gw"));
    for (k, v) in pairs {
        m.insert(k.to_string(), v.clone());
    }
    Value::Object(m)
}

fn errors(v: &Value) -> Vec<(String, String)> {
    crate::framework::testing::errors(&schema(), v)
}

#[test]
fn a_valid_config_passes_and_unknowns_are_left_for_plan() {
    assert!(errors(&config(&[])).is_empty());
    let unknowns = config(&[
        ("name", Value::Unknown),
        ("ips", Value::List(vec![Value::Unknown])),
        ("asn", Value::Unknown),
        ("psk", Value::Unknown),
    ]);
    assert!(errors(&unknowns).is_empty());
}

#[test]
fn write_only_attributes_cannot_be_computed_or_sit_in_a_set_block() {
    let wo = || {
        Attribute::string("key_wo")
            .optional()
            .write_only()
            .description("k")
    };
    assert!(Block::new("t")
        .attribute(wo())
        .internal_validate("t")
        .is_ok());
    let e = Block::new("t")
        .attribute(wo().computed())
        .internal_validate("t")
        .unwrap_err();
    assert!(e.contains("t.key_wo"), "{e}");
    let in_list = NestedBlock::new("x", Nesting::List, Block::new("x").attribute(wo()));
    assert!(Block::new("t")
        .block(in_list)
        .internal_validate("t")
        .is_ok());
    let in_set = NestedBlock::new("x", Nesting::Set, Block::new("x").attribute(wo()));
    assert!(Block::new("t")
        .block(in_set)
        .internal_validate("t")
        .is_err());
}

/// Write-only values inside list blocks are matched to the config by position.
#[test]
fn write_only_values_in_list_blocks_follow_their_block() {
    let inner = Block::new("x")
        .attribute(Attribute::string("name").optional().description("n"))
        .attribute(
            Attribute::string("key_wo")
                .optional()
                .write_only()
                .description("k"),
        );
    let b = Block::new("t").block(NestedBlock::new("tunnel", Nesting::List, inner));
    let item = |name: &str, key: Value| {
        Value::Object(
            [
                ("name".to_string(), Value::string(name)),
                ("key_wo".to_string(), key),
            ]
            .into(),
        )
    };
    let top =
        |items: Vec<Value>| Value::Object([("tunnel".to_string(), Value::List(items))].into());
    let config = top(vec![item("a", Value::string("ka")), item("b", Value::Null)]);
    let planned = top(vec![item("a", Value::Null), item("b", Value::Null)]);
    assert_eq!(b.with_write_only_from(&planned, &config), config);
    assert_eq!(b.null_write_only(&config), planned);
    let paths: Vec<String> = b
        .write_only_paths(&config, &AttrPath::root())
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(paths, ["tunnel[0].key_wo"]);
}

/// Issue 12 case 5: `name = var.n` with `n = null` planned and sent "".
#[test]
fn a_required_attribute_set_to_null_is_refused_at_its_path() {
    assert_eq!(
        errors(&config(&[("name", Value::Null)])),
        [(
            "name".to_string(),
            "name is required and must not be null.".to_string()
        )]
    );
}

/// Issue 12 case 5: `customer_ips = [null]` failed only at apply.
#[test]
fn a_null_element_is_refused_at_the_element() {
    let ips = Value::List(vec![Value::string("1.1.1.1"), Value::Null]);
    assert_eq!(
        errors(&config(&[("ips", ips)])),
        [("ips[1]".to_string(), "ips[1] must not be null.".to_string())]
    );
}

/// Issue 12 case 5: `bgp_asn = 1e400` failed to decode, naming nothing.
#[test]
fn an_integer_attribute_refuses_fractions_and_huge_numbers() {
    for text in ["1.5", "1e400", "9223372036854775808"] {
        let asn = Value::Number(Number::parse(text).unwrap());
        let e = errors(&config(&[("asn", asn)]));
        assert_eq!(e.len(), 1, "{text}: {e:?}");
        assert_eq!(e[0].0, "asn");
        assert!(e[0].1.starts_with("asn must be a whole number"), "{e:?}");
    }
    assert!(errors(&config(&[("asn", Value::int(i64::MAX))])).is_empty());
}

/// Issue 12 case 4: a PSK failing its rule was echoed in the message.
#[test]
fn a_sensitive_attribute_s_rule_is_named_and_its_value_never_shown() {
    let secret = "MyRealSecret 2024";
    let e = errors(&config(&[("psk", Value::string(secret))]));
    assert_eq!(
        e,
        [(
            "psk".to_string(),
            "psk must be 1 to 8 lower-case letters. The value is sensitive, so it is not shown."
                .to_string()
        )]
    );
    // A cross-attribute rule quoting the secret is redacted too; one that
    // does not keeps its message.
    let e = errors(&config(&[
        ("name", Value::string("abc")),
        ("psk", Value::string("abc")),
    ]));
    assert_eq!(e.len(), 1);
    assert!(!e[0].1.contains("abc"), "{e:?}");
    assert!(e[0].1.contains("`name` differs from `psk`"), "{e:?}");
}
