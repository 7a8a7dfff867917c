//! The middle layer without Terraform: the JD Cloud client and `ownership::jd_create` against an
//! in-process sandbox that drops, garbles and fails answers. Identical creates running at once
//! must each end with an object of their own (kinds that allow twins) or exactly one object and
//! clear refusals for the rest (unique keys): never one object claimed twice, never an orphan.

use std::sync::Arc;
use std::time::{Duration, Instant};

use hybridnet::clients::Claims;
use hybridnet::cloud::jdcloud::{ops, types, Client};
use hybridnet::framework::NotCreated;
use hybridnet::resources::ownership::{jd_create, Identity, Target};
use hybridnet::sandbox::{self, FaultPlan, SandboxConfig, SandboxState};
use hybridnet::signer::Credentials;
use serde_json::{json, Value};

const REGION: &str = "cn-north-1";

/// A sandbox on a free port, meeting `faults`; stopped when dropped.
async fn serve(faults: Value) -> sandbox::Running {
    let state = SandboxState::open(SandboxConfig {
        faults: Some(FaultPlan::from_json(faults).unwrap()),
        rate_limit_per_minute: 0,
        ..SandboxConfig::default()
    })
    .unwrap();
    sandbox::Running::start(state).await.unwrap()
}

fn client(url: &str, budget: Duration) -> Client {
    Client::new(
        url,
        REGION,
        Credentials::new(sandbox::DEFAULT_ACCESS_KEY, sandbox::DEFAULT_SECRET_KEY),
    )
    .unwrap()
    .until(Instant::now() + budget)
}

async fn sandbox_state(url: &str) -> Value {
    reqwest::get(format!("{url}/_sandbox/state"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

async fn set_faults(url: &str, faults: Value) {
    let status = reqwest::Client::new()
        .post(format!("{url}/_sandbox/faults"))
        .json(&faults)
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 200);
}

/// A customer gateway's name, ASN and addresses, as the resource names it.
fn twin_gateway(spec: &types::CustomerGatewaySpec) -> Identity<types::CustomerGateway> {
    let (name, asn, ips) = (
        spec.customer_gateway_name.clone(),
        spec.bgp_asn,
        spec.customer_ips.clone(),
    );
    Identity::named(
        format!("name {name:?}"),
        move |o: &types::CustomerGateway| {
            o.customer_gateway_name == name && o.bgp_asn == asn && o.customer_ips == ips
        },
    )
}

fn faults(seed: u64) -> Value {
    json!({"error_rate": 0.2, "reset_rate": 0.15, "garble_rate": 0.15, "seed": seed})
}

/// Eight identical customer gateways at once, under faults: eight gateways, each resource with
/// its own, every description restored (no marker left behind).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identical_named_creates_get_one_object_each() {
    for seed in [200u64, 201, 202] {
        let served = serve(faults(seed)).await;
        let claims = Arc::new(Claims::default());
        let spec = types::CustomerGatewaySpec {
            customer_gateway_name: "twin".into(),
            customer_ips: vec!["203.0.113.10".into()],
            bgp_asn: 65010,
            description: Some("site A".into()),
        };
        let mut tasks = Vec::new();
        for _ in 0..8 {
            let (claims, spec, url) = (claims.clone(), spec.clone(), served.url.clone());
            tasks.push(tokio::spawn(async move {
                let c = client(&url, Duration::from_secs(60));
                let identity = twin_gateway(&spec);
                let target = Target::new(
                    "hybridnet_jdcloud_customer_gateway",
                    "JD Cloud customer gateway",
                    REGION,
                    &[],
                );
                jd_create(
                    &c,
                    &claims,
                    &ops::CUSTOMER_GATEWAY,
                    &target,
                    &identity,
                    &spec,
                    spec.description.as_deref(),
                )
                .await
            }));
        }
        let mut ids = Vec::new();
        for t in tasks {
            match t.await.unwrap() {
                Ok(at) => ids.push(at.id().to_string()),
                Err(e) => panic!("seed {seed}: {e:?}"),
            }
        }
        set_faults(&served.url, json!({})).await;
        let objects = sandbox_state(&served.url).await["jdcloud"]["customer_gateways"].clone();
        let objects = objects.as_array().unwrap();
        let mut in_cloud: Vec<String> = objects
            .iter()
            .map(|o| o["customerGatewayId"].as_str().unwrap().to_string())
            .collect();
        ids.sort();
        in_cloud.sort();
        let mut distinct = ids.clone();
        distinct.dedup();
        assert_eq!(
            distinct.len(),
            8,
            "seed {seed}: an object was claimed twice: {ids:?}"
        );
        assert_eq!(ids, in_cloud, "seed {seed}: orphans or missing objects");
        for o in objects {
            assert_eq!(o["description"], "site A", "seed {seed}: {o}");
        }
    }
}

/// Eight identical VPC attachments (one per VPC and border gateway is allowed) at once, under
/// faults: exactly one is created and claimed, the seven others are refused as taken by a
/// sibling, and nothing else is left in the cloud.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identical_unique_key_creates_make_one_and_refuse_the_rest() {
    for seed in [210u64, 211, 212] {
        let served = serve(json!({})).await;
        let setup = client(&served.url, Duration::from_secs(30));
        let bgw = setup
            .create(
                &ops::BORDER_GATEWAY,
                REGION,
                &[],
                &types::BgwSpec {
                    bgw_name: "main".into(),
                    description: None,
                    az_type: None,
                    az: None,
                },
            )
            .await
            .unwrap();
        set_faults(&served.url, faults(seed)).await;
        let claims = Arc::new(Claims::default());
        let spec = types::VpcAttachmentSpec {
            vpc_attachment_name: "app".into(),
            vpc_id: "vpc-app00001".into(),
            propagate_type: "all".into(),
            bgw_id: bgw.clone(),
            subnet_ids: None,
        };
        let mut tasks = Vec::new();
        for _ in 0..8 {
            let (claims, spec, url) = (claims.clone(), spec.clone(), served.url.clone());
            tasks.push(tokio::spawn(async move {
                let c = client(&url, Duration::from_secs(60));
                let (bgw, vpc) = (spec.bgw_id.clone(), spec.vpc_id.clone());
                let identity = Identity::unique_key(
                    format!("border gateway {bgw} and VPC {vpc}"),
                    move |o: &types::VpcAttachment| o.bgw_id == bgw && o.vpc_id == vpc,
                );
                let target = Target::new(
                    "hybridnet_jdcloud_vpc_attachment",
                    "JD Cloud VPC attachment",
                    REGION,
                    &[],
                );
                jd_create(
                    &c,
                    &claims,
                    &ops::VPC_ATTACHMENT,
                    &target,
                    &identity,
                    &spec,
                    None,
                )
                .await
            }));
        }
        let (mut made, mut refused) = (Vec::new(), Vec::new());
        for t in tasks {
            match t.await.unwrap() {
                Ok(at) => made.push(at.id().to_string()),
                Err(NotCreated::Nothing(d)) => refused.push(d.to_string()),
                Err(other) => panic!("seed {seed}: {other:?}"),
            }
        }
        assert_eq!(made.len(), 1, "seed {seed}: {made:?} {refused:#?}");
        for r in &refused {
            assert!(
                r.contains("these settings are taken") && r.contains(&made[0]),
                "seed {seed}: {r}"
            );
        }
        set_faults(&served.url, json!({})).await;
        let objects = sandbox_state(&served.url).await["jdcloud"]["vpc_attachments"].clone();
        let ids: Vec<&str> = objects
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["vpcAttachmentId"].as_str().unwrap())
            .collect();
        assert_eq!(ids, vec![made[0].as_str()], "seed {seed}");
    }
}

/// An object this process did not make, with our identity, is reported with the import that
/// adopts it, and only to one of several identical resources; the others create their own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_leftover_is_reported_once_never_adopted() {
    let served = serve(json!({})).await;
    let c = client(&served.url, Duration::from_secs(30));
    let spec = types::CustomerGatewaySpec {
        customer_gateway_name: "idc".into(),
        customer_ips: vec!["203.0.113.10".into()],
        bgp_asn: 65010,
        description: None,
    };
    let leftover = c
        .create(&ops::CUSTOMER_GATEWAY, REGION, &[], &spec)
        .await
        .unwrap();
    let claims = Claims::default();
    let identity = twin_gateway(&spec);
    let target = Target::new(
        "hybridnet_jdcloud_customer_gateway",
        "JD Cloud customer gateway",
        REGION,
        &[],
    );
    let first = jd_create(
        &c,
        &claims,
        &ops::CUSTOMER_GATEWAY,
        &target,
        &identity,
        &spec,
        None,
    )
    .await;
    let Err(NotCreated::Nothing(d)) = first else {
        panic!("the leftover was not reported: {first:?}")
    };
    let text = d.to_string();
    assert!(
        text.contains(&format!(
            "terraform import 'hybridnet_jdcloud_customer_gateway.NAME' cn-north-1/{leftover}"
        )),
        "{text}"
    );
    assert!(!text.contains("HTTP"), "no server sent a status: {text}");
    // The sibling does not get the same report: it creates its own gateway.
    let second = jd_create(
        &c,
        &claims,
        &ops::CUSTOMER_GATEWAY,
        &target,
        &identity,
        &spec,
        None,
    )
    .await
    .unwrap();
    assert_ne!(second.id(), leftover);
}
