//! Items on Redis (feature `ssr`): the item's records and page, cards, photos, the search
//! index (queries and upkeep), the close job's scheduling, and the item routes.

pub mod cards;
pub mod close_job;
pub mod frame;
pub mod images;
pub mod index;
pub mod index_sync;
pub mod routes;
pub mod store;

pub use crate::items::NewItem;
pub use store::{create, create_with, get, name, page, photo, PhotoSource};
