//! The bid form, inside the bid box island (`bid_box`). A plain form post without JavaScript
//! (the server redirects back with the result, once); once hydrated it submits in place:
//! refusals show next to the field, and an accepted bid tells the page (`live::ui::bus`), so
//! the price and the viewer's standing change without a reload (the live event that every
//! viewer gets adds the row to the history).

use crate::auction::api::place_bid;
use crate::auction::BidReply;
use crate::items::ItemId;
use crate::ui::forms::PostForm;
use crate::util::money::format_cents;
use crate::util::money::{cents_to_input, parse_cents};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What the form says under the field after a bid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum BidNote {
    /// Accepted, and the bidder leads.
    Placed,
    /// Accepted, but an earlier maximum at least as high answered it at once.
    Answered,
    /// Refused, and why.
    Refused(String),
}

impl BidNote {
    pub fn text(&self) -> String {
        match self {
            BidNote::Placed => "Your maximum bid was placed.".into(),
            BidNote::Answered => {
                "Your maximum bid was placed, but another bidder's earlier maximum is at least as high.".into()
            }
            BidNote::Refused(why) => why.clone(),
        }
    }

    /// `ok` (green), `warn` (orange) or none (the problem colour).
    fn class(&self) -> &'static str {
        match self {
            BidNote::Placed => "bid-message ok",
            BidNote::Answered => "bid-message warn",
            BidNote::Refused(_) => "bid-message",
        }
    }
}

#[component]
pub fn BidForm(
    item_id: ItemId,
    /// The smallest maximum the viewer may enter (the bid box raises it as bids arrive).
    minimum: RwSignal<i64>,
    note: RwSignal<Option<BidNote>>,
    amount: String,
) -> impl IntoView {
    // Without JavaScript a refused bid comes back with the field focused.
    let refused_before = note.with_untracked(|n| matches!(n, Some(BidNote::Refused(_))));
    let amount = RwSignal::new(amount);
    let refused = move || note.with(|n| matches!(n, Some(BidNote::Refused(_))));
    let refuse = move |text: String| {
        note.set(Some(BidNote::Refused(text)));
        #[cfg(feature = "hydrate")]
        crate::ui::focus::first_problem("#bid");
    };
    let busy = RwSignal::new(false);
    let raise = move |min: i64| minimum.update(|m| *m = (*m).max(min));

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if let Err(e) = parse_cents(&amount.get_untracked()) {
            refuse(e.message());
            return;
        }
        busy.set(true);
        let value = amount.get_untracked();
        leptos::task::spawn_local(async move {
            let reply = place_bid(item_id, value).await;
            busy.set(false);
            match reply {
                Ok(BidReply::Accepted {
                    price_cents,
                    bids,
                    min_next_cents,
                    leading,
                    max_cents,
                }) => {
                    // A leader only raises their own maximum: the smallest they may enter is
                    // above it.
                    raise(if leading {
                        max_cents + 1
                    } else {
                        min_next_cents
                    });
                    amount.set(String::new());
                    note.set(Some(if leading {
                        BidNote::Placed
                    } else {
                        BidNote::Answered
                    }));
                    #[cfg(feature = "hydrate")]
                    crate::live::ui::bus::publish(crate::live::ui::bus::Heard::OwnBid(
                        crate::live::ui::bus::OwnBid {
                            price_cents,
                            bids,
                            leading,
                            max_cents,
                        },
                    ));
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
        <PostForm class="bid-form" id="bid" action="/api/items/bid" on_submit>
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
                class=move || note.with(|n| n.as_ref().map_or("bid-message", BidNote::class))
                role="status"
            >
                {move || note.with(|n| n.as_ref().map(BidNote::text))}
            </p>
        </PostForm>
    }
}
