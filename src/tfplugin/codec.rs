//! Conversions between tfplugin5 messages and framework values, schemas,
//! diagnostics and paths.

use crate::framework::value::{msgpack, DecodeError};
use crate::framework::{
    AttrPath, Block, ClientCapabilities, Diagnostics, Nesting, Schema, ServerCapabilities,
    Severity, Step, Type, Value,
};

use super::proto::tfplugin5 as pb;

/// Decodes a DynamicValue: msgpack when present, else JSON, else null
/// (Terraform sends an absent value for a null object).
pub fn decode(dv: Option<&pb::DynamicValue>, ty: &Type) -> Result<Value, DecodeError> {
    match dv {
        Some(dv) if !dv.msgpack.is_empty() => msgpack::decode(&dv.msgpack, ty),
        Some(dv) if !dv.json.is_empty() => {
            let j: serde_json::Value = serde_json::from_slice(&dv.json)
                .map_err(|e| DecodeError::new(format!("malformed JSON: {e}")))?;
            Value::from_json(&j, ty)
        }
        _ => Ok(Value::Null),
    }
}

pub fn encode(v: &Value) -> pb::DynamicValue {
    pb::DynamicValue {
        msgpack: msgpack::encode(v),
        json: Vec::new(),
    }
}

/// An undecodable value, pointing at the attribute that holds it (Terraform
/// then quotes that attribute's line of the configuration).
pub fn decode_error(what: &str, e: &DecodeError) -> Diagnostics {
    let mut d = Diagnostics::new();
    let summary = "Invalid value from Terraform";
    if e.path.is_root() {
        d.add_error(
            summary,
            format!(
                "The {what} sent by Terraform could not be decoded: {}.",
                e.message
            ),
        );
    } else {
        d.add_attr_error(
            &e.path,
            summary,
            format!(
                "{}: the {what} sent by Terraform could not be decoded: {}.",
                e.path, e.message
            ),
        );
    }
    d
}

pub fn schema(s: &Schema) -> pb::Schema {
    pb::Schema {
        version: s.version,
        block: Some(block(&s.block)),
    }
}

fn block(b: &Block) -> pb::schema::Block {
    pb::schema::Block {
        version: 0,
        attributes: b
            .attributes
            .iter()
            .map(|a| pb::schema::Attribute {
                name: a.name.clone(),
                r#type: a.ty.to_json().to_string().into_bytes(),
                description: a.description.clone(),
                required: a.required,
                optional: a.optional,
                computed: a.computed,
                sensitive: a.sensitive,
                description_kind: pb::StringKind::Markdown as i32,
                deprecated: a.deprecated,
                write_only: a.write_only,
            })
            .collect(),
        block_types: b
            .blocks
            .iter()
            .map(|nb| pb::schema::NestedBlock {
                type_name: nb.name.clone(),
                block: Some(block(&nb.block)),
                nesting: match nb.nesting {
                    Nesting::Single => pb::schema::nested_block::NestingMode::Single,
                    Nesting::List => pb::schema::nested_block::NestingMode::List,
                    Nesting::Set => pb::schema::nested_block::NestingMode::Set,
                } as i32,
                min_items: i64::try_from(nb.min_items).unwrap_or(i64::MAX),
                max_items: nb
                    .max_items
                    .map_or(0, |m| i64::try_from(m).unwrap_or(i64::MAX)),
            })
            .collect(),
        description: b.description.clone(),
        description_kind: pb::StringKind::Markdown as i32,
        deprecated: false,
    }
}

pub fn client_capabilities(c: Option<&pb::ClientCapabilities>) -> ClientCapabilities {
    // Absent (Terraform before 1.9 / protocol 5.6) means nothing is allowed.
    c.map(|c| ClientCapabilities {
        deferral_allowed: c.deferral_allowed,
        write_only_attributes_allowed: c.write_only_attributes_allowed,
    })
    .unwrap_or_default()
}

pub fn server_capabilities(c: &ServerCapabilities) -> pb::ServerCapabilities {
    pb::ServerCapabilities {
        plan_destroy: c.plan_destroy,
        get_provider_schema_optional: c.get_provider_schema_optional,
        move_resource_state: c.move_resource_state,
    }
}

/// A time as protobuf's Timestamp (an ephemeral resource's `renew_at`).
pub fn timestamp(t: std::time::SystemTime) -> prost_types::Timestamp {
    prost_types::Timestamp::from(t)
}

pub fn diagnostics(d: &Diagnostics) -> Vec<pb::Diagnostic> {
    d.iter()
        .map(|d| pb::Diagnostic {
            severity: match d.severity {
                Severity::Error => pb::diagnostic::Severity::Error,
                Severity::Warning => pb::diagnostic::Severity::Warning,
            } as i32,
            summary: d.summary.clone(),
            detail: d.detail.clone(),
            attribute: d.path.as_ref().filter(|p| !p.is_root()).map(path),
        })
        .collect()
}

pub fn path(p: &AttrPath) -> pb::AttributePath {
    use pb::attribute_path::step::Selector;
    pb::AttributePath {
        steps: p
            .0
            .iter()
            .map(|s| pb::attribute_path::Step {
                selector: Some(match s {
                    Step::Attr(a) => Selector::AttributeName(a.clone()),
                    Step::Index(i) => Selector::ElementKeyInt(*i),
                    Step::Key(k) => Selector::ElementKeyString(k.clone()),
                }),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::Attribute;

    #[test]
    fn absent_and_empty_values_decode_as_null() {
        let ty = Type::String;
        assert_eq!(decode(None, &ty).unwrap(), Value::Null);
        assert_eq!(
            decode(Some(&pb::DynamicValue::default()), &ty).unwrap(),
            Value::Null
        );
        let json = pb::DynamicValue {
            msgpack: vec![],
            json: b"\"x\"".to_vec(),
        };
        assert_eq!(decode(Some(&json), &ty).unwrap(), Value::string("x"));
    }

    #[test]
    fn decode_errors_point_at_the_attribute() {
        let ty = Type::Object([("bgp_asn".to_string(), Type::Number)].into());
        let dv = pb::DynamicValue {
            msgpack: vec![
                0x81, 0xa7, b'b', b'g', b'p', b'_', b'a', b's', b'n', 0xa1, b'x',
            ],
            json: vec![],
        };
        let e = decode(Some(&dv), &ty).unwrap_err();
        let d = decode_error("configuration", &e);
        let pb = diagnostics(&d);
        assert_eq!(pb[0].attribute, Some(path(&AttrPath::attr("bgp_asn"))));
        assert!(pb[0].detail.starts_with("bgp_asn: "), "{}", pb[0].detail);
        // Nothing to point at: a plain error.
        let e = decode(
            Some(&pb::DynamicValue {
                msgpack: vec![0x81],
                json: vec![],
            }),
            &ty,
        )
        .unwrap_err();
        assert_eq!(
            diagnostics(&decode_error("configuration", &e))[0].attribute,
            None
        );
    }

    #[test]
    fn write_only_is_in_the_schema_and_missing_capabilities_allow_nothing() {
        let s = Schema::new("d")
            .attribute(
                Attribute::string("key_wo")
                    .optional()
                    .write_only()
                    .description("x"),
            )
            .attribute(Attribute::string("name").optional().description("n"));
        let pb = schema(&s);
        let attrs = &pb.block.as_ref().unwrap().attributes;
        assert!(attrs[0].write_only && !attrs[1].write_only);
        assert_eq!(client_capabilities(None), ClientCapabilities::default());
        let c = client_capabilities(Some(&pb::ClientCapabilities {
            deferral_allowed: false,
            write_only_attributes_allowed: true,
        }));
        assert!(c.write_only_attributes_allowed && !c.deferral_allowed);
    }

    #[test]
    fn schema_types_are_cty_json() {
        let s =
            Schema::new("d").attribute(Attribute::string_list("ips").required().description("x"));
        let pb = schema(&s);
        let attr = &pb.block.as_ref().unwrap().attributes[0];
        assert_eq!(
            String::from_utf8(attr.r#type.clone()).unwrap(),
            r#"["list","string"]"#
        );
    }
}
