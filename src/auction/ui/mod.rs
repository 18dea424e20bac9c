//! The auction's island.

/// Island (lazy): the bid form.
pub mod bid_form;
