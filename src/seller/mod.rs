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

/// The page where sellers choose the clock their charts read.
pub const ZONE_PAGE: &str = "/dashboard/time-zone";

/// The query parameter carrying the time-zone form's problems back to its page.
pub const ZONE_PROBLEMS_PARAM: &str = "e";

/// What the time-zone page shows: the zone chosen (`None`: the browser's clock, the default)
/// and every zone one may choose.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ZoneChoice {
    pub current: Option<String>,
    pub zones: Vec<String>,
}

/// The time-zone form's value for "the browser's clock" (no choice kept).
pub const BROWSER_ZONE: &str = "";

/// A seller's analytics panels as HTML, and the zone they chose for their times, if any (if
/// none, the page's live panels ask for them in the browser's zone).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SellerPanels {
    pub html: String,
    pub chosen_zone: Option<String>,
}

impl SellerPanels {
    /// What the dashboard says once after the time-zone form sent the seller back to it.
    pub fn zone_saved(&self) -> String {
        match &self.chosen_zone {
            Some(zone) => format!(
                "Saved: your charts read {} time.",
                crate::util::zone::shown(zone)
            ),
            None => "Saved: your charts read this browser's clock.".to_string(),
        }
    }
}

crate::problems! {
    /// What can be wrong with a time-zone choice.
    pub enum ZoneProblem {
        SignIn = "sign-in" => "Sign in to choose your time zone.",
        Unknown = "unknown" => "Choose a time zone from the list.",
    }
}
