//! Server functions: the home rankings and search.

use crate::catalog::{FilterParams, HomeSections};
use crate::error::AppError;
use crate::items::CardPage;
use leptos::prelude::*;

/// The home page rankings.
#[server]
pub async fn get_home_sections() -> Result<HomeSections, AppError> {
    let state = crate::server::state::current()?;
    let sections = crate::catalog::server::rankings::home_sections_cached(&state.db).await?;
    Ok(HomeSections::clone(&sections))
}

/// A search with words, or browsing without (every live auction or a category's), narrowed by
/// the optional filters (see `catalog::SearchFilters::parse`).
#[server(prefix = "/api", endpoint = "search")]
pub async fn search_items(
    q: String,
    status: String,
    sort: String,
    category: String,
    page: usize,
    #[server(flatten)] filters: FilterParams,
) -> Result<CardPage, AppError> {
    use crate::catalog::server::rankings::{self, BrowseSort};
    use crate::catalog::server::search::{self, SearchSort, StatusFilter};
    let state = crate::server::state::current()?;
    // A category on the list filters; none means all of them; anything else is refused
    // (never silently widened to every category).
    let category = match category.as_str() {
        "" => None,
        other => Some(
            crate::items::category(other)
                .map(|(slug, _)| slug)
                .ok_or_else(|| crate::catalog::unknown_category(other))?,
        ),
    };
    let filters = filters.parse()?;
    // No words: browse every live auction (of the category) in one of the rankings' orders.
    // A category has one ranking, by end: by price, or with filters, it is asked of the
    // search index instead (ending soonest first unless another order is asked).
    if q.trim().is_empty() {
        let order = BrowseSort::parse(&sort);
        let ranked =
            category.is_none() || !matches!(order, BrowseSort::PriceLow | BrowseSort::PriceHigh);
        if ranked && filters.is_empty() {
            return rankings::browse(&state.db, order, category, page).await;
        }
        let by = match sort.as_str() {
            "" => SearchSort::EndingSoon,
            other => SearchSort::parse(other),
        };
        return search::search_filtered(
            &state.db,
            "",
            StatusFilter::Live,
            by,
            category,
            &filters,
            page,
        )
        .await;
    }
    search::search_filtered(
        &state.db,
        &q,
        StatusFilter::parse(&status),
        SearchSort::parse(&sort),
        category,
        &filters,
        page,
    )
    .await
}
