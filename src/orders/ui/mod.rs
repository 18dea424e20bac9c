//! The orders' pages.
pub mod order;
