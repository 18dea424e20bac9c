//! Helpers for integration tests against a real Redis.
//!
//! Each test gets its own key namespace (`test:<random>:`), so tests run in parallel on one
//! Redis without seeing each other's keys. `scripts/test.sh` starts that Redis and sets
//! `REDIS_URL`; run the tests through it.
#![allow(dead_code)]

pub mod mail;
pub mod redis_process;
pub mod server;
pub mod sse;

use rbay::server::{Db, Keys};
use rbay::util::random::random_hex;

pub fn redis_url() -> String {
    std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6381".to_string())
}

/// A fresh namespace, e.g. `test:1a2b3c4d:`.
pub fn fresh_prefix() -> String {
    format!("test:{}:", random_hex::<4>())
}

/// True when `REDIS_URL` lists the nodes of a Redis Cluster (`scripts/test.sh` runs the
/// cluster suites that way).
pub fn on_cluster() -> bool {
    redis_url().contains(',')
}

/// A ready database handle (search module checked, indexes created) in a fresh namespace.
pub async fn test_db() -> Db {
    connect_to(Keys::new(&fresh_prefix())).await
}

/// A connection to the namespace `prefix` (a test server's keys, read from the test).
pub async fn db_in(prefix: &str) -> Db {
    connect_to(Keys::new(prefix)).await
}

/// A second handle on the same namespace: what another instance of Rbay would have.
pub async fn another_instance(db: &Db) -> Db {
    connect_to(db.keys().clone()).await
}

async fn connect_to(keys: Keys) -> Db {
    let url = redis_url();
    rbay::server::redis::connect(&url, keys)
        .await
        .unwrap_or_else(|e| {
            panic!(
                "integration tests need Redis with RediSearch at {url}: {e} (run scripts/test.sh)"
            )
        })
}

/// Every key under the db's namespace (on every primary of a cluster).
pub async fn keys_in_namespace(db: &Db) -> Vec<String> {
    let mut found: Vec<String> = keys_on_each_primary(db).await.concat();
    found.sort();
    found
}

/// The namespace's keys that each primary holds, primary by primary (replicas hold copies of
/// their primary's keys, and are not asked).
pub async fn keys_on_each_primary(db: &Db) -> Vec<Vec<String>> {
    let pattern = format!("{}*", db.keys().prefix());
    let mut nodes = Vec::new();
    for primary in db.primaries().await.unwrap().iter() {
        let mut found = Vec::new();
        let mut cursor: u64 = 0;
        loop {
            let (next, batch) = db
                .scan_primary(primary, cursor, &pattern, 1000)
                .await
                .unwrap();
            found.extend(batch);
            if next == 0 {
                break;
            }
            cursor = next;
        }
        nodes.push(found);
    }
    nodes
}

/// Lists an item through the real code path (`lua/create_item.lua`) and gives it `views`
/// distinct visitors; `duration_ms` may be tiny to get an ended auction.
pub async fn list_item(
    db: &Db,
    name: &str,
    start_cents: i64,
    duration_ms: i64,
    views: u32,
) -> rbay::items::ItemId {
    use rbay::items::server as items;
    let item = rbay::items::NewItem {
        name: name.to_string(),
        description: format!("A fine {name}"),
        start_cents,
        duration_ms,
        ..Default::default()
    };
    let id = items::create(db, rbay::accounts::UserId(1), "seller1", &item, None)
        .await
        .unwrap();
    for v in 0..views {
        let visitor = rbay::engagement::server::Visitor::from(format!("a:fixture-{v}").as_str());
        rbay::engagement::server::count_view(db, id, &visitor)
            .await
            .unwrap();
    }
    id
}

/// Polls `check` until it returns true or `secs` pass (RediSearch indexes in the background).
pub async fn eventually<F, Fut>(secs: u64, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    loop {
        if check().await {
            return true;
        }
        if std::time::Instant::now() > deadline {
            return false;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// Every entry of an item's live event stream: (entry id, fields).
pub async fn event_stream(
    db: &Db,
    id: rbay::items::ItemId,
) -> Vec<(String, std::collections::HashMap<String, String>)> {
    let mut conn = db.raw_conn();
    redis::cmd("XRANGE")
        .arg(db.keys().item_events(id))
        .arg("-")
        .arg("+")
        .query_async(&mut conn)
        .await
        .unwrap()
}

/// A 1000 × 700 PNG photo (bigger than a card's 480 px thumbnail).
pub fn big_photo() -> Vec<u8> {
    let img = image::RgbImage::from_fn(1000, 700, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, ((x + y) % 256) as u8])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// Runs `FT.<command> <the items index> <args…>` on every primary, each under the name its
/// copy of the index has there (one Redis: once): the replies, primary by primary.
pub async fn on_each_index(db: &Db, command: &str, args: &[&str]) -> Vec<redis::Value> {
    let base = db.keys().items_index();
    let mut replies = Vec::new();
    for primary in db.primaries().await.unwrap().iter() {
        let mut pipe = redis::pipe();
        pipe.cmd(command).arg(primary.index_name(&base)).arg(args);
        replies.extend(db.on_primary(primary, &pipe).await.unwrap());
    }
    replies
}

/// The ids the items index finds for `query` (every primary's, merged), through the code the
/// site searches with.
pub async fn indexed_ids(db: &Db, query: &str) -> Vec<rbay::items::ItemId> {
    use rbay::items::server::index::{find, IdQuery};
    let query = IdQuery {
        query: query.to_string(),
        sort: None,
        offset: 0,
        count: 1_000,
    };
    find(db, "test", query).await.unwrap().ids
}

/// Runs `f` to completion on a runtime of its own (for the HTTP tests, which are synchronous).
pub fn block_on<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}
