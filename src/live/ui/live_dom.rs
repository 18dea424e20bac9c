//! Applies live events to the server-rendered item and comments pages (browser only).
//! It sits with the UI because it knows the events of several features (items, comments).
//!
//! Pages mark the parts that change with `data-live="..."` attributes; this module updates
//! exactly those. Islands that own reactive state (the bid form) get a window event
//! (`rbay:bid`) instead of having their DOM touched.

use crate::auction::{outcome_text, Standing};
use crate::comments::{Comment, CommentEvent};
use crate::items::ItemEvent;
use crate::util::money::format_cents;
use crate::util::time::plural;
use wasm_bindgen::JsCast;
use web_sys::{Document, Element};

fn document() -> Option<Document> {
    web_sys::window()?.document()
}

fn find(doc: &Document, live: &str) -> Option<Element> {
    doc.query_selector(&format!("[data-live=\"{live}\"]"))
        .ok()
        .flatten()
}

fn set_text(doc: &Document, live: &str, text: &str) {
    if let Some(el) = find(doc, live) {
        el.set_text_content(Some(text));
    }
}

/// Builds an element with a class and text (text is set as text: never parsed as HTML).
fn element(doc: &Document, tag: &str, class: &str, text: Option<&str>) -> Option<Element> {
    let el = doc.create_element(tag).ok()?;
    if !class.is_empty() {
        el.set_class_name(class);
    }
    if let Some(text) = text {
        el.set_text_content(Some(text));
    }
    Some(el)
}

/// Any event an item's pages receive (the JSON `type` tells which).
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(untagged)]
pub enum PageEvent {
    Item(ItemEvent),
    Comment(CommentEvent),
}

/// Applies one event. `viewer_id` is the signed-in user looking at the page, if any.
pub fn apply(event: &PageEvent, viewer_id: Option<u64>) {
    let Some(doc) = document() else { return };
    match event {
        PageEvent::Item(event) => apply_item(&doc, event, viewer_id),
        PageEvent::Comment(event) => apply_comment(&doc, event, viewer_id),
    }
}

fn apply_item(doc: &Document, event: &ItemEvent, viewer_id: Option<u64>) {
    let doc = doc.clone();
    match event {
        ItemEvent::Bid {
            price_cents,
            bids,
            min_next_cents,
            bidder_id,
            bidder_name,
            at_ms,
            ends_at_ms,
            reserve_met,
            rows,
        } => {
            set_price(&doc, *price_cents, *bids);
            if let Some(leading) = find(&doc, "leading") {
                let was_leading = leading.class_list().contains("leading");
                let bid_here = viewer_id.is_some_and(|me| rows.iter().any(|r| r.bidder_id == me));
                if viewer_id == Some(*bidder_id) {
                    if !was_leading {
                        show_standing(&leading, Standing::Leading { max_cents: None });
                    }
                } else if was_leading || bid_here {
                    show_standing(&leading, Standing::Outbid);
                }
            }
            // Bidding has started for good: Buy It Now is gone (it stays while a reserve is
            // not met).
            if *reserve_met {
                if let Some(buy) = find(&doc, "buy-now") {
                    buy.remove();
                }
            }
            if let Some(badge) = find(&doc, "reserve") {
                if *reserve_met {
                    badge.set_text_content(Some("Reserve met"));
                    let _ = badge.class_list().add_1("reserve-met");
                }
            }
            // A soft close moved the end: the countdown follows.
            if *ends_at_ms > 0 {
                if let Some(ends) = find(&doc, "ends") {
                    let _ = ends.set_attribute("data-ends-at", &ends_at_ms.to_string());
                }
            }
            if let Some(body) = find(&doc, "history") {
                // Oldest first, each on top: the newest ends up first, as on the server.
                let fallback = [crate::items::BidRow {
                    bidder_id: *bidder_id,
                    bidder_name: bidder_name.clone(),
                    amount_cents: *price_cents,
                    auto: false,
                }];
                let rows = if rows.is_empty() {
                    &fallback[..]
                } else {
                    &rows[..]
                };
                for r in rows {
                    let Some(row) = element(
                        &doc,
                        "tr",
                        if r.auto { "live-row auto" } else { "live-row" },
                        None,
                    ) else {
                        continue;
                    };
                    let who = element(&doc, "td", "", None);
                    let link = element(&doc, "a", "", Some(&r.bidder_name));
                    if let (Some(who), Some(link)) = (who, link) {
                        let _ = link.set_attribute("href", &format!("/users/{}", r.bidder_id));
                        let _ = who.append_child(&link);
                        if r.auto {
                            if let Some(kind) =
                                element(&doc, "span", "muted bid-kind", Some(" (automatic)"))
                            {
                                let _ = who.append_child(&kind);
                            }
                        }
                        let _ = row.append_child(&who);
                    }
                    if let Some(td) =
                        element(&doc, "td", "num", Some(&format_cents(r.amount_cents)))
                    {
                        let _ = row.append_child(&td);
                    }
                    if let (Some(td), Some(time)) = (
                        element(&doc, "td", "", None),
                        element(&doc, "time", "", Some("just now")),
                    ) {
                        let _ = time.set_attribute("data-ago", &at_ms.to_string());
                        let _ = td.append_child(&time);
                        let _ = row.append_child(&td);
                    }
                    let _ = body.prepend_with_node_1(&row);
                }
            }
            if let Some(table) = find(&doc, "history-table") {
                let _ = table.remove_attribute("hidden");
            }
            if let Some(none) = find(&doc, "no-bids") {
                none.remove();
            }
            // The bid form island updates its own minimum.
            let init = web_sys::CustomEventInit::new();
            init.set_detail(&wasm_bindgen::JsValue::from_f64(*min_next_cents as f64));
            if let (Some(window), Ok(ev)) = (
                web_sys::window(),
                web_sys::CustomEvent::new_with_event_init_dict("rbay:bid", &init),
            ) {
                let _ = window.dispatch_event(&ev);
            }
        }
        ItemEvent::Views { views } => set_text(&doc, "views", &plural(*views, "view", "views")),
        ItemEvent::Ended {
            winner_name,
            price_cents,
            reserve_met,
            bought,
        } => {
            let text = outcome_text(winner_name.as_deref(), *bought, *reserve_met, *price_cents);
            if let Some(badge) = find(&doc, "reserve") {
                badge.remove();
            }
            set_text(&doc, "status", &text);
            if let Some(bid_box) = find(&doc, "bid-box") {
                bid_box.set_text_content(None);
                if let Some(closed) = element(&doc, "p", "muted", Some("Bidding is closed.")) {
                    let _ = bid_box.append_child(&closed);
                }
            }
            if let Some(leading) = find(&doc, "leading") {
                if leading.class_list().contains("leading") && winner_name.is_some() {
                    show_standing(&leading, Standing::Won);
                } else if leading.class_list().contains("outbid")
                    || leading.class_list().contains("leading")
                {
                    show_standing(&leading, Standing::Lost);
                }
            }
        }
    }
}

fn apply_comment(doc: &Document, event: &CommentEvent, viewer_id: Option<u64>) {
    match event {
        CommentEvent::Comment { comment, count } => {
            set_text(doc, "comment-count", &count.to_string());
            add_comment(doc, comment, viewer_id);
        }
        CommentEvent::CommentDeleted { id, count } => {
            set_text(doc, "comment-count", &count.to_string());
            if let Ok(Some(el)) = doc.query_selector(&format!("[data-comment-id=\"{id}\"]")) {
                el.remove();
            }
        }
    }
}

/// Inserts a comment at the top of the list(s) on the page, once.
pub fn add_comment(doc: &Document, comment: &Comment, viewer_id: Option<u64>) {
    let Some(list) = find(doc, "comments") else {
        return;
    };
    if doc
        .query_selector(&format!("[data-comment-id=\"{}\"]", comment.id))
        .ok()
        .flatten()
        .is_some()
    {
        return;
    }
    let Some(li) = element(doc, "li", "comment", None) else {
        return;
    };
    let _ = li.set_attribute("data-comment-id", &comment.id.to_string());
    if let Some(head) = element(doc, "p", "comment-meta", None) {
        if let Some(author) = element(doc, "a", "comment-author", Some(&comment.author_name)) {
            let _ = author.set_attribute("href", &format!("/users/{}", comment.author_id));
            let _ = head.append_child(&author);
        }
        if let Some(span) = element(doc, "span", "muted", Some(" · ")) {
            if let Some(time) = element(doc, "time", "", Some("just now")) {
                let _ = time.set_attribute("data-ago", &comment.created_ms.to_string());
                let _ = span.append_child(&time);
            }
            let _ = head.append_child(&span);
        }
        let _ = li.append_child(&head);
    }
    if let Some(text) = element(doc, "p", "comment-text", Some(&comment.text)) {
        let _ = li.append_child(&text);
    }
    if viewer_id == Some(comment.author_id) {
        if let Some(form) = delete_form(doc, comment) {
            let _ = li.append_child(&form);
        }
    }
    let _ = list.prepend_with_node_1(&li);
    if let Some(empty) = find(doc, "no-comments") {
        empty.remove();
    }
    // The item page shows only the newest three.
    if list.get_attribute("data-max").as_deref() == Some("3") {
        while list.child_element_count() > 3 {
            if let Some(last) = list.last_element_child() {
                last.remove();
            }
        }
    }
}

/// The same confirmation as `comment_list` renders: a disclosure holding the form.
fn delete_form(doc: &Document, comment: &Comment) -> Option<Element> {
    let details = element(doc, "details", "comment-delete", None)?;
    let summary = element(doc, "summary", "link-button", Some("Delete"))?;
    details.append_child(&summary).ok()?;
    let form = element(doc, "form", "", None)?;
    form.set_attribute("method", "post").ok()?;
    form.set_attribute("action", "/api/comments/delete").ok()?;
    for (name, value) in [
        ("item_id", comment.item_id.to_string()),
        ("comment_id", comment.id.to_string()),
    ] {
        let input = doc.create_element("input").ok()?;
        input.set_attribute("type", "hidden").ok()?;
        input.set_attribute("name", name).ok()?;
        input.set_attribute("value", &value).ok()?;
        form.append_child(&input).ok()?;
    }
    let ask = element(doc, "span", "", Some("Delete this comment for good? "))?;
    form.append_child(&ask).ok()?;
    let button = element(
        doc,
        "button",
        "button button-small button-danger",
        Some("Yes, delete"),
    )?;
    button.set_attribute("type", "submit").ok()?;
    form.append_child(&button).ok()?;
    details.append_child(&form).ok()?;
    Some(details)
}

/// Shows the price and bid count, unless the page already shows a later state: the bid count
/// (`data-bids` on the count) only grows, so a reply that arrives after a newer live event
/// does not take the price back.
fn set_price(doc: &Document, price_cents: i64, bids: i64) {
    let Some(count) = find(doc, "bids") else {
        return;
    };
    let shown = count
        .get_attribute("data-bids")
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(0);
    if bids < shown {
        return;
    }
    let _ = count.set_attribute("data-bids", &bids.to_string());
    count.set_text_content(Some(&plural(bids, "bid", "bids")));
    set_text(doc, "price", &format_cents(price_cents));
}

/// Shows where the viewer stands on the standing line, in the page's words
/// ([`Standing`], shared with the server's rendering).
fn show_standing(line: &web_sys::Element, standing: Standing) {
    line.set_text_content(Some(&standing.text()));
    line.set_class_name(standing.class());
}

/// After the viewer's own bid was accepted (no reload): the price, the bid count and where
/// they stand, with their maximum when they lead. The live event that follows adds the row to
/// the history.
pub fn show_own_bid(price_cents: i64, bids: i64, leading: bool, max_cents: i64) {
    let Some(doc) = document() else { return };
    set_price(&doc, price_cents, bids);
    if let Some(line) = find(&doc, "leading") {
        show_standing(
            &line,
            if leading {
                Standing::Leading {
                    max_cents: Some(max_cents),
                }
            } else {
                Standing::Outbid
            },
        );
    }
}

/// Reads the `detail` of a `rbay:bid` window event as cents.
pub fn min_bid_from(event: &web_sys::Event) -> Option<i64> {
    let custom = event.dyn_ref::<web_sys::CustomEvent>()?;
    custom.detail().as_f64().map(|v| v as i64)
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
            .and_then(|v| v.parse::<u64>().ok());
        let leads = card.leader != 0 && viewer == Some(card.leader);
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

/// Keeps `connected` true while an island's `EventSource` is open (the browser reconnects by
/// itself after a drop), and closes the source when the island goes.
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
