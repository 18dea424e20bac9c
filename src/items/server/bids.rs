//! Bids: every rule checked and every change made in one Lua script (`lua/place_bid.lua`).

use crate::error::AppError;
use crate::items::{BidProblem, ItemEvent, ItemId};
use crate::live::server as live;
use crate::server::redis::db::{redis_error, Db};
use crate::server::redis::scripts::scripts;

/// The answer to a bid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BidOutcome {
    Accepted {
        price_cents: i64,
        bids: i64,
        min_next_cents: i64,
        at_ms: i64,
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
    let mut conn = db.conn()?;
    let reply: Vec<redis::Value> = scripts()
        .place_bid
        .key(keys.item(item_id))
        .key(keys.item_bids(item_id))
        .key(keys.user_bids(bidder_id))
        .arg(bidder_id)
        .arg(bidder_name)
        .arg(amount_cents)
        .arg(item_id.0)
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
            let event = ItemEvent::Bid {
                price_cents: int(1),
                bids: int(2),
                min_next_cents: int(3),
                bidder_id,
                bidder_name: bidder_name.to_string(),
                at_ms: int(4),
            };
            live::publish(db, &item_id.to_string(), &event).await;
            BidOutcome::Accepted {
                price_cents: int(1),
                bids: int(2),
                min_next_cents: int(3),
                at_ms: int(4),
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
