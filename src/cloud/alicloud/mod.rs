//! Alibaba Cloud RPC client (VPC 2016-04-28 and CBN 2017-09-12), signed
//! with ACS3-HMAC-SHA256. Parameters go in the query; arrays of objects
//! (`TunnelOptionsSpecification.N.*`) are flattened into a form body, as the
//! official SDK sends them (docs/design/alicloud.md §2.1).

pub mod actions;
pub mod flatten;
pub mod types;

use std::time::{Duration, Instant};

use reqwest::{Method, Url};
use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::signer::{acs3, Credentials, SignableRequest};

use super::coalesce::{Coalescer, EVERY};
use super::transport::{self, with_retry, Idempotency, Session};
use super::ApiError;
use actions::{Action, Product};

#[derive(Clone)]
pub struct Client {
    session: Session,
    /// One URL for both products (the sandbox), or `None` for the public endpoints.
    endpoint_override: Option<Url>,
    /// The process's coalesced reads (`coalesce`), shared by every copy.
    reads: Coalescer<serde_json::Value>,
    /// Whether this copy makes the coalesced reads' calls, which leave them be.
    coalescing: bool,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("alicloud::Client")
            .field(
                "endpoint_override",
                &self.endpoint_override.as_ref().map(Url::as_str),
            )
            .field("session", &self.session)
            .finish()
    }
}

#[derive(Deserialize)]
struct ErrorBody {
    #[serde(rename = "Code", default)]
    code: String,
    #[serde(rename = "Message", default)]
    message: String,
    #[serde(rename = "RequestId", default)]
    request_id: String,
}

/// Parameters of one call: `query` for scalars, `form` for flattened arrays.
#[derive(Debug, Default, Clone)]
pub struct Params {
    pub query: Vec<(String, String)>,
    pub form: Vec<(String, String)>,
}

impl Params {
    pub fn new() -> Params {
        Params::default()
    }
    /// Adds a query parameter.
    pub fn set(mut self, k: &str, v: impl ToString) -> Params {
        self.query.push((k.to_string(), v.to_string()));
        self
    }
    /// Adds a query parameter when `v` is `Some`.
    pub fn opt(self, k: &str, v: Option<impl ToString>) -> Params {
        match v {
            Some(v) => self.set(k, v),
            None => self,
        }
    }
    fn has(&self, k: &str) -> bool {
        self.query.iter().chain(&self.form).any(|(n, _)| n == k)
    }
}

impl Client {
    pub fn new(
        endpoint_override: Option<&str>,
        region: &str,
        credentials: Credentials,
    ) -> Result<Client, ApiError> {
        let endpoint_override = endpoint_override
            .map(|e| {
                Url::parse(e).map_err(|err| {
                    ApiError::Config(format!("Alibaba Cloud endpoint {e:?} is not a URL: {err}"))
                })
            })
            .transpose()?;
        Ok(Client {
            session: Session::new(region, credentials),
            endpoint_override,
            reads: Coalescer::default(),
            coalescing: false,
        })
    }

    /// A copy whose calls, retries included, end by `deadline` (the
    /// operation's timeout).
    pub fn until(&self, deadline: Instant) -> Client {
        Client {
            session: self.session.until(deadline),
            endpoint_override: self.endpoint_override.clone(),
            reads: self.reads.clone(),
            coalescing: false,
        }
    }

    /// The provider's default region.
    pub fn region(&self) -> &str {
        self.session.region()
    }

    /// The copy that makes the coalesced reads' calls.
    fn coalescing(&self) -> Client {
        Client {
            coalescing: true,
            ..self.clone()
        }
    }

    fn endpoint(&self, product: &Product, region: &str) -> Result<Url, ApiError> {
        match &self.endpoint_override {
            Some(u) => Ok(u.clone()),
            None => Url::parse(&format!("https://{}", product.host(region)))
                .map_err(|e| ApiError::Config(format!("endpoint for {}: {e}", product.name))),
        }
    }

    /// Sends one call once, within `timeout`.
    async fn send_once(
        &self,
        action: &Action,
        region: &str,
        params: &Params,
        timeout: Duration,
    ) -> Result<serde_json::Value, ApiError> {
        let url = self.endpoint(action.product, region)?;
        let host = transport::host_of(&url);
        let encode = |pairs: &[(String, String)]| {
            pairs
                .iter()
                .map(|(k, v)| format!("{}={}", acs3::percent_encode(k), acs3::percent_encode(v)))
                .collect::<Vec<_>>()
                .join("&")
        };
        let query = encode(&params.query);
        let body = encode(&params.form).into_bytes();
        let date = transport::acs_date_now();
        let mut headers = acs3::client_headers(
            &host,
            action.name,
            action.product.version,
            &date,
            &transport::nonce(),
            &body,
        );
        // Signed as well: the form body's type, and the STS token.
        let credentials = self.session.credentials();
        let form = (!body.is_empty()).then(|| "application/x-www-form-urlencoded".to_string());
        let token = credentials.security_token().map(str::to_string);
        let mut signed_names: Vec<&str> = acs3::DEFAULT_SIGNED_HEADERS.to_vec();
        for (name, value) in [("content-type", form), (acs3::SECURITY_TOKEN_HEADER, token)] {
            if let Some(value) = value {
                headers.push((name.to_string(), value));
                signed_names.push(name);
            }
        }
        let req = SignableRequest {
            method: "POST",
            path: "/",
            query: &query,
            headers: &headers,
            body: &body,
        };
        let signed = acs3::sign(&req, credentials, &signed_names)
            .map_err(|e| ApiError::Config(format!("signing: {e}")))?;
        tracing::trace!(action = action.name, canonical_request = %transport::redact_canonical(&signed.canonical_request, &[acs3::SECURITY_TOKEN_HEADER]), "signed Alibaba Cloud request");

        let mut u = url;
        u.set_path("/");
        u.set_query((!query.is_empty()).then_some(query.as_str()));
        headers.push(("accept".into(), "application/json".into()));
        let answer = self
            .session
            .send(
                action.name,
                (Method::POST, u),
                &headers,
                &signed.authorization,
                Some(body),
                timeout,
            )
            .await?;
        let (status, bytes) = (answer.status, answer.body);
        if (200..300).contains(&status) {
            // A success cut short may still have been carried out.
            let v: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| {
                ApiError::Garbled(format!(
                    "{}: HTTP {status} with a body that is not JSON: {e}",
                    action.name
                ))
            })?;
            tracing::debug!(action = action.name, status, request_id = %v.get("RequestId").and_then(|r| r.as_str()).unwrap_or(""), "Alibaba Cloud call");
            return Ok(v);
        }
        let err: ErrorBody = serde_json::from_slice(&bytes).unwrap_or(ErrorBody {
            code: if status >= 500 {
                "InternalError".into()
            } else {
                "Unknown".into()
            },
            message: String::from_utf8_lossy(&bytes).chars().take(200).collect(),
            request_id: String::new(),
        });
        tracing::debug!(action = action.name, status, code = %err.code, request_id = %err.request_id, "Alibaba Cloud error");
        Err(ApiError::Api {
            http_status: status,
            code: err.code,
            message: err.message,
            request_id: err.request_id,
            retry_after: answer.retry_after,
        })
    }

    /// Calls `action` with retries. A call carrying a `ClientToken` is safe to
    /// repeat (the cloud deduplicates it); other creates only on throttling.
    pub async fn call<T: DeserializeOwned>(
        &self,
        action: &Action,
        region: &str,
        params: Params,
    ) -> Result<T, ApiError> {
        let params = if action.product.regional {
            params.set("RegionId", region)
        } else {
            params
        };
        let idem = if action.creates && !params.has("ClientToken") {
            Idempotency::Unsafe
        } else {
            Idempotency::Safe
        };
        let gate = self
            .session
            .gate(&transport::host_of(&self.endpoint(action.product, region)?));
        // Any call but the coalesced reads' own drops what they read, before it
        // is sent and once it is done: a write changes it, and a read outside
        // them polls a wait, whose next read must not be older than the poll.
        let drops = !self.coalescing || !action.reads();
        if drops {
            self.reads.invalidate();
        }
        let v = with_retry(idem, self.session.deadline(), &gate, |timeout| {
            self.send_once(action, region, &params, timeout)
        })
        .await;
        if drops {
            self.reads.invalidate();
        }
        serde_json::from_value(v?).map_err(|e| ApiError::Decode(format!("{}: {e}", action.name)))
    }

    /// One object for a refresh, coalesced with the reads of its kind that
    /// come at the same time (`coalesce`): alone, `single` with
    /// `id_field = id`, as always; with others, pages of the region's `list`
    /// (items at `{outer: {inner: [...]}}`). Not found is
    /// `ApiError::not_found`.
    pub async fn read_one<T: DeserializeOwned>(
        &self,
        (single, list): (&Action, &Action),
        (outer, inner): (&str, &str),
        id_field: &str,
        region: &str,
        id: &str,
    ) -> Result<T, ApiError> {
        if id == EVERY {
            // No id is no object (and not the whole list, which `EVERY` would read).
            return Err(ApiError::not_found(format!("{}: no id", single.name)));
        }
        let kind = format!("{}\n{region}", list.name);
        let quiet = self.coalescing();
        let quiet = &quiet;
        let found = self
            .reads
            .read_object(
                &kind,
                id,
                (VPC_PAGE_SIZE, id_field),
                |page| async move {
                    quiet
                        .page(list, region, &Params::new(), &[outer, inner], page)
                        .await
                },
                |one| async move {
                    quiet
                        .call(single, region, Params::new().set(id_field, one))
                        .await
                },
            )
            .await?
            .ok_or_else(|| ApiError::not_found(format!("{}: no {id} in {region}", single.name)))?;
        serde_json::from_value(found).map_err(|e| ApiError::Decode(format!("{}: {e}", single.name)))
    }

    /// Every item of a list, fetched once for the concurrent reads that ask
    /// for the same list (`coalesce`): Vpc paging (`PageNumber`, the largest
    /// `PageSize`, items at `VcoRouteEntries`-style `key`, or
    /// `{outer: {inner}}`) or Cbn paging (`MaxResults`, `NextToken`).
    pub async fn list_shared<T: DeserializeOwned>(
        &self,
        action: &Action,
        region: &str,
        params: Params,
        paging: Paging<'_>,
    ) -> Result<Vec<T>, ApiError> {
        let key = std::iter::once(action.name.to_owned())
            .chain(std::iter::once(region.to_owned()))
            .chain(params.query.iter().map(|(k, v)| format!("{k}={v}")))
            .collect::<Vec<_>>()
            .join("\n");
        let quiet = self.coalescing();
        let all = self
            .reads
            .shared(&key, || async {
                let items = match paging {
                    Paging::Pages(path) => quiet.pages(action, region, &params, path).await?,
                    Paging::Tokens(key) => quiet.tokens(action, region, &params, key).await?,
                };
                Ok(serde_json::Value::Array(items))
            })
            .await?;
        serde_json::from_value(all).map_err(|e| ApiError::Decode(format!("{}: {e}", action.name)))
    }

    async fn pages(
        &self,
        action: &Action,
        region: &str,
        params: &Params,
        path: &[&str],
    ) -> Result<Vec<serde_json::Value>, ApiError> {
        let mut items = Vec::new();
        for page in 1.. {
            let (batch, total) = self.page(action, region, params, path, page).await?;
            let last = (batch.len() as u64) < VPC_PAGE_SIZE;
            items.extend(batch);
            if last || items.len() as u64 >= total {
                return Ok(items);
            }
        }
        Ok(items)
    }

    /// Page `page` (from 1) of a Vpc describe: the items at `path` of keys
    /// and the `TotalCount`.
    async fn page(
        &self,
        action: &Action,
        region: &str,
        params: &Params,
        path: &[&str],
        page: u64,
    ) -> Result<(Vec<serde_json::Value>, u64), ApiError> {
        let paged = params
            .clone()
            .set("PageNumber", page)
            .set("PageSize", VPC_PAGE_SIZE);
        let (items, v) = self.items(action, region, paged, path).await?;
        Ok((items, v["TotalCount"].as_u64().unwrap_or(0)))
    }

    /// One call of a list: the items at `path` of keys, and the whole answer
    /// (for its paging fields).
    async fn items(
        &self,
        action: &Action,
        region: &str,
        params: Params,
        path: &[&str],
    ) -> Result<(Vec<serde_json::Value>, serde_json::Value), ApiError> {
        let v: serde_json::Value = self.call(action, region, params).await?;
        let items = path
            .iter()
            .fold(&v, |v, k| &v[*k])
            .as_array()
            .cloned()
            .unwrap_or_default();
        Ok((items, v))
    }

    async fn tokens(
        &self,
        action: &Action,
        region: &str,
        params: &Params,
        key: &str,
    ) -> Result<Vec<serde_json::Value>, ApiError> {
        let mut items = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let paged = params
                .clone()
                .set("MaxResults", CBN_MAX_RESULTS)
                .opt("NextToken", token.as_ref());
            let (batch, v) = self.items(action, region, paged, &[key]).await?;
            items.extend(batch);
            match v["NextToken"].as_str().filter(|t| !t.is_empty()) {
                Some(t) if Some(t) != token.as_deref() => token = Some(t.to_owned()),
                _ => return Ok(items),
            }
        }
    }

    /// Every item of a paged `Describe…s` list: `PageNumber`/`PageSize`
    /// paging, items at `{outer: {inner: [...]}}`, until `TotalCount` are read.
    pub async fn list_all<T: DeserializeOwned>(
        &self,
        action: &Action,
        region: &str,
        params: Params,
        (outer, inner): (&str, &str),
    ) -> Result<Vec<T>, ApiError> {
        let items = self.pages(action, region, &params, &[outer, inner]).await?;
        items
            .into_iter()
            .map(|item| {
                serde_json::from_value(item)
                    .map_err(|e| ApiError::Decode(format!("{}: {e}", action.name)))
            })
            .collect()
    }
}

/// The largest page of Vpc describes (docs/design/alicloud.md §2.3).
const VPC_PAGE_SIZE: u64 = 50;
/// The largest page of Cbn lists.
const CBN_MAX_RESULTS: u64 = 100;

/// How a shared list pages: Vpc's `PageNumber`/`PageSize` with the items at
/// this path of keys, or Cbn's `NextToken`/`MaxResults` with the items under
/// this key.
#[derive(Debug, Clone, Copy)]
pub enum Paging<'a> {
    Pages(&'a [&'a str]),
    Tokens(&'a str),
}

/// A fresh idempotency token, created once per logical operation and reused
/// across its retries.
pub fn client_token() -> String {
    uuid::Uuid::new_v4().to_string()
}
