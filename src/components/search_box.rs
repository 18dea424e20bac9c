//! The header search box. Without JavaScript it is a plain GET form to `/search`; once
//! hydrated it gains a clear button (and, later, suggestions as you type).

use leptos::prelude::*;

#[island]
pub fn SearchBox() -> impl IntoView {
    let query = RwSignal::new(String::new());
    let input = NodeRef::<leptos::html::Input>::new();
    view! {
        <form class="search-box" action="/search" method="get" role="search">
            <input
                node_ref=input
                type="search"
                name="q"
                placeholder="Search for anything"
                aria-label="Search items"
                maxlength="200"
                autocomplete="off"
                prop:value=move || query.get()
                on:input=move |ev| query.set(event_target_value(&ev))
            />
            <Show when=move || !query.read().is_empty()>
                <button
                    type="button"
                    class="search-clear"
                    aria-label="Clear search"
                    on:click=move |_| {
                        query.set(String::new());
                        if let Some(el) = input.get() {
                            let _ = el.focus();
                        }
                    }
                >
                    "×"
                </button>
            </Show>
            <button type="submit" class="search-submit">"Search"</button>
        </form>
    }
}
