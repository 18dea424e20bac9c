//! Items in Redis: listing, reading one, the item page, photos. Every multi-step write is one
//! Lua script; reads are one pipeline.

use crate::error::AppError;
use crate::items::server::images::Photo;
use crate::items::server::search;
use crate::items::server::views::{count_view, Visitor};
use crate::items::{BidEntry, ItemCard, ItemDetail, ItemId, ItemPageData, NewItem, HISTORY_LIMIT};
use crate::server::redis::db::{redis_error, Db};
use crate::server::redis::scripts::scripts;
use crate::util::time::now_ms;
use std::collections::HashMap;

/// Lists an item (and stores its photo) in one script; returns the new id.
pub async fn create(
    db: &Db,
    seller_id: u64,
    seller_name: &str,
    item: &NewItem,
    photo: Option<&Photo>,
) -> Result<ItemId, AppError> {
    let mut conn = db.conn()?;
    let id: u64 = scripts()
        .create_item
        .key(db.keys().item_ids())
        .key(db.keys().user_items(seller_id))
        .arg(db.keys().items_prefix())
        .arg(seller_id)
        .arg(seller_name)
        .arg(&item.name)
        .arg(&item.description)
        .arg(item.start_cents)
        .arg(item.duration_ms)
        .arg(u8::from(photo.is_some()))
        .invoke_async(&mut conn)
        .await
        .map_err(|e| redis_error("create item", e))?;
    let id = ItemId(id);
    if let Some(photo) = photo {
        // The item says photo=1 before the bytes land; until then the image route serves
        // the placeholder, so nobody ever sees a broken image.
        let _: () = redis::cmd("HSET")
            .arg(db.keys().item_image(id))
            .arg("type")
            .arg("image/jpeg")
            .arg("large")
            .arg(photo.large.as_slice())
            .arg("thumb")
            .arg(photo.thumb.as_slice())
            .query_async(&mut conn)
            .await
            .map_err(|e| redis_error("store photo", e))?;
    }
    tracing::info!(item_id = %id, seller_id, "item listed");
    Ok(id)
}

/// One item, or `None`.
pub async fn get(db: &Db, id: ItemId) -> Result<Option<ItemDetail>, AppError> {
    let mut conn = db.conn()?;
    let fields: HashMap<String, String> = redis::cmd("HGETALL")
        .arg(db.keys().item(id))
        .query_async(&mut conn)
        .await
        .map_err(|e| redis_error("get item", e))?;
    Ok(detail_from(id, &fields))
}

fn detail_from(id: ItemId, f: &HashMap<String, String>) -> Option<ItemDetail> {
    let name = f.get("name")?.clone();
    let num = |k: &str| f.get(k).and_then(|v| v.parse::<i64>().ok()).unwrap_or(0);
    let text = |k: &str| f.get(k).cloned().filter(|v| !v.is_empty());
    Some(ItemDetail {
        id: id.to_string(),
        name,
        description: f.get("description").cloned().unwrap_or_default(),
        seller_id: num("seller_id") as u64,
        seller_name: f.get("seller_name").cloned().unwrap_or_default(),
        price_cents: num("price"),
        start_price_cents: num("start_price"),
        min_bid_cents: num("min_bid"),
        bids: num("bids"),
        views: num("views"),
        likes: num("likes"),
        created_at_ms: num("created_at"),
        ends_at_ms: num("ends_at"),
        has_photo: f.get("photo").map(String::as_str) == Some("1"),
        high_bidder_id: text("high_bidder_id").and_then(|v| v.parse().ok()),
        high_bidder_name: text("high_bidder_name"),
        comments: num("comments"),
    })
}

/// Parses one history entry `bidder_id|cents|ms|bidder_name` (the name may contain `|`).
fn parse_bid(raw: &str) -> Option<BidEntry> {
    let mut parts = raw.splitn(4, '|');
    Some(BidEntry {
        bidder_id: parts.next()?.parse().ok()?,
        amount_cents: parts.next()?.parse().ok()?,
        at_ms: parts.next()?.parse().ok()?,
        bidder_name: parts.next()?.to_string(),
    })
}

/// Everything the item page shows (but its comments). Counts the view (once per visitor) in
/// parallel with the read on the multiplexed connection, then finds similar items: two round
/// trips.
pub async fn page(
    db: &Db,
    id: ItemId,
    viewer_id: Option<u64>,
    visitor: &Visitor,
) -> Result<Option<ItemPageData>, AppError> {
    let keys = db.keys();
    let mut read_conn = db.conn()?;
    let mut pipe = redis::pipe();
    pipe.cmd("HGETALL")
        .arg(keys.item(id))
        .cmd("LRANGE")
        .arg(keys.item_bids(id))
        .arg(0)
        .arg(HISTORY_LIMIT as isize - 1)
        .cmd("SISMEMBER")
        .arg(keys.item_likers(id))
        .arg(viewer_id.unwrap_or(0))
        .cmd("GET")
        .arg(keys.item_similar(id));
    let read = pipe.query_async::<(HashMap<String, String>, Vec<String>, bool, Option<String>)>(
        &mut read_conn,
    );
    let (views, read) = tokio::join!(count_view(db, id, visitor), read);
    let (fields, history, liked, similar_ids) = read.map_err(|e| redis_error("item page", e))?;
    let Some(mut item) = detail_from(id, &fields) else {
        return Ok(None);
    };
    item.views = item.views.max(views?.unwrap_or(0));
    let similar = similar_cards(db, id, &item, similar_ids).await?;
    Ok(Some(ItemPageData {
        item,
        history: history.iter().filter_map(|raw| parse_bid(raw)).collect(),
        similar,
        liked_by_me: viewer_id.is_some() && liked,
        viewer_id,
        now_ms: now_ms(),
    }))
}

/// How long the list of similar items is reused before it is searched again.
const SIMILAR_TTL_SECS: u64 = 60;

/// Similar items: the cached id list when there is one (then only the cards are read, one
/// pipeline), otherwise two `FT.SEARCH` whose ids are cached for [`SIMILAR_TTL_SECS`].
async fn similar_cards(
    db: &Db,
    id: ItemId,
    item: &ItemDetail,
    cached: Option<String>,
) -> Result<Vec<ItemCard>, AppError> {
    if let Some(ids) = cached {
        let ids: Vec<ItemId> = ids.split(',').filter_map(ItemId::parse).collect();
        return search::cards_by_id(db, &ids).await;
    }
    let cards = search::similar(db, id, &item.name, &item.description).await?;
    let ids: Vec<&str> = cards.iter().map(|c| c.id.as_str()).collect();
    let mut conn = db.conn()?;
    let stored: redis::RedisResult<()> = redis::cmd("SET")
        .arg(db.keys().item_similar(id))
        .arg(ids.join(","))
        .arg("EX")
        .arg(SIMILAR_TTL_SECS)
        .query_async(&mut conn)
        .await;
    if let Err(e) = stored {
        tracing::warn!(error = %e, "similar items not cached");
    }
    Ok(cards)
}

/// An item's photo (`thumb` or large) as JPEG bytes, if it has one.
pub async fn photo(db: &Db, id: ItemId, thumb: bool) -> Result<Option<Vec<u8>>, AppError> {
    let mut conn = db.conn()?;
    redis::cmd("HGET")
        .arg(db.keys().item_image(id))
        .arg(if thumb { "thumb" } else { "large" })
        .query_async(&mut conn)
        .await
        .map_err(|e| redis_error("photo", e))
}

/// The item's name (for placeholders and the comments page), if it exists.
pub async fn name(db: &Db, id: ItemId) -> Result<Option<String>, AppError> {
    let mut conn = db.conn()?;
    redis::cmd("HGET")
        .arg(db.keys().item(id))
        .arg("name")
        .query_async(&mut conn)
        .await
        .map_err(|e| redis_error("item name", e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_entries_keep_names_with_pipes() {
        let e = parse_bid("7|1250|1700000000000|a|b").unwrap();
        assert_eq!(
            (e.bidder_id, e.amount_cents, e.bidder_name.as_str()),
            (7, 1250, "a|b")
        );
        assert!(parse_bid("garbage").is_none());
    }
}
