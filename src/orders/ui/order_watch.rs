//! Island (lazy): keeps an open order page current. Every step the other party takes, and
//! every message they write, sends the viewer a notice; when the header's badge hears one
//! (`live::ui::bus`), this asks where the order is (`/orders/{id}/state`: its state and how
//! many messages it holds) and, when that differs from what the page shows, loads the page
//! again: the server renders the new step or message, as it does without JavaScript.

use crate::orders::OrderState;
use crate::util::id::ItemId;
use leptos::prelude::*;

#[island(lazy)]
pub fn OrderWatch(item_id: ItemId, state: OrderState, messages: u64) -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::server::assets::preload_island("order_watch");
    crate::live::ui::bus::listen(move |heard| {
        if let crate::live::ui::bus::Heard::Unread(_) = heard {
            #[cfg(feature = "hydrate")]
            leptos::task::spawn_local(async move {
                let url = format!("/orders/{item_id}/state");
                let Some(now) = crate::ui::fetch::get_text(&url).await else {
                    return;
                };
                if now.trim() != format!("{} {messages}", state.as_str()) {
                    if let Some(window) = web_sys::window() {
                        let _ = window.location().reload();
                    }
                }
            });
            #[cfg(not(feature = "hydrate"))]
            let _ = (item_id, state, messages);
        }
    });
}
