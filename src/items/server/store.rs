//! Items in Redis: listing, reading one, the item page, photos. Every multi-step write is one
//! Lua script; reads are one pipeline.

use crate::error::AppError;
use crate::items::server::frame::item_script;
use crate::items::server::images::Photo;
use crate::items::server::index;
use crate::items::{
    BidEntry, Condition, ItemCard, ItemDetail, ItemId, ItemPageData, ItemViewer, ListingTerms,
    NewItem, Shipping, HISTORY_LIMIT,
};
use crate::server::redis::db::{redis_error, Db};
use crate::server::redis::keys::shard_of;
use crate::server::redis::reply::Fields;
use crate::server::short_cache::Turns;
use crate::util::id::UserId;
use crate::util::time::now_ms;
use crate::util::zone::Zone;
use redis::{FromRedisValue, ParsingError};
use std::collections::HashMap;

/// `lua/create_item.lua`: an item's document, state, rankings and photo.
pub static CREATE_ITEM: std::sync::LazyLock<redis::Script> = crate::lua_script!("create_item");

/// Where a new item's photos come from.
pub enum PhotoSource<'a> {
    /// Uploaded photos, re-encoded (stored with the item; the first is the cover). None: the
    /// generated placeholder is shown.
    Upload(&'a [Photo]),
    /// One of the shared demo photos (seed data, see `server::seed`).
    Demo(u64),
}

/// Lists an item with one photo or none; returns the new id.
pub async fn create(
    db: &Db,
    seller_id: UserId,
    seller_name: &str,
    item: &NewItem,
    photo: Option<&Photo>,
) -> Result<ItemId, AppError> {
    let photos = PhotoSource::Upload(photo.map(std::slice::from_ref).unwrap_or_default());
    create_with(db, seller_id, seller_name, item, photos).await
}

/// Lists an item with its photos from `photo` and returns the new id: a new id from the
/// counter, then `lua/create_item.lua` in the item's shard (document, state, rankings,
/// photos), then the seller's list of items (another slot).
pub async fn create_with(
    db: &Db,
    seller_id: UserId,
    seller_name: &str,
    item: &NewItem,
    photo: PhotoSource<'_>,
) -> Result<ItemId, AppError> {
    let keys = db.keys();
    let mut conn = db.conn()?;
    let fail = |e| redis_error("create item", e);
    let id: u64 = redis::cmd("INCR")
        .arg(keys.item_ids())
        .query_async(&mut conn)
        .await
        .map_err(fail)?;
    let id = ItemId(id);
    let shard = shard_of(id.0);
    let (flag, large, thumb, more): (String, &[u8], &[u8], &[Photo]) = match photo {
        PhotoSource::Upload([]) => ("0".into(), &[], &[], &[]),
        PhotoSource::Upload([cover, more @ ..]) => ("1".into(), &cover.large, &cover.thumb, more),
        PhotoSource::Demo(n) => (format!("demo:{n}"), &[], &[], &[]),
    };
    let Created {
        created_at,
        ends_at,
    } = item_script(&CREATE_ITEM, keys, id)
        .key(keys.item_image(id))
        .key(keys.rank_ending_in(item.category, shard))
        .arg(seller_id)
        .arg(seller_name)
        .arg(&item.name)
        .arg(&item.description)
        .arg(item.start_cents)
        .arg(item.duration_ms)
        .arg(flag)
        .arg(large)
        .arg(thumb)
        .arg(item.reserve_cents.unwrap_or(0))
        .arg(item.buy_now_cents.unwrap_or(0))
        .arg(if item.soft_close { 1 } else { 0 })
        .arg(item.category)
        .arg(item.terms.condition.slug())
        .arg(&item.terms.location)
        .arg(item.terms.shipping.to_field())
        .arg(item.terms.returns_days)
        .arg(more.iter().map(|p| p.large.as_slice()).collect::<Vec<_>>())
        .invoke_async(&mut conn)
        .await
        .map_err(fail)?;
    let _: () = redis::cmd("ZADD")
        .arg(keys.user_items(seller_id))
        .arg(created_at)
        .arg(id.0)
        .query_async(&mut conn)
        .await
        .map_err(fail)?;
    // Its closing, at its end (should this fail, the closer's sweep closes it instead).
    if let Err(e) = super::close_job::schedule(db, id, ends_at).await {
        tracing::warn!(item_id = %id, error = %e, "closing not scheduled; the sweep will close it");
    }
    tracing::info!(item_id = %id, %seller_id, "item listed");
    Ok(id)
}

/// `lua/create_item.lua`'s reply, strictly `{ created, created at, ends at }`.
struct Created {
    created_at: i64,
    ends_at: i64,
}

impl FromRedisValue for Created {
    fn from_redis_value(v: redis::Value) -> Result<Self, ParsingError> {
        let f = Fields::new("create_item", v)?;
        f.expect_len(3)?;
        match f.status()?.as_str() {
            "created" => Ok(Created {
                created_at: f.get(1)?,
                ends_at: f.get(2)?,
            }),
            other => Err(f.unknown_status(other)),
        }
    }
}

/// One item, or `None`: its document and its state, in one round trip.
pub async fn get(db: &Db, id: ItemId) -> Result<Option<ItemDetail>, AppError> {
    let (doc, state) = hashes(db, id, "get item").await?;
    Ok(detail_from(id, &doc, &state))
}

/// An item's document and state as stored (both empty for no such item), in one round trip:
/// for [`detail_from`], and for fields it does not carry (the reserve, the original end).
pub(crate) async fn hashes(
    db: &Db,
    id: ItemId,
    context: &'static str,
) -> Result<(HashMap<String, String>, HashMap<String, String>), AppError> {
    let mut conn = db.conn()?;
    redis::pipe()
        .cmd("HGETALL")
        .arg(db.keys().item(id))
        .cmd("HGETALL")
        .arg(db.keys().item_state(id))
        .query_async(&mut conn)
        .await
        .map_err(|e| redis_error(context, e))
}

/// An item from its document (what it is) and its state (how its auction stands).
pub(crate) fn detail_from(
    id: ItemId,
    doc: &HashMap<String, String>,
    f: &HashMap<String, String>,
) -> Option<ItemDetail> {
    let name = doc.get("name")?.clone();
    let num = |k: &str| f.get(k).and_then(|v| v.parse::<i64>().ok()).unwrap_or(0);
    let text = |k: &str| f.get(k).cloned().filter(|v| !v.is_empty());
    Some(ItemDetail {
        id,
        name,
        description: doc.get("description").cloned().unwrap_or_default(),
        // Listings from before categories are "Other".
        category: doc
            .get("category")
            .and_then(|c| crate::items::category(c))
            .map_or(crate::items::DEFAULT_CATEGORY, |(slug, _)| slug)
            .to_string(),
        // Listings from before several photos have their one photo or none.
        photos: match doc.get("photos").and_then(|v| v.parse::<u32>().ok()) {
            Some(n) => n,
            None => u32::from(doc.get("photo").is_some_and(|p| p == "1")),
        },
        seller_id: UserId(num("seller_id") as u64),
        seller_name: doc.get("seller_name").cloned().unwrap_or_default(),
        price_cents: num("price"),
        start_price_cents: num("start_price"),
        min_bid_cents: num("min_bid"),
        bids: num("bids"),
        views: num("views"),
        likes: num("likes"),
        // The listing time is part of what the item is (its document), not of its state.
        created_at_ms: doc
            .get("created_at")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0),
        ends_at_ms: num("ends_at"),
        has_photo: doc.get("photo").is_some_and(|p| p != "0"),
        high_bidder_id: text("high_bidder_id").and_then(|v| v.parse().ok()),
        high_bidder_name: text("high_bidder_name"),
        comments: num("comments"),
        reserve_met: (num("reserve") > 0).then(|| num("price") >= num("reserve")),
        buy_now_cents: crate::items::open_buy_now(
            num("buy_now"),
            f.get("closed").map(String::as_str) == Some("1"),
            num("bids"),
            num("price"),
            num("reserve"),
        ),
        outcome: text("outcome"),
        soft_close: f.get("soft_close").map(String::as_str) != Some("0"),
        watchers: num("watchers"),
        removed: doc
            .contains_key("hidden")
            .then(|| doc.get("hidden_why").cloned().unwrap_or_default()),
        terms: terms_from(doc),
        ended_early: f.get("ended_early").map(String::as_str) == Some("1"),
        // `pending` while the new listing is being made: not one yet.
        relisted_as: text("relisted_as").and_then(|v| ItemId::parse(&v)),
        revision: doc.get("rev").and_then(|v| v.parse().ok()).unwrap_or(0),
        additions: additions_from(id, doc),
    })
}

/// The additions to an item's description: the JSON array `lua/add_to_description.lua`
/// writes. One that is not (never written so) is logged and shown as none: the listing's
/// own text still shows.
fn additions_from(id: ItemId, doc: &HashMap<String, String>) -> Vec<crate::items::Addition> {
    let Some(raw) = doc.get("additions") else {
        return Vec::new();
    };
    serde_json::from_str(raw).unwrap_or_else(|e| {
        tracing::error!(item_id = %id, error = %e, "unreadable description additions");
        Vec::new()
    })
}

/// A listing's condition, location, shipping and returns from its document; `None` for a
/// listing from before they were asked (no condition), or one whose fields are not what
/// `lua/create_item.lua` writes.
fn terms_from(doc: &HashMap<String, String>) -> Option<ListingTerms> {
    let condition = Condition::parse(doc.get("condition")?)?;
    let shipping = Shipping::from_field(doc.get("shipping")?.parse().ok()?)?;
    let returns_days = doc.get("returns")?.parse().ok()?;
    Some(ListingTerms {
        condition,
        location: doc.get("location").cloned().unwrap_or_default(),
        shipping,
        returns_days,
    })
}

/// Parses one history entry `bidder_id|cents|ms|kind|bidder_name`, kind `b` (a bid), `a` (an
/// automatic bid for the leader), `n` (Buy It Now) or `x` (a bid cancelled, see
/// `auction::server::cancel`); entries written before kinds existed have no kind
/// (`bidder_id|cents|ms|bidder_name`). Usernames never contain `|`.
pub(crate) fn parse_bid(raw: &str) -> Option<BidEntry> {
    let parts: Vec<&str> = raw.split('|').collect();
    let (kind, name) = match parts.as_slice() {
        [_, _, _, kind @ ("b" | "a" | "n" | "x"), name] => (*kind, *name),
        [_, _, _, name] => ("b", *name),
        _ => return None,
    };
    Some(BidEntry {
        bidder_id: parts[0].parse().ok()?,
        amount_cents: parts[1].parse().ok()?,
        at_ms: parts[2].parse().ok()?,
        bidder_name: name.to_string(),
        auto: kind == "a",
        bought: kind == "n",
        cancelled: kind == "x",
    })
}

/// Everything the item page shows (but its comments): the item, its history, the viewer's
/// like, then its similar items: two round trips. (The view is counted around the page, by
/// `views::record_visit`.)
pub async fn page(
    db: &Db,
    id: ItemId,
    viewer_id: Option<UserId>,
) -> Result<Option<ItemPageData>, AppError> {
    let keys = db.keys();
    let mut read_conn = db.conn()?;
    let mut pipe = redis::pipe();
    pipe.cmd("HGETALL")
        .arg(keys.item(id))
        .cmd("HGETALL")
        .arg(keys.item_state(id))
        .cmd("LRANGE")
        .arg(keys.item_bids(id))
        .arg(0)
        .arg(HISTORY_LIMIT as isize - 1)
        .cmd("SISMEMBER")
        .arg(keys.item_likers(id))
        .arg(viewer_id.map_or(0, u64::from))
        .cmd("GET")
        .arg(keys.item_similar(id))
        .cmd("HGET")
        .arg(keys.item_maxes(id))
        .arg(viewer_id.map_or(0, u64::from))
        .cmd("SISMEMBER")
        .arg(keys.item_watchers(id))
        .arg(viewer_id.map_or(0, u64::from));
    type PageRows = (
        HashMap<String, String>,
        HashMap<String, String>,
        Vec<String>,
        bool,
        Option<String>,
        Option<i64>,
        bool,
    );
    let (doc, state, history, liked, similar_ids, my_max, watching) = pipe
        .query_async::<PageRows>(&mut read_conn)
        .await
        .map_err(|e| redis_error("item page", e))?;
    let Some(item) = detail_from(id, &doc, &state) else {
        return Ok(None);
    };
    let similar = similar_cards(db, id, &item, similar_ids).await?;
    Ok(Some(ItemPageData {
        item,
        history: history.iter().filter_map(|raw| parse_bid(raw)).collect(),
        similar,
        liked_by_me: viewer_id.is_some() && liked,
        viewer_id,
        my_max_cents: my_max.filter(|_| viewer_id.is_some()),
        watching: viewer_id.is_some() && watching,
        now_ms: now_ms(),
    }))
}

/// The fields of an item's state that the item page shows and a viewer's own actions change
/// (views excepted: they change with every new visitor, so the page reads them fresh instead).
/// (Closing always writes `outcome`, so `closed` need not be compared; a revision of the
/// listing by its seller writes `rev`.)
const SHOWN_STATE: [&str; 11] = [
    "rev",
    "relisted_as",
    "price",
    "bids",
    "high_bidder_id",
    "likes",
    "watchers",
    "comments",
    "ends_at",
    "outcome",
    "min_bid",
];

/// For a page rendered for every viewer from `shown`: what signed-in `viewer_id` brings to
/// it (their like, maximum and watch) and the item's views now (they change with every new
/// visitor, so the page shows them from here rather than render again), or `None` when the
/// item's state no longer matches `shown` (a bid, like, watch or comment since, perhaps
/// theirs: the page must be rendered again). One round trip.
pub async fn viewer_state(
    db: &Db,
    shown: &ItemDetail,
    viewer_id: UserId,
) -> Result<Option<(ItemViewer, i64)>, AppError> {
    let keys = db.keys();
    let id = shown.id;
    let mut conn = db.conn()?;
    let mut pipe = redis::pipe();
    pipe.cmd("HMGET")
        .arg(keys.item_state(id))
        .arg(&SHOWN_STATE[..])
        .arg("views");
    pipe.cmd("SISMEMBER")
        .arg(keys.item_likers(id))
        .arg(viewer_id);
    pipe.cmd("HGET").arg(keys.item_maxes(id)).arg(viewer_id);
    pipe.cmd("SISMEMBER")
        .arg(keys.item_watchers(id))
        .arg(viewer_id);
    type Rows = (Vec<Option<String>>, bool, Option<i64>, bool);
    let (state, liked, my_max, watching) = pipe
        .query_async::<Rows>(&mut conn)
        .await
        .map_err(|e| redis_error("item viewer", e))?;
    let now: HashMap<String, String> = SHOWN_STATE
        .iter()
        .chain(&["views"])
        .zip(state)
        .filter_map(|(k, v)| v.map(|v| (k.to_string(), v)))
        .collect();
    let num = |k: &str| now.get(k).and_then(|v| v.parse::<i64>().ok()).unwrap_or(0);
    let text = |k: &str| now.get(k).cloned().filter(|v| !v.is_empty());
    let unchanged = num("price") == shown.price_cents
        && num("bids") == shown.bids
        && text("high_bidder_id").and_then(|v| v.parse().ok()) == shown.high_bidder_id
        && num("likes") == shown.likes
        && num("watchers") == shown.watchers
        && num("comments") == shown.comments
        && num("ends_at") == shown.ends_at_ms
        && text("outcome") == shown.outcome
        && num("min_bid") == shown.min_bid_cents
        && text("relisted_as").and_then(|v| ItemId::parse(&v)) == shown.relisted_as
        && num("rev") == i64::from(shown.revision);
    let viewer = ItemViewer {
        id: Some(viewer_id),
        liked,
        my_max_cents: my_max,
        watching,
    };
    Ok(unchanged.then_some((viewer, num("views"))))
}

/// The item page's price chart alone (for live pages after a bid): one round trip.
pub async fn price_chart(db: &Db, id: ItemId, zone: &Zone) -> Result<Option<String>, AppError> {
    let keys = db.keys();
    let mut conn = db.conn()?;
    let mut pipe = redis::pipe();
    pipe.hget(keys.item(id), "created_at")
        .hmget(keys.item_state(id), &["start_price", "ends_at"])
        .lrange(keys.item_bids(id), 0, HISTORY_LIMIT as isize - 1)
        .hexists(keys.item(id), "hidden");
    type ChartRows = (Option<i64>, (Option<i64>, Option<i64>), Vec<String>, bool);
    let (created, (start, ends), history, hidden) = pipe
        .query_async::<ChartRows>(&mut conn)
        .await
        .map_err(|e| redis_error("price chart", e))?;
    // A listing a moderator hid has no public chart.
    let (Some(created), Some(start), Some(ends), false) = (created, start, ends, hidden) else {
        return Ok(None);
    };
    let history: Vec<_> = history.iter().filter_map(|raw| parse_bid(raw)).collect();
    Ok(Some(crate::items::price_chart_html(
        &history,
        start,
        created,
        ends,
        now_ms(),
        zone,
    )))
}

/// How long the list of similar items is reused before it is searched again.
const SIMILAR_TTL_SECS: u64 = 60;

/// Similar items: the cached id list when there is one (then only the cards are read, one
/// pipeline), otherwise two `FT.SEARCH` whose ids are cached for [`SIMILAR_TTL_SECS`].
///
/// When the list expires under load, the requests of that moment would all search at once
/// (at 50,000 items, 32 at once held Redis for most of a second): one search per item and
/// instance runs, the others wait for it and read what it stored.
async fn similar_cards(
    db: &Db,
    id: ItemId,
    item: &ItemDetail,
    cached: Option<String>,
) -> Result<Vec<ItemCard>, AppError> {
    if let Some(ids) = cached {
        return cards_of_list(db, &ids).await;
    }
    let key = db.keys().item_similar(id);
    let _turn = SIMILAR_TURNS.take(&key).await;
    let mut conn = db.conn()?;
    // Another request may have searched while this one waited.
    let stored: Option<String> = redis::cmd("GET")
        .arg(&key)
        .query_async(&mut conn)
        .await
        .map_err(|e| redis_error("similar items", e))?;
    if let Some(ids) = stored {
        return cards_of_list(db, &ids).await;
    }
    let cards = index::similar(db, id, &item.name, &item.description).await?;
    let ids: Vec<String> = cards.iter().map(|c| c.id.to_string()).collect();
    let stored: redis::RedisResult<()> = redis::cmd("SET")
        .arg(&key)
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

/// The cards of a stored similar-items list (comma-separated ids).
async fn cards_of_list(db: &Db, ids: &str) -> Result<Vec<ItemCard>, AppError> {
    let ids: Vec<ItemId> = ids.split(',').filter_map(ItemId::parse).collect();
    crate::items::server::cards::cards_by_id(db, &ids).await
}

/// Whose turn it is to search for an item's similar items, per instance.
static SIMILAR_TURNS: std::sync::LazyLock<Turns> = std::sync::LazyLock::new(|| Turns::new(64));

/// The field of photo `n` (1 = the cover) in an item's image hash: `large`/`thumb` for the
/// cover, `large:n`/`thumb:n` for the others.
pub fn photo_field(n: usize, thumb: bool) -> String {
    let size = if thumb { "thumb" } else { "large" };
    if n <= 1 {
        size.to_string()
    } else {
        format!("{size}:{n}")
    }
}

/// An item's cover photo (`thumb` or large) as JPEG bytes, if it has one: its own, or the
/// shared demo photo it points to.
pub async fn photo(db: &Db, id: ItemId, thumb: bool) -> Result<Option<Vec<u8>>, AppError> {
    photo_n(db, id, 1, thumb).await
}

/// Photo `n` of an item (1 = the cover; `thumb` or large) as JPEG bytes, if it has one: its
/// own, or (the cover only) the shared demo photo it points to. None for a listing a moderator
/// hid (read in the same round trip).
pub async fn photo_n(
    db: &Db,
    id: ItemId,
    n: usize,
    thumb: bool,
) -> Result<Option<Vec<u8>>, AppError> {
    let keys = db.keys();
    let size = photo_field(n, thumb);
    let mut conn = db.conn()?;
    let fail = |e| redis_error("photo", e);
    let (source, own, hidden): (Option<String>, Option<Vec<u8>>, bool) = redis::pipe()
        .cmd("HGET")
        .arg(keys.item(id))
        .arg("photo")
        .cmd("HGET")
        .arg(keys.item_image(id))
        .arg(&size)
        .cmd("HEXISTS")
        .arg(keys.item(id))
        .arg("hidden")
        .query_async(&mut conn)
        .await
        .map_err(fail)?;
    if hidden {
        return Ok(None);
    }
    let demo = source
        .as_deref()
        .and_then(|s| s.strip_prefix("demo:"))
        .and_then(|n| n.parse::<u64>().ok());
    match demo {
        Some(_) if n > 1 => Ok(None),
        Some(demo) => redis::cmd("HGET")
            .arg(keys.demo_image(demo))
            .arg(size)
            .query_async(&mut conn)
            .await
            .map_err(fail),
        None => Ok(own),
    }
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

/// An item's name, unless a moderator hid it (`moderation`): what the pages and streams that
/// everyone may open (its comments, its live events) ask before serving it.
pub async fn listed_name(db: &Db, id: ItemId) -> Result<Option<String>, AppError> {
    let mut conn = db.conn()?;
    let (name, hidden): (Option<String>, Option<String>) = redis::cmd("HMGET")
        .arg(db.keys().item(id))
        .arg(&["name", "hidden"])
        .query_async(&mut conn)
        .await
        .map_err(|e| redis_error("item name", e))?;
    Ok(name.filter(|_| hidden.is_none()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_entries_carry_their_kind_and_old_entries_still_read() {
        let row = |raw: &str| {
            parse_bid(raw).map(|e| (e.bidder_id, e.amount_cents, e.bidder_name, e.auto, e.bought))
        };
        // (stored row, automatic, Buy It Now); the last was written before kinds existed.
        for (stored, auto, bought) in [
            ("7|1250|1700000000000|b|ann", false, false),
            ("7|1250|1700000000000|a|ann", true, false),
            ("7|1250|1700000000000|n|ann", false, true),
            ("7|1250|1700000000000|ann", false, false),
        ] {
            let expected = (UserId(7), 1250, "ann".to_string(), auto, bought);
            assert_eq!(row(stored), Some(expected), "{stored}");
        }
        assert!(parse_bid("garbage").is_none());
        assert!(parse_bid("7|x|1|b|ann").is_none());
    }
}
