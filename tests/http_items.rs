//! Items through the real HTTP server: signed-out bids, photos and placeholders, 404s, the
//! page cache.
#![cfg(feature = "ssr")]
// A test fails by panicking: unwrapping is how it says what went wrong.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::redis_url;
use common::server::Server;
use rbay::accounts::UserId;

const FORM: &str = "application/x-www-form-urlencoded";
const HTML: &str = "text/html";

fn server() -> Server {
    let server = Server::start(
        &redis_url(),
        &[("RBAY_KEY_PREFIX", &common::fresh_prefix())],
    );
    server.wait_ready();
    server
}

#[test]
fn signed_out_bids_are_refused_and_change_nothing() {
    let server = server();
    let origin = format!("http://127.0.0.1:{}", server.port);
    let json = server.request(
        "POST",
        "/api/items/bid",
        &[
            ("Content-Type", FORM),
            ("Accept", "application/json"),
            ("Origin", &origin),
        ],
        "item_id=1&amount=10",
    );
    assert_eq!(json.status, 200);
    assert!(json.body.contains("Sign in to bid."), "{}", json.body);
    let plain = server.request(
        "POST",
        "/api/items/bid",
        &[
            ("Content-Type", FORM),
            ("Accept", HTML),
            ("Origin", &origin),
        ],
        "item_id=1&amount=10",
    );
    assert_eq!(plain.status, 302);
    assert_eq!(
        plain.header("location"),
        Some("/items/1?bid_error=signin&amount=10#bid")
    );
}

#[test]
fn unknown_items_and_users_are_404_pages() {
    let server = server();
    for path in [
        "/items/1",
        "/items/abc",
        "/items/0",
        "/users/99",
        "/users/x",
        "/items/1/image",
    ] {
        assert_eq!(server.get(path).status, 404, "{path}");
    }
    let page = server.get("/items/12345");
    assert!(page.body.contains("Page not found"));
}

#[test]
fn about_is_cached_for_visitors_only() {
    let server = server();
    let first = server.get("/about");
    assert_eq!(first.status, 200);
    assert_eq!(first.header("x-cache"), Some("miss"));
    let second = server.get("/about");
    assert_eq!(second.header("x-cache"), Some("hit"));
    // The same page, each response with its own script nonce.
    let without_nonce = |r: &common::server::Response| {
        let csp = r.header("content-security-policy").unwrap();
        let nonce = csp
            .split("'nonce-")
            .nth(1)
            .unwrap()
            .split('\'')
            .next()
            .unwrap();
        r.body.replace(nonce, "NONCE")
    };
    assert_ne!(
        first.header("content-security-policy"),
        second.header("content-security-policy")
    );
    assert_eq!(without_nonce(&second), without_nonce(&first));
    // A signed-in request (any session cookie) is never served from or stored in the cache.
    let cookie = format!("rbay_session={}", "a".repeat(64));
    let personal = server.request("GET", "/about", &[("Cookie", &cookie)], "");
    assert_eq!(personal.status, 200);
    assert_eq!(personal.header("x-cache"), None);
    // Pages that depend on a form's echoed input or a user are never cached.
    assert_eq!(server.get("/items/1/comments").header("x-cache"), None);
    assert_eq!(
        server.get("/items/1?bid_error=too_low").header("x-cache"),
        None
    );
    // A search is kept per query string, for visitors only.
    assert_eq!(server.get("/search?q=lamp").header("x-cache"), Some("miss"));
    let again = server.get("/search?q=lamp");
    assert_eq!(again.header("x-cache"), Some("hit"));
    assert!(
        again.body.contains("value=\"lamp\""),
        "the query is in the box"
    );
    assert_eq!(
        server.get("/search?q=lamps").header("x-cache"),
        Some("miss")
    );
    let personal = server.request("GET", "/search?q=lamp", &[("Cookie", &cookie)], "");
    assert_eq!(personal.header("x-cache"), None);
    // The home page is kept by each instance for half a second.
    let first = server.get("/");
    assert_eq!(first.status, 200);
    let again = server.get("/");
    assert_eq!(again.header("x-cache"), Some("hit"), "{:?}", again.headers);
    assert_eq!(again.header("cache-control"), Some("no-cache"));
}

#[test]
fn oversized_uploads_get_413() {
    let server = server();
    // Over the photos' 20 MB together (plus the form's text).
    let body = "x".repeat(21 * 1024 * 1024);
    let origin = format!("http://127.0.0.1:{}", server.port);
    let r = server.request(
        "POST",
        "/api/items/create",
        &[
            ("Content-Type", "multipart/form-data; boundary=XX"),
            ("Origin", &origin),
        ],
        &body,
    );
    assert_eq!(r.status, 413);
}

/// The plain-text answers the islands on every page read: suggestions for the search box and
/// the changing numbers of cards. Unknown or malformed ids are skipped, not errors.
#[tokio::test(flavor = "multi_thread")]
async fn suggestions_and_card_prices_are_plain_text() {
    use rbay::items::server as items;
    use rbay::items::wire;
    let db = common::test_db().await;
    let id = common::list_item(&db, "Periscope Deluxe", 1250, 3_600_000, 0).await;
    items::index_sync::sync_all(&db).await.unwrap();
    let server = Server::start(&redis_url(), &[("RBAY_KEY_PREFIX", db.keys().prefix())]);
    server.wait_ready();

    let found = common::eventually(10, || async {
        let reply = server.get("/api/suggest?q=peris");
        reply.status == 200
            && wire::decode_suggestions(&reply.body)
                == vec![wire::Suggestion {
                    id: id.to_string(),
                    name: "Periscope Deluxe".into(),
                }]
    })
    .await;
    assert!(found, "the new item is suggested");
    let reply = server.get("/api/suggest?q=%2A");
    assert_eq!((reply.status, reply.body.as_str()), (200, ""));
    assert_eq!(reply.header("cache-control"), Some("no-store"));

    let reply = server.get(&format!("/api/prices?ids={id},999999,abc,-1"));
    assert_eq!(reply.status, 200);
    assert!(reply
        .header("content-type")
        .is_some_and(|t| t.starts_with("text/plain")));
    let numbers = wire::decode_card_numbers(&reply.body);
    assert_eq!(numbers.len(), 1, "{}", reply.body);
    assert_eq!(
        (numbers[0].id, numbers[0].price_cents, numbers[0].bids),
        (id, 1250, 0)
    );
    assert!(numbers[0].ends_at_ms > 0);
    assert_eq!((numbers[0].leader, numbers[0].reserve_met), (None, true));

    // A bid: the leader is named by id (My bids works out "winning" or "outbid" with it).
    rbay::auction::server::place_bid(&db, UserId(7), "ann", id, 1_300)
        .await
        .unwrap();
    let reply = server.get(&format!("/api/prices?ids={id}"));
    let numbers = wire::decode_card_numbers(&reply.body);
    assert_eq!(
        (numbers[0].price_cents, numbers[0].bids, numbers[0].leader),
        (1250, 1, Some(UserId(7))),
        "{}",
        reply.body
    );
    let reply = server.get("/api/prices");
    assert_eq!((reply.status, reply.body.as_str()), (200, ""));
}

#[test]
fn a_plain_bid_says_it_was_placed_once() {
    use common::server::{create_item, created_id, get, sign_up, HTML};
    let server = server();
    let seller = sign_up(&server, "flashseller");
    let buyer = sign_up(&server, "flashbuyer");
    let id = created_id(&create_item(&server, &seller, "Tin drum", "Red.", None));
    let origin = server.origin();
    let r = server.request(
        "POST",
        "/api/items/bid",
        &[
            ("Content-Type", FORM),
            ("Accept", HTML),
            ("Origin", &origin),
            ("Cookie", &buyer),
        ],
        &format!("item_id={id}&amount=12"),
    );
    assert_eq!(r.status, 302, "{}", r.body);
    // Redirect-after-post: the page's address carries no result, a short cookie does.
    assert_eq!(
        r.header("location"),
        Some(format!("/items/{id}#bid").as_str())
    );
    let flash = r
        .all("set-cookie")
        .into_iter()
        .find(|c| c.starts_with("rbay_flash="))
        .and_then(|c| c.split(';').next())
        .expect("a notice cookie")
        .to_string();
    let page = get(
        &server,
        &format!("/items/{id}"),
        Some(&format!("{buyer}; {flash}")),
    );
    assert!(page.body.contains("Your maximum bid was placed."));
    assert!(
        page.all("set-cookie")
            .iter()
            .any(|c| c.starts_with("rbay_flash=;") && c.contains("Max-Age=0")),
        "the page clears the notice: {:?}",
        page.headers
    );
    // A reload (the browser no longer sends the cookie) does not say it again.
    let again = get(&server, &format!("/items/{id}"), Some(&buyer));
    assert!(again.body.contains("You have the highest bid."));
    assert!(!again.body.contains("Your maximum bid was placed."));
}

#[test]
fn a_listing_has_a_category_its_page_links_and_browsing_finds() {
    use common::server::{call, create_listing, created_id, get, sign_up, JSON};
    let server = server();
    let seller = sign_up(&server, "catseller");
    let origin = server.origin();
    let list = |category: &str| {
        let fields = [
            ("name", "Oak easel"),
            ("description", "Folding."),
            ("price", "10"),
            ("duration", "1d"),
            ("category", category),
        ];
        create_listing(&server, &seller, &fields, &[])
    };
    // Not on the list: refused, nothing listed.
    let refused = list("weapons");
    assert!(
        refused.body.contains("Rejected") && refused.body.contains("category"),
        "{}",
        refused.body
    );
    // Not chosen: asked for, never filed under "Other" by default.
    let unchosen = list("");
    assert!(
        unchosen.body.contains("Rejected") && unchosen.body.contains("CategoryMissing"),
        "{}",
        unchosen.body
    );
    let id = created_id(&list("art"));
    let page = get(&server, &format!("/items/{id}"), None);
    assert!(page.body.contains("href=\"/search?category=art\">Art</a>"));
    let browse = get(&server, "/search?category=art", None);
    assert!(
        browse.body.contains("Art: 1 live auction"),
        "{}",
        browse.body
    );
    assert!(browse.body.contains(&format!("href=\"/items/{id}\"")));
    assert!(get(&server, "/search?category=toys", None)
        .body
        .contains("Toys &amp; games: 0 live auctions"));
    // A category off the list is refused, never widened to every category: the page says so
    // with 400, and so does the API.
    for query in [
        "category=art%7Cbooks",
        "category=*",
        "q=lamp&category=weapons",
    ] {
        let page = get(&server, &format!("/search?{query}"), None);
        assert_eq!(page.status, 400, "{query}");
        assert!(page.body.contains("There is no category"), "{query}");
        assert!(
            !page.body.contains(&format!("href=\"/items/{id}\"")),
            "{query}"
        );
    }
    let api = server.request(
        "POST",
        "/api/search",
        &[
            ("Content-Type", FORM),
            ("Accept", JSON),
            ("Origin", &origin),
        ],
        "q=&status=&sort=&category=art%7Cbooks&page=1",
    );
    assert_eq!(api.status, 400, "{}", api.body);
    // The price chart alone, for live pages: a note before the first bid, the chart after.
    assert_eq!(server.get("/items/999/chart").status, 404);
    assert!(server
        .get(&format!("/items/{id}/chart"))
        .body
        .contains("No bids yet"));
    let buyer = sign_up(&server, "catbuyer");
    let r = call(
        &server,
        "/api/items/bid",
        &format!("item_id={id}&amount=12"),
        Some(&buyer),
    );
    assert!(r.body.contains("Accepted"), "{}", r.body);
    let chart = server.get(&format!("/items/{id}/chart"));
    assert_eq!(chart.status, 200);
    assert!(chart.body.contains("<svg") && chart.body.contains("$10.00"));
    assert!(
        chart.body.contains("Price over time (UTC)"),
        "{}",
        chart.body
    );
    // In the browser's zone when it says one: the same moments on its clock.
    let utc_times = tick_times(&chart.body);
    let tokyo = server.get(&format!("/items/{id}/chart?tz=Asia/Tokyo"));
    assert_eq!(tokyo.status, 200);
    assert!(tokyo.body.contains("Price over time (Asia/Tokyo)"));
    let tokyo_times = tick_times(&tokyo.body);
    assert_eq!(utc_times.len(), 2, "both ends of the axis: {utc_times:?}");
    for (utc, tokyo) in utc_times.iter().zip(&tokyo_times) {
        let minutes = |t: &str| {
            let (h, m) = t.rsplit(' ').next().unwrap().split_once(':').unwrap();
            h.parse::<i64>().unwrap() * 60 + m.parse::<i64>().unwrap()
        };
        assert_eq!(
            (minutes(utc) + 9 * 60) % 1_440,
            minutes(tokyo),
            "{utc} → {tokyo}"
        );
    }
    // Names as the page asks for them: `+` escaped, legacy names as Chromium reports them.
    for (asked, named) in [
        ("Etc/GMT%2B5", "Etc/GMT+5"),
        ("Asia/Calcutta", "Asia/Calcutta"),
    ] {
        let r = server.get(&format!("/items/{id}/chart?tz={asked}"));
        assert_eq!(r.status, 200, "{asked}");
        assert!(
            r.body.contains(&format!("Price over time ({named})")),
            "{}",
            r.body
        );
    }
    // A zone that is not one is a client mistake, never quietly UTC.
    for bad in ["Mars/Olympus", "%2Fetc%2Fpasswd", "%3Cscript%3E", ""] {
        let answer = server.get(&format!("/items/{id}/chart?tz={bad}"));
        assert_eq!(answer.status, 400, "tz={bad}");
        assert!(!answer.body.contains("<script"));
    }
}

/// The texts of a price chart's time axis (`Nov 27 14:05`), left to right.
fn tick_times(chart: &str) -> Vec<String> {
    chart
        .split("<text ")
        .skip(1)
        .filter_map(|t| t.split_once('>'))
        .filter(|(tag, _)| tag.contains(r#"class="tick""#))
        .filter_map(|(_, t)| t.split_once("</text>").map(|(text, _)| text.to_string()))
        .filter(|t| t.contains(':'))
        .collect()
}

/// A small PNG of one colour.
#[test]
fn a_category_is_browsed_by_price_as_well_as_by_end() {
    use common::server::{create_listing, created_id, get, sign_up, wait_until};
    let server = server();
    let seller = sign_up(&server, "catsorter");
    let list = |name: &str, price: &str, category: &str| {
        let fields = [
            ("name", name),
            ("description", "For the shelf."),
            ("price", price),
            ("duration", "1d"),
            ("category", category),
        ];
        created_id(&create_listing(&server, &seller, &fields, &[]))
    };
    let cheap = list("Pocket atlas", "5", "books");
    let dear = list("Folio atlas", "90", "books");
    let middle = list("Road atlas", "30", "books");
    let elsewhere = list("Brass globe", "60", "home");
    let order = |body: &str| -> Vec<String> {
        let mut found: Vec<(usize, String)> = [&cheap, &dear, &middle, &elsewhere]
            .iter()
            .filter_map(|id| {
                body.find(&format!("href=\"/items/{id}\""))
                    .map(|at| (at, id.to_string()))
            })
            .collect();
        found.sort();
        found.into_iter().map(|(_, id)| id).collect()
    };
    // The sort control is on a category's page too, and the index answers by price (search
    // is asynchronous: the listing reaches the index within a moment).
    wait_until(std::time::Duration::from_secs(5), || {
        order(&get(&server, "/search?category=books&sort=price_desc", None).body)
            == vec![dear.clone(), middle.clone(), cheap.clone()]
    })
    .expect("the category by price, high to low");
    let high = get(&server, "/search?category=books&sort=price_desc", None);
    assert!(high.body.contains("name=\"sort\""), "{}", high.body);
    assert!(high.body.contains(": 3 live auctions"), "{}", high.body);
    let low = get(&server, "/search?category=books&sort=price_asc", None);
    assert_eq!(
        order(&low.body),
        vec![cheap.clone(), middle.clone(), dear.clone()]
    );
    // By end (the default), from the category's ranking: all three, not the globe.
    let by_end = get(&server, "/search?category=books", None);
    let mut ids = order(&by_end.body);
    ids.sort();
    let mut want = vec![cheap, dear, middle];
    want.sort();
    assert_eq!(ids, want);
}

fn png(r: u8, g: u8, b: u8) -> Vec<u8> {
    let img = image::RgbImage::from_pixel(64, 48, image::Rgb([r, g, b]));
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

/// A PNG that does not compress (about 3 bytes a pixel).
fn noisy_png(width: u32, height: u32) -> Vec<u8> {
    let mut seed: u32 = 12345;
    let img = image::RgbImage::from_fn(width, height, |_, _| {
        seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        let [r, g, b, _] = seed.to_le_bytes();
        image::Rgb([r, g, b])
    });
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

/// The new-item form with any number of photos, through the JSON path.
fn listing_with_photos(
    server: &Server,
    cookie: &str,
    photos: &[Vec<u8>],
) -> common::server::Response {
    let photos: Vec<&[u8]> = photos.iter().map(Vec::as_slice).collect();
    let fields = [
        ("name", "Photo album"),
        ("description", "Many photos."),
        ("category", "art"),
        ("price", "10"),
        ("duration", "1d"),
    ];
    common::server::create_listing(server, cookie, &fields, &photos)
}

#[test]
fn a_listing_keeps_up_to_eight_photos_the_first_as_cover() {
    use common::server::{created_id, get, sign_up};
    let server = server();
    let seller = sign_up(&server, "photoseller");
    // Nine photos: refused, nothing listed.
    let nine: Vec<Vec<u8>> = (0..9).map(|i| png(i * 20, 10, 10)).collect();
    let refused = listing_with_photos(&server, &seller, &nine);
    assert!(refused.body.contains("PhotoCount"), "{}", refused.body);
    // Three: the first is the cover; each opens full size; the page shows all three.
    let three = [png(200, 0, 0), png(0, 200, 0), png(0, 0, 200)];
    let id = created_id(&listing_with_photos(&server, &seller, &three));
    let page = get(&server, &format!("/items/{id}"), None);
    // Every photo is on the page, in order, the cover first (eagerly loaded, the rest lazily);
    // each thumbnail and "Previous" / "Next" bring a photo into view in place, and each photo
    // zooms in to a view that opens it full size.
    let first = page.body.find("id=\"photo-1\"").expect("photo 1");
    let third = page.body.find("id=\"photo-3\"").expect("photo 3");
    assert!(first < third);
    assert!(!page.body.contains("id=\"photo-4\""));
    assert!(page.body.contains(&format!(
        "src=\"/items/{id}/image\" alt=\"Photo album, photo 1 of 3\" width=\"600\" height=\"450\">"
    )));
    assert!(page.body.contains(&format!("src=\"/items/{id}/image/3\" alt=\"Photo album, photo 3 of 3\" width=\"600\" height=\"450\" loading=\"lazy\"")));
    for n in 1..=3 {
        assert!(
            page.body.contains(&format!(
                "href=\"#photo-{n}\" title=\"Show photo {n} of 3\""
            )),
            "{n}"
        );
        assert!(page.body.contains(&format!("Photo {n} of 3")), "{n}");
        assert!(page.body.contains(&format!("href=\"#zoom-{n}\"")), "{n}");
        assert!(page.body.contains(&format!("id=\"zoom-{n}\"")), "{n}");
        let full = if n == 1 {
            format!("/items/{id}/image")
        } else {
            format!("/items/{id}/image/{n}")
        };
        assert!(
            page.body
                .contains(&format!("href=\"{full}\" class=\"photo-zoom-full\"")),
            "{n}"
        );
    }
    assert!(page.body.contains("<a href=\"#photo-1\">← Previous</a>"));
    assert!(page.body.contains("<a href=\"#photo-3\">Next →</a>"));
    // The row of photos takes the focus (the arrow keys step through it).
    assert!(page.body.contains(
        "<ul tabindex=\"0\" aria-label=\"Photos: swipe, or use the arrow keys\" class=\"photo-slides\">"
    ));
    // An old link with `?photo=n` still opens the page.
    assert_eq!(
        get(&server, &format!("/items/{id}?photo=2"), None).status,
        200
    );
    let cover = server.get(&format!("/items/{id}/image"));
    assert_eq!(cover.header("content-type"), Some("image/jpeg"));
    for n in 1..=3 {
        let photo = server.get(&format!("/items/{id}/image/{n}"));
        assert_eq!(photo.status, 200, "{n}");
        assert_eq!(photo.header("content-type"), Some("image/jpeg"), "{n}");
        // Thumbnails come from the job; until then the large photo stands in.
        assert_eq!(
            server.get(&format!("/items/{id}/thumb/{n}")).status,
            200,
            "{n}"
        );
    }
    assert_eq!(server.get(&format!("/items/{id}/image/1")).body, cover.body);
    for n in ["4", "9", "0", "x"] {
        assert_eq!(
            server.get(&format!("/items/{id}/image/{n}")).status,
            404,
            "{n}"
        );
    }
}

#[test]
fn photos_sent_before_the_fields_are_refused_not_dropped() {
    use common::server::{sign_up, JSON};
    let server = server();
    let seller = sign_up(&server, "orderseller");
    let boundary = "----rbayorder";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"p.png\"\r\nContent-Type: image/png\r\n\r\n").as_bytes(),
    );
    body.extend_from_slice(&png(10, 200, 10));
    body.extend_from_slice(b"\r\n");
    for (name, value) in [
        ("name", "Late fields"),
        ("description", "Fields after the photo."),
        ("category", "other"),
        ("price", "10"),
        ("duration", "1d"),
    ] {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                .as_bytes(),
        );
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let origin = server.origin();
    let r = server.request_bytes(
        "POST",
        "/api/items/create",
        &[
            (
                "Content-Type",
                &format!("multipart/form-data; boundary={boundary}"),
            ),
            ("Accept", JSON),
            ("Origin", &origin),
            ("Cookie", &seller),
        ],
        &body,
    );
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body.contains("before its photos"), "{}", r.body);
    assert!(!server
        .get("/search?q=late+fields")
        .body
        .contains("Late fields"));
}

/// A checkbox is sent only when it is checked: a listing posted without `soft_close` has soft
/// close off, one with it has it on (the new-item form starts checked, the stored value not).
#[tokio::test(flavor = "multi_thread")]
async fn the_soft_close_box_is_what_the_form_sent() {
    use common::server::{create_listing, created_id, sign_up};
    let db = common::test_db().await;
    let server = Server::for_test(db.keys().prefix());
    let seller = sign_up(&server, "boxticker");
    let fields = [
        ("name", "Tin clock"),
        ("description", "Ticks."),
        ("category", "home"),
        ("price", "5"),
        ("duration", "1d"),
    ];
    let mut checked = fields.to_vec();
    checked.push(("soft_close", "1"));
    for (sent, soft_close) in [(&fields[..], false), (&checked[..], true)] {
        let id = created_id(&create_listing(&server, &seller, sent, &[]));
        let id = rbay::items::ItemId::parse(&id).unwrap();
        let item = rbay::items::server::get(&db, id).await.unwrap().unwrap();
        assert_eq!(item.soft_close, soft_close, "{sent:?}");
    }
}

/// A search lists running auctions unless asked for the ended ones too.
#[tokio::test(flavor = "multi_thread")]
async fn a_search_lists_running_auctions_unless_asked_for_ended_ones() {
    use common::server::{get, wait_until};
    use rbay::items::{server as items, NewItem};
    let db = common::test_db().await;
    let server = Server::for_test(db.keys().prefix());
    let list = |name: &'static str, duration_ms: i64| {
        let db = db.clone();
        async move {
            let item = NewItem {
                name: name.into(),
                description: "A zither for the shelf.".into(),
                start_cents: 500,
                duration_ms,
                ..Default::default()
            };
            let seller = rbay::accounts::UserId(1);
            items::create(&db, seller, "seller", &item, None)
                .await
                .unwrap()
        }
    };
    let running = list("Running zither", 3_600_000).await;
    let ended = list("Ended zither", 1).await;
    let shows = |query: &str, id: rbay::items::ItemId| {
        get(&server, query, None)
            .body
            .contains(&format!("href=\"/items/{id}\""))
    };
    // Search is asynchronous: both reach the index within a moment.
    wait_until(std::time::Duration::from_secs(5), || {
        shows("/search?q=zither&status=all", running) && shows("/search?q=zither&status=all", ended)
    })
    .expect("both in the index");
    assert!(shows("/search?q=zither", running));
    assert!(
        !shows("/search?q=zither", ended),
        "ended auctions only when asked"
    );
    assert!(shows("/search?q=zither&status=ended", ended));
    assert!(!shows("/search?q=zither&status=ended", running));
}

/// A listing's condition, shipping, returns and location: sent by the form, checked, shown on
/// its page (escaped) and its card, and the search page's filters narrow to it; a filter the
/// page does not understand is refused, never dropped.
#[test]
fn listing_terms_show_on_the_page_and_card_and_filters_narrow_search() {
    use common::server::{call, create_listing, created_id, get, sign_up, wait_until};
    let server = server();
    let seller = sign_up(&server, "termseller");
    let list = |condition: &str, shipping: &str, cost: &str| {
        let fields = [
            ("name", "Walnut sextant"),
            ("description", "Brass arc, walnut case."),
            ("category", "antiques"),
            ("condition", condition),
            ("price", "40"),
            ("duration", "1d"),
            ("buy_now", "90"),
            ("shipping", shipping),
            ("shipping_cost", cost),
            ("returns", "30"),
            ("location", "<b>Leeds</b>, UK"),
        ];
        create_listing(&server, &seller, &fields, &[])
    };
    // The buyer-pays choice needs its cost; an unknown condition is refused.
    for (refused, field) in [
        (list("parts", "cost", ""), "shipping_cost"),
        (list("mint", "free", ""), "condition"),
    ] {
        assert!(
            refused.body.contains("Rejected") && refused.body.contains(field),
            "{}",
            refused.body
        );
    }
    let id = created_id(&list("parts", "cost", "6.5"));
    let page = get(&server, &format!("/items/{id}"), None);
    for shown in [
        "For parts or not working",
        "$6.50 shipping",
        "30-day returns",
        "&lt;b&gt;Leeds&lt;/b&gt;, UK",
    ] {
        assert!(page.body.contains(shown), "{shown}");
    }
    assert!(!page.body.contains("<b>Leeds"), "the location is escaped");
    let card = |query: &str| {
        let body = get(&server, &format!("/search?q=sextant{query}"), None).body;
        body.contains(&format!("href=\"/items/{id}\""))
            .then_some(body)
    };
    wait_until(std::time::Duration::from_secs(5), || card("").is_some()).expect("indexed");
    let body = card("").unwrap();
    // Every term on the card, the seller's location escaped like all user text.
    assert!(body.contains(
        "For parts or not working · $6.50 shipping · 30-day returns · &lt;b&gt;Leeds&lt;/b&gt;, UK"
    ));
    assert!(!body.contains("<b>Leeds"));
    assert!(body.contains("data-testid=\"card-buy-now\""));
    for query in [
        "&condition=parts",
        "&bin=1",
        "&min=39&max=41",
        "&ending=1d",
        "&delivery=posted",
        "&returns=1",
        "&condition=parts&bin=1&min=0&ending=7d&delivery=posted&returns=1",
    ] {
        let body = card(query).unwrap_or_else(|| panic!("{query} finds it"));
        // The filters carry over to the other categories' links and stay chosen.
        if query.contains("condition") {
            assert!(body.contains("condition=parts"), "{query}");
        }
    }
    for query in [
        "&condition=new",
        "&max=39",
        "&min=41",
        "&ending=1h",
        "&delivery=free",
        "&delivery=pickup",
    ] {
        let page = get(&server, &format!("/search?q=sextant{query}"), None);
        assert_eq!(page.status, 200, "{query} is a filter, not a mistake");
        assert!(
            !page.body.contains(&format!("href=\"/items/{id}\"")),
            "{query} leaves it out"
        );
    }
    // Browsing with a filter narrows the same way.
    let browse = get(&server, "/search?condition=parts&bin=1", None).body;
    assert!(browse.contains(&format!("href=\"/items/{id}\"")));
    // Pickup only, no returns: found by what it is, left out by what it is not.
    let fields = [
        ("name", "Oak sextant"),
        ("description", "Heavy."),
        ("category", "antiques"),
        ("condition", "used"),
        ("price", "40"),
        ("duration", "1d"),
        ("shipping", "pickup"),
        ("returns", "0"),
        ("location", "York"),
    ];
    let pickup = created_id(&create_listing(&server, &seller, &fields, &[]));
    let finds = |query: &str, id: &str| {
        get(&server, &format!("/search?q=sextant{query}"), None)
            .body
            .contains(&format!("href=\"/items/{id}\""))
    };
    wait_until(std::time::Duration::from_secs(5), || finds("", &pickup)).expect("indexed");
    // The pickup search was asked above, before this listing: its answer is cached for a
    // moment (the search result cache), so wait it out.
    wait_until(std::time::Duration::from_secs(5), || {
        finds("&delivery=pickup", &pickup)
    })
    .expect("found by pickup");
    // No returns: not said on the card (only returns taken are).
    assert!(get(&server, "/search?q=sextant&delivery=pickup", None)
        .body
        .contains("Used · Pickup only · York<"));
    assert!(!finds("&delivery=pickup", &id));
    assert!(!finds("&delivery=posted", &pickup));
    assert!(!finds("&returns=1", &pickup));
    assert!(finds("&returns=1", &id));
    // Where it is: a part of its location, any case; several parts must all be there.
    assert!(finds("&location=york", &pickup));
    assert!(!finds("&location=york", &id));
    assert!(finds("&location=uk", &id));
    assert!(finds("&location=UK%2C%20%3Cb%3ELeeds%3C%2Fb%3E", &id));
    assert!(!finds("&location=Leeds%2C%20UK%2C%20York", &id));
    // Query syntax typed as a place is a place's name, never syntax: it matches nothing, and
    // the form shows it back escaped.
    let tricky = get(
        &server,
        "/search?q=sextant&location=x%7D%20%7C%20%40name%3A%7Bsextant%7D%20%3Cb%3E",
        None,
    );
    assert_eq!(tricky.status, 200);
    assert!(!tricky.body.contains(&format!("href=\"/items/{id}\"")));
    assert!(!tricky.body.contains(&format!("href=\"/items/{pickup}\"")));
    assert!(tricky
        .body
        .contains("value=\"x} | @name:{sextant} &lt;b&gt;\""));
    for (query, says) in [
        ("min=abc", "The lowest price must be in dollars"),
        ("max=-3", "The highest price must be in dollars"),
        ("min=50&max=10", "The lowest price is above the highest"),
        ("condition=mint", "The condition is new, used or parts"),
        ("ending=2h", "Ending within is 1h, 1d or 7d"),
        ("bin=yes", "Buy It Now only is on"),
        ("delivery=drone", "Delivery is free, posted or pickup"),
        ("returns=yes", "Returns accepted is on"),
        (
            "location=%2C%20-",
            "The location is a town, region or country",
        ),
        (
            "location=a,b,c,d,e",
            "The location is a town, region or country",
        ),
    ] {
        let page = get(&server, &format!("/search?q=sextant&{query}"), None);
        assert_eq!(page.status, 400, "{query}");
        assert!(page.body.contains(says), "{query}: {}", page.body);
        assert!(
            !page.body.contains(&format!("href=\"/items/{id}\"")),
            "{query}"
        );
    }
    let api = call(
        &server,
        "/api/search",
        "q=sextant&status=&sort=&category=&page=1&condition=mint",
        None,
    );
    assert_eq!(api.status, 400, "{}", api.body);
    let api = call(
        &server,
        "/api/search",
        "q=sextant&status=&sort=&category=&page=1&condition=parts",
        None,
    );
    assert_eq!(api.status, 200, "{}", api.body);
    assert!(api.body.contains(&format!("\"id\":{id}")), "{}", api.body);
}

/// The seller ends a listing early while nobody has bid (plain form), then relists it once:
/// the new listing copies its text, terms, prices and photos. Nobody else can do either, and a
/// listing with bids runs to its end.
#[test]
fn a_seller_ends_a_listing_without_bids_early_and_relists_it_once() {
    use common::server::{
        call, create_listing, created_id, follow, get, location, plain_post, sign_up,
    };
    let server = server();
    let seller = sign_up(&server, "endseller");
    let other = sign_up(&server, "endother");
    let photos = [png(200, 30, 30), png(30, 200, 30)];
    let photos: Vec<&[u8]> = photos.iter().map(Vec::as_slice).collect();
    let fields = [
        ("name", "Teak sideboard"),
        ("description", "Four drawers."),
        ("category", "home"),
        ("condition", "used"),
        ("price", "120"),
        ("duration", "3d"),
        ("reserve", "150"),
        ("buy_now", "300"),
        ("shipping", "pickup"),
        ("returns", "14"),
        ("location", "Cork, Ireland"),
    ];
    let id = created_id(&create_listing(&server, &seller, &fields, &photos));
    let page = format!("/items/{id}");
    let form = |path: &str, cookie: &str| {
        plain_post(&server, path, &format!("item_id={id}"), Some(cookie))
    };

    // Only the seller sees the control, and only the seller may use it.
    assert!(get(&server, &page, Some(&seller))
        .body
        .contains("End listing early"));
    assert!(!get(&server, &page, Some(&other))
        .body
        .contains("End listing early"));
    assert!(!get(&server, &page, None).body.contains("End listing early"));
    let by_other = form("/api/items/end", &other);
    assert_eq!(location(&by_other), format!("{page}#manage"));
    assert!(follow(&server, &by_other, Some(&other))
        .body
        .contains("Only its seller can do that."));
    // Relisting a running listing: refused.
    let early = form("/api/items/relist", &seller);
    assert!(follow(&server, &early, Some(&seller))
        .body
        .contains("It is still running"));

    let ended = form("/api/items/end", &seller);
    assert_eq!(location(&ended), format!("{page}#manage"));
    let after = follow(&server, &ended, Some(&seller)).body;
    assert!(after.contains("Ended. It is no longer for sale"), "{after}");
    assert!(after.contains("Relist this item"));
    // Visitors' copy of the page is refreshed within moments.
    let told = common::server::wait_until(std::time::Duration::from_secs(5), || {
        get(&server, &page, None)
            .body
            .contains("ended this listing early")
    });
    assert!(told.is_ok(), "visitors see it ended");
    // Ended: no bid, no Buy It Now, no second ending.
    let bidder = sign_up(&server, "endbidder");
    let bid = call(
        &server,
        "/api/items/bid",
        &format!("item_id={id}&amount=130"),
        Some(&bidder),
    );
    assert!(!bid.body.contains("Accepted"), "{}", bid.body);
    let again = form("/api/items/end", &seller);
    assert!(follow(&server, &again, Some(&seller))
        .body
        .contains("This auction has ended already."));

    // Relist: someone else cannot; the seller can, once, and lands on the new listing.
    let by_other = form("/api/items/relist", &other);
    assert!(follow(&server, &by_other, Some(&other))
        .body
        .contains("Only its seller can do that."));
    let relisted = form("/api/items/relist", &seller);
    let new_page = location(&relisted).trim_end_matches("#manage").to_string();
    assert_ne!(new_page, page);
    let new_id = new_page.trim_start_matches("/items/").to_string();
    let fresh = follow(&server, &relisted, Some(&seller)).body;
    assert!(fresh.contains("Relisted: this is the new listing."));
    for copied in [
        "Teak sideboard",
        "Four drawers.",
        "Used",
        "Pickup only",
        "14-day returns",
        "Cork, Ireland",
        "End listing early",
        "Buy It Now",
        "$300.00",
    ] {
        assert!(fresh.contains(copied), "{copied}");
    }
    assert!(fresh.contains("Photo 1 of 2"), "both photos");
    assert_eq!(
        get(&server, &format!("/items/{new_id}/image/2"), None).status,
        200
    );
    assert!(get(&server, &page, Some(&seller))
        .body
        .contains(&format!("Relisted as <a href=\"/items/{new_id}\"")));
    let twice = form("/api/items/relist", &seller);
    assert!(follow(&server, &twice, Some(&seller))
        .body
        .contains("It was relisted already."));

    // With a bid, the new listing runs to its end.
    let bid = call(
        &server,
        "/api/items/bid",
        &format!("item_id={new_id}&amount=130"),
        Some(&bidder),
    );
    assert!(bid.body.contains("Accepted"), "{}", bid.body);
    let refused = plain_post(
        &server,
        "/api/items/end",
        &format!("item_id={new_id}"),
        Some(&seller),
    );
    let running = follow(&server, &refused, Some(&seller)).body;
    assert!(running.contains("Somebody has bid: the auction runs to its end"));
    // Unknown items: 404, never 500.
    let missing = plain_post(&server, "/api/items/end", "item_id=999999", Some(&seller));
    assert_eq!(missing.status, 404);
    let bad = plain_post(&server, "/api/items/relist", "item_id=abc", Some(&seller));
    assert_eq!(bad.status, 400);
}

/// Before the first bid the seller revises anything but the end (photos replaced, the new
/// ones at new addresses); after it, only dated additions to the description. Nobody else can
/// do either; refusals say why, with JavaScript and without.
#[test]
fn a_seller_revises_a_listing_before_the_first_bid_and_only_adds_to_it_after() {
    use common::server::{call, created_id, follow, get, location, plain_post, send_item_form};
    use common::server::{create_listing, sign_up};
    let server = server();
    let seller = sign_up(&server, "reviser");
    let other = sign_up(&server, "notreviser");
    let two = [png(200, 30, 30), png(30, 200, 30)];
    let two: Vec<&[u8]> = two.iter().map(Vec::as_slice).collect();
    let fields = [
        ("name", "Brass lamp"),
        ("description", "Works."),
        ("category", "home"),
        ("price", "50"),
        ("duration", "3d"),
    ];
    let id = created_id(&create_listing(&server, &seller, &fields, &two));
    let page = format!("/items/{id}");
    let edit = format!("/items/{id}/edit");
    let before = get(&server, &page, None).body;
    let ends = before
        .split("data-ends-at=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the page shows its end")
        .to_string();

    // The seller's page links to the form; the form is filled in with the listing.
    assert!(get(&server, &page, Some(&seller)).body.contains(&edit));
    assert!(!get(&server, &page, Some(&other)).body.contains(&edit));
    let form = get(&server, &edit, Some(&seller)).body;
    for shown in [
        "action=\"/api/items/revise\"",
        "value=\"Brass lamp\"",
        "value=\"50.00\"",
        "replacing the 2 photos",
        "Save changes",
    ] {
        assert!(form.contains(shown), "{shown}: {form}");
    }
    assert!(
        !form.contains("name=\"duration\""),
        "the end is not revised"
    );
    assert!(get(&server, &edit, Some(&other))
        .body
        .contains("Only its seller can revise a listing."));

    // Someone else's revision: refused, nothing changed.
    let mut revision = vec![
        ("item_id", id.as_str()),
        ("name", "Brass desk lamp"),
        ("description", "Polished <b>brass</b>."),
        ("category", "electronics"),
        ("price", "40"),
        ("buy_now", "90"),
        ("shipping", "cost"),
        ("shipping_cost", "6"),
    ];
    let by_other = send_item_form(&server, "/api/items/revise", &other, &revision, &[], true);
    assert!(by_other.body.contains("NotYours"), "{}", by_other.body);
    // A problem: refused with it, as JSON and as a plain form back to the form.
    revision[4] = ("price", "forty");
    let bad = send_item_form(&server, "/api/items/revise", &seller, &revision, &[], true);
    assert!(bad.body.contains("PriceNan"), "{}", bad.body);
    let plain = send_item_form(&server, "/api/items/revise", &seller, &revision, &[], false);
    assert!(location(&plain).starts_with(&format!("{edit}?")));
    let back = follow(&server, &plain, Some(&seller)).body;
    assert!(
        back.contains("Enter an amount in dollars, like 12 or 12.50."),
        "{back}"
    );
    assert!(
        back.contains("value=\"Brass desk lamp\""),
        "what was typed stays"
    );
    assert!(get(&server, &page, None).body.contains("Brass lamp"));

    // The seller's revision, with one new photo in place of the two (bigger than a plain
    // form's body limit: the revise form takes uploads like the new-item form).
    revision[4] = ("price", "40");
    let new_photo = noisy_png(300, 300);
    assert!(new_photo.len() > 64 * 1024, "{}", new_photo.len());
    let done = send_item_form(
        &server,
        "/api/items/revise",
        &seller,
        &revision,
        &[&new_photo],
        true,
    );
    assert_eq!(created_id(&done), id);
    let revised = get(&server, &page, Some(&seller)).body;
    for shown in [
        "Brass desk lamp",
        "Polished &lt;b&gt;brass&lt;/b&gt;.",
        "$40.00",
        "$90.00",
        "$6.00 shipping",
        &format!("src=\"/items/{id}/image?v=1\""),
    ] {
        assert!(revised.contains(shown), "{shown}");
    }
    assert!(!revised.contains("Photo 1 of 2"), "the old photos are gone");
    assert!(!revised.contains("<b>brass</b>"));
    assert_eq!(server.get(&format!("/items/{id}/image/2")).status, 404);
    assert!(
        revised.contains(&format!("data-ends-at=\"{ends}\"")),
        "the end stays"
    );
    // Search, browse and the cards know it by its new name, price and category.
    let found = get(&server, "/search?q=desk", None).body;
    assert!(found.contains(&page), "found by its new name");
    assert!(
        found.contains(&format!("/items/{id}/thumb?v=1")),
        "the card's new photo"
    );
    assert!(get(&server, "/search?category=electronics", None)
        .body
        .contains(&page));
    assert!(!get(&server, "/search?category=home", None)
        .body
        .contains(&page));
    // Without JavaScript: back to the item page, which says it is saved.
    revision[1] = ("name", "Brass desk lamp, boxed");
    let plain = send_item_form(&server, "/api/items/revise", &seller, &revision, &[], false);
    assert_eq!(location(&plain), format!("{page}#manage"));
    let saved = follow(&server, &plain, Some(&seller)).body;
    assert!(saved.contains("Saved: the listing shows your changes."));
    assert!(saved.contains("Brass desk lamp, boxed"));
    assert!(
        saved.contains(&format!("/items/{id}/image?v=2")),
        "photos kept"
    );

    // The first bid: the listing stays as the bidder saw it.
    let bidder = sign_up(&server, "revisebidder");
    let bid = call(
        &server,
        "/api/items/bid",
        &format!("item_id={id}&amount=40"),
        Some(&bidder),
    );
    assert!(bid.body.contains("Accepted"), "{}", bid.body);
    let late = send_item_form(&server, "/api/items/revise", &seller, &revision, &[], true);
    assert!(late.body.contains("HasBids"), "{}", late.body);
    let with_bids = get(&server, &edit, Some(&seller)).body;
    assert!(with_bids.contains("Add to the description"));
    assert!(!with_bids.contains("/api/items/revise"));
    assert!(get(&server, &page, Some(&seller))
        .body
        .contains("data-testid=\"add-link\""));

    // Additions: dated, escaped, the seller's only, at most five.
    let add = |text: &str, cookie: &str| {
        plain_post(
            &server,
            "/api/items/add-to-description",
            &format!("item_id={id}&text={}", form_encode(text)),
            Some(cookie),
        )
    };
    let short = add("a", &seller);
    assert_eq!(location(&short), edit);
    assert!(follow(&server, &short, Some(&seller))
        .body
        .contains("Write the addition in 3–1000 characters."));
    let added = add("<script>x</script> The shade is included.", &seller);
    assert_eq!(location(&added), format!("{page}#manage"));
    let shown = follow(&server, &added, Some(&seller)).body;
    assert!(shown.contains("Added to the description."));
    assert!(shown.contains("&lt;script&gt;x&lt;/script&gt; The shade is included."));
    assert!(shown.contains("Added by the seller on "));
    assert!(!shown.contains("<script>x</script>"));
    let told = common::server::wait_until(std::time::Duration::from_secs(5), || {
        get(&server, &page, None)
            .body
            .contains("The shade is included.")
    });
    assert!(told.is_ok(), "visitors see the addition");
    let by_other = call(
        &server,
        "/api/items/add-to-description",
        &format!("item_id={id}&text=Not+mine+to+add"),
        Some(&other),
    );
    assert!(by_other.body.contains("NotYours"), "{}", by_other.body);
    for n in 2..=5 {
        let r = call(
            &server,
            "/api/items/add-to-description",
            &format!("item_id={id}&text=Addition+{n}"),
            Some(&seller),
        );
        assert!(r.body.contains("Added"), "{n}: {}", r.body);
    }
    let sixth = call(
        &server,
        "/api/items/add-to-description",
        &format!("item_id={id}&text=One+too+many"),
        Some(&seller),
    );
    assert!(sixth.body.contains("TooManyAdditions"), "{}", sixth.body);
    assert!(get(&server, &edit, Some(&seller))
        .body
        .contains("as many additions as a listing takes"));

    // Unknown or malformed listings: 404 and 400, never 500.
    let missing = call(
        &server,
        "/api/items/add-to-description",
        "item_id=999999&text=Hello+there",
        Some(&seller),
    );
    assert_eq!(missing.status, 404);
    assert_eq!(
        get(&server, "/items/999999/edit", Some(&seller)).status,
        404
    );
    let bad = call(
        &server,
        "/api/items/add-to-description",
        "item_id=abc&text=Hello+there",
        Some(&seller),
    );
    assert_eq!(bad.status, 400);
    revision[0] = ("item_id", "999999");
    let missing = send_item_form(&server, "/api/items/revise", &seller, &revision, &[], true);
    assert_eq!(missing.status, 404, "{}", missing.body);
}

/// `text` as a form field's value.
fn form_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'.' | b'-' | b'_' => (b as char).to_string(),
            b' ' => "+".to_string(),
            b => format!("%{b:02X}"),
        })
        .collect()
}

#[test]
fn buy_it_now_is_at_the_price_the_buyer_saw_or_not_at_all() {
    use common::server::{create_listing, created_id, follow, get, location, plain_post};
    use common::server::{send_item_form, sign_up};
    let server = server();
    let seller = sign_up(&server, "binseller");
    let buyer = sign_up(&server, "binbuyer");
    let fields = [
        ("name", "Walnut chair"),
        ("description", "Sturdy."),
        ("category", "home"),
        ("price", "20"),
        ("buy_now", "50"),
        ("duration", "3d"),
    ];
    let id = created_id(&create_listing(&server, &seller, &fields, &[]));
    let page = format!("/items/{id}");
    // The buyer's page: the confirming form carries the price it shows.
    let seen = get(&server, &page, Some(&buyer)).body;
    assert!(
        seen.contains("name=\"price_cents\" value=\"5000\""),
        "{seen}"
    );
    // The seller raises it before the buyer confirms.
    let revision = [
        ("item_id", id.as_str()),
        ("name", "Walnut chair"),
        ("description", "Sturdy."),
        ("category", "home"),
        ("price", "20"),
        ("buy_now", "80"),
    ];
    let revised = send_item_form(&server, "/api/items/revise", &seller, &revision, &[], true);
    assert_eq!(revised.status, 200, "{}", revised.body);
    // Confirming the price seen buys nothing, and says why (JavaScript off).
    let stale = plain_post(
        &server,
        "/api/items/buy",
        &format!("item_id={id}&price_cents=5000"),
        Some(&buyer),
    );
    assert!(
        location(&stale).starts_with(&format!("{page}?")),
        "{}",
        location(&stale)
    );
    let back = follow(&server, &stale, Some(&buyer)).body;
    assert!(
        back.contains("The seller changed the Buy It Now price since you opened this page"),
        "{back}"
    );
    assert!(back.contains("name=\"price_cents\" value=\"8000\""));
    assert!(!get(&server, &page, None).body.contains("Bought now by"));
    // At the new price, confirmed, it is bought.
    let bought = plain_post(
        &server,
        "/api/items/buy",
        &format!("item_id={id}&price_cents=8000"),
        Some(&buyer),
    );
    assert_eq!(location(&bought), format!("{page}#bid"));
    let after = get(&server, &page, Some(&buyer)).body;
    assert!(
        after.contains("Bought now by binbuyer for $80.00"),
        "{after}"
    );
    assert!(
        !after.contains("name=\"price_cents\""),
        "Buy It Now is gone once bought"
    );
}

/// What one account can do to an item's counts through the API, as an attacker would try it:
/// toggling like and watch 20 times each counts that person once (or not at all once they let
/// go), and an auction that has ended takes no new watcher (400, nothing stored), though a
/// watcher can still let go.
#[test]
fn likes_and_watches_count_people_once_and_an_ended_auction_takes_no_new_watcher() {
    use common::server::{call, get, sign_up};
    let prefix = common::fresh_prefix();
    let server = Server::for_test(&prefix);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let id = runtime.block_on(async {
        let db = common::db_in(&prefix).await;
        let new = rbay::items::NewItem {
            name: "Toggled lamp".into(),
            description: "Liked and unliked.".into(),
            start_cents: 1_000,
            duration_ms: 4_000,
            ..Default::default()
        };
        rbay::items::server::create(&db, UserId(999), "seller", &new, None)
            .await
            .unwrap()
    });
    let (pat, sam, late) = (
        sign_up(&server, "toggler"),
        sign_up(&server, "steady"),
        sign_up(&server, "latecomer"),
    );
    let toggle = |what: &str, on: bool, cookie: &str| {
        let r = call(
            &server,
            &format!("/api/items/{what}"),
            &format!("item_id={id}&{what}={on}"),
            Some(cookie),
        );
        assert_eq!(r.status, 200, "{what} {on}: {}", r.body);
        r.body
    };
    for i in 0..20 {
        toggle("like", i % 2 == 0, &pat);
        toggle("watch", i % 2 == 0, &pat);
    }
    // Pat ends unliked and unwatching; Sam likes and watches once; Pat watches again.
    assert!(toggle("like", true, &sam).contains("\"likes\":1"));
    assert!(toggle("watch", true, &sam).contains("\"watchers\":1"));
    assert!(toggle("watch", true, &pat).contains("\"watchers\":2"));
    let page = get(&server, &format!("/items/{id}"), None).body;
    assert!(
        page.contains("class=\"like-count\">1<") && page.contains(">2 watchers<"),
        "{page}"
    );

    // Once the clock says it is over (before any closing job need run): no new watcher.
    std::thread::sleep(std::time::Duration::from_millis(4_500));
    let refused = call(
        &server,
        "/api/items/watch",
        &format!("item_id={id}&watch=true"),
        Some(&late),
    );
    assert_eq!(refused.status, 400, "{}", refused.body);
    assert!(get(&server, "/my/watching", Some(&late))
        .body
        .contains("Watch an item from its page to follow it here"));
    // A watcher can always let go.
    assert!(toggle("watch", false, &pat).contains("\"watchers\":1"));
}
