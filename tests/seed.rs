//! The demo data command's core, on a real Redis.
#![cfg(feature = "ssr")]
// A test fails by panicking: unwrapping is how it says what went wrong.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use rbay::accounts::server::{self as accounts, AuthPolicy};
use rbay::server::redis::rate_limit::Limit;
use rbay::server::seed;
use std::time::Duration;

#[tokio::test]
async fn seeds_users_items_bids_and_the_demo_login_inside_the_namespace_only() {
    let db = test_db().await;
    let mut conn = db.raw_conn();
    let outsider = format!("outside-{}", db.keys().prefix());
    let _: () = redis::cmd("SET")
        .arg(&outsider)
        .arg("keep me")
        .query_async(&mut conn)
        .await
        .unwrap();

    assert!(seed::is_empty(&db).await.unwrap());
    seed::run(&db, 3, 6).await.unwrap();
    assert!(!seed::is_empty(&db).await.unwrap());

    let policy = AuthPolicy {
        per_ip: Limit::per_secs(100, 60),
        per_username: Limit::per_secs(100, 60),
        session_ttl: Duration::from_secs(60),
    };
    let demo = accounts::sign_in(
        &db,
        &policy,
        "t",
        seed::DEMO_USERNAME,
        seed::DEMO_PASSWORD,
        None,
    )
    .await;
    assert!(demo.is_ok(), "the documented demo login must work");

    let keys = keys_in_namespace(&db).await;
    let item_hashes = keys
        .iter()
        .filter(|k| k.starts_with(&db.keys().items_prefix()))
        .count();
    assert_eq!(item_hashes, 6);
    assert!(
        (1..=6u64).any(|id| keys.contains(&db.keys().item_bids(id))),
        "some bids were placed"
    );
    assert!(
        keys.contains(&db.keys().demo_image(0)),
        "photos were stored"
    );
    assert!(
        rbay::items::server::photo(&db, rbay::items::ItemId(1), true)
            .await
            .unwrap()
            .is_some(),
        "items show their photo"
    );
    let kept: String = redis::cmd("GET")
        .arg(&outsider)
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_eq!(kept, "keep me");
    let _: () = redis::cmd("DEL")
        .arg(&outsider)
        .query_async(&mut conn)
        .await
        .unwrap();

    // Seeding again reuses the accounts instead of failing.
    seed::run(&db, 3, 1).await.unwrap();
}
