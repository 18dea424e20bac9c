//! What runs only on the server (feature `ssr`) and belongs to no one feature: configuration,
//! the job queue engine,
//! the built browser assets, the shared state, the HTTP layer, the Redis plumbing, worker
//! threads and demo data.
//! Nothing here reaches the browser bundle.

pub mod assets;
pub mod config;
pub mod http;
pub mod jobs;
pub mod metrics;
pub mod personal;
pub mod redis;
pub mod router;
pub mod seed;
pub mod short_cache;
pub mod state;
pub mod workers;

pub use config::Config;
pub use redis::{Db, Keys};
