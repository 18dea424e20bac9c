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

/// A raw request on a fresh connection; returns the socket after reading the response head
/// (up to the blank line), and the head as text.
fn open_raw(port: u16, request: &[u8]) -> (std::net::TcpStream, String) {
    use std::io::{Read, Write};
    let mut socket = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    socket
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    socket.write_all(request).unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match socket.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            other => panic!("the head ended early ({other:?}): {head:?}"),
        }
    }
    (socket, String::from_utf8_lossy(&head).to_ascii_lowercase())
}

/// Live streams are served beside hyper (`server::http::streams`): through the same router and
/// middleware, one response per connection, freed as soon as the browser goes; heads are
/// bounded; and a stream asked for on a kept-alive connection still works, through hyper.
#[tokio::test(flavor = "multi_thread")]
async fn streams_are_served_lean_through_the_same_router() {
    const TOKEN: &str = "a-scraper-token-for-tests";
    let prefix = fresh_prefix();
    let server = Server::start(
        &redis_url(),
        &[
            ("RBAY_KEY_PREFIX", prefix.as_str()),
            ("RBAY_METRICS_TOKEN", TOKEN),
        ],
    );
    server.wait_ready();
    let id = common::list_item(
        &common::db_in(&prefix).await,
        "Lean lamp",
        1_000,
        600_000,
        0,
    )
    .await;
    let streams = || {
        let r = server.request(
            "GET",
            "/metrics",
            &[("Authorization", &format!("Bearer {TOKEN}"))],
            "",
        );
        r.body
            .lines()
            .find_map(|l| l.strip_prefix("rbay_live_streams "))
            .and_then(|v| v.trim().parse::<u32>().ok())
            .expect("the live streams gauge")
    };
    let stream_request =
        format!("GET /items/{id}/events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n");

    // One response per connection, its end the connection's; the middleware's headers on it.
    let mut open = Vec::new();
    for _ in 0..3 {
        let (socket, head) = open_raw(server.port, stream_request.as_bytes());
        assert!(head.starts_with("http/1.1 200"), "{head}");
        assert!(head.contains("content-type: text/event-stream"), "{head}");
        assert!(head.contains("connection: close"), "{head}");
        assert!(!head.contains("transfer-encoding"), "{head}");
        assert!(head.contains("x-content-type-options: nosniff"), "{head}");
        open.push(socket);
    }
    assert_eq!(streams(), 3);
    // A browser that goes is let go at once, not at the next keep-alive comment (15 s).
    drop(open);
    assert!(
        common::server::wait_until(Duration::from_secs(3), || streams() == 0).is_ok(),
        "closed streams still counted: {}",
        streams()
    );

    // The same rules as every route: a user's notices need a session.
    let (_, head) = open_raw(server.port, b"GET /api/live/me HTTP/1.1\r\nHost: x\r\n\r\n");
    assert!(head.starts_with("http/1.1 401"), "{head}");
    assert!(head.contains("content-length:"), "{head}");
    let signed_up = server.request(
        "POST",
        "/api/auth/signup",
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Accept", "text/html"),
            ("Origin", &server.origin()),
        ],
        "username=lean_reader&password=correct+horse+battery&confirm=correct+horse+battery",
    );
    let cookie = session_cookie(&signed_up);
    let (mut mine, head) = open_raw(
        server.port,
        format!("GET /api/live/me HTTP/1.1\r\nHost: x\r\nCookie: {cookie}\r\n\r\n").as_bytes(),
    );
    assert!(head.starts_with("http/1.1 200"), "{head}");
    let mut first = [0u8; 64];
    let n = std::io::Read::read(&mut mine, &mut first).unwrap();
    assert!(
        String::from_utf8_lossy(&first[..n]).contains("event: notice"),
        "the current count comes first"
    );

    // Bounded heads, and no body on a stream request.
    let mut long = format!("GET /items/{id}/events HTTP/1.1\r\nX-Pad: ");
    long.push_str(&"a".repeat(9_000));
    long.push_str("\r\n\r\n");
    let (_, head) = open_raw(server.port, long.as_bytes());
    assert!(head.starts_with("http/1.1 431"), "{head}");
    let (_, head) = open_raw(
        server.port,
        format!("GET /items/{id}/events HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc").as_bytes(),
    );
    assert!(head.starts_with("http/1.1 400"), "{head}");

    // Asked for after another request on a kept-alive connection: hyper serves it.
    let both = format!("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n{stream_request}");
    let (mut kept, head) = open_raw(server.port, both.as_bytes());
    assert!(head.starts_with("http/1.1 200"), "{head}");
    let mut rest = Vec::new();
    let mut buf = [0u8; 512];
    while !String::from_utf8_lossy(&rest).contains("text/event-stream") {
        let n = std::io::Read::read(&mut kept, &mut buf).unwrap();
        assert!(
            n > 0,
            "the connection closed: {}",
            String::from_utf8_lossy(&rest)
        );
        rest.extend_from_slice(&buf[..n]);
    }
    assert_eq!(streams(), 2, "the user's stream and the kept-alive one");
    drop((kept, mine));
}
