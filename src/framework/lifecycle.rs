//! The life of one cloud object, owned by the framework. A resource says how
//! to make, find, flatten, change and delete its object ([`Managed`]); the
//! framework ([`Lifecycle`]) does what every resource does the same way:
//! the client for the operation's deadline, the region, reading back after
//! create and update, a read that finds nothing dropping the resource from
//! state, a delete of something gone counting as done, import by
//! `[REGION/]ID`, and keeping in state whatever exists when a later step
//! fails, so that nothing is orphaned.

use std::fmt;
use std::time::Instant;

use async_trait::async_trait;
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::diag::Diagnostics;
pub use super::resource::PlanModifier;
use super::resource::{Ctx, Failure, Resource};
use super::schema::Schema;
use super::typed::Declared;

/// Where an object lives: its region and its id path (parents first, its
/// own id last), e.g. `cn-north-1` and `[bgw-1, route-2]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Locator {
    pub region: String,
    pub path: Vec<String>,
}

impl Locator {
    pub fn new<I, S>(region: impl Into<String>, path: I) -> Locator
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Locator {
            region: region.into(),
            path: path.into_iter().map(Into::into).collect(),
        }
    }

    /// The object's own id.
    pub fn id(&self) -> &str {
        self.path.last().map(String::as_str).unwrap_or_default()
    }

    /// Parents and id, as clients take them.
    pub fn ids(&self) -> Vec<&str> {
        self.path.iter().map(String::as_str).collect()
    }

    /// The parent ids, without the object's own.
    pub fn parents(&self) -> Vec<&str> {
        let ids = self.ids();
        ids[..ids.len().saturating_sub(1)].to_vec()
    }

    /// `[REGION/]ID`, the import id of an object known by one id.
    pub fn parse_import(id: &str, default_region: &str) -> Result<Locator, Diagnostics> {
        let bad = || {
            Diagnostics::error(
                "Invalid import ID",
                format!("Expected \"<id>\" or \"<region>/<id>\", got {id:?}."),
            )
        };
        match id.split_once('/') {
            None if !id.trim().is_empty() => Ok(Locator::new(default_region, [id])),
            Some((r, i)) if !r.is_empty() && !i.is_empty() && !i.contains('/') => {
                Ok(Locator::new(r, [i]))
            }
            _ => Err(bad()),
        }
    }
}

/// The id path, `parent/…/id`, as messages name the object.
impl fmt::Display for Locator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.path.join("/"))
    }
}

/// A typed state that says where its object is. Most states have `id` and
/// `region` attributes and keep the defaults (see [`located!`](crate::located));
/// an object under a parent, or known by more than its id, overrides them.
pub trait Located: Sized {
    fn region(&self) -> Option<&str>;
    fn id(&self) -> Option<&str>;
    /// Names the object at `at`: what is saved for an object whose read-back
    /// failed, and the start of an import.
    fn place(&mut self, at: &Locator);
    /// Where the object lives: its region (or the provider's) and its id.
    fn locate(&self, default_region: &str) -> Option<Locator> {
        let id = self.id()?;
        Some(Locator::new(self.region().unwrap_or(default_region), [id]))
    }
    /// How an import id names an object: `[REGION/]ID` unless overridden.
    fn import_locator(id: &str, default_region: &str) -> Result<Locator, Diagnostics> {
        Locator::parse_import(id, default_region)
    }
}

/// Implements [`Located`] for a state struct with `id: Option<String>` and
/// `region: Option<String>` fields: `located!(State)`, or
/// `located!(State { fn place… })` with `place` and any other overrides.
#[macro_export]
macro_rules! located {
    ($state:ty) => {
        $crate::located!($state {
            fn place(&mut self, at: &$crate::framework::lifecycle::Locator) {
                self.id = Some(at.id().to_string());
                self.region = Some(at.region.clone());
            }
        });
    };
    ($state:ty { $($overrides:item)* }) => {
        impl $crate::framework::lifecycle::Located for $state {
            fn region(&self) -> Option<&str> {
                self.region.as_deref()
            }
            fn id(&self) -> Option<&str> {
                self.id.as_deref()
            }
            $($overrides)*
        }
    };
}

/// What Terraform and messages know of a resource, declared once: its type
/// name, how messages name its object, its schema and (rarely) how it
/// changes a plan.
#[derive(Clone, Copy)]
pub struct Declaration {
    pub type_name: &'static str,
    /// How messages name the object, e.g. "JD Cloud customer gateway".
    pub what: &'static str,
    pub schema: fn() -> Schema,
    pub modify_plan: Option<PlanModifier>,
}

impl Declaration {
    pub const fn new(type_name: &'static str, what: &'static str, schema: fn() -> Schema) -> Self {
        Declaration {
            type_name,
            what,
            schema,
            modify_plan: None,
        }
    }

    /// The same, with a plan modifier.
    pub const fn planned_by(self, modifier: PlanModifier) -> Self {
        Declaration {
            modify_plan: Some(modifier),
            ..self
        }
    }
}

/// What the lifecycle needs to know of a cloud call's error.
pub trait CloudError: fmt::Display + Send + Sync {
    /// The object does not exist (not: access denied).
    fn is_not_found(&self) -> bool;
}

/// A cloud client, made for one operation's deadline from the provider's
/// configured data `D`.
pub trait Connect<D>: Sized + Send + Sync {
    /// What the client's calls fail with.
    type Error: CloudError;
    fn connect(data: &D, deadline: Instant) -> Result<Self, Diagnostics>;
    /// The provider's region for objects whose configuration names none.
    fn default_region(&self) -> &str;
}

/// A failed step: a cloud call's error (which may mean "not found"), or
/// anything else, already worded.
#[derive(Debug)]
pub enum Failed<E> {
    Call(E),
    Other(Diagnostics),
}

impl<E> From<E> for Failed<E> {
    fn from(e: E) -> Failed<E> {
        Failed::Call(e)
    }
}

/// A create that did not produce a usable object.
#[derive(Debug)]
pub enum NotCreated {
    /// Nothing was made.
    Nothing(Diagnostics),
    /// The object exists, but a step after making it failed: it is kept in
    /// state (Terraform taints it) so it is not orphaned.
    Exists(Locator, Diagnostics),
}

impl From<Diagnostics> for NotCreated {
    fn from(d: Diagnostics) -> NotCreated {
        NotCreated::Nothing(d)
    }
}

/// What a create works with: the operation (its deadline and `Stop`), a
/// client bound to that deadline, and the region to make the object in.
pub struct In<'a, D, C> {
    pub ctx: &'a Ctx<D>,
    pub client: &'a C,
    pub region: &'a str,
}

/// What an update or a delete works with: the operation, a client bound to
/// its deadline, and where the object is.
pub struct On<'a, D, C> {
    pub ctx: &'a Ctx<D>,
    pub client: &'a C,
    pub at: &'a Locator,
}

/// One kind of cloud object as a Terraform resource. Implement the steps
/// that differ between objects; [`Lifecycle`] does the rest.
#[async_trait]
pub trait Managed<D: Send + Sync + 'static>: Send + Sync + 'static {
    /// Typed state: serde field names equal the schema's attribute names.
    type State: Serialize + DeserializeOwned + Default + Located + Send + Sync;
    type Client: Connect<D>;
    /// The object as `find` returns it.
    type Object: Send + Sync;

    const DECLARATION: Declaration;

    /// Makes the object in `op.region` and says where it is.
    async fn create(
        &self,
        op: &In<'_, D, Self::Client>,
        plan: &Self::State,
    ) -> Result<Locator, NotCreated>;
    /// Reads the object; a not-found error means it is gone.
    async fn find(
        &self,
        client: &Self::Client,
        at: &Locator,
    ) -> Result<Self::Object, Error<D, Self>>;
    /// The state of `object`. `known` supplies what the cloud does not
    /// return (the plan after create and update, the prior state on read).
    fn flatten(&self, object: &Self::Object, at: &Locator, known: &Self::State) -> Self::State;
    /// Changes in place what differs between `prior` and `plan`. Resources
    /// whose every argument forces replacement keep the default.
    async fn update(
        &self,
        _on: &On<'_, D, Self::Client>,
        _prior: &Self::State,
        _plan: &Self::State,
    ) -> Result<(), Diagnostics> {
        Ok(())
    }
    /// Deletes the object; not-found counts as deleted.
    async fn delete(&self, on: &On<'_, D, Self::Client>) -> Result<(), Failed<Error<D, Self>>>;
}

/// The error of a managed resource's client calls.
pub type Error<D, M> = <<M as Managed<D>>::Client as Connect<D>>::Error;

/// A [`Managed`] object as a framework [`Resource`].
pub struct Lifecycle<M>(pub M);

/// "reading JD Cloud customer gateway (cgw-1)": the one grammar of a failed
/// step on a named object, for the framework and resources alike.
pub fn failed(action: &str, what: &str, id: &str, err: &dyn fmt::Display) -> Diagnostics {
    Diagnostics::error(format!("{action} {what} ({id})"), err.to_string())
}

fn state_bug(what: &str) -> Diagnostics {
    Diagnostics::error(
        "Provider bug",
        format!("the {what} state does not say where its object is"),
    )
}

impl<M> Lifecycle<M> {
    /// A client for the operation's deadline and where `state`'s object is.
    fn reach<D>(&self, ctx: &Ctx<D>, state: &M::State) -> Result<(M::Client, Locator), Diagnostics>
    where
        D: Send + Sync + 'static,
        M: Managed<D>,
    {
        let client = M::Client::connect(&ctx.data, ctx.deadline)?;
        let at = state
            .locate(client.default_region())
            .ok_or_else(|| state_bug(M::DECLARATION.what))?;
        Ok((client, at))
    }
}

/// `base` naming the object at `at`.
fn stub<S: Located>(at: &Locator, mut base: S) -> S {
    base.place(at);
    base
}

impl<D, M> Declared<D> for Lifecycle<M>
where
    D: Send + Sync + 'static,
    M: Managed<D>,
{
    type State = M::State;

    fn type_name(&self) -> &'static str {
        M::DECLARATION.type_name
    }

    fn schema(&self) -> Schema {
        (M::DECLARATION.schema)()
    }
}

#[async_trait]
impl<D, M> Resource<D> for Lifecycle<M>
where
    D: Send + Sync + 'static,
    M: Managed<D>,
{
    async fn create(&self, ctx: &Ctx<D>, plan: M::State) -> Result<M::State, Failure<M::State>> {
        let (type_name, what) = (M::DECLARATION.type_name, M::DECLARATION.what);
        let client = M::Client::connect(&ctx.data, ctx.deadline)?;
        let region = plan
            .region()
            .unwrap_or_else(|| client.default_region())
            .to_string();
        let op = In {
            ctx,
            client: &client,
            region: &region,
        };
        let at = match self.0.create(&op, &plan).await {
            Ok(at) => at,
            Err(NotCreated::Nothing(d)) => return Err(Failure::clean(d)),
            Err(NotCreated::Exists(at, d)) => return Err(Failure::partial(stub(&at, plan), d)),
        };
        tracing::info!(id = %at, type_name, "created");
        match self.0.find(&client, &at).await {
            Ok(o) => Ok(self.0.flatten(&o, &at, &plan)),
            Err(e) => {
                let d = failed("reading back", what, &at.to_string(), &e);
                Err(Failure::partial(stub(&at, plan), d))
            }
        }
    }

    async fn read(&self, ctx: &Ctx<D>, state: M::State) -> Result<Option<M::State>, Diagnostics> {
        let (client, at) = self.reach(ctx, &state)?;
        match self.0.find(&client, &at).await {
            Ok(o) => Ok(Some(self.0.flatten(&o, &at, &state))),
            Err(e) if e.is_not_found() => {
                let type_name = M::DECLARATION.type_name;
                tracing::warn!(id = %at, type_name, "gone; removing it from state");
                Ok(None)
            }
            Err(e) => Err(failed("reading", M::DECLARATION.what, &at.to_string(), &e)),
        }
    }

    async fn update(
        &self,
        ctx: &Ctx<D>,
        prior: M::State,
        plan: M::State,
    ) -> Result<M::State, Failure<M::State>> {
        let (client, at) = self.reach(ctx, &prior)?;
        let on = On {
            ctx,
            client: &client,
            at: &at,
        };
        if let Err(d) = self.0.update(&on, &prior, &plan).await {
            // Part of the change may have gone through: save what is there.
            return Err(match self.0.find(&client, &at).await {
                Ok(o) => Failure::partial(self.0.flatten(&o, &at, &prior), d),
                Err(_) => Failure::clean(d),
            });
        }
        match self.0.find(&client, &at).await {
            Ok(o) => Ok(self.0.flatten(&o, &at, &plan)),
            Err(e) => {
                let d = failed("reading back", M::DECLARATION.what, &at.to_string(), &e);
                Err(Failure::partial(prior, d))
            }
        }
    }

    async fn delete(&self, ctx: &Ctx<D>, state: M::State) -> Result<(), Diagnostics> {
        let (client, at) = self.reach(ctx, &state)?;
        let on = On {
            ctx,
            client: &client,
            at: &at,
        };
        match self.0.delete(&on).await {
            Ok(()) => Ok(()),
            Err(Failed::Call(e)) if e.is_not_found() => Ok(()),
            Err(Failed::Call(e)) => {
                Err(failed("deleting", M::DECLARATION.what, &at.to_string(), &e))
            }
            Err(Failed::Other(d)) => Err(d),
        }
    }

    async fn import(&self, ctx: &Ctx<D>, id: &str) -> Result<M::State, Diagnostics> {
        let client = M::Client::connect(&ctx.data, ctx.deadline)?;
        let at = M::State::import_locator(id, client.default_region())?;
        Ok(stub(&at, M::State::default()))
    }

    fn plan_modifier(&self) -> Option<PlanModifier> {
        M::DECLARATION.modify_plan
    }

    fn state_fields(&self) -> Option<Vec<String>> {
        match serde_json::to_value(M::State::default()) {
            Ok(serde_json::Value::Object(m)) => Some(m.keys().cloned().collect()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    use serde::Deserialize;

    use super::*;
    use crate::framework::schema::Attribute;
    use crate::framework::timeouts::Op;
    use crate::framework::StopToken;

    type Things = Arc<Mutex<BTreeMap<String, String>>>;

    /// A cloud of named things in memory; a thing's name says how calls
    /// about it go.
    #[derive(Default)]
    struct Cloud {
        things: Things,
    }

    #[derive(Debug)]
    struct Error {
        gone: bool,
    }
    impl fmt::Display for Error {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(if self.gone {
                "no such thing"
            } else {
                "cloud trouble"
            })
        }
    }
    impl CloudError for Error {
        fn is_not_found(&self) -> bool {
            self.gone
        }
    }

    struct Client(Things);
    impl Connect<Cloud> for Client {
        type Error = Error;
        fn connect(data: &Cloud, _deadline: Instant) -> Result<Self, Diagnostics> {
            Ok(Client(data.things.clone()))
        }
        fn default_region(&self) -> &str {
            "home"
        }
    }

    #[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
    struct Thing {
        id: Option<String>,
        region: Option<String>,
        name: Option<String>,
    }
    crate::located!(Thing);

    struct Named;

    #[async_trait]
    impl Managed<Cloud> for Named {
        type State = Thing;
        type Client = Client;
        type Object = String;
        const DECLARATION: Declaration = Declaration::new("test_thing", "thing", || {
            Schema::new("t").attribute(Attribute::string("name").required().description("n"))
        });

        async fn create(
            &self,
            op: &In<'_, Cloud, Client>,
            plan: &Thing,
        ) -> Result<Locator, NotCreated> {
            let (client, region) = (op.client, op.region);
            let name = plan.name.clone().unwrap_or_default();
            if name == "refused" {
                return Err(Diagnostics::error("creating thing", "refused").into());
            }
            let id = format!("t-{name}");
            client.0.lock().unwrap().insert(id.clone(), name.clone());
            let at = Locator::new(region, [id]);
            if name == "half-made" {
                return Err(NotCreated::Exists(
                    at,
                    Diagnostics::error("binding", "failed"),
                ));
            }
            Ok(at)
        }
        async fn find(&self, client: &Client, at: &Locator) -> Result<String, Error> {
            let found = client.0.lock().unwrap().get(at.id()).cloned();
            match found.as_deref() {
                Some("unreadable") => Err(Error { gone: false }),
                Some(_) => Ok(found.unwrap_or_default()),
                None => Err(Error { gone: true }),
            }
        }
        fn flatten(&self, name: &String, at: &Locator, _known: &Thing) -> Thing {
            Thing {
                id: Some(at.id().to_string()),
                region: Some(at.region.clone()),
                name: Some(name.clone()),
            }
        }
        async fn update(
            &self,
            on: &On<'_, Cloud, Client>,
            _prior: &Thing,
            plan: &Thing,
        ) -> Result<(), Diagnostics> {
            let name = plan.name.clone().unwrap_or_default();
            // The change lands, then the call fails.
            let things = &on.client.0;
            things
                .lock()
                .unwrap()
                .insert(on.at.id().to_string(), name.clone());
            if name.starts_with("halfway") {
                return Err(Diagnostics::error("updating", "failed halfway"));
            }
            Ok(())
        }
        async fn delete(&self, on: &On<'_, Cloud, Client>) -> Result<(), Failed<Error>> {
            match on.client.0.lock().unwrap().remove(on.at.id()) {
                Some(_) => Ok(()),
                None => Err(Failed::Call(Error { gone: true })),
            }
        }
    }

    fn ctx() -> Ctx<Cloud> {
        Ctx {
            data: Arc::new(Cloud::default()),
            op: Op::Create,
            timeout: Duration::from_secs(60),
            deadline: Instant::now() + Duration::from_secs(60),
            stop: StopToken::new(),
        }
    }

    fn thing(name: &str) -> Thing {
        Thing {
            name: Some(name.to_string()),
            ..Thing::default()
        }
    }

    fn set(ctx: &Ctx<Cloud>, id: &str, name: &str) {
        ctx.data
            .things
            .lock()
            .unwrap()
            .insert(id.into(), name.into());
    }

    #[tokio::test]
    async fn create_reads_back_and_keeps_what_exists_when_a_later_step_fails() {
        let (ctx, r) = (ctx(), Lifecycle(Named));
        let made = r.create(&ctx, thing("a")).await.unwrap();
        assert_eq!(made.id.as_deref(), Some("t-a"));
        assert_eq!(
            made.region.as_deref(),
            Some("home"),
            "the provider's region"
        );
        // Made, then a later step failed: kept in state, with the error.
        let f = r.create(&ctx, thing("half-made")).await.unwrap_err();
        let kept = f.state.expect("the object is kept");
        assert_eq!(
            (kept.id.as_deref(), kept.name.as_deref()),
            (Some("t-half-made"), Some("half-made"))
        );
        assert!(f.diagnostics.has_errors());
        // Nothing made: nothing kept.
        let f = r.create(&ctx, thing("refused")).await.unwrap_err();
        assert!(f.state.is_none());
        // Made, but the read-back fails: kept, with the read's error.
        set(&ctx, "t-unreadable", "unreadable");
        let f = r
            .create(
                &ctx,
                Thing {
                    region: Some("far".into()),
                    ..thing("unreadable")
                },
            )
            .await
            .unwrap_err();
        assert_eq!(f.state.and_then(|s| s.region).as_deref(), Some("far"));
        assert!(f
            .diagnostics
            .to_string()
            .contains("reading back thing (t-unreadable)"));
    }

    #[tokio::test]
    async fn read_drops_what_is_gone_and_keeps_what_cannot_be_read() {
        let (ctx, r) = (ctx(), Lifecycle(Named));
        let made = r.create(&ctx, thing("b")).await.unwrap();
        assert_eq!(
            r.read(&ctx, made.clone()).await.unwrap(),
            Some(made.clone())
        );
        set(&ctx, "t-b", "renamed outside");
        let drifted = r.read(&ctx, made.clone()).await.unwrap().unwrap();
        assert_eq!(drifted.name.as_deref(), Some("renamed outside"));
        set(&ctx, "t-b", "unreadable");
        assert!(
            r.read(&ctx, made.clone()).await.is_err(),
            "an error is not a disappearance"
        );
        ctx.data.things.lock().unwrap().clear();
        assert_eq!(r.read(&ctx, made).await.unwrap(), None);
    }

    #[tokio::test]
    async fn update_reads_back_and_saves_a_half_done_change() {
        let (ctx, r) = (ctx(), Lifecycle(Named));
        let made = r.create(&ctx, thing("c")).await.unwrap();
        let changed = Thing {
            name: Some("c2".into()),
            ..made.clone()
        };
        assert_eq!(
            r.update(&ctx, made.clone(), changed.clone()).await.unwrap(),
            changed
        );
        let halfway = Thing {
            name: Some("halfway".into()),
            ..made.clone()
        };
        let f = r.update(&ctx, changed, halfway).await.unwrap_err();
        assert_eq!(
            f.state.and_then(|s| s.name).as_deref(),
            Some("halfway"),
            "what is there"
        );
    }

    #[tokio::test]
    async fn delete_of_something_gone_is_done_and_import_names_the_object() {
        let (ctx, r) = (ctx(), Lifecycle(Named));
        let made = r.create(&ctx, thing("d")).await.unwrap();
        r.delete(&ctx, made.clone()).await.unwrap();
        r.delete(&ctx, made).await.unwrap();
        let imported = r.import(&ctx, "far/t-x").await.unwrap();
        assert_eq!(
            (imported.id.as_deref(), imported.region.as_deref()),
            (Some("t-x"), Some("far"))
        );
        let imported = r.import(&ctx, "t-y").await.unwrap();
        assert_eq!(imported.region.as_deref(), Some("home"));
        assert!(r.import(&ctx, "a/b/c").await.is_err());
    }

    #[test]
    fn locators() {
        assert_eq!(
            Locator::parse_import("cn-east-2/cgw-1", "r").unwrap(),
            Locator::new("cn-east-2", ["cgw-1"])
        );
        for bad in ["", "/x", "r/", "a/b/c"] {
            assert!(Locator::parse_import(bad, "r").is_err(), "{bad}");
        }
        let route = Locator::new("r", ["bgw-1", "route-2"]);
        assert_eq!((route.id(), route.parents()), ("route-2", vec!["bgw-1"]));
        assert_eq!(route.to_string(), "bgw-1/route-2");
        assert_eq!(Thing::default().locate("home"), None);
    }
}
