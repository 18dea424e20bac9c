//! Sliding-window rate limiting (`lua/rate_limit.lua`), shared by sign-in, sign-up, bids and
//! comments. Time comes from the Redis clock, so all app instances count the same window.

use crate::error::AppError;
use crate::server::redis::db::{redis_error, Db};
use crate::server::redis::reply::Yes;
use crate::util::id::UserId;
use crate::util::random::random_token;
use std::time::Duration;

/// `lua/rate_limit.lua`: sliding-window limiter on Redis server time.
pub static RATE_LIMIT: std::sync::LazyLock<redis::Script> = crate::lua_script!("rate_limit");

/// A limit: at most `max` hits per `window`.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    pub max: u32,
    pub window: Duration,
}

impl Limit {
    pub const fn per_secs(max: u32, secs: u64) -> Self {
        Limit {
            max,
            window: Duration::from_secs(secs),
        }
    }
}

/// The verdict for one hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Allowed { remaining: u32 },
    Limited { retry_after: Duration },
}

/// Counts one hit of `action` by `subject` (an IP, a username) against `limit`.
pub async fn hit(db: &Db, action: &str, subject: &str, limit: Limit) -> Result<Verdict, AppError> {
    hit_key(db, &db.keys().rate_limit(action, subject), limit).await
}

async fn hit_key(db: &Db, key: &str, limit: Limit) -> Result<Verdict, AppError> {
    let mut conn = db.conn()?;
    let (Yes(allowed), remaining, retry_ms): (Yes, i64, i64) = RATE_LIMIT
        .key(key)
        .arg(limit.window.as_millis() as u64)
        .arg(limit.max)
        .arg(random_token())
        .invoke_async(&mut conn)
        .await
        .map_err(|e| redis_error("rate limit", e))?;
    Ok(if allowed {
        Verdict::Allowed {
            remaining: remaining.max(0) as u32,
        }
    } else {
        Verdict::Limited {
            retry_after: Duration::from_millis(retry_ms.max(1) as u64),
        }
    })
}

/// What happens to an action when Redis cannot count it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnFailure {
    /// Refuse the action ([`AppError::Unavailable`], 503): the limit protects something that
    /// matters more than the action.
    Refuse,
    /// Let the action through uncounted: the limit is a courtesy, the action harmless.
    Allow,
}

/// The rate-limited actions, each with its limit bucket name and its failure policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    SignIn,
    SignUp,
    Bid,
    Comment,
    Listing,
    /// A revision of a listing, or an addition to its description.
    Revision,
    /// A step of an order (pay, ship, receive).
    OrderStep,
    /// A message to the other party of an order.
    OrderMessage,
    /// A report to the moderators, or a change to the bidders one blocks.
    Report,
    /// An email asked for: a confirmation link (again), a password reset.
    Mail,
}

impl Action {
    pub fn name(self) -> &'static str {
        match self {
            Action::SignIn => "signin",
            Action::SignUp => "signup",
            Action::Bid => "bid",
            Action::Comment => "comment",
            Action::Listing => "listing",
            Action::Revision => "revise",
            Action::OrderStep => "order",
            Action::OrderMessage => "order-msg",
            Action::Report => "report",
            Action::Mail => "mail",
        }
    }

    /// Every write Rbay limits today fails closed: if Redis cannot count the hit it cannot
    /// store the write either, and letting floods through uncounted during a partial outage
    /// (a timeout, a full memory) would defeat the limit exactly when it matters. Sign-in
    /// and sign-up also guard against password guessing.
    pub fn on_failure(self) -> OnFailure {
        match self {
            Action::SignIn
            | Action::SignUp
            | Action::Bid
            | Action::Comment
            | Action::Listing
            | Action::Revision
            | Action::OrderStep
            | Action::OrderMessage
            | Action::Report
            | Action::Mail => OnFailure::Refuse,
        }
    }
}

/// Counts a hit of `action` by `subject` (an IP, a username). (A signed-in user's buckets are
/// counted by [`enforce_user`], or with the session check by
/// `accounts::server::current_user_within`; every way in ends in the same decision.)
/// `Ok(Ok(()))` go ahead; `Ok(Err(secs))` refused, retry after `secs` (rounded up);
/// `Err(_)` Redis failed and the action's policy is to refuse.
pub async fn enforce(
    db: &Db,
    action: Action,
    subject: &str,
    limit: Limit,
) -> Result<Result<(), u64>, AppError> {
    decide(action, hit(db, action.name(), subject, limit).await)
}

/// [`enforce`] for a signed-in user's action (the bucket lives in the user's slot, where
/// `accounts::server::current_user_within` also counts it together with the session check).
pub async fn enforce_user(
    db: &Db,
    action: Action,
    user_id: UserId,
    limit: Limit,
) -> Result<Result<(), u64>, AppError> {
    let key = db.keys().user_rate_limit(action.name(), user_id);
    decide(action, hit_key(db, &key, limit).await)
}

fn decide(action: Action, verdict: Result<Verdict, AppError>) -> Result<Result<(), u64>, AppError> {
    match verdict {
        Ok(Verdict::Allowed { .. }) => Ok(Ok(())),
        Ok(Verdict::Limited { retry_after }) => {
            Ok(Err(retry_after.as_millis().div_ceil(1000) as u64))
        }
        Err(e) => match action.on_failure() {
            OnFailure::Refuse => Err(e),
            OnFailure::Allow => {
                tracing::warn!(action = action.name(), error = %e, "rate limit not counted");
                Ok(Ok(()))
            }
        },
    }
}
