//! Notifications against a real Redis: coalescing, once-only delivery, the unread count (also
//! as the session lookup reports it), the cap, reading, and the live push.
#![cfg(feature = "ssr")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use rbay::accounts::UserId;
use rbay::notifications::server::{inbox, mark_read, notify, NewNotice};
use rbay::notifications::{NoticeKind, KEPT};
use rbay::server::Db;

fn notice(user_id: UserId, kind: NoticeKind, item_id: u64, price: i64) -> NewNotice {
    NewNotice {
        user_id,
        kind,
        item_id,
        item_name: format!("Item {item_id}"),
        price_cents: price,
        actor: "bea".into(),
        once: None,
    }
}

async fn unread(db: &Db, user: u64) -> u32 {
    inbox(db, UserId(user)).await.unwrap().unread
}

#[tokio::test]
async fn a_burst_of_outbids_is_one_notice_and_other_kinds_are_their_own() {
    let db = test_db().await;
    for price in [100, 200, 300] {
        notify(&db, &notice(UserId(7), NoticeKind::Outbid, 1, price))
            .await
            .unwrap();
    }
    notify(&db, &notice(UserId(7), NoticeKind::Outbid, 2, 50))
        .await
        .unwrap();
    notify(&db, &notice(UserId(7), NoticeKind::Won, 1, 300))
        .await
        .unwrap();
    let seen = inbox(&db, UserId(7)).await.unwrap();
    assert_eq!(seen.unread, 3);
    assert_eq!(seen.notices.len(), 3);
    assert_eq!(seen.notices[0].kind, NoticeKind::Won, "newest first");
    let burst = seen
        .notices
        .iter()
        .find(|n| n.item_id == 1 && n.kind == NoticeKind::Outbid)
        .unwrap();
    assert_eq!(
        (burst.count, burst.price_cents),
        (3, 300),
        "the latest price"
    );
    assert_eq!(
        burst.text(),
        "You were outbid on Item 1 (3 times): now $3.00."
    );
    // Once read, another outbid on the same item in the same minute is new again.
    assert_eq!(mark_read(&db, UserId(7)).await.unwrap(), 3);
    assert_eq!(unread(&db, 7).await, 0);
    assert!(inbox(&db, UserId(7))
        .await
        .unwrap()
        .notices
        .iter()
        .all(|n| n.read));
    notify(&db, &notice(UserId(7), NoticeKind::Outbid, 1, 400))
        .await
        .unwrap();
    let seen = inbox(&db, UserId(7)).await.unwrap();
    assert_eq!((seen.unread, seen.notices.len()), (1, 3));
    // Found by item and kind: within one millisecond of the "Won" notice it may sort second.
    let burst = seen
        .notices
        .iter()
        .find(|n| n.item_id == 1 && n.kind == NoticeKind::Outbid)
        .unwrap();
    assert_eq!((burst.count, burst.read), (4, false));
    // Nobody else's inbox moved.
    assert!(inbox(&db, UserId(8)).await.unwrap().notices.is_empty());
}

#[tokio::test]
async fn a_notice_with_a_once_key_is_delivered_once_and_the_inbox_is_capped() {
    let db = test_db().await;
    let mut won = notice(UserId(3), NoticeKind::Won, 9, 100);
    won.once = Some("won:9".into());
    assert_eq!(notify(&db, &won).await.unwrap().unread, Some(1));
    assert_eq!(
        notify(&db, &won).await.unwrap().unread,
        None,
        "the job ran twice"
    );
    assert_eq!(inbox(&db, UserId(3)).await.unwrap().notices.len(), 1);
    for item in 100..100 + KEPT as u64 + 5 {
        notify(&db, &notice(UserId(3), NoticeKind::Sold, item, 100))
            .await
            .unwrap();
    }
    let seen = inbox(&db, UserId(3)).await.unwrap();
    assert_eq!(seen.notices.len(), KEPT, "the oldest went");
    assert_eq!(
        seen.unread as usize, KEPT,
        "and their unread marks with them"
    );
    assert!(seen.notices.iter().all(|n| n.kind == NoticeKind::Sold));
}

#[tokio::test]
async fn the_session_lookup_reports_the_unread_count() {
    use rbay::accounts::server::{self as accounts, sessions, AuthPolicy};
    use rbay::server::redis::rate_limit::Limit;
    use std::time::Duration;
    let db = test_db().await;
    let policy = AuthPolicy {
        per_ip: Limit::per_secs(100, 60),
        per_username: Limit::per_secs(100, 60),
        session_ttl: Duration::from_secs(600),
    };
    let pw = "correct horse battery";
    let created = accounts::sign_up(
        &db,
        &policy,
        "1.1.1.1",
        accounts::SignUp::new("noticer", pw, pw),
    )
    .await
    .unwrap();
    let lookup = || sessions::lookup(&db, &created.token, policy.session_ttl);
    assert_eq!(lookup().await.unwrap().unwrap().unread, 0);
    notify(&db, &notice(created.user_id, NoticeKind::Comment, 1, 0))
        .await
        .unwrap();
    assert_eq!(lookup().await.unwrap().unwrap().unread, 1);
}

#[tokio::test]
async fn a_notice_is_pushed_to_the_users_channel() {
    let db = test_db().await;
    let mut pubsub = db.node_client(0).get_async_pubsub().await.unwrap();
    pubsub
        .subscribe(db.keys().user_channel(UserId(5)))
        .await
        .unwrap();
    notify(&db, &notice(UserId(5), NoticeKind::Outbid, 1, 100))
        .await
        .unwrap();
    let mut messages = pubsub.on_message();
    let message = tokio::time::timeout(std::time::Duration::from_secs(2), async {
        use futures_util::StreamExt;
        messages.next().await.unwrap()
    })
    .await
    .unwrap();
    assert_eq!(
        message.get_payload::<String>().unwrap(),
        r#"notice {"unread":1}"#
    );
}
