//! The Redis plumbing every feature stands on: the shared connection and its health, key
//! names, Lua scripts, search indexes, locks and rate limits.

pub mod db;
pub mod indexes;
pub mod keys;
pub mod lock;
pub mod primaries;
pub mod rate_limit;
pub mod reply;
pub mod scripts;
pub mod supervisor;
pub mod topology;
pub mod versions;

pub use db::Db;
pub use keys::Keys;
pub use supervisor::connect;
