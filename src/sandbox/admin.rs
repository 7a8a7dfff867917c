//! Unauthenticated test/demo routes under `/_sandbox/`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Map, Value};

use super::store::StoreError;
use super::{alicloud, jdcloud, SandboxState};

pub(super) fn router() -> Router<SandboxState> {
    Router::new()
        .route("/_sandbox/state", get(state))
        .route("/_sandbox/reset", post(reset))
        .route("/_sandbox/requests", get(requests))
}

/// Every resource of both clouds: `{"jdcloud": {"<kind>": [..]}, "alicloud": {..}}`. Known kinds
/// are always present (possibly empty); anything else in the table is shown under its own kind.
async fn state(State(state): State<SandboxState>) -> Response {
    blocking(move || {
        let mut clouds = Map::new();
        for (cloud, kinds) in [
            (jdcloud::CLOUD, jdcloud::KINDS),
            (alicloud::CLOUD, alicloud::KINDS),
        ] {
            let kinds: Map<String, Value> = kinds
                .iter()
                .map(|k| (k.name.to_owned(), Value::Array(Vec::new())))
                .collect();
            clouds.insert(cloud.to_owned(), Value::Object(kinds));
        }
        for row in state.store().all_resources()? {
            let kinds = clouds
                .entry(row.cloud)
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(kinds) = kinds {
                let list = kinds
                    .entry(row.kind)
                    .or_insert_with(|| Value::Array(Vec::new()));
                if let Value::Array(list) = list {
                    list.push(row.body);
                }
            }
        }
        Ok(Value::Object(clouds))
    })
    .await
}

/// Empties all state, request counters and the rate-limit window included.
async fn reset(State(state): State<SandboxState>) -> Response {
    blocking(move || {
        state.store().reset()?;
        state.rate_limiter().reset();
        Ok(serde_json::json!({"reset": true}))
    })
    .await
}

/// Request counts per operation, e.g. `{"jdcloud.createCustomerGateway": 3, "auth.rejected": 1}`.
async fn requests(State(state): State<SandboxState>) -> Response {
    blocking(move || Ok(serde_json::to_value(state.store().request_counts()?).unwrap_or_default()))
        .await
}

async fn blocking(f: impl FnOnce() -> Result<Value, StoreError> + Send + 'static) -> Response {
    match tokio::task::spawn_blocking(f).await {
        Ok(Ok(body)) => Json(body).into_response(),
        Ok(Err(e)) => {
            tracing::error!(error = %e, "admin route failed");
            (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "admin route panicked");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
