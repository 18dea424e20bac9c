//! `/notifications`: the signed-in user's notices, newest first. Opening the page reads them
//! (the header's badge goes to zero on every open page); the ones that were new are marked.

use crate::notifications::api::get_inbox;
use crate::notifications::Inbox;
use crate::ui::status::{require_sign_in, ErrorPage};
use crate::util::time::ago;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn NotificationsPage() -> impl IntoView {
    view! {
        <Title text="Notifications"/>
        <Suspense>
            {Suspend::new(async move {
                match get_inbox().await {
                    Err(error) => view! { <ErrorPage error/> }.into_any(),
                    Ok(None) => require_sign_in("/notifications"),
                    Ok(Some(inbox)) => inbox_view(inbox),
                }
            })}
        </Suspense>
    }
}

fn inbox_view(inbox: Inbox) -> AnyView {
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
    view! {
        <section class="notices-page">
            <h1>"Notifications"</h1>
            <p class="lead">{summary}</p>
            {if notices.is_empty() {
                view! {
                    <p class="empty">
                        "When someone outbids you, an auction you bid on ends, or your item gets a comment or sells, you'll hear about it here."
                    </p>
                }
                .into_any()
            } else {
                view! {
                    <ul class="notice-list">
                        {notices
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
                            .collect_view()}
                    </ul>
                }
                .into_any()
            }}
        </section>
    }
    .into_any()
}
