//! Server functions: the item page.

use crate::error::AppError;
use crate::items::{ItemId, ItemPageData};
use leptos::prelude::*;

/// The item page (without its comments). Its view is counted around the page request. A
/// listing a moderator hid is not found, but by its seller and the moderators.
#[server(prefix = "/api", endpoint = "items/page")]
pub async fn get_item_page(id: ItemId) -> Result<Option<ItemPageData>, AppError> {
    let state = crate::server::state::current()?;
    let user = crate::accounts::server::current_user(&state).await?;
    let page =
        crate::items::server::store::page(&state.db, id, user.as_ref().map(|u| u.id)).await?;
    Ok(page.filter(|page| {
        page.item.removed.is_none()
            || user.as_ref().is_some_and(|u| {
                u.id == page.item.seller_id || state.config.admins.contains(&u.username)
            })
    }))
}
