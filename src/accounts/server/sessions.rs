//! Redis-backed sessions.
//!
//! The browser holds a random 256-bit token in an HttpOnly, SameSite=Lax cookie. Redis holds a
//! hash under the token's SHA-256 (so a copy of the database holds no usable tokens) with the
//! user id and name, and a TTL that every visit renews (sliding expiry). Anonymous visitors
//! have no session record. Signing in always mints a new token; signing out deletes the hash,
//! so the old cookie is dead even if someone kept it.

use crate::error::AppError;
use crate::server::http::request::SESSION_COOKIE as COOKIE_NAME;
use crate::server::redis::db::{redis_error, Db};
use crate::util::random::{hex, random_hex};
use sha2::{Digest, Sha256};
use std::time::Duration;

/// The signed-in user of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionUser {
    pub user_id: u64,
    pub username: String,
    /// The session's remaining lifetime before this visit renewed it.
    pub remaining: Duration,
}

/// A freshly created session: the token goes into the cookie.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token: String,
    pub user_id: u64,
    pub username: String,
}

fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// A token is 64 lowercase hex characters; anything else is not looked up at all.
fn well_formed(token: &str) -> bool {
    token.len() == 64
        && token
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Creates a session for the user, valid for `ttl` from now.
pub async fn create(
    db: &Db,
    user_id: u64,
    username: &str,
    ttl: Duration,
) -> Result<NewSession, AppError> {
    let token = random_hex::<32>();
    let key = db.keys().session(&token_hash(&token));
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
        .ignore()
        .cmd("PEXPIRE")
        .arg(&key)
        .arg(ttl.as_millis() as u64)
        .ignore()
        .query_async(&mut conn)
        .await
        .map_err(|e| redis_error("create session", e))?;
    Ok(NewSession {
        token,
        user_id,
        username: username.to_string(),
    })
}

/// The user of a session token, renewing its TTL; `None` for unknown or expired tokens.
/// One round trip: HGETALL and PEXPIRE in one pipeline.
pub async fn lookup(db: &Db, token: &str, ttl: Duration) -> Result<Option<SessionUser>, AppError> {
    if !well_formed(token) {
        return Ok(None);
    }
    let key = db.keys().session(&token_hash(token));
    let mut conn = db.conn()?;
    let (remaining_ms, fields, _renewed): (i64, Vec<(String, String)>, i64) = redis::pipe()
        .cmd("PTTL")
        .arg(&key)
        .cmd("HGETALL")
        .arg(&key)
        .cmd("PEXPIRE")
        .arg(&key)
        .arg(ttl.as_millis() as u64)
        .query_async(&mut conn)
        .await
        .map_err(|e| redis_error("session lookup", e))?;
    let mut user_id = None;
    let mut username = None;
    for (field, value) in fields {
        match field.as_str() {
            "user_id" => user_id = value.parse().ok(),
            "username" => username = Some(value),
            _ => {}
        }
    }
    Ok(match (user_id, username) {
        (Some(user_id), Some(username)) => Some(SessionUser {
            user_id,
            username,
            remaining: Duration::from_millis(remaining_ms.max(0) as u64),
        }),
        _ => None,
    })
}

/// Deletes the session, if any. The token is useless afterwards.
pub async fn destroy(db: &Db, token: &str) -> Result<(), AppError> {
    if !well_formed(token) {
        return Ok(());
    }
    let mut conn = db.conn()?;
    let _: () = redis::cmd("DEL")
        .arg(db.keys().session(&token_hash(token)))
        .query_async(&mut conn)
        .await
        .map_err(|e| redis_error("destroy session", e))?;
    Ok(())
}

/// `Set-Cookie` value carrying a session token.
pub fn cookie(token: &str, ttl: Duration, secure: bool) -> String {
    format!(
        "{COOKIE_NAME}={token}; Path=/; Max-Age={}; HttpOnly; SameSite=Lax{}",
        ttl.as_secs(),
        if secure { "; Secure" } else { "" }
    )
}

/// `Set-Cookie` value that removes the session cookie.
pub fn clearing_cookie(secure: bool) -> String {
    format!(
        "{COOKIE_NAME}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax{}",
        if secure { "; Secure" } else { "" }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_flags() {
        let c = cookie("abc", Duration::from_secs(60), false);
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Lax") && c.contains("Max-Age=60"));
        assert!(!c.contains("Secure"));
        assert!(cookie("abc", Duration::from_secs(60), true).ends_with("; Secure"));
        assert!(clearing_cookie(false).contains("Max-Age=0"));
    }

    #[test]
    fn only_well_formed_tokens_are_looked_up() {
        assert!(well_formed(&"a".repeat(64)));
        assert!(!well_formed(&"a".repeat(63)));
        assert!(!well_formed(&"A".repeat(64)));
        assert!(!well_formed(&format!("{}*", "a".repeat(63))));
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
