//! Helpers for the unit tests: the resources' schema checks, and a provider
//! and a resource for the framework's own tests.

use async_trait::async_trait;
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::{
    AttrPath, Block, Ctx, Declared, Diagnostics, DynDataSource, DynEphemeralResource, DynResource,
    Failure, Provider, ProviderServer, Resource, Schema, Value,
};

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

/// A provider for the framework's own tests: no arguments, `D::default()`
/// as its data, and the types it is given, e.g.
/// `TestProvider { resources: || vec![…], ..TestProvider::default() }`.
pub struct TestProvider<D> {
    pub resources: fn() -> Vec<Box<dyn DynResource<D>>>,
    pub data_sources: fn() -> Vec<Box<dyn DynDataSource<D>>>,
    pub ephemeral: fn() -> Vec<Box<dyn DynEphemeralResource<D>>>,
}

impl<D> Default for TestProvider<D> {
    fn default() -> Self {
        TestProvider {
            resources: Vec::new,
            data_sources: Vec::new,
            ephemeral: Vec::new,
        }
    }
}

impl<D: Default + Send + Sync + 'static> TestProvider<D> {
    /// Its server, configured as Terraform `version` configures it.
    pub fn configured(self, version: &str) -> ProviderServer<Self> {
        let server = ProviderServer::new(self);
        assert!(server
            .configure(version, &Value::Object(Default::default()))
            .is_empty());
        server
    }
}

impl<D: Default + Send + Sync + 'static> Provider for TestProvider<D> {
    type Data = D;
    fn schema(&self) -> Schema {
        Schema::new("p")
    }
    fn configure(&self, _: &Value, _: &str) -> Result<D, Diagnostics> {
        Ok(D::default())
    }
    fn resources(&self) -> Vec<Box<dyn DynResource<D>>> {
        (self.resources)()
    }
    fn data_sources(&self) -> Vec<Box<dyn DynDataSource<D>>> {
        (self.data_sources)()
    }
    fn ephemeral_resources(&self) -> Vec<Box<dyn DynEphemeralResource<D>>> {
        (self.ephemeral)()
    }
}

/// The type names a server's schemas are listed under.
pub fn names<'a>(schemas: impl Iterator<Item = (&'static str, &'a Schema)>) -> Vec<&'static str> {
    schemas.map(|(name, _)| name).collect()
}

/// A resource for the framework's own tests, its operations plain functions
/// (nothing a test resource does waits). `upgrade` converts state from an
/// older schema version; without it there is nothing to upgrade from.
pub struct TestResource<D, S> {
    pub type_name: &'static str,
    pub schema: fn() -> Schema,
    pub create: fn(&Ctx<D>, S) -> Result<S, Failure<S>>,
    pub read: fn(&Ctx<D>, S) -> Result<Option<S>, Diagnostics>,
    pub update: Update<D, S>,
    pub delete: fn(&Ctx<D>, S) -> Result<(), Diagnostics>,
    pub import: fn(&str) -> Result<S, Diagnostics>,
    pub upgrade: Option<Upgrade>,
}

/// An update from the prior state to the plan.
pub type Update<D, S> = fn(&Ctx<D>, S, S) -> Result<S, Failure<S>>;

/// A state upgrade from a schema version: see [`Resource::upgrade_state`].
pub type Upgrade = fn(i64, serde_json::Value) -> Result<serde_json::Value, Diagnostics>;

impl<D, S> Declared<D> for TestResource<D, S>
where
    D: Send + Sync + 'static,
    S: Serialize + DeserializeOwned + Send + Sync + 'static,
{
    type State = S;
    fn type_name(&self) -> &'static str {
        self.type_name
    }
    fn schema(&self) -> Schema {
        (self.schema)()
    }
}

#[async_trait]
impl<D, S> Resource<D> for TestResource<D, S>
where
    D: Send + Sync + 'static,
    S: Serialize + DeserializeOwned + Send + Sync + 'static,
{
    async fn create(&self, ctx: &Ctx<D>, plan: S) -> Result<S, Failure<S>> {
        (self.create)(ctx, plan)
    }
    async fn read(&self, ctx: &Ctx<D>, state: S) -> Result<Option<S>, Diagnostics> {
        (self.read)(ctx, state)
    }
    async fn update(&self, ctx: &Ctx<D>, prior: S, plan: S) -> Result<S, Failure<S>> {
        (self.update)(ctx, prior, plan)
    }
    async fn delete(&self, ctx: &Ctx<D>, state: S) -> Result<(), Diagnostics> {
        (self.delete)(ctx, state)
    }
    async fn import(&self, _ctx: &Ctx<D>, id: &str) -> Result<S, Diagnostics> {
        (self.import)(id)
    }
    fn upgrade_state(
        &self,
        version: i64,
        state: serde_json::Value,
    ) -> Result<serde_json::Value, Diagnostics> {
        match self.upgrade {
            Some(upgrade) => upgrade(version, state),
            None => Err(Diagnostics::error(
                "Unable to upgrade resource state",
                format!("{} has no older schema versions.", self.type_name),
            )),
        }
    }
}
