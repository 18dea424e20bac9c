//! Island: applies a filter form as soon as one of its choices changes. Without JavaScript
//! the form keeps its "Apply" button; once hydrated the button is hidden and a change submits
//! the form (an ordinary GET, so the address still says what is shown).

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
            let on_change = Closure::<dyn Fn()>::new(move || {
                let _ = target.request_submit();
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
