//! The viewer's lists on Redis (feature `ssr`).

pub mod mine;
