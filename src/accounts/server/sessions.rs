//! Redis-backed sessions.
//!
//! The browser holds `<user id>.<random 256-bit token>` in an HttpOnly, SameSite=Lax cookie.
//! Redis holds a hash under the token's SHA-256 (so a copy of the database holds no usable
//! tokens), in the user's slot, with the user id and name and a TTL that visits renew
//! (sliding expiry, renewed once the session has aged [`renewal_gap`]). The user id in the cookie only says where to look: without the token it
//! finds nothing. Anonymous visitors have no session record. Signing in always mints a new
//! token; signing out deletes the hash, so the old cookie is dead even if someone kept it.
//!
//! A page view's session is remembered by the instance for a few seconds ([`recall`]): a
//! signed-in page then costs no Redis round trip for "who is this". What could make the memory
//! wrong is announced on the user's channel by whoever changes it — sign-out ([`destroy`]),
//! suspension, a password reset ([`announce_changed`]), a notice (the unread count) — and the
//! instance's one subscription forgets the user's sessions when it hears it
//! (`live::server::UserVersions`); while that subscription is down, nothing is remembered.
//! Writes never use the memory: [`check`] asks Redis every time.
//!
//! [`lookup`] finds a page view's session with one pipeline of plain reads; [`check`] looks a
//! session up and, for writes, counts the user's rate limit in the same script
//! (`lua/session.lua`): one round trip for "who is this, and may they do it now". Both apply
//! the same rules (a suspended account's session, or one of another password generation, is
//! deleted on sight).

use crate::error::AppError;
use crate::server::http::request::SESSION_COOKIE as COOKIE_NAME;
use crate::server::redis::db::{redis_error, Db};
use crate::server::redis::rate_limit::{Action, Limit};
use crate::server::redis::reply::Fields;
use crate::util::id::UserId;
use crate::util::random::{hex, random_hex, random_token};
use redis::{FromRedisValue, ParsingError};
use sha2::{Digest, Sha256};
use std::time::Duration;

/// `lua/session.lua`: the session lookup (sliding expiry) and the user's rate limit.
pub static SESSION: std::sync::LazyLock<redis::Script> = crate::lua_script!("session");

/// The signed-in user of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionUser {
    pub user_id: UserId,
    pub username: String,
    /// The session's remaining lifetime before this visit renewed it.
    pub remaining: Duration,
    /// Unread notifications (read in the same script: the user's keys share a slot).
    pub unread: u32,
    /// The clock the user chose for their charts ([`ZONE_FIELD`] of their account), if any:
    /// read with the session, so a page in their zone costs no round trip more.
    pub zone: Option<String>,
}

/// The account hash's field holding the name of the time zone the user chose for their
/// charts (`seller::server::zone` keeps it; the session lookup reads it).
pub const ZONE_FIELD: &str = "tz";

/// A freshly created session: the token goes into the cookie.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// The cookie value, `<user id>.<token>`.
    pub token: String,
    pub user_id: UserId,
    pub username: String,
}

fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// `<user id>.<64 lowercase hex>` → (user id, token); anything else is not looked up at all.
fn parse(cookie: &str) -> Option<(UserId, &str)> {
    let (user, token) = cookie.split_once('.')?;
    let user_id = UserId::parse(user)?;
    let well_formed = token.len() == 64
        && token
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    well_formed.then_some((user_id, token))
}

/// The user a session cookie claims to be, unconfirmed: only where to look (the holes of a
/// personal page read this user's state while [`lookup`] confirms it; nothing read shows
/// until it has).
pub fn claimed_user(cookie: &str) -> Option<UserId> {
    parse(cookie).map(|(user, _)| user)
}

/// Creates a session for the user, valid for `ttl` from now. `generation` is the account's
/// password generation (`pw_gen`) read with the password this session was granted on: once a
/// password reset moves the account's on, `lua/session.lua` deletes the session on sight — even
/// one granted on the old password while the reset was running.
pub async fn create(
    db: &Db,
    user_id: UserId,
    username: &str,
    ttl: Duration,
    generation: u64,
) -> Result<NewSession, AppError> {
    let token = random_hex::<32>();
    let key = db.keys().session(user_id, &token_hash(&token));
    let mut conn = db.conn()?;
    let now = crate::util::time::now_ms();
    let _: () = redis::pipe()
        .atomic()
        .cmd("HSET")
        .arg(&key)
        .arg("user_id")
        .arg(user_id)
        .arg("username")
        .arg(username)
        .arg("created_at")
        .arg(now)
        .arg("gen")
        .arg(generation)
        .ignore()
        .cmd("PEXPIRE")
        .arg(&key)
        .arg(ttl.as_millis() as u64)
        .ignore()
        .query_async(&mut conn)
        .await
        .map_err(|e| redis_error("create session", e))?;
    Ok(NewSession {
        token: format!("{user_id}.{token}"),
        user_id,
        username: username.to_string(),
    })
}

/// How long a session ages before a visit renews it: a tenth of its lifetime, at most a
/// minute. The expiry still slides (to within a minute), but most visits are pure reads: no
/// write to replicate or to wait for an fsync on, per page view.
pub fn renewal_gap(ttl: Duration) -> Duration {
    (ttl / 10).min(Duration::from_secs(60))
}

/// What [`check`] found: the user, and the rate limit's verdict (`Err(seconds to wait)`).
pub type Checked = Option<(SessionUser, Result<(), u64>)>;

/// The user of a session cookie, renewing its TTL, and when `limit` is given, one hit of that
/// action against the user's rate limit, in one script; `None` for unknown or expired
/// sessions (nothing is counted then).
pub async fn check(
    db: &Db,
    cookie: &str,
    ttl: Duration,
    limit: Option<(Action, Limit)>,
) -> Result<Checked, AppError> {
    let Some(check) = SessionCheck::new(db, cookie, ttl, limit) else {
        return Ok(None);
    };
    let mut conn = db.conn()?;
    let mut call = SESSION.prepare_invoke();
    check.add_to(&mut call);
    let reply: redis::Value = call
        .invoke_async(&mut conn)
        .await
        .map_err(|e| redis_error("session", e))?;
    check.read(reply)
}

/// `lua/session.lua`'s keys and arguments for one cookie, ready to be added to a call of it, or
/// of a script that runs it first in the same step where the slots allow (`lua/bid_as.lua`).
pub struct SessionCheck {
    user_id: UserId,
    keys: [String; 4],
    window_ms: u64,
    max: u64,
    ttl: Duration,
}

impl SessionCheck {
    /// `None` for a cookie that is not a session's (nothing to look up).
    pub fn new(
        db: &Db,
        cookie: &str,
        ttl: Duration,
        limit: Option<(Action, Limit)>,
    ) -> Option<SessionCheck> {
        let (user_id, token) = parse(cookie)?;
        let keys = db.keys();
        let (window_ms, max, action) = match limit {
            Some((action, limit)) => (limit.window.as_millis() as u64, limit.max, action.name()),
            None => (0, 0, "none"),
        };
        Some(SessionCheck {
            user_id,
            keys: [
                keys.session(user_id, &token_hash(token)),
                keys.user_rate_limit(action, user_id),
                keys.user_notes(user_id),
                keys.user(user_id),
            ],
            window_ms,
            max: max.into(),
            ttl,
        })
    }

    /// The user the cookie claims to be (what [`SessionCheck::read`] confirms).
    pub fn claimed(&self) -> UserId {
        self.user_id
    }

    /// Appends `lua/session.lua`'s four keys and five arguments to `call`.
    pub fn add_to(&self, call: &mut redis::ScriptInvocation<'_>) {
        for key in &self.keys {
            call.key(key);
        }
        call.arg(self.ttl.as_millis() as u64)
            .arg(self.window_ms)
            .arg(self.max)
            .arg(random_token())
            .arg(renewal_gap(self.ttl).as_millis() as u64);
    }

    /// The script's reply: the user and the rate limit's verdict, or `None` (no session). A
    /// reply that is not `lua/session.lua`'s is an error.
    pub fn read(&self, reply: redis::Value) -> Result<Checked, AppError> {
        let reply =
            SessionReply::from_redis_value(reply).map_err(|e| redis_error("session", e.into()))?;
        let Some(found) = reply.0 else {
            return Ok(None);
        };
        if found.user.user_id != self.user_id {
            tracing::error!(
                claimed = %self.user_id,
                found = %found.user.user_id,
                "a session names another user"
            );
            return Ok(None);
        }
        Ok(Some((found.user, found.verdict)))
    }
}

/// `lua/session.lua`'s reply, strictly: `{ 0 }` (no such session) or `{ 1, user id, username,
/// remaining ms, allowed (1|0), ms until allowed, unread, chosen zone ('' for none) }`.
struct SessionReply(Option<SessionFound>);

struct SessionFound {
    user: SessionUser,
    verdict: Result<(), u64>,
}

impl FromRedisValue for SessionReply {
    fn from_redis_value(v: redis::Value) -> Result<Self, ParsingError> {
        let f = Fields::new("session", v)?;
        match f.get::<i64>(0)? {
            0 => return Ok(SessionReply(None)),
            1 => {}
            other => return Err(f.unknown_status(&other.to_string())),
        }
        f.expect_len(8)?;
        let remaining: i64 = f.get(3)?;
        let retry_ms: i64 = f.get(5)?;
        let unread: i64 = f.get(6)?;
        let zone: String = f.get(7)?;
        Ok(SessionReply(Some(SessionFound {
            user: SessionUser {
                user_id: f.get(1)?,
                username: f.get(2)?,
                // PTTL is -1 for a key without expiry: no time left to renew from.
                remaining: Duration::from_millis(remaining.max(0) as u64),
                unread: unread.clamp(0, u32::MAX as i64) as u32,
                zone: Some(zone).filter(|name| !name.is_empty()),
            },
            verdict: if f.flag(4)? {
                Ok(())
            } else {
                Err((retry_ms.max(1) as u64).div_ceil(1000))
            },
        })))
    }
}

/// The user of a session cookie, renewing its TTL; `None` for unknown or expired sessions.
///
/// A page view is a pure read, so this is one pipeline of plain reads (no script: a page view
/// costs Redis a quarter of what `lua/session.lua` does), applying the same rules as the
/// script: a suspended account's session, or one granted on another password generation, is
/// deleted on sight; the expiry slides once the session has aged [`renewal_gap`] (one more
/// command, once per gap). All keys are in the user's slot.
pub async fn lookup(db: &Db, cookie: &str, ttl: Duration) -> Result<Option<SessionUser>, AppError> {
    let Some((user_id, token)) = parse(cookie) else {
        return Ok(None);
    };
    let keys = db.keys();
    let session = keys.session(user_id, &token_hash(token));
    let mut conn = db.conn()?;
    let mut pipe = redis::pipe();
    pipe.cmd("HMGET")
        .arg(&session)
        .arg(&["user_id", "username", "gen"])
        .cmd("PTTL")
        .arg(&session)
        .cmd("HMGET")
        .arg(keys.user(user_id))
        .arg(&["suspended", "pw_gen", ZONE_FIELD])
        .cmd("HGET")
        .arg(keys.user_notes(user_id))
        .arg("unread");
    type Rows = (
        (Option<UserId>, Option<String>, Option<u64>),
        i64,
        (Option<String>, Option<u64>, Option<String>),
        Option<i64>,
    );
    let ((found, username, generation), remaining, (suspended, pw_gen, zone), unread) = pipe
        .query_async::<Rows>(&mut conn)
        .await
        .map_err(|e| redis_error("session", e))?;
    let (Some(found), Some(username)) = (found, username) else {
        return Ok(None);
    };
    if found != user_id {
        tracing::error!(%user_id, %found, "a session names another user");
        return Ok(None);
    }
    // Gone between the reads (expired, or signed out on another instance): no session, as
    // the script, which reads atomically, would have said.
    if remaining == -2 {
        return Ok(None);
    }
    if suspended.is_some() || pw_gen.unwrap_or(0) != generation.unwrap_or(0) {
        // The answer is "no session" either way; a failed delete is retried by the next visit.
        if let Err(e) = redis::cmd("DEL")
            .arg(&session)
            .query_async::<()>(&mut conn)
            .await
        {
            tracing::warn!(%user_id, "a dead session was not deleted: {e}");
        }
        return Ok(None);
    }
    let ttl_ms = ttl.as_millis() as i64;
    if remaining < 0 || ttl_ms - remaining >= renewal_gap(ttl).as_millis() as i64 {
        // PEXPIRE never brings back a session deleted since the read: it only touches a key
        // that exists.
        let _: () = redis::cmd("PEXPIRE")
            .arg(&session)
            .arg(ttl_ms)
            .query_async(&mut conn)
            .await
            .map_err(|e| redis_error("session", e))?;
    }
    Ok(Some(SessionUser {
        user_id,
        username,
        // PTTL is -1 for a key without expiry: no time left to renew from.
        remaining: Duration::from_millis(remaining.max(0) as u64),
        unread: unread.unwrap_or(0).clamp(0, u32::MAX as i64) as u32,
        zone: zone.filter(|name| !name.is_empty()),
    }))
}

/// How long an instance remembers a session it read ([`recall`]) at most: the bound on a
/// change whose announcement was lost on the way (the subscription noticed nothing wrong).
pub const REMEMBERED_FOR: Duration = Duration::from_secs(10);

/// Sessions remembered at most at once, per instance (each about 200 bytes).
const REMEMBERED_MAX: u64 = 20_000;

/// A session as read from Redis, with when, and the user's version then.
#[derive(Clone)]
struct Remembered {
    user: SessionUser,
    read_at: std::time::Instant,
    version: crate::server::redis::versions::Version,
}

/// Sessions read recently, by the SHA-256 of their token (the memory holds no usable tokens).
static REMEMBERED: std::sync::LazyLock<moka::sync::Cache<String, Remembered>> =
    std::sync::LazyLock::new(|| {
        moka::sync::Cache::builder()
            .time_to_live(REMEMBERED_FOR)
            .max_capacity(REMEMBERED_MAX)
            .build()
    });

/// [`lookup`] for page views, from memory when this instance read the session less than
/// [`REMEMBERED_FOR`] ago and has heard of no change of the user's since
/// ([`Db::user_versions`]), unless the browser `wrote_lately` (it sends
/// `server::http::request::WROTE_COOKIE`): then it is read, and remembered afresh. The
/// remaining lifetime counts down in memory; the expiry in Redis still slides, at the next
/// read.
pub async fn recall(
    db: &Db,
    cookie: &str,
    ttl: Duration,
    wrote_lately: bool,
) -> Result<Option<SessionUser>, AppError> {
    let versions = db.user_versions();
    let Some((user_id, token)) = parse(cookie) else {
        return Ok(None);
    };
    let hash = token_hash(token);
    let Some(before) = versions.of(user_id) else {
        return lookup(db, cookie, ttl).await;
    };
    if let Some(known) = REMEMBERED.get(&hash).filter(|_| !wrote_lately) {
        let age = known.read_at.elapsed();
        if known.version == before && known.user.user_id == user_id && age < known.user.remaining {
            crate::server::metrics::record_session(true);
            return Ok(Some(SessionUser {
                remaining: known.user.remaining - age,
                ..known.user
            }));
        }
    }
    crate::server::metrics::record_session(false);
    let read_at = std::time::Instant::now();
    let found = lookup(db, cookie, ttl).await?;
    match &found {
        // Remembered only when nothing was heard to change while it was read: a read that
        // raced a sign-out may have seen the session still there.
        Some(user) if versions.of(user_id) == Some(before) => REMEMBERED.insert(
            hash,
            Remembered {
                user: user.clone(),
                read_at,
                version: before,
            },
        ),
        _ => REMEMBERED.invalidate(&hash),
    }
    Ok(found)
}

pub use crate::server::redis::versions::HEARD_WITHIN;

/// Tells every instance that the user's sessions changed (one ended, or all of them: a
/// suspension, a password reset), after the change is made: they stop using what they
/// remember of them ([`recall`]). Returns once this instance's own subscription heard it (every
/// subscriber was sent it at the same moment; at most [`HEARD_WITHIN`]), and this instance
/// forgets in any case. A lost announcement is logged; memories of it last at most
/// [`REMEMBERED_FOR`].
pub async fn announce_changed(db: &Db, user_id: UserId) {
    heard_after(db, user_id, announce(db, user_id)).await;
}

/// Runs `write`, a change of the user's that is announced on their channel (by [`announce`],
/// or by the script itself, as `lua/notes_read.lua` does), and returns its result once this
/// instance's own subscription heard of the user since (at most [`HEARD_WITHIN`]; on a cluster
/// the announcement may come through another node), so that the user's next page here does
/// not come from what this instance remembered before the change.
pub async fn heard_after<T>(
    db: &Db,
    user_id: UserId,
    write: impl std::future::Future<Output = T>,
) -> T {
    db.user_versions()
        .heard_after(user_id, write, |_| true)
        .await
}

async fn announce(db: &Db, user_id: UserId) {
    let sent = match db.conn() {
        Ok(mut conn) => redis::cmd("PUBLISH")
            .arg(db.keys().user_channel(user_id))
            .arg(format!("{} {{}}", crate::live::server::SESSION_CHANGED))
            .query_async::<i64>(&mut conn)
            .await
            .map(|_| ()),
        Err(e) => {
            tracing::warn!(%user_id, "sessions change not announced: {e}");
            return;
        }
    };
    if let Err(e) = sent {
        tracing::warn!(%user_id, error = %e, "sessions change not announced");
    }
}

/// Deletes the session, if any. The cookie is useless afterwards.
pub async fn destroy(db: &Db, cookie: &str) -> Result<(), AppError> {
    let Some((user_id, token)) = parse(cookie) else {
        return Ok(());
    };
    let mut conn = db.conn()?;
    let _: () = redis::cmd("DEL")
        .arg(db.keys().session(user_id, &token_hash(token)))
        .query_async(&mut conn)
        .await
        .map_err(|e| redis_error("destroy session", e))?;
    announce_changed(db, user_id).await;
    Ok(())
}

/// `Set-Cookie` value carrying a session token.
pub fn cookie(token: &str, ttl: Duration, secure: bool) -> String {
    crate::server::http::request::set_cookie_value(COOKIE_NAME, token, ttl, secure)
}

/// `Set-Cookie` value that removes the session cookie.
pub fn clearing_cookie(secure: bool) -> String {
    crate::server::http::request::set_cookie_value(COOKIE_NAME, "", Duration::ZERO, secure)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_flags() {
        let c = cookie("abc", Duration::from_secs(60), false);
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Lax") && c.contains("Max-Age=60"));
        assert!(!c.contains("Secure"));
        assert!(cookie("abc", Duration::from_secs(60), true).contains("; Secure"));
        assert!(clearing_cookie(false).contains("Max-Age=0"));
    }

    #[test]
    fn only_well_formed_cookies_are_looked_up() {
        let token = "a".repeat(64);
        assert_eq!(
            parse(&format!("7.{token}")),
            Some((UserId(7), token.as_str()))
        );
        for bad in [
            token.clone(),
            format!("0.{token}"),
            format!("x.{token}"),
            format!("7.{}", "a".repeat(63)),
            format!("7.{}", "A".repeat(64)),
            format!("7.{}*", "a".repeat(63)),
        ] {
            assert_eq!(parse(&bad), None, "{bad}");
        }
    }

    #[test]
    fn the_stored_key_is_the_sha256_of_the_token() {
        // The SHA-256 of "abc" (FIPS 180-2 test vector): a copy of the database holds the
        // hash, never a usable token.
        assert_eq!(
            token_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
