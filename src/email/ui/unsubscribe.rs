//! `/email/unsubscribe?u=&k=&s=`: the unsubscribe link in every optional mail. No session
//! needed: the link is signed for its user, kind and address. It asks before acting; the
//! button posts to the one-click URL (`email::server::routes`), which comes back here with
//! `r=done` or `r=invalid`.

use crate::accounts::MailKind;
use crate::email::{UnsubscribeLink, UNSUBSCRIBE_POST};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn UnsubscribePage() -> impl IntoView {
    let (link, result) = use_query_map().with_untracked(|q| {
        let part = |name: &str| crate::util::url::clip(&q.get(name).unwrap_or_default(), 80);
        (
            UnsubscribeLink {
                u: part("u"),
                k: part("k"),
                s: part("s"),
            },
            q.get("r"),
        )
    });
    let kind = MailKind::parse(&link.k);
    let body = match (kind, result.as_deref()) {
        (Some(kind), Some("done")) => view! {
            <p class="notice-ok" role="status" data-testid="unsubscribed">
                {format!("Done: no more emails when “{}”.", kind.label())}
            </p>
            <p>"Changed your mind? Turn it back on in "<a href=crate::email::PAGE>"your email settings"</a>"."</p>
        }
        .into_any(),
        (None, _) | (Some(_), Some(_)) => {
            #[cfg(feature = "ssr")]
            crate::util::response::set_status_for(&crate::error::AppError::NotFound);
            view! {
                <p class="form-error" role="alert" data-testid="link-invalid">
                    "This unsubscribe link is not valid (it may be for an address you no longer use). Choose what Rbay emails you in "
                    <a href=crate::email::PAGE>"your email settings"</a>"."
                </p>
            }
            .into_any()
        }
        (Some(kind), None) => {
            let action = format!("{UNSUBSCRIBE_POST}?{}", link.query());
            view! {
                <p>{format!("Stop the emails Rbay sends when “{}”?", kind.label())}</p>
                <form method="post" action=action>
                    <input type="hidden" name="confirm" value="1"/>
                    <button type="submit" class="button button-block">"Unsubscribe"</button>
                </form>
            }
            .into_any()
        }
    };
    view! {
        <Title text="Unsubscribe"/>
        <section class="auth-card">
            <h1>"Unsubscribe"</h1>
            {body}
        </section>
    }
}
