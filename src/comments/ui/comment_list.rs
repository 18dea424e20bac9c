//! A list of comments; the author sees a delete button on each of theirs (a plain form behind
//! a confirmation).

use crate::comments::Comment;
use crate::util::time::ago;
use leptos::prelude::*;

#[component]
pub fn CommentList(comments: Vec<Comment>, viewer_id: Option<u64>, max: usize) -> impl IntoView {
    let now = crate::util::time::now_hint();
    view! {
        {comments.is_empty().then(|| view! { <p class="muted" data-live="no-comments">"No comments yet."</p> })}
        <ul class="comment-list" data-live="comments" data-max=max.to_string()>
            {comments.into_iter().map(|c| {
                let mine = viewer_id == Some(c.author_id);
                view! {
                    <li class="comment" data-comment-id=c.id.to_string()>
                        <p class="comment-meta">
                            <a class="comment-author" href=format!("/users/{}", c.author_id)>{c.author_name.clone()}</a>
                            <span class="muted">" · "<time data-ago=c.created_ms>{ago(c.created_ms, now.unwrap_or(c.created_ms))}</time></span>
                        </p>
                        <p class="comment-text">{c.text.clone()}</p>
                        // Deleting asks first (a disclosure: works without JavaScript).
                        {mine.then(|| view! {
                            <details class="comment-delete">
                                <summary class="link-button">"Delete"</summary>
                                <form method="post" action="/api/comments/delete">
                                    <input type="hidden" name="item_id" value=c.item_id/>
                                    <input type="hidden" name="comment_id" value=c.id.to_string()/>
                                    <span>"Delete this comment for good? "</span>
                                    <button type="submit" class="button button-small button-danger">"Yes, delete"</button>
                                </form>
                            </details>
                        })}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}
