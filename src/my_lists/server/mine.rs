//! The viewer's lists: My bids (every item they bid on, with their maximum and where they
//! stand), Won / Sold. One pipeline per list: each item's name and state, and the viewer's
//! maximum.

use crate::error::AppError;
use crate::items::server::cards::read_fields;
use crate::items::ItemId;
use crate::my_lists::{MyItem, MyStatus};
use crate::server::redis::db::{redis_error, Db};
use crate::util::id::UserId;
use crate::util::time::now_ms;

/// The state fields read: [`crate::items::server::cards::CARD_FIELDS`] first (the card), then where the auction stands.
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

/// Where `viewer` stands on each of `ids` (newest first, as given): one round trip for the
/// items' names, states and the viewer's maximum on each.
async fn standings(db: &Db, viewer: UserId, ids: &[ItemId]) -> Result<Vec<MyItem>, AppError> {
    let keys = db.keys();
    let my_max = |id: ItemId| {
        let mut cmd = redis::cmd("HGET");
        cmd.arg(keys.item_maxes(id)).arg(viewer);
        cmd
    };
    let doc = ["name", "seller_name", "rev"];
    let rows = read_fields(db, ids, &doc, &FIELDS, Some(&my_max), "my lists").await?;
    let now = now_ms();
    let mut out = Vec::with_capacity(ids.len());
    for row in &rows {
        let Some(mut card) = row.card() else {
            continue;
        };
        // Its photos' addresses follow its revisions (`items::photo_version`).
        card.revision = row.doc_text(2).and_then(|v| v.parse().ok()).unwrap_or(0);
        let my_max: Option<i64> = match &row.extra {
            Some(v) => {
                redis::from_redis_value_ref(v).map_err(|e| redis_error("my lists", e.into()))?
            }
            None => None,
        };
        let num = |i: usize| row.num(i).unwrap_or(0);
        // A listing a moderator hid ended with no winner, whoever led it.
        let removed = row.text(7) == Some("removed");
        let leader = row.text(5).and_then(UserId::parse).filter(|_| !removed);
        let ended = row.text(7).is_some() || num(1) <= now;
        let reserve_met = num(0) >= num(8);
        let seller = row.text(9).and_then(UserId::parse);
        let status = match (seller == Some(viewer), ended, leader == Some(viewer)) {
            (true, false, _) => MyStatus::Selling,
            (true, true, _) if leader.is_some() && reserve_met => MyStatus::Sold,
            (true, true, _) => MyStatus::Unsold,
            (false, ended, leads) => MyStatus::of_bidder(ended, leads, reserve_met),
        };
        let other_party = match status {
            MyStatus::Sold => row.text(6),
            MyStatus::Won => row.doc_text(1),
            _ => None,
        };
        out.push(MyItem {
            card,
            status,
            my_max_cents: my_max,
            other_party: other_party.map(str::to_string),
            order: None,
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

/// What the user won (or bought through a second-chance offer), and what they sold or did not
/// sell (ended items only), each with where its order is.
pub async fn won_and_sold(
    db: &Db,
    user_id: UserId,
) -> Result<(Vec<MyItem>, Vec<MyItem>), AppError> {
    // Ended auctions the user bid on: won ones, and lost ones a second chance may have made
    // theirs.
    let ended: Vec<MyItem> = my_bids(db, user_id)
        .await?
        .into_iter()
        .filter(|m| matches!(m.status, MyStatus::Won | MyStatus::Lost))
        .collect();
    let listed = newest(
        db,
        db.keys().user_items(user_id),
        crate::engagement::server::watch::LIST_MAX,
    )
    .await?;
    let mut sold: Vec<MyItem> = standings(db, user_id, &listed)
        .await?
        .into_iter()
        .filter(|m| matches!(m.status, MyStatus::Sold | MyStatus::Unsold))
        .collect();
    // Where each sale's order is, and whose: one pipeline for both lists.
    let ids: Vec<ItemId> = ended.iter().chain(&sold).map(|m| m.card.id).collect();
    let mut orders = crate::orders::server::states(db, &ids).await?.into_iter();
    let mut won = Vec::new();
    for (mut m, order) in ended.into_iter().zip(orders.by_ref()) {
        // The order says whose the purchase is (a second chance moves it); a win from before
        // orders existed has none and stays a win.
        let mine = match order {
            Some((_, buyer)) => buyer == user_id,
            None => m.status == MyStatus::Won,
        };
        if mine {
            m.status = MyStatus::Won;
            m.order = order.map(|(state, _)| state);
            won.push(m);
        }
    }
    for (m, order) in sold.iter_mut().zip(orders) {
        m.order = order.map(|(state, _)| state);
    }
    Ok((won, sold))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_fields_start_with_a_cards() {
        assert_eq!(super::FIELDS[..5], crate::items::server::cards::CARD_FIELDS);
    }
}
