//! Listing cards and the grid of a home page section.

use crate::items::{returns_label, ItemCard};
use crate::util::money::format_cents;
use crate::util::time::{format_time_left, plural};
use leptos::prelude::*;

/// A grid of cards with no heading (search results, profiles).
#[component]
pub fn CardList(items: Vec<ItemCard>, now_ms: i64) -> impl IntoView {
    view! {
        <ul class="card-grid">
            {items.into_iter().map(|item| view! { <li><ItemCardView item now_ms/></li> }).collect_view()}
        </ul>
    }
}

#[component]
pub fn ItemGrid(
    title: &'static str,
    id: &'static str,
    items: Vec<ItemCard>,
    now_ms: i64,
) -> impl IntoView {
    let empty = items.is_empty();
    view! {
        <section class="item-section" id=id>
            <h2>{title}</h2>
            {if empty {
                view! {
                    <p class="empty">"No auctions here yet. "<a href="/items/new">"List the first one"</a>"."</p>
                }
                    .into_any()
            } else {
                view! { <CardList items now_ms/> }.into_any()
            }}
        </section>
    }
}

#[component]
pub fn ItemCardView(item: ItemCard, now_ms: i64) -> impl IntoView {
    let href = format!("/items/{}", item.id);
    let image = format!(
        "/items/{}/thumb{}",
        item.id,
        crate::items::photo_version(item.revision)
    );
    let ended = item.ends_at_ms <= now_ms;
    // `data-*` marks let the `PageTicker` island tick the countdown and refresh the numbers.
    view! {
        <a class="card" href=href>
            <img class="card-image" src=image alt="" loading="lazy" width="320" height="240"/>
            <div class="card-body">
                <h3 class="card-title" title=item.name.clone()>{item.name.clone()}</h3>
                <p class="card-price" data-live-price=item.id>{format_cents(item.price_cents)}</p>
                <p class="card-meta">
                    // "3h 12m left", or "Ended" (the ticker marks the countdown `ended`; the
                    // stylesheet then drops " left").
                    <span class="time-left">
                        <span class:ended=ended data-ends-at=item.ends_at_ms data-card-ends=item.id>
                            {format_time_left(item.ends_at_ms, now_ms)}
                        </span>
                        <span class="left-word">" left"</span>
                    </span>
                    <span>{plural(item.views, "view", "views")}</span>
                    <span data-live-bids=item.id>{plural(item.bids, "bid", "bids")}</span>
                </p>
                {
                    // Condition · shipping · returns (when taken) · where it is: what the
                    // listing says of them.
                    let terms: Vec<String> = item
                        .condition
                        .map(|c| c.label().to_string())
                        .into_iter()
                        .chain(item.shipping.map(|s| s.label()))
                        .chain((item.returns_days > 0).then(|| returns_label(item.returns_days)))
                        .chain((!item.location.is_empty()).then(|| item.location.clone()))
                        .collect();
                    (!terms.is_empty()).then(|| view! {
                        <p class="card-terms muted" data-testid="card-terms">{terms.join(" · ")}</p>
                    })
                }
                {item.buy_now_cents.map(|cents| view! {
                    <p class="card-buy-now" data-testid="card-buy-now">
                        <span class="badge">"Buy It Now"</span>" "{format_cents(cents)}
                    </p>
                })}
                {item.seller_rating.percent_positive().map(|percent| view! {
                    <p class="card-seller" data-testid="card-rating"
                        title="The seller's positive share of the last 12 months' ratings">
                        {format!("Seller: {percent}% positive ({})", item.seller_rating.total)}
                    </p>
                })}
            </div>
        </a>
    }
}
