//! A user's rating, read from the counts the orders' feedback script keeps
//! (`lua/leave_feedback.lua`, in the user's slot): never by scanning feedback. Item pages,
//! cards and profiles show it next to a seller's name.

use crate::accounts::RatingSummary;
use crate::error::AppError;
use crate::server::redis::db::{redis_error, Db};
use crate::util::id::UserId;
use std::collections::HashMap;

/// The rating counts' period: 30 days. "The last 12 months" is the current period and the 12
/// before it (a little over a year, never less).
pub const PERIOD_MS: i64 = 30 * 86_400_000;
pub const PERIODS: i64 = 13;

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
    let mut conn = db.conn()?;
    let counts: Vec<Option<u64>> = counts_command(db, user, now_ms)
        .query_async(&mut conn)
        .await
        .map_err(|e| redis_error("read rating", e))?;
    Ok(from_counts(&counts))
}

/// The `HMGET` of a user's counts: ever (`p`, `u`, `n`), then each period of the last 12
/// months.
fn counts_command(db: &Db, user: UserId, now_ms: i64) -> redis::Cmd {
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
    cmd
}

/// The summary of the counts [`counts_command`] read (a missing count is none given yet).
fn from_counts(counts: &[Option<u64>]) -> RatingSummary {
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
    s
}

/// Forgets this instance's copy of `user`'s rating (feedback was just left for them).
pub fn forget(db: &Db, user: UserId) {
    ratings().forget(&rating_cache_key(db, user));
}

/// The ratings of several users (the sellers of a page of cards): the copies this instance read
/// within [`RATING_FRESH`], and the others in one round trip.
pub async fn recent_summaries(
    db: &Db,
    users: &[UserId],
) -> Result<HashMap<UserId, RatingSummary>, AppError> {
    let now_ms = crate::util::time::now_ms();
    let mut found = HashMap::with_capacity(users.len());
    let mut missing = Vec::new();
    for user in users {
        if found.contains_key(user) || missing.contains(user) {
            continue;
        }
        match ratings().get(&rating_cache_key(db, *user)) {
            Some(s) => {
                found.insert(*user, s);
            }
            None => missing.push(*user),
        }
    }
    if missing.is_empty() {
        return Ok(found);
    }
    let mut pipe = redis::pipe();
    for user in &missing {
        pipe.add_command(counts_command(db, *user, now_ms));
    }
    let mut conn = db.conn()?;
    let replies: Vec<Vec<Option<u64>>> = pipe
        .query_async(&mut conn)
        .await
        .map_err(|e| redis_error("read ratings", e))?;
    for (user, counts) in missing.into_iter().zip(replies) {
        let s = from_counts(&counts);
        ratings().put(rating_cache_key(db, user), s);
        found.insert(user, s);
    }
    Ok(found)
}
