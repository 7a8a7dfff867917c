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
use crate::cloud::jdcloud::ops::{self, Kind};
use crate::cloud::jdcloud::types::{self as api, Listed};
use crate::cloud::jdcloud::Client;
use crate::cloud::ApiError;
use crate::framework::lifecycle::{self, Declaration};
use crate::framework::{Diagnostics, Failed, Located, Locator, Managed, NotCreated};
use crate::resources::common::{jd_find, jd_modify};
use crate::resources::ownership::{jd_create, Identity, Target};

/// A JD Cloud create's means: see [`lifecycle::In`].
pub type In<'a> = lifecycle::In<'a, ProviderData, Client>;
/// A JD Cloud update's or delete's means: see [`lifecycle::On`].
pub type On<'a> = lifecycle::On<'a, ProviderData, Client>;

/// A kind of bgw object: the object as describe and list return it, its
/// create and modify request bodies, and its operations.
pub trait JdObject: Listed + Sync {
    /// The create request body.
    type Spec: Serialize + Send + Sync;
    /// The modify request body; its default changes nothing.
    type Modify: Serialize + Send + Sync + PartialEq + Default;
    const KIND: Kind;
}

/// The table of bgw object kinds: object => create body, modify body, operations.
macro_rules! jd_objects {
    ($($object:ty => $spec:ty, $modify:ty, $kind:expr;)*) => {$(
        impl JdObject for $object {
            type Spec = $spec;
            type Modify = $modify;
            const KIND: Kind = $kind;
        }
    )*};
}

jd_objects! {
    api::Bgw => api::BgwSpec, api::ModifyBgwSpec, ops::BORDER_GATEWAY;
    api::BgwRoute => api::BgwRouteSpec, api::ModifyBgwRouteSpec, ops::BGW_ROUTE;
    api::CustomerGateway => api::CustomerGatewaySpec, api::ModifyCustomerGatewaySpec, ops::CUSTOMER_GATEWAY;
    api::VpcAttachment => api::VpcAttachmentSpec, api::ModifyVpcAttachmentSpec, ops::VPC_ATTACHMENT;
    api::VpnConnection => api::VpnConnectionSpec, api::ModifyVpnConnectionSpec, ops::VPN_CONNECTION;
    api::VpnTunnel => api::VpnTunnelSpec, api::TunnelSettings, ops::VPN_TUNNEL;
}

/// [`resource_impl!`](crate::resources::common::resource_impl) for a
/// `JdResource`, with two more options, in this order after `located` and
/// `planned_by`: `described_by` the field whose planned value the create
/// marks the object with; `flattened_by` a `fn(object, at) -> State` that
/// reads the object back whatever state was known.
macro_rules! jd_resource {
    (
        $resource:ty => $object:ty
        $(, located $located:tt)?
        $(, planned_by $planner:path)?
        $(, described_by $described:ident)?
        $(, flattened_by $flatten:path)?
        ;
        $($items:item)*
    ) => {
        $crate::resources::common::resource_impl! {
            $crate::resources::jdcloud::JdResource: $resource => $object
            $(, located $located)?
            $(, planned_by $planner)?;
            $(
                fn description<'a>(&self, plan: &'a State) -> Option<&'a str> {
                    plan.$described.as_deref()
                }
            )?
            $(
                fn flatten(
                    &self,
                    object: &$object,
                    at: &$crate::framework::Locator,
                    _known: &State,
                ) -> State {
                    $flatten(object, at)
                }
            )?
            $($items)*
        }
    };
}
pub(crate) use jd_resource;

/// The create request body of a resource's object.
pub type Spec<R> = <<R as JdResource>::Object as JdObject>::Spec;
/// The modify request body of a resource's object.
pub type Modify<R> = <<R as JdResource>::Object as JdObject>::Modify;

/// A JD Cloud `bgw` object made by one create call, changed by one modify
/// call and read by one describe: all but one of our JD resources. It says
/// how to build the calls and read the answer; its [`Managed`] steps make
/// the calls.
#[async_trait]
pub trait JdResource: Send + Sync + 'static {
    type State: Serialize + DeserializeOwned + Default + Located + Send + Sync;
    type Object: JdObject;

    const DECLARATION: Declaration;

    fn expand(&self, plan: &Self::State) -> Spec<Self>;
    /// What makes an object of this kind the one `spec` would create.
    fn identity(&self, spec: &Spec<Self>) -> Identity<Self::Object>;
    /// The description the user wants, for kinds created with a marker.
    fn description<'a>(&self, _plan: &'a Self::State) -> Option<&'a str> {
        None
    }
    fn expand_modify(&self, prior: &Self::State, plan: &Self::State) -> Modify<Self>;
    fn flatten(&self, object: &Self::Object, at: &Locator, known: &Self::State) -> Self::State;

    /// Parents of the object (the border gateway of a route).
    fn parents(&self, _plan: &Self::State) -> Vec<String> {
        Vec::new()
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
}

#[async_trait]
impl<R: JdResource> Managed<ProviderData> for R {
    type State = R::State;
    type Client = Client;
    type Object = R::Object;
    const DECLARATION: Declaration = R::DECLARATION;

    async fn create(&self, op: &In<'_>, plan: &R::State) -> Result<Locator, NotCreated> {
        let spec = self.expand(plan);
        let identity = self.identity(&spec);
        let parents = self.parents(plan);
        let parents: Vec<&str> = parents.iter().map(String::as_str).collect();
        let Declaration {
            type_name, what, ..
        } = R::DECLARATION;
        let target = Target::new(type_name, what, op.region, &parents);
        let claims = &op.ctx.data.claims;
        let kind = &R::Object::KIND;
        let description = self.description(plan);
        let at = jd_create(
            op.client,
            claims,
            kind,
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
        match self.after_create(&on, plan).await {
            Ok(()) => Ok(at),
            Err(d) => Err(NotCreated::Exists(at, d)),
        }
    }

    async fn find(&self, client: &Client, at: &Locator) -> Result<R::Object, ApiError> {
        jd_find(client, &R::Object::KIND, &at.region, &at.ids()).await
    }

    fn flatten(&self, object: &R::Object, at: &Locator, known: &R::State) -> R::State {
        JdResource::flatten(self, object, at, known)
    }

    async fn update(
        &self,
        on: &On<'_>,
        prior: &R::State,
        plan: &R::State,
    ) -> Result<(), Diagnostics> {
        let change = self.expand_modify(prior, plan);
        let what = R::DECLARATION.what;
        jd_modify(on.client, &R::Object::KIND, on.at, what, &change).await?;
        self.after_update(on, prior, plan).await
    }

    async fn delete(&self, on: &On<'_>) -> Result<(), Failed<ApiError>> {
        self.before_delete(on).await?;
        let at = on.at;
        Ok(on
            .client
            .delete(&R::Object::KIND, &at.region, &at.ids())
            .await?)
    }
}
