//! HTTP plumbing: the middleware every request goes through, facts about the request being
//! handled, the no-JavaScript form replies, and the page cache. (The router, which wires the
//! features in, is `server::router`.)

pub mod deadline;
pub mod forms;
pub mod page_cache;
pub mod request;
pub mod security;

use crate::error::AppError;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// A plain-text error answer with the error's status (and `Retry-After` where it applies), for
/// routes that are not pages or server functions.
pub fn error_response(e: &AppError) -> Response {
    let status = StatusCode::from_u16(e.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response =
        (status, [(header::CACHE_CONTROL, "no-store")], e.to_string()).into_response();
    if let Some(secs) = e.retry_after_secs() {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    response
}
