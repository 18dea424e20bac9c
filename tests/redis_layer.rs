//! The Redis layer against a real Redis: scripts, indexes, locks, namespaces.
#![cfg(feature = "ssr")]
// A test fails by panicking: unwrapping is how it says what went wrong.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use rbay::catalog::server::rankings::home_sections;
use rbay::server::redis::indexes::{self, IndexDef, IndexOutcome};
use rbay::server::redis::lock::Lock;
use rbay::server::redis::rate_limit::Action;
use rbay::server::redis::rate_limit::{self, Limit, Verdict};
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::Arc;
use std::time::Duration;

#[tokio::test]
async fn unlock_script_deletes_only_with_the_holders_token() {
    let db = test_db().await;
    let mut conn = db.raw_conn();
    let key = db.keys().lock("job");
    let _: () = redis::cmd("SET")
        .arg(&key)
        .arg("mine")
        .query_async(&mut conn)
        .await
        .unwrap();

    let wrong: i64 = rbay::server::redis::lock::UNLOCK
        .key(&key)
        .arg("theirs")
        .invoke_async(&mut conn)
        .await
        .unwrap();
    assert_eq!(wrong, 0);
    let still: Option<String> = redis::cmd("GET")
        .arg(&key)
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_eq!(still.as_deref(), Some("mine"));

    let right: i64 = rbay::server::redis::lock::UNLOCK
        .key(&key)
        .arg("mine")
        .invoke_async(&mut conn)
        .await
        .unwrap();
    assert_eq!(right, 1);
    let gone: Option<String> = redis::cmd("GET")
        .arg(&key)
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_eq!(gone, None);
}

#[tokio::test]
async fn scripts_are_reloaded_after_script_flush() {
    let db = test_db().await;
    let mut conn = db.raw_conn();
    let key = db.keys().lock("flush");
    let _: i64 = rbay::server::redis::lock::UNLOCK
        .key(&key)
        .arg("x")
        .invoke_async(&mut conn)
        .await
        .unwrap();
    // Simulates a Redis restart: the script cache is empty, EVALSHA answers NOSCRIPT.
    let _: () = redis::cmd("SCRIPT")
        .arg("FLUSH")
        .query_async(&mut conn)
        .await
        .unwrap();
    let again: i64 = rbay::server::redis::lock::UNLOCK
        .key(&key)
        .arg("x")
        .invoke_async(&mut conn)
        .await
        .unwrap();
    assert_eq!(again, 0);
}

#[tokio::test]
async fn rate_limit_allows_up_to_the_limit_then_refuses_until_the_window_slides() {
    let db = test_db().await;
    let limit = Limit {
        max: 3,
        window: Duration::from_millis(700),
    };
    for expected_remaining in [2, 1, 0] {
        let verdict = rate_limit::hit(&db, "signin", "1.2.3.4", limit)
            .await
            .unwrap();
        assert_eq!(
            verdict,
            Verdict::Allowed {
                remaining: expected_remaining
            }
        );
    }
    // Every counted hit was stamped (by the Redis clock, this machine's) before this moment.
    let last_counted = std::time::Instant::now();
    match rate_limit::hit(&db, "signin", "1.2.3.4", limit)
        .await
        .unwrap()
    {
        Verdict::Limited { retry_after } => {
            assert!(retry_after <= Duration::from_millis(700), "{retry_after:?}");
            assert!(retry_after > Duration::ZERO);
        }
        other => panic!("4th hit should be limited, got {other:?}"),
    }
    // Another subject has its own budget.
    assert!(matches!(
        rate_limit::hit(&db, "signin", "5.6.7.8", limit)
            .await
            .unwrap(),
        Verdict::Allowed { .. }
    ));
    // Refusals are not counted: once a window has passed since the last counted hit, the
    // subject has the whole budget back. (The window slides: polling for the first allowed hit
    // could meet the first hit gone and the other two still counted, on a slow run.)
    tokio::time::sleep_until((last_counted + limit.window + Duration::from_millis(50)).into())
        .await;
    assert_eq!(
        rate_limit::hit(&db, "signin", "1.2.3.4", limit)
            .await
            .unwrap(),
        Verdict::Allowed { remaining: 2 }
    );
    let refused = {
        for _ in 0..2 {
            rate_limit::enforce(&db, Action::SignIn, "1.2.3.4", limit)
                .await
                .unwrap()
                .unwrap();
        }
        rate_limit::enforce(&db, Action::SignIn, "1.2.3.4", limit)
            .await
            .unwrap()
    };
    assert_eq!(refused, Err(1), "retry after one second");
}

#[tokio::test]
async fn index_is_created_once_and_recreated_when_its_schema_changes() {
    let db = test_db().await;
    let def = indexes::items_index(&db);
    // Db::connect already created it; doing it again changes nothing.
    assert!(indexes::index_exists(&db, &def.name).await.unwrap());
    assert_eq!(
        indexes::ensure(&db, &def).await.unwrap(),
        IndexOutcome::Unchanged
    );
    assert_eq!(
        indexes::ensure(&db, &def).await.unwrap(),
        IndexOutcome::Unchanged
    );

    // Documents written before a schema change are still found after it.
    list_item(&db, "Brass telescope", 5_000, 60_000, 3).await;
    let mut changed: IndexDef = def.clone();
    changed.schema.extend(["colour", "TAG"]);
    assert_eq!(
        indexes::ensure(&db, &changed).await.unwrap(),
        IndexOutcome::Recreated
    );
    assert_eq!(
        indexes::ensure(&db, &changed).await.unwrap(),
        IndexOutcome::Unchanged
    );

    let found = eventually(5, || {
        let db = db.clone();
        async move { indexed_ids(&db, "telescope").await.len() == 1 }
    })
    .await;
    assert!(found, "the item should be re-indexed under the new schema");

    // And the stored fingerprint follows the code.
    let mut conn = db.raw_conn();
    let stored: String = redis::cmd("GET")
        .arg(db.keys().index_schema_version(&changed.name))
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_eq!(stored, changed.version());
}

#[tokio::test]
async fn a_dropped_index_is_created_again() {
    let db = test_db().await;
    let def = indexes::items_index(&db);
    on_each_index(&db, "FT.DROPINDEX", &[]).await;
    assert!(!indexes::index_exists(&db, &def.name).await.unwrap());
    assert_eq!(
        indexes::ensure(&db, &def).await.unwrap(),
        IndexOutcome::Created
    );
    assert!(indexes::index_exists(&db, &def.name).await.unwrap());
}

#[tokio::test]
async fn namespaces_do_not_see_each_others_keys() {
    let a = test_db().await;
    let b = test_db().await;
    assert_ne!(a.keys().prefix(), b.keys().prefix());
    let only_in_a = list_item(&a, "Walnut desk", 12_000, 3_600_000, 7).await;

    let in_a = eventually(5, || {
        let a = a.clone();
        async move { !home_sections(&a).await.unwrap().most_viewed.is_empty() }
    })
    .await;
    assert!(in_a, "A should see its own item");
    let b_sections = home_sections(&b).await.unwrap();
    assert!(b_sections.most_viewed.is_empty());
    assert!(b_sections.ending_soon.is_empty());

    assert!(keys_in_namespace(&a)
        .await
        .contains(&a.keys().item(only_in_a)));
    assert!(keys_in_namespace(&b)
        .await
        .iter()
        .all(|k| k.starts_with(b.keys().prefix())));
    assert!(!keys_in_namespace(&b)
        .await
        .iter()
        .any(|k| k.contains("only-in-a")));
}

#[tokio::test]
async fn home_sections_rank_live_items_by_end_views_and_price() {
    let db = test_db().await;
    let cheap_soon = list_item(&db, "Tin cup", 100, 60_000, 50).await;
    let dear_later = list_item(&db, "Gold watch", 90_000, 86_400_000, 5).await;
    let ended = list_item(&db, "Old map", 400, 1, 99).await;

    let ok = eventually(5, || {
        let db = db.clone();
        async move { home_sections(&db).await.unwrap().most_viewed.len() == 2 }
    })
    .await;
    assert!(ok);
    let s = home_sections(&db).await.unwrap();
    let ids = |cards: &[rbay::items::ItemCard]| cards.iter().map(|c| c.id).collect::<Vec<_>>();
    assert_eq!(
        ids(&s.ending_soon),
        [cheap_soon, dear_later],
        "ended auctions are not 'ending soon'"
    );
    // The rankings are of live auctions: the ended map is in none of them.
    assert_eq!(ids(&s.most_viewed), [cheap_soon, dear_later]);
    assert_eq!(ids(&s.highest_price), [dear_later, cheap_soon]);
    assert!(!ids(&s.most_viewed).contains(&ended));
    let watch = &s.highest_price[0];
    assert_eq!(
        (watch.name.as_str(), watch.price_cents, watch.views),
        ("Gold watch", 90_000, 5)
    );
}

#[tokio::test]
async fn two_lock_holders_never_overlap() {
    let db = test_db().await;
    let inside = Arc::new(AtomicI32::new(0));
    let max_seen = Arc::new(AtomicI32::new(0));
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (db, inside, max_seen) = (db.clone(), inside.clone(), max_seen.clone());
        tasks.push(tokio::spawn(async move {
            let mut fences = Vec::new();
            for _ in 0..5 {
                let lock = Lock::acquire_waiting(
                    &db,
                    "critical",
                    Duration::from_secs(5),
                    Duration::from_secs(20),
                )
                .await
                .unwrap()
                .expect("lock within 20 s");
                let now_inside = inside.fetch_add(1, Ordering::SeqCst) + 1;
                max_seen.fetch_max(now_inside, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(2)).await;
                inside.fetch_sub(1, Ordering::SeqCst);
                fences.push(lock.fence());
                assert!(lock.release(&db).await.unwrap());
            }
            fences
        }));
    }
    let mut fences = Vec::new();
    for t in tasks {
        fences.extend(t.await.unwrap());
    }
    assert_eq!(
        max_seen.load(Ordering::SeqCst),
        1,
        "two holders were inside at once"
    );
    fences.sort();
    fences.dedup();
    assert_eq!(
        fences.len(),
        40,
        "every acquisition gets its own fencing number"
    );
}

#[tokio::test]
async fn an_expired_holder_cannot_release_or_extend_and_has_an_older_fence() {
    let db = test_db().await;
    let first = Lock::try_acquire(&db, "lease", Duration::from_millis(100))
        .await
        .unwrap()
        .unwrap();
    assert!(Lock::try_acquire(&db, "lease", Duration::from_secs(5))
        .await
        .unwrap()
        .is_none());
    let second =
        Lock::acquire_waiting(&db, "lease", Duration::from_secs(5), Duration::from_secs(3))
            .await
            .unwrap()
            .expect("expired lock is free");
    assert!(second.fence() > first.fence());
    assert!(!first.extend(&db, Duration::from_secs(5)).await.unwrap());
    assert!(
        !first.release(&db).await.unwrap(),
        "stale holder must not delete the new lock"
    );
    assert!(Lock::try_acquire(&db, "lease", Duration::from_secs(5))
        .await
        .unwrap()
        .is_none());
    assert!(second.extend(&db, Duration::from_secs(5)).await.unwrap());
    assert!(second.release(&db).await.unwrap());
}
