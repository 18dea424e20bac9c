//! My bids, Watching, Won / Sold.

pub mod mine;
