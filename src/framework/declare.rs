//! Each attribute declared once, for both the typed state and the schema:
//! [`typed_schema!`](crate::typed_schema) turns one list of
//! `name: Type = attribute or block` into the state struct (every field an
//! `Option`, serde names equal to the schema's names) and the function that
//! builds the schema or block, in the list's order. A resource thus cannot
//! grow a field its schema lacks, nor the reverse.

use super::schema::{Attribute, Block, NestedBlock, Schema};

/// What a schema or block holds: an attribute or a nested block.
pub enum Part {
    Attribute(Attribute),
    Block(NestedBlock),
}

impl Part {
    fn name(&self) -> &str {
        match self {
            Part::Attribute(a) => &a.name,
            Part::Block(b) => &b.name,
        }
    }
}

impl From<Attribute> for Part {
    fn from(a: Attribute) -> Part {
        Part::Attribute(a)
    }
}

impl From<NestedBlock> for Part {
    fn from(b: NestedBlock) -> Part {
        Part::Block(b)
    }
}

/// The part declared for the state field `field`: its name must be the
/// field's, or state and schema would disagree (checked in debug builds,
/// which every test runs).
pub fn named(field: &str, part: impl Into<Part>) -> Part {
    let part = part.into();
    debug_assert_eq!(
        part.name(),
        field,
        "a typed_schema! field and its part differ"
    );
    part
}

impl Block {
    /// Adds an attribute or a nested block (attributes and blocks each keep
    /// their order).
    pub fn with(self, part: impl Into<Part>) -> Block {
        match part.into() {
            Part::Attribute(a) => self.attribute(a),
            Part::Block(b) => self.block(b),
        }
    }
}

impl Schema {
    /// Adds an attribute or a nested block: see [`Block::with`].
    pub fn with(mut self, part: impl Into<Part>) -> Schema {
        self.block = self.block.with(part);
        self
    }
}

/// Declares a typed state struct and its schema (or nested block) from one
/// list of fields:
///
/// ```ignore
/// typed_schema! {
///     pub struct State;
///     pub fn schema() -> Schema {
///         Schema::new("What the resource is.");
///         id: String = schema_parts::id("The ID."),
///         asn: i64 = Attribute::int("asn").required().description("The ASN."),
///     }
///     .timeouts(TIMEOUTS)
/// }
/// ```
///
/// Each field becomes `pub field: Option<Type>` (derives `Debug`, `Default`
/// and serde's; more derives go on the struct line's attributes) and each
/// part is added with [`Schema::with`] / [`Block::with`]; the calls after the
/// list (`.timeouts(…)`, `.validator(…)`) follow.
#[macro_export]
macro_rules! typed_schema {
    (
        $(#[$struct_meta:meta])*
        $struct_vis:vis struct $state:ident;
        $(#[$fn_meta:meta])*
        $fn_vis:vis fn $schema:ident() -> $ret:ty {
            $head:expr;
            $( $(#[$field_meta:meta])* $field:ident : $ty:ty = $part:expr ),* $(,)?
        }
        $( . $method:ident ( $($arg:expr),* $(,)? ) )*
    ) => {
        #[derive(Debug, Default, ::serde::Serialize, ::serde::Deserialize)]
        $(#[$struct_meta])*
        $struct_vis struct $state {
            $( $(#[$field_meta])* pub $field: Option<$ty>, )*
        }

        $(#[$fn_meta])*
        $fn_vis fn $schema() -> $ret {
            $head
            $( .with($crate::framework::declare::named(stringify!($field), $part)) )*
            $( .$method($($arg),*) )*
        }
    };
}

#[cfg(test)]
mod tests {
    use crate::framework::{Attribute, Block, NestedBlock, Nesting, Schema, Value};

    crate::typed_schema! {
        #[derive(Clone, PartialEq)]
        struct Inner;
        fn inner() -> Block {
            Block::new("inner");
            x: String = Attribute::string("x").optional(),
        }
    }

    crate::typed_schema! {
        struct Outer;
        fn schema() -> Schema {
            Schema::new("outer");
            a: String = Attribute::string("a").required(),
            items: Vec<Inner> = NestedBlock::new("items", Nesting::List, inner()),
            b: i64 = Attribute::int("b").optional(),
        }
        .version(2)
    }

    #[test]
    fn fields_and_parts_come_from_one_list() {
        let s = schema();
        let names: Vec<_> = s.block.attributes.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["a", "b"]);
        assert_eq!(s.block.blocks[0].name, "items");
        assert_eq!(s.block.blocks[0].block.attributes[0].name, "x");
        assert_eq!(s.version, 2);
        let typed = Outer {
            a: Some("v".into()),
            items: Some(vec![Inner { x: None }]),
            b: Some(3),
        };
        let json = serde_json::to_value(&typed).unwrap();
        assert_eq!(json["a"], "v");
        assert_eq!(json["b"], 3);
        assert!(json["items"][0]["x"].is_null());
        let value = Value::from_json(&json, &s.ty()).unwrap();
        let back: Outer = crate::framework::typed::to_typed(&value).unwrap();
        assert_eq!(back.items, typed.items);
    }

    #[test]
    #[should_panic(expected = "a typed_schema! field and its part differ")]
    fn a_field_named_unlike_its_part_is_caught() {
        super::named("name", Attribute::string("nmae"));
    }
}
