//! Island: the bid form. A plain form post without JavaScript (the server redirects back with
//! the result, once); once hydrated it submits in place: refusals show next to the field,
//! and an accepted bid updates the price, the viewer's standing and the minimum without a
//! reload (the live event that every viewer gets adds the row to the history).

use crate::auction::api::place_bid;
use crate::auction::BidReply;
use crate::util::money::format_cents;
use crate::util::money::{cents_to_input, parse_cents};
use leptos::prelude::*;

#[island(lazy)]
pub fn BidForm(
    item_id: crate::items::ItemId,
    min_bid_cents: i64,
    /// Message to show at first (from a no-JavaScript round trip).
    message: Option<String>,
    /// True when `message` reports success.
    ok: bool,
    amount: String,
) -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::server::assets::preload_island("bid_form");
    let minimum = RwSignal::new(min_bid_cents);
    let amount = RwSignal::new(amount);
    // Without JavaScript a refused bid comes back with the field focused.
    let refused_before = message.is_some() && !ok;
    let message = RwSignal::new(message.map(|m| (m, ok)));
    let refused = move || message.with(|m| m.as_ref().is_some_and(|(_, ok)| !*ok));
    let refuse = move |text: String| {
        message.set(Some((text, false)));
        #[cfg(feature = "hydrate")]
        crate::ui::focus::first_problem("#bid");
    };
    let busy = RwSignal::new(false);
    let hydrated = RwSignal::new(false);
    // The minimum only rises: a leader's own floor (their maximum + 1 cent) stays above the
    // public minimum that live events carry.
    let raise = move |min: i64| minimum.update(|m| *m = (*m).max(min));
    Effect::new(move |_| hydrated.set(true));
    // Live bids from other people raise the minimum (see `live_dom`).
    #[cfg(feature = "hydrate")]
    {
        let handle = window_event_listener_untyped("rbay:bid", move |ev| {
            if let Some(min) = crate::live::ui::live_dom::min_bid_from(&ev) {
                raise(min);
            }
        });
        on_cleanup(move || handle.remove());
    }
    let id = item_id;

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if let Err(e) = parse_cents(&amount.get_untracked()) {
            refuse(e.message());
            return;
        }
        busy.set(true);
        let (id, value) = (id, amount.get_untracked());
        leptos::task::spawn_local(async move {
            let reply = place_bid(id, value).await;
            busy.set(false);
            match reply {
                Ok(BidReply::Accepted {
                    price_cents,
                    bids,
                    min_next_cents,
                    leading,
                    max_cents,
                }) => {
                    raise(if leading {
                        max_cents + 1
                    } else {
                        min_next_cents
                    });
                    amount.set(String::new());
                    message.set(Some(("Your maximum bid was placed.".into(), true)));
                    #[cfg(feature = "hydrate")]
                    crate::live::ui::live_dom::show_own_bid(price_cents, bids, leading, max_cents);
                    #[cfg(not(feature = "hydrate"))]
                    let _ = (price_cents, bids);
                }
                Ok(BidReply::Rejected {
                    message: text,
                    min_next_cents,
                }) => {
                    if let Some(min) = min_next_cents {
                        raise(min);
                    }
                    refuse(text);
                }
                Err(e) => refuse(e.to_string()),
            }
        });
    };

    view! {
        <form
            class="bid-form"
            id="bid"
            method="post"
            action="/api/items/bid"
            novalidate
            on:submit=on_submit
            data-hydrated=move || hydrated.get().then_some("true")
        >
            <input type="hidden" name="item_id" value=item_id/>
            <label for="bid-amount">{move || format!("Your maximum bid ({} or more)", format_cents(minimum.get()))}</label>
            <div class="bid-row">
                <span class="currency">"$"</span>
                <input
                    id="bid-amount"
                    name="amount"
                    inputmode="decimal"
                    autocomplete="off"
                    maxlength=crate::util::money::AMOUNT_MAX_CHARS
                    placeholder=move || cents_to_input(minimum.get())
                    value=amount.get_untracked()
                    prop:value=move || amount.get()
                    on:input=move |ev| amount.set(event_target_value(&ev))
                    aria-describedby="bid-message"
                    aria-invalid=move || if refused() { "true" } else { "false" }
                    autofocus=refused_before
                />
                <button type="submit" class="button" disabled=move || busy.get()>
                    {move || if busy.get() { "Placing…" } else { "Place bid" }}
                </button>
            </div>
            <p
                id="bid-message"
                class="bid-message"
                class:ok=move || message.with(|m| m.as_ref().is_some_and(|(_, ok)| *ok))
                role="status"
            >
                {move || message.with(|m| m.as_ref().map(|(text, _)| text.clone()))}
            </p>
        </form>
    }
}
