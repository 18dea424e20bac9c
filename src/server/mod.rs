//! Everything that runs only on the server: configuration, HTTP wiring and the Redis layer.
//! Compiled with the `ssr` feature only, so none of it reaches the browser bundle.

pub mod accounts;
pub mod config;
pub mod db;
pub mod http;
pub mod indexes;
pub mod items;
pub mod keys;
pub mod lock;
pub mod rate_limit;
pub mod request;
pub mod scripts;
pub mod sessions;

pub use config::Config;
pub use db::Db;
pub use keys::Keys;
