//! Moderation through the real HTTP server: a user reports a listing with the plain form; a
//! moderator (`RBAY_ADMINS`) sees it in the queue, escaped, and hides it: its page is gone for
//! everyone but its seller and the moderators, and so is it from search; a suspended user is
//! signed out and cannot sign in; a seller blocks a bidder. The moderation page and its
//! actions do not exist for anyone else.
#![cfg(feature = "ssr")]
// A test fails by panicking: unwrapping is how it says what went wrong.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::server::{
    call, create_listing, created_id, get, location, plain_post, sign_up, Server,
};

fn server() -> Server {
    let server = Server::for_test(&common::fresh_prefix());
    server.wait_ready();
    server
}

/// The user id in a session cookie, `rbay_session=<user id>.<token>`.
fn cookie_user(cookie: &str) -> String {
    let value = cookie.trim_start_matches("rbay_session=");
    value.split('.').next().unwrap().to_string()
}

fn list(server: &Server, seller: &str, name: &str) -> u64 {
    let listed = create_listing(
        server,
        seller,
        &[
            ("name", name),
            ("description", "Shiny <b>and</b> old."),
            ("category", "jewellery"),
            ("price", "10"),
            ("duration", "1d"),
        ],
        &[],
    );
    created_id(&listed).parse().unwrap()
}

#[test]
fn a_report_reaches_the_moderators_and_a_hidden_listing_is_gone_for_everyone_else() {
    let server = server();
    let seller = sign_up(&server, "mseller");
    let reporter = sign_up(&server, "mreporter");
    let moderator = sign_up(&server, "opal");
    let id = list(&server, &seller, "Rolex <script>x</script> replica");
    let item = format!("/items/{id}");
    let target = format!("item%3A{id}");

    // The report form, for the signed-in; a visitor is sent to sign in.
    let form = get(
        &server,
        &format!("/report?target=item:{id}"),
        Some(&reporter),
    );
    assert_eq!(form.status, 200);
    assert!(form.body.contains("Report a listing"));
    assert!(form
        .body
        .contains("Rolex &lt;script&gt;x&lt;/script&gt; replica"));
    assert!(!form.body.contains("<script>x</script>"));
    let visitor = get(&server, &format!("/report?target=item:{id}"), None);
    assert!(visitor.status == 302 || visitor.body.contains("sign in"));
    assert_eq!(
        get(&server, "/report?target=item:x", Some(&reporter)).status,
        404
    );
    assert_eq!(
        get(
            &server,
            &format!("/report?target=item:{}", id + 999),
            Some(&reporter)
        )
        .status,
        404
    );

    // Reported (a reason is required; a note is bounded); once only; not by its seller.
    let no_reason = plain_post(
        &server,
        "/api/moderation/report",
        &format!("target={target}"),
        Some(&reporter),
    );
    assert!(
        location(&no_reason).contains("reason%3Areason"),
        "{}",
        location(&no_reason)
    );
    let long = "x".repeat(rbay::moderation::NOTE_MAX + 1);
    let too_long = plain_post(
        &server,
        "/api/moderation/report",
        &format!("target={target}&reason=fraud&note={long}"),
        Some(&reporter),
    );
    assert!(location(&too_long).contains("note-long"));
    let body = format!("target={target}&reason=fraud&note=A+%3Cb%3Efake%3C%2Fb%3E");
    let sent = plain_post(&server, "/api/moderation/report", &body, Some(&reporter));
    assert_eq!(location(&sent), format!("/report?target=item:{id}"));
    let again = plain_post(&server, "/api/moderation/report", &body, Some(&reporter));
    assert!(location(&again).contains("already"));
    let own = plain_post(&server, "/api/moderation/report", &body, Some(&seller));
    assert!(location(&own).contains("own"));
    let anonymous = plain_post(&server, "/api/moderation/report", &body, None);
    assert!(location(&anonymous).starts_with("/auth/signin"));

    // Only the moderators have the queue; they see the report, escaped.
    for who in [None, Some(reporter.as_str()), Some(seller.as_str())] {
        assert_eq!(get(&server, "/ops/moderation", who).status, 404);
        let act = call(
            &server,
            "/api/moderation/act",
            &format!("target={target}&action=hide&why=x"),
            who,
        );
        assert_eq!(act.status, 404, "{}", act.body);
    }
    let queue = get(&server, "/ops/moderation", Some(&moderator));
    assert_eq!(queue.status, 200);
    assert!(queue.body.contains("A &lt;b&gt;fake&lt;/b&gt;"));
    assert!(!queue.body.contains("<b>fake</b>"));
    assert!(queue.body.contains(&format!("data-target=\"item:{id}\"")));

    // A reason is required; then it is hidden.
    let no_why = plain_post(
        &server,
        "/api/moderation/act",
        &format!("target={target}&action=hide&why=+"),
        Some(&moderator),
    );
    assert!(location(&no_why).contains("why%3Awhy"));
    let hidden = plain_post(
        &server,
        "/api/moderation/act",
        &format!("target={target}&action=hide&why=Counterfeit+goods"),
        Some(&moderator),
    );
    assert_eq!(location(&hidden), "/ops/moderation");

    // Gone for visitors and other users (the page, its comments, its live events, search);
    // its seller and the moderators see it, and why.
    assert_eq!(get(&server, &item, None).status, 404);
    assert_eq!(get(&server, &item, Some(&reporter)).status, 404);
    assert_eq!(get(&server, &format!("{item}/comments"), None).status, 404);
    assert_eq!(server.get(&format!("{item}/events")).status, 404);
    // Its photo (here its placeholder) and its price chart too.
    assert_eq!(server.get(&format!("{item}/thumb")).status, 404);
    assert_eq!(server.get(&format!("{item}/image")).status, 404);
    assert_eq!(server.get(&format!("{item}/chart")).status, 404);
    let for_seller = get(&server, &item, Some(&seller));
    assert_eq!(for_seller.status, 200);
    assert!(for_seller
        .body
        .contains("A moderator removed this listing: "));
    assert!(for_seller.body.contains("Counterfeit goods"));
    assert_eq!(get(&server, &item, Some(&moderator)).status, 200);
    // The seller is told, with the reason (through the job queue).
    let told = common::server::wait_until(std::time::Duration::from_secs(10), || {
        get(&server, "/notifications", Some(&seller))
            .body
            .contains("A moderator removed your listing")
    });
    assert!(told.is_ok(), "the seller was not told");
    assert!(!get(&server, "/search?q=rolex", None).body.contains(&item));
    assert_eq!(
        get(
            &server,
            &format!("/report?target=item:{id}"),
            Some(&reporter)
        )
        .status,
        404
    );
    // Bids are refused.
    let bid = call(
        &server,
        "/api/items/bid",
        &format!("item_id={id}&amount=50"),
        Some(&reporter),
    );
    assert!(bid.body.contains("removed"), "{} {}", bid.status, bid.body);
    // The audit log says who did what, and why.
    let log = get(&server, "/ops/moderation", Some(&moderator)).body;
    assert!(log.contains("Counterfeit goods") && log.contains("hid"));

    // Restored: back for everyone.
    let restored = plain_post(
        &server,
        "/api/moderation/act",
        &format!("target={target}&action=restore&why=Genuine"),
        Some(&moderator),
    );
    assert_eq!(location(&restored), "/ops/moderation");
    assert_eq!(get(&server, &item, None).status, 200);
    assert_eq!(server.get(&format!("{item}/thumb")).status, 200);
}

#[test]
fn a_suspended_user_is_signed_out_everywhere_and_cannot_sign_in() {
    let server = server();
    let moderator = sign_up(&server, "opal");
    let cheat = sign_up(&server, "mcheat");
    assert_eq!(get(&server, "/my/bids", Some(&cheat)).status, 200);
    let user_id = cookie_user(&cheat);
    assert!(get(&server, "/", Some(&cheat)).body.contains("mcheat"));

    let suspended = plain_post(
        &server,
        "/api/moderation/act",
        &format!("target=user%3A{user_id}&action=hide&why=Shill+bidding"),
        Some(&moderator),
    );
    assert_eq!(location(&suspended), "/ops/moderation");
    // The old cookie is dead, first seen by a page of the personal tier (the home page: its
    // holes are read alongside the session lookup), then by any page; signing in again is
    // refused with the reason, only once the password is right.
    let home = get(&server, "/", Some(&cheat));
    assert_eq!(home.status, 200);
    assert!(
        !home.body.contains("mcheat"),
        "a suspended user's name shown"
    );
    let after = get(&server, "/my/bids", Some(&cheat));
    assert!(
        after.status == 302 || after.body.contains("sign in"),
        "{}",
        after.status
    );
    let wrong = plain_post(
        &server,
        "/api/auth/signin",
        "username=mcheat&password=wrong-password-x",
        None,
    );
    assert!(!location(&wrong).contains("suspended"));
    let right = plain_post(
        &server,
        "/api/auth/signin",
        "username=mcheat&password=long-enough-pw",
        None,
    );
    assert!(
        location(&right).contains("suspended"),
        "{}",
        location(&right)
    );

    let restored = plain_post(
        &server,
        "/api/moderation/act",
        &format!("target=user%3A{user_id}&action=restore&why=Appeal"),
        Some(&moderator),
    );
    assert_eq!(location(&restored), "/ops/moderation");
    let back = plain_post(
        &server,
        "/api/auth/signin",
        "username=mcheat&password=long-enough-pw",
        None,
    );
    assert_eq!(location(&back), "/dashboard");
}

#[test]
fn a_seller_blocks_a_bidder_by_name_and_the_bid_is_refused() {
    let server = server();
    let seller = sign_up(&server, "bseller");
    let pest = sign_up(&server, "bpest");
    let id = list(&server, &seller, "Oak chair");

    let page = get(&server, "/my/blocked", Some(&seller));
    assert!(page.body.contains("You have not blocked anyone."));
    let unknown = plain_post(
        &server,
        "/api/moderation/block",
        "username=nobody-here",
        Some(&seller),
    );
    assert!(location(&unknown).contains("nouser"));
    let myself = plain_post(
        &server,
        "/api/moderation/block",
        "username=bseller",
        Some(&seller),
    );
    assert!(location(&myself).contains("self"));
    let blocked = plain_post(
        &server,
        "/api/moderation/block",
        "username=BPest",
        Some(&seller),
    );
    assert_eq!(location(&blocked), "/my/blocked");
    let page = get(&server, "/my/blocked", Some(&seller)).body;
    assert!(page.contains("Unblock bpest"));
    // The list is the seller's own: the blocked bidder's page shows nothing of it.
    assert!(get(&server, "/my/blocked", Some(&pest))
        .body
        .contains("You have not blocked anyone."));

    let bid = call(
        &server,
        "/api/items/bid",
        &format!("item_id={id}&amount=50"),
        Some(&pest),
    );
    assert!(
        bid.body.contains("does not accept your bids"),
        "{} {}",
        bid.status,
        bid.body
    );
    let unblocked = plain_post(
        &server,
        "/api/moderation/unblock",
        &format!("user={}", cookie_user(&pest)),
        Some(&seller),
    );
    assert_eq!(location(&unblocked), "/my/blocked");
    let bid = call(
        &server,
        "/api/items/bid",
        &format!("item_id={id}&amount=50"),
        Some(&pest),
    );
    assert!(bid.body.contains("Accepted"), "{} {}", bid.status, bid.body);
}
