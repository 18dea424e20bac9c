#![recursion_limit = "256"]
//! Rbay: an auction marketplace on Leptos (server rendering + islands) and Redis.
//!
//! One folder per feature, each with its shared rules and types in `mod.rs`, its server
//! functions in `api.rs` and its Redis side in `server` (feature `ssr`); the UI and the
//! plumbing around them (see `docs/architecture.md`):
//! - [`accounts`], [`items`], [`comments`], [`profiles`]: the features;
//! - [`analytics`]: counts per minute, hour and day, charts, fleet figures;
//! - [`live`]: live updates to open pages (transport only: features bring their events);
//! - [`pages`] and [`components`]: the UI; only `#[island]`s are shipped to browsers;
//! - [`app`]: the HTML shell and the router; [`error`]: the one error users see;
//! - [`util`]: money, time, text, problem codes, URLs;
//! - `server` (feature `ssr`): configuration, state, HTTP, the Redis plumbing.

pub mod accounts;
pub mod analytics;
pub mod app;
pub mod comments;
pub mod components;
pub mod error;
pub mod items;
pub mod jobs;
pub mod live;
pub mod notifications;
pub mod pages;
pub mod profiles;
pub mod util;

#[cfg(feature = "ssr")]
pub mod server;

/// Entry point of the WASM bundle: hydrates the islands of a server-rendered page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
