//! Everything that runs only on the server: configuration, HTTP wiring and the Redis layer.
//! Compiled with the `ssr` feature only, so none of it reaches the browser bundle.

pub mod accounts;
pub mod closer;
pub mod comments;
pub mod config;
pub mod db;
pub mod http;
pub mod images;
pub mod indexes;
pub mod items;
pub mod keys;
pub mod listing;
pub mod live;
pub mod lock;
pub mod page_cache;
pub mod profiles;
pub mod rate_limit;
pub mod request;
pub mod scripts;
pub mod search;
pub mod security;
pub mod seed;
pub mod sessions;
pub mod workers;

pub use config::Config;
pub use db::Db;
pub use keys::Keys;
