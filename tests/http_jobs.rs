//! The job queue's visible side through the real HTTP server (which runs the workers): the
//! operations page for operators only, with retry and discard as plain form posts;
//! notifications from an outbid to the header's count and the inbox page; photo thumbnails
//! made after the listing answered.
#![cfg(feature = "ssr")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::redis_url;
use common::server::{call, create_item, created_id, get, sign_up, wait_until, Server, FORM, HTML};
use std::time::Duration;

#[test]
fn the_operations_page_is_for_operators_and_settles_dead_jobs() {
    let prefix = common::fresh_prefix();
    let server = Server::for_test(&prefix);
    let operator = sign_up(&server, "opal");
    let someone_else = sign_up(&server, "quartz");
    assert_eq!(get(&server, "/ops", None).status, 404);
    assert_eq!(get(&server, "/ops", Some(&someone_else)).status, 404);
    // The operators' menu links the page; nobody else's does.
    assert!(get(&server, "/my/bids", Some(&operator))
        .body
        .contains(r#"<a href="/ops">Operations</a>"#));
    assert!(!get(&server, "/my/bids", Some(&someone_else))
        .body
        .contains("/ops"));
    assert!(!get(&server, "/", Some(&someone_else)).body.contains("/ops"));
    assert!(get(&server, "/", Some(&operator))
        .body
        .contains(r#"<a href="/ops">Operations</a>"#));
    let r = call(
        &server,
        "/api/ops/dead",
        "queue=auctions&entry=1-0&action=discard",
        Some(&someone_else),
    );
    assert_eq!(r.status, 404, "the actions do not exist for others either");

    // A job no worker understands ends dead at once, with its reason.
    common::block_on(async {
        let db = rbay::server::redis::connect(&redis_url(), rbay::server::Keys::new(&prefix))
            .await
            .unwrap();
        rbay::server::jobs::enqueue(&db, "auctions", "from_the_future", "{}", None, None)
            .await
            .unwrap();
    });
    let mut page = get(&server, "/ops", Some(&operator));
    wait_until(Duration::from_secs(5), || {
        page = get(&server, "/ops", Some(&operator));
        page.body.contains("from_the_future")
    })
    .expect("the dead job is listed");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("unknown job kind"), "its error is shown");
    for queue in ["auctions", "notify", "photos"] {
        assert!(
            page.body.contains(&format!("data-queue=\"{queue}\"")),
            "{queue}"
        );
    }
    let entry = page
        .body
        .split("name=\"entry\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_string();

    // Retry (a plain form post: back to /ops): it runs again, and dies again, as a new entry.
    let origin = server.origin();
    let form = |action: &str, entry: &str| {
        server.request(
            "POST",
            "/api/ops/dead",
            &[
                ("Content-Type", FORM),
                ("Accept", HTML),
                ("Origin", &origin),
                ("Cookie", &operator),
            ],
            &format!("queue=auctions&entry={entry}&action={action}"),
        )
    };
    let r = form("retry", &entry);
    assert_eq!(r.status, 302, "{}", r.body);
    assert_eq!(r.header("location"), Some("/ops"));
    let mut again = String::new();
    wait_until(Duration::from_secs(5), || {
        let page = get(&server, "/ops", Some(&operator));
        again = page
            .body
            .split("name=\"entry\" value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap_or("")
            .to_string();
        !again.is_empty() && again != entry
    })
    .expect("retried, and dead again under a new entry");
    // Discard: gone for good.
    assert_eq!(form("discard", &again).status, 302);
    let page = get(&server, "/ops", Some(&operator));
    assert!(!page.body.contains("from_the_future"), "discarded");
    let auctions = page
        .body
        .split("data-queue=\"auctions\"")
        .nth(1)
        .and_then(|row| row.split("</tr>").next())
        .unwrap();
    assert!(
        auctions.contains("data-count=\"dead\">0<"),
        "no dead jobs left: {auctions}"
    );
}

#[test]
fn an_outbid_bidder_sees_the_count_in_the_header_and_the_notice_in_the_inbox() {
    let prefix = common::fresh_prefix();
    let server = Server::for_test(&prefix);
    let seller = sign_up(&server, "seller");
    let first = sign_up(&server, "first");
    let second = sign_up(&server, "second");
    let id = created_id(&create_item(
        &server,
        &seller,
        "Copper kettle",
        "Shiny.",
        None,
    ));
    let bid = |cookie: &str, amount: &str| {
        let r = call(
            &server,
            "/api/items/bid",
            &format!("item_id={id}&amount={amount}"),
            Some(cookie),
        );
        assert!(r.body.contains("Accepted"), "{}", r.body);
    };
    bid(&first, "10");
    bid(&second, "12");
    bid(&second, "13"); // raising your own lead outbids nobody
    let unread = |cookie: &str| {
        let page = get(&server, "/", Some(cookie));
        page.body
            .split("data-unread=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .map(str::to_string)
    };
    wait_until(Duration::from_secs(5), || {
        unread(&first).as_deref() == Some("1")
    })
    .expect("the outbid bidder's header counts one notice");
    assert_eq!(unread(&second).as_deref(), Some("0"));
    let inbox = get(&server, "/notifications", Some(&first));
    assert_eq!(inbox.status, 200);
    assert!(
        inbox
            .body
            .contains("You were outbid on Copper kettle: now $10.50."),
        "{}",
        inbox.body
    );
    assert!(
        inbox.body.contains("notice-new"),
        "marked as new on this visit"
    );
    assert_eq!(unread(&first).as_deref(), Some("0"), "read once opened");
    // Opening it was the reader's write: their next pages on any instance read it afresh.
    assert!(
        inbox
            .all("set-cookie")
            .iter()
            .any(|c| c.starts_with("rbay_wrote=1;")),
        "{:?}",
        inbox.headers
    );
    // The seller hears about comments by others.
    let r = call(
        &server,
        "/api/comments/add",
        &format!("item_id={id}&text=Is+it+dented%3F"),
        Some(&first),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    wait_until(Duration::from_secs(5), || {
        unread(&seller).as_deref() == Some("1")
    })
    .expect("the seller's header counts the comment");
    let inbox = get(&server, "/notifications", Some(&seller));
    assert!(inbox.body.contains("first commented on Copper kettle."));
    // Visitors are sent to sign in; the live channel needs a session.
    let visitor = get(&server, "/notifications", None);
    assert_eq!(visitor.status, 302);
    assert_eq!(
        visitor.header("location"),
        Some("/auth/signin?next=%2Fnotifications")
    );
    assert_eq!(get(&server, "/api/live/me", None).status, 401);
    // The list the open inbox fetches: the session's own notices, nobody else's.
    let list = get(&server, "/notifications/list", Some(&seller));
    assert_eq!(list.status, 200, "{}", list.body);
    assert!(
        list.body.contains("first commented on Copper kettle."),
        "{}",
        list.body
    );
    let stranger = sign_up(&server, "stranger");
    let other = get(&server, "/notifications/list", Some(&stranger));
    assert_eq!(other.status, 200, "{}", other.body);
    assert!(other.body.contains("Nothing new."), "{}", other.body);
    assert!(!other.body.contains("Copper kettle"), "{}", other.body);
    assert_eq!(get(&server, "/notifications/list", None).status, 401);
}

#[test]
fn a_listing_answers_before_its_thumbnail_exists_and_cards_get_it_after() {
    let prefix = common::fresh_prefix();
    let server = Server::for_test(&prefix);
    let seller = sign_up(&server, "painter");
    let photo = common::big_photo();
    let id = created_id(&create_item(
        &server,
        &seller,
        "Sunset",
        "Oil on board.",
        Some(&photo),
    ));
    let thumb = || server.get(&format!("/items/{id}/thumb"));
    wait_until(Duration::from_secs(10), || {
        thumb().header("cache-control") == Some("public, max-age=31536000, immutable")
    })
    .expect("the thumbnail job made the card's photo");
    let large = server.get(&format!("/items/{id}/image"));
    let small = thumb();
    assert_eq!(small.header("content-type"), Some("image/jpeg"));
    let size = |r: &common::server::Response| {
        r.header("content-length")
            .and_then(|v| v.parse::<usize>().ok())
            .unwrap_or(r.body.len())
    };
    assert!(size(&small) < size(&large), "the thumbnail is smaller");
}

#[test]
fn the_users_lists_and_the_watch_button_work_through_plain_pages() {
    let prefix = common::fresh_prefix();
    let server = Server::for_test(&prefix);
    let seller = sign_up(&server, "lister");
    let buyer = sign_up(&server, "collector");
    let id = created_id(&create_item(
        &server,
        &seller,
        "Brass compass",
        "Points north.",
        None,
    ));
    // The header offers selling and the account menu.
    let home = get(&server, "/", Some(&buyer));
    for link in [
        "/items/new",
        "/my/bids",
        "/my/watching",
        "/my/purchases",
        "/my/sold",
        "/notifications",
    ] {
        assert!(home.body.contains(&format!("href=\"{link}\"")), "{link}");
    }
    assert!(
        get(&server, "/", None).body.contains("href=\"/items/new\""),
        "Sell for visitors too"
    );
    // Lists need an account.
    for path in [
        "/my/bids",
        "/my/watching",
        "/my/won",
        "/my/purchases",
        "/my/sold",
    ] {
        assert_eq!(get(&server, path, None).status, 302, "{path}");
        assert_eq!(get(&server, path, Some(&buyer)).status, 200, "{path}");
    }
    let r = call(
        &server,
        "/api/items/bid",
        &format!("item_id={id}&amount=25"),
        Some(&buyer),
    );
    assert!(r.body.contains("Accepted"), "{}", r.body);
    let bids = get(&server, "/my/bids", Some(&buyer));
    assert!(bids.body.contains("Brass compass") && bids.body.contains("Winning"));
    assert!(
        bids.body.contains("$25.00"),
        "the maximum is shown to its owner"
    );
    // Watch with a plain form post: back to the item, now watching.
    let origin = server.origin();
    let r = server.request(
        "POST",
        "/api/items/watch",
        &[
            ("Content-Type", FORM),
            ("Accept", HTML),
            ("Origin", &origin),
            ("Cookie", &buyer),
        ],
        &format!("item_id={id}&watch=true"),
    );
    assert_eq!(r.status, 302);
    let page = get(&server, &format!("/items/{id}"), Some(&buyer));
    assert!(page.body.contains("★ Watching") && page.body.contains("1 watcher"));
    assert!(get(&server, "/my/watching", Some(&buyer))
        .body
        .contains("Brass compass"));
    // Nobody else sees the buyer's maximum on the item page.
    let other = get(&server, &format!("/items/{id}"), Some(&seller));
    assert!(!other.body.contains("Your maximum"));
}
