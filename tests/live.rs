//! Comments and live updates against a real Redis: pub/sub fan-out to several subscribers
//! (as two app instances would hold), the replay buffer, comment rules, delete permissions
//! and the rate limit.
#![cfg(feature = "ssr")]
// A test fails by panicking: unwrapping is how it says what went wrong.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use rbay::accounts::UserId;
use rbay::comments::server as comments;
use rbay::comments::{CommentEvent, CommentProblem};
use rbay::items::server::{self as items};
use rbay::items::{ItemEvent, ItemId, NewItem};
use rbay::live::server::{self as live, LiveHub};
use rbay::server::redis::rate_limit::Limit;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::timeout;

const LIMIT: Limit = Limit::per_secs(100, 60);

async fn item(db: &rbay::server::Db) -> ItemId {
    let new = NewItem {
        name: "Lamp".into(),
        description: "A lamp".into(),
        start_cents: 100,
        duration_ms: 60_000,
        ..Default::default()
    };
    items::create(db, UserId(1), "seller", &new, None)
        .await
        .unwrap()
}

#[tokio::test]
async fn one_publish_reaches_every_subscriber_on_every_instance() {
    let db = test_db().await;
    let id = item(&db).await;
    // Two hubs = two app instances, each with one Redis subscription.
    let (hub_a, hub_b) = (Arc::new(LiveHub::default()), Arc::new(LiveHub::default()));
    let _tasks = (hub_a.spawn(&db), hub_b.spawn(&db));
    let mut receivers = [
        hub_a.subscribe(&id.to_string()).unwrap(),
        hub_a.subscribe(&id.to_string()).unwrap(),
        hub_b.subscribe(&id.to_string()).unwrap(),
    ];
    let mut other_item = hub_b.subscribe("999999").unwrap();
    // Both subscriptions are live once a probe published on another item reaches each hub.
    let mut probes = [
        hub_a.subscribe("424242").unwrap(),
        hub_b.subscribe("424242").unwrap(),
    ];
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    for probe in probes.iter_mut() {
        loop {
            live::publish(&db, 424_242, &ItemEvent::Views { views: 0 }).await;
            if timeout(Duration::from_millis(50), probe.recv())
                .await
                .is_ok()
            {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the hub's Redis subscription is up"
            );
        }
    }
    drop(probes);

    rbay::auction::server::place_bid(&db, UserId(2), "bob", id, 100)
        .await
        .unwrap();
    for rx in receivers.iter_mut() {
        let msg = timeout(Duration::from_secs(2), rx.recv())
            .await
            .expect("event within 2 s")
            .unwrap();
        assert_eq!(msg.kind, "bid");
        let event: ItemEvent = serde_json::from_str(&msg.data).unwrap();
        assert!(
            matches!(event, ItemEvent::Bid { price_cents: 100, bids: 1, ref bidder_name, .. } if bidder_name == "bob")
        );
    }
    assert!(
        timeout(Duration::from_millis(100), other_item.recv())
            .await
            .is_err(),
        "events stay on their item"
    );
    assert_eq!(hub_a.listeners(), 2);
}

#[tokio::test]
async fn events_are_kept_for_replay_in_order() {
    let db = test_db().await;
    let id = item(&db).await;
    rbay::auction::server::place_bid(&db, UserId(2), "bob", id, 100)
        .await
        .unwrap();
    let visitor = rbay::engagement::server::Visitor::from("a:new-visitor");
    rbay::engagement::server::count_view(&db, id, &visitor)
        .await
        .unwrap();
    rbay::engagement::server::count_view(&db, id, &visitor)
        .await
        .unwrap(); // not new: no event
    let mut conn = db.raw_conn();
    let entries = event_stream(&db, id).await;
    let kinds: Vec<&str> = entries.iter().map(|(_, f)| f["kind"].as_str()).collect();
    assert_eq!(kinds, ["bid", "views"]);
    let ttl: i64 = redis::cmd("PTTL")
        .arg(db.keys().item_events(id))
        .query_async(&mut conn)
        .await
        .unwrap();
    assert!(ttl > 0, "the replay buffer expires");
    // A later event goes to the end of the same stream, with a larger id.
    live::publish(&db, id.0, &ItemEvent::Views { views: 9 }).await;
    let after = event_stream(&db, id).await;
    assert_eq!(after.len(), entries.len() + 1);
    let (last_id, last) = after.last().unwrap();
    assert_eq!(last["kind"], "views");
    assert_eq!(
        serde_json::from_str::<ItemEvent>(&last["data"]).unwrap(),
        ItemEvent::Views { views: 9 }
    );
    let entry = |id: &str| -> (u64, u64) {
        let (ms, seq) = id.split_once('-').unwrap();
        (ms.parse().unwrap(), seq.parse().unwrap())
    };
    assert!(after
        .iter()
        .rev()
        .skip(1)
        .all(|(id, _)| entry(id) < entry(last_id)));
}

#[tokio::test]
async fn comments_are_validated_listed_newest_first_and_deleted_only_by_their_author() {
    let db = test_db().await;
    let id = item(&db).await;
    for bad in ["", "   \n\t ", &"x".repeat(1001)] {
        let got = comments::add(&db, LIMIT, id, UserId(5), "ann", bad)
            .await
            .unwrap();
        assert!(
            matches!(got, Err(CommentProblem::Empty | CommentProblem::TooLong)),
            "{bad:?}"
        );
    }
    assert_eq!(
        comments::add(&db, LIMIT, ItemId(424_242), UserId(5), "ann", "hi")
            .await
            .unwrap(),
        Err(CommentProblem::NotFound)
    );
    assert_eq!(
        comments::list(&db, id, 0, 10).await.unwrap().0,
        0,
        "nothing written"
    );

    let first = comments::add(&db, LIMIT, id, UserId(5), "ann", "First!\nTwo lines")
        .await
        .unwrap()
        .unwrap();
    let xss = comments::add(
        &db,
        LIMIT,
        id,
        UserId(6),
        "ben",
        "<img src=x onerror=alert(1)>",
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(
        xss.text, "<img src=x onerror=alert(1)>",
        "stored as text, escaped when shown"
    );
    let (total, list) = comments::list(&db, id, 0, 10).await.unwrap();
    assert_eq!(total, 2);
    assert_eq!(
        list.iter().map(|c| c.id).collect::<Vec<_>>(),
        [xss.id, first.id]
    );
    assert_eq!(list[1].text, "First!\nTwo lines");
    assert_eq!(items::get(&db, id).await.unwrap().unwrap().comments, 2);

    assert_eq!(
        comments::delete(&db, id, first.id, UserId(6))
            .await
            .unwrap(),
        Err(CommentProblem::NotYours)
    );
    assert_eq!(
        comments::list(&db, id, 0, 10).await.unwrap().0,
        2,
        "refused delete changed nothing"
    );
    assert_eq!(
        comments::delete(&db, id, first.id, UserId(5))
            .await
            .unwrap(),
        Ok(())
    );
    assert_eq!(
        comments::delete(&db, id, first.id, UserId(5))
            .await
            .unwrap(),
        Err(CommentProblem::NotFound)
    );
    assert_eq!(items::get(&db, id).await.unwrap().unwrap().comments, 1);
    // The scripts announced each change in the same step, in the browser's format.
    let events: Vec<CommentEvent> = event_stream(&db, id)
        .await
        .iter()
        .map(|(_, f)| serde_json::from_str(&f["data"]).unwrap())
        .collect();
    assert!(
        matches!(
            &events[..],
            [
                CommentEvent::Comment { count: 1, .. },
                CommentEvent::Comment { comment, count: 2 },
                CommentEvent::CommentDeleted { count: 1, .. },
            ] if comment.text == "<img src=x onerror=alert(1)>" && comment.author_name == "ben"
        ),
        "{events:?}"
    );
    // Pagination.
    for n in 0..5 {
        comments::add(&db, LIMIT, id, UserId(7), "cy", &format!("c{n}"))
            .await
            .unwrap()
            .unwrap();
    }
    let (_, page2) = comments::list(&db, id, 2, 2).await.unwrap();
    assert_eq!(
        page2.iter().map(|c| c.text.as_str()).collect::<Vec<_>>(),
        ["c2", "c1"]
    );
}

#[tokio::test]
async fn commenting_is_rate_limited_per_user() {
    let db = test_db().await;
    let id = item(&db).await;
    let limit = Limit::per_secs(3, 60);
    for n in 0..3 {
        comments::add(&db, limit, id, UserId(8), "dee", &format!("n{n}"))
            .await
            .unwrap()
            .unwrap();
    }
    let refused = comments::add(&db, limit, id, UserId(8), "dee", "one more")
        .await
        .unwrap();
    assert!(
        matches!(refused, Err(CommentProblem::RateLimited(1..=60))),
        "{refused:?}"
    );
    assert!(
        comments::add(&db, limit, id, UserId(9), "eve", "someone else")
            .await
            .unwrap()
            .is_ok()
    );
    assert_eq!(comments::list(&db, id, 0, 10).await.unwrap().0, 4);
}

#[tokio::test]
async fn the_closer_announces_ended_auctions_once() {
    let db = test_db().await;
    let new = NewItem {
        name: "Quick".into(),
        description: "Ends fast".into(),
        start_cents: 100,
        duration_ms: 300,
        soft_close: false,
        ..Default::default()
    };
    let id = items::create(&db, UserId(1), "s", &new, None)
        .await
        .unwrap();
    rbay::auction::server::place_bid(&db, UserId(2), "winner", id, 100)
        .await
        .unwrap();
    let closed = eventually(5, || {
        let db = db.clone();
        async move { rbay::auction::server::closer::close_due(&db).await.unwrap() >= 1 }
    })
    .await;
    assert!(closed);
    assert_eq!(
        rbay::auction::server::closer::close_due(&db).await.unwrap(),
        0,
        "closed only once"
    );
    let entries = event_stream(&db, id).await;
    let ended = entries
        .iter()
        .find(|(_, f)| f["kind"] == "ended")
        .expect("an ended event");
    assert!(ended.1["data"].contains("winner"));
}
