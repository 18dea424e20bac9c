//! Live updates: events pushed to the pages that are open, across every app instance.
//!
//! This module is the transport only: features define their own event types (an item's bids,
//! views and end; its comments) and publish them through `server::publish`; the browser side
//! that applies them to a page lives with the page components.

#[cfg(feature = "ssr")]
pub mod server;
pub mod ui;

/// An event a page can receive live: its server-sent-event name and, through `Serialize`,
/// its JSON data.
pub trait LiveEvent: serde::Serialize {
    /// The SSE event name (`bid`, `comment`, ...).
    fn kind(&self) -> &'static str;
}
