//! Between typed state and framework values. Resources, data sources and
//! ephemeral resources each work on a typed state struct whose serde field
//! names are the schema's attribute names ([`Declared`]); one adapter,
//! [`Typed`], erases any of them into the object-safe view the server
//! dispatches to ([`Described`] and the kind's `Dyn…` trait), decoding
//! values into typed state and encoding the results back.

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::diag::Diagnostics;
use super::path::AttrPath;
use super::schema::{conform, Schema};
use super::timeouts;
use super::value::Value;

/// What a typed contract ([`Resource`](super::Resource),
/// [`DataSource`](super::DataSource) or
/// [`EphemeralResource`](super::EphemeralResource)) declares before any
/// operation: its type name, its schema and its typed state. `D` is the
/// provider data the contract's operations get.
pub trait Declared<D>: Send + Sync + 'static {
    /// Typed state: serde field names equal the schema's attribute names.
    /// Unknown and null values both arrive as `None`.
    type State: Serialize + DeserializeOwned + Send + Sync;

    fn type_name(&self) -> &'static str;
    fn schema(&self) -> Schema;
}

/// What the server knows of every type it dispatches to, whatever its kind.
pub trait Described: Send + Sync {
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> &Schema;
}

/// Adapts a typed contract to its kind's object-safe view; computes the
/// schema once.
pub struct Typed<R> {
    pub(super) inner: R,
    type_name: &'static str,
    schema: Schema,
}

impl<R> Typed<R> {
    pub fn new<D>(inner: R) -> Typed<R>
    where
        R: Declared<D>,
    {
        Typed {
            type_name: inner.type_name(),
            schema: inner.schema(),
            inner,
        }
    }

    /// `state` as a value of the schema's shape, keeping framework-owned
    /// attributes from `carry` (see [`from_typed`]).
    pub(super) fn encode<S: Serialize>(
        &self,
        state: &S,
        carry: &Value,
    ) -> Result<Value, Diagnostics> {
        from_typed(&self.schema, state, carry)
    }
}

impl<R: Send + Sync> Described for Typed<R> {
    fn type_name(&self) -> &'static str {
        self.type_name
    }
    fn schema(&self) -> &Schema {
        &self.schema
    }
}

/// Decodes a framework value into typed state. A value that does not fit
/// (which validation should have refused) is reported at its attribute.
pub fn to_typed<S: DeserializeOwned>(v: &Value) -> Result<S, Diagnostics> {
    serde_path_to_error::deserialize(v.to_json()).map_err(|e| {
        let path = attr_path(e.path());
        let mut d = Diagnostics::new();
        let summary = "Provider bug: state does not match its Rust type";
        let detail = format!("{path}: {}", e.inner());
        if path.is_root() {
            d.add_error(summary, detail);
        } else {
            d.add_attr_error(&path, summary, detail);
        }
        d
    })
}

/// A serde path (`customer_ips[0]`, `tunnel[1].psk`) as an attribute path.
fn attr_path(p: &serde_path_to_error::Path) -> AttrPath {
    use serde_path_to_error::Segment;
    let mut out = AttrPath::root();
    for s in p.iter() {
        out = match s {
            Segment::Seq { index } => out.index(*index),
            Segment::Map { key } => out.child(key),
            Segment::Enum { variant } => out.child(variant),
            Segment::Unknown => out,
        };
    }
    out
}

/// Encodes typed state as a value of exactly the schema's shape, keeping
/// framework-owned attributes (the `timeouts` block) from `carry`.
pub fn from_typed<S: Serialize>(
    schema: &Schema,
    s: &S,
    carry: &Value,
) -> Result<Value, Diagnostics> {
    let bug = |e: String| Diagnostics::error("Provider bug: state does not fit the schema", e);
    let json = serde_json::to_value(s).map_err(|e| bug(e.to_string()))?;
    let v = Value::from_json(&json, &schema.ty()).map_err(|e| bug(e.to_string()))?;
    let mut v = conform(&schema.block, &v);
    if schema.timeouts.is_some() {
        if let Some(slot) = v.get_mut(timeouts::BLOCK) {
            *slot = conform_timeouts(schema, carry.get(timeouts::BLOCK));
        }
    }
    Ok(v)
}

fn conform_timeouts(schema: &Schema, carried: &Value) -> Value {
    match schema
        .block
        .blocks
        .iter()
        .find(|b| b.name == timeouts::BLOCK)
    {
        Some(b) if matches!(carried, Value::Object(_)) => conform(&b.block, carried),
        _ => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Gw {
        name: Option<String>,
        customer_ips: Option<Vec<String>>,
        bgp_asn: Option<i64>,
    }

    use crate::framework::testing::object as value;

    /// Issue 12 case 5: `customer_ips = [null]` failed at apply with "state
    /// does not match its Rust type" naming no attribute.
    #[test]
    fn a_value_that_does_not_fit_is_reported_at_its_attribute() {
        let v = value(&[(
            "customer_ips",
            Value::List(vec![Value::string("a"), Value::Null]),
        )]);
        let d = to_typed::<Gw>(&v).unwrap_err();
        assert_eq!(d.0[0].path.as_ref().unwrap().to_string(), "customer_ips[1]");
        assert!(
            d.0[0].detail.starts_with("customer_ips[1]: "),
            "{}",
            d.0[0].detail
        );
        let big = value(&[(
            "bgp_asn",
            Value::Number(crate::framework::Number::parse("1e400").unwrap()),
        )]);
        let d = to_typed::<Gw>(&big).unwrap_err();
        assert_eq!(d.0[0].path.as_ref().unwrap().to_string(), "bgp_asn");
        assert!(to_typed::<Gw>(&value(&[("name", Value::string("x"))])).is_ok());
    }
}
