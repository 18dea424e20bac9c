//! Bids: every rule checked and every change made in one Lua script (`lua/place_bid.lua`):
//! the price, the history, the shard's price ranking and the live event.

use crate::error::AppError;
use crate::items::{BidProblem, ItemId};
use crate::server::redis::db::{redis_error, Db};
use crate::server::redis::keys::shard_of;
use crate::server::redis::scripts::scripts;

/// The answer to a bid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BidOutcome {
    Accepted {
        price_cents: i64,
        bids: i64,
        min_next_cents: i64,
        at_ms: i64,
        /// The bidder who led until this bid, if it was someone else.
        outbid: Option<u64>,
    },
    Rejected(BidRejection),
}

/// Why a bid was refused; each has its own message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BidRejection {
    NotFound,
    Ended,
    OwnItem,
    TooLow { minimum_cents: i64 },
}

impl BidRejection {
    /// The problem shown to the bidder, and the minimum bid when the amount was too low.
    pub fn problem(&self) -> (BidProblem, Option<i64>) {
        match self {
            BidRejection::NotFound => (BidProblem::NotFound, None),
            BidRejection::Ended => (BidProblem::Ended, None),
            BidRejection::OwnItem => (BidProblem::OwnItem, None),
            BidRejection::TooLow { minimum_cents } => (BidProblem::TooLow, Some(*minimum_cents)),
        }
    }
}

/// Places a bid through `lua/place_bid.lua`: the rules (live by Redis time, not the seller,
/// at least the minimum) and all the changes (price, count, high bidder, history) happen in
/// one atomic step.
pub async fn place_bid(
    db: &Db,
    bidder_id: u64,
    bidder_name: &str,
    item_id: ItemId,
    amount_cents: i64,
) -> Result<BidOutcome, AppError> {
    let keys = db.keys();
    let shard = shard_of(item_id.0);
    let mut conn = db.conn()?;
    let reply: Vec<redis::Value> = scripts()
        .place_bid
        .key(keys.item_state(item_id))
        .key(keys.item_bids(item_id))
        .key(keys.item_events(item_id))
        .key(keys.rank_price(shard))
        .key(keys.index_dirty(shard))
        .arg(bidder_id)
        .arg(bidder_name)
        .arg(amount_cents)
        .arg(item_id.0)
        .arg(keys.item_channel(item_id))
        .invoke_async(&mut conn)
        .await
        .map_err(|e| redis_error("place bid", e))?;
    let status: String = reply
        .first()
        .and_then(|v| redis::from_redis_value_ref(v).ok())
        .unwrap_or_default();
    let int = |i: usize| -> i64 {
        reply
            .get(i)
            .and_then(|v| redis::from_redis_value_ref(v).ok())
            .unwrap_or(0)
    };
    Ok(match status.as_str() {
        "ok" => {
            // The bidder's own list of items bid on lives in the bidder's slot: a second
            // step (idempotent; the bid itself is already recorded and announced).
            let _: () = redis::cmd("ZADD")
                .arg(keys.user_bids(bidder_id))
                .arg(int(4))
                .arg(item_id.0)
                .query_async(&mut conn)
                .await
                .map_err(|e| redis_error("record my bids", e))?;
            BidOutcome::Accepted {
                price_cents: int(1),
                bids: int(2),
                min_next_cents: int(3),
                at_ms: int(4),
                outbid: u64::try_from(int(5)).ok().filter(|id| *id > 0),
            }
        }
        "not_found" => BidOutcome::Rejected(BidRejection::NotFound),
        "ended" => BidOutcome::Rejected(BidRejection::Ended),
        "own_item" => BidOutcome::Rejected(BidRejection::OwnItem),
        "too_low" => BidOutcome::Rejected(BidRejection::TooLow {
            minimum_cents: int(1),
        }),
        other => {
            tracing::error!(reply = other, "unexpected place_bid reply");
            return Err(AppError::Internal);
        }
    })
}

/// Tells a bidder they were outbid, in the background: the bid is already accepted and
/// answered; the notice goes through the job queue (coalesced in their inbox). Best effort: a
/// process that dies in between loses this notice, never the bid.
pub fn notify_outbid(db: &Db, loser: u64, item_id: ItemId, price_cents: i64, by: &str) {
    let db = db.clone();
    let by = by.to_string();
    tokio::spawn(async move {
        let Ok(Some(name)) = super::store::name(&db, item_id).await else {
            return;
        };
        let notice = crate::notifications::server::NewNotice {
            user_id: loser,
            kind: crate::notifications::NoticeKind::Outbid,
            item_id: item_id.0,
            item_name: name,
            price_cents,
            actor: by,
            once: None,
        };
        crate::notifications::server::send_or_log(&db, &notice).await;
    });
}
