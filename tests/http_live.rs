//! Live updates through two real server instances sharing one Redis: an event caused on
//! instance A reaches a server-sent-events stream on instance B, and a reconnect with
//! Last-Event-ID replays what was missed.
#![cfg(feature = "ssr")]
// A test fails by panicking: unwrapping is how it says what went wrong.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::server::{session_cookie, Server};
use common::sse::{event_ids, open_events, wait_for};
use common::{fresh_prefix, redis_url};
use rbay::accounts::UserId;
use rbay::items::server::{self as items};
use rbay::items::NewItem;
use rbay::server::Keys;
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread")]
async fn events_cross_instances_and_replay_after_a_reconnect() {
    let prefix = fresh_prefix();
    let env = [
        ("RBAY_KEY_PREFIX", prefix.as_str()),
        ("RBAY_BID_LIMIT", "100/10"),
    ];
    let (a, mut b) = (
        Server::start(&redis_url(), &env),
        Server::start(&redis_url(), &env),
    );
    a.wait_ready();
    b.wait_ready();
    let db = rbay::server::redis::connect(&redis_url(), Keys::new(&prefix))
        .await
        .unwrap();
    let new = NewItem {
        name: "Shared lamp".into(),
        description: "Seen twice".into(),
        start_cents: 1_000,
        duration_ms: 600_000,
        ..Default::default()
    };
    let id = items::create(&db, UserId(999), "seller", &new, None)
        .await
        .unwrap();

    // A bidder with a session on instance A.
    let origin = format!("http://127.0.0.1:{}", a.port);
    let sign_up = |name: &str| {
        let signed_up = a.request(
            "POST",
            "/api/auth/signup",
            &[
                ("Content-Type", "application/x-www-form-urlencoded"),
                ("Accept", "text/html"),
                ("Origin", &origin),
            ],
            &format!(
                "username={name}&password=correct+horse+battery&confirm=correct+horse+battery"
            ),
        );
        session_cookie(&signed_up)
    };
    let cookie = sign_up("sse_bidder");
    let rival = sign_up("sse_rival");
    let bid_as = |cookie: &str, amount: &str| {
        a.request(
            "POST",
            "/api/items/bid",
            &[
                ("Content-Type", "application/x-www-form-urlencoded"),
                ("Accept", "application/json"),
                ("Origin", &origin),
                ("Cookie", cookie),
            ],
            &format!("item_id={id}&amount={amount}"),
        )
    };
    let bid = |amount: &str| bid_as(&cookie, amount);

    // Watching on B; bidding on A.
    let events = open_events(b.port, &id.to_string(), None);
    // The handler subscribes before it answers: once the headers are here, it listens.
    assert!(wait_for(&events, "text/event-stream", Duration::from_secs(2)).is_some());
    let sent = Instant::now();
    let reply = bid("10");
    assert!(reply.body.contains("Accepted"), "{}", reply.body);
    let seen = wait_for(&events, "event: bid", Duration::from_secs(2))
        .expect("the bid reached instance B within 2 s");
    assert!(sent.elapsed() < Duration::from_secs(2));
    assert!(
        seen.contains("\"price_cents\":1000") && seen.contains("sse_bidder"),
        "{seen}"
    );
    let first_id = event_ids(&seen).last().cloned().expect("events carry ids");
    drop(events);

    // While nobody watches, two more bids (maximums: each leads by one increment).
    assert!(bid_as(&rival, "11").body.contains("Accepted"));
    assert!(bid("12").body.contains("Accepted"));

    // Reconnecting with Last-Event-ID replays exactly the missed ones, in order.
    let replay = open_events(b.port, &id.to_string(), Some(&first_id));
    let seen = wait_for(&replay, "\"price_cents\":1150", Duration::from_secs(2))
        .expect("missed events replayed");
    let prices: Vec<&str> = [
        "\"price_cents\":1000",
        "\"price_cents\":1050",
        "\"price_cents\":1150",
    ]
    .into_iter()
    .filter(|p| seen.contains(p))
    .collect();
    assert_eq!(
        prices,
        ["\"price_cents\":1050", "\"price_cents\":1150"],
        "{seen}"
    );

    // Unknown items have no stream.
    assert_eq!(b.get("/items/abc/events").status, 404);

    // Open live streams do not hold up a graceful shutdown.
    let _watching = open_events(b.port, &id.to_string(), None);
    assert!(wait_for(&_watching, "text/event-stream", Duration::from_secs(2)).is_some());
    assert!(
        b.terminate(Duration::from_secs(5)),
        "SIGTERM must stop the server despite open streams"
    );
}
