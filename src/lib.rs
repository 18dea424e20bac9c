#![recursion_limit = "256"]
//! Rbay: an auction marketplace on Leptos (server rendering + islands) and Redis.
//!
//! Module map (see `docs/architecture.md`):
//! - [`app`]: the HTML shell and the router.
//! - [`pages`]: one module per page; rendered on the server only.
//! - [`components`]: shared view pieces; the few `#[island]`s are the only code shipped to browsers.
//! - [`api`]: server functions, the bridge from pages and islands to the server.
//! - [`model`] and [`error`]: types shared by server and browser.
//! - `server` (feature `ssr`): configuration, HTTP wiring and the Redis layer.

pub mod accounts;
pub mod api;
pub mod app;
pub mod comments;
pub mod components;
pub mod error;
pub mod items;
#[cfg(feature = "hydrate")]
pub mod live_dom;
pub mod model;
pub mod money;
pub mod pages;
pub mod text;

#[cfg(feature = "ssr")]
pub mod server;

/// Entry point of the WASM bundle: hydrates the islands of a server-rendered page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
