//! The seller's dashboard (their items, sortable; live analytics panels; one item's
//! drill-down) and the public market board, built on `analytics`.

pub mod api;
#[cfg(feature = "ssr")]
pub mod server;
pub mod ui;

/// Rows per dashboard page.
pub const DASHBOARD_PAGE_SIZE: usize = 10;

/// Dashboard columns that may be sorted by: the only values ever passed to `SORTBY`.
pub const DASHBOARD_SORT_KEYS: [&str; 6] = ["name", "price", "ends_at", "bids", "views", "likes"];
