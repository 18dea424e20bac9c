//! The browser end of live updates: the islands that keep an item page, a panel page and the
//! countdowns of every page current.

/// Islands: live item updates over server-sent events (lazy); the panels of the dashboard and
/// the market board; the page ticker (countdowns, card prices).
pub mod live;
/// Browser only: applies live events to the page.
#[cfg(feature = "hydrate")]
pub mod live_dom;
