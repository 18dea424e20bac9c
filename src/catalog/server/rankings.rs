//! The home page rankings of live auctions: "Ending soonest", "Most viewed", "Highest price".
//!
//! Each ranking is a sorted set per item shard (`{p}rank:ending|views|price:{sNN}`), kept by
//! the same Lua script as the write that changes it (listing, bid, new unique view) and left
//! by an auction when it closes. Reading the top N costs O(log n + N) per shard, whatever the
//! size of the catalogue: one pipeline of `ZRANGE`s over the shards, merged here, then one
//! pipeline for the cards. Each instance keeps the result for [`FRESH_FOR`] (the cards' prices
//! are refreshed live in the browser).

use crate::catalog::{HomeSections, HOME_SECTION_SIZE};
use crate::error::AppError;
use crate::items::server::cards::cards_by_id;
use crate::items::ItemId;
use crate::server::redis::db::{redis_error, Db};
use crate::server::redis::keys::SHARDS;
use crate::server::redis::Keys;
use crate::server::short_cache::ShortCache;
use crate::util::time::now_ms;
use std::collections::HashMap;
use std::sync::{Arc, LazyLock};
use std::time::Duration;

/// How long one instance reuses the rankings it read.
pub const FRESH_FOR: Duration = Duration::from_millis(500);

/// Reads the three rankings (and the categories' counts, cached on their own): two round
/// trips, whatever the size of the catalogue.
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
    // Lowest end first; most views and highest price first.
    let top = |mut all: Vec<(u64, f64)>, ascending: bool| -> Vec<ItemId> {
        merge_order(&mut all, ascending);
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
    let cards: HashMap<ItemId, crate::items::ItemCard> = cards_by_id(db, &wanted)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let pick = |ids: Vec<ItemId>| {
        ids.iter()
            .filter_map(|id| cards.get(id).cloned())
            .filter(|card| card.ends_at_ms > now)
            .take(n)
            .collect()
    };
    Ok(HomeSections {
        ending_soon: pick(ending),
        most_viewed: pick(viewed),
        highest_price: pick(priced),
        categories: category_counts(db).await?.as_ref().clone(),
        now_ms: now,
    })
}

/// Orders (item id, score) pairs merged from the shards' rankings: by score, ascending or
/// not; ties by id, newest first.
fn merge_order(all: &mut [(u64, f64)], ascending: bool) {
    all.sort_by(|a, b| {
        let by_score = if ascending {
            a.1.total_cmp(&b.1)
        } else {
            b.1.total_cmp(&a.1)
        };
        by_score.then(b.0.cmp(&a.0))
    });
}

/// What one instance read last, per key namespace.
static RECENT: LazyLock<ShortCache<HomeSections>> = LazyLock::new(|| ShortCache::new(FRESH_FOR));

/// [`home_sections`] through the instance's short cache: at most one read of Redis per
/// [`FRESH_FOR`], however many requests come in.
pub async fn home_sections_cached(db: &Db) -> Result<Arc<HomeSections>, AppError> {
    RECENT.get(db.keys().prefix(), || home_sections(db)).await
}

/// How an empty search browses the live auctions: one of the rankings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BrowseSort {
    #[default]
    EndingSoon,
    PriceLow,
    PriceHigh,
    MostViewed,
}

impl BrowseSort {
    pub fn parse(s: &str) -> Self {
        match s {
            "price_asc" => BrowseSort::PriceLow,
            "price_desc" => BrowseSort::PriceHigh,
            "views" => BrowseSort::MostViewed,
            _ => BrowseSort::EndingSoon,
        }
    }
}

/// A page of all live auctions in one ranking's order (an empty search), or of one category's
/// by end (a category has only its ending ranking: by price it goes through search). Two
/// round trips: the shards' heads (and the live count) in one pipeline, then the page's cards.
pub async fn browse(
    db: &Db,
    sort: BrowseSort,
    category: Option<&str>,
    page: usize,
) -> Result<crate::items::CardPage, AppError> {
    use crate::catalog::SEARCH_PAGE_SIZE;
    let keys = db.keys();
    let now = now_ms();
    let page = page.clamp(1, crate::catalog::BROWSE_PAGES);
    let depth = page * SEARCH_PAGE_SIZE;
    let mut pipe = redis::pipe();
    let sort = if category.is_some() {
        BrowseSort::EndingSoon
    } else {
        sort
    };
    for shard in 0..SHARDS {
        let ending = match category {
            Some(category) => keys.rank_ending_in(category, shard),
            None => keys.rank_ending(shard),
        };
        pipe.cmd("ZCOUNT")
            .arg(&ending)
            .arg(format!("({now}"))
            .arg("+inf");
        let cmd = pipe.cmd("ZRANGE");
        match sort {
            BrowseSort::EndingSoon => cmd
                .arg(&ending)
                .arg(format!("({now}"))
                .arg("+inf")
                .arg("BYSCORE")
                .arg("LIMIT")
                .arg(0)
                .arg(depth),
            BrowseSort::PriceLow => cmd.arg(keys.rank_price(shard)).arg(0).arg(depth - 1),
            BrowseSort::PriceHigh => cmd
                .arg(keys.rank_price(shard))
                .arg(0)
                .arg(depth - 1)
                .arg("REV"),
            BrowseSort::MostViewed => cmd
                .arg(keys.rank_views(shard))
                .arg(0)
                .arg(depth - 1)
                .arg("REV"),
        }
        .arg("WITHSCORES");
    }
    let mut conn = db.conn()?;
    let replies: Vec<redis::Value> = pipe
        .query_async(&mut conn)
        .await
        .map_err(|e| redis_error("browse", e))?;
    let mut total = 0u64;
    let mut all: Vec<(u64, f64)> = Vec::new();
    let mut replies = replies.into_iter();
    while let (Some(count), Some(head)) = (replies.next(), replies.next()) {
        total += redis::from_redis_value::<u64>(count).unwrap_or(0);
        all.extend(redis::from_redis_value::<Vec<(u64, f64)>>(head).unwrap_or_default());
    }
    merge_order(
        &mut all,
        matches!(sort, BrowseSort::EndingSoon | BrowseSort::PriceLow),
    );
    let ids: Vec<ItemId> = all
        .into_iter()
        .skip(depth - SEARCH_PAGE_SIZE)
        .take(SEARCH_PAGE_SIZE)
        .map(|(id, _)| ItemId(id))
        .collect();
    // Cards come back in the order asked; an auction past its end that the closer has not
    // taken out of the rankings yet is left out.
    let cards = cards_by_id(db, &ids)
        .await?
        .into_iter()
        .filter(|card| card.ends_at_ms > now)
        .collect();
    Ok(crate::items::CardPage {
        total,
        cards,
        now_ms: now,
        facets: category_counts(db).await?.as_ref().clone(),
        did_you_mean: None,
    })
}

/// Gives a write script the shard's ending ranking of every category, so the script itself
/// keeps the item's category ranking in step with the shard's (a soft close moves the end, Buy
/// It Now ends the auction): the rankings' keys come last among the script's KEYS and their
/// slugs last among its ARGV, in the same order, the default category first (see
/// `category_ranking` in `lua/prelude.lua`). The category rankings share the shard's slot, so
/// this stays one atomic step on a Redis Cluster.
pub trait CategoryRankings {
    fn category_rankings(&mut self, keys: &Keys, shard: u64) -> &mut Self;
}

impl CategoryRankings for redis::ScriptInvocation<'_> {
    fn category_rankings(&mut self, keys: &Keys, shard: u64) -> &mut Self {
        let others = crate::items::CATEGORIES
            .iter()
            .map(|(slug, _)| *slug)
            .filter(|slug| *slug != crate::items::DEFAULT_CATEGORY);
        for slug in std::iter::once(crate::items::DEFAULT_CATEGORY).chain(others) {
            self.key(keys.rank_ending_in(slug, shard));
            self.arg(slug);
        }
        self
    }
}

/// How many auctions are live in each category (slug, count), most first, without the empty
/// ones: a `ZCOUNT` of each category's ranking from now on, every shard, in one pipeline
/// (O(log n) each), at most once per [`FRESH_FOR`] per instance.
pub async fn category_counts(db: &Db) -> Result<Arc<Vec<(String, u64)>>, AppError> {
    COUNTS
        .get(db.keys().prefix(), || async {
            let keys = db.keys();
            let now = now_ms();
            let mut pipe = redis::pipe();
            for (slug, _) in crate::items::CATEGORIES {
                for shard in 0..SHARDS {
                    pipe.cmd("ZCOUNT")
                        .arg(keys.rank_ending_in(slug, shard))
                        .arg(format!("({now}"))
                        .arg("+inf");
                }
            }
            let mut conn = db.conn()?;
            let counts: Vec<u64> = pipe
                .query_async(&mut conn)
                .await
                .map_err(|e| redis_error("category counts", e))?;
            let mut facets: Vec<(String, u64)> = crate::items::CATEGORIES
                .iter()
                .zip(counts.chunks(SHARDS as usize))
                .map(|((slug, _), per_shard)| (slug.to_string(), per_shard.iter().sum()))
                .filter(|(_, n)| *n > 0)
                .collect();
            facets.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            Ok(facets)
        })
        .await
}

static COUNTS: LazyLock<ShortCache<Vec<(String, u64)>>> =
    LazyLock::new(|| ShortCache::new(FRESH_FOR));
