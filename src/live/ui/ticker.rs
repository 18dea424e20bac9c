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

/// Every element marked `data-ends-at="<ms>"` shows the time left (by the server's clock,
/// `offset` ms ahead of this browser's) and becomes "Ended" (class `ended`) when it is over;
/// every `data-ago="<ms>"` says how long ago that was ("just now" ages).
pub fn tick_countdowns(offset: i64) {
    let Some(doc) = document() else { return };
    let now = js_sys::Date::now() as i64 + offset;
    if let Ok(nodes) = doc.query_selector_all("[data-ago]") {
        for i in 0..nodes.length() {
            let Some(el) = nodes.item(i).and_then(|n| n.dyn_into::<Element>().ok()) else {
                continue;
            };
            if let Some(at) = el
                .get_attribute("data-ago")
                .and_then(|v| v.parse::<i64>().ok())
            {
                let text = crate::util::time::ago(at, now);
                if el.text_content().as_deref() != Some(text.as_str()) {
                    el.set_text_content(Some(&text));
                }
            }
        }
    }
    let Ok(nodes) = doc.query_selector_all("[data-ends-at]") else {
        return;
    };
    for i in 0..nodes.length() {
        let Some(el) = nodes.item(i).and_then(|n| n.dyn_into::<Element>().ok()) else {
            continue;
        };
        let Some(ends) = el
            .get_attribute("data-ends-at")
            .and_then(|v| v.parse::<i64>().ok())
        else {
            continue;
        };
        let text = crate::util::time::format_time_left(ends, now);
        if el.text_content().as_deref() != Some(text.as_str()) {
            el.set_text_content(Some(&text));
        }
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
    let Ok(nodes) = doc.query_selector_all("[data-live-price]") else {
        return;
    };
    let mut ids: Vec<String> = (0..nodes.length())
        .filter_map(|i| nodes.item(i))
        .filter_map(|n| n.dyn_into::<Element>().ok())
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
        let (id, price, bids) = (&card.id, card.price_cents, card.bids);
        let ends = card.ends_at_ms.to_string();
        let set_all = |selector: String, text: &str| {
            if let Ok(list) = doc.query_selector_all(&selector) {
                for i in 0..list.length() {
                    if let Some(node) = list.item(i) {
                        node.set_text_content(Some(text));
                    }
                }
            }
        };
        set_all(format!("[data-live-price=\"{id}\"]"), &format_cents(price));
        set_all(
            format!("[data-live-bids=\"{id}\"]"),
            &plural(bids, "bid", "bids"),
        );
        if let Ok(list) = doc.query_selector_all(&format!("[data-card-ends=\"{id}\"]")) {
            for i in 0..list.length() {
                if let Some(el) = list.item(i).and_then(|n| n.dyn_into::<Element>().ok()) {
                    // A soft close can move the end: keep the countdown on the right one.
                    let _ = el.set_attribute("data-ends-at", &ends);
                }
            }
        }
        let ended = js_sys::Date::now() as i64 + offset >= card.ends_at_ms;
        set_my_status(&doc, &card, ended);
    }
}

/// My bids: where the viewer stands on `card` now (winning → outbid → won or lost).
fn set_my_status(doc: &Document, card: &crate::items::wire::CardNumbers, ended: bool) {
    use crate::my_lists::MyStatus;
    let Ok(list) = doc.query_selector_all(&format!("[data-my-status=\"{}\"]", card.id)) else {
        return;
    };
    for i in 0..list.length() {
        let Some(el) = list.item(i).and_then(|n| n.dyn_into::<Element>().ok()) else {
            continue;
        };
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
