//! Unauthenticated test/demo routes under `/_sandbox/`.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::faults::{FaultPlan, FaultPlanError};
use super::ids;
use super::state::SandboxState;
use super::{alicloud, jdcloud};

pub(super) fn router() -> Router<SandboxState> {
    Router::new()
        .route("/_sandbox/state", get(state))
        .route("/_sandbox/reset", post(reset))
        .route("/_sandbox/requests", get(requests))
        .route("/_sandbox/faults", get(faults).post(set_faults))
        .route("/_sandbox/clock", get(clock).post(advance_clock))
}

/// Every resource of both clouds: `{"jdcloud": {"<kind>": [..]}, "alicloud": {..},
/// "alicloud_seed": {..}}`. Known kinds are always present (possibly empty); anything else in the
/// table is shown under its own kind. `alicloud` holds only user-created resources, each as its
/// describe/list call shows it (pending operations settled first); the fixed CEN, transit routers
/// and route tables are under `alicloud_seed`. A JD Cloud row also carries its `region` (the API
/// objects have none; Alibaba rows have their `RegionId`), so the two ends of a cross-region
/// setup can be told apart.
async fn state(State(state): State<SandboxState>) -> Response {
    blocking(move || dump(&state)).await
}

fn dump(state: &SandboxState) -> Result<Value, String> {
    let mut clouds = Map::new();
    let jd_kinds: Map<String, Value> = jdcloud::KINDS
        .iter()
        .map(|k| (k.name.to_owned(), Value::Array(Vec::new())))
        .collect();
    clouds.insert(jdcloud::CLOUD.to_owned(), Value::Object(jd_kinds));
    // Alibaba objects are shown in their API shape, not as stored.
    let alibaba = alicloud::state_view(state).map_err(|e| e.to_string())?;
    clouds.insert(alicloud::CLOUD.to_owned(), alibaba);
    clouds.insert(alicloud::SEED_KEY.to_owned(), alicloud::seed_state());
    for row in state.store().all_resources().map_err(|e| e.to_string())? {
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
                let mut body = row.body;
                if let Value::Object(fields) = &mut body {
                    fields
                        .entry("region")
                        .or_insert_with(|| Value::String(row.region));
                }
                list.push(body);
            }
        }
    }
    Ok(Value::Object(clouds))
}

/// Empties all state, request counters, the rate-limit window and the remembered nonces of both
/// clouds included (the Alibaba seed is not state: it is always there). The fault plan stays;
/// its RNG restarts from the seed, so a replayed request sequence meets the same faults. The
/// clock stays too: time never runs backwards.
async fn reset(State(state): State<SandboxState>) -> Response {
    blocking(move || {
        state.store().reset().map_err(|e| e.to_string())?;
        state.rate_limiter().reset();
        state.alicloud_nonces().reset();
        state.jdcloud_nonces().reset();
        state.faults().restart();
        Ok(serde_json::json!({"reset": true}))
    })
    .await
}

/// Request counts per operation, e.g. `{"jdcloud.createCustomerGateway": 3, "auth.rejected": 1}`.
async fn requests(State(state): State<SandboxState>) -> Response {
    blocking(move || {
        let counts = state.store().request_counts().map_err(|e| e.to_string())?;
        Ok(serde_json::to_value(counts).unwrap_or_default())
    })
    .await
}

/// The active fault plan, seed filled in.
async fn faults(State(state): State<SandboxState>) -> Response {
    Json(state.faults().plan()).into_response()
}

/// Replaces the fault plan (JSON body, any content type; `{}` or an empty body turns faults
/// off) and answers the active plan; 400 with the reason for an invalid one.
async fn set_faults(State(state): State<SandboxState>, body: Bytes) -> Response {
    let parsed = if body.iter().all(u8::is_ascii_whitespace) {
        Ok(FaultPlan::default())
    } else {
        serde_json::from_slice(&body)
            .map_err(FaultPlanError::from)
            .and_then(FaultPlan::from_json)
    };
    match parsed {
        Ok(plan) => {
            let active = state.faults().set(plan);
            tracing::info!(plan = ?active, "fault plan replaced");
            Json(active).into_response()
        }
        Err(e) => (
            StatusCode::BAD_REQUEST,
            Json(serde_json::json!({"error": e.to_string()})),
        )
            .into_response(),
    }
}

/// `POST /_sandbox/clock` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Advance {
    advance_ms: u32,
}

/// The clock: emulated `now`, the `wall` time request dates are checked against, and how far
/// apart they are (`advanced_ms`).
fn clock_view(state: &SandboxState) -> Value {
    let clock = state.clock();
    serde_json::json!({
        "now": ids::iso8601_ms(clock.now()),
        "wall": ids::iso8601_ms(clock.wall()),
        "advanced_ms": clock.advanced_ms(),
    })
}

async fn clock(State(state): State<SandboxState>) -> Response {
    Json(clock_view(&state)).into_response()
}

/// Moves emulated time forward by `advance_ms` (at most 2^32-1 ms, about 49 days, per call), so
/// pending Alibaba states settle without waiting; answers the clock. Request dates are still
/// checked against the wall time, so clients signing with the real time keep working.
async fn advance_clock(State(state): State<SandboxState>, body: Bytes) -> Response {
    match serde_json::from_slice::<Advance>(&body) {
        Ok(advance) => {
            state.clock().advance(i64::from(advance.advance_ms));
            let view = clock_view(&state);
            tracing::info!(clock = %view, "clock advanced");
            Json(view).into_response()
        }
        Err(e) => (
            StatusCode::BAD_REQUEST,
            Json(serde_json::json!({
                "error": format!("expected {{\"advance_ms\": <milliseconds>}}: {e}")
            })),
        )
            .into_response(),
    }
}

/// Runs `f` on the blocking pool (it uses the store); its error is a 500 with the reason.
async fn blocking(f: impl FnOnce() -> Result<Value, String> + Send + 'static) -> Response {
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::sandbox::SandboxConfig;

    #[test]
    fn jd_rows_carry_their_region() {
        let state = SandboxState::open(SandboxConfig::default()).unwrap();
        let bgws = *jdcloud::KINDS.iter().find(|k| k.name == "bgws").unwrap();
        state
            .store()
            .transaction(|tx| {
                tx.insert(bgws, "cn-north-1", "bgw-a", &json!({"bgwId": "bgw-a"}))?;
                tx.insert(bgws, "cn-east-2", "bgw-b", &json!({"bgwId": "bgw-b"}))
            })
            .unwrap();
        let dump = dump(&state).unwrap();
        assert_eq!(
            dump["jdcloud"]["bgws"],
            json!([
                {"bgwId": "bgw-a", "region": "cn-north-1"},
                {"bgwId": "bgw-b", "region": "cn-east-2"},
            ])
        );
    }
}
