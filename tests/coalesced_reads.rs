//! The clients' coalesced reads (`cloud::coalesce`) against an in-process sandbox, counted with
//! its request counters (`/_sandbox/requests`): concurrent reads of one kind become pages of
//! the kind's list, a lone read is the one describe it always was, a read later in the same
//! burst costs nothing (so does the whole list, once pages covered it), a write through any copy
//! of the client drops what was read, and an object no listing shows is asked for by itself
//! before it counts as gone.

use std::time::{Duration, Instant};

use futures_util::future::join_all;
use hybridnet::cloud::alicloud::{self, actions, types as ali};
use hybridnet::cloud::jdcloud::{self, ops, types as jd};
use hybridnet::cloud::ApiError;
use hybridnet::resources::alicloud::customer_gateway;
use hybridnet::sandbox::SandboxConfig;
use serde_json::Value;

mod inproc;
use inproc::{InProc, ALI_REGION, JD_REGION};

const BUDGET: Duration = Duration::from_secs(20);

/// A sandbox without rate limit or quotas (some tests make 150 of a kind).
async fn served() -> InProc {
    InProc::start(SandboxConfig {
        rate_limit_per_minute: 0,
        quotas: false,
        ..SandboxConfig::default()
    })
    .await
}

/// One gateway read as the resource's refresh reads it.
async fn ali_read(client: &alicloud::Client, id: &str) -> Result<ali::CustomerGateway, ApiError> {
    customer_gateway::read_gateway(client, ALI_REGION, id).await
}

const ALI_ONE: &str = "alicloud.DescribeCustomerGateway";
const ALI_LIST: &str = "alicloud.DescribeCustomerGateways";

#[tokio::test]
async fn ali_concurrent_reads_are_pages_of_the_list_until_a_write() {
    let served = served().await;
    let client = served.ali(BUDGET);
    let mut ids = Vec::new();
    for i in 1..=60 {
        let made: ali::CreateCustomerGatewayResponse = client
            .call(
                &actions::CREATE_CUSTOMER_GATEWAY,
                ALI_REGION,
                alicloud::Params::new()
                    .set("IpAddress", format!("198.51.100.{i}"))
                    .set("Name", format!("gw{i}")),
            )
            .await
            .unwrap();
        ids.push(made.customer_gateway_id);
    }

    // 60 reads at once (the creates were writes, so nothing is kept from before them):
    // ceil(60 / 50) pages of the list, no describe.
    let before = served.requests().await;
    let got = join_all(ids.iter().map(|id| ali_read(&client, id))).await;
    for (id, gw) in ids.iter().zip(&got) {
        assert_eq!(&gw.as_ref().unwrap().customer_gateway_id, id);
    }
    assert_eq!(served.since(&before, ALI_LIST).await, 2);
    assert_eq!(served.since(&before, ALI_ONE).await, 0);

    // Later in the same burst, a read is answered from what was listed.
    let before = served.requests().await;
    assert_eq!(
        ali_read(&client, &ids[7]).await.unwrap().name.as_deref(),
        Some("gw8")
    );
    assert_eq!(served.since(&before, ALI_LIST).await, 0);
    assert_eq!(served.since(&before, ALI_ONE).await, 0);

    // A write through another copy of the client drops it: the read asks (alone: one
    // describe) and sees the change.
    client
        .until(Instant::now() + BUDGET)
        .call::<Value>(
            &actions::MODIFY_CUSTOMER_GATEWAY_ATTRIBUTE,
            ALI_REGION,
            alicloud::Params::new()
                .set("CustomerGatewayId", &ids[7])
                .set("Name", "renamed"),
        )
        .await
        .unwrap();
    let before = served.requests().await;
    assert_eq!(
        ali_read(&client, &ids[7]).await.unwrap().name.as_deref(),
        Some("renamed")
    );
    assert_eq!(served.since(&before, ALI_ONE).await, 1);
    assert_eq!(served.since(&before, ALI_LIST).await, 0);

    // So does a read outside the coalesced ones (a wait's poll): the next read is not older.
    client
        .call::<Value>(
            &actions::DESCRIBE_CUSTOMER_GATEWAY,
            ALI_REGION,
            alicloud::Params::new().set("CustomerGatewayId", &ids[7]),
        )
        .await
        .unwrap();
    let before = served.requests().await;
    ali_read(&client, &ids[7]).await.unwrap();
    assert_eq!(served.since(&before, ALI_ONE).await, 1);
}

#[tokio::test]
async fn ali_lone_read_is_one_describe_and_a_missing_gateway_is_not_found() {
    let served = served().await;
    let made: ali::CreateCustomerGatewayResponse = served
        .ali(BUDGET)
        .call(
            &actions::CREATE_CUSTOMER_GATEWAY,
            ALI_REGION,
            alicloud::Params::new().set("IpAddress", "198.51.100.200"),
        )
        .await
        .unwrap();
    let before = served.requests().await;
    let gw = ali_read(&served.ali(BUDGET), &made.customer_gateway_id)
        .await
        .unwrap();
    assert_eq!(gw.ip_address, "198.51.100.200");
    assert_eq!(served.since(&before, ALI_ONE).await, 1);
    assert_eq!(served.since(&before, ALI_LIST).await, 0);

    // Read together with a gateway that does not exist: one page lists the one that does,
    // and the other is asked for by itself before it counts as gone.
    let client = served.ali(BUDGET);
    let before = served.requests().await;
    let (there, gone) = tokio::join!(
        ali_read(&client, &made.customer_gateway_id),
        ali_read(&client, "cgw-doesnotexist0000000"),
    );
    assert!(there.is_ok(), "{there:?}");
    let gone = gone.unwrap_err();
    assert!(gone.is_not_found(), "{gone:?}");
    assert_eq!(served.since(&before, ALI_LIST).await, 1);
    assert_eq!(served.since(&before, ALI_ONE).await, 1);
}

fn jd_spec(name: &str) -> jd::CustomerGatewaySpec {
    jd::CustomerGatewaySpec {
        customer_gateway_name: name.into(),
        customer_ips: vec!["203.0.113.10".into()],
        bgp_asn: 65010,
        description: None,
    }
}

const JD_ONE: &str = "jdcloud.describeCustomerGateway";
const JD_LIST: &str = "jdcloud.describeCustomerGateways";

/// Creates one JD customer gateway per name; their ids, in order.
async fn jd_gateways(served: &InProc, names: impl IntoIterator<Item = String>) -> Vec<String> {
    let client = served.jd(BUDGET);
    let mut ids = Vec::new();
    for name in names {
        ids.push(
            client
                .create(&ops::CUSTOMER_GATEWAY, JD_REGION, &[], &jd_spec(&name))
                .await
                .unwrap(),
        );
    }
    ids
}

/// Reads the gateways `ids` at once through one client (one provider process's refresh).
async fn jd_read_all(client: &jdcloud::Client, ids: &[&str]) -> Vec<Result<Value, ApiError>> {
    join_all(ids.iter().map(|id| async move {
        client
            .read_one(&ops::CUSTOMER_GATEWAY, JD_REGION, &[*id])
            .await
    }))
    .await
}

fn abc() -> impl Iterator<Item = String> {
    ["a", "b", "c"].into_iter().map(String::from)
}

#[tokio::test]
async fn jd_concurrent_reads_share_a_page_and_a_missing_gateway_is_asked_for_itself() {
    let served = served().await;
    let ids = jd_gateways(&served, abc()).await;
    let client = served.jd(BUDGET);
    let before = served.requests().await;
    let mut wanted: Vec<&str> = ids.iter().map(String::as_str).collect();
    wanted.push("cgw-missing0");
    let got = jd_read_all(&client, &wanted).await;
    for (id, v) in ids.iter().zip(&got) {
        assert_eq!(v.as_ref().unwrap()["customerGatewayId"], id.as_str());
    }
    let missing = got[3].as_ref().unwrap_err();
    assert!(missing.is_not_found(), "{missing:?}");
    assert_eq!(served.since(&before, JD_LIST).await, 1);
    assert_eq!(served.since(&before, JD_ONE).await, 1);

    // Alone, in a new process: the describe it always was.
    let before = served.requests().await;
    served
        .jd(BUDGET)
        .read_one(&ops::CUSTOMER_GATEWAY, JD_REGION, &[&ids[0]])
        .await
        .unwrap();
    assert_eq!(served.since(&before, JD_ONE).await, 1);
    assert_eq!(served.since(&before, JD_LIST).await, 0);
}

#[tokio::test]
async fn jd_whole_list_is_free_after_reads_that_listed_it_and_dropped_by_a_write() {
    let served = served().await;
    let ids = jd_gateways(&served, abc()).await;
    // Three reads at once list the one page, which is the whole list: a data source's
    // `list_every` right after costs nothing.
    let client = served.jd(BUDGET);
    let before = served.requests().await;
    let wanted: Vec<&str> = ids.iter().map(String::as_str).collect();
    jd_read_all(&client, &wanted).await;
    let all: Vec<jd::CustomerGateway> = client
        .list_every(&ops::CUSTOMER_GATEWAY, JD_REGION, &[])
        .await
        .unwrap();
    assert_eq!(all.len(), 3);
    assert_eq!(served.since(&before, JD_LIST).await, 1);
    assert_eq!(served.since(&before, JD_ONE).await, 0);

    // A write drops it: the next whole list is listed again and shows the change.
    client
        .delete(&ops::CUSTOMER_GATEWAY, JD_REGION, &[&ids[0]])
        .await
        .unwrap();
    let before = served.requests().await;
    let all: Vec<jd::CustomerGateway> = client
        .list_every(&ops::CUSTOMER_GATEWAY, JD_REGION, &[])
        .await
        .unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(served.since(&before, JD_LIST).await, 1);
}

#[tokio::test]
async fn jd_whole_list_lists_only_the_pages_the_burst_has_not_seen() {
    let served = served().await;
    // 150 gateways: two pages of 100. Two reads at once on the first page list only that
    // page (their objects are there); the whole list right after lists only the second.
    let ids = jd_gateways(&served, (0..150).map(|i| format!("g{i}"))).await;
    let client = served.jd(BUDGET);
    let before = served.requests().await;
    jd_read_all(&client, &[&ids[0], &ids[1]]).await;
    assert_eq!(served.since(&before, JD_LIST).await, 1);
    let all: Vec<jd::CustomerGateway> = client
        .list_every(&ops::CUSTOMER_GATEWAY, JD_REGION, &[])
        .await
        .unwrap();
    assert_eq!(all.len(), 150);
    let mut listed: Vec<&str> = all.iter().map(|g| g.customer_gateway_id.as_str()).collect();
    listed.sort_unstable();
    listed.dedup();
    assert_eq!(listed.len(), 150, "every gateway once");
    assert_eq!(served.since(&before, JD_LIST).await, 2);
    assert_eq!(served.since(&before, JD_ONE).await, 0);
}
