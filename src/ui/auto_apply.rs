//! Island: applies a filter form as soon as one of its choices (a list, a check box) changes.
//! Without JavaScript the form keeps its "Apply" button; once hydrated the button is hidden
//! and a change submits the form (an ordinary GET, so the address still says what is shown).
//! Typed fields apply with Enter or a button of their own.

use leptos::prelude::*;

/// Put inside the form, in place of its submit button (`label`).
#[island(lazy)]
pub fn AutoApply(label: String) -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::server::assets::preload_island("auto_apply");
    let hydrated = RwSignal::new(false);
    let button = NodeRef::<leptos::html::Button>::new();
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::closure::Closure;
            use wasm_bindgen::JsCast;
            let Some(form) = button.get().and_then(|b| b.form()) else {
                return;
            };
            let target = form.clone();
            // A choice (a list, a box) applies at once; typed text (a price) waits for Enter
            // or the form's own button: a page reload between two fields would lose the second.
            let on_change = Closure::<dyn Fn(web_sys::Event)>::new(move |ev: web_sys::Event| {
                let typed = ev
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
                    .is_some_and(|input| !matches!(input.type_().as_str(), "checkbox" | "radio"));
                if !typed {
                    let _ = target.request_submit();
                }
            });
            let _ =
                form.add_event_listener_with_callback("change", on_change.as_ref().unchecked_ref());
            on_change.forget();
            hydrated.set(true);
        }
    });
    view! {
        <button
            type="submit"
            class="button button-small"
            node_ref=button
            hidden=move || hydrated.get()
            data-auto-apply=move || hydrated.get().then_some("on")
        >
            {label}
        </button>
    }
}
