//! The item routes that are not pages: photos (and placeholders), the live event stream, the
//! price chart, and the plain-text card prices for islands.

use crate::accounts::server::fragment_zone;
use crate::accounts::server::sessions::SessionUser;
use crate::error::AppError;
use crate::items::server::{cards, images, store};
use crate::items::{wire, ItemId};
use crate::server::state::AppState;
use crate::util::zone::ZoneQuery;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/items/{id}/image", get(photo_large))
        .route("/items/{id}/thumb", get(photo_thumb))
        .route("/items/{id}/image/{n}", get(photo_large_n))
        .route("/items/{id}/thumb/{n}", get(photo_thumb_n))
        .route("/items/{id}/events", get(events))
        .route("/items/{id}/chart", get(chart))
        .route("/api/prices", get(prices))
}

/// A plain-text answer that caches nowhere.
pub fn text(body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}

/// `GET /items/{id}/chart[?tz=Region/City]`: the price chart's HTML, as on the item page (live
/// pages fetch it after a bid), its times in the clock the signed-in viewer chose, else the
/// zone asked for (the browser's), else UTC. 404 for no such item, 400 for no such zone.
async fn chart(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<ZoneQuery>,
    viewer: Option<SessionUser>,
) -> Response {
    let Some(id) = ItemId::parse(&id) else {
        return AppError::NotFound.into_response();
    };
    let zone = match fragment_zone(viewer.as_ref(), query.tz.as_deref()) {
        Ok(zone) => zone,
        Err(e) => return e.into_response(),
    };
    match store::price_chart(&state.db, id, &zone).await {
        Ok(Some(html)) => (
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            html,
        )
            .into_response(),
        Ok(None) => AppError::NotFound.into_response(),
        Err(e) => e.into_response(),
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
    match cards::card_numbers(&state.db, &ids).await {
        Ok(numbers) => text(wire::encode_card_numbers(&numbers)),
        Err(e) => e.into_response(),
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

async fn photo_large(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    match ItemId::parse(&id) {
        Some(id) => serve_photo(&state, id, 1, false).await,
        None => not_found(),
    }
}

async fn photo_thumb(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    match ItemId::parse(&id) {
        Some(id) => serve_photo(&state, id, 1, true).await,
        None => not_found(),
    }
}

/// Photo number `n` (1 = the cover, up to 8); `None` for a number out of range.
fn photo_number(n: &str) -> Option<usize> {
    n.parse::<usize>()
        .ok()
        .filter(|n| (1..=crate::util::limits::MAX_PHOTOS).contains(n))
}

/// `GET /items/{id}/image/{n}`: one of an item's photos, full size.
async fn photo_large_n(
    State(state): State<AppState>,
    Path((id, n)): Path<(String, String)>,
) -> Response {
    match (ItemId::parse(&id), photo_number(&n)) {
        (Some(id), Some(n)) => serve_photo(&state, id, n, false).await,
        _ => not_found(),
    }
}

/// `GET /items/{id}/thumb/{n}`: a photo's thumbnail.
async fn photo_thumb_n(
    State(state): State<AppState>,
    Path((id, n)): Path<(String, String)>,
) -> Response {
    match (ItemId::parse(&id), photo_number(&n)) {
        (Some(id), Some(n)) => serve_photo(&state, id, n, true).await,
        _ => not_found(),
    }
}

/// Photo `n` of an item, full size or its thumbnail. Until the thumbnail job has run, the
/// large photo stands in, not cached for long (the thumbnail replaces it under the same
/// address). Only the cover has a placeholder: another photo the item lacks is a 404.
async fn serve_photo(state: &AppState, id: ItemId, n: usize, thumb: bool) -> Response {
    let found = match store::photo_n(&state.db, id, n, thumb).await {
        Ok(None) if thumb => match store::photo_n(&state.db, id, n, false).await {
            Ok(Some(bytes)) => return jpeg(bytes, "no-cache"),
            other => other,
        },
        other => other,
    };
    match found {
        Ok(None) if n > 1 => not_found(),
        found => photo(state, id, found).await,
    }
}

fn jpeg(bytes: Vec<u8>, cache: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("image/jpeg")),
            (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
        ],
        bytes,
    )
        .into_response()
}

/// The answer for a photo read once by the caller: the photo (its bytes never change for an
/// id, so browsers keep it a year), or the item's generated placeholder.
async fn photo(state: &AppState, id: ItemId, found: Result<Option<Vec<u8>>, AppError>) -> Response {
    match found {
        Ok(Some(bytes)) => jpeg(bytes, "public, max-age=31536000, immutable"),
        // No placeholder for a listing a moderator hid: not found.
        Ok(None) => match store::listed_name(&state.db, id).await {
            Ok(Some(name)) => (
                [
                    (
                        header::CONTENT_TYPE,
                        HeaderValue::from_static("image/svg+xml"),
                    ),
                    // Short: the real photo may still be on its way.
                    (
                        header::CACHE_CONTROL,
                        HeaderValue::from_static("public, max-age=60"),
                    ),
                ],
                images::placeholder_svg(&name),
            )
                .into_response(),
            Ok(None) => not_found(),
            Err(e) => e.into_response(),
        },
        Err(e) => e.into_response(),
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
    // Only items that exist get a channel: random ids would otherwise each cost memory. A
    // listing a moderator hid has no live events for anyone.
    match store::listed_name(&state.db, id).await {
        Ok(Some(_)) => {}
        Ok(None) => return not_found(),
        Err(e) => return e.into_response(),
    }
    crate::live::server::events_response(&state.live, &state.db, &state.shutdown, id.0, &headers)
        .await
        .unwrap_or_else(|e| e.into_response())
}
