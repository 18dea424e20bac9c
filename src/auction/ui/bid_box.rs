//! Island (lazy): the item page's bid box — the bid form, or why there is none — and the Buy It
//! Now offer. It closes when the auction ends, drops Buy It Now once bidding took over, and
//! raises the form's minimum as bids arrive (`live::ui::bus`).

use crate::auction::ui::bid_form::{BidForm, BidNote};
use crate::items::{ItemEvent, ItemId};
use crate::live::ui::bus::{listen, Heard};
use crate::util::id::UserId;
use crate::util::money::format_cents;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What the bid box offers the viewer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum BidBoxKind {
    /// The auction is over.
    Closed,
    /// A visitor: a link to sign in (and come back).
    SignIn { href: String },
    /// The seller's own item.
    OwnItem,
    /// The bid form: the smallest maximum the viewer may enter, and what a no-JavaScript bid
    /// came back with (its note and the amount typed).
    Form {
        min_bid_cents: i64,
        note: Option<BidNote>,
        amount: String,
    },
}

#[island(lazy)]
pub fn BidBox(
    item_id: ItemId,
    kind: BidBoxKind,
    /// Buy It Now's price while it is offered.
    buy_now_cents: Option<i64>,
    /// The viewer may buy it (signed in, not the seller); others see the price only.
    can_buy: bool,
    viewer_id: Option<UserId>,
) -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::server::assets::preload_island("bid_box");
    let (min_bid_cents, note, amount) = match &kind {
        BidBoxKind::Form {
            min_bid_cents,
            note,
            amount,
        } => (*min_bid_cents, note.clone(), amount.clone()),
        _ => (0, None, String::new()),
    };
    let closed = RwSignal::new(kind == BidBoxKind::Closed);
    let buy_now = RwSignal::new(buy_now_cents);
    let minimum = RwSignal::new(min_bid_cents);
    let note = RwSignal::new(note);
    listen(move |heard| match heard {
        Heard::Item(ItemEvent::Bid {
            min_next_cents,
            reserve_met,
            bidder_id,
            ..
        }) => {
            // The minimum only rises: a leader's own floor (their maximum + 1 cent) stays
            // above the public minimum.
            minimum.update(|m| *m = (*m).max(*min_next_cents));
            // Bidding started for good (it stays open while a reserve is not met).
            if *reserve_met {
                buy_now.set(None);
            }
            // "Your maximum bid was placed" no longer holds once someone else leads.
            if viewer_id != Some(*bidder_id)
                && note.with_untracked(|n| matches!(n, Some(BidNote::Placed)))
            {
                note.set(None);
            }
        }
        Heard::Item(ItemEvent::Ended { .. }) => closed.set(true),
        _ => {}
    });
    let closed_text = || view! { <p class="muted">"Bidding is closed."</p> };
    let form = move || match &kind {
        // Shown by the fallback below.
        BidBoxKind::Closed => ().into_any(),
        BidBoxKind::SignIn { href } => view! {
            <p class="bid-signin"><a class="button" href=href.clone()>"Sign in to bid"</a></p>
        }
        .into_any(),
        BidBoxKind::OwnItem => {
            view! { <p class="muted">"This is your item: you can't bid on it."</p> }.into_any()
        }
        BidBoxKind::Form { .. } => view! {
            <BidForm item_id minimum note amount=amount.clone()/>
        }
        .into_any(),
    };
    view! {
        <div data-live="bid-box">
            <Show when=move || !closed.get() fallback=closed_text>
                {form()}
                {move || buy_now.get().map(|price| if can_buy {
                    view! { <BuyNow item_id price_cents=price/> }.into_any()
                } else {
                    view! {
                        <p class="buy-now-price" data-live="buy-now">
                            "Buy It Now: " <strong>{format_cents(price)}</strong>
                        </p>
                    }
                    .into_any()
                })}
            </Show>
        </div>
    }
}

/// Buy It Now: asked for, then confirmed — a disclosure holding the form (no JavaScript
/// needed), so one stray click never buys.
#[component]
fn BuyNow(item_id: ItemId, price_cents: i64) -> impl IntoView {
    view! {
        <details class="buy-now" data-live="buy-now">
            <summary class="button button-buy">"Buy It Now for " {format_cents(price_cents)}</summary>
            <form class="buy-now-confirm" method="post" action="/api/items/buy">
                <input type="hidden" name="item_id" value=item_id/>
                // The price agreed to: a price the seller changed since is refused.
                <input type="hidden" name="price_cents" value=price_cents/>
                <p>
                    "Buy it now for " <strong>{format_cents(price_cents)}</strong>
                    "? The auction ends and you agree to pay the seller."
                </p>
                <button type="submit" class="button button-buy">"Confirm purchase"</button>
            </form>
        </details>
    }
}
