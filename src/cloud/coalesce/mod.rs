//! Coalesced reads: the reads one provider process makes at the same time
//! (Terraform refreshes up to 10 resources at once) share their API calls.
//!
//! The rule (docs/design/refresh.md):
//! - reads of one *kind* (an action, a region, a parent) that arrive within
//!   [`WINDOW`] of the first are answered by one batched fetch; a read that
//!   joins a fetch already in flight for its key waits for it;
//! - what a fetch returned answers reads of the same key for [`LINGER`]
//!   after it came back (the rest of the same refresh burst), then it is
//!   dropped; nothing outlives the process, and nothing is kept across a
//!   write: every write through the client ([`Coalescer::invalidate`], called
//!   before and after it) drops everything, and a fetch that was in flight
//!   across a write answers its waiters but is not kept;
//! - an error is handed to every read that waited for the fetch and is never
//!   kept;
//! - polling (waiting for a state) never goes through here.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tokio::sync::oneshot;
use tokio::time::Instant;

use super::ApiError;

/// How long the first read of a kind waits for others to join its batch:
/// Terraform starts its concurrent reads within a few milliseconds, and a
/// read that comes alone pays no more than this.
pub const WINDOW: Duration = Duration::from_millis(4);
/// How long a fetched answer serves later reads of the same key.
pub const LINGER: Duration = Duration::from_secs(1);

type Answer<V> = Result<Option<V>, ApiError>;

/// One batch of a kind: open while its leader waits out the window, then
/// in flight until its fetch returns.
struct Slot<V> {
    id: u64,
    open: bool,
    waiters: HashMap<String, Vec<oneshot::Sender<Answer<V>>>>,
}

struct Inner<V> {
    generation: u64,
    next_slot: u64,
    /// Fetched answers by `kind\nid`, with when they came back.
    done: HashMap<String, (Instant, V)>,
    slots: HashMap<String, Vec<Slot<V>>>,
}

/// A per-process reader that coalesces concurrent reads. Cloning shares it.
pub struct Coalescer<V> {
    inner: Arc<Mutex<Inner<V>>>,
    window: Duration,
    linger: Duration,
}

impl<V> Clone for Coalescer<V> {
    fn clone(&self) -> Self {
        Coalescer {
            inner: Arc::clone(&self.inner),
            window: self.window,
            linger: self.linger,
        }
    }
}

impl<V> std::fmt::Debug for Coalescer<V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Coalescer")
            .field("window", &self.window)
            .field("linger", &self.linger)
            .finish_non_exhaustive()
    }
}

impl<V: Clone + Send + 'static> Default for Coalescer<V> {
    fn default() -> Self {
        Coalescer::new(WINDOW, LINGER)
    }
}

fn cache_key(kind: &str, id: &str) -> String {
    format!("{kind}\n{id}")
}

/// Removes the leader's slot if its future is dropped before it answered:
/// the waiters' senders go with it and they read for themselves.
struct SlotGuard<'a, V> {
    coalescer: &'a Coalescer<V>,
    kind: &'a str,
    slot: u64,
    armed: bool,
}

impl<V> Drop for SlotGuard<'_, V> {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        let mut inner = lock(&self.coalescer.inner);
        let slot = take_slot(&mut inner, self.kind, self.slot);
        drop(slot);
    }
}

fn lock<V>(m: &Mutex<Inner<V>>) -> MutexGuard<'_, Inner<V>> {
    // A panic while holding the lock leaves plain maps behind: still usable.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

fn take_slot<V>(inner: &mut Inner<V>, kind: &str, id: u64) -> Option<Slot<V>> {
    let slots = inner.slots.get_mut(kind)?;
    let at = slots.iter().position(|s| s.id == id)?;
    let slot = slots.swap_remove(at);
    if slots.is_empty() {
        inner.slots.remove(kind);
    }
    Some(slot)
}

impl<V: Clone + Send + 'static> Coalescer<V> {
    pub fn new(window: Duration, linger: Duration) -> Self {
        Coalescer {
            inner: Arc::new(Mutex::new(Inner {
                generation: 0,
                next_slot: 0,
                done: HashMap::new(),
                slots: HashMap::new(),
            })),
            window,
            linger,
        }
    }

    /// Forgets every answer, and keeps fetches now in flight from being
    /// kept: a write is about to change, or has changed, what they say.
    pub fn invalidate(&self) {
        let mut inner = lock(&self.inner);
        inner.generation += 1;
        inner.done.clear();
    }

    /// An answer of this burst for `kind` and `id`, without reading.
    fn peek(&self, kind: &str, id: &str) -> Option<V> {
        let inner = lock(&self.inner);
        let (at, v) = inner.done.get(&cache_key(kind, id))?;
        (at.elapsed() < self.linger).then(|| v.clone())
    }

    /// One object of `kind` by `id`: from an answer of this burst, from a
    /// batch in flight that asked for it, or from a new batch. `fetch` gets
    /// the ids of the batch and answers what it found, by id (it may answer
    /// more objects than were asked for; they serve later reads); an id it
    /// does not answer is not found (`Ok(None)`).
    pub async fn read<F, Fut>(&self, kind: &str, id: &str, fetch: F) -> Answer<V>
    where
        F: FnOnce(Vec<String>) -> Fut,
        Fut: Future<Output = Result<HashMap<String, V>, ApiError>>,
    {
        let mut fetch = Some(fetch);
        loop {
            let rx = {
                let mut inner = lock(&self.inner);
                let key = cache_key(kind, id);
                if let Some((at, v)) = inner.done.get(&key) {
                    if at.elapsed() < self.linger {
                        return Ok(Some(v.clone()));
                    }
                    inner.done.remove(&key);
                }
                let joinable = inner.slots.get_mut(kind).and_then(|slots| {
                    // The open batch takes any id; one in flight only those it asked for.
                    slots
                        .iter_mut()
                        .find(|s| s.open || s.waiters.contains_key(id))
                });
                match joinable {
                    Some(slot) => {
                        let (tx, rx) = oneshot::channel();
                        slot.waiters.entry(id.to_owned()).or_default().push(tx);
                        Some(rx)
                    }
                    None => None,
                }
            };
            match rx {
                Some(rx) => match rx.await {
                    Ok(answer) => return answer,
                    // The leader went away: read again, perhaps as leader.
                    Err(_) => continue,
                },
                None => {
                    let Some(fetch) = fetch.take() else {
                        return Err(ApiError::State("coalesced read lost its fetch".into()));
                    };
                    return self.lead(kind, id, fetch).await;
                }
            }
        }
    }

    /// A listing shared by every read of `key` (one fetch, no ids).
    pub async fn shared<F, Fut>(&self, key: &str, fetch: F) -> Result<V, ApiError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<V, ApiError>>,
    {
        let answer = self
            .read(key, "", |_| async move {
                Ok(HashMap::from([(String::new(), fetch().await?)]))
            })
            .await?;
        answer.ok_or_else(|| ApiError::State(format!("shared read {key} answered nothing")))
    }

    async fn lead<F, Fut>(&self, kind: &str, id: &str, fetch: F) -> Answer<V>
    where
        F: FnOnce(Vec<String>) -> Fut,
        Fut: Future<Output = Result<HashMap<String, V>, ApiError>>,
    {
        let (slot, generation) = {
            let mut inner = lock(&self.inner);
            inner.next_slot += 1;
            let slot = inner.next_slot;
            let open = !id.is_empty() && !self.window.is_zero();
            inner.slots.entry(kind.to_owned()).or_default().push(Slot {
                id: slot,
                open,
                waiters: HashMap::from([(id.to_owned(), Vec::new())]),
            });
            (slot, inner.generation)
        };
        let mut guard = SlotGuard {
            coalescer: self,
            kind,
            slot,
            armed: true,
        };
        if !id.is_empty() && !self.window.is_zero() {
            tokio::time::sleep(self.window).await;
        }
        let ids = {
            let mut inner = lock(&self.inner);
            match inner
                .slots
                .get_mut(kind)
                .and_then(|s| s.iter_mut().find(|s| s.id == slot))
            {
                Some(s) => {
                    s.open = false;
                    let mut ids: Vec<String> = s.waiters.keys().cloned().collect();
                    ids.sort();
                    ids
                }
                None => vec![id.to_owned()],
            }
        };
        let result = fetch(ids).await;
        guard.armed = false;
        let mut inner = lock(&self.inner);
        let waiters = take_slot(&mut inner, kind, slot)
            .map(|s| s.waiters)
            .unwrap_or_default();
        let mine = match result {
            Ok(found) => {
                let mine = found.get(id).cloned();
                for (wanted, senders) in waiters {
                    let answer = found.get(&wanted).cloned();
                    for tx in senders {
                        let _ = tx.send(Ok(answer.clone()));
                    }
                }
                if inner.generation == generation {
                    let now = Instant::now();
                    let linger = self.linger;
                    inner.done.retain(|_, (at, _)| at.elapsed() < linger);
                    for (found_id, v) in found {
                        inner.done.insert(cache_key(kind, &found_id), (now, v));
                    }
                }
                Ok(mine)
            }
            Err(e) => {
                for tx in waiters.into_values().flatten() {
                    let _ = tx.send(Err(e.clone()));
                }
                Err(e)
            }
        };
        mine
    }
}

/// How a batch of ids is best read when the API can describe one object or
/// list a page of all of them: one id is described (what a lone read always
/// cost); several are listed page by page, and once the first page says how
/// many pages there are, listing stops as soon as describing the ids still
/// missing would cost fewer calls. An id a complete listing did not show is
/// described too, so that "not found" is only ever the cloud's answer to
/// that object. `list_page(n)` answers page `n` (from 1) as (id, object)
/// pairs and the total count; `describe(id)` answers the object or `None`
/// when the cloud says it does not exist.
pub async fn by_pages<V, L, LF, D, DF>(
    ids: Vec<String>,
    page_size: u64,
    list_page: L,
    describe: D,
) -> Result<HashMap<String, V>, ApiError>
where
    L: Fn(u64) -> LF,
    LF: Future<Output = Result<(Vec<(String, V)>, u64), ApiError>>,
    D: Fn(String) -> DF,
    DF: Future<Output = Result<Option<V>, ApiError>>,
{
    let mut found: HashMap<String, V> = HashMap::new();
    if ids.len() > 1 {
        let (first, total) = list_page(1).await?;
        let pages = total.div_ceil(page_size.max(1));
        let mut last_len = first.len();
        found.extend(first);
        for page in 2..=pages {
            let missing = ids.iter().filter(|i| !found.contains_key(*i)).count() as u64;
            // Stop when nothing is missing, or describing is cheaper, or a
            // short page says the list has ended.
            if missing == 0 || pages - page + 1 > missing || (last_len as u64) < page_size {
                break;
            }
            let (items, _) = list_page(page).await?;
            last_len = items.len();
            found.extend(items);
        }
    }
    let missing: Vec<String> = ids.into_iter().filter(|i| !found.contains_key(i)).collect();
    for id in missing {
        if let Some(v) = describe(id.clone()).await? {
            found.insert(id, v);
        }
    }
    Ok(found)
}

/// The id under which [`Coalescer::read_object`] keeps a kind's whole list
/// (a JSON array of every object it listed): a read of it lists every page,
/// and a batch whose pages happened to cover the whole list keeps it too, so
/// that the list costs nothing more in the rest of the burst.
pub const EVERY: &str = "";

/// The id under which [`Coalescer::read_object`] keeps page `n` of a kind's
/// list (`{"items": [...], "total": N}`), so that a later read of the whole
/// list in the burst lists only the pages not yet seen. No object id holds
/// a NUL.
fn page_key(n: u64) -> String {
    format!("\u{0}page {n}")
}

impl Coalescer<serde_json::Value> {
    /// One JSON object of `kind` by `id`, coalesced through [`by_pages`]:
    /// `list_page(n)` answers page `n`'s objects and the total count, keyed
    /// here by their `id_field`; `describe(id)` answers the object, and an
    /// answer about another object (or the cloud's not found) counts as not
    /// found (`Ok(None)`). With `id` [`EVERY`], the array of every object.
    pub async fn read_object<L, LF, D, DF>(
        &self,
        kind: &str,
        id: &str,
        (page_size, id_field): (u64, &str),
        list_page: L,
        describe: D,
    ) -> Answer<serde_json::Value>
    where
        L: Fn(u64) -> LF,
        LF: Future<Output = Result<(Vec<serde_json::Value>, u64), ApiError>>,
        D: Fn(String) -> DF,
        DF: Future<Output = Result<serde_json::Value, ApiError>>,
    {
        let id_of = move |o: &serde_json::Value| o.get(id_field)?.as_str().map(str::to_owned);
        self.read(kind, id, |ids| async move {
            let (every, ids): (Vec<String>, Vec<String>) =
                ids.into_iter().partition(|i| i == EVERY);
            // What the pages showed, in order, and whether that was the whole
            // list: a short page, or as many objects as the total.
            let listed = Mutex::new((Vec::new(), false));
            // The pages listed now, kept with the objects (see `page_key`).
            let fresh = Mutex::new(Vec::new());
            let list_page = |page| {
                // Ok: this burst's copy of the page; Err: the call that lists it.
                let got = match self.peek(kind, &page_key(page)) {
                    Some(kept) => Ok(kept),
                    None => Err(list_page(page)),
                };
                let (listed, fresh) = (&listed, &fresh);
                async move {
                    let (items, total) = match got {
                        Ok(kept) => (
                            kept["items"].as_array().cloned().unwrap_or_default(),
                            kept["total"].as_u64().unwrap_or_default(),
                        ),
                        Err(call) => {
                            let (items, total) = call.await?;
                            let page_json = serde_json::json!({ "items": items, "total": total });
                            fresh
                                .lock()
                                .unwrap_or_else(PoisonError::into_inner)
                                .push((page, page_json));
                            (items, total)
                        }
                    };
                    let mut seen = listed.lock().unwrap_or_else(PoisonError::into_inner);
                    seen.0.extend(items.iter().cloned());
                    seen.1 = (items.len() as u64) < page_size || seen.0.len() as u64 >= total;
                    let keyed = items
                        .into_iter()
                        .filter_map(|o| Some((id_of(&o)?, o)))
                        .collect();
                    Ok((keyed, total))
                }
            };
            let describe = |one: String| {
                let got = describe(one.clone());
                async move {
                    match got.await {
                        Ok(v) if id_of(&v).as_deref() == Some(one.as_str()) => Ok(Some(v)),
                        Ok(_) => Ok(None),
                        Err(e) if e.is_not_found() => Ok(None),
                        Err(e) => Err(e),
                    }
                }
            };
            let mut found = if every.is_empty() {
                by_pages(ids, page_size, list_page, describe).await?
            } else {
                let mut found = HashMap::new();
                for page in 1.. {
                    found.extend(list_page(page).await?.0);
                    if listed.lock().unwrap_or_else(PoisonError::into_inner).1 {
                        break;
                    }
                }
                // As in `by_pages`: not found only on the cloud's own word.
                let missing: Vec<String> =
                    ids.into_iter().filter(|i| !found.contains_key(i)).collect();
                for one in missing {
                    if let Some(v) = describe(one.clone()).await? {
                        found.insert(one, v);
                    }
                }
                found
            };
            for (page, page_json) in fresh.into_inner().unwrap_or_else(PoisonError::into_inner) {
                found.insert(page_key(page), page_json);
            }
            let (items, whole) = listed.into_inner().unwrap_or_else(PoisonError::into_inner);
            if whole {
                found.insert(EVERY.to_owned(), serde_json::Value::Array(items));
            }
            Ok(found)
        })
        .await
    }
}

#[cfg(test)]
mod tests;
