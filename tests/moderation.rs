//! Moderation in Redis: reports are one per reporter per target, counted and queued; a
//! moderator's action is logged and settles the reports; a hidden listing is gone from
//! search, the rankings, every grid of cards and bidding, and comes back whole; a hidden comment
//! leaves the list live; a suspended user's sessions die; a seller's block is enforced by the
//! bid and Buy It Now scripts.
#![cfg(feature = "ssr")]
// A test fails by panicking: unwrapping is how it says what went wrong.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{eventually, indexed_ids, list_item, test_db};
use rbay::accounts::{CurrentUser, UserId};
use rbay::auction::server::bids::{buy_now, BidOutcome, BidRejection, BuyOutcome};
use rbay::auction::server::place_bid;
use rbay::items::ItemId;
use rbay::moderation::server::{act, block, blocked, report, unblock, view, Applied};
use rbay::moderation::{ModAction, ModProblem, Reason, Target};
use rbay::server::redis::keys::shard_of;
use rbay::server::redis::Db;

fn user(id: u64, name: &str) -> CurrentUser {
    CurrentUser {
        id: UserId(id),
        username: name.to_string(),
        unread: 0,
    }
}

async fn in_ranking(db: &Db, key: String, id: ItemId) -> bool {
    let score: Option<f64> = redis::cmd("ZSCORE")
        .arg(key)
        .arg(id.0)
        .query_async(&mut db.raw_conn())
        .await
        .unwrap();
    score.is_some()
}

async fn in_rankings(db: &Db, id: ItemId) -> [bool; 4] {
    let (keys, shard) = (db.keys(), shard_of(id.0));
    [
        in_ranking(db, keys.rank_ending(shard), id).await,
        in_ranking(db, keys.rank_price(shard), id).await,
        in_ranking(db, keys.rank_views(shard), id).await,
        in_ranking(db, keys.rank_ending_in("other", shard), id).await,
    ]
}

#[tokio::test]
async fn a_hidden_listing_is_gone_from_search_rankings_cards_and_bidding_and_comes_back_whole() {
    let db = test_db().await;
    let hidden = list_item(&db, "Brass telescope", 1_000, 3_600_000, 2).await;
    let kept = list_item(&db, "Brass compass", 1_000, 3_600_000, 0).await;
    assert!(eventually(5, || async { indexed_ids(&db, "brass").await.len() == 2 }).await);
    assert_eq!(in_rankings(&db, hidden).await, [true; 4]);

    let done = act(
        &db,
        "opal",
        Target::Listing(hidden),
        ModAction::Hide,
        "Counterfeit",
    )
    .await;
    assert_eq!(done.unwrap(), Applied::Done);
    // Out of the index at once (its filter), out of every ranking, off every grid of cards.
    assert_eq!(indexed_ids(&db, "brass").await, vec![kept]);
    assert_eq!(in_rankings(&db, hidden).await, [false; 4]);
    let cards = rbay::items::server::cards::cards_by_id(&db, &[hidden, kept])
        .await
        .unwrap();
    assert_eq!(cards.iter().map(|c| c.id).collect::<Vec<_>>(), vec![kept]);
    // Its page's data says why (for its seller and the moderators); nothing else serves it.
    let detail = rbay::items::server::store::get(&db, hidden)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(detail.removed.as_deref(), Some("Counterfeit"));
    let name = rbay::items::server::store::listed_name(&db, hidden).await;
    assert_eq!(name.unwrap(), None);
    // The scripts refuse it.
    let bid = place_bid(&db, UserId(7), "bea", hidden, 5_000)
        .await
        .unwrap();
    assert_eq!(bid, BidOutcome::Rejected(BidRejection::Removed));
    let bought = buy_now(&db, UserId(7), "bea", hidden, None).await.unwrap();
    assert_eq!(bought, BuyOutcome::Refused(BidRejection::Removed));
    let limit = rbay::server::redis::rate_limit::Limit::per_secs(100, 60);
    let comment = rbay::comments::server::add(&db, limit, hidden, UserId(7), "bea", "Hello?")
        .await
        .unwrap();
    assert_eq!(comment, Err(rbay::comments::CommentProblem::NotFound));
    // Hiding again changes nothing.
    let again = act(
        &db,
        "opal",
        Target::Listing(hidden),
        ModAction::Hide,
        "Again",
    )
    .await;
    assert_eq!(again.unwrap(), Applied::Unchanged);

    // Restored: searchable, ranked with its numbers as they are, and open to bids again.
    let back = act(
        &db,
        "opal",
        Target::Listing(hidden),
        ModAction::Restore,
        "Genuine after all",
    );
    assert_eq!(back.await.unwrap(), Applied::Done);
    assert_eq!(indexed_ids(&db, "brass").await.len(), 2);
    assert_eq!(in_rankings(&db, hidden).await, [true; 4]);
    let views: Option<f64> = redis::cmd("ZSCORE")
        .arg(db.keys().rank_views(shard_of(hidden.0)))
        .arg(hidden.0)
        .query_async(&mut db.raw_conn())
        .await
        .unwrap();
    assert_eq!(views, Some(2.0));
    let bid = place_bid(&db, UserId(7), "bea", hidden, 5_000)
        .await
        .unwrap();
    assert!(matches!(bid, BidOutcome::Accepted { .. }), "{bid:?}");

    // Every action is in the audit log: who, what, which, why; newest first.
    let log = view(&db).await.unwrap().audit;
    let lines: Vec<_> = log
        .iter()
        .map(|l| {
            (
                l.by.as_str(),
                l.action.as_str(),
                l.target.as_str(),
                l.why.as_str(),
            )
        })
        .collect();
    let target = format!("item:{hidden}");
    assert_eq!(
        lines,
        vec![
            ("opal", "restored", target.as_str(), "Genuine after all"),
            ("opal", "confirmed", target.as_str(), "Again"),
            ("opal", "hid", target.as_str(), "Counterfeit"),
        ]
    );
}

#[tokio::test]
async fn reports_are_once_per_reporter_counted_queued_and_settled_by_an_action() {
    let db = test_db().await;
    let item = list_item(&db, "Odd watch", 1_000, 3_600_000, 0).await;
    let target = Target::Listing(item);
    let (bea, cal) = (user(7, "bea"), user(8, "cal"));

    assert_eq!(
        report(&db, target, &bea, Reason::Fraud, "Fake")
            .await
            .unwrap(),
        Ok(1)
    );
    assert_eq!(
        report(&db, target, &bea, Reason::Spam, "Again")
            .await
            .unwrap(),
        Err(ModProblem::Already)
    );
    assert_eq!(
        report(&db, target, &cal, Reason::Prohibited, "")
            .await
            .unwrap(),
        Ok(2)
    );
    // The seller cannot report their own listing; what does not exist cannot be reported.
    let seller = user(1, "seller1");
    assert_eq!(
        report(&db, target, &seller, Reason::Spam, "")
            .await
            .unwrap(),
        Err(ModProblem::Own)
    );
    let missing = Target::Listing(ItemId(item.0 + 1000));
    assert_eq!(
        report(&db, missing, &bea, Reason::Spam, "").await.unwrap(),
        Err(ModProblem::Gone)
    );
    let nobody = Target::User(UserId(424_242));
    assert_eq!(
        report(&db, nobody, &bea, Reason::Spam, "").await.unwrap(),
        Err(ModProblem::Gone)
    );

    // A second target, reported once and later: first by newest, second by most reported.
    let other = list_item(&db, "Plain lamp", 1_000, 3_600_000, 0).await;
    report(
        &db,
        Target::Listing(other),
        &bea,
        Reason::Offensive,
        "<b>rude</b>",
    )
    .await
    .unwrap()
    .unwrap();
    let queue = view(&db).await.unwrap();
    let order = |entries: &[rbay::moderation::QueueEntry]| -> Vec<Target> {
        entries.iter().map(|e| e.target).collect()
    };
    assert_eq!(order(&queue.newest), vec![Target::Listing(other), target]);
    assert_eq!(order(&queue.most), vec![target, Target::Listing(other)]);
    let entry = &queue.most[0];
    assert_eq!(entry.reports, 2);
    let reported = entry.reported.as_ref().unwrap();
    assert_eq!(
        (reported.what.as_str(), reported.hidden),
        ("Odd watch", false)
    );
    let notes: Vec<_> = entry
        .notes
        .iter()
        .map(|n| (n.reporter_name.as_str(), n.reason, n.note.as_str()))
        .collect();
    assert_eq!(
        notes,
        vec![
            ("cal", Reason::Prohibited, ""),
            ("bea", Reason::Fraud, "Fake")
        ]
    );
    // The note is kept as text (the page escapes it).
    assert_eq!(queue.newest[0].notes[0].note, "<b>rude</b>");

    // Dismissed: out of both queues, logged; a new reporter puts it back, an old one cannot.
    let dismissed = act(&db, "opal", target, ModAction::Dismiss, "It is fine").await;
    assert_eq!(dismissed.unwrap(), Applied::Done);
    let queue = view(&db).await.unwrap();
    assert_eq!(order(&queue.newest), vec![Target::Listing(other)]);
    assert_eq!(order(&queue.most), vec![Target::Listing(other)]);
    assert_eq!(queue.audit[0].action, "dismissed the reports on");
    assert_eq!(
        report(&db, target, &cal, Reason::Spam, "").await.unwrap(),
        Err(ModProblem::Already)
    );
    let dan = user(9, "dan");
    assert_eq!(
        report(&db, target, &dan, Reason::Spam, "").await.unwrap(),
        Ok(3)
    );
    assert_eq!(order(&view(&db).await.unwrap().newest)[0], target);
    // Acting on what does not exist logs nothing.
    let none = act(&db, "opal", missing, ModAction::Hide, "x")
        .await
        .unwrap();
    assert_eq!(none, Applied::NotFound);
    assert_eq!(view(&db).await.unwrap().audit.len(), 1);
}

#[tokio::test]
async fn a_hidden_comment_leaves_the_list_live_and_a_restore_puts_it_back() {
    use rbay::comments::server::{add, list};
    let db = test_db().await;
    let item = list_item(&db, "Teapot", 1_000, 3_600_000, 0).await;
    let limit = rbay::server::redis::rate_limit::Limit::per_secs(100, 60);
    let spam = add(&db, limit, item, UserId(7), "bea", "Buy cheap pills")
        .await
        .unwrap()
        .unwrap();
    add(&db, limit, item, UserId(8), "cal", "Lovely pot")
        .await
        .unwrap()
        .unwrap();
    let target = Target::Comment(item, spam.id);
    report(&db, target, &user(8, "cal"), Reason::Spam, "")
        .await
        .unwrap()
        .unwrap();

    assert_eq!(
        act(&db, "opal", target, ModAction::Hide, "Spam")
            .await
            .unwrap(),
        Applied::Done
    );
    let (total, shown) = list(&db, item, 0, 10).await.unwrap();
    assert_eq!(total, 1);
    assert_eq!(
        shown.iter().map(|c| c.text.as_str()).collect::<Vec<_>>(),
        ["Lovely pot"]
    );
    let state = rbay::items::server::store::get(&db, item)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(state.comments, 1);
    // Open pages heard it go.
    let events = common::event_stream(&db, item).await;
    let (_, last) = events.last().unwrap();
    assert_eq!(last["kind"], "comment_deleted");
    // The moderators still see what it said.
    let queue = view(&db).await.unwrap();
    assert!(queue.newest.is_empty(), "settled");
    let seen = rbay::moderation::server::describe(&db, target)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((seen.what.as_str(), seen.hidden), ("Buy cheap pills", true));

    assert_eq!(
        act(&db, "opal", target, ModAction::Restore, "Misread")
            .await
            .unwrap(),
        Applied::Done
    );
    let (total, shown) = list(&db, item, 0, 10).await.unwrap();
    assert_eq!(total, 2);
    assert_eq!(
        shown.iter().map(|c| c.text.as_str()).collect::<Vec<_>>(),
        ["Lovely pot", "Buy cheap pills"],
        "back in its place"
    );
    let events = common::event_stream(&db, item).await;
    assert_eq!(events.last().unwrap().1["kind"], "comment");
    let missing = Target::Comment(item, spam.id + 1000);
    assert_eq!(
        act(&db, "opal", missing, ModAction::Hide, "x")
            .await
            .unwrap(),
        Applied::NotFound
    );
}

#[tokio::test]
async fn a_suspended_users_sessions_are_dead_on_every_instance_until_restored() {
    use rbay::accounts::server::sessions::{create, lookup};
    use std::time::Duration;
    let db = test_db().await;
    let other = common::another_instance(&db).await;
    let ann = UserId(77);
    let _: () = redis::cmd("HSET")
        .arg(db.keys().user(ann))
        .arg("username")
        .arg("ann")
        .query_async(&mut db.raw_conn())
        .await
        .unwrap();
    let ttl = Duration::from_secs(600);
    let session = create(&db, ann, "ann", ttl, 0).await.unwrap();
    assert!(lookup(&other, &session.token, ttl).await.unwrap().is_some());

    let target = Target::User(ann);
    assert_eq!(
        act(&db, "opal", target, ModAction::Hide, "Scams")
            .await
            .unwrap(),
        Applied::Done
    );
    assert!(lookup(&other, &session.token, ttl).await.unwrap().is_none());
    assert!(lookup(&db, &session.token, ttl).await.unwrap().is_none());
    // Deleted, not only refused: a restore does not bring it back.
    assert_eq!(
        act(&db, "opal", target, ModAction::Restore, "Appeal")
            .await
            .unwrap(),
        Applied::Done
    );
    assert!(lookup(&db, &session.token, ttl).await.unwrap().is_none());
    let fresh = create(&db, ann, "ann", ttl, 0).await.unwrap();
    assert!(lookup(&other, &fresh.token, ttl).await.unwrap().is_some());
    assert_eq!(
        act(&db, "opal", target, ModAction::Restore, "Twice")
            .await
            .unwrap(),
        Applied::Unchanged
    );
}

#[tokio::test]
async fn a_blocked_bidder_is_refused_by_the_bid_and_buy_it_now_scripts() {
    let db = test_db().await;
    let seller = UserId(1);
    let (bea, cal) = (UserId(7), UserId(8));
    let item = list_item(&db, "Brass bell", 1_000, 3_600_000, 0).await;
    assert_eq!(
        block(&db, seller, seller).await.unwrap(),
        Err(ModProblem::Yourself)
    );
    assert_eq!(block(&db, seller, bea).await.unwrap(), Ok(()));
    assert_eq!(block(&db, seller, bea).await.unwrap(), Ok(()), "idempotent");

    let refused = place_bid(&db, bea, "bea", item, 2_000).await.unwrap();
    assert_eq!(refused, BidOutcome::Rejected(BidRejection::Blocked));
    let bought = buy_now(&db, bea, "bea", item, None).await.unwrap();
    assert_eq!(bought, BuyOutcome::Refused(BidRejection::Blocked));
    // Another bidder is not, and the block is the seller's alone: bea bids on others' items.
    let ok = place_bid(&db, cal, "cal", item, 2_000).await.unwrap();
    assert!(matches!(ok, BidOutcome::Accepted { .. }), "{ok:?}");
    let elsewhere = list_by_another_seller(&db, "Other bell").await;
    let ok = place_bid(&db, bea, "bea", elsewhere, 2_000).await.unwrap();
    assert!(matches!(ok, BidOutcome::Accepted { .. }), "{ok:?}");
    // Every shard knows it: a listing of the seller's in any shard refuses bea.
    for n in 0..rbay::server::redis::keys::SHARDS {
        let item = ItemId(n + 1);
        let known = rbay::moderation::server::is_blocked(&db, item, seller, bea).await;
        assert!(known.unwrap(), "shard {n}");
    }
    let list = blocked(&db, seller).await.unwrap();
    assert_eq!(
        list.iter().map(|b| b.user_id).collect::<Vec<_>>(),
        vec![bea]
    );

    unblock(&db, seller, bea).await.unwrap();
    assert!(blocked(&db, seller).await.unwrap().is_empty());
    let ok = place_bid(&db, bea, "bea", item, 5_000).await.unwrap();
    assert!(matches!(ok, BidOutcome::Accepted { .. }), "{ok:?}");
}

#[tokio::test]
async fn a_hidden_listing_that_ends_is_removed_not_sold_and_cannot_be_reported() {
    use rbay::auction::server::closer::{close, Closing};
    let db = test_db().await;
    // No soft close: the bid must not move the end.
    let listing = rbay::items::NewItem {
        name: "Fake coin".into(),
        description: "Gold, they say.".into(),
        start_cents: 1_000,
        duration_ms: 400,
        soft_close: false,
        ..Default::default()
    };
    let item = rbay::items::server::create(&db, UserId(1), "seller1", &listing, None)
        .await
        .unwrap();
    let bid = place_bid(&db, UserId(7), "bea", item, 5_000).await.unwrap();
    assert!(matches!(bid, BidOutcome::Accepted { .. }), "{bid:?}");
    let target = Target::Listing(item);
    assert_eq!(
        act(&db, "opal", target, ModAction::Hide, "Fake")
            .await
            .unwrap(),
        Applied::Done
    );
    // Nobody reports what is hidden already.
    assert_eq!(
        report(&db, target, &user(8, "cal"), Reason::Fraud, "")
            .await
            .unwrap(),
        Err(ModProblem::Gone)
    );
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(close(&db, item).await.unwrap(), Closing::Closed);
    let detail = rbay::items::server::store::get(&db, item)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(detail.outcome.as_deref(), Some("removed"));
    assert_eq!(
        rbay::orders::server::get(&db, item).await.unwrap(),
        None,
        "no sale"
    );
}

/// An hour's auction from $10 by seller 2 (`list_item` lists as seller 1).
async fn list_by_another_seller(db: &Db, name: &str) -> ItemId {
    let item = rbay::items::NewItem {
        name: name.into(),
        description: format!("A fine {name}"),
        start_cents: 1_000,
        duration_ms: 3_600_000,
        ..Default::default()
    };
    rbay::items::server::create(db, UserId(2), "seller2", &item, None)
        .await
        .unwrap()
}

/// The price, the leader and the history (newest first: bidder, cents, kind) of an item.
async fn standing(db: &Db, item: ItemId) -> (i64, Option<UserId>, Vec<(u64, i64, &'static str)>) {
    let page = rbay::items::server::page(db, item, None)
        .await
        .unwrap()
        .unwrap();
    let rows = page
        .history
        .iter()
        .map(|b| {
            let kind = match (b.auto, b.cancelled) {
                (_, true) => "cancelled",
                (true, _) => "auto",
                _ => "bid",
            };
            (b.bidder_id.0, b.amount_cents, kind)
        })
        .collect();
    (page.item.price_cents, page.item.high_bidder_id, rows)
}

async fn bid(db: &Db, item: ItemId, who: UserId, cents: i64) {
    let outcome = place_bid(db, who, &format!("u{}", who.0), item, cents)
        .await
        .unwrap();
    assert!(
        matches!(outcome, BidOutcome::Accepted { .. }),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn cancelled_bids_hand_the_lead_and_the_price_to_the_maximums_that_remain() {
    use rbay::auction::server::cancel::{cancel_on_item, CancelReason::Suspended, Cancelled};
    let db = test_db().await;
    let (ann, bea, cal) = (UserId(11), UserId(12), UserId(13));
    let item = list_item(&db, "Tin drum", 1_000, 3_600_000, 0).await;
    bid(&db, item, cal, 3_000).await; // cal leads at $10
    bid(&db, item, bea, 5_000).await; // bea leads at $31 (cal's $30 answered)
    bid(&db, item, ann, 10_000).await; // ann leads at $51 (bea's $50 answered)
    assert_eq!(standing(&db, item).await.0, 5_100);

    // The leader's bids go: bea's $50 leads at cal's $30 + one increment.
    let done = cancel_on_item(&db, item, ann, Suspended).await.unwrap();
    let Cancelled::Done {
        price_cents: 3_100,
        leader: Some(leader),
        previous_leader: Some(previous),
        rows_marked: 1,
        ..
    } = done
    else {
        panic!("{done:?}")
    };
    assert_eq!((leader, previous), (bea, ann));
    // A cancelled bidder is never offered a cancelled sale: after the winner, cal is next.
    let next = rbay::orders::server::next_bidder(&db, item, bea)
        .await
        .unwrap();
    assert_eq!(next.map(|(id, _, cents)| (id, cents)), Some((cal, 3_000)));
    let detail = rbay::items::server::get(&db, item).await.unwrap().unwrap();
    assert_eq!(
        detail.high_bidder_name.as_deref(),
        Some("u12"),
        "named as they bid"
    );
    let (price, high, rows) = standing(&db, item).await;
    assert_eq!((price, high), (3_100, Some(bea)));
    assert_eq!(
        rows[0],
        (bea.0, 3_100, "auto"),
        "the new price on top: {rows:?}"
    );
    assert_eq!(rows[1], (ann.0, 5_100, "cancelled"), "{rows:?}");
    assert!(
        rows[2..].iter().all(|r| r.0 != ann.0 && r.2 != "cancelled"),
        "{rows:?}"
    );
    // Once: a second cancellation finds nothing, and ann's maximum answers nobody.
    let again = cancel_on_item(&db, item, ann, Suspended).await.unwrap();
    assert_eq!(again, Cancelled::Nothing);
    bid(&db, item, UserId(14), 4_000).await;
    let (price, high, _) = standing(&db, item).await;
    assert_eq!(
        (price, high),
        (4_100, Some(bea)),
        "bea's $50 answers, not ann's $100"
    );

    // A bidder who is not leading sets the price too: without cal and dee, bea is alone and
    // leads at the start price.
    cancel_on_item(&db, item, cal, Suspended).await.unwrap();
    cancel_on_item(&db, item, UserId(14), Suspended)
        .await
        .unwrap();
    let (price, high, _) = standing(&db, item).await;
    assert_eq!((price, high), (1_000, Some(bea)));
    // The last bidder gone: nobody leads, the price and the next minimum are the start's.
    cancel_on_item(&db, item, bea, Suspended).await.unwrap();
    let detail = rbay::items::server::get(&db, item).await.unwrap().unwrap();
    assert_eq!(
        (
            detail.price_cents,
            detail.high_bidder_id,
            detail.min_bid_cents
        ),
        (1_000, None, 1_000)
    );
    bid(&db, item, cal, 1_000).await;
    assert_eq!(
        standing(&db, item).await.1,
        Some(cal),
        "bidding starts again"
    );

    // A tie between the maximums left goes to the earlier one.
    let tie = list_item(&db, "Tin whistle", 1_000, 3_600_000, 0).await;
    // eve has the lower id: only the times can put dan first.
    let (dan, eve, fay) = (UserId(22), UserId(21), UserId(23));
    bid(&db, tie, dan, 4_000).await;
    tokio::time::sleep(std::time::Duration::from_millis(3)).await;
    bid(&db, tie, eve, 4_000).await; // tie: dan keeps the lead at $40
    bid(&db, tie, fay, 9_000).await; // fay leads at $41
    cancel_on_item(&db, tie, fay, Suspended).await.unwrap();
    let (price, high, _) = standing(&db, tie).await;
    assert_eq!((price, high), (4_000, Some(dan)), "dan's $40 came first");

    // A maximum at or over the reserve keeps the price at the reserve at least.
    let reserved = rbay::items::server::create(
        &db,
        UserId(1),
        "seller1",
        &rbay::items::NewItem {
            name: "Tin soldier".into(),
            description: "Stands.".into(),
            start_cents: 1_000,
            reserve_cents: Some(4_000),
            duration_ms: 3_600_000,
            ..Default::default()
        },
        None,
    )
    .await
    .unwrap();
    let (gus, hal) = (UserId(31), UserId(32));
    bid(&db, reserved, gus, 3_000).await;
    bid(&db, reserved, hal, 6_000).await;
    let done = cancel_on_item(&db, reserved, gus, Suspended).await.unwrap();
    assert!(
        matches!(
            done,
            Cancelled::Done {
                price_cents: 4_000,
                reserve_met: true,
                ..
            }
        ),
        "{done:?}"
    );

    // A closed auction's outcome stands.
    let _: () = redis::cmd("HSET")
        .arg(db.keys().item_state(reserved))
        .arg("closed")
        .arg(1)
        .query_async(&mut db.raw_conn())
        .await
        .unwrap();
    let closed = cancel_on_item(&db, reserved, hal, Suspended).await.unwrap();
    assert_eq!(closed, Cancelled::Closed);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_block_cancels_the_bidders_bids_on_that_sellers_listings_and_a_suspension_on_all() {
    use rbay::server::jobs::Settings;
    let db = test_db().await;
    let (_stop, stopping) = tokio::sync::watch::channel(false);
    rbay::wiring::start_workers(&db, Settings::default(), stopping);
    let seller = UserId(1);
    let (bea, cal) = (UserId(7), UserId(8));
    let mine = list_item(&db, "Copper kettle", 1_000, 3_600_000, 0).await;
    let theirs = list_by_another_seller(&db, "Copper pot").await;
    for item in [mine, theirs] {
        bid(&db, item, cal, 2_000).await;
        bid(&db, item, bea, 5_000).await;
        assert_eq!(standing(&db, item).await.1, Some(bea));
    }

    // The seller of `mine` blocks bea: cal leads there; the other seller's listing keeps bea.
    assert_eq!(block(&db, seller, bea).await.unwrap(), Ok(()));
    let handed = eventually(10, || async { standing(&db, mine).await.1 == Some(cal) }).await;
    assert!(handed, "{:?}", standing(&db, mine).await);
    assert_eq!(
        standing(&db, mine).await.0,
        1_000,
        "cal alone: the start price"
    );
    assert_eq!(standing(&db, theirs).await.1, Some(bea));
    // cal hears that the lead is theirs again, once.
    let leading_again = |inbox: &rbay::notifications::Inbox| {
        inbox
            .notices
            .iter()
            .filter(|n| n.kind == rbay::notifications::NoticeKind::LeadingAgain)
            .map(|n| (n.item_id, n.text()))
            .collect::<Vec<_>>()
    };
    let told = eventually(10, || async {
        let inbox = rbay::notifications::server::inbox(&db, cal).await.unwrap();
        !leading_again(&inbox).is_empty()
    })
    .await;
    assert!(told, "cal was not told");
    let inbox = rbay::notifications::server::inbox(&db, cal).await.unwrap();
    assert_eq!(
        leading_again(&inbox),
        vec![(
            mine.0,
            "You have the highest bid on Copper kettle again: the bids that beat yours were \
             cancelled. Now $10.00."
                .to_string()
        )]
    );

    // A moderator suspends bea: every listing.
    let _: () = redis::cmd("HSET")
        .arg(db.keys().user(bea))
        .arg("username")
        .arg("bea")
        .query_async(&mut db.raw_conn())
        .await
        .unwrap();
    let suspended = act(
        &db,
        "opal",
        Target::User(bea),
        ModAction::Hide,
        "Shill bids",
    )
    .await
    .unwrap();
    assert_eq!(suspended, Applied::Done);
    let handed = eventually(10, || async { standing(&db, theirs).await.1 == Some(cal) }).await;
    assert!(handed, "{:?}", standing(&db, theirs).await);
}

#[tokio::test]
async fn cancelling_works_on_older_bids_and_changes_only_what_it_must() {
    use rbay::auction::server::cancel::{cancel_on_item, CancelReason::Suspended, Cancelled};
    let db = test_db().await;
    let mut conn = db.raw_conn();
    let (old, low, top) = (UserId(41), UserId(42), UserId(43));
    let item = list_item(&db, "Tin lantern", 1_000, 3_600_000, 0).await;
    bid(&db, item, old, 4_000).await;
    bid(&db, item, low, 2_000).await;
    bid(&db, item, top, 9_000).await;
    let (price, _, rows) = standing(&db, item).await;
    assert_eq!(price, 4_100);
    // `old` bid before maximums kept their time and name, and none of their rows is left in
    // the history; `top` has a row from before history rows had a kind, under 998 of low's.
    let _: () = redis::cmd("HDEL")
        .arg(db.keys().item_max_times(item))
        .arg(old)
        .query_async(&mut conn)
        .await
        .unwrap();
    let _: () = redis::cmd("DEL")
        .arg(db.keys().item_bids(item))
        .query_async(&mut conn)
        .await
        .unwrap();
    let _: () = redis::cmd("RPUSH")
        .arg(db.keys().item_bids(item))
        .arg(format!("{}|4100|1|u43", top.0))
        .query_async(&mut conn)
        .await
        .unwrap();
    for _ in 0..998 {
        let _: () = redis::cmd("LPUSH")
            .arg(db.keys().item_bids(item))
            .arg(format!("{}|2000|2|b|u42", low.0))
            .query_async(&mut conn)
            .await
            .unwrap();
    }
    let _: () = redis::cmd("HSET")
        .arg(db.keys().user(old))
        .arg("username")
        .arg("old_timer")
        .query_async(&mut conn)
        .await
        .unwrap();
    let bids_before = rows.len();

    // A maximum under the second-highest changes no price, no leader, no count.
    let quiet = cancel_on_item(&db, item, low, Suspended).await.unwrap();
    assert!(
        matches!(
            quiet,
            Cancelled::Done {
                price_cents: 4_100,
                rows_marked: 998,
                ..
            }
        ),
        "{quiet:?}"
    );
    let detail = rbay::items::server::get(&db, item).await.unwrap().unwrap();
    assert_eq!(
        (detail.bids, detail.high_bidder_id),
        (bids_before as i64, Some(top))
    );

    // The leader goes: `old` leads, named from their account (nothing on the item names
    // them), and the closing sells to them.
    let done = cancel_on_item(&db, item, top, Suspended).await.unwrap();
    assert!(
        matches!(done, Cancelled::Done { price_cents: 1_000, leader: Some(l), .. } if l == old),
        "{done:?}"
    );
    let detail = rbay::items::server::get(&db, item).await.unwrap().unwrap();
    assert_eq!(detail.high_bidder_name.as_deref(), Some("old_timer"));
    // The row from before kinds is marked too: it is the 999th newest (low's 998, then it).
    let last: String = redis::cmd("LINDEX")
        .arg(db.keys().item_bids(item))
        .arg(-1)
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_eq!(last, format!("{}|4100|1|x|u43", top.0));
}
