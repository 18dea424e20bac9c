//! The home page rankings of live auctions: "Ending soonest", "Most viewed", "Highest price".
//!
//! Each ranking is a sorted set per item shard (`{p}rank:ending|views|price:{sNN}`), kept by
//! the same Lua script as the write that changes it (listing, bid, new unique view) and left
//! by an auction when it closes. Reading the top N costs O(log n + N) per shard, whatever the
//! size of the catalogue: one pipeline of `ZRANGE`s over the shards, merged here, then one
//! pipeline for the cards. Each instance keeps the result for [`FRESH_FOR`] (the cards' prices
//! are refreshed live in the browser).

use crate::error::AppError;
use crate::items::server::cards::cards_by_id;
use crate::items::{HomeSections, ItemId, HOME_SECTION_SIZE};
use crate::server::redis::db::{redis_error, Db};
use crate::server::redis::keys::SHARDS;
use crate::server::short_cache::ShortCache;
use crate::util::time::now_ms;
use std::collections::HashMap;
use std::sync::{Arc, LazyLock};
use std::time::Duration;

/// How long one instance reuses the rankings it read.
pub const FRESH_FOR: Duration = Duration::from_millis(500);

/// Reads the three rankings: two round trips, whatever the size of the catalogue.
pub async fn home_sections(db: &Db) -> Result<HomeSections, AppError> {
    let keys = db.keys();
    let now = now_ms();
    let n = HOME_SECTION_SIZE;
    // An auction leaves the rankings when the closer closes it, up to a moment after its
    // end: read a few more per shard and drop the ended ones below.
    let wanted = 2 * n;
    let mut pipe = redis::pipe();
    for shard in 0..SHARDS {
        pipe.cmd("ZRANGE")
            .arg(keys.rank_ending(shard))
            .arg(format!("({now}"))
            .arg("+inf")
            .arg("BYSCORE")
            .arg("LIMIT")
            .arg(0)
            .arg(n)
            .arg("WITHSCORES");
        for rank in [keys.rank_views(shard), keys.rank_price(shard)] {
            pipe.cmd("ZRANGE")
                .arg(rank)
                .arg(0)
                .arg(wanted - 1)
                .arg("REV")
                .arg("WITHSCORES");
        }
    }
    let mut conn = db.conn()?;
    let replies: Vec<Vec<(u64, f64)>> = pipe
        .query_async(&mut conn)
        .await
        .map_err(|e| redis_error("home rankings", e))?;
    let (mut ending, mut viewed, mut priced) = (Vec::new(), Vec::new(), Vec::new());
    for (i, reply) in replies.into_iter().enumerate() {
        match i % 3 {
            0 => ending.extend(reply),
            1 => viewed.extend(reply),
            _ => priced.extend(reply),
        }
    }
    // Lowest end first; most views and highest price first; ties by id, newest first.
    let top = |mut all: Vec<(u64, f64)>, ascending: bool| -> Vec<ItemId> {
        all.sort_by(|a, b| {
            let by_score = if ascending {
                a.1.total_cmp(&b.1)
            } else {
                b.1.total_cmp(&a.1)
            };
            by_score.then(b.0.cmp(&a.0))
        });
        all.into_iter()
            .take(wanted)
            .map(|(id, _)| ItemId(id))
            .collect()
    };
    let (ending, viewed, priced) = (top(ending, true), top(viewed, false), top(priced, false));
    let mut wanted: Vec<ItemId> = ending
        .iter()
        .chain(&viewed)
        .chain(&priced)
        .copied()
        .collect();
    wanted.sort();
    wanted.dedup();
    let cards: HashMap<String, crate::items::ItemCard> = cards_by_id(db, &wanted)
        .await?
        .into_iter()
        .map(|c| (c.id.clone(), c))
        .collect();
    let pick = |ids: Vec<ItemId>| {
        ids.iter()
            .filter_map(|id| cards.get(&id.to_string()).cloned())
            .filter(|card| card.ends_at_ms > now)
            .take(n)
            .collect()
    };
    Ok(HomeSections {
        ending_soon: pick(ending),
        most_viewed: pick(viewed),
        highest_price: pick(priced),
        now_ms: now,
    })
}

/// What one instance read last, per key namespace.
static RECENT: LazyLock<ShortCache<HomeSections>> = LazyLock::new(|| ShortCache::new(FRESH_FOR));

/// [`home_sections`] through the instance's short cache: at most one read of Redis per
/// [`FRESH_FOR`], however many requests come in.
pub async fn home_sections_cached(db: &Db) -> Result<Arc<HomeSections>, AppError> {
    RECENT.get(db.keys().prefix(), || home_sections(db)).await
}
