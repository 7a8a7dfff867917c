//! Alibaba Cloud RPC emulation (alicloud.md §A0, §A6): `POST|GET /` with the action in the
//! `Action` query parameter (signature V1 dialect) or the `x-acs-action` header (ACS3 dialect),
//! parameters merged from the query and a form body.
//!
//! No action is implemented yet: every call answers `InvalidAction.NotFound`. To add one, write a
//! model file (kind, object, rules, handler `fn(&Tx, &RpcRequest) -> Result<Value, AliError>`) and
//! add a row to [`ACTIONS`] and its kind to [`KINDS`]. Signature verification (ACS3 and V1) goes in
//! [`handle`] before dispatch, counting failures under `auth.rejected` like JD Cloud does.

use std::collections::BTreeMap;

use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use percent_encoding::percent_decode_str;
use serde::Serialize;
use serde_json::Value;

use super::store::{Kind, Tx};
use super::{ids, SandboxState};

/// Cloud name in the store and in `/_sandbox/state`.
pub(crate) const CLOUD: &str = "alicloud";

/// Every Alibaba Cloud resource kind the sandbox keeps (none yet).
pub(crate) const KINDS: &[Kind] = &[];

const MAX_BODY_BYTES: usize = 1 << 20;
const ACTION_HEADER: &str = "x-acs-action";
const VERSION_HEADER: &str = "x-acs-version";
const REQUEST_ID_HEADER: &str = "x-acs-request-id";

/// A decoded RPC call.
#[derive(Debug)]
pub(super) struct RpcRequest {
    pub action: String,
    /// API version (`2016-04-28` for Vpc, `2017-09-12` for Cbn); tells products apart.
    pub version: String,
    /// Query and form-body parameters merged (body wins), `+` decoded as space.
    pub params: BTreeMap<String, String>,
}

type Handler = fn(&Tx<'_>, &RpcRequest) -> Result<Value, AliError>;

/// One row per implemented action.
pub(super) struct Action {
    version: &'static str,
    name: &'static str,
    handler: Handler,
}

/// The dispatch table, keyed by (version, action).
static ACTIONS: &[Action] = &[];

/// An Alibaba Cloud error: HTTP status + `Code` + `Message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct AliError {
    pub http: StatusCode,
    pub code: String,
    pub message: String,
}

impl AliError {
    fn action_not_found() -> Self {
        Self {
            http: StatusCode::NOT_FOUND,
            code: "InvalidAction.NotFound".to_owned(),
            message: "Specified api is not found, please check your url and method.".to_owned(),
        }
    }

    fn internal(message: impl Into<String>) -> Self {
        Self {
            http: StatusCode::INTERNAL_SERVER_ERROR,
            code: "InternalError".to_owned(),
            message: message.into(),
        }
    }
}

impl From<super::store::StoreError> for AliError {
    fn from(e: super::store::StoreError) -> Self {
        tracing::error!(error = %e, "state store failed");
        Self::internal(format!("sandbox state store: {e}"))
    }
}

/// The RPC error envelope (alicloud.md §A6.1).
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct ErrorEnvelope<'a> {
    request_id: &'a str,
    host_id: &'a str,
    code: &'a str,
    message: &'a str,
    recommend: String,
}

/// Whether the request names an RPC action (query `Action` or header `x-acs-action`).
pub(super) fn is_rpc_request(request: &Request) -> bool {
    request.headers().contains_key(ACTION_HEADER)
        || query_pairs(request.uri().query().unwrap_or("")).any(|(k, _)| k == "Action")
}

/// Serves one RPC call.
pub(super) async fn handle(state: SandboxState, request: Request) -> Response {
    let request_id = ids::alicloud_request_id();
    let (parts, body) = request.into_parts();
    let host = parts
        .headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("sandbox")
        .to_owned();
    let body = match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        Ok(b) => b,
        Err(e) => {
            let err = AliError {
                http: StatusCode::BAD_REQUEST,
                code: "InvalidParameter".to_owned(),
                message: format!("cannot read request body: {e}"),
            };
            return respond(&request_id, &host, Err(err));
        }
    };
    let rpc = decode(&parts.headers, parts.uri.query().unwrap_or(""), &body);
    tracing::debug!(
        request_id,
        action = %rpc.action,
        version = %rpc.version,
        params = rpc.params.len(),
        "Alibaba Cloud request"
    );

    let Some(action) = ACTIONS
        .iter()
        .find(|a| a.name == rpc.action && a.version == rpc.version)
    else {
        return respond(&request_id, &host, Err(AliError::action_not_found()));
    };
    let handler = action.handler;
    let counter = format!("{CLOUD}.{}", action.name);
    let outcome = tokio::task::spawn_blocking(move || {
        let store = state.store();
        store.count_request(&counter)?;
        store.transaction(|tx| handler(tx, &rpc))
    })
    .await
    .unwrap_or_else(|e| Err(AliError::internal(format!("action panicked: {e}"))));
    respond(&request_id, &host, outcome)
}

fn query_pairs(raw: &str) -> impl Iterator<Item = (String, String)> + '_ {
    let decode = |s: &str| {
        percent_decode_str(&s.replace('+', " "))
            .decode_utf8_lossy()
            .into_owned()
    };
    raw.split('&').filter(|i| !i.is_empty()).map(move |item| {
        let (k, v) = item.split_once('=').unwrap_or((item, ""));
        (decode(k), decode(v))
    })
}

fn decode(headers: &HeaderMap, query: &str, body: &[u8]) -> RpcRequest {
    let mut params: BTreeMap<String, String> = query_pairs(query).collect();
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    if is_form {
        params.extend(query_pairs(&String::from_utf8_lossy(body)));
    }
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    RpcRequest {
        action: header(ACTION_HEADER)
            .or_else(|| params.get("Action").cloned())
            .unwrap_or_default(),
        version: header(VERSION_HEADER)
            .or_else(|| params.get("Version").cloned())
            .unwrap_or_default(),
        params,
    }
}

fn respond(request_id: &str, host: &str, outcome: Result<Value, AliError>) -> Response {
    let (status, body) = match outcome {
        Ok(mut value) => {
            if let Value::Object(map) = &mut value {
                map.insert("RequestId".to_owned(), Value::String(request_id.to_owned()));
            }
            (StatusCode::OK, serde_json::to_vec(&value))
        }
        Err(e) => {
            let envelope = ErrorEnvelope {
                request_id,
                host_id: host,
                code: &e.code,
                message: &e.message,
                recommend: format!(
                    "https://api.aliyun.com/troubleshoot?q={}&requestId={request_id}",
                    e.code
                ),
            };
            (e.http, serde_json::to_vec(&envelope))
        }
    };
    let body = match body {
        Ok(b) => b,
        Err(e) => {
            tracing::error!(error = %e, "encoding Alibaba Cloud envelope");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let mut response = (
        status,
        [(header::CONTENT_TYPE, "application/json;charset=utf-8")],
        body,
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(request_id) {
        response.headers_mut().insert(REQUEST_ID_HEADER, v);
    }
    response
}
