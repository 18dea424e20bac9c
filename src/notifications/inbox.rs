//! The inbox's list, one component for the page and for the live inbox's refresh
//! (`GET /notifications/list`, rendered on the server).

use crate::notifications::Inbox;
use crate::util::time::ago;
use leptos::prelude::*;

/// The element the live inbox refreshes.
pub const INBOX_ID: &str = "inbox";

/// How many notices were new on this visit, and the notices, newest first (the new ones
/// marked).
#[component]
pub fn InboxBody(inbox: Inbox) -> impl IntoView {
    let Inbox {
        notices,
        unread,
        now_ms,
    } = inbox;
    let summary = match unread {
        0 => "Nothing new.".to_string(),
        1 => "1 new notification.".to_string(),
        n => format!("{n} new notifications."),
    };
    let list = if notices.is_empty() {
        view! {
            <p class="empty">
                "When someone outbids you, an auction you bid on ends, or your item gets a comment or sells, you'll hear about it here."
            </p>
        }
        .into_any()
    } else {
        let rows = notices
            .into_iter()
            .map(|n| {
                let new = !n.read;
                view! {
                    <li class="notice" class:notice-new=new data-kind=n.kind.as_str()>
                        <a href=n.link()>{n.text()}</a>
                        {new.then(|| view! { <span class="badge-new">"New"</span> })}
                        <time class="muted notice-time" data-ago=n.at_ms>{ago(n.at_ms, now_ms)}</time>
                    </li>
                }
            })
            .collect_view();
        view! { <ul class="notice-list">{rows}</ul> }.into_any()
    };
    view! {
        <p class="lead" role="status">{summary}</p>
        {list}
    }
}
