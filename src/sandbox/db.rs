//! [`Db`]: what every backend operation of either cloud works in — one store transaction and
//! the instant the request happens at (read once from the sandbox clock) — with the typed
//! store calls in the cloud's error type `E`. Each cloud's `backend/db.rs` adds, on its own
//! `Db<'_, E>`, the lookups and rules several of its resources share.

use std::marker::PhantomData;

use serde::de::DeserializeOwned;
use serde::Serialize;
use time::OffsetDateTime;

use super::clock::epoch_ms;
use super::ids;
use super::store::{Kind, StoreError, Tx};

/// A transaction and its time, answering in error type `E`.
pub(crate) struct Db<'a, E> {
    tx: &'a Tx<'a>,
    now: OffsetDateTime,
    /// Whether quotas refuse creates (`SandboxConfig::quotas`).
    quotas: bool,
    error: PhantomData<fn() -> E>,
}

impl<'a, E: From<StoreError>> Db<'a, E> {
    pub(crate) fn new(tx: &'a Tx<'a>, now: OffsetDateTime) -> Self {
        Self {
            tx,
            now,
            quotas: true,
            error: PhantomData,
        }
    }

    /// The same transaction with quotas enforced or not (`--no-quotas`).
    pub(crate) fn with_quotas(self, quotas: bool) -> Self {
        Self { quotas, ..self }
    }

    /// Whether quotas refuse creates.
    pub(crate) fn quotas(&self) -> bool {
        self.quotas
    }

    /// When this request happens, epoch milliseconds (how the Alibaba objects keep time).
    pub(crate) fn now_ms(&self) -> i64 {
        epoch_ms(self.now)
    }

    /// When this request happens as JD Cloud's `createdTime` / `updatedTime`.
    pub(crate) fn timestamp(&self) -> String {
        ids::iso8601(self.now)
    }

    /// A fresh id of `kind`.
    pub(crate) fn new_id(&self, kind: Kind) -> Result<String, E> {
        Ok(ids::resource_id(self.tx, kind)?)
    }

    pub(crate) fn insert<T: Serialize>(
        &self,
        kind: Kind,
        region: &str,
        id: &str,
        body: &T,
    ) -> Result<(), E> {
        Ok(self.tx.insert(kind, region, id, body)?)
    }

    pub(crate) fn update<T: Serialize>(&self, kind: Kind, id: &str, body: &T) -> Result<(), E> {
        self.tx.update(kind, id, body)?;
        Ok(())
    }

    pub(crate) fn delete(&self, kind: Kind, id: &str) -> Result<(), E> {
        self.tx.delete(kind, id)?;
        Ok(())
    }

    /// All objects of `kind` in `region`, oldest first.
    pub(crate) fn list<T: DeserializeOwned>(&self, kind: Kind, region: &str) -> Result<Vec<T>, E> {
        Ok(self.tx.list(kind, region)?)
    }

    /// All objects of `kind` in every region, oldest first.
    pub(crate) fn list_all<T: DeserializeOwned>(&self, kind: Kind) -> Result<Vec<T>, E> {
        Ok(self.tx.list_all(kind)?)
    }

    /// Number of objects of `kind` in `region` (for quotas).
    pub(crate) fn count(&self, kind: Kind, region: &str) -> Result<usize, E> {
        Ok(self.tx.count(kind, region)?)
    }

    /// The object of `kind` with this id, in whatever region.
    pub(crate) fn find<T: DeserializeOwned>(&self, kind: Kind, id: &str) -> Result<Option<T>, E> {
        Ok(self.tx.get::<T>(kind, id)?.map(|stored| stored.body))
    }

    /// The object of `kind` with this id in `region`, if there is one (one in another region is
    /// invisible, as in both real APIs).
    pub(crate) fn find_in<T: DeserializeOwned>(
        &self,
        kind: Kind,
        region: &str,
        id: &str,
    ) -> Result<Option<T>, E> {
        Ok(self
            .tx
            .get::<T>(kind, id)?
            .filter(|stored| stored.region == region)
            .map(|stored| stored.body))
    }
}
