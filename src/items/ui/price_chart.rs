//! The price-over-time chart of an item, drawn as SVG on the server (no JavaScript): the shared
//! `analytics::chart::price_chart` (a scale from just under the lowest price, not from $0;
//! every bid's value on hover and to screen readers; the end time on ended auctions).

use crate::items::BidEntry;
use leptos::prelude::*;

/// Step line from the starting price through every accepted bid (history is newest first),
/// its times on `zone`'s clock.
#[component]
pub fn PriceChart(
    history: Vec<BidEntry>,
    start_cents: i64,
    start_ms: i64,
    end_ms: i64,
    now_ms: i64,
    zone: crate::util::zone::Zone,
) -> impl IntoView {
    // The same HTML as `/items/{id}/chart`, which the live item page fetches after a bid.
    view! {
        <div data-live="chart" inner_html=crate::items::price_chart_html(&history, start_cents, start_ms, end_ms, now_ms, &zone)></div>
    }
}
