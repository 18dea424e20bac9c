//! Keeps the search documents' copies of an item's numbers (price, bids, views, likes, end)
//! up to date, in batches.
//!
//! Writing an indexed hash makes RediSearch tokenise and index the whole document again, so
//! bids and views never write it: their scripts change the item's state and add the item to
//! its shard's "dirty" set. Every [`EVERY`], this task refreshes the dirty documents
//! (`lua/sync_doc.lua`, which copies what changed and removes the item from the set in the
//! same step). A busy item is re-indexed at most once per pass, however many bids it gets;
//! search sorting and filtering by those numbers lags by up to about a second, while every
//! card shows the live numbers (cards read the state, not the index).
//!
//! Every instance runs the task; a per-shard lock (`index-sync:{sNN}`, in the shard's slot)
//! gives the work to one at a time, and its fencing number is checked by the script, so an
//! instance that stalled past its lease cannot write older numbers over newer ones.

use crate::items::server::frame::item_script;
use crate::items::ItemId;
use crate::server::redis::db::Db;
use crate::server::redis::keys::{shard_tag, SHARDS};
use crate::server::redis::lock::Lock;
use redis::{FromRedisValue, ParsingError};
use std::time::Duration;

/// `lua/sync_doc.lua`: refresh an item's search document from its state (fenced).
pub static SYNC_DOC: std::sync::LazyLock<redis::Script> = crate::lua_script!("sync_doc");

pub const EVERY: Duration = Duration::from_secs(1);
const LEASE: Duration = Duration::from_secs(10);
/// Documents refreshed per shard per pass, at most.
const BATCH: usize = 500;

pub fn spawn(db: &Db) -> tokio::task::JoinHandle<()> {
    let db = db.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(EVERY).await;
            if !db.is_ready() {
                continue;
            }
            if let Err(e) = sync_all(&db).await {
                tracing::warn!(error = %e, "index sync");
            }
        }
    })
}

/// One pass over every shard: returns how many dirty items it handled (their documents
/// rewritten where a number had changed). Zero means nothing was left to do.
pub async fn sync_all(db: &Db) -> redis::RedisResult<usize> {
    let mut handled = 0;
    for shard in 0..SHARDS {
        let name = format!("index-sync:{}", shard_tag(shard));
        let Some(lock) = Lock::try_acquire(db, &name, LEASE).await? else {
            continue;
        };
        let result = sync_shard(db, shard, &name, lock.fence()).await;
        lock.release(db).await?;
        handled += result?;
    }
    Ok(handled)
}

/// `lua/sync_doc.lua`'s reply, strictly `written`, `unchanged` or `refused`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Synced {
    Written,
    Unchanged,
    /// The syncer's lock was taken over: it must stop.
    Refused,
}

impl FromRedisValue for Synced {
    fn from_redis_value(v: redis::Value) -> Result<Self, ParsingError> {
        match String::from_redis_value(v)?.as_str() {
            "written" => Ok(Synced::Written),
            "unchanged" => Ok(Synced::Unchanged),
            "refused" => Ok(Synced::Refused),
            other => Err(format!("sync_doc: unknown reply {other:?}").into()),
        }
    }
}

/// Refreshes one item's search document (`lua/sync_doc.lua`) as the holder of `lock` with
/// fencing number `fence`.
pub async fn sync_doc(db: &Db, id: ItemId, lock: &str, fence: u64) -> redis::RedisResult<Synced> {
    let keys = db.keys();
    item_script(&SYNC_DOC, keys, id)
        .key(keys.lock_fence(lock))
        .arg(fence)
        .invoke_async(&mut db.raw_conn())
        .await
}

async fn sync_shard(db: &Db, shard: u64, lock: &str, fence: u64) -> redis::RedisResult<usize> {
    let keys = db.keys();
    let mut conn = db.raw_conn();
    let dirty: Vec<u64> = redis::cmd("SRANDMEMBER")
        .arg(keys.index_dirty(shard))
        .arg(BATCH)
        .query_async(&mut conn)
        .await?;
    let mut handled = 0;
    for id in dirty.into_iter().map(ItemId) {
        if sync_doc(db, id, lock, fence).await? == Synced::Refused {
            tracing::warn!(shard, "index sync lost its lock; stopping this pass");
            break;
        }
        handled += 1;
    }
    Ok(handled)
}
