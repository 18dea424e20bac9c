//! What the forms that submit in place share: a plain `POST` form that works without
//! JavaScript, whose island takes over the submit once it has hydrated, and says so with
//! `data-hydrated="true"` (the browser tests wait for it before they type).

use leptos::ev::SubmitEvent;
use leptos::prelude::*;

/// `data-hydrated`'s value: `"true"` once the island around the form has hydrated.
pub fn hydrated_flag() -> impl Fn() -> Option<&'static str> + Copy + Send + Sync + 'static {
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    move || hydrated.get().then_some("true")
}

/// A `POST` form to `action`, submitted in place by `on_submit` once hydrated.
#[component]
pub fn PostForm(
    class: &'static str,
    /// The form's id, where a page links to it or focuses in it (`#bid`).
    #[prop(optional)]
    id: Option<&'static str>,
    #[prop(into)] action: String,
    on_submit: impl FnMut(SubmitEvent) + Send + 'static,
    children: Children,
) -> impl IntoView {
    view! {
        <form
            class=class
            id=id
            method="post"
            action=action
            novalidate
            on:submit=on_submit
            data-hydrated=hydrated_flag()
        >
            {children()}
        </form>
    }
}
