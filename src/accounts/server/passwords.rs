//! Password hashing: argon2id on a small fixed pool of threads (see `server::workers`).

use crate::accounts::UserId;
use crate::error::AppError;
use crate::server::redis::db::{redis_error, Db};
use crate::server::workers::Workers;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use std::sync::LazyLock;
use std::time::Duration;

/// Password hashing threads: one per core (more would not finish sooner), each hash holding
/// [`ARGON2_MEMORY_KIB`]. A request waits up to 3 s for one, then gets 503 with Retry-After,
/// so a burst of sign-ins costs at most `cores x 7 MiB`.
static PASSWORD_WORKERS: LazyLock<Workers> = LazyLock::new(|| {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    Workers::new("argon2", cores, Duration::from_secs(3))
});

/// argon2id memory per hash: 7 MiB with 5 passes, the least-memory one of OWASP's equivalent
/// settings (19 MiB x 2 and 12 MiB x 3 are others): the same work for an attacker, and less
/// memory per concurrent sign-in. Each hash's memory is held only while it is computed, but
/// it sets the server's peak: a bench run's peak RSS was its steady state plus one hash
/// (36.5 + 12.3 MiB with 12 MiB x 3). Hashes made with other parameters (these accounts'
/// from before) still verify: a PHC string carries its own.
const ARGON2_MEMORY_KIB: u32 = 7 * 1024;
const ARGON2_PASSES: u32 = 5;

fn argon2() -> Argon2<'static> {
    let params = argon2::Params::new(ARGON2_MEMORY_KIB, ARGON2_PASSES, 1, None)
        .unwrap_or_else(|_| unreachable!("fixed, valid argon2 parameters"));
    Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
}

/// argon2id ([`argon2`]'s parameters) as a PHC string, on the password workers.
pub async fn hash_password(password: String) -> Result<String, AppError> {
    PASSWORD_WORKERS
        .run(move || {
            argon2()
                .hash_password(password.as_bytes(), &new_salt())
                .map(|h| h.to_string())
        })
        .await?
        .map_err(|e| {
            tracing::error!(error = %e, "password hashing failed");
            AppError::Internal
        })
}

/// Checks a password against a PHC string (whatever parameters it was made with), on the
/// password workers.
pub async fn verify_password(password: String, phc: String) -> Result<bool, AppError> {
    PASSWORD_WORKERS
        .run(move || {
            let Ok(parsed) = PasswordHash::new(&phc) else {
                tracing::error!("stored password hash is not a PHC string");
                return false;
            };
            argon2()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .await
}

/// Whether `phc` was made with other parameters than today's [`argon2`] (an older account's
/// hash, or one that is not argon2id at all): sign-in then hashes the password again.
pub fn needs_rehash(phc: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return true;
    };
    let current = argon2();
    let params = current.params();
    parsed.algorithm != argon2::Algorithm::Argon2id.ident()
        || parsed.version != Some(argon2::Version::V0x13.into())
        || argon2::Params::try_from(&parsed).map_or(true, |p| {
            (p.m_cost(), p.t_cost(), p.p_cost())
                != (params.m_cost(), params.t_cost(), params.p_cost())
        })
}

/// `lua/rehash_password.lua`: a newer hash of the same password, unless it changed meanwhile.
static REHASH_PASSWORD: LazyLock<redis::Script> = crate::lua_script!("rehash_password");

/// What `lua/rehash_password.lua` did, strictly `{ rehashed }` or `{ changed }`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rehash {
    Rehashed,
    /// The account's hash is no longer the one checked (a reset in between): left alone.
    Changed,
}

impl redis::FromRedisValue for Rehash {
    fn from_redis_value(v: redis::Value) -> Result<Self, redis::ParsingError> {
        let f = crate::server::redis::reply::Fields::new("rehash_password", v)?;
        f.expect_len(1)?;
        match f.status()?.as_str() {
            "rehashed" => Ok(Rehash::Rehashed),
            "changed" => Ok(Rehash::Changed),
            other => Err(f.unknown_status(other)),
        }
    }
}

/// Hashes `password` (just checked against `checked`, which [`needs_rehash`]) with today's
/// parameters and stores the new hash in `user`'s account, unless its hash changed since.
pub async fn rehash(
    db: &Db,
    user: UserId,
    checked: &str,
    password: String,
) -> Result<Rehash, AppError> {
    let phc = hash_password(password).await?;
    let mut conn = db.conn()?;
    REHASH_PASSWORD
        .key(db.keys().user(user))
        .arg(checked)
        .arg(phc)
        .invoke_async(&mut conn)
        .await
        .map_err(|e| redis_error("rehash password", e))
}

/// Spends the time of a real check on a password that cannot match, so that "no such user"
/// takes as long as "wrong password".
pub async fn verify_nothing(password: String) -> Result<(), AppError> {
    // The first use computes the dummy hash: on a password worker like any other.
    let dummy = PASSWORD_WORKERS.run(|| DUMMY_HASH.clone()).await?;
    verify_password(password, dummy).await.map(|_| ())
}

/// A real argon2id hash of a random password.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    argon2()
        .hash_password(crate::util::random::random_token().as_bytes(), &new_salt())
        .map(|h| h.to_string())
        .unwrap_or_default()
});

/// 128 random bits from the operating system, as a PHC salt.
fn new_salt() -> SaltString {
    let salt = crate::util::random::random_hex::<16>();
    // 32 hex characters are valid B64 salt characters of a valid length.
    SaltString::from_b64(&salt).unwrap_or_else(|_| unreachable!("hex is valid salt"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A hash made with the earlier parameters (12 MiB x 3) still verifies, and a wrong
    /// password against it still fails; new hashes carry the new parameters.
    #[test]
    fn hashes_made_with_other_parameters_still_verify() {
        let params = argon2::Params::new(12 * 1024, 3, 1, None).unwrap();
        let old = Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
            .hash_password(b"correct horse", &new_salt())
            .unwrap()
            .to_string();
        assert!(old.contains("m=12288,t=3"), "{old}");
        let parsed = PasswordHash::new(&old).unwrap();
        assert!(argon2().verify_password(b"correct horse", &parsed).is_ok());
        assert!(argon2().verify_password(b"wrong horse", &parsed).is_err());
        let new = argon2()
            .hash_password(b"correct horse", &new_salt())
            .unwrap()
            .to_string();
        assert!(new.contains("m=7168,t=5"), "{new}");
        // Sign-in hashes the old one again, and leaves today's alone.
        assert!(needs_rehash(&old));
        assert!(!needs_rehash(&new));
        assert!(needs_rehash(&new.replace("argon2id", "argon2i")));
        assert!(needs_rehash("not a PHC string"));
    }
}
