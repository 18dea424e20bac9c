//! The Redis side of analytics: the fold that turns the shards' stats logs (written by the
//! item scripts: `record_stats` in lua/prelude.lua) into counts ([`fold_all`],
//! [`spawn_folder`]), reading series back (one round trip per read, whatever the span), the
//! market's rankings for the hour, and the counts that have no write script of their own
//! (sign-ups, active visitors).

pub mod keys;
pub mod ops;
pub mod people;
pub mod visitors;

use super::{Metric, Scale, Series, Span, HOUR_MS};
use crate::error::AppError;
use crate::server::redis::db::{redis_error, Db};
use crate::server::redis::keys::{shard_of, Keys, SHARDS};
use crate::util::id::ItemId;
use crate::util::id::UserId;

/// `lua/stats_add.lua`: one counted event outside a write script (sign-ups, tests).
pub static STATS_ADD: std::sync::LazyLock<redis::Script> = crate::lua_script!("stats_add");

/// `lua/stats_fold.lua`: fold a shard's stats log into its counts, exactly once.
pub static STATS_FOLD: std::sync::LazyLock<redis::Script> = crate::lua_script!("stats_fold");

/// Entries one fold takes from a shard's log.
const FOLD_BATCH: usize = 500;
/// How often each instance folds every shard's log (the delay before a count shows).
pub const FOLD_EVERY: std::time::Duration = std::time::Duration::from_millis(250);

/// Folds one shard's stats log into counts (`lua/stats_fold.lua`); returns the entries folded.
pub async fn fold(db: &Db, shard: u64, now_ms: i64) -> Result<usize, AppError> {
    let keys = db.keys();
    let hour = now_ms.div_euclid(HOUR_MS);
    let mut conn = db.conn()?;
    STATS_FOLD
        .key(keys.stats_log(shard))
        .key(keys.stats_items(shard))
        .key(keys.stats_sellers(shard))
        .key(keys.stats_site(shard))
        .key(keys.trending(shard, hour))
        .key(keys.trending(shard, hour - 1))
        .key(keys.price_jumps(shard, hour))
        .key(keys.price_jumps(shard, hour - 1))
        .key(keys.people_log(shard))
        .arg(FOLD_BATCH)
        .arg(hour)
        .arg(keys.user_channel_prefix())
        .arg(keys.market_channel())
        .invoke_async(&mut conn)
        .await
        .map_err(|e| redis_error("fold stats", e))
}

/// Folds every shard's log until it is empty (or grows faster than it is folded: then the next
/// round continues). Returns the entries folded.
pub async fn fold_all(db: &Db) -> Result<usize, AppError> {
    flush_repeat_views(db).await?;
    let mut total = 0;
    for shard in 0..SHARDS {
        for _ in 0..20 {
            let folded = fold(db, shard, crate::util::time::now_ms()).await?;
            total += folded;
            if folded < FOLD_BATCH {
                break;
            }
        }
        for _ in 0..20 {
            if people::count_people(db, shard).await? < people::BATCH {
                break;
            }
        }
    }
    Ok(total)
}

/// Folds the logs every [`FOLD_EVERY`] until the process ends. Every instance does it: the
/// fold is atomic, so instances folding at once never count an event twice.
pub fn spawn_folder(db: &Db) -> tokio::task::JoinHandle<()> {
    let db = db.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(FOLD_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = fold_all(&db).await {
                tracing::debug!(error = ?e, "stats fold skipped");
            }
        }
    })
}

/// Whose counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Item(ItemId),
    /// Every item of a seller (their counts are kept per shard and summed when read).
    Seller(UserId),
    Site,
}

impl Scope {
    /// The hashes that hold the scope's counts, and the prefix of its fields.
    fn hashes(self, keys: &Keys) -> (Vec<String>, String) {
        match self {
            Scope::Item(id) => (vec![keys.stats_items(shard_of(id.0))], format!("{id}:")),
            Scope::Seller(id) => (
                (0..SHARDS).map(|s| keys.stats_sellers(s)).collect(),
                format!("{id}:"),
            ),
            Scope::Site => (
                (0..SHARDS).map(|s| keys.stats_site(s)).collect(),
                String::new(),
            ),
        }
    }
}

/// The series of `metrics` over `span` ending at `now_ms`, in one round trip (one `HMGET` per
/// hash of the scope, pipelined; counts from several shards are summed). A seller's visitors
/// and bidders are people ([`people`]): each bucket counts a person once, and the series'
/// total is the people of the whole span, read alongside.
pub async fn series(
    db: &Db,
    scope: Scope,
    metrics: &[Metric],
    span: Span,
    now_ms: i64,
) -> Result<Vec<Series>, AppError> {
    let scale = span.scale();
    let buckets: Vec<i64> = span.bucket_range(now_ms).collect();
    let (hashes, prefix) = scope.hashes(db.keys());
    // The span's buckets lie in (at most) two periods: two packed fields per metric.
    let first = scale.period_and_slot(buckets[0]).0;
    let last = scale.period_and_slot(buckets[buckets.len() - 1]).0;
    let periods: Vec<i64> = (first..=last).collect();
    // A seller's people are read from their HyperLogLogs; only the other metrics are counts in
    // the hashes (the fold writes no people fields for sellers).
    let is_people = |metric: &Metric| match scope {
        Scope::Seller(_) => people::counts_people(*metric),
        _ => false,
    };
    let counted: Vec<Metric> = metrics.iter().copied().filter(|m| !is_people(m)).collect();
    let fields: Vec<String> = counted
        .iter()
        .flat_map(|m| periods.iter().map(|p| scale.field(&prefix, *m, *p)))
        .collect();
    let mut pipe = redis::pipe();
    for hash in &hashes {
        pipe.cmd("HMGET").arg(hash).arg(&fields);
    }
    let mut conn = db.conn()?;
    let people =
        futures_util::future::try_join_all(metrics.iter().filter_map(|metric| match scope {
            Scope::Seller(seller) if is_people(metric) => {
                let buckets = &buckets;
                Some(async move {
                    let counts = people::people_series(db, seller, *metric, scale, buckets).await?;
                    Ok::<_, AppError>((*metric, counts))
                })
            }
            _ => None,
        }));
    let hashes = async {
        if fields.is_empty() {
            return Ok(Vec::new());
        }
        pipe.query_async::<Vec<Vec<Option<String>>>>(&mut conn)
            .await
            .map_err(|e| redis_error("analytics series", e))
    };
    let (rows, people) = tokio::try_join!(hashes, people)?;
    let start_ms = buckets[0] * scale.width_ms();
    let series = |metric: Metric, values: Vec<i64>, people: Option<i64>| Series {
        metric,
        start_ms,
        step_ms: scale.width_ms(),
        values,
        people,
    };
    // Both lists keep the metrics' order: each metric takes the next of its kind.
    let mut people = people.into_iter();
    let mut counted = counted.iter().enumerate();
    Ok(metrics
        .iter()
        .filter_map(|metric| {
            if is_people(metric) {
                let (_, (values, all)) = people.next()?;
                return Some(series(*metric, values, Some(all)));
            }
            let (m, _) = counted.next()?;
            let values = buckets
                .iter()
                .map(|bucket| {
                    let (period, slot) = scale.period_and_slot(*bucket);
                    let field = m * periods.len() + (period - first) as usize;
                    rows.iter()
                        .filter_map(|row| row.get(field).cloned().flatten())
                        .map(|value| Scale::unpack(&value, slot))
                        .sum()
                })
                .collect();
            Some(series(*metric, values, None))
        })
        .collect())
}

/// Logs `n` of a metric for one scope at `at_ms` (now when `None`), to be folded like the
/// events of the write scripts. For events without a script of their own (sign-ups, counted
/// for the site) and for tests with known times.
pub async fn record(
    db: &Db,
    scope: Scope,
    metric: Metric,
    n: i64,
    at_ms: Option<i64>,
) -> Result<(), AppError> {
    let keys = db.keys();
    let (shard, scopes, item, seller) = match scope {
        Scope::Item(id) => (shard_of(id.0), "i", id.to_string(), "-".to_string()),
        Scope::Seller(id) => (shard_of(id.0), "s", "-".to_string(), id.to_string()),
        Scope::Site => (rand_shard(), "x", "-".to_string(), "-".to_string()),
    };
    let mut conn = db.conn()?;
    let _: String = STATS_ADD
        .key(keys.stats_log(shard))
        .arg(scopes)
        .arg(item)
        .arg(seller)
        .arg(metric.code())
        .arg(n)
        .arg(at_ms.map(|t| t.to_string()).unwrap_or_default())
        .invoke_async(&mut conn)
        .await
        .map_err(|e| redis_error("record stats", e))?;
    Ok(())
}

/// Site counts spread over the shards' logs (any shard will do: they are summed when read).
fn rand_shard() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed) % SHARDS
}

/// Where one count at `at_ms` is kept at every scale, for tests and tools: the scale, the
/// packed field, its period and the bucket's slot in it.
pub fn fields_at(metric: Metric, prefix: &str, at_ms: i64) -> Vec<(Scale, String, i64, usize)> {
    [Scale::Minute, Scale::Hour, Scale::Day]
        .into_iter()
        .map(|s| {
            let (period, slot) = s.period_and_slot(s.bucket(at_ms));
            (s, s.field(prefix, metric, period), period, slot)
        })
        .collect()
}

/// The top `n` items of a per-hour ranking over the last hour: this hour's scores plus the
/// previous hour's, weighted by how much of it is still within the last 60 minutes. Reads the
/// top of each shard's two sets in one round trip (cost: O(shards × n), not the catalogue).
async fn hour_ranking(
    db: &Db,
    key: impl Fn(&Keys, u64, i64) -> String,
    n: usize,
    now_ms: i64,
) -> Result<Vec<(u64, f64)>, AppError> {
    let hour = now_ms.div_euclid(HOUR_MS);
    let previous_weight = 1.0 - now_ms.rem_euclid(HOUR_MS) as f64 / HOUR_MS as f64;
    let keys = db.keys();
    let mut pipe = redis::pipe();
    for shard in 0..SHARDS {
        for h in [hour, hour - 1] {
            pipe.cmd("ZRANGE")
                .arg(key(keys, shard, h))
                .arg(0)
                .arg(n as i64 * 2 - 1)
                .arg("REV")
                .arg("WITHSCORES");
        }
    }
    let mut conn = db.conn()?;
    let rows: Vec<Vec<(u64, f64)>> = pipe
        .query_async(&mut conn)
        .await
        .map_err(|e| redis_error("hour ranking", e))?;
    let mut scores: std::collections::HashMap<u64, f64> = std::collections::HashMap::new();
    for (i, row) in rows.into_iter().enumerate() {
        let weight = if i % 2 == 0 { 1.0 } else { previous_weight };
        for (id, score) in row {
            *scores.entry(id).or_default() += score * weight;
        }
    }
    let mut ranked: Vec<(u64, f64)> = scores.into_iter().filter(|(_, s)| *s > 0.0).collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    ranked.truncate(n);
    Ok(ranked)
}

/// Items with the most activity in the last hour (new visitors, bids ×5, watches ×3, likes and
/// comments ×2), with their scores.
pub async fn trending(db: &Db, n: usize, now_ms: i64) -> Result<Vec<(u64, f64)>, AppError> {
    hour_ranking(db, |k, s, h| k.trending(s, h), n, now_ms).await
}

/// Items whose price rose the most in the last hour, with the rise in cents.
pub async fn price_jumps(db: &Db, n: usize, now_ms: i64) -> Result<Vec<(u64, f64)>, AppError> {
    hour_ranking(db, |k, s, h| k.price_jumps(s, h), n, now_ms).await
}

/// Auctions running now: the entries of every shard's ending schedule that end after `now_ms`
/// (`ZCOUNT`, O(log n)), in one round trip.
pub async fn active_auctions(db: &Db, now_ms: i64) -> Result<i64, AppError> {
    let keys = db.keys();
    let mut pipe = redis::pipe();
    for shard in 0..SHARDS {
        pipe.cmd("ZCOUNT")
            .arg(keys.rank_ending(shard))
            .arg(format!("({now_ms}"))
            .arg("+inf");
    }
    let mut conn = db.conn()?;
    let counts: Vec<i64> = pipe
        .query_async(&mut conn)
        .await
        .map_err(|e| redis_error("active auctions", e))?;
    Ok(counts.into_iter().sum())
}

/// Repeat views per key namespace, (item, seller) → views.
type PendingViews =
    std::collections::HashMap<String, std::collections::HashMap<(ItemId, UserId), i64>>;

/// Repeat views waiting to be logged. A repeat view writes nothing (the visitor was counted
/// before), so it has no write script to ride on; each instance counts them here and logs them
/// every [`FOLD_EVERY`], one log entry per item (best effort: a crash loses at most that much
/// of them). Kept per key namespace, so tests sharing a process never mix them.
fn pending_views() -> &'static std::sync::Mutex<PendingViews> {
    static PENDING: std::sync::OnceLock<std::sync::Mutex<PendingViews>> =
        std::sync::OnceLock::new();
    PENDING.get_or_init(Default::default)
}

/// Items with repeat views held between two flushes (more are not counted until the next).
const MAX_PENDING_VIEWS: usize = 10_000;

/// Notes a repeat view of `item_id` (sold by `seller_id`), logged with the next flush.
pub fn note_repeat_view(db: &Db, item_id: ItemId, seller_id: UserId) {
    let mut all = pending_views().lock().unwrap_or_else(|e| e.into_inner());
    let prefix = db.keys().prefix();
    if !all.contains_key(prefix) {
        all.insert(prefix.to_string(), Default::default());
    }
    let Some(pending) = all.get_mut(prefix) else {
        return;
    };
    let full = pending.len() >= MAX_PENDING_VIEWS;
    match pending.get_mut(&(item_id, seller_id)) {
        Some(views) => *views += 1,
        None if !full => {
            pending.insert((item_id, seller_id), 1);
        }
        None => {}
    }
}

/// Logs the repeat views noted since the last flush (one pipeline, one entry per item).
pub async fn flush_repeat_views(db: &Db) -> Result<(), AppError> {
    let views = pending_views()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .remove(db.keys().prefix())
        .unwrap_or_default();
    if views.is_empty() {
        return Ok(());
    }
    let keys = db.keys();
    let mut pipe = redis::pipe();
    for ((item, seller), n) in &views {
        pipe.cmd("XADD")
            .arg(keys.stats_log(shard_of(item.0)))
            .arg("*")
            .arg("e")
            .arg(format!(
                "isx {item} {seller} 0 0 {}{n}",
                Metric::Views.code()
            ))
            .ignore();
    }
    let mut conn = db.conn()?;
    pipe.query_async::<()>(&mut conn)
        .await
        .map_err(|e| redis_error("log repeat views", e))
}
