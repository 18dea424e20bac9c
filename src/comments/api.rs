//! Server functions: the comments page, add, delete. Plain form posts get redirects back to
//! the comments page with result codes.

use crate::comments::{Comment, CommentPage};
use crate::error::AppError;
use crate::items::ItemId;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CommentReply {
    Added(Comment),
    Deleted,
    Rejected(String),
}

/// A page of an item's comments (newest first); `None` for an unknown item.
#[server(prefix = "/api", endpoint = "comments/page")]
pub async fn get_comments(item_id: ItemId, page: usize) -> Result<Option<CommentPage>, AppError> {
    use crate::comments::PAGE_SIZE;
    let state = crate::server::state::current()?;
    let item = item_id;
    let Some(item_name) = crate::items::server::store::listed_name(&state.db, item).await? else {
        return Ok(None);
    };
    let viewer = crate::accounts::server::current_user(&state).await?;
    let page = page.clamp(1, 10_000);
    let (total, list) =
        crate::comments::server::list(&state.db, item, (page - 1) * PAGE_SIZE, PAGE_SIZE).await?;
    Ok(Some(CommentPage {
        item_id,
        item_name,
        total,
        page,
        comments: list,
        viewer_id: viewer.map(|u| u.id),
        now_ms: crate::util::time::now_ms(),
    }))
}

/// The newest comments of an item and their total, for the item page.
#[server(prefix = "/api", endpoint = "comments/latest")]
pub async fn latest_comments(item_id: ItemId) -> Result<(u64, Vec<Comment>), AppError> {
    let state = crate::server::state::current()?;
    let item = item_id;
    crate::comments::server::list(&state.db, item, 0, crate::comments::LATEST).await
}

#[server(prefix = "/api", endpoint = "comments/add")]
pub async fn add_comment(item_id: ItemId, text: String) -> Result<CommentReply, AppError> {
    use crate::comments::CommentProblem;
    let state = crate::server::state::current()?;
    let Some(user) = crate::accounts::server::current_user(&state).await? else {
        return Ok(flow::answer(
            item_id,
            Err(CommentProblem::SignIn),
            Some(&text),
        ));
    };
    let item = item_id;
    let added = crate::comments::server::add(
        &state.db,
        state.config.comment_limit,
        item,
        user.id,
        &user.username,
        &text,
    )
    .await?;
    if added.is_ok() {
        crate::comments::server::notify_seller(&state.db, item, user.id, &user.username);
    }
    Ok(flow::answer(
        item_id,
        added.map(CommentReply::Added),
        Some(&text),
    ))
}

#[server(prefix = "/api", endpoint = "comments/delete")]
pub async fn delete_comment(item_id: ItemId, comment_id: u64) -> Result<CommentReply, AppError> {
    use crate::comments::CommentProblem;
    let state = crate::server::state::current()?;
    let Some(user) = crate::accounts::server::current_user(&state).await? else {
        return Ok(flow::answer(item_id, Err(CommentProblem::SignIn), None));
    };
    let item = item_id;
    let deleted = crate::comments::server::delete(&state.db, item, comment_id, user.id).await?;
    Ok(flow::answer(
        item_id,
        deleted.map(|()| CommentReply::Deleted),
        None,
    ))
}

#[cfg(feature = "ssr")]
mod flow {
    use super::CommentReply;
    use crate::comments::{CommentEcho, CommentProblem, COMMENT_PROBLEM_PARAM};
    use crate::items::ItemId;
    use crate::server::http::forms::redirect_plain_post;
    use crate::util::echo;
    use crate::util::problem::Problem as _;

    /// The reply for the island, and for a plain form post a redirect back to the comments
    /// page (with the problem code and the typed text when refused).
    pub fn answer(
        id: ItemId,
        result: Result<CommentReply, CommentProblem>,
        text: Option<&str>,
    ) -> CommentReply {
        let page = format!("/items/{id}/comments");
        redirect_plain_post(&match (&result, text) {
            (Ok(_), _) => format!("{page}#comments"),
            (Err(p), Some(text)) => echo::url(
                &page,
                (COMMENT_PROBLEM_PARAM, &p.code()),
                CommentEcho { text: text.into() },
                "add-comment",
            ),
            (Err(p), None) => echo::url(&page, (COMMENT_PROBLEM_PARAM, &p.code()), (), "comments"),
        });
        result.unwrap_or_else(|p| CommentReply::Rejected(p.message()))
    }
}
