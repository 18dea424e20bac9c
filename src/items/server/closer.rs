//! Closes auctions whose time is up: marks them `closed` and announces the result live.
//!
//! Every instance runs the loop; the distributed lock `auction-closer` makes one of them do
//! the work at a time, and each write is fenced with the lock's number, so an instance whose
//! lease expired mid-run (a long GC pause, a network stall) cannot write over its successor.

use crate::items::server::store;
use crate::items::{ItemEvent, ItemId};
use crate::live::server as live;
use crate::server::redis::db::Db;
use crate::server::redis::lock::Lock;
use crate::util::time::now_ms;
use std::time::Duration;

const EVERY: Duration = Duration::from_secs(2);
const LEASE: Duration = Duration::from_secs(10);
const BATCH: usize = 50;

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

/// One pass: returns how many auctions it closed.
pub async fn close_due(db: &Db) -> redis::RedisResult<usize> {
    let Some(lock) = Lock::try_acquire(db, "auction-closer", LEASE).await? else {
        return Ok(0);
    };
    let mut closed = 0;
    let mut conn = db.raw_conn();
    let reply: redis::Value = redis::cmd("FT.SEARCH")
        .arg(db.keys().items_index())
        .arg(format!("@ends_at:[-inf {}] -@closed:{{1}}", now_ms()))
        .arg("NOCONTENT")
        .arg("LIMIT")
        .arg(0)
        .arg(BATCH)
        .arg("DIALECT")
        .arg(2)
        .query_async(&mut conn)
        .await?;
    let prefix = db.keys().items_prefix();
    let ids: Vec<ItemId> = match reply {
        redis::Value::Array(values) => values
            .into_iter()
            .skip(1)
            .filter_map(|v| redis::from_redis_value::<String>(v).ok())
            .filter_map(|k| k.strip_prefix(&prefix).and_then(ItemId::parse))
            .collect(),
        _ => Vec::new(),
    };
    for id in ids {
        let Ok(Some(item)) = store::get(db, id).await else {
            continue;
        };
        if item.ends_at_ms > now_ms() {
            continue;
        }
        if !lock
            .fenced_hset(db, &db.keys().item(id), &[("closed", "1".to_string())])
            .await?
        {
            tracing::warn!("auction closer lost its lock; stopping this pass");
            return Ok(closed);
        }
        closed += 1;
        let event = ItemEvent::Ended {
            winner_name: item.high_bidder_name.clone(),
            price_cents: item.price_cents,
        };
        live::publish(db, &id.to_string(), &event).await;
        tracing::info!(item_id = %id, winner = ?item.high_bidder_name, "auction closed");
    }
    lock.release(db).await?;
    Ok(closed)
}
