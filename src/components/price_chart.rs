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
    // The same HTML as `/items/{id}/chart`, which the live item page fetches after a bid.
    view! {
        <div data-live="chart" inner_html=chart_html(&history, start_cents, start_ms, end_ms, now_ms)></div>
    }
}

/// The chart's HTML (numbers and dates only; no user text), or a note before the first bid.
pub fn chart_html(
    history: &[BidEntry],
    start_cents: i64,
    start_ms: i64,
    end_ms: i64,
    now_ms: i64,
) -> String {
    if history.is_empty() {
        return r#"<p class="muted chart-empty">No bids yet: the chart starts with the first bid.</p>"#
            .to_string();
    }
    let mut points: Vec<(i64, i64)> = vec![(start_ms, start_cents)];
    points.extend(history.iter().rev().map(|b| (b.at_ms, b.amount_cents)));
    let svg = crate::analytics::chart::price_chart(
        "price-history",
        "Price over time (UTC)",
        &points,
        now_ms.min(end_ms),
    );
    format!(r#"<div class="price-chart">{svg}</div>"#)
}
