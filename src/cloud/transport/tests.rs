use super::throttle::{MAX_RETRY_AFTER, OPEN_AFTER};
use super::*;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

fn unavailable() -> ApiError {
    ApiError::Api {
        http_status: 503,
        code: "ServiceUnavailable".into(),
        message: String::new(),
        request_id: String::new(),
        retry_after: None,
    }
}

/// A gate of its own: nothing else throttles it.
fn open() -> ThrottleGate {
    ThrottleGate::default()
}

/// Short pauses, so that a deadline of seconds allows many attempts.
fn quick() -> impl Iterator<Item = Duration> {
    std::iter::repeat(Duration::from_millis(10))
}

#[tokio::test]
async fn retries_until_the_deadline_not_a_count() {
    let n = AtomicU32::new(0);
    let start = Instant::now();
    let deadline = start + Duration::from_secs(2);
    let err = retry_with_pauses::<(), _, _>(Idempotency::Safe, deadline, &open(), quick(), |_| {
        n.fetch_add(1, Ordering::SeqCst);
        async { Err(unavailable()) }
    })
    .await
    .unwrap_err();
    let took = start.elapsed();
    assert!(took <= Duration::from_millis(2100), "{took:?}");
    assert!(took >= Duration::from_millis(1800), "{took:?}");
    // The old policy stopped after 10 attempts whatever the timeout.
    let attempts = n.load(Ordering::SeqCst);
    assert!(attempts > 50, "{attempts}");
    assert!(matches!(err, ApiError::Timeout { .. }), "{err}");
    assert!(err.to_string().contains("ServiceUnavailable"), "{err}");
}

#[tokio::test]
async fn each_request_gets_at_most_what_is_left() {
    let start = Instant::now();
    let budget = Duration::from_secs(2);
    let mut seen = Vec::new();
    let _ =
        retry_with_pauses::<(), _, _>(Idempotency::Safe, start + budget, &open(), quick(), |t| {
            seen.push(t);
            async move {
                tokio::time::sleep(t).await;
                Err(ApiError::Transport {
                    operation: "op".into(),
                    failure: Transport::TimedOut {
                        host: "h".into(),
                        after: t,
                        sent: true,
                    },
                })
            }
        })
        .await;
    assert!(seen[0] <= budget && seen[0] > budget - Duration::from_millis(100));
    assert!(seen.iter().all(|t| *t <= budget));
    let took = start.elapsed();
    assert!(took <= budget + Duration::from_millis(200), "{took:?}");
}

#[tokio::test]
async fn permanent_errors_fail_at_once() {
    let n = AtomicU32::new(0);
    let start = Instant::now();
    let err = with_retry::<(), _, _>(
        Idempotency::Safe,
        start + Duration::from_secs(300),
        &open(),
        |_| {
            n.fetch_add(1, Ordering::SeqCst);
            async {
                Err(ApiError::Transport {
                    operation: "op".into(),
                    failure: Transport::Tls {
                        host: "h".into(),
                        detail: "invalid peer certificate: UnknownIssuer".into(),
                    },
                })
            }
        },
    )
    .await
    .unwrap_err();
    assert_eq!(n.load(Ordering::SeqCst), 1);
    assert!(err.to_string().contains("UnknownIssuer"), "{err}");
}

#[tokio::test]
async fn unsafe_calls_are_resent_only_when_not_applied() {
    let n = AtomicU32::new(0);
    let deadline = Instant::now() + Duration::from_secs(60);
    // Refused: never reached the server, so a create may be resent.
    let r = retry_with_pauses(Idempotency::Unsafe, deadline, &open(), quick(), |_| {
        let k = n.fetch_add(1, Ordering::SeqCst);
        async move {
            if k < 3 {
                Err(ApiError::Transport {
                    operation: "op".into(),
                    failure: Transport::Refused { host: "h".into() },
                })
            } else {
                Ok(k)
            }
        }
    })
    .await;
    assert_eq!(r.unwrap(), 3);
    // A 503 may have been applied: handed back to the caller at once.
    let n = AtomicU32::new(0);
    let err = with_retry::<(), _, _>(Idempotency::Unsafe, deadline, &open(), |_| {
        n.fetch_add(1, Ordering::SeqCst);
        async { Err(unavailable()) }
    })
    .await
    .unwrap_err();
    assert_eq!(n.load(Ordering::SeqCst), 1);
    assert!(err.may_have_applied());
}

/// Which failures are sent again, by whether the call may be repeated: a call that fails
/// once with `err`, then succeeds, is made twice when it is retried, once otherwise.
#[tokio::test]
async fn what_is_retried_by_idempotency() {
    let reset = ApiError::Transport {
        operation: "op".into(),
        failure: Transport::Reset {
            host: "h".into(),
            detail: "closed".into(),
        },
    };
    let throttled = ApiError::Api {
        http_status: 429,
        code: "RATE_LIMIT".into(),
        message: String::new(),
        request_id: String::new(),
        retry_after: None,
    };
    let invalid = ApiError::Api {
        http_status: 400,
        code: "INVALID_ARGUMENT".into(),
        message: "bgpAsn out of range".into(),
        request_id: String::new(),
        retry_after: None,
    };
    let not_found = ApiError::not_found("gone".into());
    let garbled = ApiError::Garbled("cut short".into());
    // (failure, attempts when Safe, attempts when Unsafe)
    let cases = [
        (reset, 2, 1),
        (garbled, 2, 1),
        (unavailable(), 2, 1),
        (throttled, 2, 2),
        (invalid, 1, 1),
        (not_found, 1, 1),
    ];
    let deadline = Instant::now() + Duration::from_secs(30);
    for (err, safe, unsafe_) in cases {
        for (idempotency, expected) in [(Idempotency::Safe, safe), (Idempotency::Unsafe, unsafe_)] {
            let n = AtomicU32::new(0);
            let r = retry_with_pauses(idempotency, deadline, &open(), quick(), |_| {
                let first = n.fetch_add(1, Ordering::SeqCst) == 0;
                let err = err.clone();
                async move {
                    if first {
                        Err(err)
                    } else {
                        Ok(())
                    }
                }
            })
            .await;
            let attempts = n.load(Ordering::SeqCst);
            assert_eq!(attempts, expected, "{err} ({idempotency:?})");
            match r {
                Ok(()) => assert_eq!(attempts, 2),
                // Handed back as it came, not wrapped in a timeout.
                Err(e) => assert_eq!(e, err),
            }
        }
    }
}

/// A deadline already passed sends nothing; one too close for another attempt ends the
/// retries with the last failure.
#[tokio::test]
async fn no_request_is_sent_past_the_deadline() {
    let n = AtomicU32::new(0);
    let err =
        retry_with_pauses::<(), _, _>(Idempotency::Safe, Instant::now(), &open(), quick(), |_| {
            n.fetch_add(1, Ordering::SeqCst);
            async { Ok(()) }
        })
        .await
        .unwrap_err();
    assert_eq!(n.load(Ordering::SeqCst), 0);
    assert!(matches!(err, ApiError::Timeout { .. }), "{err}");

    let deadline = Instant::now() + Duration::from_millis(50);
    let err = retry_with_pauses::<(), _, _>(Idempotency::Safe, deadline, &open(), quick(), |t| {
        assert!(t <= Duration::from_millis(50), "{t:?}");
        n.fetch_add(1, Ordering::SeqCst);
        async { Err(unavailable()) }
    })
    .await
    .unwrap_err();
    assert_eq!(n.load(Ordering::SeqCst), 1);
    let ApiError::Timeout { last, .. } = err else {
        panic!("{err}")
    };
    assert_eq!(*last, unavailable());
}

fn throttled(retry_after: Option<Duration>) -> ApiError {
    ApiError::Api {
        http_status: 429,
        code: "RATE_LIMIT".into(),
        message: String::new(),
        request_id: String::new(),
        retry_after,
    }
}

/// Twelve calls waiting at a closed gate, against a cloud that refuses until `open_at`: one
/// probe at a time is refused, not all twelve each pause; once one is admitted the others
/// follow, one more at a time for each admitted, and the gate opens.
#[tokio::test]
async fn a_closed_gate_sends_one_probe_at_a_time() {
    let gate = ThrottleGate::default();
    let start = Instant::now();
    let second = Duration::from_secs(1);
    gate.throttled(&throttled(Some(second)));
    let open_at = start + Duration::from_millis(1_500);
    let refused = AtomicU32::new(0);
    let admitted = AtomicU32::new(0);
    let sent_early = AtomicU32::new(0);
    let (in_flight, most_in_flight) = (AtomicU32::new(0), AtomicU32::new(0));
    let deadline = start + Duration::from_secs(10);
    let calls = (0..12).map(|_| {
        retry_with_pauses(Idempotency::Safe, deadline, &gate, quick(), |_| async {
            if Instant::now() < start + second {
                sent_early.fetch_add(1, Ordering::SeqCst);
            }
            let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
            most_in_flight.fetch_max(now, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(20)).await;
            in_flight.fetch_sub(1, Ordering::SeqCst);
            if Instant::now() < open_at {
                refused.fetch_add(1, Ordering::SeqCst);
                Err(throttled(Some(Duration::from_millis(480))))
            } else {
                admitted.fetch_add(1, Ordering::SeqCst);
                Ok(())
            }
        })
    });
    let results = futures_util::future::join_all(calls).await;
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert_eq!(sent_early.load(Ordering::SeqCst), 0, "sent while closed");
    // At 1 s one probe (refused: 480 ms more, taken as a second), at 2.02 s one probe
    // (admitted), then two at a time, three, …
    assert_eq!(refused.load(Ordering::SeqCst), 1);
    assert_eq!(admitted.load(Ordering::SeqCst), 12);
    let most = most_in_flight.load(Ordering::SeqCst);
    assert!((2..12).contains(&most), "{most} at once");
    assert!(gate.is_open(), "open again");
    let took = start.elapsed();
    assert!(took >= Duration::from_millis(2_020), "{took:?}");
    assert!(took < Duration::from_secs(3), "{took:?}");
}

/// The HTTP client (and the certificate store it reads) is built on the first request, once
/// for every copy of a session.
#[test]
fn the_http_client_is_built_on_first_use_and_shared() {
    let session = Session::new("r", Credentials::new("ak", "sk"));
    let copy = session.until(Instant::now() + Duration::from_secs(1));
    assert!(session.http.get().is_none(), "built before any request");
    let built = copy.http().unwrap() as *const reqwest::Client;
    assert!(std::ptr::eq(built, session.http().unwrap()));
}

/// One gate per host, shared by every copy of a session (the copies each operation's
/// deadline makes), none between clients.
#[tokio::test]
async fn the_gate_is_shared_by_the_calls_of_one_host() {
    let session = Session::new("r", Credentials::new("ak", "sk"));
    let copy = session.until(Instant::now() + Duration::from_secs(1));
    let a = session.gate("vpc.aliyuncs.com");
    assert!(Arc::ptr_eq(&a, &copy.gate("vpc.aliyuncs.com")));
    assert!(!Arc::ptr_eq(&a, &session.gate("cbn.aliyuncs.com")));
    a.throttled(&throttled(Some(Duration::from_secs(5))));
    assert!(copy.gate("vpc.aliyuncs.com").closed_until().is_some());
    assert!(session.gate("cbn.aliyuncs.com").closed_until().is_none());
    // A new provider process (a new client) starts open.
    let other = Session::new("r", Credentials::new("ak", "sk"));
    assert!(other.gate("vpc.aliyuncs.com").closed_until().is_none());
}

/// A throttled call waits what the answer asked, in whole seconds; without advice, the
/// gate's own backoff (200 ms, jittered, doubling).
#[tokio::test]
async fn retry_after_is_honoured_and_without_it_the_gate_backs_off() {
    for (advice, at_least, below) in [
        (Some(Duration::from_secs(1)), 1_000, 1_300),
        // Alibaba's advice in milliseconds, taken in whole seconds.
        (Some(Duration::from_millis(1_200)), 2_000, 2_300),
        (None, 200, 600),
    ] {
        let gate = ThrottleGate::default();
        let sent = Mutex::new(Vec::new());
        let r = retry_with_pauses(
            Idempotency::Unsafe,
            Instant::now() + Duration::from_secs(10),
            &gate,
            quick(),
            |_| {
                let mut sent = sent.lock().unwrap();
                sent.push(Instant::now());
                let first = sent.len() == 1;
                async move {
                    if first {
                        Err(throttled(advice))
                    } else {
                        Ok(())
                    }
                }
            },
        )
        .await;
        assert!(r.is_ok(), "{r:?}");
        let sent = sent.into_inner().unwrap();
        assert_eq!(sent.len(), 2);
        let gap = sent[1] - sent[0];
        assert!(
            gap >= Duration::from_millis(at_least) && gap < Duration::from_millis(below),
            "{advice:?}: {gap:?}"
        );
    }
}

/// A wait at the gate ends at the caller's deadline, with the refusal that closed it; a
/// call that is itself told to wait past its deadline ends there too, with its own.
#[tokio::test]
async fn the_deadline_ends_a_wait_at_a_closed_gate() {
    let gate = ThrottleGate::default();
    let mut refusal = throttled(Some(Duration::from_secs(30)));
    if let ApiError::Api { message, .. } = &mut refusal {
        *message = "at most 10 calls per minute".into();
    }
    gate.throttled(&refusal);
    let start = Instant::now();
    let n = AtomicU32::new(0);
    let err = retry_with_pauses::<(), _, _>(
        Idempotency::Safe,
        start + Duration::from_millis(300),
        &gate,
        quick(),
        |_| {
            n.fetch_add(1, Ordering::SeqCst);
            async { Ok(()) }
        },
    )
    .await
    .unwrap_err();
    let took = start.elapsed();
    assert_eq!(
        n.load(Ordering::SeqCst),
        0,
        "nothing is sent past a closed gate"
    );
    assert!(
        took >= Duration::from_millis(290) && took < Duration::from_millis(800),
        "{took:?}"
    );
    let ApiError::Timeout { last, .. } = &err else {
        panic!("{err}")
    };
    assert_eq!(**last, refusal);
    assert!(
        err.to_string().contains("at most 10 calls per minute"),
        "{err}"
    );

    let gate = ThrottleGate::default();
    let start = Instant::now();
    let err = retry_with_pauses::<(), _, _>(
        Idempotency::Safe,
        start + Duration::from_millis(500),
        &gate,
        quick(),
        |_| {
            n.fetch_add(1, Ordering::SeqCst);
            async { Err(throttled(Some(Duration::from_secs(30)))) }
        },
    )
    .await
    .unwrap_err();
    let took = start.elapsed();
    assert_eq!(n.load(Ordering::SeqCst), 1);
    assert!(
        took >= Duration::from_millis(490) && took < Duration::from_secs(1),
        "{took:?}"
    );
    // How long it says it tried is the elapsed time, a few ms past the deadline under load.
    let said = err.to_string();
    assert!(
        said.starts_with("timed out after 5") && said.contains("ms; last attempt: RATE_LIMIT"),
        "{err}"
    );
}

/// A place given up (its operation cancelled) goes to the next waiting call; each admitted
/// call lets one more go at a time.
#[tokio::test]
async fn places_at_a_closed_gate() {
    let gate = ThrottleGate::default();
    gate.throttled(&throttled(Some(Duration::from_millis(50))));
    let deadline = Instant::now() + Duration::from_secs(5);
    let soon = || Instant::now() + Duration::from_millis(100);
    let briefly = Instant::now() + Duration::from_millis(20);
    assert!(gate.enter(briefly).await.is_err(), "closed for a second");
    let first = gate.enter(deadline).await.unwrap();
    assert!(first.gated());
    assert!(gate.enter(soon()).await.is_err(), "one probe at a time");
    drop(first);
    let second = gate.enter(deadline).await.unwrap();
    second.answered();
    let (a, b) = (gate.enter(deadline).await, gate.enter(deadline).await);
    assert!(a.is_ok() && b.is_ok(), "two at a time after one admitted");
    assert!(gate.enter(soon()).await.is_err(), "not three");
    a.unwrap().answered();
    // A refusal: one at a time again, after the wait it asked.
    gate.throttled(&throttled(Some(Duration::from_millis(50))));
    let late = b.unwrap();
    late.answered();
    let briefly = Instant::now() + Duration::from_millis(20);
    assert!(gate.enter(briefly).await.is_err(), "closed for a second");
    let probe = gate.enter(deadline).await.unwrap();
    assert!(gate.enter(soon()).await.is_err(), "one probe at a time");
    probe.answered();
    for _ in 0..OPEN_AFTER {
        gate.enter(deadline).await.unwrap().answered();
    }
    assert!(gate.is_open());
    assert!(!gate.enter(soon()).await.unwrap().gated());
}

/// Without advice, the gate's pauses double while the probes are refused, and start again
/// from 200 ms once one is not.
#[tokio::test]
async fn the_gates_own_backoff_restarts_after_an_admitted_call() {
    let gate = ThrottleGate::default();
    let closed_for = || gate.closed_until().unwrap() - Instant::now();
    gate.throttled(&throttled(None));
    let first = closed_for();
    assert!(first <= Duration::from_millis(400), "{first:?}");
    gate.throttled(&throttled(None));
    let second = closed_for();
    assert!(second >= Duration::from_millis(390), "{second:?}");
    let pass = gate
        .enter(Instant::now() + Duration::from_secs(5))
        .await
        .unwrap();
    pass.answered();
    gate.throttled(&throttled(None));
    let again = closed_for();
    assert!(
        again >= Duration::from_millis(150) && again <= Duration::from_millis(400),
        "{again:?}"
    );
}

#[test]
fn retry_after_headers() {
    use reqwest::header::{HeaderMap, HeaderValue};
    let of = |pairs: &[(&'static str, &'static str)]| {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        retry_after(&h)
    };
    assert_eq!(of(&[]), None);
    assert_eq!(of(&[("retry-after", "7")]), Some(Duration::from_secs(7)));
    // Alibaba's own header is in milliseconds, and more precise.
    assert_eq!(
        of(&[("retry-after", "2"), ("x-acs-retry-after", "1500")]),
        Some(Duration::from_millis(1500))
    );
    assert_eq!(of(&[("retry-after", "0")]), None);
    assert_eq!(
        of(&[("retry-after", "Wed, 21 Oct 2026 07:28:00 GMT")]),
        None
    );
    assert_eq!(of(&[("retry-after", "86400")]), Some(MAX_RETRY_AFTER));
}

#[test]
fn dates_have_each_clouds_shape() {
    let jd = jd_date_now();
    assert_eq!(jd.len(), 16, "{jd}");
    assert_eq!((&jd[8..9], &jd[15..]), ("T", "Z"), "{jd}");
    let acs = acs_date_now();
    assert_eq!(acs.len(), 20, "{acs}");
    assert_eq!(
        (&acs[4..5], &acs[10..11], &acs[13..14]),
        ("-", "T", ":"),
        "{acs}"
    );
}

#[test]
fn security_tokens_are_redacted_from_canonical_requests() {
    let canonical = "POST\n/\n\nhost:vpc.aliyuncs.com\nx-acs-security-token:STS.secret\nx-acs-version:2016-04-28\n\nhost;x-acs-security-token\nabc";
    let r = redact_canonical(canonical, &["x-acs-security-token"]);
    assert!(!r.contains("STS.secret"), "{r}");
    assert!(r.contains("x-acs-security-token:** redacted **"), "{r}");
    assert!(r.contains("host;x-acs-security-token"), "{r}");
}

/// The failure a real request to `url` meets, as our error.
async fn failure_of(url: &str, timeout: Duration) -> Transport {
    let client = http_client().unwrap();
    let e = client
        .get(url)
        .timeout(timeout)
        .send()
        .await
        .expect_err("the request must fail");
    let host = url.split('/').nth(2).unwrap().to_string();
    match transport_error("op", &host, timeout, &e) {
        ApiError::Transport { failure, .. } => failure,
        other => panic!("{other}"),
    }
}

#[tokio::test]
async fn real_failures_are_told_apart() {
    // Nothing listening.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let f = failure_of(&format!("http://127.0.0.1:{port}/"), Duration::from_secs(5)).await;
    assert!(matches!(f, Transport::Refused { .. }), "{f:?}");
    assert_eq!(
        f.to_string(),
        format!("connection refused by 127.0.0.1:{port}")
    );

    // Accepts, never answers.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = silent.local_addr().unwrap();
    let _keep = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = silent.accept().await {
            held.push(s);
        }
    });
    let f = failure_of(&format!("http://{addr}/"), Duration::from_millis(300)).await;
    assert!(matches!(f, Transport::TimedOut { sent: true, .. }), "{f:?}");

    // Accepts, then hangs up without a word.
    let rude = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = rude.local_addr().unwrap();
    let _close = tokio::spawn(async move {
        while let Ok((mut s, _)) = rude.accept().await {
            let mut buf = [0u8; 1024];
            let _ = tokio::io::AsyncReadExt::read(&mut s, &mut buf).await;
            drop(s);
        }
    });
    let f = failure_of(&format!("http://{addr}/"), Duration::from_secs(5)).await;
    assert!(matches!(f, Transport::Reset { .. }), "{f:?}");

    // TLS with a certificate nobody vouches for: permanent.
    let cert = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string()]).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(
        vec![cert.cert.der().clone()],
        rustls_pki_types::PrivateKeyDer::Pkcs8(cert.signing_key.serialize_der().into()),
    )
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(std::sync::Arc::new(config));
    let tls = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = tls.local_addr().unwrap();
    let _serve = tokio::spawn(async move {
        while let Ok((s, _)) = tls.accept().await {
            let _ = acceptor.accept(s).await;
        }
    });
    let f = failure_of(&format!("https://{addr}/"), Duration::from_secs(5)).await;
    assert!(matches!(f, Transport::Tls { .. }), "{f:?}");
    assert!(f.to_string().contains("UnknownIssuer"), "{f}");
    assert!(!ApiError::Transport {
        operation: "op".into(),
        failure: f
    }
    .is_retryable());
}
