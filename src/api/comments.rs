//! Comments: the comments page, add, delete. Plain form posts get redirects with result codes.

use crate::comments::{Comment, CommentPage};
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CommentReply {
    Added(Comment),
    Deleted,
    Rejected(String),
}

#[server(prefix = "/api", endpoint = "comments/page")]
pub async fn get_comments(item_id: String, page: usize) -> Result<Option<CommentPage>, AppError> {
    use crate::server::{comments, items, request, search};
    let state = super::state()?;
    let Some(item_name) = items::name(&state.db, &item_id).await? else {
        return Ok(None);
    };
    let viewer = request::current_user(&state).await?;
    let page = page.clamp(1, 10_000);
    let (total, list) = comments::list(
        &state.db,
        &item_id,
        (page - 1) * comments::PAGE_SIZE,
        comments::PAGE_SIZE,
    )
    .await?;
    Ok(Some(CommentPage {
        item_id,
        item_name,
        total,
        page,
        comments: list,
        viewer_id: viewer.map(|u| u.id),
        now_ms: search::now_ms(),
    }))
}

#[server(prefix = "/api", endpoint = "comments/add")]
pub async fn add_comment(item_id: String, text: String) -> Result<CommentReply, AppError> {
    use crate::comments::CommentProblem;
    use crate::server::{comments, request};
    let state = super::state()?;
    let Some(user) = request::current_user(&state).await? else {
        return Ok(flow::answer(
            &item_id,
            Err(CommentProblem::SignIn),
            Some(&text),
        ));
    };
    let added = comments::add(
        &state.db,
        state.config.comment_limit,
        &item_id,
        user.id,
        &user.username,
        &text,
    )
    .await?;
    Ok(flow::answer(
        &item_id,
        added.map(CommentReply::Added),
        Some(&text),
    ))
}

#[server(prefix = "/api", endpoint = "comments/delete")]
pub async fn delete_comment(item_id: String, comment_id: u64) -> Result<CommentReply, AppError> {
    use crate::comments::CommentProblem;
    use crate::server::{comments, request};
    let state = super::state()?;
    let Some(user) = request::current_user(&state).await? else {
        return Ok(flow::answer(&item_id, Err(CommentProblem::SignIn), None));
    };
    let deleted = comments::delete(&state.db, &item_id, comment_id, user.id).await?;
    Ok(flow::answer(
        &item_id,
        deleted.map(|()| CommentReply::Deleted),
        None,
    ))
}

#[cfg(feature = "ssr")]
mod flow {
    use super::CommentReply;
    use crate::comments::CommentProblem;
    use crate::server::{items, request};

    /// The reply for the island, and for a plain form post a redirect back to the comments
    /// page (with the problem code and the typed text when refused).
    pub fn answer(
        item_id: &str,
        result: Result<CommentReply, CommentProblem>,
        text: Option<&str>,
    ) -> CommentReply {
        if request::is_plain_form_post() {
            let id = if items::valid_id(item_id) {
                item_id
            } else {
                ""
            };
            leptos_axum::redirect(&match (&result, text) {
                (Ok(_), _) => format!("/items/{id}/comments#comments"),
                (Err(p), Some(text)) => format!(
                    "/items/{id}/comments?c_error={}&text={}#add-comment",
                    p.code(),
                    crate::accounts::encode_query_value(
                        &text.chars().take(1000).collect::<String>()
                    )
                ),
                (Err(p), None) => format!("/items/{id}/comments?c_error={}#comments", p.code()),
            });
        }
        result.unwrap_or_else(|p| CommentReply::Rejected(p.message()))
    }
}
