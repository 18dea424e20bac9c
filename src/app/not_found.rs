use crate::error::AppError;
use crate::ui::status::ErrorPage;
use leptos::prelude::*;

/// Rendered for every path no route matches (HTTP 404).
#[component]
pub fn NotFound() -> impl IntoView {
    view! { <ErrorPage error=AppError::NotFound/> }
}
