//! Built assets through the real HTTP server: pages refer to them under a path versioned by
//! their hash, found files are cached for a year, other versions are 404s, and a lazy island's
//! chunks are preloaded by the pages that use it.
#![cfg(feature = "ssr")]
// A test fails by panicking: unwrapping is how it says what went wrong.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::redis_url;
use common::server::Server;
use std::path::PathBuf;

/// A site root with a tiny fake build: main JS, a CSS file, one split island and its manifest.
fn fake_site(js: &str) -> PathBuf {
    let root = std::env::temp_dir().join(format!(
        "rbay-site-{}",
        common::fresh_prefix().replace(':', "-")
    ));
    let pkg = root.join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(pkg.join("rbay.js"), js).unwrap();
    std::fs::write(pkg.join("rbay.css"), "body{}").unwrap();
    std::fs::write(pkg.join("chunk_3.wasm"), b"\0asm").unwrap();
    std::fs::write(
        pkg.join("__wasm_split_manifest.json"),
        r#"{"auth_form_loader_42": ["chunk_3", "split_auth_form_loader_42"]}"#,
    )
    .unwrap();
    root
}

fn version_in(html: &str) -> String {
    let start = html.find("/pkg/").expect("an asset link") + "/pkg/".len();
    html[start..start + 16].to_string()
}

#[test]
fn assets_are_versioned_by_content_and_cached_for_good() {
    let site = fake_site("export function one() {}");
    let site_str = site.to_str().unwrap();
    let server = Server::start(
        &redis_url(),
        &[
            ("RBAY_KEY_PREFIX", &common::fresh_prefix()),
            ("LEPTOS_SITE_ROOT", site_str),
        ],
    );
    server.wait_ready();

    let page = server.get("/auth/signin");
    assert_eq!(page.status, 200);
    let version = version_in(&page.body);
    assert!(version.chars().all(|c| c.is_ascii_hexdigit()), "{version}");
    assert!(page
        .body
        .contains(&format!("href=\"/pkg/{version}/rbay.css\"")));
    assert!(page.body.contains(&format!("/pkg/{version}/rbay.js")));
    // The sign-in form is a lazy island: its own module is preloaded in the head (the chunks
    // it shares with other islands are not: the loader fetches them in parallel).
    let head = &page.body[..page.body.find("</head>").unwrap()];
    assert!(head.contains(&format!("/pkg/{version}/split_auth_form_loader_42.wasm")));
    assert!(!head.contains("chunk_3.wasm"), "{head}");
    // HTML itself is never cached.
    assert_ne!(
        page.header("cache-control")
            .map(|v| v.contains("immutable")),
        Some(true)
    );

    let js = server.get(&format!("/pkg/{version}/rbay.js"));
    assert_eq!(js.status, 200);
    assert_eq!(js.body, "export function one() {}");
    assert_eq!(
        js.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    let missing = server.get(&format!("/pkg/{version}/nope.js"));
    assert_eq!(missing.status, 404);
    assert_eq!(missing.header("cache-control"), Some("no-store"));
    assert_eq!(server.get("/pkg/0000000000000000/rbay.js").status, 404);
    // Without a version a file may change under its name: never cached for good.
    let plain = server.get("/pkg/rbay.js");
    assert_ne!(
        plain
            .header("cache-control")
            .map(|v| v.contains("immutable")),
        Some(true)
    );

    // Other bytes, other version.
    let other = fake_site("export function two() {}");
    let second = Server::start(
        &redis_url(),
        &[
            ("RBAY_KEY_PREFIX", &common::fresh_prefix()),
            ("LEPTOS_SITE_ROOT", other.to_str().unwrap()),
        ],
    );
    second.wait_ready();
    assert_ne!(version_in(&second.get("/auth/signin").body), version);
    for dir in [site, other] {
        std::fs::remove_dir_all(dir).unwrap();
    }
}
