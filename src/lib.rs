#![recursion_limit = "256"]
//! Rbay: an auction marketplace on Leptos (server rendering + islands) and Redis.
//!
//! One folder per feature, each with its shared rules and types in `mod.rs`, its server
//! functions in `api.rs`, its Redis side in `server` (feature `ssr`) and its pages and islands
//! in `ui`; the plumbing around them (see `docs/architecture.md`):
//! - [`items`]: what every feature shows of an item (ids, cards, the item page, photos, the
//!   search index);
//! - the features: [`accounts`], [`listings`], [`auction`], [`catalog`], [`engagement`],
//!   [`my_lists`], [`seller`], [`comments`], [`notifications`], [`profiles`], [`orders`],
//!   [`moderation`], [`saved_searches`], [`jobs`];
//! - [`analytics`]: counts per minute, hour and day, charts, fleet figures;
//! - [`live`]: live updates to open pages (features bring their events; `live::ui` is the
//!   browser end);
//! - [`ui`]: the few view pieces every feature shares; only `#[island]`s are shipped to browsers;
//! - [`app`]: the HTML shell, the router that mounts every feature's pages, the header and
//!   footer; [`error`]: the one error users see;
//! - [`util`]: money, time, text, problem codes, URLs;
//! - `server` (feature `ssr`): configuration, state, HTTP, the Redis plumbing, the job engine;
//! - `wiring` (feature `ssr`): mounts every feature's routes and job kinds, in one place.

pub mod accounts;
pub mod analytics;
pub mod app;
pub mod auction;
pub mod catalog;
pub mod comments;
pub mod email;
pub mod engagement;
pub mod error;
pub mod items;
pub mod jobs;
pub mod listings;
pub mod live;
pub mod moderation;
pub mod my_lists;
pub mod notifications;
pub mod orders;
pub mod profiles;
pub mod saved_searches;
pub mod seller;
pub mod ui;
pub mod util;

#[cfg(feature = "ssr")]
pub mod server;
#[cfg(feature = "ssr")]
pub mod wiring;

/// Entry point of the WASM bundle: hydrates the islands of a server-rendered page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    // Panic messages in the console in debug builds; a release build leaves the hook out
    // (about 850 B gzip of formatting on every page: docs/benchmarks.md, "Browser bundle").
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
