//! Alibaba Cloud RPC emulation (docs/design/alicloud.md §2–§7, §9): `POST|GET /` with the action in
//! the `x-acs-action` header (ACS3 dialect) or the `Action` parameter (signature V1 dialect),
//! parameters merged from the query and an `application/x-www-form-urlencoded` body.
//!
//! Request flow: read body → decode parameters → authenticate ([`auth`], failures counted under
//! `auth.rejected`) → rate limit (400 `Throttling.User`, counted under `rate_limit.rejected`;
//! the limiter is shared with JD Cloud) → find (Version, Action) in [`ACTIONS`] (unknown
//! version 400 `InvalidVersion`, unknown action 404 `InvalidApi.NotFound`) → injected fault, if
//! any (400 `Throttling.User` or 503 `ServiceUnavailable` before the action; 503 or a dropped
//! connection after it) → count
//! `alicloud.<Action>` → in one store transaction: [`lifecycle::settle`] pending objects, then
//! the handler → JSON with `RequestId` (errors: `RequestId`, `HostId`, `Code`, `Message`,
//! `Recommend`; header `x-acs-request-id` either way).
//!
//! Models: [`customer_gateway`], [`vpn_connection`], [`vco_route`] (Vpc 2016-04-28),
//! [`tr_attachment`], [`route_table`] (Cbn 2017-09-12; the transit router's route entries are
//! derived in [`vco_route`]); the CEN / transit routers / route tables they refer to are
//! the constants of [`seed`]. To add an action: a handler `fn(&Tx, &Call) -> Result<Value,
//! AliError>` in its model file and a row in [`ACTIONS`].

mod auth;
mod customer_gateway;
mod error;
mod lifecycle;
mod model;
mod params;
mod route_table;
mod rules;
mod seed;
mod tr_attachment;
mod vco_route;
mod vpn_connection;

#[cfg(test)]
mod tests;

use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Map, Value};

use self::error::AliError;
use self::params::Params;
use super::clock::epoch_ms;
use super::faults::{self, Fault};
use super::ids;
use super::state::SandboxState;
use super::store::{Kind, StoreError, Tx};
use crate::signer::acs3;
use crate::signer::canonical::percent_decode_lossy;

/// Cloud name in the store and in `/_sandbox/state`.
pub(crate) const CLOUD: &str = "alicloud";
/// Key of the seeded objects (CEN, transit routers, route tables) in `/_sandbox/state`.
pub(crate) const SEED_KEY: &str = "alicloud_seed";

const MAX_BODY_BYTES: usize = 1 << 20;
const REQUEST_ID_HEADER: &str = "x-acs-request-id";
/// Counters in `/_sandbox/requests` (same names as JD Cloud's).
const AUTH_REJECTED_COUNTER: &str = "auth.rejected";
const RATE_LIMITED_COUNTER: &str = "rate_limit.rejected";
/// The transient server error of fault injection (docs/design/alicloud.md §6.2: 503, retried by
/// terraform-provider-alicloud's `NeedRetry`). Not in [`error::codes`] only because fault
/// injection is the one place that answers it.
const SERVICE_UNAVAILABLE: &str = "ServiceUnavailable";

/// An API product: name (for `Recommend`) and the version that selects it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Product {
    name: &'static str,
    version: &'static str,
}

const VPC: Product = Product {
    name: "Vpc",
    version: "2016-04-28",
};
const CBN: Product = Product {
    name: "Cbn",
    version: "2017-09-12",
};
const PRODUCTS: &[Product] = &[VPC, CBN];

/// What a handler sees of the request.
#[derive(Debug)]
pub(crate) struct Call {
    /// Query and form-body parameters merged (body wins), `+` decoded as space.
    pub params: Params,
    /// Request time, epoch milliseconds.
    pub now_ms: i64,
}

type Handler = fn(&Tx<'_>, &Call) -> Result<Value, AliError>;

/// One row per implemented action.
struct Action {
    product: Product,
    name: &'static str,
    handler: Handler,
}

/// The dispatch table, keyed by (product version, action).
static ACTIONS: &[Action] = &[
    Action {
        product: VPC,
        name: "CreateCustomerGateway",
        handler: customer_gateway::create,
    },
    Action {
        product: VPC,
        name: "DescribeCustomerGateway",
        handler: customer_gateway::describe,
    },
    Action {
        product: VPC,
        name: "DescribeCustomerGateways",
        handler: customer_gateway::describe_many,
    },
    Action {
        product: VPC,
        name: "ModifyCustomerGatewayAttribute",
        handler: customer_gateway::modify,
    },
    Action {
        product: VPC,
        name: "DeleteCustomerGateway",
        handler: customer_gateway::delete,
    },
    Action {
        product: VPC,
        name: "CreateVpnAttachment",
        handler: vpn_connection::create,
    },
    Action {
        product: VPC,
        name: "DescribeVpnConnection",
        handler: vpn_connection::describe,
    },
    Action {
        product: VPC,
        name: "DescribeVpnConnections",
        handler: vpn_connection::describe_many,
    },
    Action {
        product: VPC,
        name: "ModifyVpnAttachmentAttribute",
        handler: vpn_connection::modify,
    },
    Action {
        product: VPC,
        name: "DeleteVpnAttachment",
        handler: vpn_connection::delete,
    },
    Action {
        product: VPC,
        name: "CreateVcoRouteEntry",
        handler: vco_route::create,
    },
    Action {
        product: VPC,
        name: "DescribeVcoRouteEntries",
        handler: vco_route::describe,
    },
    Action {
        product: VPC,
        name: "ModifyVcoRouteEntryWeight",
        handler: vco_route::modify_weight,
    },
    Action {
        product: VPC,
        name: "DeleteVcoRouteEntry",
        handler: vco_route::delete,
    },
    Action {
        product: CBN,
        name: "CreateTransitRouterVpnAttachment",
        handler: tr_attachment::create,
    },
    Action {
        product: CBN,
        name: "ListTransitRouterVpnAttachments",
        handler: tr_attachment::list,
    },
    Action {
        product: CBN,
        name: "UpdateTransitRouterVpnAttachmentAttribute",
        handler: tr_attachment::update,
    },
    Action {
        product: CBN,
        name: "DeleteTransitRouterVpnAttachment",
        handler: tr_attachment::delete,
    },
    Action {
        product: CBN,
        name: "ListTransitRouterRouteTables",
        handler: route_table::list_tables,
    },
    Action {
        product: CBN,
        name: "AssociateTransitRouterAttachmentWithRouteTable",
        handler: route_table::associate,
    },
    Action {
        product: CBN,
        name: "DissociateTransitRouterAttachmentFromRouteTable",
        handler: route_table::dissociate,
    },
    Action {
        product: CBN,
        name: "ListTransitRouterRouteTableAssociations",
        handler: route_table::list_associations,
    },
    Action {
        product: CBN,
        name: "EnableTransitRouterRouteTablePropagation",
        handler: route_table::enable_propagation,
    },
    Action {
        product: CBN,
        name: "DisableTransitRouterRouteTablePropagation",
        handler: route_table::disable_propagation,
    },
    Action {
        product: CBN,
        name: "ListTransitRouterRouteTablePropagations",
        handler: route_table::list_propagations,
    },
    Action {
        product: CBN,
        name: "ListTransitRouterRouteEntries",
        handler: vco_route::list_tr_route_entries,
    },
];

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
    seed::state()
}

/// `/_sandbox/state` → `alicloud`: every user-created resource, by kind (`customer_gateways`,
/// `vpn_connections`, `vco_route_entries`, `transit_router_vpn_attachments`,
/// `route_table_associations`, `route_table_propagations`), as its describe / list call shows it (plus `RegionId` where that
/// call has none), oldest first, after bringing pending operations up to date. Bookkeeping
/// (client tokens, state timestamps) is left out.
pub(crate) fn state_view(state: &SandboxState) -> Result<Value, StoreError> {
    settle(state);
    state.store().transaction(|tx| {
        let gateways: Vec<customer_gateway::CustomerGateway> =
            tx.list_all(customer_gateway::KIND)?;
        let connections: Vec<vpn_connection::VpnConnection> = tx.list_all(vpn_connection::KIND)?;
        let routes: Vec<vco_route::VcoRoute> = tx.list_all(vco_route::KIND)?;
        let attachments: Vec<tr_attachment::TrVpnAttachment> = tx.list_all(tr_attachment::KIND)?;
        let associations: Vec<route_table::Link> = tx.list_all(route_table::ASSOCIATIONS)?;
        let propagations: Vec<route_table::Link> = tx.list_all(route_table::PROPAGATIONS)?;
        let mut out = Map::new();
        let mut put = |kind: Kind, items: Vec<Value>| {
            out.insert(kind.name.to_owned(), Value::Array(items));
        };
        put(
            customer_gateway::KIND,
            gateways.iter().map(|g| g.state_json()).collect(),
        );
        put(
            vpn_connection::KIND,
            connections
                .iter()
                .map(|c| vpn_connection::state_json(c, &gateways))
                .collect(),
        );
        put(
            vco_route::KIND,
            routes.iter().map(vco_route::VcoRoute::state_json).collect(),
        );
        put(
            tr_attachment::KIND,
            attachments.iter().map(|a| a.to_json()).collect(),
        );
        put(
            route_table::ASSOCIATIONS,
            associations.iter().map(|l| l.to_json()).collect(),
        );
        put(
            route_table::PROPAGATIONS,
            propagations.iter().map(|l| l.to_json()).collect(),
        );
        Ok::<_, StoreError>(Value::Object(out))
    })
}

/// Brings pending objects up to date, so `/_sandbox/state` shows what a describe call would.
fn settle(state: &SandboxState) {
    let now_ms = epoch_ms(state.clock().now());
    let delay = state.provisioning_ms();
    if let Err(e) = state
        .store()
        .transaction(|tx| lifecycle::settle(tx, now_ms, delay))
    {
        tracing::error!(code = %e.code, message = %e.message, "settling Alibaba Cloud state");
    }
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
        security_token: state.config().alicloud_security_token.as_deref(),
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
        count(&state, AUTH_REJECTED_COUNTER);
        return reply(product, Err(e));
    }
    // After authentication: the limit is per caller, and unsigned noise should not lock out
    // the real client.
    if !state.rate_limiter().admit(now) {
        count(&state, RATE_LIMITED_COUNTER);
        return reply(product, Err(AliError::throttled()));
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
        (_, Some(product), Some(name)) => ACTIONS
            .iter()
            .find(|a| a.product == product && a.name == name)
            .ok_or_else(|| {
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
        Some(Fault::Throttle) => return reply(Some(action.product), Err(AliError::throttled())),
        Some(Fault::ErrorBefore) => return reply(Some(action.product), Err(injected_error())),
        _ => {}
    }
    let handler = action.handler;
    let counter = format!("{CLOUD}.{}", action.name);
    let delay = state.provisioning_ms();
    let call = Call {
        params,
        now_ms: epoch_ms(now),
    };
    let outcome = tokio::task::spawn_blocking(move || {
        let store = state.store();
        store.count_request(&counter)?;
        store.transaction(|tx| {
            lifecycle::settle(tx, call.now_ms, delay)?;
            handler(tx, &call)
        })
    })
    .await
    .unwrap_or_else(|e| Err(AliError::internal(format!("action panicked: {e}"))));
    tracing::debug!(
        request_id,
        action = action.name,
        status = outcome.as_ref().err().map_or(200, |e| e.http.as_u16()),
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
        StatusCode::SERVICE_UNAVAILABLE,
        SERVICE_UNAVAILABLE,
        "The server is temporarily unavailable.",
    )
}

fn count(state: &SandboxState, counter: &str) {
    if let Err(e) = state.store().count_request(counter) {
        tracing::error!(error = %e, counter, "counting request");
    }
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
