//! Orders through the real HTTP server: a Buy It Now makes an order; the buyer pays (with an
//! address, through the test provider: a decline charges nothing, a retry charges once); the
//! seller ships; the buyer confirms. Each step is the right party's only, from the right state;
//! the order page is the buyer's and the seller's only.
#![cfg(feature = "ssr")]
// A test fails by panicking: unwrapping is how it says what went wrong.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::server::{
    call, create_item, create_listing, created_id, get, location, plain_post, sign_up, Response,
    Server,
};

fn server() -> Server {
    let server = Server::for_test(&common::fresh_prefix());
    server.wait_ready();
    server
}

/// A plain form post (JavaScript off), as the order page's forms send it.
fn post(server: &Server, path: &str, body: &str, cookie: &str) -> Response {
    plain_post(server, path, body, Some(cookie))
}

const ADDRESS: &str =
    "name=Bea+Buyer&line1=1+Long+Road&line2=&city=Leeds&postcode=LS1+1AA&country=United+Kingdom";

/// A seller, a buyer, and an item the buyer bought now for $25.
fn sold(server: &Server, tag: &str) -> (String, String, u64) {
    let seller = sign_up(server, &format!("os{tag}"));
    let buyer = sign_up(server, &format!("ob{tag}"));
    let listed = create_listing(
        server,
        &seller,
        &[
            ("name", "Brass lamp"),
            ("description", "Bright."),
            ("category", "home"),
            ("price", "10"),
            ("buy_now", "25"),
            ("duration", "1d"),
        ],
        &[],
    );
    let id: u64 = created_id(&listed).parse().unwrap();
    let bought = call(
        server,
        "/api/items/buy",
        &format!("item_id={id}"),
        Some(&buyer),
    );
    assert_eq!(bought.status, 200, "{}", bought.body);
    (seller, buyer, id)
}

#[test]
fn a_sale_is_paid_once_shipped_and_received_each_by_its_party() {
    let server = server();
    let (seller, buyer, id) = sold(&server, "a");
    let stranger = sign_up(&server, "osstranger");
    let page = format!("/orders/{id}");

    // Only the buyer and the seller see the order; a visitor is asked to sign in.
    let for_buyer = get(&server, &page, Some(&buyer));
    assert_eq!(for_buyer.status, 200);
    assert!(for_buyer.body.contains("Awaiting payment"));
    assert!(for_buyer.body.contains("Pay $25.00"));
    let for_seller = get(&server, &page, Some(&seller));
    assert!(for_seller.body.contains("Waiting for"));
    assert!(!for_seller.body.contains("Pay $25.00"));
    assert_eq!(get(&server, &page, Some(&stranger)).status, 404);
    assert_eq!(
        get(&server, &format!("/orders/{}", id + 1000), Some(&buyer)).status,
        404
    );
    assert_eq!(get(&server, "/orders/abc", Some(&buyer)).status, 404);
    // Where it is, as the open page asks: the parties only.
    let word = get(&server, &format!("{page}/state"), Some(&seller));
    assert_eq!(
        (word.status, word.body.as_str()),
        (200, "awaiting_payment 0")
    );
    assert_eq!(
        get(&server, &format!("{page}/state"), Some(&stranger)).status,
        404
    );
    assert_eq!(get(&server, &format!("{page}/state"), None).status, 401);
    let visitor = get(&server, &page, None);
    assert!(
        visitor.status == 302 || visitor.body.contains("sign in"),
        "{}",
        visitor.status
    );

    // Neither the seller nor a stranger can pay it, or ship it before it is paid.
    let by_seller = post(
        &server,
        "/api/orders/pay",
        &format!("item_id={id}&{ADDRESS}"),
        &seller,
    );
    assert_eq!(
        location(&by_seller),
        format!("{page}?e=form%3Anot-yours#next-step")
    );
    let by_stranger = post(
        &server,
        "/api/orders/pay",
        &format!("item_id={id}&{ADDRESS}"),
        &stranger,
    );
    assert!(location(&by_stranger).contains("not-yours"));
    let early = post(
        &server,
        "/api/orders/ship",
        &format!("item_id={id}"),
        &seller,
    );
    assert!(location(&early).contains("wrong-state"));

    // A missing and an overlong field come back by name; nothing is charged.
    let long = "x".repeat(rbay::orders::NAME_MAX + 1);
    let bad = post(
        &server,
        "/api/orders/pay",
        &format!("item_id={id}&name={long}&line1=&city=Leeds&postcode=LS1&country=UK"),
        &buyer,
    );
    let back = location(&bad);
    assert!(back.contains("name%3Atoo-long"), "{back}");
    assert!(back.contains("line1%3Amissing"), "{back}");
    let shown = get(&server, back.split('#').next().unwrap(), Some(&buyer));
    assert!(shown.body.contains("This is too long."));
    assert!(shown.body.contains("Please fill this in."));

    // No feedback before payment.
    let early = post(
        &server,
        "/api/orders/feedback",
        &format!("item_id={id}&rating=positive"),
        &buyer,
    );
    assert!(location(&early).contains("feedback-closed"));

    // A declined payment charges nothing and leaves the order awaiting payment.
    let declined = post(
        &server,
        "/api/orders/pay",
        &format!("item_id={id}&{ADDRESS}&decline=1"),
        &buyer,
    );
    assert!(location(&declined).contains("declined"));
    assert!(get(&server, &page, Some(&buyer))
        .body
        .contains("Awaiting payment"));

    // Paid: the second request (a retry, a double click) is told, and charged nothing more.
    let paid = post(
        &server,
        "/api/orders/pay",
        &format!("item_id={id}&{ADDRESS}"),
        &buyer,
    );
    assert_eq!(location(&paid), page);
    let again = call(
        &server,
        "/api/orders/pay",
        &format!("item_id={id}&{ADDRESS}"),
        Some(&buyer),
    );
    assert_eq!(again.status, 200);
    assert!(again.body.contains("already-paid"), "{}", again.body);
    // The address is the buyer's and the seller's to see.
    let for_seller = get(&server, &page, Some(&seller));
    assert!(for_seller.body.contains("1 Long Road"));
    assert!(for_seller.body.contains("Mark as shipped"));
    assert_eq!(get(&server, &page, Some(&stranger)).status, 404);

    // The buyer cannot ship; the seller ships; the seller cannot confirm receipt.
    let wrong = post(
        &server,
        "/api/orders/ship",
        &format!("item_id={id}&carrier=Post"),
        &buyer,
    );
    assert!(location(&wrong).contains("not-yours"));
    let shipped = post(
        &server,
        "/api/orders/ship",
        &format!("item_id={id}&carrier=Royal+Mail&tracking=RM123%3Cb%3E"),
        &seller,
    );
    assert_eq!(location(&shipped), page);
    let for_buyer = get(&server, &page, Some(&buyer));
    assert!(for_buyer.body.contains("Royal Mail"));
    assert!(
        for_buyer.body.contains("RM123&lt;b&gt;"),
        "tracking is shown as text"
    );
    assert!(for_buyer.body.contains("I received it"));
    let not_seller = post(
        &server,
        "/api/orders/receive",
        &format!("item_id={id}"),
        &seller,
    );
    assert!(location(&not_seller).contains("not-yours"));
    let received = post(
        &server,
        "/api/orders/receive",
        &format!("item_id={id}"),
        &buyer,
    );
    assert_eq!(location(&received), page);
    assert!(get(&server, &page, Some(&seller)).body.contains("Complete"));
    // A stale second receipt changes nothing and says why.
    let stale = post(
        &server,
        "/api/orders/receive",
        &format!("item_id={id}"),
        &buyer,
    );
    assert!(location(&stale).contains("wrong-state"));

    // Feedback: each side once; a rating is needed; the comment is shown as text.
    let none = post(
        &server,
        "/api/orders/feedback",
        &format!("item_id={id}&comment=ok"),
        &buyer,
    );
    assert!(
        location(&none).contains("rating%3Ano-rating"),
        "{}",
        location(&none)
    );
    let nosy = post(
        &server,
        "/api/orders/feedback",
        &format!("item_id={id}&rating=negative"),
        &stranger,
    );
    assert!(location(&nosy).contains("not-yours"));
    let left = post(
        &server,
        "/api/orders/feedback",
        &format!("item_id={id}&rating=positive&comment=Fast+%3Cb%3Eship%3C%2Fb%3E"),
        &buyer,
    );
    assert_eq!(location(&left), page);
    let twice = post(
        &server,
        "/api/orders/feedback",
        &format!("item_id={id}&rating=negative"),
        &buyer,
    );
    assert!(location(&twice).contains("feedback-given"));
    let back = post(
        &server,
        "/api/orders/feedback",
        &format!("item_id={id}&rating=neutral"),
        &seller,
    );
    assert_eq!(location(&back), page);
    let order_page = get(&server, &page, Some(&seller));
    assert!(order_page.body.contains("Theirs: Positive"));
    assert!(order_page.body.contains("Yours: Neutral"));
    assert!(!order_page.body.contains("Leave feedback"));
    // The seller's rating, on their profile and on their items' pages.
    let seller_id = server_user_id(&server, &seller);
    let profile = get(&server, &format!("/users/{seller_id}"), None);
    assert!(
        profile.body.contains("100% positive · 1 rating"),
        "{}",
        profile.body
    );
    assert!(profile.body.contains("Fast &lt;b&gt;ship&lt;/b&gt;"));
    let item = get(&server, &format!("/items/{id}"), None);
    assert!(item.body.contains("100% positive · 1 rating"));
    // And on the cards of their listings: in search results, for visitors and bidders alike.
    let next = created_id(&create_item(
        &server,
        &seller,
        "Walnut gramophone",
        "A walnut gramophone that still plays.",
        None,
    ));
    for viewer in [None, Some(buyer.as_str())] {
        let found = get(&server, "/search?q=gramophone", viewer).body;
        assert!(found.contains(&format!("/items/{next}")), "{found}");
        assert!(found.contains("Seller: 100% positive (1)"), "{found}");
    }
    // A seller without ratings shows none.
    let newcomer = sign_up(&server, "fresh_seller");
    created_id(&create_item(
        &server,
        &newcomer,
        "Oak bureau",
        "An oak bureau with drawers.",
        None,
    ));
    let found = get(&server, "/search?q=bureau", None).body;
    assert!(
        found.contains("Oak bureau") && !found.contains("Seller:"),
        "{found}"
    );

    // Won / Sold show where the order is; Purchases only the buyer's side, Sold the seller's.
    assert!(get(&server, "/my/won", Some(&buyer)).body.contains(&page));
    assert!(get(&server, "/my/won", Some(&seller)).body.contains(&page));
    assert!(get(&server, "/my/purchases", Some(&buyer))
        .body
        .contains(&page));
    assert!(!get(&server, "/my/purchases", Some(&seller))
        .body
        .contains(&page));
    assert!(get(&server, "/my/sold", Some(&seller)).body.contains(&page));
    assert!(!get(&server, "/my/sold", Some(&buyer)).body.contains(&page));
    // Signed out: to sign in and back.
    let signed_out = get(&server, "/my/sold", None);
    assert_eq!(
        signed_out.header("location"),
        Some("/auth/signin?next=%2Fmy%2Fsold"),
        "{}",
        signed_out.status
    );
}

#[test]
fn racing_payments_charge_once() {
    let server = std::sync::Arc::new(server());
    let (_seller, buyer, id) = sold(&server, "r");
    let answers: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..6)
            .map(|_| {
                let (server, buyer) = (server.clone(), buyer.clone());
                s.spawn(move || {
                    call(
                        &server,
                        "/api/orders/pay",
                        &format!("item_id={id}&{ADDRESS}"),
                        Some(&buyer),
                    )
                    .body
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let taken = answers
        .iter()
        .filter(|a| a.contains("\"problems\":\"\""))
        .count();
    assert_eq!(taken, 1, "exactly one payment is taken: {answers:?}");
    assert!(
        answers
            .iter()
            .all(|a| a.contains("\"problems\":\"\"") || a.contains("already-paid")),
        "{answers:?}"
    );
}

/// The id of the user whose session `cookie` is (from the account menu's profile link).
fn server_user_id(server: &Server, cookie: &str) -> u64 {
    let page = get(server, "/my/bids", Some(cookie));
    let at = page.body.find("href=\"/users/").expect("a profile link") + "href=\"/users/".len();
    page.body[at..].split('"').next().unwrap().parse().unwrap()
}

/// A server whose sales may be cancelled unpaid after a second, and whose shipped orders are
/// confirmed received after a second.
fn quick_server() -> Server {
    let server = Server::start(
        &common::redis_url(),
        &[
            ("RBAY_KEY_PREFIX", &common::fresh_prefix()),
            ("RBAY_AUTH_IP_LIMIT", "10000/60"),
            ("RBAY_UNPAID_AFTER_SECS", "1"),
            ("RBAY_AUTO_RECEIVE_SECS", "1"),
        ],
    );
    server.wait_ready();
    server
}

#[test]
fn an_unpaid_sale_can_be_cancelled_only_by_its_seller_and_only_once_its_time_is_over() {
    let server = server();
    let (seller, _buyer, id) = sold(&server, "c");
    let page = format!("/orders/{id}");
    // Four days by default: too early.
    let early = post(
        &server,
        "/api/orders/cancel",
        &format!("item_id={id}"),
        &seller,
    );
    assert!(
        location(&early).contains("too-early"),
        "{}",
        location(&early)
    );
    assert!(get(&server, &page, Some(&seller))
        .body
        .contains("you can cancel the sale"));

    let server = quick_server();
    let (seller, buyer2, id) = sold(&server, "q");
    let page = format!("/orders/{id}");
    std::thread::sleep(std::time::Duration::from_millis(1_100));
    let by_buyer = post(
        &server,
        "/api/orders/cancel",
        &format!("item_id={id}"),
        &buyer2,
    );
    assert!(location(&by_buyer).contains("not-yours"));
    assert!(get(&server, &page, Some(&seller))
        .body
        .contains("Cancel this sale"));
    let cancelled = post(
        &server,
        "/api/orders/cancel",
        &format!("item_id={id}"),
        &seller,
    );
    assert_eq!(location(&cancelled), page);
    assert!(get(&server, &page, Some(&buyer2))
        .body
        .contains("The seller cancelled this sale"));
    // Paying a cancelled order is refused and charges nothing.
    let pay = post(
        &server,
        "/api/orders/pay",
        &format!("item_id={id}&{ADDRESS}"),
        &buyer2,
    );
    assert!(location(&pay).contains("wrong-state"));
}

/// The shipping address stays between the buyer and the seller: not on the item's page
/// (fresh or from the page cache, for anyone), not in its live events, not on anyone's lists or
/// notices, and never in the server's log (at debug level), through a declined payment too.
#[test]
fn an_address_stays_between_the_buyer_and_the_seller() {
    let prefix = common::fresh_prefix();
    let log = std::env::temp_dir().join(format!(
        "rbay-address-{}.log",
        prefix.trim_end_matches(':').replace(':', "-")
    ));
    let log_path = log.to_string_lossy().to_string();
    let server = Server::for_test_with(
        &prefix,
        &[
            ("RUST_LOG", "debug"),
            (common::server::LOG_FILE, log_path.as_str()),
        ],
    );
    let (seller, buyer, id) = sold(&server, "addr");
    let page = format!("/orders/{id}");
    let declined = post(
        &server,
        "/api/orders/pay",
        &format!("item_id={id}&{ADDRESS}&decline=1"),
        &buyer,
    );
    assert!(location(&declined).starts_with(&page));
    let paid = post(
        &server,
        "/api/orders/pay",
        &format!("item_id={id}&{ADDRESS}"),
        &buyer,
    );
    assert_eq!(location(&paid), page);
    for cookie in [&buyer, &seller] {
        assert!(get(&server, &page, Some(cookie))
            .body
            .contains("1 Long Road"));
    }
    let stranger = sign_up(&server, "oaddrx");
    let item = format!("/items/{id}");
    let seen = [
        (item.clone(), None),
        (item.clone(), None), // the page cache's copy
        (item.clone(), Some(&stranger)),
        (item.clone(), Some(&buyer)),
        (item.clone(), Some(&seller)),
        ("/my/purchases".to_string(), Some(&buyer)),
        ("/my/sold".to_string(), Some(&seller)),
        ("/notifications".to_string(), Some(&seller)),
        ("/notifications".to_string(), Some(&buyer)),
        (page.clone(), Some(&stranger)),
    ];
    const PARTS: [&str; 3] = ["Long Road", "LS1 1AA", "Bea Buyer"];
    for (path, cookie) in &seen {
        let body = get(&server, path, cookie.map(String::as_str)).body;
        for part in PARTS {
            assert!(!body.contains(part), "{path}: {part}");
        }
    }
    // The item's live events (replayed to every page that reconnects).
    let events = common::block_on(async {
        common::event_stream(&common::db_in(&prefix).await, rbay::items::ItemId(id)).await
    });
    assert!(!events.is_empty(), "the sale was announced");
    let events = format!("{events:?}");
    for part in PARTS {
        assert!(!events.contains(part), "live events: {part}");
    }
    // The log, at debug level, has the requests but not the address.
    drop(server);
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(
        text.contains("DEBUG") || text.contains("INFO"),
        "a log was written"
    );
    for part in PARTS {
        assert!(!text.contains(part), "log: {part}");
    }
    let _ = std::fs::remove_file(&log);
}

/// A buyer who has not paid hears that payment is due before the seller may cancel (at three
/// quarters of the time they have: here 0.75 of the quick server's second), once; a buyer who
/// paid hears nothing.
#[test]
fn a_buyer_who_has_not_paid_is_reminded_once_and_one_who_paid_is_not() {
    let server = quick_server();
    let (_, late, late_id) = sold(&server, "r1");
    let (_, prompt, prompt_id) = sold(&server, "r2");
    let paid = post(
        &server,
        "/api/orders/pay",
        &format!("item_id={prompt_id}&{ADDRESS}"),
        &prompt,
    );
    assert_eq!(location(&paid), format!("/orders/{prompt_id}"));
    let reminded = common::server::wait_until(std::time::Duration::from_secs(15), || {
        get(&server, "/notifications", Some(&late))
            .body
            .contains("is due soon")
    });
    assert!(reminded.is_ok(), "the unpaid buyer is reminded");
    let inbox = get(&server, "/notifications", Some(&late)).body;
    assert!(
        inbox.contains(
            "Payment of $25.00 for Brass lamp is due soon: pay now, or osr1 may cancel the sale."
        ),
        "{inbox}"
    );
    assert!(inbox.contains(&format!("/orders/{late_id}")), "{inbox}");
    // The other reminder's time has come too: the buyer who paid hears nothing, and nobody
    // hears twice.
    std::thread::sleep(std::time::Duration::from_secs(2));
    assert!(!get(&server, "/notifications", Some(&prompt))
        .body
        .contains("is due soon"));
    let inbox = get(&server, "/notifications", Some(&late)).body;
    assert_eq!(inbox.matches("is due soon").count(), 1, "{inbox}");
}

#[test]
fn a_shipped_order_the_buyer_does_not_confirm_is_confirmed_by_the_job() {
    let server = quick_server();
    let (seller, buyer, id) = sold(&server, "j");
    let page = format!("/orders/{id}");
    post(
        &server,
        "/api/orders/pay",
        &format!("item_id={id}&{ADDRESS}"),
        &buyer,
    );
    let shipped = post(
        &server,
        "/api/orders/ship",
        &format!("item_id={id}"),
        &seller,
    );
    assert_eq!(location(&shipped), page);
    let done = common::server::wait_until(std::time::Duration::from_secs(15), || {
        get(&server, &page, Some(&buyer))
            .body
            .contains("receipt was confirmed automatically")
    });
    assert!(done.is_ok(), "the job confirmed receipt");
    // The buyer's own confirmation now finds it received.
    let late = post(
        &server,
        "/api/orders/receive",
        &format!("item_id={id}"),
        &buyer,
    );
    assert!(location(&late).contains("wrong-state"));
}

/// A sale to `a` (max $30) over `b` (max $15) of an auction by `seller`, closed, unpaid past
/// the quick server's second, and cancelled by the seller: ready for a second chance.
fn cancelled_sale(server: &Server, prefix: &str, tag: &str) -> (String, String, String, u64) {
    let seller = sign_up(server, &format!("ss{tag}"));
    let a = sign_up(server, &format!("sa{tag}"));
    let b = sign_up(server, &format!("sb{tag}"));
    let (seller_id, a_id, b_id) = (
        server_user_id(server, &seller),
        server_user_id(server, &a),
        server_user_id(server, &b),
    );
    let id = common::block_on(async {
        use rbay::accounts::UserId;
        let db =
            rbay::server::redis::connect(&common::redis_url(), rbay::server::Keys::new(prefix))
                .await
                .unwrap();
        let item = rbay::items::NewItem {
            name: "Pewter jug".into(),
            description: "Old.".into(),
            start_cents: 1_000,
            duration_ms: 500,
            soft_close: false,
            ..Default::default()
        };
        let id =
            rbay::items::server::create(&db, UserId(seller_id), &format!("ss{tag}"), &item, None)
                .await
                .unwrap();
        rbay::auction::server::place_bid(&db, UserId(b_id), &format!("sb{tag}"), id, 1_500)
            .await
            .unwrap();
        rbay::auction::server::place_bid(&db, UserId(a_id), &format!("sa{tag}"), id, 3_000)
            .await
            .unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(1_200)).await;
        rbay::auction::server::closer::close(&db, id).await.unwrap();
        // Unpaid past the quick server's second.
        tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
        id.0
    });
    let cancelled = post(
        server,
        "/api/orders/cancel",
        &format!("item_id={id}"),
        &seller,
    );
    assert_eq!(location(&cancelled), format!("/orders/{id}"));
    (seller, a, b, id)
}

fn quick_server_with(prefix: &str, offer_secs: &str) -> Server {
    let server = Server::start(
        &common::redis_url(),
        &[
            ("RBAY_KEY_PREFIX", prefix),
            ("RBAY_AUTH_IP_LIMIT", "10000/60"),
            ("RBAY_UNPAID_AFTER_SECS", "1"),
            ("RBAY_OFFER_SECS", offer_secs),
        ],
    );
    server.wait_ready();
    server
}

#[test]
fn a_cancelled_sale_is_offered_to_the_next_bidder_who_may_take_it() {
    let prefix = common::fresh_prefix();
    let server = quick_server_with(&prefix, "3600");
    let (seller, a, b, id) = cancelled_sale(&server, &prefix, "o");
    let page = format!("/orders/{id}");
    let stranger = sign_up(&server, "sostranger");
    // The offer is the seller's to make, to the next bidder at their highest bid ($15).
    let shown = get(&server, &page, Some(&seller)).body;
    assert!(shown.contains("at their highest bid of $15.00"), "{shown}");
    assert_eq!(
        get(&server, &page, Some(&b)).status,
        404,
        "nothing offered yet"
    );
    let by_buyer = post(&server, "/api/orders/offer", &format!("item_id={id}"), &a);
    assert!(location(&by_buyer).contains("not-yours"));
    let offered = post(
        &server,
        "/api/orders/offer",
        &format!("item_id={id}"),
        &seller,
    );
    assert_eq!(location(&offered), page);
    let twice = post(
        &server,
        "/api/orders/offer",
        &format!("item_id={id}"),
        &seller,
    );
    assert!(
        location(&twice).contains("wrong-state"),
        "one offer per sale"
    );
    // Only that bidder sees it and may take it.
    let for_b = get(&server, &page, Some(&b));
    assert_eq!(for_b.status, 200);
    assert!(for_b.body.contains("Buy it for $15.00"));
    assert!(
        !for_b.body.contains("sao"),
        "nothing of the cancelled sale's buyer"
    );
    assert!(!for_b.body.contains("$30.00") && !for_b.body.contains("$15.50"));
    let word = get(&server, &format!("{page}/state"), Some(&b));
    assert_eq!(
        (word.status, word.body.as_str()),
        (200, "cancelled 0"),
        "the offer's bidder is told no messages"
    );
    assert_eq!(get(&server, &page, Some(&stranger)).status, 404);
    let by_stranger = post(
        &server,
        "/api/orders/accept",
        &format!("item_id={id}"),
        &stranger,
    );
    assert!(location(&by_stranger).contains("not-yours"));
    let taken = post(&server, "/api/orders/accept", &format!("item_id={id}"), &b);
    assert_eq!(location(&taken), page);
    let now_b = get(&server, &page, Some(&b)).body;
    assert!(now_b.contains("Pay $15.00"), "the sale is theirs: {now_b}");
    assert!(get(&server, &page, Some(&seller))
        .body
        .contains("Awaiting payment"));
    // The first winner no longer has a part in it; the purchase is on the new buyer's list.
    assert_eq!(get(&server, &page, Some(&a)).status, 404);
    assert!(get(&server, "/my/won", Some(&b)).body.contains("Pay now"));
    assert!(!get(&server, "/my/won", Some(&a)).body.contains(&page));
    let paid = post(
        &server,
        "/api/orders/pay",
        &format!("item_id={id}&{ADDRESS}"),
        &b,
    );
    assert_eq!(location(&paid), page);
}

#[test]
fn a_second_chance_offer_expires_by_its_job() {
    let prefix = common::fresh_prefix();
    let server = quick_server_with(&prefix, "1");
    let (seller, _a, b, id) = cancelled_sale(&server, &prefix, "e");
    let page = format!("/orders/{id}");
    let offered = post(
        &server,
        "/api/orders/offer",
        &format!("item_id={id}"),
        &seller,
    );
    assert_eq!(location(&offered), page);
    let expired = common::server::wait_until(std::time::Duration::from_secs(15), || {
        get(&server, &page, Some(&seller)).body.contains("expired")
    });
    assert!(expired.is_ok(), "the job closed the offer");
    assert_eq!(get(&server, &page, Some(&b)).status, 404);
    let late = post(&server, "/api/orders/accept", &format!("item_id={id}"), &b);
    assert!(!location(&late).ends_with(&page), "{}", location(&late));
}

/// The buyer and the seller write each other on the order page (plain forms); the text is
/// escaped, the other party is told (once for a burst), nobody else can read or write, and
/// the open page's state word counts the messages so it reloads for a new one.
#[test]
fn buyer_and_seller_exchange_messages_only_they_see() {
    let server = server();
    let (seller, buyer, id) = sold(&server, "m");
    let stranger = sign_up(&server, "omstranger");
    let page = format!("/orders/{id}");
    let write = |cookie: &str, text: &str| {
        let body =
            serde_urlencoded::to_string([("item_id", id.to_string().as_str()), ("text", text)])
                .unwrap();
        post(&server, "/api/orders/message", &body, cookie)
    };

    let sent = write(&buyer, "Could you post it on Monday? <b>Thanks</b>\nBea");
    assert_eq!(location(&sent), format!("{page}#messages"));
    let for_seller = get(&server, &page, Some(&seller));
    assert!(for_seller
        .body
        .contains("Could you post it on Monday? &lt;b&gt;Thanks&lt;/b&gt;\nBea"));
    assert!(!for_seller.body.contains("<b>Thanks"), "escaped");
    let word = get(&server, &format!("{page}/state"), Some(&seller));
    assert_eq!(word.body, "awaiting_payment 1");
    write(&seller, "Yes, Monday | first post.");
    let for_buyer = get(&server, &page, Some(&buyer)).body;
    let (first, second) = (
        for_buyer.find("Could you post it").unwrap(),
        for_buyer.find("Yes, Monday | first post.").unwrap(),
    );
    assert!(first < second, "oldest first");

    // The seller hears of the buyer's message in the inbox (the job runs in the background).
    let told = common::server::wait_until(std::time::Duration::from_secs(15), || {
        get(&server, "/notifications", Some(&seller))
            .body
            .contains("wrote to you about your order of Brass lamp")
    });
    assert!(told.is_ok(), "the seller was told");

    // Nobody else: a stranger's message is refused as if there were no order, and changes
    // nothing; a visitor is sent to sign in; an item without an order has none to write to.
    let by_stranger = write(&stranger, "Hello?");
    assert_eq!(by_stranger.status, 404);
    assert_eq!(
        get(&server, &format!("{page}/state"), Some(&buyer)).body,
        "awaiting_payment 2"
    );
    let by_visitor = plain_post(
        &server,
        "/api/orders/message",
        &format!("item_id={id}&text=hi"),
        None,
    );
    assert!(location(&by_visitor).starts_with("/auth/signin"));
    let unsold = created_id(&create_item(&server, &seller, "Oak stool", "Sturdy.", None));
    let nowhere = post(
        &server,
        "/api/orders/message",
        &format!("item_id={unsold}&text=hi"),
        &seller,
    );
    assert_eq!(nowhere.status, 404);

    // Empty, invisible or too long: refused with the problem next to the form.
    for text in ["", "   ", "\u{200B}", &"x".repeat(1001)] {
        let refused = write(&buyer, text);
        assert!(
            location(&refused).contains("message-text")
                && location(&refused).ends_with("#messages"),
            "{text:?}"
        );
    }
    let shown = get(
        &server,
        &format!("{page}?e=text:message-text"),
        Some(&buyer),
    );
    assert!(shown
        .body
        .contains("Write a message of 1–1000 visible characters."));
    assert_eq!(
        get(&server, &format!("{page}/state"), Some(&buyer)).body,
        "awaiting_payment 2"
    );
}

/// A flood of messages stops at the limit (20 in 10 minutes per user): the 21st is answered
/// 429 with `Retry-After`, and is not stored.
#[test]
fn a_flood_of_order_messages_stops_at_the_limit() {
    let server = server();
    let (seller, _buyer, id) = sold(&server, "flood");
    let page = format!("/orders/{id}");
    let write = |n: usize| {
        post(
            &server,
            "/api/orders/message",
            &format!("item_id={id}&text=Message+{n}"),
            &seller,
        )
    };
    let max = rbay::orders::server::messages::LIMIT.max as usize;
    for n in 1..=max {
        assert_eq!(
            location(&write(n)),
            format!("{page}#messages"),
            "message {n}"
        );
    }
    let flooded = write(max + 1);
    assert_eq!(flooded.status, 429, "{}", flooded.body);
    assert!(flooded.header("retry-after").is_some());
    assert_eq!(
        get(&server, &format!("{page}/state"), Some(&seller)).body,
        format!("awaiting_payment {max}")
    );
}
