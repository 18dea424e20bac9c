//! The data model that keeps pages fast at any catalogue size, against a real Redis: rankings
//! in sorted sets updated by the writes themselves, hot counters kept out of the search
//! index (and copied into it in batches), closing by the ending schedule.
#![cfg(feature = "ssr")]
// A test fails by panicking: unwrapping is how it says what went wrong.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use rbay::accounts::UserId;
use rbay::auction::server::closer;
use rbay::catalog::server::{rankings, search};
use rbay::items::server::{self as items, index_sync};
use rbay::items::{Condition, ItemId, ListingTerms, NewItem, Shipping};
use rbay::server::redis::lock::Lock;
use rbay::server::Db;
use std::collections::HashMap;
use std::time::Duration;

async fn list(db: &Db, name: &str, cents: i64, duration_ms: i64) -> ItemId {
    let item = NewItem {
        name: name.into(),
        description: format!("{name}, as new."),
        start_cents: cents,
        duration_ms,
        ..Default::default()
    };
    items::create(db, UserId(1), "seller", &item, None)
        .await
        .unwrap()
}

fn ids(cards: &[rbay::items::ItemCard]) -> Vec<ItemId> {
    cards.iter().map(|c| c.id).collect()
}

#[tokio::test]
async fn a_bid_moves_an_item_in_highest_price_at_once() {
    let db = test_db().await;
    let cheap = list(&db, "Tin whistle", 100, 3_600_000).await;
    let dear = list(&db, "Silver flute", 5_000, 3_600_000).await;
    let home = rankings::home_sections(&db).await.unwrap();
    assert_eq!(ids(&home.highest_price), [dear, cheap]);
    // Maximums of $80 and $90: the price becomes $80 + $1.
    rbay::auction::server::place_bid(&db, UserId(2), "bidder", cheap, 8_000)
        .await
        .unwrap();
    rbay::auction::server::place_bid(&db, UserId(3), "other", cheap, 9_000)
        .await
        .unwrap();
    let home = rankings::home_sections(&db).await.unwrap();
    assert_eq!(
        ids(&home.highest_price),
        [cheap, dear],
        "no waiting, no re-indexing"
    );
    assert_eq!(home.highest_price[0].price_cents, 8_100);
}

#[tokio::test]
async fn a_new_unique_view_moves_an_item_in_most_viewed_at_once() {
    let db = test_db().await;
    let quiet = list(&db, "Quiet clock", 100, 3_600_000).await;
    let busy = list(&db, "Busy clock", 100, 3_600_000).await;
    rbay::engagement::server::count_view(&db, busy, &"a:one".into())
        .await
        .unwrap();
    let home = rankings::home_sections(&db).await.unwrap();
    assert_eq!(ids(&home.most_viewed), [busy, quiet]);
    for visitor in ["a:one", "a:two", "a:three", "a:two"] {
        rbay::engagement::server::count_view(&db, quiet, &visitor.into())
            .await
            .unwrap();
    }
    let home = rankings::home_sections(&db).await.unwrap();
    assert_eq!(ids(&home.most_viewed), [quiet, busy]);
    assert_eq!(
        home.most_viewed[0].views, 3,
        "a returning visitor counts once"
    );
}

#[tokio::test]
async fn ending_soonest_lists_live_auctions_by_end_and_closing_takes_them_out() {
    let db = test_db().await;
    let later = list(&db, "Later lamp", 100, 3_600_000).await;
    let sooner = list(&db, "Sooner lamp", 100, 600_000).await;
    let ended = list(&db, "Gone lamp", 100, 1).await;
    // Its one millisecond must be over before the rankings are read.
    tokio::time::sleep(Duration::from_millis(20)).await;
    rbay::engagement::server::count_view(&db, ended, &"a:x".into())
        .await
        .unwrap();
    let home = rankings::home_sections(&db).await.unwrap();
    assert_eq!(ids(&home.ending_soon), [sooner, later]);
    for section in [&home.most_viewed, &home.highest_price] {
        assert!(
            !ids(section).contains(&ended),
            "ended auctions are in no ranking"
        );
    }
    // The closer finds it through the shard's ending schedule and takes it out everywhere.
    assert!(closer::close_due(&db).await.unwrap() >= 1);
    let mut conn = db.raw_conn();
    let shard = rbay::server::redis::keys::shard_of(ended.0);
    for rank in [
        db.keys().rank_ending(shard),
        db.keys().rank_views(shard),
        db.keys().rank_price(shard),
        // Its category's ranking too (the listing helper leaves the default category).
        db.keys()
            .rank_ending_in(rbay::items::DEFAULT_CATEGORY, shard),
    ] {
        let score: Option<f64> = redis::cmd("ZSCORE")
            .arg(&rank)
            .arg(ended.0)
            .query_async(&mut conn)
            .await
            .unwrap();
        assert_eq!(score, None, "{rank}");
    }
    // A bid or a view after the close does not bring it back.
    rbay::engagement::server::count_view(&db, ended, &"a:late".into())
        .await
        .unwrap();
    let home = rankings::home_sections(&db).await.unwrap();
    assert!(!ids(&home.most_viewed).contains(&ended));
    assert_eq!(closer::close_due(&db).await.unwrap(), 0, "closed once");
}

/// One field of `FT.INFO` for the items index, as text, on each primary.
async fn index_info(db: &Db, name: &str) -> Vec<String> {
    on_each_index(db, "FT.INFO", &[])
        .await
        .into_iter()
        .map(|info| {
            let info: Vec<redis::Value> = redis::from_redis_value(info).unwrap();
            let mut it = info.into_iter();
            while let Some(field) = it.next() {
                let value = it.next();
                if redis::from_redis_value::<String>(field).ok().as_deref() == Some(name) {
                    return redis::from_redis_value(value.unwrap()).unwrap();
                }
            }
            panic!("FT.INFO has no {name}");
        })
        .collect()
}

/// RediSearch's count of documents it ever indexed: each write of an indexed hash adds one
/// (on a cluster, on the primary that holds it; the counts of every primary add up).
async fn index_writes(db: &Db) -> i64 {
    index_info(db, "max_doc_id")
        .await
        .iter()
        .map(|n| n.parse::<i64>().unwrap())
        .sum()
}

/// Waits for the background scan that `FT.CREATE` starts over the whole keyspace: on a Redis
/// holding other tests' keys it can still be running, and it indexes our document once more
/// when it reaches it.
async fn scan_finished(db: &Db) {
    let done = eventually(30, || async {
        index_info(db, "indexing").await.iter().all(|n| n == "0")
    })
    .await;
    assert!(done, "the index's initial scan finishes");
}

async fn doc(db: &Db, id: ItemId) -> HashMap<String, String> {
    let mut conn = db.raw_conn();
    redis::cmd("HGETALL")
        .arg(db.keys().item(id))
        .query_async(&mut conn)
        .await
        .unwrap()
}

#[tokio::test]
async fn bids_and_views_do_not_reindex_the_document_the_sync_does_once() {
    let db = test_db().await;
    let id = list(&db, "Hot kettle", 100, 3_600_000).await;
    scan_finished(&db).await;
    let before = index_writes(&db).await;
    let mut amount = 100;
    for n in 0..50u64 {
        let bidder = 10 + n % 2;
        if let rbay::auction::server::BidOutcome::Accepted { min_next_cents, .. } =
            rbay::auction::server::place_bid(&db, UserId(bidder), "b", id, amount)
                .await
                .unwrap()
        {
            amount = min_next_cents;
        }
        rbay::engagement::server::count_view(&db, id, &format!("a:v{n}").as_str().into())
            .await
            .unwrap();
    }
    assert_eq!(
        index_writes(&db).await,
        before,
        "50 bids and views: no re-indexing"
    );
    assert_eq!(
        doc(&db, id).await["price"],
        "100",
        "the document lags until the sync"
    );

    // One sync pass: one write of the document, with the live numbers.
    assert_eq!(
        index_sync::sync_all(&db).await.unwrap(),
        1,
        "one dirty item handled"
    );
    assert_eq!(index_writes(&db).await, before + 1);
    let state = items::get(&db, id).await.unwrap().unwrap();
    let synced = doc(&db, id).await;
    assert_eq!(synced["price"], state.price_cents.to_string());
    assert_eq!(synced["bids"], state.bids.to_string());
    assert_eq!(synced["views"], "50");
    assert_eq!(
        index_sync::sync_all(&db).await.unwrap(),
        0,
        "nothing left to do"
    );

    // Search sorts by the synced price.
    let other = list(&db, "Cold kettle", 500, 3_600_000).await;
    let found = eventually(5, || {
        let db = db.clone();
        async move {
            let page = search::search(
                &db,
                "kettle",
                search::StatusFilter::All,
                search::SearchSort::PriceHigh,
                None,
                1,
            )
            .await
            .unwrap();
            ids(&page.cards) == [id, other]
        }
    })
    .await;
    assert!(found, "the synced price orders the search");
}

#[tokio::test]
async fn a_syncer_that_lost_its_lock_cannot_write_old_numbers() {
    let db = test_db().await;
    let id = list(&db, "Fenced vase", 100, 3_600_000).await;
    rbay::auction::server::place_bid(&db, UserId(5), "b", id, 100)
        .await
        .unwrap();
    let shard = rbay::server::redis::keys::shard_of(id.0);
    let name = format!("index-sync:{}", rbay::server::redis::keys::shard_tag(shard));
    let stale = Lock::try_acquire(&db, &name, Duration::from_millis(50))
        .await
        .unwrap()
        .unwrap();
    let fresh = Lock::acquire_waiting(&db, &name, Duration::from_secs(5), Duration::from_secs(3))
        .await
        .unwrap()
        .unwrap();
    use rbay::items::server::index_sync::{sync_doc, Synced};
    let run = |fence: u64| sync_doc(&db, id, &name, fence);
    assert_eq!(
        run(stale.fence()).await.unwrap(),
        Synced::Refused,
        "the stale syncer is refused"
    );
    assert_eq!(doc(&db, id).await["price"], "100");
    assert_eq!(run(fresh.fence()).await.unwrap(), Synced::Written);
    assert_eq!(run(fresh.fence()).await.unwrap(), Synced::Unchanged);
    fresh.release(&db).await.unwrap();
}

#[tokio::test]
async fn an_empty_search_browses_every_live_auction_page_by_page() {
    use rankings::BrowseSort;
    use rbay::catalog::SEARCH_PAGE_SIZE;
    let db = test_db().await;
    // 25 live auctions ending an hour apart, priced the other way round, and one ended.
    let mut live = Vec::new();
    for i in 0..25_i64 {
        let id = list(
            &db,
            &format!("Browse lot {i}"),
            5_000 - i * 100,
            (i + 1) * 3_600_000,
        )
        .await;
        live.push(id);
    }
    let ended = list(&db, "Browse lot over", 100, 1).await;
    tokio::time::sleep(Duration::from_millis(20)).await;

    let first = rankings::browse(&db, BrowseSort::EndingSoon, None, 1)
        .await
        .unwrap();
    assert_eq!(first.total, 25, "the ended auction is not counted");
    assert_eq!(ids(&first.cards), live[..SEARCH_PAGE_SIZE]);
    let second = rankings::browse(&db, BrowseSort::EndingSoon, None, 2)
        .await
        .unwrap();
    assert_eq!(ids(&second.cards), live[SEARCH_PAGE_SIZE..]);
    assert!(!ids(&second.cards).contains(&ended));
    // Price, both ways: the last listed is the cheapest.
    let cheap = rankings::browse(&db, BrowseSort::PriceLow, None, 1)
        .await
        .unwrap();
    assert_eq!(ids(&cheap.cards)[..3], [live[24], live[23], live[22]]);
    let dear = rankings::browse(&db, BrowseSort::PriceHigh, None, 2)
        .await
        .unwrap();
    assert_eq!(ids(&dear.cards), live[SEARCH_PAGE_SIZE..]);
    // A new unique view moves an item to the top of "Most viewed".
    rbay::engagement::server::count_view(&db, live[7], &"a:browser".into())
        .await
        .unwrap();
    let viewed = rankings::browse(&db, BrowseSort::MostViewed, None, 1)
        .await
        .unwrap();
    assert_eq!(ids(&viewed.cards)[0], live[7]);
    // Past the last page: nothing, with the total still right.
    let past = rankings::browse(&db, BrowseSort::EndingSoon, None, 3)
        .await
        .unwrap();
    assert!(past.cards.is_empty());
    assert_eq!(past.total, 25);
}

async fn list_in(db: &Db, name: &str, category: &'static str, duration_ms: i64) -> ItemId {
    let item = NewItem {
        name: name.into(),
        description: format!("{name}, as new."),
        duration_ms,
        category,
        buy_now_cents: Some(5_000),
        ..Default::default()
    };
    items::create(db, UserId(1), "seller", &item, None)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_category_is_browsed_by_end_and_counted_live() {
    use rankings::BrowseSort;
    let db = test_db().await;
    let vase = list_in(&db, "Blue vase", "art", 7_200_000).await;
    let print = list_in(&db, "Old print", "art", 3_600_000).await;
    let _kettle = list_in(&db, "Copper kettle", "home", 3_600_000).await;
    let _over = list_in(&db, "Gone painting", "art", 1).await;
    tokio::time::sleep(Duration::from_millis(20)).await;

    let art = rankings::browse(&db, BrowseSort::PriceHigh, Some("art"), 1)
        .await
        .unwrap();
    assert_eq!(
        ids(&art.cards),
        [print, vase],
        "by end, the ended one left out"
    );
    assert_eq!(art.total, 2);
    assert_eq!(
        art.facets,
        [("art".to_string(), 2), ("home".to_string(), 1)],
        "counts of live auctions, most first"
    );
    // Buy It Now ends an auction at once: it leaves its category.
    rbay::auction::server::buy_now(&db, UserId(9), "buyer", print, None)
        .await
        .unwrap();
    let art = rankings::browse(&db, BrowseSort::EndingSoon, Some("art"), 1)
        .await
        .unwrap();
    assert_eq!(ids(&art.cards), [vase]);
    assert_eq!(art.total, 1);
}

#[tokio::test]
async fn a_soft_close_moves_the_end_in_the_category_ranking_in_the_same_step() {
    let db = test_db().await;
    let item = NewItem {
        name: "Late lamp".into(),
        description: "A lamp, as new.".into(),
        duration_ms: 60_000,
        category: "home",
        ..Default::default()
    };
    let id = items::create(&db, UserId(1), "seller", &item, None)
        .await
        .unwrap();
    let outcome = rbay::auction::server::place_bid(&db, UserId(9), "bidder", id, 10_000)
        .await
        .unwrap();
    let rbay::auction::server::BidOutcome::Accepted {
        ends_at_ms,
        end_moved,
        ..
    } = outcome
    else {
        panic!("{outcome:?}");
    };
    assert!(end_moved, "a bid in the last 2 minutes moves the end");
    let mut conn = db.raw_conn();
    let ranked: Option<i64> = redis::cmd("ZSCORE")
        .arg(
            db.keys()
                .rank_ending_in("home", rbay::server::redis::keys::shard_of(id.0)),
        )
        .arg(id.0)
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_eq!(
        ranked,
        Some(ends_at_ms),
        "the category's ranking has the new end"
    );
}

#[tokio::test]
async fn search_filters_by_category_and_counts_matches_in_each() {
    let db = test_db().await;
    let lamp = list_in(&db, "Brass lamp", "home", 3_600_000).await;
    let _lamp_art = list_in(&db, "Lamp painting", "art", 3_600_000).await;
    let _lamp_art2 = list_in(&db, "Lamp etching", "art", 3_600_000).await;
    let search = |category: Option<&'static str>| {
        let db = db.clone();
        async move {
            search::search(
                &db,
                "lamp",
                search::StatusFilter::All,
                search::SearchSort::Relevance,
                category,
                1,
            )
            .await
            .unwrap()
        }
    };
    let expected = [("art".to_string(), 2), ("home".to_string(), 1)];
    // Counts are reused for a few seconds per query: wait until the index has all three.
    let indexed = eventually(12, || async {
        let page = search(None).await;
        page.total == 3 && page.facets == expected
    })
    .await;
    assert!(indexed, "the facets count both categories");
    let page = search(Some("home")).await;
    assert_eq!(ids(&page.cards), [lamp], "one lamp at home");
    assert_eq!(page.total, 1);
    assert_eq!(page.facets, expected, "whatever the category chosen");
}

/// Lists an item with its terms, Buy It Now price and starting price.
async fn list_with(
    db: &Db,
    name: &str,
    cents: i64,
    buy_now: Option<i64>,
    terms: ListingTerms,
) -> ItemId {
    let item = NewItem {
        name: name.into(),
        description: format!("{name}, described."),
        start_cents: cents,
        // Over an hour to go however slow the test: "ending within an hour" finds none.
        duration_ms: 2 * 3_600_000 + cents,
        buy_now_cents: buy_now,
        terms,
        ..Default::default()
    };
    items::create(db, UserId(1), "seller", &item, None)
        .await
        .unwrap()
}

#[tokio::test]
async fn listing_terms_are_kept_shown_on_cards_and_filtered_by_search_and_browse() {
    use rbay::catalog::{EndingWithin, SearchFilters};
    use search::{SearchSort, StatusFilter};
    let db = test_db().await;
    let terms = |condition, shipping, returns_days| ListingTerms {
        condition,
        location: "Leeds, UK".into(),
        shipping,
        returns_days,
    };
    let new_cheap = list_with(
        &db,
        "Brass compass new",
        1_000,
        Some(4_000),
        terms(Condition::New, Shipping::Cost(450), 30),
    )
    .await;
    let used_mid = list_with(
        &db,
        "Brass compass used",
        3_000,
        None,
        terms(Condition::Used, Shipping::Free, 0),
    )
    .await;
    let parts_dear = list_with(
        &db,
        "Brass compass broken",
        9_000,
        Some(20_000),
        terms(Condition::ForParts, Shipping::PickupOnly, 14),
    )
    .await;

    // Kept as listed, on the page and on the cards.
    let detail = items::get(&db, new_cheap).await.unwrap().unwrap();
    assert_eq!(
        detail.terms,
        Some(terms(Condition::New, Shipping::Cost(450), 30))
    );
    let cards = rbay::items::server::cards::cards_by_id(&db, &[new_cheap, used_mid, parts_dear])
        .await
        .unwrap();
    let card_terms: Vec<_> = cards
        .iter()
        .map(|c| (c.condition, c.shipping, c.buy_now_cents))
        .collect();
    assert_eq!(
        card_terms,
        [
            (Some(Condition::New), Some(Shipping::Cost(450)), Some(4_000)),
            (Some(Condition::Used), Some(Shipping::Free), None),
            (
                Some(Condition::ForParts),
                Some(Shipping::PickupOnly),
                Some(20_000)
            ),
        ]
    );

    let found = |filters: SearchFilters, text: &'static str| {
        let db = db.clone();
        async move {
            let page = search::search_filtered(
                &db,
                text,
                StatusFilter::Live,
                SearchSort::PriceLow,
                None,
                &filters,
                1,
            )
            .await
            .unwrap();
            assert_eq!(page.total as usize, page.cards.len());
            ids(&page.cards)
        }
    };
    let all = eventually(5, || async move {
        found(SearchFilters::default(), "compass").await.len() == 3
    })
    .await;
    assert!(all, "the three compasses are indexed");
    let f = |min, max, bin, condition, ending| {
        SearchFilters::parse([min, max, bin, condition, ending, "", "", ""]).unwrap()
    };
    for (filters, want) in [
        (f("20", "", "", "", ""), vec![used_mid, parts_dear]),
        (f("", "30", "", "", ""), vec![new_cheap, used_mid]),
        (f("20", "50", "", "", ""), vec![used_mid]),
        (f("", "", "1", "", ""), vec![new_cheap, parts_dear]),
        (f("", "", "", "parts", ""), vec![parts_dear]),
        (f("", "", "1", "new", ""), vec![new_cheap]),
        (
            f("", "", "", "", "1d"),
            vec![new_cheap, used_mid, parts_dear],
        ),
        (f("", "", "", "", "1h"), vec![]),
    ] {
        assert_eq!(found(filters.clone(), "compass").await, want, "{filters:?}");
        // Browsing without words narrows the same way.
        assert_eq!(found(filters.clone(), "").await, want, "browse {filters:?}");
    }
    assert_eq!(
        f("", "", "", "", "1h").ending_within,
        Some(EndingWithin::Hour)
    );
    let place = |location| SearchFilters::parse(["", "", "", "", "", "", "", location]).unwrap();
    for (filters, want) in [
        (place("leeds"), vec![new_cheap, used_mid, parts_dear]),
        (place("UK, Leeds"), vec![new_cheap, used_mid, parts_dear]),
        (place("York"), vec![]),
        (place("Leeds UK"), vec![]),
    ] {
        assert_eq!(found(filters.clone(), "compass").await, want, "{filters:?}");
        assert_eq!(found(filters.clone(), "").await, want, "browse {filters:?}");
    }

    // A bid that takes over ends Buy It Now: off the card at once, out of the filter after
    // the index sync.
    rbay::auction::server::place_bid(&db, UserId(7), "bidder", new_cheap, 1_000)
        .await
        .unwrap();
    let card = rbay::items::server::cards::cards_by_id(&db, &[new_cheap])
        .await
        .unwrap();
    assert_eq!(card[0].buy_now_cents, None);
    index_sync::sync_all(&db).await.unwrap();
    let gone = eventually(5, || async move {
        found(f("", "", "1", "", ""), "compass").await == [parts_dear]
    })
    .await;
    assert!(
        gone,
        "Buy It Now only leaves out the item bidding took over"
    );
}
