//! JD Cloud `bgw` OpenAPI emulation: `/v1/regions/{regionId}/…` (docs/design/jdcloud.md §1–§4, §7).
//!
//! Request flow: read body → authenticate (nonce replay included) → rate limit (429
//! `RATE_LIMIT`) → match [`routes::ROUTES`] → injected fault, if any (429 `RATE_LIMIT` or 500
//! `INTERNAL` before the operation; 500 or a dropped connection after it) → count → run the
//! model operation in one store transaction (on the blocking pool) → envelope.
//!
//! To add a resource: a model file like `customer_gateway.rs` (kind, object, rules, operations),
//! its rows in `routes.rs`, its kind in [`KINDS`], and its arms in [`run`].
//!
//! Resources reference each other only within one region (a `bgwId` from another region is 404).
//! Delete order is enforced where the API documents it: tunnels (DOWN first) → connections →
//! customer gateways; static routes → the connections and attachments they point at; attachments,
//! connections and static routes → border gateway.

mod auth;
mod bgw_route;
mod border_gateway;
mod customer_gateway;
mod error;
mod routes;
mod validate;
mod vpc_attachment;
mod vpn_connection;
mod vpn_tunnel;
mod wire;

use axum::body::Bytes;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use time::OffsetDateTime;

use self::error::JdError;
use self::routes::{Op, PathParams};
use self::wire::{ErrorBody, ErrorEnvelope, Query, SuccessEnvelope};
use super::faults::{self, Fault};
use super::ids;
use super::state::SandboxState;
use super::store::{Kind, Tx};

/// Cloud name in the store and in `/_sandbox/state`.
pub(crate) const CLOUD: &str = "jdcloud";

/// Every JD Cloud resource kind the sandbox keeps.
pub(crate) const KINDS: &[Kind] = &[
    border_gateway::KIND,
    vpc_attachment::KIND,
    customer_gateway::KIND,
    vpn_connection::KIND,
    vpn_tunnel::KIND,
    bgw_route::KIND,
];

/// Largest request body read (the API's bodies are tiny).
const MAX_BODY_BYTES: usize = 1 << 20;

const REQUEST_ID_HEADER: &str = "x-jdcloud-request-id";
const OPERATION_ID_HEADER: &str = "x-jdcloud-operationid";
/// Counter (in `/_sandbox/requests`) of calls refused with 429 `RATE_LIMIT`.
const RATE_LIMITED_COUNTER: &str = "rate_limit.rejected";

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
        Op::CreateBgw => border_gateway::create(tx, req),
        Op::DescribeBgws => border_gateway::describe_many(tx, req),
        Op::DescribeBgw => border_gateway::describe(tx, req),
        Op::ModifyBgw => border_gateway::modify(tx, req),
        Op::DeleteBgw => border_gateway::delete(tx, req),
        Op::CreateVpcAttachment => vpc_attachment::create(tx, req),
        Op::DescribeVpcAttachments => vpc_attachment::describe_many(tx, req),
        Op::DescribeVpcAttachment => vpc_attachment::describe(tx, req),
        Op::ModifyVpcAttachment => vpc_attachment::modify(tx, req),
        Op::DeleteVpcAttachment => vpc_attachment::delete(tx, req),
        Op::CreateCustomerGateway => customer_gateway::create(tx, req),
        Op::DescribeCustomerGateways => customer_gateway::describe_many(tx, req),
        Op::DescribeCustomerGateway => customer_gateway::describe(tx, req),
        Op::ModifyCustomerGateway => customer_gateway::modify(tx, req),
        Op::DeleteCustomerGateway => customer_gateway::delete(tx, req),
        Op::CreateVpnConnection => vpn_connection::create(tx, req),
        Op::DescribeVpnConnections => vpn_connection::describe_many(tx, req),
        Op::DescribeVpnConnection => vpn_connection::describe(tx, req),
        Op::ModifyVpnConnection => vpn_connection::modify(tx, req),
        Op::DeleteVpnConnection => vpn_connection::delete(tx, req),
        Op::CreateVpnTunnel => vpn_tunnel::create(tx, req),
        Op::DescribeVpnTunnels => vpn_tunnel::describe_many(tx, req),
        Op::DescribeVpnTunnel => vpn_tunnel::describe(tx, req),
        Op::ModifyVpnTunnel => vpn_tunnel::modify(tx, req),
        Op::DeleteVpnTunnel => vpn_tunnel::delete(tx, req),
        Op::ModifyAdminStatus => vpn_tunnel::modify_admin_status(tx, req),
        Op::CreateBgwRoute => bgw_route::create(tx, req),
        Op::DescribeBgwRoutes => bgw_route::describe_many(tx, req),
        Op::DescribeBgwRoute => bgw_route::describe(tx, req),
        Op::ModifyBgwRoute => bgw_route::modify(tx, req),
        Op::DeleteBgwRoute => bgw_route::delete(tx, req),
    }
}

/// The resource of `kind` with this id in `region`; otherwise 404 `"<what> '<id>' not found."`
/// (a resource in another region is invisible, as in the real API).
fn get_in_region<T: DeserializeOwned>(
    tx: &Tx<'_>,
    kind: Kind,
    region: &str,
    id: &str,
    what: &str,
) -> Result<T, JdError> {
    match tx.get::<T>(kind, id)? {
        Some(stored) if stored.region == region => Ok(stored.body),
        _ => Err(JdError::not_found(format!("{what} '{id}' not found."))),
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
    let now = state.clock().now();

    if let Err(e) = auth::authenticate(
        state.credentials(),
        state.jdcloud_nonces(),
        &parts,
        &body,
        state.clock().wall(),
    ) {
        if let Err(store_err) = state.store().count_request("auth.rejected") {
            tracing::error!(error = %store_err, "counting rejected request");
        }
        return respond(&request_id, None, Err(e));
    }

    // After authentication: the gateway limits per caller, and unsigned noise should not lock
    // out the real client.
    if !state.rate_limiter().admit(now) {
        if let Err(store_err) = state.store().count_request(RATE_LIMITED_COUNTER) {
            tracing::error!(error = %store_err, "counting rate-limited request");
        }
        let err = JdError::rate_limit(format!(
            "call frequency exceeded: at most {} calls per minute",
            state.rate_limiter().limit()
        ));
        return respond(&request_id, None, Err(err));
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
            return respond(&request_id, Some(op), Err(err));
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
