//! The seller's dashboard pages and the market board.

/// The seller dashboard and one item's analytics.
pub mod dashboard;
/// The public market board.
pub mod market;
/// The clock the seller's charts read.
pub mod time_zone;
