//! Reads through the items index (RediSearch): the home rankings, search, suggestions,
//! similar items, a seller's dashboard and profile listings. Each is one `FT.SEARCH` (or one
//! pipeline of them): never one query per item.

use crate::error::AppError;
use crate::items::{
    CardPage, HomeSections, ItemCard, ItemId, DASHBOARD_PAGE_SIZE, DASHBOARD_SORT_KEYS,
    HOME_SECTION_SIZE, MAX_QUERY_CHARS, SEARCH_PAGE_SIZE,
};
use crate::server::redis::db::{redis_error, Db};
use crate::server::redis::indexes::is_unknown_index;
use crate::util::time::now_ms;
use redis::Value;

/// At most this many words of a query are searched.
const MAX_QUERY_TERMS: usize = 8;

/// Fields a card needs, in the order `RETURN` asks for them.
const CARD_FIELDS: [&str; 6] = ["name", "price", "ends_at", "views", "bids", "likes"];

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

/// A card query: `FT.SEARCH index query [SORTBY f dir] LIMIT off n RETURN ... DIALECT 2`.
pub fn card_search(
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
        .arg("RETURN")
        .arg(CARD_FIELDS.len())
        .arg(&CARD_FIELDS[..])
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

async fn one(
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
    Ok(parse_cards(db, reply))
}

/// The three home page rankings, in one round trip (one pipeline of three FT.SEARCH).
pub async fn home_sections(db: &Db) -> Result<HomeSections, AppError> {
    let now_ms = now_ms();
    let index = db.keys().items_index();
    let n = HOME_SECTION_SIZE;
    let mut pipe = redis::pipe();
    pipe.add_command(card_search(
        &index,
        &format!("@ends_at:[({now_ms} +inf]"),
        Some(("ends_at", "ASC")),
        0,
        n,
    ))
    .add_command(card_search(&index, "*", Some(("views", "DESC")), 0, n))
    .add_command(card_search(&index, "*", Some(("price", "DESC")), 0, n));
    let replies = run(db, "home sections", pipe).await?;
    let mut sections = replies.into_iter().map(|reply| parse_cards(db, reply).1);
    Ok(HomeSections {
        ending_soon: sections.next().unwrap_or_default(),
        most_viewed: sections.next().unwrap_or_default(),
        highest_price: sections.next().unwrap_or_default(),
        now_ms,
    })
}

/// `/search`: one FT.SEARCH. No usable words → an empty result, without asking Redis.
pub async fn search(
    db: &Db,
    text: &str,
    status: StatusFilter,
    sort: SearchSort,
    page: usize,
) -> Result<CardPage, AppError> {
    let now_ms = now_ms();
    let Some(text) = text_query(&query_terms(text)) else {
        return Ok(CardPage {
            total: 0,
            cards: Vec::new(),
            now_ms,
        });
    };
    let query = match status_clause(status, now_ms) {
        Some(clause) => format!("{text} {clause}"),
        None => text,
    };
    let page = page.clamp(1, 500);
    let cmd = card_search(
        &db.keys().items_index(),
        &query,
        sort.sort_by(),
        (page - 1) * SEARCH_PAGE_SIZE,
        SEARCH_PAGE_SIZE,
    );
    let (total, cards) = one(db, "search", cmd).await?;
    Ok(CardPage {
        total,
        cards,
        now_ms,
    })
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
    let cmd = card_search(
        &db.keys().items_index(),
        &query,
        Some(("ends_at", "DESC")),
        0,
        6,
    );
    Ok(one(db, "suggest", cmd).await?.1)
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
        pipe.add_command(card_search(
            &index,
            &format!("({any_word}) {clause}"),
            None,
            0,
            5,
        ));
    }
    let replies = run(db, "similar items", pipe).await?;
    Ok(replies
        .into_iter()
        .flat_map(|r| parse_cards(db, r).1)
        .filter(|c| c.id != item_id.to_string())
        .take(4)
        .collect())
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
    let cmd = card_search(
        &db.keys().items_index(),
        &format!("@seller_id:{{{seller_id}}}"),
        Some((sort_key, if descending { "DESC" } else { "ASC" })),
        (page - 1) * DASHBOARD_PAGE_SIZE,
        DASHBOARD_PAGE_SIZE,
    );
    let (total, cards) = one(db, "seller items", cmd).await?;
    Ok(CardPage {
        total,
        cards,
        now_ms: now_ms(),
    })
}

/// Cards for known item ids, in the given order, in one round trip (one pipeline of HMGET).
pub async fn cards_by_id(db: &Db, ids: &[ItemId]) -> Result<Vec<ItemCard>, AppError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut pipe = redis::pipe();
    for id in ids {
        pipe.cmd("HMGET")
            .arg(db.keys().item(id))
            .arg(&CARD_FIELDS[..]);
    }
    let mut conn = db.conn()?;
    let rows: Vec<Vec<Option<String>>> = pipe
        .query_async(&mut conn)
        .await
        .map_err(|e| redis_error("cards by id", e))?;
    Ok(ids
        .iter()
        .zip(rows)
        .filter(|(_, row)| row.first().is_some_and(Option::is_some))
        .map(|(id, row)| {
            let num = |i: usize| {
                row.get(i)
                    .cloned()
                    .flatten()
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0)
            };
            ItemCard {
                id: id.to_string(),
                name: row[0].clone().unwrap_or_default(),
                price_cents: num(1),
                ends_at_ms: num(2),
                views: num(3),
                bids: num(4),
                likes: num(5),
            }
        })
        .collect())
}

/// Parses an `FT.SEARCH ... RETURN` reply: `[total, key, [field, value, ...], key, ...]`.
pub fn parse_cards(db: &Db, reply: Value) -> (u64, Vec<ItemCard>) {
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
    let mut cards = Vec::new();
    while let (Some(key), Some(Value::Array(fields))) = (rest.next(), rest.next()) {
        let key: String = redis::from_redis_value(key).unwrap_or_default();
        let mut card = ItemCard {
            id: key.strip_prefix(&prefix).unwrap_or(&key).to_string(),
            name: String::new(),
            price_cents: 0,
            ends_at_ms: 0,
            views: 0,
            bids: 0,
            likes: 0,
        };
        for pair in fields.chunks(2) {
            let (Some(name), Some(value)) = (pair.first(), pair.get(1)) else {
                continue;
            };
            let name: String = redis::from_redis_value_ref(name).unwrap_or_default();
            let value: String = redis::from_redis_value_ref(value).unwrap_or_default();
            let number = || value.parse::<i64>().unwrap_or(0);
            match name.as_str() {
                "name" => card.name = value.clone(),
                "price" => card.price_cents = number(),
                "ends_at" => card.ends_at_ms = number(),
                "views" => card.views = number(),
                "bids" => card.bids = number(),
                "likes" => card.likes = number(),
                _ => {}
            }
        }
        cards.push(card);
    }
    (total, cards)
}

#[cfg(test)]
mod tests {
    use super::*;

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
