//! The item page, and the pieces other features show of an item: cards and the price chart.

/// The item's photos: a row that snaps photo by photo (swipe, arrow keys, links), zoom by CSS.
pub mod gallery;
/// The item page (it shows the auction's bid form, the like button, comments and similar
/// items from their features).
pub mod item;
/// Listing cards in grids and lists.
pub mod item_card;
/// The item's price chart.
pub mod price_chart;
