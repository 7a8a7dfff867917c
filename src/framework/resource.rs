//! The resource contract. Resources implement [`Resource`] over a typed
//! state struct whose serde field names are the schema's attribute names;
//! [`Typed`] erases it into [`DynResource`], which the server dispatches to.

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::diag::Diagnostics;
use super::path::AttrPath;
use super::schema::{conform, Schema};
use super::stop::StopToken;
use super::timeouts::{self, Op};
use super::value::Value;

/// What every operation gets: the configured provider data, the deadline of
/// this operation (from the `timeouts` block) and Terraform's stop signal.
pub struct Ctx<D> {
    pub data: Arc<D>,
    pub op: Op,
    pub timeout: Duration,
    pub deadline: Instant,
    pub stop: StopToken,
}

/// A failed create or update. `state` is what exists in the cloud despite
/// the error: Terraform saves it (tainted on create) so nothing is orphaned.
#[derive(Debug)]
pub struct Failure<S> {
    pub state: Option<S>,
    pub diagnostics: Diagnostics,
}

impl<S> Failure<S> {
    /// Nothing was created or changed.
    pub fn clean(diagnostics: Diagnostics) -> Failure<S> {
        Failure {
            state: None,
            diagnostics,
        }
    }
    /// Something exists in the cloud and must stay in state.
    pub fn partial(state: S, diagnostics: Diagnostics) -> Failure<S> {
        Failure {
            state: Some(state),
            diagnostics,
        }
    }
}

impl<S> From<Diagnostics> for Failure<S> {
    fn from(d: Diagnostics) -> Failure<S> {
        Failure::clean(d)
    }
}

#[async_trait]
pub trait Resource<D: Send + Sync + 'static>: Send + Sync + 'static {
    /// Typed state: serde field names equal the schema's attribute names.
    /// Unknown and null values both arrive as `None`.
    type State: Serialize + DeserializeOwned + Send + Sync;

    fn type_name(&self) -> &'static str;
    fn schema(&self) -> Schema;

    async fn create(
        &self,
        ctx: &Ctx<D>,
        plan: Self::State,
    ) -> Result<Self::State, Failure<Self::State>>;
    /// `Ok(None)` means the object is gone: Terraform drops it from state.
    async fn read(
        &self,
        ctx: &Ctx<D>,
        state: Self::State,
    ) -> Result<Option<Self::State>, Diagnostics>;
    async fn update(
        &self,
        ctx: &Ctx<D>,
        prior: Self::State,
        plan: Self::State,
    ) -> Result<Self::State, Failure<Self::State>>;
    /// Deleting something already gone is success.
    async fn delete(&self, ctx: &Ctx<D>, state: Self::State) -> Result<(), Diagnostics>;
    /// Turns a user's import id into a state that `read` can complete.
    async fn import(&self, ctx: &Ctx<D>, id: &str) -> Result<Self::State, Diagnostics>;

    /// Cross-attribute planning the schema cannot declare, e.g. a computed
    /// value that follows from configured ones. Runs after the schema-driven
    /// plan on every non-destroy plan; whatever it sets known must come out
    /// of apply unchanged.
    fn plan_modifier(&self) -> Option<PlanModifier> {
        None
    }

    /// The typed state's field names, where the state has a default to read
    /// them from: a test checks them against the schema.
    fn state_fields(&self) -> Option<Vec<String>> {
        None
    }

    /// Converts state JSON written by an older schema version to the current
    /// one. Only called when `version` is older than the schema's.
    fn upgrade_state(
        &self,
        version: i64,
        _state: serde_json::Value,
    ) -> Result<serde_json::Value, Diagnostics> {
        Err(Diagnostics::error(
            "Unable to upgrade resource state",
            format!(
                "{} has no upgrade from schema version {version}.",
                self.type_name()
            ),
        ))
    }
}

/// Changes a planned value before Terraform shows it, e.g. to plan a
/// computed attribute that follows from configured ones: see
/// [`Resource::plan_modifier`]. Arguments: prior state, planned value,
/// configuration, diagnostics.
pub type PlanModifier = fn(&Value, &mut Value, &Value, &mut Diagnostics);

/// Object-safe view of a resource, working on framework values.
#[async_trait]
pub trait DynResource<D>: Send + Sync {
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> &Schema;
    async fn create(&self, ctx: &Ctx<D>, planned: &Value) -> (Value, Diagnostics);
    async fn read(&self, ctx: &Ctx<D>, state: &Value) -> (Value, Diagnostics);
    async fn update(&self, ctx: &Ctx<D>, prior: &Value, planned: &Value) -> (Value, Diagnostics);
    async fn delete(&self, ctx: &Ctx<D>, state: &Value) -> Diagnostics;
    async fn import(&self, ctx: &Ctx<D>, id: &str) -> (Value, Diagnostics);
    fn upgrade_state(
        &self,
        version: i64,
        state: serde_json::Value,
    ) -> Result<serde_json::Value, Diagnostics>;
    fn state_fields(&self) -> Option<Vec<String>>;
    fn plan_modifier(&self) -> Option<PlanModifier>;
}

/// Adapts a typed [`Resource`]; computes its schema once.
pub struct Typed<R> {
    resource: R,
    schema: Schema,
}

impl<R> Typed<R> {
    pub fn new<D>(resource: R) -> Typed<R>
    where
        R: Resource<D>,
        D: Send + Sync + 'static,
    {
        let schema = resource.schema();
        Typed { resource, schema }
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

fn merge(errs: Diagnostics, state: Result<Value, Diagnostics>) -> (Value, Diagnostics) {
    let mut d = errs;
    match state {
        Ok(v) => (v, d),
        Err(e) => {
            d.extend(e);
            (Value::Null, d)
        }
    }
}

#[async_trait]
impl<D, R> DynResource<D> for Typed<R>
where
    D: Send + Sync + 'static,
    R: Resource<D>,
{
    fn type_name(&self) -> &'static str {
        self.resource.type_name()
    }
    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn create(&self, ctx: &Ctx<D>, planned: &Value) -> (Value, Diagnostics) {
        let plan = match to_typed(planned) {
            Ok(p) => p,
            Err(d) => return (Value::Null, d),
        };
        match self.resource.create(ctx, plan).await {
            Ok(s) => merge(Diagnostics::new(), from_typed(&self.schema, &s, planned)),
            Err(f) => match f.state {
                Some(s) => merge(f.diagnostics, from_typed(&self.schema, &s, planned)),
                None => (Value::Null, f.diagnostics),
            },
        }
    }

    async fn read(&self, ctx: &Ctx<D>, state: &Value) -> (Value, Diagnostics) {
        let s = match to_typed(state) {
            Ok(s) => s,
            Err(d) => return (state.clone(), d),
        };
        match self.resource.read(ctx, s).await {
            Ok(Some(s)) => merge(Diagnostics::new(), from_typed(&self.schema, &s, state)),
            Ok(None) => (Value::Null, Diagnostics::new()),
            // Keep what we had: a failed refresh must not forget the object.
            Err(d) => (state.clone(), d),
        }
    }

    async fn update(&self, ctx: &Ctx<D>, prior: &Value, planned: &Value) -> (Value, Diagnostics) {
        let (p, n) = match (to_typed(prior), to_typed(planned)) {
            (Ok(p), Ok(n)) => (p, n),
            (Err(d), _) | (_, Err(d)) => return (prior.clone(), d),
        };
        match self.resource.update(ctx, p, n).await {
            Ok(s) => merge(Diagnostics::new(), from_typed(&self.schema, &s, planned)),
            Err(f) => match f.state {
                Some(s) => merge(f.diagnostics, from_typed(&self.schema, &s, prior)),
                None => (prior.clone(), f.diagnostics),
            },
        }
    }

    async fn delete(&self, ctx: &Ctx<D>, state: &Value) -> Diagnostics {
        match to_typed(state) {
            Ok(s) => self.resource.delete(ctx, s).await.err().unwrap_or_default(),
            Err(d) => d,
        }
    }

    async fn import(&self, ctx: &Ctx<D>, id: &str) -> (Value, Diagnostics) {
        match self.resource.import(ctx, id).await {
            Ok(s) => merge(
                Diagnostics::new(),
                from_typed(&self.schema, &s, &Value::Null),
            ),
            Err(d) => (Value::Null, d),
        }
    }

    fn upgrade_state(
        &self,
        version: i64,
        state: serde_json::Value,
    ) -> Result<serde_json::Value, Diagnostics> {
        self.resource.upgrade_state(version, state)
    }

    fn state_fields(&self) -> Option<Vec<String>> {
        self.resource.state_fields()
    }

    fn plan_modifier(&self) -> Option<PlanModifier> {
        self.resource.plan_modifier()
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
