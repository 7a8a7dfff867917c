//! Deadlines are deadlines: every operation ends within its `timeouts` (plus a small margin),
//! retrying what may pass (throttling, outages, refused connections) until then and no longer.
//!
//! - an endpoint that accepts connections and never answers: `create = "20s"` fails in ≤ 25 s,
//!   naming the host and the time;
//! - nothing listening: connection refused is retried until the deadline, then named;
//! - a sandbox limited to 120 calls a minute: 100 creates with default timeouts converge;
//! - a 90 s sandbox outage in the middle of an apply converges, nothing tainted.
//!
//! The slow scenarios mostly wait, so they run side by side in threads.

mod common;

use std::io::Read;
use std::net::TcpListener;
use std::path::Path;
use std::thread;
use std::time::{Duration, Instant};

use common::{provider_preamble, terraform_bins, Sandbox, TfWorkdir};

const ALI_AND_JD_GATEWAYS: &str = r#"
resource "hybridnet_jdcloud_customer_gateway" "idc" {
  name         = "idc"
  customer_ips = ["203.0.113.10"]
  bgp_asn      = 65010
  timeouts {
    create = "TIMEOUT"
  }
}
resource "hybridnet_alicloud_customer_gateway" "idc" {
  ip_address = "203.0.113.20"
  asn        = 65020
  timeouts {
    create = "TIMEOUT"
  }
}
"#;

fn gateways(timeout: &str) -> String {
    format!(
        "{}{}",
        provider_preamble(),
        ALI_AND_JD_GATEWAYS.replace("TIMEOUT", timeout)
    )
}

/// A working directory whose provider talks to `endpoint` for both clouds.
fn pointed_at(tf: &Path, sb: &Sandbox, endpoint: &str, main: &str) -> TfWorkdir {
    let mut wd = TfWorkdir::new(tf, sb, main);
    wd.env("HYBRIDNET_JDCLOUD_ENDPOINT", endpoint)
        .env("HYBRIDNET_ALICLOUD_ENDPOINT", endpoint);
    wd
}

/// Accepts connections and reads what they send, never answering.
fn silent_endpoint() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            thread::spawn(move || {
                let mut stream = stream;
                let mut buf = [0u8; 4096];
                while matches!(stream.read(&mut buf), Ok(n) if n > 0) {}
            });
        }
    });
    format!("http://{addr}")
}

fn silent_endpoint_fails_within_its_timeout(tf: &Path) {
    let sb = Sandbox::start();
    let endpoint = silent_endpoint();
    let wd = pointed_at(tf, &sb, &endpoint, &gateways("20s"));
    let started = Instant::now();
    let out = wd.apply_err();
    let took = started.elapsed();
    // The provider gives up at 20 s; the rest is Terraform starting, planning and reporting,
    // which on a loaded 2-core machine has taken up to ~8 s.
    assert!(took <= Duration::from_secs(30), "took {took:?}:\n{out}");
    let text = out.combined().replace('\n', " ");
    let host = endpoint.trim_start_matches("http://");
    for needle in ["timed out after 20", &format!("no answer from {host}")] {
        assert!(
            text.matches(needle).count() >= 2,
            "both clouds should say {needle:?}:\n{out}"
        );
    }
}

fn refused_connections_are_retried_until_the_deadline(tf: &Path) {
    let sb = Sandbox::start();
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let wd = pointed_at(
        tf,
        &sb,
        &format!("http://127.0.0.1:{port}"),
        &gateways("6s"),
    );
    let started = Instant::now();
    let out = wd.apply_err();
    let took = started.elapsed();
    assert!(
        took >= Duration::from_secs(5) && took <= Duration::from_secs(11),
        "took {took:?}:\n{out}"
    );
    let text = out.combined().replace('\n', " ");
    assert!(
        text.contains(&format!("connection refused by 127.0.0.1:{port}"))
            && text.contains("timed out after 6"),
        "{out}"
    );
}

/// `count = 100` Alibaba customer gateways against 120 calls a minute, default timeouts.
fn rate_limited_creates_converge(tf: &Path) {
    let sb = Sandbox::start_with_args(&["--rate-limit", "120"]);
    let main = format!(
        "{}{}",
        provider_preamble(),
        r#"
resource "hybridnet_alicloud_customer_gateway" "many" {
  count      = 100
  ip_address = "203.0.113.${count.index + 1}"
  asn        = 65000 + count.index + 1
}
"#
    );
    let wd = TfWorkdir::new(tf, &sb, &main);
    let started = Instant::now();
    wd.apply();
    eprintln!(
        "{}: 100 creates at 120 calls a minute took {:?}; throttled calls: {}",
        wd.terraform_version(),
        started.elapsed(),
        throttled(&sb)
    );
    assert_eq!(
        sb.state()["alicloud"]["customer_gateways"]
            .as_array()
            .map(Vec::len),
        Some(100)
    );
    assert!(
        throttled(&sb) > 0,
        "the limit was never hit: nothing was tested"
    );
    assert_nothing_tainted(&wd);
}

fn throttled(sb: &Sandbox) -> i64 {
    sb.requests()["rate_limit.rejected"]
        .as_i64()
        .unwrap_or_default()
}

fn assert_nothing_tainted(wd: &TfWorkdir) {
    let state = wd.state_json();
    for r in state["resources"].as_array().into_iter().flatten() {
        for i in r["instances"].as_array().into_iter().flatten() {
            assert_ne!(
                i["status"], "tainted",
                "{}.{} is tainted",
                r["type"], r["name"]
            );
        }
    }
}

/// The cross-cloud example; the sandbox goes away for 90 s once the apply has begun creating.
fn outage_inside_the_timeout_converges(tf: &Path) {
    let mut sb = Sandbox::start_with_args(&["--provisioning-ms", "2000"]);
    let main = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/jdcloud-alicloud-vpn/main.tf"),
    )
    .unwrap();
    let wd = TfWorkdir::new(tf, &sb, &main);
    let mut apply = wd.spawn(
        "apply",
        &["apply", "-auto-approve", "-input=false", "-no-color"],
    );
    let started = Instant::now();
    while sb.jd_resources("bgws").is_empty() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "nothing was created:\n{}",
            wd.output_of("apply")
        );
        thread::sleep(Duration::from_millis(100));
    }
    sb.kill();
    thread::sleep(Duration::from_secs(90));
    sb.restart();
    let status = apply.wait().unwrap();
    let out = wd.output_of("apply");
    assert!(
        status.success(),
        "apply across a 90 s outage failed:\n{out}"
    );
    eprintln!(
        "{}: apply across a 90 s outage took {:?}",
        wd.terraform_version(),
        started.elapsed()
    );
    assert_nothing_tainted(&wd);
    assert_eq!(wd.plan_detailed(), 0, "the re-plan is not empty");
}

#[test]
fn deadlines_are_kept_and_outages_waited_out() {
    thread::scope(|s| {
        let mut slow = Vec::new();
        for tf in terraform_bins() {
            let tf2 = tf.clone();
            slow.push(s.spawn(move || rate_limited_creates_converge(&tf2)));
            let tf3 = tf.clone();
            slow.push(s.spawn(move || outage_inside_the_timeout_converges(&tf3)));
        }
        for tf in terraform_bins() {
            silent_endpoint_fails_within_its_timeout(&tf);
            refused_connections_are_retried_until_the_deadline(&tf);
        }
        for h in slow {
            if let Err(panic) = h.join() {
                std::panic::resume_unwind(panic);
            }
        }
    });
}
