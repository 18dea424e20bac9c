//! The auction's islands on the item page: each shows one part of the auction and keeps it
//! current from what the page hears (`live::ui::bus`).

/// Island (lazy): the bid form or why there is none, and Buy It Now.
pub mod bid_box;
/// The bid form (inside the bid box).
pub mod bid_form;
/// Island (lazy): the bid history.
pub mod bid_history;
/// Island (lazy): price, bid count, time left, reserve, how it ended, where the viewer stands.
pub mod price_box;
