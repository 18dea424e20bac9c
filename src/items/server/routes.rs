//! The item routes that are not pages: photos (and placeholders), the live event stream, and the
//! plain-text answers for islands (search suggestions, card prices).

use crate::items::server::{cards, images, search, store};
use crate::items::{wire, ItemId};
use crate::server::http::error_response;
use crate::server::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/items/{id}/image", get(photo_large))
        .route("/items/{id}/thumb", get(photo_thumb))
        .route("/items/{id}/events", get(events))
        .route("/api/suggest", get(suggest))
        .route("/api/prices", get(prices))
}

/// A plain-text answer that caches nowhere.
fn text(body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}

#[derive(serde::Deserialize)]
struct SuggestQuery {
    #[serde(default)]
    q: String,
}

/// `GET /api/suggest?q=…`: names starting with what was typed, for the header's search box,
/// in the plain-text form of [`wire`].
async fn suggest(State(state): State<AppState>, Query(query): Query<SuggestQuery>) -> Response {
    match search::suggest(&state.db, &query.q).await {
        Ok(cards) => text(wire::encode_suggestions(
            &cards
                .into_iter()
                .map(|c| wire::Suggestion {
                    id: c.id,
                    name: c.name,
                })
                .collect::<Vec<_>>(),
        )),
        Err(e) => error_response(&e),
    }
}

#[derive(serde::Deserialize)]
struct PricesQuery {
    #[serde(default)]
    ids: String,
}

/// `GET /api/prices?ids=1,2,3` (at most 50): the changing numbers of the cards of a page (the
/// `PageTicker` island), in the plain-text form of [`wire`].
async fn prices(State(state): State<AppState>, Query(query): Query<PricesQuery>) -> Response {
    let ids: Vec<ItemId> = query
        .ids
        .split(',')
        .filter_map(ItemId::parse)
        .take(50)
        .collect();
    match cards::cards_by_id(&state.db, &ids).await {
        Ok(cards) => text(wire::encode_card_numbers(
            &cards
                .into_iter()
                .map(|c| wire::CardNumbers {
                    id: c.id,
                    price_cents: c.price_cents,
                    ends_at_ms: c.ends_at_ms,
                    bids: c.bids,
                })
                .collect::<Vec<_>>(),
        )),
        Err(e) => error_response(&e),
    }
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
    let Some(item) = ItemId::parse(&id.0) else {
        return not_found();
    };
    // Until the thumbnail job has run, the large photo stands in, not cached for long (the
    // thumbnail replaces it under the same address).
    if let Ok(None) = store::photo(&state.db, item, true).await {
        if let Ok(Some(bytes)) = store::photo(&state.db, item, false).await {
            return (
                [
                    (header::CONTENT_TYPE, HeaderValue::from_static("image/jpeg")),
                    (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
                ],
                bytes,
            )
                .into_response();
        }
    }
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
