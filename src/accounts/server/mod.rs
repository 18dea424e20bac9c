//! Accounts on top of Redis.
//!
//! - A user is a hash `{p}user:{uN}`; `{p}usernames` maps the lowercase name to the id.
//!   Sign-up writes the user under a fresh id first, then claims the name with `HSETNX`: the
//!   claim is the commit point, so of two simultaneous sign-ups with one name exactly one
//!   wins, and a crash in between leaves only an unreachable hash, never a name that points
//!   nowhere. (The user and the name index live in different Redis Cluster slots, so this is
//!   two atomic steps rather than one script.)
//! - Passwords are hashed with argon2id ([`passwords`]).
//! - Both forms are rate limited per client IP and per username (`lua/rate_limit.lua`).
//! - Sign-in says the same thing for an unknown user and a wrong password, and spends the
//!   same argon2 time on both.

pub mod email;
pub mod keys;
pub mod passwords;
pub mod rating;
pub mod sessions;

use crate::accounts::{
    check_sign_in, check_sign_up, validate_email, validate_username, CurrentUser, FormErrors,
    Problem, USERNAME,
};
use crate::error::AppError;
use crate::server::http::request::{session_token, set_cookie};
use crate::server::redis::db::{redis_error, Db, RedisConn};
use crate::server::redis::rate_limit::{self, Action, Limit};
use crate::server::state::AppState;
use crate::util::id::UserId;
use crate::util::problem::Problem as _;
use crate::util::zone::Zone;
use sessions::{NewSession, SessionUser};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::OnceCell;

/// Limits and lifetimes for the auth flows (from [`crate::server::config::Config`]).
#[derive(Debug, Clone, Copy)]
pub struct AuthPolicy {
    pub per_ip: Limit,
    pub per_username: Limit,
    pub session_ttl: Duration,
}

impl AuthPolicy {
    pub fn from_config(config: &crate::server::config::Config) -> Self {
        AuthPolicy {
            per_ip: config.auth_ip_limit,
            per_username: config.auth_user_limit,
            session_ttl: config.session_ttl,
        }
    }
}

/// A failure of the server layer shown on the form (rate limit, outage).
fn form_problem(error: AppError) -> FormErrors {
    FormErrors::form(Problem::from_error(&error))
}

fn field(field: &str, problem: Problem) -> FormErrors {
    let mut errors = FormErrors::default();
    errors.set(field, problem);
    errors
}

/// Counts one attempt against both limits; the longer wait wins.
async fn rate_check(
    db: &Db,
    action: Action,
    ip: &str,
    username: &str,
    policy: &AuthPolicy,
) -> Result<(), FormErrors> {
    let by_ip = rate_limit::enforce(db, action, &format!("ip:{ip}"), policy.per_ip)
        .await
        .map_err(form_problem)?;
    let by_name = rate_limit::enforce(db, action, &format!("user:{username}"), policy.per_username)
        .await
        .map_err(form_problem)?;
    match [by_ip, by_name].iter().filter_map(|v| v.err()).max() {
        None => Ok(()),
        Some(secs) => Err(FormErrors::form(Problem::RateLimited(secs))),
    }
}

/// What a sign-up form holds.
#[derive(Debug, Clone, Copy)]
pub struct SignUp<'a> {
    pub username: &'a str,
    pub password: &'a str,
    pub confirm: &'a str,
    /// Optional: an address to confirm (the link is mailed).
    pub email: &'a str,
}

impl<'a> SignUp<'a> {
    /// A sign-up without an email address.
    pub fn new(username: &'a str, password: &'a str, confirm: &'a str) -> Self {
        SignUp {
            username,
            password,
            confirm,
            email: "",
        }
    }
}

/// Creates an account and signs it in; with an address, mails its confirmation link.
pub async fn sign_up(
    db: &Db,
    policy: &AuthPolicy,
    ip: &str,
    form: SignUp<'_>,
) -> Result<NewSession, FormErrors> {
    let SignUp {
        username,
        password,
        confirm,
        email,
    } = form;
    let errors = check_sign_up(username, password, confirm, email);
    if !errors.is_empty() {
        return Err(errors);
    }
    let address = validate_email(email).ok().flatten();
    let shown = username.trim().to_string();
    let lower = shown.to_ascii_lowercase();
    rate_check(db, Action::SignUp, ip, &lower, policy).await?;

    // Cheap early answer for the common case; the script below is what guarantees uniqueness.
    if find_user_id(db, &lower)
        .await
        .map_err(form_problem)?
        .is_some()
    {
        return Err(field(USERNAME, Problem::UsernameTaken));
    }
    let phc = passwords::hash_password(password.to_string())
        .await
        .map_err(form_problem)?;
    let Some(id) = create_user(db, &lower, &shown, &phc)
        .await
        .map_err(form_problem)?
    else {
        return Err(field(USERNAME, Problem::UsernameTaken));
    };
    tracing::info!(user_id = %id, username = shown.as_str(), "account created");
    // Counted for the market board; best effort (the account exists either way).
    if let Err(e) = crate::analytics::server::record(
        db,
        crate::analytics::server::Scope::Site,
        crate::analytics::Metric::SignUps,
        1,
        None,
    )
    .await
    {
        tracing::debug!(error = ?e, "sign-up not counted");
    }
    if let Some(address) = address.as_deref() {
        // The account exists either way; the address can be set again from /my/email.
        if let Err(e) = email::set_address(db, id, Some(address)).await {
            tracing::warn!(error = %e, user_id = %id, "address not saved at sign-up");
        }
    }
    sessions::create(db, id, &shown, policy.session_ttl, 0)
        .await
        .map_err(form_problem)
}

/// "Forgot your password?": mails a reset link to the account's confirmed address, if it has
/// one. The answer is the same whether the account exists and has an address or not (so the
/// form tells nobody which accounts exist); it is rate limited per IP and per name.
pub async fn request_reset(
    db: &Db,
    policy: &AuthPolicy,
    ip: &str,
    username: &str,
) -> Result<(), FormErrors> {
    if username.trim().is_empty() {
        return Err(field(USERNAME, Problem::UsernameMissing));
    }
    // A name that cannot exist gets the same answer as one that does.
    let Ok(lower) = validate_username(username) else {
        return Ok(());
    };
    rate_check(db, Action::Mail, ip, &lower, policy).await?;
    let Some(id) = find_user_id(db, &lower).await.map_err(form_problem)? else {
        return Ok(());
    };
    if email::account_email(db, id)
        .await
        .map_err(form_problem)?
        .address
        .is_some()
    {
        email::queue_mail(db, id, email::Purpose::Reset)
            .await
            .map_err(form_problem)?;
    }
    Ok(())
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
) -> Result<NewSession, FormErrors> {
    let errors = check_sign_in(username, password);
    if !errors.is_empty() {
        return Err(errors);
    }
    // Over-long or odd input is simply a wrong username; it is not echoed back or stored.
    let lower = validate_username(username).ok();
    let limit_key = lower.clone().unwrap_or_else(|| "(invalid)".to_string());
    rate_check(db, Action::SignIn, ip, &limit_key, policy).await?;

    let account = match &lower {
        Some(lower) => find_account(db, lower).await.map_err(form_problem)?,
        None => None,
    };
    let password = crate::util::url::clip(password, crate::accounts::PASSWORD_MAX + 1);
    let wrong = || FormErrors::form(Problem::BadCredentials);
    let Some(Account {
        id,
        display,
        phc,
        suspended,
        generation,
    }) = account
    else {
        // Same work as a real check, so timing does not reveal which usernames exist.
        passwords::verify_nothing(password)
            .await
            .map_err(form_problem)?;
        return Err(wrong());
    };
    if !passwords::verify_password(password.clone(), phc.clone())
        .await
        .map_err(form_problem)?
    {
        return Err(wrong());
    }
    // Said only to whoever knows the password.
    if suspended {
        return Err(FormErrors::form(Problem::Suspended));
    }
    // A hash made with older parameters is made again now that the password is at hand
    // (once per account). Failing that only leaves the old hash, which still works.
    if passwords::needs_rehash(&phc) {
        match passwords::rehash(db, id, &phc, password).await {
            Ok(outcome) => tracing::info!(user_id = %id, ?outcome, "password hash upgraded"),
            Err(e) => tracing::warn!(user_id = %id, error = ?e, "password hash not upgraded"),
        }
    }
    if let Some(old) = previous_token {
        sessions::destroy(db, old).await.map_err(form_problem)?;
    }
    sessions::create(db, id, &display, policy.session_ttl, generation)
        .await
        .map_err(form_problem)
}

/// Writes a new user and claims its name; `None` when the name is taken (nothing is left).
async fn create_user(
    db: &Db,
    lower: &str,
    shown: &str,
    phc: &str,
) -> Result<Option<UserId>, AppError> {
    let keys = db.keys();
    let mut conn = db.conn()?;
    let fail = |e| redis_error("create user", e);
    let id: UserId = redis::cmd("INCR")
        .arg(keys.user_ids())
        .query_async(&mut conn)
        .await
        .map_err(fail)?;
    let _: () = redis::cmd("HSET")
        .arg(keys.user(id))
        .arg("id")
        .arg(id)
        .arg("username")
        .arg(shown)
        .arg("username_lower")
        .arg(lower)
        .arg("password")
        .arg(phc)
        .arg("created_at")
        .arg(crate::util::time::now_ms())
        .query_async(&mut conn)
        .await
        .map_err(fail)?;
    let claimed: bool = redis::cmd("HSETNX")
        .arg(keys.usernames())
        .arg(lower)
        .arg(id)
        .query_async(&mut conn)
        .await
        .map_err(fail)?;
    if !claimed {
        let _: () = redis::cmd("DEL")
            .arg(keys.user(id))
            .query_async(&mut conn)
            .await
            .map_err(fail)?;
        return Ok(None);
    }
    Ok(Some(id))
}

/// The id of the user with this (lowercase) name.
pub async fn find_user_id(db: &Db, lower: &str) -> Result<Option<UserId>, AppError> {
    let mut conn = db.conn()?;
    redis::cmd("HGET")
        .arg(db.keys().usernames())
        .arg(lower)
        .query_async(&mut conn)
        .await
        .map_err(|e| redis_error("find user", e))
}

/// An account found by name, as sign-in needs it.
struct Account {
    id: UserId,
    display: String,
    /// The argon2id hash.
    phc: String,
    /// A moderator suspended it.
    suspended: bool,
    /// The password generation (`pw_gen`): a session granted now carries it.
    generation: u64,
}

async fn find_account(db: &Db, lower: &str) -> Result<Option<Account>, AppError> {
    let Some(id) = find_user_id(db, lower).await? else {
        return Ok(None);
    };
    let mut conn = db.conn()?;
    // Read together: the password checked and the generation the session gets are one version.
    let (display, phc, suspended, generation): (
        Option<String>,
        Option<String>,
        Option<String>,
        Option<u64>,
    ) = redis::cmd("HMGET")
        .arg(db.keys().user(id))
        .arg("username")
        .arg("password")
        .arg("suspended")
        .arg("pw_gen")
        .query_async(&mut conn)
        .await
        .map_err(|e| redis_error("load user", e))?;
    Ok(match (display, phc) {
        (Some(display), Some(phc)) => Some(Account {
            id,
            display,
            phc,
            suspended: suspended.is_some(),
            generation: generation.unwrap_or(0),
        }),
        _ => {
            tracing::error!(user_id = %id, "username maps to an incomplete user hash");
            None
        }
    })
}

/// A request's session lookup, kept in the request's extensions and shared by the middlewares
/// (item views, the personal tier) and the page rendered for the request: it runs at most once
/// per request, and whoever asks first starts it, so that it can go out together with the
/// other reads the request makes first (the holes of a personal page).
#[derive(Clone, Debug, Default)]
pub struct RequestSession(Arc<OnceCell<Option<SessionUser>>>);

impl RequestSession {
    /// The shared lookup of `request` (made and stored on first use).
    pub fn of(request: &mut axum::extract::Request) -> Self {
        request
            .extensions_mut()
            .get_or_insert_default::<RequestSession>()
            .clone()
    }

    /// The session of the cookie `token` (`None` for no cookie, an unknown or an expired
    /// session), looked up once; a caller arriving while the lookup is under way waits for it.
    /// A failed lookup is not kept: the next caller tries again.
    pub async fn get(
        &self,
        state: &AppState,
        token: Option<&str>,
        wrote_lately: bool,
    ) -> Result<Option<SessionUser>, AppError> {
        self.0
            .get_or_try_init(|| async {
                match token {
                    Some(token) => session_of(state, token, wrote_lately).await,
                    None => Ok(None),
                }
            })
            .await
            .cloned()
    }
}

/// The session of a page view's cookie: remembered by this instance or read
/// ([`sessions::recall`]; always read when the browser `wrote_lately`).
async fn session_of(
    state: &AppState,
    token: &str,
    wrote_lately: bool,
) -> Result<Option<SessionUser>, AppError> {
    sessions::recall(&state.db, token, state.config.session_ttl, wrote_lately).await
}

/// The session of `request`, looked up at most once per request (see [`RequestSession`]).
/// `None` for visitors and unknown or expired sessions.
pub async fn request_session(
    state: &AppState,
    request: &mut axum::extract::Request,
) -> Result<Option<SessionUser>, AppError> {
    let lookup = RequestSession::of(request);
    let token = crate::server::http::request::cookie_of(
        request.headers(),
        crate::server::http::request::SESSION_COOKIE,
    );
    let wrote = crate::server::http::request::wrote_lately(request.headers());
    lookup.get(state, token.as_deref(), wrote).await
}

/// The `Set-Cookie` value that renews `user`'s session, when less than half its life is left
/// (sliding expiry).
pub fn renewal(state: &AppState, token: &str, user: &SessionUser) -> Option<String> {
    let ttl = state.config.session_ttl;
    (user.remaining < ttl / 2).then(|| sessions::cookie(token, ttl, state.config.secure_cookies))
}

/// Per-request cache of the session lookup; provided fresh for every request.
#[derive(Clone, Default)]
pub struct UserCache(Arc<OnceCell<Option<SessionUser>>>);

/// The signed-in user of a plain form's server function; `None` without a session, and then a
/// plain form post (JavaScript off) is sent to sign in and back to `back`.
pub async fn form_user(state: &AppState, back: &str) -> Result<Option<CurrentUser>, AppError> {
    let user = current_user(state).await?;
    if user.is_none() {
        crate::server::http::forms::redirect_plain_post(&crate::accounts::sign_in_url(back));
    }
    Ok(user)
}

/// The signed-in moderator (`RBAY_ADMINS`) of this request; to anyone else the page or action
/// does not exist ([`AppError::NotFound`]).
pub async fn admin(state: &AppState) -> Result<CurrentUser, AppError> {
    match current_user(state).await? {
        Some(user) if state.config.admins.contains(&user.username) => Ok(user),
        _ => Err(AppError::NotFound),
    }
}

/// The signed-in user of this request, or `None`. Visitors without a session cookie cost no
/// Redis call; the lookup runs at most once per request. A session close to expiry gets a
/// fresh cookie (sliding expiry).
pub async fn current_user(state: &AppState) -> Result<Option<CurrentUser>, AppError> {
    Ok(current_session(state).await?.as_ref().map(current_of))
}

/// The clock the signed-in viewer of this request chose for their charts, if any (it comes
/// with the session: no round trip more). A name that left the zone database since counts as
/// no choice.
pub async fn chosen_zone(state: &AppState) -> Result<Option<Zone>, AppError> {
    Ok(zone_of(current_session(state).await?.as_ref()))
}

/// The zone a session's user chose, if any (a name that left the zone database since counts
/// as no choice).
pub fn zone_of(session: Option<&SessionUser>) -> Option<Zone> {
    session?.zone.as_deref().and_then(Zone::named)
}

/// The clock of a chart fragment (`/items/{id}/chart`, `/market/panels`): the one the viewer
/// chose, else `tz` (a live page asking in the browser's zone), else UTC; `Err` (400) for a
/// `tz` that names no zone, whoever asks.
pub fn fragment_zone(viewer: Option<&SessionUser>, tz: Option<&str>) -> Result<Zone, AppError> {
    let asked = Zone::from_param(tz)?;
    Ok(zone_of(viewer).unwrap_or(asked))
}

/// The session of this request's signed-in user (see [`current_user`]).
async fn current_session(state: &AppState) -> Result<Option<SessionUser>, AppError> {
    let Some(token) = session_token() else {
        return Ok(None);
    };
    let cache = leptos::prelude::use_context::<UserCache>().unwrap_or_default();
    let session = cache
        .0
        .get_or_try_init(|| async {
            // A middleware may have looked it up for this request already.
            let parts = leptos::prelude::use_context::<axum::http::request::Parts>();
            let wrote = parts
                .as_ref()
                .is_some_and(|p| crate::server::http::request::wrote_lately(&p.headers));
            let known = parts.and_then(|p| p.extensions.get::<RequestSession>().cloned());
            let found = match known {
                Some(lookup) => lookup.get(state, Some(&token), wrote).await?,
                None => session_of(state, &token, wrote).await?,
            };
            renew_cookie(state, &token, found.as_ref());
            Ok::<_, AppError>(found)
        })
        .await?;
    Ok(session.clone())
}

/// The signed-in user of this request and, in the same round trip, one hit of `action`
/// against that user's rate limit (`Err(seconds)` when over it). `None` when nobody is
/// signed in (then nothing is counted).
pub async fn current_user_within(
    state: &AppState,
    action: Action,
    limit: Limit,
) -> Result<Option<(CurrentUser, Result<(), u64>)>, AppError> {
    let Some(token) = session_token() else {
        return Ok(None);
    };
    let checked = sessions::check(
        &state.db,
        &token,
        state.config.session_ttl,
        Some((action, limit)),
    )
    .await?;
    let user = checked.as_ref().map(|(user, _)| user.clone());
    renew_cookie(state, &token, user.as_ref());
    if let Some(cache) = leptos::prelude::use_context::<UserCache>() {
        let _ = cache.0.set(user);
    }
    Ok(checked.map(|(user, verdict)| (current_of(&user), verdict)))
}

/// What [`current_user_within`] does after its check, for a write whose own script checked the
/// session (`auction::server::bids::place_bid_as`): renews the cookie when it is due and
/// remembers the user for the rest of the request.
pub fn checked_by_script(state: &AppState, token: &str, user: Option<&SessionUser>) {
    renew_cookie(state, token, user);
    if let Some(cache) = leptos::prelude::use_context::<UserCache>() {
        let _ = cache.0.set(user.cloned());
    }
}

/// The signed-in user of a session as pages see it.
pub fn current_of(session: &SessionUser) -> CurrentUser {
    CurrentUser {
        id: session.user_id,
        username: session.username.clone(),
        unread: session.unread,
    }
}

/// Sends the session cookie again when less than half its life is left.
fn renew_cookie(state: &AppState, token: &str, found: Option<&SessionUser>) {
    if let Some(cookie) = found.and_then(|user| renewal(state, token, user)) {
        set_cookie(&cookie);
    }
}

/// The signed-in user of a request to a plain axum route (not a page or server function,
/// which use [`current_user`]): the session cookie looked up (its expiry slides), or
/// `401 Unauthorized`. `Option<CurrentUser>` is `None` for visitors; a Redis failure is an
/// error either way.
impl axum::extract::FromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, AppError> {
        <CurrentUser as axum::extract::OptionalFromRequestParts<AppState>>::from_request_parts(
            parts, state,
        )
        .await?
        .ok_or(AppError::Unauthorized)
    }
}

impl axum::extract::OptionalFromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Option<Self>, AppError> {
        let found =
            <SessionUser as axum::extract::OptionalFromRequestParts<AppState>>::from_request_parts(
                parts, state,
            )
            .await?;
        Ok(found.as_ref().map(current_of))
    }
}

/// The session of a plain axum route's request, for a route that needs more of it than
/// [`CurrentUser`] says (the clock the user chose): `401 Unauthorized` without one;
/// `Option<SessionUser>` is `None` for visitors.
impl axum::extract::FromRequestParts<AppState> for SessionUser {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, AppError> {
        <SessionUser as axum::extract::OptionalFromRequestParts<AppState>>::from_request_parts(
            parts, state,
        )
        .await?
        .ok_or(AppError::Unauthorized)
    }
}

impl axum::extract::OptionalFromRequestParts<AppState> for SessionUser {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Option<Self>, AppError> {
        let token = crate::server::http::request::cookie_of(
            &parts.headers,
            crate::server::http::request::SESSION_COOKIE,
        );
        let wrote = crate::server::http::request::wrote_lately(&parts.headers);
        match token {
            Some(token) => session_of(state, &token, wrote).await,
            None => Ok(None),
        }
    }
}

/// The shown names of `users`, in order (`None` where there is no such account), in one round
/// trip: the one way another feature reads a user's name.
pub async fn usernames(
    conn: &mut RedisConn,
    keys: &crate::server::redis::keys::Keys,
    users: &[UserId],
) -> redis::RedisResult<Vec<Option<String>>> {
    if users.is_empty() {
        return Ok(Vec::new());
    }
    let mut pipe = redis::pipe();
    for user in users {
        pipe.cmd("HGET").arg(keys.user(*user)).arg(USERNAME);
    }
    pipe.query_async(conn).await
}

/// One user's shown name (`None`: no such account, or an empty name); see [`usernames`].
pub async fn username(
    conn: &mut RedisConn,
    keys: &crate::server::redis::keys::Keys,
    user: UserId,
) -> redis::RedisResult<Option<String>> {
    let name: Option<String> = redis::cmd("HGET")
        .arg(keys.user(user))
        .arg(USERNAME)
        .query_async(conn)
        .await?;
    Ok(name.filter(|n| !n.is_empty()))
}
