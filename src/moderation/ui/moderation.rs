//! `/ops/moderation` (moderators only; everyone else gets 404): the reported listings,
//! comments and users, newest and most reported first, each shown as text with its reports
//! and the actions (hide or suspend, restore, dismiss — each with a reason for the audit log);
//! a form to act on anything by its name (`item:17`); and the audit log.

use crate::moderation::api::{moderation_queue, PROBLEMS_PARAM};
use crate::moderation::{
    AuditLine, ModProblem, ModerationView, QueueEntry, Target, NOTE_MAX, TARGET_MAX_CHARS,
};
use crate::ui::status::ErrorPage;
use crate::util::html::WideTable;
use crate::util::problem::FieldErrors;
use crate::util::time::ago;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn ModerationPage() -> impl IntoView {
    let problems = use_query_map().with_untracked(|q| {
        q.get_str(PROBLEMS_PARAM)
            .map(|codes| FieldErrors::<ModProblem>::from_codes(codes, &["why"]))
            .unwrap_or_default()
    });
    #[cfg(feature = "ssr")]
    let done = super::notice_of(&[
        (
            "hide",
            "Done: it is hidden (a user: suspended, signed out everywhere).",
        ),
        ("restore", "Done: it is back."),
        ("dismiss", "Done: the reports are dismissed."),
    ]);
    #[cfg(not(feature = "ssr"))]
    let done: Option<&'static str> = None;
    view! {
        <Title text="Moderation"/>
        <Suspense>
            {Suspend::new(async move {
                match moderation_queue().await {
                    Err(error) => view! { <ErrorPage error/> }.into_any(),
                    Ok(view) => page(view, problems, done).into_any(),
                }
            })}
        </Suspense>
    }
}

fn page(
    view: ModerationView,
    problems: FieldErrors<ModProblem>,
    done: Option<&'static str>,
) -> impl IntoView {
    let now = view.now_ms;
    let problem = problems
        .message("why")
        .or_else(|| problems.message(crate::util::problem::FORM));
    let list = |entries: Vec<QueueEntry>, queue: &'static str, empty: &'static str| {
        if entries.is_empty() {
            return view! { <p class="muted">{empty}</p> }.into_any();
        }
        entries
            .into_iter()
            .map(|e| view! { <Entry entry=e queue now/> })
            .collect_view()
            .into_any()
    };
    view! {
        <section class="ops-page moderation-page">
            <p class="muted"><a href="/ops">"Operations"</a>" › Moderation"</p>
            <h1>"Moderation"</h1>
            {done.map(|message| view! { <p class="notice-ok" role="status">{message}</p> })}
            {problem.map(|message| view! { <p class="form-error" role="alert">{message}</p> })}
            <h2>"Newest reports"</h2>
            <div class="mod-queue" data-testid="newest">{list(view.newest, "newest", "No open reports.")}</div>
            <h2>"Most reported"</h2>
            <div class="mod-queue" data-testid="most">{list(view.most, "most", "No open reports.")}</div>
            <h2>"Act on anything"</h2>
            <form class="form-card mod-any" method="post" action="/api/moderation/act">
                <p class="field">
                    <label for="mod-target">"Listing, comment or user"</label>
                    <input id="mod-target" name="target" required=true maxlength=TARGET_MAX_CHARS
                        placeholder="item:17 · comment:17:5 · user:3" autocomplete="off"/>
                </p>
                <WhyField id="mod-any-why".to_string()/>
                <p class="mod-actions">
                    <button type="submit" name="action" value="hide" class="button button-small">"Hide / suspend"</button>
                    <button type="submit" name="action" value="restore" class="button button-small button-ghost">"Restore"</button>
                </p>
            </form>
            <h2>"Audit log"</h2>
            <AuditLog lines=view.audit now/>
        </section>
    }
}

/// The reason a moderator gives, kept in the audit log.
#[component]
fn WhyField(id: String) -> impl IntoView {
    view! {
        <p class="field">
            <label for=id.clone()>"Why (kept in the audit log)"</label>
            <input id=id name="why" required=true maxlength=NOTE_MAX autocomplete="off"/>
        </p>
    }
}

/// One queued target; `queue` names the list it is in (a target may be in both: its form's
/// ids must differ).
#[component]
fn Entry(entry: QueueEntry, queue: &'static str, now: i64) -> impl IntoView {
    let target = entry.target;
    let key = target.key();
    let (hide, restore) = match target {
        Target::User(_) => ("Suspend user", "Restore user"),
        Target::Listing(_) => ("Hide listing", "Restore listing"),
        Target::Comment(..) => ("Hide comment", "Restore comment"),
    };
    let hidden = entry.reported.as_ref().is_some_and(|r| r.hidden);
    let state = match (&entry.reported, hidden, target) {
        (None, _, _) => "gone",
        (Some(_), true, Target::User(_)) => "suspended",
        (Some(_), true, _) => "hidden",
        (Some(_), false, _) => "shown",
    };
    let why_id = format!("why-{queue}-{}", key.replace(':', "-"));
    view! {
        <article class="mod-entry" data-target=key.clone() data-state=state>
            <p class="mod-entry-head">
                <strong>{target.kind()}</strong>" · "
                <a href=target.href()>{key.clone()}</a>" · "
                {crate::util::time::plural(i64::from(entry.reports), "report", "reports")}" · last "
                {ago(entry.last_at_ms, now)}" · "<span class="mod-state">{state}</span>
            </p>
            {entry.reported.clone().map(|r| view! {
                <blockquote class="reported">
                    <p><strong>{r.what}</strong></p>
                    {(!r.detail.is_empty()).then(|| view! { <p class="muted">{r.detail.clone()}</p> })}
                    <footer class="muted">"by "<a href=format!("/users/{}", r.owner_id)>{r.owner_name}</a></footer>
                </blockquote>
            })}
            <ul class="mod-notes">
                {entry.notes.into_iter().map(|n| view! {
                    <li>
                        <strong>{n.reason.label()}</strong>
                        {(!n.note.is_empty()).then(|| view! { " — "{n.note.clone()} })}
                        <span class="muted">" · "{n.reporter_name}", "{ago(n.at_ms, now)}</span>
                    </li>
                }).collect_view()}
            </ul>
            <form class="mod-act" method="post" action="/api/moderation/act">
                <input type="hidden" name="target" value=key.clone()/>
                <WhyField id=why_id/>
                <p class="mod-actions">
                    {(!hidden).then(|| view! {
                        <button type="submit" name="action" value="hide" class="button button-small">{hide}</button>
                    })}
                    {hidden.then(|| view! {
                        <button type="submit" name="action" value="restore" class="button button-small">{restore}</button>
                    })}
                    <button type="submit" name="action" value="dismiss" class="button button-small button-ghost">"Dismiss reports"</button>
                </p>
            </form>
        </article>
    }
}

#[component]
fn AuditLog(lines: Vec<AuditLine>, now: i64) -> impl IntoView {
    if lines.is_empty() {
        return view! { <p class="muted">"Nothing yet."</p> }.into_any();
    }
    view! {
        <WideTable
            label="Audit log"
            caption="The newest moderators' actions"
            heads=&["When", "Moderator", "Action", "On", "Why"]
            testid="audit-log"
        >
            {lines.into_iter().map(|line| {
                let href = Target::parse(&line.target).map(|t| t.href());
                view! {
                    <tr>
                        <td>{ago(line.at_ms, now)}</td>
                        <td>{line.by}</td>
                        <td>{line.action}</td>
                        <td>{match href {
                            Some(href) => view! { <a href=href>{line.target.clone()}</a> }.into_any(),
                            None => view! { {line.target.clone()} }.into_any(),
                        }}</td>
                        <td>{line.why}</td>
                    </tr>
                }
            }).collect_view()}
        </WideTable>
    }
    .into_any()
}
