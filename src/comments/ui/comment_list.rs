//! Island (lazy): a list of comments, newest first, kept current by what the page hears
//! (`live::ui::bus`): new comments (anyone's, and the viewer's own at once) go on top, deleted
//! ones go. The author sees a delete button on each of theirs (a plain form behind a
//! confirmation).

use crate::comments::{Comment, CommentEvent};
use crate::live::ui::bus::{listen, Heard};
use crate::util::id::UserId;
use crate::util::time::ago;
use leptos::prelude::*;

/// `count`: the item's comments in all; `max`: how many the list shows; `newest`: the list
/// starts with the newest comment (new ones go on top; on an older page they do not belong).
#[island(lazy)]
pub fn CommentList(
    comments: Vec<Comment>,
    count: i64,
    viewer_id: Option<UserId>,
    max: usize,
    newest: bool,
) -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::server::assets::preload_island("comment_list");
    let now = crate::util::time::now_hint();
    let comments = RwSignal::new(comments);
    let count = RwSignal::new(count);
    let add = move |comment: &Comment| {
        comments.update(|list| {
            if list.iter().all(|c| c.id != comment.id) {
                list.insert(0, comment.clone());
                list.truncate(max);
            }
        });
    };
    listen(move |heard| {
        if let Heard::Comment(
            CommentEvent::Comment { count: now, .. }
            | CommentEvent::CommentDeleted { count: now, .. },
        ) = heard
        {
            count.set(*now);
        }
        match heard {
            Heard::Comment(CommentEvent::Comment { comment, .. }) | Heard::OwnComment(comment)
                if newest =>
            {
                add(comment)
            }
            Heard::Comment(CommentEvent::CommentDeleted { id, .. }) => {
                comments.update(|list| list.retain(|c| c.id != *id));
            }
            _ => {}
        }
    });
    view! {
        <p class="muted comments-total">
            <span data-live="comment-count">{move || count.get()}</span>
            {move || if count.get() == 1 { " comment" } else { " comments" }}
        </p>
        <Show when=move || comments.with(Vec::is_empty)>
            <p class="muted" data-live="no-comments">"No comments yet."</p>
        </Show>
        <ul class="comment-list" data-live="comments">
            <For
                each=move || comments.get()
                key=|c| c.id
                children=move |c| {
                    let mine = viewer_id == Some(c.author_id);
                    view! { <CommentItem comment=c mine now_ms=now/> }
                }
            />
        </ul>
    }
}

/// One comment: author, when, the text, and for its author a delete button behind a
/// confirmation (a disclosure: works without JavaScript); for anyone else, a link to report it.
#[component]
fn CommentItem(comment: Comment, mine: bool, now_ms: Option<i64>) -> impl IntoView {
    let c = comment;
    // A comment newer than the page's clock (heard live) is "just now".
    let now = now_ms.unwrap_or(c.created_ms).max(c.created_ms);
    view! {
        <li class="comment" id=format!("comment-{}", c.id) data-comment-id=c.id.to_string()>
            <p class="comment-meta">
                <a class="comment-author" href=format!("/users/{}", c.author_id)>{c.author_name.clone()}</a>
                <span class="muted">" · "<time data-ago=c.created_ms>{ago(c.created_ms, now)}</time></span>
            </p>
            <p class="comment-text">{c.text.clone()}</p>
            {(!mine).then(|| {
                let target = crate::moderation::Target::Comment(c.item_id, c.id);
                view! {
                    <a class="comment-report muted" href=crate::moderation::report_url(&target)>"Report"</a>
                }
            })}
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
}
