//! Islands for live updates.

use leptos::prelude::*;

/// Keeps an item page (or its comments page) live: one `EventSource` on
/// `/items/{id}/events`, handing each event to the page's islands ([`bus`](super::bus)). The
/// browser reconnects by itself after a drop and sends `Last-Event-ID`, so the server replays
/// what was missed. It shows "Live" while connected and bidding is open, and the item's view
/// count when given one (the item page; the comments page has none).
#[island(lazy)]
pub fn LiveItem(item_id: crate::items::ItemId, ended: bool, views: Option<i64>) -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::server::assets::preload_island("live_item");
    let connected = RwSignal::new(false);
    // "Live" means bidding is open and updates arrive; an ended auction (or one that ends
    // while the page is open) no longer says so, though comments still arrive.
    let ended = RwSignal::new(ended);
    let views = RwSignal::new(views);
    super::bus::listen(move |heard| {
        if let super::bus::Heard::Item(crate::items::ItemEvent::Views { views: now }) = heard {
            if views.get_untracked().is_some() {
                views.set(Some(*now));
            }
        }
    });
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
                        if let Ok(heard) = serde_json::from_str::<super::bus::Heard>(&data) {
                            super::bus::publish(heard);
                        }
                    }
                });
            for kind in ["bid", "views", "comment", "comment_deleted", "ended"] {
                let _ = source
                    .add_event_listener_with_callback(kind, on_event.as_ref().unchecked_ref());
            }
            on_event.forget();
            // The price chart is drawn by the server, in UTC for everyone: fetch it in the
            // browser's time zone now, and again after bids (one fetch at a time; bids during it
            // are in the next).
            let zone = crate::ui::fetch::zone_param();
            let chart_url = format!("/items/{item_id}/chart?{}", zone.as_deref().unwrap_or(""));
            let fetching = std::rc::Rc::new(std::cell::Cell::new(false));
            let refresh = move || {
                if fetching.replace(true) {
                    return;
                }
                let (fetching, url) = (fetching.clone(), chart_url.clone());
                leptos::task::spawn_local(async move {
                    crate::ui::fetch::sleep(300).await;
                    fetching.set(false);
                    swap_html(&url, CHART).await;
                });
            };
            if zone.is_some() {
                refresh();
            }
            let on_bid = Closure::<dyn Fn()>::new(refresh);
            let _ = source.add_event_listener_with_callback("bid", on_bid.as_ref().unchecked_ref());
            on_bid.forget();
            let on_ended = Closure::<dyn Fn()>::new(move || ended.set(true));
            let _ =
                source.add_event_listener_with_callback("ended", on_ended.as_ref().unchecked_ref());
            on_ended.forget();
            keep_open(source, connected);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = &item_id;
    });
    view! {
        {move || views.get().map(|n| view! {
            <span class="views" data-testid="views" data-live="views">{crate::util::time::plural(n, "view", "views")}</span>
        })}
        <span class="live-dot" class:on=move || connected.get() && !ended.get() data-live-connected=move || connected.get().to_string()>
            {move || if connected.get() && !ended.get() { "Live" } else { "" }}
        </span>
    }
}

/// Keeps server-rendered panels live (the seller dashboard, an item's drill-down, the market
/// board): one `EventSource` on `events`; each `stats` ping (at most about one a second per
/// shard) fetches the panels again from `fragment` (HTML rendered by the server, the same as
/// in the page) into the element with id [`LIVE_PANELS_ID`]. A second fetch follows a moment
/// later, for events whose ping was merged into the first; a reconnect fetches too, for what
/// happened while disconnected. No chart code ships to the browser. With `browser_zone` the
/// panels are fetched in the browser's time zone at once (the page shows UTC until then).
#[island(lazy)]
pub fn LivePanels(events: String, fragment: String, browser_zone: bool) -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::server::assets::preload_island("live_panels");
    let connected = RwSignal::new(false);
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        {
            use std::cell::Cell;
            use std::rc::Rc;
            use wasm_bindgen::closure::Closure;
            use wasm_bindgen::JsCast;
            let Ok(source) = web_sys::EventSource::new(&events) else {
                return;
            };
            let scheduled = Rc::new(Cell::new(false));
            let zone = browser_zone.then(crate::ui::fetch::zone_param).flatten();
            let fragment = match &zone {
                Some(tz) if fragment.contains('?') => format!("{fragment}&{tz}"),
                Some(tz) => format!("{fragment}?{tz}"),
                None => fragment.clone(),
            };
            let refresh = move || {
                if scheduled.replace(true) {
                    return;
                }
                let (scheduled, fragment) = (scheduled.clone(), fragment.clone());
                leptos::task::spawn_local(async move {
                    swap_html(&fragment, PANELS).await;
                    crate::ui::fetch::sleep(1_200).await;
                    scheduled.set(false);
                    swap_html(&fragment, PANELS).await;
                });
            };
            if zone.is_some() {
                refresh();
            }
            let on_ping = Closure::<dyn Fn()>::new(refresh.clone());
            let _ =
                source.add_event_listener_with_callback("stats", on_ping.as_ref().unchecked_ref());
            on_ping.forget();
            let opened_before = Rc::new(Cell::new(false));
            let on_open = Closure::<dyn Fn()>::new(move || {
                if opened_before.replace(true) {
                    refresh();
                }
            });
            let _ =
                source.add_event_listener_with_callback("open", on_open.as_ref().unchecked_ref());
            on_open.forget();
            keep_open(source, connected);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (&events, &fragment, browser_zone);
    });
    view! {
        <span class="live-dot" class:on=move || connected.get() data-live-connected=move || connected.get().to_string()>
            {move || if connected.get() { "Live" } else { "" }}
        </span>
    }
}

/// Fetches server-rendered HTML (panels, a chart: the server escapes every text in it) and
/// puts it in the element matched by `selector`; nothing is fetched for a page without one
/// (the comments page has no chart).
#[cfg(feature = "hydrate")]
async fn swap_html(url: &str, selector: &str) {
    let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector(selector).ok().flatten())
    else {
        return;
    };
    if let Some(html) = crate::ui::fetch::get_text(url).await {
        el.set_inner_html(&html);
    }
}

/// The id of the element whose content [`LivePanels`] replaces.
pub const LIVE_PANELS_ID: &str = "live-panels";
#[cfg(feature = "hydrate")]
const PANELS: &str = "#live-panels";
/// The element holding an item page's price chart (`items::ui::price_chart`).
#[cfg(feature = "hydrate")]
const CHART: &str = "[data-live=\"chart\"]";

/// Keeps the times and numbers of a page current: every countdown (`data-ends-at`) ticks each
/// second on the server's clock and turns to "Ended" on time, and the cards' prices and bid
/// counts are refreshed every few seconds with one plain request for all of them
/// (`/api/prices`). It sits in the footer of every page, so it belongs to the main bundle: it
/// takes no props (no JSON parser) and finds everything through `data-*` marks, including the
/// server's clock when the page was rendered (the footer's [`SERVER_CLOCK_ID`] element): the
/// browser measures its offset once, so a wrong client clock does not move the countdowns.
#[island]
pub fn PageTicker() -> impl IntoView {
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        {
            // Written by the footer, outside the island, so hydration leaves it alone.
            let Some(server_now) = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.get_element_by_id(SERVER_CLOCK_ID))
                .and_then(|el| el.get_attribute("data-server-now"))
                .and_then(|v| v.parse::<i64>().ok())
            else {
                return;
            };
            // The page's menus close on Escape (this island is on every page).
            crate::ui::menus::close_menus_on_escape_and_outside_clicks();
            let offset = server_now - js_sys::Date::now() as i64;
            let tick = move || super::ticker::tick_countdowns(offset);
            tick();
            if let Ok(handle) = set_interval_with_handle(tick, std::time::Duration::from_secs(1)) {
                on_cleanup(move || handle.clear());
            }
            let refresh = move || leptos::task::spawn_local(super::ticker::refresh_prices(offset));
            if let Ok(handle) = set_interval_with_handle(refresh, std::time::Duration::from_secs(5))
            {
                on_cleanup(move || handle.clear());
            }
        }
    });
}

/// The id of the element carrying the server's clock (`data-server-now`) for [`PageTicker`].
pub const SERVER_CLOCK_ID: &str = "server-clock";

/// Keeps `connected` true while an island's `EventSource` is open (the browser reconnects by
/// itself after a drop), and closes the source when the island goes.
#[cfg(feature = "hydrate")]
pub fn keep_open(source: web_sys::EventSource, connected: leptos::prelude::RwSignal<bool>) {
    use leptos::prelude::{on_cleanup, Set};
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    let on_open = Closure::<dyn Fn()>::new(move || connected.set(true));
    source.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    on_open.forget();
    let on_error = Closure::<dyn Fn()>::new(move || connected.set(false));
    source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    on_error.forget();
    let source = send_wrapper::SendWrapper::new(source);
    on_cleanup(move || source.close());
}
