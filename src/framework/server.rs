//! The provider as Terraform's RPCs see it, in framework terms: values in,
//! values and diagnostics out. `tfplugin::server` only translates protobuf.

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};
use std::time::Instant;

use super::data_source::DynDataSource;
use super::diag::Diagnostics;
use super::ephemeral::{DynEphemeralResource, Opened, Renewed};
use super::path::AttrPath;
use super::plan::{defaults_applied, plan, Planned};
use super::resource::{Ctx, DynResource};
use super::schema::{conform, Schema};
use super::stop::StopToken;
use super::timeouts::{deadline_after, Op};
use super::value::Value;

/// A provider: its configuration schema, how configuration becomes the data
/// resources use (typically API clients), and its resources.
pub trait Provider: Send + Sync + 'static {
    type Data: Send + Sync + 'static;
    fn schema(&self) -> Schema;
    fn configure(&self, config: &Value, terraform_version: &str)
        -> Result<Self::Data, Diagnostics>;
    fn resources(&self) -> Vec<Box<dyn DynResource<Self::Data>>>;
    fn data_sources(&self) -> Vec<Box<dyn DynDataSource<Self::Data>>> {
        Vec::new()
    }
    fn ephemeral_resources(&self) -> Vec<Box<dyn DynEphemeralResource<Self::Data>>> {
        Vec::new()
    }
}

/// What Terraform says it can handle (protocol 5.6 and 5.8). A Terraform
/// older than that sends nothing, which reads as all false.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClientCapabilities {
    /// The provider may defer a change to a later run.
    pub deferral_allowed: bool,
    /// Write-only attributes are kept out of plan and state (Terraform 1.11+).
    pub write_only_attributes_allowed: bool,
}

/// The Terraform version from which write-only attributes work.
pub const WRITE_ONLY_SINCE: &str = "1.11";

/// What the framework tells Terraform it does (protocol 5.3 and 5.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerCapabilities {
    /// PlanResourceChange also plans destroys (a null proposed state).
    pub plan_destroy: bool,
    /// Schemas never change within a version, so Terraform may reuse a
    /// cached copy instead of calling GetSchema in every process.
    pub get_provider_schema_optional: bool,
    /// MoveResourceState from other resource types is supported.
    pub move_resource_state: bool,
}

pub const SERVER_CAPABILITIES: ServerCapabilities = ServerCapabilities {
    plan_destroy: true,
    get_provider_schema_optional: true,
    move_resource_state: false,
};

pub struct ProviderServer<P: Provider> {
    provider: P,
    schema: Schema,
    resources: Registry<dyn DynResource<P::Data>>,
    data_sources: Registry<dyn DynDataSource<P::Data>>,
    ephemeral: Registry<dyn DynEphemeralResource<P::Data>>,
    data: RwLock<Option<Arc<P::Data>>>,
    stop: StopToken,
}

/// An error for each write-only attribute `config` sets when this Terraform
/// cannot keep it out of plan and state: it would treat the attribute as an
/// ordinary one and store it.
fn write_only_refused(schema: &Schema, config: &Value, caps: &ClientCapabilities) -> Diagnostics {
    let mut d = Diagnostics::new();
    if caps.write_only_attributes_allowed {
        return d;
    }
    for p in schema.block.write_only_paths(config, &AttrPath::root()) {
        d.add_attr_error(
            &p,
            "Write-only argument needs a newer Terraform",
            format!(
                "{p} is a write-only argument, which needs Terraform {WRITE_ONLY_SINCE} or later; \
                 this Terraform would store it in plan and state. Upgrade Terraform, or leave {p} unset."
            ),
        );
    }
    d
}

/// A value checked against a schema's declared rules, with attribute paths.
fn validated(schema: &Schema, config: &Value) -> Diagnostics {
    let mut d = Diagnostics::new();
    schema.block.validate(config, &AttrPath::root(), &mut d);
    d
}

/// The provider's types of one kind, by name; `what` names the kind in the
/// error for a type it does not have.
struct Registry<T: ?Sized> {
    what: &'static str,
    types: BTreeMap<&'static str, Box<T>>,
}

impl<T: ?Sized> Registry<T> {
    fn new(what: &'static str, types: Vec<Box<T>>, name: impl Fn(&T) -> &'static str) -> Self {
        let types = types.into_iter().map(|t| (name(&t), t)).collect();
        Registry { what, types }
    }

    fn get(&self, type_name: &str) -> Result<&T, Diagnostics> {
        self.types
            .get(type_name)
            .map(|t| t.as_ref())
            .ok_or_else(|| {
                Diagnostics::error(
                    format!("Unknown {}", self.what),
                    format!("This provider has no {} {type_name:?}.", self.what),
                )
            })
    }

    fn schemas<'a>(
        &'a self,
        schema: impl Fn(&'a T) -> &'a Schema + 'a,
    ) -> impl Iterator<Item = (&'static str, &'a Schema)> + 'a {
        self.types.iter().map(move |(k, t)| (*k, schema(t)))
    }
}

impl<P: Provider> ProviderServer<P> {
    pub fn new(provider: P) -> ProviderServer<P> {
        let schema = provider.schema();
        let resources = Registry::new("resource type", provider.resources(), |r| r.type_name());
        let data_sources = Registry::new("data source", provider.data_sources(), |r| r.type_name());
        let ephemeral = Registry::new(
            "ephemeral resource type",
            provider.ephemeral_resources(),
            |r| r.type_name(),
        );
        ProviderServer {
            provider,
            schema,
            resources,
            data_sources,
            ephemeral,
            data: RwLock::new(None),
            stop: StopToken::new(),
        }
    }

    pub fn provider_schema(&self) -> &Schema {
        &self.schema
    }

    pub fn resource_schemas(&self) -> impl Iterator<Item = (&'static str, &Schema)> {
        self.resources.schemas(|r| r.schema())
    }

    pub fn resource(&self, type_name: &str) -> Result<&dyn DynResource<P::Data>, Diagnostics> {
        self.resources.get(type_name)
    }

    pub fn data_source_schemas(&self) -> impl Iterator<Item = (&'static str, &Schema)> {
        self.data_sources.schemas(|r| r.schema())
    }

    pub fn data_source(&self, type_name: &str) -> Result<&dyn DynDataSource<P::Data>, Diagnostics> {
        self.data_sources.get(type_name)
    }

    pub fn ephemeral_resource_schemas(&self) -> impl Iterator<Item = (&'static str, &Schema)> {
        self.ephemeral.schemas(|r| r.schema())
    }

    pub fn ephemeral_resource(
        &self,
        type_name: &str,
    ) -> Result<&dyn DynEphemeralResource<P::Data>, Diagnostics> {
        self.ephemeral.get(type_name)
    }

    pub fn stop_token(&self) -> StopToken {
        self.stop.clone()
    }

    pub fn validate_provider_config(&self, config: &Value) -> Diagnostics {
        validated(&self.schema, config)
    }

    pub fn configure(&self, terraform_version: &str, config: &Value) -> Diagnostics {
        let mut d = self.validate_provider_config(config);
        if d.has_errors() {
            return d;
        }
        match self.provider.configure(config, terraform_version) {
            Ok(data) => {
                if let Ok(mut slot) = self.data.write() {
                    *slot = Some(Arc::new(data));
                }
            }
            Err(e) => d.extend(e),
        }
        d
    }

    /// Checks a resource's configuration; a write-only argument is refused
    /// when Terraform does not say it can keep it out of plan and state.
    pub fn validate_resource_config(
        &self,
        type_name: &str,
        config: &Value,
        caps: &ClientCapabilities,
    ) -> Diagnostics {
        match self.resource(type_name) {
            Ok(r) => {
                let mut d = write_only_refused(r.schema(), config, caps);
                d.extend(validated(r.schema(), config));
                d
            }
            Err(d) => d,
        }
    }

    pub fn validate_ephemeral_resource_config(
        &self,
        type_name: &str,
        config: &Value,
    ) -> Diagnostics {
        match self.ephemeral_resource(type_name) {
            Ok(r) => validated(r.schema(), config),
            Err(d) => d,
        }
    }

    /// Opens an ephemeral resource. Its configuration is validated again
    /// first, as for a data source.
    pub async fn open_ephemeral_resource(
        &self,
        type_name: &str,
        config: &Value,
    ) -> (Option<Opened<Value>>, Diagnostics) {
        let r = match self.ephemeral_resource(type_name) {
            Ok(r) => r,
            Err(d) => return (None, d),
        };
        let mut d = validated(r.schema(), config);
        if !config.is_wholly_known() {
            // Terraform opens only known configurations (an unknown one gives
            // an unknown result without asking); guessing would be wrong.
            d.add_error(
                "Ephemeral resource configuration not known",
                format!("{type_name} cannot be opened before its whole configuration is known."),
            );
        }
        if d.has_errors() {
            return (None, d);
        }
        let ctx = match self.ctx(r.schema(), config, Op::Read) {
            Ok(ctx) => ctx,
            Err(d) => return (None, d),
        };
        // Nothing plans an ephemeral resource, so its defaults are filled in here.
        let config = &defaults_applied(&r.schema().block, config);
        let result = guarded(
            async {
                match r.open(&ctx, config).await {
                    Ok(o) => (Some(o), Diagnostics::new()),
                    Err(d) => (None, d),
                }
            },
            None,
        )
        .await;
        match result {
            (Some(o), d) if !o.result.is_wholly_known() => (None, checked((o.result, d)).1),
            other => other,
        }
    }

    pub async fn renew_ephemeral_resource(
        &self,
        type_name: &str,
        private: Option<Vec<u8>>,
    ) -> (Option<Renewed>, Diagnostics) {
        let r = match self.ephemeral_resource(type_name) {
            Ok(r) => r,
            Err(d) => return (None, d),
        };
        let ctx = match self.ctx(r.schema(), &Value::Null, Op::Read) {
            Ok(ctx) => ctx,
            Err(d) => return (None, d),
        };
        guarded(
            async {
                match r.renew(&ctx, private).await {
                    Ok(x) => (Some(x), Diagnostics::new()),
                    Err(d) => (None, d),
                }
            },
            None,
        )
        .await
    }

    pub async fn close_ephemeral_resource(
        &self,
        type_name: &str,
        private: Option<Vec<u8>>,
    ) -> Diagnostics {
        let r = match self.ephemeral_resource(type_name) {
            Ok(r) => r,
            Err(d) => return d,
        };
        let ctx = match self.ctx(r.schema(), &Value::Null, Op::Read) {
            Ok(ctx) => ctx,
            Err(d) => return d,
        };
        guarded(async { (Some(()), r.close(&ctx, private).await) }, None)
            .await
            .1
    }

    pub fn validate_data_source_config(&self, type_name: &str, config: &Value) -> Diagnostics {
        match self.data_source(type_name) {
            Ok(r) => validated(r.schema(), config),
            Err(d) => d,
        }
    }

    /// Reads a data source. Its configuration is validated again first:
    /// values still unknown at ValidateDataSourceConfig (and so unchecked)
    /// are known here.
    pub async fn read_data_source(&self, type_name: &str, config: &Value) -> (Value, Diagnostics) {
        let r = match self.data_source(type_name) {
            Ok(r) => r,
            Err(d) => return (Value::Null, d),
        };
        let d = validated(r.schema(), config);
        if d.has_errors() {
            return (Value::Null, d);
        }
        match self.ctx(r.schema(), config, Op::Read) {
            Ok(ctx) => checked(guarded(r.read(&ctx, config), Value::Null).await),
            Err(d) => (Value::Null, d),
        }
    }

    /// Decodes stored state JSON, upgrading it from older schema versions.
    pub fn upgrade_resource_state(
        &self,
        type_name: &str,
        version: i64,
        raw_json: &[u8],
    ) -> (Value, Diagnostics) {
        let r = match self.resource(type_name) {
            Ok(r) => r,
            Err(d) => return (Value::Null, d),
        };
        let schema = r.schema();
        let mut json: serde_json::Value = match serde_json::from_slice(raw_json) {
            Ok(j) => j,
            Err(e) => {
                return (
                    Value::Null,
                    Diagnostics::error("Invalid stored state", format!("state is not JSON: {e}")),
                )
            }
        };
        if version > schema.version {
            return (
                Value::Null,
                Diagnostics::error(
                    "Resource state from a newer provider",
                    format!(
                        "state has schema version {version}; this provider knows up to {}.",
                        schema.version
                    ),
                ),
            );
        }
        if version < schema.version {
            json = match r.upgrade_state(version, json) {
                Ok(j) => j,
                Err(d) => return (Value::Null, d),
            };
        }
        match Value::from_json(&json, &schema.ty()) {
            Ok(v) => (
                schema.block.null_write_only(&conform(&schema.block, &v)),
                Diagnostics::new(),
            ),
            Err(e) => (
                Value::Null,
                Diagnostics::error("Invalid stored state", e.to_string()),
            ),
        }
    }

    fn ctx(&self, schema: &Schema, value: &Value, op: Op) -> Result<Ctx<P::Data>, Diagnostics> {
        let data = self
            .data
            .read()
            .ok()
            .and_then(|d| d.clone())
            .ok_or_else(|| {
                Diagnostics::error(
                    "Provider not configured",
                    "Terraform did not call Configure before using a resource or data source.",
                )
            })?;
        let timeout = schema
            .timeouts
            .map(|t| t.resolve(value, op))
            .unwrap_or(std::time::Duration::from_secs(20 * 60));
        Ok(Ctx {
            data,
            op,
            timeout,
            deadline: deadline_after(Instant::now(), timeout),
            stop: self.stop.clone(),
        })
    }

    pub async fn read_resource(&self, type_name: &str, state: &Value) -> (Value, Diagnostics) {
        let r = match self.resource(type_name) {
            Ok(r) => r,
            Err(d) => return (state.clone(), d),
        };
        if state.is_null() {
            return (Value::Null, Diagnostics::new());
        }
        match self.ctx(r.schema(), state, Op::Read) {
            Ok(ctx) => {
                let (v, d) = checked(guarded(r.read(&ctx, state), state.clone()).await);
                (r.schema().block.null_write_only(&v), d)
            }
            Err(d) => (state.clone(), d),
        }
    }

    pub fn plan_resource_change(
        &self,
        type_name: &str,
        prior: &Value,
        proposed: &Value,
        config: &Value,
    ) -> (Planned, Diagnostics) {
        match self.resource(type_name) {
            Ok(r) => {
                let block = &r.schema().block;
                let mut planned = plan(block, prior, proposed, config);
                let mut d = Diagnostics::new();
                if !planned.state.is_null() {
                    r.modify_plan(prior, &mut planned.state, config, &mut d);
                    planned.state = block.null_write_only(&planned.state);
                }
                (planned, d)
            }
            Err(d) => (
                Planned {
                    state: proposed.clone(),
                    requires_replace: Vec::new(),
                },
                d,
            ),
        }
    }

    /// Create when there is no prior state, delete when nothing is planned,
    /// update otherwise. Create and update see the write-only attributes'
    /// values, which only the configuration holds; the new state has them null.
    pub async fn apply_resource_change(
        &self,
        type_name: &str,
        prior: &Value,
        planned: &Value,
        config: &Value,
    ) -> (Value, Diagnostics) {
        let r = match self.resource(type_name) {
            Ok(r) => r,
            Err(d) => return (prior.clone(), d),
        };
        let op = match (prior.is_null(), planned.is_null()) {
            (true, true) => return (Value::Null, Diagnostics::new()),
            (true, false) => Op::Create,
            (false, true) => Op::Delete,
            (false, false) => Op::Update,
        };
        let basis = if op == Op::Delete { prior } else { planned };
        let ctx = match self.ctx(r.schema(), basis, op) {
            Ok(c) => c,
            Err(d) => return (prior.clone(), d),
        };
        tracing::debug!(type_name, op = op.name(), "applying resource change");
        let block = &r.schema().block;
        let wanted = block.with_write_only_from(planned, config);
        let (state, d) = match op {
            Op::Create => checked(guarded(r.create(&ctx, &wanted), prior.clone()).await),
            Op::Update => checked(guarded(r.update(&ctx, prior, &wanted), prior.clone()).await),
            _ => {
                let d = guarded(
                    async { (Value::Null, r.delete(&ctx, prior).await) },
                    prior.clone(),
                )
                .await
                .1;
                // On failure Terraform keeps the prior state; on success it must be null.
                if d.has_errors() {
                    (prior.clone(), d)
                } else {
                    (Value::Null, d)
                }
            }
        };
        (block.null_write_only(&state), d)
    }

    pub async fn import_resource_state(&self, type_name: &str, id: &str) -> (Value, Diagnostics) {
        let r = match self.resource(type_name) {
            Ok(r) => r,
            Err(d) => return (Value::Null, d),
        };
        match self.ctx(r.schema(), &Value::Null, Op::Read) {
            Ok(ctx) => {
                let (v, d) = checked(guarded(r.import(&ctx, id), Value::Null).await);
                (r.schema().block.null_write_only(&v), d)
            }
            Err(d) => (Value::Null, d),
        }
    }

    pub fn stop(&self) {
        self.stop.stop();
    }

    /// The configured provider data, for tests that look at what operations did.
    #[cfg(test)]
    pub(crate) fn ctx_data_for_tests(&self) -> Arc<P::Data> {
        self.data
            .read()
            .ok()
            .and_then(|d| d.clone())
            .expect("configured")
    }
}

/// Runs one resource operation; a panic inside it becomes an error
/// diagnostic (keeping `fallback` as the state) instead of a dead connection.
async fn guarded<T, F>(fut: F, fallback: T) -> (T, Diagnostics)
where
    F: std::future::Future<Output = (T, Diagnostics)>,
{
    use futures_util::FutureExt;
    match std::panic::AssertUnwindSafe(fut).catch_unwind().await {
        Ok(r) => r,
        Err(p) => {
            let msg = p
                .downcast_ref::<&str>()
                .map(|s| (*s).to_string())
                .or_else(|| p.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_string());
            tracing::error!(panic = %msg, "resource operation panicked");
            (
                fallback,
                Diagnostics::error("Provider bug: the operation panicked", msg),
            )
        }
    }
}

/// Terraform rejects results with unknown values; report our own bug
/// clearly instead.
fn checked((v, mut d): (Value, Diagnostics)) -> (Value, Diagnostics) {
    if !v.is_wholly_known() {
        d.add_error(
            "Provider bug: unknown value in result",
            "The provider returned a value that is still unknown after the operation.",
        );
        return (Value::Null, d);
    }
    (v, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::resource::{Failure, Resource, Typed};
    use crate::framework::schema::Attribute;
    use crate::framework::timeouts::Timeouts;
    use async_trait::async_trait;
    use serde::{Deserialize, Serialize};
    use std::sync::Mutex;

    /// An in-memory "cloud" of named things.
    #[derive(Default)]
    struct Cloud(Mutex<BTreeMap<String, String>>);

    #[derive(Default, Serialize, Deserialize)]
    struct Thing {
        id: Option<String>,
        name: Option<String>,
    }

    struct ThingResource;

    #[async_trait]
    impl Resource<Cloud> for ThingResource {
        type State = Thing;
        fn type_name(&self) -> &'static str {
            "test_thing"
        }
        fn schema(&self) -> Schema {
            Schema::new("t")
                .version(1)
                .attribute(
                    Attribute::string("id")
                        .computed()
                        .use_state_for_unknown()
                        .description("i"),
                )
                .attribute(Attribute::string("name").required().description("n"))
                .timeouts(Timeouts::all(crate::framework::timeouts::mins(1)))
        }
        async fn create(&self, ctx: &Ctx<Cloud>, plan: Thing) -> Result<Thing, Failure<Thing>> {
            let name = plan.name.clone().unwrap_or_default();
            if name == "panic" {
                panic!("boom");
            }
            if name == "fail-after-create" {
                ctx.data.0.lock().unwrap().insert("x1".into(), name.clone());
                return Err(Failure::partial(
                    Thing {
                        id: Some("x1".into()),
                        name: Some(name),
                    },
                    Diagnostics::error("waiting", "timed out"),
                ));
            }
            let id = format!("x{}", ctx.data.0.lock().unwrap().len() + 1);
            ctx.data.0.lock().unwrap().insert(id.clone(), name.clone());
            Ok(Thing {
                id: Some(id),
                name: Some(name),
            })
        }
        async fn read(&self, ctx: &Ctx<Cloud>, s: Thing) -> Result<Option<Thing>, Diagnostics> {
            let id = s.id.unwrap_or_default();
            Ok(ctx.data.0.lock().unwrap().get(&id).map(|n| Thing {
                id: Some(id.clone()),
                name: Some(n.clone()),
            }))
        }
        async fn update(
            &self,
            ctx: &Ctx<Cloud>,
            _p: Thing,
            plan: Thing,
        ) -> Result<Thing, Failure<Thing>> {
            let id = plan.id.clone().unwrap_or_default();
            ctx.data
                .0
                .lock()
                .unwrap()
                .insert(id, plan.name.clone().unwrap_or_default());
            Ok(plan)
        }
        async fn delete(&self, ctx: &Ctx<Cloud>, s: Thing) -> Result<(), Diagnostics> {
            ctx.data.0.lock().unwrap().remove(&s.id.unwrap_or_default());
            Ok(())
        }
        async fn import(&self, _ctx: &Ctx<Cloud>, id: &str) -> Result<Thing, Diagnostics> {
            Ok(Thing {
                id: Some(id.to_string()),
                name: None,
            })
        }
        fn upgrade_state(
            &self,
            version: i64,
            mut s: serde_json::Value,
        ) -> Result<serde_json::Value, Diagnostics> {
            // Version 0 called the attribute "label".
            assert_eq!(version, 0);
            if let Some(o) = s.as_object_mut() {
                let label = o.remove("label").unwrap_or_default();
                o.insert("name".into(), label);
            }
            Ok(s)
        }
    }

    struct TestProvider;

    impl Provider for TestProvider {
        type Data = Cloud;
        fn schema(&self) -> Schema {
            Schema::new("p")
        }
        fn configure(&self, _c: &Value, _v: &str) -> Result<Cloud, Diagnostics> {
            Ok(Cloud::default())
        }
        fn resources(&self) -> Vec<Box<dyn DynResource<Cloud>>> {
            vec![
                Box::new(Typed::new(ThingResource)),
                Box::new(Typed::new(VaultResource)),
            ]
        }
    }

    #[derive(Default, Serialize, Deserialize)]
    struct Vault {
        id: Option<String>,
        key_wo: Option<String>,
        key_version: Option<i64>,
    }

    /// Keeps a key it is given write-only; the cloud records what it got.
    struct VaultResource;

    #[async_trait]
    impl Resource<Cloud> for VaultResource {
        type State = Vault;
        fn type_name(&self) -> &'static str {
            "test_vault"
        }
        fn schema(&self) -> Schema {
            Schema::new("v")
                .attribute(
                    Attribute::string("id")
                        .computed()
                        .use_state_for_unknown()
                        .description("i"),
                )
                .attribute(
                    Attribute::string("key_wo")
                        .optional()
                        .sensitive()
                        .write_only()
                        .description("k"),
                )
                .attribute(Attribute::int("key_version").optional().description("kv"))
        }
        async fn create(&self, ctx: &Ctx<Cloud>, plan: Vault) -> Result<Vault, Failure<Vault>> {
            let key = plan.key_wo.clone().unwrap_or_default();
            ctx.data.0.lock().unwrap().insert("v1".into(), key);
            // Hands the key back: the framework must drop it.
            Ok(Vault {
                id: Some("v1".into()),
                ..plan
            })
        }
        async fn read(&self, ctx: &Ctx<Cloud>, s: Vault) -> Result<Option<Vault>, Diagnostics> {
            let key = ctx.data.0.lock().unwrap().get("v1").cloned();
            Ok(Some(Vault { key_wo: key, ..s }))
        }
        async fn update(
            &self,
            ctx: &Ctx<Cloud>,
            _p: Vault,
            plan: Vault,
        ) -> Result<Vault, Failure<Vault>> {
            if let Some(k) = &plan.key_wo {
                ctx.data.0.lock().unwrap().insert("v1".into(), k.clone());
            }
            Ok(plan)
        }
        async fn delete(&self, ctx: &Ctx<Cloud>, _s: Vault) -> Result<(), Diagnostics> {
            ctx.data.0.lock().unwrap().remove("v1");
            Ok(())
        }
        async fn import(&self, _ctx: &Ctx<Cloud>, id: &str) -> Result<Vault, Diagnostics> {
            Ok(Vault {
                id: Some(id.to_string()),
                key_wo: Some("imported".into()),
                key_version: None,
            })
        }
    }

    fn vault(id: Value, key: Value, version: i64) -> Value {
        Value::Object(
            [
                ("id".to_string(), id),
                ("key_wo".to_string(), key),
                ("key_version".to_string(), Value::int(version)),
            ]
            .into(),
        )
    }

    const WRITE_ONLY_OK: ClientCapabilities = ClientCapabilities {
        deferral_allowed: false,
        write_only_attributes_allowed: true,
    };

    #[test]
    fn a_write_only_argument_needs_a_terraform_that_allows_it() {
        let s = server();
        let c = vault(Value::Null, Value::string("k1"), 1);
        let d = s.validate_resource_config("test_vault", &c, &ClientCapabilities::default());
        assert_eq!(d.0.len(), 1, "{d}");
        assert_eq!(d.0[0].path.as_ref().unwrap().to_string(), "key_wo");
        assert!(d.0[0].detail.contains("Terraform 1.11 or later"), "{d}");
        assert!(!d.0[0].detail.contains("k1"), "{d}");
        // Unknown will be set: refused as well. Unset is fine everywhere.
        let unknown = vault(Value::Null, Value::Unknown, 1);
        assert!(s
            .validate_resource_config("test_vault", &unknown, &ClientCapabilities::default())
            .has_errors());
        let unset = vault(Value::Null, Value::Null, 1);
        assert!(s
            .validate_resource_config("test_vault", &unset, &ClientCapabilities::default())
            .is_empty());
        assert!(s
            .validate_resource_config("test_vault", &c, &WRITE_ONLY_OK)
            .is_empty());
    }

    #[tokio::test]
    async fn write_only_values_reach_the_resource_from_the_config_and_never_come_back() {
        let s = server();
        let config = vault(Value::Null, Value::string("k1"), 1);
        // Terraform's proposal carries the configured value; the plan drops it.
        let planned = s
            .plan_resource_change("test_vault", &Value::Null, &config, &config)
            .0
            .state;
        assert!(planned.get("key_wo").is_null() && planned.get("id").is_unknown());
        let (created, d) = s
            .apply_resource_change("test_vault", &Value::Null, &planned, &config)
            .await;
        assert!(d.is_empty(), "{d}");
        assert_eq!(created, vault(Value::string("v1"), Value::Null, 1));
        let data = s.data.read().unwrap().clone().unwrap();
        assert_eq!(data.0.lock().unwrap()["v1"], "k1");

        // Read, import and re-plan keep it null; an unchanged config is a no-op.
        let (read, _) = s.read_resource("test_vault", &created).await;
        assert!(read.get("key_wo").is_null());
        let (imported, _) = s.import_resource_state("test_vault", "v1").await;
        assert!(imported.get("key_wo").is_null());
        let mut proposed = created.clone();
        *proposed.get_mut("key_wo").unwrap() = Value::string("k1");
        let p = s
            .plan_resource_change("test_vault", &created, &proposed, &config)
            .0;
        assert_eq!(p.state, created);

        // Bumping the version is an update that sends the new key.
        let config2 = vault(Value::Null, Value::string("k2"), 2);
        let mut proposed = created.clone();
        *proposed.get_mut("key_wo").unwrap() = Value::string("k2");
        *proposed.get_mut("key_version").unwrap() = Value::int(2);
        let p = s
            .plan_resource_change("test_vault", &created, &proposed, &config2)
            .0;
        assert!(p.state.get("key_wo").is_null());
        let (updated, d) = s
            .apply_resource_change("test_vault", &created, &p.state, &config2)
            .await;
        assert!(d.is_empty(), "{d}");
        assert!(updated.get("key_wo").is_null());
        assert_eq!(data.0.lock().unwrap()["v1"], "k2");

        // Destroy: planned null (plan_destroy), applied with a null config.
        let p = s
            .plan_resource_change("test_vault", &updated, &Value::Null, &Value::Null)
            .0;
        assert!(p.state.is_null() && p.requires_replace.is_empty());
        let (gone, d) = s
            .apply_resource_change("test_vault", &updated, &Value::Null, &Value::Null)
            .await;
        assert!(gone.is_null() && d.is_empty());
    }

    fn server() -> ProviderServer<TestProvider> {
        let s = ProviderServer::new(TestProvider);
        assert!(s
            .configure("1.0.3", &Value::Object(BTreeMap::new()))
            .is_empty());
        s
    }

    fn config(name: &str) -> Value {
        Value::Object(
            [
                ("id".to_string(), Value::Null),
                ("name".to_string(), Value::string(name)),
                ("timeouts".to_string(), Value::Null),
            ]
            .into(),
        )
    }

    #[tokio::test]
    async fn create_update_read_delete_dispatch_on_null_states() {
        let s = server();
        let planned = s
            .plan_resource_change("test_thing", &Value::Null, &config("a"), &config("a"))
            .0
            .state;
        assert!(planned.get("id").is_unknown());
        let (created, d) = s
            .apply_resource_change("test_thing", &Value::Null, &planned, &config("a"))
            .await;
        assert!(d.is_empty(), "{d}");
        assert_eq!(created.get("id"), &Value::string("x1"));
        assert!(created.get("timeouts").is_null());

        let mut proposed = created.clone();
        *proposed.get_mut("name").unwrap() = Value::string("b");
        let p = s
            .plan_resource_change("test_thing", &created, &proposed, &config("b"))
            .0;
        assert_eq!(p.state.get("id"), &Value::string("x1"));
        let (updated, _) = s
            .apply_resource_change("test_thing", &created, &p.state, &config("b"))
            .await;
        assert_eq!(
            s.read_resource("test_thing", &updated).await.0.get("name"),
            &Value::string("b")
        );

        let (gone, d) = s
            .apply_resource_change("test_thing", &updated, &Value::Null, &Value::Null)
            .await;
        assert!(gone.is_null() && d.is_empty());
        // Deleted behind Terraform's back: read says gone.
        assert!(s.read_resource("test_thing", &updated).await.0.is_null());
    }

    #[tokio::test]
    async fn failed_create_keeps_what_exists_in_state() {
        let s = server();
        let planned = s
            .plan_resource_change(
                "test_thing",
                &Value::Null,
                &config("fail-after-create"),
                &config("fail-after-create"),
            )
            .0
            .state;
        let (state, d) = s
            .apply_resource_change(
                "test_thing",
                &Value::Null,
                &planned,
                &config("fail-after-create"),
            )
            .await;
        assert!(d.has_errors());
        assert_eq!(state.get("id"), &Value::string("x1"));
    }

    #[tokio::test]
    async fn a_panicking_operation_becomes_an_error_diagnostic() {
        let s = server();
        let planned = s
            .plan_resource_change(
                "test_thing",
                &Value::Null,
                &config("panic"),
                &config("panic"),
            )
            .0
            .state;
        let (state, d) = s
            .apply_resource_change("test_thing", &Value::Null, &planned, &config("panic"))
            .await;
        assert!(state.is_null());
        assert!(
            d.0[0].summary.contains("panicked") && d.0[0].detail.contains("boom"),
            "{d}"
        );
    }

    /// Issue 12 case 3: a `timeouts` value that passed the old validation
    /// crashed the plugin at apply ("overflow when adding duration to instant").
    #[tokio::test]
    async fn an_enormous_timeout_in_the_plan_cannot_panic_the_apply() {
        let s = server();
        let mut c = config("a");
        *c.get_mut("timeouts").unwrap() = Value::Object(
            [
                ("create".to_string(), Value::string("9999999999999999999s")),
                ("read".to_string(), Value::Null),
                ("update".to_string(), Value::Null),
                ("delete".to_string(), Value::Null),
            ]
            .into(),
        );
        let d = s.validate_resource_config("test_thing", &c, &ClientCapabilities::default());
        assert_eq!(d.0.len(), 1, "{d}");
        assert_eq!(d.0[0].path.as_ref().unwrap().to_string(), "timeouts.create");
        // Were it to get past validation anyway, apply saturates instead of panicking.
        let planned = s
            .plan_resource_change("test_thing", &Value::Null, &c, &c)
            .0
            .state;
        let (created, d) = s
            .apply_resource_change("test_thing", &Value::Null, &planned, &c)
            .await;
        assert!(d.is_empty(), "{d}");
        assert_eq!(created.get("id"), &Value::string("x1"));
    }

    #[tokio::test]
    async fn import_then_read_fills_the_state() {
        let s = server();
        let planned = s
            .plan_resource_change("test_thing", &Value::Null, &config("a"), &config("a"))
            .0
            .state;
        s.apply_resource_change("test_thing", &Value::Null, &planned, &config("a"))
            .await;
        let (imported, d) = s.import_resource_state("test_thing", "x1").await;
        assert!(d.is_empty());
        assert!(imported.get("name").is_null());
        assert_eq!(
            s.read_resource("test_thing", &imported).await.0.get("name"),
            &Value::string("a")
        );
    }

    #[test]
    fn state_upgrades_by_schema_version() {
        let s = server();
        let (v, d) = s.upgrade_resource_state("test_thing", 0, br#"{"id":"x1","label":"old"}"#);
        assert!(d.is_empty(), "{d}");
        assert_eq!(v.get("name"), &Value::string("old"));
        let (v, d) = s.upgrade_resource_state(
            "test_thing",
            1,
            b"{\n  \"id\": \"x1\",\n  \"name\": \"n\"\n}",
        );
        assert!(d.is_empty());
        assert_eq!(v.get("name"), &Value::string("n"));
        assert!(v.get("timeouts").is_null());
        assert!(s
            .upgrade_resource_state("test_thing", 2, b"{}")
            .1
            .has_errors());
        assert!(s.upgrade_resource_state("nope", 1, b"{}").1.has_errors());
    }

    #[test]
    fn validation_reports_paths_and_unknown_types() {
        let s = server();
        let mut c = config("a");
        *c.get_mut("timeouts").unwrap() = Value::Object(
            [
                ("create".to_string(), Value::string("ten minutes")),
                ("read".to_string(), Value::Null),
                ("update".to_string(), Value::Null),
                ("delete".to_string(), Value::Null),
            ]
            .into(),
        );
        let d = s.validate_resource_config("test_thing", &c, &ClientCapabilities::default());
        assert_eq!(d.0[0].path.as_ref().unwrap().to_string(), "timeouts.create");
        assert!(s
            .validate_resource_config("nope", &c, &ClientCapabilities::default())
            .has_errors());
    }
}
