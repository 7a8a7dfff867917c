//! One handler per tfplugin5 RPC: decode, call `framework::ProviderServer`,
//! encode. No provider logic lives here.

use std::sync::Arc;

use tonic::{Request, Response, Status};

use crate::framework::{Diagnostics, Provider, ProviderServer, Value};

use super::codec::{self, decode, decode_error, diagnostics, encode};
use super::proto::tfplugin5 as pb;

/// The tonic service for a framework provider.
pub struct ProviderService<P: Provider> {
    core: Arc<ProviderServer<P>>,
}

impl<P: Provider> ProviderService<P> {
    pub fn new(provider: P) -> ProviderService<P> {
        ProviderService {
            core: Arc::new(ProviderServer::new(provider)),
        }
    }
    pub fn core(&self) -> &ProviderServer<P> {
        &self.core
    }
}

/// Decodes a request value or returns the error diagnostics from the handler.
macro_rules! decode_or_return {
    ($dv:expr, $ty:expr, $what:expr, $resp:expr) => {
        match decode($dv, $ty) {
            Ok(v) => v,
            Err(e) => {
                let d = decode_error($what, &e);
                return Ok(Response::new($resp(d)));
            }
        }
    };
}

/// The value type of a resource or data source, or the "unknown type"
/// diagnostics from the handler.
macro_rules! type_or_return {
    ($found:expr, $resp:expr) => {
        match $found {
            Ok(found) => found.schema().ty(),
            Err(d) => return Ok(Response::new($resp(d))),
        }
    };
}

#[tonic::async_trait]
impl<P: Provider> pb::provider_server::Provider for ProviderService<P> {
    async fn get_schema(
        &self,
        _r: Request<pb::get_provider_schema::Request>,
    ) -> Result<Response<pb::get_provider_schema::Response>, Status> {
        tracing::trace!("GetSchema");
        Ok(Response::new(pb::get_provider_schema::Response {
            provider: Some(codec::schema(self.core.provider_schema())),
            resource_schemas: self
                .core
                .resource_schemas()
                .map(|(k, s)| (k.to_string(), codec::schema(s)))
                .collect(),
            data_source_schemas: self
                .core
                .data_source_schemas()
                .map(|(k, s)| (k.to_string(), codec::schema(s)))
                .collect(),
            diagnostics: Vec::new(),
            provider_meta: None,
        }))
    }

    async fn prepare_provider_config(
        &self,
        r: Request<pb::prepare_provider_config::Request>,
    ) -> Result<Response<pb::prepare_provider_config::Response>, Status> {
        let r = r.into_inner();
        let resp = |d: Diagnostics| pb::prepare_provider_config::Response {
            prepared_config: None,
            diagnostics: diagnostics(&d),
        };
        let config = decode_or_return!(
            r.config.as_ref(),
            &self.core.provider_schema().ty(),
            "provider configuration",
            resp
        );
        let d = self.core.validate_provider_config(&config);
        // Core ignores prepared_config since 0.15; echo it for older cores.
        Ok(Response::new(pb::prepare_provider_config::Response {
            prepared_config: r.config,
            diagnostics: diagnostics(&d),
        }))
    }

    async fn validate_resource_type_config(
        &self,
        r: Request<pb::validate_resource_type_config::Request>,
    ) -> Result<Response<pb::validate_resource_type_config::Response>, Status> {
        let r = r.into_inner();
        let resp = |d: Diagnostics| pb::validate_resource_type_config::Response {
            diagnostics: diagnostics(&d),
        };
        let ty = type_or_return!(self.core.resource(&r.type_name), resp);
        let config = decode_or_return!(r.config.as_ref(), &ty, "resource configuration", resp);
        Ok(Response::new(resp(
            self.core.validate_resource_config(&r.type_name, &config),
        )))
    }

    async fn validate_data_source_config(
        &self,
        r: Request<pb::validate_data_source_config::Request>,
    ) -> Result<Response<pb::validate_data_source_config::Response>, Status> {
        let r = r.into_inner();
        let resp = |d: Diagnostics| pb::validate_data_source_config::Response {
            diagnostics: diagnostics(&d),
        };
        let ty = type_or_return!(self.core.data_source(&r.type_name), resp);
        let config = decode_or_return!(r.config.as_ref(), &ty, "data source configuration", resp);
        Ok(Response::new(resp(
            self.core.validate_data_source_config(&r.type_name, &config),
        )))
    }

    async fn upgrade_resource_state(
        &self,
        r: Request<pb::upgrade_resource_state::Request>,
    ) -> Result<Response<pb::upgrade_resource_state::Response>, Status> {
        let r = r.into_inner();
        let raw = r.raw_state.map(|s| s.json).unwrap_or_default();
        let (v, d) = self
            .core
            .upgrade_resource_state(&r.type_name, r.version, &raw);
        Ok(Response::new(pb::upgrade_resource_state::Response {
            upgraded_state: (!d.has_errors()).then(|| encode(&v)),
            diagnostics: diagnostics(&d),
        }))
    }

    async fn configure(
        &self,
        r: Request<pb::configure::Request>,
    ) -> Result<Response<pb::configure::Response>, Status> {
        let r = r.into_inner();
        let resp = |d: Diagnostics| pb::configure::Response {
            diagnostics: diagnostics(&d),
        };
        let config = decode_or_return!(
            r.config.as_ref(),
            &self.core.provider_schema().ty(),
            "provider configuration",
            resp
        );
        Ok(Response::new(resp(
            self.core.configure(&r.terraform_version, &config),
        )))
    }

    async fn read_resource(
        &self,
        r: Request<pb::read_resource::Request>,
    ) -> Result<Response<pb::read_resource::Response>, Status> {
        let r = r.into_inner();
        let resp = |d: Diagnostics| pb::read_resource::Response {
            new_state: None,
            diagnostics: diagnostics(&d),
            private: Vec::new(),
        };
        let ty = type_or_return!(self.core.resource(&r.type_name), resp);
        let state = decode_or_return!(r.current_state.as_ref(), &ty, "current state", resp);
        let (v, d) = self.core.read_resource(&r.type_name, &state).await;
        Ok(Response::new(pb::read_resource::Response {
            new_state: Some(encode(&v)),
            diagnostics: diagnostics(&d),
            private: r.private,
        }))
    }

    async fn plan_resource_change(
        &self,
        r: Request<pb::plan_resource_change::Request>,
    ) -> Result<Response<pb::plan_resource_change::Response>, Status> {
        let r = r.into_inner();
        let resp = |d: Diagnostics| pb::plan_resource_change::Response {
            planned_state: None,
            requires_replace: Vec::new(),
            planned_private: Vec::new(),
            diagnostics: diagnostics(&d),
            legacy_type_system: false,
        };
        let ty = type_or_return!(self.core.resource(&r.type_name), resp);
        let prior = decode_or_return!(r.prior_state.as_ref(), &ty, "prior state", resp);
        let proposed = decode_or_return!(
            r.proposed_new_state.as_ref(),
            &ty,
            "proposed new state",
            resp
        );
        let config = decode_or_return!(r.config.as_ref(), &ty, "configuration", resp);
        let (planned, d) = self
            .core
            .plan_resource_change(&r.type_name, &prior, &proposed, &config);
        Ok(Response::new(pb::plan_resource_change::Response {
            planned_state: Some(encode(&planned.state)),
            requires_replace: planned.requires_replace.iter().map(codec::path).collect(),
            planned_private: r.prior_private,
            diagnostics: diagnostics(&d),
            legacy_type_system: false,
        }))
    }

    async fn apply_resource_change(
        &self,
        r: Request<pb::apply_resource_change::Request>,
    ) -> Result<Response<pb::apply_resource_change::Response>, Status> {
        let r = r.into_inner();
        let resp = |d: Diagnostics| pb::apply_resource_change::Response {
            new_state: None,
            private: Vec::new(),
            diagnostics: diagnostics(&d),
            legacy_type_system: false,
        };
        let ty = type_or_return!(self.core.resource(&r.type_name), resp);
        let prior = decode_or_return!(r.prior_state.as_ref(), &ty, "prior state", resp);
        let planned = decode_or_return!(r.planned_state.as_ref(), &ty, "planned state", resp);
        let (v, d) = self
            .core
            .apply_resource_change(&r.type_name, &prior, &planned)
            .await;
        Ok(Response::new(pb::apply_resource_change::Response {
            new_state: Some(encode(&v)),
            private: r.planned_private,
            diagnostics: diagnostics(&d),
            legacy_type_system: false,
        }))
    }

    async fn import_resource_state(
        &self,
        r: Request<pb::import_resource_state::Request>,
    ) -> Result<Response<pb::import_resource_state::Response>, Status> {
        let r = r.into_inner();
        let (v, d) = self.core.import_resource_state(&r.type_name, &r.id).await;
        let imported = if d.has_errors() || v == Value::Null {
            Vec::new()
        } else {
            vec![pb::import_resource_state::ImportedResource {
                type_name: r.type_name,
                state: Some(encode(&v)),
                private: Vec::new(),
            }]
        };
        Ok(Response::new(pb::import_resource_state::Response {
            imported_resources: imported,
            diagnostics: diagnostics(&d),
        }))
    }

    async fn read_data_source(
        &self,
        r: Request<pb::read_data_source::Request>,
    ) -> Result<Response<pb::read_data_source::Response>, Status> {
        let r = r.into_inner();
        let resp = |d: Diagnostics| pb::read_data_source::Response {
            state: None,
            diagnostics: diagnostics(&d),
        };
        let ty = type_or_return!(self.core.data_source(&r.type_name), resp);
        let config = decode_or_return!(r.config.as_ref(), &ty, "data source configuration", resp);
        let (v, d) = self.core.read_data_source(&r.type_name, &config).await;
        Ok(Response::new(pb::read_data_source::Response {
            state: (!v.is_null()).then(|| encode(&v)),
            diagnostics: diagnostics(&d),
        }))
    }

    async fn stop(
        &self,
        _r: Request<pb::stop::Request>,
    ) -> Result<Response<pb::stop::Response>, Status> {
        tracing::info!("Stop requested by Terraform");
        self.core.stop();
        Ok(Response::new(pb::stop::Response {
            error: String::new(),
        }))
    }
}
