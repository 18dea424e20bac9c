//! The job queue against a real Redis, with real worker tasks and a real worker process:
//! once-only runs, idempotency keys, retries with growing delays, dead letters and an
//! operator's retry, scheduled jobs on time, a killed worker's job finished by another, and
//! auctions closed on time exactly once by two instances.
#![cfg(feature = "ssr")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use rbay::accounts::UserId;
use rbay::items::server as items;
use rbay::items::NewItem;
use rbay::server::jobs::{
    self, EnqueueError, Enqueued, Handler, JobError, JobRun, Settings, MAX_PAYLOAD,
};
use rbay::server::Db;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::watch;

const AUCTIONS: &str = rbay::items::server::close_job::QUEUE;

fn quick() -> Settings {
    Settings {
        concurrency: 4,
        visibility: Duration::from_millis(1_000),
        max_attempts: 3,
        backoff_base: Duration::from_millis(300),
        backoff_max: Duration::from_secs(5),
        tick: Duration::from_millis(50),
        shutdown_wait: Duration::from_secs(5),
        max_runtime: Duration::from_secs(30),
    }
}

/// Rbay's own workers (every queue, every kind) on `db`; stopped when the sender drops.
fn workers(db: &Db, settings: Settings) -> watch::Sender<bool> {
    let (stop, stopping) = watch::channel(false);
    rbay::wiring::start_workers(db, settings, stopping);
    stop
}

async fn probe(db: &Db, name: &str, sleep_ms: u64, key: Option<&str>) -> Enqueued {
    let payload = format!(r#"{{"name":"{name}","sleep_ms":{sleep_ms}}}"#);
    jobs::enqueue(db, AUCTIONS, "probe", &payload, None, key)
        .await
        .unwrap()
}

/// job id → finished runs of the probe jobs named `name`.
async fn runs(db: &Db, name: &str) -> HashMap<String, i64> {
    let mut conn = db.raw_conn();
    redis::cmd("HGETALL")
        .arg(db.keys().queue_probe(AUCTIONS, name))
        .query_async(&mut conn)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_job_runs_once_and_the_same_idempotency_key_runs_once() {
    let db = test_db().await;
    let _stop = workers(&db, quick());
    let Enqueued::New(first) = probe(&db, "once", 0, Some("k1")).await else {
        panic!("a new job")
    };
    assert_eq!(
        probe(&db, "once", 0, Some("k1")).await,
        Enqueued::Duplicate(first),
        "the same key adds nothing"
    );
    let Enqueued::New(other) = probe(&db, "once", 0, None).await else {
        panic!("a new job")
    };
    assert!(
        eventually(5, || async { runs(&db, "once").await.len() == 2 }).await,
        "both jobs ran"
    );
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let done = runs(&db, "once").await;
    assert_eq!(done[&first.to_string()], 1, "ran once");
    assert_eq!(done[&other.to_string()], 1, "ran once");
    // Nothing left behind: acknowledged entries are deleted.
    let counts = jobs::counts(&db, &[AUCTIONS], 2).await.unwrap();
    assert_eq!(
        (counts[0].waiting, counts[0].running, counts[0].delayed),
        (0, 0, 0)
    );
    assert_eq!(counts[0].processed.iter().sum::<u64>(), 2);
}

#[tokio::test]
async fn oversized_and_unknown_jobs_are_refused_or_dead_lettered_not_panics() {
    let db = test_db().await;
    let big = "x".repeat(MAX_PAYLOAD + 1);
    assert!(matches!(
        jobs::enqueue(&db, AUCTIONS, "probe", &big, None, None).await,
        Err(EnqueueError::TooLarge(_))
    ));
    for kind in ["", "a|b"] {
        assert!(matches!(
            jobs::enqueue(&db, AUCTIONS, kind, "{}", None, None).await,
            Err(EnqueueError::BadKind(_))
        ));
    }
    // A delayed member nobody can read is dead-lettered when due, not dropped.
    let mut conn = db.raw_conn();
    let _: () = redis::cmd("ZADD")
        .arg(db.keys().queue_delayed(AUCTIONS))
        .arg(0)
        .arg("garbage")
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_eq!(jobs::promote_due(&db, AUCTIONS).await.unwrap(), 1);
    let dead = jobs::dead_jobs(&db, AUCTIONS, 10).await.unwrap();
    assert_eq!(dead[0].error, "unreadable delayed job");
    assert!(jobs::settle_dead(&db, AUCTIONS, &dead[0].entry, false)
        .await
        .unwrap());
    let _stop = workers(&db, quick());
    jobs::enqueue(&db, AUCTIONS, "no_such_kind", "{}", None, None)
        .await
        .unwrap();
    jobs::enqueue(&db, AUCTIONS, "probe", "not json", None, None)
        .await
        .unwrap();
    assert!(
        eventually(5, || async {
            jobs::dead_jobs(&db, AUCTIONS, 10).await.unwrap().len() == 2
        })
        .await
    );
    let dead = jobs::dead_jobs(&db, AUCTIONS, 10).await.unwrap();
    let errors: Vec<&str> = dead.iter().map(|d| d.error.as_str()).collect();
    assert!(
        errors.iter().any(|e| e.contains("unknown job kind")),
        "{errors:?}"
    );
    assert!(
        errors.iter().any(|e| e.contains("unreadable probe")),
        "{errors:?}"
    );
    assert!(
        dead.iter().all(|d| d.job.attempt == 1),
        "no retries for these"
    );
    // Discarding removes a dead job without running it.
    assert!(jobs::settle_dead(&db, AUCTIONS, &dead[0].entry, false)
        .await
        .unwrap());
    assert!(!jobs::settle_dead(&db, AUCTIONS, &dead[0].entry, false)
        .await
        .unwrap());
    assert_eq!(jobs::dead_jobs(&db, AUCTIONS, 10).await.unwrap().len(), 1);
}

/// A handler of our own on a queue of our own: records when each attempt started and fails
/// the first `fail_first` attempts (all of them when `None`).
fn flaky(fail_first: Option<u32>, attempts: Arc<Mutex<Vec<(u32, Instant)>>>) -> Handler {
    Arc::new(move |job: JobRun| {
        let attempts = Arc::clone(&attempts);
        Box::pin(async move {
            attempts.lock().unwrap().push((job.attempt, Instant::now()));
            match fail_first {
                Some(n) if job.attempt > n => Ok(()),
                _ => Err(JobError::retry(format!("boom on attempt {}", job.attempt))),
            }
        })
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failing_job_is_retried_with_growing_delays() {
    let db = test_db().await;
    let attempts = Arc::new(Mutex::new(Vec::new()));
    let (_stop, stopping) = watch::channel(false);
    jobs::start(
        &db,
        &["flaky"],
        flaky(Some(2), Arc::clone(&attempts)),
        Settings {
            backoff_base: Duration::from_millis(500),
            ..quick()
        },
        stopping,
    );
    jobs::enqueue(&db, "flaky", "x", "{}", None, None)
        .await
        .unwrap();
    assert!(eventually(15, || async { attempts.lock().unwrap().len() == 3 }).await);
    tokio::time::sleep(Duration::from_millis(800)).await;
    let seen = attempts.lock().unwrap().clone();
    assert_eq!(
        seen.iter().map(|(a, _)| *a).collect::<Vec<_>>(),
        [1, 2, 3],
        "three attempts, then done"
    );
    let first = seen[1].1 - seen[0].1;
    let second = seen[2].1 - seen[1].1;
    // 500 ms then 1,000 ms, each ±25% (plus a tick and a read): the second wait is at least
    // 750 ms, more than the first's longest nominal 625 ms.
    assert!(first >= Duration::from_millis(375), "{first:?}");
    assert!(second >= Duration::from_millis(750), "{second:?}");
    assert!(first < Duration::from_secs(3) && second < Duration::from_secs(5));
    let counts = jobs::counts(&db, &["flaky"], 2).await.unwrap();
    assert_eq!(counts[0].failed.iter().sum::<u64>(), 2);
    assert_eq!(counts[0].processed.iter().sum::<u64>(), 1);
    assert_eq!(counts[0].dead, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_job_that_always_fails_is_dead_with_its_error_and_an_operator_can_retry_it() {
    let db = test_db().await;
    let attempts = Arc::new(Mutex::new(Vec::new()));
    let settings = Settings {
        backoff_base: Duration::from_millis(50),
        ..quick()
    };
    let (stop, stopping) = watch::channel(false);
    let running = jobs::start(
        &db,
        &["doomed"],
        flaky(None, Arc::clone(&attempts)),
        settings.clone(),
        stopping,
    );
    jobs::enqueue(&db, "doomed", "x", r#"{"n":1}"#, None, None)
        .await
        .unwrap();
    assert!(
        eventually(10, || async {
            jobs::dead_jobs(&db, "doomed", 5).await.unwrap().len() == 1
        })
        .await
    );
    assert_eq!(attempts.lock().unwrap().len(), 3, "max attempts, no more");
    let dead = jobs::dead_jobs(&db, "doomed", 5).await.unwrap().remove(0);
    assert_eq!(dead.error, "boom on attempt 3");
    assert_eq!(dead.job.payload, r#"{"n":1}"#);
    // Fixed: the operator retries it; it runs again (and now succeeds), once.
    stop.send(true).unwrap();
    running.await.unwrap();
    let attempts = Arc::new(Mutex::new(Vec::new()));
    let (_stop, stopping) = watch::channel(false);
    jobs::start(
        &db,
        &["doomed"],
        flaky(Some(0), Arc::clone(&attempts)),
        settings,
        stopping,
    );
    assert!(jobs::settle_dead(&db, "doomed", &dead.entry, true)
        .await
        .unwrap());
    assert!(
        !jobs::settle_dead(&db, "doomed", &dead.entry, true)
            .await
            .unwrap(),
        "a dead job is retried once"
    );
    assert!(eventually(5, || async { attempts.lock().unwrap().len() == 1 }).await);
    assert_eq!(jobs::counts(&db, &["doomed"], 1).await.unwrap()[0].dead, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_scheduled_job_runs_within_a_second_of_its_time() {
    let db = test_db().await;
    let _stop = workers(&db, quick());
    let at = rbay::util::time::now_ms() + 1_500;
    jobs::enqueue(
        &db,
        AUCTIONS,
        "probe",
        r#"{"name":"later"}"#,
        Some(at),
        None,
    )
    .await
    .unwrap();
    assert_eq!(
        jobs::counts(&db, &[AUCTIONS], 1).await.unwrap()[0].delayed,
        1
    );
    tokio::time::sleep(Duration::from_millis(1_000)).await;
    assert!(runs(&db, "later").await.is_empty(), "not before its time");
    assert!(eventually(3, || async { !runs(&db, "later").await.is_empty() }).await);
    let late = rbay::util::time::now_ms() - at;
    assert!((0..1_000).contains(&late), "ran {late} ms after its time");
}

/// `rbay worker` as a process of its own, in the namespace of `db`.
fn worker_process(db: &Db) -> std::process::Child {
    std::process::Command::new(env!("CARGO_BIN_EXE_rbay"))
        .arg("worker")
        .env("REDIS_URL", redis_url())
        .env("RBAY_KEY_PREFIX", db.keys().prefix())
        .env("RBAY_JOB_VISIBILITY_MS", "1000")
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start rbay worker")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_worker_killed_mid_job_is_replaced_and_the_job_finishes_once() {
    let db = test_db().await;
    let mut first = worker_process(&db);
    let Enqueued::New(id) = probe(&db, "slow", 2_000, None).await else {
        panic!("a new job")
    };
    // Wait until the process has taken the job, then kill it without warning.
    let taken = eventually(10, || async {
        jobs::counts(&db, &[AUCTIONS], 1).await.unwrap()[0].running == 1
    })
    .await;
    assert!(taken, "the worker process took the job");
    first.kill().unwrap();
    first.wait().unwrap();
    assert!(
        runs(&db, "slow").await.is_empty(),
        "killed before the effect"
    );
    // Another worker takes it over after the visibility timeout and finishes it.
    let started = Instant::now();
    let mut second = worker_process(&db);
    let done = eventually(10, || async { !runs(&db, "slow").await.is_empty() }).await;
    assert!(done, "finished by the other worker");
    assert!(
        started.elapsed() >= Duration::from_millis(1_900),
        "it slept its 2 s again"
    );
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    assert_eq!(
        runs(&db, "slow").await[&id.to_string()],
        1,
        "the effect happened once"
    );
    let counts = jobs::counts(&db, &[AUCTIONS], 1).await.unwrap();
    assert_eq!(
        (counts[0].running, counts[0].waiting, counts[0].dead),
        (0, 0, 0)
    );
    // SIGTERM: the worker stops taking jobs and exits cleanly.
    std::process::Command::new("kill")
        .arg("-TERM")
        .arg(second.id().to_string())
        .status()
        .unwrap();
    let exited = wait_exit(&mut second, Duration::from_secs(5));
    assert_eq!(exited.map(|s| s.success()), Some(true), "graceful exit");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_long_job_keeps_its_claim_while_its_worker_lives() {
    // The heartbeat: a job that runs two and a half visibility timeouts is not taken over.
    let db = test_db().await;
    let settings = Settings {
        visibility: Duration::from_secs(2),
        ..quick()
    };
    let _a = workers(&db, settings.clone());
    let _b = workers(&db, settings);
    let Enqueued::New(id) = probe(&db, "long", 5_000, None).await else {
        panic!("a new job")
    };
    assert!(eventually(15, || async { !runs(&db, "long").await.is_empty() }).await);
    tokio::time::sleep(Duration::from_millis(3_000)).await;
    assert_eq!(
        runs(&db, "long").await[&id.to_string()],
        1,
        "run by one worker only"
    );
}

fn wait_exit(child: &mut std::process::Child, limit: Duration) -> Option<std::process::ExitStatus> {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if let Ok(Some(status)) = child.try_wait() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    None
}

#[tokio::test(flavor = "multi_thread")]
async fn an_auction_closes_within_a_second_of_its_end_once_across_two_instances() {
    let db = test_db().await;
    // Two instances: two connections, two sets of workers, one namespace.
    let other = another_instance(&db).await;
    let _a = workers(&db, Settings::default());
    let _b = workers(&other, Settings::default());
    let item = NewItem {
        name: "Closing clock".into(),
        description: "Ends in a moment.".into(),
        start_cents: 500,
        duration_ms: 1_500,
        // The bid below would otherwise move the end (soft close).
        soft_close: false,
        ..Default::default()
    };
    let id = items::create(&db, UserId(1), "seller", &item, None)
        .await
        .unwrap();
    rbay::auction::server::place_bid(&db, UserId(2), "bea", id, 500)
        .await
        .unwrap();
    let ends_at = items::get(&db, id).await.unwrap().unwrap().ends_at_ms;
    let state_key = db.keys().item_state(id);
    let closed_at = || async {
        let mut conn = db.raw_conn();
        let (closed, at, outcome): (Option<String>, Option<i64>, Option<String>) =
            redis::cmd("HMGET")
                .arg(&state_key)
                .arg("closed")
                .arg("closed_at")
                .arg("outcome")
                .query_async(&mut conn)
                .await
                .unwrap();
        (closed.as_deref() == Some("1")).then(|| (at.unwrap(), outcome.unwrap()))
    };
    assert!(eventually(4, || async { closed_at().await.is_some() }).await);
    let (at, outcome) = closed_at().await.unwrap();
    assert!(
        (0..1_000).contains(&(at - ends_at)),
        "closed {} ms after its end",
        at - ends_at
    );
    assert_eq!(outcome, "sold");
    // Exactly one "ended" event, and one notice each for the winner and the seller.
    let noticed = eventually(5, || async {
        let won = rbay::notifications::server::inbox(&db, UserId(2))
            .await
            .unwrap();
        let sold = rbay::notifications::server::inbox(&db, UserId(1))
            .await
            .unwrap();
        !won.notices.is_empty() && !sold.notices.is_empty()
    })
    .await;
    assert!(noticed, "winner and seller were told");
    tokio::time::sleep(Duration::from_millis(1_000)).await;
    let ended = event_stream(&db, id)
        .await
        .iter()
        .filter(|(_, f)| f["kind"] == "ended")
        .count();
    assert_eq!(ended, 1);
    let won = rbay::notifications::server::inbox(&db, UserId(2))
        .await
        .unwrap();
    assert_eq!(won.notices.len(), 1);
    assert_eq!(
        won.notices[0].text(),
        "You won Closing clock for $5.00: pay now."
    );
    let sold = rbay::notifications::server::inbox(&db, UserId(1))
        .await
        .unwrap();
    assert_eq!(sold.notices.len(), 1);
    assert_eq!(
        sold.notices[0].text(),
        "Closing clock sold to bea for $5.00."
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_thumbnail_job_makes_the_card_photo_from_the_stored_one() {
    use rbay::items::server::images;
    use rbay::listings::server::listing::{PHOTO_QUEUE, THUMBNAIL_JOB};
    let db = test_db().await;
    let photo = images::process_large(&big_photo()).unwrap();
    assert!(
        photo.thumb.is_empty(),
        "the request path makes no thumbnail"
    );
    let item = NewItem {
        name: "Print".into(),
        description: "Framed.".into(),
        start_cents: 100,
        duration_ms: 60_000,
        ..Default::default()
    };
    // Three photos: the job makes a thumbnail for each.
    let photos = [photo.clone(), photo.clone(), photo.clone()];
    let id = items::store::create_with(
        &db,
        UserId(1),
        "s",
        &item,
        items::store::PhotoSource::Upload(&photos),
    )
    .await
    .unwrap();
    assert_eq!(items::photo(&db, id, true).await.unwrap(), None);
    let _stop = workers(&db, quick());
    let payload = format!(r#"{{"item":{id}}}"#);
    jobs::enqueue(&db, PHOTO_QUEUE, THUMBNAIL_JOB, &payload, None, None)
        .await
        .unwrap();
    assert!(
        eventually(5, || async {
            items::photo(&db, id, true).await.unwrap().is_some()
        })
        .await
    );
    let thumb = items::photo(&db, id, true).await.unwrap().unwrap();
    let decoded = image::load_from_memory(&thumb).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (480, 336));
    assert!(
        eventually(5, || async {
            items::store::photo_n(&db, id, 3, true)
                .await
                .unwrap()
                .is_some()
        })
        .await,
        "every photo gets its thumbnail"
    );
    assert_eq!(
        items::store::photo_n(&db, id, 4, false).await.unwrap(),
        None
    );
    let large = image::load_from_memory(&photo.large).unwrap();
    assert_eq!(
        (large.width(), large.height()),
        (1000, 700),
        "the stored photo is kept"
    );
}
