//! Setting the HTTP answer from inside a page or a server function: status, Retry-After,
//! redirects. Pages compile for the browser too, where these do nothing.

use crate::error::AppError;

/// Sets the HTTP status (and `Retry-After` where it applies) of the response being rendered.
pub fn set_status_for(error: &AppError) {
    #[cfg(feature = "ssr")]
    {
        use axum::http::{header, HeaderValue, StatusCode};
        if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(
                StatusCode::from_u16(error.status_code())
                    .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            );
            if let Some(secs) = error.retry_after_secs() {
                response.insert_header(header::RETRY_AFTER, HeaderValue::from(secs));
            }
            response.insert_header(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        }
    }
    #[cfg(not(feature = "ssr"))]
    let _ = error;
}

/// Answers the page request with `302 Found` to `path` (whatever the `Accept` header says).
pub fn redirect_page(path: &str) {
    #[cfg(feature = "ssr")]
    {
        use axum::http::{header, HeaderValue, StatusCode};
        if let (Some(response), Ok(location)) = (
            leptos::prelude::use_context::<leptos_axum::ResponseOptions>(),
            HeaderValue::from_str(path),
        ) {
            response.set_status(StatusCode::FOUND);
            response.insert_header(header::LOCATION, location);
        }
    }
    #[cfg(not(feature = "ssr"))]
    let _ = path;
}
