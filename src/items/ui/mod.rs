//! The items' pages and islands: the item page, listing, bidding, likes, search, the home
//! rankings, the viewer's lists and the seller's dashboard.

/// Island (lazy): the bid form.
pub mod bid_form;
/// The seller dashboard and one item's analytics.
pub mod dashboard;
/// The home page rankings.
pub mod home;
/// The item page.
pub mod item;
/// Listing cards in grids and lists.
pub mod item_card;
/// Island (lazy): the new-item form.
pub mod item_form;
/// Island (lazy): like / unlike.
pub mod like_button;
/// The public market board.
pub mod market;
/// My bids, Watching, Won / Sold.
pub mod mine;
/// The new-item page.
pub mod new_item;
/// The item's price chart.
pub mod price_chart;
/// The search and browse page.
pub mod search;
/// Island: the header search box (main bundle).
pub mod search_box;
