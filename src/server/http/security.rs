//! HTTP hardening that applies to every request, in one place:
//!
//! - [`content_security_policy`]: a fresh script nonce per request, handed to Leptos (its
//!   hydration scripts carry it) and sent in a strict `Content-Security-Policy`, so script
//!   that was not put there by the server cannot run even if an escaping mistake let markup in;
//! - [`limit_body`]: request bodies are bounded per route whether or not they announce a
//!   `Content-Length` (chunked uploads are cut off at the same limit and answered 413);
//! - [`server_fn_status`]: server functions answer client mistakes with 4xx (the error's own
//!   status), not the 500 that `server_fn` uses for every error;
//! - [`refuse_cross_site_writes`]: state-changing requests made by other sites are refused.

use crate::error::AppError;
use crate::util::limits::MAX_PHOTOS_BYTES;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// The nonce of one request, stored in its extensions for the page renderer and the page cache.
#[derive(Debug, Clone)]
pub struct CspNonce(pub Arc<str>);

/// The policy for HTML pages. Islands need `'wasm-unsafe-eval'` (WebAssembly compilation) and
/// `'strict-dynamic'` (the nonce'd loader imports the bundle and its lazy chunks).
pub fn html_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'nonce-{nonce}' 'strict-dynamic' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; \
         object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    )
}

/// Everything that is not a page (JSON, images, SVG placeholders, events) runs nothing.
const NON_HTML_POLICY: &str = "default-src 'none'; frame-ancestors 'none'; sandbox";

/// Adds the nonce to the request and the policy (and the other security headers) to the
/// response.
pub async fn content_security_policy(mut request: Request, next: Next) -> Response {
    let nonce: Arc<str> = crate::util::random::random_hex::<16>().into();
    request
        .extensions_mut()
        .insert(CspNonce(Arc::clone(&nonce)));
    let mut response = next.run(request).await;
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let policy = if is_html {
        html_policy(&nonce)
    } else {
        NON_HTML_POLICY.to_string()
    };
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&policy) {
        headers.insert(header::CONTENT_SECURITY_POLICY, value);
    }
    for (name, value) in [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "strict-origin-when-cross-origin"),
        (
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ),
        (
            HeaderName::from_static("permissions-policy"),
            "camera=(), microphone=(), geolocation=(), payment=()",
        ),
    ] {
        headers
            .entry(name)
            .or_insert(HeaderValue::from_static(value));
    }
    response
}

/// Refuses state-changing requests (anything but GET, HEAD, OPTIONS) sent by another site.
/// Browsers label every request with `Sec-Fetch-Site`, and older ones send `Origin` on POST;
/// a request with neither did not come from a browser page, so it cannot be a forged one.
pub async fn refuse_cross_site_writes(request: Request, next: Next) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if safe || is_same_origin(request.headers()) {
        return next.run(request).await;
    }
    tracing::warn!(
        method = %request.method(),
        path = request.uri().path(),
        origin = ?request.headers().get(header::ORIGIN),
        "refused a cross-site request"
    );
    (
        StatusCode::FORBIDDEN,
        [(header::CACHE_CONTROL, "no-store")],
        "Refused: this request came from another site.",
    )
        .into_response()
}

/// True unless the headers show the request was made by a page of another origin.
pub fn is_same_origin(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site") {
        return matches!(site.to_str(), Ok("same-origin") | Ok("none"));
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    match (origin.to_str().ok(), host) {
        (Some(origin), Some(host)) => {
            origin == format!("http://{host}") || origin == format!("https://{host}")
        }
        _ => false,
    }
}

/// The only routes that take a big body: the item forms with their photos (a new listing, a
/// revision).
pub const UPLOAD_PATHS: [&str; 2] = ["/api/items/create", "/api/items/revise"];
/// Upload limit: the photos (each at most `MAX_PHOTO_BYTES`, up to 8, 20 MB together)
/// plus the form's text and multipart framing. The server never holds more than one photo's
/// bytes at a time (each is decoded as it arrives).
pub const MAX_UPLOAD_REQUEST_BYTES: usize = MAX_PHOTOS_BYTES + 64 * 1024;
/// Every other request body (sign-in, bids, comments, searches): small forms.
pub const MAX_FORM_BYTES: usize = 64 * 1024;

/// The body limit of a path.
pub fn body_limit(path: &str) -> usize {
    if UPLOAD_PATHS.contains(&path) {
        MAX_UPLOAD_REQUEST_BYTES
    } else {
        MAX_FORM_BYTES
    }
}

/// Refuses announced oversized bodies at once, and wraps every body in a counting limit so a
/// body without `Content-Length` (chunked) is cut off at the same size. Readers that hit the
/// limit report it, and the request is answered 413 ([`AppError::TooLarge`]).
pub async fn limit_body(request: Request, next: Next) -> Response {
    let limit = body_limit(request.uri().path());
    let announced = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|len| len > limit as u64) {
        return too_large();
    }
    // The multipart reader of server functions cannot recover from a missing boundary.
    if UPLOAD_PATHS.contains(&request.uri().path()) && request.method() == Method::POST {
        let boundary = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|ct| multer::parse_boundary(ct).ok());
        if boundary.is_none() {
            let error = AppError::Invalid("Send the form as multipart/form-data.".into());
            return error.into_response();
        }
    }
    let request = request.map(|body| Body::new(http_body_util::Limited::new(body, limit)));
    next.run(request).await
}

fn too_large() -> Response {
    (
        StatusCode::PAYLOAD_TOO_LARGE,
        [(header::CACHE_CONTROL, "no-store")],
        AppError::TooLarge.to_string(),
    )
        .into_response()
}

/// `server_fn` answers every error with 500 and the serialized [`AppError`] (marked with the
/// `serverfnerror` header). This reads the error back and answers with its own status
/// (400 invalid input, 401, 404, 413, 429 with `Retry-After`, 503 with `Retry-After`; 500 only
/// for server faults). A plain form post (JavaScript off) that failed gets a short HTML page
/// with the message and a way back, instead of a silent redirect.
pub async fn server_fn_status(request: Request, next: Next) -> Response {
    let plain_form = request.method() == Method::POST
        && request
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"));
    let back = request
        .headers()
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let response = next.run(request).await;
    if !response.headers().contains_key("serverfnerror") {
        return response;
    }
    let (parts, body) = response.into_parts();
    let error = match axum::body::to_bytes(body, 64 * 1024).await {
        Ok(bytes) => serde_json::from_slice::<AppError>(&bytes).unwrap_or(AppError::Internal),
        Err(_) => AppError::Internal,
    };
    let status =
        StatusCode::from_u16(error.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = if plain_form {
        error_page(&error, back.as_deref())
    } else {
        let mut response = Response::from_parts(parts, Body::empty());
        *response.body_mut() = Body::from(serde_json::to_vec(&error).unwrap_or_default());
        response.headers_mut().remove(header::LOCATION);
        response
    };
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Some(secs) = error.retry_after_secs() {
        headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    response
}

/// A minimal page for a failed plain form post: the message, escaped, and a link back.
fn error_page(error: &AppError, back: Option<&str>) -> Response {
    use leptos::prelude::*;
    let back = back
        .map(strip_origin)
        .filter(|b| b.starts_with('/') && !b.starts_with("//") && !b.contains('\\'))
        .unwrap_or("/");
    let html = crate::util::html::to_html(view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <title>{format!("{} · Rbay", error.status_code())}</title>
                <link rel="stylesheet" href=format!("/{}/rbay.css", crate::server::assets::pkg_path())/>
            </head>
            <body>
                <main class="page">
                    <section class="status-page">
                        <p class="status-code">{error.status_code()}</p>
                        <h1>"That didn't work"</h1>
                        <p class="lead">{error.to_string()}</p>
                        <a class="button" href=back.to_string()>"Go back"</a>
                    </section>
                </main>
            </body>
        </html>
    });
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        )],
        html,
    )
        .into_response()
}

/// `http://host/items/3` → `/items/3` (a Referer is absolute).
fn strip_origin(url: &str) -> &str {
    match url.split_once("://") {
        Some((_, rest)) => rest.find('/').map(|i| &rest[i..]).unwrap_or("/"),
        None => url,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, HeaderValue::from_static(v));
        }
        map
    }

    #[test]
    fn same_origin_rules() {
        assert!(is_same_origin(&headers(&[])));
        assert!(is_same_origin(&headers(&[(
            "sec-fetch-site",
            "same-origin"
        )])));
        assert!(is_same_origin(&headers(&[("sec-fetch-site", "none")])));
        assert!(!is_same_origin(&headers(&[(
            "sec-fetch-site",
            "cross-site"
        )])));
        assert!(!is_same_origin(&headers(&[(
            "sec-fetch-site",
            "same-site"
        )])));
        assert!(is_same_origin(&headers(&[
            ("origin", "http://rbay.test"),
            ("host", "rbay.test")
        ])));
        assert!(!is_same_origin(&headers(&[
            ("origin", "http://evil.test"),
            ("host", "rbay.test")
        ])));
        assert!(!is_same_origin(&headers(&[
            ("origin", "null"),
            ("host", "rbay.test")
        ])));
    }

    #[test]
    fn the_page_policy_is_strict() {
        let p = html_policy("abc");
        for part in [
            "script-src 'nonce-abc' 'strict-dynamic' 'wasm-unsafe-eval'",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        ] {
            assert!(p.contains(part), "{part}");
        }
        assert!(!p.contains("unsafe-inline"));
    }

    #[test]
    fn uploads_alone_get_the_big_limit() {
        for path in UPLOAD_PATHS {
            assert_eq!(body_limit(path), MAX_UPLOAD_REQUEST_BYTES, "{path}");
        }
        assert_eq!(body_limit("/api/auth/signup"), MAX_FORM_BYTES);
    }

    #[test]
    fn referers_become_local_paths() {
        assert_eq!(strip_origin("http://h:1/items/3?x=1"), "/items/3?x=1");
        assert_eq!(strip_origin("https://h"), "/");
        assert_eq!(strip_origin("/x"), "/x");
    }
}
