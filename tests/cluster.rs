//! Rbay's Redis layer on a real three-primary Redis Cluster of its own (`RedisCluster`):
//! what only a cluster can get wrong. Pipelines that read many slots are split by slot and
//! answer in order; a transaction stays whole; the catalogue spreads over every primary and
//! the home page still reads it all; a bid scripted on one node is heard by subscribers on
//! every node.
//!
//! `scripts/test.sh` also runs the script, bid, session, lock, rate-limit, queue and live
//! suites against a cluster (`REDIS_URL` listing three nodes); see `common::on_cluster`.
#![cfg(feature = "ssr")]
// A test fails by panicking: unwrapping is how it says what went wrong.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::redis_process::RedisCluster;
use common::*;
use rbay::server::redis::supervisor::{connect_as, Role};
use rbay::server::{Db, Keys};
use std::time::Duration;

/// A cluster and a handle on it, in a fresh namespace; the cluster stops when dropped.
async fn cluster_db() -> (RedisCluster, Db) {
    let cluster = tokio::task::spawn_blocking(RedisCluster::start)
        .await
        .unwrap();
    let db = connect_as(&cluster.url(), Keys::new(&fresh_prefix()), Role::Worker)
        .await
        .unwrap();
    assert!(db.is_cluster());
    (cluster, db)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pipeline_over_many_slots_answers_in_the_callers_order() {
    let (_cluster, db) = cluster_db().await;
    let mut conn = db.conn().unwrap();
    let key = |n: u32| format!("{}k{{{n}}}", db.keys().prefix());
    // Writes then reads of the same keys in one pipeline: each slot's commands keep their order.
    let mut pipe = redis::pipe();
    for n in 0..40 {
        pipe.cmd("SET").arg(key(n)).arg(n * 10).ignore();
        pipe.cmd("INCR").arg(key(n));
    }
    for n in 0..40 {
        pipe.cmd("GET").arg(key(n));
    }
    let replies: Vec<i64> = pipe.query_async(&mut conn).await.unwrap();
    let expected: Vec<i64> = (0..40)
        .map(|n| n * 10 + 1)
        .chain((0..40).map(|n| n * 10 + 1))
        .collect();
    assert_eq!(replies, expected);
    assert!(
        keys_on_each_node(&db)
            .await
            .iter()
            .all(|keys| !keys.is_empty()),
        "the keys landed on every primary: the pipeline really crossed nodes"
    );

    // A transaction within one slot runs whole; one across slots is refused, not split.
    let (a, b) = (key(1), format!("{}other{{1}}", db.keys().prefix()));
    let (x, y): (i64, i64) = redis::pipe()
        .atomic()
        .cmd("INCR")
        .arg(&a)
        .cmd("INCR")
        .arg(&b)
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_eq!((x, y), (12, 1));
    let across: redis::RedisResult<(i64, i64)> = redis::pipe()
        .atomic()
        .cmd("INCR")
        .arg(key(1))
        .cmd("INCR")
        .arg(key(2))
        .query_async(&mut conn)
        .await;
    assert!(across.is_err(), "a transaction across slots must fail");
    let one: i64 = redis::cmd("GET")
        .arg(key(2))
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_eq!(one, 21, "the refused transaction changed nothing");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_catalogue_spreads_over_every_primary_and_the_home_page_reads_it_whole() {
    let (_cluster, db) = cluster_db().await;
    let mut listed = Vec::new();
    for n in 0..6 {
        let id = list_item(&db, &format!("Lamp {n}"), 1_000 + n * 100, 3_600_000, 0).await;
        listed.push(id);
    }
    // Two bidders through the bid script lift the cheapest item to the top of "highest price".
    let first = listed[0];
    rbay::auction::server::place_bid(&db, 7, "bidder7", first, 9_000)
        .await
        .unwrap();
    rbay::auction::server::place_bid(&db, 8, "bidder8", first, 8_000)
        .await
        .unwrap();
    assert!(
        keys_on_each_node(&db)
            .await
            .iter()
            .all(|keys| !keys.is_empty()),
        "items, rankings and users are spread over every primary"
    );
    let sections = rbay::catalog::server::rankings::home_sections(&db)
        .await
        .unwrap();
    let ids: Vec<_> = sections.highest_price.iter().map(|c| c.id).collect();
    let mut expected: Vec<_> = listed[1..].iter().rev().copied().collect();
    expected.insert(0, first);
    assert_eq!(ids, expected, "every shard's ranking was read and merged");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bid_scripted_on_one_node_is_heard_by_subscribers_on_every_node() {
    let (_cluster, db) = cluster_db().await;
    let id = list_item(&db, "Brass bell", 500, 3_600_000, 0).await;
    let channel = db.keys().item_channel(id);
    let mut subscribers = Vec::new();
    for node in 0..db.node_count() {
        let mut pubsub = db.node_client(node).get_async_pubsub().await.unwrap();
        pubsub.subscribe(&channel).await.unwrap();
        subscribers.push(pubsub);
    }
    rbay::auction::server::place_bid(&db, 7, "bidder7", id, 900)
        .await
        .unwrap();
    for (node, pubsub) in subscribers.iter_mut().enumerate() {
        use futures_util::StreamExt;
        let message = tokio::time::timeout(Duration::from_secs(3), pubsub.on_message().next())
            .await
            .unwrap_or_else(|_| panic!("node {node} relayed the bid"))
            .unwrap();
        let payload: String = message.get_payload().unwrap();
        assert!(payload.contains("bid"), "{payload}");
    }
}
