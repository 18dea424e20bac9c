//! Listing cards: what an item looks like in a grid (name, live price, time left, counters).

use crate::error::AppError;
use crate::items::wire::CardNumbers;
use crate::items::{ItemCard, ItemId};
use crate::server::redis::db::{redis_error, Db};
use crate::util::id::UserId;

/// The numbers of a card, in the order they are read from the item's state.
const STATE_FIELDS: [&str; 5] = ["price", "ends_at", "views", "bids", "likes"];

/// Cards for item ids, in the given order (unknown ids are skipped), in one round trip: one
/// pipeline with the name from each item's document and the live numbers from its state.
pub async fn cards_by_id(db: &Db, ids: &[ItemId]) -> Result<Vec<ItemCard>, AppError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let keys = db.keys();
    let mut pipe = redis::pipe();
    for id in ids {
        pipe.cmd("HGET")
            .arg(keys.item(*id))
            .arg("name")
            .cmd("HMGET")
            .arg(keys.item_state(*id))
            .arg(&STATE_FIELDS[..]);
    }
    let mut conn = db.conn()?;
    let rows: Vec<redis::Value> = pipe
        .query_async(&mut conn)
        .await
        .map_err(|e| redis_error("cards by id", e))?;
    let mut rows = rows.into_iter();
    let mut cards = Vec::with_capacity(ids.len());
    for id in ids {
        let (Some(name), Some(numbers)) = (rows.next(), rows.next()) else {
            break;
        };
        let Ok(Some(name)) = redis::from_redis_value::<Option<String>>(name) else {
            continue;
        };
        let numbers: Vec<Option<i64>> = redis::from_redis_value(numbers).unwrap_or_default();
        let num = |i: usize| numbers.get(i).copied().flatten().unwrap_or(0);
        cards.push(ItemCard {
            id: *id,
            name,
            price_cents: num(0),
            ends_at_ms: num(1),
            views: num(2),
            bids: num(3),
            likes: num(4),
        });
    }
    Ok(cards)
}

/// The numbers of a card that change while it is on screen (the page ticker's
/// `/api/prices`), in one round trip: one `HMGET` of each item's state, no name. The reserve
/// itself stays on the server; only whether it is met leaves it.
pub async fn card_numbers(db: &Db, ids: &[ItemId]) -> Result<Vec<CardNumbers>, AppError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let keys = db.keys();
    let mut pipe = redis::pipe();
    for id in ids {
        pipe.cmd("HMGET").arg(keys.item_state(*id)).arg(&[
            "price",
            "ends_at",
            "bids",
            "high_bidder_id",
            "reserve",
        ]);
    }
    let mut conn = db.conn()?;
    // Strings, not numbers: a field can be empty (`high_bidder_id` before the first bid).
    let rows: Vec<Vec<Option<String>>> = pipe
        .query_async(&mut conn)
        .await
        .map_err(|e| redis_error("card numbers", e))?;
    Ok(ids
        .iter()
        .zip(rows)
        .filter_map(|(id, row)| {
            let num = |i: usize| row.get(i)?.as_deref()?.parse::<i64>().ok();
            let price_cents = num(0)?;
            Some(CardNumbers {
                id: *id,
                price_cents,
                ends_at_ms: num(1).unwrap_or(0),
                bids: num(2).unwrap_or(0),
                leader: row
                    .get(3)
                    .and_then(|v| v.as_deref())
                    .and_then(UserId::parse),
                reserve_met: price_cents >= num(4).unwrap_or(0),
            })
        })
        .collect())
}
