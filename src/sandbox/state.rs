//! [`SandboxState`]: what a running sandbox shares between requests (configuration, store,
//! clock, rate limiter, nonce caches, fault plan).

use std::fmt;
use std::sync::Arc;

use super::clock::Clock;
use super::config::SandboxConfig;
use super::faults::{FaultPlanError, Faults};
use super::nonces::NonceCache;
use super::ratelimit::{RateLimiter, WINDOW};
use super::store::{Store, StoreError};

/// Why the sandbox could not start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    /// The state database could not be opened.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The fault plan is invalid.
    #[error(transparent)]
    Faults(#[from] FaultPlanError),
    /// Serving failed.
    #[error("serving: {0}")]
    Io(#[from] std::io::Error),
}

/// Shared state of a running sandbox. Cheap to clone.
#[derive(Clone)]
pub struct SandboxState {
    inner: Arc<Inner>,
}

struct Inner {
    config: SandboxConfig,
    store: Store,
    rate_limiter: RateLimiter,
    /// Alibaba signature nonces seen recently (replay protection).
    alicloud_nonces: NonceCache,
    /// JD Cloud `x-jdcloud-nonce` values seen recently: the same cache type and window, a
    /// separate set (the two clouds do not share nonces).
    jdcloud_nonces: NonceCache,
    faults: Faults,
}

impl SandboxState {
    /// Opens the state store named by `config` (creating the file if needed).
    pub fn open(config: SandboxConfig) -> Result<Self, SandboxError> {
        let plan = config.faults.clone().unwrap_or_default();
        plan.validate()?;
        let store = Store::open(config.state_path.as_deref())?;
        let window = time::Duration::try_from(config.rate_limit_window).unwrap_or(WINDOW);
        let rate_limiter = RateLimiter::new(config.rate_limit_per_minute, window);
        let faults = Faults::new(plan);
        Ok(Self {
            inner: Arc::new(Inner {
                config,
                store,
                rate_limiter,
                alicloud_nonces: NonceCache::default(),
                jdcloud_nonces: NonceCache::default(),
                faults,
            }),
        })
    }

    /// The configuration this sandbox runs with.
    pub fn config(&self) -> &SandboxConfig {
        &self.inner.config
    }

    /// The clock it was handed (advance it to make time pass).
    pub fn clock(&self) -> &Clock {
        &self.inner.config.clock
    }

    pub(crate) fn store(&self) -> &Store {
        &self.inner.store
    }

    /// Adds one to `counter` in `/_sandbox/requests`; a failure is logged, never answered.
    pub(crate) fn count(&self, counter: &str) {
        if let Err(e) = self.store().count_request(counter) {
            tracing::error!(error = %e, counter, "counting request");
        }
    }

    pub(crate) fn rate_limiter(&self) -> &RateLimiter {
        &self.inner.rate_limiter
    }

    pub(crate) fn alicloud_nonces(&self) -> &NonceCache {
        &self.inner.alicloud_nonces
    }

    pub(crate) fn jdcloud_nonces(&self) -> &NonceCache {
        &self.inner.jdcloud_nonces
    }

    pub(crate) fn faults(&self) -> &Faults {
        &self.inner.faults
    }

    pub(crate) fn credentials(&self) -> &crate::signer::Credentials {
        &self.inner.config.credentials
    }

    /// How long an asynchronous Alibaba operation stays pending, in milliseconds.
    pub(crate) fn provisioning_ms(&self) -> i64 {
        i64::try_from(self.inner.config.provisioning_ms).unwrap_or(i64::MAX)
    }
}

impl fmt::Debug for SandboxState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SandboxState")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}
