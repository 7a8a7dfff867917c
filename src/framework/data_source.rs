//! The data source contract: a schema and a read. Terraform reads a data
//! source during plan when its configuration is wholly known (later, during
//! apply, when it is not), so a data source's checks and results are plan-time
//! facts. Like resources, data sources work on a typed state struct whose
//! serde field names are the schema's attribute names.

use async_trait::async_trait;

use super::diag::Diagnostics;
use super::resource::Ctx;
use super::typed::{to_typed, Declared, Described, Typed};
use super::value::Value;

/// Its [`Declared::State`] is the configuration in, with the computed
/// attributes filled in by `read`.
#[async_trait]
pub trait DataSource<D: Send + Sync + 'static>: Declared<D> {
    /// Fills in the computed attributes. Configured ones must come back as
    /// they went in: Terraform checks.
    async fn read(&self, ctx: &Ctx<D>, config: Self::State) -> Result<Self::State, Diagnostics>;
}

/// Object-safe view of a data source, working on framework values.
#[async_trait]
pub trait DynDataSource<D>: Described {
    async fn read(&self, ctx: &Ctx<D>, config: &Value) -> Result<Value, Diagnostics>;
}

#[async_trait]
impl<D, R> DynDataSource<D> for Typed<R>
where
    D: Send + Sync + 'static,
    R: DataSource<D>,
{
    async fn read(&self, ctx: &Ctx<D>, config: &Value) -> Result<Value, Diagnostics> {
        let state = self.inner.read(ctx, to_typed(config)?).await?;
        self.encode(&state, config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::schema::{Attribute, Schema};
    use crate::framework::server::ProviderServer;
    use crate::framework::testing::{names, TestProvider};
    use crate::framework::validate::one_of;
    use serde::{Deserialize, Serialize};

    #[derive(Default, Serialize, Deserialize)]
    struct Greeting {
        name: Option<String>,
        language: Option<String>,
        text: Option<String>,
    }

    /// A data source that needs no cloud: it greets in a language.
    struct Greeter;

    impl Declared<()> for Greeter {
        type State = Greeting;
        fn type_name(&self) -> &'static str {
            "test_greeting"
        }
        fn schema(&self) -> Schema {
            Schema::new("g")
                .attribute(Attribute::string("name").required().description("n"))
                .attribute(
                    Attribute::string("language")
                        .optional()
                        .description("l")
                        .validator(one_of(&["en", "fr"])),
                )
                .attribute(Attribute::string("text").computed().description("t"))
        }
    }

    #[async_trait]
    impl DataSource<()> for Greeter {
        async fn read(&self, _ctx: &Ctx<()>, c: Greeting) -> Result<Greeting, Diagnostics> {
            let name = c.name.clone().unwrap_or_default();
            if name.is_empty() {
                return Err(Diagnostics::error("Nobody to greet", "name is empty"));
            }
            let hello = match c.language.as_deref() {
                Some("fr") => "Bonjour",
                _ => "Hello",
            };
            Ok(Greeting {
                text: Some(format!("{hello}, {name}")),
                ..c
            })
        }
    }

    fn provider() -> TestProvider<()> {
        TestProvider {
            data_sources: || vec![Box::new(Typed::new(Greeter))],
            ..TestProvider::default()
        }
    }

    fn config(name: &str, language: Value) -> Value {
        Value::Object(
            [
                ("name".to_string(), Value::string(name)),
                ("language".to_string(), language),
                ("text".to_string(), Value::Null),
            ]
            .into(),
        )
    }

    #[tokio::test]
    async fn read_fills_computed_attributes_and_keeps_the_configured_ones() {
        let server = provider().configured("1.0.3");
        let (v, d) = server
            .read_data_source("test_greeting", &config("Ada", Value::string("fr")))
            .await;
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(v.get("text"), &Value::string("Bonjour, Ada"));
        assert_eq!(v.get("language"), &Value::string("fr"));
        let (v, d) = server
            .read_data_source("test_greeting", &config("", Value::Null))
            .await;
        assert!(v.is_null() && d.has_errors());
    }

    #[tokio::test]
    async fn validation_names_the_attribute_and_unknown_types_are_refused() {
        let server = provider().configured("1.0.3");
        let d =
            server.validate_data_source_config("test_greeting", &config("A", Value::string("de")));
        assert_eq!(
            d.0[0].path.as_ref().map(|p| p.to_string()),
            Some("language".into())
        );
        assert!(server
            .validate_data_source_config("test_nothing", &config("A", Value::Null))
            .has_errors());
        assert_eq!(names(server.data_source_schemas()), ["test_greeting"]);
    }

    #[tokio::test]
    async fn a_read_before_configure_is_an_error_not_a_panic() {
        let server = ProviderServer::new(provider());
        let (v, d) = server
            .read_data_source("test_greeting", &config("Ada", Value::Null))
            .await;
        assert!(v.is_null() && d.has_errors());
    }
}
