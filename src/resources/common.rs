//! Helpers every resource shares: turning API errors into diagnostics with
//! one message grammar, finding and deleting objects, and splitting import
//! ids. (Creating, and what makes an object ours: `ownership`.)

use crate::cloud::{alicloud, jdcloud, ApiError};
use crate::framework::{Diagnostics, Locator};

/// "creating JD Cloud customer gateway: <code>: <message> (…request id…)".
pub fn api_error(action: &str, what: &str, err: &ApiError) -> Diagnostics {
    Diagnostics::error(format!("{action} {what}"), err.to_string())
}

/// Same, naming the object's id.
pub fn api_error_id(action: &str, what: &str, id: &str, err: &ApiError) -> Diagnostics {
    crate::framework::lifecycle::failed(action, what, id, err)
}

/// A describe's answer, if it is about the object asked for (its `id_field`
/// is `want`); an answer about another object counts as not found.
fn the_one_asked_for(
    v: serde_json::Value,
    id_field: &str,
    want: &str,
) -> Result<serde_json::Value, ApiError> {
    let got = v
        .get(id_field)
        .and_then(serde_json::Value::as_str)
        .unwrap_or_default();
    if got != want {
        return Err(ApiError::not_found(format!(
            "asked for {want}, got {got:?}"
        )));
    }
    Ok(v)
}

/// Reads one JD Cloud object through the client's coalesced reads
/// (`cloud::coalesce`), which may answer it from a page of the list or from
/// the same burst (≤ 1 s, no write since: docs/design/refresh.md). Refreshes
/// and data sources read this way; polls read alone (`resources::wait`).
/// An answer about another object (a different id) counts as not found.
pub async fn jd_find<T: serde::de::DeserializeOwned>(
    client: &jdcloud::Client,
    kind: &jdcloud::ops::Kind,
    region: &str,
    ids: &[&str],
) -> Result<T, ApiError> {
    let v: serde_json::Value = client.read_one(kind, region, ids).await?;
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
    let v = client
        .call(action, region, alicloud::Params::new().set(id_field, id))
        .await?;
    let v = the_one_asked_for(v, id_field, id)?;
    serde_json::from_value(v).map_err(|e| ApiError::Decode(format!("{}: {e}", action.name)))
}

/// Deletes one Alibaba Cloud object by its id parameter.
pub async fn ali_delete(
    client: &alicloud::Client,
    action: &alicloud::actions::Action,
    region: &str,
    id_field: &str,
    id: &str,
) -> Result<(), ApiError> {
    let params = alicloud::Params::new().set(id_field, id);
    client
        .call::<serde_json::Value>(action, region, params)
        .await?;
    Ok(())
}

/// Sends a JD Cloud modify of the object at `at`, unless `change` changes
/// nothing (equals its default: every field absent).
pub async fn jd_modify<S>(
    client: &jdcloud::Client,
    kind: &jdcloud::ops::Kind,
    at: &Locator,
    what: &str,
    change: &S,
) -> Result<(), Diagnostics>
where
    S: serde::Serialize + Sync + PartialEq + Default,
{
    if *change == S::default() {
        return Ok(());
    }
    client
        .modify(kind, &at.region, &at.ids(), change)
        .await
        .map_err(|e| api_error_id("updating", what, &at.to_string(), &e))
}

/// The new value when it differs; clearing an optional string sends "".
pub fn changed(prior: &Option<String>, plan: &Option<String>) -> Option<String> {
    (prior != plan).then(|| plan.clone().unwrap_or_default())
}

/// JD Cloud answers an absent optional string as "" — state keeps it null.
pub fn non_empty(s: Option<String>) -> Option<String> {
    s.filter(|s| !s.is_empty())
}

/// `impl` a resource trait `for` a resource with what every resource file
/// says the same way: the file's `State` (located by region and id unless a
/// `located { … }` block says how, see [`located!`](crate::located)), the
/// object, and the declaration from the file's `TYPE_NAME`, `WHAT` and
/// `schema`, `planned_by` an optional plan modifier. Then the trait's other
/// items. [`managed_resource!`] and [`jd_resource!`](crate::resources::jdcloud::jd_resource) name the trait.
macro_rules! resource_impl {
    (
        $trait:path: $resource:ty => $object:ty
        $(, located $located:tt)?
        $(, planned_by $planner:path)?
        ;
        $($items:item)*
    ) => {
        $crate::located!(State $($located)?);

        #[async_trait::async_trait]
        impl $trait for $resource {
            type State = State;
            type Object = $object;
            const DECLARATION: $crate::framework::Declaration =
                $crate::framework::Declaration::new(TYPE_NAME, WHAT, schema)
                    $(.planned_by($planner))?;
            $($items)*
        }
    };
}
pub(crate) use resource_impl;

/// [`resource_impl!`] for the four resources that implement `Managed`
/// themselves: their `Client` is the file's.
macro_rules! managed_resource {
    ($resource:ty => $object:ty $(, $option:ident $value:tt)*; $($items:item)*) => {
        $crate::resources::common::resource_impl! {
            $crate::framework::Managed<$crate::clients::ProviderData>: $resource => $object
            $(, $option $value)*;
            type Client = Client;
            $($items)*
        }
    };
}
pub(crate) use managed_resource;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_answer_about_another_object_is_not_found() {
        let asked = json!({"VpnConnectionId": "vco-1", "Name": "a"});
        assert_eq!(
            the_one_asked_for(asked.clone(), "VpnConnectionId", "vco-1").unwrap(),
            asked
        );
        let other = the_one_asked_for(
            json!({"VpnConnectionId": "vco-2"}),
            "VpnConnectionId",
            "vco-1",
        );
        assert!(other.unwrap_err().is_not_found());
        let empty = the_one_asked_for(json!({}), "VpnConnectionId", "vco-1");
        assert!(empty.unwrap_err().is_not_found());
    }
}
