//! SQLite persistence shared by both clouds: one generic `resources` table (each row is the JSON of
//! a model struct, tagged with cloud and kind) and a `requests` table of per-operation counters.
//!
//! Models never see SQL: they get a [`Tx`] with typed `insert`/`get`/`list`/`update`/`delete`.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use rusqlite::{params, Connection, OptionalExtension};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::sync::lock;

/// Version of the schema below, kept in SQLite's `user_version`.
const SCHEMA_VERSION: i64 = 1;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS resources (
    cloud       TEXT NOT NULL,
    kind        TEXT NOT NULL,
    region      TEXT NOT NULL,
    id          TEXT PRIMARY KEY,
    body        TEXT NOT NULL,
    created_seq INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS resources_by_kind ON resources (cloud, kind, region, created_seq);
CREATE TABLE IF NOT EXISTS requests (
    operation TEXT PRIMARY KEY,
    count     INTEGER NOT NULL
);
";

/// Failure of the state store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite reported an error.
    #[error("state database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A stored body does not decode into its model (hand-edited file, or a model changed shape).
    #[error("stored {kind} `{id}` does not match its model: {source}")]
    Corrupt {
        /// Resource kind.
        kind: String,
        /// Resource id.
        id: String,
        /// Decoding error.
        source: serde_json::Error,
    },
    /// A model could not be encoded as JSON.
    #[error("encoding {kind} `{id}`: {source}")]
    Encode {
        /// Resource kind.
        kind: String,
        /// Resource id.
        id: String,
        /// Encoding error.
        source: serde_json::Error,
    },
    /// The state file was written by a newer sandbox.
    #[error(
        "state file has schema version {found}, this sandbox understands up to {SCHEMA_VERSION}"
    )]
    SchemaTooNew {
        /// Version found in the file.
        found: i64,
    },
}

/// A kind of emulated resource: the unit `/_sandbox/state` groups by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Kind {
    /// `jdcloud` or `alicloud`.
    pub cloud: &'static str,
    /// Plural snake_case name, e.g. `customer_gateways`.
    pub name: &'static str,
    /// Prefix of generated ids, e.g. `cgw` (see `ids::resource_id`).
    pub id_prefix: &'static str,
}

impl Kind {
    pub(crate) const fn new(
        cloud: &'static str,
        name: &'static str,
        id_prefix: &'static str,
    ) -> Self {
        Self {
            cloud,
            name,
            id_prefix,
        }
    }
}

/// A stored resource together with the region it lives in.
#[derive(Debug)]
pub(crate) struct Stored<T> {
    pub region: String,
    pub body: T,
}

/// One row of the resources table, as shown by `/_sandbox/state`.
#[derive(Debug)]
pub(crate) struct ResourceRow {
    pub cloud: String,
    pub kind: String,
    pub region: String,
    pub body: serde_json::Value,
}

/// The state database. One connection behind a mutex: the sandbox is a test tool, and
/// serialising every operation makes each one trivially atomic.
#[derive(Debug)]
pub(crate) struct Store {
    conn: Mutex<Connection>,
}

impl Store {
    /// Opens (creating if needed) the state file, or an in-memory database when `path` is `None`.
    pub fn open(path: Option<&Path>) -> Result<Self, StoreError> {
        let conn = match path {
            Some(p) => Connection::open(p)?,
            None => Connection::open_in_memory()?,
        };
        let found: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if found > SCHEMA_VERSION {
            return Err(StoreError::SchemaTooNew { found });
        }
        conn.execute_batch(SCHEMA)?;
        conn.execute_batch(&format!("PRAGMA user_version = {SCHEMA_VERSION}"))?;
        Ok(Self {
            conn: Mutex::new(conn),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        lock(&self.conn)
    }

    /// Runs `f` in one transaction: committed when it returns `Ok`, rolled back otherwise.
    pub fn transaction<T, E>(&self, f: impl FnOnce(&Tx<'_>) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        let mut conn = self.lock();
        let tx = Tx {
            tx: conn.transaction().map_err(StoreError::from)?,
        };
        let out = f(&tx)?;
        tx.tx.commit().map_err(StoreError::from)?;
        Ok(out)
    }

    /// Adds one to the counter of `operation` (e.g. `jdcloud.createCustomerGateway`).
    pub fn count_request(&self, operation: &str) -> Result<(), StoreError> {
        self.lock().execute(
            "INSERT INTO requests (operation, count) VALUES (?1, 1)
             ON CONFLICT(operation) DO UPDATE SET count = count + 1",
            params![operation],
        )?;
        Ok(())
    }

    /// All request counters.
    pub fn request_counts(&self) -> Result<BTreeMap<String, i64>, StoreError> {
        let conn = self.lock();
        let mut stmt = conn.prepare("SELECT operation, count FROM requests")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Every resource of every cloud, oldest first.
    pub fn all_resources(&self) -> Result<Vec<ResourceRow>, StoreError> {
        let conn = self.lock();
        let mut stmt = conn
            .prepare("SELECT cloud, kind, region, id, body FROM resources ORDER BY created_seq")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (cloud, kind, region, id, body) = row?;
            let body = serde_json::from_str(&body).map_err(|source| StoreError::Corrupt {
                kind: kind.clone(),
                id,
                source,
            })?;
            out.push(ResourceRow {
                cloud,
                kind,
                region,
                body,
            });
        }
        Ok(out)
    }

    /// Empties every table (resources and request counters).
    pub fn reset(&self) -> Result<(), StoreError> {
        self.lock()
            .execute_batch("DELETE FROM resources; DELETE FROM requests;")?;
        Ok(())
    }
}

/// An open transaction, handed to model operations.
pub(crate) struct Tx<'c> {
    tx: rusqlite::Transaction<'c>,
}

impl Tx<'_> {
    /// Whether any resource (of any kind) has this id; used to avoid id collisions.
    pub fn id_exists(&self, id: &str) -> Result<bool, StoreError> {
        Ok(self
            .tx
            .query_row("SELECT 1 FROM resources WHERE id = ?1", params![id], |_| {
                Ok(())
            })
            .optional()?
            .is_some())
    }

    /// Stores a new resource after all existing ones (list order = creation order).
    pub fn insert<T: Serialize>(
        &self,
        kind: Kind,
        region: &str,
        id: &str,
        body: &T,
    ) -> Result<(), StoreError> {
        let body = encode(kind, id, body)?;
        self.tx.execute(
            "INSERT INTO resources (cloud, kind, region, id, body, created_seq)
             VALUES (?1, ?2, ?3, ?4, ?5, (SELECT COALESCE(MAX(created_seq), 0) + 1 FROM resources))",
            params![kind.cloud, kind.name, region, id, body],
        )?;
        Ok(())
    }

    /// The resource of this kind with this id, in whatever region.
    pub fn get<T: DeserializeOwned>(
        &self,
        kind: Kind,
        id: &str,
    ) -> Result<Option<Stored<T>>, StoreError> {
        let row = self
            .tx
            .query_row(
                "SELECT region, body FROM resources WHERE cloud = ?1 AND kind = ?2 AND id = ?3",
                params![kind.cloud, kind.name, id],
                |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)),
            )
            .optional()?;
        row.map(|(region, body)| {
            Ok(Stored {
                region,
                body: decode(kind, id, &body)?,
            })
        })
        .transpose()
    }

    /// All resources of a kind in a region, in creation order.
    pub fn list<T: DeserializeOwned>(
        &self,
        kind: Kind,
        region: &str,
    ) -> Result<Vec<T>, StoreError> {
        self.select(
            kind,
            "SELECT id, body FROM resources WHERE cloud = ?1 AND kind = ?2 AND region = ?3
             ORDER BY created_seq",
            params![kind.cloud, kind.name, region],
        )
    }

    /// All resources of a kind in every region, in creation order (for region-independent
    /// allocations such as public IP addresses).
    pub fn list_all<T: DeserializeOwned>(&self, kind: Kind) -> Result<Vec<T>, StoreError> {
        self.select(
            kind,
            "SELECT id, body FROM resources WHERE cloud = ?1 AND kind = ?2 ORDER BY created_seq",
            params![kind.cloud, kind.name],
        )
    }

    /// The `(id, body)` rows `sql` selects, decoded as `kind`s.
    fn select<T: DeserializeOwned>(
        &self,
        kind: Kind,
        sql: &str,
        params: &[&dyn rusqlite::ToSql],
    ) -> Result<Vec<T>, StoreError> {
        let mut stmt = self.tx.prepare(sql)?;
        let rows = stmt.query_map(params, |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, body) = row?;
            out.push(decode(kind, &id, &body)?);
        }
        Ok(out)
    }

    /// Number of resources of a kind in a region (for quotas).
    pub fn count(&self, kind: Kind, region: &str) -> Result<usize, StoreError> {
        let n: i64 = self.tx.query_row(
            "SELECT COUNT(*) FROM resources WHERE cloud = ?1 AND kind = ?2 AND region = ?3",
            params![kind.cloud, kind.name, region],
            |r| r.get(0),
        )?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    /// Replaces the body of an existing resource; returns whether it existed.
    pub fn update<T: Serialize>(&self, kind: Kind, id: &str, body: &T) -> Result<bool, StoreError> {
        let body = encode(kind, id, body)?;
        let n = self.tx.execute(
            "UPDATE resources SET body = ?4 WHERE cloud = ?1 AND kind = ?2 AND id = ?3",
            params![kind.cloud, kind.name, id, body],
        )?;
        Ok(n > 0)
    }

    /// Deletes a resource; returns whether it existed.
    pub fn delete(&self, kind: Kind, id: &str) -> Result<bool, StoreError> {
        let n = self.tx.execute(
            "DELETE FROM resources WHERE cloud = ?1 AND kind = ?2 AND id = ?3",
            params![kind.cloud, kind.name, id],
        )?;
        Ok(n > 0)
    }
}

fn encode<T: Serialize>(kind: Kind, id: &str, body: &T) -> Result<String, StoreError> {
    serde_json::to_string(body).map_err(|source| StoreError::Encode {
        kind: kind.name.to_owned(),
        id: id.to_owned(),
        source,
    })
}

fn decode<T: DeserializeOwned>(kind: Kind, id: &str, body: &str) -> Result<T, StoreError> {
    serde_json::from_str(body).map_err(|source| StoreError::Corrupt {
        kind: kind.name.to_owned(),
        id: id.to_owned(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const THINGS: Kind = Kind {
        cloud: "jdcloud",
        name: "things",
        id_prefix: "t",
    };

    #[test]
    fn crud_and_order() {
        let store = Store::open(None).unwrap();
        store
            .transaction(|tx| {
                tx.insert(THINGS, "r1", "t-2", &serde_json::json!({"n": 2}))?;
                tx.insert(THINGS, "r1", "t-1", &serde_json::json!({"n": 1}))?;
                tx.insert(THINGS, "r2", "t-3", &serde_json::json!({"n": 3}))?;
                Ok::<_, StoreError>(())
            })
            .unwrap();
        store
            .transaction(|tx| {
                let listed: Vec<serde_json::Value> = tx.list(THINGS, "r1")?;
                assert_eq!(
                    listed,
                    vec![serde_json::json!({"n": 2}), serde_json::json!({"n": 1})]
                );
                assert_eq!(tx.count(THINGS, "r2")?, 1);
                let everywhere: Vec<serde_json::Value> = tx.list_all(THINGS)?;
                assert_eq!(everywhere.len(), 3);
                assert_eq!(everywhere[2], serde_json::json!({"n": 3}));
                let got: Stored<serde_json::Value> = tx.get(THINGS, "t-3")?.unwrap();
                assert_eq!(got.region, "r2");
                assert!(tx.update(THINGS, "t-3", &serde_json::json!({"n": 4}))?);
                assert!(tx.delete(THINGS, "t-1")?);
                assert!(!tx.delete(THINGS, "t-1")?);
                assert!(tx.id_exists("t-2")?);
                Ok::<_, StoreError>(())
            })
            .unwrap();
        assert_eq!(store.all_resources().unwrap().len(), 2);
    }

    #[test]
    fn failed_transaction_rolls_back() {
        let store = Store::open(None).unwrap();
        let r: Result<(), StoreError> = store.transaction(|tx| {
            tx.insert(THINGS, "r1", "t-1", &1)?;
            Err(StoreError::SchemaTooNew { found: 0 })
        });
        assert!(r.is_err());
        assert!(store.all_resources().unwrap().is_empty());
    }

    #[test]
    fn counters_and_reset() {
        let store = Store::open(None).unwrap();
        store.count_request("a").unwrap();
        store.count_request("a").unwrap();
        store.count_request("b").unwrap();
        let counts = store.request_counts().unwrap();
        assert_eq!(counts.get("a"), Some(&2));
        assert_eq!(counts.get("b"), Some(&1));
        store.reset().unwrap();
        assert!(store.request_counts().unwrap().is_empty());
    }
}
