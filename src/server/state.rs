//! The application state every request shares.

use crate::error::AppError;
use crate::live::server::LiveHub;
use crate::server::config::Config;
use crate::server::jobs::Registry;
use crate::server::redis::Db;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::sync::Arc;

/// Shared by every request; server functions get it with [`current`]. Cloning it (once per
/// request and middleware) copies one pointer.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

/// What [`AppState`] points to.
pub struct Shared {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    pub config: Config,
    /// Fan-out of live events to this instance's browsers.
    pub live: Arc<LiveHub>,
    /// Becomes `true` when the server shuts down: live streams end so shutdown can finish.
    pub shutdown: tokio::sync::watch::Receiver<bool>,
    /// Every job kind and queue (from `crate::wiring::jobs`).
    pub jobs: &'static Registry,
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

impl AppState {
    pub fn new(
        config: Config,
        db: Db,
        shutdown: tokio::sync::watch::Receiver<bool>,
        jobs: &'static Registry,
    ) -> Self {
        crate::server::assets::init(&std::path::Path::new(&config.site_root).join("pkg"));
        let leptos_options = LeptosOptions::builder()
            .output_name("rbay")
            .site_root(config.site_root.as_str())
            // The URL path of the assets, versioned by their hash (see `http::assets`).
            .site_pkg_dir(crate::server::assets::pkg_path())
            .site_addr(config.listen_addr())
            .build();
        AppState(Arc::new(Shared {
            leptos_options,
            db,
            config,
            live: Arc::new(LiveHub::default()),
            shutdown,
            jobs,
        }))
    }
}

/// The state of the request being handled (server functions and pages).
pub fn current() -> Result<AppState, AppError> {
    leptos::prelude::use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the request context");
        AppError::Internal
    })
}
