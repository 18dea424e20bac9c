//! Rbay's Redis layer on a real three-primary Redis Cluster of its own (`RedisCluster`):
//! what only a cluster can get wrong. Pipelines that read many slots are split by slot and
//! answer in order; a transaction stays whole; the catalogue spreads over every primary and
//! the home page still reads it all; a bid scripted on one node is heard by subscribers on
//! every node; search, asked of every primary and merged, answers as one Redis holding the
//! same items does, and a primary that lost its index gets it back instead of being skipped
//! (the instance serving everything else meanwhile).
//!
//! `scripts/test.sh` also runs the script, bid, session, lock, rate-limit, queue and live
//! suites against a cluster (`REDIS_URL` listing three nodes); see `common::on_cluster`.
#![cfg(feature = "ssr")]
// A test fails by panicking: unwrapping is how it says what went wrong.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::redis_process::RedisCluster;
use common::*;
use rbay::accounts::UserId;
use rbay::catalog::server::search::{search, search_filtered, suggest, SearchSort, StatusFilter};
use rbay::error::AppError;
use rbay::items::{Condition, ItemId, NewItem, CATEGORIES};
use rbay::server::redis::connect;
use rbay::server::{Db, Keys};
use std::time::Duration;

/// A cluster and a handle on it, in a fresh namespace; the cluster stops when dropped.
async fn cluster_db() -> (RedisCluster, Db) {
    let cluster = tokio::task::spawn_blocking(RedisCluster::start)
        .await
        .unwrap();
    let db = connect(&cluster.url(), Keys::new(&fresh_prefix()))
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
        keys_on_each_primary(&db)
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
    rbay::auction::server::place_bid(&db, UserId(7), "bidder7", first, 9_000)
        .await
        .unwrap();
    rbay::auction::server::place_bid(&db, UserId(8), "bidder8", first, 8_000)
        .await
        .unwrap();
    assert!(
        keys_on_each_primary(&db)
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
    // A cluster just started may still be linking its bus (a message published before every
    // link is up reaches only some nodes): wait until a probe on another channel reaches all.
    let probe = format!("{}probe", db.keys().prefix());
    for (node, pubsub) in subscribers.iter_mut().enumerate() {
        use futures_util::StreamExt;
        pubsub.subscribe(&probe).await.unwrap();
        let heard = async {
            loop {
                let mut conn = db.conn().unwrap();
                let _: i64 = redis::cmd("PUBLISH")
                    .arg(&probe)
                    .arg("x")
                    .query_async(&mut conn)
                    .await
                    .unwrap();
                let mut messages = pubsub.on_message();
                let wait = tokio::time::timeout(Duration::from_millis(200), messages.next());
                if wait.await.is_ok() {
                    break;
                }
            }
        };
        tokio::time::timeout(Duration::from_secs(20), heard)
            .await
            .unwrap_or_else(|_| panic!("node {node} never heard the probe: the bus is down"));
        pubsub.unsubscribe(&probe).await.unwrap();
    }
    // Probes still on their way are skipped below (only the item's channel counts).
    rbay::auction::server::place_bid(&db, UserId(7), "bidder7", id, 900)
        .await
        .unwrap();
    for (node, pubsub) in subscribers.iter_mut().enumerate() {
        use futures_util::StreamExt;
        let heard = async {
            loop {
                let message = pubsub.on_message().next().await.unwrap();
                if message.get_channel_name() == channel {
                    break message.get_payload::<String>().unwrap();
                }
            }
        };
        let payload = tokio::time::timeout(Duration::from_secs(10), heard)
            .await
            .unwrap_or_else(|_| panic!("node {node} relayed the bid"));
        assert!(payload.contains("bid"), "{payload}");
    }
}

/// The words of the fixture's names: a few, so that each matches many items on every shard.
const WORDS: [&str; 8] = [
    "brass", "lamp", "walnut", "desk", "camera", "vintage", "clock", "chair",
];

/// The `n`-th fixture item: a distinct price and end for every item, so that each sorted
/// order is one order; every seventh has already ended; two sellers, every category.
fn fixture(n: usize) -> (u64, NewItem) {
    let name = format!(
        "{} {} {}",
        WORDS[n % 8],
        WORDS[(n * 3 + 1) % 8],
        WORDS[(n * 5 + 2) % 8]
    );
    let duration_ms = if n.is_multiple_of(7) {
        1
    } else {
        3_600_000 + ((n * 53) % 90) as i64 * 60_000
    };
    let item = NewItem {
        description: format!("A fine {name}, number {n}"),
        name,
        start_cents: 1_000 + ((n * 37) % 90) as i64 * 100,
        duration_ms,
        category: CATEGORIES[n % CATEGORIES.len()].0,
        terms: rbay::items::ListingTerms {
            condition: [Condition::New, Condition::Used, Condition::ForParts][n % 3],
            location: ["Leeds, UK", "York, UK", "Paris, France", ""][n % 4].to_string(),
            ..Default::default()
        },
        ..Default::default()
    };
    (1 + (n % 2) as u64, item)
}

/// Lists the fixture into both databases, item by item, so that ids and the order of
/// creation agree.
async fn list_fixture(dbs: [&Db; 2], items: usize) -> Vec<ItemId> {
    let mut ids = Vec::new();
    for n in 0..items {
        let (seller, item) = fixture(n);
        let mut listed = Vec::new();
        for db in dbs {
            let seller_name = format!("seller{seller}");
            let id = rbay::items::server::create(db, UserId(seller), &seller_name, &item, None)
                .await
                .unwrap();
            listed.push(id);
        }
        assert_eq!(listed[0], listed[1], "both databases give the same ids");
        ids.push(listed[0]);
        // Distinct creation times: "newest first" is one order.
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    ids
}

#[tokio::test(flavor = "multi_thread")]
async fn search_on_a_cluster_answers_as_one_redis_holding_the_same_items() {
    let (_cluster, sharded) = cluster_db().await;
    let single = test_db().await;
    assert!(!single.is_cluster());
    let ids = list_fixture([&single, &sharded], 90).await;
    assert!(
        keys_on_each_primary(&sharded)
            .await
            .iter()
            .all(|keys| keys.len() > 30),
        "the items are spread over every primary"
    );
    // RediSearch indexes in the background: wait until both see every item.
    for db in [&single, &sharded] {
        let db = db.clone();
        let all = eventually(10, || {
            let db = db.clone();
            async move {
                search(&db, "lamp", StatusFilter::All, SearchSort::Newest, None, 1)
                    .await
                    .map(|page| page.total)
                    .unwrap_or(0)
                    >= 30
            }
        })
        .await;
        assert!(all, "the index sees the items");
    }

    let sorts = [
        SearchSort::Relevance,
        SearchSort::PriceLow,
        SearchSort::PriceHigh,
        SearchSort::EndingSoon,
        SearchSort::Newest,
    ];
    let categories = [None, Some(CATEGORIES[0].0), Some(CATEGORIES[3].0)];
    let mut pages_compared = 0;
    for text in [
        "lamp",
        "brass lamp",
        "vintage",
        "camra",
        "desk chair",
        "nothing",
    ] {
        for status in [StatusFilter::All, StatusFilter::Live, StatusFilter::Ended] {
            for sort in sorts {
                for category in categories {
                    let mut seen = [Vec::new(), Vec::new()];
                    for page in 1..=8 {
                        let a = search(&single, text, status, sort, category, page)
                            .await
                            .unwrap();
                        let b = search(&sharded, text, status, sort, category, page)
                            .await
                            .unwrap();
                        let what = format!("{text:?} {status:?} {sort:?} {category:?} page {page}");
                        assert_eq!(a.total, b.total, "total of {what}");
                        assert_eq!(a.facets, b.facets, "counts per category of {what}");
                        assert_eq!(a.did_you_mean, b.did_you_mean, "did you mean, {what}");
                        let (a, b): (Vec<ItemId>, Vec<ItemId>) = (
                            a.cards.iter().map(|c| c.id).collect(),
                            b.cards.iter().map(|c| c.id).collect(),
                        );
                        if sort != SearchSort::Relevance {
                            assert_eq!(a, b, "{what}");
                        }
                        assert_eq!(a.len(), b.len(), "size of {what}");
                        pages_compared += 1;
                        let done = a.is_empty();
                        seen[0].extend(a);
                        seen[1].extend(b);
                        if done {
                            break;
                        }
                    }
                    // Relevance scores are each shard's own: the same items, perhaps in
                    // another order where scores are close.
                    seen[0].sort();
                    seen[1].sort();
                    assert_eq!(
                        seen[0], seen[1],
                        "{text:?} {status:?} {sort:?} {category:?}"
                    );
                }
            }
        }
    }
    assert!(pages_compared > 400, "{pages_compared} pages compared");
    // Filters narrow the same way on both, with words and without.
    let parse = |values| rbay::catalog::SearchFilters::parse(values).unwrap();
    for filters in [
        parse(["", "", "", "", "", "", "", "UK"]),
        parse(["", "", "", "", "", "", "", "paris"]),
        parse(["", "", "", "new", "", "", "", "York, UK"]),
        parse(["20", "60", "", "used", "", "", "", ""]),
        parse(["", "", "", "", "", "", "", "Nowhere"]),
    ] {
        for text in ["", "lamp"] {
            for sort in [
                SearchSort::PriceLow,
                SearchSort::Newest,
                SearchSort::EndingSoon,
            ] {
                for page in 1..=3 {
                    let [a, b] = [&single, &sharded].map(|db| {
                        search_filtered(db, text, StatusFilter::Live, sort, None, &filters, page)
                    });
                    let (a, b) = (a.await.unwrap(), b.await.unwrap());
                    let what = format!("{text:?} {filters:?} {sort:?} page {page}");
                    assert_eq!(a.total, b.total, "total of {what}");
                    let ids = |p: &rbay::items::CardPage| -> Vec<ItemId> {
                        p.cards.iter().map(|c| c.id).collect()
                    };
                    assert_eq!(ids(&a), ids(&b), "{what}");
                    if filters.location.as_deref() == Some("Nowhere") {
                        assert_eq!(a.total, 0, "{what}");
                    } else if page == 1 && text.is_empty() {
                        assert!(a.total > 0, "{what} finds some");
                    }
                }
            }
        }
    }
    // A word no primary knows gets the same suggestion from both; one that some primary knows
    // gets none.
    for db in [&single, &sharded] {
        let page = search(
            db,
            "brass camra",
            StatusFilter::All,
            SearchSort::Relevance,
            None,
            1,
        )
        .await
        .unwrap();
        assert_eq!(page.did_you_mean.as_deref(), Some("brass camera"));
        let page = search(
            db,
            "camera",
            StatusFilter::All,
            SearchSort::Relevance,
            None,
            1,
        )
        .await
        .unwrap();
        assert_eq!(page.did_you_mean, None);
    }

    for typed in ["la", "bra", "vintage cl", "wal", "vintaje"] {
        let a: Vec<ItemId> = suggest(&single, typed)
            .await
            .unwrap()
            .iter()
            .map(|c| c.id)
            .collect();
        let b: Vec<ItemId> = suggest(&sharded, typed)
            .await
            .unwrap()
            .iter()
            .map(|c| c.id)
            .collect();
        assert!(!a.is_empty(), "suggestions for {typed:?}");
        assert_eq!(a, b, "suggestions for {typed:?}");
    }

    use rbay::seller::server::dashboard::seller_items;
    for seller in [1, 2] {
        for key in rbay::seller::DASHBOARD_SORT_KEYS {
            if key == "name" {
                // Names repeat in the fixture: ties fall by indexing order on one Redis.
                continue;
            }
            for descending in [false, true] {
                for page in 1..=5 {
                    let a = seller_items(&single, UserId(seller), key, descending, page)
                        .await
                        .unwrap();
                    let b = seller_items(&sharded, UserId(seller), key, descending, page)
                        .await
                        .unwrap();
                    assert_eq!(a.total, 45);
                    assert_eq!(b.total, 45);
                    if key == "price" || key == "ends_at" {
                        let ids = |p: &rbay::items::CardPage| -> Vec<ItemId> {
                            p.cards.iter().map(|c| c.id).collect()
                        };
                        assert_eq!(ids(&a), ids(&b), "seller {seller} by {key} page {page}");
                    }
                }
            }
        }
    }

    for &id in &ids[..6] {
        let (_, item) = fixture(ids.iter().position(|i| *i == id).unwrap());
        let similar = |db: Db| {
            let (name, description) = (item.name.clone(), item.description.clone());
            async move {
                let mut found: Vec<ItemId> =
                    rbay::items::server::index::similar(&db, id, &name, &description)
                        .await
                        .unwrap()
                        .iter()
                        .map(|c| c.id)
                        .collect();
                found.sort();
                found
            }
        };
        let (a, b) = (
            similar(single.clone()).await,
            similar(sharded.clone()).await,
        );
        assert_eq!(a.len(), b.len(), "similar items of {id}");
        assert!(!b.contains(&id));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_primary_that_lost_its_index_gets_it_back_and_is_never_searched_partially() {
    let (cluster, db) = cluster_db().await;
    for n in 0..30 {
        list_item(
            &db,
            &format!("Walnut clock {n}"),
            1_000 + n * 10,
            3_600_000,
            0,
        )
        .await;
    }
    let count = |db: Db| async move {
        search(
            &db,
            "walnut",
            StatusFilter::All,
            SearchSort::PriceLow,
            None,
            1,
        )
        .await
        .map(|page| page.total)
    };
    let db2 = db.clone();
    assert!(
        eventually(10, move || {
            let db = db2.clone();
            async move { count(db).await.ok() == Some(30) }
        })
        .await
    );

    // One primary restarted empty of indexes (its data kept): the search is refused, not
    // answered from two shards of three.
    let index = db.keys().items_index();
    let primaries = db.primaries().await.unwrap();
    assert_eq!(primaries.len(), cluster.nodes.len());
    let mut drop = redis::pipe();
    drop.cmd("FT.DROPINDEX")
        .arg(primaries[1].index_name(&index));
    db.on_primary(&primaries[1], &drop).await.unwrap();
    let refused = search(
        &db,
        "walnut",
        StatusFilter::All,
        SearchSort::Newest,
        None,
        1,
    )
    .await;
    assert!(
        matches!(refused, Err(AppError::Unavailable)),
        "a search missing a shard is refused: {:?}",
        refused.map(|p| p.total)
    );
    assert!(db.take_index_check(), "and an index check is asked for");
    assert!(
        db.is_ready(),
        "while the instance goes on serving everything else"
    );

    // The index check (which the supervisor runs at its next tick) creates the index where
    // it is missing.
    rbay::server::redis::indexes::ensure_all(&db).await.unwrap();
    assert!(rbay::server::redis::indexes::index_exists(&db, &index)
        .await
        .unwrap());
    let db2 = db.clone();
    assert!(
        eventually(10, move || {
            let db = db2.clone();
            async move { count(db).await.ok() == Some(30) }
        })
        .await,
        "every shard's items are found again"
    );

    // Purging the namespace (benchmarks, test data) empties every primary and its index.
    let deleted = rbay::server::seed::purge(&db).await.unwrap();
    assert!(deleted >= 30, "{deleted} keys purged");
    assert!(keys_in_namespace(&db).await.is_empty());
    assert!(!rbay::server::redis::indexes::index_exists(&db, &index)
        .await
        .unwrap());
}
