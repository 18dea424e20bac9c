//! Saved searches through the real HTTP server: saved from the search page's form (JavaScript
//! off), listed on `/my/searches` for their owner only, renamed, paused, deleted; a matching
//! listing by someone else reaches the owner's notifications through the job queue.
#![cfg(feature = "ssr")]
// A test fails by panicking: unwrapping is how it says what went wrong.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::server::{create_listing, get, location, plain_post, sign_up, wait_until, Server};
use std::time::Duration;

#[test]
fn a_saved_search_is_its_owners_and_hears_of_a_matching_listing() {
    let server = Server::for_test(&common::fresh_prefix());
    let ann = sign_up(&server, "sann");
    let bea = sign_up(&server, "sbea");
    let seller = sign_up(&server, "sseller");

    // The search page offers to save it (for everyone: a visitor is asked to sign in).
    let page = get(&server, "/search?q=brass+sextant", None);
    assert!(page.body.contains("Save this search"));
    let anonymous = plain_post(&server, "/api/saved-searches/save", "q=brass+sextant", None);
    assert!(location(&anonymous).starts_with("/auth/signin"));
    let bad = plain_post(
        &server,
        "/api/saved-searches/save",
        "q=x&category=nope",
        Some(&ann),
    );
    assert!(location(&bad).contains("category"));
    let saved = plain_post(
        &server,
        "/api/saved-searches/save",
        "q=brass+sextant&category=&sort=&name=",
        Some(&ann),
    );
    assert_eq!(location(&saved), "/my/searches");
    let mine = get(&server, "/my/searches", Some(&ann)).body;
    assert!(mine.contains("brass sextant"), "{mine}");
    // Bea sees none of Ann's, and cannot touch them by id.
    assert!(get(&server, "/my/searches", Some(&bea))
        .body
        .contains("You have no saved searches yet."));
    let theirs = plain_post(&server, "/api/saved-searches/delete", "id=1", Some(&bea));
    assert!(location(&theirs).contains("gone"));
    let renamed = plain_post(
        &server,
        "/api/saved-searches/rename",
        "id=1&name=Sextants+%3Cb%3E",
        Some(&ann),
    );
    assert_eq!(location(&renamed), "/my/searches");
    let mine = get(&server, "/my/searches", Some(&ann)).body;
    assert!(mine.contains("Sextants &lt;b&gt;") && !mine.contains("Sextants <b>"));

    // Someone else lists a brass sextant: Ann hears of it, through the job queue.
    create_listing(
        &server,
        &seller,
        &[
            ("name", "Brass sextant, 1890"),
            ("description", "Navigational."),
            ("category", "antiques"),
            ("price", "120"),
            ("duration", "1d"),
        ],
        &[],
    );
    let heard = wait_until(Duration::from_secs(10), || {
        get(&server, "/notifications", Some(&ann))
            .body
            .contains("New for your search")
    });
    assert!(heard.is_ok(), "no alert");
    assert!(!get(&server, "/notifications", Some(&bea))
        .body
        .contains("New for your search"));

    // Paused, then deleted.
    let paused = plain_post(
        &server,
        "/api/saved-searches/pause",
        "id=1&paused=true",
        Some(&ann),
    );
    assert_eq!(location(&paused), "/my/searches");
    assert!(get(&server, "/my/searches", Some(&ann))
        .body
        .contains("Resume alerts"));
    let deleted = plain_post(&server, "/api/saved-searches/delete", "id=1", Some(&ann));
    assert_eq!(location(&deleted), "/my/searches");
    assert!(get(&server, "/my/searches", Some(&ann))
        .body
        .contains("You have no saved searches yet."));
}
