//! A user's rating, as item pages and profiles show it next to their name.

use crate::orders::RatingSummary;
use leptos::prelude::*;

/// "98% positive · 57 ratings", or "No ratings yet".
#[component]
pub fn RatingBadge(rating: RatingSummary) -> impl IntoView {
    let text = match rating.percent_positive() {
        _ if rating.total == 0 => "No ratings yet".to_string(),
        Some(percent) => format!(
            "{percent}% positive · {}",
            crate::util::time::plural(rating.total as i64, "rating", "ratings")
        ),
        None => crate::util::time::plural(rating.total as i64, "rating", "ratings"),
    };
    view! {
        <span class="rating-badge" data-testid="rating" title="Positive share of the last 12 months' ratings">{text}</span>
    }
}
