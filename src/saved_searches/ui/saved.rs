//! `/my/searches`: the signed-in user's saved searches — each with its results link, what it
//! found, and forms to rename, pause or resume, and delete it. Plain forms, JavaScript on or
//! off.

use crate::saved_searches::api::{saved_searches, PROBLEMS_PARAM};
use crate::saved_searches::{SavedPage, SavedProblem, SavedRow, MAX_SAVED, NAME_MAX};
use crate::ui::status::{require_sign_in, ErrorPage};
use crate::util::problem::FieldErrors;
use crate::util::time::{ago, plural};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn SavedSearchesPage() -> impl IntoView {
    let problems = use_query_map().with_untracked(|q| {
        q.get_str(PROBLEMS_PARAM)
            .map(|codes| FieldErrors::<SavedProblem>::from_codes(codes, &[]))
            .unwrap_or_default()
    });
    #[cfg(feature = "ssr")]
    let done = crate::server::http::forms::notice().and_then(|code| match code.as_str() {
        "saved" => Some("Saved. You will hear of every new listing it finds."),
        "renamed" => Some("Renamed."),
        "paused" => Some("Paused: no alerts until you resume it."),
        "resumed" => Some("Resumed: new listings it finds will be announced."),
        "deleted" => Some("Deleted."),
        _ => None,
    });
    #[cfg(not(feature = "ssr"))]
    let done: Option<&'static str> = None;
    view! {
        <Title text="Saved searches"/>
        <Suspense>
            {Suspend::new(async move {
                match saved_searches().await {
                    Err(error) => view! { <ErrorPage error/> }.into_any(),
                    Ok(None) => require_sign_in("/my/searches"),
                    Ok(Some(page)) => saved_view(page, problems, done).into_any(),
                }
            })}
        </Suspense>
    }
}

fn saved_view(
    page: SavedPage,
    problems: FieldErrors<SavedProblem>,
    done: Option<&'static str>,
) -> impl IntoView {
    let problem = problems.message(crate::util::problem::FORM);
    let now = page.now_ms;
    let count = page.rows.len();
    view! {
        <section class="saved-page">
            <h1>"Saved searches"</h1>
            <p class="muted">
                {format!("{count} of {MAX_SAVED}. Save a search from any search or category page; each new listing it finds is announced in your notifications.")}
            </p>
            {done.map(|message| view! { <p class="notice-ok" role="status">{message}</p> })}
            {problem.map(|message| view! { <p class="form-error" role="alert">{message}</p> })}
            {if page.rows.is_empty() {
                view! { <p data-testid="no-saved">"You have no saved searches yet. "<a href="/search">"Find something"</a>" and save the search."</p> }.into_any()
            } else {
                view! {
                    <ul class="saved-list" data-testid="saved-list">
                        {page.rows.into_iter().map(|row| view! { <Row row now/> }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn Row(row: SavedRow, now: i64) -> impl IntoView {
    let s = row.search;
    let id = s.id.to_string();
    let name_id = format!("saved-name-{}", s.id);
    let what = {
        let category = crate::items::category(&s.spec.category).map(|(_, name)| name);
        match (s.spec.q.trim().is_empty(), category) {
            (true, Some(c)) => format!("Everything in {c}"),
            (false, Some(c)) => format!("“{}” in {c}", s.spec.q.trim()),
            (false, None) => format!("“{}”", s.spec.q.trim()),
            (true, None) => "Everything".to_string(),
        }
    };
    let found = match (row.matches, row.last_match_ms) {
        (0, _) => "No new listings yet.".to_string(),
        (n, Some(at)) => format!(
            "{}, the last {}.",
            plural(n as i64, "new listing", "new listings"),
            ago(at, now)
        ),
        (n, None) => format!("{}.", plural(n as i64, "new listing", "new listings")),
    };
    view! {
        <li class="saved-row" data-paused=s.paused.to_string()>
            <p class="saved-head">
                <a href=s.spec.href()><strong>{s.name.clone()}</strong></a>
                {s.paused.then(|| view! { " "<span class="saved-paused">"Paused"</span> })}
            </p>
            <p class="muted">{what}" · "{found}</p>
            <div class="saved-actions">
                <form class="inline-form saved-rename" method="post" action="/api/saved-searches/rename">
                    <input type="hidden" name="id" value=id.clone()/>
                    <label class="visually-hidden" for=name_id.clone()>{format!("New name for {}", s.name)}</label>
                    <input id=name_id name="name" maxlength=NAME_MAX value=s.name.clone() autocomplete="off"/>
                    <button type="submit" class="button button-small button-ghost">"Rename"</button>
                </form>
                <form class="inline-form" method="post" action="/api/saved-searches/pause">
                    <input type="hidden" name="id" value=id.clone()/>
                    <input type="hidden" name="paused" value=if s.paused { "false" } else { "true" }/>
                    <button type="submit" class="button button-small button-ghost">
                        {if s.paused { "Resume alerts" } else { "Pause alerts" }}
                    </button>
                </form>
                <form class="inline-form" method="post" action="/api/saved-searches/delete">
                    <input type="hidden" name="id" value=id/>
                    <button type="submit" class="button button-small button-ghost">{format!("Delete {}", s.name)}</button>
                </form>
            </div>
        </li>
    }
}
