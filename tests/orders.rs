//! Orders in Redis: the close that sells an item makes its order in the same step, exactly
//! once; an unsold auction makes none; steps are checked against state and party.
#![cfg(feature = "ssr")]
// A test fails by panicking: unwrapping is how it says what went wrong.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::test_db;
use rbay::accounts::UserId;
use rbay::auction::server::closer::{close, Closing};
use rbay::auction::server::place_bid;
use rbay::orders::server::{get, take_step, Step, StepOutcome};
use rbay::orders::{Address, OrderState};
use std::time::Duration;

#[tokio::test]
async fn the_close_that_sells_makes_one_order_and_an_unsold_close_none() {
    let db = test_db().await;
    let sold = list(&db, "clock").await;
    let unsold = list(&db, "vase").await;
    place_bid(&db, UserId(7), "bea", sold, 1_500).await.unwrap();
    assert_eq!(
        get(&db, sold).await.unwrap(),
        None,
        "no order while it runs"
    );
    tokio::time::sleep(Duration::from_millis(400)).await;

    assert_eq!(close(&db, sold).await.unwrap(), Closing::Closed);
    let order = get(&db, sold).await.unwrap().expect("an order");
    assert_eq!(order.state, OrderState::AwaitingPayment);
    assert_eq!((order.buyer_id, order.seller_id), (UserId(7), UserId(1)));
    assert_eq!(order.buyer_name, "bea");
    assert_eq!(order.price_cents, 1_000);

    // A step, then the close again (a second worker, a retried job): the order stays as it is.
    let paid = take_step(
        &db,
        sold,
        UserId(7),
        &Step::Pay {
            payment_ref: "ref-1".into(),
            address: Address::default(),
        },
    )
    .await
    .unwrap();
    assert_eq!(paid, StepOutcome::Done(OrderState::Paid));
    assert_eq!(close(&db, sold).await.unwrap(), Closing::WasClosed);
    assert_eq!(
        get(&db, sold).await.unwrap().unwrap().state,
        OrderState::Paid
    );

    assert_eq!(close(&db, unsold).await.unwrap(), Closing::Closed);
    assert_eq!(
        get(&db, unsold).await.unwrap(),
        None,
        "nothing sold, no order"
    );
}

#[tokio::test]
async fn each_step_is_its_partys_and_only_from_its_state() {
    let db = test_db().await;
    let id = list(&db, "kettle").await;
    place_bid(&db, UserId(7), "bea", id, 1_000).await.unwrap();
    tokio::time::sleep(Duration::from_millis(400)).await;
    close(&db, id).await.unwrap();
    let (buyer, seller, stranger) = (UserId(7), UserId(1), UserId(99));
    let ship = Step::Ship {
        carrier: "Post".into(),
        tracking: String::new(),
    };
    let pay = Step::Pay {
        payment_ref: "ref-2".into(),
        address: Address::default(),
    };
    assert_eq!(step(&db, id, seller, &pay).await, StepOutcome::NotYours);
    assert_eq!(
        step(&db, id, stranger, &Step::Receive).await,
        StepOutcome::NotYours
    );
    assert_eq!(
        step(&db, id, seller, &ship).await,
        StepOutcome::WrongState(OrderState::AwaitingPayment)
    );
    assert_eq!(
        step(&db, id, buyer, &pay).await,
        StepOutcome::Done(OrderState::Paid)
    );
    assert_eq!(step(&db, id, buyer, &pay).await, StepOutcome::AlreadyPaid);
    assert_eq!(
        step(&db, id, buyer, &Step::Receive).await,
        StepOutcome::WrongState(OrderState::Paid)
    );
    assert_eq!(
        step(&db, id, seller, &ship).await,
        StepOutcome::Done(OrderState::Shipped)
    );
    assert_eq!(
        step(&db, id, seller, &ship).await,
        StepOutcome::WrongState(OrderState::Shipped)
    );
    assert_eq!(
        step(&db, id, buyer, &Step::Receive).await,
        StepOutcome::Done(OrderState::Received)
    );
    assert_eq!(
        step(&db, id, buyer, &Step::Receive).await,
        StepOutcome::WrongState(OrderState::Received)
    );
    let order = get(&db, id).await.unwrap().unwrap();
    assert_eq!(order.payment_ref.as_deref(), Some("ref-2"));
    assert_eq!(order.carrier.as_deref(), Some("Post"));
    assert_eq!(order.tracking, None);
    assert!(order.received_at_ms.is_some());
    // No order: said so.
    let none = take_step(&db, rbay::items::ItemId(987_654), buyer, &Step::Receive)
        .await
        .unwrap();
    assert_eq!(none, StepOutcome::Missing);
}

async fn step(
    db: &rbay::server::redis::Db,
    id: rbay::items::ItemId,
    who: UserId,
    step: &Step,
) -> StepOutcome {
    take_step(db, id, who, step).await.unwrap()
}

/// An auction of $10.00 that ends in 300 ms, without a soft close (a late bid does not move it).
async fn list(db: &rbay::server::redis::Db, name: &str) -> rbay::items::ItemId {
    let item = rbay::items::NewItem {
        name: name.to_string(),
        description: format!("A fine {name}"),
        start_cents: 1_000,
        duration_ms: 300,
        soft_close: false,
        ..Default::default()
    };
    rbay::items::server::create(db, UserId(1), "seller1", &item, None)
        .await
        .unwrap()
}

#[tokio::test]
async fn feedback_is_once_per_side_and_the_rating_counts_the_last_twelve_months() {
    use rbay::accounts::server::rating::summary;
    use rbay::orders::server::feedback::{leave, received, Left};
    use rbay::orders::{Feedback, Rating, RatingSummary, Role};
    let db = test_db().await;
    let seller = UserId(41);
    let now = rbay::util::time::now_ms();
    let day = 86_400_000;
    let feedback = |item: u64, rating: Rating, at_ms: i64| Feedback {
        item_id: rbay::items::ItemId(item),
        item_name: format!("Item {item}"),
        from_id: UserId(7),
        from_name: "bea".into(),
        from_role: Role::Buyer,
        rating,
        comment: String::new(),
        at_ms,
    };
    assert_eq!(
        summary(&db, seller, now).await.unwrap(),
        RatingSummary::default()
    );
    for (item, rating, at) in [
        (1, Rating::Positive, now),
        (2, Rating::Positive, now - 100 * day),
        (3, Rating::Negative, now - 300 * day),
        (4, Rating::Neutral, now - 10 * day),
        // Over a year ago: counted ever, not in the share.
        (5, Rating::Negative, now - 400 * day),
    ] {
        let left = leave(&db, seller, &feedback(item, rating, at))
            .await
            .unwrap();
        assert_eq!(left, Left::Done);
    }
    // The same side of the same order again: refused, and not counted.
    let again = leave(&db, seller, &feedback(1, Rating::Negative, now))
        .await
        .unwrap();
    assert_eq!(again, Left::Already);
    // The other side of the same order is another feedback.
    let mut from_seller = feedback(1, Rating::Positive, now);
    from_seller.from_role = Role::Seller;
    assert_eq!(leave(&db, seller, &from_seller).await.unwrap(), Left::Done);

    let s = summary(&db, seller, now).await.unwrap();
    assert_eq!((s.positive, s.neutral, s.negative, s.total), (3, 1, 1, 6));
    assert_eq!(s.percent_positive(), Some(75));
    // Newest first, a page at a time.
    let (page, total) = received(&db, seller, 1).await.unwrap();
    assert_eq!(total, 6);
    assert_eq!(page.len(), 6);
    let (past, _) = received(&db, seller, 2).await.unwrap();
    assert!(past.is_empty());
}

#[tokio::test]
async fn an_orders_messages_are_its_parties_only_and_bounded() {
    use rbay::orders::server::messages::{count, list as messages, send, Sent};
    use rbay::orders::MESSAGES_MAX;
    let db = test_db().await;
    let id = list(&db, "clock").await;
    // Before the sale there is no order to write on.
    assert_eq!(
        send(&db, id, UserId(1), "seller1", "hi").await.unwrap(),
        Sent::NotFound
    );
    place_bid(&db, UserId(7), "bea", id, 1_000).await.unwrap();
    tokio::time::sleep(Duration::from_millis(400)).await;
    close(&db, id).await.unwrap();
    let (buyer, seller, stranger) = (UserId(7), UserId(1), UserId(99));
    assert_eq!(
        send(&db, id, stranger, "eve", "let me in").await.unwrap(),
        Sent::NotYours
    );
    let first = send(&db, id, buyer, "bea", "When | where?").await.unwrap();
    assert!(matches!(first, Sent::Sent { messages: 1, .. }), "{first:?}");
    send(&db, id, seller, "seller1", "Monday.").await.unwrap();
    let read = messages(&db, id).await.unwrap();
    let said: Vec<(UserId, &str)> = read.iter().map(|m| (m.from_id, m.text.as_str())).collect();
    assert_eq!(said, [(buyer, "When | where?"), (seller, "Monday.")]);
    assert!(read[0].at_ms <= read[1].at_ms && read[0].at_ms > 0);
    // An order keeps a bounded number: then the script refuses and keeps what it has.
    for n in 2..MESSAGES_MAX {
        send(&db, id, buyer, "bea", &format!("note {n}"))
            .await
            .unwrap();
    }
    assert_eq!(
        send(&db, id, seller, "seller1", "one more").await.unwrap(),
        Sent::Full
    );
    assert_eq!(count(&db, id).await.unwrap(), MESSAGES_MAX as u64);
}

/// `n` auctions of $10.00 by seller 1, each bid on by 7 (bea, $15) and 8 (cal, $12), ended and
/// closed: sales to bea at $12.50, awaiting payment.
async fn sales(db: &rbay::server::redis::Db, tag: &str, n: usize) -> Vec<rbay::items::ItemId> {
    let mut ids = Vec::new();
    for i in 0..n {
        let id = list(db, &format!("{tag} {i}")).await;
        place_bid(db, UserId(8), "cal", id, 1_200).await.unwrap();
        place_bid(db, UserId(7), "bea", id, 1_500).await.unwrap();
        ids.push(id);
    }
    tokio::time::sleep(Duration::from_millis(400)).await;
    ids
}

/// Two instances take the same step at the same moment, 100 times for each kind of race a sale
/// has: closing, paying, paying against the seller's cancel, leaving feedback, offering the
/// sale to the next bidder and taking that offer. Every race ends in exactly one outcome.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn races_across_two_instances_end_in_one_outcome_every_time() {
    use rbay::accounts::server::rating::summary;
    use rbay::orders::server::feedback::{leave, Left};
    use rbay::orders::{Feedback, Rating, Role};
    let a = test_db().await;
    let b = common::another_instance(&a).await;
    let (buyer, seller, next) = (UserId(7), UserId(1), UserId(8));
    let pay = |by: &str| Step::Pay {
        payment_ref: format!("ref-{by}"),
        address: Address::default(),
    };
    let both = |x: StepOutcome, y: StepOutcome| {
        let mut v = [format!("{x:?}"), format!("{y:?}")];
        v.sort();
        v
    };

    // Closing, then paying, then feedback from the buyer: one of each.
    for id in sales(&a, "race", 100).await {
        let (x, y) = tokio::join!(close(&a, id), close(&b, id));
        let mut closes = [x.unwrap(), y.unwrap()];
        closes.sort_by_key(|c| format!("{c:?}"));
        assert_eq!(closes, [Closing::Closed, Closing::WasClosed], "{id}");
        let order = get(&a, id).await.unwrap().expect("one order");
        assert_eq!((order.buyer_id, order.price_cents), (buyer, 1_250));

        let (pay_a, pay_b) = (pay("a"), pay("b"));
        let (x, y) = tokio::join!(
            take_step(&a, id, buyer, &pay_a),
            take_step(&b, id, buyer, &pay_b)
        );
        assert_eq!(
            both(x.unwrap(), y.unwrap()),
            ["AlreadyPaid".to_string(), "Done(Paid)".to_string()],
            "{id}"
        );
        assert!(get(&a, id).await.unwrap().unwrap().payment_ref.is_some());

        let feedback = Feedback {
            item_id: id,
            item_name: "race".into(),
            from_id: buyer,
            from_name: "bea".into(),
            from_role: Role::Buyer,
            rating: Rating::Positive,
            comment: String::new(),
            at_ms: rbay::util::time::now_ms(),
        };
        let (x, y) = tokio::join!(leave(&a, seller, &feedback), leave(&b, seller, &feedback));
        let mut left = [x.unwrap(), y.unwrap()];
        left.sort_by_key(|l| format!("{l:?}"));
        assert_eq!(left, [Left::Already, Left::Done], "{id}");
    }
    let rating = summary(&a, seller, rbay::util::time::now_ms())
        .await
        .unwrap();
    assert_eq!(rating.total, 100, "one rating per order");

    // The buyer pays as the seller cancels the unpaid sale: paid or cancelled, never both.
    for id in sales(&a, "standoff", 100).await {
        close(&a, id).await.unwrap();
        let (pay_a, cancel) = (pay("a"), Step::Cancel { unpaid_after_ms: 0 });
        let (x, y) = tokio::join!(
            take_step(&a, id, buyer, &pay_a),
            take_step(&b, id, seller, &cancel)
        );
        let outcomes = both(x.unwrap(), y.unwrap());
        assert!(
            outcomes == ["Done(Cancelled)", "WrongState(Cancelled)"]
                || outcomes == ["Done(Paid)", "WrongState(Paid)"],
            "{id}: {outcomes:?}"
        );
        let state = get(&a, id).await.unwrap().unwrap().state;
        assert_eq!(
            state == OrderState::Paid,
            outcomes[0] == "Done(Paid)",
            "{id}: the order is what the winner was told"
        );
    }

    // A cancelled sale offered to the next bidder from two instances, then taken from two.
    for id in sales(&a, "second chance", 100).await {
        close(&a, id).await.unwrap();
        let cancel = Step::Cancel { unpaid_after_ms: 0 };
        assert_eq!(
            take_step(&a, id, seller, &cancel).await.unwrap(),
            StepOutcome::Done(OrderState::Cancelled)
        );
        let offer = Step::Offer {
            to: next,
            to_name: "cal".into(),
            price_cents: 1_200,
            expires_at_ms: rbay::util::time::now_ms() + 3_600_000,
        };
        let (x, y) = tokio::join!(
            take_step(&a, id, seller, &offer),
            take_step(&b, id, seller, &offer)
        );
        assert_eq!(
            both(x.unwrap(), y.unwrap()),
            ["Done(Cancelled)", "WrongState(Cancelled)"],
            "{id}: offered once"
        );
        let (x, y) = tokio::join!(
            take_step(&a, id, next, &Step::Accept),
            take_step(&b, id, next, &Step::Accept)
        );
        assert_eq!(
            both(x.unwrap(), y.unwrap()),
            ["Done(AwaitingPayment)", "WrongState(AwaitingPayment)"],
            "{id}: taken once"
        );
        let order = get(&a, id).await.unwrap().unwrap();
        assert_eq!((order.buyer_id, order.price_cents), (next, 1_200));
    }
}
