//! An in-process sandbox for the middle-layer tests (the cloud clients without Terraform):
//! served on a free port of 127.0.0.1 and stopped when dropped, with the clients a provider
//! process would make and the sandbox's admin endpoints (`/_sandbox/…`).
#![allow(dead_code)] // each test file uses its own part

use std::time::{Duration, Instant};

use hybridnet::cloud::{alicloud, jdcloud};
use hybridnet::sandbox::{self, SandboxConfig, SandboxState};
use hybridnet::signer::Credentials;
use serde_json::Value;

pub const JD_REGION: &str = "cn-north-1";
pub const ALI_REGION: &str = "cn-hangzhou";

pub struct InProc {
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    /// The served state (its clock can be advanced directly).
    pub state: SandboxState,
    http: reqwest::Client,
    _sandbox: sandbox::Running,
}

impl InProc {
    pub async fn start(config: SandboxConfig) -> InProc {
        let state = SandboxState::open(config).unwrap();
        let running = sandbox::Running::start(state.clone()).await.unwrap();
        InProc {
            url: running.url.clone(),
            state,
            http: reqwest::Client::new(),
            _sandbox: running,
        }
    }

    pub async fn get(&self, route: &str) -> Value {
        self.http
            .get(format!("{}/_sandbox/{route}", self.url))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    pub async fn post(&self, route: &str, body: Value) -> Value {
        let r = self
            .http
            .post(format!("{}/_sandbox/{route}", self.url))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "POST /_sandbox/{route}");
        r.json().await.unwrap()
    }

    /// The request counters (`/_sandbox/requests`).
    pub async fn requests(&self) -> Value {
        self.get("requests").await
    }

    /// How many times `counter` was counted since `before` (a `requests()` answer).
    pub async fn since(&self, before: &Value, counter: &str) -> i64 {
        delta(before, &self.requests().await, counter)
    }

    /// A fresh JD Cloud client (what a new provider process has) whose calls end within `budget`.
    pub fn jd(&self, budget: Duration) -> jdcloud::Client {
        jdcloud::Client::new(&self.url, JD_REGION, credentials())
            .unwrap()
            .until(Instant::now() + budget)
    }

    /// A fresh Alibaba Cloud client whose calls end within `budget`.
    pub fn ali(&self, budget: Duration) -> alicloud::Client {
        alicloud::Client::new(Some(&self.url), ALI_REGION, credentials())
            .unwrap()
            .until(Instant::now() + budget)
    }
}

/// How many times `counter` was counted between two `requests()` answers.
pub fn delta(before: &Value, now: &Value, counter: &str) -> i64 {
    now[counter].as_i64().unwrap_or(0) - before[counter].as_i64().unwrap_or(0)
}

pub fn credentials() -> Credentials {
    Credentials::new(sandbox::DEFAULT_ACCESS_KEY, sandbox::DEFAULT_SECRET_KEY)
}
