//! The viewer's lists: My bids (every item they bid on, with their maximum and where they
//! stand), Won / Sold. One pipeline per list: each item's name and state, and the viewer's
//! maximum.

use crate::error::AppError;
use crate::items::{ItemCard, ItemId};
use crate::my_lists::{MyItem, MyStatus};
use crate::server::redis::db::{redis_error, Db};
use crate::util::id::UserId;
use crate::util::time::now_ms;

const FIELDS: [&str; 10] = [
    "price",
    "ends_at",
    "views",
    "bids",
    "likes",
    "high_bidder_id",
    "high_bidder_name",
    "outcome",
    "reserve",
    "seller_id",
];

/// Where `viewer` stands on each of `ids` (newest first, as given).
async fn standings(db: &Db, viewer: UserId, ids: &[ItemId]) -> Result<Vec<MyItem>, AppError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let keys = db.keys();
    let mut pipe = redis::pipe();
    for id in ids {
        pipe.cmd("HMGET")
            .arg(keys.item(*id))
            .arg("name")
            .arg("seller_name")
            .cmd("HMGET")
            .arg(keys.item_state(*id))
            .arg(&FIELDS[..])
            .cmd("HGET")
            .arg(keys.item_maxes(*id))
            .arg(viewer);
    }
    let mut conn = db.conn()?;
    let rows: Vec<redis::Value> = pipe
        .query_async(&mut conn)
        .await
        .map_err(|e| redis_error("my lists", e))?;
    let now = now_ms();
    let mut out = Vec::with_capacity(ids.len());
    for (id, row) in ids.iter().zip(rows.chunks(3)) {
        let doc: Vec<Option<String>> = redis::from_redis_value_ref(&row[0]).unwrap_or_default();
        let state: Vec<Option<String>> = redis::from_redis_value_ref(&row[1]).unwrap_or_default();
        let my_max: Option<i64> = redis::from_redis_value_ref(&row[2]).ok().flatten();
        let Some(Some(name)) = doc.first().cloned() else {
            continue;
        };
        let text = |i: usize| state.get(i).cloned().flatten().filter(|v| !v.is_empty());
        let num = |i: usize| text(i).and_then(|v| v.parse::<i64>().ok()).unwrap_or(0);
        let leader = text(5).and_then(|v| UserId::parse(&v));
        let ended = text(7).is_some() || num(1) <= now;
        let reserve_met = num(0) >= num(8);
        let seller = text(9).and_then(|v| UserId::parse(&v));
        let status = match (seller == Some(viewer), ended, leader == Some(viewer)) {
            (true, false, _) => MyStatus::Selling,
            (true, true, _) if leader.is_some() && reserve_met => MyStatus::Sold,
            (true, true, _) => MyStatus::Unsold,
            (false, ended, leads) => MyStatus::of_bidder(ended, leads, reserve_met),
        };
        let other_party = match status {
            MyStatus::Sold => text(6),
            MyStatus::Won => doc.get(1).cloned().flatten(),
            _ => None,
        };
        out.push(MyItem {
            card: ItemCard {
                id: *id,
                name,
                price_cents: num(0),
                ends_at_ms: num(1),
                views: num(2),
                bids: num(3),
                likes: num(4),
            },
            status,
            my_max_cents: my_max,
            other_party,
        });
    }
    Ok(out)
}

async fn newest(db: &Db, key: String, max: usize) -> Result<Vec<ItemId>, AppError> {
    let mut conn = db.conn()?;
    let ids: Vec<u64> = redis::cmd("ZREVRANGE")
        .arg(key)
        .arg(0)
        .arg(max as i64 - 1)
        .query_async(&mut conn)
        .await
        .map_err(|e| redis_error("my lists", e))?;
    Ok(ids.into_iter().map(ItemId).collect())
}

/// Every item the user bid on (newest bid first), with their maximum and standing.
pub async fn my_bids(db: &Db, user_id: UserId) -> Result<Vec<MyItem>, AppError> {
    let ids = newest(
        db,
        db.keys().user_bids(user_id),
        crate::engagement::server::watch::LIST_MAX,
    )
    .await?;
    standings(db, user_id, &ids).await
}

/// What the user won, and what they sold or did not sell (ended items only).
pub async fn won_and_sold(
    db: &Db,
    user_id: UserId,
) -> Result<(Vec<MyItem>, Vec<MyItem>), AppError> {
    let won = my_bids(db, user_id)
        .await?
        .into_iter()
        .filter(|m| m.status == MyStatus::Won)
        .collect();
    let listed = newest(
        db,
        db.keys().user_items(user_id),
        crate::engagement::server::watch::LIST_MAX,
    )
    .await?;
    let sold = standings(db, user_id, &listed)
        .await?
        .into_iter()
        .filter(|m| matches!(m.status, MyStatus::Sold | MyStatus::Unsold))
        .collect();
    Ok((won, sold))
}
