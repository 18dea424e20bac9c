//! `/notifications`: the signed-in user's notices, newest first. Opening the page reads them
//! (the header's badge goes to zero on every open page); the ones that were new are marked.
//! While it is open, new notices appear on it ([`LiveInbox`]).

use crate::notifications::api::get_inbox;
use crate::notifications::inbox::{InboxBody, INBOX_ID};
use crate::notifications::ui::live_inbox::LiveInbox;
use crate::notifications::Inbox;
use crate::ui::status::{require_sign_in, ErrorPage};
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
    view! {
        <section class="notices-page">
            <h1>"Notifications"</h1>
            <div id=INBOX_ID>
                <InboxBody inbox/>
            </div>
            <LiveInbox/>
        </section>
    }
    .into_any()
}
