//! Closing auctions. Listing an item schedules a job for its end time
//! ([`crate::items::server::close_job::schedule`]; a moved end schedules another, keyed by the new end). The job ([`run_job`])
//! runs `lua/close_item.lua`, which records the outcome (sold to the high bidder at the price,
//! or unsold), makes the sale's order (`orders`), takes the item out of the live rankings and
//! announces the result, exactly once:
//! a second run finds it closed. Then it queues the notices for the winner and the seller
//! (each once-only, so a job that runs twice notifies once).
//!
//! A job scheduled for an end that has since moved finds the auction still running and does
//! nothing. As a safety net for a job lost with its Redis (e.g. restored from an older
//! snapshot) or a listing whose process died between its two writes, every instance looks
//! every [`SWEEP_EVERY`] for auctions more than [`SWEEP_GRACE_MS`] overdue, through each
//! shard's ending schedule (`ZRANGE … BYSCORE`, never a search over the catalogue), and closes
//! those (a per-shard lock keeps instances from doing the same shard at once).

use crate::catalog::server::rankings::CategoryRankings;
use crate::items::server::frame::item_script;
use crate::items::ItemId;
use crate::notifications::server::NewNotice;
use crate::notifications::NoticeKind;
use crate::server::jobs::JobError;
use crate::server::redis::db::Db;
use crate::server::redis::keys::{shard_of, shard_tag, SHARDS};
use crate::server::redis::lock::Lock;
use crate::server::redis::reply::Fields;
use crate::util::id::UserId;
use crate::util::time::now_ms;
use redis::{FromRedisValue, ParsingError};
use std::time::Duration;

/// `lua/close_item.lua`: close an auction whose time is up, exactly once.
pub static CLOSE_ITEM: std::sync::LazyLock<redis::Script> = crate::lua_script!("close_item");

pub const SWEEP_EVERY: Duration = Duration::from_secs(30);
pub const SWEEP_GRACE_MS: i64 = 10_000;
const LEASE: Duration = Duration::from_secs(10);
const BATCH: usize = 100;

/// The job: close the auction in `payload` if its time is up, then queue the notices.
pub async fn run_job(db: &Db, payload: &str) -> Result<(), JobError> {
    let id = crate::items::server::close_job::item_of(payload)?;
    match close(db, id).await? {
        Closing::Closed | Closing::WasClosed => notify_outcome(db, id).await,
        // The end moved (soft close): make sure a job waits for the new end (usually the bid
        // that moved it scheduled one already: the same key adds nothing).
        Closing::NotYet => {
            if let Some(item) = crate::items::server::store::get(db, id)
                .await
                .map_err(|e| JobError::retry(e.to_string()))?
            {
                crate::items::server::close_job::schedule(db, id, item.ends_at_ms)
                    .await
                    .map_err(|e| JobError::retry(e.to_string()))?;
            }
            Ok(())
        }
        Closing::Missing => Ok(()),
    }
}

/// The winner and the seller hear how it ended (each notice once).
pub async fn notify_outcome(db: &Db, id: ItemId) -> Result<(), JobError> {
    let Some(item) = crate::items::server::store::get(db, id)
        .await
        .map_err(|e| JobError::retry(e.to_string()))?
    else {
        return Ok(());
    };
    let notice = |user_id: UserId, kind: NoticeKind, actor: &str| NewNotice {
        user_id,
        kind,
        item_id: id.0,
        item_name: item.name.clone(),
        price_cents: item.price_cents,
        actor: actor.to_string(),
        once: Some(format!("{}:{id}", kind.as_str())),
    };
    // A listing a moderator hid ends without a sale, and its seller heard why already.
    if item.removed.is_some() || item.outcome.as_deref() == Some("removed") {
        return Ok(());
    }
    // Its seller ended it early: they know.
    if item.ended_early {
        return Ok(());
    }
    let sold = item.reserve_met != Some(false);
    match (item.high_bidder_id, item.high_bidder_name.as_deref()) {
        (Some(winner), Some(name)) if sold => {
            // The reminder to pay first: a job that fails after it runs again and schedules
            // nothing new (once per buyer and item).
            crate::orders::server::schedule_payment_reminder(db, id, winner)
                .await
                .map_err(|e| JobError::retry(e.to_string()))?;
            send(db, &notice(winner, NoticeKind::Won, name)).await?;
            send(db, &notice(item.seller_id, NoticeKind::Sold, name)).await?;
        }
        _ => send(db, &notice(item.seller_id, NoticeKind::Unsold, "")).await?,
    }
    Ok(())
}

async fn send(db: &Db, notice: &NewNotice) -> Result<(), JobError> {
    crate::notifications::server::send(db, notice)
        .await
        .map_err(|e| JobError::retry(e.to_string()))
}

/// The safety net: every [`SWEEP_EVERY`], close what is more than [`SWEEP_GRACE_MS`] overdue.
pub fn spawn_sweep(db: &Db) -> tokio::task::JoinHandle<()> {
    let db = db.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(SWEEP_EVERY).await;
            if !db.is_ready() {
                continue;
            }
            match close_overdue(&db, SWEEP_GRACE_MS).await {
                Ok(0) => {}
                Ok(n) => tracing::warn!(n, "the sweep closed auctions their job did not"),
                Err(e) => tracing::warn!(error = %e, "auction sweep"),
            }
        }
    })
}

/// Closes every auction whose end has passed (tests, operators); returns how many it closed.
pub async fn close_due(db: &Db) -> redis::RedisResult<usize> {
    close_overdue(db, 0).await
}

/// Closes every auction that ended more than `grace_ms` ago; returns how many it closed.
pub async fn close_overdue(db: &Db, grace_ms: i64) -> redis::RedisResult<usize> {
    let mut closed = 0;
    for shard in 0..SHARDS {
        let name = format!("closer:{}", shard_tag(shard));
        let Some(lock) = Lock::try_acquire(db, &name, LEASE).await? else {
            continue;
        };
        let result = close_shard(db, shard, now_ms() - grace_ms).await;
        lock.release(db).await?;
        closed += result?;
    }
    Ok(closed)
}

async fn close_shard(db: &Db, shard: u64, before_ms: i64) -> redis::RedisResult<usize> {
    let mut conn = db.raw_conn();
    let due: Vec<u64> = redis::cmd("ZRANGE")
        .arg(db.keys().rank_ending(shard))
        .arg("-inf")
        .arg(before_ms)
        .arg("BYSCORE")
        .arg("LIMIT")
        .arg(0)
        .arg(BATCH)
        .query_async(&mut conn)
        .await?;
    let mut closed = 0;
    for id in due.into_iter().map(ItemId) {
        if close(db, id).await? == Closing::Closed {
            closed += 1;
            tracing::info!(item_id = %id, "auction closed");
            if let Err(e) = notify_outcome(db, id).await {
                tracing::warn!(item_id = %id, error = e.message, "outcome notices not queued");
            }
        }
    }
    Ok(closed)
}

/// What one close attempt found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closing {
    /// This call closed it.
    Closed,
    /// It was closed before.
    WasClosed,
    /// Its end has not come (it may have moved later).
    NotYet,
    /// No such item.
    Missing,
}

/// `lua/close_item.lua`'s reply, strictly: `{ closed }`, `{ was_closed }`, `{ not_yet }` or
/// `{ missing }`.
impl FromRedisValue for Closing {
    fn from_redis_value(v: redis::Value) -> Result<Self, ParsingError> {
        let f = Fields::new("close_item", v)?;
        f.expect_len(1)?;
        Ok(match f.status()?.as_str() {
            "closed" => Closing::Closed,
            "was_closed" => Closing::WasClosed,
            "not_yet" => Closing::NotYet,
            "missing" => Closing::Missing,
            other => return Err(f.unknown_status(other)),
        })
    }
}

/// Closes one auction if its time is up and it is still open (and takes it out of the
/// shard's rankings, its category's included).
pub async fn close(db: &Db, id: ItemId) -> redis::RedisResult<Closing> {
    let keys = db.keys();
    let mut conn = db.raw_conn();
    item_script(&CLOSE_ITEM, keys, id)
        .key(keys.order(id))
        .category_rankings(keys, shard_of(id.0))
        .invoke_async(&mut conn)
        .await
}
