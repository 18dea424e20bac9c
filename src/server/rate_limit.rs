//! Sliding-window rate limiting (`lua/rate_limit.lua`), shared by sign-in, sign-up, bids and
//! comments. Time comes from the Redis clock, so all app instances count the same window.

use crate::error::AppError;
use crate::server::db::{redis_error, Db};
use crate::server::lock::random_token;
use crate::server::scripts::scripts;
use std::time::Duration;

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

/// Counts one hit of `action` by `subject` (an IP, a username, a user id) against `limit`.
pub async fn hit(db: &Db, action: &str, subject: &str, limit: Limit) -> Result<Verdict, AppError> {
    let mut conn = db.conn()?;
    let (allowed, remaining, retry_ms): (i64, i64, i64) = scripts()
        .rate_limit
        .key(db.keys().rate_limit(action, subject))
        .arg(limit.window.as_millis() as u64)
        .arg(limit.max)
        .arg(random_token())
        .invoke_async(&mut conn)
        .await
        .map_err(|e| redis_error("rate limit", e))?;
    Ok(if allowed == 1 {
        Verdict::Allowed {
            remaining: remaining.max(0) as u32,
        }
    } else {
        Verdict::Limited {
            retry_after: Duration::from_millis(retry_ms.max(1) as u64),
        }
    })
}

/// Like [`hit`], but turns a refusal into [`AppError::RateLimited`] (whole seconds, rounded up).
pub async fn check(db: &Db, action: &str, subject: &str, limit: Limit) -> Result<(), AppError> {
    match hit(db, action, subject, limit).await? {
        Verdict::Allowed { .. } => Ok(()),
        Verdict::Limited { retry_after } => Err(AppError::RateLimited {
            retry_after_secs: retry_after.as_millis().div_ceil(1000) as u64,
        }),
    }
}
