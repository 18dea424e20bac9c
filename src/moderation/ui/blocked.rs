//! `/my/blocked`: the bidders a seller blocked from their listings, a form to block one more
//! by username, and Unblock beside each. The bid and Buy It Now scripts enforce the list.

use crate::accounts::USERNAME_MAX;
use crate::moderation::api::{blocked_bidders, PROBLEMS_PARAM};
use crate::moderation::{Blocked, ModProblem};
use crate::ui::forms::Field;
use crate::ui::status::{require_sign_in, ErrorPage};
use crate::util::problem::FieldErrors;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn BlockedPage() -> impl IntoView {
    let problems = use_query_map().with_untracked(|q| {
        q.get_str(PROBLEMS_PARAM)
            .map(|codes| FieldErrors::<ModProblem>::from_codes(codes, &["username"]))
            .unwrap_or_default()
    });
    #[cfg(feature = "ssr")]
    let done = super::notice_of(&[
        (
            "blocked",
            "Blocked: they can no longer bid on or buy your listings.",
        ),
        (
            "unblocked",
            "Unblocked: they may bid on your listings again.",
        ),
    ]);
    #[cfg(not(feature = "ssr"))]
    let done: Option<&'static str> = None;
    view! {
        <Title text="Blocked bidders"/>
        <Suspense>
            {Suspend::new(async move {
                match blocked_bidders().await {
                    Err(error) => view! { <ErrorPage error/> }.into_any(),
                    Ok(None) => require_sign_in("/my/blocked"),
                    Ok(Some(list)) => blocked_view(list, problems, done).into_any(),
                }
            })}
        </Suspense>
    }
}

fn blocked_view(
    list: Vec<Blocked>,
    problems: FieldErrors<ModProblem>,
    done: Option<&'static str>,
) -> impl IntoView {
    let problem = problems
        .message("username")
        .or_else(|| problems.message(crate::util::problem::FORM));
    view! {
        <section class="blocked-page">
            <h1>"Blocked bidders"</h1>
            <p class="muted">
                "A bidder you block can't bid on or buy any of your listings. Bids they placed before stay."
            </p>
            {done.map(|message| view! { <p class="notice-ok" role="status">{message}</p> })}
            <form class="form-card" method="post" action="/api/moderation/block">
                <Field id="block-username" name="username" label="Username to block" autocomplete="off"
                    max=USERNAME_MAX required=true error=problem/>
                <button type="submit" class="button">"Block"</button>
            </form>
            {if list.is_empty() {
                view! { <p data-testid="no-blocks">"You have not blocked anyone."</p> }.into_any()
            } else {
                view! {
                    <ul class="blocked-list" data-testid="blocked-list">
                        {list.into_iter().map(|b| view! {
                            <li>
                                <a href=format!("/users/{}", b.user_id)>{b.username.clone()}</a>
                                <form class="inline-form" method="post" action="/api/moderation/unblock">
                                    <input type="hidden" name="user" value=b.user_id.to_string()/>
                                    <button type="submit" class="button button-small button-ghost">
                                        {format!("Unblock {}", b.username)}
                                    </button>
                                </form>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}
