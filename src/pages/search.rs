//! `/search?q=&status=&sort=&page=`: results with filters and pagination. Works as plain
//! GET forms and links.

use crate::components::item_card::CardList;
use crate::components::pagination::Pagination;
use crate::items::api::search_items;
use crate::pages::status::ErrorPage;
use crate::util::url::encode_query_value;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn SearchPage() -> impl IntoView {
    let (q, status, sort, page) = use_query_map().with_untracked(|m| {
        (
            crate::util::url::clip(
                &m.get("q").unwrap_or_default(),
                crate::items::MAX_QUERY_CHARS,
            ),
            m.get("status")
                .filter(|s| ["live", "ended"].contains(&s.as_str()))
                .unwrap_or_default(),
            m.get("sort")
                .filter(|s| ["price_asc", "price_desc", "ending", "newest"].contains(&s.as_str()))
                .unwrap_or_default(),
            m.get_str("page")
                .and_then(|p| p.parse::<usize>().ok())
                .unwrap_or(1)
                .clamp(1, 500),
        )
    });
    let title = if q.trim().is_empty() {
        "Search".to_string()
    } else {
        format!("“{}”", q.trim())
    };
    let option = |value: &'static str, label: &'static str, current: &str| {
        view! { <option value=value selected=value == current>{label}</option> }
    };
    view! {
        <Title text=title/>
        <section class="search-page">
            <form class="search-filters" method="get" action="/search">
                <input type="hidden" name="q" value=q.clone()/>
                <label>"Show "
                    <select name="status">
                        {option("", "All auctions", &status)}
                        {option("live", "Live only", &status)}
                        {option("ended", "Ended only", &status)}
                    </select>
                </label>
                <label>"Sort by "
                    <select name="sort">
                        {option("", "Best match", &sort)}
                        {option("price_asc", "Price: low to high", &sort)}
                        {option("price_desc", "Price: high to low", &sort)}
                        {option("ending", "Ending soonest", &sort)}
                        {option("newest", "Newly listed", &sort)}
                    </select>
                </label>
                <button type="submit" class="button button-small">"Apply"</button>
            </form>
            <Suspense>
                {
                    let (q, status, sort) = (q.clone(), status.clone(), sort.clone());
                    Suspend::new(async move {
                        if q.trim().is_empty() {
                            return view! {
                                <div class="empty"><h1>"Search Rbay"</h1><p>"Type what you're looking for in the search box above."</p></div>
                            }.into_any();
                        }
                        match search_items(q.clone(), status.clone(), sort.clone(), page).await {
                            Err(error) => view! { <ErrorPage error/> }.into_any(),
                            Ok(results) => {
                                let pages = results.total.div_ceil(crate::items::SEARCH_PAGE_SIZE as u64).max(1);
                                let link = move |p: u64| format!(
                                    "/search?q={}&status={}&sort={}&page={p}",
                                    encode_query_value(&q), status, sort
                                );
                                let heading = match results.total {
                                    0 => "No results".to_string(),
                                    1 => "1 result".to_string(),
                                    n => format!("{n} results"),
                                };
                                let past_the_end = results.cards.is_empty() && results.total > 0;
                                let last_page = link(pages);
                                view! {
                                    <h1 class="results-heading">{heading}</h1>
                                    {if past_the_end {
                                        view! {
                                            <p class="empty">
                                                {format!("This page is past the end of the results ({}). ", crate::util::time::plural(pages as i64, "page", "pages"))}
                                                <a href=last_page>"Go to the last page"</a>"."
                                            </p>
                                        }.into_any()
                                    } else if results.cards.is_empty() {
                                        view! { <p class="empty">"Nothing matches. Try fewer or different words."</p> }.into_any()
                                    } else {
                                        view! {
                                            // Cards have h3 titles: keep the outline without a skipped level.
                                            <h2 class="visually-hidden">"Matching items"</h2>
                                            <CardList items=results.cards now_ms=results.now_ms/>
                                        }.into_any()
                                    }}
                                    <Pagination page={page as u64} pages href=link/>
                                }.into_any()
                            }
                        }
                    })
                }
            </Suspense>
        </section>
    }
}
