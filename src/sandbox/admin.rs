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

/// Every resource of both clouds: `{"jdcloud": {"<kind>": [..]}, "alicloud": {..},
/// "alicloud_seed": {..}}`. Known kinds are always present (possibly empty); anything else in the
/// table is shown under its own kind. `alicloud` holds only user-created resources, each as its
/// describe/list call shows it (pending operations settled first); the fixed CEN, transit routers
/// and route tables are under `alicloud_seed`.
async fn state(State(state): State<SandboxState>) -> Response {
    blocking(move || {
        let mut clouds = Map::new();
        let jd_kinds: Map<String, Value> = jdcloud::KINDS
            .iter()
            .map(|k| (k.name.to_owned(), Value::Array(Vec::new())))
            .collect();
        clouds.insert(jdcloud::CLOUD.to_owned(), Value::Object(jd_kinds));
        // Alibaba objects are shown in their API shape, not as stored.
        clouds.insert(alicloud::CLOUD.to_owned(), alicloud::state_view(&state)?);
        clouds.insert(alicloud::SEED_KEY.to_owned(), alicloud::seed_state());
        for row in state.store().all_resources()? {
            if row.cloud == alicloud::CLOUD {
                continue;
            }
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

/// Empties all state, request counters, the rate-limit window and the remembered Alibaba nonces
/// included (the Alibaba seed is not state: it is always there).
async fn reset(State(state): State<SandboxState>) -> Response {
    blocking(move || {
        state.store().reset()?;
        state.rate_limiter().reset();
        state.alicloud_nonces().reset();
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
