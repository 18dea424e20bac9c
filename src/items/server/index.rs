//! The items index (RediSearch) at its lowest level: turning user words into a safe query, one
//! id query (`FT.SEARCH … NOCONTENT`), running a pipeline of them (a missing index asks for a
//! new bootstrap), reading the ids found, then the cards of those ids in one pipeline: never
//! one query per item. Search and browse (`catalog`), the seller's items (`seller`) and the
//! item page's similar items (here) are built on it.

use crate::error::AppError;
use crate::items::server::cards::cards_by_id;
pub use crate::items::{query_terms, MAX_QUERY_TERMS};
use crate::items::{ItemCard, ItemId};
use crate::server::redis::db::{redis_error, Db};
use crate::server::redis::indexes::is_unknown_index;
use crate::util::time::now_ms;
use redis::Value;

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

/// No query reads deeper than this many results (500 search pages of 20): a page costs its
/// depth, on a cluster on every primary, so the depth is bounded as the page numbers are.
pub const MAX_DEPTH: usize = 10_000;

/// A sorted query's order: a sortable field of the index, one way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    pub field: &'static str,
    pub descending: bool,
}

/// One id query: the matches of `query`, in relevance order or sorted, `count` of them from
/// `offset`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdQuery {
    pub query: String,
    pub sort: Option<Sort>,
    pub offset: usize,
    pub count: usize,
}

/// What an id query found: how many match in all, and the ids of the page asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Found {
    pub total: u64,
    pub ids: Vec<ItemId>,
}

/// One question for the index. Asked together, they go in one round trip (to every primary
/// at once on a cluster).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ask {
    /// Ids, in order ([`IdQuery`]).
    Ids(IdQuery),
    /// How many items match the query in each category.
    CategoryCounts(String),
    /// The words (lowercase, space-separated) the index does not know, each with the known
    /// word closest to it (`FT.SPELLCHECK`, one letter changed, added or removed).
    Spellcheck(String),
}

/// The answer to an [`Ask`], in the same order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Ids(Found),
    /// (category slug, matches), most first.
    CategoryCounts(Vec<(String, u64)>),
    /// (unknown word, the known word to suggest), in the query's order; only words no
    /// primary knows.
    Spellcheck(Vec<(String, String)>),
}

impl Ask {
    /// The command for one primary. On one Redis a page is asked for as it is; on a cluster
    /// every primary is asked for the first `offset + count` matches with their sort keys (or
    /// scores), which [`merge`] then orders and cuts, as Redis' own coordinator does.
    fn command(&self, index: &str, sharded: bool) -> redis::Cmd {
        match self {
            Ask::Ids(q) => {
                let mut cmd = redis::cmd("FT.SEARCH");
                cmd.arg(index).arg(&q.query);
                if let Some(sort) = q.sort {
                    cmd.arg("SORTBY").arg(sort.field).arg(if sort.descending {
                        "DESC"
                    } else {
                        "ASC"
                    });
                }
                let (from, count) = q.window();
                if sharded {
                    cmd.arg("LIMIT").arg(0).arg(from + count);
                    cmd.arg(if q.sort.is_some() {
                        "WITHSORTKEYS"
                    } else {
                        "WITHSCORES"
                    });
                } else {
                    cmd.arg("LIMIT").arg(from).arg(count);
                }
                cmd.arg("NOCONTENT").arg("DIALECT").arg(2);
                cmd
            }
            Ask::Spellcheck(words) => {
                let mut cmd = redis::cmd("FT.SPELLCHECK");
                cmd.arg(index).arg(words).arg("DISTANCE").arg(1);
                cmd
            }
            Ask::CategoryCounts(query) => {
                let mut cmd = redis::cmd("FT.AGGREGATE");
                cmd.arg(index)
                    .arg(query)
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
                cmd
            }
        }
    }
}

impl IdQuery {
    /// (offset, count) within [`MAX_DEPTH`].
    fn window(&self) -> (usize, usize) {
        let from = self.offset.min(MAX_DEPTH);
        (from, self.count.min(MAX_DEPTH - from))
    }
}

/// Asks the index, in one round trip; on a Redis Cluster, every primary at once, merging their
/// answers (see [`merge`]). A missing index is made again (on one Redis by a new bootstrap,
/// on a cluster by an index check) and answered 503 meanwhile; an unexpected reply is an
/// error.
pub async fn ask(db: &Db, context: &'static str, asks: &[Ask]) -> Result<Vec<Answer>, AppError> {
    db.conn()?;
    let index = db.keys().items_index();
    let sharded = db.is_cluster();
    let per_primary = db.on_every_primary(|primary| {
        let name = primary.index_name(&index);
        let mut pipe = redis::pipe();
        for one in asks {
            pipe.add_command(one.command(&name, sharded));
        }
        pipe
    });
    let per_primary = match per_primary.await {
        Ok(replies) => replies,
        Err(e) => {
            if is_unknown_index(&e) {
                if sharded {
                    // A primary that joined or was given slots (resharding): its copy is
                    // made within a second; until then this search answers 503, never
                    // from the other shards alone, and everything else goes on.
                    db.request_index_check();
                } else {
                    // One Redis without its index restarted empty or was flushed: the whole
                    // bootstrap (the deployment secret too) is needed.
                    db.mark_needs_bootstrap();
                }
                tracing::warn!("items index missing on a primary; re-creating it");
                return Err(AppError::Unavailable);
            }
            db.note_failure(&e);
            return Err(redis_error(context, e));
        }
    };
    let prefix = db.keys().items_prefix();
    let mut columns: Vec<Vec<Value>> = vec![Vec::new(); asks.len()];
    for replies in per_primary {
        if replies.len() != asks.len() {
            tracing::error!(context, "index replies do not match the questions");
            return Err(AppError::Internal);
        }
        for (column, reply) in columns.iter_mut().zip(replies) {
            column.push(reply);
        }
    }
    asks.iter()
        .zip(columns)
        .map(|(one, replies)| {
            merge(one, &prefix, sharded, replies).map_err(|e| {
                tracing::error!(context, error = %e, "unexpected index reply");
                AppError::Internal
            })
        })
        .collect()
}

/// Ids for one query, then the cards of what it found: (total matches, cards).
pub async fn cards_of(
    db: &Db,
    context: &'static str,
    query: IdQuery,
) -> Result<(u64, Vec<ItemCard>), AppError> {
    let found = find(db, context, query).await?;
    Ok((found.total, cards_by_id(db, &found.ids).await?))
}

/// Ids for one query.
pub async fn find(db: &Db, context: &'static str, query: IdQuery) -> Result<Found, AppError> {
    match ask(db, context, &[Ask::Ids(query)]).await?.pop() {
        Some(Answer::Ids(found)) => Ok(found),
        _ => Err(AppError::Internal),
    }
}

/// Puts together the replies of every primary (one on a single Redis) to one question.
///
/// Ids: totals add up; the rows are ordered by sort key (missing keys last), ties by id in
/// the sort's direction, which is how one Redis orders items indexed in id order (by
/// indexing order); in relevance order by score, then id. Relevance scores are each shard's
/// own (its word statistics), so relevance order may differ from one Redis' where scores are
/// close; sorted orders are the same. Counts per category add up.
pub fn merge(
    one: &Ask,
    prefix: &str,
    sharded: bool,
    replies: Vec<Value>,
) -> Result<Answer, ReplyError> {
    match one {
        Ask::Ids(q) => {
            let mut total = 0;
            let mut rows = Vec::new();
            for reply in replies {
                let (count, found) = parse_rows(reply, prefix, sharded)?;
                total += count;
                rows.extend(found);
            }
            if !sharded {
                let ids = rows.into_iter().map(|row| row.id).collect();
                return Ok(Answer::Ids(Found { total, ids }));
            }
            let descending = q.sort.is_some_and(|s| s.descending);
            let relevance = q.sort.is_none();
            rows.sort_by(|a, b| a.order(b, relevance, descending));
            let (from, count) = q.window();
            let ids = rows
                .into_iter()
                .skip(from)
                .take(count)
                .map(|r| r.id)
                .collect();
            Ok(Answer::Ids(Found { total, ids }))
        }
        Ask::CategoryCounts(_) => {
            let mut counts: std::collections::BTreeMap<String, u64> = Default::default();
            for reply in replies {
                for (slug, n) in parse_category_counts(reply)? {
                    *counts.entry(slug).or_default() += n;
                }
            }
            let mut counts: Vec<(String, u64)> = counts.into_iter().collect();
            counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            Ok(Answer::CategoryCounts(counts))
        }
        Ask::Spellcheck(words) => {
            // A primary reports only the words its own dictionary lacks: a word is unknown when
            // every primary reports it, and its suggestions' scores (each primary's share of
            // documents holding the word) add up.
            let primaries = replies.len();
            let mut unknown: std::collections::HashMap<String, (usize, Vec<(String, f64)>)> =
                Default::default();
            for reply in replies {
                for (word, suggestions) in parse_spellcheck(reply)? {
                    let entry = unknown.entry(word).or_default();
                    entry.0 += 1;
                    for (suggestion, score) in suggestions {
                        match entry.1.iter_mut().find(|(s, _)| *s == suggestion) {
                            Some(known) => known.1 += score,
                            None => entry.1.push((suggestion, score)),
                        }
                    }
                }
            }
            let mut out = Vec::new();
            for word in words.split_whitespace() {
                let Some((reported, suggestions)) = unknown.get(word) else {
                    continue;
                };
                let best = suggestions
                    .iter()
                    .max_by(|a, b| a.1.total_cmp(&b.1).then_with(|| b.0.cmp(&a.0)));
                if let (true, Some((suggestion, _))) = (*reported == primaries, best) {
                    out.push((word.to_string(), suggestion.clone()));
                }
            }
            Ok(Answer::Spellcheck(out))
        }
    }
}

/// A word one primary does not know, with the words it suggests and their scores.
type Unknown = (String, Vec<(String, f64)>);

/// `FT.SPELLCHECK`'s reply: `[["TERM", word, [[score, suggestion], …]], …]`.
fn parse_spellcheck(reply: Value) -> Result<Vec<Unknown>, ReplyError> {
    let Value::Array(terms) = reply else {
        return Err(reply_error("spellcheck answered", &reply));
    };
    let mut out = Vec::with_capacity(terms.len());
    for term in terms {
        let parts: Vec<Value> = redis::from_redis_value(term.clone())
            .map_err(|_| reply_error("a spellcheck term", &term))?;
        let [_, word, suggestions] = parts.as_slice() else {
            return Err(reply_error("a spellcheck term of another shape", &term));
        };
        let word: String = redis::from_redis_value(word.clone())
            .map_err(|_| reply_error("a spellcheck word", word))?;
        let pairs: Vec<(String, String)> = redis::from_redis_value(suggestions.clone())
            .map_err(|_| reply_error("spellcheck suggestions", suggestions))?;
        let mut scored = Vec::with_capacity(pairs.len());
        for (score, suggestion) in pairs {
            let score: f64 = score
                .parse()
                .map_err(|_| ReplyError(format!("a spellcheck score {score:?}")))?;
            scored.push((suggestion, score));
        }
        out.push((word.to_lowercase(), scored));
    }
    Ok(out)
}

/// An index reply that is not what the command asked for.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ReplyError(String);

fn reply_error(what: &str, reply: &Value) -> ReplyError {
    ReplyError(format!("{what}: {reply:?}"))
}

/// A row of an id reply: the id, and on a cluster what orders it among other shards' rows.
#[derive(Debug, Clone, PartialEq)]
struct Row {
    id: ItemId,
    key: SortKey,
}

/// A row's place in its order: a score (relevance), a sort key, or nothing (one Redis).
#[derive(Debug, Clone, PartialEq)]
enum SortKey {
    None,
    Missing,
    Number(f64),
    Text(String),
}

impl Row {
    fn order(&self, other: &Row, relevance: bool, descending: bool) -> std::cmp::Ordering {
        use std::cmp::Ordering;
        let by_id = u64::from(self.id).cmp(&u64::from(other.id));
        let by_key = match (&self.key, &other.key) {
            (SortKey::Missing, SortKey::Missing) => Ordering::Equal,
            (SortKey::Missing, _) => return Ordering::Greater,
            (_, SortKey::Missing) => return Ordering::Less,
            (SortKey::Number(a), SortKey::Number(b)) => a.total_cmp(b),
            (SortKey::Text(a), SortKey::Text(b)) => a.cmp(b),
            _ => Ordering::Equal,
        };
        if relevance {
            // Highest score first; ties by id.
            by_key.reverse().then(by_id)
        } else if descending {
            by_key.then(by_id).reverse()
        } else {
            by_key.then(by_id)
        }
    }
}

/// Parses an `FT.SEARCH … NOCONTENT` reply: `[total, key, key, …]`, on a cluster `[total, key,
/// sort key or score, …]`. Keys outside the namespace's items (none, by the index's prefix)
/// are an error, as is any other shape.
fn parse_rows(reply: Value, prefix: &str, sharded: bool) -> Result<(u64, Vec<Row>), ReplyError> {
    let Value::Array(items) = reply else {
        return Err(reply_error("an id search answered", &reply));
    };
    let mut rest = items.into_iter();
    let total = match rest.next() {
        Some(Value::Int(n)) if n >= 0 => n as u64,
        other => return Err(reply_error("no total", &other.unwrap_or(Value::Nil))),
    };
    let mut rows = Vec::new();
    while let Some(key) = rest.next() {
        let key: String = redis::from_redis_value(key)
            .map_err(|e| ReplyError(format!("a key that is not text: {e}")))?;
        // Keys are `<prefix>{sNN}:<id>`: the id is what follows the last colon.
        let id = key
            .strip_prefix(prefix)
            .and_then(|rest| rest.rsplit(':').next())
            .and_then(ItemId::parse)
            .ok_or_else(|| ReplyError(format!("not an item key: {key}")))?;
        let key = if sharded {
            sort_key(
                rest.next()
                    .ok_or_else(|| ReplyError("a row without its sort key".into()))?,
            )?
        } else {
            SortKey::None
        };
        rows.push(Row { id, key });
    }
    Ok((total, rows))
}

/// A sort key as `WITHSORTKEYS` gives it (`#12.5` a number, `$text` a text, nil when the item
/// has no value), or a score as `WITHSCORES` gives it.
fn sort_key(value: Value) -> Result<SortKey, ReplyError> {
    if value == Value::Nil {
        return Ok(SortKey::Missing);
    }
    let text: String = redis::from_redis_value(value)
        .map_err(|e| ReplyError(format!("a sort key that is not text: {e}")))?;
    let number = |s: &str| {
        s.parse::<f64>()
            .map(SortKey::Number)
            .map_err(|_| ReplyError(format!("not a number: {text}")))
    };
    match text.split_at_checked(1) {
        Some(("#", n)) => number(n),
        Some(("$", t)) => Ok(SortKey::Text(t.to_string())),
        _ => number(&text),
    }
}

/// Parses `FT.AGGREGATE … GROUPBY 1 @category REDUCE COUNT 0 AS n`: `[groups, [category, slug,
/// n, count], …]` → (slug, count) for the categories on the list.
fn parse_category_counts(reply: Value) -> Result<Vec<(String, u64)>, ReplyError> {
    let Value::Array(rows) = reply else {
        return Err(reply_error("counts per category answered", &reply));
    };
    let mut counts = Vec::new();
    for row in rows.into_iter().skip(1) {
        let fields: Vec<String> = redis::from_redis_value(row)
            .map_err(|e| ReplyError(format!("a group that is not text: {e}")))?;
        let get = |name: &str| {
            fields
                .chunks(2)
                .find(|pair| pair[0] == name)
                .and_then(|pair| pair.get(1).cloned())
        };
        let n: u64 = get("n")
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| ReplyError(format!("a group without its count: {fields:?}")))?;
        // Items always have a category from the list; an unknown one is not shown.
        if let Some((slug, _)) = get("category").as_deref().and_then(crate::items::category) {
            counts.push((slug.to_string(), n));
        }
    }
    Ok(counts)
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
    let asks: Vec<Ask> = [
        format!("@ends_at:[({now} +inf]"),
        format!("@ends_at:[-inf {now}]"),
    ]
    .into_iter()
    .map(|clause| {
        Ask::Ids(IdQuery {
            query: format!("({any_word}) {clause}"),
            sort: None,
            offset: 0,
            count: 5,
        })
    })
    .collect();
    let ids: Vec<ItemId> = ask(db, "similar items", &asks)
        .await?
        .into_iter()
        .flat_map(|answer| match answer {
            Answer::Ids(found) => found.ids,
            Answer::CategoryCounts(_) | Answer::Spellcheck(_) => Vec::new(),
        })
        .filter(|id| *id != item_id)
        .take(4)
        .collect();
    cards_by_id(db, &ids).await
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

    fn term(word: &str, suggestions: &[(&str, &str)]) -> Value {
        let text = |t: &str| Value::BulkString(t.as_bytes().to_vec());
        Value::Array(vec![
            Value::SimpleString("TERM".into()),
            text(word),
            Value::Array(
                suggestions
                    .iter()
                    .map(|(score, s)| Value::Array(vec![text(score), text(s)]))
                    .collect(),
            ),
        ])
    }

    #[test]
    fn spelling_merges_primaries_and_needs_every_one_to_lack_the_word() {
        let ask = Ask::Spellcheck("brass camra lampp".into());
        let primary_a = Value::Array(vec![
            term("camra", &[("0.2", "camera"), ("0.3", "camry")]),
            term("lampp", &[("0.5", "lamp")]),
        ]);
        // The second primary knows "lampp" (it holds an item with it): no suggestion for it.
        let primary_b = Value::Array(vec![term("camra", &[("0.4", "camera")])]);
        let merged = merge(&ask, "p:", true, vec![primary_a, primary_b]).unwrap();
        assert_eq!(
            merged,
            Answer::Spellcheck(vec![("camra".into(), "camera".into())]),
            "scores add up across primaries: 0.6 beats 0.3"
        );
        let none = merge(&ask, "p:", false, vec![Value::Array(vec![])]).unwrap();
        assert_eq!(none, Answer::Spellcheck(vec![]));
        assert!(merge(&ask, "p:", false, vec![Value::Int(3)]).is_err());
        let bad_score = Value::Array(vec![term("camra", &[("lots", "camera")])]);
        assert!(merge(&ask, "p:", false, vec![bad_score]).is_err());
    }
}
