//! JD Cloud `bgw` client: builds, signs (JDCLOUD2-HMAC-SHA256) and sends
//! each operation of `ops`, and unwraps JD's response envelope.

pub mod ops;
pub mod types;

use std::time::{Duration, Instant};

use reqwest::{Method, Url};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::signer::{jdcloud as sig, Credentials, SignableRequest};

use super::coalesce::{Coalescer, EVERY};
use super::transport::{self, with_retry, Idempotency, Session};
use super::ApiError;
use ops::{Kind, Operation};

#[derive(Clone)]
pub struct Client {
    session: Session,
    endpoint: Url,
    /// The process's coalesced reads (`coalesce`), shared by every copy.
    reads: Coalescer<serde_json::Value>,
    /// Whether this copy makes the coalesced reads' calls, which leave them be.
    coalescing: bool,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("jdcloud::Client")
            .field("endpoint", &self.endpoint.as_str())
            .field("session", &self.session)
            .finish()
    }
}

/// One call: the operation, where its object is, and what it sends.
struct Call<'a, B> {
    op: &'a Operation,
    region: &'a str,
    ids: &'a [&'a str],
    query: &'a [(&'a str, String)],
    body: Option<&'a B>,
}

/// JD's envelope: `{"requestId", "result"}` or `{"requestId", "error"}`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Envelope {
    #[serde(default)]
    request_id: String,
    #[serde(default)]
    result: Option<serde_json::Value>,
    #[serde(default)]
    error: Option<ErrorBody>,
}

#[derive(Deserialize)]
struct ErrorBody {
    #[serde(default)]
    status: String,
    #[serde(default)]
    message: String,
}

impl Client {
    pub fn new(endpoint: &str, region: &str, credentials: Credentials) -> Result<Client, ApiError> {
        let endpoint = Url::parse(endpoint).map_err(|e| {
            ApiError::Config(format!("JD Cloud endpoint {endpoint:?} is not a URL: {e}"))
        })?;
        Ok(Client {
            session: Session::new(region, credentials),
            endpoint,
            reads: Coalescer::default(),
            coalescing: false,
        })
    }

    /// A copy whose calls, retries included, end by `deadline` (the
    /// operation's timeout).
    pub fn until(&self, deadline: Instant) -> Client {
        Client {
            session: self.session.until(deadline),
            endpoint: self.endpoint.clone(),
            reads: self.reads.clone(),
            coalescing: false,
        }
    }

    /// How long this client's calls may still take.
    pub fn time_left(&self) -> Duration {
        self.session.time_left()
    }

    /// The provider's default region.
    pub fn region(&self) -> &str {
        self.session.region()
    }

    fn host(&self) -> String {
        transport::host_of(&self.endpoint)
    }

    /// Sends one operation once, within `timeout`: signs it freshly (new
    /// date and nonce) and decodes the envelope's `result`.
    async fn send_once<B: Serialize>(
        &self,
        call: &Call<'_, B>,
        timeout: Duration,
    ) -> Result<serde_json::Value, ApiError> {
        let Call {
            op,
            region,
            ids,
            query,
            body,
        } = *call;
        let path = ops::render_path(op.path, region, ids);
        let query_string = query
            .iter()
            .map(|(k, v)| format!("{}={}", sig_encode(k), sig_encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let body_bytes = match body {
            Some(b) => {
                let v = serde_json::to_value(b).map_err(|e| ApiError::Decode(e.to_string()))?;
                let wrapped = match op.body_wrapper {
                    Some(key) => serde_json::json!({ key: v }),
                    None => v,
                };
                serde_json::to_vec(&wrapped).map_err(|e| ApiError::Decode(e.to_string()))?
            }
            None => Vec::new(),
        };
        let date = transport::jd_date_now();
        let headers = sig::client_headers(&date, &transport::nonce(), &self.host());
        let req = SignableRequest {
            method: op.method.as_str(),
            path: &path,
            query: &query_string,
            headers: &headers,
            body: &body_bytes,
        };
        let params = sig::SigningParams {
            credentials: self.session.credentials(),
            region,
            service: ops::SERVICE,
            date: &date,
            version: sig::Version::V2,
        };
        let signed = sig::sign(&req, &params, sig::DEFAULT_SIGNED_HEADERS)
            .map_err(|e| ApiError::Config(format!("signing: {e}")))?;
        tracing::trace!(operation = op.name, canonical_request = %transport::redact_canonical(&signed.canonical_request, &[sig::SECURITY_TOKEN_HEADER]), "signed JD Cloud request");

        let mut url = self.endpoint.clone();
        url.set_path(&path);
        url.set_query((!query_string.is_empty()).then_some(query_string.as_str()));
        let has_body = op.method != Method::GET && op.method != Method::DELETE;
        let answer = self
            .session
            .send(
                op.name,
                (op.method.clone(), url),
                &headers,
                &signed.authorization,
                has_body.then_some(body_bytes),
                timeout,
            )
            .await?;
        let (status, bytes, retry_after) = (answer.status, answer.body, answer.retry_after);
        let env: Envelope = serde_json::from_slice(&bytes).map_err(|e| {
            let detail = format!(
                "{}: HTTP {status} with a body that is not JD Cloud's envelope: {e}",
                op.name
            );
            // A success cut short may still have been carried out; an error
            // status without an envelope comes from something in between.
            if (200..300).contains(&status) {
                ApiError::Garbled(detail)
            } else {
                ApiError::Api {
                    http_status: status,
                    code: if status >= 500 {
                        "UNKNOWN"
                    } else {
                        "UNEXPECTED"
                    }
                    .into(),
                    message: detail,
                    request_id: String::new(),
                    retry_after,
                }
            }
        })?;
        tracing::debug!(operation = op.name, status, request_id = %env.request_id, "JD Cloud call");
        match env.error {
            Some(err) => Err(ApiError::Api {
                http_status: status,
                code: err.status,
                message: err.message,
                request_id: env.request_id,
                retry_after,
            }),
            None if (200..300).contains(&status) => {
                Ok(env.result.unwrap_or(serde_json::Value::Null))
            }
            None => Err(ApiError::Api {
                http_status: status,
                code: "UNKNOWN".into(),
                message: format!("HTTP {status} without an error body"),
                request_id: env.request_id,
                retry_after,
            }),
        }
    }

    async fn call<B: Serialize + Sync, T: DeserializeOwned>(
        &self,
        call: Call<'_, B>,
    ) -> Result<T, ApiError> {
        let op = call.op;
        let idem = if op.method == Method::POST && op.body_wrapper.is_some() {
            Idempotency::Unsafe
        } else {
            Idempotency::Safe
        };
        // Any call but the coalesced reads' own drops what they read, before it
        // is sent and once it is done: a write changes it, and a read outside
        // them polls a wait, whose next read must not be older than the poll.
        let drops = !self.coalescing || op.method != Method::GET;
        if drops {
            self.reads.invalidate();
        }
        let gate = self.session.gate(&self.host());
        let result = with_retry(idem, self.session.deadline(), &gate, |timeout| {
            self.send_once(&call, timeout)
        })
        .await;
        if drops {
            self.reads.invalidate();
        }
        serde_json::from_value(result?).map_err(|e| ApiError::Decode(format!("{}: {e}", op.name)))
    }

    /// One object for a refresh or a data source (`ids`: its parents', then
    /// its own), coalesced with the reads of its kind under the same parents
    /// that come at the same time (`coalesce`): alone, `describe` as always;
    /// with others, pages of the unfiltered list. Not found (or an answer
    /// about another object) is `ApiError::not_found`.
    pub async fn read_one(
        &self,
        kind: &Kind,
        region: &str,
        ids: &[&str],
    ) -> Result<serde_json::Value, ApiError> {
        let (id, parents) = ids.split_last().unwrap_or((&"", &[]));
        // No id is no object (and not the whole list, which `EVERY` would read).
        let found = match *id {
            EVERY => None,
            id => self.coalesced(kind, region, parents, id).await?,
        };
        found.ok_or_else(|| {
            ApiError::not_found(format!("{}: no {id} in {region}", kind.describe.name))
        })
    }

    /// Every object of `kind` under `parents` (the unfiltered list), for a
    /// refresh or a data source: what the reads of its kind listed in this
    /// burst when their pages were the whole list, else every page now, kept
    /// for the rest of the burst (`coalesce::EVERY`).
    pub async fn list_every<T: DeserializeOwned>(
        &self,
        kind: &Kind,
        region: &str,
        parents: &[&str],
    ) -> Result<Vec<T>, ApiError> {
        let all = self
            .coalesced(kind, region, parents, EVERY)
            .await?
            .ok_or_else(|| {
                ApiError::State(format!("{}: the whole list was not kept", kind.list.name))
            })?;
        serde_json::from_value(all)
            .map_err(|e| ApiError::Decode(format!("{}: {e}", kind.list.name)))
    }

    /// A coalesced read of `id` (or [`EVERY`]) of `kind` under `parents`.
    async fn coalesced(
        &self,
        kind: &Kind,
        region: &str,
        parents: &[&str],
        id: &str,
    ) -> Result<Option<serde_json::Value>, ApiError> {
        let batch = std::iter::once(kind.list.name)
            .chain(std::iter::once(region))
            .chain(parents.iter().copied())
            .collect::<Vec<_>>()
            .join("\n");
        let quiet = Client {
            coalescing: true,
            ..self.clone()
        };
        let quiet = &quiet;
        self.reads
            .read_object(
                &batch,
                id,
                (LIST_PAGE_SIZE, kind.id_field),
                |page| async move { quiet.list_page(kind, region, parents, &[], page).await },
                |one| async move {
                    let mut ids = parents.to_vec();
                    ids.push(&one);
                    quiet.describe(kind, region, &ids).await
                },
            )
            .await
    }

    /// Creates an object of `kind` (under `parent_ids`, for nested kinds)
    /// and returns its id, from `result.<x>Id` or `result.<x>.<x>Id`.
    pub async fn create<S: Serialize + Sync>(
        &self,
        kind: &Kind,
        region: &str,
        parent_ids: &[&str],
        spec: &S,
    ) -> Result<String, ApiError> {
        let r: serde_json::Value = self
            .call(Call {
                op: &kind.create,
                region,
                ids: parent_ids,
                query: &[],
                body: Some(spec),
            })
            .await?;
        r.get(kind.id_field)
            .or_else(|| r.get(kind.singular).and_then(|o| o.get(kind.id_field)))
            .and_then(serde_json::Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| {
                ApiError::Decode(format!(
                    "{}: no {} in result",
                    kind.create.name, kind.id_field
                ))
            })
    }

    /// Describes one object: `result.<x>`.
    pub async fn describe<T: DeserializeOwned>(
        &self,
        kind: &Kind,
        region: &str,
        ids: &[&str],
    ) -> Result<T, ApiError> {
        let mut r: serde_json::Value = self
            .call::<(), _>(Call {
                op: &kind.describe,
                region,
                ids,
                query: &[],
                body: None,
            })
            .await?;
        let obj = r
            .get_mut(kind.singular)
            .map(serde_json::Value::take)
            .ok_or_else(|| {
                ApiError::Decode(format!(
                    "{}: no {} in result",
                    kind.describe.name, kind.singular
                ))
            })?;
        serde_json::from_value(obj)
            .map_err(|e| ApiError::Decode(format!("{}: {e}", kind.describe.name)))
    }

    /// Every object of `kind` matching `filters` (name, values), paging
    /// through the list.
    pub async fn list<T: DeserializeOwned>(
        &self,
        kind: &Kind,
        region: &str,
        parent_ids: &[&str],
        filters: &[(&str, Vec<String>)],
    ) -> Result<Vec<T>, ApiError> {
        let mut out = Vec::new();
        for page in 1u64.. {
            let (items, total) = self
                .list_page(kind, region, parent_ids, filters, page)
                .await?;
            let n = items.len();
            for item in items {
                out.push(
                    serde_json::from_value(item)
                        .map_err(|e| ApiError::Decode(format!("{}: {e}", kind.list.name)))?,
                );
            }
            // A page past the end repeats the last page, so stop on count.
            if n == 0 || out.len() as u64 >= total {
                break;
            }
        }
        Ok(out)
    }

    /// Page `page` (from 1, [`LIST_PAGE_SIZE`] a page) of a list, and the
    /// total count.
    async fn list_page(
        &self,
        kind: &Kind,
        region: &str,
        parent_ids: &[&str],
        filters: &[(&str, Vec<String>)],
        page: u64,
    ) -> Result<(Vec<serde_json::Value>, u64), ApiError> {
        let mut q: Vec<(String, String)> = vec![
            ("pageNumber".into(), page.to_string()),
            ("pageSize".into(), LIST_PAGE_SIZE.to_string()),
        ];
        for (i, (name, values)) in filters.iter().enumerate() {
            q.push((format!("filters.{}.name", i + 1), (*name).to_string()));
            for (j, v) in values.iter().enumerate() {
                q.push((format!("filters.{}.values.{}", i + 1, j + 1), v.clone()));
            }
        }
        let q: Vec<(&str, String)> = q.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
        let mut r: serde_json::Value = self
            .call::<(), _>(Call {
                op: &kind.list,
                region,
                ids: parent_ids,
                query: &q,
                body: None,
            })
            .await?;
        let total = r
            .get("totalCount")
            .and_then(serde_json::Value::as_u64)
            .unwrap_or(0);
        let items = match r.get_mut(kind.plural).map(serde_json::Value::take) {
            Some(serde_json::Value::Array(items)) => items,
            Some(serde_json::Value::Null) | None => Vec::new(),
            Some(_) => {
                return Err(ApiError::Decode(format!(
                    "{}: {} is not a list",
                    kind.list.name, kind.plural
                )))
            }
        };
        Ok((items, total))
    }

    pub async fn modify<S: Serialize + Sync>(
        &self,
        kind: &Kind,
        region: &str,
        ids: &[&str],
        spec: &S,
    ) -> Result<(), ApiError> {
        let _: serde_json::Value = self
            .call(Call {
                op: &kind.modify,
                region,
                ids,
                query: &[],
                body: Some(spec),
            })
            .await?;
        Ok(())
    }

    pub async fn delete(&self, kind: &Kind, region: &str, ids: &[&str]) -> Result<(), ApiError> {
        let _: serde_json::Value = self
            .call::<(), _>(Call {
                op: &kind.delete,
                region,
                ids,
                query: &[],
                body: None,
            })
            .await?;
        Ok(())
    }

    /// Sets a VPN tunnel's administrative status.
    pub async fn modify_admin_status(
        &self,
        region: &str,
        tunnel_id: &str,
        status: types::AdminStatus,
    ) -> Result<(), ApiError> {
        let body = serde_json::json!({ "adminStatus": status.as_str() });
        let _: serde_json::Value = self
            .call(Call {
                op: &ops::MODIFY_ADMIN_STATUS,
                region,
                ids: &[tunnel_id],
                query: &[],
                body: Some(&body),
            })
            .await?;
        Ok(())
    }
}

/// The largest page of a list (docs/design/jdcloud.md §2.2).
const LIST_PAGE_SIZE: u64 = 100;

/// Query encoding that the signer's canonicalisation leaves unchanged.
fn sig_encode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, ops::UNRESERVED).to_string()
}
