//! The catalog's pages and the header's search box.

/// The home page rankings.
pub mod home;
/// The search and browse page.
pub mod search;
/// Island: the header search box (main bundle).
pub mod search_box;
