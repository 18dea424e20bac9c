//! What server functions and pages need to know about the current HTTP request: the client IP,
//! the session cookie, whether it is a plain form post, and the signed-in user (looked up at
//! most once per request).

use crate::accounts::CurrentUser;
use crate::error::AppError;
use crate::server::http::AppState;
use crate::server::items::Visitor;
use crate::server::security::CspNonce;
use crate::server::sessions::{self, SessionUser};
use axum::extract::ConnectInfo;
use axum::http::header::{ACCEPT, COOKIE, SET_COOKIE, USER_AGENT};
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
    // The nonce of this request's Content-Security-Policy (see `server::security`): the
    // hydration scripts Leptos writes carry it.
    if let Some(nonce) = parts().and_then(|p| p.extensions.get::<CspNonce>().cloned()) {
        provide_context(leptos::nonce::Nonce::from_value(nonce.0));
    }
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

/// Cookie of an anonymous visitor: a visitor id used only to count item views once, signed
/// so that made-up values are ignored. It is not a session: nothing is stored for it except in
/// the views HyperLogLogs.
pub const VISITOR_COOKIE: &str = "rbay_vid";

/// HMAC-SHA-256 of `parts` (joined by a separator) under the deployment secret.
fn keyed_hash(secret: &[u8], parts: &[&str]) -> [u8; 32] {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret)
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    for part in parts {
        mac.update(part.as_bytes());
        mac.update(&[0x1f]);
    }
    mac.finalize().into_bytes().into()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The signature part of a visitor cookie for `id`.
fn visitor_tag(secret: &[u8], id: &str) -> String {
    hex(&keyed_hash(secret, &["visitor-cookie", id])[..8])
}

/// The id in a visitor cookie `<32 hex>.<16 hex>`, if its signature is ours.
fn verified_visitor_id(secret: &[u8], cookie: &str) -> Option<String> {
    let (id, tag) = cookie.split_once('.')?;
    let well_formed = id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit());
    (well_formed && tag == visitor_tag(secret, id)).then(|| id.to_string())
}

/// Who is looking, for unique view counts:
/// - signed in: `u:<user id>`;
/// - with a valid visitor cookie: `a:<its id>`;
/// - otherwise the id is derived from the client IP, its user agent and the day (keyed hash),
///   and sent as a cookie: a client that keeps cookies keeps that id, and one that does not
///   gets the same id on every request of the day instead of a new visitor each time.
///
/// The network tag (a keyed hash of the IP) lets the view script cap new visitors per network.
pub fn visitor(state: &AppState, user: Option<&CurrentUser>) -> Visitor {
    let secret = state.db.secret();
    let ip = client_ip(state);
    let network = hex(&keyed_hash(secret, &["network", &ip])[..8]);
    if let Some(user) = user {
        return Visitor {
            key: format!("u:{}", user.id),
            user_id: Some(user.id),
            network,
        };
    }
    if let Some(id) = cookie(VISITOR_COOKIE).and_then(|c| verified_visitor_id(secret, &c)) {
        return Visitor {
            key: format!("a:{id}"),
            user_id: None,
            network,
        };
    }
    let agent = parts()
        .and_then(|p| p.headers.get(USER_AGENT).cloned())
        .and_then(|v| {
            v.to_str()
                .ok()
                .map(|s| s.chars().take(256).collect::<String>())
        })
        .unwrap_or_default();
    let day = (crate::server::search::now_ms() / 86_400_000).to_string();
    let id = hex(&keyed_hash(secret, &["visitor", &ip, &agent, &day])[..16]);
    set_cookie(&format!(
        "{VISITOR_COOKIE}={id}.{}; Path=/; Max-Age=31536000; HttpOnly; SameSite=Lax{}",
        visitor_tag(secret, &id),
        if state.config.secure_cookies {
            "; Secure"
        } else {
            ""
        }
    ));
    Visitor {
        key: format!("a:{id}"),
        user_id: None,
        network,
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visitor_cookies_must_carry_our_signature() {
        let secret = b"s3cret";
        let id = "0123456789abcdef0123456789abcdef";
        let good = format!("{id}.{}", visitor_tag(secret, id));
        assert_eq!(verified_visitor_id(secret, &good).as_deref(), Some(id));
        assert_eq!(verified_visitor_id(b"other", &good), None);
        for bad in [
            id.to_string(),
            format!("{id}.0000000000000000"),
            format!("{}.{}", &id[..31], visitor_tag(secret, &id[..31])),
            "x".repeat(49),
        ] {
            assert_eq!(verified_visitor_id(secret, &bad), None, "{bad}");
        }
    }
}
