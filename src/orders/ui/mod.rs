//! The orders' pages.
pub mod order;
pub mod order_watch;
pub mod rating;
