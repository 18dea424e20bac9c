//! `/dashboard` and `/dashboard/items`: the signed-in seller's pages. Visitors are sent to
//! sign in and come back.

use crate::accounts::api::get_current_user;
use crate::analytics::Span;
use crate::error::AppError;
use crate::live::ui::live::{LivePanels, LIVE_PANELS_ID};
use crate::seller::api::{dashboard_items, item_stats, seller_stats};
use crate::ui::pagination::Pagination;
use crate::ui::status::{require_sign_in, ErrorPage};
use crate::util::money::format_cents;
use crate::util::time::format_time_left;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

/// The `span` of the query (`hour`, `day`, `week`, `month`; the last hour by default).
fn span_from_query() -> Span {
    use_query_map()
        .with_untracked(|q| Span::parse(&q.get("span").unwrap_or_default()).unwrap_or_default())
}

#[component]
pub fn DashboardPage() -> impl IntoView {
    let span = span_from_query();
    // Sent back here by the time-zone form (`seller::api::choose_zone`).
    #[cfg(feature = "ssr")]
    let zone_saved = crate::server::http::forms::notice().is_some_and(|code| code == "zone");
    #[cfg(not(feature = "ssr"))]
    let zone_saved = false;
    view! {
        <Title text="Your dashboard"/>
        <Suspense>
            {Suspend::new(async move {
                let user = match get_current_user().await {
                    Err(error) => return view! { <ErrorPage error/> }.into_any(),
                    Ok(None) => return require_sign_in("/dashboard"),
                    Ok(Some(user)) => user,
                };
                let panels = match seller_stats(span.slug().to_string()).await {
                    Err(error) => return view! { <ErrorPage error/> }.into_any(),
                    Ok(panels) => panels.unwrap_or_default(),
                };
                view! {
                    <section class="dashboard">
                        <h1>"Hello, " {user.username} "!"</h1>
                        {zone_saved.then(|| view! { <p class="notice-ok" role="status">{panels.zone_saved()}</p> })}
                        <p class="lead">"Sell something new, or keep an eye on what you're selling."</p>
                        <p class="actions">
                            <a class="button" href="/items/new">"List an item"</a>
                            <a class="button button-ghost" href="/dashboard/items">"Your listings"</a>
                            <a class="button button-ghost" href=format!("/users/{}", user.id)>"Your profile"</a>
                        </p>
                        <div class="panels-head">
                            <h2>"Your analytics"</h2>
                            <LivePanels events="/api/live/me".to_string() fragment=format!("/dashboard/panels?span={}", span.slug()) browser_zone=panels.chosen_zone.is_none()/>
                        </div>
                        <p class="muted">"All your items, counted as it happens."</p>
                        <div id=LIVE_PANELS_ID class="live-panels" inner_html=panels.html></div>
                    </section>
                }
                .into_any()
            })}
        </Suspense>
    }
}

/// `/dashboard/items/{id}`: one of the seller's items over time, with its price chart.
#[component]
pub fn DashboardItemPage() -> impl IntoView {
    let span = span_from_query();
    let raw = use_params_map().with_untracked(|p| p.get("id").unwrap_or_default());
    let id = crate::items::ItemId::parse(&raw);
    view! {
        <Suspense>
            {Suspend::new(async move {
                let Some(id) = id else {
                    return view! { <ErrorPage error=AppError::NotFound/> }.into_any();
                };
                match item_stats(id, span.slug().to_string()).await {
                    Err(AppError::Unauthorized) => require_sign_in(&format!("/dashboard/items/{id}")),
                    Err(error) => view! { <ErrorPage error/> }.into_any(),
                    Ok((name, panels)) => view! {
                        <Title text=format!("{name} — analytics")/>
                        <section class="dashboard">
                            <p class="breadcrumbs"><a href="/dashboard">"Dashboard"</a> " › " <a href=format!("/items/{id}")>"View the item"</a></p>
                            <div class="panels-head">
                                <h1>{name}</h1>
                                <LivePanels events="/api/live/me".to_string() fragment=format!("/dashboard/items/{id}/panels?span={}", span.slug()) browser_zone=panels.chosen_zone.is_none()/>
                            </div>
                            <div id=LIVE_PANELS_ID class="live-panels" inner_html=panels.html></div>
                        </section>
                    }
                    .into_any(),
                }
            })}
        </Suspense>
    }
}

/// Sortable columns: (sort key, heading, default direction).
const COLUMNS: [(&str, &str, &str); 6] = [
    ("name", "Item", "asc"),
    ("price", "Price", "desc"),
    ("ends_at", "Time left", "asc"),
    ("bids", "Bids", "desc"),
    ("views", "Views", "desc"),
    ("likes", "Likes", "desc"),
];

#[component]
pub fn DashboardItemsPage() -> impl IntoView {
    let (sort, dir, page) = use_query_map().with_untracked(|q| {
        (
            crate::util::url::clip(&q.get("sort").unwrap_or_else(|| "ends_at".into()), 40),
            crate::util::url::clip(&q.get("dir").unwrap_or_else(|| "asc".into()), 10),
            q.get_str("page")
                .and_then(|p| p.parse::<usize>().ok())
                .unwrap_or(1)
                .clamp(1, 10_000),
        )
    });
    view! {
        <Title text="Your listings"/>
        <Suspense>
            {Suspend::new(async move {
                match dashboard_items(sort.clone(), dir.clone(), page).await {
                    Err(AppError::Unauthorized) => require_sign_in("/dashboard/items"),
                    Err(error) => view! { <ErrorPage error/> }.into_any(),
                    Ok(rows) => {
                        let now = rows.now_ms;
                        let pages = rows.total.div_ceil(crate::seller::DASHBOARD_PAGE_SIZE as u64).max(1);
                        let (s, d) = (sort.clone(), dir.clone());
                        let page_link = move |p: u64| format!("/dashboard/items?sort={s}&dir={d}&page={p}");
                        view! {
                            <section class="dashboard-items">
                                <div class="dashboard-head">
                                    <h1>"Your listings"</h1>
                                    <a class="button" href="/items/new">"List an item"</a>
                                </div>
                                {if rows.cards.is_empty() {
                                    view! { <p class="empty">"You haven't listed anything yet."</p> }.into_any()
                                } else {
                                    view! {
                                        <div class="table-wrap">
                                        <table class="items-table stacked sortable">
                                            <thead>
                                                <tr>
                                                    {COLUMNS.iter().map(|(key, label, default_dir)| {
                                                        let active = *key == sort;
                                                        let next_dir = if active { if dir == "asc" { "desc" } else { "asc" } } else { default_dir };
                                                        let arrow = if active { if dir == "asc" { " ▲" } else { " ▼" } } else { "" };
                                                        let aria = if active { if dir == "asc" { "ascending" } else { "descending" } } else { "none" };
                                                        view! {
                                                            <th aria-sort=aria>
                                                                <a href=format!("/dashboard/items?sort={key}&dir={next_dir}")>{*label}{arrow}</a>
                                                            </th>
                                                        }
                                                    }).collect_view()}
                                                </tr>
                                            </thead>
                                            <tbody>
                                                {rows.cards.into_iter().map(|c| view! {
                                                    <tr>
                                                        <td data-label="Item"><a href=format!("/items/{}", c.id)>{c.name}</a></td>
                                                        <td class="num" data-label="Price">{format_cents(c.price_cents)}</td>
                                                        <td data-label="Time left" class:ended=c.ends_at_ms <= now>{format_time_left(c.ends_at_ms, now)}</td>
                                                        <td class="num" data-label="Bids">{c.bids}</td>
                                                        <td class="num" data-label="Views">{c.views}</td>
                                                        <td class="num" data-label="Likes">{c.likes}</td>
                                                    </tr>
                                                }).collect_view()}
                                            </tbody>
                                        </table>
                                        </div>
                                    }.into_any()
                                }}
                                <Pagination page={page as u64} pages href=page_link/>
                            </section>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}
