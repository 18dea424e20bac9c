//! A Redis page cache for public pages that are the same for everyone (about, privacy).
//!
//! Only anonymous GET requests are cached or served from the cache: a request carrying a
//! session cookie is rendered fresh (its header shows the user), and a response that sets a
//! cookie or is not a plain 200 HTML page is never stored. Entries live [`TTL_SECS`].

use crate::server::http::request::{cookie_value, SESSION_COOKIE};
use crate::server::http::security::CspNonce;
use crate::server::state::AppState;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Paths served through the cache.
pub const CACHED_PATHS: [&str; 2] = ["/about", "/privacy"];
pub const TTL_SECS: u64 = 60;
const MAX_CACHED_BYTES: usize = 512 * 1024;

fn has_session_cookie(request: &Request) -> bool {
    request
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|c| cookie_value(c, SESSION_COOKIE).is_some())
}

pub async fn serve_cached(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_string();
    let cacheable = request.extensions().get::<CspNonce>().is_some()
        && request.method() == Method::GET
        && CACHED_PATHS.contains(&path.as_str())
        && request.uri().query().is_none()
        && !has_session_cookie(&request);
    if !cacheable {
        return next.run(request).await;
    }
    let key = state.db.keys().page_cache(&path);
    let nonce = request
        .extensions()
        .get::<CspNonce>()
        .map(|n| n.0.to_string())
        .unwrap_or_default();
    if let Ok(mut conn) = state.db.conn() {
        let cached: redis::RedisResult<Option<String>> =
            redis::cmd("GET").arg(&key).query_async(&mut conn).await;
        if let Ok(Some(html)) = cached {
            // Each response gets its own nonce, also when its HTML comes from the cache.
            return html_response(html.replace(NONCE_MARK, &nonce), "hit");
        }
    }

    let response = next.run(request).await;
    let storable = response.status() == StatusCode::OK
        && response.headers().get(header::SET_COOKIE).is_none()
        && response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"));
    if !storable {
        return response;
    }
    let (parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_CACHED_BYTES).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "page too large").into_response();
    };
    let Ok(html) = std::str::from_utf8(&bytes) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    if let Ok(mut conn) = state.db.conn() {
        let stored: redis::RedisResult<()> = redis::cmd("SET")
            .arg(&key)
            .arg(html.replace(&nonce, NONCE_MARK))
            .arg("EX")
            .arg(TTL_SECS)
            .query_async(&mut conn)
            .await;
        if let Err(e) = stored {
            tracing::warn!(error = %e, path, "page cache write failed");
        }
    }
    let mut response = Response::from_parts(parts, Body::from(bytes));
    response
        .headers_mut()
        .insert("x-cache", HeaderValue::from_static("miss"));
    response
}

/// Stands for the request's nonce in stored HTML.
const NONCE_MARK: &str = "__rbay_nonce__";

fn html_response(html: String, state: &'static str) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=60"),
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
