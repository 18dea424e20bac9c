//! Islands for live updates.

use leptos::prelude::*;

/// Keeps an item page (or its comments page) live: one `EventSource` on
/// `/items/{id}/events`, applying each event to the page. The browser reconnects by itself
/// after a drop and sends `Last-Event-ID`, so the server replays what was missed.
#[island(lazy)]
pub fn LiveItem(item_id: String, viewer_id: Option<u64>) -> impl IntoView {
    let connected = RwSignal::new(false);
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::closure::Closure;
            use wasm_bindgen::JsCast;
            let Ok(source) = web_sys::EventSource::new(&format!("/items/{item_id}/events")) else {
                return;
            };
            let on_event =
                Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
                    if let Some(data) = ev.data().as_string() {
                        if let Ok(event) =
                            serde_json::from_str::<crate::components::live_dom::PageEvent>(&data)
                        {
                            crate::components::live_dom::apply(&event, viewer_id);
                        }
                    }
                });
            for kind in ["bid", "views", "comment", "comment_deleted", "ended"] {
                let _ = source
                    .add_event_listener_with_callback(kind, on_event.as_ref().unchecked_ref());
            }
            on_event.forget();
            let on_open = Closure::<dyn Fn()>::new(move || connected.set(true));
            source.set_onopen(Some(on_open.as_ref().unchecked_ref()));
            on_open.forget();
            let on_error = Closure::<dyn Fn()>::new(move || connected.set(false));
            source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
            on_error.forget();
            let source = send_wrapper::SendWrapper::new(source);
            on_cleanup(move || source.close());
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (&item_id, viewer_id);
    });
    view! {
        <span class="live-dot" class:on=move || connected.get() data-live-connected=move || connected.get().to_string()>
            {move || if connected.get() { "Live" } else { "" }}
        </span>
    }
}

/// Refreshes the prices (and bid counts) on the cards of a page every few seconds, with one
/// request for all cards.
#[island(lazy)]
pub fn LivePrices() -> impl IntoView {
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        {
            let refresh = move || {
                leptos::task::spawn_local(async move {
                    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
                        return;
                    };
                    let Ok(nodes) = doc.query_selector_all("[data-live-price]") else {
                        return;
                    };
                    let mut ids: Vec<String> = (0..nodes.length())
                        .filter_map(|i| nodes.item(i))
                        .filter_map(|n| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(n).ok())
                        .filter_map(|el| el.get_attribute("data-live-price"))
                        .collect();
                    ids.sort();
                    ids.dedup();
                    if ids.is_empty() {
                        return;
                    }
                    let Ok(cards) = crate::items::api::item_cards(ids).await else {
                        return;
                    };
                    for card in cards {
                        let price = crate::util::money::format_cents(card.price_cents);
                        if let Ok(list) =
                            doc.query_selector_all(&format!("[data-live-price=\"{}\"]", card.id))
                        {
                            for i in 0..list.length() {
                                if let Some(node) = list.item(i) {
                                    node.set_text_content(Some(&price));
                                }
                            }
                        }
                    }
                });
            };
            if let Ok(handle) =
                set_interval_with_handle(refresh, std::time::Duration::from_secs(10))
            {
                on_cleanup(move || handle.clear());
            }
        }
    });
}
