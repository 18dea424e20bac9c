//! Island: the header search box. Without JavaScript it is a plain GET form to `/search`;
//! once hydrated it is an ARIA combobox: suggestions as you type (debounced, only the newest
//! answer shown), reachable with the arrow keys, Enter opens the highlighted one, Escape
//! closes the list, and a clear button.
//!
//! It is on every page, so it is part of the main bundle and takes no props: props travel as
//! JSON, which would put a JSON parser in the bundle every page downloads. The input is left
//! uncontrolled (the server writes the current query into it; the browser owns it after).

use leptos::prelude::*;

const LIST_ID: &str = "search-suggestions";

fn option_id(i: usize) -> String {
    format!("search-suggestion-{i}")
}

/// The search text when on `/search`, so the header box keeps it (server only: the browser
/// finds it already in the input).
fn initial_query() -> String {
    #[cfg(feature = "ssr")]
    {
        let query = leptos_router::hooks::use_query_map();
        query.with_untracked(|q| q.get("q").unwrap_or_default().chars().take(200).collect())
    }
    #[cfg(not(feature = "ssr"))]
    String::new()
}

#[island]
pub fn SearchBox() -> impl IntoView {
    let suggestions = RwSignal::new(Vec::<(String, String)>::new());
    // The highlighted suggestion (arrow keys), if any.
    let active = RwSignal::new(None::<usize>);
    // Whether the input holds text (shows the clear button, which only works hydrated).
    let has_text = RwSignal::new(false);
    let input = NodeRef::<leptos::html::Input>::new();
    // Each keystroke bumps the generation; only the newest request's answer is shown.
    let generation = StoredValue::new(0u64);
    let close = move || {
        suggestions.set(Vec::new());
        active.set(None);
    };
    // After hydration: a query the server wrote into the input shows the clear button.
    Effect::new(move |_| {
        if let Some(el) = input.get() {
            has_text.set(!el.value().is_empty());
        }
    });

    let on_input = move |ev| {
        let text = event_target_value(&ev);
        has_text.set(!text.is_empty());
        generation.update_value(|g| *g += 1);
        let mine = generation.get_value();
        if text.trim().chars().count() < 2 {
            close();
            return;
        }
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            // A short pause so fast typing sends one request, not one per key.
            crate::ui::fetch::sleep(150).await;
            if generation.get_value() != mine {
                return;
            }
            let url = format!(
                "/api/suggest?q={}",
                crate::util::url::encode_query_value(&text)
            );
            let found = crate::ui::fetch::get_text(&url)
                .await
                .map(|body| {
                    crate::items::wire::decode_suggestions(&body)
                        .into_iter()
                        .map(|s| (s.id, s.name))
                        .collect()
                })
                .unwrap_or_default();
            if generation.get_value() == mine {
                active.set(None);
                suggestions.set(found);
            }
        });
        #[cfg(not(feature = "hydrate"))]
        let _ = mine;
    };

    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        let count = suggestions.with(Vec::len);
        match ev.key().as_str() {
            // With the list open, Escape only closes it (not the browser's clear-the-field).
            "Escape" if count > 0 => {
                ev.prevent_default();
                close();
            }
            "ArrowDown" | "ArrowUp" if count > 0 => {
                ev.prevent_default();
                let down = ev.key() == "ArrowDown";
                active.update(|a| {
                    *a = Some(match (*a, down) {
                        (None, true) => 0,
                        (None, false) => count - 1,
                        (Some(i), true) => (i + 1) % count,
                        (Some(i), false) => (i + count - 1) % count,
                    })
                });
            }
            "Enter" => {
                let chosen = active
                    .get_untracked()
                    .and_then(|i| suggestions.with_untracked(|s| s.get(i).cloned()));
                if let Some((id, _)) = chosen {
                    ev.prevent_default();
                    let _ = window().location().set_href(&format!("/items/{id}"));
                }
            }
            _ => {}
        }
    };

    view! {
        <form class="search-box" action="/search" method="get" role="search">
            <input
                node_ref=input
                type="search"
                name="q"
                placeholder="Search for anything"
                aria-label="Search items"
                role="combobox"
                aria-autocomplete="list"
                aria-controls=LIST_ID
                aria-expanded=move || (!suggestions.read().is_empty()).to_string()
                aria-activedescendant=move || active.get().map(option_id)
                maxlength=crate::items::MAX_QUERY_CHARS
                autocomplete="off"
                value=initial_query()
                on:input=on_input
                on:keydown=on_keydown
            />
            <button
                type="button"
                class="search-clear"
                aria-label="Clear search"
                hidden=move || !has_text.get()
                on:click=move |_| {
                    has_text.set(false);
                    close();
                    if let Some(el) = input.get() {
                        el.set_value("");
                        let _ = el.focus();
                    }
                }
            >
                "×"
            </button>
            <button type="submit" class="search-submit">"Search"</button>
            <ul
                class="suggestions"
                id=LIST_ID
                role="listbox"
                aria-label="Suggestions"
                hidden=move || suggestions.read().is_empty()
            >
                {move || {
                    suggestions
                        .get()
                        .into_iter()
                        .enumerate()
                        .map(|(i, (id, name))| {
                            let selected = move || active.get() == Some(i);
                            view! {
                                <li
                                    role="option"
                                    id=option_id(i)
                                    aria-selected=move || selected().to_string()
                                    class:active=selected
                                >
                                    <a href=format!("/items/{id}") tabindex="-1">{name}</a>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
        </form>
    }
}
