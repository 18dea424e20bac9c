//! Saved searches in Redis: saved, renamed, paused, deleted, each user's own and at most 50;
//! a new listing alerts exactly the owners of the searches that find it (words by search's
//! rules, the category, never its own seller, never a paused search), once per listing, and
//! the work per listing is bounded by the listing, not by how many searches are saved.
#![cfg(feature = "ssr")]
// A test fails by panicking: unwrapping is how it says what went wrong.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::test_db;
use rbay::accounts::UserId;
use rbay::items::ItemId;
use rbay::notifications::NoticeKind;
use rbay::saved_searches::server::{delete, list, run_match, save, update};
use rbay::saved_searches::{SavedProblem, SearchSpec, MAX_SAVED};
use rbay::server::redis::Db;

fn spec(q: &str, category: &str) -> SearchSpec {
    SearchSpec {
        q: q.into(),
        category: category.into(),
        sort: String::new(),
        filters: Default::default(),
    }
}

async fn list_item(
    db: &Db,
    seller: u64,
    name: &str,
    description: &str,
    category: &'static str,
) -> ItemId {
    let item = rbay::items::NewItem {
        name: name.into(),
        description: description.into(),
        start_cents: 2_500,
        category,
        ..Default::default()
    };
    rbay::items::server::create(db, UserId(seller), "seller", &item, None)
        .await
        .unwrap()
}

/// The saved-search notices in a user's inbox: (search name, item id).
async fn alerts(db: &Db, user: u64) -> Vec<(String, u64)> {
    let inbox = rbay::notifications::server::inbox(db, UserId(user))
        .await
        .unwrap();
    let mut found: Vec<(String, u64)> = inbox
        .notices
        .iter()
        .filter(|n| n.kind == NoticeKind::SavedSearch)
        .map(|n| (n.actor.clone(), n.item_id))
        .collect();
    found.sort();
    found
}

#[tokio::test]
async fn saved_searches_are_their_owners_bounded_renamed_paused_and_deleted() {
    let db = test_db().await;
    let (ann, bea) = (UserId(11), UserId(12));
    let id = save(&db, ann, "", spec("leica  m3", "electronics"))
        .await
        .unwrap()
        .unwrap();
    let page = list(&db, ann).await.unwrap();
    assert_eq!(page.rows.len(), 1);
    assert_eq!(page.rows[0].search.name, "leica m3 in Electronics");
    assert_eq!(
        save(&db, ann, "x", spec("  ", "")).await.unwrap(),
        Err(SavedProblem::Empty)
    );

    // Another user's id names nothing of theirs.
    assert_eq!(
        update(&db, bea, id, Some("mine"), None).await.unwrap(),
        Err(SavedProblem::Gone)
    );
    assert_eq!(delete(&db, bea, id).await.unwrap(), Err(SavedProblem::Gone));
    assert!(list(&db, bea).await.unwrap().rows.is_empty());

    update(&db, ann, id, Some("Leicas"), Some(true))
        .await
        .unwrap()
        .unwrap();
    let row = &list(&db, ann).await.unwrap().rows[0];
    assert_eq!(
        (row.search.name.as_str(), row.search.paused),
        ("Leicas", true)
    );

    for n in 1..MAX_SAVED {
        save(&db, ann, "", spec(&format!("thing{n}"), ""))
            .await
            .unwrap()
            .unwrap();
    }
    assert_eq!(
        save(&db, ann, "", spec("one more", "")).await.unwrap(),
        Err(SavedProblem::TooMany)
    );
    delete(&db, ann, id).await.unwrap().unwrap();
    assert_eq!(delete(&db, ann, id).await.unwrap(), Err(SavedProblem::Gone));
    save(&db, ann, "", spec("one more", ""))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(list(&db, ann).await.unwrap().rows.len(), MAX_SAVED);
}

#[tokio::test]
async fn a_new_listing_alerts_the_searches_that_find_it_once() {
    let db = test_db().await;
    let seller = 1;
    save(&db, UserId(21), "Leicas", spec("leica camera", ""))
        .await
        .unwrap()
        .unwrap();
    save(&db, UserId(22), "Cameras", spec("cameras", "electronics"))
        .await
        .unwrap()
        .unwrap();
    save(&db, UserId(23), "Typo", spec("camra", ""))
        .await
        .unwrap()
        .unwrap();
    save(&db, UserId(24), "All electronics", spec("", "electronics"))
        .await
        .unwrap()
        .unwrap();
    // None of these find it: another word, another category, a paused search, the seller's.
    save(&db, UserId(25), "Nikons", spec("nikon", ""))
        .await
        .unwrap()
        .unwrap();
    save(&db, UserId(26), "Books", spec("camera", "books"))
        .await
        .unwrap()
        .unwrap();
    let paused = save(&db, UserId(27), "Paused", spec("leica", ""))
        .await
        .unwrap()
        .unwrap();
    update(&db, UserId(27), paused, None, Some(true))
        .await
        .unwrap()
        .unwrap();
    save(&db, UserId(seller), "Mine", spec("leica", ""))
        .await
        .unwrap()
        .unwrap();

    let item = list_item(
        &db,
        seller,
        "Vintage Leica camera",
        "An M3 body.",
        "electronics",
    )
    .await;
    assert_eq!(run_match(&db, item).await.unwrap().sent, 4);
    for (user, name) in [
        (21, "Leicas"),
        (22, "Cameras"),
        (23, "Typo"),
        (24, "All electronics"),
    ] {
        assert_eq!(
            alerts(&db, user).await,
            vec![(name.to_string(), item.0)],
            "user {user}"
        );
    }
    for user in [25, 26, 27, seller] {
        assert!(alerts(&db, user).await.is_empty(), "user {user}");
    }
    let notice = &rbay::notifications::server::inbox(&db, UserId(21))
        .await
        .unwrap()
        .notices[0];
    assert_eq!(
        notice.text(),
        "New for your search “Leicas”: Vintage Leica camera, $25.00."
    );
    assert_eq!(notice.link(), format!("/items/{item}"));
    // The job again (a retry, a second worker): nobody hears twice.
    assert_eq!(run_match(&db, item).await.unwrap().sent, 0);
    assert_eq!(alerts(&db, 21).await.len(), 1);
    // Its page counts what it found.
    let row = &list(&db, UserId(21)).await.unwrap().rows[0];
    assert_eq!(row.matches, 1);
    assert!(row.last_match_ms.is_some());

    // A resumed search hears of the next listing; a deleted one does not.
    update(&db, UserId(27), paused, None, Some(false))
        .await
        .unwrap()
        .unwrap();
    let leicas = list(&db, UserId(21)).await.unwrap().rows[0].search.id;
    delete(&db, UserId(21), leicas).await.unwrap().unwrap();
    let second = list_item(&db, seller, "Leica lens", "Summicron.", "electronics").await;
    run_match(&db, second).await.unwrap();
    assert_eq!(
        alerts(&db, 27).await,
        vec![("Paused".to_string(), second.0)]
    );
    assert_eq!(alerts(&db, 21).await.len(), 1, "deleted: no new alert");
}

#[tokio::test]
async fn matching_reads_the_listings_buckets_not_every_saved_search() {
    let db = test_db().await;
    // 2,000 saved searches for words that share no beginning with the listing's.
    for n in 0..2_000u64 {
        let q = format!("zq{n} xylophone");
        save(&db, UserId(1_000 + n), "", spec(&q, ""))
            .await
            .unwrap()
            .unwrap();
    }
    save(&db, UserId(5), "Teapots", spec("teapot", ""))
        .await
        .unwrap()
        .unwrap();
    let item = list_item(&db, 1, "Brown teapot", "Glazed.", "home").await;
    let report = run_match(&db, item).await.unwrap();
    // Its words' beginnings (b, br, bro, t, te, tea, g, gl, gla) and its category: the one
    // teapot search is all that is read, and the index is asked once.
    assert_eq!(report.buckets, 10);
    assert_eq!(
        (report.candidates, report.confirmed, report.sent),
        (1, 1, 1)
    );
}

#[tokio::test]
async fn a_rename_and_a_pause_at_once_both_land_and_a_stale_filing_is_tidied() {
    let db = test_db().await;
    let ann = UserId(31);
    for round in 0..10 {
        let id = save(&db, ann, "", spec(&format!("lamp{round}"), ""))
            .await
            .unwrap()
            .unwrap();
        let name = format!("Lamps {round}");
        let created = rbay::saved_searches::server::get(&db, ann, id)
            .await
            .unwrap()
            .unwrap()
            .created_ms;
        let (renamed, paused) = tokio::join!(
            update(&db, ann, id, Some(&name), None),
            update(&db, ann, id, None, Some(true)),
        );
        renamed.unwrap().unwrap();
        paused.unwrap().unwrap();
        let page = list(&db, ann).await.unwrap();
        let row = page.rows.iter().find(|r| r.search.id == id).unwrap();
        assert_eq!(
            (row.search.name.as_str(), row.search.paused),
            (name.as_str(), true)
        );
        assert_eq!(
            row.search.created_ms, created,
            "the time survives the script"
        );
    }
    // A search whose filing outlived it (deleted while being resumed) alerts nobody, and its
    // filing goes.
    let bea = UserId(32);
    let id = save(&db, bea, "", spec("kettle", ""))
        .await
        .unwrap()
        .unwrap();
    let _: () = redis::cmd("HDEL")
        .arg(db.keys().saved_searches(bea))
        .arg(id)
        .query_async(&mut db.raw_conn())
        .await
        .unwrap();
    let item = list_item(&db, 1, "Copper kettle", "", "home").await;
    let report = run_match(&db, item).await.unwrap();
    assert_eq!((report.candidates, report.sent), (1, 0));
    let filed: u64 = redis::cmd("SCARD")
        .arg(db.keys().search_bucket("ket"))
        .query_async(&mut db.raw_conn())
        .await
        .unwrap();
    assert_eq!(filed, 0);
}

#[tokio::test]
async fn a_saved_searchs_filters_decide_which_new_listings_alert() {
    use rbay::catalog::SearchFilters;
    let db = test_db().await;
    let filtered = |user: u64, name: &str, filters: SearchFilters| {
        let db = db.clone();
        let name = name.to_string();
        async move {
            let spec = SearchSpec {
                filters,
                ..spec("globe", "")
            };
            save(&db, UserId(user), &name, spec).await.unwrap().unwrap();
        }
    };
    let f = |min, max, bin, condition| {
        SearchFilters::parse([min, max, bin, condition, "", "", "", ""]).unwrap()
    };
    let terms = |delivery, returns| {
        SearchFilters::parse(["", "", "", "", "", delivery, returns, ""]).unwrap()
    };
    filtered(31, "Cheap", f("", "30", "", "")).await;
    filtered(32, "Dear", f("30", "", "", "")).await;
    filtered(33, "Buy now", f("", "", "1", "")).await;
    filtered(34, "New only", f("", "", "", "new")).await;
    filtered(35, "Used cheap", f("", "30", "", "used")).await;
    filtered(36, "Free post", terms("free", "")).await;
    filtered(37, "Pickup", terms("pickup", "")).await;
    filtered(38, "Returns", terms("", "1")).await;
    let place = |location| SearchFilters::parse(["", "", "", "", "", "", "", location]).unwrap();
    filtered(39, "In Leeds", place("LEEDS")).await;
    filtered(40, "In York", place("York")).await;
    filtered(41, "Leeds, UK", place("uk, leeds")).await;
    // Listed at $25 (see `list_item`), used, free shipping, no returns (the defaults), no Buy
    // It Now.
    let item = list_item(&db, 1, "Desk globe", "A desk globe.", "home").await;
    assert_eq!(run_match(&db, item).await.unwrap().sent, 3);
    for (user, alerted) in [
        (31, true),
        (32, false),
        (33, false),
        (34, false),
        (35, true),
        (36, true),
        (37, false),
        (38, false),
        (39, false),
        (40, false),
        (41, false),
    ] {
        assert_eq!(!alerts(&db, user).await.is_empty(), alerted, "user {user}");
    }
    // Where it is: the index judges the location's parts (as search does).
    let in_leeds = rbay::items::NewItem {
        name: "Brass globe".into(),
        description: "A globe.".into(),
        start_cents: 2_500,
        terms: rbay::items::ListingTerms {
            location: "Leeds, West Yorkshire, UK".into(),
            ..Default::default()
        },
        ..Default::default()
    };
    let item = rbay::items::server::create(&db, UserId(1), "seller", &in_leeds, None)
        .await
        .unwrap();
    run_match(&db, item).await.unwrap();
    for (user, alerted) in [(39, true), (40, false), (41, true)] {
        let got = alerts(&db, user).await;
        assert_eq!(
            got.iter().any(|(_, id)| *id == item.0),
            alerted,
            "user {user}"
        );
    }
    // The saved search keeps its filters: its page link carries them.
    let row = &list(&db, UserId(35)).await.unwrap().rows[0];
    assert!(row
        .search
        .spec
        .href()
        .ends_with("&max=30.00&condition=used"));
}
