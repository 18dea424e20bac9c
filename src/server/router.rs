//! The axum router: Leptos pages and server functions, the routes that are not pages (photos,
//! live events, health, metrics), static files, and the middleware every request goes through.

use crate::accounts::server::UserCache;
use crate::app::{shell, App};
use crate::server::http::{page_cache, security};
use crate::server::state::AppState;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use leptos::prelude::provide_context;
use leptos_axum::{file_and_error_handler_with_context, generate_route_list, LeptosRoutes};
use tower::ServiceBuilder;
use tower_http::compression::CompressionLayer;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

/// Adds the per-request context of every page and server function: the state, a fresh
/// signed-in-user cache, and the request's CSP nonce for the scripts Leptos writes.
fn provide_request_context(state: &AppState) {
    provide_context(state.clone());
    provide_context(UserCache::default());
    provide_context(crate::server::assets::Preloaded::default());
    if let Some(nonce) = crate::server::http::request::csp_nonce() {
        provide_context(leptos::nonce::Nonce::from_value(nonce));
    }
}

/// The whole application as one axum router.
pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let options = state.leptos_options.clone();
    let context = {
        let state = state.clone();
        move || provide_request_context(&state)
    };

    // Built assets (JS, WASM, CSS) under their versioned path, cached for good (see
    // `http::assets`). Pre-compressed `.gz` files are used when present.
    let pkg_dir = format!("{}/pkg", options.site_root);
    let pkg = ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            cache_assets_forever,
        ))
        .service(ServeDir::new(pkg_dir).precompressed_gzip());

    Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(crate::server::http::metrics::metrics))
        .merge(crate::wiring::routes())
        .nest_service(&format!("/{}", options.site_pkg_dir), pkg)
        .leptos_routes_with_context(&state, routes, context.clone(), {
            let options = options.clone();
            move || shell(options.clone())
        })
        // Files from `public/`, and the 404 page for everything else.
        .fallback(file_and_error_handler_with_context::<AppState, _>(
            context, shell,
        ))
        .layer(
            ServiceBuilder::new()
                // Outermost: every response, even a refusal, carries the security headers.
                .layer(middleware::from_fn(security::content_security_policy))
                // Every request is counted and timed for the ops panel; pages count visitors.
                .layer(middleware::from_fn_with_state(
                    state.clone(),
                    crate::analytics::server::ops::observe,
                ))
                // A bug that panics answers 500 instead of dropping the connection.
                .layer(tower_http::catch_panic::CatchPanicLayer::new())
                // A read that Redis cannot serve within a second is answered 503.
                .layer(middleware::from_fn(
                    crate::server::http::deadline::bound_reads,
                ))
                .layer(middleware::from_fn(security::refuse_cross_site_writes))
                .layer(middleware::from_fn(security::limit_body))
                .layer(middleware::from_fn(crate::server::http::forms::clear_flash))
                .layer(CompressionLayer::new().quality(tower_http::CompressionLevel::Fastest))
                // Inside compression: both read plain bodies.
                .layer(middleware::from_fn(security::server_fn_status))
                // Item page views are counted whether the page is rendered or cached.
                .layer(middleware::from_fn_with_state(
                    state.clone(),
                    crate::engagement::server::views::record_visit,
                ))
                .layer(middleware::from_fn_with_state(
                    state.clone(),
                    page_cache::serve_cached,
                ))
                // Inside the anonymous cache: its render for every signed-in viewer carries no
                // cookie, and must be rendered, not answered from the anonymous tier.
                .layer(middleware::from_fn_with_state(
                    state.clone(),
                    crate::server::personal::serve_personal,
                )),
        )
        .with_state(state)
}

/// Liveness and readiness: 200 when Redis is ready, 503 while it is not.
async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    if state.db.is_ready() {
        (StatusCode::OK, "ok")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "redis unavailable")
    }
}

/// Found assets may be kept a year: their path changes with their bytes. Misses are not
/// cached.
fn cache_assets_forever<B>(response: &axum::http::Response<B>) -> Option<HeaderValue> {
    let found = response.status().is_success() || response.status() == StatusCode::NOT_MODIFIED;
    Some(HeaderValue::from_static(if found {
        "public, max-age=31536000, immutable"
    } else {
        "no-store"
    }))
}
