//! Analytics through the real HTTP server (which folds the stats logs and reports its own
//! figures): the seller's panels and an item's drill-down for their owner only, the public
//! market board, and the operations panel's fleet figures.
#![cfg(feature = "ssr")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::redis_url;
use common::server::{call, create_item, created_id, get, sign_up, wait_until, Server};
use std::time::Duration;

/// The total a chart shows (`data-chart="<id>"` … `data-total="<n>"`).
/// The figure of a tile (`<span … data-tile="name" …>figure</span>`), whatever the order of
/// the span's attributes.
fn tile(html: &str, name: &str) -> Option<String> {
    let at = html.find(&format!("data-tile=\"{name}\""))?;
    let rest = &html[at..];
    let start = rest.find('>')? + 1;
    Some(rest[start..].split('<').next()?.to_string())
}

fn chart_total(html: &str, chart: &str) -> Option<i64> {
    let at = html.find(&format!("data-chart=\"{chart}\""))?;
    let rest = &html[at..];
    let total = rest.find("data-total=\"")? + "data-total=\"".len();
    rest[total..].split('"').next()?.parse().ok()
}

#[test]
fn sellers_see_their_counts_move_and_only_their_own() {
    let prefix = common::fresh_prefix();
    let server = Server::for_test(&prefix);
    let seller = sign_up(&server, "sella");
    let bidder = sign_up(&server, "bidda");
    // Before the first listing, the dashboard says what will be there instead of empty charts.
    let first_visit = get(&server, "/dashboard", Some(&seller)).body;
    assert!(
        first_visit.contains(r#"data-testid="no-listings""#),
        "{first_visit}"
    );
    assert!(
        !first_visit.contains(r#"class="charts""#),
        "no empty charts"
    );
    let id = created_id(&create_item(&server, &seller, "Counted lamp", "Lit.", None));
    let with_listing = get(&server, "/dashboard", Some(&seller)).body;
    assert!(!with_listing.contains(r#"data-testid="no-listings""#));
    assert!(with_listing.contains(r#"class="charts""#), "the charts");

    assert_eq!(get(&server, "/dashboard/panels", None).status, 401);
    let panels = get(&server, "/dashboard/panels", Some(&seller));
    assert_eq!(panels.status, 200);
    assert!(panels
        .header("content-type")
        .unwrap()
        .starts_with("text/html"));
    assert!(
        panels.body.contains("Counted lamp"),
        "the latest items table"
    );

    // A view and a bid by someone else: counted for the seller and the item within moments.
    assert_eq!(
        get(&server, &format!("/items/{id}"), Some(&bidder)).status,
        200
    );
    let bid = call(
        &server,
        "/api/items/bid",
        &format!("item_id={id}&amount=12"),
        Some(&bidder),
    );
    assert_eq!(bid.status, 200, "{}", bid.body);
    let counted = wait_until(Duration::from_secs(5), || {
        let body = get(&server, "/dashboard/panels?span=day", Some(&seller)).body;
        chart_total(&body, "seller-b") == Some(1) && chart_total(&body, "seller-v") == Some(1)
    });
    assert!(
        counted.is_ok(),
        "the seller's bids and views show within 5 s"
    );
    let item = get(
        &server,
        &format!("/dashboard/items/{id}/panels"),
        Some(&seller),
    );
    assert_eq!(item.status, 200);
    assert_eq!(chart_total(&item.body, "item-b"), Some(1));
    assert_eq!(chart_total(&item.body, "item-q"), Some(1));
    assert!(item.body.contains("data-chart=\"item-price\""));
    let page = get(
        &server,
        &format!("/dashboard/items/{id}?span=week"),
        Some(&seller),
    );
    assert_eq!(page.status, 200);
    assert!(page.body.contains("aria-current=\"page\">7 days"));

    // Someone else's item is not theirs to look at, and a bad span is the default one.
    assert_eq!(
        get(
            &server,
            &format!("/dashboard/items/{id}/panels"),
            Some(&bidder)
        )
        .status,
        404
    );
    assert_eq!(
        get(&server, &format!("/dashboard/items/{id}"), Some(&bidder)).status,
        404
    );
    assert_eq!(
        get(&server, "/dashboard/items/abc/panels", Some(&seller)).status,
        404
    );
    let odd = get(
        &server,
        "/dashboard/panels?span=%3Cscript%3E",
        Some(&seller),
    );
    assert_eq!(odd.status, 200);
    assert!(!odd.body.contains("<script"));

    // The market board is public and counts the same bid.
    let market = get(&server, "/market", None);
    assert_eq!(market.status, 200);
    assert!(market.body.contains("data-tile=\"active\""));
    let board = wait_until(Duration::from_secs(5), || {
        chart_total(&get(&server, "/market/panels", None).body, "market-b") == Some(1)
    });
    assert!(board.is_ok(), "the market counts the bid");
}

#[test]
fn the_operations_panel_shows_the_fleet() {
    let prefix = common::fresh_prefix();
    let server = Server::for_test(&prefix);
    let operator = sign_up(&server, "opal");
    for _ in 0..5 {
        assert_eq!(get(&server, "/about", None).status, 200);
    }
    // Each instance reports every 5 s.
    let reported = wait_until(Duration::from_secs(12), || {
        let page = get(&server, "/ops", Some(&operator));
        page.status == 200
            && page.body.contains("data-route=\"/about\"")
            && tile(&page.body, "instances").as_deref() == Some("1")
    });
    assert!(reported.is_ok(), "routes and the instance are on the panel");
    let page = get(&server, "/ops", Some(&operator));
    assert!(page.body.contains("Requests per minute, whole fleet"));
    assert!(page.body.contains("data-tile=\"redis-memory\""));
    assert_eq!(get(&server, "/ops", None).status, 404);
}

#[test]
fn behind_a_proxy_visitors_are_told_apart_by_their_forwarded_address() {
    let prefix = common::fresh_prefix();
    let server = Server::start(
        &redis_url(),
        &[
            ("RBAY_KEY_PREFIX", prefix.as_str()),
            ("RBAY_TRUST_PROXY", "1"),
        ],
    );
    server.wait_ready();
    // Three people without cookies, all arriving through the same proxy (127.0.0.1).
    for ip in ["203.0.113.1", "203.0.113.2", "203.0.113.3"] {
        let r = server.request("GET", "/about", &[("X-Forwarded-For", ip)], "");
        assert_eq!(r.status, 200);
    }
    // Visitors are flushed to Redis every few seconds; the board counts the last five minutes.
    let market = || {
        server
            .request("GET", "/market", &[("X-Forwarded-For", "203.0.113.1")], "")
            .body
    };
    let counted = wait_until(Duration::from_secs(12), || {
        tile(&market(), "visitors").as_deref() == Some("3")
    });
    let seen = tile(&market(), "visitors");
    assert!(counted.is_ok(), "three visitors, not one: {seen:?}");
}
