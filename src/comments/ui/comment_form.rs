//! Island: the add-comment form. A plain form post without JavaScript; once hydrated it
//! posts in place, shows refusals inline and tells the page (`live::ui::bus`), so the new
//! comment is at the top of the list at once.

use crate::comments::api::{add_comment, CommentReply};
use crate::ui::forms::PostForm;
use crate::util::problem::Problem as _;
use leptos::prelude::*;

#[island(lazy)]
pub fn CommentForm(
    item_id: crate::items::ItemId,
    message: Option<String>,
    text: String,
) -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::server::assets::preload_island("comment_form");
    let text = RwSignal::new(text);
    // Without JavaScript a refused comment comes back with the field focused.
    let refused_before = message.is_some();
    let message = RwSignal::new(message);
    let refuse = move |why: String| {
        message.set(Some(why));
        #[cfg(feature = "hydrate")]
        crate::ui::focus::first_problem("#add-comment");
    };
    let busy = RwSignal::new(false);
    let id = item_id;
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if let Err(problem) = crate::comments::clean_comment(&text.get_untracked()) {
            refuse(problem.message());
            return;
        }
        busy.set(true);
        let (id, body) = (id, text.get_untracked());
        leptos::task::spawn_local(async move {
            let reply = add_comment(id, body).await;
            busy.set(false);
            match reply {
                Ok(CommentReply::Added(comment)) => {
                    text.set(String::new());
                    message.set(None);
                    // The list shows it at once (its live event follows, for every viewer).
                    #[cfg(feature = "hydrate")]
                    crate::live::ui::bus::publish(crate::live::ui::bus::Heard::OwnComment(comment));
                    #[cfg(not(feature = "hydrate"))]
                    let _ = comment;
                }
                Ok(CommentReply::Rejected(why)) => refuse(why),
                Ok(CommentReply::Deleted) => {}
                Err(e) => refuse(e.to_string()),
            }
        });
    };
    view! {
        <PostForm class="comment-form" id="add-comment" action="/api/comments/add" on_submit>
            <input type="hidden" name="item_id" value=item_id/>
            <label for="comment-text">"Add a comment"</label>
            <textarea
                id="comment-text"
                name="text"
                rows="3"
                maxlength=crate::comments::COMMENT_MAX
                placeholder="Ask the seller a question or share a thought"
                prop:value=move || text.get()
                on:input=move |ev| text.set(event_target_value(&ev))
                aria-describedby="comment-message"
                aria-invalid=move || if message.with(Option::is_some) { "true" } else { "false" }
                autofocus=refused_before
            >
                // Textarea content is written without Leptos' escaping: escape it here.
                {crate::util::text::escape_html(&text.get_untracked())}
            </textarea>
            <p id="comment-message" class="field-error" role="status">{move || message.get()}</p>
            <button type="submit" class="button" disabled=move || busy.get()>
                {move || if busy.get() { "Posting…" } else { "Post comment" }}
            </button>
        </PostForm>
    }
}
