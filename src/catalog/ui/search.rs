//! `/search?q=&category=&status=&sort=&page=` (+ the filters `min`, `max`, `bin`,
//! `condition`, `ending`): results with filters, category counts and pagination; with no words,
//! every live auction (of a category) in the order of a ranking. Works as plain GET forms and
//! links.

use crate::catalog::api::search_items;
use crate::catalog::{Delivery, EndingWithin, FilterParams, FILTER_PARAMS};
use crate::items::ui::item_card::CardList;
use crate::items::{Condition, LOCATION_MAX};
use crate::saved_searches::ui::save_form::SaveSearchForm;
use crate::ui::auto_apply::AutoApply;
use crate::ui::pagination::Pagination;
use crate::ui::status::ErrorPage;
use crate::util::money::{cents_to_input, AMOUNT_MAX_CHARS};
use crate::util::url::encode_query_value;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The orders of a search by words (value, label); the first is the default.
const SEARCH_SORTS: [(&str, &str); 5] = [
    ("", "Best match"),
    ("price_asc", "Price: low to high"),
    ("price_desc", "Price: high to low"),
    ("ending", "Ending soonest"),
    ("newest", "Newly listed"),
];
/// The orders of a category browsed without words: its ranking by end, or the search index by
/// price.
const CATEGORY_SORTS: [(&str, &str); 3] = [
    ("", "Ending soonest"),
    ("price_asc", "Price: low to high"),
    ("price_desc", "Price: high to low"),
];
/// The orders of browsing without words: the rankings (`items::server::rankings::BrowseSort`).
const BROWSE_SORTS: [(&str, &str); 4] = [
    ("", "Ending soonest"),
    ("price_asc", "Price: low to high"),
    ("price_desc", "Price: high to low"),
    ("views", "Most viewed"),
];

#[component]
pub fn SearchPage() -> impl IntoView {
    let (q, category, status, sort, page) = use_query_map().with_untracked(|m| {
        (
            crate::util::url::clip(
                &m.get("q").unwrap_or_default(),
                crate::items::MAX_QUERY_CHARS,
            ),
            m.get_str("category").and_then(crate::items::category),
            m.get("status")
                .filter(|s| ["all", "ended"].contains(&s.as_str()))
                .unwrap_or_default(),
            m.get("sort")
                .filter(|s| {
                    SEARCH_SORTS
                        .iter()
                        .chain(&BROWSE_SORTS)
                        .any(|(value, _)| *value == s.as_str())
                })
                .unwrap_or_default(),
            m.get_str("page")
                .and_then(|p| p.parse::<usize>().ok())
                .unwrap_or(1)
                .clamp(1, 500),
        )
    });
    // A category that is not on the list is refused, never widened to all of them.
    let unknown = use_query_map().with_untracked(|m| {
        m.get("category")
            .filter(|c| !c.is_empty() && crate::items::category(c).is_none())
    });
    if let Some(asked) = unknown {
        let error = crate::catalog::unknown_category(&asked);
        return view! { <ErrorPage error/> }.into_any();
    }
    // So is a filter the page does not understand (a price that is not one, an unknown
    // condition): never dropped silently.
    // (Clipped a little past the longest value each may have, so one too long is refused.)
    let params = FilterParams::from_values(use_query_map().with_untracked(|m| {
        FILTER_PARAMS
            .map(|name| crate::util::url::clip(&m.get(name).unwrap_or_default(), LOCATION_MAX + 1))
    }));
    let filters = match params.parse() {
        Ok(filters) => filters,
        Err(error) => return view! { <ErrorPage error/> }.into_any(),
    };
    let narrowed = filters.query_string();
    // No words: browse every live auction (the rankings' orders, no status filter).
    let browsing = q.trim().is_empty();
    let title = match (browsing, category) {
        (true, Some((_, name))) => name.to_string(),
        (true, None) if !filters.is_empty() => "Live auctions".to_string(),
        (true, None) => "All live auctions".to_string(),
        (false, Some((_, name))) => format!("“{}” in {name}", q.trim()),
        (false, None) => format!("“{}”", q.trim()),
    };
    let slug = category.map(|(slug, _)| slug).unwrap_or_default();
    let sorts: &[(&'static str, &'static str)] = match (browsing, category.is_some()) {
        (true, true) => &CATEGORY_SORTS,
        (true, false) => &BROWSE_SORTS,
        (false, _) => &SEARCH_SORTS,
    };
    let option = |value: &'static str, label: &'static str, current: &str| {
        view! { <option value=value selected=value == current>{label}</option> }
    };
    view! {
        <Title text=title/>
        <section class="search-page">
            <form class="search-filters" method="get" action="/search">
                <input type="hidden" name="q" value=q.clone()/>
                <input type="hidden" name="category" value=slug/>
                {(!browsing).then(|| view! {
                    <label>"Show "
                        <select name="status">
                            {option("", "Running auctions", &status)}
                            {option("all", "Running and ended", &status)}
                            {option("ended", "Ended only", &status)}
                        </select>
                    </label>
                })}
                <label>"Sort by "
                    <select name="sort">
                        {sorts.iter().map(|(value, label)| option(value, label, &sort)).collect_view()}
                    </select>
                </label>
                <label>"Condition "
                    <select name="condition">
                        {option("", "Any", &params.condition)}
                        {Condition::ALL.map(|c| option(c.slug(), c.label(), &params.condition)).collect_view()}
                    </select>
                </label>
                <label>"Ending "
                    <select name="ending">
                        {option("", "Any time", &params.ending)}
                        {EndingWithin::ALL.map(|e| option(e.slug(), e.label(), &params.ending)).collect_view()}
                    </select>
                </label>
                <label>"Delivery "
                    <select name="delivery">
                        {option("", "Any", &params.delivery)}
                        {Delivery::ALL.map(|d| option(d.slug(), d.label(), &params.delivery)).collect_view()}
                    </select>
                </label>
                <label class="check">
                    <input type="checkbox" name="bin" value="1" checked=filters.buy_now/>
                    " Buy It Now"
                </label>
                <label class="check">
                    <input type="checkbox" name="returns" value="1" checked=filters.returns/>
                    " Returns accepted"
                </label>
                <label class="place">"Item location "
                    <input name="location" maxlength=LOCATION_MAX placeholder="Town or country" value=filters.location.clone()/>
                </label>
                <fieldset class="price-range">
                    <legend>"Price ($)"</legend>
                    <label><span class="visually-hidden">"Lowest price"</span>
                        <input name="min" inputmode="decimal" size="6" maxlength=AMOUNT_MAX_CHARS placeholder="Min" value=filters.min_cents.map(cents_to_input)/>
                    </label>
                    "–"
                    <label><span class="visually-hidden">"Highest price"</span>
                        <input name="max" inputmode="decimal" size="6" maxlength=AMOUNT_MAX_CHARS placeholder="Max" value=filters.max_cents.map(cents_to_input)/>
                    </label>
                    <button type="submit" class="button button-small button-quiet">"Go"</button>
                </fieldset>
                <AutoApply label="Apply".to_string()/>
                {(!filters.is_empty()).then(|| {
                    let href = format!("/search?q={}&category={slug}&status={status}&sort={sort}", encode_query_value(&q));
                    view! { <a class="clear-filters" href=href>"Clear filters"</a> }
                })}
            </form>
            {(!browsing || category.is_some()).then(|| {
                let spec = crate::saved_searches::SearchSpec {
                    q: q.trim().to_string(),
                    category: slug.to_string(),
                    sort: sort.clone(),
                    filters: filters.clone(),
                };
                view! {
                    <SaveSearchForm
                        suggested=spec.default_name()
                        spec
                    />
                }
            })}
            <Suspense>
                {
                    let (q, status, sort) = (q.clone(), status.clone(), sort.clone());
                    let narrowed = narrowed.clone();
                    let filters_empty = filters.is_empty();
                    Suspend::new(async move {
                        match search_items(q.clone(), status.clone(), sort.clone(), slug.to_string(), page, params).await {
                            Err(error) => view! { <ErrorPage error/> }.into_any(),
                            Ok(results) => {
                                let mut pages = results.total.div_ceil(crate::catalog::SEARCH_PAGE_SIZE as u64).max(1);
                                if browsing {
                                    pages = pages.min(crate::catalog::BROWSE_PAGES as u64);
                                }
                                let facets = facet_links(&q, &status, &sort, &narrowed, slug, &results.facets, browsing);
                                let did_you_mean = results.did_you_mean.clone().filter(|fixed| *fixed != q.trim().to_lowercase()).map(|fixed| {
                                    let href = format!("/search?q={}&category={slug}&status={}&sort={}{narrowed}", encode_query_value(&fixed), status, sort);
                                    view! {
                                        <p class="did-you-mean" data-testid="did-you-mean">
                                            "Did you mean "<a href=href><strong>{fixed}</strong></a>"?"
                                        </p>
                                    }
                                });
                                let link = move |p: u64| format!(
                                    "/search?q={}&category={slug}&status={}&sort={}{narrowed}&page={p}",
                                    encode_query_value(&q), status, sort
                                );
                                let heading = match (browsing, results.total) {
                                    (true, 1) => "1 live auction".to_string(),
                                    (true, n) => format!("{n} live auctions"),
                                    (false, 0) => "No results".to_string(),
                                    (false, 1) => "1 result".to_string(),
                                    (false, n) => format!("{n} results"),
                                };
                                let past_the_end = results.cards.is_empty() && results.total > 0;
                                let last_page = link(pages);
                                let heading = match category {
                                    Some((_, name)) => format!("{name}: {heading}"),
                                    None => heading,
                                };
                                view! {
                                    <h1 class="results-heading">{heading}</h1>
                                    {did_you_mean}
                                    {facets}
                                    {if past_the_end {
                                        view! {
                                            <p class="empty">
                                                {format!("This page is past the end of the results ({}). ", crate::util::time::plural(pages as i64, "page", "pages"))}
                                                <a href=last_page>"Go to the last page"</a>"."
                                            </p>
                                        }.into_any()
                                    } else if results.cards.is_empty() && !filters_empty {
                                        view! { <p class="empty">"Nothing matches these filters. Try a wider price range or fewer filters."</p> }.into_any()
                                    } else if results.cards.is_empty() && browsing {
                                        view! { <p class="empty">"No auctions are running right now. "<a href="/items/new">"List the first one"</a>"."</p> }.into_any()
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
    .into_any()
}

/// Links to the same search in each category, with how many it holds there (categories with
/// none are left out), and one back to all categories. The current one is marked.
fn facet_links(
    q: &str,
    status: &str,
    sort: &str,
    narrowed: &str,
    current: &str,
    facets: &[(String, u64)],
    browsing: bool,
) -> impl IntoView {
    let href = |slug: &str| {
        // A category is not browsed by views: drop that sort.
        let sort = if browsing && !slug.is_empty() && sort == "views" {
            ""
        } else {
            sort
        };
        format!(
            "/search?q={}&category={slug}&status={status}&sort={sort}{narrowed}",
            encode_query_value(q)
        )
    };
    let all: u64 = facets.iter().map(|(_, n)| n).sum();
    let links = facets
        .iter()
        .filter_map(|(slug, n)| {
            let (slug, name) = crate::items::category(slug)?;
            let here = slug == current;
            Some(view! {
                <li>
                    <a href=href(slug) aria-current=here.then_some("page")>
                        {name}" "<span class="facet-count">{n.to_string()}</span>
                    </a>
                </li>
            })
        })
        .collect_view();
    (!facets.is_empty()).then(|| {
        view! {
            <nav class="facets" aria-label="Categories">
                <ul>
                    <li>
                        <a href=href("") aria-current=current.is_empty().then_some("page")>
                            "All categories "<span class="facet-count">{all.to_string()}</span>
                        </a>
                    </li>
                    {links}
                </ul>
            </nav>
        }
    })
}
