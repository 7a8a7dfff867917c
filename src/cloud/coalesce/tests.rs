use super::*;
use std::sync::atomic::{AtomicUsize, Ordering};

fn counter() -> Arc<AtomicUsize> {
    Arc::new(AtomicUsize::new(0))
}

/// A fetch that counts its calls and answers every id it is asked for.
async fn echo(
    calls: Arc<AtomicUsize>,
    ids: Vec<String>,
) -> Result<HashMap<String, String>, ApiError> {
    calls.fetch_add(1, Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(10)).await;
    Ok(ids
        .into_iter()
        .map(|i| (i.clone(), format!("v-{i}")))
        .collect())
}

/// A coalescer whose reads of kind `k` go through [`echo`], counting its fetches.
#[derive(Clone, Default)]
struct Fixture {
    c: Coalescer<String>,
    calls: Arc<AtomicUsize>,
}

impl Fixture {
    async fn read(&self, id: &str) -> Answer<String> {
        self.c
            .read("k", id, |ids| echo(self.calls.clone(), ids))
            .await
    }

    fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

#[tokio::test(start_paused = true)]
async fn a_lone_read_is_one_fetch_and_waits_only_the_window() {
    let f = Fixture::default();
    let start = tokio::time::Instant::now();
    let v = f.read("a").await.unwrap();
    assert_eq!(v.as_deref(), Some("v-a"));
    assert_eq!(f.calls(), 1);
    assert_eq!(start.elapsed(), WINDOW + Duration::from_millis(10));
}

#[tokio::test(start_paused = true)]
async fn concurrent_reads_of_a_kind_share_one_fetch_and_later_ones_the_answer() {
    let f = Fixture::default();
    let asked = Arc::new(Mutex::new(Vec::new()));
    let reads = (0..10).map(|i| {
        let (c, calls, asked) = (f.c.clone(), f.calls.clone(), asked.clone());
        async move {
            c.read("k", &format!("id{i}"), |ids| {
                asked.lock().unwrap().push(ids.len());
                echo(calls, ids)
            })
            .await
        }
    });
    let answers = futures_util::future::join_all(reads).await;
    for (i, a) in answers.into_iter().enumerate() {
        assert_eq!(a.unwrap(), Some(format!("v-id{i}")));
    }
    assert_eq!(f.calls(), 1);
    assert_eq!(*asked.lock().unwrap(), vec![10]);
    // Within the linger, the answer serves again; after it, it is fetched again.
    f.read("id3").await.unwrap();
    assert_eq!(f.calls(), 1);
    tokio::time::sleep(LINGER).await;
    f.read("id3").await.unwrap();
    assert_eq!(f.calls(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_read_joins_a_fetch_in_flight_for_its_id_but_not_for_others() {
    let f = Fixture::default();
    let first = {
        let f = f.clone();
        tokio::spawn(async move { f.read("a").await })
    };
    // Past the window: the first batch is in flight.
    tokio::time::sleep(WINDOW + Duration::from_millis(2)).await;
    let (same, other) = tokio::join!(f.read("a"), f.read("b"),);
    assert_eq!(same.unwrap().as_deref(), Some("v-a"));
    assert_eq!(other.unwrap().as_deref(), Some("v-b"));
    assert_eq!(first.await.unwrap().unwrap().as_deref(), Some("v-a"));
    assert_eq!(f.calls(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_write_drops_every_answer_and_what_was_in_flight_across_it() {
    let f = Fixture::default();
    f.read("a").await.unwrap();
    f.c.invalidate();
    f.read("a").await.unwrap();
    assert_eq!(f.calls(), 2);
    // A write while a fetch is in flight: its answer is not kept.
    let (_, v) = tokio::join!(
        async {
            tokio::time::sleep(WINDOW + Duration::from_millis(1)).await;
            f.c.invalidate();
        },
        f.read("z"),
    );
    assert_eq!(v.unwrap().as_deref(), Some("v-z"));
    f.read("z").await.unwrap();
    assert_eq!(f.calls(), 4);
}

#[tokio::test(start_paused = true)]
async fn an_error_reaches_every_waiter_and_is_not_kept() {
    let f = Fixture::default();
    let failing = |calls: Arc<AtomicUsize>| {
        move |_ids: Vec<String>| async move {
            calls.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(5)).await;
            Err::<HashMap<String, String>, _>(ApiError::Garbled("reset".into()))
        }
    };
    let (a, b, d) = tokio::join!(
        f.c.read("k", "a", failing(f.calls.clone())),
        f.c.read("k", "b", failing(f.calls.clone())),
        f.c.read("k", "a", failing(f.calls.clone())),
    );
    for r in [a, b, d] {
        assert_eq!(r, Err(ApiError::Garbled("reset".into())));
    }
    assert_eq!(f.calls(), 1);
    let ok = f.read("a").await.unwrap();
    assert_eq!(ok.as_deref(), Some("v-a"));
    assert_eq!(f.calls(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_dropped_leader_lets_its_waiters_read_for_themselves() {
    let f = Fixture::default();
    let leader = {
        let c = f.c.clone();
        tokio::spawn(async move { c.read("k", "a", |_ids| std::future::pending()).await })
    };
    tokio::time::sleep(Duration::from_millis(1)).await;
    let waiter = {
        let f = f.clone();
        tokio::spawn(async move { f.read("b").await })
    };
    tokio::time::sleep(WINDOW * 2).await;
    leader.abort();
    assert_eq!(waiter.await.unwrap().unwrap().as_deref(), Some("v-b"));
    assert_eq!(f.calls(), 1);
}

#[tokio::test(start_paused = true)]
async fn shared_listings_are_fetched_once_per_burst() {
    let f = Fixture::default();
    let list = |calls: Arc<AtomicUsize>| async move {
        calls.fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(5)).await;
        Ok("all".to_owned())
    };
    let (a, b) = tokio::join!(
        f.c.shared("routes", || list(f.calls.clone())),
        f.c.shared("routes", || list(f.calls.clone())),
    );
    assert_eq!((a.unwrap(), b.unwrap()), ("all".into(), "all".into()));
    assert_eq!(f.calls(), 1);
}

/// A cloud of `n` objects, described one by one or listed `page` a page, counting calls.
struct Cloud {
    n: u64,
    page: u64,
    calls: Arc<AtomicUsize>,
}

impl Cloud {
    async fn list(&self, p: u64) -> Result<(Vec<(String, u64)>, u64), ApiError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let items = ((p - 1) * self.page..(p * self.page).min(self.n))
            .map(|i| (format!("o{i}"), i))
            .collect();
        Ok((items, self.n))
    }

    async fn describe(&self, id: String) -> Result<Option<u64>, ApiError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let i: Option<u64> = id.strip_prefix('o').and_then(|s| s.parse().ok());
        Ok(i.filter(|i| *i < self.n))
    }
}

#[tokio::test]
async fn by_pages_costs_one_call_for_one_id_and_a_page_per_page_for_many() {
    let ids = |r: std::ops::Range<u64>| r.map(|i| format!("o{i}")).collect::<Vec<_>>();
    for (n, wanted, calls_expected) in [
        (120, ids(7..8), 1),     // alone: one describe
        (120, ids(0..120), 3),   // all of them: ceil(120 / 50) pages
        (120, ids(0..50), 1),    // all on the first page
        (120, ids(100..102), 3), // the first page, then two describes beat two pages
        (1000, ids(900..903), 4),
    ] {
        let calls = counter();
        let c = Cloud {
            n,
            page: 50,
            calls: calls.clone(),
        };
        let found = by_pages(wanted.clone(), 50, |p| c.list(p), |i| c.describe(i))
            .await
            .unwrap();
        assert!(
            wanted.iter().all(|w| found.contains_key(w)),
            "{n} {wanted:?}"
        );
        assert_eq!(
            calls.load(Ordering::SeqCst),
            calls_expected,
            "{n} {wanted:?}"
        );
    }
    // An id no listing shows is asked for once more, and then is not found.
    let calls = counter();
    let c = Cloud {
        n: 10,
        page: 50,
        calls: calls.clone(),
    };
    let found = by_pages(
        vec!["o1".into(), "o99".into()],
        50,
        |p| c.list(p),
        |i| c.describe(i),
    )
    .await
    .unwrap();
    assert!(found.contains_key("o1") && !found.contains_key("o99"));
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

/// A JSON list of `n` objects `{"Id": "o<i>"}`, `page` a page, counting calls.
struct JsonCloud {
    n: u64,
    page: u64,
    calls: Arc<AtomicUsize>,
}

impl JsonCloud {
    /// A list of `n` in pages of 50, and a reader through which two reads at once
    /// listed the first page (one call).
    async fn two_reads_on_page_one(n: u64) -> (JsonCloud, Coalescer<serde_json::Value>) {
        let cloud = JsonCloud {
            n,
            page: 50,
            calls: counter(),
        };
        let c = Coalescer::default();
        tokio::join!(cloud.read(&c, "o1"), cloud.read(&c, "o2"));
        assert_eq!(cloud.calls(), 1);
        (cloud, c)
    }

    async fn list(&self, p: u64) -> Result<(Vec<serde_json::Value>, u64), ApiError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let items = ((p - 1) * self.page..(p * self.page).min(self.n))
            .map(|i| serde_json::json!({ "Id": format!("o{i}") }))
            .collect();
        Ok((items, self.n))
    }

    async fn describe(&self, id: String) -> Result<serde_json::Value, ApiError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        Ok(serde_json::json!({ "Id": id }))
    }

    async fn read(&self, c: &Coalescer<serde_json::Value>, id: &str) -> serde_json::Value {
        c.read_object(
            "k",
            id,
            (self.page, "Id"),
            |p| self.list(p),
            |i| self.describe(i),
        )
        .await
        .unwrap()
        .unwrap()
    }

    fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

#[tokio::test(start_paused = true)]
async fn the_whole_list_is_kept_when_a_batch_listed_all_of_it_and_listed_when_asked() {
    // Two reads at once, one page holds all 30: that page is the whole list, and a
    // whole-list read later in the burst costs nothing.
    let (cloud, c) = JsonCloud::two_reads_on_page_one(30).await;
    let all = cloud.read(&c, EVERY).await;
    assert_eq!(all.as_array().map(Vec::len), Some(30));
    assert_eq!(cloud.calls(), 1);

    // 120 objects: two reads on the first page list only that page, which is not the
    // whole list; asked for, the whole list is the pages not yet listed in the burst,
    // then kept like the objects.
    let (cloud, c) = JsonCloud::two_reads_on_page_one(120).await;
    let all = cloud.read(&c, EVERY).await;
    assert_eq!(all.as_array().map(Vec::len), Some(120));
    assert_eq!(cloud.calls(), 1 + 2);
    assert_eq!(cloud.read(&c, "o110").await["Id"], "o110");
    assert_eq!(cloud.read(&c, EVERY).await, all);
    assert_eq!(cloud.calls(), 3);

    // A lone read is described, which says nothing about the list; a write drops it,
    // pages included.
    let c = Coalescer::default();
    cloud.read(&c, "o7").await;
    assert_eq!(cloud.calls(), 4);
    cloud.read(&c, EVERY).await;
    assert_eq!(cloud.calls(), 7);
    c.invalidate();
    cloud.read(&c, EVERY).await;
    assert_eq!(cloud.calls(), 10);

    // Kept pages last the burst, no longer.
    tokio::time::advance(LINGER).await;
    cloud.read(&c, EVERY).await;
    assert_eq!(cloud.calls(), 13);
}
