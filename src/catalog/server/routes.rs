//! The catalog's route that is not a page: the header's search suggestions.

use crate::items::server::routes::text;
use crate::items::wire;
use crate::server::state::AppState;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/suggest", get(suggest))
}

#[derive(serde::Deserialize)]
struct SuggestQuery {
    #[serde(default)]
    q: String,
}

/// `GET /api/suggest?q=…`: names starting with what was typed, for the header's search box,
/// in the plain-text form of [`wire`].
async fn suggest(State(state): State<AppState>, Query(query): Query<SuggestQuery>) -> Response {
    match super::search::suggest(&state.db, &query.q).await {
        Ok(cards) => text(wire::encode_suggestions(
            &cards
                .into_iter()
                .map(|c| wire::Suggestion {
                    id: c.id.to_string(),
                    name: c.name,
                })
                .collect::<Vec<_>>(),
        )),
        Err(e) => e.into_response(),
    }
}
