//! Island (lazy): the item page's price box — price, bid count, how the auction ended, time
//! left, the reserve and where the viewer stands — kept current by what the page hears
//! (`live::ui::bus`). The standing changes through [`Standing`]'s functions, the ones the
//! server's render used.

use crate::auction::{outcome_text, Standing};
use crate::items::ItemEvent;
use crate::live::ui::bus::{listen, Heard, OwnBid};
use crate::util::id::UserId;
use crate::util::money::format_cents;
use crate::util::time::plural;
use leptos::prelude::*;

/// The price box. `status` is how the auction ended (none while it runs); `time_left` the
/// countdown's text when the page was rendered (the page ticker keeps it current from
/// `data-ends-at`); `reserve` whether a reserve is met (none without one); `standing` where
/// `viewer_id` stands (a visitor has none).
#[island(lazy)]
pub fn PriceBox(
    price_cents: i64,
    bids: i64,
    status: Option<String>,
    ends_at_ms: i64,
    time_left: String,
    reserve: Option<bool>,
    standing: Standing,
    viewer_id: Option<UserId>,
    /// The item (its order page is linked for the winner).
    item_id: crate::util::id::ItemId,
) -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::server::assets::preload_island("price_box");
    let price = RwSignal::new(price_cents);
    let count = RwSignal::new(bids);
    let status = RwSignal::new(status);
    let ends = RwSignal::new(ends_at_ms);
    let reserve = RwSignal::new(reserve);
    let standing = RwSignal::new(standing);
    // The bid count only grows: an answer that arrives after a newer event (the viewer's own
    // bid, replayed events) does not take the price back.
    let show = move |price_cents: i64, bids: i64| {
        if bids >= count.get_untracked() {
            count.set(bids);
            price.set(price_cents);
        }
    };
    listen(move |heard| match heard {
        Heard::Item(ItemEvent::Bid {
            price_cents,
            bids,
            ends_at_ms,
            reserve_met,
            bidder_id,
            rows,
            ..
        }) => {
            let fresh = *bids >= count.get_untracked();
            show(*price_cents, *bids);
            standing.update(|s| {
                *s = s.after_bid(viewer_id, *bidder_id, rows.iter().map(|r| r.bidder_id));
            });
            // A soft close moved the end.
            if *ends_at_ms > 0 {
                ends.set(*ends_at_ms);
            }
            // The reserve follows the newest bid: met, or not met again once a cancelled
            // maximum took the price back under it.
            if fresh && reserve.get_untracked().is_some() {
                reserve.set(Some(*reserve_met));
            }
        }
        Heard::OwnBid(OwnBid {
            price_cents,
            bids,
            leading,
            max_cents,
        }) => {
            // The answer to the viewer's own bid may arrive after later bids: then it says
            // nothing new of their standing either.
            let fresh = *bids >= count.get_untracked();
            show(*price_cents, *bids);
            if fresh {
                standing.set(Standing::after_own_bid(*leading, *max_cents));
            }
        }
        Heard::Item(ItemEvent::Ended {
            winner_name,
            price_cents,
            reserve_met,
            bought,
        }) => {
            status.set(Some(outcome_text(
                winner_name.as_deref(),
                *bought,
                *reserve_met,
                *price_cents,
            )));
            standing.update(|s| *s = s.at_end(winner_name.is_some()));
            // Over, even before its time (Buy It Now): the countdown says "Ended".
            ends.set(0);
        }
        _ => {}
    });
    // The countdown is shown while the auction runs when the page is rendered, and stays
    // (saying "Ended") when it ends in front of the viewer; the reserve goes then.
    let counting = status.with_untracked(Option::is_none);
    let open = move || status.with(Option::is_none);
    view! {
        <p class="item-price" data-testid="price" data-live="price" aria-live="polite" aria-atomic="true">{move || format_cents(price.get())}</p>
        <p class="item-bids"><span data-testid="bids" data-live="bids" data-bids=move || count.get()>{move || plural(count.get(), "bid", "bids")}</span></p>
        <p class="auction-status" data-testid="status" data-live="status" role="status">{move || status.get()}</p>
        // "Time left: 3h 12m", or "Ended" (the ticker marks the countdown `ended`; the
        // stylesheet then drops "Time left:").
        {counting.then(|| view! {
            <p class="time-left">
                <span class="left-word">"Time left: "</span>
                <span class="countdown" data-ends-at=move || ends.get() data-live="ends">{time_left}</span>
            </p>
        })}
        {move || reserve.get().filter(|_| open()).map(|met| view! {
            <p class="reserve" class:reserve-met=met data-live="reserve">
                {if met { "Reserve met" } else { "Reserve not met" }}
            </p>
        })}
        <p class=move || standing.get().class() data-live="leading" role="status">{move || standing.get().text()}</p>
        {move || (standing.get() == Standing::Won).then(|| view! {
            <p><a class="button" href=format!("/orders/{item_id}")>"Pay now"</a></p>
        })}
    }
}
