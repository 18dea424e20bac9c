//! What server functions and pages need to know about the current HTTP request: the client IP,
//! the session cookie, whether it is a plain form post, and the signed-in user (looked up at
//! most once per request).

use crate::accounts::CurrentUser;
use crate::error::AppError;
use crate::server::http::AppState;
use crate::server::sessions::{self, SessionUser};
use axum::extract::ConnectInfo;
use axum::http::header::{ACCEPT, COOKIE, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::HeaderValue;
use leptos::prelude::{provide_context, use_context};
use leptos_axum::ResponseOptions;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::sync::OnceCell;

/// Per-request cache of the session lookup; provided fresh for every request.
#[derive(Clone, Default)]
pub struct UserCache(Arc<OnceCell<Option<SessionUser>>>);

/// Adds the per-request context; called by the router for every page and server function.
pub fn provide_request_context(state: &AppState) {
    provide_context(state.clone());
    provide_context(UserCache::default());
}

fn parts() -> Option<Parts> {
    use_context::<Parts>()
}

/// True for a plain browser form post (JavaScript off): answer with a redirect, not data.
pub fn is_plain_form_post() -> bool {
    parts()
        .and_then(|p| p.headers.get(ACCEPT).cloned())
        .and_then(|v| v.to_str().ok().map(|s| s.contains("text/html")))
        .unwrap_or(false)
}

/// The client's IP: the TCP peer, or with `RBAY_TRUST_PROXY=1` the last `X-Forwarded-For` hop.
pub fn client_ip(state: &AppState) -> String {
    let Some(parts) = parts() else {
        return "unknown".to_string();
    };
    if state.config.trust_proxy {
        let forwarded = parts
            .headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .map(str::trim)
            .filter(|v| v.parse::<std::net::IpAddr>().is_ok());
        if let Some(ip) = forwarded {
            return ip.to_string();
        }
    }
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip().to_string())
        .unwrap_or_else(|| "unknown".to_string())
}

/// A cookie of the request, by name.
fn cookie(name: &str) -> Option<String> {
    let parts = parts()?;
    parts
        .headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|header| sessions::cookie_value(header, name))
        .map(str::to_string)
}

/// The session token from the request's cookies, if any.
pub fn session_token() -> Option<String> {
    cookie(sessions::COOKIE_NAME)
}

/// Cookie of an anonymous visitor: a random id used only to count item views once.
/// It is not a session: nothing is stored for it except in the views HyperLogLogs.
pub const VISITOR_COOKIE: &str = "rbay_vid";

/// Who is looking, for unique view counts: `u:<id>` when signed in, else `a:<cookie id>`
/// (a new random id, and its cookie, on the first visit).
pub fn visitor_id(user: Option<&CurrentUser>) -> String {
    if let Some(user) = user {
        return format!("u:{}", user.id);
    }
    let existing = cookie(VISITOR_COOKIE)
        .filter(|v| v.len() == 32 && v.bytes().all(|b| b.is_ascii_hexdigit()));
    let id = existing.unwrap_or_else(|| {
        let id = crate::server::lock::random_hex::<16>();
        set_cookie(&format!(
            "{VISITOR_COOKIE}={id}; Path=/; Max-Age=31536000; HttpOnly; SameSite=Lax"
        ));
        id
    });
    format!("a:{id}")
}

/// The signed-in user, or `None`. Visitors without a session cookie cost no Redis call.
/// A session close to expiry gets a fresh cookie (sliding expiry).
pub async fn current_user(state: &AppState) -> Result<Option<CurrentUser>, AppError> {
    let Some(token) = session_token() else {
        return Ok(None);
    };
    let cache = use_context::<UserCache>().unwrap_or_default();
    let ttl = state.config.session_ttl;
    let session = cache
        .0
        .get_or_try_init(|| async {
            let found = sessions::lookup(&state.db, &token, ttl).await?;
            if let Some(user) = &found {
                if user.remaining < ttl / 2 {
                    set_cookie(&sessions::cookie(&token, ttl, state.config.secure_cookies));
                }
            }
            Ok::<_, AppError>(found)
        })
        .await?;
    Ok(session.as_ref().map(|s| CurrentUser {
        id: s.user_id,
        username: s.username.clone(),
    }))
}

/// Adds a `Set-Cookie` header to the response being built.
pub fn set_cookie(value: &str) {
    if let (Some(response), Ok(value)) = (
        use_context::<ResponseOptions>(),
        HeaderValue::from_str(value),
    ) {
        response.append_header(SET_COOKIE, value);
    }
}
