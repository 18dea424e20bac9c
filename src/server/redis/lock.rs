//! A distributed lock for coordinating app instances.
//!
//! - acquire: `SET key token NX PX ttl` plus a fencing number from a counter, in one script
//!   (`lua/acquire_lock.lua`); the token is 128 random bits, so only the holder can release;
//! - release: `lua/unlock.lua` deletes the key only if it still holds our token;
//! - extend: `lua/extend_lock.lua` pushes the expiry out only if it still holds our token;
//! - fencing: every acquisition gets a strictly larger number. A write guarded by the lock
//!   passes its number along, and the storage refuses numbers older than the newest one it
//!   saw, so a holder whose lease silently expired cannot overwrite its successor's work.

use crate::server::redis::db::Db;
use crate::server::redis::reply::Yes;
use crate::util::random::random_token;
use std::time::{Duration, Instant};

/// `lua/acquire_lock.lua`: SET NX PX plus a fencing number, atomically.
pub static ACQUIRE_LOCK: std::sync::LazyLock<redis::Script> = crate::lua_script!("acquire_lock");

/// `lua/extend_lock.lua`: extend a lock's TTL only if the caller's token still holds it.
pub static EXTEND_LOCK: std::sync::LazyLock<redis::Script> = crate::lua_script!("extend_lock");

/// `lua/fenced_set.lua`: a hash write refused to a lock holder with a stale fence.
pub static FENCED_SET: std::sync::LazyLock<redis::Script> = crate::lua_script!("fenced_set");

/// `lua/unlock.lua`: delete a lock only if the caller's token still holds it.
pub static UNLOCK: std::sync::LazyLock<redis::Script> = crate::lua_script!("unlock");

/// A held lock. Dropping it does not release it (that needs Redis): call [`Lock::release`];
/// if the process dies instead, the TTL frees the lock.
#[derive(Debug)]
pub struct Lock {
    name: String,
    token: String,
    fence: u64,
}

impl Lock {
    /// Tries once. `Ok(None)` when another holder has it.
    pub async fn try_acquire(
        db: &Db,
        name: &str,
        ttl: Duration,
    ) -> redis::RedisResult<Option<Lock>> {
        let token = random_token();
        let mut conn = db.raw_conn();
        let fence: u64 = ACQUIRE_LOCK
            .key(db.keys().lock(name))
            .key(db.keys().lock_fence(name))
            .arg(&token)
            .arg(ttl.as_millis() as u64)
            .invoke_async(&mut conn)
            .await?;
        Ok((fence > 0).then(|| Lock {
            name: name.to_string(),
            token,
            fence,
        }))
    }

    /// Retries with short sleeps for up to `wait`. `Ok(None)` when still held by someone else.
    pub async fn acquire_waiting(
        db: &Db,
        name: &str,
        ttl: Duration,
        wait: Duration,
    ) -> redis::RedisResult<Option<Lock>> {
        let deadline = Instant::now() + wait;
        let mut pause = Duration::from_millis(10);
        loop {
            if let Some(lock) = Self::try_acquire(db, name, ttl).await? {
                return Ok(Some(lock));
            }
            if Instant::now() >= deadline {
                return Ok(None);
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_millis(200));
        }
    }

    /// The fencing number of this acquisition: larger than every earlier one for this lock.
    pub fn fence(&self) -> u64 {
        self.fence
    }

    pub fn token(&self) -> &str {
        &self.token
    }

    /// Pushes the expiry to `ttl` from now. `false` if the lock was lost meanwhile.
    pub async fn extend(&self, db: &Db, ttl: Duration) -> redis::RedisResult<bool> {
        let mut conn = db.raw_conn();
        let Yes(extended) = EXTEND_LOCK
            .key(db.keys().lock(&self.name))
            .arg(&self.token)
            .arg(ttl.as_millis() as u64)
            .invoke_async(&mut conn)
            .await?;
        Ok(extended)
    }

    /// Writes `fields` into the hash `key` only if this holder's fencing number is still the
    /// newest for the lock (`lua/fenced_set.lua`). `false` means the lock was lost meanwhile and
    /// nothing was written.
    pub async fn fenced_hset(
        &self,
        db: &Db,
        key: &str,
        fields: &[(&str, String)],
    ) -> redis::RedisResult<bool> {
        let mut conn = db.raw_conn();
        let mut invocation = FENCED_SET.key(db.keys().lock_fence(&self.name));
        invocation.key(key).arg(self.fence);
        for (field, value) in fields {
            invocation.arg(*field).arg(value);
        }
        let Yes(written) = invocation.invoke_async(&mut conn).await?;
        Ok(written)
    }

    /// Releases the lock. `false` if it had already expired (and maybe been taken by another).
    pub async fn release(self, db: &Db) -> redis::RedisResult<bool> {
        let mut conn = db.raw_conn();
        let Yes(released) = UNLOCK
            .key(db.keys().lock(&self.name))
            .arg(&self.token)
            .invoke_async(&mut conn)
            .await?;
        Ok(released)
    }
}
