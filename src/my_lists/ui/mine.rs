//! The signed-in user's lists: `/my/bids` (every item they bid on, with their maximum and
//! where they stand), `/my/watching` (soonest end first) and `/my/won` (what they won, what
//! they sold or did not sell). Prices, countdowns and where the bidder stands (winning,
//! outbid, won, lost) stay live through the page ticker. `/my/purchases` and `/my/sold` are
//! the two halves of `/my/won`: the buyer's side and the seller's.

use crate::items::ui::item_card::CardList;
use crate::my_lists::api::my_list;
use crate::my_lists::{MyItem, MyLists, MyStatus};
use crate::orders::{OrderState, Role};
use crate::ui::status::{require_sign_in, ErrorPage};
use crate::util::id::UserId;
use crate::util::money::format_cents;
use crate::util::time::format_time_left;
use leptos::prelude::*;
use leptos_meta::Title;

fn list_page(list: &'static str, path: &'static str, view: fn(MyLists) -> AnyView) -> AnyView {
    view! {
        <Suspense>
            {Suspend::new(async move {
                match my_list(list.to_string()).await {
                    Err(error) => view! { <ErrorPage error/> }.into_any(),
                    Ok(None) => require_sign_in(path),
                    Ok(Some(lists)) => view(lists),
                }
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
pub fn MyBidsPage() -> impl IntoView {
    view! {
        <Title text="My bids"/>
        {list_page("bids", "/my/bids", |lists| view! {
            <section class="my-page">
                <h1>"My bids"</h1>
                {table(lists.items, lists.now_ms, "You haven't bid on anything yet.", Some(lists.viewer_id), None)}
            </section>
        }.into_any())}
    }
}

#[component]
pub fn WatchingPage() -> impl IntoView {
    view! {
        <Title text="Watching"/>
        {list_page("watching", "/my/watching", |lists| {
            let now_ms = lists.now_ms;
            let cards: Vec<_> = lists.items.into_iter().map(|m| m.card).collect();
            view! {
                <section class="my-page">
                    <h1>"Watching"</h1>
                    {if cards.is_empty() {
                        view! { <p class="empty">"Watch an item from its page to follow it here; you'll be reminded an hour and ten minutes before it ends."</p> }.into_any()
                    } else {
                        view! { <CardList items=cards now_ms/> }.into_any()
                    }}
                </section>
            }
            .into_any()
        })}
    }
}

#[component]
pub fn WonSoldPage() -> impl IntoView {
    view! {
        <Title text="Won and sold"/>
        {list_page("won", "/my/won", |lists| view! {
            <section class="my-page">
                <h1>"Won"</h1>
                {sales(lists.items, lists.now_ms, Role::Buyer)}
                <h2>"Sold and unsold"</h2>
                {sales(lists.others, lists.now_ms, Role::Seller)}
            </section>
        }.into_any())}
    }
}

/// `/my/purchases`: what the viewer won or bought, each with its order and their next step.
#[component]
pub fn PurchasesPage() -> impl IntoView {
    view! {
        <Title text="Purchases"/>
        {list_page("won", "/my/purchases", |lists| view! {
            <section class="my-page">
                <h1>"Purchases"</h1>
                <p class="muted">"What you won or bought, and the next step of each order. "<a href="/my/sold">"Your sales →"</a></p>
                {sales(lists.items, lists.now_ms, Role::Buyer)}
            </section>
        }.into_any())}
    }
}

/// `/my/sold`: the viewer's ended auctions, sold or not, each sale with its order and their
/// next step.
#[component]
pub fn SoldPage() -> impl IntoView {
    view! {
        <Title text="Sold"/>
        {list_page("won", "/my/sold", |lists| view! {
            <section class="my-page">
                <h1>"Sold"</h1>
                <p class="muted">"Your ended auctions, sold or not, and the next step of each sale. "<a href="/my/purchases">"Your purchases →"</a></p>
                {sales(lists.others, lists.now_ms, Role::Seller)}
            </section>
        }.into_any())}
    }
}

/// One side of the viewer's sales (Won / Sold and its halves): what they won or bought
/// (`Buyer`), or their ended auctions (`Seller`), each sale with its order.
fn sales(items: Vec<MyItem>, now_ms: i64, side: Role) -> AnyView {
    let empty = match side {
        Role::Buyer => "Nothing won yet.",
        Role::Seller => "None of your auctions has ended yet.",
    };
    table(items, now_ms, empty, None, Some(side))
}

/// Where a sale's order is, linked to it: the viewer's next step when it is theirs.
fn order_cell(id: &str, order: Option<OrderState>, role: Role) -> Option<AnyView> {
    let order = order?;
    let href = format!("/orders/{id}");
    Some(match order.next_action(role) {
        Some(action) => view! { <a class="button button-small" href=href>{action}</a> }.into_any(),
        None => view! { <a href=href>{order.label()}</a> }.into_any(),
    })
}

/// A table of the viewer's items. `bidder` (My bids) adds the viewer's maximum and keeps their
/// status live; `orders` (Won / Sold: the viewer's side) adds where each sale's order is, with
/// the viewer's next step on it.
fn table(
    items: Vec<MyItem>,
    now_ms: i64,
    empty: &'static str,
    bidder: Option<UserId>,
    orders: Option<Role>,
) -> AnyView {
    let with_max = bidder.is_some();
    if items.is_empty() {
        return view! { <p class="empty">{empty}</p> }.into_any();
    }
    view! {
        <div class="table-wrap">
            <table class="items-table my-table stacked">
                <thead>
                    <tr>
                        <th scope="col">"Item"</th>
                        <th scope="col">"Price"</th>
                        {with_max.then(|| view! { <th scope="col">"Your maximum"</th> })}
                        <th scope="col">"Status"</th>
                        <th scope="col">"Time left"</th>
                        {orders.is_some().then(|| view! { <th scope="col">"Order"</th> })}
                    </tr>
                </thead>
                <tbody>
                    {items.into_iter().map(|m| {
                        let status = match (&m.status, &m.other_party) {
                            (MyStatus::Sold, Some(buyer)) => format!("Sold to {buyer}"),
                            (MyStatus::Won, Some(seller)) => format!("Won from {seller}"),
                            (s, _) => s.label().to_string(),
                        };
                        let class = m.status.class();
                        // The seller's own items on My bids keep their status as rendered.
                        let live = bidder.filter(|_| m.status != MyStatus::Selling);
                        let id = m.card.id.to_string();
                        view! {
                            <tr data-status=format!("{:?}", m.status).to_lowercase()>
                                <td data-label="Item"><a href=format!("/items/{id}")>{m.card.name.clone()}</a></td>
                                <td class="num" data-label="Price" data-live-price=id.clone()>{format_cents(m.card.price_cents)}</td>
                                {with_max.then(|| view! {
                                    <td class="num" data-label="Your maximum">{m.my_max_cents.map(format_cents).unwrap_or_default()}</td>
                                })}
                                <td class=class data-label="Status" data-my-status=live.map(|_| id.clone()) data-viewer=live.map(|u| u.to_string()) data-state=m.status.label()>{status}</td>
                                <td data-label="Time left"><span data-ends-at=m.card.ends_at_ms>{format_time_left(m.card.ends_at_ms, now_ms)}</span></td>
                                {orders.map(|role| view! { <td data-label="Order">{order_cell(&id, m.order, role)}</td> })}
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}
