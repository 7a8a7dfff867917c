//! Alibaba Cloud RPC emulation (docs/design/alicloud.md §2–§7, §9): `POST|GET /` with the action in
//! the `x-acs-action` header (ACS3 dialect) or the `Action` parameter (signature V1 dialect),
//! parameters merged from the query and an `application/x-www-form-urlencoded` body.
//!
//! Request flow: read body → decode parameters → authenticate ([`auth`], failures counted under
//! `auth.rejected`) → rate limit (400 `Throttling.User`, counted under `rate_limit.rejected`;
//! the limiter is shared with JD Cloud) → find (Version, Action) in `handlers::ACTIONS` (unknown
//! version 400 `InvalidVersion`, unknown action 404 `InvalidApi.NotFound`) → injected fault, if
//! any (400 `Throttling.User` or 503 `ServiceUnavailable` before the action; 503 or a dropped
//! connection after it) → count
//! `alicloud.<Action>` → in one store transaction: `lifecycle::settle` pending objects, then
//! the handler → JSON with `RequestId` (errors: `RequestId`, `HostId`, `Code`, `Message`,
//! `Recommend`; header `x-acs-request-id` either way).
//!
//! Layers, one direction: this file → `handlers` (one file per resource: parse the parameters,
//! check them with `rules`, call the backend, render; the one dispatch table `ACTIONS`) →
//! `backend` (objects and the rules between them, in a `Db`: store transaction plus the
//! request's time from the sandbox clock; `lifecycle` settles pending states; `seed` holds the
//! CEN, transit routers and route tables every sandbox has) → `store`. `auth`, `params`,
//! `error` are leaves. Resources: customer gateways, IPsec connections and their destination
//! routes (Vpc 2016-04-28); transit-router bindings, route-table links and the transit router's
//! route entries (Cbn 2017-09-12).

mod auth;
mod backend;
mod error;
mod handlers;
mod params;
mod rules;

#[cfg(test)]
mod tests;

use axum::extract::Request;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use serde::Serialize;
use serde_json::Value;

use self::backend::db::Db;
use self::backend::lifecycle;
use self::error::AliError;
use self::handlers::{state_view, Product, CBN, PRODUCTS, VPC};
use self::params::Params;
use super::envelope::{
    Envelope, AUTH_REJECTED_COUNTER, INJECTED_THROTTLE_WAIT, MAX_BODY_BYTES, RATE_LIMITED_COUNTER,
};
use super::faults::{self, Fault};
use super::ids;
use super::state::SandboxState;
use crate::signer::acs3;
use crate::signer::canonical::percent_decode_lossy;

pub(crate) use self::backend::model::CLOUD;

/// Key of the seeded objects (CEN, transit routers, route tables) in `/_sandbox/state`.
pub(crate) const SEED_KEY: &str = "alicloud_seed";

const ENVELOPE: Envelope = Envelope {
    cloud: CLOUD,
    content_type: "application/json;charset=utf-8",
    request_id_header: "x-acs-request-id",
    // What Alibaba's SDK reads (docs/design/alicloud.md §10.16).
    retry_after_ms_header: Some("x-acs-retry-after"),
};
/// The transient server error of fault injection (docs/design/alicloud.md §6.2: 503, retried by
/// terraform-provider-alicloud's `NeedRetry`). Not in [`error::codes`] only because fault
/// injection is the one place that answers it.
const SERVICE_UNAVAILABLE: &str = "ServiceUnavailable";

/// The RPC error envelope (docs/design/alicloud.md §6.1).
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct ErrorEnvelope<'a> {
    request_id: &'a str,
    host_id: &'a str,
    code: &'a str,
    message: &'a str,
    recommend: String,
}

/// `/_sandbox/state` → `alicloud_seed`: the seeded CEN, transit routers and route tables.
pub(crate) fn seed_state() -> Value {
    state_view::seeded()
}

/// `/_sandbox/state` → `alicloud`: every user-created resource as its describe / list call shows
/// it, after bringing pending operations up to date (at the clock's time).
pub(crate) fn state_view(state: &SandboxState) -> Result<Value, AliError> {
    let now = state.clock().now();
    let delay = state.provisioning_ms();
    state
        .store()
        .transaction(|tx| state_view::user_objects(&Db::new(tx, now), delay))
}

/// Whether the request is an RPC call: `x-acs-action` header, `Action` in the query, or a form
/// POST to `/` (whose `Action` is in the body).
pub(super) fn is_rpc_request(request: &Request) -> bool {
    let form_to_root = request.uri().path() == "/"
        && request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    request.headers().contains_key(acs3::ACTION_HEADER)
        || form_to_root
        || form_pairs(request.uri().query().unwrap_or("")).any(|(k, _)| k == "Action")
}

/// Form-style decoding (`+` is a space) of `a=1&b=2`.
fn form_pairs(raw: &str) -> impl Iterator<Item = (String, String)> + '_ {
    raw.split('&').filter(|i| !i.is_empty()).map(|item| {
        let (k, v) = item.split_once('=').unwrap_or((item, ""));
        (percent_decode_lossy(k, true), percent_decode_lossy(v, true))
    })
}

/// Query parameters, then the form body's (which win on a repeated name, as the SDKs' merge).
fn decode_params(headers: &HeaderMap, query: &str, body: &[u8]) -> Params {
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    let body = if is_form {
        String::from_utf8_lossy(body).into_owned()
    } else {
        String::new()
    };
    Params::new(
        form_pairs(query)
            .chain(form_pairs(&body))
            .collect::<Vec<_>>(),
    )
}

/// Serves one RPC call.
pub(super) async fn handle(state: SandboxState, request: Request) -> Response {
    let request_id = ids::alicloud_request_id();
    let now = state.clock().now();
    let (parts, body) = request.into_parts();
    let host = parts
        .headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("sandbox")
        .to_owned();
    let reply = |product: Option<Product>, outcome| respond(&request_id, &host, product, outcome);
    let body = match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        Ok(b) => b,
        Err(e) => {
            let err = AliError::invalid("Body", format!("cannot read request body: {e}"));
            return reply(None, Err(err));
        }
    };
    let params = decode_params(&parts.headers, parts.uri.query().unwrap_or(""), &body);
    let header = |name: &str| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let action = header(acs3::ACTION_HEADER).or_else(|| params.string("Action"));
    let version = header(acs3::VERSION_HEADER).or_else(|| params.string("Version"));
    let product = version
        .as_deref()
        .and_then(|v| PRODUCTS.iter().find(|p| p.version == v).copied());

    let auth_config = auth::AuthConfig {
        credentials: state.credentials(),
        security_token: state
            .config()
            .alicloud_security_token
            .as_ref()
            .map(|t| t.as_str()),
    };
    let pairs = params.pairs();
    if let Err(e) = auth::authenticate(
        &auth_config,
        state.alicloud_nonces(),
        &parts,
        &body,
        &pairs,
        state.clock().wall(),
    ) {
        tracing::warn!(code = %e.code, message = %e.message, "Alibaba Cloud request rejected");
        state.count(AUTH_REJECTED_COUNTER);
        return reply(product, Err(e));
    }
    // After authentication: the limit is per caller, and unsigned noise should not lock out
    // the real client.
    if let Err(wait) = state.rate_limiter().admit(now) {
        state.count(RATE_LIMITED_COUNTER);
        return ENVELOPE.retry_after(reply(product, Err(AliError::throttled())), wait);
    }

    let found = match (version.as_deref(), product, action.as_deref()) {
        (None, _, _) => Err(AliError::missing("Version")),
        (Some(v), None, _) => Err(AliError::bad(
            error::codes::INVALID_VERSION,
            format!(
                "Specified parameter Version is not valid: {v:?} (the sandbox serves Vpc {} and \
                 Cbn {}).",
                VPC.version, CBN.version
            ),
        )),
        (_, _, None) => Err(AliError::missing("Action")),
        (_, Some(product), Some(name)) => handlers::find(product, name).ok_or_else(|| {
            AliError::not_found(
                error::codes::API_NOT_FOUND,
                format!(
                    "Specified api is not found, please check your url and method: {} {name}.",
                    product.name
                ),
            )
        }),
    };
    let action = match found {
        Ok(a) => a,
        Err(e) => return reply(product, Err(e)),
    };
    let fault = state.faults().inject(state.store(), action.name).await;
    match fault {
        Some(Fault::Throttle) => {
            let refused = reply(Some(action.product), Err(AliError::throttled()));
            return ENVELOPE.retry_after(refused, INJECTED_THROTTLE_WAIT);
        }
        Some(Fault::ErrorBefore) => return reply(Some(action.product), Err(injected_error())),
        _ => {}
    }
    let handler = action.handler;
    let counter = format!("{CLOUD}.{}", action.name);
    let delay = state.provisioning_ms();
    let outcome = tokio::task::spawn_blocking(move || {
        let store = state.store();
        store.count_request(&counter)?;
        store.transaction(|tx| {
            let db = Db::new(tx, now);
            lifecycle::settle(&db, delay)?;
            handler(&db, &params)
        })
    })
    .await
    .unwrap_or_else(|e| Err(AliError::internal(format!("action panicked: {e}"))));
    tracing::debug!(
        request_id,
        action = action.name,
        status = outcome.as_ref().err().map_or(200, |e| e.http),
        "Alibaba Cloud request"
    );
    match fault {
        Some(Fault::ErrorAfter) => reply(Some(action.product), Err(injected_error())),
        Some(Fault::Reset) => faults::connection_reset(),
        Some(Fault::Garble) => faults::garbled(),
        _ => reply(Some(action.product), outcome),
    }
}

fn injected_error() -> AliError {
    AliError::new(
        StatusCode::SERVICE_UNAVAILABLE.as_u16(),
        SERVICE_UNAVAILABLE,
        "The server is temporarily unavailable.",
    )
}

fn respond(
    request_id: &str,
    host: &str,
    product: Option<Product>,
    outcome: Result<Value, AliError>,
) -> Response {
    let (status, body) = match outcome {
        Ok(mut value) => {
            if let Value::Object(map) = &mut value {
                map.insert("RequestId".to_owned(), Value::String(request_id.to_owned()));
            }
            (StatusCode::OK, serde_json::to_vec(&value))
        }
        Err(e) => {
            let product = product.map_or(VPC.name, |p| p.name);
            let envelope = ErrorEnvelope {
                request_id,
                host_id: host,
                code: &e.code,
                message: &e.message,
                recommend: format!(
                    "https://api.aliyun.com/troubleshoot?q={}&product={product}&requestId={request_id}",
                    e.code
                ),
            };
            let http = StatusCode::from_u16(e.http).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            (http, serde_json::to_vec(&envelope))
        }
    };
    ENVELOPE.respond(status, request_id, body)
}
