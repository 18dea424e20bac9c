//! Finding things: search with words (counts per category, suggestions), browsing every live
//! auction or a category, and the home page's rankings. [`api`] has the server functions,
//! `server` (feature `ssr`) the queries, `ui` the home and search pages and the header's
//! search box.

pub mod api;
#[cfg(feature = "ssr")]
pub mod server;
pub mod ui;

use crate::items::ItemCard;
use serde::{Deserialize, Serialize};

/// Cards per home page section.
pub const HOME_SECTION_SIZE: usize = 8;

/// Results per search page.
pub const SEARCH_PAGE_SIZE: usize = 20;

/// Browsing (a search with no words) goes this many pages deep at most: a page costs its
/// depth (every shard's first `page × size` ranking entries are merged), never the size of
/// the catalogue.
pub const BROWSE_PAGES: usize = 50;

/// The three rankings of the home page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HomeSections {
    pub ending_soon: Vec<ItemCard>,
    pub most_viewed: Vec<ItemCard>,
    pub highest_price: Vec<ItemCard>,
    /// Live auctions per category (slug, count), most first, empty categories left out.
    pub categories: Vec<(String, u64)>,
    /// Server clock (ms) when the sections were read, so "time left" is computed consistently.
    pub now_ms: i64,
}

/// The refusal of a category that is not on the list (`items::CATEGORIES`): a search never
/// widens to every category instead.
pub fn unknown_category(asked: &str) -> crate::error::AppError {
    let names: Vec<&str> = crate::items::CATEGORIES
        .iter()
        .map(|(slug, _)| *slug)
        .collect();
    crate::error::AppError::Invalid(format!(
        "There is no category “{}”. The categories are: {}.",
        crate::util::url::clip(asked, 40),
        names.join(", ")
    ))
}
