//! Signed-in pages from the personal page cache (`server::http::holes`): each viewer reads
//! their own writes on any instance at once, and nothing of one viewer reaches another
//! through the page rendered for everyone.
#![cfg(feature = "ssr")]
// A test fails by panicking: unwrapping is how it says what went wrong.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::server::{
    call, create_item, created_id, get, location, plain_post, sign_up, Response, Server,
};

/// Two instances on one Redis namespace, as behind nginx.
fn two_instances() -> (Server, Server) {
    let prefix = common::fresh_prefix();
    let env = [
        ("RBAY_KEY_PREFIX", prefix.as_str()),
        ("RBAY_AUTH_IP_LIMIT", "10000/60"),
        ("RBAY_BID_LIMIT", "10000/60"),
        ("RBAY_METRICS_TOKEN", METRICS_TOKEN),
    ];
    let a = Server::start(&common::redis_url(), &env);
    let b = Server::start(&common::redis_url(), &env);
    a.wait_ready();
    b.wait_ready();
    (a, b)
}

fn page(server: &Server, path: &str, cookie: Option<&str>) -> Response {
    let r = get(server, path, cookie);
    assert_eq!(r.status, 200, "{path}: {}", r.body);
    r
}

/// The item page of `cookie`'s user on `server`, asserting it came from the personal tier
/// (so that these tests test it, not the per-viewer render).
fn personal_page(server: &Server, path: &str, cookie: &str) -> String {
    let r = page(server, path, Some(cookie));
    assert_eq!(r.header("x-cache"), Some("personal"), "{path}");
    r.body
}

fn ok(r: Response) {
    assert_eq!(r.status, 200, "{}", r.body);
}

/// The cookie a signed-in user's write leaves (`request::WROTE_COOKIE`), as their browser
/// sends it back with the session cookie `cookie`.
fn with_wrote(cookie: &str, write: &Response) -> String {
    assert_eq!(write.status, 200, "{}", write.body);
    let set = write
        .all("set-cookie")
        .into_iter()
        .find(|c| c.starts_with("rbay_wrote="))
        .unwrap_or_else(|| panic!("no rbay_wrote cookie: {:?}", write.headers));
    assert!(set.contains("Max-Age=5"), "{set}");
    format!("{cookie}; {}", set.split(';').next().unwrap())
}

/// How soon another instance must show a change someone else made (it hears it on the item's
/// or the user's channel, normally well under a millisecond after the write). A session is
/// remembered for 10 s (`sessions::REMEMBERED_FOR`), so a user change B never heard fails;
/// an item page's shared part lives half a second, so for item changes the test of what an
/// instance remembers of a viewer (below) counts what each instance heard instead.
const HEARD: std::time::Duration = std::time::Duration::from_secs(2);

/// The body `view` returns once it contains `wanted`, within [`HEARD`]: a change made by
/// someone else shows on another instance once that instance heard it.
fn once_b_heard(view: &dyn Fn() -> String, wanted: &str) -> String {
    let mut body = String::new();
    let heard = common::server::wait_until(HEARD, || {
        body = view();
        body.contains(wanted)
    });
    assert!(heard.is_ok(), "never showed {wanted:?}: {body}");
    body
}

#[test]
fn signed_in_viewers_read_their_own_writes_on_any_instance() {
    let (a, b) = two_instances();
    let seller = sign_up(&a, "rywseller");
    let alice = sign_up(&a, "rywalice");
    let bob = sign_up(&a, "rywbob");
    let id = created_id(&create_item(&a, &seller, "Brass lamp", "A lamp.", None));
    let path = format!("/items/{id}");
    // Both viewers have the page rendered for everyone on B before anything happens.
    for cookie in [&alice, &bob] {
        let body = personal_page(&b, &path, cookie);
        assert!(body.contains("☆ Watch"), "{body}");
    }
    let alice_page = personal_page(&b, &path, &alice);
    assert!(
        alice_page.contains(r#"nav-username">rywalice<"#),
        "the header shows who is signed in"
    );
    assert!(!alice_page.contains("rywbob"));

    // A bid on A: alice's next page on B shows her standing and her maximum — at once with
    // the cookie her bid left, which has B read and render it for her whether or not B has
    // heard of the bid yet; and from B's memory once it has.
    let bid = call(
        &a,
        "/api/items/bid",
        &format!("item_id={id}&amount=20"),
        Some(&alice),
    );
    let sessions_read = || counter(&b, r#"rbay_session_lookups_total{answered="redis"}"#);
    let read_before = sessions_read();
    let r = page(&b, &path, Some(&with_wrote(&alice, &bid)));
    assert_ne!(r.header("x-cache"), Some("personal"), "read for her");
    assert_eq!(
        sessions_read(),
        read_before + 1,
        "her session read, not recalled"
    );
    assert!(
        r.body
            .contains("You have the highest bid. Your maximum: $20.00."),
        "{}",
        r.body
    );
    let body = personal_page(&b, &path, &alice);
    assert!(
        body.contains("You have the highest bid. Your maximum: $20.00."),
        "{body}"
    );
    let body = personal_page(&b, &path, &bob);
    assert!(!body.contains("Your maximum: "), "{body}");
    assert!(!body.contains("You were outbid"), "bob has not bid: {body}");

    // Bob outbids her on A: he sees where he stands on B at once (with his write's cookie),
    // she as soon as B heard of the bid.
    let bid = call(
        &a,
        "/api/items/bid",
        &format!("item_id={id}&amount=30"),
        Some(&bob),
    );
    let body = page(&b, &path, Some(&with_wrote(&bob, &bid))).body;
    assert!(
        body.contains("You have the highest bid. Your maximum: $30.00."),
        "{body}"
    );
    let body = once_b_heard(&|| personal_page(&b, &path, &alice), "You were outbid.");
    assert!(!body.contains("$30.00."), "bob's maximum is his: {body}");
    let body = personal_page(&b, &path, &bob);
    assert!(
        body.contains("You have the highest bid. Your maximum: $30.00."),
        "{body}"
    );

    // Like and watch on A show on B: hers at once, the count on bob's page once B heard.
    ok(call(
        &a,
        "/api/items/like",
        &format!("item_id={id}&like=true"),
        Some(&alice),
    ));
    let watch = call(
        &a,
        "/api/items/watch",
        &format!("item_id={id}&watch=true"),
        Some(&alice),
    );
    let body = page(&b, &path, Some(&with_wrote(&alice, &watch))).body;
    assert!(body.contains(r#"aria-pressed="true""#), "liked: {body}");
    assert!(body.contains("★ Watching"), "{body}");
    let like_count = r#"class="like-count">1<"#;
    let body = once_b_heard(&|| personal_page(&b, &path, &bob), like_count);
    assert!(!body.contains("★ Watching"), "{body}");
    let body = personal_page(&b, &path, &alice);
    assert!(body.contains(r#"aria-pressed="true""#), "liked: {body}");
    assert!(body.contains("★ Watching"), "{body}");

    // A comment on A: on B its author can delete it, nobody else can.
    let comment = call(
        &a,
        "/api/comments/add",
        &format!("item_id={id}&text=Is+it+brass+all+through%3F"),
        Some(&alice),
    );
    let body = page(&b, &path, Some(&with_wrote(&alice, &comment))).body;
    assert!(body.contains("Is it brass all through?"), "{body}");
    assert!(body.contains("Delete this comment for good?"), "{body}");
    let body = once_b_heard(
        &|| personal_page(&b, &path, &bob),
        "Is it brass all through?",
    );
    assert!(!body.contains("Delete this comment for good?"), "{body}");
    let body = personal_page(&b, &path, &alice);
    assert!(body.contains("Delete this comment for good?"), "{body}");

    // The seller sees their own item as theirs.
    let body = personal_page(&b, &path, &seller);
    assert!(body.contains("This is your item"), "{body}");

    // Signing out on A ends the session on A at once and on B once B heard (a copy of the
    // cookie kept elsewhere is dead everywhere).
    ok(call(&a, "/api/auth/signout", "", Some(&alice)));
    once_b_heard(&|| page(&b, "/", Some(&alice)).body, "Sign in");
    for server in [&a, &b] {
        for path in [path.as_str(), "/", "/search?q=lamp"] {
            let r = page(server, path, Some(&alice));
            assert!(
                !r.body.contains(r#"nav-username">rywalice"#),
                "{path}: {}",
                r.body
            );
            assert!(r.body.contains("Sign in"), "{path}");
        }
    }
}

#[test]
fn nothing_personal_leaks_through_the_page_rendered_for_everyone() {
    let (a, b) = two_instances();
    let seller = sign_up(&a, "leakseller");
    let id = created_id(&create_item(
        &a,
        &seller,
        "Copper kettle",
        "A kettle.",
        None,
    ));
    let carol = sign_up(&a, "leakcarol");
    let dave = sign_up(&a, "leakdave");
    // Carol's maximum is beaten by Dave's: she is outbid (and gets a notice), he leads.
    ok(call(
        &a,
        "/api/items/bid",
        &format!("item_id={id}&amount=41.37"),
        Some(&carol),
    ));
    ok(call(
        &a,
        "/api/items/bid",
        &format!("item_id={id}&amount=57.89"),
        Some(&dave),
    ));
    ok(call(
        &a,
        "/api/items/like",
        &format!("item_id={id}&like=true"),
        Some(&dave),
    ));
    assert!(
        common::server::wait_until(std::time::Duration::from_secs(10), || {
            page(&a, "/", Some(&carol))
                .body
                .contains(r#"data-unread="1""#)
        })
        .is_ok()
    );

    let item = format!("/items/{id}");
    let pages = [
        item.as_str(),
        "/",
        "/search?q=kettle",
        "/search?category=home",
    ];
    struct Viewer<'a> {
        cookie: Option<&'a str>,
        mine: &'a [&'a str],
        never: &'a [&'a str],
    }
    let carol_sees = Viewer {
        cookie: Some(&carol),
        mine: &[r#"nav-username">leakcarol<"#, r#"data-unread="1""#],
        never: &[
            r#"nav-username">leakdave<"#,
            "Your maximum: $57.89",
            "You have the highest bid",
            r#"aria-pressed="true""#,
        ],
    };
    let dave_sees = Viewer {
        cookie: Some(&dave),
        mine: &[r#"nav-username">leakdave<"#, r#"data-unread="0""#],
        never: &[
            r#"nav-username">leakcarol<"#,
            "You were outbid",
            r#"data-unread="1""#,
        ],
    };
    let visitor_sees = Viewer {
        cookie: None,
        mine: &[">Sign in<"],
        never: &[
            "nav-username",
            "Your maximum: ",
            "You were outbid",
            "You have the highest bid",
            "data-unread",
        ],
    };
    // A cookie naming Dave with a token that is not his: the page's holes read Dave's state
    // alongside the session lookup, and none of it may show when the lookup finds nothing.
    let last = dave.chars().last().unwrap();
    let forged = format!(
        "{}{}",
        &dave[..dave.len() - 1],
        if last == '0' { '1' } else { '0' }
    );
    let forger_sees = Viewer {
        cookie: Some(&forged),
        mine: &[">Sign in<"],
        never: visitor_sees.never,
    };
    let viewers = [carol_sees, dave_sees, visitor_sees, forger_sees];
    let mut served_personal = 0;
    for round in 0..1_000 {
        for path in pages {
            let viewer = &viewers[round % viewers.len()];
            // Each viewer on both instances, in turn.
            let server = if (round / viewers.len()).is_multiple_of(2) {
                &a
            } else {
                &b
            };
            let r = page(server, path, viewer.cookie);
            served_personal += usize::from(r.header("x-cache") == Some("personal"));
            for text in viewer.mine {
                assert!(r.body.contains(text), "{path}, round {round}: no {text}");
            }
            for text in viewer.never {
                assert!(!r.body.contains(text), "{path}, round {round}: {text}");
            }
        }
        // Dave's maximum is on the item page, only for him.
        if round % 3 == 1 {
            let r = page(&b, &item, Some(&dave));
            assert!(r.body.contains("Your maximum: $57.89"));
        }
    }
    // Most signed-in pages came from the page rendered for everyone.
    assert!(served_personal > 1_500, "{served_personal}");
}

/// The counter `series` (name and labels) on `server`'s `/metrics`; 0 before it is counted.
fn counter(server: &Server, series: &str) -> u64 {
    let r = server.request(
        "GET",
        "/metrics",
        &[("Authorization", &format!("Bearer {METRICS_TOKEN}"))],
        "",
    );
    assert_eq!(r.status, 200, "{}", r.body);
    r.body
        .lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' '))
        .map_or(0, |v| v.trim().parse().unwrap())
}

/// `rbay_session_lookups_total{answered="memory"}` of `server`.
fn sessions_remembered(server: &Server) -> u64 {
    counter(server, r#"rbay_session_lookups_total{answered="memory"}"#)
}

const METRICS_TOKEN: &str = "a-scraper-token-for-tests";

#[test]
fn a_remembered_session_follows_every_change_on_every_instance() {
    assert!(HEARD * 4 < rbay::accounts::server::sessions::REMEMBERED_FOR);
    let prefix = common::fresh_prefix();
    let env = [("RBAY_METRICS_TOKEN", METRICS_TOKEN)];
    let a = Server::for_test_with(&prefix, &env);
    let b = Server::for_test_with(&prefix, &env);
    let moderator = sign_up(&a, "opal");
    let seller = sign_up(&a, "remseller");
    let alice = sign_up(&a, "remalice");
    let bob = sign_up(&a, "rembob");
    let signed_in = |server: &Server, cookie: &str, name: &str| {
        page(server, "/", Some(cookie))
            .body
            .contains(&format!(r#"nav-username">{name}<"#))
    };
    // B reads alice's session once, then answers her pages from memory (once its
    // subscription stands: until then every view reads Redis).
    let before = sessions_remembered(&b);
    assert!(
        common::server::wait_until(std::time::Duration::from_secs(10), || {
            assert!(signed_in(&b, &alice, "remalice"));
            sessions_remembered(&b) >= before + 3
        })
        .is_ok(),
        "B never answered from memory"
    );

    // A notice for her, written through A: B's next page counts it, though B remembers her.
    let id = created_id(&create_item(&a, &seller, "Tin drum", "A drum.", None));
    ok(call(
        &a,
        "/api/items/bid",
        &format!("item_id={id}&amount=20"),
        Some(&alice),
    ));
    assert!(page(&b, "/", Some(&alice))
        .body
        .contains(r#"aria-label="Notifications""#));
    ok(call(
        &a,
        "/api/items/bid",
        &format!("item_id={id}&amount=30"),
        Some(&bob),
    ));
    let alice_id = rbay::util::id::UserId::parse(
        alice
            .trim_start_matches("rbay_session=")
            .split('.')
            .next()
            .unwrap(),
    )
    .unwrap();
    // One runtime for the test's own reads: the connection lives on it.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let db = runtime.block_on(common::db_in(&prefix));
    let notes = db.keys().user_notes(alice_id);
    let unread = || -> Option<u32> {
        runtime.block_on(async {
            redis::cmd("HGET")
                .arg(&notes)
                .arg("unread")
                .query_async(&mut db.raw_conn())
                .await
                .unwrap()
        })
    };
    common::server::wait_until(std::time::Duration::from_secs(10), || unread() == Some(1))
        .expect("the outbid notice");
    // Changes made by others reach B through its subscription: B's pages show them once it
    // heard, well within `HEARD`; what B remembered of her would show the old for 10 s.
    let b_shows = |cookie: &str, label: &str| {
        let found = common::server::wait_until(HEARD, || {
            page(&b, "/", Some(cookie))
                .body
                .contains(&format!(r#"aria-label="{label}""#))
        });
        assert!(found.is_ok(), "B never showed {label}");
    };
    b_shows(&alice, "Notifications, 1 unread");
    // Read on A (opening the inbox is her write, though a GET): her next page on B, with the
    // cookie the read left, shows none unread at once; without it, once B heard.
    let read = get(&a, "/notifications/list", Some(&alice));
    let home = page(&b, "/", Some(&with_wrote(&alice, &read))).body;
    assert!(home.contains(r#"aria-label="Notifications""#), "{home}");
    b_shows(&alice, "Notifications");

    // Suspended on A: B signs her out once it heard, for pages and for the API.
    assert!(signed_in(&b, &bob, "rembob"));
    let user = alice_id.to_string();
    let suspended = plain_post(
        &a,
        "/api/moderation/act",
        &format!("target=user%3A{user}&action=hide&why=Shill+bidding"),
        Some(&moderator),
    );
    assert_eq!(common::server::location(&suspended), "/ops/moderation");
    let signed_out = common::server::wait_until(HEARD, || {
        !signed_in(&b, &alice, "remalice")
            && !call(&b, "/api/auth/me", "", Some(&alice))
                .body
                .contains("remalice")
    });
    assert!(signed_out.is_ok(), "B kept her signed in");
    // Bob's session, remembered by B too, is untouched.
    assert!(signed_in(&b, &bob, "rembob"));
}

/// `rbay_changes_heard_total{of="item"}` of `server`: item changes its subscription heard.
fn items_heard(server: &Server) -> u64 {
    counter(server, r#"rbay_changes_heard_total{of="item"}"#)
}

/// `rbay_item_viewer_reads_total{answered="memory"}` of `server`.
fn viewers_remembered(server: &Server) -> u64 {
    counter(server, r#"rbay_item_viewer_reads_total{answered="memory"}"#)
}

/// An instance remembers what a signed-in viewer's item page read for them (their like,
/// maximum and watch) for the life of the page rendered for everyone; every write the page
/// shows, on any instance, makes it read again — those with a live event and those without
/// (a like, a watch, a maximum raised without moving the price, a seller's addition).
#[test]
fn what_an_instance_remembers_of_an_item_viewer_follows_every_write_on_any_instance() {
    let prefix = common::fresh_prefix();
    let env = [
        ("RBAY_METRICS_TOKEN", METRICS_TOKEN),
        ("RBAY_BID_LIMIT", "10000/60"),
    ];
    let a = Server::for_test_with(&prefix, &env);
    let b = Server::for_test_with(&prefix, &env);
    let seller = sign_up(&a, "memseller");
    let alice = sign_up(&a, "memalice");
    let bob = sign_up(&a, "membob");
    let id = created_id(&create_item(&a, &seller, "Pewter jug", "A jug.", None));
    let path = format!("/items/{id}");
    // Views on B until one is answered from B's memory (once its subscription stands), so
    // that what comes next would be answered from it too if nothing were heard.
    let remembered_on_b = |cookie: &str| {
        assert!(
            common::server::wait_until(std::time::Duration::from_secs(10), || {
                let before = viewers_remembered(&b);
                personal_page(&b, &path, cookie);
                viewers_remembered(&b) > before
            })
            .is_ok(),
            "B never answered a view from memory"
        );
    };
    // Each write below is announced on the item's channel, which both instances hear; A
    // answers once it has heard it, B hears it about as soon. Once B has heard as much as A
    // (`rbay_changes_heard_total`), B's next page for a viewer must show the write: what it
    // remembered is not used again. (The writer's own pages show it at once in any case, heard
    // or not: their write leaves a cookie that has B read for them, as the test above checks.)
    let then_heard_on_b = |write: &dyn Fn()| {
        let (a0, b0) = (items_heard(&a), items_heard(&b));
        write();
        let heard_on_a = || items_heard(&a) > a0;
        let a_heard = common::server::wait_until(std::time::Duration::from_secs(5), heard_on_a);
        assert!(a_heard.is_ok(), "A never heard the write");
        let told = items_heard(&a) - a0;
        assert!(
            common::server::wait_until(std::time::Duration::from_secs(5), || {
                items_heard(&b) - b0 >= told
            })
            .is_ok(),
            "B never heard the write"
        );
    };
    let on_b = |cookie: &str| personal_page(&b, &path, cookie);

    // Bob's like on A (no live event): alice's page on B counts it.
    remembered_on_b(&alice);
    then_heard_on_b(&|| {
        ok(call(
            &a,
            "/api/items/like",
            &format!("item_id={id}&like=true"),
            Some(&bob),
        ))
    });
    let body = on_b(&alice);
    assert!(body.contains(r#"class="like-count">1<"#), "{body}");

    // Bob's watch on A: alice's page on B counts the watcher.
    remembered_on_b(&alice);
    then_heard_on_b(&|| {
        ok(call(
            &a,
            "/api/items/watch",
            &format!("item_id={id}&watch=true"),
            Some(&bob),
        ))
    });
    let body = on_b(&alice);
    assert!(body.contains("1 watcher<"), "{body}");

    // Her bid on A (a live event), then her higher maximum on A that moves no price: her
    // page on B shows each.
    remembered_on_b(&alice);
    then_heard_on_b(&|| {
        ok(call(
            &a,
            "/api/items/bid",
            &format!("item_id={id}&amount=20"),
            Some(&alice),
        ))
    });
    let body = on_b(&alice);
    assert!(body.contains("Your maximum: $20.00."), "{body}");
    remembered_on_b(&alice);
    then_heard_on_b(&|| {
        ok(call(
            &a,
            "/api/items/bid",
            &format!("item_id={id}&amount=55"),
            Some(&alice),
        ))
    });
    let body = on_b(&alice);
    assert!(body.contains("Your maximum: $55.00."), "{body}");

    // Her own like on B itself, before B may have heard it announced: B's memory of her is
    // not used again at once.
    remembered_on_b(&alice);
    ok(call(
        &b,
        "/api/items/like",
        &format!("item_id={id}&like=true"),
        Some(&alice),
    ));
    let body = on_b(&alice);
    assert!(body.contains(r#"aria-pressed="true""#), "{body}");
    assert!(body.contains(r#"class="like-count">2<"#), "{body}");

    // The seller adds to the description on A: on B they and alice read it.
    remembered_on_b(&seller);
    remembered_on_b(&alice);
    then_heard_on_b(&|| {
        ok(call(
            &a,
            "/api/items/add-to-description",
            &format!("item_id={id}&text=Dented+on+one+side."),
            Some(&seller),
        ))
    });
    for cookie in [&seller, &alice] {
        let body = on_b(cookie);
        assert!(body.contains("Dented on one side."), "{body}");
    }
}

/// A viewer who chose a clock for their charts reads the item page's price chart and the
/// market board on it, on every instance, whether the page comes from the render for everyone
/// or from their own; every other viewer keeps theirs (UTC in the page's HTML; a live page
/// asks in the browser's zone).
#[test]
fn a_chosen_clock_is_read_on_item_pages_and_the_market_on_any_instance() {
    const TOKYO: &str = "Price over time (Asia/Tokyo)";
    const UTC: &str = "Price over time (UTC)";
    let (a, b) = two_instances();
    let seller = sign_up(&a, "tzseller");
    let chooser = sign_up(&a, "tzchooser");
    let other = sign_up(&a, "tzother");
    let id = created_id(&create_item(&a, &seller, "Wall clock", "It ticks.", None));
    ok(call(
        &a,
        "/api/items/bid",
        &format!("item_id={id}&amount=20"),
        Some(&other),
    ));
    let path = format!("/items/{id}");
    // Before a choice: UTC, and a way to choose (B remembers the chooser's session now).
    let body = personal_page(&b, &path, &chooser);
    assert!(body.contains(UTC) && !body.contains(TOKYO), "{body}");
    assert!(body.contains(r#"href="/dashboard/time-zone""#), "{body}");

    let chosen = plain_post(&a, "/api/dashboard/zone", "tz=Asia%2FTokyo", Some(&chooser));
    assert_eq!(location(&chosen), "/dashboard");
    // The instance that kept it reads it at once; the other once it heard.
    let body = personal_page(&a, &path, &chooser);
    assert!(body.contains(TOKYO) && !body.contains(UTC), "{body}");
    once_b_heard(&|| personal_page(&b, &path, &chooser), TOKYO);
    // Interleaved on the same render for everyone: each viewer their own clock.
    for _ in 0..3 {
        let mine = personal_page(&b, &path, &chooser);
        assert!(mine.contains(TOKYO) && !mine.contains(UTC), "{mine}");
        let theirs = personal_page(&b, &path, &other);
        assert!(
            theirs.contains(UTC) && !theirs.contains("Asia/Tokyo"),
            "{theirs}"
        );
        let anonymous = page(&b, &path, None).body;
        assert!(
            anonymous.contains(UTC) && !anonymous.contains("Asia/Tokyo"),
            "{anonymous}"
        );
    }
    // Rendered for them alone (the cookie their choice left): the same clock.
    let wrote = chosen
        .all("set-cookie")
        .into_iter()
        .find(|c| c.starts_with("rbay_wrote="))
        .expect("a signed-in write leaves rbay_wrote");
    let own = page(
        &b,
        &path,
        Some(&format!("{chooser}; {}", wrote.split(';').next().unwrap())),
    );
    assert_ne!(own.header("x-cache"), Some("personal"), "rendered for them");
    assert!(own.body.contains(TOKYO) && !own.body.contains(UTC));

    // The chart a live page fetches: the choice wins over the browser's zone.
    let chart = |cookie: Option<&str>, query: &str| {
        let r = get(&b, &format!("/items/{id}/chart{query}"), cookie);
        assert_eq!(r.status, 200, "{}", r.body);
        r.body
    };
    assert!(chart(Some(&chooser), "?tz=Europe/Paris").contains(TOKYO));
    assert!(chart(Some(&chooser), "").contains(TOKYO));
    assert!(chart(Some(&other), "?tz=Europe/Paris").contains("Price over time (Europe/Paris)"));
    assert!(chart(Some(&other), "").contains(UTC));
    assert!(chart(None, "").contains(UTC));
    assert_eq!(
        get(
            &b,
            &format!("/items/{id}/chart?tz=Mars/Olympus"),
            Some(&chooser)
        )
        .status,
        400,
        "a zone that is not one is refused for everyone"
    );

    // The market board, and its live refresh.
    let tokyo_zone = r#"data-zone="Asia/Tokyo""#;
    assert!(page(&b, "/market", Some(&chooser))
        .body
        .contains(tokyo_zone));
    assert!(page(&b, "/market", Some(&other))
        .body
        .contains(r#"data-zone="UTC""#));
    assert!(page(&b, "/market/panels?tz=Europe/Paris", Some(&chooser))
        .body
        .contains(tokyo_zone));
    assert!(page(&b, "/market/panels?tz=Europe/Paris", Some(&other))
        .body
        .contains(r#"data-zone="Europe/Paris""#));

    // Back to the browser's clock: UTC in the page again, on every instance.
    let back = plain_post(&a, "/api/dashboard/zone", "tz=", Some(&chooser));
    assert_eq!(location(&back), "/dashboard");
    once_b_heard(&|| personal_page(&b, &path, &chooser), UTC);
    assert!(!personal_page(&a, &path, &chooser).contains(TOKYO));
}
