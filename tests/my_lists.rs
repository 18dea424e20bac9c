//! The watchlist (with its reminders) and the user's lists: My bids, Won / Sold, against a
//! real Redis.
#![cfg(feature = "ssr")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use rbay::accounts::UserId;
use rbay::auction::server::closer;
use rbay::engagement::server::watch;
use rbay::items::server as items;
use rbay::items::{ItemId, NewItem};
use rbay::my_lists::server::mine;
use rbay::my_lists::MyStatus;
use rbay::server::jobs;
use rbay::server::Db;

async fn list(db: &Db, seller: u64, name: &str, duration_ms: i64) -> ItemId {
    let item = NewItem {
        name: name.into(),
        description: format!("{name}, boxed."),
        start_cents: 1_000,
        duration_ms,
        soft_close: false,
        ..Default::default()
    };
    items::create(db, UserId(seller), "seller", &item, None)
        .await
        .unwrap()
}

#[tokio::test]
async fn watching_counts_lists_by_end_and_schedules_reminders() {
    let db = test_db().await;
    let later = list(&db, 1, "Later clock", 2 * 3_600_000).await;
    let sooner = list(&db, 1, "Sooner clock", 30 * 60_000).await;
    let delayed = || async {
        jobs::counts(&db, &[items::close_job::QUEUE], 1)
            .await
            .unwrap()[0]
            .delayed
    };
    let before = delayed().await; // the two closing jobs
    assert_eq!(
        watch::set_watch(&db, UserId(7), later, true).await.unwrap(),
        Some((true, 1))
    );
    assert_eq!(
        delayed().await,
        before + 2,
        "an hour and ten minutes before the end"
    );
    assert_eq!(
        watch::set_watch(&db, UserId(7), sooner, true)
            .await
            .unwrap(),
        Some((true, 1))
    );
    assert_eq!(
        delayed().await,
        before + 3,
        "only the ten-minute reminder is still ahead"
    );
    // Watching twice changes nothing; another watcher counts.
    assert_eq!(
        watch::set_watch(&db, UserId(7), later, true).await.unwrap(),
        Some((true, 1))
    );
    assert_eq!(delayed().await, before + 3);
    assert_eq!(
        watch::set_watch(&db, UserId(8), later, true).await.unwrap(),
        Some((true, 2))
    );
    let cards = watch::watching(&db, UserId(7)).await.unwrap();
    let names: Vec<&str> = cards.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["Sooner clock", "Later clock"], "soonest end first");
    let page = items::page(&db, later, Some(UserId(7)))
        .await
        .unwrap()
        .unwrap();
    assert!(page.watching);
    assert_eq!(page.item.watchers, 2);
    assert_eq!(
        watch::set_watch(&db, UserId(7), later, false)
            .await
            .unwrap(),
        Some((false, 1))
    );
    assert_eq!(watch::watching(&db, UserId(7)).await.unwrap().len(), 1);
    assert_eq!(
        watch::set_watch(&db, UserId(7), ItemId(999_999), true)
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn a_reminder_reaches_only_a_user_who_still_watches_a_running_auction() {
    let db = test_db().await;
    let id = list(&db, 1, "Watched vase", 3_600_000).await;
    watch::set_watch(&db, UserId(7), id, true).await.unwrap();
    let payload = |user: u64| format!(r#"{{"item":{id},"user":{user},"minutes":10}}"#);
    watch::run_reminder_job(&db, &payload(7)).await.unwrap();
    watch::run_reminder_job(&db, &payload(7)).await.unwrap();
    // Delivered through the notify queue: run it by hand here.
    let queued = jobs::counts(&db, &[rbay::notifications::server::QUEUE], 1)
        .await
        .unwrap()[0]
        .waiting;
    assert_eq!(queued, 1, "once, however often the job runs");
    // Someone who stopped watching hears nothing.
    watch::set_watch(&db, UserId(8), id, true).await.unwrap();
    watch::set_watch(&db, UserId(8), id, false).await.unwrap();
    watch::run_reminder_job(&db, &payload(8)).await.unwrap();
    let queued = jobs::counts(&db, &[rbay::notifications::server::QUEUE], 1)
        .await
        .unwrap()[0]
        .waiting;
    assert_eq!(queued, 1);
}

#[tokio::test]
async fn an_ended_auction_cannot_be_watched_but_can_be_unwatched() {
    let db = test_db().await;
    let id = list(&db, 1, "Short lamp", 300).await;
    watch::set_watch(&db, UserId(7), id, true).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    // Over by the clock, before any closing job ran: refused, and nothing stored.
    let refused = watch::set_watch(&db, UserId(8), id, true).await;
    assert!(
        matches!(refused, Err(rbay::error::AppError::Invalid(_))),
        "{refused:?}"
    );
    assert!(watch::watching(&db, UserId(8)).await.unwrap().is_empty());
    // Closed by the job: still refused.
    closer::close_due(&db).await.unwrap();
    assert!(watch::set_watch(&db, UserId(8), id, true).await.is_err());
    // A watcher can always let go.
    assert_eq!(
        watch::set_watch(&db, UserId(7), id, false).await.unwrap(),
        Some((false, 0))
    );
}

#[tokio::test]
async fn my_bids_and_won_sold_say_where_the_user_stands() {
    let db = test_db().await;
    let contested = list(&db, 1, "Contested lamp", 600).await;
    let quiet = list(&db, 1, "Quiet lamp", 600).await;
    let running = list(&db, 1, "Running lamp", 3_600_000).await;
    rbay::auction::server::place_bid(&db, UserId(2), "ann", contested, 2_000)
        .await
        .unwrap();
    rbay::auction::server::place_bid(&db, UserId(3), "ben", contested, 1_500)
        .await
        .unwrap();
    rbay::auction::server::place_bid(&db, UserId(3), "ben", running, 1_000)
        .await
        .unwrap();
    rbay::auction::server::place_bid(&db, UserId(2), "ann", running, 1_200)
        .await
        .unwrap();
    let status = |list: &[rbay::my_lists::MyItem], id: ItemId| {
        list.iter().find(|m| m.card.id == id).map(|m| m.status)
    };
    let bens = mine::my_bids(&db, UserId(3)).await.unwrap();
    assert_eq!(status(&bens, running), Some(MyStatus::Outbid));
    assert_eq!(status(&bens, contested), Some(MyStatus::Outbid));
    let anns = mine::my_bids(&db, UserId(2)).await.unwrap();
    assert_eq!(status(&anns, running), Some(MyStatus::Winning));
    assert_eq!(
        anns.iter()
            .find(|m| m.card.id == running)
            .unwrap()
            .my_max_cents,
        Some(1_200)
    );
    // After the end.
    let both_closed = eventually(3, || {
        let db = db.clone();
        async move {
            closer::close_due(&db).await.unwrap();
            let mut closed = true;
            for id in [contested, quiet] {
                closed &= items::get(&db, id)
                    .await
                    .unwrap()
                    .unwrap()
                    .outcome
                    .is_some();
            }
            closed
        }
    })
    .await;
    assert!(both_closed);
    let (won, _) = mine::won_and_sold(&db, UserId(2)).await.unwrap();
    assert_eq!(won.len(), 1);
    assert_eq!(
        (won[0].status, won[0].other_party.as_deref()),
        (MyStatus::Won, Some("seller"))
    );
    assert_eq!(
        status(&mine::my_bids(&db, UserId(3)).await.unwrap(), contested),
        Some(MyStatus::Lost)
    );
    let (_, sold) = mine::won_and_sold(&db, UserId(1)).await.unwrap();
    assert_eq!(status(&sold, contested), Some(MyStatus::Sold));
    assert_eq!(
        sold.iter()
            .find(|m| m.card.id == contested)
            .unwrap()
            .other_party
            .as_deref(),
        Some("ann")
    );
    assert_eq!(status(&sold, quiet), Some(MyStatus::Unsold));
    assert_eq!(status(&sold, running), None, "still running");
}
