//! Hostile input through the real HTTP server, as an attacker would send it: markup in every
//! field that is echoed, invisible and inflated text, bad arguments to every server function,
//! oversized and truncated bodies (with and without Content-Length), cookieless view floods,
//! unknown live streams. Every answer must be a clear 4xx (never a 500) and change nothing.
#![cfg(feature = "ssr")]
// A test fails by panicking: unwrapping is how it says what went wrong.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::redis_url;
use common::server::{Response, Server};
use std::time::Duration;

use common::server::{
    call, create_item, created_id, get, multipart, sign_up, wait_until, FORM, HTML, JSON,
};
/// The payload that must never appear unescaped in a page.
const XSS: &str = "</title></textarea><script>alert(1)</script>";

fn server() -> Server {
    let server = Server::start(
        &redis_url(),
        &[
            ("RBAY_KEY_PREFIX", &common::fresh_prefix()),
            ("RBAY_AUTH_IP_LIMIT", "10000/60"),
            ("RBAY_AUTH_USER_LIMIT", "10000/60"),
            ("RBAY_LISTING_LIMIT", "1000/60"),
        ],
    );
    server.wait_ready();
    server
}

fn enc(value: &str) -> String {
    rbay::util::url::encode_query_value(value)
}

/// The page must show the payload as text only: no raw `<script>alert`, no broken-out tag.
fn assert_escaped(page: &Response, what: &str) {
    assert!(
        !page.body.contains("<script>alert(1)"),
        "{what}: raw script tag in the page"
    );
    assert!(
        !page.body.contains("</title></textarea>"),
        "{what}: the payload broke out of its element"
    );
}

/// The nonce of the policy header, which must also be on every script of the page.
fn csp_nonce(page: &Response) -> String {
    let csp = page
        .header("content-security-policy")
        .unwrap_or_else(|| panic!("no CSP on {:?}", page.headers));
    for part in [
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ] {
        assert!(csp.contains(part), "{csp}");
    }
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .unwrap_or_else(|| panic!("no nonce in {csp}"))
        .to_string();
    assert!(nonce.len() >= 16);
    for script in page.body.split("<script").skip(1) {
        let tag = script.split('>').next().unwrap_or_default();
        assert!(
            tag.contains(&format!("nonce=\"{nonce}\"")),
            "a script without the nonce: <script{tag}>"
        );
    }
    nonce
}

#[test]
fn markup_in_names_queries_and_echoed_fields_is_always_escaped() {
    let server = server();
    let cookie = sign_up(&server, "xss_seller");
    let id = created_id(&create_item(&server, &cookie, XSS, XSS, None));

    // Stored: the item name in the page title, the heading, the photo alt text.
    for path in [format!("/items/{id}"), format!("/items/{id}/comments")] {
        let page = get(&server, &path, Some(&cookie));
        assert_eq!(page.status, 200, "{path}");
        assert_escaped(&page, &path);
        assert!(
            page.body
                .contains("&lt;/title&gt;&lt;/textarea&gt;&lt;script&gt;"),
            "{path}: the name is shown, escaped"
        );
        csp_nonce(&page);
    }
    // The analytics panels are written as HTML strings (set with `inner_html`, and fetched as
    // fragments by live pages): the name they show is escaped there too.
    let bid = call(
        &server,
        "/api/items/bid",
        &format!("item_id={id}&amount=20"),
        Some(&sign_up(&server, "xss_bidder")),
    );
    assert_eq!(bid.status, 200, "{}", bid.body);
    for path in [
        "/dashboard".to_string(),
        "/dashboard/panels".to_string(),
        format!("/dashboard/items/{id}"),
        // (The item's own panels fragment has no name in it: only the page's heading.)
        format!("/dashboard/items/{id}/panels"),
    ] {
        let page = get(&server, &path, Some(&cookie));
        assert_eq!(page.status, 200, "{path}");
        assert_escaped(&page, &path);
        assert!(
            path.ends_with("/panels") && path.starts_with("/dashboard/items")
                || page
                    .body
                    .contains("&lt;/title&gt;&lt;/textarea&gt;&lt;script&gt;"),
            "{path}: the name is shown, escaped"
        );
    }
    // The market board lists the item once the bid is folded into the hour's rankings.
    let listed = wait_until(Duration::from_secs(5), || {
        let panels = get(&server, "/market/panels", None);
        assert_escaped(&panels, "/market/panels");
        panels
            .body
            .contains("&lt;/title&gt;&lt;/textarea&gt;&lt;script&gt;")
    });
    assert!(listed.is_ok(), "the market board shows the name, escaped");
    // Reflected: search words in the title, typed text echoed into textareas and inputs.
    for path in [
        format!("/search?q={}", enc(XSS)),
        format!("/items/{id}/comments?c_error=long&text={}", enc(XSS)),
        format!("/items/new?description={}&name={}", enc(XSS), enc(XSS)),
        format!("/items/{id}?bid_error=low&amount={}", enc(XSS)),
        format!("/auth/signin?e=form:credentials&username={}", enc(XSS)),
        format!("/auth/signup?next={}", enc(XSS)),
        format!("/dashboard/items?sort={}&dir=asc", enc(XSS)),
    ] {
        let page = get(&server, &path, Some(&cookie));
        assert!(page.status < 500, "{path}: {}", page.status);
        assert_escaped(&page, &path);
    }
    // Comments and profiles show stored text as text.
    let r = call(
        &server,
        "/api/comments/add",
        &format!("item_id={id}&text={}", enc(XSS)),
        Some(&cookie),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let page = get(&server, &format!("/items/{id}/comments"), None);
    assert_escaped(&page, "comments");
    // The placeholder photo (SVG) escapes the name too.
    let svg = get(&server, &format!("/items/{id}/thumb"), None);
    assert!(!svg.body.contains("<script"), "{}", svg.body);
}

#[test]
fn every_html_page_carries_a_strict_policy_with_a_fresh_nonce() {
    let server = server();
    let mut nonces = Vec::new();
    for path in [
        "/",
        "/search?q=lamp",
        "/about",
        "/about",
        "/auth/signin",
        "/nowhere",
    ] {
        let page = get(&server, path, None);
        assert!(
            page.header("content-type")
                .is_some_and(|t| t.starts_with("text/html")),
            "{path}"
        );
        nonces.push(csp_nonce(&page));
    }
    let mut unique = nonces.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(
        unique.len(),
        nonces.len(),
        "nonces are never reused: {nonces:?}"
    );
    // Everything else runs no script at all.
    let health = server.get("/healthz");
    assert!(health
        .header("content-security-policy")
        .is_some_and(|c| c.contains("default-src 'none'")));
}

#[test]
fn bad_calls_get_4xx_and_never_500() {
    let server = server();
    let cookie = sign_up(&server, "bad_caller");
    let id = created_id(&create_item(&server, &cookie, "Teapot", "A teapot.", None));
    let other = sign_up(&server, "bad_caller2");
    let table: Vec<(&str, String, Option<&str>, u16)> = vec![
        (
            "/api/search",
            "q=lamp&status=&sort=&page=-1".into(),
            None,
            400,
        ),
        (
            "/api/search",
            "q=lamp&status=&sort=&page=abc".into(),
            None,
            400,
        ),
        ("/api/search", "q=lamp".into(), None, 400),
        (
            "/api/dashboard/items",
            "sort=password&dir=asc&page=1".into(),
            Some(&cookie),
            400,
        ),
        (
            "/api/dashboard/items",
            "sort=price&dir=sideways&page=1".into(),
            Some(&cookie),
            400,
        ),
        (
            "/api/dashboard/items",
            "sort=price&dir=asc&page=1".into(),
            None,
            401,
        ),
        ("/api/items/bid", format!("item_id={id}"), Some(&other), 400),
        (
            "/api/items/like",
            format!("item_id={id}&like=true"),
            None,
            401,
        ),
        (
            "/api/items/like",
            "item_id=999999&like=true".into(),
            Some(&other),
            404,
        ),
        (
            "/api/items/like",
            format!("item_id={id}&like=maybe"),
            Some(&other),
            400,
        ),
        (
            "/api/comments/page",
            format!("item_id={id}&page=-3"),
            None,
            400,
        ),
        (
            "/api/comments/delete",
            format!("item_id={id}&comment_id=x"),
            Some(&other),
            400,
        ),
    ];
    for (path, body, cookie, want) in &table {
        let r = call(&server, path, body, *cookie);
        assert_eq!(r.status, *want, "{path} {body}: {}", r.body);
        assert!(r.body.len() < 2_000, "{path}: short answer");
    }
    // A plain form post (JavaScript off) gets a page with the message, not a silent redirect.
    let origin = server.origin();
    let page = server.request(
        "POST",
        "/api/search",
        &[
            ("Content-Type", FORM),
            ("Accept", HTML),
            ("Origin", &origin),
            ("Referer", &format!("{origin}/search")),
        ],
        "q=lamp&page=-1",
    );
    assert_eq!(page.status, 400);
    assert!(page.body.contains("could not be read"), "{}", page.body);
    assert!(page.body.contains("href=\"/search\""), "{}", page.body);
}

#[test]
fn bodies_are_bounded_with_or_without_content_length() {
    let server = server();
    let cookie = sign_up(&server, "big_bodies");
    let origin = server.origin();
    // A 3 MB sign-up form.
    let huge = format!("username=x&password={}&confirm=x", "p".repeat(3 << 20));
    let r = call(&server, "/api/auth/signup", &huge, None);
    assert_eq!(r.status, 413);
    // The same, chunked (no Content-Length).
    let r = server.request_bytes(
        "POST",
        "/api/auth/signup",
        &[
            ("Content-Type", FORM),
            ("Accept", JSON),
            ("Origin", &origin),
            ("Transfer-Encoding", "chunked"),
        ],
        huge.as_bytes(),
    );
    assert_eq!(r.status, 413, "{}", r.body);
    // A 7 MB photo: read to its end without being kept, and refused with a clear message.
    let (content_type, body) = multipart(
        &[
            ("name", "Big"),
            ("description", "Big photo"),
            ("category", "other"),
            ("price", "1"),
            ("duration", "1d"),
        ],
        Some(&vec![0x89u8; 7 << 20]),
    );
    let r = server.request_bytes(
        "POST",
        "/api/items/create",
        &[
            ("Content-Type", content_type.as_str()),
            ("Accept", JSON),
            ("Origin", origin.as_str()),
            ("Cookie", cookie.as_str()),
        ],
        &body,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("PhotoLarge"), "{}", r.body);
    // 21 MB of photos (over the 20 MB of a whole listing), with and without Content-Length.
    let (content_type, body) = multipart(
        &[
            ("name", "Big"),
            ("description", "Big photo"),
            ("category", "other"),
            ("price", "1"),
            ("duration", "1d"),
        ],
        Some(&vec![0x89u8; 21 << 20]),
    );
    for chunked in [false, true] {
        let mut headers = vec![
            ("Content-Type", content_type.as_str()),
            ("Accept", JSON),
            ("Origin", origin.as_str()),
            ("Cookie", cookie.as_str()),
        ];
        if chunked {
            headers.push(("Transfer-Encoding", "chunked"));
        }
        let r = server.request_bytes("POST", "/api/items/create", &headers, &body);
        assert_eq!(r.status, 413, "chunked={chunked}: {}", r.body);
    }
    // Not multipart at all, or multipart without a boundary.
    for content_type in [FORM, "multipart/form-data", "text/plain"] {
        let r = server.request(
            "POST",
            "/api/items/create",
            &[
                ("Content-Type", content_type),
                ("Accept", JSON),
                ("Origin", &origin),
                ("Cookie", &cookie),
            ],
            "name=x",
        );
        assert_eq!(r.status, 400, "{content_type}: {}", r.body);
    }
    // A truncated multipart body: the closing boundary never comes.
    let (content_type, mut body) = multipart(
        &[("name", "Cut"), ("description", "Cut off"), ("price", "1")],
        None,
    );
    body.truncate(body.len() - 30);
    let r = server.request_bytes(
        "POST",
        "/api/items/create",
        &[
            ("Content-Type", &content_type),
            ("Accept", JSON),
            ("Origin", &origin),
            ("Cookie", &cookie),
        ],
        &body,
    );
    assert_eq!(r.status, 400, "{}", r.body);
    // Nothing was listed by any of these.
    let dashboard = call(
        &server,
        "/api/dashboard/items",
        "sort=price&dir=asc&page=1",
        Some(&cookie),
    );
    assert!(dashboard.body.contains("\"total\":0"), "{}", dashboard.body);
}

#[test]
fn invisible_and_stacked_text_is_refused_and_writes_nothing() {
    let server = server();
    let cookie = sign_up(&server, "invisible");
    for name in [
        "\u{200B}\u{200B}\u{200B}\u{200B}",
        "\u{200C}\u{200D}\u{2060}\u{FEFF}",
        "\u{00AD}\u{3164}\u{2800}\u{115F}",
    ] {
        let r = create_item(&server, &cookie, name, "A fine thing.", None);
        assert_eq!(r.status, 200);
        assert!(r.body.contains("NameInvisible"), "{name:?}: {}", r.body);
    }
    let zalgo = format!("Lamp{}", "\u{0301}".repeat(30));
    let r = create_item(&server, &cookie, &zalgo, "A fine thing.", None);
    assert!(r.body.contains("NameMarks"), "{}", r.body);
    let id = created_id(&create_item(&server, &cookie, "Lamp", "A lamp.", None));
    for text in ["\u{200B}\u{200B}", "\u{FEFF}\u{2060}\u{00AD}", " \u{3164} "] {
        let r = call(
            &server,
            "/api/comments/add",
            &format!("item_id={id}&text={}", enc(text)),
            Some(&cookie),
        );
        assert!(r.body.contains("visible character"), "{text:?}: {}", r.body);
    }
    let page = get(&server, &format!("/items/{id}/comments"), None);
    assert!(page.body.contains("No comments yet."));
}

/// The views shown on an item page.
fn views(page: &Response) -> u64 {
    let marker = "data-live=\"views\"";
    let at = page
        .body
        .find(marker)
        .unwrap_or_else(|| panic!("no views on the page ({}): {}", page.status, page.body));
    let text = &page.body[at..];
    text[text.find('>').unwrap() + 1..]
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .expect("a view count")
}

#[test]
fn views_cannot_be_inflated_without_cookies_forged_cookies_or_by_the_seller() {
    let server = server();
    let seller = sign_up(&server, "view_seller");
    let id = created_id(&create_item(&server, &seller, "Clock", "A clock.", None));
    let path = format!("/items/{id}");
    // The seller's own visits do not count.
    for _ in 0..5 {
        get(&server, &path, Some(&seller));
    }
    assert_eq!(views(&get(&server, &path, Some(&seller))), 0);
    // 200 requests without cookies from one client: one visitor.
    for _ in 0..200 {
        assert_eq!(get(&server, &path, None).status, 200);
    }
    assert_eq!(views(&get(&server, &path, Some(&seller))), 1);
    // Made-up visitor cookies are ignored.
    for i in 0..50 {
        let forged = format!("rbay_vid={i:032x}");
        get(&server, &path, Some(&forged));
    }
    assert_eq!(views(&get(&server, &path, Some(&seller))), 1);
    // A new user agent on every request: at most a few new visitors from one network a day.
    for i in 0..50 {
        let agent = format!("bot/{i}");
        server.request("GET", &path, &[("User-Agent", &agent)], "");
    }
    let after = views(&get(&server, &path, Some(&seller)));
    assert!(
        after <= rbay::engagement::server::NEW_VISITORS_PER_NETWORK as u64,
        "{after}"
    );
    // A browser that keeps its cookie counts once.
    let first = server.request("GET", &path, &[("User-Agent", "browser/1")], "");
    let vid = first
        .all("set-cookie")
        .into_iter()
        .find(|c| c.starts_with("rbay_vid="))
        .map(|c| c.split(';').next().unwrap().to_string());
    if let Some(vid) = vid {
        let before = views(&get(&server, &path, Some(&seller)));
        server.request(
            "GET",
            &path,
            &[("Cookie", &vid), ("User-Agent", "browser/1")],
            "",
        );
        assert_eq!(views(&get(&server, &path, Some(&seller))), before);
    }
}

#[test]
fn live_streams_of_unknown_items_are_refused() {
    let server = server();
    for path in [
        "/items/999999/events",
        "/items/0/events",
        "/items/abc/events",
    ] {
        let r = server.get(path);
        assert_eq!(r.status, 404, "{path}");
    }
}

#[test]
fn a_photo_bomb_is_refused_without_decoding_it() {
    let server = server();
    let cookie = sign_up(&server, "bomber");
    // 5,000 x 3,000 at 16 bits per RGBA channel: 120 MB decoded, 15 megapixels, tiny file.
    let img = image::ImageBuffer::<image::Rgba<u16>, Vec<u16>>::new(5_000, 3_000);
    let mut png = Vec::new();
    image::DynamicImage::ImageRgba16(img)
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    let r = create_item(&server, &cookie, "Bomb", "A small file.", Some(&png));
    assert_eq!(r.status, 200);
    assert!(r.body.contains("PhotoPixels"), "{}", r.body);
}

#[test]
fn concurrent_sign_ins_wait_their_turn_or_get_503_never_500() {
    let server = server();
    sign_up(&server, "crowd");
    let port = server.port;
    let origin = server.origin();
    let answers: Vec<u16> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..40)
            .map(|_| {
                let origin = origin.clone();
                scope.spawn(move || {
                    common::server::http(
                        port,
                        "POST",
                        "/api/auth/signin",
                        &[
                            ("Content-Type", FORM),
                            ("Accept", JSON),
                            ("Origin", &origin),
                        ],
                        "username=crowd&password=wrong-password",
                    )
                    .status
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(
        answers.iter().all(|s| [200, 503].contains(s)),
        "{answers:?}"
    );
    // A server that refused every sign-in with 503 would pass the line above: some of the
    // crowd must have had their password checked (and refused as wrong, with 200).
    assert!(
        answers.contains(&200),
        "no sign-in was checked: {answers:?}"
    );
}

#[test]
fn the_command_line_has_help_and_version_and_starts_nothing() {
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_rbay"))
            .args(args)
            .env("RBAY_ADDR", "127.0.0.1:1")
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).to_string(),
        )
    };
    let (code, out) = run(&["--help"]);
    assert_eq!(code, Some(0));
    assert!(
        out.contains("Usage") && out.contains("seed") && out.contains("REDIS_URL"),
        "{out}"
    );
    let (code, out) = run(&["seed", "--help"]);
    assert_eq!(code, Some(0));
    assert!(out.contains("--items"), "{out}");
    let (code, out) = run(&["--version"]);
    assert_eq!(code, Some(0));
    assert!(out.contains(env!("CARGO_PKG_VERSION")), "{out}");
    let (code, _) = run(&["seed", "--items", "lots"]);
    assert_eq!(code, Some(2));
    let (code, _) = run(&["frobnicate"]);
    assert_eq!(code, Some(2));
}

#[tokio::test]
async fn limits_fail_closed_when_redis_cannot_count() {
    use rbay::server::redis::rate_limit::{enforce, Action, Limit};
    // A handle to a Redis that never became ready.
    let db = rbay::server::Db::new("redis://127.0.0.1:1", rbay::server::Keys::new("t:")).unwrap();
    for action in [
        Action::Bid,
        Action::Comment,
        Action::Listing,
        Action::SignIn,
        Action::SignUp,
    ] {
        let verdict = enforce(&db, action, "user:1", Limit::per_secs(1, 1)).await;
        assert_eq!(
            verdict,
            Err(rbay::error::AppError::Unavailable),
            "{action:?}"
        );
    }
}
