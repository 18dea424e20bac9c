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

use crate::items::ItemId;
use crate::server::redis::db::Db;
use crate::server::redis::keys::{shard_tag, SHARDS};
use crate::server::redis::lock::Lock;
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
        let outcome: i64 = SYNC_DOC
            .key(keys.item(id))
            .key(keys.item_state(id))
            .key(keys.index_dirty(shard))
            .key(keys.lock_fence(lock))
            .arg(id.0)
            .arg(fence)
            .invoke_async(&mut conn)
            .await?;
        if outcome == -1 {
            tracing::warn!(shard, "index sync lost its lock; stopping this pass");
            break;
        }
        handled += 1;
    }
    Ok(handled)
}
