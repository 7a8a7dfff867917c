//! Which cloud objects are ours. A create must never take an object it
//! cannot prove it made: not a sibling's (two resources with the same
//! settings in one configuration), not one a killed run left behind, not one
//! made by hand. The rules (docs/design/reliability.md):
//!
//! - Every object this provider process made, adopted or reported is held
//!   in [`Claims`], and so is every create marker it has sent, so a
//!   sibling's object — finished or still being made — is never mistaken for
//!   a leftover, whatever the parallelism. Creates of one unique key (and
//!   Alibaba creates, which carry no marker) take turns ([`Claims::turn`]).
//! - Before creating, an object with the same identity that this process
//!   does not hold is reported with the import that adopts it, not
//!   duplicated and not adopted.
//! - After an answer is lost (reset, timeout, 5xx, garbled body), the object
//!   is adopted only on proof: JD kinds that allow twins are created with a
//!   one-off marker in their description (restored right after), so the
//!   object carrying it is ours; for unique-key kinds, an object with our
//!   key that appeared while we held the turn, after a search that found
//!   none, can only be ours. Nothing found: the create is sent again.
//!   Alibaba creates carry a `ClientToken`, which the cloud deduplicates.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};

use serde::Serialize;
use serde_json::Value as Json;

use crate::cloud::jdcloud::{self, ops::Kind};
use crate::cloud::{transport, ApiError};
use crate::framework::{Diagnostics, Failure};

use super::common::api_error;

/// Objects this provider process made, adopted or reported, and the turns
/// that keep creates of one identity apart. One per configured provider.
#[derive(Debug, Default)]
pub struct Claims {
    held: Mutex<HashSet<String>>,
    markers: Mutex<HashSet<String>>,
    turns: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl Claims {
    /// Waits until no other create of `identity` runs in this process, and
    /// holds the turn until the guard is dropped.
    pub async fn turn(&self, identity: &str) -> tokio::sync::OwnedMutexGuard<()> {
        let lock = {
            let mut turns = self.turns.lock().unwrap_or_else(PoisonError::into_inner);
            turns.entry(identity.to_string()).or_default().clone()
        };
        lock.lock_owned().await
    }
    /// Whether this process made, adopted or reported `id`.
    pub fn holds(&self, id: &str) -> bool {
        self.held
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .contains(id)
    }
    /// Marks `id` as this process's; false when it already was.
    pub fn hold(&self, id: &str) -> bool {
        self.held
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(id.to_string())
    }
    fn mark(&self, marker: &str) {
        self.markers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(marker.to_string());
    }
    /// Whether `description` is a create marker this process sent: the
    /// object is a sibling's, still being made.
    fn marked(&self, description: &Json) -> bool {
        description.as_str().is_some_and(|d| {
            self.markers
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .contains(d)
        })
    }
}

/// The resource a create is for, as messages name it.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    /// e.g. `hybridnet_jdcloud_customer_gateway`, for the import command.
    pub type_name: &'static str,
    /// e.g. "JD Cloud customer gateway".
    pub what: &'static str,
    pub region: &'a str,
    /// Parent ids that are part of the import id (`region/bgw/route`).
    pub parents: &'a [&'a str],
}

impl<'a> Target<'a> {
    pub fn new(
        type_name: &'static str,
        what: &'static str,
        region: &'a str,
        parents: &'a [&'a str],
    ) -> Target<'a> {
        Target {
            type_name,
            what,
            region,
            parents,
        }
    }

    fn import_id(&self, id: &str) -> String {
        [&[self.region], self.parents, &[id]].concat().join("/")
    }

    /// An object with our identity that this process did not make: most
    /// likely left by a run that was killed before Terraform saved it.
    pub fn twin(&self, id: &str, matches: &str, otherwise: &str) -> Diagnostics {
        Diagnostics::error(
            format!("creating {}: {id} already exists", self.what),
            format!(
                "{id} {matches}, and this run did not create it. Another resource of your \
                 configuration may hold it: `terraform state list -id={id}` names it. If that \
                 prints nothing, a run that was interrupted before Terraform saved its state \
                 left it; adopt it into this resource with\n  terraform import '{}.NAME' {}\n\
                 where {}.NAME is the address Terraform shows with this error (after \"with\"). \
                 Otherwise {otherwise}.",
                self.type_name,
                self.import_id(id),
                self.type_name
            ),
        )
    }

    /// A key the cloud allows once is taken by `id`: by a sibling of this
    /// run (held), or by an object nobody here made (now held and reported).
    pub fn taken(
        &self,
        claims: &Claims,
        id: &str,
        identity: &str,
        matches: &str,
        otherwise: &str,
    ) -> Diagnostics {
        if claims.hold(id) {
            self.twin(id, matches, otherwise)
        } else {
            self.sibling(id, identity)
        }
    }

    /// A unique key another resource of this run already took.
    fn sibling(&self, id: &str, identity: &str) -> Diagnostics {
        Diagnostics::error(
            format!("creating {}: these settings are taken", self.what),
            format!(
                "Another {} of this configuration created {id} with the same {identity} during \
                 this run, and the cloud allows only one. Give the two resources different \
                 values.",
                self.type_name
            ),
        )
    }
}

/// A failed create: nothing made, or an object made whose set-up failed.
#[derive(Debug)]
pub enum CreateFailure {
    Clean(Diagnostics),
    Partial(String, Diagnostics),
}

impl CreateFailure {
    /// The resource's failure; a partial one keeps the object (`state(id)`)
    /// in Terraform's state so it is not orphaned.
    pub fn into_failure<S>(self, state: impl FnOnce(String) -> S) -> Failure<S> {
        match self {
            CreateFailure::Clean(d) => Failure::clean(d),
            CreateFailure::Partial(id, d) => Failure::partial(state(id), d),
        }
    }
}

impl From<Diagnostics> for CreateFailure {
    fn from(d: Diagnostics) -> CreateFailure {
        CreateFailure::Clean(d)
    }
}

/// What identifies a JD Cloud object among its kind: wire field names and
/// the values the create sends.
#[derive(Debug, Clone)]
pub enum Identity {
    /// Name and settings. The cloud allows twins, so the create carries a
    /// marker in the object's description until it has its id.
    Named(Vec<(&'static str, Json)>),
    /// A key the cloud allows only once (one tunnel per address pair, one
    /// attachment per VPC and border gateway, one route per destination).
    UniqueKey(Vec<(&'static str, Json)>),
}

impl Identity {
    fn fields(&self) -> &[(&'static str, Json)] {
        match self {
            Identity::Named(f) | Identity::UniqueKey(f) => f,
        }
    }
    fn matches(&self, o: &Json) -> bool {
        self.fields().iter().all(|(k, v)| &o[*k] == v)
    }
    /// `customerGatewayName "idc", bgpAsn 65010`.
    fn describe(&self) -> String {
        self.fields()
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
    fn key(&self, kind: &Kind, target: &Target<'_>) -> String {
        format!(
            "jdcloud/{}/{}/{}/{}",
            kind.singular,
            target.region,
            target.parents.join("/"),
            self.describe()
        )
    }
}

/// The description field JD Cloud keeps on border gateways, customer
/// gateways and VPN connections, and the prefix of our create markers.
const DESCRIPTION: &str = "description";
const MARKER_PREFIX: &str = "hybridnet-create:";

fn id_of(kind: &Kind, o: &Json) -> Option<String> {
    o.get(kind.id_field)
        .and_then(Json::as_str)
        .map(str::to_string)
}

/// Creates a JD Cloud object of `kind` from `spec` by the rules of this
/// module and returns its id. For [`Identity::Named`] kinds `description` is
/// the user's (restored after the marked create; `None` clears it).
pub async fn jd_create<S: Serialize + Sync>(
    client: &jdcloud::Client,
    claims: &Claims,
    kind: &Kind,
    target: &Target<'_>,
    identity: &Identity,
    spec: &S,
    description: Option<&str>,
) -> Result<String, CreateFailure> {
    let what = target.what;
    let failed = |e: &ApiError| CreateFailure::Clean(api_error("creating", what, e));
    // Twins may be made side by side; a unique key is tried by one at a time.
    let _turn = match identity {
        Identity::Named(_) => None,
        Identity::UniqueKey(_) => Some(claims.turn(&identity.key(kind, target)).await),
    };
    let list = || async {
        client
            .list::<Json>(kind, target.region, target.parents, &[])
            .await
            .map_err(|e| CreateFailure::Clean(api_error("looking for an existing", what, &e)))
    };

    // An object with our identity that we do not hold: report, never adopt.
    let matching: Vec<String> = list()
        .await?
        .iter()
        .filter(|o| identity.matches(o) && !claims.marked(&o[DESCRIPTION]))
        .filter_map(|o| id_of(kind, o))
        .collect();
    // `hold` is atomic: of identical siblings, one reports a leftover and
    // the others go on to create their own.
    if let Some(stranger) = matching.iter().find(|id| claims.hold(id)) {
        return Err(twin(target, identity, stranger).into());
    }
    if let (Identity::UniqueKey(_), Some(sibling)) = (identity, matching.first()) {
        return Err(target.sibling(sibling, &identity.describe()).into());
    }

    let mut body = serde_json::to_value(spec)
        .map_err(|e| failed(&ApiError::Decode(format!("encoding the request: {e}"))))?;
    let marker = match identity {
        Identity::Named(_) => {
            let m = format!("{MARKER_PREFIX}{}", uuid::Uuid::new_v4().simple());
            claims.mark(&m);
            body[DESCRIPTION] = Json::String(m.clone());
            Some(m)
        }
        Identity::UniqueKey(_) => None,
    };
    let mut pauses = transport::backoff();
    let id = loop {
        let err = match client
            .create(kind, target.region, target.parents, &body)
            .await
        {
            Ok(id) => break id,
            Err(e) if e.may_have_applied() => e,
            Err(e) if e.is_refusal() && marker.is_none() => {
                // Taken since our search: by whom?
                let holder = list()
                    .await?
                    .iter()
                    .filter(|o| identity.matches(o))
                    .find_map(|o| id_of(kind, o));
                return Err(match holder {
                    Some(h) if claims.holds(&h) => target.sibling(&h, &identity.describe()).into(),
                    Some(h) => {
                        claims.hold(&h);
                        twin(target, identity, &h).into()
                    }
                    None => failed(&e),
                });
            }
            Err(e) => return Err(failed(&e)),
        };
        tracing::warn!(error = %err, operation = kind.create.name, "create may have happened; looking for the object");
        let all = list().await.map_err(|_| failed(&err))?;
        let ours: Vec<String> = all
            .iter()
            .filter(|o| match &marker {
                Some(m) => o[DESCRIPTION] == m.as_str(),
                None => identity.matches(o) && id_of(kind, o).is_some_and(|id| !claims.holds(&id)),
            })
            .filter_map(|o| id_of(kind, o))
            .collect();
        match ours.as_slice() {
            // Nothing was made: sending again cannot duplicate.
            [] => {
                tokio::time::sleep(
                    pauses
                        .next()
                        .unwrap_or_default()
                        .min(client.time_left() / 2),
                )
                .await;
                continue;
            }
            [id] => {
                tracing::info!(id = %id, "adopted the object the interrupted create made");
                break id.clone();
            }
            [id, extra @ ..] if marker.is_some() => {
                // A create applied late as well as its resend: all carry
                // our marker, so the extra ones are provably ours to remove.
                for x in extra {
                    tracing::warn!(id = %x, "deleting a second object made by a resent create");
                    if let Err(e) = client
                        .delete(
                            kind,
                            target.region,
                            &[target.parents, &[x.as_str()]].concat(),
                        )
                        .await
                    {
                        tracing::warn!(id = %x, error = %e, "could not delete the extra object");
                    }
                }
                break id.clone();
            }
            several => {
                return Err(CreateFailure::Clean(Diagnostics::error(
                    format!("creating {what}"),
                    format!(
                        "The answer to the create was lost ({err}), and {} objects with these \
                         settings appeared since: {}. Which one is this resource's cannot be \
                         proven, so none was adopted.",
                        several.len(),
                        several.join(", ")
                    ),
                )))
            }
        }
    };
    claims.hold(&id);
    if marker.is_some() {
        let restore = serde_json::json!({ DESCRIPTION: description.unwrap_or_default() });
        let ids = [target.parents, &[id.as_str()]].concat();
        if let Err(e) = client.modify(kind, target.region, &ids, &restore).await {
            return Err(CreateFailure::Partial(
                id.clone(),
                Diagnostics::error(
                    format!("creating {what}: setting the description of {id}"),
                    e.to_string(),
                ),
            ));
        }
    }
    Ok(id)
}

fn twin(target: &Target<'_>, identity: &Identity, id: &str) -> Diagnostics {
    match identity {
        Identity::Named(_) => target.twin(
            id,
            &format!("has the same {}", identity.describe()),
            "give this resource another name",
        ),
        Identity::UniqueKey(_) => target.twin(
            id,
            &format!(
                "already has {}, which the cloud allows only once",
                identity.describe()
            ),
            "change the arguments it shares with it",
        ),
    }
}

/// The outcome of a pre-create search for an Alibaba Cloud object with our
/// identity (`found`, already narrowed to what this process does not
/// hold): go ahead when there is none, otherwise hold it and report it.
pub fn refuse_twin(
    claims: &Claims,
    target: &Target<'_>,
    found: Result<Option<String>, ApiError>,
    matches: &str,
    otherwise: &str,
) -> Result<(), Diagnostics> {
    match found.map_err(|e| api_error("looking for an existing", target.what, &e))? {
        None => Ok(()),
        Some(id) => {
            claims.hold(&id);
            Err(target.twin(&id, matches, otherwise))
        }
    }
}
