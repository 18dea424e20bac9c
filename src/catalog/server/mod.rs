//! Finding things on Redis (feature `ssr`): search and suggestions through the index, the
//! rankings (home, browse, categories) as sorted sets.

pub mod rankings;
pub mod routes;
pub mod search;
