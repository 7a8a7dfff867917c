//! Locking shared in-memory state (nonces, the rate-limit window, fault plans, the database
//! connection).

use std::sync::{Mutex, MutexGuard, PoisonError};

/// Locks `m`, ignoring poisoning: every value the sandbox keeps behind a mutex stays consistent
/// whatever a panicking holder did (maps and queues are changed by single calls; SQLite rolls an
/// unfinished transaction back), so a poisoned lock is still usable.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}
