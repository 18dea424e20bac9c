//! Auctions against a real Redis: listing, every bid rule, a storm of concurrent bids, unique
//! views, likes, search (including hostile queries), dashboard sorting, profiles, fencing.
#![cfg(feature = "ssr")]
// A test fails by panicking: unwrapping is how it says what went wrong.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use rbay::accounts::UserId;
use rbay::auction::server::{BidOutcome, BidRejection};
use rbay::catalog::server::search::{self, SearchSort, StatusFilter};
use rbay::items::server as items;
use rbay::items::server::images;
use rbay::items::{ItemId, NewItem};
use rbay::profiles::server as profiles;
use rbay::server::redis::lock::Lock;
use rbay::server::Db;
use rbay::util::time::now_ms;
use std::collections::HashMap;
use std::time::Duration;

fn new_item(name: &str, cents: i64, duration_ms: i64) -> NewItem {
    NewItem {
        name: name.into(),
        description: format!("{name}, in good condition."),
        start_cents: cents,
        duration_ms,
        ..Default::default()
    }
}

async fn list(db: &Db, seller: u64, name: &str, cents: i64, duration_ms: i64) -> ItemId {
    items::create(
        db,
        UserId(seller),
        &format!("seller{seller}"),
        &new_item(name, cents, duration_ms),
        None,
    )
    .await
    .unwrap()
}

async fn wait_indexed(db: &Db, id: ItemId) {
    let seen = eventually(5, || {
        let db = db.clone();
        async move { indexed_ids(&db, "*").await.contains(&id) }
    })
    .await;
    assert!(seen, "item {id} never showed up in the index");
}

#[tokio::test]
async fn every_bid_rule() {
    let db = test_db().await;
    let id = list(&db, 1, "Oak chair", 1_000, 60_000).await;

    let bid = |user: u64, cents: i64| {
        let db = db.clone();
        async move {
            rbay::auction::server::place_bid(&db, UserId(user), &format!("user{user}"), id, cents)
                .await
                .unwrap()
        }
    };
    assert_eq!(
        rbay::auction::server::place_bid(&db, UserId(2), "x", ItemId(999_999), 5_000)
            .await
            .unwrap(),
        BidOutcome::Rejected(BidRejection::NotFound)
    );
    // A malformed id is "not found" where it enters: it never becomes an item id.
    assert_eq!(ItemId::parse("not-an-id"), None);
    assert_eq!(
        bid(1, 5_000).await,
        BidOutcome::Rejected(BidRejection::OwnItem)
    );
    assert_eq!(
        bid(2, 999).await,
        BidOutcome::Rejected(BidRejection::TooLow {
            minimum_cents: 1_000
        })
    );

    // The first bid may equal the starting price; then the increment applies ($10 → +50¢).
    match bid(2, 1_000).await {
        BidOutcome::Accepted {
            price_cents,
            bids,
            min_next_cents,
            outbid,
            ..
        } => {
            assert_eq!((price_cents, bids, min_next_cents), (1_000, 1, 1_050));
            assert_eq!(outbid, None, "nobody led before");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        bid(3, 1_049).await,
        BidOutcome::Rejected(BidRejection::TooLow {
            minimum_cents: 1_050
        })
    );
    assert!(matches!(
        bid(3, 1_050).await,
        BidOutcome::Accepted {
            bids: 2,
            outbid: Some(UserId(2)),
            ..
        }
    ));
    // A maximum of $100: user 2 leads again, one increment above user 3's maximum.
    assert!(matches!(
        bid(2, 10_000).await,
        BidOutcome::Accepted {
            price_cents: 1_100,
            min_next_cents: 1_150,
            leading: true,
            ..
        }
    ));
    // Above $100 the increment is $2.50: a tie with user 2's maximum lifts the price to it.
    assert!(matches!(
        bid(3, 10_000).await,
        BidOutcome::Accepted {
            price_cents: 10_000,
            min_next_cents: 10_250,
            leading: false,
            ..
        }
    ));

    let item = items::get(&db, id).await.unwrap().unwrap();
    assert_eq!(
        (item.price_cents, item.bids, item.high_bidder_id),
        (10_000, 5, Some(UserId(2)))
    );
    assert_eq!(item.high_bidder_name.as_deref(), Some("user2"));

    // Refused bids changed nothing; automatic bids are marked.
    let page = items::page(&db, id, None).await.unwrap().unwrap();
    let rows: Vec<(u64, i64, bool)> = page
        .history
        .iter()
        .map(|b| (b.bidder_id.0, b.amount_cents, b.auto))
        .collect();
    assert_eq!(
        rows,
        [
            (2, 10_000, true),
            (3, 10_000, false),
            (2, 1_100, false),
            (3, 1_050, false),
            (2, 1_000, false)
        ],
        "newest first, only accepted bids"
    );
}

#[tokio::test]
async fn an_ended_auction_refuses_bids_by_redis_time() {
    let db = test_db().await;
    // Without soft close (a bid in the last 2 minutes would move the end).
    let item = NewItem {
        soft_close: false,
        ..new_item("Sand timer", 500, 300)
    };
    let id = items::create(&db, UserId(1), "s", &item, None)
        .await
        .unwrap();
    assert!(matches!(
        rbay::auction::server::place_bid(&db, UserId(2), "b", id, 500)
            .await
            .unwrap(),
        BidOutcome::Accepted { .. }
    ));
    let over = eventually(3, || {
        let db = db.clone();
        async move { items::get(&db, id).await.unwrap().unwrap().ends_at_ms < now_ms() }
    })
    .await;
    assert!(over);
    assert_eq!(
        rbay::auction::server::place_bid(&db, UserId(3), "c", id, 100_000)
            .await
            .unwrap(),
        BidOutcome::Rejected(BidRejection::Ended)
    );
    let item = items::get(&db, id).await.unwrap().unwrap();
    assert_eq!(
        (item.price_cents, item.high_bidder_name.as_deref()),
        (500, Some("b"))
    );
}

#[tokio::test]
async fn two_hundred_concurrent_bids_from_twenty_users_lose_nothing() {
    let db = test_db().await;
    let id = list(&db, 999, "Hot item", 100, 600_000).await;
    let mut tasks = Vec::new();
    for user in 1..=20u64 {
        let (db, id) = (db.clone(), id);
        tasks.push(tokio::spawn(async move {
            let mut results = Vec::new();
            for round in 0..10i64 {
                // Amounts interleave across users, so many bids race for the same price.
                let cents = 100 + round * 400 + (user as i64) * 17;
                let outcome = rbay::auction::server::place_bid(
                    &db,
                    UserId(user),
                    &format!("u{user}"),
                    id,
                    cents,
                )
                .await
                .unwrap();
                results.push((user, cents, outcome));
            }
            results
        }));
    }
    let mut accepted = Vec::new();
    let mut requests = 0;
    for task in tasks {
        for (user, cents, outcome) in task.await.unwrap() {
            requests += 1;
            match outcome {
                BidOutcome::Accepted { at_ms, .. } => accepted.push((at_ms, user, cents)),
                BidOutcome::Rejected(BidRejection::TooLow { minimum_cents }) => {
                    assert!(
                        cents < minimum_cents,
                        "refused {cents} though the minimum was {minimum_cents}"
                    );
                }
                other => panic!("unexpected answer {other:?}"),
            }
        }
    }
    assert_eq!(requests, 200);
    assert!(
        accepted.len() > 20,
        "the storm should accept many bids, got {}",
        accepted.len()
    );

    // Nothing accepted is lost: each bidder's maximum is their highest accepted bid.
    let mut best: HashMap<u64, i64> = HashMap::new();
    for (_, user, cents) in &accepted {
        let b = best.entry(*user).or_default();
        *b = (*b).max(*cents);
    }
    for (user, max) in &best {
        let page = items::page(&db, id, Some(UserId(*user)))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(page.my_max_cents, Some(*max), "user {user}'s maximum");
    }
    // The leader holds the highest maximum, and pays one increment over the second highest
    // (or that maximum itself, when closer).
    let mut ranked: Vec<(i64, u64)> = best.iter().map(|(u, c)| (*c, *u)).collect();
    ranked.sort_unstable_by(|a, b| b.cmp(a));
    let (top, leader) = ranked[0];
    let second = ranked[1].0;
    let item = items::get(&db, id).await.unwrap().unwrap();
    assert_eq!(item.high_bidder_id, Some(UserId(leader)));
    assert_eq!(item.price_cents, top.min(second + increment(second)));

    // The whole history (the page shows the newest 50) never goes down, and the count of bids
    // is its length.
    let mut conn = db.raw_conn();
    let raw: Vec<String> = redis::cmd("LRANGE")
        .arg(db.keys().item_bids(id))
        .arg(0)
        .arg(-1)
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_eq!(item.bids as usize, raw.len());
    let page = items::page(&db, id, None).await.unwrap().unwrap();
    assert_eq!(
        page.history.len(),
        raw.len().min(rbay::items::HISTORY_LIMIT)
    );
    let prices: Vec<i64> = raw
        .iter()
        .rev()
        .map(|entry| entry.split('|').nth(1).unwrap().parse().unwrap())
        .collect();
    let mut highest = 0;
    for (n, p) in prices.iter().enumerate() {
        // A bid answered at once by a higher maximum is recorded below the answer before it;
        // the automatic answers themselves never go down.
        if raw[raw.len() - 1 - n].split('|').nth(3) == Some("a") {
            assert!(*p >= highest, "automatic bid went down: {prices:?}");
        }
        highest = highest.max(*p);
    }
}

/// The bid increment ladder below $100 (as in `lua/place_bid.lua`).
fn increment(price: i64) -> i64 {
    match price {
        p if p < 100 => 5,
        p if p < 500 => 25,
        p if p < 2_500 => 50,
        p if p < 10_000 => 100,
        _ => 250,
    }
}

#[tokio::test]
async fn a_view_is_counted_once_per_visitor() {
    let db = test_db().await;
    let id = list(&db, 1, "Lamp", 100, 60_000).await;
    let mut answers = Vec::new();
    for _ in 0..3 {
        answers.push(
            rbay::engagement::server::count_view(&db, id, &"a:visitor-one".into())
                .await
                .unwrap(),
        );
    }
    // The first view runs the script; this instance remembers the visitor, so the repeats
    // cost no round trip (and give no count back).
    assert_eq!(answers, [Some(1), None, None]);
    assert_eq!(items::get(&db, id).await.unwrap().unwrap().views, 1);
    rbay::engagement::server::count_view(&db, id, &"u:7".into())
        .await
        .unwrap();
    rbay::engagement::server::count_view(&db, id, &"u:7".into())
        .await
        .unwrap();
    rbay::engagement::server::count_view(&db, id, &"a:visitor-two".into())
        .await
        .unwrap();
    let page = items::page(&db, id, None).await.unwrap().unwrap();
    assert_eq!(page.item.views, 3);
    assert_eq!(
        rbay::engagement::server::count_view(&db, ItemId(424_242), &"a:x".into())
            .await
            .unwrap(),
        None
    );
    assert!(items::page(&db, ItemId(424_242), None)
        .await
        .unwrap()
        .is_none());
    assert_eq!(ItemId::parse("../etc"), None);
}

#[tokio::test]
async fn likes_are_idempotent_and_show_on_profiles() {
    let db = test_db().await;
    let id = list(&db, 1, "Teapot", 100, 60_000).await;
    assert_eq!(
        rbay::engagement::server::set_like(&db, UserId(5), id, true)
            .await
            .unwrap(),
        Some((true, 1))
    );
    assert_eq!(
        rbay::engagement::server::set_like(&db, UserId(5), id, true)
            .await
            .unwrap(),
        Some((true, 1))
    );
    assert_eq!(
        rbay::engagement::server::set_like(&db, UserId(6), id, true)
            .await
            .unwrap(),
        Some((true, 2))
    );
    assert_eq!(
        rbay::engagement::server::set_like(&db, UserId(5), id, false)
            .await
            .unwrap(),
        Some((false, 1))
    );
    assert_eq!(
        rbay::engagement::server::set_like(&db, UserId(5), id, false)
            .await
            .unwrap(),
        Some((false, 1))
    );
    assert_eq!(
        rbay::engagement::server::set_like(&db, UserId(5), ItemId(31_337), true)
            .await
            .unwrap(),
        None
    );

    // Profiles need a user record: make two (seller 1 and liker 6) directly.
    let mut conn = db.raw_conn();
    for (uid, name) in [(1u64, "seller1"), (6, "liker")] {
        let _: () = redis::cmd("HSET")
            .arg(db.keys().user(UserId(uid)))
            .arg("username")
            .arg(name)
            .arg("created_at")
            .arg(0)
            .query_async(&mut conn)
            .await
            .unwrap();
    }
    let liker = profiles::profile(&db, UserId(6), 1).await.unwrap().unwrap();
    assert_eq!(liker.liked.iter().map(|c| c.id).collect::<Vec<_>>(), [id]);
    assert!(liker.selling.is_empty());
    let seller = profiles::profile(&db, UserId(1), 1).await.unwrap().unwrap();
    assert_eq!(seller.selling.len(), 1);
    assert_eq!(seller.selling[0].likes, 1);
    // A seller who likes their own item sees it in both lists.
    rbay::engagement::server::set_like(&db, UserId(1), id, true)
        .await
        .unwrap();
    let seller = profiles::profile(&db, UserId(1), 1).await.unwrap().unwrap();
    assert_eq!((seller.selling.len(), seller.liked.len()), (1, 1));
    assert!(profiles::profile(&db, UserId(2), 1)
        .await
        .unwrap()
        .is_none());
    for malformed in ["0", "abc", "-1", "01"] {
        assert_eq!(UserId::parse(malformed), None, "{malformed}");
    }
}

#[tokio::test]
async fn search_matches_prefix_and_typos_weights_names_and_survives_hostile_queries() {
    let db = test_db().await;
    let scope = list(&db, 1, "Brass telescope", 5_000, 600_000).await;
    let mut conn = db.raw_conn();
    let lamp_named = list(&db, 1, "Desk lamp", 2_000, 600_000).await;
    let lamp_described = items::create(
        &db,
        UserId(2),
        "seller2",
        &NewItem {
            name: "Reading kit".into(),
            description: "Book stand with a small lamp".into(),
            start_cents: 9_000,
            duration_ms: 600_000,
            ..Default::default()
        },
        None,
    )
    .await
    .unwrap();
    let ended = list(&db, 2, "Ended telescope", 100, 200).await;
    for id in [&scope, &lamp_named, &lamp_described, &ended] {
        wait_indexed(&db, *id).await;
    }
    let over = eventually(3, || {
        let db = db.clone();
        async move { items::get(&db, ended).await.unwrap().unwrap().ends_at_ms < now_ms() }
    })
    .await;
    assert!(over, "the ended telescope's auction is over");

    let ids =
        |page: rbay::items::CardPage| page.cards.into_iter().map(|c| c.id).collect::<Vec<_>>();
    let find = |q: &'static str, status: StatusFilter, sort: SearchSort| {
        let db = db.clone();
        async move { search::search(&db, q, status, sort, None, 1).await.unwrap() }
    };
    // Prefix and typo.
    assert!(ids(find("teles", StatusFilter::All, SearchSort::Relevance).await).contains(&scope));
    assert!(ids(find("telscope", StatusFilter::All, SearchSort::Relevance).await).contains(&scope));
    // "Did you mean": each word the index does not know, replaced by the closest it knows.
    for (typed, meant) in [
        ("telscope", Some("telescope")),
        ("brass telscope", Some("brass telescope")),
        ("telescope", None),
        ("qqqqqq", None),
    ] {
        let page = find(typed, StatusFilter::All, SearchSort::Relevance).await;
        assert_eq!(page.did_you_mean.as_deref(), meant, "{typed:?}");
    }
    // Live / ended filter.
    let live = ids(find("telescope", StatusFilter::Live, SearchSort::Relevance).await);
    assert!(live.contains(&scope) && !live.contains(&ended));
    assert_eq!(
        ids(find("telescope", StatusFilter::Ended, SearchSort::Relevance).await),
        vec![ended]
    );
    // Name above description.
    assert_eq!(
        ids(find("lamp", StatusFilter::All, SearchSort::Relevance).await),
        [lamp_named, lamp_described]
    );
    // Sorting by price.
    assert_eq!(
        ids(find("lamp", StatusFilter::All, SearchSort::PriceHigh).await),
        [lamp_described, lamp_named]
    );
    // "Ending soonest" lists running auctions only (the ended one would otherwise come first).
    assert_eq!(
        ids(find("telescope", StatusFilter::All, SearchSort::EndingSoon).await),
        vec![scope]
    );
    // A page past the last one is empty, with the total still known (the page says so).
    let past = search::search(
        &db,
        "lamp",
        StatusFilter::All,
        SearchSort::Relevance,
        None,
        9,
    )
    .await
    .unwrap();
    assert_eq!((past.total, past.cards.len()), (2, 0));

    // Query syntax is text, never syntax: nothing breaks, nothing widens.
    for hostile in [
        "*",
        "@name:{x}",
        "telescope | *",
        "-lamp",
        "\"unclosed",
        "(((",
        "%%%",
        "~",
        "@description:lamp",
        "lamp)|(*",
        &"a".repeat(10_000),
    ] {
        let page = search::search(
            &db,
            hostile,
            StatusFilter::All,
            SearchSort::Relevance,
            None,
            1,
        )
        .await
        .unwrap_or_else(|e| panic!("{hostile:?} failed: {e:?}"));
        assert!(
            page.total <= 2,
            "{hostile:?} widened the search to {} results",
            page.total
        );
    }
    assert_eq!(
        find("", StatusFilter::All, SearchSort::Relevance)
            .await
            .total,
        0
    );

    // Suggestions complete names.
    let suggested = search::suggest(&db, "tele").await.unwrap();
    assert!(suggested.iter().any(|c| c.id == scope));
    // From four letters, with a letter wrong, missing or extra.
    let suggested = search::suggest(&db, "telscope").await.unwrap();
    assert!(suggested.iter().any(|c| c.id == scope));
    assert!(search::suggest(&db, "*").await.unwrap().is_empty());

    // Similar items: the other telescope, never the item itself.
    let similar = rbay::items::server::index::similar(&db, scope, "Brass telescope", "")
        .await
        .unwrap();
    assert!(similar.iter().any(|c| c.id == ended) && similar.iter().all(|c| c.id != scope));
    let _: () = redis::cmd("PING").query_async(&mut conn).await.unwrap();
}

#[tokio::test]
async fn item_pages_asked_at_once_share_one_list_of_similar_items() {
    let db = test_db().await;
    let vase = list(&db, 1, "Blue glass vase", 100, 3_600_000).await;
    let others = [
        list(&db, 2, "Green glass vase", 100, 3_600_000).await,
        list(&db, 3, "Tall glass vase", 100, 3_600_000).await,
    ];
    for id in [vase, others[0], others[1]] {
        wait_indexed(&db, id).await;
    }
    // Sixteen first views at once: no list is stored yet, so each would search.
    let pages = futures_util::future::join_all((0..16).map(|_| items::page(&db, vase, None))).await;
    let lists: Vec<Vec<ItemId>> = pages
        .into_iter()
        .map(|page| {
            let mut ids: Vec<ItemId> = page
                .unwrap()
                .unwrap()
                .similar
                .into_iter()
                .map(|c| c.id)
                .collect();
            ids.sort();
            ids
        })
        .collect();
    let mut expected: Vec<ItemId> = others.to_vec();
    expected.sort();
    assert!(
        lists.iter().all(|ids| *ids == expected),
        "every page shows the two other vases, never the item itself: {lists:?}"
    );
    let mut conn = db.raw_conn();
    let stored: String = redis::cmd("GET")
        .arg(db.keys().item_similar(vase))
        .query_async(&mut conn)
        .await
        .unwrap();
    let mut stored: Vec<ItemId> = stored
        .split(',')
        .map(|s| ItemId::parse(s).unwrap())
        .collect();
    stored.sort();
    assert_eq!(stored, expected, "the list is stored for the next pages");
}

#[tokio::test]
async fn dashboard_sorts_by_validated_columns() {
    let db = test_db().await;
    let a = list(&db, 42, "Alpha", 300, 60_000).await;
    let b = list(&db, 42, "Bravo", 100, 120_000).await;
    let c = list(&db, 42, "Charlie", 200, 30_000).await;
    let _other = list(&db, 43, "Not mine", 50, 60_000).await;
    for id in [&a, &b, &c] {
        wait_indexed(&db, *id).await;
    }
    let order = |key: &'static str, desc: bool| {
        let db = db.clone();
        async move {
            let key = rbay::seller::server::dashboard::dashboard_sort_key(key).unwrap();
            rbay::seller::server::dashboard::seller_items(&db, UserId(42), key, desc, 1)
                .await
                .unwrap()
                .cards
                .into_iter()
                .map(|c| c.name)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(order("price", false).await, ["Bravo", "Charlie", "Alpha"]);
    assert_eq!(order("price", true).await, ["Alpha", "Charlie", "Bravo"]);
    assert_eq!(order("ends_at", false).await, ["Charlie", "Alpha", "Bravo"]);
    assert_eq!(order("name", true).await, ["Charlie", "Bravo", "Alpha"]);
    assert_eq!(
        rbay::seller::server::dashboard::seller_items(&db, UserId(42), "price", false, 1)
            .await
            .unwrap()
            .total,
        3
    );
    assert!(rbay::seller::server::dashboard::dashboard_sort_key("seller_id").is_err());
}

#[tokio::test]
async fn photos_are_stored_and_served_per_item() {
    let db = test_db().await;
    let photo = images::process(&images::demo_photo(3)).unwrap();
    let with = items::create(
        &db,
        UserId(1),
        "s",
        &new_item("Framed print", 100, 60_000),
        Some(&photo),
    )
    .await
    .unwrap();
    let without = list(&db, 1, "Mystery box", 100, 60_000).await;
    assert_eq!(
        items::photo(&db, with, true).await.unwrap(),
        Some(photo.thumb.clone())
    );
    assert_eq!(
        items::photo(&db, with, false).await.unwrap(),
        Some(photo.large.clone())
    );
    assert!(items::get(&db, with).await.unwrap().unwrap().has_photo);
    assert_eq!(items::photo(&db, without, true).await.unwrap(), None);
    assert_eq!(
        items::name(&db, without).await.unwrap().as_deref(),
        Some("Mystery box")
    );
}

#[tokio::test]
async fn a_holder_whose_lock_expired_cannot_write() {
    let db = test_db().await;
    // The guarded hash lives in the lock's slot (the lock is named with its hash tag).
    let target = db.keys().item_state(16u64);
    let lock = "fenced-test:{s00}";
    let stale = Lock::try_acquire(&db, lock, Duration::from_millis(100))
        .await
        .unwrap()
        .unwrap();
    assert!(stale
        .fenced_hset(&db, &target, &[("closed", "1".into())])
        .await
        .unwrap());
    // Once the stale holder's lease runs out, someone else gets the lock.
    let fresh = Lock::acquire_waiting(&db, lock, Duration::from_secs(5), Duration::from_secs(3))
        .await
        .unwrap()
        .expect("the expired lock is free");
    assert!(!stale
        .fenced_hset(&db, &target, &[("winner", "stale".into())])
        .await
        .unwrap());
    assert!(fresh
        .fenced_hset(&db, &target, &[("winner", "fresh".into())])
        .await
        .unwrap());
    let mut conn = db.raw_conn();
    let fields: HashMap<String, String> = redis::cmd("HGETALL")
        .arg(&target)
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_eq!(fields.get("winner").map(String::as_str), Some("fresh"));
    fresh.release(&db).await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn two_relists_at_once_make_one_new_listing_and_a_bid_stops_ending_early() {
    use rbay::listings::server::manage::{end_early, relist, Ended, Relisted};
    let db = test_db().await;
    let id = list(&db, 1, "Pine chest", 1_000, 3_600_000).await;
    // Another user may not end it; the seller may, once.
    assert_eq!(
        end_early(&db, UserId(2), id).await.unwrap(),
        Ended::NotYours
    );
    assert!(matches!(
        end_early(&db, UserId(1), id).await.unwrap(),
        Ended::Ended { .. }
    ));
    assert_eq!(end_early(&db, UserId(1), id).await.unwrap(), Ended::Over);
    let ended = items::get(&db, id).await.unwrap().unwrap();
    assert!(ended.ended_early && ended.outcome.as_deref() == Some("unsold"));
    // Out of the live rankings at once.
    let home = rbay::catalog::server::rankings::home_sections(&db)
        .await
        .unwrap();
    assert!(home.ending_soon.iter().all(|c| c.id != id));

    let (a, b) = tokio::join!(
        relist(&db, UserId(1), "seller", id),
        relist(&db, UserId(1), "seller", id)
    );
    let outcomes = [a.unwrap(), b.unwrap()];
    let made: Vec<ItemId> = outcomes
        .iter()
        .filter_map(|o| match o {
            Relisted::Relisted(new) => Some(*new),
            _ => None,
        })
        .collect();
    assert_eq!(made.len(), 1, "{outcomes:?}");
    assert!(
        outcomes.iter().any(|o| matches!(o, Relisted::Already(_))),
        "{outcomes:?}"
    );
    let new = items::get(&db, made[0]).await.unwrap().unwrap();
    assert_eq!(
        (new.name.as_str(), new.start_price_cents),
        ("Pine chest", 1_000)
    );
    assert_eq!(
        items::get(&db, id).await.unwrap().unwrap().relisted_as,
        Some(made[0])
    );

    // Once somebody bids, the listing runs to its end.
    let bid = rbay::auction::server::place_bid(&db, UserId(3), "cat", made[0], 1_000)
        .await
        .unwrap();
    assert!(matches!(
        bid,
        rbay::auction::server::BidOutcome::Accepted { .. }
    ));
    assert_eq!(
        end_early(&db, UserId(1), made[0]).await.unwrap(),
        Ended::HasBids
    );
    assert_eq!(
        relist(&db, UserId(1), "seller", made[0]).await.unwrap(),
        Relisted::NotOver
    );
}

/// On one Redis a bid and its session check are one script (`lua/bid_as.lua`): no session, a
/// session of another user, a suspended account or a spent rate limit writes nothing; a bid
/// that passes is placed by the session's user (never by whom the request says) and lands in
/// their bids; the rules still refuse what they refuse.
#[tokio::test]
async fn one_script_checks_the_session_and_places_the_bid() {
    use rbay::accounts::server::sessions;
    use rbay::auction::server::bids::{place_bid_as, SignedBid};
    use rbay::server::redis::rate_limit::Limit;
    if on_cluster() {
        // A cluster keeps the two scripts apart (different slots): `bids` covers them there.
        return;
    }
    let db = test_db().await;
    let ttl = Duration::from_secs(3_600);
    let item = list(&db, 1, "Pewter jug", 1_000, 3_600_000).await;
    let ann = sessions::create(&db, UserId(2), "ann", ttl, 0)
        .await
        .unwrap();
    let ben = sessions::create(&db, UserId(3), "ben", ttl, 0)
        .await
        .unwrap();
    let roomy = Limit::per_secs(100, 60);
    let bid = |cookie: String, limit: Limit, cents: i64| {
        let db = db.clone();
        async move {
            place_bid_as(&db, &cookie, ttl, limit, item, cents)
                .await
                .unwrap()
        }
    };
    let price = |db: Db| async move { items::get(&db, item).await.unwrap().unwrap().price_cents };

    // Not a session: nothing counted, nothing written.
    let forged = format!("2.{}", "a".repeat(64));
    assert!(matches!(
        bid(forged, roomy, 5_000).await,
        SignedBid::SignedOut
    ));
    assert!(matches!(
        bid("junk".into(), roomy, 5_000).await,
        SignedBid::SignedOut
    ));
    // Ann's token under Ben's id is no one's session.
    let token = ann.token.split_once('.').unwrap().1;
    assert!(matches!(
        bid(format!("3.{token}"), roomy, 5_000).await,
        SignedBid::SignedOut
    ));
    assert_eq!(price(db.clone()).await, 1_000);

    // Ann bids: placed as Ann, leading, in her bids.
    match bid(ann.token.clone(), roomy, 2_000).await {
        SignedBid::Placed(user, BidOutcome::Accepted { leading, .. }) => {
            assert_eq!((user.user_id, user.username.as_str()), (UserId(2), "ann"));
            assert!(leading);
        }
        other => panic!("{other:?}"),
    }
    let hers = rbay::my_lists::server::mine::my_bids(&db, UserId(2))
        .await
        .unwrap();
    assert_eq!(hers.iter().map(|m| m.card.id).collect::<Vec<_>>(), [item]);

    // The rules still hold inside: too low is refused and not in Ben's bids.
    match bid(ben.token.clone(), roomy, 900).await {
        SignedBid::Placed(_, BidOutcome::Rejected(BidRejection::TooLow { .. })) => {}
        other => panic!("{other:?}"),
    }
    assert!(rbay::my_lists::server::mine::my_bids(&db, UserId(3))
        .await
        .unwrap()
        .is_empty());

    // A spent limit refuses before the bid: with two bids a minute, Ben's third (the refused
    // one above counted) writes nothing.
    let two = Limit::per_secs(2, 60);
    assert!(matches!(
        bid(ben.token.clone(), two, 3_000).await,
        SignedBid::Placed(..)
    ));
    let moved = price(db.clone()).await;
    match bid(ben.token.clone(), two, 9_000).await {
        SignedBid::Limited(user, secs) => {
            assert_eq!(user.user_id, UserId(3));
            assert!(secs >= 1);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(price(db.clone()).await, moved);

    // A suspended account's session is dead, here too.
    let _: () = redis::cmd("HSET")
        .arg(db.keys().user(UserId(2)))
        .arg("suspended")
        .arg(1)
        .query_async(&mut db.raw_conn())
        .await
        .unwrap();
    assert!(matches!(
        bid(ann.token.clone(), roomy, 50_000).await,
        SignedBid::SignedOut
    ));
    assert_eq!(price(db.clone()).await, moved);
}
