//! Browser only: disclosure menus (`<details data-menu>`, such as the header's account menu)
//! behave as menus do: Escape closes an open one and puts focus back on its button, and a click
//! outside closes it. Without JavaScript they are plain disclosures of links. Only the `open`
//! attribute is touched.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::Element;

const OPEN_MENU: &str = "details[data-menu][open]";

/// Listens for Escape and outside clicks on the whole page (called once, by the page ticker,
/// which lives as long as the page: islands are never unmounted, so the listeners are never
/// removed).
pub fn close_menus_on_escape_and_outside_clicks() {
    window_event_listener(leptos::ev::keydown, |ev| {
        if ev.key() != "Escape" {
            return;
        }
        for menu in open_menus() {
            let _ = menu.remove_attribute("open");
            if let Some(summary) = menu
                .query_selector("summary")
                .ok()
                .flatten()
                .and_then(|s| s.dyn_into::<web_sys::HtmlElement>().ok())
            {
                let _ = summary.focus();
            }
        }
    });
    window_event_listener(leptos::ev::click, |ev| {
        let target = ev.target().and_then(|t| t.dyn_into::<web_sys::Node>().ok());
        for menu in open_menus() {
            if !target.as_ref().is_some_and(|t| menu.contains(Some(t))) {
                let _ = menu.remove_attribute("open");
            }
        }
    });
}

fn open_menus() -> Vec<Element> {
    let Some(list) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector_all(OPEN_MENU).ok())
    else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|n| n.dyn_into::<Element>().ok())
        .collect()
}
