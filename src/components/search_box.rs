//! The header search box. Without JavaScript it is a plain GET form to `/search`; once
//! hydrated it gains a clear button and suggestions as you type.

use crate::items::api::suggest_items;
use leptos::prelude::*;

#[island]
pub fn SearchBox(initial: String) -> impl IntoView {
    let query = RwSignal::new(initial.clone());
    let suggestions = RwSignal::new(Vec::<(String, String)>::new());
    let input = NodeRef::<leptos::html::Input>::new();
    // Each keystroke bumps the generation; only the newest request's answer is shown.
    let generation = StoredValue::new(0u64);

    let on_input = move |ev| {
        let text = event_target_value(&ev);
        query.set(text.clone());
        generation.update_value(|g| *g += 1);
        let mine = generation.get_value();
        if text.trim().chars().count() < 2 {
            suggestions.set(Vec::new());
            return;
        }
        leptos::task::spawn_local(async move {
            // A short pause so fast typing sends one request, not one per key.
            gloo_timers_sleep(150).await;
            if generation.get_value() != mine {
                return;
            }
            let found = suggest_items(text).await.unwrap_or_default();
            if generation.get_value() == mine {
                suggestions.set(found);
            }
        });
    };

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
                value=initial
                prop:value=move || query.get()
                on:input=on_input
                on:keydown=move |ev| {
                    if ev.key() == "Escape" {
                        suggestions.set(Vec::new());
                    }
                }
            />
            <Show when=move || !query.read().is_empty()>
                <button
                    type="button"
                    class="search-clear"
                    aria-label="Clear search"
                    on:click=move |_| {
                        query.set(String::new());
                        suggestions.set(Vec::new());
                        if let Some(el) = input.get() {
                            let _ = el.focus();
                        }
                    }
                >
                    "×"
                </button>
            </Show>
            <button type="submit" class="search-submit">"Search"</button>
            <Show when=move || !suggestions.read().is_empty()>
                <ul class="suggestions" role="listbox" aria-label="Suggestions">
                    <For each=move || suggestions.get() key=|(id, _)| id.clone() let:pair>
                        <li role="option">
                            <a href=format!("/items/{}", pair.0)>{pair.1}</a>
                        </li>
                    </For>
                </ul>
            </Show>
        </form>
    }
}

/// Resolves after `ms` milliseconds (browser timer).
async fn gloo_timers_sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ = window().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}
