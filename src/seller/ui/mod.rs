//! The seller's dashboard pages and the market board.

/// The seller dashboard and one item's analytics.
pub mod dashboard;
/// The public market board.
pub mod market;
