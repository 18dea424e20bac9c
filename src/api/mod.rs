//! Server functions: the only way pages and islands reach the server's data.
//! Each runs on the server; in the browser it becomes an HTTP call.

pub mod auth;
pub mod comments;
pub mod home;
pub mod items;

/// The request's application state (server only).
#[cfg(feature = "ssr")]
pub fn state() -> Result<crate::server::http::AppState, crate::error::AppError> {
    leptos::prelude::use_context::<crate::server::http::AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the request context");
        crate::error::AppError::Internal
    })
}
