//! Fault injection (`--faults '<json>'`, `POST /_sandbox/faults`): the failures a real cloud API
//! shows now and then, on demand and reproducibly, so the provider's retry and recovery paths can
//! be tested.
//!
//! A [`FaultPlan`] gives a rate per fault. Every cloud API call that passed authentication, the
//! rate limit and routing draws one fault (or none) from a seeded RNG under a mutex, in arrival
//! order, so the same request sequence meets the same faults for a seed. The cloud modules turn
//! a [`Fault`] into their own envelopes:
//!
//! * throttle — refused before the operation (JD Cloud 429 `RATE_LIMIT`, Alibaba 400
//!   `Throttling.User`), asking for a 1 s wait (`Retry-After`); nothing is applied;
//! * error — a transient server error (JD Cloud 500 `INTERNAL`, Alibaba 503
//!   `ServiceUnavailable`), half of them raised *after* the operation was applied, the
//!   "answered 500 but had succeeded" case of terraform-provider-alicloud#4808;
//! * reset — the operation is applied, then the connection is dropped without a response;
//! * garble — the operation is applied, then answered `200 OK` with a body cut short, as a
//!   misbehaving proxy or a truncated transfer would.
//!
//! Admin routes (`/_sandbox/*`) are never faulted.

use std::sync::Mutex;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::response::Response;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

use super::store::Store;
use super::sync::lock;

/// A fault-injection plan. Every field is optional in JSON; `{}` turns faults off.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FaultPlan {
    /// Share of calls refused as throttled before they are applied.
    pub throttle_rate: f64,
    /// Share of calls answered with a transient server error (half before, half after applying).
    pub error_rate: f64,
    /// Share of calls applied, then answered by dropping the connection.
    pub reset_rate: f64,
    /// Share of calls applied, then answered `200 OK` with a body that is not the cloud's
    /// envelope.
    pub garble_rate: f64,
    /// Delay before every call is handled, in milliseconds.
    pub latency_ms: u64,
    /// RNG seed; `None` picks a random one (shown by `GET /_sandbox/faults`, so a run can be
    /// repeated).
    pub seed: Option<u64>,
    /// Only calls to these operations (e.g. `createCustomerGateway`) are faulted; empty: all.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub only: Vec<String>,
    /// Stop injecting after this many faults; `None`: no limit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_faults: Option<u32>,
}

/// Why a fault plan was refused.
#[derive(Debug, thiserror::Error)]
pub enum FaultPlanError {
    /// Not a JSON object with the plan's fields.
    #[error("invalid fault plan: {0}")]
    Json(#[from] serde_json::Error),
    /// Not an object, a rate outside [0, 1], or rates adding up to more than 1.
    #[error("invalid fault plan: {0}")]
    Invalid(String),
}

impl FaultPlan {
    /// Parses and checks a plan (see [`FaultPlan::validate`]).
    pub fn from_json(value: serde_json::Value) -> Result<Self, FaultPlanError> {
        if !value.is_object() {
            return Err(FaultPlanError::Invalid(format!(
                "expected a JSON object, got {value}"
            )));
        }
        let plan: Self = serde_json::from_value(value)?;
        plan.validate()?;
        Ok(plan)
    }

    /// Each rate is in [0, 1] and they add up to at most 1: one uniform draw per call picks at
    /// most one fault, so each rate is exactly that fault's share of the calls.
    pub fn validate(&self) -> Result<(), FaultPlanError> {
        let rates = [
            ("throttle_rate", self.throttle_rate),
            ("error_rate", self.error_rate),
            ("reset_rate", self.reset_rate),
            ("garble_rate", self.garble_rate),
        ];
        for (name, rate) in rates {
            if !(0.0..=1.0).contains(&rate) {
                return Err(FaultPlanError::Invalid(format!(
                    "{name} must be between 0 and 1, got {rate}"
                )));
            }
        }
        let total: f64 = rates.iter().map(|(_, r)| r).sum();
        if total > 1.0 + f64::EPSILON {
            return Err(FaultPlanError::Invalid(format!(
                "throttle_rate + error_rate + reset_rate + garble_rate must be at most 1, got {total}"
            )));
        }
        Ok(())
    }

    /// Whether the plan does nothing at all.
    pub fn is_off(&self) -> bool {
        self.throttle_rate == 0.0
            && self.error_rate == 0.0
            && self.reset_rate == 0.0
            && self.garble_rate == 0.0
            && self.latency_ms == 0
    }
}

/// The fault one call meets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fault {
    /// Refused as throttled; not applied.
    Throttle,
    /// Transient server error; not applied.
    ErrorBefore,
    /// Applied, then answered with a transient server error.
    ErrorAfter,
    /// Applied, then the connection is dropped without a response.
    Reset,
    /// Applied, then answered 200 with a garbled body.
    Garble,
}

impl Fault {
    /// Counter in `/_sandbox/requests`.
    pub(crate) fn counter(self) -> &'static str {
        match self {
            Self::Throttle => "faults.throttle",
            Self::ErrorBefore => "faults.error_before",
            Self::ErrorAfter => "faults.error_after",
            Self::Reset => "faults.reset",
            Self::Garble => "faults.garble",
        }
    }
}

/// The active plan and its RNG.
#[derive(Debug)]
pub(crate) struct Faults {
    active: Mutex<Active>,
}

#[derive(Debug)]
struct Active {
    /// With its seed filled in.
    plan: FaultPlan,
    rng: StdRng,
    /// Faults injected so far, for `max_faults`.
    injected: u32,
}

impl Active {
    fn new(mut plan: FaultPlan) -> Self {
        let seed = *plan.seed.get_or_insert_with(rand::random);
        Self {
            plan,
            rng: StdRng::seed_from_u64(seed),
            injected: 0,
        }
    }
}

impl Faults {
    pub(crate) fn new(plan: FaultPlan) -> Self {
        Self {
            active: Mutex::new(Active::new(plan)),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Active> {
        lock(&self.active)
    }

    /// The active plan, seed filled in.
    pub(crate) fn plan(&self) -> FaultPlan {
        self.lock().plan.clone()
    }

    /// Replaces the plan and restarts its RNG; returns it with the seed filled in.
    pub(crate) fn set(&self, plan: FaultPlan) -> FaultPlan {
        let mut active = self.lock();
        *active = Active::new(plan);
        active.plan.clone()
    }

    /// Restarts the RNG from the plan's seed (`/_sandbox/reset`), so a replayed request sequence
    /// meets the same faults again.
    pub(crate) fn restart(&self) {
        let mut active = self.lock();
        let plan = active.plan.clone();
        *active = Active::new(plan);
    }

    /// The latency and the fault of the next call (to `operation`), in call order.
    pub(crate) fn draw(&self, operation: &str) -> (Duration, Option<Fault>) {
        let mut active = self.lock();
        let plan = active.plan.clone();
        if plan.is_off() {
            return (Duration::ZERO, None);
        }
        // Always two draws per call, so the faults depend on the call count alone.
        let roll: f64 = active.rng.random();
        let after: bool = active.rng.random();
        let fault = if roll < plan.throttle_rate {
            Some(Fault::Throttle)
        } else if roll < plan.throttle_rate + plan.error_rate {
            Some(if after {
                Fault::ErrorAfter
            } else {
                Fault::ErrorBefore
            })
        } else if roll < plan.throttle_rate + plan.error_rate + plan.reset_rate {
            Some(Fault::Reset)
        } else if roll < plan.throttle_rate + plan.error_rate + plan.reset_rate + plan.garble_rate {
            Some(Fault::Garble)
        } else {
            None
        };
        let targeted = plan.only.is_empty() || plan.only.iter().any(|o| o == operation);
        let within = plan.max_faults.is_none_or(|max| active.injected < max);
        let fault = fault.filter(|_| targeted && within);
        if fault.is_some() {
            active.injected += 1;
        }
        (Duration::from_millis(plan.latency_ms), fault)
    }
}

impl Faults {
    /// Draws the fault of one authenticated call to `operation`, counts (in `store`) and logs
    /// it, and waits the plan's latency (real time: it stands for a slow network, not for
    /// emulated time). The caller answers `Throttle` and `ErrorBefore` without running the
    /// operation, and runs it for `ErrorAfter` and `Reset`, then replaces its outcome.
    pub(crate) async fn inject(&self, store: &Store, operation: &str) -> Option<Fault> {
        let (latency, fault) = self.draw(operation);
        if let Some(fault) = fault {
            tracing::info!(operation, fault = fault.counter(), "injecting fault");
            if let Err(e) = store.count_request(fault.counter()) {
                tracing::error!(error = %e, "counting injected fault");
            }
        }
        if !latency.is_zero() {
            tokio::time::sleep(latency).await;
        }
        fault
    }
}

/// A `200 OK` whose JSON body stops half-way: what the client sees when the real answer was
/// cut short on the way.
pub(crate) fn garbled() -> Response {
    Response::builder()
        .status(200)
        .header("content-type", "application/json")
        .body(Body::from(r#"{"requestId":"garbled","result":{"#))
        .unwrap_or_else(|_| Response::new(Body::empty()))
}

/// A response whose body fails at once: hyper then closes the connection without completing
/// the message, so the client sees a transport error, not an HTTP answer.
pub(crate) fn connection_reset() -> Response {
    let failing = futures_util::stream::once(async {
        Err::<Bytes, _>(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "sandbox fault injection: connection reset",
        ))
    });
    Response::new(Body::from_stream(failing))
}
