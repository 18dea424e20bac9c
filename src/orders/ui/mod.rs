//! The orders' pages.
pub mod order;
pub mod rating;
