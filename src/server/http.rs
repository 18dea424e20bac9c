//! HTTP wiring: the axum router around the Leptos pages, server functions and static files.

use crate::app::{shell, App};
use crate::server::accounts::AuthPolicy;
use crate::server::live::{self, LiveHub};
use crate::server::request::provide_request_context;
use crate::server::{images, items, page_cache, security};
use crate::server::{Config, Db};
use axum::extract::Path;
use axum::extract::{FromRef, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use leptos::config::LeptosOptions;
use leptos_axum::{file_and_error_handler_with_context, generate_route_list, LeptosRoutes};
use std::sync::Arc;
use tower::ServiceBuilder;
use tower_http::compression::CompressionLayer;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

/// Shared by every request; server functions get it with `crate::api::state()`.
#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    pub config: Arc<Config>,
    /// Fan-out of live item events to this instance's browsers.
    pub live: Arc<LiveHub>,
    /// Becomes `true` when the server shuts down: live streams end so shutdown can finish.
    pub shutdown: tokio::sync::watch::Receiver<bool>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

impl AppState {
    pub fn new(config: Config, db: Db, shutdown: tokio::sync::watch::Receiver<bool>) -> Self {
        let leptos_options = LeptosOptions::builder()
            .output_name("rbay")
            .site_root(config.site_root.as_str())
            .site_pkg_dir("pkg")
            .site_addr(config.listen_addr)
            .build();
        AppState {
            leptos_options,
            db,
            config: Arc::new(config),
            live: Arc::new(LiveHub::default()),
            shutdown,
        }
    }

    pub fn auth_policy(&self) -> AuthPolicy {
        AuthPolicy {
            per_ip: self.config.auth_ip_limit,
            per_username: self.config.auth_user_limit,
            session_ttl: self.config.session_ttl,
        }
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

    // Built assets: JS, WASM, CSS. Pre-compressed `.gz` files are used when present.
    let pkg_dir = format!("{}/{}", options.site_root, options.site_pkg_dir);
    let pkg = ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=3600, must-revalidate"),
        ))
        .service(ServeDir::new(pkg_dir).precompressed_gzip());

    Router::new()
        .route("/healthz", get(healthz))
        .route("/items/{id}/image", get(item_photo_large))
        .route("/items/{id}/thumb", get(item_photo_thumb))
        .route("/items/{id}/events", get(live::item_events))
        .nest_service("/pkg", pkg)
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
                // A bug that panics answers 500 instead of dropping the connection.
                .layer(tower_http::catch_panic::CatchPanicLayer::new())
                .layer(middleware::from_fn(refuse_cross_site_writes))
                .layer(middleware::from_fn(security::limit_body))
                .layer(CompressionLayer::new().quality(tower_http::CompressionLevel::Fastest))
                // Inside compression: both read plain bodies.
                .layer(middleware::from_fn(security::server_fn_status))
                .layer(middleware::from_fn_with_state(
                    state.clone(),
                    page_cache::serve_cached,
                )),
        )
        .with_state(state)
}

async fn item_photo_large(state: State<AppState>, id: Path<String>) -> Response {
    item_photo(state, id, false).await
}

async fn item_photo_thumb(state: State<AppState>, id: Path<String>) -> Response {
    item_photo(state, id, true).await
}

/// An item's photo, or its generated placeholder. Photos never change for an id, so they
/// are cached by browsers for a year.
async fn item_photo(
    State(state): State<AppState>,
    Path(id): Path<String>,
    thumb: bool,
) -> Response {
    let cache = |value: &'static str| (header::CACHE_CONTROL, HeaderValue::from_static(value));
    match items::photo(&state.db, &id, thumb).await {
        Ok(Some(bytes)) => (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static("image/jpeg")),
                cache("public, max-age=31536000, immutable"),
            ],
            bytes,
        )
            .into_response(),
        Ok(None) => match items::name(&state.db, &id).await {
            Ok(Some(name)) => (
                [
                    (
                        header::CONTENT_TYPE,
                        HeaderValue::from_static("image/svg+xml"),
                    ),
                    // Short: the real photo may still be on its way.
                    cache("public, max-age=60"),
                ],
                images::placeholder_svg(&name),
            )
                .into_response(),
            Ok(None) => {
                (StatusCode::NOT_FOUND, [cache("no-store")], "No such item.").into_response()
            }
            Err(e) => error_response(&e),
        },
        Err(e) => error_response(&e),
    }
}

/// A plain-text error answer with the error's status (and `Retry-After` where it applies).
pub fn error_response(e: &crate::error::AppError) -> Response {
    let status = StatusCode::from_u16(e.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response =
        (status, [(header::CACHE_CONTROL, "no-store")], e.to_string()).into_response();
    if let Some(secs) = e.retry_after_secs() {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    response
}

/// Liveness and readiness: 200 when Redis is ready, 503 while it is not.
async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    if state.db.is_ready() {
        (StatusCode::OK, "ok")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "redis unavailable")
    }
}

/// Refuses state-changing requests (anything but GET, HEAD, OPTIONS) sent by another site.
/// Browsers label every request with `Sec-Fetch-Site`, and older ones send `Origin` on POST;
/// a request with neither did not come from a browser page, so it cannot be a forged one.
async fn refuse_cross_site_writes(request: Request, next: Next) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if safe || is_same_origin(request.headers()) {
        return next.run(request).await;
    }
    tracing::warn!(
        method = %request.method(),
        path = request.uri().path(),
        origin = ?request.headers().get(header::ORIGIN),
        "refused a cross-site request"
    );
    (
        StatusCode::FORBIDDEN,
        [(header::CACHE_CONTROL, "no-store")],
        "Refused: this request came from another site.",
    )
        .into_response()
}

/// True unless the headers show the request was made by a page of another origin.
pub fn is_same_origin(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site") {
        return matches!(site.to_str(), Ok("same-origin") | Ok("none"));
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    match (origin.to_str().ok(), host) {
        (Some(origin), Some(host)) => {
            origin == format!("http://{host}") || origin == format!("https://{host}")
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, HeaderValue::from_static(v));
        }
        map
    }

    #[test]
    fn same_origin_rules() {
        assert!(is_same_origin(&headers(&[])));
        assert!(is_same_origin(&headers(&[(
            "sec-fetch-site",
            "same-origin"
        )])));
        assert!(is_same_origin(&headers(&[("sec-fetch-site", "none")])));
        assert!(!is_same_origin(&headers(&[(
            "sec-fetch-site",
            "cross-site"
        )])));
        assert!(!is_same_origin(&headers(&[(
            "sec-fetch-site",
            "same-site"
        )])));
        assert!(is_same_origin(&headers(&[
            ("origin", "http://rbay.test"),
            ("host", "rbay.test")
        ])));
        assert!(!is_same_origin(&headers(&[
            ("origin", "http://evil.test"),
            ("host", "rbay.test")
        ])));
        assert!(!is_same_origin(&headers(&[
            ("origin", "null"),
            ("host", "rbay.test")
        ])));
    }
}
