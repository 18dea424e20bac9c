//! Feedback and ratings: each party of a paid order may rate the other once
//! (`lua/leave_feedback.lua`, in the receiver's slot, keeps the receiver's rating counts in the
//! same step); a rating is read from those counts, never by scanning feedback.

use crate::error::AppError;
use crate::orders::{Feedback, Rating, Role};
use crate::server::redis::db::{redis_error, Db};
use crate::server::redis::reply::Fields;
use crate::util::id::{ItemId, UserId};
use redis::{FromRedisValue, ParsingError};

/// `lua/leave_feedback.lua`: feedback once per order and side, with the rating counts.
pub static LEAVE_FEEDBACK: std::sync::LazyLock<redis::Script> =
    crate::lua_script!("leave_feedback");

use crate::accounts::server::rating::{self, PERIOD_MS};

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
    rating::forget(db, to);
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
