//! The browser end of live updates: the islands that keep an item page, a panel page and the
//! countdowns of every page current.

/// What an item page hears (its event stream, the viewer's own bids and comments), handed to
/// each island that shows a part of it.
pub mod bus;
/// Islands: live item updates over server-sent events (lazy); the panels of the dashboard and
/// the market board; the page ticker (countdowns, card prices).
pub mod live;
/// Browser only: the page ticker's countdowns and card numbers.
#[cfg(feature = "hydrate")]
pub mod ticker;
