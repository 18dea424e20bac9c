//! `/`: the three rankings.

use crate::catalog::api::get_home_sections;
use crate::items::ui::item_card::ItemGrid;
use crate::ui::status::ErrorPage;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <Title text=""/>
        <Suspense>
            {Suspend::new(async move {
                match get_home_sections().await {
                    Err(error) => view! { <ErrorPage error/> }.into_any(),
                    Ok(sections) => {
                        let now = sections.now_ms;
                        view! {
                            <section class="hero">
                                <h1>"Bid on anything. Sell everything."</h1>
                                <p>"Live auctions, updated the moment someone bids."</p>
                                <p class="hero-actions">
                                    <a class="button" href="/search">"Browse all live auctions"</a>
                                    <a class="button button-ghost" href="/items/new">"Sell an item"</a>
                                </p>
                            </section>
                            {(!sections.categories.is_empty()).then(|| view! {
                                <nav class="category-strip" aria-label="Browse by category">
                                    <h2 class="visually-hidden">"Categories"</h2>
                                    <ul>
                                        {sections.categories.iter().filter_map(|(slug, n)| {
                                            let (slug, name) = crate::items::category(slug)?;
                                            Some(view! {
                                                <li>
                                                    <a href=format!("/search?category={slug}")>
                                                        {name}" "<span class="facet-count">{n.to_string()}</span>
                                                    </a>
                                                </li>
                                            })
                                        }).collect_view()}
                                    </ul>
                                </nav>
                            })}
                            <ItemGrid
                                title="Ending soonest"
                                id="ending-soon"
                                items=sections.ending_soon
                                now_ms=now
                            />
                            <ItemGrid
                                title="Most viewed"
                                id="most-viewed"
                                items=sections.most_viewed
                                now_ms=now
                            />
                            <ItemGrid
                                title="Highest price"
                                id="highest-price"
                                items=sections.highest_price
                                now_ms=now
                            />
                        }
                            .into_any()
                    }
                }
            })}
        </Suspense>
    }
}
