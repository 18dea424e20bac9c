//! Error pages, and sending visitors to sign in.

use crate::error::AppError;
use crate::util::response::{redirect_page, set_status_for};
use leptos::prelude::*;
use leptos_meta::Title;

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
        AppError::StorageFull => (
            "Cannot save right now",
            "Rbay's database is full. Pages still work; saving will work again once it has room.",
        ),
        AppError::NotFound => (
            "Page not found",
            "The page may have moved, or the auction may no longer exist.",
        ),
        AppError::Invalid(_) => (
            "Not a valid request",
            "Check the link, or start again from the home page.",
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
