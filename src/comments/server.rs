//! Comments on Redis: add (rate limited), delete (author only), list newest first. Writes are
//! Lua scripts, each of which announces its change live in the same step.

use crate::comments::{clean_comment, Comment, CommentProblem};
use crate::error::AppError;
use crate::items::server::frame::{heard_after, item_script};
use crate::items::ItemId;
use crate::server::redis::db::{redis_error, Db};
use crate::server::redis::keys::Keys;
use crate::server::redis::rate_limit::{self, Action, Limit};
use crate::server::redis::reply::Fields;
use crate::util::id::UserId;
use redis::{FromRedisValue, ParsingError, ScriptInvocation};

/// `lua/add_comment.lua`: store a comment, order it, count it, announce it.
pub static ADD_COMMENT: std::sync::LazyLock<redis::Script> = crate::lua_script!("add_comment");

/// `lua/delete_comment.lua`: delete a comment, only for its author.
pub static DELETE_COMMENT: std::sync::LazyLock<redis::Script> =
    crate::lua_script!("delete_comment");

/// A stored comment (`author_id|created_ms|author_name|text`) read back.
pub fn parse(item_id: ItemId, id: u64, raw: &str) -> Option<Comment> {
    let mut parts = raw.splitn(4, '|');
    Some(Comment {
        id,
        item_id,
        author_id: parts.next()?.parse().ok()?,
        created_ms: parts.next()?.parse().ok()?,
        author_name: parts.next()?.to_string(),
        text: parts.next()?.to_string(),
    })
}

/// Adds a comment by `author`; `Ok(Err(problem))` for a refusal (nothing written).
pub async fn add(
    db: &Db,
    limit: Limit,
    item_id: ItemId,
    author_id: UserId,
    author_name: &str,
    text: &str,
) -> Result<Result<Comment, CommentProblem>, AppError> {
    let text = match clean_comment(text) {
        Ok(text) => text,
        Err(problem) => return Ok(Err(problem)),
    };
    if let Err(secs) = rate_limit::enforce_user(db, Action::Comment, author_id, limit).await? {
        return Ok(Err(CommentProblem::RateLimited(secs)));
    }
    let keys = db.keys();
    // The id comes from a global counter (its own slot); the comment goes in the item's.
    let id: u64 = redis::cmd("INCR")
        .arg(keys.comment_ids())
        .query_async(&mut db.conn()?)
        .await
        .map_err(|e| redis_error("add comment", e))?;
    let mut call = comment_script(&ADD_COMMENT, keys, item_id);
    call.arg(id).arg(author_id).arg(author_name).arg(&text);
    let created_ms = match write(db, item_id, "add comment", call).await? {
        Written::Added { created_ms } => created_ms,
        Written::NotFound => return Ok(Err(CommentProblem::NotFound)),
        other => return Err(unexpected("add_comment", other)),
    };
    Ok(Ok(Comment {
        id,
        item_id,
        author_id,
        author_name: author_name.to_string(),
        text,
        created_ms,
    }))
}

/// Deletes comment `comment_id` if `user_id` wrote it.
pub async fn delete(
    db: &Db,
    item_id: ItemId,
    comment_id: u64,
    user_id: UserId,
) -> Result<Result<(), CommentProblem>, AppError> {
    let mut call = comment_script(&DELETE_COMMENT, db.keys(), item_id);
    call.arg(comment_id).arg(user_id);
    match write(db, item_id, "delete comment", call).await? {
        Written::Deleted => Ok(Ok(())),
        Written::NotYours => Ok(Err(CommentProblem::NotYours)),
        Written::NotFound => Ok(Err(CommentProblem::NotFound)),
        other => Err(unexpected("delete_comment", other)),
    }
}

/// A comment script's call: the item frame, then the item's comments (`KEYS[9]`) and their
/// order (`KEYS[10]`).
fn comment_script<'a>(
    script: &'a redis::Script,
    keys: &Keys,
    item_id: ItemId,
) -> ScriptInvocation<'a> {
    let mut call = item_script(script, keys, item_id);
    call.key(keys.item_comments(item_id))
        .key(keys.item_comment_order(item_id));
    call
}

/// Runs a comment script's `call`; when it changed something, answered once this instance
/// heard of the item (`frame::heard_after`).
async fn write(
    db: &Db,
    item_id: ItemId,
    what: &'static str,
    call: ScriptInvocation<'_>,
) -> Result<Written, AppError> {
    let mut conn = db.conn()?;
    heard_after(db, item_id, call.invoke_async(&mut conn), |r| {
        r.as_ref().is_ok_and(Written::changed)
    })
    .await
    .map_err(|e| redis_error(what, e))
}

/// What a comment script did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Written {
    Added { created_ms: i64 },
    Deleted,
    NotFound,
    NotYours,
}

impl Written {
    /// Whether the script changed (and announced) something.
    fn changed(&self) -> bool {
        matches!(self, Written::Added { .. } | Written::Deleted)
    }
}

/// Strictly `{ added, created ms, count }`, `{ deleted, count }`, `{ not_found }` or
/// `{ not_yours }`.
impl FromRedisValue for Written {
    fn from_redis_value(v: redis::Value) -> Result<Self, ParsingError> {
        let f = Fields::new("comment", v)?;
        Ok(match f.status()?.as_str() {
            "added" => {
                f.expect_len(3)?;
                Written::Added {
                    created_ms: f.get(1)?,
                }
            }
            "deleted" => {
                f.expect_len(2)?;
                Written::Deleted
            }
            "not_found" => Written::NotFound,
            "not_yours" => Written::NotYours,
            other => return Err(f.unknown_status(other)),
        })
    }
}

/// A reply one script never gives (the other script's): a defect, not the client's mistake.
fn unexpected(script: &str, reply: Written) -> AppError {
    tracing::error!(script, ?reply, "unexpected reply");
    AppError::Internal
}

/// A page of comments, newest first, and the total: two round trips (ids + count, then texts).
pub async fn list(
    db: &Db,
    item_id: ItemId,
    offset: usize,
    count: usize,
) -> Result<(u64, Vec<Comment>), AppError> {
    let keys = db.keys();
    let mut conn = db.conn()?;
    let (ids, total): (Vec<u64>, u64) = redis::pipe()
        .cmd("ZREVRANGE")
        .arg(keys.item_comment_order(item_id))
        .arg(offset)
        .arg((offset + count).saturating_sub(1))
        .cmd("ZCARD")
        .arg(keys.item_comment_order(item_id))
        .query_async(&mut conn)
        .await
        .map_err(|e| redis_error("list comments", e))?;
    if ids.is_empty() {
        return Ok((total, Vec::new()));
    }
    let texts: Vec<Option<String>> = redis::cmd("HMGET")
        .arg(keys.item_comments(item_id))
        .arg(&ids)
        .query_async(&mut conn)
        .await
        .map_err(|e| redis_error("load comments", e))?;
    let comments = ids
        .iter()
        .zip(texts)
        .filter_map(|(id, raw)| parse(item_id, *id, raw.as_deref()?))
        .collect();
    Ok((total, comments))
}

/// Tells the seller about a new comment by someone else, in the background (the comment is
/// already stored and announced; the notice goes through the job queue and is coalesced).
pub fn notify_seller(db: &Db, item_id: ItemId, author_id: UserId, author_name: &str) {
    let db = db.clone();
    let author = author_name.to_string();
    tokio::spawn(async move {
        let Ok(Some(item)) = crate::items::server::store::get(&db, item_id).await else {
            return;
        };
        if item.seller_id == author_id {
            return;
        }
        let notice = crate::notifications::server::NewNotice {
            user_id: item.seller_id,
            kind: crate::notifications::NoticeKind::Comment,
            item_id: item_id.0,
            item_name: item.name,
            price_cents: item.price_cents,
            actor: author,
            once: None,
        };
        crate::notifications::server::send_or_log(&db, &notice).await;
    });
}

#[cfg(test)]
mod tests {
    use crate::util::id::UserId;

    #[test]
    fn stored_form_keeps_pipes_in_text() {
        let c = super::parse(crate::items::ItemId(5), 9, "3|1700|ann|a | b").unwrap();
        assert_eq!(
            (c.author_id, c.author_name.as_str(), c.text.as_str()),
            (UserId(3), "ann", "a | b")
        );
    }
}
