//! The page ticker's work (browser only): the times and numbers of list pages.
//!
//! Every countdown (`data-ends-at`) and "ago" time (`data-ago`) is re-worded each second, and
//! the cards' prices, bid counts and My bids statuses (`data-live-price`, `data-live-bids`,
//! `data-my-status`) are refreshed every few seconds from `/api/prices`. Only the text of those
//! marked elements changes: no markup is built and no user text is written here (the parts of
//! an item page that show user text are islands, see `bus`).

use crate::util::money::format_cents;
use crate::util::time::plural;
use wasm_bindgen::JsCast;
use web_sys::{Document, Element};

fn document() -> Option<Document> {
    web_sys::window()?.document()
}

/// The elements `selector` matches, in document order.
fn marked(doc: &Document, selector: &str) -> Vec<Element> {
    let Ok(list) = doc.query_selector_all(selector) else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.item(i)?.dyn_into::<Element>().ok())
        .collect()
}

/// The number in `el`'s attribute `name`, if it holds one.
fn number(el: &Element, name: &str) -> Option<i64> {
    el.get_attribute(name)?.parse().ok()
}

/// Sets `el`'s text, unless it says that already.
fn say(el: &Element, text: &str) {
    if el.text_content().as_deref() != Some(text) {
        el.set_text_content(Some(text));
    }
}

/// Every element marked `data-ends-at="<ms>"` shows the time left (by the server's clock,
/// `offset` ms ahead of this browser's) and becomes "Ended" (class `ended`) when it is over;
/// every `data-ago="<ms>"` says how long ago that was ("just now" ages).
pub fn tick_countdowns(offset: i64) {
    let Some(doc) = document() else { return };
    let now = js_sys::Date::now() as i64 + offset;
    for el in marked(&doc, "[data-ago]") {
        if let Some(at) = number(&el, "data-ago") {
            say(&el, &crate::util::time::ago(at, now));
        }
    }
    for el in marked(&doc, "[data-ends-at]") {
        let Some(ends) = number(&el, "data-ends-at") else {
            continue;
        };
        say(&el, &crate::util::time::format_time_left(ends, now));
        if now >= ends {
            let _ = el.class_list().add_1("ended");
        }
    }
}

/// Asks `/api/prices` for the numbers of every card on the page (`data-live-price="<id>"`) and
/// updates their price and bid count, and a bidder's status where the page shows one
/// (`data-my-status="<id>"` on My bids, with the viewer's id in `data-viewer`). `offset` turns
/// the browser's clock into the server's.
pub async fn refresh_prices(offset: i64) {
    let Some(doc) = document() else { return };
    let mut ids: Vec<String> = marked(&doc, "[data-live-price]")
        .iter()
        .filter_map(|el| el.get_attribute("data-live-price"))
        .collect();
    ids.sort();
    ids.dedup();
    if ids.is_empty() {
        return;
    }
    let url = format!("/api/prices?ids={}", ids.join(","));
    let Some(body) = crate::ui::fetch::get_text(&url).await else {
        return;
    };
    for card in crate::items::wire::decode_card_numbers(&body) {
        let id = &card.id;
        let price = format_cents(card.price_cents);
        for el in marked(&doc, &format!("[data-live-price=\"{id}\"]")) {
            say(&el, &price);
        }
        let bids = plural(card.bids, "bid", "bids");
        for el in marked(&doc, &format!("[data-live-bids=\"{id}\"]")) {
            say(&el, &bids);
        }
        // A soft close can move the end: keep the countdown on the right one.
        let ends = card.ends_at_ms.to_string();
        for el in marked(&doc, &format!("[data-card-ends=\"{id}\"]")) {
            let _ = el.set_attribute("data-ends-at", &ends);
        }
        let ended = js_sys::Date::now() as i64 + offset >= card.ends_at_ms;
        set_my_status(&doc, &card, ended);
    }
}

/// My bids: where the viewer stands on `card` now (winning → outbid → won or lost).
fn set_my_status(doc: &Document, card: &crate::items::wire::CardNumbers, ended: bool) {
    use crate::my_lists::MyStatus;
    for el in marked(doc, &format!("[data-my-status=\"{}\"]", card.id)) {
        let viewer = el
            .get_attribute("data-viewer")
            .and_then(|v| crate::util::id::UserId::parse(&v));
        let leads = viewer.is_some() && viewer == card.leader;
        let status = MyStatus::of_bidder(ended, leads, card.reserve_met);
        // Compared by state, not text: the server may have written more ("Won from …").
        let label = status.label();
        if el.get_attribute("data-state").as_deref() != Some(label) {
            let _ = el.set_attribute("data-state", label);
            el.set_text_content(Some(label));
            el.set_class_name(status.class());
        }
    }
}
