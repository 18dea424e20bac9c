//! The job that closes an auction at its end: its queue, kind and payload, and scheduling it.
//! Listing schedules it (`store`); `closer::run_job` runs it.

use crate::items::ItemId;
use crate::server::jobs::{self, EnqueueError, JobError};
use crate::server::redis::db::Db;
use serde::{Deserialize, Serialize};

/// The queue closing jobs go through, and their kind.
pub const QUEUE: &str = "auctions";
pub const JOB: &str = "close_auction";

#[derive(Debug, Serialize, Deserialize)]
struct CloseJob {
    item: u64,
}

/// Schedules the closing of `id` at `ends_at_ms`, once per item and end: scheduling the same
/// end again adds nothing; a moved end schedules a job of its own.
pub async fn schedule(db: &Db, id: ItemId, ends_at_ms: i64) -> Result<(), EnqueueError> {
    let payload = serde_json::to_string(&CloseJob { item: id.0 }).unwrap_or_default();
    let key = format!("close:{id}:{ends_at_ms}");
    jobs::enqueue(db, QUEUE, JOB, &payload, Some(ends_at_ms), Some(&key)).await?;
    Ok(())
}

/// The item a close job is for.
pub fn item_of(payload: &str) -> Result<ItemId, JobError> {
    serde_json::from_str::<CloseJob>(payload)
        .map(|job| ItemId(job.item))
        .map_err(|e| JobError::permanent(format!("unreadable close job: {e}")))
}
