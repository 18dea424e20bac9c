//! `/my/email`: the signed-in user's address (confirmed, or waiting for its link) and a switch
//! per kind of mail. Plain forms, JavaScript on or off.

use crate::accounts::{MailKind, EMAIL_MAX, PASSWORD_MAX};
use crate::email::api::email_settings;
use crate::email::{EmailPage, EmailProblem, PAGE, PROBLEMS_PARAM};
use crate::ui::forms::Field;
use crate::ui::status::{require_sign_in, ErrorPage};
use crate::util::problem::{FieldErrors, FORM};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn EmailSettingsPage() -> impl IntoView {
    let problems = use_query_map().with_untracked(|q| {
        q.get_str(PROBLEMS_PARAM)
            .map(|codes| FieldErrors::<EmailProblem>::from_codes(codes, &["email", "password"]))
            .unwrap_or_default()
    });
    #[cfg(feature = "ssr")]
    let done = crate::server::http::forms::notice().and_then(|code| match code.as_str() {
        "sent" => Some("We mailed a confirmation link to the new address. Follow it to start receiving email there."),
        "unchanged" => Some("That is already your confirmed address."),
        "removed" => Some("Address removed: Rbay sends you no email."),
        "saved" => Some("Saved."),
        _ => None,
    });
    #[cfg(not(feature = "ssr"))]
    let done: Option<&'static str> = None;
    view! {
        <Title text="Email settings"/>
        <Suspense>
            {Suspend::new(async move {
                match email_settings().await {
                    Err(error) => view! { <ErrorPage error/> }.into_any(),
                    Ok(None) => require_sign_in(PAGE),
                    Ok(Some(page)) => settings_view(page, problems, done).into_any(),
                }
            })}
        </Suspense>
    }
}

fn settings_view(
    page: EmailPage,
    problems: FieldErrors<EmailProblem>,
    done: Option<&'static str>,
) -> impl IntoView {
    let email = page.email;
    let status = match (&email.address, &email.pending) {
        (Some(address), None) => format!("Email goes to {address}."),
        (Some(address), Some(pending)) => format!(
            "Email goes to {address}. {pending} is waiting for you to follow the link we mailed it."
        ),
        (None, Some(pending)) => format!(
            "{pending} is waiting for you to follow the link we mailed it: until then Rbay sends you no email."
        ),
        (None, None) => "You have no email address here: Rbay sends you no email, and a forgotten password cannot be reset.".to_string(),
    };
    let has_pending = email.pending.is_some();
    let off = email.off.clone();
    view! {
        <section class="email-page">
            <h1>"Email settings"</h1>
            {(!page.enabled).then(|| view! {
                <p class="notice-warn" role="status" data-testid="email-off">
                    "This site does not send email at the moment: its operator has not set up a mail server. Your notifications stay in your inbox here."
                </p>
            })}
            {done.map(|message| view! { <p class="notice-ok" role="status">{message}</p> })}
            {problems.message(FORM).map(|message| view! { <p class="form-error" role="alert">{message}</p> })}
            <p data-testid="email-status">{status}</p>
            <form class="stack-form" method="post" action="/api/email/address">
                <Field name="email" label="Email address" kind="email" autocomplete="email"
                    max=EMAIL_MAX value=email.pending.clone().or(email.address.clone()).unwrap_or_default()
                    error=problems.message("email")/>
                <Field id="field-current-password" name="password" label="Your current password" kind="password"
                    autocomplete="current-password" max=PASSWORD_MAX required=true error=problems.message("password")/>
                <p class="muted">"A new address starts receiving once you follow the link we mail it. Leave the address empty to remove every address."</p>
                <button type="submit" class="button">"Save address"</button>
            </form>
            {has_pending.then(|| view! {
                <form class="inline-form" method="post" action="/api/email/resend">
                    <button type="submit" class="button button-ghost">"Send the link again"</button>
                </form>
            })}
            <h2>"Email me when"</h2>
            <form class="stack-form" method="post" action="/api/email/wanted">
                {MailKind::ALL.into_iter().map(|kind| {
                    let id = format!("mail-{}", kind.as_str());
                    view! {
                        <label class="check" for=id.clone()>
                            <input type="checkbox" id=id.clone() name=kind.as_str() checked=!off.contains(&kind)/>
                            " "{kind.label()}
                        </label>
                    }
                }).collect_view()}
                <button type="submit" class="button">"Save choices"</button>
            </form>
        </section>
    }
}
