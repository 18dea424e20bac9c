//! A user's email address, which kinds of mail they want, and the two links mailed for the
//! account itself: the confirmation of an address and the password reset.
//!
//! - The address lives in the user hash: `email_pending` until its confirmation link is
//!   followed, then `email` (where mail goes). A new address waits in `email_pending` while the
//!   confirmed one keeps receiving. `mail_off:<kind>` marks a kind turned off.
//! - A link is `<user>.<purpose>.<expires ms>.<nonce>.<signature>`: HMAC-SHA-256 under the
//!   deployment secret over the rest, so a forged or altered link is refused without a Redis
//!   call; it expires; and it works once: the nonce's hash is kept per user and purpose
//!   ([`Keys::mail_token`]) and `lua/account_token.lua` deletes it as it acts. A newer link
//!   replaces the older one, and a link sent to an address the account no longer has does
//!   nothing.
//! - The accounts slice only *asks* for these mails: it puts an [`AccountMail`] job on the
//!   [`MAIL_QUEUE`]; the email slice registers the job that composes and sends it (and reads
//!   the address at that moment: no address is ever in a job or a log line).
//!
//! [`Keys::mail_token`]: crate::server::redis::Keys::mail_token

use crate::accounts::{AccountEmail, FormErrors, MailKind, Problem, CONFIRM, PASSWORD};
use crate::error::AppError;
use crate::server::redis::db::{keyed_hash, redis_error, Db};
use crate::server::redis::reply::Fields;
use crate::util::id::UserId;
use crate::util::random::{hex, random_hex};
use redis::{FromRedisValue, ParsingError};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::time::Duration;

/// The queue every email goes out through, and the job kind of the account's own mails (run
/// by the email slice).
pub const MAIL_QUEUE: &str = "mail";
pub const ACCOUNT_MAIL_JOB: &str = "account_mail";
/// The job kind that tells the address a confirmation replaced (payload: [`AddressChanged`]).
pub const ADDRESS_CHANGED_JOB: &str = "address_changed";

/// The payload of an [`ADDRESS_CHANGED_JOB`]: whose address changed (the old one is read from
/// `email_replaced` when the job runs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddressChanged {
    pub user: UserId,
}

/// `lua/account_token.lua`: uses a confirmation or reset link, once.
pub static ACCOUNT_TOKEN: std::sync::LazyLock<redis::Script> = crate::lua_script!("account_token");

/// What a link is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    /// Confirms the pending address.
    Confirm,
    /// Sets a new password (sent to the confirmed address).
    Reset,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Confirm => "confirm",
            Purpose::Reset => "reset",
        }
    }

    fn parse(word: &str) -> Option<Purpose> {
        [Purpose::Confirm, Purpose::Reset]
            .into_iter()
            .find(|p| p.as_str() == word)
    }

    /// How long a link works.
    pub fn lifetime(self) -> Duration {
        match self {
            Purpose::Confirm => Duration::from_secs(48 * 3600),
            Purpose::Reset => Duration::from_secs(3600),
        }
    }

    /// The page the link opens.
    pub fn page(self) -> &'static str {
        match self {
            Purpose::Confirm => "/email/confirm",
            Purpose::Reset => "/auth/reset",
        }
    }
}

/// The job payload of an account mail: whom, and which. Never the address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountMail {
    pub user: UserId,
    pub purpose: Purpose,
}

/// Puts an account mail on the mail queue.
pub async fn queue_mail(db: &Db, user: UserId, purpose: Purpose) -> Result<(), AppError> {
    let payload = serde_json::json!(AccountMail { user, purpose }).to_string();
    crate::server::jobs::enqueue(db, MAIL_QUEUE, ACCOUNT_MAIL_JOB, &payload, None, None)
        .await
        .map_err(|e| {
            tracing::error!(error = %e, user_id = %user, "account mail not queued");
            AppError::Internal
        })?;
    Ok(())
}

/// The user hash field that marks `kind` turned off.
pub fn off_field(kind: MailKind) -> String {
    format!("mail_off:{}", kind.as_str())
}

/// A user's address, pending address and the kinds of mail they turned off.
pub async fn account_email(db: &Db, user: UserId) -> Result<AccountEmail, AppError> {
    let mut cmd = redis::cmd("HMGET");
    cmd.arg(db.keys().user(user))
        .arg("email")
        .arg("email_pending");
    for kind in MailKind::ALL {
        cmd.arg(off_field(kind));
    }
    let mut conn = db.conn()?;
    let values: Vec<Option<String>> = cmd
        .query_async(&mut conn)
        .await
        .map_err(|e| redis_error("account email", e))?;
    let [address, pending, off @ ..] = values.as_slice() else {
        return Err(AppError::Internal);
    };
    Ok(AccountEmail {
        address: address.clone(),
        pending: pending.clone(),
        off: MailKind::ALL
            .into_iter()
            .zip(off)
            .filter(|(_, v)| v.is_some())
            .map(|(k, _)| k)
            .collect(),
    })
}

/// Whether `password` is the user's current password (asked before the address changes: a
/// stolen session alone must not be able to point the account's mail, and so its password
/// resets, somewhere else).
pub async fn password_is(db: &Db, user: UserId, password: &str) -> Result<bool, AppError> {
    let mut conn = db.conn()?;
    let phc: Option<String> = redis::cmd("HGET")
        .arg(db.keys().user(user))
        .arg("password")
        .query_async(&mut conn)
        .await
        .map_err(|e| redis_error("read password", e))?;
    let Some(phc) = phc else {
        return Ok(false);
    };
    let password = crate::util::url::clip(password, crate::accounts::PASSWORD_MAX + 1);
    super::passwords::verify_password(password, phc).await
}

/// Confirmation mails one address may be sent, whoever asks: many accounts giving one
/// stranger's address must not flood it.
const PER_RECIPIENT: crate::server::redis::rate_limit::Limit =
    crate::server::redis::rate_limit::Limit::per_secs(3, 3600);

/// Counts one confirmation mail to `address` (by its hash: the address is not a key name);
/// `Err(AppError::RateLimited)` past [`PER_RECIPIENT`].
pub async fn recipient_within_limit(db: &Db, address: &str) -> Result<(), AppError> {
    use crate::server::redis::rate_limit::{enforce, Action};
    let digest = hex(&Sha256::digest(address.to_ascii_lowercase().as_bytes())[..12]);
    match enforce(db, Action::Mail, &format!("to:{digest}"), PER_RECIPIENT).await? {
        Ok(()) => Ok(()),
        Err(retry_after_secs) => Err(AppError::RateLimited { retry_after_secs }),
    }
}

/// Sets the address to confirm (and mails the link), or with `None` removes every address.
/// The confirmed address keeps receiving until a new one is confirmed. `Ok(false)`: nothing to
/// do (the address is already the confirmed one).
pub async fn set_address(db: &Db, user: UserId, address: Option<&str>) -> Result<bool, AppError> {
    let key = db.keys().user(user);
    let mut conn = db.conn()?;
    let fail = |e| redis_error("set email", e);
    let Some(address) = address else {
        let _: () = redis::pipe()
            .atomic()
            .cmd("HDEL")
            .arg(&key)
            .arg("email")
            .arg("email_pending")
            .ignore()
            .cmd("DEL")
            .arg(db.keys().mail_token(user, Purpose::Confirm.as_str()))
            .arg(db.keys().mail_token(user, Purpose::Reset.as_str()))
            .ignore()
            .query_async(&mut conn)
            .await
            .map_err(fail)?;
        return Ok(true);
    };
    let current: Option<String> = redis::cmd("HGET")
        .arg(&key)
        .arg("email")
        .query_async(&mut conn)
        .await
        .map_err(fail)?;
    if current.as_deref() == Some(address) {
        let _: () = redis::cmd("HDEL")
            .arg(&key)
            .arg("email_pending")
            .query_async(&mut conn)
            .await
            .map_err(fail)?;
        return Ok(false);
    }
    recipient_within_limit(db, address).await?;
    let _: () = redis::cmd("HSET")
        .arg(&key)
        .arg("email_pending")
        .arg(address)
        .query_async(&mut conn)
        .await
        .map_err(fail)?;
    queue_mail(db, user, Purpose::Confirm).await?;
    Ok(true)
}

/// Turns each kind of mail on or off: `on` lists the kinds wanted.
pub async fn set_wanted(db: &Db, user: UserId, on: &[MailKind]) -> Result<(), AppError> {
    let key = db.keys().user(user);
    let mut pipe = redis::pipe();
    pipe.atomic();
    for kind in MailKind::ALL {
        if on.contains(&kind) {
            pipe.cmd("HDEL").arg(&key).arg(off_field(kind)).ignore();
        } else {
            pipe.cmd("HSET")
                .arg(&key)
                .arg(off_field(kind))
                .arg(1)
                .ignore();
        }
    }
    let mut conn = db.conn()?;
    pipe.query_async::<()>(&mut conn)
        .await
        .map_err(|e| redis_error("mail preferences", e))
}

/// Turns one kind off (the one-click unsubscribe).
pub async fn turn_off(db: &Db, user: UserId, kind: MailKind) -> Result<(), AppError> {
    let mut conn = db.conn()?;
    redis::cmd("HSET")
        .arg(db.keys().user(user))
        .arg(off_field(kind))
        .arg(1)
        .query_async::<()>(&mut conn)
        .await
        .map_err(|e| redis_error("unsubscribe", e))
}

/// The secret links are signed with; refused (rather than signed with nothing) before the
/// deployment secret is read.
fn secret(db: &Db) -> Result<&[u8], AppError> {
    match db.secret() {
        [] => Err(AppError::Unavailable),
        secret => Ok(secret),
    }
}

/// The signature of an unsubscribe link for `user`, `kind` and the address it was sent to: a
/// link works only for the address it went to.
pub fn unsubscribe_signature(
    db: &Db,
    user: UserId,
    kind: MailKind,
    address: &str,
) -> Result<String, AppError> {
    let mac = keyed_hash(
        secret(db)?,
        &["unsubscribe", &user.to_string(), kind.as_str(), address],
    );
    Ok(hex(&mac[..16]))
}

/// Checks an unsubscribe link against the user's confirmed address, and turns the kind off.
/// `Ok(false)`: the link is not valid (forged, or for an address the user no longer has).
pub async fn unsubscribe(
    db: &Db,
    user: UserId,
    kind: MailKind,
    signature: &str,
) -> Result<bool, AppError> {
    let Some(address) = account_email(db, user).await?.address else {
        return Ok(false);
    };
    let expected = unsubscribe_signature(db, user, kind, &address)?;
    if !same(expected.as_bytes(), signature.as_bytes()) {
        return Ok(false);
    }
    turn_off(db, user, kind).await?;
    Ok(true)
}

/// Byte strings compared in time that does not depend on where they differ.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn nonce_hash(nonce: &str) -> String {
    hex(&Sha256::digest(nonce.as_bytes()))
}

fn link_signature(
    secret: &[u8],
    user: UserId,
    purpose: Purpose,
    expires: i64,
    nonce: &str,
) -> String {
    hex(&keyed_hash(
        secret,
        &[
            "link",
            &user.to_string(),
            purpose.as_str(),
            &expires.to_string(),
            nonce,
        ],
    ))
}

/// A link just made: its token (the `t` parameter of [`Purpose::page`]) and the address it is
/// for (the only place an address leaves the user hash: the mail's recipient).
#[derive(Debug, Clone)]
pub struct Minted {
    pub token: String,
    pub address: String,
}

/// Makes the user's new link for `purpose` (replacing an older one), or `None` when there is no
/// address to send it to (no pending address to confirm; no confirmed address to reset by).
pub async fn mint(db: &Db, user: UserId, purpose: Purpose) -> Result<Option<Minted>, AppError> {
    let field = match purpose {
        Purpose::Confirm => "email_pending",
        Purpose::Reset => "email",
    };
    let mut conn = db.conn()?;
    let fail = |e| redis_error("mint link", e);
    let address: Option<String> = redis::cmd("HGET")
        .arg(db.keys().user(user))
        .arg(field)
        .query_async(&mut conn)
        .await
        .map_err(fail)?;
    let Some(address) = address else {
        return Ok(None);
    };
    // Before the live link is replaced: without the secret no new link can be signed.
    let secret = secret(db)?;
    let nonce = random_hex::<32>();
    let lifetime = purpose.lifetime();
    let expires = crate::util::time::now_ms() + lifetime.as_millis() as i64;
    let key = db.keys().mail_token(user, purpose.as_str());
    let _: () = redis::pipe()
        .atomic()
        .cmd("DEL")
        .arg(&key)
        .ignore()
        .cmd("HSET")
        .arg(&key)
        .arg("nonce")
        .arg(nonce_hash(&nonce))
        .arg("address")
        .arg(&address)
        .ignore()
        .cmd("PEXPIRE")
        .arg(&key)
        .arg(lifetime.as_millis() as u64)
        .ignore()
        .query_async(&mut conn)
        .await
        .map_err(fail)?;
    let signature = link_signature(secret, user, purpose, expires, &nonce);
    Ok(Some(Minted {
        token: format!("{user}.{}.{expires}.{nonce}.{signature}", purpose.as_str()),
        address,
    }))
}

/// A link that is well formed, signed by this deployment, for `purpose` and not expired: its
/// user and nonce. Nothing is looked up. `Err(Unavailable)` before the deployment secret is
/// read (a good link is then "try again", not "dead").
fn verify(db: &Db, token: &str, purpose: Purpose) -> Result<Option<(UserId, String)>, AppError> {
    let secret = secret(db)?;
    Ok(verified(secret, token, purpose))
}

fn verified(secret: &[u8], token: &str, purpose: Purpose) -> Option<(UserId, String)> {
    if token.len() > 256 {
        return None;
    }
    let parts: Vec<&str> = token.split('.').collect();
    let [user, word, expires, nonce, signature] = parts.as_slice() else {
        return None;
    };
    let user = UserId::parse(user)?;
    let expires: i64 = expires.parse().ok()?;
    if Purpose::parse(word)? != purpose || expires <= crate::util::time::now_ms() {
        return None;
    }
    let expected = link_signature(secret, user, purpose, expires, nonce);
    same(expected.as_bytes(), signature.as_bytes()).then(|| (user, nonce.to_string()))
}

/// Whether a link would work now (shown before the user acts on it; changes nothing).
pub async fn link_works(db: &Db, token: &str, purpose: Purpose) -> Result<bool, AppError> {
    let Some((user, nonce)) = verify(db, token, purpose)? else {
        return Ok(false);
    };
    let mut conn = db.conn()?;
    let kept: Option<String> = redis::cmd("HGET")
        .arg(db.keys().mail_token(user, purpose.as_str()))
        .arg("nonce")
        .query_async(&mut conn)
        .await
        .map_err(|e| redis_error("check link", e))?;
    Ok(kept.is_some_and(|kept| same(kept.as_bytes(), nonce_hash(&nonce).as_bytes())))
}

/// `lua/account_token.lua`'s reply.
enum Used {
    /// `replaced`: a confirmed address gave way to this one.
    Done {
        replaced: bool,
    },
    Invalid,
}

impl FromRedisValue for Used {
    fn from_redis_value(v: redis::Value) -> Result<Self, ParsingError> {
        let f = Fields::new("account_token", v)?;
        Ok(match f.status()?.as_str() {
            "done" => {
                f.expect_len(3)?;
                Used::Done {
                    replaced: f.flag(2)?,
                }
            }
            "invalid" => Used::Invalid,
            other => return Err(f.unknown_status(other)),
        })
    }
}

async fn use_link(
    db: &Db,
    user: UserId,
    purpose: Purpose,
    nonce: &str,
    password_hash: &str,
) -> Result<Option<Used>, AppError> {
    let keys = db.keys();
    let mut conn = db.raw_conn();
    let used: Used = ACCOUNT_TOKEN
        .key(keys.mail_token(user, purpose.as_str()))
        .key(keys.user(user))
        .arg(purpose.as_str())
        .arg(nonce_hash(nonce))
        .arg(password_hash)
        .invoke_async(&mut conn)
        .await
        .map_err(|e| redis_error("use link", e))?;
    Ok(match used {
        Used::Invalid => None,
        done => Some(done),
    })
}

/// Follows a confirmation link: the pending address becomes the user's. `Err(LinkInvalid)` for
/// a forged, altered, expired, used or replaced link.
pub async fn confirm(db: &Db, token: &str) -> Result<Result<UserId, Problem>, AppError> {
    let Some((user, nonce)) = verify(db, token, Purpose::Confirm)? else {
        return Ok(Err(Problem::LinkInvalid));
    };
    let Some(Used::Done { replaced }) = use_link(db, user, Purpose::Confirm, &nonce, "").await?
    else {
        return Ok(Err(Problem::LinkInvalid));
    };
    tracing::info!(user_id = %user, "email address confirmed");
    if replaced {
        // The address that stops receiving is told (someone with the password changed it).
        let payload = serde_json::json!(AddressChanged { user }).to_string();
        let key = format!("changed:{user}:{nonce}");
        // The confirmation stands either way; a queue that refuses is logged.
        if let Err(e) = crate::server::jobs::enqueue(
            db,
            MAIL_QUEUE,
            ADDRESS_CHANGED_JOB,
            &payload,
            None,
            Some(&key),
        )
        .await
        {
            tracing::error!(error = %e, user_id = %user, "address change not told");
        }
    }
    Ok(Ok(user))
}

/// Follows a password-reset link: sets the new password and ends every session of the user on
/// every instance (the session lookup refuses sessions older than the change).
pub async fn reset_password(
    db: &Db,
    token: &str,
    password: &str,
    again: &str,
) -> Result<UserId, FormErrors> {
    let mut errors = FormErrors::default();
    errors.check(PASSWORD, crate::accounts::validate_password(password).err());
    errors.check(
        CONFIRM,
        (password != again).then_some(Problem::PasswordMismatch),
    );
    if !errors.is_empty() {
        return Err(errors);
    }
    let problem = |e: AppError| {
        use crate::util::problem::Problem as _;
        FormErrors::form(Problem::from_error(&e))
    };
    let Some((user, nonce)) = verify(db, token, Purpose::Reset).map_err(problem)? else {
        return Err(FormErrors::form(Problem::LinkInvalid));
    };
    let phc = super::passwords::hash_password(password.to_string())
        .await
        .map_err(problem)?;
    if use_link(db, user, Purpose::Reset, &nonce, &phc)
        .await
        .map_err(problem)?
        .is_some()
    {
        tracing::info!(user_id = %user, "password reset; every older session ended");
        super::sessions::announce_changed(db, user).await;
        Ok(user)
    } else {
        Err(FormErrors::form(Problem::LinkInvalid))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purposes_round_trip() {
        for purpose in [Purpose::Confirm, Purpose::Reset] {
            assert_eq!(Purpose::parse(purpose.as_str()), Some(purpose));
        }
        assert_eq!(Purpose::parse("unsubscribe"), None);
    }

    #[test]
    fn links_are_refused_when_altered_expired_or_for_another_purpose() {
        let secret = b"s3cret";
        let user = UserId(7);
        let expires = crate::util::time::now_ms() + 60_000;
        let nonce = "ab".repeat(32);
        let link = |purpose: Purpose, expires: i64, user: UserId| {
            let sig = link_signature(secret, user, purpose, expires, &nonce);
            format!("{user}.{}.{expires}.{nonce}.{sig}", purpose.as_str())
        };
        let good = link(Purpose::Reset, expires, user);
        assert_eq!(
            verified(secret, &good, Purpose::Reset),
            Some((user, nonce.clone()))
        );
        assert_eq!(verified(secret, &good, Purpose::Confirm), None, "purpose");
        assert_eq!(verified(b"other", &good, Purpose::Reset), None, "secret");
        let past = link(Purpose::Reset, crate::util::time::now_ms() - 1, user);
        assert_eq!(verified(secret, &past, Purpose::Reset), None, "expired");
        let moved = good.replacen("7.", "8.", 1);
        assert_eq!(
            verified(secret, &moved, Purpose::Reset),
            None,
            "another user"
        );
        let longer = good.replace(&expires.to_string(), &(expires + 1).to_string());
        assert_eq!(
            verified(secret, &longer, Purpose::Reset),
            None,
            "expiry moved"
        );
        assert_eq!(verified(secret, "7.reset.1.x.y", Purpose::Reset), None);
        assert_eq!(verified(secret, &"7".repeat(300), Purpose::Reset), None);
    }

    #[test]
    fn comparison_is_exact() {
        assert!(same(b"abc", b"abc"));
        assert!(!same(b"abc", b"abd"));
        assert!(!same(b"abc", b"ab"));
        assert!(!same(b"", b"a"));
    }
}
