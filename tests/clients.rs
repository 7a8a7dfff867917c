//! The middle layer without Terraform: each cloud client against an in-process sandbox that
//! meets one named fault, aimed at one operation, once. What was resent and what was adopted is
//! read from the sandbox's request counters (`/_sandbox/requests`: a call is counted under its
//! operation only when it reached the operation; a fault under `faults.<kind>`) and from its
//! state (`/_sandbox/state`).
//!
//! The rules under test (docs/design/reliability.md): reads and calls carrying a `ClientToken`
//! are retried; a create without one is sent again only when the cloud certainly did not act
//! (throttled, never reached); after a lost answer a JD Cloud create is resolved through
//! `ownership::jd_create` (the object carrying its marker is adopted); refusals fail at once.
//!
//! Error faults come half before, half after the operation is applied, drawn from the plan's
//! seeded RNG (two draws per call, whichever operation it is for). The seeds below pick the half;
//! each test also asserts the fault counter, so a change of RNG fails loudly instead of testing
//! the other half.

use std::time::{Duration, Instant};

use hybridnet::clients::Claims;
use hybridnet::cloud::alicloud::{self, actions, types as ali};
use hybridnet::cloud::jdcloud::{ops, types as jd};
use hybridnet::cloud::ApiError;
use hybridnet::resources::ownership::{jd_create, Identity, Target};
use hybridnet::sandbox::{FaultPlan, SandboxConfig};
use serde_json::{json, Value};

mod inproc;
use inproc::{InProc, ALI_REGION, JD_REGION};

/// With `error_rate: 1.0`, the seed whose first draw is an error *before* the operation.
const FIRST_ERROR_BEFORE: u64 = 4;
/// … whose first draw is an error *after* the operation (the second: before).
const FIRST_ERROR_AFTER: u64 = 0;
/// … whose second draw is an error *before* the operation.
const SECOND_ERROR_BEFORE: u64 = 0;
/// … whose second draw is an error *after* the operation.
const SECOND_ERROR_AFTER: u64 = 4;

/// A sandbox without rate limit; each test aims its faults.
async fn unlimited() -> InProc {
    InProc::start(SandboxConfig {
        rate_limit_per_minute: 0,
        ..SandboxConfig::default()
    })
    .await
}

impl InProc {
    /// Aims one fault (`throttle`, `error`, `reset`, `garble`) at the next call to `operation`.
    async fn fault_once(&self, fault: &str, operation: &str, seed: u64) {
        let plan = json!({
            format!("{fault}_rate"): 1.0,
            "only": [operation],
            "max_faults": 1,
            "seed": seed,
        });
        // Checked here so that a typo fails as a bad plan, not as a test that meets no fault.
        FaultPlan::from_json(plan.clone()).unwrap();
        self.post("faults", plan).await;
    }

    /// How many times `counter` was counted (0 when never).
    async fn count(&self, counter: &str) -> i64 {
        self.requests().await[counter].as_i64().unwrap_or(0)
    }

    /// The objects of `kind` in `cloud`.
    async fn objects(&self, cloud: &str, kind: &str) -> Vec<Value> {
        self.get("state").await[cloud][kind]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }
}

const BUDGET: Duration = Duration::from_secs(20);

// ---------------------------------------------------------------------------------------------
// JD Cloud: creates carry no idempotency token
// ---------------------------------------------------------------------------------------------

const JD_CREATE: &str = "createCustomerGateway";
const JD_CREATES: &str = "jdcloud.createCustomerGateway";
const JD_LISTS: &str = "jdcloud.describeCustomerGateways";

fn jd_spec(description: Option<&str>) -> jd::CustomerGatewaySpec {
    jd::CustomerGatewaySpec {
        customer_gateway_name: "idc".into(),
        customer_ips: vec!["203.0.113.10".into()],
        bgp_asn: 65010,
        description: description.map(str::to_string),
    }
}

/// A customer gateway through `ownership::jd_create`, as the resource makes one.
async fn jd_create_gateway(served: &InProc) -> Result<String, String> {
    let spec = jd_spec(Some("Beijing data centre"));
    let identity = Identity::named("name \"idc\"".into(), |o: &jd::CustomerGateway| {
        o.customer_gateway_name == "idc"
    });
    let target = Target::new(
        "hybridnet_jdcloud_customer_gateway",
        "JD Cloud customer gateway",
        JD_REGION,
        &[],
    );
    jd_create(
        &served.jd(BUDGET),
        &Claims::default(),
        &ops::CUSTOMER_GATEWAY,
        &target,
        &identity,
        &spec,
        spec.description.as_deref(),
    )
    .await
    .map(|at| at.id().to_string())
    .map_err(|e| format!("{e:?}"))
}

/// Exactly one gateway exists, it is `id`, and its description is the user's (the create
/// marker was replaced).
async fn jd_one_gateway(served: &InProc, id: &str) {
    let all = served.objects("jdcloud", "customer_gateways").await;
    assert_eq!(all.len(), 1, "{all:#?}");
    assert_eq!(all[0]["customerGatewayId"], id);
    assert_eq!(all[0]["description"], "Beijing data centre");
}

/// (a) The create was applied and its answer lost (reset, garbled 200, 500 after applying):
/// the create is not sent again; the gateway carrying the marker is found and adopted.
#[tokio::test]
async fn jd_lost_create_answers_are_adopted_not_resent() {
    for (fault, seed, counter) in [
        ("reset", 0, "faults.reset"),
        ("garble", 0, "faults.garble"),
        ("error", SECOND_ERROR_AFTER, "faults.error_after"),
    ] {
        let served = unlimited().await;
        served.fault_once(fault, JD_CREATE, seed).await;
        let id = jd_create_gateway(&served).await.unwrap();
        assert_eq!(served.count(counter).await, 1, "{fault}");
        assert_eq!(
            served.count(JD_CREATES).await,
            1,
            "{fault}: the create was resent"
        );
        // One search before the create, one after the lost answer.
        assert_eq!(served.count(JD_LISTS).await, 2, "{fault}");
        jd_one_gateway(&served, &id).await;
    }
}

/// (c) A 500 before the create was applied: the search after it finds nothing, so the create is
/// sent again, once.
#[tokio::test]
async fn jd_create_failing_before_apply_is_sent_again() {
    let served = unlimited().await;
    served
        .fault_once("error", JD_CREATE, SECOND_ERROR_BEFORE)
        .await;
    let id = jd_create_gateway(&served).await.unwrap();
    assert_eq!(served.count("faults.error_before").await, 1);
    // Counted only when it reached the operation: the failed attempt was not.
    assert_eq!(served.count(JD_CREATES).await, 1);
    assert_eq!(served.count(JD_LISTS).await, 2);
    jd_one_gateway(&served, &id).await;
}

/// The client alone never resends a create whose answer may have been an act: a 500 is handed
/// back at once (for `jd_create` to resolve), marked as possibly applied.
#[tokio::test]
async fn jd_client_hands_back_a_create_that_may_have_applied() {
    for (seed, counter, applied) in [
        (FIRST_ERROR_BEFORE, "faults.error_before", 0),
        (FIRST_ERROR_AFTER, "faults.error_after", 1),
    ] {
        let served = unlimited().await;
        served.fault_once("error", JD_CREATE, seed).await;
        let err = served
            .jd(BUDGET)
            .create(&ops::CUSTOMER_GATEWAY, JD_REGION, &[], &jd_spec(None))
            .await
            .unwrap_err();
        assert!(err.may_have_applied(), "{err}");
        assert_eq!(err.code(), Some("INTERNAL"), "{err}");
        assert_eq!(served.count(counter).await, 1);
        assert_eq!(served.count(JD_CREATES).await, applied);
        let all = served.objects("jdcloud", "customer_gateways").await;
        assert_eq!(all.len(), applied as usize, "{all:#?}");
    }
}

/// (b) A throttled create was certainly not applied: the client sends it again by itself.
#[tokio::test]
async fn jd_throttled_create_is_retried_once() {
    let served = unlimited().await;
    served.fault_once("throttle", JD_CREATE, 0).await;
    let id = served
        .jd(BUDGET)
        .create(&ops::CUSTOMER_GATEWAY, JD_REGION, &[], &jd_spec(None))
        .await
        .unwrap();
    assert_eq!(served.count("faults.throttle").await, 1);
    assert_eq!(served.count(JD_CREATES).await, 1);
    let all = served.objects("jdcloud", "customer_gateways").await;
    assert_eq!(all.len(), 1, "{all:#?}");
    assert_eq!(all[0]["customerGatewayId"], id.as_str());
}

/// (d) A request the cloud refuses as invalid fails at once: one call, no object, the cloud's
/// code and message kept.
#[tokio::test]
async fn jd_validation_error_fails_without_retry() {
    let served = unlimited().await;
    let mut spec = jd_spec(None);
    spec.bgp_asn = 1;
    let started = Instant::now();
    let err = served
        .jd(BUDGET)
        .create(&ops::CUSTOMER_GATEWAY, JD_REGION, &[], &spec)
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(2), "{err}");
    assert!(err.is_refusal(), "{err}");
    assert!(!err.may_have_applied(), "{err}");
    assert!(
        matches!(&err, ApiError::Api { http_status: 400, code, .. } if code == "OUT_OF_RANGE"),
        "{err:?}"
    );
    assert!(err.to_string().contains("bgpAsn"), "{err}");
    assert_eq!(served.count(JD_CREATES).await, 1);
    assert!(served
        .objects("jdcloud", "customer_gateways")
        .await
        .is_empty());
}

/// (f) A read whose connection was reset is simply sent again.
#[tokio::test]
async fn jd_read_reset_is_retried() {
    let served = unlimited().await;
    let client = served.jd(BUDGET);
    let id = client
        .create(&ops::CUSTOMER_GATEWAY, JD_REGION, &[], &jd_spec(None))
        .await
        .unwrap();
    served
        .fault_once("reset", "describeCustomerGateway", 0)
        .await;
    let gw: jd::CustomerGateway = client
        .describe(&ops::CUSTOMER_GATEWAY, JD_REGION, &[&id])
        .await
        .unwrap();
    assert_eq!(gw.customer_gateway_id, id);
    assert_eq!(served.count("faults.reset").await, 1);
    assert_eq!(served.count("jdcloud.describeCustomerGateway").await, 2);
}

/// The operation's deadline, not a count, ends the retries of a read the cloud keeps
/// throttling; the error says what failed last. (Each injected throttle asks for 1 s, which the
/// throttle gate waits before the next attempt.)
#[tokio::test]
async fn jd_deadline_bounds_the_retries() {
    let served = unlimited().await;
    served
        .post(
            "faults",
            json!({"throttle_rate": 1.0, "only": ["describeCustomerGateways"]}),
        )
        .await;
    let budget = Duration::from_millis(2_500);
    let started = Instant::now();
    let err = served
        .jd(budget)
        .list::<jd::CustomerGateway>(&ops::CUSTOMER_GATEWAY, JD_REGION, &[], &[])
        .await
        .unwrap_err();
    let took = started.elapsed();
    assert!(matches!(err, ApiError::Timeout { .. }), "{err:?}");
    assert!(err.to_string().contains("RATE_LIMIT"), "{err}");
    assert!(took <= budget + Duration::from_millis(300), "{took:?}");
    // At 0, 1 and 2 s.
    assert!(served.count("faults.throttle").await >= 2);
}

// ---------------------------------------------------------------------------------------------
// Alibaba Cloud: creates carry a ClientToken, which the cloud deduplicates
// ---------------------------------------------------------------------------------------------

const ALI_CREATE: &str = "CreateCustomerGateway";
const ALI_CREATES: &str = "alicloud.CreateCustomerGateway";

fn ali_params(token: Option<&str>) -> alicloud::Params {
    ali_params_with(token, "203.0.113.20", None)
}

fn ali_params_with(token: Option<&str>, ip: &str, name: Option<&str>) -> alicloud::Params {
    alicloud::Params::new()
        .opt("ClientToken", token)
        .set("IpAddress", ip)
        .set("Asn", 65020)
        .opt("Name", name)
}

async fn ali_create(
    served: &InProc,
    params: alicloud::Params,
) -> Result<ali::CreateCustomerGatewayResponse, ApiError> {
    served
        .ali(BUDGET)
        .call(&actions::CREATE_CUSTOMER_GATEWAY, ALI_REGION, params)
        .await
}

/// (a), (c), (e) With a `ClientToken` the create is safe to resend after any fault: sent again
/// with the same token, it is answered with the gateway the first attempt made, never a second.
#[tokio::test]
async fn ali_create_with_client_token_is_resent_and_deduplicated() {
    // (fault, seed, counter, times the create reached the operation)
    for (fault, seed, counter, reached) in [
        ("reset", 0, "faults.reset", 2),
        ("garble", 0, "faults.garble", 2),
        ("error", FIRST_ERROR_AFTER, "faults.error_after", 2),
        ("error", FIRST_ERROR_BEFORE, "faults.error_before", 1),
        ("throttle", 0, "faults.throttle", 1),
    ] {
        let served = unlimited().await;
        served.fault_once(fault, ALI_CREATE, seed).await;
        let made = ali_create(&served, ali_params(Some("token-1")))
            .await
            .unwrap_or_else(|e| panic!("{fault}: {e}"));
        assert_eq!(served.count(counter).await, 1, "{fault}");
        assert_eq!(served.count(ALI_CREATES).await, reached, "{fault}");
        let all = served.objects("alicloud", "customer_gateways").await;
        assert_eq!(all.len(), 1, "{fault}: {all:#?}");
        assert_eq!(
            all[0]["CustomerGatewayId"],
            made.customer_gateway_id.as_str()
        );
    }
}

/// Without a token a create is resent only when it certainly was not applied: after a reset
/// it is handed back as "may have applied" (the gateway it made is there), after throttling
/// it is sent again.
#[tokio::test]
async fn ali_create_without_token_is_resent_only_when_not_applied() {
    let served = unlimited().await;
    served.fault_once("reset", ALI_CREATE, 0).await;
    let err = ali_create(&served, ali_params(None)).await.unwrap_err();
    assert!(err.may_have_applied(), "{err}");
    assert!(matches!(err, ApiError::Transport { .. }), "{err:?}");
    assert_eq!(served.count(ALI_CREATES).await, 1);
    assert_eq!(
        served.objects("alicloud", "customer_gateways").await.len(),
        1
    );

    let served = unlimited().await;
    served.fault_once("throttle", ALI_CREATE, 0).await;
    ali_create(&served, ali_params(None)).await.unwrap();
    assert_eq!(served.count("faults.throttle").await, 1);
    assert_eq!(served.count(ALI_CREATES).await, 1);
    assert_eq!(
        served.objects("alicloud", "customer_gateways").await.len(),
        1
    );
}

/// (d) Refusals fail at once: an invalid parameter, and a token reused with other parameters.
#[tokio::test]
async fn ali_refusals_fail_without_retry() {
    let served = unlimited().await;
    let bad = ali_params_with(Some("token-1"), "203.0.113.300", None);
    let err = ali_create(&served, bad).await.unwrap_err();
    assert!(err.is_refusal(), "{err}");
    assert_eq!(served.count(ALI_CREATES).await, 1);

    ali_create(&served, ali_params(Some("token-2")))
        .await
        .unwrap();
    let other = ali_params_with(Some("token-2"), "203.0.113.20", Some("another"));
    let err = ali_create(&served, other).await.unwrap_err();
    assert_eq!(err.code(), Some("IdempotentParameterMismatch"), "{err}");
    assert!(err.is_refusal(), "{err}");
    assert_eq!(served.count(ALI_CREATES).await, 3);
    assert_eq!(
        served.objects("alicloud", "customer_gateways").await.len(),
        1
    );
}

/// A token is remembered for 24 hours of the cloud's time: the same create a day later makes
/// a new gateway. The sandbox clock is moved instead of waiting.
#[tokio::test]
async fn ali_client_token_is_forgotten_after_a_day() {
    let served = unlimited().await;
    let first = ali_create(&served, ali_params(Some("token-1")))
        .await
        .unwrap();
    let again = ali_create(&served, ali_params(Some("token-1")))
        .await
        .unwrap();
    assert_eq!(first.customer_gateway_id, again.customer_gateway_id);
    served
        .post("clock", json!({"advance_ms": 24 * 3600 * 1000}))
        .await;
    let later = ali_create(&served, ali_params(Some("token-1")))
        .await
        .unwrap();
    assert_ne!(first.customer_gateway_id, later.customer_gateway_id);
    assert_eq!(
        served.objects("alicloud", "customer_gateways").await.len(),
        2
    );
}

/// (f) A Describe whose connection was reset is simply sent again.
#[tokio::test]
async fn ali_read_reset_is_retried() {
    let served = unlimited().await;
    let made = ali_create(&served, ali_params(Some("token-1")))
        .await
        .unwrap();
    served
        .fault_once("reset", "DescribeCustomerGateway", 0)
        .await;
    let gw: ali::CustomerGateway = served
        .ali(BUDGET)
        .call(
            &actions::DESCRIBE_CUSTOMER_GATEWAY,
            ALI_REGION,
            alicloud::Params::new().set("CustomerGatewayId", &made.customer_gateway_id),
        )
        .await
        .unwrap();
    assert_eq!(gw.ip_address, "203.0.113.20");
    assert_eq!(served.count("faults.reset").await, 1);
    assert_eq!(served.count("alicloud.DescribeCustomerGateway").await, 2);
}
