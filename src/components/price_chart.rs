//! The price-over-time chart of an item, drawn as SVG on the server (no JavaScript).

use crate::items::BidEntry;
use crate::util::money::format_cents;
use leptos::prelude::*;

const W: f64 = 600.0;
const H: f64 = 200.0;
const PAD: f64 = 28.0;

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
    let last_t = now_ms
        .min(end_ms)
        .max(points.last().map(|p| p.0).unwrap_or(start_ms));
    let (t0, t1) = (start_ms, last_t.max(start_ms + 1));
    let max_price = points.iter().map(|p| p.1).max().unwrap_or(1).max(1);
    let x = |t: i64| PAD + (t - t0) as f64 / (t1 - t0) as f64 * (W - 2.0 * PAD);
    let y = |c: i64| H - PAD - c as f64 / max_price as f64 * (H - 2.0 * PAD);
    let mut path = String::new();
    let mut prev: Option<i64> = None;
    for (t, c) in &points {
        if let Some(p) = prev {
            path.push_str(&format!(" L{:.1},{:.1}", x(*t), y(p)));
        } else {
            path.push_str(&format!("M{:.1},{:.1}", x(*t), y(*c)));
        }
        path.push_str(&format!(" L{:.1},{:.1}", x(*t), y(*c)));
        prev = Some(*c);
    }
    if let Some(p) = prev {
        path.push_str(&format!(" L{:.1},{:.1}", x(last_t), y(p)));
    }
    let dots = points
        .iter()
        .skip(1)
        .map(|(t, c)| view! { <circle cx=format!("{:.1}", x(*t)) cy=format!("{:.1}", y(*c)) r="3.5"/> })
        .collect_view();
    view! {
        <svg class="price-chart" viewBox=format!("0 0 {W} {H}") role="img" aria-label="Price over time">
            <line class="axis" x1=PAD y1=H - PAD x2=W - PAD y2=H - PAD/>
            <line class="axis" x1=PAD y1=PAD x2=PAD y2=H - PAD/>
            <text class="label" x=PAD + 4.0 y=PAD - 8.0>{format_cents(max_price)}</text>
            <text class="label" x=PAD + 4.0 y=H - 8.0>"Listed"</text>
            <text class="label" x=W - PAD y=H - 8.0 text-anchor="end">"Now"</text>
            <path class="line" d=path/>
            <g class="dots">{dots}</g>
        </svg>
    }
    .into_any()
}
