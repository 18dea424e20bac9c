//! The notifications' page and the header badge.

/// Island (lazy): new notices appear on the open inbox.
pub mod live_inbox;
/// Island (lazy): the header's notifications link with its live unread count.
pub mod notice_badge;
/// The inbox page.
pub mod notifications;
