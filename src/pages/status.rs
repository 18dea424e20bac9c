//! Error pages, and the helper that sets the HTTP status from inside a page.

use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;

/// Sets the HTTP status (and `Retry-After` where it applies) of the response being rendered.
pub fn set_status_for(error: &AppError) {
    #[cfg(feature = "ssr")]
    {
        use axum::http::{header, HeaderValue, StatusCode};
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
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
            use_context::<leptos_axum::ResponseOptions>(),
            HeaderValue::from_str(path),
        ) {
            response.set_status(StatusCode::FOUND);
            response.insert_header(header::LOCATION, location);
        }
    }
    #[cfg(not(feature = "ssr"))]
    let _ = path;
}

/// Sends a visitor to sign in, and back to `path` afterwards.
pub fn require_sign_in(path: &str) -> AnyView {
    let href = crate::accounts::sign_in_url(path);
    redirect_page(&href);
    view! { <p>"Please "<a href=href>"sign in"</a>" to continue."</p> }.into_any()
}

/// The page shown instead of a page that failed: right status, friendly words.
#[component]
pub fn ErrorPage(error: AppError) -> impl IntoView {
    set_status_for(&error);
    let (title, hint) = match &error {
        AppError::Unavailable => (
            "Temporarily unavailable",
            "Rbay can't reach its database right now. We're retrying; this page will work again in a moment.",
        ),
        AppError::NotFound => (
            "Page not found",
            "The page may have moved, or the auction may no longer exist.",
        ),
        _ => ("Something went wrong", "Please try again."),
    };
    view! {
        <Title text=title/>
        <section class="status-page" data-status=error.status_code()>
            <p class="status-code">{error.status_code()}</p>
            <h1>{title}</h1>
            <p class="lead">{error.to_string()}</p>
            <p class="muted">{hint}</p>
            <a class="button" href="/">"Back to the home page"</a>
        </section>
    }
}
