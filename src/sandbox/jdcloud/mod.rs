//! JD Cloud `bgw` OpenAPI emulation: `/v1/regions/{regionId}/…` (docs/design/jdcloud.md §1–§4, §7).
//!
//! Request flow: read body → authenticate against the clock's wall time (nonce replay
//! included) → rate limit (429 `RATE_LIMIT`) → match [`routes::ROUTES`] → injected fault, if any
//! (429 `RATE_LIMIT` or 500 `INTERNAL` before the operation; 500 or a dropped connection after
//! it) → count → in one store transaction (on the blocking pool) the operation's handler, which
//! parses, calls the backend and renders → envelope.
//!
//! Layers, one direction: this file → `handlers` (parse, field rules in `validate`, render with
//! `wire`) → `backend` (objects and the rules between them, in a `Db`: store transaction plus
//! the request's time from the sandbox clock) → `store`. `auth`, `routes`, `error` are leaves.
//!
//! Resources reference each other only within one region (a `bgwId` from another region is 404).
//! Delete order is enforced where the API documents it: tunnels (DOWN first) → connections →
//! customer gateways; static routes → the connections and attachments they point at; attachments,
//! connections and static routes → border gateway.

mod auth;
mod backend;
mod error;
mod handlers;
mod routes;
mod validate;
mod wire;

use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;

use self::backend::db::Db;
use self::error::JdError;
use self::routes::Op;
use self::wire::{ErrorBody, ErrorEnvelope, OpRequest, Query, Reply, SuccessEnvelope};
use super::envelope::{
    Envelope, AUTH_REJECTED_COUNTER, INJECTED_THROTTLE_WAIT, MAX_BODY_BYTES, RATE_LIMITED_COUNTER,
};
use super::faults::{self, Fault};
use super::ids;
use super::state::SandboxState;

pub(crate) use self::backend::model::{CLOUD, KINDS};

const ENVELOPE: Envelope = Envelope {
    cloud: CLOUD,
    content_type: "application/json; charset=utf-8",
    request_id_header: "x-jdcloud-request-id",
    retry_after_ms_header: None,
};
const OPERATION_ID_HEADER: &str = "x-jdcloud-operationid";

/// Serves one `/v1/…` request.
pub(super) async fn handle(state: SandboxState, request: Request) -> Response {
    let request_id = ids::jdcloud_request_id();
    let (parts, body) = request.into_parts();
    let body = match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        Ok(b) => b,
        Err(e) => {
            let err = JdError::invalid_argument(format!("cannot read request body: {e}"));
            return respond(&request_id, None, Err(err));
        }
    };
    let now = state.clock().now();

    if let Err(e) = auth::authenticate(
        state.credentials(),
        state.jdcloud_nonces(),
        &parts,
        &body,
        state.clock().wall(),
    ) {
        state.count(AUTH_REJECTED_COUNTER);
        return respond(&request_id, None, Err(e));
    }

    // After authentication: the gateway limits per caller, and unsigned noise should not lock
    // out the real client.
    if let Err(wait) = state.rate_limiter().admit(now) {
        state.count(RATE_LIMITED_COUNTER);
        let err = JdError::rate_limit(format!(
            "call frequency exceeded: at most {} calls per minute",
            state.rate_limiter().limit()
        ));
        return ENVELOPE.retry_after(respond(&request_id, None, Err(err)), wait);
    }

    let Some((op, params)) = routes::find(parts.method.as_str(), parts.uri.path()) else {
        let err = JdError::not_found(format!(
            "no JD Cloud operation for {} {}",
            parts.method,
            parts.uri.path()
        ));
        return respond(&request_id, None, Err(err));
    };
    let region = params.get("regionId");
    if !super::regions::JDCLOUD.contains(&region) {
        // INFERRED: JD Cloud's answer for an unknown region is not documented;
        // 400 INVALID_ARGUMENT is its answer for any other bad path parameter
        // (docs/design/jdcloud.md §8.8).
        let err =
            JdError::invalid_argument(format!("regionId '{region}' is not a JD Cloud region"));
        return respond(&request_id, Some(op), Err(err));
    }
    let fault = state.faults().inject(state.store(), op.name()).await;
    match fault {
        Some(Fault::Throttle) => {
            let err = JdError::rate_limit("call frequency exceeded (sandbox fault injection)");
            let refused = respond(&request_id, Some(op), Err(err));
            return ENVELOPE.retry_after(refused, INJECTED_THROTTLE_WAIT);
        }
        Some(Fault::ErrorBefore) => {
            return respond(&request_id, Some(op), Err(injected_error()));
        }
        _ => {}
    }
    let req = OpRequest {
        region: params.get("regionId").to_owned(),
        params,
        query: Query::parse(parts.uri.query().unwrap_or("")),
        body,
    };
    let outcome = tokio::task::spawn_blocking(move || {
        let store = state.store();
        store.count_request(&format!("{CLOUD}.{}", op.name()))?;
        let quotas = state.config().quotas;
        store.transaction(|tx| {
            handlers::run(op, &Db::new(tx, now, &req.region).with_quotas(quotas), &req)
        })
    })
    .await
    .unwrap_or_else(|e| Err(JdError::internal(format!("operation panicked: {e}"))));
    tracing::debug!(
        request_id,
        operation = op.name(),
        status = outcome.as_ref().err().map_or(200, |e| e.status.http()),
        "JD Cloud request"
    );
    match fault {
        Some(Fault::ErrorAfter) => respond(&request_id, Some(op), Err(injected_error())),
        Some(Fault::Reset) => faults::connection_reset(),
        Some(Fault::Garble) => faults::garbled(),
        _ => respond(&request_id, Some(op), outcome),
    }
}

/// The transient server error of fault injection (docs/design/jdcloud.md §2.4: 500 `INTERNAL`).
fn injected_error() -> JdError {
    JdError::internal("internal server error (sandbox fault injection)")
}

/// A request that belongs to no cloud: JD Cloud-style 404.
pub(super) fn unknown_path(request: &Request) -> Response {
    let err = JdError::not_found(format!(
        "no route for {} {}",
        request.method(),
        request.uri().path()
    ));
    respond(&ids::jdcloud_request_id(), None, Err(err))
}

fn respond(request_id: &str, op: Option<Op>, outcome: Result<Reply, JdError>) -> Response {
    let (status, body) = match &outcome {
        Ok(reply) => {
            let result = match reply {
                Reply::Result(v) => Some(v),
                Reply::Empty => None,
            };
            let envelope = SuccessEnvelope { request_id, result };
            (StatusCode::OK, serde_json::to_vec(&envelope))
        }
        Err(e) => {
            let text = e.text();
            let envelope = ErrorEnvelope {
                request_id,
                error: ErrorBody {
                    code: e.status.http(),
                    status: e.status.as_str(),
                    message: &text,
                },
            };
            let http =
                StatusCode::from_u16(e.status.http()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            (http, serde_json::to_vec(&envelope))
        }
    };
    let mut response = ENVELOPE.respond(status, request_id, body);
    if let Some(op) = op {
        response
            .headers_mut()
            .insert(OPERATION_ID_HEADER, HeaderValue::from_static(op.name()));
    }
    response
}
