//! The ephemeral resource contract (Terraform 1.10 and later): a schema, an
//! open that produces a result Terraform keeps in memory for one run and never
//! stores, and optionally a renew and a close. Terraform configures the
//! provider first, opens each ephemeral resource whose configuration is known,
//! renews it when it asked to be, and closes it at the end of the run,
//! handing back only the `private` bytes open returned
//! (docs/design/plugin-protocol.md §8).
//!
//! Like data sources, ephemeral resources work on a typed state struct whose
//! serde field names are the schema's attribute names.

use std::time::SystemTime;

use async_trait::async_trait;

use super::diag::Diagnostics;
use super::resource::Ctx;
use super::typed::{to_typed, Declared, Described, Typed};
use super::value::Value;

/// What an open produces.
#[derive(Debug, Clone, PartialEq)]
pub struct Opened<S> {
    /// The configuration with the computed attributes filled in.
    pub result: S,
    /// When Terraform should call renew, if ever (while the run lasts).
    pub renew_at: Option<SystemTime>,
    /// Opaque bytes Terraform hands back to renew and close, e.g. a lease ID.
    pub private: Option<Vec<u8>>,
}

impl<S> Opened<S> {
    /// A result needing neither renew nor close.
    pub fn new(result: S) -> Opened<S> {
        Opened {
            result,
            renew_at: None,
            private: None,
        }
    }
}

/// What a renew produces: when to renew again, and new private bytes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Renewed {
    pub renew_at: Option<SystemTime>,
    pub private: Option<Vec<u8>>,
}

/// Its [`Declared::State`] is the configuration in, with the computed
/// attributes filled in by `open`.
#[async_trait]
pub trait EphemeralResource<D: Send + Sync + 'static>: Declared<D> {
    /// Produces the result. Configured attributes must come back as they went in.
    async fn open(
        &self,
        ctx: &Ctx<D>,
        config: Self::State,
    ) -> Result<Opened<Self::State>, Diagnostics>;
    /// Only called when `open` (or an earlier renew) set `renew_at`.
    async fn renew(&self, _ctx: &Ctx<D>, private: Option<Vec<u8>>) -> Result<Renewed, Diagnostics> {
        Ok(Renewed {
            renew_at: None,
            private,
        })
    }
    /// Releases whatever `open` acquired; nothing by default.
    async fn close(&self, _ctx: &Ctx<D>, _private: Option<Vec<u8>>) -> Result<(), Diagnostics> {
        Ok(())
    }
}

/// Object-safe view of an ephemeral resource, working on framework values.
#[async_trait]
pub trait DynEphemeralResource<D>: Described {
    async fn open(&self, ctx: &Ctx<D>, config: &Value) -> Result<Opened<Value>, Diagnostics>;
    async fn renew(&self, ctx: &Ctx<D>, private: Option<Vec<u8>>) -> Result<Renewed, Diagnostics>;
    async fn close(&self, ctx: &Ctx<D>, private: Option<Vec<u8>>) -> Diagnostics;
}

#[async_trait]
impl<D, R> DynEphemeralResource<D> for Typed<R>
where
    D: Send + Sync + 'static,
    R: EphemeralResource<D>,
{
    async fn open(&self, ctx: &Ctx<D>, config: &Value) -> Result<Opened<Value>, Diagnostics> {
        let opened = self.inner.open(ctx, to_typed(config)?).await?;
        Ok(Opened {
            result: self.encode(&opened.result, config)?,
            renew_at: opened.renew_at,
            private: opened.private,
        })
    }
    async fn renew(&self, ctx: &Ctx<D>, private: Option<Vec<u8>>) -> Result<Renewed, Diagnostics> {
        self.inner.renew(ctx, private).await
    }
    async fn close(&self, ctx: &Ctx<D>, private: Option<Vec<u8>>) -> Diagnostics {
        self.inner
            .close(ctx, private)
            .await
            .err()
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::schema::{Attribute, Schema};
    use crate::framework::server::ProviderServer;
    use crate::framework::testing::{names, TestProvider};
    use crate::framework::validate::int_between;
    use serde::{Deserialize, Serialize};
    use std::sync::Mutex;
    use std::time::Duration;

    #[derive(Default, Serialize, Deserialize)]
    struct Lease {
        size: Option<i64>,
        token: Option<String>,
    }

    /// Leases tokens from a counter; close returns them.
    #[derive(Default)]
    struct Leases {
        next: Mutex<u32>,
        closed: Mutex<Vec<Vec<u8>>>,
    }

    struct LeaseResource;

    impl Declared<Leases> for LeaseResource {
        type State = Lease;
        fn type_name(&self) -> &'static str {
            "test_lease"
        }
        fn schema(&self) -> Schema {
            Schema::new("l")
                .attribute(
                    Attribute::int("size")
                        .optional()
                        .description("s")
                        .validator(int_between(1, 8)),
                )
                .attribute(Attribute::string("token").computed().description("t"))
        }
    }

    #[async_trait]
    impl EphemeralResource<Leases> for LeaseResource {
        async fn open(&self, ctx: &Ctx<Leases>, c: Lease) -> Result<Opened<Lease>, Diagnostics> {
            let n = {
                let mut next = ctx.data.next.lock().unwrap();
                *next += 1;
                *next
            };
            let size = usize::try_from(c.size.unwrap_or(4)).unwrap_or(4);
            Ok(Opened {
                result: Lease {
                    token: Some(format!("{n}").repeat(size)),
                    ..c
                },
                renew_at: Some(SystemTime::UNIX_EPOCH + Duration::from_secs(60)),
                private: Some(format!("lease-{n}").into_bytes()),
            })
        }
        async fn close(
            &self,
            ctx: &Ctx<Leases>,
            private: Option<Vec<u8>>,
        ) -> Result<(), Diagnostics> {
            ctx.data
                .closed
                .lock()
                .unwrap()
                .push(private.unwrap_or_default());
            Ok(())
        }
    }

    fn provider() -> TestProvider<Leases> {
        TestProvider {
            ephemeral: || vec![Box::new(Typed::new(LeaseResource))],
            ..TestProvider::default()
        }
    }

    fn config(size: Value) -> Value {
        Value::Object(
            [
                ("size".to_string(), size),
                ("token".to_string(), Value::Null),
            ]
            .into(),
        )
    }

    fn configured() -> ProviderServer<TestProvider<Leases>> {
        provider().configured("1.11.4")
    }

    #[tokio::test]
    async fn open_fills_the_result_and_close_gets_the_private_bytes_back() {
        let server = configured();
        let (opened, d) = server
            .open_ephemeral_resource("test_lease", &config(Value::int(3)))
            .await;
        assert!(d.is_empty(), "{d}");
        let opened = opened.unwrap();
        assert_eq!(opened.result, {
            let mut c = config(Value::int(3));
            *c.get_mut("token").unwrap() = Value::string("111");
            c
        });
        assert_eq!(opened.private.as_deref(), Some(&b"lease-1"[..]));
        assert!(opened.renew_at.is_some());
        // The default renew keeps the private bytes and asks for no more renewals.
        let (renewed, d) = server
            .renew_ephemeral_resource("test_lease", opened.private.clone())
            .await;
        assert!(d.is_empty());
        assert_eq!(
            renewed,
            Some(Renewed {
                renew_at: None,
                private: opened.private.clone()
            })
        );
        let d = server
            .close_ephemeral_resource("test_lease", opened.private)
            .await;
        assert!(d.is_empty());
        let data = server.ctx_data_for_tests();
        assert_eq!(*data.closed.lock().unwrap(), [b"lease-1".to_vec()]);
    }

    #[tokio::test]
    async fn bad_unknown_or_unconfigured_opens_are_errors() {
        let server = configured();
        let d = server.validate_ephemeral_resource_config("test_lease", &config(Value::int(9)));
        assert_eq!(d.0[0].path.as_ref().unwrap().to_string(), "size");
        // Open checks again, and refuses a configuration not yet known.
        let (o, d) = server
            .open_ephemeral_resource("test_lease", &config(Value::int(9)))
            .await;
        assert!(o.is_none() && d.has_errors());
        let (o, d) = server
            .open_ephemeral_resource("test_lease", &config(Value::Unknown))
            .await;
        assert!(o.is_none() && d.has_errors());
        let (o, d) = server
            .open_ephemeral_resource("test_nothing", &config(Value::Null))
            .await;
        assert!(o.is_none() && d.0[0].summary.contains("Unknown ephemeral"));
        let unconfigured = ProviderServer::new(provider());
        let (o, d) = unconfigured
            .open_ephemeral_resource("test_lease", &config(Value::Null))
            .await;
        assert!(o.is_none() && d.has_errors());
        assert_eq!(names(server.ephemeral_resource_schemas()), ["test_lease"]);
    }
}
