//! Cancelling a bidder's bids (`lua/cancel_bids.lua`), as a retraction works on eBay: when a
//! seller blocks a bidder, their bids on that seller's running listings are cancelled; when a
//! moderator suspends a user, their bids on every running listing are. Their maximum stops
//! answering and cannot win; the leader and the price are worked out again from the maximums
//! that remain, in the item's own step, and open pages hear the new leader as a bid.
//!
//! The work runs as a job (`cancel_bids`, on the auctions queue) that walks the bidder's own
//! list of items bid on (My bids, read whole): a block or a suspension is answered at once,
//! and the job is retried until it has been through every item. Each item's cancellation is idempotent (a
//! maximum already gone is `None`), so a retried job changes nothing twice.

use crate::error::AppError;
use crate::items::server::frame::item_script;
use crate::items::ItemId;
use crate::server::jobs::{self, EnqueueError, JobError};
use crate::server::redis::db::{redis_error, Db};
use crate::server::redis::keys::shard_of;
use crate::server::redis::reply::Fields;
use crate::util::id::UserId;
use redis::{FromRedisValue, ParsingError};
use serde::{Deserialize, Serialize};

/// `lua/cancel_bids.lua`: one bidder's bids on one item cancelled, the leader and price anew.
pub static CANCEL_BIDS: std::sync::LazyLock<redis::Script> = crate::lua_script!("cancel_bids");

/// The job kind.
pub const JOB: &str = "cancel_bids";

/// Why a bidder's bids are cancelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CancelReason {
    /// Their seller blocked them: only on that seller's listings, and only while the block
    /// stands (the script checks it in the item's step).
    Blocked,
    /// A moderator suspended them: every listing, while the suspension stands.
    Suspended,
}

impl CancelReason {
    fn as_str(self) -> &'static str {
        match self {
            CancelReason::Blocked => "blocked",
            CancelReason::Suspended => "suspended",
        }
    }
}

/// What cancelling did on one item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cancelled {
    /// Nothing to cancel: no maximum of theirs, or the block was lifted.
    Nothing,
    /// No such item.
    NotFound,
    /// The auction is closed: its outcome stands.
    Closed,
    /// Nothing changed: the new leader's name is not on the item (a maximum older than the
    /// names kept with maximums); call again with it.
    NeedName(UserId),
    Done {
        price_cents: i64,
        bids: i64,
        /// The leader now (`None`: no bidder left).
        leader: Option<UserId>,
        /// The leader before.
        previous_leader: Option<UserId>,
        /// Their history rows marked cancelled.
        rows_marked: i64,
        min_next_cents: i64,
        reserve_met: bool,
        /// The item's name when the lead changed hands (for the new leader's notice), else
        /// empty.
        item_name: String,
    },
}

/// `lua/cancel_bids.lua`'s reply, strictly: `{ none }`, `{ not_found }`, `{ closed }`,
/// `{ need_name, bidder }` or
/// `{ cancelled, price, bids, leader or 0, previous leader or 0, rows marked, next minimum,
/// reserve met, item name when the lead changed hands or empty }`.
impl FromRedisValue for Cancelled {
    fn from_redis_value(v: redis::Value) -> Result<Self, ParsingError> {
        let f = Fields::new("cancel_bids", v)?;
        let user = |i: usize| -> Result<Option<UserId>, ParsingError> {
            let id: u64 = f.get(i)?;
            Ok((id > 0).then_some(UserId(id)))
        };
        Ok(match f.status()?.as_str() {
            "none" => Cancelled::Nothing,
            "not_found" => Cancelled::NotFound,
            "closed" => Cancelled::Closed,
            "need_name" => {
                f.expect_len(2)?;
                Cancelled::NeedName(UserId(f.get(1)?))
            }
            "cancelled" => {
                f.expect_len(9)?;
                Cancelled::Done {
                    price_cents: f.get(1)?,
                    bids: f.get(2)?,
                    leader: user(3)?,
                    previous_leader: user(4)?,
                    rows_marked: f.get(5)?,
                    min_next_cents: f.get(6)?,
                    reserve_met: f.flag(7)?,
                    item_name: f.get(8)?,
                }
            }
            other => return Err(f.unknown_status(other)),
        })
    }
}

/// Cancels `bidder`'s bids on `item` (see the module). When the new leader's name is not on
/// the item, it is read from their account and the script runs again with it.
pub async fn cancel_on_item(
    db: &Db,
    item: ItemId,
    bidder: UserId,
    why: CancelReason,
) -> Result<Cancelled, AppError> {
    let mut hint: Option<(UserId, String)> = None;
    loop {
        let done = run_script(db, item, bidder, why, hint.as_ref()).await?;
        match done {
            // Once: a second answer for the same bidder would be a bug, not a reason to loop.
            Cancelled::NeedName(leader) if hint.as_ref().is_none_or(|(id, _)| *id != leader) => {
                let name = crate::accounts::server::username(&mut db.conn()?, db.keys(), leader)
                    .await
                    .map_err(|e| redis_error("cancel bids: leader's name", e))?;
                let name = name.ok_or_else(|| {
                    tracing::error!(user = %leader, "a bidder without an account name");
                    AppError::Internal
                })?;
                hint = Some((leader, name));
            }
            other => return Ok(other),
        }
    }
}

async fn run_script(
    db: &Db,
    item: ItemId,
    bidder: UserId,
    why: CancelReason,
    hint: Option<&(UserId, String)>,
) -> Result<Cancelled, AppError> {
    let keys = db.keys();
    let mut conn = db.conn()?;
    let mut call = item_script(&CANCEL_BIDS, keys, item);
    call.key(keys.item_bids(item))
        .key(keys.item_maxes(item))
        .key(keys.item_max_times(item))
        .key(keys.shard_blocks(shard_of(item.0)))
        .arg(bidder)
        .arg(why.as_str());
    if let Some((leader, name)) = hint {
        call.arg(*leader).arg(name);
    }
    call.invoke_async(&mut conn)
        .await
        .map_err(|e| redis_error("cancel bids", e))
}

#[derive(Serialize, Deserialize)]
struct CancelJob {
    bidder: u64,
    why: CancelReason,
}

/// Queues the cancellation of `bidder`'s bids (after a block or a suspension).
pub async fn queue(db: &Db, bidder: UserId, why: CancelReason) -> Result<(), AppError> {
    let payload = serde_json::to_string(&CancelJob {
        bidder: bidder.0,
        why,
    })
    .unwrap_or_default();
    let queue = crate::items::server::close_job::QUEUE;
    match jobs::enqueue(db, queue, JOB, &payload, None, None).await {
        Ok(_) => Ok(()),
        Err(EnqueueError::Redis(e)) => Err(redis_error("queue bid cancellation", e)),
        Err(e) => {
            tracing::error!(error = %e, "bid cancellation not queued");
            Err(AppError::Internal)
        }
    }
}

/// Tells the bidder who leads again, once per item and state (a retried job, which finds
/// nothing left to cancel, sends nothing; the once-key covers a retry of the notice itself).
async fn tell_new_leader(
    db: &Db,
    leader: UserId,
    item: ItemId,
    item_name: String,
    price_cents: i64,
    bids: i64,
) {
    let notice = crate::notifications::server::NewNotice {
        user_id: leader,
        kind: crate::notifications::NoticeKind::LeadingAgain,
        item_id: item.0,
        item_name,
        price_cents,
        actor: String::new(),
        once: Some(format!("leading-again:{item}:{bids}")),
    };
    crate::notifications::server::send_or_log(db, &notice).await;
}

/// The job: every item on the bidder's list. A suspension lifted before the job runs cancels
/// nothing.
pub async fn run_job(db: &Db, payload: &str) -> Result<(), JobError> {
    let job: CancelJob = serde_json::from_str(payload)
        .map_err(|e| JobError::permanent(format!("unreadable cancel_bids job: {e}")))?;
    let bidder = UserId(job.bidder);
    let keys = db.keys();
    let retry = |e: AppError| JobError::retry(e.to_string());
    let mut conn = db.conn().map_err(retry)?;
    if job.why == CancelReason::Suspended {
        let suspended: bool = redis::cmd("HEXISTS")
            .arg(keys.user(bidder))
            .arg("suspended")
            .query_async(&mut conn)
            .await
            .map_err(|e| retry(redis_error("cancel bids: suspension", e)))?;
        if !suspended {
            return Ok(());
        }
    }
    // The whole list at once: a bidder who keeps bidding elsewhere meanwhile reorders it (it
    // is scored by the last bid), which would make pages by position skip items.
    let items: Vec<u64> = redis::cmd("ZRANGE")
        .arg(keys.user_bids(bidder))
        .arg(0)
        .arg(-1)
        .query_async(&mut conn)
        .await
        .map_err(|e| retry(redis_error("cancel bids: items", e)))?;
    let mut cancelled = 0;
    for item in items.into_iter().map(ItemId) {
        let done = cancel_on_item(db, item, bidder, job.why)
            .await
            .map_err(retry)?;
        if let Cancelled::Done {
            leader,
            previous_leader,
            price_cents,
            bids,
            item_name,
            ..
        } = done
        {
            cancelled += 1;
            if let Some(leader) = leader.filter(|l| Some(*l) != previous_leader) {
                tell_new_leader(db, leader, item, item_name, price_cents, bids).await;
            }
        }
    }
    tracing::info!(bidder = %bidder, why = job.why.as_str(), items = cancelled, "bids cancelled");
    Ok(())
}
