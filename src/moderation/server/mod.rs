//! Moderation on Redis: reports (`lua/report.lua`), the queue and the audit log
//! (`lua/moderation_log.lua`), hiding listings (`lua/moderate_item.lua`) and comments
//! (`lua/moderate_comment.lua`), suspending users, and sellers' blocks.

pub mod keys;

use crate::accounts::CurrentUser;
use crate::auction::server::cancel::CancelReason;
use crate::catalog::server::rankings::CategoryRankings;
use crate::error::AppError;
use crate::items::server::frame::item_script;
use crate::moderation::{
    AuditLine, Blocked, ModAction, ModProblem, ModerationView, QueueEntry, Reason, ReportNote,
    Reported, Target, BLOCKS_MAX,
};
use crate::server::redis::db::{redis_error, Db};
use crate::server::redis::keys::{shard_of, SHARDS};
use crate::server::redis::rate_limit::Limit;
use crate::server::redis::reply::Fields;
use crate::util::id::{ItemId, UserId};
use redis::{FromRedisValue, ParsingError};
use std::collections::HashMap;

/// `lua/report.lua`: one report per reporter per target, counted and queued.
pub static REPORT: std::sync::LazyLock<redis::Script> = crate::lua_script!("report");
/// `lua/moderation_log.lua`: the audit log's line and the reports settled, in one step.
pub static MODERATION_LOG: std::sync::LazyLock<redis::Script> =
    crate::lua_script!("moderation_log");
/// `lua/moderate_item.lua`: hide or restore a listing.
pub static MODERATE_ITEM: std::sync::LazyLock<redis::Script> = crate::lua_script!("moderate_item");
/// `lua/moderate_comment.lua`: hide or restore a comment.
pub static MODERATE_COMMENT: std::sync::LazyLock<redis::Script> =
    crate::lua_script!("moderate_comment");

/// Reports and block changes per user: enough for anyone honest, a wall for a flood.
pub const REPORT_LIMIT: Limit = Limit::per_secs(20, 3600);
/// Open targets kept in the queue (the oldest fall off a full one).
const QUEUE_KEPT: usize = 10_000;
/// Lines kept in the audit log (about; `MAXLEN ~`).
const AUDIT_KEPT: usize = 100_000;
/// Targets shown per queue, reports shown per target, audit lines shown.
const QUEUE_SHOWN: usize = 25;
const NOTES_SHOWN: isize = 5;
const AUDIT_SHOWN: usize = 50;
/// How much of a listing's description the moderators see in the queue.
const DETAIL_CHARS: usize = 280;

/// What a script that changes one thing did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    Done,
    /// It was like that already.
    Unchanged,
    NotFound,
}

/// Strictly `{ done }`, `{ unchanged }` or `{ not_found }`.
impl FromRedisValue for Applied {
    fn from_redis_value(v: redis::Value) -> Result<Self, ParsingError> {
        let f = Fields::new("moderate", v)?;
        f.expect_len(1)?;
        Ok(match f.status()?.as_str() {
            "done" => Applied::Done,
            "unchanged" => Applied::Unchanged,
            "not_found" => Applied::NotFound,
            other => return Err(f.unknown_status(other)),
        })
    }
}

/// `lua/report.lua`'s reply: `{ reported, count }` or `{ already }`.
enum ReportReply {
    Reported(u32),
    Already,
}

impl FromRedisValue for ReportReply {
    fn from_redis_value(v: redis::Value) -> Result<Self, ParsingError> {
        let f = Fields::new("report", v)?;
        Ok(match f.status()?.as_str() {
            "reported" => {
                f.expect_len(2)?;
                ReportReply::Reported(f.get(1)?)
            }
            "already" => ReportReply::Already,
            other => return Err(f.unknown_status(other)),
        })
    }
}

/// `lua/moderation_log.lua`'s reply: `{ logged, entry id }`.
struct Logged;

impl FromRedisValue for Logged {
    fn from_redis_value(v: redis::Value) -> Result<Self, ParsingError> {
        let f = Fields::new("moderation_log", v)?;
        f.expect_len(2)?;
        match f.status()?.as_str() {
            "logged" => Ok(Logged),
            other => Err(f.unknown_status(other)),
        }
    }
}

/// What `target` is now (its words, its owner, whether it is hidden), or `None` when it does
/// not exist.
pub async fn describe(db: &Db, target: Target) -> Result<Option<Reported>, AppError> {
    let keys = db.keys();
    let mut conn = db.conn()?;
    let fail = |e| redis_error("describe reported", e);
    Ok(match target {
        Target::Listing(item) => {
            let fields: [Option<String>; 5] = redis::cmd("HMGET")
                .arg(keys.item(item))
                .arg(&["name", "description", "seller_id", "seller_name", "hidden"])
                .query_async(&mut conn)
                .await
                .map_err(fail)?;
            let [name, description, seller, seller_name, hidden] = fields;
            let (Some(name), Some(owner_id)) = (name, seller.as_deref().and_then(UserId::parse))
            else {
                return Ok(None);
            };
            Some(Reported {
                target,
                what: name,
                detail: description
                    .unwrap_or_default()
                    .chars()
                    .take(DETAIL_CHARS)
                    .collect(),
                owner_id,
                owner_name: seller_name.unwrap_or_default(),
                hidden: hidden.is_some(),
            })
        }
        Target::Comment(item, id) => {
            let (shown, hidden): (Option<String>, Option<String>) = redis::pipe()
                .cmd("HGET")
                .arg(keys.item_comments(item))
                .arg(id)
                .cmd("HGET")
                .arg(keys.item_hidden_comments(item))
                .arg(id)
                .query_async(&mut conn)
                .await
                .map_err(fail)?;
            let is_hidden = shown.is_none() && hidden.is_some();
            let stored = shown.or(hidden);
            let Some(comment) = stored
                .as_deref()
                .and_then(|raw| crate::comments::server::parse(item, id, raw))
            else {
                return Ok(None);
            };
            Some(Reported {
                target,
                what: comment.text,
                detail: String::new(),
                owner_id: comment.author_id,
                owner_name: comment.author_name,
                hidden: is_hidden,
            })
        }
        Target::User(user) => {
            let (name, suspended): (Option<String>, Option<String>) = redis::cmd("HMGET")
                .arg(keys.user(user))
                .arg(&["username", "suspended"])
                .query_async(&mut conn)
                .await
                .map_err(fail)?;
            name.map(|name| Reported {
                target,
                what: name.clone(),
                detail: String::new(),
                owner_id: user,
                owner_name: name,
                hidden: suspended.is_some(),
            })
        }
    })
}

/// Files `reporter`'s report of `target` (the rate limit is the caller's): refused for what
/// does not exist, for one's own, and for a second report of the same target.
pub async fn report(
    db: &Db,
    target: Target,
    reporter: &CurrentUser,
    reason: Reason,
    note: &str,
) -> Result<Result<u32, ModProblem>, AppError> {
    // What a moderator hid already is not in anyone's way any more.
    let Some(reported) = describe(db, target).await?.filter(|r| !r.hidden) else {
        return Ok(Err(ModProblem::Gone));
    };
    if reported.owner_id == reporter.id {
        return Ok(Err(ModProblem::Own));
    }
    let keys = db.keys();
    let name = target.key();
    let entry = ReportNote {
        reporter_id: reporter.id,
        reporter_name: reporter.username.clone(),
        reason,
        note: note.to_string(),
        at_ms: crate::util::time::now_ms(),
    };
    let json = serde_json::to_string(&entry).map_err(|_| AppError::Internal)?;
    let mut conn = db.conn()?;
    let reply: ReportReply = REPORT
        .key(keys.reports(&name))
        .key(keys.reports_newest())
        .key(keys.reports_most())
        .key(keys.report_notes(&name))
        .arg(&name)
        .arg(reporter.id)
        .arg(json)
        .arg(QUEUE_KEPT)
        .invoke_async(&mut conn)
        .await
        .map_err(|e| redis_error("report", e))?;
    Ok(match reply {
        ReportReply::Reported(count) => {
            tracing::info!(target = %name, reporter = %reporter.id, count, "reported");
            Ok(count)
        }
        ReportReply::Already => Err(ModProblem::Already),
    })
}

/// A moderator's action on `target`, then its line in the audit log (which also settles the
/// target's reports). The action comes first: the log never claims what did not happen; an
/// action whose log line could not be written is answered with an error, and doing it again
/// (it is idempotent) writes the line.
pub async fn act(
    db: &Db,
    moderator: &str,
    target: Target,
    action: ModAction,
    why: &str,
) -> Result<Applied, AppError> {
    let acted_at = crate::util::time::now_ms();
    let applied = apply(db, target, action, why).await?;
    if applied == Applied::NotFound {
        return Ok(applied);
    }
    let keys = db.keys();
    let name = target.key();
    let mut conn = db.conn()?;
    let label = match applied {
        Applied::Unchanged if action != ModAction::Dismiss => "confirmed",
        _ => action.label(&target),
    };
    let _: Logged = MODERATION_LOG
        .key(keys.reports(&name))
        .key(keys.reports_newest())
        .key(keys.reports_most())
        .key(keys.moderation_log())
        .arg(&name)
        .arg(moderator)
        .arg(label)
        .arg(why)
        .arg(AUDIT_KEPT)
        .arg(acted_at)
        .invoke_async(&mut conn)
        .await
        .map_err(|e| redis_error("moderation log", e))?;
    tracing::info!(target = %name, moderator, action = action.as_str(), ?applied, "moderated");
    // A suspended user's standing maximums stop answering and cannot win: their bids on
    // running auctions are cancelled by a job (queued again when a suspension is confirmed, so
    // a moderator who retries after a failure here gets it done).
    if let (Target::User(user), ModAction::Hide) = (target, action) {
        crate::auction::server::cancel::queue(db, user, CancelReason::Suspended).await?;
    }
    // The seller hears that their listing was removed, and why (its page still shows it to
    // them): once per listing and hiding.
    if let (Target::Listing(item), ModAction::Hide, Applied::Done) = (target, action, applied) {
        if let Some(listing) = describe(db, target).await? {
            let notice = crate::notifications::server::NewNotice {
                user_id: listing.owner_id,
                kind: crate::notifications::NoticeKind::ListingRemoved,
                item_id: item.0,
                item_name: listing.what,
                price_cents: 0,
                actor: why.to_string(),
                once: Some(format!("removed:{item}:{acted_at}")),
            };
            crate::notifications::server::send_or_log(db, &notice).await;
        }
    }
    Ok(applied)
}

/// The change itself.
async fn apply(db: &Db, target: Target, action: ModAction, why: &str) -> Result<Applied, AppError> {
    let keys = db.keys();
    let mut conn = db.conn()?;
    let word = match action {
        ModAction::Hide => "hide",
        ModAction::Restore => "restore",
        ModAction::Dismiss => {
            return Ok(match describe(db, target).await? {
                Some(_) => Applied::Done,
                None => Applied::NotFound,
            })
        }
    };
    match target {
        Target::Listing(item) => item_script(&MODERATE_ITEM, keys, item)
            .arg(word)
            .arg(why)
            .category_rankings(keys, shard_of(item.0))
            .invoke_async(&mut conn)
            .await
            .map_err(|e| redis_error("moderate item", e)),
        Target::Comment(item, id) => item_script(&MODERATE_COMMENT, keys, item)
            .key(keys.item_comments(item))
            .key(keys.item_comment_order(item))
            .key(keys.item_hidden_comments(item))
            .arg(word)
            .arg(id)
            .invoke_async(&mut conn)
            .await
            .map_err(|e| redis_error("moderate comment", e)),
        Target::User(user) => {
            if describe(db, target).await?.is_none() {
                return Ok(Applied::NotFound);
            }
            // One field: its presence is the suspension (the session script and sign-in read
            // it). Its value is when.
            let changed: bool = match action {
                ModAction::Hide => {
                    redis::cmd("HSETNX")
                        .arg(keys.user(user))
                        .arg("suspended")
                        .arg(crate::util::time::now_ms())
                        .query_async(&mut conn)
                        .await
                }
                _ => {
                    redis::cmd("HDEL")
                        .arg(keys.user(user))
                        .arg("suspended")
                        .query_async(&mut conn)
                        .await
                }
            }
            .map_err(|e| redis_error("suspend user", e))?;
            // Instances that remember the user's sessions forget them now.
            crate::accounts::server::sessions::announce_changed(db, user).await;
            Ok(if changed {
                Applied::Done
            } else {
                Applied::Unchanged
            })
        }
    }
}

/// The moderation page: the queue by newest and by most reported, and the audit log.
pub async fn view(db: &Db) -> Result<ModerationView, AppError> {
    let keys = db.keys();
    let mut conn = db.conn()?;
    let shown = QUEUE_SHOWN as isize - 1;
    let (newest, most, log): (Vec<String>, Vec<String>, redis::Value) = redis::pipe()
        .cmd("ZREVRANGE")
        .arg(keys.reports_newest())
        .arg(0)
        .arg(shown)
        .cmd("ZREVRANGE")
        .arg(keys.reports_most())
        .arg(0)
        .arg(shown)
        .cmd("XREVRANGE")
        .arg(keys.moderation_log())
        .arg("+")
        .arg("-")
        .arg("COUNT")
        .arg(AUDIT_SHOWN)
        .query_async(&mut conn)
        .await
        .map_err(|e| redis_error("moderation queue", e))?;
    let mut targets: Vec<Target> = Vec::new();
    for raw in newest.iter().chain(&most) {
        if let Some(t) = Target::parse(raw).filter(|t| !targets.contains(t)) {
            targets.push(t);
        }
    }
    let entries = futures_util::future::try_join_all(targets.iter().map(|t| entry(db, *t)))
        .await?
        .into_iter()
        .map(|e| (e.target, e))
        .collect::<HashMap<_, _>>();
    let pick = |list: &[String]| -> Vec<QueueEntry> {
        list.iter()
            .filter_map(|raw| entries.get(&Target::parse(raw)?).cloned())
            .collect()
    };
    Ok(ModerationView {
        newest: pick(&newest),
        most: pick(&most),
        audit: audit_lines(log)?,
        now_ms: crate::util::time::now_ms(),
    })
}

/// One queued target: its counts, its newest reports, and what it is now.
async fn entry(db: &Db, target: Target) -> Result<QueueEntry, AppError> {
    let keys = db.keys();
    let name = target.key();
    let mut conn = db.conn()?;
    let ((count, last_at), notes): ((Option<u32>, Option<i64>), Vec<String>) = redis::pipe()
        .cmd("HMGET")
        .arg(keys.reports(&name))
        .arg(&["count", "last_at"])
        .cmd("LRANGE")
        .arg(keys.report_notes(&name))
        .arg(0)
        .arg(NOTES_SHOWN - 1)
        .query_async(&mut conn)
        .await
        .map_err(|e| redis_error("reports", e))?;
    Ok(QueueEntry {
        target,
        reported: describe(db, target).await?,
        reports: count.unwrap_or(0),
        last_at_ms: last_at.unwrap_or(0),
        notes: notes
            .iter()
            .filter_map(|raw| serde_json::from_str(raw).ok())
            .collect(),
    })
}

/// The audit log's entries (`XREVRANGE` reply), strictly.
fn audit_lines(reply: redis::Value) -> Result<Vec<AuditLine>, AppError> {
    type Entry = (String, HashMap<String, String>);
    let entries: Vec<Entry> =
        redis::from_redis_value(reply).map_err(|e| redis_error("audit log", e.into()))?;
    entries
        .into_iter()
        .map(|(id, mut fields)| {
            let at_ms = id
                .split_once('-')
                .and_then(|(ms, _)| ms.parse().ok())
                .ok_or_else(|| redis_error("audit log", ParsingError::from("entry id").into()))?;
            let mut take = |k: &str| fields.remove(k).unwrap_or_default();
            Ok(AuditLine {
                at_ms,
                by: take("by"),
                action: take("action"),
                target: take("target"),
                why: take("why"),
            })
        })
        .collect()
}

/// Blocks `bidder` from `seller`'s listings: copied into every item shard first (where the
/// bid scripts read it), then onto the seller's own list, so the list never shows a block
/// that is not enforced.
pub async fn block(
    db: &Db,
    seller: UserId,
    bidder: UserId,
) -> Result<Result<(), ModProblem>, AppError> {
    if seller == bidder {
        return Ok(Err(ModProblem::Yourself));
    }
    let keys = db.keys();
    let mut conn = db.conn()?;
    let fail = |e| redis_error("block bidder", e);
    let (count, already): (usize, Option<f64>) = redis::pipe()
        .cmd("ZCARD")
        .arg(keys.user_blocked(seller))
        .cmd("ZSCORE")
        .arg(keys.user_blocked(seller))
        .arg(bidder)
        .query_async(&mut conn)
        .await
        .map_err(fail)?;
    if already.is_some() {
        // Blocking again re-runs the cancellation (a first attempt may have failed to queue it).
        cancel_blocked_bids(db, bidder).await?;
        return Ok(Ok(()));
    }
    if count >= BLOCKS_MAX {
        return Ok(Err(ModProblem::TooManyBlocks));
    }
    let now = crate::util::time::now_ms();
    let field = format!("{seller}:{bidder}");
    let mut pipe = redis::pipe();
    for shard in 0..SHARDS {
        pipe.cmd("HSET")
            .arg(keys.shard_blocks(shard))
            .arg(&field)
            .arg(now)
            .ignore();
    }
    let _: () = pipe.query_async(&mut conn).await.map_err(fail)?;
    let _: () = redis::cmd("ZADD")
        .arg(keys.user_blocked(seller))
        .arg(now)
        .arg(bidder)
        .query_async(&mut conn)
        .await
        .map_err(fail)?;
    cancel_blocked_bids(db, bidder).await?;
    Ok(Ok(()))
}

/// Queues the cancellation of a blocked bidder's bids: the script cancels them only on
/// listings whose seller blocks them (checked in each item's step).
async fn cancel_blocked_bids(db: &Db, bidder: UserId) -> Result<(), AppError> {
    crate::auction::server::cancel::queue(db, bidder, CancelReason::Blocked).await
}

/// Lifts a block: from every shard first, then from the seller's list (which shows it until
/// it is gone everywhere).
pub async fn unblock(db: &Db, seller: UserId, bidder: UserId) -> Result<(), AppError> {
    let keys = db.keys();
    let mut conn = db.conn()?;
    let fail = |e| redis_error("unblock bidder", e);
    let field = format!("{seller}:{bidder}");
    let mut pipe = redis::pipe();
    for shard in 0..SHARDS {
        pipe.cmd("HDEL")
            .arg(keys.shard_blocks(shard))
            .arg(&field)
            .ignore();
    }
    let _: () = pipe.query_async(&mut conn).await.map_err(fail)?;
    let _: () = redis::cmd("ZREM")
        .arg(keys.user_blocked(seller))
        .arg(bidder)
        .query_async(&mut conn)
        .await
        .map_err(fail)?;
    Ok(())
}

/// The bidders `seller` blocked, newest first, with their names.
pub async fn blocked(db: &Db, seller: UserId) -> Result<Vec<Blocked>, AppError> {
    let keys = db.keys();
    let mut conn = db.conn()?;
    let fail = |e| redis_error("blocked bidders", e);
    let list: Vec<(u64, f64)> = redis::cmd("ZREVRANGE")
        .arg(keys.user_blocked(seller))
        .arg(0)
        .arg(BLOCKS_MAX as isize - 1)
        .arg("WITHSCORES")
        .query_async(&mut conn)
        .await
        .map_err(fail)?;
    if list.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<UserId> = list.iter().map(|(id, _)| UserId(*id)).collect();
    let names = crate::accounts::server::usernames(&mut conn, keys, &ids)
        .await
        .map_err(fail)?;
    Ok(list
        .into_iter()
        .zip(names)
        .map(|((id, at), name)| Blocked {
            user_id: UserId(id),
            username: name.unwrap_or_else(|| format!("user {id}")),
            at_ms: at as i64,
        })
        .collect())
}

/// Whether `seller` blocked `bidder` (read from the shard of `item`, as the bid script does).
pub async fn is_blocked(
    db: &Db,
    item: ItemId,
    seller: UserId,
    bidder: UserId,
) -> Result<bool, AppError> {
    let mut conn = db.conn()?;
    redis::cmd("HEXISTS")
        .arg(db.keys().shard_blocks(shard_of(item.0)))
        .arg(format!("{seller}:{bidder}"))
        .query_async(&mut conn)
        .await
        .map_err(|e| redis_error("is blocked", e))
}
