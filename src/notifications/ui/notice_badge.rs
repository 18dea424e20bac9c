//! The header's notifications link with its unread count, kept live.

use leptos::prelude::*;

/// "Notifications" with the unread count, updated live: one `EventSource` on
/// `/api/live/me`, whose `notice` events carry `{"unread": n}` (the current count first, then
/// every change, from whichever instance wrote it). Without JavaScript the server-rendered
/// count is shown. Only signed-in pages render it, so anonymous pages never load its chunk.
#[island(lazy)]
pub fn NoticeBadge(unread: u32) -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::server::assets::preload_island("notice_badge");
    let count = RwSignal::new(unread);
    let connected = RwSignal::new(false);
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::closure::Closure;
            use wasm_bindgen::JsCast;
            let Ok(source) = web_sys::EventSource::new("/api/live/me") else {
                return;
            };
            let on_notice =
                Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
                    if let Some(n) = ev.data().as_string().as_deref().and_then(unread_of) {
                        count.set(n);
                        crate::live::ui::bus::publish(crate::live::ui::bus::Heard::Unread(n));
                    }
                });
            let _ = source
                .add_event_listener_with_callback("notice", on_notice.as_ref().unchecked_ref());
            on_notice.forget();
            crate::live::ui::live::keep_open(source, connected);
        }
    });
    let label = move || match count.get() {
        0 => "Notifications".to_string(),
        1 => "Notifications, 1 unread".to_string(),
        n => format!("Notifications, {n} unread"),
    };
    view! {
        <a class="nav-link nav-notices" href="/notifications" aria-label=label data-unread=move || count.get()
            data-notices-connected=move || connected.get().to_string()>
            <svg class="bell" aria-hidden="true" viewBox="0 0 24 24" width="22" height="22">
                <path d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2z" fill="currentColor"/>
            </svg>
            <span class="notice-count" aria-hidden="true" hidden=move || count.get() == 0>
                {move || count.get().to_string()}
            </span>
        </a>
    }
}

/// The count in `{"unread":3}` (no JSON parser needed for one number).
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
fn unread_of(data: &str) -> Option<u32> {
    let rest = data.split("\"unread\"").nth(1)?;
    let digits: String = rest
        .trim_start_matches([':', ' '])
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_count_is_read_from_the_event() {
        assert_eq!(super::unread_of(r#"{"unread":12}"#), Some(12));
        assert_eq!(super::unread_of(r#"{"unread": 0}"#), Some(0));
        assert_eq!(super::unread_of("{}"), None);
    }
}
