//! Feedback and ratings: each party of a paid order may rate the other once
//! (`lua/leave_feedback.lua`, in the receiver's slot, keeps the receiver's rating counts in the
//! same step); a rating is read from those counts, never by scanning feedback.

use crate::error::AppError;
use crate::orders::{Feedback, Rating, RatingSummary, Role};
use crate::server::redis::db::{redis_error, Db};
use crate::server::redis::reply::Fields;
use crate::util::id::{ItemId, UserId};
use redis::{FromRedisValue, ParsingError};

/// `lua/leave_feedback.lua`: feedback once per order and side, with the rating counts.
pub static LEAVE_FEEDBACK: std::sync::LazyLock<redis::Script> =
    crate::lua_script!("leave_feedback");

/// The rating counts' period: 30 days. "The last 12 months" is the current period and the 12
/// before it (a little over a year, never less).
const PERIOD_MS: i64 = 30 * 86_400_000;
const PERIODS: i64 = 13;

/// What leaving feedback found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Left {
    Done,
    /// This side of this order gave feedback before: nothing changed.
    Already,
}

impl FromRedisValue for Left {
    fn from_redis_value(v: redis::Value) -> Result<Self, ParsingError> {
        let f = Fields::new("leave_feedback", v)?;
        f.expect_len(1)?;
        match f.status()?.as_str() {
            "done" => Ok(Left::Done),
            "already" => Ok(Left::Already),
            other => Err(f.unknown_status(other)),
        }
    }
}

fn field(item: ItemId, from: Role) -> String {
    format!("{item}:{}", side(from))
}

fn side(role: Role) -> &'static str {
    match role {
        Role::Buyer => "buyer",
        Role::Seller => "seller",
    }
}

fn letter(rating: Rating) -> &'static str {
    match rating {
        Rating::Positive => "p",
        Rating::Neutral => "u",
        Rating::Negative => "n",
    }
}

/// Leaves `feedback` for `to` (the order's other party), once.
pub async fn leave(db: &Db, to: UserId, feedback: &Feedback) -> Result<Left, AppError> {
    let keys = db.keys();
    let json = serde_json::to_string(feedback).map_err(|_| AppError::Internal)?;
    let mut conn = db.conn()?;
    let left = LEAVE_FEEDBACK
        .key(keys.user_feedback(to))
        .key(keys.user_feedback_order(to))
        .key(keys.user_rating(to))
        .arg(field(feedback.item_id, feedback.from_role))
        .arg(json)
        .arg(letter(feedback.rating))
        .arg(feedback.at_ms / PERIOD_MS)
        .invoke_async(&mut conn)
        .await
        .map_err(|e| redis_error("leave feedback", e));
    // This instance's copy of the rating is stale now.
    ratings().forget(&rating_cache_key(db, to));
    left
}

/// The feedback `from`'s side left `to` on the order of `item`, if any.
pub async fn given(
    db: &Db,
    to: UserId,
    item: ItemId,
    from: Role,
) -> Result<Option<Feedback>, AppError> {
    let mut conn = db.conn()?;
    let json: Option<String> = redis::cmd("HGET")
        .arg(db.keys().user_feedback(to))
        .arg(field(item, from))
        .query_async(&mut conn)
        .await
        .map_err(|e| redis_error("read feedback", e))?;
    json.map(|j| decode(&j)).transpose()
}

fn decode(json: &str) -> Result<Feedback, AppError> {
    serde_json::from_str(json).map_err(|e| {
        tracing::error!(error = %e, "feedback that does not read");
        AppError::Internal
    })
}

/// How long an instance reuses a rating it read: item pages show the seller's on every render,
/// and a rating changes only with feedback (this instance forgets its copy when feedback is
/// left through it; others see it within this time).
const RATING_FRESH: std::time::Duration = std::time::Duration::from_secs(2);

/// A user's rating as item pages show it: [`summary`], reused for [`RATING_FRESH`].
pub async fn recent_summary(db: &Db, user: UserId) -> Result<RatingSummary, AppError> {
    let key = rating_cache_key(db, user);
    if let Some(s) = ratings().get(&key) {
        return Ok(s);
    }
    let s = summary(db, user, crate::util::time::now_ms()).await?;
    ratings().put(key, s);
    Ok(s)
}

fn ratings() -> &'static crate::server::short_cache::RecentMap<RatingSummary> {
    static RATINGS: std::sync::LazyLock<crate::server::short_cache::RecentMap<RatingSummary>> =
        std::sync::LazyLock::new(|| {
            crate::server::short_cache::RecentMap::new(RATING_FRESH, 10_000)
        });
    &RATINGS
}

/// Per namespace (tests run several apps in one process).
fn rating_cache_key(db: &Db, user: UserId) -> String {
    format!("{}{user}", db.keys().prefix())
}

/// A user's rating at `now_ms`: one `HMGET` of the counts.
pub async fn summary(db: &Db, user: UserId, now_ms: i64) -> Result<RatingSummary, AppError> {
    let current = now_ms / PERIOD_MS;
    let mut cmd = redis::cmd("HMGET");
    cmd.arg(db.keys().user_rating(user))
        .arg("p")
        .arg("u")
        .arg("n");
    for period in (current - PERIODS + 1)..=current {
        for l in ["p", "u", "n"] {
            cmd.arg(format!("{l}:{period}"));
        }
    }
    let mut conn = db.conn()?;
    let counts: Vec<Option<u64>> = cmd
        .query_async(&mut conn)
        .await
        .map_err(|e| redis_error("read rating", e))?;
    let count = |i: usize| counts.get(i).copied().flatten().unwrap_or(0);
    let mut s = RatingSummary {
        total: count(0) + count(1) + count(2),
        ..RatingSummary::default()
    };
    for chunk in 0..PERIODS as usize {
        let at = 3 + chunk * 3;
        s.positive += count(at);
        s.neutral += count(at + 1);
        s.negative += count(at + 2);
    }
    Ok(s)
}

/// The feedback `user` received, newest first: page `page` (from 1) of
/// [`crate::orders::FEEDBACK_PAGE`], and how many there are.
pub async fn received(db: &Db, user: UserId, page: u64) -> Result<(Vec<Feedback>, u64), AppError> {
    let keys = db.keys();
    let per = crate::orders::FEEDBACK_PAGE as u64;
    let start = page.saturating_sub(1) * per;
    let mut conn = db.conn()?;
    let (fields, total): (Vec<String>, u64) = redis::pipe()
        .cmd("ZREVRANGE")
        .arg(keys.user_feedback_order(user))
        .arg(start)
        .arg(start + per - 1)
        .cmd("ZCARD")
        .arg(keys.user_feedback_order(user))
        .query_async(&mut conn)
        .await
        .map_err(|e| redis_error("read feedback", e))?;
    if fields.is_empty() {
        return Ok((Vec::new(), total));
    }
    let jsons: Vec<Option<String>> = redis::cmd("HMGET")
        .arg(keys.user_feedback(user))
        .arg(&fields)
        .query_async(&mut conn)
        .await
        .map_err(|e| redis_error("read feedback", e))?;
    let list = jsons
        .into_iter()
        .flatten()
        .map(|j| decode(&j))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((list, total))
}
