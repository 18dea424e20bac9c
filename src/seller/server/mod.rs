//! The seller's dashboard and the market board on Redis (feature `ssr`).

pub mod dashboard;
pub mod stats;
pub mod zone;
