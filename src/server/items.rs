//! Auction items: listing, the item page, bids, views and likes. Every multi-step write is one
//! Lua script; reads are one pipeline.

use crate::comments::LiveEvent;
use crate::error::AppError;
use crate::model::{BidEntry, ItemDetail, ItemPageData};
use crate::server::db::{redis_error, Db};
use crate::server::images::Photo;
use crate::server::live;
use crate::server::scripts::scripts;
use crate::server::search;
use std::collections::HashMap;

pub use crate::server::search::{home_sections, now_ms};

/// Bid history rows shown on the item page.
pub const HISTORY_LIMIT: isize = 50;

pub const NAME_MIN: usize = 3;
pub const NAME_MAX: usize = 80;
pub const DESCRIPTION_MIN: usize = 3;
pub const DESCRIPTION_MAX: usize = 2000;

/// A validated new listing.
#[derive(Debug, Clone)]
pub struct NewItem {
    pub name: String,
    pub description: String,
    pub start_cents: i64,
    pub duration_ms: i64,
}

/// Lists an item (and stores its photo) in one script; returns the new id.
pub async fn create(
    db: &Db,
    seller_id: u64,
    seller_name: &str,
    item: &NewItem,
    photo: Option<&Photo>,
) -> Result<String, AppError> {
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
    let id = id.to_string();
    if let Some(photo) = photo {
        // The item says photo=1 before the bytes land; until then the image route serves
        // the placeholder, so nobody ever sees a broken image.
        let _: () = redis::cmd("HSET")
            .arg(db.keys().item_image(&id))
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

/// Item ids are positive integers; anything else is simply "not found".
pub fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 20
        && id.bytes().all(|b| b.is_ascii_digit())
        && !id.starts_with('0')
}

/// One item, or `None`.
pub async fn get(db: &Db, id: &str) -> Result<Option<ItemDetail>, AppError> {
    if !valid_id(id) {
        return Ok(None);
    }
    let mut conn = db.conn()?;
    let fields: HashMap<String, String> = redis::cmd("HGETALL")
        .arg(db.keys().item(id))
        .query_async(&mut conn)
        .await
        .map_err(|e| redis_error("get item", e))?;
    Ok(detail_from(id, &fields))
}

fn detail_from(id: &str, f: &HashMap<String, String>) -> Option<ItemDetail> {
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

/// Everything the item page shows. Counts the view (once per visitor) in parallel with the
/// read on the multiplexed connection, then finds similar items: two round trips.
pub async fn page(
    db: &Db,
    id: &str,
    viewer_id: Option<u64>,
    visitor: &Visitor,
) -> Result<Option<ItemPageData>, AppError> {
    if !valid_id(id) {
        return Ok(None);
    }
    let keys = db.keys();
    let mut read_conn = db.conn()?;
    let mut pipe = redis::pipe();
    pipe.cmd("HGETALL")
        .arg(keys.item(id))
        .cmd("LRANGE")
        .arg(keys.item_bids(id))
        .arg(0)
        .arg(HISTORY_LIMIT - 1)
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
    let (similar, latest) = tokio::join!(
        similar_cards(db, &item, similar_ids),
        crate::server::comments::list(db, id, 0, 3)
    );
    Ok(Some(ItemPageData {
        item,
        history: history.iter().filter_map(|raw| parse_bid(raw)).collect(),
        similar: similar?,
        latest_comments: latest?.1,
        liked_by_me: viewer_id.is_some() && liked,
        viewer_id,
        now_ms: now_ms(),
    }))
}

/// Who looks at an item, for the unique view count (see `server::request::visitor`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Visitor {
    /// `u:<user id>` when signed in, else `a:<visitor id>`.
    pub key: String,
    /// The signed-in user, whose visits to their own items do not count.
    pub user_id: Option<u64>,
    /// A keyed hash of the client's IP address (never the address itself).
    pub network: String,
}

impl From<&str> for Visitor {
    /// A visitor from its key alone (`u:<id>` or `a:<id>`), each on a network of its own:
    /// for tools and tests that count views without an HTTP request.
    fn from(key: &str) -> Self {
        Visitor {
            key: key.to_string(),
            user_id: key.strip_prefix("u:").and_then(|id| id.parse().ok()),
            network: format!("own:{key}"),
        }
    }
}

/// New anonymous visitors one network (IP address) may add to one item's view count per day.
pub const NEW_VISITORS_PER_NETWORK: u32 = 5;
const NETWORK_COUNT_TTL_SECS: u64 = 86_400;

/// Counts a view of an item (`lua/increment_view.lua`: once per visitor, never the seller's
/// own, at most [`NEW_VISITORS_PER_NETWORK`] new visitors per network per day); returns the
/// view count, or `None` for an unknown item.
pub async fn count_view(db: &Db, id: &str, visitor: &Visitor) -> Result<Option<i64>, AppError> {
    if !valid_id(id) {
        return Ok(None);
    }
    let mut conn = db.conn()?;
    let (views, new): (i64, i64) = scripts()
        .increment_view
        .key(db.keys().item(id))
        .key(db.keys().item_viewers(id))
        .key(db.keys().item_viewer_networks(id))
        .arg(&visitor.key)
        .arg(visitor.user_id.map(|u| u.to_string()).unwrap_or_default())
        .arg(&visitor.network)
        .arg(NEW_VISITORS_PER_NETWORK)
        .arg(NETWORK_COUNT_TTL_SECS)
        .invoke_async(&mut conn)
        .await
        .map_err(|e| redis_error("count view", e))?;
    if new == 1 {
        live::publish(db, id, &LiveEvent::Views { views }).await;
    }
    Ok((views >= 0).then_some(views))
}

/// How long the list of similar items is reused before it is searched again.
const SIMILAR_TTL_SECS: u64 = 60;

/// Similar items: the cached id list when there is one (then only the cards are read, one
/// pipeline), otherwise two `FT.SEARCH` whose ids are cached for [`SIMILAR_TTL_SECS`].
async fn similar_cards(
    db: &Db,
    item: &ItemDetail,
    cached: Option<String>,
) -> Result<Vec<crate::model::ItemCard>, AppError> {
    if let Some(ids) = cached {
        let ids: Vec<String> = ids
            .split(',')
            .filter(|id| valid_id(id))
            .map(str::to_string)
            .collect();
        return search::cards_by_id(db, &ids).await;
    }
    let cards = search::similar(db, &item.id, &item.name, &item.description).await?;
    let ids: Vec<&str> = cards.iter().map(|c| c.id.as_str()).collect();
    let mut conn = db.conn()?;
    let stored: redis::RedisResult<()> = redis::cmd("SET")
        .arg(db.keys().item_similar(&item.id))
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
    pub fn message(&self) -> String {
        match self {
            BidRejection::NotFound => "This auction doesn't exist.".into(),
            BidRejection::Ended => "This auction has ended; no more bids.".into(),
            BidRejection::OwnItem => "You can't bid on your own item.".into(),
            BidRejection::TooLow { minimum_cents } => format!(
                "Bid at least {}.",
                crate::model::format_cents(*minimum_cents)
            ),
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
    item_id: &str,
    amount_cents: i64,
) -> Result<BidOutcome, AppError> {
    if !valid_id(item_id) {
        return Ok(BidOutcome::Rejected(BidRejection::NotFound));
    }
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
        .arg(item_id)
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
            let event = LiveEvent::Bid {
                price_cents: int(1),
                bids: int(2),
                min_next_cents: int(3),
                bidder_id,
                bidder_name: bidder_name.to_string(),
                at_ms: int(4),
            };
            live::publish(db, item_id, &event).await;
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

/// Likes (`like = true`) or unlikes an item; idempotent. Returns (liked, like count), or
/// `None` for an unknown item.
pub async fn set_like(
    db: &Db,
    user_id: u64,
    item_id: &str,
    like: bool,
) -> Result<Option<(bool, i64)>, AppError> {
    if !valid_id(item_id) {
        return Ok(None);
    }
    let keys = db.keys();
    let mut conn = db.conn()?;
    let reply: Vec<i64> = scripts()
        .toggle_like
        .key(keys.item(item_id))
        .key(keys.item_likers(item_id))
        .key(keys.user_likes(user_id))
        .arg(user_id)
        .arg(item_id)
        .arg(u8::from(like))
        .invoke_async(&mut conn)
        .await
        .map_err(|e| redis_error("like", e))?;
    Ok(match reply.as_slice() {
        [liked, count] => Some((*liked == 1, *count)),
        _ => None,
    })
}

/// An item's photo (`thumb` or large) as JPEG bytes, if it has one.
pub async fn photo(db: &Db, id: &str, thumb: bool) -> Result<Option<Vec<u8>>, AppError> {
    if !valid_id(id) {
        return Ok(None);
    }
    let mut conn = db.conn()?;
    redis::cmd("HGET")
        .arg(db.keys().item_image(id))
        .arg(if thumb { "thumb" } else { "large" })
        .query_async(&mut conn)
        .await
        .map_err(|e| redis_error("photo", e))
}

/// The item's name (for placeholders), if it exists.
pub async fn name(db: &Db, id: &str) -> Result<Option<String>, AppError> {
    if !valid_id(id) {
        return Ok(None);
    }
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
    fn ids_are_positive_integers() {
        assert!(valid_id("1") && valid_id("123456"));
        for bad in ["", "0", "01", "-1", "1a", "*", "1 2", &"9".repeat(21)] {
            assert!(!valid_id(bad), "{bad:?}");
        }
    }

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
