//! Reads through the items index (RediSearch): search, suggestions, similar items, a seller's
//! dashboard. Each is one `FT.SEARCH` (or one pipeline of them) for the ids, then one pipeline
//! for their cards: never one query per item. (The home rankings are sorted sets: see
//! `rankings`.)

use crate::error::AppError;
use crate::items::server::cards::cards_by_id;
use crate::items::{
    CardPage, ItemCard, ItemId, DASHBOARD_PAGE_SIZE, DASHBOARD_SORT_KEYS, MAX_QUERY_CHARS,
    SEARCH_PAGE_SIZE,
};
use crate::server::redis::db::{redis_error, Db};
use crate::server::redis::indexes::is_unknown_index;
use crate::server::short_cache::{RecentMap, Turns};
use crate::util::time::now_ms;
use redis::Value;

/// At most this many words of a query are searched.
const MAX_QUERY_TERMS: usize = 8;

/// Which auctions a search shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StatusFilter {
    #[default]
    All,
    Live,
    Ended,
}

/// Search result order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SearchSort {
    #[default]
    Relevance,
    PriceLow,
    PriceHigh,
    EndingSoon,
    Newest,
}

impl StatusFilter {
    pub fn parse(s: &str) -> Self {
        match s {
            "live" => StatusFilter::Live,
            "ended" => StatusFilter::Ended,
            _ => StatusFilter::All,
        }
    }
}

impl SearchSort {
    pub fn parse(s: &str) -> Self {
        match s {
            "price_asc" => SearchSort::PriceLow,
            "price_desc" => SearchSort::PriceHigh,
            "ending" => SearchSort::EndingSoon,
            "newest" => SearchSort::Newest,
            _ => SearchSort::Relevance,
        }
    }

    fn sort_by(self) -> Option<(&'static str, &'static str)> {
        match self {
            SearchSort::Relevance => None,
            SearchSort::PriceLow => Some(("price", "ASC")),
            SearchSort::PriceHigh => Some(("price", "DESC")),
            SearchSort::EndingSoon => Some(("ends_at", "ASC")),
            SearchSort::Newest => Some(("created_at", "DESC")),
        }
    }
}

/// Checks a dashboard sort key against the fixed list.
pub fn dashboard_sort_key(requested: &str) -> Result<&'static str, AppError> {
    DASHBOARD_SORT_KEYS
        .iter()
        .find(|k| **k == requested)
        .copied()
        .ok_or_else(|| {
            AppError::Invalid(format!(
                "Can't sort by {:?}; choose one of: {}.",
                requested.chars().take(40).collect::<String>(),
                DASHBOARD_SORT_KEYS.join(", ")
            ))
        })
}

/// Splits user text into searchable words, escaping everything RediSearch treats as syntax.
/// Words are letters and digits only; all punctuation is a separator, so no query can widen
/// or break the search (`*`, `|`, `-`, `@field:`, `{}`, `()`, quotes...).
pub fn query_terms(text: &str) -> Vec<String> {
    text.chars()
        .take(MAX_QUERY_CHARS)
        .collect::<String>()
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.chars().take(40).collect::<String>())
        .take(MAX_QUERY_TERMS)
        .collect()
}

/// The full-text part of a query: every word must match, exactly, by prefix or fuzzily
/// (Levenshtein distance 1 for words of 4+ letters).
pub fn text_query(terms: &[String]) -> Option<String> {
    if terms.is_empty() {
        return None;
    }
    let parts: Vec<String> = terms
        .iter()
        .map(|t| {
            let mut alternatives = vec![t.clone()];
            if t.chars().count() >= 2 {
                alternatives.push(format!("{t}*"));
            }
            if t.chars().count() >= 4 {
                alternatives.push(format!("%{t}%"));
            }
            format!("({})", alternatives.join("|"))
        })
        .collect();
    Some(parts.join(" "))
}

fn status_clause(status: StatusFilter, now_ms: i64) -> Option<String> {
    match status {
        StatusFilter::All => None,
        StatusFilter::Live => Some(format!("@ends_at:[({now_ms} +inf]")),
        StatusFilter::Ended => Some(format!("@ends_at:[-inf {now_ms}]")),
    }
}

/// An id query: `FT.SEARCH index query [SORTBY f dir] LIMIT off n NOCONTENT DIALECT 2`.
/// The cards are then read from the items themselves ([`cards_by_id`]), so they show live
/// numbers even where the index's copies lag a second behind.
pub fn id_search(
    index: &str,
    query: &str,
    sort: Option<(&str, &str)>,
    offset: usize,
    count: usize,
) -> redis::Cmd {
    let mut cmd = redis::cmd("FT.SEARCH");
    cmd.arg(index).arg(query);
    if let Some((field, dir)) = sort {
        cmd.arg("SORTBY").arg(field).arg(dir);
    }
    cmd.arg("LIMIT")
        .arg(offset)
        .arg(count)
        .arg("NOCONTENT")
        .arg("DIALECT")
        .arg(2);
    cmd
}

/// Runs index queries in one pipeline, handling a missing index (Redis restarted without
/// persistence) by asking for a new bootstrap.
async fn run(
    db: &Db,
    context: &'static str,
    pipe: redis::Pipeline,
) -> Result<Vec<Value>, AppError> {
    let mut conn = db.conn()?;
    match pipe.query_async(&mut conn).await {
        Ok(replies) => Ok(replies),
        Err(e) => {
            if is_unknown_index(&e) {
                db.mark_needs_bootstrap();
                tracing::warn!("items index missing; re-creating it");
                return Err(AppError::Unavailable);
            }
            db.note_failure(&e);
            Err(redis_error(context, e))
        }
    }
}

/// One id query, then the cards of what it found: (total matches, cards).
async fn cards_of(
    db: &Db,
    context: &'static str,
    cmd: redis::Cmd,
) -> Result<(u64, Vec<ItemCard>), AppError> {
    let mut pipe = redis::pipe();
    pipe.add_command(cmd);
    let reply = run(db, context, pipe)
        .await?
        .into_iter()
        .next()
        .unwrap_or(Value::Nil);
    let (total, ids) = parse_ids(db, reply);
    Ok((total, cards_by_id(db, &ids).await?))
}

/// `/search`: one FT.SEARCH. No usable words → an empty result, without asking Redis.
///
/// With the page comes the count of matches in each category (`FT.AGGREGATE … GROUPBY
/// @category`, in the same pipeline, without the category filter so the other categories'
/// counts show; reused for 5 s per query by each instance). The ids found are reused for 1 s
/// per query, order and page by each instance ([`IDS`]); the cards never are.
pub async fn search(
    db: &Db,
    text: &str,
    status: StatusFilter,
    sort: SearchSort,
    category: Option<&str>,
    page: usize,
) -> Result<CardPage, AppError> {
    let now_ms = now_ms();
    let Some(text) = text_query(&query_terms(text)) else {
        return Ok(CardPage {
            total: 0,
            cards: Vec::new(),
            now_ms,
            facets: Vec::new(),
        });
    };
    // "Ending soonest" means auctions still running: ended ones would all come first.
    let status = match (sort, status) {
        (SearchSort::EndingSoon, StatusFilter::All) => StatusFilter::Live,
        _ => status,
    };
    let page = page.clamp(1, 500);
    let facets_key = facets_key(db.keys().prefix(), &text, status);
    let ids_key = ids_key(db.keys().prefix(), &text, status, category, sort, page);
    let query = match status_clause(status, now_ms) {
        Some(clause) => format!("{text} {clause}"),
        None => text,
    };
    let filtered = match category {
        // Slugs are plain lowercase words (see `items::CATEGORIES`): nothing to escape.
        Some(slug) => format!("{query} @category:{{{slug}}}"),
        None => query.clone(),
    };
    let index = db.keys().items_index();
    // A broad word matches a fixed share of the catalogue, and RediSearch reads every match to
    // rank or sort them: the same search asked again within a second reuses the ids (the
    // cards are read fresh below, so prices and bids are live whatever the ids' age).
    let mut cached_ids = IDS.get(&ids_key);
    let mut cached_facets = FACETS.get(&facets_key);
    // When either expires under load, one request per query asks Redis and the others wait
    // for its result (at 50,000 items, 32 asking at once held Redis for a quarter second).
    let turn = if cached_ids.is_none() || cached_facets.is_none() {
        let turn = SEARCH_TURNS.take(&ids_key).await;
        cached_ids = IDS.get(&ids_key);
        cached_facets = FACETS.get(&facets_key);
        Some(turn)
    } else {
        None
    };
    let mut pipe = redis::pipe();
    if cached_ids.is_none() {
        pipe.add_command(id_search(
            &index,
            &filtered,
            sort.sort_by(),
            (page - 1) * SEARCH_PAGE_SIZE,
            SEARCH_PAGE_SIZE,
        ));
    }
    // The counts cost about as much as the search itself (the words' expansion): a query asked
    // again within a few seconds reuses them.
    if cached_facets.is_none() {
        pipe.cmd("FT.AGGREGATE")
            .arg(&index)
            .arg(&query)
            .arg("GROUPBY")
            .arg(1)
            .arg("@category")
            .arg("REDUCE")
            .arg("COUNT")
            .arg(0)
            .arg("AS")
            .arg("n")
            .arg("DIALECT")
            .arg(2);
    }
    let mut replies = if cached_ids.is_none() || cached_facets.is_none() {
        run(db, "search", pipe).await?.into_iter()
    } else {
        Vec::new().into_iter()
    };
    let (total, ids) = match cached_ids {
        Some(found) => found,
        None => {
            let found = parse_ids(db, replies.next().unwrap_or(Value::Nil));
            IDS.put(ids_key, found.clone());
            found
        }
    };
    let facets = match cached_facets {
        Some(facets) => facets,
        None => {
            let facets = parse_facets(replies.next().unwrap_or(Value::Nil));
            FACETS.put(facets_key, facets.clone());
            facets
        }
    };
    drop(turn);
    Ok(CardPage {
        total,
        cards: cards_by_id(db, &ids).await?,
        now_ms,
        facets,
    })
}

/// The key of a search's ids: the words, which auctions, the category, the order and the
/// page; never the clock (see [`facets_key`]).
fn ids_key(
    prefix: &str,
    text: &str,
    status: StatusFilter,
    category: Option<&str>,
    sort: SearchSort,
    page: usize,
) -> String {
    let category = category.unwrap_or("");
    format!("{prefix}{status:?} {sort:?} {page} {category} {text}")
}

/// Whose turn it is to run a search whose ids are missing, per instance.
static SEARCH_TURNS: std::sync::LazyLock<Turns> = std::sync::LazyLock::new(|| Turns::new(64));

/// Recent search results (total and ids), by query, order and page, per instance: reused for
/// one second, like the home rankings' half second.
static IDS: std::sync::LazyLock<RecentMap<(u64, Vec<ItemId>)>> =
    std::sync::LazyLock::new(|| RecentMap::new(std::time::Duration::from_secs(1), 1024));

/// The key of a query's counts: the words and which auctions, never the clock. (The status
/// clause holds the current millisecond; a key with it would never be asked twice, and at
/// 50,000 items every "ending soonest" search paid the counts again: 48 searches a second.)
fn facets_key(prefix: &str, text: &str, status: StatusFilter) -> String {
    format!("{prefix}{status:?} {text}")
}

/// Recent counts per category, by query (words and status), per instance.
static FACETS: std::sync::LazyLock<RecentMap<Vec<(String, u64)>>> =
    std::sync::LazyLock::new(|| RecentMap::new(std::time::Duration::from_secs(5), 1024));

/// Parses `FT.AGGREGATE … GROUPBY 1 @category REDUCE COUNT 0 AS n`: `[groups, [category, slug,
/// n, count], …]` → (slug, count) for the categories on the list, most first.
fn parse_facets(reply: Value) -> Vec<(String, u64)> {
    let Value::Array(rows) = reply else {
        return Vec::new();
    };
    let mut facets: Vec<(String, u64)> = rows
        .into_iter()
        .skip(1)
        .filter_map(|row| {
            let fields: Vec<String> = redis::from_redis_value(row).ok()?;
            let get = |name: &str| {
                fields
                    .chunks(2)
                    .find(|pair| pair[0] == name)
                    .and_then(|pair| pair.get(1).cloned())
            };
            let (slug, _) = crate::items::category(&get("category")?)?;
            Some((slug.to_string(), get("n")?.parse().ok()?))
        })
        .collect();
    facets.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    facets
}

/// Names starting with what was typed, for the header's suggestions (live auctions first).
pub async fn suggest(db: &Db, text: &str) -> Result<Vec<ItemCard>, AppError> {
    let terms = query_terms(text);
    if terms.is_empty() || terms.iter().map(|t| t.chars().count()).sum::<usize>() < 2 {
        return Ok(Vec::new());
    }
    let words: Vec<String> = terms
        .iter()
        .map(|t| {
            if t.chars().count() >= 2 {
                format!("{t}*")
            } else {
                t.clone()
            }
        })
        .collect();
    let query = format!("@name:({})", words.join(" "));
    let cmd = id_search(
        &db.keys().items_index(),
        &query,
        Some(("ends_at", "DESC")),
        0,
        6,
    );
    Ok(cards_of(db, "suggest", cmd).await?.1)
}

/// Items like this one (name and description words), itself excluded, live ones first.
pub async fn similar(
    db: &Db,
    item_id: ItemId,
    name: &str,
    description: &str,
) -> Result<Vec<ItemCard>, AppError> {
    let mut terms = query_terms(name);
    terms.extend(
        query_terms(description)
            .into_iter()
            .filter(|t| t.chars().count() >= 4)
            .take(4),
    );
    terms.retain(|t| t.chars().count() >= 3);
    terms.dedup();
    if terms.is_empty() {
        return Ok(Vec::new());
    }
    let any_word = terms
        .iter()
        .take(MAX_QUERY_TERMS)
        .cloned()
        .collect::<Vec<_>>()
        .join("|");
    let now = now_ms();
    let index = db.keys().items_index();
    let mut pipe = redis::pipe();
    for clause in [
        format!("@ends_at:[({now} +inf]"),
        format!("@ends_at:[-inf {now}]"),
    ] {
        pipe.add_command(id_search(
            &index,
            &format!("({any_word}) {clause}"),
            None,
            0,
            5,
        ));
    }
    let replies = run(db, "similar items", pipe).await?;
    let ids: Vec<ItemId> = replies
        .into_iter()
        .flat_map(|r| parse_ids(db, r).1)
        .filter(|id| *id != item_id)
        .take(4)
        .collect();
    cards_by_id(db, &ids).await
}

/// A seller's items for the dashboard, sorted by a validated column.
pub async fn seller_items(
    db: &Db,
    seller_id: u64,
    sort_key: &'static str,
    descending: bool,
    page: usize,
) -> Result<CardPage, AppError> {
    let page = page.clamp(1, 10_000);
    let cmd = id_search(
        &db.keys().items_index(),
        &format!("@seller_id:{{{seller_id}}}"),
        Some((sort_key, if descending { "DESC" } else { "ASC" })),
        (page - 1) * DASHBOARD_PAGE_SIZE,
        DASHBOARD_PAGE_SIZE,
    );
    let (total, cards) = cards_of(db, "seller items", cmd).await?;
    Ok(CardPage {
        total,
        cards,
        now_ms: now_ms(),
        facets: Vec::new(),
    })
}

/// Parses an `FT.SEARCH ... NOCONTENT` reply: `[total, key, key, ...]` → (total, ids).
pub fn parse_ids(db: &Db, reply: Value) -> (u64, Vec<ItemId>) {
    let Value::Array(items) = reply else {
        tracing::error!(?reply, "unexpected FT.SEARCH reply");
        return (0, Vec::new());
    };
    let prefix = db.keys().items_prefix();
    let mut rest = items.into_iter();
    let total = rest
        .next()
        .and_then(|v| redis::from_redis_value::<u64>(v).ok())
        .unwrap_or(0);
    // Keys are `<prefix>{sNN}:<id>`: the id is what follows the last colon.
    let ids = rest
        .filter_map(|key| redis::from_redis_value::<String>(key).ok())
        .filter(|key| key.starts_with(&prefix))
        .filter_map(|key| key.rsplit(':').next().and_then(ItemId::parse))
        .collect();
    (total, ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_counts_of_a_query_are_reused_whatever_the_clock_says() {
        let live = facets_key("p:", "(lamp|lamp*|%lamp%)", StatusFilter::Live);
        assert_eq!(
            live,
            facets_key("p:", "(lamp|lamp*|%lamp%)", StatusFilter::Live)
        );
        assert_ne!(
            live,
            facets_key("p:", "(lamp|lamp*|%lamp%)", StatusFilter::Ended)
        );
        assert_ne!(
            live,
            facets_key("q:", "(lamp|lamp*|%lamp%)", StatusFilter::Live)
        );
    }

    #[test]
    fn a_search_is_reused_whatever_the_clock_says_but_never_across_pages_or_filters() {
        let text = "(lamp|lamp*|%lamp%)";
        let key = |status, category, sort, page| ids_key("p:", text, status, category, sort, page);
        let base = key(StatusFilter::Live, None, SearchSort::EndingSoon, 1);
        assert_eq!(
            base,
            key(StatusFilter::Live, None, SearchSort::EndingSoon, 1)
        );
        for other in [
            key(StatusFilter::Ended, None, SearchSort::EndingSoon, 1),
            key(StatusFilter::Live, Some("home"), SearchSort::EndingSoon, 1),
            key(StatusFilter::Live, None, SearchSort::PriceHigh, 1),
            key(StatusFilter::Live, None, SearchSort::EndingSoon, 2),
            ids_key(
                "q:",
                text,
                StatusFilter::Live,
                None,
                SearchSort::EndingSoon,
                1,
            ),
            ids_key(
                "p:",
                "(lam|lam*)",
                StatusFilter::Live,
                None,
                SearchSort::EndingSoon,
                1,
            ),
        ] {
            assert_ne!(base, other);
        }
    }

    #[test]
    fn query_syntax_is_never_passed_through() {
        assert_eq!(query_terms("Brass  telescope!"), ["brass", "telescope"]);
        assert_eq!(
            query_terms("@name:{x}|*-(y) \"z\" ~w %v%"),
            ["name", "x", "y", "z", "w", "v"]
        );
        assert!(query_terms("*** ||| @@@ ---").is_empty());
        assert!(query_terms("").is_empty());
        assert_eq!(query_terms(&"word ".repeat(100)).len(), MAX_QUERY_TERMS);
        assert!(query_terms(&"x".repeat(100_000))[0].len() <= 40);
    }

    #[test]
    fn text_query_matches_exact_prefix_and_fuzzy() {
        let q = text_query(&query_terms("lamp ok a")).unwrap();
        assert_eq!(q, "(lamp|lamp*|%lamp%) (ok|ok*) (a)");
        assert_eq!(text_query(&[]), None);
    }

    #[test]
    fn dashboard_sort_keys_are_a_fixed_list() {
        assert_eq!(dashboard_sort_key("price").unwrap(), "price");
        for bad in ["", "password", "price DESC", "name;FLUSHALL", "__key"] {
            assert!(
                matches!(dashboard_sort_key(bad), Err(AppError::Invalid(_))),
                "{bad}"
            );
        }
    }
}
