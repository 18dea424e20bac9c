//! Analytics through the real HTTP server (which folds the stats logs and reports its own
//! figures): the seller's panels and an item's drill-down for their owner only, the public
//! market board, and the operations panel's fleet figures.
#![cfg(feature = "ssr")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::redis_url;
use common::server::{
    call, create_item, created_id, follow, get, location, plain_post, sign_up, wait_until, Server,
};
use std::time::Duration;

/// The dashboard's live panels asked to fetch in the browser's zone (the island's props), or not.
const BROWSER_ZONE_ON: &str = "&quot;browser_zone&quot;:true}";
const BROWSER_ZONE_OFF: &str = "&quot;browser_zone&quot;:false}";

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
    // The same person on a second item of the seller's: two views and two bids, but still
    // one visitor and one bidder of the seller (people, not a sum over the items).
    let second = created_id(&create_item(
        &server,
        &seller,
        "Counted shade",
        "Shady.",
        None,
    ));
    assert_eq!(
        get(&server, &format!("/items/{second}"), Some(&bidder)).status,
        200
    );
    let bid = call(
        &server,
        "/api/items/bid",
        &format!("item_id={second}&amount=12"),
        Some(&bidder),
    );
    assert_eq!(bid.status, 200, "{}", bid.body);
    let both = wait_until(Duration::from_secs(5), || {
        let body = get(&server, "/dashboard/panels?span=day", Some(&seller)).body;
        chart_total(&body, "seller-b") == Some(2) && chart_total(&body, "seller-v") == Some(2)
    });
    assert!(both.is_ok(), "the second item's bid and view are counted");
    // Folds run every 250 ms: give the people a few rounds, then they are still one each.
    std::thread::sleep(Duration::from_secs(1));
    let body = get(&server, "/dashboard/panels?span=day", Some(&seller)).body;
    assert_eq!(chart_total(&body, "seller-u"), Some(1), "one bidder");
    assert_eq!(chart_total(&body, "seller-q"), Some(1), "one visitor");
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
    // The panels' times: UTC unless the browser says its zone; a zone that is none is refused.
    let utc = get(&server, "/dashboard/panels", Some(&seller)).body;
    assert!(utc.contains(r#"data-zone="UTC""#), "{utc}");
    let paris = get(&server, "/dashboard/panels?tz=Europe/Paris", Some(&seller));
    assert_eq!(paris.status, 200);
    assert!(paris.body.contains(r#"data-zone="Europe/Paris""#));
    let drill_down = format!("/dashboard/items/{id}/panels?span=day&tz=America/New_York");
    let drill_down = get(&server, &drill_down, Some(&seller)).body;
    assert!(drill_down.contains(r#"data-zone="America/New_York""#));
    for bad in [
        "/dashboard/panels?tz=Mars%2FOlympus",
        "/market/panels?tz=..%2F..%2Fetc",
    ] {
        assert_eq!(get(&server, bad, Some(&seller)).status, 400, "{bad}");
    }
    // A seller chooses the clock of their charts (a plain form), and only theirs moves.
    let page = get(&server, "/dashboard/time-zone", Some(&seller)).body;
    assert!(
        page.contains(r#"<option value="" selected"#),
        "the browser's clock until one is chosen: {page}"
    );
    assert!(!page.contains(r#"<option value="UTC" selected"#));
    // Until then the live panels ask in the browser's zone (UTC in the page's own HTML).
    let dashboard = get(&server, "/dashboard", Some(&seller)).body;
    assert!(dashboard.contains(BROWSER_ZONE_ON), "{dashboard}");
    assert!(dashboard.contains(r#"data-zone="UTC""#));
    assert!(page.contains(r#"<option value="Asia/Tokyo">"#));
    let refused = plain_post(
        &server,
        "/api/dashboard/zone",
        "tz=Mars%2FOlympus",
        Some(&seller),
    );
    assert!(
        location(&refused).starts_with("/dashboard/time-zone?e="),
        "{}",
        location(&refused)
    );
    let refused_page = get(&server, location(&refused), Some(&seller)).body;
    assert!(refused_page.contains("Choose a time zone from the list."));
    let chosen = plain_post(
        &server,
        "/api/dashboard/zone",
        "tz=Asia%2FTokyo",
        Some(&seller),
    );
    assert_eq!(location(&chosen), "/dashboard");
    // The dashboard says once that the choice was kept, and which it is.
    let saved = "Saved: your charts read Asia/Tokyo time.";
    assert!(follow(&server, &chosen, Some(&seller)).body.contains(saved));
    let dashboard = get(&server, "/dashboard", Some(&seller)).body;
    assert!(!dashboard.contains(saved), "said once");
    assert!(
        dashboard.contains(r#"data-zone="Asia/Tokyo""#),
        "{dashboard}"
    );
    assert!(
        dashboard.contains(BROWSER_ZONE_OFF),
        "the choice, not the browser's"
    );
    let drill_down = get(&server, &format!("/dashboard/items/{id}"), Some(&seller)).body;
    assert!(drill_down.contains(r#"data-zone="Asia/Tokyo""#));
    assert!(drill_down.contains(BROWSER_ZONE_OFF));
    let live = get(&server, "/dashboard/panels", Some(&seller)).body;
    assert!(
        live.contains(r#"data-zone="Asia/Tokyo""#),
        "the live refresh too"
    );
    assert!(get(&server, "/dashboard/time-zone", Some(&seller))
        .body
        .contains(r#"<option value="Asia/Tokyo" selected"#));
    let other = sign_up(&server, "zoneless");
    create_item(&server, &other, "Other lamp", "Lit.", None);
    let others = get(&server, "/dashboard/panels", Some(&other)).body;
    assert!(others.contains(r#"data-zone="UTC""#), "{others}");
    // UTC is a choice too: kept, and the browser's zone no longer asked for.
    plain_post(&server, "/api/dashboard/zone", "tz=UTC", Some(&seller));
    assert!(get(&server, "/dashboard/panels", Some(&seller))
        .body
        .contains(r#"data-zone="UTC""#));
    assert!(get(&server, "/dashboard", Some(&seller))
        .body
        .contains(BROWSER_ZONE_OFF));
    assert!(get(&server, "/dashboard/time-zone", Some(&seller))
        .body
        .contains(r#"<option value="UTC" selected"#));
    // Back to the browser's clock (the default): the choice is removed.
    let back = plain_post(&server, "/api/dashboard/zone", "tz=", Some(&seller));
    assert_eq!(location(&back), "/dashboard");
    assert!(follow(&server, &back, Some(&seller))
        .body
        .contains("Saved: your charts read this browser's clock."));
    assert!(get(&server, "/dashboard", Some(&seller))
        .body
        .contains(BROWSER_ZONE_ON));
    assert!(get(&server, "/dashboard/time-zone", Some(&seller))
        .body
        .contains(r#"<option value="" selected"#));
    // Nobody signed in: the page and the form send to sign in, and nothing is kept.
    let anonymous = plain_post(&server, "/api/dashboard/zone", "tz=Asia%2FTokyo", None);
    assert!(
        location(&anonymous).starts_with("/auth/signin"),
        "{}",
        location(&anonymous)
    );

    // The market board is public and counts the same bids.
    let market = get(&server, "/market", None);
    assert_eq!(market.status, 200);
    assert!(market.body.contains("data-tile=\"active\""));
    let board = wait_until(Duration::from_secs(5), || {
        chart_total(&get(&server, "/market/panels", None).body, "market-b") == Some(2)
    });
    assert!(board.is_ok(), "the market counts the bids");
    // Each zone gets its own board (the instance keeps one per zone asked for).
    let tokyo = get(&server, "/market/panels?tz=Asia/Tokyo", None).body;
    assert!(tokyo.contains(r#"data-zone="Asia/Tokyo""#), "{tokyo}");
    assert!(get(&server, "/market/panels", None)
        .body
        .contains(r#"data-zone="UTC""#));
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
    assert!(page.body.contains("Requests per minute, whole fleet (UTC)"));
    assert!(page.body.contains("data-tile=\"redis-memory\""));
    assert_eq!(get(&server, "/ops", None).status, 404);
    // On the operator's own clock once they choose one.
    plain_post(
        &server,
        "/api/dashboard/zone",
        "tz=Asia%2FTokyo",
        Some(&operator),
    );
    let page = get(&server, "/ops", Some(&operator));
    assert!(
        page.body
            .contains("Requests per minute, whole fleet (Asia/Tokyo)"),
        "{}",
        page.body
    );
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

/// The value of the sample named exactly `series` (name and labels as printed) in a scrape.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .and_then(|v| v.trim().parse().ok())
}

#[test]
fn metrics_are_for_the_scraper_only_and_move_with_the_traffic() {
    const TOKEN: &str = "a-scraper-token-for-tests";
    let prefix = common::fresh_prefix();
    // Without a token configured there is no /metrics at all.
    let unset = Server::for_test(&prefix);
    assert_eq!(unset.get("/metrics").status, 404);
    drop(unset);

    let server = Server::for_test_with(&prefix, &[("RBAY_METRICS_TOKEN", TOKEN)]);
    let scrape = || {
        let r = server.request(
            "GET",
            "/metrics",
            &[("Authorization", &format!("Bearer {TOKEN}"))],
            "",
        );
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(
            r.header("content-type"),
            Some("text/plain; version=0.0.4; charset=utf-8")
        );
        r.body
    };
    for refused in [
        vec![],
        vec![("Authorization", "Bearer not-the-token-at-all")],
        vec![("Authorization", &*format!("Bearer {TOKEN}x"))],
        vec![("Authorization", &*format!("Basic {TOKEN}"))],
    ] {
        let r = server.request("GET", "/metrics", &refused, "");
        assert_eq!(r.status, 401, "{refused:?}");
        assert_eq!(
            r.header("www-authenticate"),
            Some("Bearer realm=\"metrics\"")
        );
        assert!(!r.body.contains("rbay_"), "{refused:?}");
    }

    let seller = sign_up(&server, "metra");
    let bidder = sign_up(&server, "metrb");
    let id = created_id(&create_item(
        &server,
        &seller,
        "Metered lamp",
        "Bright.",
        None,
    ));
    let page = format!("/items/{id}");
    let before = scrape();
    let count = |text: &str, series: &str| sample(text, series).unwrap_or(0.0);
    // Anonymous: rendered once, then from the cache; signed in: the personal tier.
    for _ in 0..3 {
        assert_eq!(get(&server, &page, None).status, 200);
    }
    for _ in 0..3 {
        assert_eq!(get(&server, &page, Some(&bidder)).status, 200);
    }
    assert_eq!(get(&server, "/no/such/page", None).status, 404);
    let after = scrape();

    let item_route = r#"route="/items/{id}""#;
    let delta = |series: &str| count(&after, series) - count(&before, series);
    assert!(
        delta(&format!(
            r#"rbay_http_responses_total{{{item_route},status="2xx"}}"#
        )) >= 6.0,
        "{after}"
    );
    assert!(
        delta(&format!(
            r#"rbay_http_request_duration_seconds_count{{{item_route}}}"#
        )) >= 6.0
    );
    assert!(delta(r#"rbay_http_responses_total{route="fallback",status="4xx"}"#) >= 1.0);
    // Labels are the router's templates: no id and no made-up path becomes a series.
    assert!(!after.contains(&format!("/items/{id}\"")) && !after.contains("/no/such"));
    assert!(delta(r#"rbay_page_cache_responses_total{result="miss"}"#) >= 1.0);
    assert!(delta(r#"rbay_page_cache_responses_total{result="hit"}"#) >= 2.0);
    let personal = delta(r#"rbay_page_cache_responses_total{result="personal_hit"}"#)
        + delta(r#"rbay_page_cache_responses_total{result="personal_render"}"#);
    assert!(personal >= 3.0, "{after}");
    assert!(delta("rbay_redis_command_duration_seconds_count") >= 1.0);

    // Read at scrape time: Redis, every primary, the queues, this instance.
    assert_eq!(sample(&after, "rbay_redis_ready"), Some(1.0));
    let primaries = if redis_url().contains(',') { 3 } else { 1 };
    let up: Vec<&str> = after
        .lines()
        .filter(|l| l.starts_with("rbay_redis_node_up{node=") && l.ends_with(" 1"))
        .collect();
    assert_eq!(up.len(), primaries, "{after}");
    for family in [
        "rbay_redis_node_ping_seconds{",
        "rbay_redis_node_commands_processed_total{",
        "rbay_redis_node_error_replies_total{",
        "rbay_redis_node_used_memory_bytes{",
        "rbay_redis_node_connected_clients{",
    ] {
        let n = after.lines().filter(|l| l.starts_with(family)).count();
        assert_eq!(n, primaries, "{family}");
    }
    for queue in ["auctions", "mail", "photos", "notify"] {
        for state in ["waiting", "running", "delayed"] {
            let series = format!(r#"rbay_job_queue_jobs{{queue="{queue}",state="{state}"}}"#);
            assert!(sample(&after, &series).is_some(), "{series}");
        }
        let dead = format!(r#"rbay_job_dead_letters{{queue="{queue}"}}"#);
        assert!(sample(&after, &dead).is_some(), "{dead}");
    }
    assert_eq!(sample(&after, "rbay_live_streams"), Some(0.0));
    assert!(sample(&after, "rbay_process_resident_memory_bytes").unwrap() > 1e6);
    // Every family is described once, as the text format requires.
    let types: Vec<&str> = after.lines().filter(|l| l.starts_with("# TYPE ")).collect();
    let mut unique = types.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(types.len(), unique.len());
}
