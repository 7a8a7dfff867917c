//! Helpers every resource shares: turning API errors into diagnostics with
//! one message grammar, and splitting import ids.

use crate::cloud::{alicloud, jdcloud, ApiError};
use crate::framework::Diagnostics;

/// "creating JD Cloud customer gateway: <code>: <message> (…request id…)".
pub fn api_error(action: &str, what: &str, err: &ApiError) -> Diagnostics {
    Diagnostics::error(format!("{action} {what}"), err.to_string())
}

/// Same, naming the object's id.
pub fn api_error_id(action: &str, what: &str, id: &str, err: &ApiError) -> Diagnostics {
    Diagnostics::error(format!("{action} {what} ({id})"), err.to_string())
}

/// How long before our create call an object may have been stamped and
/// still count as made by it (clock skew between us and the cloud).
const CREATE_CLOCK_SKEW: time::Duration = time::Duration::minutes(2);

/// Creates a JD Cloud object. Objects known by name (`by_time`) are first
/// checked for a twin with the same name and settings, which is reported
/// rather than duplicated; for objects with a unique key the cloud refuses a
/// twin, and the refusal becomes the same report. JD creates take no
/// idempotency token, so a create whose answer was lost (connection reset,
/// 5xx after acting) is not resent; instead the object it may have made is
/// looked for — one that `is_ours` recognises (its unique key or name and
/// settings) and, when `by_time`, created after the call was sent — and
/// adopted, so it is neither orphaned nor duplicated.
pub async fn jd_create_or_adopt<S: serde::Serialize + Sync>(
    client: &jdcloud::Client,
    kind: &jdcloud::ops::Kind,
    region: &str,
    parents: &[&str],
    spec: &S,
    by_time: bool,
    is_ours: impl Fn(&serde_json::Value) -> bool,
) -> Result<String, ApiError> {
    if by_time {
        // Names are not unique on JD Cloud, so a provider killed after an
        // accepted create would make a twin on the next run. Refuse instead.
        if let Some(twin) = jd_twin(client, kind, region, parents, &is_ours).await? {
            return Err(twin_error(
                &twin,
                region,
                parents,
                "already has this name and these settings",
                "choose another name",
            ));
        }
    }
    let mut attempt = 0;
    loop {
        attempt += 1;
        let sent = time::OffsetDateTime::now_utc() - CREATE_CLOCK_SKEW;
        let err = match client.create(kind, region, parents, spec).await {
            Ok(id) => return Ok(id),
            Err(e) if e.may_have_applied() => e,
            // A unique key that is taken, most likely by what a killed run
            // made: name that object and how to adopt it.
            Err(e) if !by_time && e.is_refusal() => {
                let twin = jd_twin(client, kind, region, parents, &is_ours).await;
                return Err(match twin {
                    Ok(Some(twin)) => {
                        twin_error(&twin, region, parents, KEY_TAKEN, KEY_TAKEN_ADVICE)
                    }
                    _ => e,
                });
            }
            Err(e) => return Err(e),
        };
        tracing::warn!(error = %err, operation = kind.create.name, "create may have happened; looking for the object");
        let all: Vec<serde_json::Value> = client.list(kind, region, parents, &[]).await?;
        let recent = |o: &serde_json::Value| {
            !by_time
                || o.get("createdTime")
                    .and_then(serde_json::Value::as_str)
                    .and_then(|t| {
                        time::OffsetDateTime::parse(
                            t,
                            &time::format_description::well_known::Rfc3339,
                        )
                        .ok()
                    })
                    .is_some_and(|t| t >= sent)
        };
        let found: Vec<String> = all
            .iter()
            .filter(|o| is_ours(o) && recent(o))
            .filter_map(|o| {
                o.get(kind.id_field)
                    .and_then(serde_json::Value::as_str)
                    .map(str::to_string)
            })
            .collect();
        match found.as_slice() {
            [id] => {
                tracing::info!(id = %id, "adopted the object an interrupted create made");
                return Ok(id.clone());
            }
            // Nothing was made: sending the create again cannot duplicate.
            [] if attempt < CREATE_ATTEMPTS => continue,
            _ => return Err(err),
        }
    }
}

/// The outcome of a pre-create search for an Alibaba Cloud twin: go ahead
/// when none was found, otherwise the report that names it.
pub fn refuse_twin(
    what: &str,
    region: &str,
    found: Result<Option<String>, ApiError>,
    matches: &str,
    otherwise: &str,
) -> Result<(), Diagnostics> {
    match found.map_err(|e| api_error("checking for an existing", what, &e))? {
        None => Ok(()),
        Some(twin) => Err(api_error(
            "creating",
            what,
            &twin_error(&twin, region, &[], matches, otherwise),
        )),
    }
}

/// The JD Cloud object `is_ours` recognises, if any.
async fn jd_twin(
    client: &jdcloud::Client,
    kind: &jdcloud::ops::Kind,
    region: &str,
    parents: &[&str],
    is_ours: &impl Fn(&serde_json::Value) -> bool,
) -> Result<Option<String>, ApiError> {
    let all: Vec<serde_json::Value> = client.list(kind, region, parents, &[]).await?;
    Ok(all
        .iter()
        .find(|o| is_ours(o))
        .and_then(|o| o.get(kind.id_field))
        .and_then(serde_json::Value::as_str)
        .map(str::to_string))
}

/// The error for an object that already looks like the one being created —
/// most likely made by a run that was killed before Terraform saved it.
/// Creating another would leave two, so the user is told how to adopt it
/// (import ids are `region/parent…/id`).
pub fn twin_error(
    twin: &str,
    region: &str,
    parents: &[&str],
    matches: &str,
    otherwise: &str,
) -> ApiError {
    let import_id = [&[region], parents, &[twin]].concat().join("/");
    ApiError::Api {
        http_status: 409,
        code: "DUPLICATE".into(),
        message: format!(
            "{twin} {matches}. If an interrupted run created it, adopt it with \
             `terraform import <address> {import_id}`; otherwise {otherwise}."
        ),
        request_id: String::new(),
    }
}

/// How a unique-key twin is described, and what to do if it is not ours.
const KEY_TAKEN: &str = "already exists with these settings, which the cloud allows only once";
const KEY_TAKEN_ADVICE: &str = "change the arguments it shares with it";

/// How many times a JD create is sent when its answers are lost and the
/// object is verifiably absent each time.
const CREATE_ATTEMPTS: u32 = 3;

/// Describes one JD Cloud object; an answer about another object (a
/// different id) counts as not found.
pub async fn jd_find<T: serde::de::DeserializeOwned>(
    client: &jdcloud::Client,
    kind: &jdcloud::ops::Kind,
    region: &str,
    ids: &[&str],
) -> Result<T, ApiError> {
    let v: serde_json::Value = client.describe(kind, region, ids).await?;
    let want = ids.last().copied().unwrap_or_default();
    let got = v
        .get(kind.id_field)
        .and_then(serde_json::Value::as_str)
        .unwrap_or_default();
    if got != want {
        return Err(ApiError::not_found(format!(
            "asked for {want}, got {got:?}"
        )));
    }
    serde_json::from_value(v).map_err(|e| ApiError::Decode(format!("{}: {e}", kind.describe.name)))
}

/// Describes one Alibaba Cloud object by its id parameter (`id_field`, which
/// the answer repeats); an answer about another object counts as not found.
pub async fn ali_find<T: serde::de::DeserializeOwned>(
    client: &alicloud::Client,
    action: &alicloud::actions::Action,
    region: &str,
    id_field: &str,
    id: &str,
) -> Result<T, ApiError> {
    let v: serde_json::Value = client
        .call(action, region, alicloud::Params::new().set(id_field, id))
        .await?;
    let got = v
        .get(id_field)
        .and_then(serde_json::Value::as_str)
        .unwrap_or_default();
    if got != id {
        return Err(ApiError::not_found(format!("asked for {id}, got {got:?}")));
    }
    serde_json::from_value(v).map_err(|e| ApiError::Decode(format!("{}: {e}", action.name)))
}

/// Deletes one JD Cloud object; one already gone counts as deleted.
pub async fn jd_delete(
    client: &jdcloud::Client,
    kind: &jdcloud::ops::Kind,
    region: &str,
    ids: &[&str],
    what: &str,
) -> Result<(), Diagnostics> {
    match client.delete(kind, region, ids).await {
        Ok(()) => Ok(()),
        Err(e) if e.is_not_found() => Ok(()),
        Err(e) => Err(api_error_id(
            "deleting",
            what,
            ids.last().copied().unwrap_or_default(),
            &e,
        )),
    }
}

/// Import ids are `ID` or `REGION/ID`.
pub fn split_import_id(id: &str) -> Result<(Option<&str>, &str), Diagnostics> {
    let bad = || {
        Diagnostics::error(
            "Invalid import ID",
            format!("Expected \"<id>\" or \"<region>/<id>\", got {id:?}."),
        )
    };
    match id.split_once('/') {
        None if !id.trim().is_empty() => Ok((None, id)),
        Some((r, i)) if !r.is_empty() && !i.is_empty() && !i.contains('/') => Ok((Some(r), i)),
        _ => Err(bad()),
    }
}

/// The new value when it differs; clearing an optional string sends "".
pub fn changed(prior: &Option<String>, plan: &Option<String>) -> Option<String> {
    (prior != plan).then(|| plan.clone().unwrap_or_default())
}

/// The state's region (or the provider's default) and id.
pub fn region_and_id(
    default_region: &str,
    region: &Option<String>,
    id: &Option<String>,
) -> Result<(String, String), Diagnostics> {
    let id = id
        .clone()
        .ok_or_else(|| Diagnostics::error("Provider bug", "the resource state has no id"))?;
    Ok((
        region.clone().unwrap_or_else(|| default_region.to_string()),
        id,
    ))
}

/// JD Cloud answers an absent optional string as "" — state keeps it null.
pub fn non_empty(s: Option<String>) -> Option<String> {
    s.filter(|s| !s.is_empty())
}

/// Checks every resource file's tests share.
#[cfg(test)]
pub mod test_support {
    use crate::framework::{AttrPath, Diagnostics, Schema, Value};

    /// The typed state's serde fields are exactly the schema's attributes.
    pub fn state_matches_schema<S: serde::Serialize>(schema: &Schema, default_state: &S) {
        let json = serde_json::to_value(default_state).unwrap();
        let mut fields: Vec<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut attrs: Vec<&str> = schema
            .block
            .attributes
            .iter()
            .map(|a| a.name.as_str())
            .collect();
        attrs.extend(
            schema
                .block
                .blocks
                .iter()
                .filter(|b| b.name != "timeouts")
                .map(|b| b.name.as_str()),
        );
        fields.sort_unstable();
        attrs.sort_unstable();
        assert_eq!(fields, attrs);
    }

    /// Validates a config with `pairs` set (everything else null) and
    /// returns the attribute paths of the errors.
    pub fn validate_paths(schema: &Schema, pairs: &[(&str, Value)]) -> Vec<String> {
        let mut m: std::collections::BTreeMap<String, Value> = schema
            .block
            .attributes
            .iter()
            .map(|a| (a.name.clone(), Value::Null))
            .collect();
        for b in &schema.block.blocks {
            m.insert(b.name.clone(), b.empty_value());
        }
        for (k, v) in pairs {
            m.insert(k.to_string(), v.clone());
        }
        let mut d = Diagnostics::new();
        schema
            .block
            .validate(&Value::Object(m), &AttrPath::root(), &mut d);
        d.iter()
            .map(|d| d.path.as_ref().map(ToString::to_string).unwrap_or_default())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_ids() {
        assert_eq!(split_import_id("cgw-1").unwrap(), (None, "cgw-1"));
        assert_eq!(
            split_import_id("cn-east-2/cgw-1").unwrap(),
            (Some("cn-east-2"), "cgw-1")
        );
        for bad in ["", "/x", "r/", "a/b/c"] {
            assert!(split_import_id(bad).is_err(), "{bad}");
        }
    }
}
