//! Island (lazy): the item page's bid history, newest first; rows heard live
//! (`live::ui::bus`) go on top, rendered by the same row component as the server's.
use crate::util::id::UserId;

use crate::items::{BidEntry, ItemEvent};
use crate::live::ui::bus::{listen, Heard};
use crate::util::money::format_cents;
use crate::util::time::ago;
use leptos::prelude::*;

/// The history: `rows` newest first (at most `items::HISTORY_LIMIT`, as read), `now_ms` the
/// server's clock when rendered (for "5 minutes ago"; the page ticker ages them).
#[island(lazy)]
pub fn BidHistory(rows: Vec<BidEntry>, now_ms: i64) -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::server::assets::preload_island("bid_history");
    let rows = RwSignal::new(rows);
    listen(move |heard| {
        if let Heard::Item(ItemEvent::Bid {
            bidder_id,
            bidder_name,
            price_cents,
            at_ms,
            rows: added,
            ..
        }) = heard
        {
            // Oldest first in the event: each goes on top, so the newest ends up first.
            let added: Vec<BidEntry> = if added.is_empty() {
                vec![BidEntry {
                    bidder_id: *bidder_id,
                    bidder_name: bidder_name.clone(),
                    amount_cents: *price_cents,
                    at_ms: *at_ms,
                    auto: false,
                    bought: false,
                    cancelled: false,
                }]
            } else {
                added
                    .iter()
                    .map(|r| BidEntry {
                        bidder_id: r.bidder_id,
                        bidder_name: r.bidder_name.clone(),
                        amount_cents: r.amount_cents,
                        at_ms: *at_ms,
                        auto: r.auto,
                        bought: false,
                        cancelled: false,
                    })
                    .collect()
            };
            rows.update(|rows| {
                for row in added {
                    // A stream that replays what the page already shows adds nothing.
                    if !rows.iter().take(8).any(|r| key(r) == key(&row)) {
                        rows.insert(0, row);
                    }
                }
                rows.truncate(crate::items::HISTORY_LIMIT);
            });
        }
    });
    let empty = move || rows.with(Vec::is_empty);
    view! {
        <Show when=empty>
            <p class="muted" data-live="no-bids">"No bids yet. Be the first!"</p>
        </Show>
        <table class="bid-history" data-live="history-table" hidden=empty>
            <thead><tr><th>"Bidder"</th><th>"Amount"</th><th>"Time"</th></tr></thead>
            <tbody data-live="history">
                <For
                    each=move || rows.get()
                    key=key
                    children=move |b| view! { <BidHistoryRow row=b now_ms/> }
                />
            </tbody>
        </table>
    }
}

/// What tells two rows apart.
fn key(row: &BidEntry) -> (i64, i64, UserId, bool) {
    (row.at_ms, row.amount_cents, row.bidder_id, row.auto)
}

/// One row: who (a link to their profile, and whether the bid was automatic or Buy It Now),
/// how much, when.
#[component]
fn BidHistoryRow(row: BidEntry, now_ms: i64) -> impl IntoView {
    view! {
        <tr class:auto=row.auto class:cancelled=row.cancelled>
            <td>
                <a href=format!("/users/{}", row.bidder_id)>{row.bidder_name}</a>
                {row.auto.then(|| view! { <span class="muted bid-kind">" (automatic)"</span> })}
                {row.bought.then(|| view! { <span class="muted bid-kind">" (Buy It Now)"</span> })}
                {row.cancelled.then(|| view! { <span class="muted bid-kind">" (cancelled)"</span> })}
            </td>
            <td class="num">{format_cents(row.amount_cents)}</td>
            // A row heard live is newer than the page's clock: "just now".
            <td><time data-ago=row.at_ms>{ago(row.at_ms, now_ms.max(row.at_ms))}</time></td>
        </tr>
    }
}
