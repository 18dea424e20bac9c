//! Analytics against a real Redis: counts are exact per bucket, roll-ups are the sum of their
//! parts, retention drops exactly what it should, days turn at midnight UTC, and the real
//! writes (bids, views, likes, watches, listings) record themselves.
#![cfg(feature = "ssr")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use rbay::accounts::UserId;
use rbay::analytics::server::{self as stats, Scope};
use rbay::analytics::{Metric, Scale, Span, DAY_MS, HOUR_MS, MINUTE_MS};
use rbay::engagement::server::watch;
use rbay::engagement::server::Visitor;
use rbay::items::server as items;
use rbay::items::{ItemId, NewItem};
use rbay::server::Db;

async fn hpexpiretime(db: &Db, key: &str, field: &str) -> i64 {
    let mut conn = db.conn().unwrap();
    let reply: Vec<i64> = redis::cmd("HPEXPIRETIME")
        .arg(key)
        .arg("FIELDS")
        .arg(1)
        .arg(field)
        .query_async(&mut conn)
        .await
        .unwrap();
    reply[0]
}

async fn hget_text(db: &Db, key: &str, field: &str) -> Option<String> {
    let mut conn = db.conn().unwrap();
    redis::cmd("HGET")
        .arg(key)
        .arg(field)
        .query_async(&mut conn)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_thousand_events_are_counted_exactly_per_bucket_and_rolled_up() {
    let db = test_db().await;
    let now = rbay::util::time::now_ms();
    // 1,000 events in the last hour with known times: event i, i minutes mod 60 ago (plus a
    // few seconds), so minute k holds the events with i % 60 == k.
    let mut expected = vec![0i64; 60];
    for i in 0..1_000i64 {
        let minutes_ago = i % 60;
        let at = (now.div_euclid(MINUTE_MS) - minutes_ago) * MINUTE_MS + (i % 50) * 1_000;
        stats::record(&db, Scope::Item(ItemId(7)), Metric::Bids, 1, Some(at))
            .await
            .unwrap();
        expected[59 - minutes_ago as usize] += 1;
    }
    stats::fold_all(&db).await.unwrap();
    let hour = stats::series(
        &db,
        Scope::Item(ItemId(7)),
        &[Metric::Bids, Metric::Views],
        Span::Hour,
        now,
    )
    .await
    .unwrap();
    assert_eq!(
        hour[0].values, expected,
        "every minute holds exactly its events"
    );
    assert_eq!(hour[0].total(), 1_000);
    assert_eq!(hour[1].total(), 0, "other metrics untouched");
    assert_eq!(
        hour[0].start_ms,
        (now.div_euclid(MINUTE_MS) - 59) * MINUTE_MS
    );

    // Roll-ups: each hour bucket equals the sum of its minutes; the day the sum of its hours.
    let day = stats::series(&db, Scope::Item(ItemId(7)), &[Metric::Bids], Span::Day, now)
        .await
        .unwrap();
    let this_hour = now.div_euclid(HOUR_MS);
    let in_this_hour: i64 = (0..60)
        .filter(|k| (now.div_euclid(MINUTE_MS) - 59 + k) * MINUTE_MS >= this_hour * HOUR_MS)
        .map(|k| expected[k as usize])
        .sum();
    assert_eq!(day[0].values[23], in_this_hour);
    assert_eq!(day[0].values[22], 1_000 - in_this_hour);
    assert_eq!(day[0].total(), 1_000);
    let month = stats::series(
        &db,
        Scope::Item(ItemId(7)),
        &[Metric::Bids],
        Span::Month,
        now,
    )
    .await
    .unwrap();
    assert_eq!(month[0].total(), 1_000);
    // An hour crossing midnight splits into two days, whose sum is still 1,000.
    let today: i64 = *month[0].values.last().unwrap();
    let yesterday = month[0].values[28];
    assert_eq!(today + yesterday, 1_000);
}

#[tokio::test]
async fn retention_drops_what_it_should_and_nothing_else() {
    let db = test_db().await;
    let key = db
        .keys()
        .stats_items(rbay::server::redis::keys::shard_of(8));
    let now = rbay::util::time::now_ms();
    let count = |field: (Scale, String, i64, usize)| {
        let (db, key) = (db.clone(), key.clone());
        async move {
            hget_text(&db, &key, &field.1)
                .await
                .map(|value| Scale::unpack(&value, field.3))
        }
    };
    // 50 hours ago: that hour's minutes are past their 48 hours; its hour and day remain.
    let old = now - 50 * HOUR_MS;
    stats::record(&db, Scope::Item(ItemId(8)), Metric::Views, 1, Some(old))
        .await
        .unwrap();
    stats::fold_all(&db).await.unwrap();
    let fields = stats::fields_at(Metric::Views, "8:", old);
    assert_eq!(count(fields[0].clone()).await, None, "minutes gone");
    assert_eq!(count(fields[1].clone()).await, Some(1), "hour kept");
    assert_eq!(count(fields[2].clone()).await, Some(1), "day kept");
    // Each kept field expires exactly its retention after the end of its period.
    for (scale, field, period, _) in &fields[1..] {
        assert_eq!(
            hpexpiretime(&db, &key, field).await,
            scale.expires_at_ms(*period),
            "{field}"
        );
    }
    // This hour's minutes live 48 hours after the hour ends; a second event keeps that expiry.
    for _ in 0..2 {
        stats::record(&db, Scope::Item(ItemId(8)), Metric::Views, 1, Some(now))
            .await
            .unwrap();
        stats::fold_all(&db).await.unwrap();
    }
    let fresh = stats::fields_at(Metric::Views, "8:", now);
    assert_eq!(count(fresh[0].clone()).await, Some(2));
    let hour_end = (now.div_euclid(HOUR_MS) + 1) * HOUR_MS;
    assert_eq!(
        hpexpiretime(&db, &key, &fresh[0].1).await,
        hour_end + 48 * HOUR_MS
    );
    // 91 days ago: only the day count remains; 800 days ago: nothing.
    let older = now - 91 * DAY_MS;
    stats::record(&db, Scope::Item(ItemId(8)), Metric::Likes, 1, Some(older))
        .await
        .unwrap();
    stats::fold_all(&db).await.unwrap();
    let f = stats::fields_at(Metric::Likes, "8:", older);
    assert_eq!(count(f[1].clone()).await, None);
    assert_eq!(count(f[2].clone()).await, Some(1));
    let ancient = now - 800 * DAY_MS;
    stats::record(
        &db,
        Scope::Item(ItemId(8)),
        Metric::Comments,
        1,
        Some(ancient),
    )
    .await
    .unwrap();
    stats::fold_all(&db).await.unwrap();
    for field in stats::fields_at(Metric::Comments, "8:", ancient) {
        assert_eq!(count(field.clone()).await, None, "{}", field.1);
    }
}

#[tokio::test]
async fn days_turn_at_midnight_utc() {
    let db = test_db().await;
    let midnight = rbay::util::time::now_ms().div_euclid(DAY_MS) * DAY_MS - DAY_MS;
    for at in [midnight - 1, midnight, midnight + 1] {
        stats::record(&db, Scope::Item(ItemId(9)), Metric::Bids, 1, Some(at))
            .await
            .unwrap();
    }
    stats::fold_all(&db).await.unwrap();
    let month = stats::series(
        &db,
        Scope::Item(ItemId(9)),
        &[Metric::Bids],
        Span::Month,
        midnight,
    )
    .await
    .unwrap();
    // The span ends with the day starting at midnight; the day before holds the one before.
    assert_eq!(&month[0].values[28..], &[1, 2]);
    let day = stats::series(
        &db,
        Scope::Item(ItemId(9)),
        &[Metric::Bids],
        Span::Day,
        midnight,
    )
    .await
    .unwrap();
    assert_eq!(&day[0].values[22..], &[1, 2], "23:00 and 00:00 UTC");
}

#[tokio::test]
async fn the_writes_record_themselves_for_the_item_its_seller_and_the_site() {
    let db = test_db().await;
    let now = || rbay::util::time::now_ms();
    let site_before = stats::series(
        &db,
        Scope::Site,
        &[Metric::Listings, Metric::Bids],
        Span::Hour,
        now(),
    )
    .await
    .unwrap();
    let item = NewItem {
        name: "Counted clock".into(),
        description: "Every move counted.".into(),
        start_cents: 1_000,
        duration_ms: 3_600_000,
        ..Default::default()
    };
    let seller = 4_000 + rand_id();
    let id: ItemId = items::create(&db, UserId(seller), "seller", &item, None)
        .await
        .unwrap();
    rbay::auction::server::place_bid(&db, UserId(2), "ann", id, 1_500)
        .await
        .unwrap();
    rbay::auction::server::place_bid(&db, UserId(3), "ben", id, 2_000)
        .await
        .unwrap();
    rbay::auction::server::place_bid(&db, UserId(2), "ann", id, 2_500)
        .await
        .unwrap();
    for visitor in ["a:one", "a:two", "a:one"] {
        rbay::engagement::server::count_view(&db, id, &Visitor::from(visitor))
            .await
            .unwrap();
    }
    rbay::engagement::server::set_like(&db, UserId(2), id, true)
        .await
        .unwrap();
    rbay::engagement::server::set_like(&db, UserId(2), id, true)
        .await
        .unwrap(); // idempotent: one like
    watch::set_watch(&db, UserId(3), id, true).await.unwrap();
    stats::fold_all(&db).await.unwrap();

    let metrics = [
        Metric::Views,
        Metric::Visitors,
        Metric::Bids,
        Metric::Bidders,
        Metric::Likes,
        Metric::Watches,
        Metric::Listings,
    ];
    let totals = |scope| {
        let db = db.clone();
        async move {
            stats::series(&db, scope, &metrics, Span::Hour, now())
                .await
                .unwrap()
                .iter()
                .map(|s| s.total())
                .collect::<Vec<_>>()
        }
    };
    // views 3 (two new visitors), bids as the item counts them (each bid and the automatic
    // bids they caused) from two bidders, 1 like, 1 watcher, 1 listing.
    let detail = items::get(&db, id).await.unwrap().unwrap();
    assert!(
        (now() - detail.created_at_ms) < 60_000,
        "listed just now (the price chart starts there)"
    );
    let item_bids = detail.bids;
    assert_eq!(item_bids, 5, "1 + (auto + bid) + (auto + bid)");
    let expected = vec![3, 2, item_bids, 2, 1, 1, 1];
    assert_eq!(totals(Scope::Item(id)).await, expected);
    assert_eq!(totals(Scope::Seller(UserId(seller))).await, expected);
    let site = stats::series(
        &db,
        Scope::Site,
        &[Metric::Listings, Metric::Bids],
        Span::Hour,
        now(),
    )
    .await
    .unwrap();
    assert_eq!(site[0].total() - site_before[0].total(), 1);
    assert_eq!(site[1].total() - site_before[1].total(), item_bids);

    // The market's rankings for the hour: the item trends, and its price rose.
    let trending = stats::trending(&db, 5, now()).await.unwrap();
    assert!(trending.iter().any(|(i, _)| *i == id.0), "{trending:?}");
    let jumps = stats::price_jumps(&db, 5, now()).await.unwrap();
    let rise = jumps
        .iter()
        .find(|(i, _)| *i == id.0)
        .map(|(_, s)| *s as i64);
    let price = items::get(&db, id).await.unwrap().unwrap().price_cents;
    assert_eq!(
        rise,
        Some(price - 1_000),
        "the rise is the price minus the start"
    );
}

fn rand_id() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos() as u64
}

#[tokio::test]
async fn toggling_a_like_or_a_watch_counts_one_person_once() {
    let db = test_db().await;
    let now = || rbay::util::time::now_ms();
    let item = NewItem {
        name: "Toggled vase".into(),
        description: "Liked, unliked, liked again.".into(),
        start_cents: 1_000,
        duration_ms: 3_600_000,
        ..Default::default()
    };
    let seller = 5_000 + rand_id();
    let id: ItemId = items::create(&db, UserId(seller), "seller", &item, None)
        .await
        .unwrap();
    // One account toggles each 40 times, another likes and watches once.
    for i in 0..40 {
        let on = i % 2 == 0;
        rbay::engagement::server::set_like(&db, UserId(2), id, on)
            .await
            .unwrap();
        watch::set_watch(&db, UserId(2), id, on).await.unwrap();
    }
    rbay::engagement::server::set_like(&db, UserId(3), id, true)
        .await
        .unwrap();
    watch::set_watch(&db, UserId(3), id, true).await.unwrap();
    stats::fold_all(&db).await.unwrap();
    let totals: Vec<i64> = stats::series(
        &db,
        Scope::Item(id),
        &[Metric::Likes, Metric::Watches],
        Span::Hour,
        now(),
    )
    .await
    .unwrap()
    .iter()
    .map(|s| s.total())
    .collect();
    assert_eq!(totals, vec![2, 2], "two people, each counted once");
    // The trending score counts the same two people: a like weighs 2 and a watch 3.
    let trending = stats::trending(&db, 100, now()).await.unwrap();
    let score = trending.iter().find(|(i, _)| *i == id.0).map(|(_, s)| *s);
    assert_eq!(score, Some(10.0), "{trending:?}");
}

/// Instances fold the same logs at the same time: every event is still counted exactly once.
#[tokio::test(flavor = "multi_thread")]
async fn concurrent_folds_count_every_event_exactly_once() {
    let db = test_db().await;
    let writers: Vec<_> = (0..4u64)
        .map(|w| {
            let db = db.clone();
            tokio::spawn(async move {
                for i in 0..300u64 {
                    stats::record(
                        &db,
                        Scope::Item(ItemId(100 + (w * 300 + i) % 16)),
                        Metric::Views,
                        1,
                        None,
                    )
                    .await
                    .unwrap();
                }
            })
        })
        .collect();
    let folders: Vec<_> = (0..3)
        .map(|_| {
            let db = db.clone();
            tokio::spawn(async move {
                for _ in 0..40 {
                    stats::fold_all(&db).await.unwrap();
                }
            })
        })
        .collect();
    for task in writers.into_iter().chain(folders) {
        task.await.unwrap();
    }
    stats::fold_all(&db).await.unwrap();
    let now = rbay::util::time::now_ms();
    let mut total = 0;
    for item in 100..116 {
        total += stats::series(
            &db,
            Scope::Item(ItemId(item)),
            &[Metric::Views],
            Span::Hour,
            now,
        )
        .await
        .unwrap()[0]
            .total();
    }
    assert_eq!(total, 1_200);
}

/// A seller's visitors and bidders are people: the same two bidders and three visitors on two
/// of the seller's items are two bidders and three visitors of the seller, in every span and
/// in the bucket they fell in, however often the logs are folded.
#[tokio::test]
async fn a_sellers_visitors_and_bidders_are_people_counted_once() {
    let db = test_db().await;
    let now = || rbay::util::time::now_ms();
    let seller = UserId(6_000 + rand_id());
    let mut ids = Vec::new();
    for name in ["First lamp", "Second lamp"] {
        let item = NewItem {
            name: name.into(),
            description: "One of two.".into(),
            start_cents: 1_000,
            duration_ms: 3_600_000,
            ..Default::default()
        };
        ids.push(
            items::create(&db, seller, "seller", &item, None)
                .await
                .unwrap(),
        );
    }
    for id in &ids {
        for (bidder, name, cents) in [(2, "ann", 1_500), (3, "ben", 2_000), (2, "ann", 2_500)] {
            rbay::auction::server::place_bid(&db, UserId(bidder), name, *id, cents)
                .await
                .unwrap();
        }
        for visitor in ["a:one", "a:two", "u:2", "a:one"] {
            rbay::engagement::server::count_view(&db, *id, &Visitor::from(visitor))
                .await
                .unwrap();
        }
    }
    let metrics = [Metric::Visitors, Metric::Bidders, Metric::Bids];
    for round in 0..2 {
        stats::fold_all(&db).await.unwrap();
        for span in [Span::Hour, Span::Day, Span::Month] {
            let of_seller = stats::series(&db, Scope::Seller(seller), &metrics, span, now())
                .await
                .unwrap();
            let totals: Vec<i64> = of_seller.iter().map(|s| s.total()).collect();
            assert_eq!(totals, vec![3, 2, 10], "{span:?}, fold {round}");
            // The bucket they all fell in counts the same people (the test runs within a
            // minute; at a boundary the people may straddle two buckets, each counted once).
            let last_two: i64 = of_seller[1].values.iter().rev().take(2).sum();
            assert!((2..=4).contains(&last_two), "{:?}", of_seller[1].values);
            assert!(of_seller[1].values.iter().all(|n| *n <= 2));
        }
        for id in &ids {
            let of_item = stats::series(&db, Scope::Item(*id), &metrics, Span::Hour, now())
                .await
                .unwrap();
            let totals: Vec<i64> = of_item.iter().map(|s| s.total()).collect();
            assert_eq!(totals, vec![3, 2, 5], "per item, fold {round}");
        }
    }
    // Everything counted was taken off the people logs.
    let mut conn = db.conn().unwrap();
    for shard in 0..rbay::server::redis::keys::SHARDS {
        let waiting: i64 = redis::cmd("XLEN")
            .arg(db.keys().people_log(shard))
            .query_async(&mut conn)
            .await
            .unwrap();
        assert_eq!(waiting, 0, "shard {shard}");
    }
}
