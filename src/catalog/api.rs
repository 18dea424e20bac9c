//! Server functions: the home rankings and search.

use crate::catalog::HomeSections;
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

#[server(prefix = "/api", endpoint = "search")]
pub async fn search_items(
    q: String,
    status: String,
    sort: String,
    category: String,
    page: usize,
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
    // No words: browse every live auction (of the category) in one of the rankings' orders.
    // A category has one ranking, by end: by price it is asked of the search index instead.
    if q.trim().is_empty() {
        let order = BrowseSort::parse(&sort);
        if category.is_none() || !matches!(order, BrowseSort::PriceLow | BrowseSort::PriceHigh) {
            return rankings::browse(&state.db, order, category, page).await;
        }
        let by = SearchSort::parse(&sort);
        return search::search(&state.db, "", StatusFilter::Live, by, category, page).await;
    }
    search::search(
        &state.db,
        &q,
        StatusFilter::parse(&status),
        SearchSort::parse(&sort),
        category,
        page,
    )
    .await
}
