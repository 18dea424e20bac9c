//! Island: like / unlike with the count. A form post without JavaScript.

use crate::engagement::api::set_like;
use leptos::prelude::*;

#[island(lazy)]
pub fn LikeButton(
    item_id: crate::items::ItemId,
    liked: bool,
    likes: i64,
    signed_in: bool,
) -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::server::assets::preload_island("like_button");
    let liked = RwSignal::new(liked);
    let likes = RwSignal::new(likes);
    let busy = RwSignal::new(false);
    let id = item_id;
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        if !signed_in {
            return; // let the form post go through: the server sends to sign-in
        }
        ev.prevent_default();
        busy.set(true);
        let (id, want) = (id, !liked.get_untracked());
        leptos::task::spawn_local(async move {
            if let Ok(reply) = set_like(id, want).await {
                liked.set(reply.liked);
                likes.set(reply.likes);
            }
            busy.set(false);
        });
    };
    view! {
        <form class="like-form" id="like" method="post" action="/api/items/like" on:submit=on_submit>
            <input type="hidden" name="item_id" value=item_id/>
            <input type="hidden" name="like" prop:value=move || (!liked.get()).to_string() value=(!liked.get_untracked()).to_string()/>
            <button
                type="submit"
                class="like-button"
                class:liked=move || liked.get()
                aria-pressed=move || liked.get().to_string()
                disabled=move || busy.get()
            >
                <span aria-hidden="true">{move || if liked.get() { "♥" } else { "♡" }}</span>
                {move || if liked.get() { " Liked" } else { " Like" }}
            </button>
            <span class="like-count">{move || likes.get()}" "{move || if likes.get() == 1 { "like" } else { "likes" }}</span>
        </form>
    }
}
