//! JD Cloud VPN resources (the `bgw` service).

pub mod border_gateway;
pub mod border_gateway_route;
pub mod customer_gateway;
pub mod customer_gateway_addresses;
pub mod vpc_attachment;
pub mod vpn_connection;
pub mod vpn_tunnel;

/// Name patterns JD Cloud applies to every bgw name (docs/design/jdcloud.md §6).
pub const NAME_PATTERN: &str = r"[\p{Han}0-9A-Za-z_-]{1,32}";
pub const NAME_EXPLANATION: &str =
    "1 to 32 characters: Chinese characters, letters, digits, `_` and `-`";

use crate::cloud::regions;
use crate::framework::validate::{in_list, length_between, no_control_chars, pattern};
use crate::framework::validate::{InList, StringPattern};
use crate::framework::Attribute;
use crate::resources::schema_parts;

/// A resource's `region`: one of JD Cloud's regions (the table in `cloud::regions`).
pub fn region_rule() -> InList {
    in_list(regions::JDCLOUD, "a JD Cloud region ID")
}

/// An argument naming another JD Cloud object. The shape is INFERRED
/// (docs/design/jdcloud.md §8.5); what matters is that it is not empty and
/// safe in a URL path, where JD Cloud ids travel.
pub fn id_rule() -> StringPattern {
    pattern(
        "[a-z][a-z0-9]*-[a-z0-9]+",
        "a JD Cloud ID such as `bgw-abc123` (a lower-case prefix, `-`, lower-case letters and digits)",
    )
}

/// A JD Cloud resource's `region` argument.
pub fn region(description: &str) -> Attribute {
    schema_parts::region(description, region_rule())
}

/// The `name` JD Cloud requires of every bgw object.
pub fn name(description: &str) -> Attribute {
    Attribute::string("name")
        .required()
        .description(description)
        .validator(pattern(NAME_PATTERN, NAME_EXPLANATION))
}

/// The optional free-text `description` of a bgw object.
pub fn description() -> Attribute {
    Attribute::string("description")
        .optional()
        .description("Free-text description, up to 256 characters.")
        .validator(length_between(1, 256))
        .validator(no_control_chars())
}

/// A required id of another JD Cloud object; another id replaces this one.
pub fn reference(name: &str, description: &str) -> Attribute {
    schema_parts::reference(name, description, id_rule())
}

/// When JD Cloud created the object.
pub fn created_time(description: &str) -> Attribute {
    schema_parts::fixed(Attribute::string("created_time"), description)
}

use async_trait::async_trait;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::clients::ProviderData;
use crate::cloud::jdcloud::ops::Kind;
use crate::cloud::jdcloud::types::Listed;
use crate::cloud::jdcloud::Client;
use crate::cloud::ApiError;
use crate::framework::lifecycle;
use crate::framework::{Diagnostics, Failed, Located, Locator, Managed, NotCreated, Schema, Value};
use crate::resources::common::{jd_find, jd_modify};
use crate::resources::ownership::{jd_create, Identity, Target};

/// A JD Cloud create's means: see [`lifecycle::In`].
pub type In<'a> = lifecycle::In<'a, ProviderData, Client>;
/// A JD Cloud update's or delete's means: see [`lifecycle::On`].
pub type On<'a> = lifecycle::On<'a, ProviderData, Client>;

/// A JD Cloud `bgw` object made by one create call, changed by one modify
/// call and read by one describe: all but one of our JD resources. It says
/// how to build the calls and read the answer; [`Jd`] makes the calls.
#[async_trait]
pub trait JdResource: Send + Sync + 'static {
    type State: Serialize + DeserializeOwned + Default + Located + Send + Sync;
    /// The object as describe and list return it.
    type Object: Listed + Sync;
    /// The create request body.
    type Spec: Serialize + Send + Sync;
    /// The modify request body; its default changes nothing.
    type Modify: Serialize + Send + Sync + PartialEq + Default;

    const TYPE_NAME: &'static str;
    const WHAT: &'static str;
    const KIND: Kind;

    fn schema(&self) -> Schema;
    fn expand(&self, plan: &Self::State) -> Self::Spec;
    /// What makes an object of this kind the one `spec` would create.
    fn identity(&self, spec: &Self::Spec) -> Identity<Self::Object>;
    /// The description the user wants, for kinds created with a marker.
    fn description<'a>(&self, _plan: &'a Self::State) -> Option<&'a str> {
        None
    }
    fn expand_modify(&self, prior: &Self::State, plan: &Self::State) -> Self::Modify;
    fn flatten(&self, object: &Self::Object, at: &Locator, known: &Self::State) -> Self::State;

    /// Parents of the object (the border gateway of a route).
    fn parents(&self, _plan: &Self::State) -> Vec<String> {
        Vec::new()
    }
    /// See [`Managed::locate`].
    fn locate(&self, state: &Self::State, default_region: &str) -> Option<Locator> {
        Some(Locator::new(
            state.region().unwrap_or(default_region),
            [state.id()?],
        ))
    }
    /// See [`Managed::stub`].
    fn stub(&self, at: &Locator, mut base: Self::State) -> Self::State {
        base.place(at);
        base
    }
    /// See [`Managed::import_locator`].
    fn import_locator(&self, id: &str, default_region: &str) -> Result<Locator, Diagnostics> {
        Locator::parse_import(id, default_region)
    }
    /// What a create needs beyond the create call (e.g. a setting the
    /// create request cannot carry).
    async fn after_create(&self, _on: &On<'_>, _plan: &Self::State) -> Result<(), Diagnostics> {
        Ok(())
    }
    /// What an update needs beyond the modify call.
    async fn after_update(
        &self,
        _on: &On<'_>,
        _prior: &Self::State,
        _plan: &Self::State,
    ) -> Result<(), Diagnostics> {
        Ok(())
    }
    /// What must happen before the object can be deleted.
    async fn before_delete(&self, _on: &On<'_>) -> Result<(), ApiError> {
        Ok(())
    }
    /// See [`Managed::modify_plan`].
    fn modify_plan(
        &self,
        _prior: &Value,
        _planned: &mut Value,
        _config: &Value,
        _diags: &mut Diagnostics,
    ) {
    }
}

/// A [`JdResource`] as a [`Managed`] one.
pub struct Jd<R>(pub R);

#[async_trait]
impl<R: JdResource> Managed<ProviderData> for Jd<R> {
    type State = R::State;
    type Client = Client;
    type Object = R::Object;
    type Error = ApiError;
    const TYPE_NAME: &'static str = R::TYPE_NAME;
    const WHAT: &'static str = R::WHAT;

    fn schema(&self) -> Schema {
        self.0.schema()
    }

    fn locate(&self, state: &R::State, default_region: &str) -> Option<Locator> {
        self.0.locate(state, default_region)
    }

    fn stub(&self, at: &Locator, base: R::State) -> R::State {
        self.0.stub(at, base)
    }

    fn import_locator(&self, id: &str, default_region: &str) -> Result<Locator, Diagnostics> {
        self.0.import_locator(id, default_region)
    }

    async fn create(&self, op: &In<'_>, plan: &R::State) -> Result<Locator, NotCreated> {
        let spec = self.0.expand(plan);
        let identity = self.0.identity(&spec);
        let parents = self.0.parents(plan);
        let parents: Vec<&str> = parents.iter().map(String::as_str).collect();
        let target = Target::new(R::TYPE_NAME, R::WHAT, op.region, &parents);
        let description = self.0.description(plan);
        let at = jd_create(
            op.client,
            &op.ctx.data.claims,
            &R::KIND,
            &target,
            &identity,
            &spec,
            description,
        )
        .await?;
        let on = On {
            ctx: op.ctx,
            client: op.client,
            at: &at,
        };
        match self.0.after_create(&on, plan).await {
            Ok(()) => Ok(at),
            Err(d) => Err(NotCreated::Exists(at, d)),
        }
    }

    async fn find(&self, client: &Client, at: &Locator) -> Result<R::Object, ApiError> {
        jd_find(client, &R::KIND, &at.region, &at.ids()).await
    }

    fn flatten(&self, object: &R::Object, at: &Locator, known: &R::State) -> R::State {
        self.0.flatten(object, at, known)
    }

    async fn update(
        &self,
        on: &On<'_>,
        prior: &R::State,
        plan: &R::State,
    ) -> Result<(), Diagnostics> {
        let change = self.0.expand_modify(prior, plan);
        jd_modify(on.client, &R::KIND, on.at, R::WHAT, &change).await?;
        self.0.after_update(on, prior, plan).await
    }

    async fn delete(&self, on: &On<'_>) -> Result<(), Failed<ApiError>> {
        self.0.before_delete(on).await?;
        let at = on.at;
        Ok(on.client.delete(&R::KIND, &at.region, &at.ids()).await?)
    }

    fn modify_plan(
        &self,
        prior: &Value,
        planned: &mut Value,
        config: &Value,
        diags: &mut Diagnostics,
    ) {
        self.0.modify_plan(prior, planned, config, diags)
    }
}
