//! The price-over-time chart of an item, drawn as SVG on the server (no JavaScript): the shared
//! `analytics::chart::price_chart` (a scale from just under the lowest price, not from $0;
//! every bid's value on hover and to screen readers; the end time on ended auctions).

use crate::items::BidEntry;
use leptos::prelude::*;

/// Step line from the starting price through every accepted bid (history is newest first).
#[component]
pub fn PriceChart(
    history: Vec<BidEntry>,
    start_cents: i64,
    start_ms: i64,
    end_ms: i64,
    now_ms: i64,
) -> impl IntoView {
    if history.is_empty() {
        return view! { <p class="muted chart-empty">"No bids yet: the chart starts with the first bid."</p> }.into_any();
    }
    let mut points: Vec<(i64, i64)> = vec![(start_ms, start_cents)];
    points.extend(history.iter().rev().map(|b| (b.at_ms, b.amount_cents)));
    let html = crate::analytics::chart::price_chart(
        "price-history",
        "Price over time (UTC)",
        &points,
        now_ms.min(end_ms),
    );
    view! { <div class="price-chart" inner_html=html></div> }.into_any()
}
