//! What forms share: a plain `POST` form that works without JavaScript, whose island takes
//! over the submit once it has hydrated, and says so with `data-hydrated="true"` (the browser
//! tests wait for it before they type); and one labelled text field with its problem under it.

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

/// One labelled text input with its problem under it. The sign-in island's fields (each problem
/// a signal the island sets as you type) and the server-rendered forms' (a problem read from
/// the refused post's address) are this one piece of markup.
#[component]
pub fn Field(
    /// The input's id, unique on the page; `field-<name>` when not given.
    #[prop(optional, into)]
    id: Option<String>,
    name: &'static str,
    label: &'static str,
    /// The input's `type`.
    #[prop(default = "text")]
    kind: &'static str,
    autocomplete: &'static str,
    /// `maxlength`: the limit constant the server checks.
    max: usize,
    #[prop(optional)] required: bool,
    /// What the server fills in (the username after a refused plain post).
    #[prop(optional, into)]
    value: Option<String>,
    #[prop(optional)] input: NodeRef<leptos::html::Input>,
    /// Focus as the page loads (the first problem of a refused plain post).
    #[prop(optional)]
    autofocus: bool,
    /// The field's problem, in words; `None` while there is none.
    #[prop(into)]
    error: Signal<Option<String>>,
) -> impl IntoView {
    let id = id.unwrap_or_else(|| format!("field-{name}"));
    let error_id = format!("{name}-error");
    view! {
        <div class="field" class:invalid=move || error.read().is_some()>
            <label for=id.clone()>{label}</label>
            <input
                id=id
                name=name
                type=kind
                autocomplete=autocomplete
                maxlength=max
                required=required
                value=value
                node_ref=input
                autofocus=autofocus
                aria-invalid=move || if error.read().is_some() { "true" } else { "false" }
                aria-describedby=error_id.clone()
            />
            <p class="field-error" id=error_id>{move || error.get()}</p>
        </div>
    }
}
