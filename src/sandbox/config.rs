//! How to run the sandbox: [`SandboxConfig`] and its defaults.

use std::path::PathBuf;
use std::time::Duration;

use super::clock::Clock;
use super::faults::FaultPlan;
use crate::signer::{Credentials, Sensitive};

/// Access key id accepted when none is configured.
pub const DEFAULT_ACCESS_KEY: &str = "sandbox-ak";
/// Secret key accepted when none is configured.
pub const DEFAULT_SECRET_KEY: &str = "sandbox-sk";
/// JD Cloud's documented default call-frequency limit, "1000 times/minute"
/// (docs/design/jdcloud.md §2.4).
pub const DEFAULT_RATE_LIMIT_PER_MINUTE: u32 = 1000;
/// The window the call-frequency limit counts over.
pub const DEFAULT_RATE_LIMIT_WINDOW: Duration = Duration::from_secs(60);
/// How long an asynchronous Alibaba operation stays pending by default (`--provisioning-ms`).
pub const DEFAULT_PROVISIONING_MS: u64 = 500;

/// How to run the sandbox.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// SQLite state file; `None` keeps the state in memory.
    pub state_path: Option<PathBuf>,
    /// The one key pair requests must be signed with (both clouds).
    pub credentials: Credentials,
    /// Fault-injection plan at start-up (`--faults`); `None` injects nothing. Replaceable at
    /// run time through `POST /_sandbox/faults`.
    pub faults: Option<FaultPlan>,
    /// Authenticated calls (both clouds, one window) admitted per sliding minute before JD Cloud
    /// 429 `RATE_LIMIT` / Alibaba 400 `Throttling.User` (`--rate-limit`); 0 disables the limit.
    pub rate_limit_per_minute: u32,
    /// The sliding window `rate_limit_per_minute` counts over, in emulated time: a minute
    /// ([`DEFAULT_RATE_LIMIT_WINDOW`]), unless a test shortens it so that the throttled
    /// answers' `Retry-After` (whole seconds) is short enough to wait for.
    pub rate_limit_window: Duration,
    /// Milliseconds an asynchronous Alibaba operation (binding to a transit router, modify,
    /// route-table association/propagation) stays pending before its next state
    /// (`--provisioning-ms`); 0 settles on the next call.
    pub provisioning_ms: u64,
    /// Whether JD Cloud's quotas (per region, per border gateway) refuse creates; `false`
    /// (`--no-quotas`) lets a benchmark create hundreds of one kind.
    pub quotas: bool,
    /// The one STS token Alibaba requests may carry (`x-acs-security-token` /
    /// `SecurityToken`); `None` refuses every request that carries one.
    pub alicloud_security_token: Option<Sensitive<String>>,
    /// Where "now" comes from ([`Clock::system`] unless a test hands in a manual one).
    pub clock: Clock,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            state_path: None,
            credentials: Credentials::new(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY),
            faults: None,
            rate_limit_per_minute: DEFAULT_RATE_LIMIT_PER_MINUTE,
            rate_limit_window: DEFAULT_RATE_LIMIT_WINDOW,
            provisioning_ms: DEFAULT_PROVISIONING_MS,
            quotas: true,
            alicloud_security_token: None,
            clock: Clock::system(),
        }
    }
}
