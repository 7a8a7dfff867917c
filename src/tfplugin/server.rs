//! One handler per tfplugin5 RPC: decode, call `framework::ProviderServer`,
//! encode. No provider logic lives here.

use std::sync::Arc;

use tonic::{Request, Response, Status};

use crate::framework::{Diagnostics, Provider, ProviderServer, Value, SERVER_CAPABILITIES};

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

/// The answer to a ListResource call: hybridnet has no list resources, so
/// the stream is one event carrying the error.
type ListEvents = tokio_stream::Iter<std::vec::IntoIter<Result<pb::list_resource::Event, Status>>>;

/// The private bytes of an ephemeral resource as protobuf's optional field.
fn private_bytes(p: Option<Vec<u8>>) -> Option<Vec<u8>> {
    p.filter(|b| !b.is_empty())
}

fn no_list_resource(type_name: &str) -> Diagnostics {
    Diagnostics::error(
        "Unknown list resource type",
        format!("This provider has no list resource type {type_name:?}."),
    )
}

#[tonic::async_trait]
impl<P: Provider> pb::provider_server::Provider for ProviderService<P> {
    async fn get_metadata(
        &self,
        _r: Request<pb::get_metadata::Request>,
    ) -> Result<Response<pb::get_metadata::Response>, Status> {
        use pb::get_metadata as m;
        Ok(Response::new(m::Response {
            server_capabilities: Some(codec::server_capabilities(&SERVER_CAPABILITIES)),
            diagnostics: Vec::new(),
            data_sources: self
                .core
                .data_source_schemas()
                .map(|(k, _)| m::DataSourceMetadata {
                    type_name: k.to_string(),
                })
                .collect(),
            resources: self
                .core
                .resource_schemas()
                .map(|(k, _)| m::ResourceMetadata {
                    type_name: k.to_string(),
                })
                .collect(),
            functions: Vec::new(),
            ephemeral_resources: self
                .core
                .ephemeral_resource_schemas()
                .map(|(k, _)| m::EphemeralMetadata {
                    type_name: k.to_string(),
                })
                .collect(),
            list_resources: Vec::new(),
        }))
    }

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
            server_capabilities: Some(codec::server_capabilities(&SERVER_CAPABILITIES)),
            functions: Default::default(),
            ephemeral_resource_schemas: self
                .core
                .ephemeral_resource_schemas()
                .map(|(k, s)| (k.to_string(), codec::schema(s)))
                .collect(),
            list_resource_schemas: Default::default(),
        }))
    }

    async fn get_resource_identity_schemas(
        &self,
        _r: Request<pb::get_resource_identity_schemas::Request>,
    ) -> Result<Response<pb::get_resource_identity_schemas::Response>, Status> {
        // No resource declares an identity (protocol 5.9): an empty map says so.
        Ok(Response::new(pb::get_resource_identity_schemas::Response {
            identity_schemas: Default::default(),
            diagnostics: Vec::new(),
        }))
    }

    async fn upgrade_resource_identity(
        &self,
        r: Request<pb::upgrade_resource_identity::Request>,
    ) -> Result<Response<pb::upgrade_resource_identity::Response>, Status> {
        let r = r.into_inner();
        let d = Diagnostics::error(
            "Resource identity not supported",
            format!(
                "{} has no resource identity in this provider, so there is none to upgrade.",
                r.type_name
            ),
        );
        Ok(Response::new(pb::upgrade_resource_identity::Response {
            upgraded_identity: None,
            diagnostics: diagnostics(&d),
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
        let caps = codec::client_capabilities(r.client_capabilities.as_ref());
        tracing::debug!(
            type_name = %r.type_name,
            write_only_attributes_allowed = caps.write_only_attributes_allowed,
            "ValidateResourceTypeConfig"
        );
        Ok(Response::new(resp(self.core.validate_resource_config(
            &r.type_name,
            &config,
            &caps,
        ))))
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
            deferred: None,
            new_identity: None,
        };
        let ty = type_or_return!(self.core.resource(&r.type_name), resp);
        let state = decode_or_return!(r.current_state.as_ref(), &ty, "current state", resp);
        let (v, d) = self.core.read_resource(&r.type_name, &state).await;
        Ok(Response::new(pb::read_resource::Response {
            new_state: Some(encode(&v)),
            diagnostics: diagnostics(&d),
            private: r.private,
            deferred: None,
            new_identity: None,
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
            deferred: None,
            planned_identity: None,
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
        // A destroy plan (we advertise plan_destroy) has a null proposal and
        // a null configuration, and plans null.
        let (planned, d) = self
            .core
            .plan_resource_change(&r.type_name, &prior, &proposed, &config);
        Ok(Response::new(pb::plan_resource_change::Response {
            planned_state: Some(encode(&planned.state)),
            requires_replace: planned.requires_replace.iter().map(codec::path).collect(),
            planned_private: r.prior_private,
            diagnostics: diagnostics(&d),
            legacy_type_system: false,
            deferred: None,
            planned_identity: None,
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
            new_identity: None,
        };
        let ty = type_or_return!(self.core.resource(&r.type_name), resp);
        let prior = decode_or_return!(r.prior_state.as_ref(), &ty, "prior state", resp);
        let planned = decode_or_return!(r.planned_state.as_ref(), &ty, "planned state", resp);
        // Write-only values are only in the configuration (null in the plan).
        let config = decode_or_return!(r.config.as_ref(), &ty, "configuration", resp);
        let (v, d) = self
            .core
            .apply_resource_change(&r.type_name, &prior, &planned, &config)
            .await;
        Ok(Response::new(pb::apply_resource_change::Response {
            new_state: Some(encode(&v)),
            private: r.planned_private,
            diagnostics: diagnostics(&d),
            legacy_type_system: false,
            new_identity: None,
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
                identity: None,
            }]
        };
        Ok(Response::new(pb::import_resource_state::Response {
            imported_resources: imported,
            diagnostics: diagnostics(&d),
            deferred: None,
        }))
    }

    async fn move_resource_state(
        &self,
        r: Request<pb::move_resource_state::Request>,
    ) -> Result<Response<pb::move_resource_state::Response>, Status> {
        let r = r.into_inner();
        let d = Diagnostics::error(
            "Moving resource state not supported",
            format!(
                "hybridnet cannot move state from {} ({}) to {}: no resource accepts state from \
                 another resource type. Remove the `moved` block, then import the object into {} instead.",
                r.source_type_name, r.source_provider_address, r.target_type_name, r.target_type_name
            ),
        );
        Ok(Response::new(pb::move_resource_state::Response {
            target_state: None,
            diagnostics: diagnostics(&d),
            target_private: Vec::new(),
            target_identity: None,
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
            deferred: None,
        };
        let ty = type_or_return!(self.core.data_source(&r.type_name), resp);
        let config = decode_or_return!(r.config.as_ref(), &ty, "data source configuration", resp);
        let (v, d) = self.core.read_data_source(&r.type_name, &config).await;
        Ok(Response::new(pb::read_data_source::Response {
            state: (!v.is_null()).then(|| encode(&v)),
            diagnostics: diagnostics(&d),
            deferred: None,
        }))
    }

    async fn validate_ephemeral_resource_config(
        &self,
        r: Request<pb::validate_ephemeral_resource_config::Request>,
    ) -> Result<Response<pb::validate_ephemeral_resource_config::Response>, Status> {
        let r = r.into_inner();
        let resp = |d: Diagnostics| pb::validate_ephemeral_resource_config::Response {
            diagnostics: diagnostics(&d),
        };
        let ty = type_or_return!(self.core.ephemeral_resource(&r.type_name), resp);
        let config = decode_or_return!(
            r.config.as_ref(),
            &ty,
            "ephemeral resource configuration",
            resp
        );
        Ok(Response::new(resp(
            self.core
                .validate_ephemeral_resource_config(&r.type_name, &config),
        )))
    }

    async fn open_ephemeral_resource(
        &self,
        r: Request<pb::open_ephemeral_resource::Request>,
    ) -> Result<Response<pb::open_ephemeral_resource::Response>, Status> {
        let r = r.into_inner();
        let resp = |d: Diagnostics| pb::open_ephemeral_resource::Response {
            diagnostics: diagnostics(&d),
            renew_at: None,
            result: None,
            private: None,
            deferred: None,
        };
        let ty = type_or_return!(self.core.ephemeral_resource(&r.type_name), resp);
        let config = decode_or_return!(
            r.config.as_ref(),
            &ty,
            "ephemeral resource configuration",
            resp
        );
        let (opened, d) = self
            .core
            .open_ephemeral_resource(&r.type_name, &config)
            .await;
        let Some(o) = opened else {
            return Ok(Response::new(resp(d)));
        };
        Ok(Response::new(pb::open_ephemeral_resource::Response {
            diagnostics: diagnostics(&d),
            renew_at: o.renew_at.map(codec::timestamp),
            result: Some(encode(&o.result)),
            private: private_bytes(o.private),
            deferred: None,
        }))
    }

    async fn renew_ephemeral_resource(
        &self,
        r: Request<pb::renew_ephemeral_resource::Request>,
    ) -> Result<Response<pb::renew_ephemeral_resource::Response>, Status> {
        let r = r.into_inner();
        let (renewed, d) = self
            .core
            .renew_ephemeral_resource(&r.type_name, r.private)
            .await;
        let renewed = renewed.unwrap_or_default();
        Ok(Response::new(pb::renew_ephemeral_resource::Response {
            diagnostics: diagnostics(&d),
            renew_at: renewed.renew_at.map(codec::timestamp),
            private: private_bytes(renewed.private),
        }))
    }

    async fn close_ephemeral_resource(
        &self,
        r: Request<pb::close_ephemeral_resource::Request>,
    ) -> Result<Response<pb::close_ephemeral_resource::Response>, Status> {
        let r = r.into_inner();
        let d = self
            .core
            .close_ephemeral_resource(&r.type_name, r.private)
            .await;
        Ok(Response::new(pb::close_ephemeral_resource::Response {
            diagnostics: diagnostics(&d),
        }))
    }

    type ListResourceStream = ListEvents;

    async fn list_resource(
        &self,
        r: Request<pb::list_resource::Request>,
    ) -> Result<Response<Self::ListResourceStream>, Status> {
        let r = r.into_inner();
        let event = pb::list_resource::Event {
            identity: None,
            display_name: String::new(),
            resource_object: None,
            diagnostic: diagnostics(&no_list_resource(&r.type_name)),
        };
        Ok(Response::new(tokio_stream::iter(vec![Ok(event)])))
    }

    async fn validate_list_resource_config(
        &self,
        r: Request<pb::validate_list_resource_config::Request>,
    ) -> Result<Response<pb::validate_list_resource_config::Response>, Status> {
        let r = r.into_inner();
        Ok(Response::new(pb::validate_list_resource_config::Response {
            diagnostics: diagnostics(&no_list_resource(&r.type_name)),
        }))
    }

    async fn get_functions(
        &self,
        _r: Request<pb::get_functions::Request>,
    ) -> Result<Response<pb::get_functions::Response>, Status> {
        Ok(Response::new(pb::get_functions::Response {
            functions: Default::default(),
            diagnostics: Vec::new(),
        }))
    }

    async fn call_function(
        &self,
        r: Request<pb::call_function::Request>,
    ) -> Result<Response<pb::call_function::Response>, Status> {
        let r = r.into_inner();
        Ok(Response::new(pb::call_function::Response {
            result: None,
            error: Some(pb::FunctionError {
                text: format!("hybridnet has no function named {:?}.", r.name),
                function_argument: None,
            }),
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
