//! Accounts through the real HTTP server: plain form posts (JavaScript off), the JSON calls
//! the hydrated form makes, cookies, redirects, cross-site refusal and 429s.
#![cfg(feature = "ssr")]
// A test fails by panicking: unwrapping is how it says what went wrong.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::redis_url;
use common::server::{session_cookie, Response, Server};

const FORM: &str = "application/x-www-form-urlencoded";
const HTML: &str = "text/html,application/xhtml+xml";

fn server() -> Server {
    let server = Server::start(
        &redis_url(),
        &[
            ("RBAY_KEY_PREFIX", &common::fresh_prefix()),
            ("RBAY_AUTH_USER_LIMIT", "3/60"),
            ("RBAY_AUTH_IP_LIMIT", "1000/60"),
        ],
    );
    server.wait_ready();
    server
}

/// A form post as a browser without JavaScript sends it.
fn form_post(server: &Server, path: &str, body: &str, cookie: Option<&str>) -> Response {
    let mut headers = vec![
        ("Content-Type", FORM),
        ("Accept", HTML),
        ("Origin", "__ORIGIN__"),
        ("Sec-Fetch-Site", "same-origin"),
    ];
    let origin = format!("http://127.0.0.1:{}", server.port);
    headers[2].1 = &origin;
    let cookie_header;
    if let Some(c) = cookie {
        cookie_header = c.to_string();
        headers.push(("Cookie", &cookie_header));
    }
    server.request("POST", path, &headers, body)
}

fn get_with_cookie(server: &Server, path: &str, cookie: &str) -> Response {
    server.request("GET", path, &[("Cookie", cookie), ("Accept", HTML)], "")
}

#[test]
fn sign_up_sign_out_sign_in_without_javascript() {
    let server = server();

    // Anonymous visits create no session and set no cookie.
    let home = server.get("/");
    assert_eq!(home.status, 200);
    assert!(home.all("set-cookie").is_empty());
    assert!(home.body.contains("Sign in"));

    let signed_up = form_post(
        &server,
        "/api/auth/signup",
        "username=Henry&password=correct+horse+battery&confirm=correct+horse+battery&next=%2Fdashboard",
        None,
    );
    assert_eq!(signed_up.status, 302, "{}", signed_up.body);
    assert_eq!(signed_up.header("location"), Some("/dashboard"));
    let set = signed_up.all("set-cookie").join("\n");
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Lax") && set.contains("Path=/"),
        "{set}"
    );
    let cookie = session_cookie(&signed_up);

    let dashboard = get_with_cookie(&server, "/dashboard", &cookie);
    assert_eq!(dashboard.status, 200);
    assert!(
        dashboard.body.contains("Hello, <!-->Henry") || dashboard.body.contains("Henry"),
        "{}",
        dashboard.body
    );
    assert!(dashboard.body.contains("Sign out"));

    let signed_out = form_post(&server, "/api/auth/signout", "", Some(&cookie));
    assert_eq!(signed_out.status, 302);
    assert_eq!(signed_out.header("location"), Some("/"));
    assert!(signed_out
        .all("set-cookie")
        .iter()
        .any(|c| c.contains("Max-Age=0")));

    // The old cookie is dead: the dashboard sends us to sign in and back.
    let again = get_with_cookie(&server, "/dashboard", &cookie);
    assert_eq!(again.status, 302);
    assert_eq!(
        again.header("location"),
        Some("/auth/signin?next=%2Fdashboard")
    );

    let signed_in = form_post(
        &server,
        "/api/auth/signin",
        "username=henry&password=correct+horse+battery&next=%2Fdashboard",
        Some(&cookie),
    );
    assert_eq!(signed_in.status, 302);
    assert_eq!(signed_in.header("location"), Some("/dashboard"));
    let new_cookie = session_cookie(&signed_in);
    assert_ne!(new_cookie, cookie, "a sign-in always mints a new token");
    assert_eq!(
        get_with_cookie(&server, "/dashboard", &new_cookie).status,
        200
    );
}

#[test]
fn form_errors_come_back_to_the_form_and_off_site_next_is_ignored() {
    let server = server();
    let bad = form_post(
        &server,
        "/api/auth/signup",
        "username=a&password=short&confirm=other&next=https%3A%2F%2Fevil.example",
        None,
    );
    assert_eq!(bad.status, 302);
    let location = bad.header("location").unwrap();
    assert!(location.starts_with("/auth/signup?e="), "{location}");
    assert!(location.contains("next=%2Fdashboard"), "{location}");
    assert!(bad.all("set-cookie").is_empty());

    let page = server.request("GET", location, &[("Accept", HTML)], "");
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("Usernames are 3–32 characters long."),
        "{}",
        page.body
    );
    assert!(page.body.contains("Passwords are 8–256 characters long."));
    assert!(
        page.body.contains("The passwords don&#39;t match.")
            || page.body.contains("The passwords don't match.")
    );

    // Script in the username is never rendered as markup.
    let xss = form_post(
        &server,
        "/api/auth/signin",
        "username=%3Cscript%3Ealert(1)%3C%2Fscript%3E&password=whatever1",
        None,
    );
    let page = server.request(
        "GET",
        xss.header("location").unwrap(),
        &[("Accept", HTML)],
        "",
    );
    assert!(!page.body.contains("<script>alert(1)</script>"));
    assert!(page.body.contains("Wrong username or password."));
}

#[test]
fn cross_site_writes_are_refused_and_change_nothing() {
    let server = server();
    let body = "username=mallory&password=correct+horse+battery&confirm=correct+horse+battery";
    for headers in [
        vec![("Content-Type", FORM), ("Origin", "https://evil.example")],
        vec![("Content-Type", FORM), ("Sec-Fetch-Site", "cross-site")],
        vec![
            ("Content-Type", FORM),
            ("Sec-Fetch-Site", "same-site"),
            ("Origin", "http://sub.127.0.0.1"),
        ],
    ] {
        let refused = server.request("POST", "/api/auth/signup", &headers, body);
        assert_eq!(refused.status, 403, "{headers:?}");
        assert!(refused.all("set-cookie").is_empty());
    }
    // The name is still free: the refused requests wrote nothing.
    let ok = form_post(&server, "/api/auth/signup", body, None);
    assert_eq!(ok.header("location"), Some("/dashboard"));
}

#[test]
fn too_many_attempts_get_429_with_retry_after() {
    let server = server();
    let origin = format!("http://127.0.0.1:{}", server.port);
    // As the hydrated form calls it (JSON answer).
    let json_try = || {
        server.request(
            "POST",
            "/api/auth/signin",
            &[
                ("Content-Type", FORM),
                ("Accept", "application/json"),
                ("Origin", &origin),
            ],
            "username=ivy&password=wrong-password",
        )
    };
    for _ in 0..3 {
        let r = json_try();
        assert_eq!(r.status, 200);
        assert!(r.body.contains("BadCredentials"), "{}", r.body);
    }
    let limited = json_try();
    assert_eq!(limited.status, 429, "{}", limited.body);
    let retry: u64 = limited.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry));
    assert!(limited.body.contains("RateLimited"));

    // Without JavaScript: back to the form, which answers 429 and says how long to wait.
    let plain = form_post(
        &server,
        "/api/auth/signin",
        "username=ivy&password=wrong-password",
        None,
    );
    let location = plain.header("location").unwrap();
    assert!(location.contains("form%3Arate-"), "{location}");
    let page = server.request("GET", location, &[("Accept", HTML)], "");
    assert_eq!(page.status, 429);
    assert!(page.header("retry-after").is_some());
    assert!(page.body.contains("Too many attempts."));
}
