//! Search (`/search` with words) and the header's suggestions, through the items index
//! (`items::server::index`). (Browsing without words reads the rankings: see `rankings`.)

use crate::catalog::{SearchFilters, SEARCH_PAGE_SIZE};
use crate::error::AppError;
use crate::items::server::cards::cards_by_id;
use crate::items::server::index::{
    ask, cards_of, query_terms, text_query, Answer, Ask, Found, IdQuery, Sort,
};
use crate::items::{CardPage, ItemCard};
use crate::server::redis::db::Db;
use crate::server::short_cache::{RecentMap, Turns};
use crate::util::time::now_ms;

/// Which auctions a search shows: running ones unless asked for the ended too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StatusFilter {
    All,
    #[default]
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
    MostViewed,
}

impl StatusFilter {
    /// `status=all` (running and ended), `status=ended`; anything else: running auctions.
    pub fn parse(s: &str) -> Self {
        match s {
            "all" => StatusFilter::All,
            "ended" => StatusFilter::Ended,
            _ => StatusFilter::Live,
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
            "views" => SearchSort::MostViewed,
            _ => SearchSort::Relevance,
        }
    }

    fn sort_by(self) -> Option<Sort> {
        let (field, descending) = match self {
            SearchSort::Relevance => return None,
            SearchSort::PriceLow => ("price", false),
            SearchSort::PriceHigh => ("price", true),
            SearchSort::EndingSoon => ("ends_at", false),
            SearchSort::Newest => ("created_at", true),
            SearchSort::MostViewed => ("views", true),
        };
        Some(Sort { field, descending })
    }
}

fn status_clause(status: StatusFilter, now_ms: i64) -> Option<String> {
    match status {
        StatusFilter::All => None,
        StatusFilter::Live => Some(format!("@ends_at:[({now_ms} +inf]")),
        StatusFilter::Ended => Some(format!("@ends_at:[-inf {now_ms}]")),
    }
}

/// [`search_filtered`] without filters.
pub async fn search(
    db: &Db,
    text: &str,
    status: StatusFilter,
    sort: SearchSort,
    category: Option<&str>,
    page: usize,
) -> Result<CardPage, AppError> {
    let no_filters = SearchFilters::default();
    search_filtered(db, text, status, sort, category, &no_filters, page).await
}

/// `/search`: one FT.SEARCH. No usable words (and neither a category nor a filter) → an empty
/// result, without asking Redis.
///
/// With the page comes the count of matches in each category (`FT.AGGREGATE … GROUPBY
/// @category`, in the same pipeline, without the category filter so the other categories'
/// counts show; reused for 5 s per query by each instance). The ids found are reused for 1 s
/// per query, order and page by each instance ([`IDS`]); the cards never are.
pub async fn search_filtered(
    db: &Db,
    text: &str,
    status: StatusFilter,
    sort: SearchSort,
    category: Option<&str>,
    filters: &SearchFilters,
    page: usize,
) -> Result<CardPage, AppError> {
    let now_ms = now_ms();
    let words = query_terms(text);
    let text = match text_query(&words) {
        Some(text) => text,
        // No words but a category or filters: all of their items (browsing narrowed).
        None if category.is_some() || !filters.is_empty() => String::new(),
        None => {
            return Ok(CardPage {
                total: 0,
                cards: Vec::new(),
                now_ms,
                facets: Vec::new(),
                did_you_mean: None,
            })
        }
    };
    // "Ending soonest" means auctions still running: ended ones would all come first.
    let status = match (sort, status) {
        (SearchSort::EndingSoon, StatusFilter::All) => StatusFilter::Live,
        _ => status,
    };
    let page = page.clamp(1, 500);
    // The filters are part of what is asked, so of both cache keys (never the clock).
    let keyed = format!("{text}{}", filters.key());
    let facets_key = facets_key(db.keys().prefix(), &keyed, status);
    let ids_key = ids_key(db.keys().prefix(), &keyed, status, category, sort, page);
    let clauses: Vec<String> = std::iter::once(text)
        .chain(status_clause(status, now_ms))
        .chain(filters.clauses(now_ms))
        .filter(|part| !part.is_empty())
        .collect();
    let query = match clauses.is_empty() {
        true => "*".to_string(),
        false => clauses.join(" "),
    };
    let filtered = match category {
        // Slugs are plain lowercase words (see `items::CATEGORIES`): nothing to escape.
        Some(slug) if query == "*" => format!("@category:{{{slug}}}"),
        Some(slug) => format!("{query} @category:{{{slug}}}"),
        None => query.clone(),
    };
    // A broad word matches a fixed share of the catalogue, and RediSearch reads every match to
    // rank or sort them: the same search asked again within a second reuses the ids (the
    // cards are read fresh below, so prices and bids are live whatever the ids' age).
    let spell_key = format!("{}{}", db.keys().prefix(), words.join(" "));
    let mut cached_ids = IDS.get(&ids_key);
    let mut cached_facets = FACETS.get(&facets_key);
    let mut cached_spell = SPELLING.get(&spell_key);
    // When either expires under load, one request per query asks Redis and the others wait
    // for its result (at 50,000 items, 32 asking at once held Redis for a quarter second).
    let turn = if cached_ids.is_none() || cached_facets.is_none() || cached_spell.is_none() {
        let turn = SEARCH_TURNS.take(&ids_key).await;
        cached_ids = IDS.get(&ids_key);
        cached_facets = FACETS.get(&facets_key);
        cached_spell = SPELLING.get(&spell_key);
        Some(turn)
    } else {
        None
    };
    let mut asks = Vec::new();
    if cached_ids.is_none() {
        asks.push(Ask::Ids(IdQuery {
            query: filtered,
            sort: sort.sort_by(),
            offset: (page - 1) * SEARCH_PAGE_SIZE,
            count: SEARCH_PAGE_SIZE,
        }));
    }
    // The counts cost about as much as the search itself (the words' expansion): a query asked
    // again within a few seconds reuses them.
    if cached_facets.is_none() {
        asks.push(Ask::CategoryCounts(query));
    }
    // Words the index does not know, and the closest it does: "did you mean".
    if cached_spell.is_none() {
        if words.is_empty() {
            cached_spell = Some(Vec::new());
        } else {
            asks.push(Ask::Spellcheck(words.join(" ")));
        }
    }
    let answers = if asks.is_empty() {
        Vec::new()
    } else {
        ask(db, "search", &asks).await?
    };
    for answer in answers {
        match answer {
            Answer::Ids(found) => {
                IDS.put(ids_key.clone(), found.clone());
                cached_ids = Some(found);
            }
            Answer::CategoryCounts(counts) => {
                FACETS.put(facets_key.clone(), counts.clone());
                cached_facets = Some(counts);
            }
            Answer::Spellcheck(fixes) => {
                SPELLING.put(spell_key.clone(), fixes.clone());
                cached_spell = Some(fixes);
            }
        }
    }
    let (Some(Found { total, ids }), Some(facets), Some(fixes)) =
        (cached_ids, cached_facets, cached_spell)
    else {
        return Err(AppError::Internal);
    };
    drop(turn);
    Ok(CardPage {
        total,
        cards: cards_by_id(db, &ids).await?,
        now_ms,
        facets,
        did_you_mean: did_you_mean(&words, &fixes),
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
static IDS: std::sync::LazyLock<RecentMap<Found>> =
    std::sync::LazyLock::new(|| RecentMap::new(std::time::Duration::from_secs(1), 1024));

/// The key of a query's counts: the words and which auctions, never the clock. (The status
/// clause holds the current millisecond; a key with it would never be asked twice, and at
/// 50,000 items every "ending soonest" search paid the counts again: 48 searches a second.)
fn facets_key(prefix: &str, text: &str, status: StatusFilter) -> String {
    format!("{prefix}{status:?} {text}")
}

/// The query with each unknown word replaced by its suggestion; `None` without any.
fn did_you_mean(words: &[String], fixes: &[(String, String)]) -> Option<String> {
    if fixes.is_empty() {
        return None;
    }
    let fixed: Vec<&str> = words
        .iter()
        .map(|w| {
            fixes
                .iter()
                .find(|(unknown, _)| unknown == w)
                .map_or(w.as_str(), |(_, known)| known.as_str())
        })
        .collect();
    Some(fixed.join(" "))
}

/// Recent spelling suggestions, by words, per instance: the index's dictionary changes only
/// with new words, so a minute is fresh enough.
static SPELLING: std::sync::LazyLock<RecentMap<Vec<(String, String)>>> =
    std::sync::LazyLock::new(|| RecentMap::new(std::time::Duration::from_secs(60), 1024));

/// Recent counts per category, by query (words and status), per instance.
static FACETS: std::sync::LazyLock<RecentMap<Vec<(String, u64)>>> =
    std::sync::LazyLock::new(|| RecentMap::new(std::time::Duration::from_secs(5), 1024));

/// Names starting with what was typed, for the header's suggestions (live auctions first).
pub async fn suggest(db: &Db, text: &str) -> Result<Vec<ItemCard>, AppError> {
    let terms = query_terms(text);
    if terms.is_empty() || terms.iter().map(|t| t.chars().count()).sum::<usize>() < 2 {
        return Ok(Vec::new());
    }
    // Each word as the beginning of a word, and from 4 letters also with one letter wrong,
    // missing or extra ("camra" suggests cameras).
    let words: Vec<String> = terms
        .iter()
        .map(|t| match t.chars().count() {
            0..=1 => t.clone(),
            2..=3 => format!("{t}*"),
            _ => format!("({t}*|%{t}%)"),
        })
        .collect();
    let query = format!("@name:({})", words.join(" "));
    let newest_end_first = IdQuery {
        query,
        sort: Some(Sort {
            field: "ends_at",
            descending: true,
        }),
        offset: 0,
        count: 6,
    };
    Ok(cards_of(db, "suggest", newest_end_first).await?.1)
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
}
