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
use super::typed::Described;
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

impl<T: ?Sized + Described> Registry<T> {
    fn new(what: &'static str, types: Vec<Box<T>>) -> Self {
        let types = types.into_iter().map(|t| (t.type_name(), t)).collect();
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

    fn schemas(&self) -> impl Iterator<Item = (&'static str, &Schema)> {
        self.types.iter().map(|(k, t)| (*k, t.schema()))
    }
}

impl<P: Provider> ProviderServer<P> {
    pub fn new(provider: P) -> ProviderServer<P> {
        let schema = provider.schema();
        let resources = Registry::new("resource type", provider.resources());
        let data_sources = Registry::new("data source", provider.data_sources());
        let ephemeral = Registry::new("ephemeral resource type", provider.ephemeral_resources());
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
        self.resources.schemas()
    }

    pub fn resource(&self, type_name: &str) -> Result<&dyn DynResource<P::Data>, Diagnostics> {
        self.resources.get(type_name)
    }

    pub fn data_source_schemas(&self) -> impl Iterator<Item = (&'static str, &Schema)> {
        self.data_sources.schemas()
    }

    pub fn data_source(&self, type_name: &str) -> Result<&dyn DynDataSource<P::Data>, Diagnostics> {
        self.data_sources.get(type_name)
    }

    pub fn ephemeral_resource_schemas(&self) -> impl Iterator<Item = (&'static str, &Schema)> {
        self.ephemeral.schemas()
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
            async { paired(r.open(&ctx, config).await.map(Some), None) },
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
            async { paired(r.renew(&ctx, private).await.map(Some), None) },
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
            Ok(ctx) => {
                let read = async { paired(r.read(&ctx, config).await, Value::Null) };
                checked(guarded(read, Value::Null).await)
            }
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
                    if let Some(modify) = r.plan_modifier() {
                        modify(prior, &mut planned.state, config, &mut d);
                    }
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

/// An operation's result as the server answers: its value, or `fallback`
/// with the diagnostics saying why there is none.
fn paired<T>(result: Result<T, Diagnostics>, fallback: T) -> (T, Diagnostics) {
    match result {
        Ok(v) => (v, Diagnostics::new()),
        Err(d) => (fallback, d),
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
mod tests;
