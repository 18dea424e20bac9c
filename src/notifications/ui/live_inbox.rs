//! Island (lazy): keeps the open inbox current. When the header's badge hears of unread
//! notices (`live::ui::bus`), the list is fetched again from the server
//! (`GET /notifications/list`: the same component as the page, which reads them, so the
//! badge goes back to zero) into the inbox's element.

use leptos::prelude::*;

#[island(lazy)]
pub fn LiveInbox() -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::server::assets::preload_island("live_inbox");
    #[cfg(feature = "hydrate")]
    {
        use crate::live::ui::bus::{listen, Heard};
        use std::cell::Cell;
        use std::rc::Rc;
        // One fetch at a time; notices heard during it are read by the next.
        let fetching = Rc::new(Cell::new(false));
        let again = Rc::new(Cell::new(false));
        listen(move |heard| {
            if !matches!(heard, Heard::Unread(n) if *n > 0) {
                return;
            }
            if fetching.replace(true) {
                again.set(true);
                return;
            }
            let (fetching, again) = (fetching.clone(), again.clone());
            leptos::task::spawn_local(async move {
                loop {
                    again.set(false);
                    refresh().await;
                    if !again.get() {
                        break;
                    }
                }
                fetching.set(false);
            });
        });
    }
}

/// Puts the server's rendering of the inbox in its element.
#[cfg(feature = "hydrate")]
async fn refresh() {
    let Some(html) = crate::ui::fetch::get_text("/notifications/list").await else {
        return;
    };
    if let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(crate::notifications::inbox::INBOX_ID))
    {
        el.set_inner_html(&html);
    }
}
