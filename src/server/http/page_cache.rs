//! Page caches. For what anonymous visitors see, two tiers:
//!
//! - **shared** (Redis, [`SHARED_TTL_SECS`]): pages that are the same for everyone and change
//!   rarely (about, privacy), rendered once for every instance;
//! - **instance** (memory, [`INSTANCE_TTL`]): the busiest pages (the home page, item pages,
//!   search results), rendered at most once per half second per instance however many
//!   visitors ask. Their numbers then lag by at most that long, and open pages get the changes
//!   live anyway. Bounded to [`INSTANCE_ENTRIES`] pages.
//!
//! Only anonymous GET requests are cached or served from a cache, and only without a query
//! (a query can carry a form's echoed input) except on `/search`, whose query is the search
//! itself and is part of the key (up to [`MAX_QUERY_BYTES`]). A broad word costs RediSearch
//! work in proportion to its matches; a popular search then costs that once per half second
//! per instance. A request carrying a session cookie is rendered fresh (its header shows the
//! user), and a response that sets a cookie or is not a plain 200 HTML page is never stored. Each response gets its
//! own CSP nonce, also when its HTML comes from a cache. (Item page views are counted by
//! `engagement::server::views::record_visit`, around this cache.)
//!
//! Signed-in viewers get the same pages from the personal tier (`server::personal`): rendered
//! once for every signed-in viewer, with holes filled per request.

use crate::server::http::request::{cookie_value, SESSION_COOKIE};
use crate::server::http::security::CspNonce;
use crate::server::metrics::{self, CacheResult};
use crate::server::short_cache::RecentMap;
use crate::server::state::AppState;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::{Arc, LazyLock};
use std::time::Duration;

/// Pages in the shared (Redis) tier.
pub const SHARED_PATHS: [&str; 2] = ["/about", "/privacy"];
pub const SHARED_TTL_SECS: u64 = 60;
/// How long an instance reuses a page it rendered.
pub const INSTANCE_TTL: Duration = Duration::from_millis(500);
/// Pages one instance keeps at most (about 10–15 KB each).
pub const INSTANCE_ENTRIES: usize = 256;
pub const MAX_CACHED_BYTES: usize = 512 * 1024;
/// Longest search query string cached (longer ones are rendered fresh).
pub const MAX_QUERY_BYTES: usize = 256;
/// Stands for the request's nonce in stored HTML.
const NONCE_MARK: &str = "__rbay_nonce__";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tier {
    Shared,
    Instance,
}

/// Which tier serves `path` with `query` to anonymous visitors, if any.
pub fn tier(path: &str, query: Option<&str>) -> Option<Tier> {
    if let Some(query) = query {
        return (path == "/search" && query.len() <= MAX_QUERY_BYTES).then_some(Tier::Instance);
    }
    if SHARED_PATHS.contains(&path) {
        return Some(Tier::Shared);
    }
    let item_page = path
        .strip_prefix("/items/")
        .and_then(crate::util::id::parse_positive)
        .is_some();
    (path == "/" || item_page).then_some(Tier::Instance)
}

/// The key of a page in the instance tier (and the personal tier): key prefix, path and
/// query (tests run several apps in one process).
pub fn instance_key(prefix: &str, path: &str, query: Option<&str>) -> String {
    match query {
        Some(query) => format!("{prefix}{path}?{query}"),
        None => format!("{prefix}{path}"),
    }
}

/// A response that may be kept for others: a plain 200 HTML page that sets no cookie.
pub fn is_storable(response: &Response) -> bool {
    response.status() == StatusCode::OK
        && response.headers().get(header::SET_COOKIE).is_none()
        && response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"))
}

/// Whether the request carries a session cookie.
pub fn has_session_cookie(request: &Request) -> bool {
    request
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|c| cookie_value(c, SESSION_COOKIE).is_some())
}

/// The instance tier, keyed by key prefix and path (tests run several apps in one process).
static INSTANCE: LazyLock<RecentMap<Arc<str>>> =
    LazyLock::new(|| RecentMap::new(INSTANCE_TTL, INSTANCE_ENTRIES));

pub async fn serve_cached(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_string();
    let nonce = request.extensions().get::<CspNonce>().map(|n| n.0.clone());
    let query = request.uri().query().map(str::to_owned);
    let tier = tier(&path, query.as_deref()).filter(|_| request.method() == Method::GET);
    let (Some(tier), Some(nonce)) = (tier, nonce) else {
        return next.run(request).await;
    };
    // Signed-in viewers: the personal tier (`server::personal`, the next layer in).
    if has_session_cookie(&request) {
        return next.run(request).await;
    }
    let key = match tier {
        Tier::Shared => state.db.keys().page_cache(&path),
        Tier::Instance => instance_key(state.db.keys().prefix(), &path, query.as_deref()),
    };
    let cached = match tier {
        Tier::Instance => INSTANCE.get(&key),
        Tier::Shared => match state.db.conn() {
            Ok(mut conn) => redis::cmd("GET")
                .arg(&key)
                .query_async::<Option<String>>(&mut conn)
                .await
                .ok()
                .flatten()
                .map(Arc::from),
            Err(_) => None,
        },
    };
    if let Some(html) = cached {
        metrics::record_cache(CacheResult::Hit);
        return html_response(html.replace(NONCE_MARK, &nonce), tier, "hit");
    }

    let response = next.run(request).await;
    if !is_storable(&response) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_CACHED_BYTES).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "page too large").into_response();
    };
    let Ok(html) = std::str::from_utf8(&bytes) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    let stored = html.replace(nonce.as_ref(), NONCE_MARK);
    match tier {
        Tier::Instance => INSTANCE.put(key, stored.into()),
        Tier::Shared => {
            if let Ok(mut conn) = state.db.conn() {
                let written: redis::RedisResult<()> = redis::cmd("SET")
                    .arg(&key)
                    .arg(stored)
                    .arg("EX")
                    .arg(SHARED_TTL_SECS)
                    .query_async(&mut conn)
                    .await;
                if let Err(e) = written {
                    tracing::warn!(error = %e, path, "page cache write failed");
                }
            }
        }
    }
    metrics::record_cache(CacheResult::Miss);
    let mut response = Response::from_parts(parts, Body::from(bytes));
    response
        .headers_mut()
        .insert("x-cache", HeaderValue::from_static("miss"));
    response
}

fn html_response(html: String, tier: Tier, state: &'static str) -> Response {
    let browser_cache = match tier {
        Tier::Shared => "public, max-age=60",
        Tier::Instance => "no-cache",
    };
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static(browser_cache),
            ),
            (
                header::HeaderName::from_static("x-cache"),
                HeaderValue::from_static(state),
            ),
        ],
        html,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_busiest_public_pages_are_cached() {
        assert_eq!(tier("/about", None), Some(Tier::Shared));
        assert_eq!(tier("/", None), Some(Tier::Instance));
        assert_eq!(tier("/items/12", None), Some(Tier::Instance));
        assert_eq!(tier("/search", Some("q=lamp")), Some(Tier::Instance));
        for other in [
            "/items/12/comments",
            "/items/new",
            "/search",
            "/dashboard",
            "/items/x",
        ] {
            assert_eq!(tier(other, None), None, "{other}");
        }
        // A query may echo a form's input: only the search's own query is a cache key.
        for (path, query) in [
            ("/items/12", "bid_error=too_low&amount=1"),
            ("/", "x=1"),
            ("/about", "x=1"),
            ("/items/new", "description=x"),
        ] {
            assert_eq!(tier(path, Some(query)), None, "{path}?{query}");
        }
        let long = format!("q={}", "a".repeat(MAX_QUERY_BYTES));
        assert_eq!(
            tier("/search", Some(&long)),
            None,
            "long queries are not kept"
        );
    }
}
