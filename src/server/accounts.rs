//! Accounts: sign-up and sign-in rules on top of Redis.
//!
//! - A user is a hash `{p}users:{id}`; `{p}usernames` maps the lowercase name to the id.
//!   `lua/create_user.lua` claims the name and writes the user in one step, so of two
//!   simultaneous sign-ups with the same name exactly one wins.
//! - Passwords are hashed with argon2id (PHC string stored), on the blocking thread pool.
//! - Both forms are rate limited per client IP and per username (`lua/rate_limit.lua`).
//! - Sign-in says the same thing for an unknown user and a wrong password, and spends the
//!   same argon2 time on both.

use crate::accounts::{check_sign_up, validate_username, FormErrors, Problem};
use crate::error::AppError;
use crate::server::db::{redis_error, Db};
use crate::server::rate_limit::{self, Action, Limit};
use crate::server::scripts::scripts;
use crate::server::sessions::{self, NewSession};
use crate::server::workers::Workers;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use std::sync::LazyLock;
use std::time::Duration;

/// Limits and lifetimes for the auth flows (from [`crate::server::Config`]).
#[derive(Debug, Clone, Copy)]
pub struct AuthPolicy {
    pub per_ip: Limit,
    pub per_username: Limit,
    pub session_ttl: Duration,
}

/// Why a sign-in or sign-up did not create a session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthFailure {
    /// Show these on the form.
    Form(FormErrors),
}

impl From<AppError> for AuthFailure {
    fn from(e: AppError) -> Self {
        let problem = match e {
            AppError::Unavailable => Problem::Unavailable,
            AppError::RateLimited { retry_after_secs } => Problem::RateLimited { retry_after_secs },
            _ => Problem::Internal,
        };
        AuthFailure::Form(FormErrors::form(problem))
    }
}

impl AuthFailure {
    pub fn errors(&self) -> &FormErrors {
        match self {
            AuthFailure::Form(errors) => errors,
        }
    }
}

/// Counts one attempt against both limits; the longer wait wins.
async fn rate_check(
    db: &Db,
    action: Action,
    ip: &str,
    username: &str,
    policy: &AuthPolicy,
) -> Result<(), AuthFailure> {
    let by_ip = rate_limit::enforce(db, action, &format!("ip:{ip}"), policy.per_ip).await?;
    let by_name =
        rate_limit::enforce(db, action, &format!("user:{username}"), policy.per_username).await?;
    match [by_ip, by_name].iter().filter_map(|v| v.err()).max() {
        None => Ok(()),
        Some(retry_after_secs) => Err(AppError::RateLimited { retry_after_secs }.into()),
    }
}

/// Creates an account and signs it in.
pub async fn sign_up(
    db: &Db,
    policy: &AuthPolicy,
    ip: &str,
    username: &str,
    password: &str,
    confirm: &str,
) -> Result<NewSession, AuthFailure> {
    let errors = check_sign_up(username, password, confirm);
    if !errors.is_empty() {
        return Err(AuthFailure::Form(errors));
    }
    let shown = username.trim().to_string();
    let lower = shown.to_ascii_lowercase();
    rate_check(db, Action::SignUp, ip, &lower, policy).await?;

    // Cheap early answer for the common case; the script below is what guarantees uniqueness.
    if find_user_id(db, &lower).await?.is_some() {
        return Err(AuthFailure::Form(FormErrors {
            username: Some(Problem::UsernameTaken),
            ..Default::default()
        }));
    }
    let phc = hash_password(password.to_string()).await?;
    let mut conn = db.conn()?;
    let id: u64 = scripts()
        .create_user
        .key(db.keys().usernames())
        .key(db.keys().user_ids())
        .arg(&lower)
        .arg(&shown)
        .arg(&phc)
        .arg(db.keys().users_prefix())
        .invoke_async(&mut conn)
        .await
        .map_err(|e| redis_error("create user", e))?;
    if id == 0 {
        return Err(AuthFailure::Form(FormErrors {
            username: Some(Problem::UsernameTaken),
            ..Default::default()
        }));
    }
    tracing::info!(user_id = id, username = shown.as_str(), "account created");
    Ok(sessions::create(db, id, &shown, policy.session_ttl).await?)
}

/// Checks the credentials and starts a new session. `previous_token` (the cookie the browser
/// sent, if any) is destroyed: a sign-in never keeps a token it did not mint.
pub async fn sign_in(
    db: &Db,
    policy: &AuthPolicy,
    ip: &str,
    username: &str,
    password: &str,
    previous_token: Option<&str>,
) -> Result<NewSession, AuthFailure> {
    let errors = FormErrors {
        username: username
            .trim()
            .is_empty()
            .then_some(Problem::UsernameMissing),
        password: password.is_empty().then_some(Problem::PasswordMissing),
        ..Default::default()
    };
    if !errors.is_empty() {
        return Err(AuthFailure::Form(errors));
    }
    // Over-long or odd input is simply a wrong username; it is not echoed back or stored.
    let lower = validate_username(username).ok();
    let limit_key = lower.clone().unwrap_or_else(|| "(invalid)".to_string());
    rate_check(db, Action::SignIn, ip, &limit_key, policy).await?;

    let account = match &lower {
        Some(lower) => find_account(db, lower).await?,
        None => None,
    };
    let password = truncate_chars(password, crate::accounts::PASSWORD_MAX + 1);
    let (id, display, phc) = match account {
        Some(account) => account,
        None => {
            // Same work as a real check, so timing does not reveal which usernames exist.
            // The first use computes the dummy hash: on a password worker like any other.
            let dummy = PASSWORD_WORKERS.run(|| DUMMY_HASH.clone()).await?;
            let _ = verify_password(password, dummy).await?;
            return Err(AuthFailure::Form(FormErrors::form(Problem::BadCredentials)));
        }
    };
    if !verify_password(password, phc).await? {
        return Err(AuthFailure::Form(FormErrors::form(Problem::BadCredentials)));
    }
    if let Some(old) = previous_token {
        sessions::destroy(db, old).await?;
    }
    Ok(sessions::create(db, id, &display, policy.session_ttl).await?)
}

/// The id of the user with this (lowercase) name.
pub async fn find_user_id(db: &Db, lower: &str) -> Result<Option<u64>, AppError> {
    let mut conn = db.conn()?;
    redis::cmd("HGET")
        .arg(db.keys().usernames())
        .arg(lower)
        .query_async(&mut conn)
        .await
        .map_err(|e| redis_error("find user", e))
}

/// Id, display name and password hash of the user with this (lowercase) name.
async fn find_account(db: &Db, lower: &str) -> Result<Option<(u64, String, String)>, AppError> {
    let Some(id) = find_user_id(db, lower).await? else {
        return Ok(None);
    };
    let mut conn = db.conn()?;
    let (display, phc): (Option<String>, Option<String>) = redis::cmd("HMGET")
        .arg(db.keys().user(id))
        .arg("username")
        .arg("password")
        .query_async(&mut conn)
        .await
        .map_err(|e| redis_error("load user", e))?;
    Ok(match (display, phc) {
        (Some(display), Some(phc)) => Some((id, display, phc)),
        _ => {
            tracing::error!(user_id = id, "username maps to an incomplete user hash");
            None
        }
    })
}

fn truncate_chars(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

/// Password hashing threads: one per core (more would not finish sooner), each hash holding
/// [`ARGON2_MEMORY_KIB`]. A request waits up to 3 s for one, then gets 503 with Retry-After,
/// so a burst of sign-ins costs at most `cores x 12 MiB`.
static PASSWORD_WORKERS: LazyLock<Workers> = LazyLock::new(|| {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    Workers::new("argon2", cores, Duration::from_secs(3))
});

/// argon2id memory per hash: 12 MiB with 3 passes, one of OWASP's equivalent settings
/// (19 MiB x 2 passes is another); less memory per concurrent sign-in for the same cost.
const ARGON2_MEMORY_KIB: u32 = 12 * 1024;
const ARGON2_PASSES: u32 = 3;

fn argon2() -> Argon2<'static> {
    let params = argon2::Params::new(ARGON2_MEMORY_KIB, ARGON2_PASSES, 1, None)
        .unwrap_or_else(|_| unreachable!("fixed, valid argon2 parameters"));
    Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
}

/// argon2id ([`argon2`]'s parameters), on the password workers.
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

/// A real argon2id hash of a random password, verified against for unknown usernames.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    argon2()
        .hash_password(crate::server::lock::random_token().as_bytes(), &new_salt())
        .map(|h| h.to_string())
        .unwrap_or_default()
});

/// 128 random bits from the operating system, as a PHC salt.
fn new_salt() -> SaltString {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).expect("the operating system's random source failed");
    SaltString::encode_b64(&bytes).expect("16 bytes is a valid salt length")
}
