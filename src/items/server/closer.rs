//! Closes auctions whose time is up: `lua/close_item.lua` marks each one closed, takes it out
//! of the live rankings and announces the result, exactly once (a second run finds it closed).
//!
//! What is due is read from each shard's ending ranking (`ZRANGE ... BYSCORE`), never by
//! searching the whole catalogue. Every instance runs the loop; a per-shard lock
//! (`closer:{sNN}`) keeps two instances from doing the same shard's work at once. Correctness
//! does not depend on the lock: the script itself closes an auction once.

use crate::items::ItemId;
use crate::server::redis::db::Db;
use crate::server::redis::keys::{shard_of, shard_tag, SHARDS};
use crate::server::redis::lock::Lock;
use crate::server::redis::scripts::scripts;
use crate::util::time::now_ms;
use std::time::Duration;

const EVERY: Duration = Duration::from_millis(500);
const LEASE: Duration = Duration::from_secs(10);
const BATCH: usize = 100;

pub fn spawn(db: &Db) -> tokio::task::JoinHandle<()> {
    let db = db.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(EVERY).await;
            if !db.is_ready() {
                continue;
            }
            if let Err(e) = close_due(&db).await {
                tracing::warn!(error = %e, "auction closer");
            }
        }
    })
}

/// One pass over every shard: returns how many auctions it closed.
pub async fn close_due(db: &Db) -> redis::RedisResult<usize> {
    let mut closed = 0;
    for shard in 0..SHARDS {
        let name = format!("closer:{}", shard_tag(shard));
        let Some(lock) = Lock::try_acquire(db, &name, LEASE).await? else {
            continue;
        };
        let result = close_shard(db, shard).await;
        lock.release(db).await?;
        closed += result?;
    }
    Ok(closed)
}

async fn close_shard(db: &Db, shard: u64) -> redis::RedisResult<usize> {
    let mut conn = db.raw_conn();
    let due: Vec<u64> = redis::cmd("ZRANGE")
        .arg(db.keys().rank_ending(shard))
        .arg("-inf")
        .arg(now_ms())
        .arg("BYSCORE")
        .arg("LIMIT")
        .arg(0)
        .arg(BATCH)
        .query_async(&mut conn)
        .await?;
    let mut closed = 0;
    for id in due.into_iter().map(ItemId) {
        if close(db, id).await? {
            closed += 1;
            tracing::info!(item_id = %id, "auction closed");
        }
    }
    Ok(closed)
}

/// Closes one auction if its time is up and it is still open; `true` if this call closed it.
pub async fn close(db: &Db, id: ItemId) -> redis::RedisResult<bool> {
    let keys = db.keys();
    let shard = shard_of(id.0);
    let mut conn = db.raw_conn();
    let outcome: i64 = scripts()
        .close_item
        .key(keys.item_state(id))
        .key(keys.rank_ending(shard))
        .key(keys.rank_price(shard))
        .key(keys.rank_views(shard))
        .key(keys.item_events(id))
        .arg(id.0)
        .arg(keys.item_channel(id))
        .invoke_async(&mut conn)
        .await?;
    Ok(outcome == 1)
}
