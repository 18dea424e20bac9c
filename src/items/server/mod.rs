//! Items on Redis (feature `ssr`).

pub mod bids;
pub mod cards;
pub mod close_job;
pub mod closer;
pub mod images;
pub mod index_sync;
pub mod likes;
pub mod listing;
pub mod mine;
pub mod rankings;
pub mod routes;
pub mod search;
pub mod stats;
pub mod store;
pub mod views;
pub mod watch;

pub use crate::items::NewItem;
pub use bids::{buy_now, place_bid, BidOutcome, BidRejection, BuyOutcome};
pub use likes::set_like;
pub use store::{create, create_with_demo_photo, get, name, page, photo};
pub use views::{count_view, Visitor, NEW_VISITORS_PER_NETWORK};
