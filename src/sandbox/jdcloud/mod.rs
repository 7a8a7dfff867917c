//! JD Cloud `bgw` OpenAPI emulation: `/v1/regions/{regionId}/…` (jdcloud.md §1–§4, §8).
//!
//! Request flow: read body → authenticate → match [`routes::ROUTES`] → count → run the model
//! operation in one store transaction (on the blocking pool) → envelope.
//!
//! To add a resource: a model file like `customer_gateway.rs` (kind, object, rules, operations),
//! its rows in `routes.rs`, its kind in [`KINDS`], and its arms in [`run`].

mod auth;
mod customer_gateway;
mod error;
mod routes;
mod validate;
mod wire;

use axum::body::Bytes;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::Value;
use time::OffsetDateTime;

use self::error::JdError;
use self::routes::{Op, PathParams};
use self::wire::{ErrorBody, ErrorEnvelope, Query, SuccessEnvelope};
use super::store::{Kind, Tx};
use super::{ids, SandboxState};

/// Cloud name in the store and in `/_sandbox/state`.
pub(crate) const CLOUD: &str = "jdcloud";

/// Every JD Cloud resource kind the sandbox keeps.
pub(crate) const KINDS: &[Kind] = &[customer_gateway::KIND];

/// Largest request body read (the API's bodies are tiny).
const MAX_BODY_BYTES: usize = 1 << 20;

const REQUEST_ID_HEADER: &str = "x-jdcloud-request-id";
const OPERATION_ID_HEADER: &str = "x-jdcloud-operationid";

/// What a model operation sees of the request.
struct OpRequest {
    /// `regionId` from the path.
    pub region: String,
    pub params: PathParams,
    pub query: Query,
    pub body: Bytes,
    pub now: OffsetDateTime,
}

/// A successful operation: a `result` object, or nothing (delete, modify).
enum Reply {
    Result(Value),
    Empty,
}

impl Reply {
    fn result(result: &impl Serialize) -> Result<Self, JdError> {
        serde_json::to_value(result)
            .map(Reply::Result)
            .map_err(|e| JdError::internal(format!("encoding result: {e}")))
    }
}

fn run(op: Op, tx: &Tx<'_>, req: &OpRequest) -> Result<Reply, JdError> {
    match op {
        Op::CreateCustomerGateway => customer_gateway::create(tx, req),
        Op::DescribeCustomerGateways => customer_gateway::describe_many(tx, req),
        Op::DescribeCustomerGateway => customer_gateway::describe(tx, req),
        Op::ModifyCustomerGateway => customer_gateway::modify(tx, req),
        Op::DeleteCustomerGateway => customer_gateway::delete(tx, req),
    }
}

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
    let now = OffsetDateTime::now_utc();

    if let Err(e) = auth::authenticate(state.credentials(), &parts, &body, now) {
        if let Err(store_err) = state.store().count_request("auth.rejected") {
            tracing::error!(error = %store_err, "counting rejected request");
        }
        return respond(&request_id, None, Err(e));
    }

    let Some((op, params)) = routes::find(parts.method.as_str(), parts.uri.path()) else {
        let err = JdError::not_found(format!(
            "no JD Cloud operation for {} {}",
            parts.method,
            parts.uri.path()
        ));
        return respond(&request_id, None, Err(err));
    };
    let req = OpRequest {
        region: params.get("regionId").to_owned(),
        params,
        query: Query::parse(parts.uri.query().unwrap_or("")),
        body,
        now,
    };
    let outcome = tokio::task::spawn_blocking(move || {
        let store = state.store();
        store.count_request(&format!("{CLOUD}.{}", op.name()))?;
        store.transaction(|tx| run(op, tx, &req))
    })
    .await
    .unwrap_or_else(|e| Err(JdError::internal(format!("operation panicked: {e}"))));
    tracing::debug!(
        request_id,
        operation = op.name(),
        status = outcome.as_ref().err().map_or(200, |e| e.http.as_u16()),
        "JD Cloud request"
    );
    respond(&request_id, Some(op), outcome)
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
            let envelope = ErrorEnvelope {
                request_id,
                error: ErrorBody {
                    code: e.http.as_u16(),
                    status: e.status,
                    message: &e.message,
                },
            };
            (e.http, serde_json::to_vec(&envelope))
        }
    };
    let body = match body {
        Ok(b) => b,
        Err(e) => {
            tracing::error!(error = %e, "encoding JD Cloud envelope");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let mut response = (
        status,
        [(
            axum::http::header::CONTENT_TYPE,
            "application/json; charset=utf-8",
        )],
        body,
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(request_id) {
        response.headers_mut().insert(REQUEST_ID_HEADER, v);
    }
    if let Some(op) = op {
        response
            .headers_mut()
            .insert(OPERATION_ID_HEADER, HeaderValue::from_static(op.name()));
    }
    response
}
