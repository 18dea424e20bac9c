//! Server functions: like and watch. Plain form posts return to the item page.

use crate::engagement::{LikeReply, WatchReply};
use crate::error::AppError;
use crate::items::ItemId;
use leptos::prelude::*;

/// Like (`like = true`) or unlike an item.
#[server(prefix = "/api", endpoint = "items/like")]
pub async fn set_like(item_id: ItemId, like: bool) -> Result<LikeReply, AppError> {
    use crate::server::http::forms::redirect_plain_post;
    let state = crate::server::state::current()?;
    let Some(user) = crate::accounts::server::current_user(&state).await? else {
        let back = crate::accounts::sign_in_url(&format!("/items/{item_id}"));
        if redirect_plain_post(&back) {
            return Ok(LikeReply {
                liked: false,
                likes: 0,
            });
        }
        return Err(AppError::Unauthorized);
    };
    let id = item_id;
    let Some((liked, likes)) =
        crate::engagement::server::likes::set_like(&state.db, user.id, id, like).await?
    else {
        return Err(AppError::NotFound);
    };
    redirect_plain_post(&format!("/items/{id}#like"));
    Ok(LikeReply { liked, likes })
}

/// Watch (`watch = true`) or stop watching an item. Plain form posts return to the item page.
#[server(prefix = "/api", endpoint = "items/watch")]
pub async fn set_watch(item_id: ItemId, watch: bool) -> Result<WatchReply, AppError> {
    use crate::server::http::forms::redirect_plain_post;
    let state = crate::server::state::current()?;
    let Some(user) = crate::accounts::server::current_user(&state).await? else {
        let back = crate::accounts::sign_in_url(&format!("/items/{item_id}"));
        if redirect_plain_post(&back) {
            return Ok(WatchReply {
                watching: false,
                watchers: 0,
            });
        }
        return Err(AppError::Unauthorized);
    };
    let id = item_id;
    let Some((watching, watchers)) =
        crate::engagement::server::watch::set_watch(&state.db, user.id, id, watch).await?
    else {
        return Err(AppError::NotFound);
    };
    redirect_plain_post(&format!("/items/{id}#watch"));
    Ok(WatchReply { watching, watchers })
}
