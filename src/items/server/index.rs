//! The items index (RediSearch) at its lowest level: turning user words into a safe query, one
//! id query (`FT.SEARCH … NOCONTENT`), running a pipeline of them (a missing index asks for a
//! new bootstrap), reading the ids found, then the cards of those ids in one pipeline: never
//! one query per item. Search and browse (`catalog`), the seller's items (`seller`) and the
//! item page's similar items (here) are built on it.

use crate::error::AppError;
use crate::items::server::cards::cards_by_id;
use crate::items::{ItemCard, ItemId, MAX_QUERY_CHARS};
use crate::server::redis::db::{redis_error, Db};
use crate::server::redis::indexes::is_unknown_index;
use crate::util::time::now_ms;
use redis::Value;

/// At most this many words of a query are searched.
pub const MAX_QUERY_TERMS: usize = 8;

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
pub async fn run(
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
pub async fn cards_of(
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
}
