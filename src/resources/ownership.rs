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

use std::future::Future;

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value as Json;

use crate::clients::Claims;
use crate::cloud::alicloud::{self, actions::Action, client_token, Params};
use crate::cloud::jdcloud::types::Listed;
use crate::cloud::jdcloud::{self, ops::Kind};
use crate::cloud::{transport, ApiError};
use crate::framework::{Diagnostics, Locator, NotCreated};

use super::common::api_error;

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

    /// Where the object `id` of this target lives.
    pub fn locator(&self, id: &str) -> Locator {
        let path: Vec<&str> = [self.parents, &[id]].concat();
        Locator::new(self.region, path)
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

/// Whether the cloud lets two objects share an identity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Twins {
    /// Names and settings may repeat (border gateways, customer gateways,
    /// VPN connections): creates carry a marker in the description.
    Allowed,
    /// A key the cloud allows once (one tunnel per address pair, one
    /// attachment per VPC and border gateway, one route per destination).
    Refused,
}

/// What identifies a JD Cloud object of type `T` among its kind.
pub struct Identity<T> {
    pub twins: Twins,
    /// How messages name it, e.g. `name "idc", ASN 65010`; also the key of
    /// the turn creates of one identity take.
    pub describe: String,
    pub matches: Box<dyn Fn(&T) -> bool + Send + Sync>,
}

impl<T> Identity<T> {
    /// Name and settings, which the cloud allows twice.
    pub fn named(describe: String, matches: impl Fn(&T) -> bool + Send + Sync + 'static) -> Self {
        Identity {
            twins: Twins::Allowed,
            describe,
            matches: Box::new(matches),
        }
    }
    /// A key the cloud allows once.
    pub fn unique_key(
        describe: String,
        matches: impl Fn(&T) -> bool + Send + Sync + 'static,
    ) -> Self {
        Identity {
            twins: Twins::Refused,
            describe,
            matches: Box::new(matches),
        }
    }
}

/// The JD Cloud request field our create markers go in, and their prefix.
const DESCRIPTION: &str = "description";
const MARKER_PREFIX: &str = "hybridnet-create:";

/// Creates a JD Cloud object of `kind` from `spec` by the rules of this
/// module and says where it is. For [`Twins::Allowed`] kinds `description`
/// is the user's (set after the marked create; `None` clears it).
pub async fn jd_create<T: Listed, S: Serialize + Sync>(
    client: &jdcloud::Client,
    claims: &Claims,
    kind: &Kind,
    target: &Target<'_>,
    identity: &Identity<T>,
    spec: &S,
    description: Option<&str>,
) -> Result<Locator, NotCreated> {
    let what = target.what;
    let failed = |e: &ApiError| NotCreated::Nothing(api_error("creating", what, e));
    // Twins may be made side by side; a unique key is tried by one at a time.
    let _turn = match identity.twins {
        Twins::Allowed => None,
        Twins::Refused => Some(
            claims
                .turn(&format!(
                    "jdcloud/{}/{}/{}",
                    kind.singular, target.region, identity.describe
                ))
                .await,
        ),
    };
    let list = || async {
        client
            .list::<T>(kind, target.region, target.parents, &[])
            .await
            .map_err(|e| NotCreated::Nothing(api_error("looking for an existing", what, &e)))
    };
    let with_identity =
        |all: Vec<T>| -> Vec<T> { all.into_iter().filter(|o| (identity.matches)(o)).collect() };

    // An object with our identity that we do not hold: report, never adopt.
    let matching: Vec<T> = with_identity(list().await?)
        .into_iter()
        .filter(|o| !claims.marked(o.description()))
        .collect();
    // `hold` is atomic: of identical siblings, one reports a leftover and
    // the others go on to create their own.
    if let Some(stranger) = matching.iter().find(|o| claims.hold(o.id())) {
        return Err(twin(target, identity, stranger.id()).into());
    }
    if let (Twins::Refused, Some(sibling)) = (identity.twins, matching.first()) {
        return Err(target.sibling(sibling.id(), &identity.describe).into());
    }

    let mut body = serde_json::to_value(spec)
        .map_err(|e| failed(&ApiError::Decode(format!("encoding the request: {e}"))))?;
    let marker = match identity.twins {
        Twins::Allowed => {
            let m = format!("{MARKER_PREFIX}{}", uuid::Uuid::new_v4().simple());
            claims.mark(&m);
            body[DESCRIPTION] = Json::String(m.clone());
            Some(m)
        }
        Twins::Refused => None,
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
                let holder = with_identity(list().await?).into_iter().next();
                return Err(match holder {
                    Some(h) => target
                        .taken(
                            claims,
                            h.id(),
                            &identity.describe,
                            &key_taken(identity),
                            KEY_ADVICE,
                        )
                        .into(),
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
                Some(m) => o.description() == Some(m.as_str()),
                None => (identity.matches)(o) && !claims.holds(o.id()),
            })
            .map(|o| o.id().to_string())
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
                    let ids = [target.parents, &[x.as_str()]].concat();
                    if let Err(e) = client.delete(kind, target.region, &ids).await {
                        tracing::warn!(id = %x, error = %e, "could not delete the extra object");
                    }
                }
                break id.clone();
            }
            several => {
                return Err(NotCreated::Nothing(Diagnostics::error(
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
    let at = target.locator(&id);
    if marker.is_some() {
        let restore = serde_json::json!({ DESCRIPTION: description.unwrap_or_default() });
        if let Err(e) = client
            .modify(kind, target.region, &at.ids(), &restore)
            .await
        {
            return Err(NotCreated::Exists(
                at,
                Diagnostics::error(
                    format!("creating {what}: setting the description of {id}"),
                    e.to_string(),
                ),
            ));
        }
    }
    Ok(at)
}

fn key_taken<T>(identity: &Identity<T>) -> String {
    format!(
        "already has {}, which the cloud allows only once",
        identity.describe
    )
}
const KEY_ADVICE: &str = "change the arguments it shares with it";

fn twin<T>(target: &Target<'_>, identity: &Identity<T>, id: &str) -> Diagnostics {
    match identity.twins {
        Twins::Allowed => target.twin(
            id,
            &format!("has the same {}", identity.describe),
            "give this resource another name",
        ),
        Twins::Refused => target.twin(id, &key_taken(identity), KEY_ADVICE),
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

/// How an Alibaba Cloud create recognises an object it would duplicate.
pub struct AliTwin<F> {
    /// What creates of one identity take turns on.
    pub turn: String,
    /// The search for an object with the identity that this process does
    /// not hold (see [`refuse_twin`]).
    pub search: F,
    /// How the refusal words the match, and what to do instead.
    pub matches: &'static str,
    pub otherwise: &'static str,
}

/// An Alibaba Cloud create: one per identity at a time, refused while an
/// object with that identity exists that this process does not hold, sent
/// with one `ClientToken` for every retry (so a retried request whose first
/// attempt succeeded returns the same object), and what it made held.
/// `id` reads the new object's id from the answer.
pub async fn ali_create<F, R>(
    client: &alicloud::Client,
    claims: &Claims,
    target: &Target<'_>,
    twin: AliTwin<F>,
    (action, params): (&Action, Params),
    id: impl FnOnce(R) -> String,
) -> Result<Locator, Diagnostics>
where
    F: Future<Output = Result<Option<String>, ApiError>>,
    R: DeserializeOwned,
{
    let _turn = claims.turn(&twin.turn).await;
    refuse_twin(
        claims,
        target,
        twin.search.await,
        twin.matches,
        twin.otherwise,
    )?;
    let params = params.set("ClientToken", client_token());
    let made: R = client
        .call(action, target.region, params)
        .await
        .map_err(|e| api_error("creating", target.what, &e))?;
    let id = id(made);
    claims.hold(&id);
    Ok(target.locator(&id))
}
