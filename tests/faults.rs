//! The fault suite: real processes killed, stalled and starved under load, through the real
//! server binary. Each test starts its own redis-server (`common::redis_process`) and its own
//! app instances, and is bounded in time.
//!
//! 1. `kill -9` of Redis under bid load from 20 clients on two instances: every bid that was
//!    answered "accepted" is in the history after Redis restarts from its AOF.
//! 2. `kill -9` of an app instance: a live stream reconnecting to the other instance with
//!    `Last-Event-ID` misses nothing and sees nothing twice.
//! 3. A stalled Redis (`CLIENT PAUSE`): reads answer 503 within the deadline, no pile-up, and
//!    pages work again by themselves.
//! 4. A full Redis (`maxmemory`, `noeviction`): writes are refused with a clear message and
//!    change nothing; pages still read.
//!
//! 5. `kill -9` of a cluster primary under the same bid load: its replica takes over and holds
//!    every bid that was answered "accepted" (bids wait for a replica); live streams and job
//!    workers follow the new primary without a restart.
//! 6. Slots moved to a fourth primary (`CLUSTER SETSLOT`, `MIGRATE`) under the same bid load
//!    and searches: no bid answered "accepted" is lost, the site keeps answering, and search
//!    finds every listing exactly once afterwards.
//!
//! (A worker killed mid-job finishing its job exactly once is in `tests/jobs.rs`.)
#![cfg(feature = "ssr")]
// A test fails by panicking: unwrapping is how it says what went wrong.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::redis_process::{RedisCluster, RedisProcess};
use common::server::{call, create_item, created_id, free_port, sign_up, Server};
use common::sse::{event_ids, open_events, wait_for};
use rbay::server::Keys;
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// `12.34` for 1234 cents, as the bid form takes it.
fn dollars(cents: i64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

fn bid(server: &Server, cookie: &str, item: &str, cents: i64) -> common::server::Response {
    call(
        server,
        "/api/items/bid",
        &format!("item_id={item}&amount={}", dollars(cents)),
        Some(cookie),
    )
}

/// `(bids, price_cents, min_next_cents)` of an accepted bid's JSON answer.
fn accepted(body: &str) -> Option<(i64, i64, i64)> {
    let v: serde_json::Value = serde_json::from_str(body).ok()?;
    let a = v.get("Accepted")?;
    Some((
        a["bids"].as_i64()?,
        a["price_cents"].as_i64()?,
        a["min_next_cents"].as_i64()?,
    ))
}

/// The item's bid history, oldest first, as `(bidder_id, cents)`.
fn history(redis: &RedisProcess, keys: &Keys, item: u64) -> Vec<(String, i64)> {
    let rows: Vec<String> = redis
        .query(
            redis::cmd("LRANGE")
                .arg(keys.item_bids(item))
                .arg(0)
                .arg(-1),
        )
        .unwrap();
    rows.iter()
        .rev()
        .map(|row| {
            let mut parts = row.split('|');
            let bidder = parts.next().unwrap().to_string();
            let cents = parts.next().unwrap().parse().unwrap();
            (bidder, cents)
        })
        .collect()
}

fn state_field(redis: &RedisProcess, keys: &Keys, item: u64, field: &str) -> i64 {
    let v: Option<i64> = redis
        .query(redis::cmd("HGET").arg(keys.item_state(item)).arg(field))
        .unwrap();
    v.unwrap_or_else(|| panic!("item {item} has no {field}"))
}

fn wait_healthy(servers: &[&Server], limit: Duration) {
    let deadline = Instant::now() + limit;
    for server in servers {
        while server.get("/healthz").status != 200 {
            assert!(
                Instant::now() < deadline,
                "instance on {} not ready again",
                server.port
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// An accepted bid as its answer gave it: `(bids, price_cents, when)`.
type Acked = (i64, i64, Instant);

/// 20 clients, half on each instance, each bidding just above the last minimum it heard,
/// until [`BidLoad::finish`].
struct BidLoad {
    stop: Arc<AtomicBool>,
    acked: Arc<Mutex<Vec<Acked>>>,
    answers: Arc<Mutex<Vec<(u16, Duration)>>>,
    clients: Vec<std::thread::JoinHandle<()>>,
}

impl BidLoad {
    fn start(servers: Arc<[Server; 2]>, cookies: Vec<String>, item: &str) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let floor = Arc::new(AtomicI64::new(1_000));
        let acked = Arc::new(Mutex::new(Vec::<Acked>::new()));
        let answers = Arc::new(Mutex::new(Vec::<(u16, Duration)>::new()));
        let clients = cookies
            .into_iter()
            .enumerate()
            .map(|(i, cookie)| {
                let (servers, stop, floor, acked, answers) = (
                    servers.clone(),
                    stop.clone(),
                    floor.clone(),
                    acked.clone(),
                    answers.clone(),
                );
                let item = item.to_string();
                std::thread::spawn(move || {
                    while !stop.load(Ordering::Relaxed) {
                        let cents = floor.load(Ordering::Relaxed) + i as i64;
                        let sent = Instant::now();
                        let r = bid(&servers[i % 2], &cookie, &item, cents);
                        answers.lock().unwrap().push((r.status, sent.elapsed()));
                        if r.status == 503 {
                            std::thread::sleep(Duration::from_millis(20));
                        }
                        if let Some((bids, price, min_next)) = accepted(&r.body) {
                            acked.lock().unwrap().push((bids, price, Instant::now()));
                            floor.fetch_max(min_next, Ordering::Relaxed);
                        } else if let Some(min) = serde_json::from_str::<serde_json::Value>(&r.body)
                            .ok()
                            .and_then(|v| v["Rejected"]["min_next_cents"].as_i64())
                        {
                            floor.fetch_max(min, Ordering::Relaxed);
                        }
                    }
                })
            })
            .collect();
        BidLoad {
            stop,
            acked,
            answers,
            clients,
        }
    }

    /// Accepted bids after `t`, so far.
    fn acked_after(&self, t: Instant) -> usize {
        self.acked
            .lock()
            .unwrap()
            .iter()
            .filter(|(_, _, at)| *at > t)
            .count()
    }

    /// Stops the clients: every accepted bid, and every answer's status and time.
    fn finish(self) -> (Vec<Acked>, Vec<(u16, Duration)>) {
        self.stop.store(true, Ordering::Relaxed);
        for c in self.clients {
            c.join().expect("a client panicked");
        }
        let acked = self.acked.lock().unwrap().clone();
        let answers = self.answers.lock().unwrap().clone();
        (acked, answers)
    }
}

/// A seller's item on the first instance and 20 bidders, half signed in on each: the item's
/// id and the bidders' cookies.
fn hot_item(servers: &[Server; 2]) -> (String, Vec<String>) {
    let seller = sign_up(&servers[0], "fault_seller");
    let item = created_id(&create_item(
        &servers[0],
        &seller,
        "Hot lamp",
        "Everyone wants it",
        None,
    ));
    let cookies = std::thread::scope(|s| {
        let handles: Vec<_> = (0..20)
            .map(|i| s.spawn(move || sign_up(&servers[i % 2], &format!("fault_bidder{i}"))))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    (item, cookies)
}

/// Never a 500 and never a hang: 200 (accepted or refused) or 503 during the outage, which
/// the load must have met (or the test did not test it).
fn answers_are_sane(answers: &[(u16, Duration)], slowest_allowed: Duration) {
    let odd: Vec<_> = answers
        .iter()
        .filter(|(status, _)| *status != 200 && *status != 503)
        .collect();
    assert!(odd.is_empty(), "unexpected answers: {odd:?}");
    let slowest = answers.iter().map(|(_, t)| *t).max().unwrap();
    assert!(slowest < slowest_allowed, "an answer took {slowest:?}");
    assert!(
        answers.iter().any(|(status, _)| *status == 503),
        "the outage was never seen: the test did not test it"
    );
}

/// Every accepted bid is in the history, at the place its answer gave: the history's
/// `bids`-th entry is the price that answer reported.
fn every_acknowledged_bid_is_in(acked: &[Acked], history: &[(String, i64)]) {
    for (bids, price, _) in acked {
        let n = usize::try_from(*bids).unwrap();
        assert!(
            n <= history.len(),
            "accepted bid #{n} lost: the history holds {} bids",
            history.len()
        );
        assert_eq!(history[n - 1].1, *price, "bid #{n} is not the one accepted");
    }
}

#[test]
fn bids_acknowledged_before_redis_is_killed_survive_its_restart() {
    let mut redis = RedisProcess::start_durable(free_port());
    let prefix = "faults:bids:";
    let env = [
        ("RBAY_KEY_PREFIX", prefix),
        ("RBAY_BID_LIMIT", "1000000/1"),
        ("RBAY_AUTH_IP_LIMIT", "100000/60"),
    ];
    let servers = Arc::new([
        Server::start(&redis.url(), &env),
        Server::start(&redis.url(), &env),
    ]);
    servers[0].wait_ready();
    servers[1].wait_ready();
    let (item, cookies) = hot_item(&servers);

    let load = BidLoad::start(servers.clone(), cookies, &item);
    std::thread::sleep(Duration::from_millis(1_500));
    redis.kill9();
    let killed_at = Instant::now();
    std::thread::sleep(Duration::from_millis(1_500));
    redis.restart();
    wait_healthy(&[&servers[0], &servers[1]], Duration::from_secs(20));
    let back_at = Instant::now();
    std::thread::sleep(Duration::from_millis(1_500));
    let (acked, answers) = load.finish();
    answers_are_sane(&answers, Duration::from_secs(5));

    let before = acked.iter().filter(|(_, _, t)| *t < killed_at).count();
    let after = acked.iter().filter(|(_, _, t)| *t > back_at).count();
    assert!(before > 20, "only {before} bids accepted before the kill");
    assert!(after > 0, "no bid accepted after Redis came back");

    let keys = Keys::new(prefix);
    let id: u64 = item.parse().unwrap();
    let history = history(&redis, &keys, id);
    every_acknowledged_bid_is_in(&acked, &history);
    // The item agrees with its history, and its price is the one of the newest accepted bid
    // (or of a later bid whose answer was lost with the connection).
    let (last_bids, last_price, _) = *acked.iter().max_by_key(|(b, _, _)| *b).unwrap();
    assert_eq!(state_field(&redis, &keys, id, "bids"), history.len() as i64);
    let price = state_field(&redis, &keys, id, "price");
    assert_eq!(price, history.last().unwrap().1);
    assert!(price >= last_price);
    if history.len() as i64 == last_bids {
        assert_eq!(price, last_price);
    }
}

/// On a Redis Cluster of three primaries with a replica each, a bid is acknowledged only once
/// a replica has it (`RBAY_REPLICA_ACKS=1`: `WAIT` on the item's primary). `kill -9` of the
/// primary holding a hot item under bid load: its replica takes over (`cluster-node-timeout`
/// 1 s); while the new primary has no replica its bids are refused as unconfirmed (503), and
/// once the old node is back as its replica they are accepted again; every bid answered
/// "accepted" is in the history on the new primary. Without a restart of either instance, a
/// live stream opened before the kill carries bids the new primary took, and the job queues
/// the old primary held run jobs again.
/// The queues Rbay's workers take jobs from.
const WORKER_QUEUES: [&str; 4] = [
    rbay::notifications::server::QUEUE,
    rbay::items::server::close_job::QUEUE,
    rbay::listings::server::listing::PHOTO_QUEUE,
    rbay::accounts::server::email::MAIL_QUEUE,
];

/// A probe job put on each of `queues` (through a new connection to the cluster at `url`) is
/// run by the instances' workers within 10 s.
fn jobs_run_on(url: &str, prefix: &str, queues: &[&str]) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let db = rbay::server::redis::connect(url, Keys::new(prefix))
            .await
            .unwrap();
        for queue in queues {
            let payload = r#"{"name":"after-failover"}"#;
            rbay::server::jobs::enqueue(&db, queue, "probe", payload, None, None)
                .await
                .unwrap();
            let runs = db.keys().queue_probe(queue, "after-failover");
            let deadline = Instant::now() + Duration::from_secs(10);
            loop {
                let done: i64 = redis::cmd("HLEN")
                    .arg(&runs)
                    .query_async(&mut db.raw_conn())
                    .await
                    .unwrap();
                if done == 1 {
                    break;
                }
                assert!(
                    Instant::now() < deadline,
                    "queue {queue}: the job never ran"
                );
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    });
}

#[test]
fn bids_acknowledged_on_a_cluster_survive_the_failover_of_their_primary() {
    let mut cluster = RedisCluster::start_with_replicas();
    let prefix = "faults:failover:";
    let env = [
        ("RBAY_KEY_PREFIX", prefix),
        ("RBAY_BID_LIMIT", "1000000/1"),
        ("RBAY_AUTH_IP_LIMIT", "100000/60"),
        ("RBAY_REPLICA_ACKS", "1"),
    ];
    let url = cluster.url();
    let servers = Arc::new([Server::start(&url, &env), Server::start(&url, &env)]);
    servers[0].wait_ready();
    servers[1].wait_ready();
    let (item, cookies) = hot_item(&servers);
    let keys = Keys::new(prefix);
    let id: u64 = item.parse().unwrap();
    // The primary that holds the item (a replica answers MOVED to a plain read).
    let holds = |node: &RedisProcess| {
        node.query::<i64>(redis::cmd("EXISTS").arg(keys.item_state(id)))
            .is_ok_and(|n| n == 1)
    };
    let primary = (0..3)
        .find(|&n| holds(&cluster.nodes[n]))
        .expect("a primary holds the item");
    // The job queues whose keys the same primary holds (the workers made their streams at
    // start): their workers must follow its replica too.
    let queues_there: Vec<&str> = WORKER_QUEUES
        .into_iter()
        .filter(|queue| {
            cluster.nodes[primary]
                .query::<i64>(redis::cmd("EXISTS").arg(keys.queue_stream(queue)))
                .is_ok_and(|n| n == 1)
        })
        .collect();
    assert!(
        !queues_there.is_empty(),
        "no queue on the item's primary: the test would not test the workers"
    );
    // A browser follows the item live through the second instance.
    let live = open_events(servers[1].port, &item, None);
    assert!(wait_for(&live, "text/event-stream", Duration::from_secs(2)).is_some());

    let load = BidLoad::start(servers.clone(), cookies, &item);
    std::thread::sleep(Duration::from_millis(1_500));
    cluster.nodes[primary].kill9();
    let killed_at = Instant::now();
    // The replica takes over once the others have missed the primary for the node timeout.
    let replica = primary + 3;
    let promoted = common::server::wait_until(Duration::from_secs(20), || {
        cluster.nodes[replica]
            .query::<Vec<redis::Value>>(&redis::cmd("ROLE"))
            .is_ok_and(|role| role.first() == Some(&redis::Value::BulkString(b"master".to_vec())))
    });
    assert!(promoted.is_ok(), "the replica never took over");
    let promoted_at = Instant::now();
    let promoted_after = promoted_at - killed_at;
    // Until the new primary has a replica of its own, its bids are not confirmed (503), and
    // none is acknowledged. The killed node comes back, empty, as the new primary's replica.
    std::thread::sleep(Duration::from_millis(500));
    let unconfirmed_from = Instant::now();
    cluster.nodes[primary].restart();
    let back = common::server::wait_until(Duration::from_secs(30), || {
        load.acked_after(unconfirmed_from) > 0
    });
    assert!(
        back.is_ok(),
        "no bid accepted within 30 s of the old primary's return"
    );
    eprintln!(
        "failover: replica promoted {promoted_after:?} after the kill; bids accepted again \
         {:?} after the kill",
        killed_at.elapsed()
    );
    // Neither instance restarted: the live stream opened before the kill carries a bid
    // taken by the new primary, and every queue that lived on the old one runs jobs again.
    let newest: Vec<(String, Vec<(String, String)>)> = cluster.nodes[replica]
        .query(
            redis::cmd("XREVRANGE")
                .arg(keys.item_events(id))
                .arg("+")
                .arg("-")
                .arg("COUNT")
                .arg(1),
        )
        .unwrap();
    let newest = &newest.first().expect("events on the new primary").0;
    assert!(
        wait_for(&live, &format!("id: {newest}"), Duration::from_secs(10)).is_some(),
        "the live stream opened before the failover never carried {newest}"
    );
    jobs_run_on(&url, prefix, &queues_there);
    eprintln!("failover: the live stream and the queues {queues_there:?} followed");
    std::thread::sleep(Duration::from_millis(1_500));
    let (acked, answers) = load.finish();
    answers_are_sane(&answers, Duration::from_secs(10));
    let before = acked.iter().filter(|(_, _, t)| *t < killed_at).count();
    assert!(before > 20, "only {before} bids accepted before the kill");
    // The replica that took over holds every acknowledged bid.
    let replica = &cluster.nodes[replica];
    let history = history(replica, &keys, id);
    every_acknowledged_bid_is_in(&acked, &history);
    assert_eq!(
        state_field(replica, &keys, id, "bids"),
        history.len() as i64
    );
    // While the new primary had no replica, no bid was acknowledged. (From its promotion on:
    // answers the old primary sent just before it died may reach their clients a little
    // after the kill.)
    let unconfirmed = acked
        .iter()
        .filter(|(_, _, t)| *t > promoted_at && *t < unconfirmed_from)
        .map(|(bids, _, t)| (*bids, (*t - killed_at).as_millis()))
        .collect::<Vec<_>>();
    assert!(
        unconfirmed.is_empty(),
        "bids acknowledged with no replica to hold them (bid #, ms after the kill): \
         {unconfirmed:?}"
    );
}

#[test]
fn a_killed_instance_loses_no_event_for_a_browser_that_reconnects_elsewhere() {
    let redis = RedisProcess::start(free_port(), true);
    let prefix = "faults:live:";
    let env = [
        ("RBAY_KEY_PREFIX", prefix),
        ("RBAY_BID_LIMIT", "1000000/1"),
        ("RBAY_AUTH_IP_LIMIT", "100000/60"),
    ];
    let mut a = Server::start(&redis.url(), &env);
    let b = Server::start(&redis.url(), &env);
    a.wait_ready();
    b.wait_ready();
    let seller = sign_up(&b, "live_seller");
    let item = created_id(&create_item(&b, &seller, "Lamp", "Watched", None));
    let id: u64 = item.parse().unwrap();
    let keys = Keys::new(prefix);
    let stream_ids = || -> Vec<String> {
        let entries: Vec<(String, Vec<(String, String)>)> = redis
            .query(
                redis::cmd("XRANGE")
                    .arg(keys.item_events(id))
                    .arg("-")
                    .arg("+"),
            )
            .unwrap();
        entries.into_iter().map(|(id, _)| id).collect()
    };
    let earlier = stream_ids();

    // A browser watches through A; four bidders bid through B, before and after A dies.
    let on_a = open_events(a.port, &item, None);
    assert!(wait_for(&on_a, "text/event-stream", Duration::from_secs(2)).is_some());
    let bidders: Vec<String> = (0..4)
        .map(|i| sign_up(&b, &format!("live_bidder{i}")))
        .collect();
    let floor = AtomicI64::new(1_000);
    let bid_round = |rounds: usize| {
        for _ in 0..rounds {
            for (i, cookie) in bidders.iter().enumerate() {
                let r = bid(&b, cookie, &item, floor.load(Ordering::Relaxed) + i as i64);
                assert_eq!(r.status, 200, "{}", r.body);
                if let Some((_, _, min)) = accepted(&r.body) {
                    floor.fetch_max(min, Ordering::Relaxed);
                }
            }
        }
    };
    bid_round(5);
    // Wait until A has passed on the bids so far, then kill it mid-stream.
    let last_so_far = stream_ids().last().cloned().unwrap();
    let seen_on_a = wait_for(&on_a, &last_so_far, Duration::from_secs(5))
        .expect("instance A streamed the first bids");
    let _ = a.child.kill();
    let _ = a.child.wait();
    // More bids while the browser is away (EventSource waits before reconnecting).
    bid_round(5);
    let first_ids = event_ids(&seen_on_a);
    let resume_from = first_ids.last().cloned().unwrap();
    let on_b = open_events(b.port, &item, Some(&resume_from));
    bid_round(3);
    let all = stream_ids();
    let newest = all.last().cloned().unwrap();
    let seen_on_b =
        wait_for(&on_b, &format!("id: {newest}"), Duration::from_secs(5)).expect("caught up on B");

    let mut received = first_ids;
    received.extend(event_ids(&seen_on_b));
    let expected: Vec<String> = all.into_iter().filter(|id| !earlier.contains(id)).collect();
    let unique: HashSet<&String> = received.iter().collect();
    assert_eq!(unique.len(), received.len(), "an event arrived twice");
    assert_eq!(received, expected, "events missed or out of order");
    assert!(expected.len() >= 13 * 4, "{} events", expected.len());
}

#[test]
fn a_stalled_redis_gets_prompt_503s_and_pages_come_back_by_themselves() {
    let redis = RedisProcess::start(free_port(), true);
    let server = Server::start(&redis.url(), &[("RBAY_KEY_PREFIX", "faults:slow:")]);
    server.wait_ready();
    assert_eq!(server.get("/search?q=lamp").status, 200);

    let _: () = redis
        .query(redis::cmd("CLIENT").arg("PAUSE").arg(3_000).arg("ALL"))
        .unwrap();
    let paused_at = Instant::now();
    // Twenty readers asking for pages that need Redis (a new query each: nothing cached).
    let answers: Vec<(u16, Duration)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..20)
            .map(|i| {
                let server = &server;
                s.spawn(move || {
                    let sent = Instant::now();
                    let r = server.get(&format!("/search?q=stall{i}"));
                    (r.status, sent.elapsed())
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(paused_at.elapsed() < Duration::from_secs(3), "still paused");
    for (status, took) in &answers {
        assert_eq!(*status, 503, "answered {status} while Redis was stalled");
        assert!(
            *took < Duration::from_millis(1_500),
            "an answer took {took:?}"
        );
    }
    // A 503 says when to come back.
    let r = server.get("/search?q=stalled");
    assert_eq!(r.status, 503);
    assert!(r.header("retry-after").is_some());

    // After the pause, pages work again without anyone doing anything.
    let deadline = Instant::now() + Duration::from_secs(15);
    while server.get("/search?q=back").status != 200 {
        assert!(Instant::now() < deadline, "pages did not come back");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_full_redis_refuses_writes_with_a_clear_message_and_changes_nothing() {
    let redis = RedisProcess::start(free_port(), true);
    let prefix = "faults:full:";
    let server = Server::start(&redis.url(), &[("RBAY_KEY_PREFIX", prefix)]);
    server.wait_ready();
    let seller = sign_up(&server, "full_seller");
    let item = created_id(&create_item(&server, &seller, "Lamp", "Bright", None));
    let bidder = sign_up(&server, "full_bidder");
    assert!(accepted(&bid(&server, &bidder, &item, 1_000).body).is_some());
    let keys = Keys::new(prefix);
    let id: u64 = item.parse().unwrap();
    let before: Vec<(String, String)> = redis
        .query(redis::cmd("HGETALL").arg(keys.item_state(id)))
        .unwrap();

    // Memory full: every write is refused by Redis.
    let _: () = redis
        .query(redis::cmd("CONFIG").arg("SET").arg("maxmemory").arg(1))
        .unwrap();
    // Through the islands (the JSON error, which the island words)…
    let r = bid(&server, &bidder, &item, 2_000);
    assert_eq!(r.status, 503, "{}", r.body);
    assert_eq!(r.body, "\"StorageFull\"");
    // …and as a plain form without JavaScript: the page it lands on says what happened.
    let origin = server.origin();
    let r = server.request(
        "POST",
        "/api/items/bid",
        &[
            ("Content-Type", common::server::FORM),
            ("Accept", common::server::HTML),
            ("Origin", &origin),
            ("Cookie", &bidder),
        ],
        &format!("item_id={item}&amount=20"),
    );
    assert_eq!(r.status, 503);
    assert_eq!(r.header("retry-after"), Some("60"));
    assert!(r.body.contains("nothing was changed"), "{}", r.body);
    let r = call(
        &server,
        "/api/auth/signup",
        "username=full_newcomer&password=long-enough-pw&confirm=long-enough-pw",
        None,
    );
    assert_eq!(r.status, 503, "{}", r.body);
    assert_eq!(r.body, "\"StorageFull\"");
    let after: Vec<(String, String)> = redis
        .query(redis::cmd("HGETALL").arg(keys.item_state(id)))
        .unwrap();
    assert_eq!(before, after, "a refused bid changed the item");
    assert_eq!(history(&redis, &keys, id).len(), 1);

    // Reads keep working, signed out and signed in.
    for (path, cookie) in [
        ("/", None),
        (format!("/items/{item}").as_str(), None),
        (format!("/items/{item}").as_str(), Some(bidder.as_str())),
        ("/search?q=lamp", Some(bidder.as_str())),
    ] {
        let r = common::server::get(&server, path, cookie);
        assert_eq!(r.status, 200, "{path} while full: {}", r.body);
    }

    // Room again: the same writes work, and the refused sign-up left no trace.
    let _: () = redis
        .query(redis::cmd("CONFIG").arg("SET").arg("maxmemory").arg(0))
        .unwrap();
    assert!(accepted(&bid(&server, &bidder, &item, 2_000).body).is_some());
    sign_up(&server, "full_newcomer");
}

/// Every card a search for `word` finds, page by page: `(total the first page gave, ids)`.
fn search_all(
    rt: &tokio::runtime::Runtime,
    db: &rbay::server::Db,
    word: &str,
) -> Option<(u64, Vec<u64>)> {
    use rbay::catalog::server::search::{search, SearchSort, StatusFilter};
    let mut ids = Vec::new();
    let mut total = None;
    for page in 1.. {
        let found = rt
            .block_on(search(
                db,
                word,
                StatusFilter::All,
                SearchSort::PriceLow,
                None,
                page,
            ))
            .ok()?;
        total.get_or_insert(found.total);
        if found.cards.is_empty() {
            break;
        }
        ids.extend(found.cards.iter().map(|c| c.id.0));
    }
    Some((total?, ids))
}

#[test]
fn slots_moved_to_a_new_primary_under_load_keep_every_bid_and_every_search_result() {
    let mut cluster = RedisCluster::start();
    let prefix = "faults:reshard:";
    let env = [
        ("RBAY_KEY_PREFIX", prefix),
        ("RBAY_BID_LIMIT", "1000000/1"),
        ("RBAY_AUTH_IP_LIMIT", "100000/60"),
    ];
    let url = cluster.url();
    let servers = Arc::new([Server::start(&url, &env), Server::start(&url, &env)]);
    servers[0].wait_ready();
    servers[1].wait_ready();
    let (item, cookies) = hot_item(&servers);
    let keys = Keys::new(prefix);
    let id: u64 = item.parse().unwrap();
    // A catalogue to search, spread over the three primaries.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let db = rt
        .block_on(rbay::server::redis::connect(&url, keys.clone()))
        .unwrap();
    let listed: HashSet<u64> = (0..150)
        .map(|n| {
            rt.block_on(common::list_item(
                &db,
                &format!("Brass compass {n}"),
                1_000 + n,
                3_600_000,
                0,
            ))
            .0
        })
        .collect();
    let whole = |found: Option<(u64, Vec<u64>)>| {
        found.is_some_and(|(total, ids)| {
            total == 150
                && ids.len() == 150
                && ids.iter().copied().collect::<HashSet<_>>() == listed
        })
    };
    assert!(
        common::server::wait_until(Duration::from_secs(10), || whole(search_all(
            &rt, &db, "compass"
        )))
        .is_ok(),
        "the catalogue is found before the move"
    );

    // The slots to move: about a thousand around the hot item's, on the primary that holds it,
    // leaving out the slot its index copy is named after (see docs/deploy.md, "Resharding").
    let slot_of = |key: &str| -> u16 {
        cluster.nodes[0]
            .query(redis::cmd("CLUSTER").arg("KEYSLOT").arg(key))
            .unwrap()
    };
    let hot = slot_of(&keys.item_state(id));
    let ranges = [(0u16, 5460u16), (5461, 10922), (10923, 16383)];
    let from = ranges
        .iter()
        .position(|(a, b)| (*a..=*b).contains(&hot))
        .unwrap();
    let indexes: Vec<String> = cluster.nodes[from].query(&redis::cmd("FT._LIST")).unwrap();
    let index = indexes
        .iter()
        .find(|name| name.starts_with(prefix))
        .expect("the source's index copy");
    let tag = slot_of(index);
    let (first, last) = ranges[from];
    let (mut low, mut high) = (hot.saturating_sub(500).max(first), (hot + 499).min(last));
    if (low..=high).contains(&tag) {
        if tag < hot {
            low = tag + 1;
        } else {
            high = tag - 1;
        }
    }
    let in_range = listed
        .iter()
        .filter(|item| (low..=high).contains(&slot_of(&keys.item_state(**item))))
        .count();
    assert!(
        in_range > 0,
        "no listing in the slots moved: the test would not test search"
    );

    let newcomer = cluster.add_node();
    // Searches run on both instances all along (answered from their caches or Redis).
    let stop_searching = Arc::new(AtomicBool::new(false));
    let searcher = {
        let (servers, stop) = (servers.clone(), stop_searching.clone());
        std::thread::spawn(move || {
            let mut statuses = Vec::new();
            let mut n = 0usize;
            while !stop.load(Ordering::Relaxed) {
                let r = servers[n % 2].get(&format!("/search?q=compass&page={}", 1 + n % 8));
                statuses.push(r.status);
                n += 1;
            }
            statuses
        })
    };
    let load = BidLoad::start(servers.clone(), cookies, &item);
    std::thread::sleep(Duration::from_millis(1_000));
    let move_started = Instant::now();
    let moved = cluster.move_slots(from, newcomer, low..=high);
    let move_took = move_started.elapsed();
    std::thread::sleep(Duration::from_millis(1_000));
    let (acked, answers) = load.finish();
    stop_searching.store(true, Ordering::Relaxed);
    let searches = searcher.join().unwrap();
    let during = acked
        .iter()
        .filter(|(_, _, t)| *t > move_started && *t < move_started + move_took)
        .count();
    let unavailable = answers.iter().filter(|(s, _)| *s == 503).count();
    eprintln!(
        "reshard: {} slots and {moved} keys moved in {move_took:?}; {} bids accepted, {during} \
         during the move; {unavailable} of {} bid answers 503; {} of {} searches 503",
        high - low + 1,
        acked.len(),
        answers.len(),
        searches.iter().filter(|s| **s == 503).count(),
        searches.len()
    );
    // The site kept answering: bids were taken during the move, nothing but 200 or a 503
    // (a slot caught half moved), and searches were answered.
    let odd: Vec<_> = answers
        .iter()
        .filter(|(status, _)| *status != 200 && *status != 503)
        .collect();
    assert!(odd.is_empty(), "unexpected bid answers: {odd:?}");
    assert!(during > 0, "no bid was accepted while the slots moved");
    assert!(
        searches.iter().all(|s| *s == 200 || *s == 503),
        "unexpected search answers: {searches:?}"
    );
    assert!(searches.iter().filter(|s| **s == 200).count() > searches.len() / 2);

    // Nothing acknowledged is lost: the new owner holds the item and every accepted bid.
    let owner = &cluster.nodes[newcomer];
    let history = history(owner, &keys, id);
    every_acknowledged_bid_is_in(&acked, &history);
    assert_eq!(state_field(owner, &keys, id, "bids"), history.len() as i64);
    // Search finds every listing once again: the new primary got its index copy, and the
    // listings that moved are found there and no longer on the old one.
    assert!(
        common::server::wait_until(Duration::from_secs(15), || whole(search_all(
            &rt, &db, "compass"
        )))
        .is_ok(),
        "after the move search misses or repeats listings: {:?}",
        search_all(&rt, &db, "compass").map(|(total, ids)| (total, ids.len()))
    );
}
