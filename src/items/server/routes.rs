//! The item routes that are not pages: photos (and placeholders) and the live event stream.

use crate::items::server::{images, store};
use crate::items::ItemId;
use crate::server::http::error_response;
use crate::server::state::AppState;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/items/{id}/image", get(photo_large))
        .route("/items/{id}/thumb", get(photo_thumb))
        .route("/items/{id}/events", get(events))
}

fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        [(header::CACHE_CONTROL, "no-store")],
        "No such item.",
    )
        .into_response()
}

async fn photo_large(state: State<AppState>, id: Path<String>) -> Response {
    photo(state, id, false).await
}

async fn photo_thumb(state: State<AppState>, id: Path<String>) -> Response {
    photo(state, id, true).await
}

/// An item's photo, or its generated placeholder. Photos never change for an id, so they
/// are cached by browsers for a year.
async fn photo(State(state): State<AppState>, Path(id): Path<String>, thumb: bool) -> Response {
    let cache = |value: &'static str| (header::CACHE_CONTROL, HeaderValue::from_static(value));
    let Some(id) = ItemId::parse(&id) else {
        return not_found();
    };
    match store::photo(&state.db, id, thumb).await {
        Ok(Some(bytes)) => (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static("image/jpeg")),
                cache("public, max-age=31536000, immutable"),
            ],
            bytes,
        )
            .into_response(),
        Ok(None) => match store::name(&state.db, id).await {
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
            Ok(None) => not_found(),
            Err(e) => error_response(&e),
        },
        Err(e) => error_response(&e),
    }
}

/// `GET /items/{id}/events`: server-sent events for one item that exists.
async fn events(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some(id) = ItemId::parse(&id) else {
        return not_found();
    };
    // Only items that exist get a channel: random ids would otherwise each cost memory.
    match store::name(&state.db, id).await {
        Ok(Some(_)) => {}
        Ok(None) => return not_found(),
        Err(e) => return error_response(&e),
    }
    crate::live::server::events_response(&state.live, &state.db, &state.shutdown, id.0, &headers)
        .await
        .unwrap_or_else(|e| error_response(&e))
}
