//! `/report?target=item:17`: tell the moderators about a listing, a comment or a user — a
//! reason from a fixed list and a short note. A plain form; it comes back with a thank-you or
//! its problem.

use crate::error::AppError;
use crate::moderation::api::{report_target, PROBLEMS_PARAM};
use crate::moderation::{ModProblem, Reason, Reported, Target, NOTE_MAX};
use crate::ui::status::{require_sign_in, ErrorPage};
use crate::util::problem::FieldErrors;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn ReportPage() -> impl IntoView {
    let (raw, problems) = use_query_map().with_untracked(|q| {
        let problems = q
            .get_str(PROBLEMS_PARAM)
            .map(|codes| FieldErrors::<ModProblem>::from_codes(codes, &["reason", "note"]))
            .unwrap_or_default();
        (q.get("target").unwrap_or_default(), problems)
    });
    #[cfg(feature = "ssr")]
    let thanks = super::notice_of(&[(
        "reported",
        "Thank you: the moderators have your report. You will not be told who acts on it.",
    )]);
    #[cfg(not(feature = "ssr"))]
    let thanks: Option<&'static str> = None;
    view! {
        <Title text="Report"/>
        <Suspense>
            {Suspend::new(async move {
                let Some(target) = Target::parse(&raw) else {
                    return view! { <ErrorPage error=AppError::NotFound/> }.into_any();
                };
                match report_target(raw.clone()).await {
                    Err(error) => view! { <ErrorPage error/> }.into_any(),
                    Ok(None) => require_sign_in(&crate::moderation::report_url(&target)),
                    Ok(Some(found)) => report_view(found, problems, thanks).into_any(),
                }
            })}
        </Suspense>
    }
}

fn report_view(
    found: Reported,
    problems: FieldErrors<ModProblem>,
    thanks: Option<&'static str>,
) -> impl IntoView {
    let target = found.target;
    let heading = match target {
        Target::Listing(_) => "Report a listing",
        Target::Comment(..) => "Report a comment",
        Target::User(_) => "Report a user",
    };
    let form_problem = problems.message(crate::util::problem::FORM);
    let reason_problem = problems.message("reason");
    let reason_described = reason_problem.is_some().then_some("reason-error");
    let note_problem = problems.message("note");
    let note_invalid = note_problem.is_some();
    view! {
        <section class="report-page form-card">
            <h1>{heading}</h1>
            <blockquote class="reported" data-testid="reported">
                <p><strong>{found.what.clone()}</strong></p>
                {(!found.detail.is_empty()).then(|| view! { <p class="muted">{found.detail.clone()}</p> })}
                {(!matches!(target, Target::User(_))).then(|| view! {
                    <footer class="muted">"by "{found.owner_name.clone()}</footer>
                })}
            </blockquote>
            {thanks.map(|message| view! { <p class="notice-ok" role="status">{message}</p> })}
            {form_problem.map(|message| view! { <p class="form-error" role="alert">{message}</p> })}
            {thanks.is_none().then(|| view! {
                <form method="post" action="/api/moderation/report">
                    <input type="hidden" name="target" value=target.key()/>
                    <fieldset aria-describedby=reason_described>
                        <legend>"What is wrong with it?"</legend>
                        {Reason::ALL.into_iter().map(|r| {
                            let input_id = format!("reason-{}", r.as_str());
                            let label_for = input_id.clone();
                            view! {
                                <label class="rating-choice" for=label_for>
                                    <input type="radio" id=input_id name="reason" value=r.as_str() required=true/>
                                    " "{r.label()}
                                </label>
                            }
                        }).collect_view()}
                        {reason_problem.map(|m| view! { <span class="field-error" id="reason-error">{m}</span> })}
                    </fieldset>
                    <p class="field" class:invalid=note_invalid>
                        <label for="report-note">"Anything the moderators should know (optional)"</label>
                        <textarea id="report-note" name="note" rows="3" maxlength=NOTE_MAX
                            aria-invalid=note_invalid.then_some("true")
                            aria-describedby=note_invalid.then_some("note-error")></textarea>
                        {note_problem.map(|m| view! { <span class="field-error" id="note-error">{m}</span> })}
                    </p>
                    <button type="submit" class="button">"Send the report"</button>
                </form>
            })}
            <p><a href=target.href()>"Back"</a></p>
        </section>
    }
}
