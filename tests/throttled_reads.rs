//! Reads of a provider process against a full rate-limit window, through the real clients and an
//! in-process sandbox, counted with its request counters (`/_sandbox/requests`): the throttle
//! gate (`cloud::transport::ThrottleGate`, docs/design/reliability.md) makes the calls waiting
//! for the window cost one refusal per probe, not one per call per backoff pause, and every
//! read still succeeds.
//!
//! The sandbox's window is shortened to 5 s (`SandboxConfig::rate_limit_window`) so that its
//! `Retry-After` (whole seconds) is short enough to wait for; what is measured does not depend on
//! the window's length. The reads come from a few workers reading one after another, as
//! Terraform's parallel walk does: calls already in flight when the window fills are refused
//! whatever the client does, so the refusals are bounded by the workers, once per window.

use std::time::{Duration, Instant};

use futures_util::future::join_all;
use hybridnet::cloud::alicloud::{self, actions, types as ali};
use hybridnet::cloud::jdcloud::{self, ops, types as jd};
use hybridnet::sandbox::SandboxConfig;
use serde_json::Value;

mod inproc;
use inproc::{credentials, InProc, ALI_REGION, JD_REGION};

/// Calls admitted per window.
const LIMIT: u32 = 12;
const WINDOW: Duration = Duration::from_secs(5);
/// Reads at once, each worker one after another.
const WORKERS: usize = 4;
/// Three windows' worth.
const READS: usize = 3 * LIMIT as usize;

/// A sandbox admitting `LIMIT` calls per `WINDOW`.
async fn limited() -> InProc {
    InProc::start(SandboxConfig {
        rate_limit_per_minute: LIMIT,
        rate_limit_window: WINDOW,
        ..SandboxConfig::default()
    })
    .await
}

/// Empties the window: what setting up cost is not measured.
fn slide_window(sb: &InProc) {
    sb.state
        .clock()
        .advance(i64::try_from(WINDOW.as_millis()).unwrap());
}

/// `(admitted reads, refused calls)` since `before`.
async fn counted(sb: &InProc, before: &Value, operation: &str) -> (i64, i64) {
    let now = sb.requests().await;
    (
        inproc::delta(before, &now, operation),
        inproc::delta(before, &now, "rate_limit.rejected"),
    )
}

/// Runs `READS` reads from `WORKERS` workers, each read a fresh `read()`; answers how long it
/// took.
async fn workers<F, Fut>(read: F) -> Duration
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let started = Instant::now();
    join_all((0..WORKERS).map(|_| async {
        for _ in 0..READS / WORKERS {
            read().await;
        }
    }))
    .await;
    started.elapsed()
}

/// What both clouds must show: every read admitted once; at most half a refusal per admitted
/// call, and at most one per worker and one probe each time the window filled (the calls in
/// flight then are refused whatever the client does); the limit actually reached; the windows
/// waited out, not overslept. The old policy, every waiting read polling on its own backoff,
/// was refused 22 times here (0.61 per admitted call) and took 18–20 s.
fn assert_no_retry_storm(cloud: &str, (admitted, refused): (i64, i64), took: Duration) {
    eprintln!("{cloud}: {admitted} reads admitted, {refused} refused, in {took:?}");
    assert_eq!(admitted, READS as i64, "{cloud}");
    assert!(
        refused > 0,
        "{cloud}: the limit was never reached: nothing was tested"
    );
    assert!(
        refused as f64 <= 0.5 * admitted as f64,
        "{cloud}: {refused} refusals for {admitted} admitted calls"
    );
    // Three windows' worth of calls fill the window twice.
    let fills = 2;
    assert!(
        refused <= fills * (WORKERS as i64 + 1),
        "{cloud}: {refused} refusals for {fills} full windows of {WORKERS} workers"
    );
    assert!(
        took >= fills as u32 * WINDOW - Duration::from_millis(100),
        "{cloud}: {took:?}"
    );
    assert!(
        took < fills as u32 * WINDOW + Duration::from_secs(4),
        "{cloud}: {took:?}"
    );
}

#[tokio::test]
async fn jd_reads_wait_for_a_full_window_without_a_retry_storm() {
    let sb = limited().await;
    let client = jdcloud::Client::new(&sb.url, JD_REGION, credentials()).unwrap();
    let spec = jd::CustomerGatewaySpec {
        customer_gateway_name: "idc".into(),
        customer_ips: vec!["203.0.113.10".into()],
        bgp_asn: 65010,
        description: None,
    };
    let id = client
        .until(Instant::now() + Duration::from_secs(10))
        .create(&ops::CUSTOMER_GATEWAY, JD_REGION, &[], &spec)
        .await
        .unwrap();
    slide_window(&sb);
    let before = sb.requests().await;
    let took = workers(|| async {
        // Each operation's copy of the one client, as each resource gets.
        let gw: jd::CustomerGateway = client
            .until(Instant::now() + Duration::from_secs(30))
            .describe(&ops::CUSTOMER_GATEWAY, JD_REGION, &[&id])
            .await
            .unwrap();
        assert_eq!(gw.customer_gateway_id, id);
    })
    .await;
    let counts = counted(&sb, &before, "jdcloud.describeCustomerGateway").await;
    assert_no_retry_storm("JD Cloud", counts, took);
}

#[tokio::test]
async fn alicloud_reads_wait_for_a_full_window_without_a_retry_storm() {
    let sb = limited().await;
    let client = alicloud::Client::new(Some(&sb.url), ALI_REGION, credentials()).unwrap();
    let made: ali::CreateCustomerGatewayResponse = client
        .until(Instant::now() + Duration::from_secs(10))
        .call(
            &actions::CREATE_CUSTOMER_GATEWAY,
            ALI_REGION,
            alicloud::Params::new().set("IpAddress", "198.51.100.7"),
        )
        .await
        .unwrap();
    let id = made.customer_gateway_id;
    slide_window(&sb);
    let before = sb.requests().await;
    let took = workers(|| async {
        let gw: Value = client
            .until(Instant::now() + Duration::from_secs(30))
            .call(
                &actions::DESCRIBE_CUSTOMER_GATEWAY,
                ALI_REGION,
                alicloud::Params::new().set("CustomerGatewayId", &id),
            )
            .await
            .unwrap();
        assert_eq!(gw["CustomerGatewayId"], id.as_str());
    })
    .await;
    let counts = counted(&sb, &before, "alicloud.DescribeCustomerGateway").await;
    assert_no_retry_storm("Alibaba Cloud", counts, took);
}
