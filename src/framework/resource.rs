//! The resource contract. Resources implement [`Resource`] over a typed
//! state struct whose serde field names are the schema's attribute names;
//! [`Typed`] erases it into [`DynResource`], which the server dispatches to.

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;

use super::diag::Diagnostics;
use super::stop::StopToken;
use super::timeouts::Op;
use super::typed::{to_typed, Declared, Described, Typed};
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
pub trait Resource<D: Send + Sync + 'static>: Declared<D> {
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
pub trait DynResource<D>: Described {
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
    async fn create(&self, ctx: &Ctx<D>, planned: &Value) -> (Value, Diagnostics) {
        let plan = match to_typed(planned) {
            Ok(p) => p,
            Err(d) => return (Value::Null, d),
        };
        match self.inner.create(ctx, plan).await {
            Ok(s) => merge(Diagnostics::new(), self.encode(&s, planned)),
            Err(f) => match f.state {
                Some(s) => merge(f.diagnostics, self.encode(&s, planned)),
                None => (Value::Null, f.diagnostics),
            },
        }
    }

    async fn read(&self, ctx: &Ctx<D>, state: &Value) -> (Value, Diagnostics) {
        let s = match to_typed(state) {
            Ok(s) => s,
            Err(d) => return (state.clone(), d),
        };
        match self.inner.read(ctx, s).await {
            Ok(Some(s)) => merge(Diagnostics::new(), self.encode(&s, state)),
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
        match self.inner.update(ctx, p, n).await {
            Ok(s) => merge(Diagnostics::new(), self.encode(&s, planned)),
            Err(f) => match f.state {
                Some(s) => merge(f.diagnostics, self.encode(&s, prior)),
                None => (prior.clone(), f.diagnostics),
            },
        }
    }

    async fn delete(&self, ctx: &Ctx<D>, state: &Value) -> Diagnostics {
        match to_typed(state) {
            Ok(s) => self.inner.delete(ctx, s).await.err().unwrap_or_default(),
            Err(d) => d,
        }
    }

    async fn import(&self, ctx: &Ctx<D>, id: &str) -> (Value, Diagnostics) {
        match self.inner.import(ctx, id).await {
            Ok(s) => merge(Diagnostics::new(), self.encode(&s, &Value::Null)),
            Err(d) => (Value::Null, d),
        }
    }

    fn upgrade_state(
        &self,
        version: i64,
        state: serde_json::Value,
    ) -> Result<serde_json::Value, Diagnostics> {
        self.inner.upgrade_state(version, state)
    }

    fn state_fields(&self) -> Option<Vec<String>> {
        self.inner.state_fields()
    }

    fn plan_modifier(&self) -> Option<PlanModifier> {
        self.inner.plan_modifier()
    }
}
