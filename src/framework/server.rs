//! The provider as Terraform's RPCs see it, in framework terms: values in,
//! values and diagnostics out. `tfplugin::server` only translates protobuf.

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};
use std::time::Instant;

use super::diag::Diagnostics;
use super::path::AttrPath;
use super::plan::{plan, Planned};
use super::resource::{Ctx, DynResource};
use super::schema::{conform, Schema};
use super::stop::StopToken;
use super::timeouts::Op;
use super::value::Value;

/// A provider: its configuration schema, how configuration becomes the data
/// resources use (typically API clients), and its resources.
pub trait Provider: Send + Sync + 'static {
    type Data: Send + Sync + 'static;
    fn schema(&self) -> Schema;
    fn configure(&self, config: &Value, terraform_version: &str)
        -> Result<Self::Data, Diagnostics>;
    fn resources(&self) -> Vec<Box<dyn DynResource<Self::Data>>>;
}

pub struct ProviderServer<P: Provider> {
    provider: P,
    schema: Schema,
    resources: BTreeMap<&'static str, Box<dyn DynResource<P::Data>>>,
    data: RwLock<Option<Arc<P::Data>>>,
    stop: StopToken,
}

fn unknown_type(type_name: &str) -> Diagnostics {
    Diagnostics::error(
        "Unknown resource type",
        format!("This provider has no resource type {type_name:?}."),
    )
}

impl<P: Provider> ProviderServer<P> {
    pub fn new(provider: P) -> ProviderServer<P> {
        let schema = provider.schema();
        let resources = provider
            .resources()
            .into_iter()
            .map(|r| (r.type_name(), r))
            .collect();
        ProviderServer {
            provider,
            schema,
            resources,
            data: RwLock::new(None),
            stop: StopToken::new(),
        }
    }

    pub fn provider_schema(&self) -> &Schema {
        &self.schema
    }

    pub fn resource_schemas(&self) -> impl Iterator<Item = (&'static str, &Schema)> {
        self.resources.iter().map(|(k, r)| (*k, r.schema()))
    }

    pub fn resource(&self, type_name: &str) -> Result<&dyn DynResource<P::Data>, Diagnostics> {
        self.resources
            .get(type_name)
            .map(|r| r.as_ref())
            .ok_or_else(|| unknown_type(type_name))
    }

    pub fn stop_token(&self) -> StopToken {
        self.stop.clone()
    }

    pub fn validate_provider_config(&self, config: &Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        self.schema
            .block
            .validate(config, &AttrPath::root(), &mut d);
        d
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

    pub fn validate_resource_config(&self, type_name: &str, config: &Value) -> Diagnostics {
        match self.resource(type_name) {
            Ok(r) => {
                let mut d = Diagnostics::new();
                r.schema().block.validate(config, &AttrPath::root(), &mut d);
                d
            }
            Err(d) => d,
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
            Ok(v) => (conform(&schema.block, &v), Diagnostics::new()),
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
                    "Terraform did not call Configure before using a resource.",
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
            deadline: Instant::now() + timeout,
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
            Ok(ctx) => checked(r.read(&ctx, state).await),
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
            Ok(r) => (
                plan(&r.schema().block, prior, proposed, config),
                Diagnostics::new(),
            ),
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
    /// update otherwise.
    pub async fn apply_resource_change(
        &self,
        type_name: &str,
        prior: &Value,
        planned: &Value,
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
        match op {
            Op::Create => checked(r.create(&ctx, planned).await),
            Op::Update => checked(r.update(&ctx, prior, planned).await),
            _ => {
                let d = r.delete(&ctx, prior).await;
                // On failure Terraform keeps the prior state; on success it must be null.
                if d.has_errors() {
                    (prior.clone(), d)
                } else {
                    (Value::Null, d)
                }
            }
        }
    }

    pub async fn import_resource_state(&self, type_name: &str, id: &str) -> (Value, Diagnostics) {
        let r = match self.resource(type_name) {
            Ok(r) => r,
            Err(d) => return (Value::Null, d),
        };
        match self.ctx(r.schema(), &Value::Null, Op::Read) {
            Ok(ctx) => checked(r.import(&ctx, id).await),
            Err(d) => (Value::Null, d),
        }
    }

    pub fn stop(&self) {
        self.stop.stop();
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
