//! Server functions: the item page.

use crate::error::AppError;
use crate::items::{ItemId, ItemPageData};
use leptos::prelude::*;

/// The item page (without its comments). Its view is counted around the page request.
#[server(prefix = "/api", endpoint = "items/page")]
pub async fn get_item_page(id: ItemId) -> Result<Option<ItemPageData>, AppError> {
    let state = crate::server::state::current()?;
    let user = crate::accounts::server::current_user(&state).await?;
    crate::items::server::store::page(&state.db, id, user.map(|u| u.id)).await
}
