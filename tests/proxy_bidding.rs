//! Maximum (proxy) bids, reserve prices, Buy It Now and soft close against the real scripts:
//! a table of scenarios with the expected price, leader and history after each step
//! (eBay's rules, with their worked example), then the races.
#![cfg(feature = "ssr")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use rbay::accounts::UserId;
use rbay::auction::server::{BidOutcome, BidRejection};
use rbay::items::server as items;
use rbay::items::{ItemId, NewItem};
use rbay::server::Db;

/// A bidder: (user id, name).
type Who = (u64, &'static str);
const SELLER: Who = (1, "seller");
const ANN: Who = (2, "ann");
const BEN: Who = (3, "ben");
const CAT: Who = (4, "cat");
const DAN: Who = (5, "dan");

async fn listing(db: &Db, start: i64, reserve: Option<i64>, buy_now: Option<i64>) -> ItemId {
    let item = NewItem {
        name: "Pocket watch".into(),
        description: "Keeps time.".into(),
        start_cents: start,
        duration_ms: 3_600_000,
        reserve_cents: reserve,
        buy_now_cents: buy_now,
        soft_close: true,
        category: "jewellery",
        terms: Default::default(),
    };
    items::create(db, UserId(SELLER.0), SELLER.1, &item, None)
        .await
        .unwrap()
}

/// One step: who bids what maximum, then what must hold.
struct Step {
    who: Who,
    max: i64,
    /// `Ok(leading)` for an accepted bid (does the bidder lead after it?), or the refusal.
    outcome: Result<bool, BidRejection>,
    price: i64,
    leader: Who,
    /// The history rows this step added, oldest first: (bidder, cents, automatic).
    rows: &'static [(Who, i64, bool)],
}

async fn run(db: &Db, id: ItemId, steps: &[Step]) {
    let mut history_len = 0;
    for (n, step) in steps.iter().enumerate() {
        let got =
            rbay::auction::server::place_bid(db, UserId(step.who.0), step.who.1, id, step.max)
                .await
                .unwrap();
        let what = format!("step {} ({} bids {})", n + 1, step.who.1, step.max);
        match (&step.outcome, &got) {
            (
                Ok(leading),
                BidOutcome::Accepted {
                    leading: l,
                    price_cents,
                    ..
                },
            ) => {
                assert_eq!(l, leading, "{what}: leading");
                assert_eq!(*price_cents, step.price, "{what}: price in the reply");
            }
            (Err(refusal), BidOutcome::Rejected(r)) => assert_eq!(r, refusal, "{what}"),
            _ => panic!("{what}: expected {:?}, got {got:?}", step.outcome),
        }
        let item = items::get(db, id).await.unwrap().unwrap();
        assert_eq!(item.price_cents, step.price, "{what}: price");
        assert_eq!(
            item.high_bidder_id,
            Some(UserId(step.leader.0)),
            "{what}: leader"
        );
        let page = items::page(db, id, None).await.unwrap().unwrap();
        let added = page.history.len() - history_len;
        history_len = page.history.len();
        assert_eq!(
            item.bids as usize, history_len,
            "{what}: bid count = history rows"
        );
        let mut rows: Vec<(UserId, i64, bool)> = page.history[..added]
            .iter()
            .map(|b| (b.bidder_id, b.amount_cents, b.auto))
            .collect();
        rows.reverse();
        let expected: Vec<(UserId, i64, bool)> = step
            .rows
            .iter()
            .map(|(w, c, a)| (UserId(w.0), *c, *a))
            .collect();
        assert_eq!(rows, expected, "{what}: history rows");
    }
}

fn accepted(leading: bool) -> Result<bool, BidRejection> {
    Ok(leading)
}

#[tokio::test]
async fn ebays_worked_example_ties_own_raises_and_less_than_an_increment() {
    let db = test_db().await;
    let id = listing(&db, 1_000, None, None).await;
    run(
        &db,
        id,
        &[
            // Ann's maximum is $20: the price stays at the $10 start.
            Step {
                who: ANN,
                max: 2_000,
                outcome: accepted(true),
                price: 1_000,
                leader: ANN,
                rows: &[(ANN, 1_000, false)],
            },
            // Ben bids $15: Ann's maximum answers with $15 + 50¢.
            Step {
                who: BEN,
                max: 1_500,
                outcome: accepted(false),
                price: 1_550,
                leader: ANN,
                rows: &[(BEN, 1_500, false), (ANN, 1_550, true)],
            },
            // Below the next minimum ($15.50 + 50¢): refused, nothing changes.
            Step {
                who: BEN,
                max: 1_599,
                outcome: Err(BidRejection::TooLow {
                    minimum_cents: 1_600,
                }),
                price: 1_550,
                leader: ANN,
                rows: &[],
            },
            // Cat ties Ann's maximum: the earlier maximum wins, at that maximum.
            Step {
                who: CAT,
                max: 2_000,
                outcome: accepted(false),
                price: 2_000,
                leader: ANN,
                rows: &[(CAT, 2_000, false), (ANN, 2_000, true)],
            },
            // Ben goes to $25: Ann's $20 (already the price) is beaten by one increment.
            Step {
                who: BEN,
                max: 2_500,
                outcome: accepted(true),
                price: 2_050,
                leader: BEN,
                rows: &[(BEN, 2_050, false)],
            },
            // Ben raises his own maximum: the price does not move, nothing public happens.
            Step {
                who: BEN,
                max: 3_000,
                outcome: accepted(true),
                price: 2_050,
                leader: BEN,
                rows: &[],
            },
            // ... and cannot lower it.
            Step {
                who: BEN,
                max: 2_900,
                outcome: Err(BidRejection::TooLow {
                    minimum_cents: 3_001,
                }),
                price: 2_050,
                leader: BEN,
                rows: &[],
            },
            // Dan beats Ben's $30 by 20¢, less than a full increment: he pays his maximum.
            Step {
                who: DAN,
                max: 3_020,
                outcome: accepted(true),
                price: 3_020,
                leader: DAN,
                rows: &[(BEN, 3_000, true), (DAN, 3_020, false)],
            },
        ],
    )
    .await;
    // Maximums are the owners' own: the item shows none of them.
    let page = items::page(&db, id, Some(UserId(BEN.0)))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(page.my_max_cents, Some(3_000));
    let page = items::page(&db, id, Some(UserId(DAN.0)))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(page.my_max_cents, Some(3_020));
    // ... and what every visitor gets carries no maximum: Ben's $30 appears only as the
    // automatic bid that Dan's maximum beat.
    let anyone = items::page(&db, id, None).await.unwrap().unwrap();
    assert_eq!(anyone.my_max_cents, None);
    let json = serde_json::to_string(&anyone).unwrap();
    assert_eq!(json.matches("max").count(), 1, "{json}");
    assert!(json.contains("\"my_max_cents\":null"), "{json}");
}

#[tokio::test]
async fn increments_follow_the_ladder_at_tier_boundaries() {
    let db = test_db().await;
    let id = listing(&db, 95, None, None).await;
    run(
        &db,
        id,
        &[
            Step {
                who: ANN,
                max: 500,
                outcome: accepted(true),
                price: 95,
                leader: ANN,
                rows: &[(ANN, 95, false)],
            },
            // Under $1 the increment is 5¢: the next minimum is $1.00; at $1.00 it is 25¢.
            Step {
                who: BEN,
                max: 99,
                outcome: Err(BidRejection::TooLow { minimum_cents: 100 }),
                price: 95,
                leader: ANN,
                rows: &[],
            },
            Step {
                who: BEN,
                max: 100,
                outcome: accepted(false),
                price: 125,
                leader: ANN,
                rows: &[(BEN, 100, false), (ANN, 125, true)],
            },
            // At $1.25 the next minimum is $1.50; Ann's $5.00 answers $4.99 with its maximum.
            Step {
                who: CAT,
                max: 499,
                outcome: accepted(false),
                price: 500,
                leader: ANN,
                rows: &[(CAT, 499, false), (ANN, 500, true)],
            },
        ],
    )
    .await;
}

#[tokio::test]
async fn a_reserve_hides_until_a_maximum_reaches_it_then_lifts_the_price_to_it() {
    let db = test_db().await;
    let id = listing(&db, 1_000, Some(5_000), None).await;
    let reserve_met =
        |db: Db| async move { items::get(&db, id).await.unwrap().unwrap().reserve_met };
    assert_eq!(reserve_met(db.clone()).await, Some(false));
    run(
        &db,
        id,
        &[
            Step {
                who: ANN,
                max: 4_000,
                outcome: accepted(true),
                price: 1_000,
                leader: ANN,
                rows: &[(ANN, 1_000, false)],
            },
            // Ann raises past the reserve: the price jumps to it at once.
            Step {
                who: ANN,
                max: 5_500,
                outcome: accepted(true),
                price: 5_000,
                leader: ANN,
                rows: &[(ANN, 5_000, false)],
            },
            // Ben outbids: min(his $60, Ann's $55 + $1) = $56.
            Step {
                who: BEN,
                max: 6_000,
                outcome: accepted(true),
                price: 5_600,
                leader: BEN,
                rows: &[(ANN, 5_500, true), (BEN, 5_600, false)],
            },
        ],
    )
    .await;
    assert_eq!(reserve_met(db.clone()).await, Some(true));

    // A first maximum above the reserve starts at the reserve.
    let other = listing(&db, 1_000, Some(5_000), None).await;
    run(
        &db,
        other,
        &[Step {
            who: CAT,
            max: 8_000,
            outcome: accepted(true),
            price: 5_000,
            leader: CAT,
            rows: &[(CAT, 5_000, false)],
        }],
    )
    .await;
    // A reserve never met: the auction ends unsold, whoever bid.
    let unmet = listing(&db, 1_000, Some(5_000), None).await;
    rbay::auction::server::place_bid(&db, UserId(DAN.0), DAN.1, unmet, 2_000)
        .await
        .unwrap();
    assert_eq!(
        items::get(&db, unmet).await.unwrap().unwrap().reserve_met,
        Some(false)
    );
}

#[tokio::test]
async fn buy_it_now_ends_the_auction_at_once_while_no_bid_or_an_unmet_reserve() {
    let db = test_db().await;
    let id = listing(&db, 1_000, None, Some(5_000)).await;
    assert_eq!(
        items::get(&db, id).await.unwrap().unwrap().buy_now_cents,
        Some(5_000)
    );
    assert_eq!(
        rbay::auction::server::buy_now(&db, UserId(SELLER.0), SELLER.1, id, None)
            .await
            .unwrap(),
        rbay::auction::server::BuyOutcome::Refused(BidRejection::OwnItem)
    );
    assert!(matches!(
        rbay::auction::server::buy_now(&db, UserId(ANN.0), ANN.1, id, None)
            .await
            .unwrap(),
        rbay::auction::server::BuyOutcome::Bought {
            price_cents: 5_000,
            ..
        }
    ));
    let item = items::get(&db, id).await.unwrap().unwrap();
    assert_eq!(
        (item.price_cents, item.high_bidder_id),
        (5_000, Some(UserId(ANN.0)))
    );
    assert_eq!(item.outcome.as_deref(), Some("bought"));
    // Only at the price the buyer confirmed: one the seller changed since is refused, and
    // nothing happens.
    let revised = listing(&db, 1_000, None, Some(5_000)).await;
    assert_eq!(
        rbay::auction::server::buy_now(&db, UserId(ANN.0), ANN.1, revised, Some(4_000))
            .await
            .unwrap(),
        rbay::auction::server::BuyOutcome::PriceChanged { price_cents: 5_000 }
    );
    let untouched = items::get(&db, revised).await.unwrap().unwrap();
    assert_eq!(
        (
            untouched.bids,
            untouched.high_bidder_id,
            untouched.buy_now_cents
        ),
        (0, None, Some(5_000))
    );
    assert!(untouched.outcome.is_none());
    assert!(matches!(
        rbay::auction::server::buy_now(&db, UserId(ANN.0), ANN.1, revised, Some(5_000))
            .await
            .unwrap(),
        rbay::auction::server::BuyOutcome::Bought {
            price_cents: 5_000,
            ..
        }
    ));
    assert_eq!(
        rbay::auction::server::place_bid(&db, UserId(BEN.0), BEN.1, id, 6_000)
            .await
            .unwrap(),
        BidOutcome::Rejected(BidRejection::Ended)
    );
    // Once someone bids (and there is no reserve to meet), Buy It Now is gone.
    let bid_on = listing(&db, 1_000, None, Some(5_000)).await;
    rbay::auction::server::place_bid(&db, UserId(BEN.0), BEN.1, bid_on, 1_000)
        .await
        .unwrap();
    assert_eq!(
        items::get(&db, bid_on)
            .await
            .unwrap()
            .unwrap()
            .buy_now_cents,
        None
    );
    assert_eq!(
        rbay::auction::server::buy_now(&db, UserId(CAT.0), CAT.1, bid_on, None)
            .await
            .unwrap(),
        rbay::auction::server::BuyOutcome::Unavailable
    );
    // With a reserve not met, it stays.
    let reserved = listing(&db, 1_000, Some(4_000), Some(6_000)).await;
    rbay::auction::server::place_bid(&db, UserId(BEN.0), BEN.1, reserved, 2_000)
        .await
        .unwrap();
    assert!(matches!(
        rbay::auction::server::buy_now(&db, UserId(CAT.0), CAT.1, reserved, None)
            .await
            .unwrap(),
        rbay::auction::server::BuyOutcome::Bought { .. }
    ));
}

#[tokio::test(flavor = "multi_thread")]
async fn buy_it_now_racing_a_bid_has_exactly_one_outcome_every_time() {
    let db = test_db().await;
    for round in 0..100 {
        let id = listing(&db, 1_000, None, Some(5_000)).await;
        let (a, b) = (db.clone(), db.clone());
        let buy = tokio::spawn(async move {
            rbay::auction::server::buy_now(&a, UserId(ANN.0), ANN.1, id, None)
                .await
                .unwrap()
        });
        let bid = tokio::spawn(async move {
            rbay::auction::server::place_bid(&b, UserId(BEN.0), BEN.1, id, 1_000)
                .await
                .unwrap()
        });
        let (buy, bid) = (buy.await.unwrap(), bid.await.unwrap());
        let item = items::get(&db, id).await.unwrap().unwrap();
        match (&buy, &bid) {
            (
                rbay::auction::server::BuyOutcome::Bought { .. },
                BidOutcome::Rejected(BidRejection::Ended),
            ) => {
                assert_eq!(item.high_bidder_id, Some(UserId(ANN.0)), "round {round}");
                assert_eq!(item.outcome.as_deref(), Some("bought"));
            }
            (rbay::auction::server::BuyOutcome::Unavailable, BidOutcome::Accepted { .. }) => {
                assert_eq!(item.high_bidder_id, Some(UserId(BEN.0)), "round {round}");
                assert_eq!(item.outcome, None);
            }
            other => panic!("round {round}: two outcomes or none: {other:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn soft_close_moves_the_end_and_no_bid_is_accepted_after_the_final_end() {
    let db = test_db().await;
    // Ends in 3 s: every bid lands in the last 2 minutes.
    let item = NewItem {
        name: "Last-second lamp".into(),
        description: "Sniped?".into(),
        start_cents: 100,
        duration_ms: 3_000,
        ..NewItem::default()
    };
    let id = items::create(&db, UserId(SELLER.0), SELLER.1, &item, None)
        .await
        .unwrap();
    let first_end = items::get(&db, id).await.unwrap().unwrap().ends_at_ms;
    // 200 bids from 20 users, concurrently, on two connections (two instances).
    let other = another_instance(&db).await;
    let mut tasks = Vec::new();
    for user in 0..20u64 {
        let db = if user % 2 == 0 {
            db.clone()
        } else {
            other.clone()
        };
        tasks.push(tokio::spawn(async move {
            let mut accepted = Vec::new();
            for n in 0..10i64 {
                let max = 100 + (user as i64) * 37 + n * 211;
                if let BidOutcome::Accepted {
                    at_ms, ends_at_ms, ..
                } = rbay::auction::server::place_bid(&db, UserId(100 + user), "bidder", id, max)
                    .await
                    .unwrap()
                {
                    accepted.push((at_ms, ends_at_ms));
                }
            }
            accepted
        }));
    }
    let mut accepted = Vec::new();
    for t in tasks {
        accepted.extend(t.await.unwrap());
    }
    assert!(!accepted.is_empty());
    let item = items::get(&db, id).await.unwrap().unwrap();
    let last_bid = accepted.iter().map(|(at, _)| *at).max().unwrap();
    assert!(item.ends_at_ms > first_end, "the end moved");
    assert_eq!(
        item.ends_at_ms,
        (last_bid + 120_000).min(first_end + 3_600_000),
        "2 minutes after the last bid"
    );
    for (at, ends) in &accepted {
        assert!(at < ends, "accepted before the end it saw");
        assert!(*ends <= item.ends_at_ms);
    }
    // Soft close off: the end never moves.
    let fixed = NewItem {
        soft_close: false,
        ..item_new("Fixed end", 3_000)
    };
    let id = items::create(&db, UserId(SELLER.0), SELLER.1, &fixed, None)
        .await
        .unwrap();
    let end = items::get(&db, id).await.unwrap().unwrap().ends_at_ms;
    rbay::auction::server::place_bid(&db, UserId(ANN.0), ANN.1, id, 100)
        .await
        .unwrap();
    assert_eq!(items::get(&db, id).await.unwrap().unwrap().ends_at_ms, end);
}

fn item_new(name: &str, duration_ms: i64) -> NewItem {
    NewItem {
        name: name.into(),
        description: "An item.".into(),
        start_cents: 100,
        duration_ms,
        ..NewItem::default()
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_moved_end_is_closed_exactly_once_by_two_instances() {
    use rbay::items::server::close_job;
    use rbay::server::jobs::Settings;
    let db = test_db().await;
    let other = another_instance(&db).await;
    // Two instances' workers.
    let (_stop_a, a) = tokio::sync::watch::channel(false);
    let (_stop_b, b) = tokio::sync::watch::channel(false);
    rbay::wiring::start_workers(&db, Settings::default(), a);
    rbay::wiring::start_workers(&other, Settings::default(), b);
    let id = items::create(
        &db,
        UserId(SELLER.0),
        SELLER.1,
        &item_new("Moving end", 1_500),
        None,
    )
    .await
    .unwrap();
    let first_end = items::get(&db, id).await.unwrap().unwrap().ends_at_ms;
    // A bid in the last 2 minutes moves the end 2 minutes on; the bid route schedules the
    // closing for the new end (here by hand, as `items::api::place_bid` does).
    let BidOutcome::Accepted {
        ends_at_ms,
        end_moved: true,
        ..
    } = rbay::auction::server::place_bid(&other, UserId(ANN.0), ANN.1, id, 100)
        .await
        .unwrap()
    else {
        panic!("a late bid moves the end")
    };
    close_job::schedule(&db, id, ends_at_ms).await.unwrap();
    // The job for the first end runs on time, finds the auction running, and closes nothing.
    tokio::time::sleep(std::time::Duration::from_millis(
        (first_end - rbay::util::time::now_ms()).max(0) as u64 + 1_000,
    ))
    .await;
    let item = items::get(&db, id).await.unwrap().unwrap();
    assert_eq!(item.outcome, None, "still running after its first end");
    // Two minutes pass (the clock is moved, not waited for): the end is now 1 s away.
    let soon = rbay::util::time::now_ms() + 1_000;
    let mut conn = db.raw_conn();
    let shard = rbay::server::redis::keys::shard_of(id.0);
    let _: () = redis::pipe()
        .cmd("HSET")
        .arg(db.keys().item_state(id))
        .arg("ends_at")
        .arg(soon)
        .cmd("ZADD")
        .arg(db.keys().rank_ending(shard))
        .arg(soon)
        .arg(id.0)
        .query_async(&mut conn)
        .await
        .unwrap();
    close_job::schedule(&db, id, soon).await.unwrap();
    let closed = eventually(5, || async {
        items::get(&db, id)
            .await
            .unwrap()
            .unwrap()
            .outcome
            .is_some()
    })
    .await;
    assert!(closed, "closed at the moved end");
    // Every closing job (old end, moved end, its schedule twice) has run: one close.
    tokio::time::sleep(std::time::Duration::from_millis(1_000)).await;
    let ended = event_stream(&db, id)
        .await
        .iter()
        .filter(|(_, f)| f["kind"] == "ended")
        .count();
    assert_eq!(ended, 1, "exactly one close");
    let item = items::get(&db, id).await.unwrap().unwrap();
    assert_eq!(
        (item.outcome.as_deref(), item.high_bidder_id),
        (Some("sold"), Some(UserId(ANN.0)))
    );
}
