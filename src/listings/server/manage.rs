//! Managing a listing after it is listed: ending it early while nobody has bid
//! (`lua/end_listing.lua`), and relisting an item that did not sell (unsold, or its sale
//! cancelled unpaid) in one step, once (`lua/relist.lua` claims it; the new listing copies its
//! text, terms, prices, options and photos).

use crate::catalog::server::rankings::CategoryRankings;
use crate::error::AppError;
use crate::items::server::frame::{heard_after, item_script};
use crate::items::server::images::Photo;
use crate::items::server::store::{self, photo_field, PhotoSource};
use crate::items::{category, ItemId, NewItem, DEFAULT_CATEGORY};
use crate::server::redis::db::{redis_error, Db};
use crate::server::redis::keys::shard_of;
use crate::server::redis::reply::Fields;
use crate::util::id::UserId;
use crate::util::limits::MAX_PHOTOS;
use redis::{FromRedisValue, ParsingError};

/// `lua/end_listing.lua`: the seller ends a listing with no bids now.
pub static END_LISTING: std::sync::LazyLock<redis::Script> = crate::lua_script!("end_listing");
/// `lua/relist.lua`: claim an item for relisting, once; then point it at its new listing.
pub static RELIST: std::sync::LazyLock<redis::Script> = crate::lua_script!("relist");

/// What ending a listing early did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    Ended {
        at_ms: i64,
    },
    NotFound,
    NotYours,
    /// It had ended (or closed) already.
    Over,
    /// Somebody bid: it runs to its end.
    HasBids,
}

impl FromRedisValue for Ended {
    fn from_redis_value(v: redis::Value) -> Result<Self, ParsingError> {
        let f = Fields::new("end_listing", v)?;
        match f.status()?.as_str() {
            "ended" => {
                f.expect_len(2)?;
                Ok(Ended::Ended { at_ms: f.get(1)? })
            }
            "not_found" => Ok(Ended::NotFound),
            "not_yours" => Ok(Ended::NotYours),
            "over" => Ok(Ended::Over),
            "has_bids" => Ok(Ended::HasBids),
            other => Err(f.unknown_status(other)),
        }
    }
}

/// Ends `item` now for its seller `seller`, if nobody has bid on it (answered once this
/// instance heard of it: `frame::heard_after`).
pub async fn end_early(db: &Db, seller: UserId, item: ItemId) -> Result<Ended, AppError> {
    let keys = db.keys();
    let mut conn = db.conn()?;
    heard_after(
        db,
        item,
        item_script(&END_LISTING, keys, item)
            .arg(seller)
            .category_rankings(keys, shard_of(item.0))
            .invoke_async(&mut conn),
        |r| matches!(r, Ok(Ended::Ended { .. })),
    )
    .await
    .map_err(|e| redis_error("end listing", e))
}

/// What relisting found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Relisted {
    /// The new listing.
    Relisted(ItemId),
    NotFound,
    NotYours,
    /// Still running.
    NotOver,
    /// It sold (and the sale stands), or a moderator removed it.
    NotRelistable,
    /// Relisted before (as this listing; `None` while that is being made).
    Already(Option<ItemId>),
}

/// `lua/relist.lua`'s claim.
enum Claim {
    Claimed,
    Refused(Relisted),
}

impl FromRedisValue for Claim {
    fn from_redis_value(v: redis::Value) -> Result<Self, ParsingError> {
        let f = Fields::new("relist", v)?;
        Ok(match f.status()?.as_str() {
            "claimed" => Claim::Claimed,
            "not_found" => Claim::Refused(Relisted::NotFound),
            "not_yours" => Claim::Refused(Relisted::NotYours),
            "not_over" => Claim::Refused(Relisted::NotOver),
            "not_relistable" => Claim::Refused(Relisted::NotRelistable),
            "already" => {
                f.expect_len(2)?;
                let to: String = f.get(1)?;
                Claim::Refused(Relisted::Already(ItemId::parse(&to)))
            }
            other => return Err(f.unknown_status(other)),
        })
    }
}

async fn relist_step(
    db: &Db,
    item: ItemId,
    seller: UserId,
    step: &str,
    new: Option<ItemId>,
) -> Result<redis::Value, AppError> {
    let keys = db.keys();
    let mut conn = db.conn()?;
    // Pointing the old listing at the new one shows on its page: answered once this instance
    // heard of it (`frame::heard_after`).
    heard_after(
        db,
        item,
        item_script(&RELIST, keys, item)
            .key(keys.order(item))
            .arg(step)
            .arg(seller)
            .arg(new.map_or(String::new(), |id| id.to_string()))
            .invoke_async(&mut conn),
        |r| step == "done" && r.is_ok(),
    )
    .await
    .map_err(|e| redis_error("relist", e))
}

/// Relists `item` for its seller, once: a new listing with the same name, description,
/// category, terms, starting price, reserve, Buy It Now price, soft close, length and photos.
pub async fn relist(
    db: &Db,
    seller: UserId,
    seller_name: &str,
    item: ItemId,
) -> Result<Relisted, AppError> {
    let claim = relist_step(db, item, seller, "claim", None).await?;
    match Claim::from_redis_value(claim).map_err(|e| redis_error("relist", e.into()))? {
        Claim::Refused(why) => return Ok(why),
        Claim::Claimed => {}
    }
    match make_copy(db, seller, seller_name, item).await {
        Ok(new) => {
            relist_step(db, item, seller, "done", Some(new)).await?;
            tracing::info!(item_id = %item, new_item = %new, "relisted");
            Ok(Relisted::Relisted(new))
        }
        Err(e) => {
            // Let the seller try again.
            if let Err(release) = relist_step(db, item, seller, "release", None).await {
                tracing::warn!(item_id = %item, error = %release, "relist claim not released");
            }
            Err(e)
        }
    }
}

/// The new listing: the old one's fields and photos, listed now.
async fn make_copy(
    db: &Db,
    seller: UserId,
    seller_name: &str,
    item: ItemId,
) -> Result<ItemId, AppError> {
    let (doc, state) = store::hashes(db, item, "relist read").await?;
    let detail = store::detail_from(item, &doc, &state).ok_or(AppError::NotFound)?;
    let num = |k: &str| state.get(k).and_then(|v| v.parse::<i64>().ok());
    // As long as it first ran (a minute to two weeks), counted from its listing.
    let ran = num("orig_ends").unwrap_or(detail.ends_at_ms) - detail.created_at_ms;
    let new = NewItem {
        name: detail.name.clone(),
        description: detail.description.clone(),
        start_cents: detail.start_price_cents,
        duration_ms: ran.clamp(60_000, 14 * 86_400_000),
        reserve_cents: num("reserve").filter(|r| *r > 0),
        buy_now_cents: num("buy_now").filter(|b| *b > 0),
        soft_close: detail.soft_close,
        category: category(&detail.category).map_or(DEFAULT_CATEGORY, |(slug, _)| slug),
        terms: detail.terms.clone().unwrap_or_default(),
    };
    let flag = doc.get("photo").cloned().unwrap_or_default();
    let id = if let Some(n) = flag.strip_prefix("demo:").and_then(|n| n.parse().ok()) {
        store::create_with(db, seller, seller_name, &new, PhotoSource::Demo(n)).await?
    } else {
        let photos = read_photos(db, item, detail.photos as usize).await?;
        let id =
            store::create_with(db, seller, seller_name, &new, PhotoSource::Upload(&photos)).await?;
        if !photos.is_empty() {
            super::listing::queue_thumbnails(db, id, 0).await;
        }
        id
    };
    crate::saved_searches::server::enqueue_match(db, id).await;
    Ok(id)
}

/// The item's own photos (large, and the cover's thumbnail when made), in order.
async fn read_photos(db: &Db, item: ItemId, count: usize) -> Result<Vec<Photo>, AppError> {
    let mut photos = Vec::new();
    let mut conn = db.conn()?;
    for n in 1..=count.min(MAX_PHOTOS) {
        let (large, thumb): (Option<Vec<u8>>, Option<Vec<u8>>) = redis::pipe()
            .cmd("HGET")
            .arg(db.keys().item_image(item))
            .arg(photo_field(n, false))
            .cmd("HGET")
            .arg(db.keys().item_image(item))
            .arg(photo_field(n, true))
            .query_async(&mut conn)
            .await
            .map_err(|e| redis_error("relist photos", e))?;
        let Some(large) = large else { break };
        photos.push(Photo {
            large,
            thumb: if n == 1 {
                thumb.unwrap_or_default()
            } else {
                Vec::new()
            },
        });
    }
    Ok(photos)
}
