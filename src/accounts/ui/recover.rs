//! `/auth/forgot` (ask for a reset link by username) and `/auth/reset?t=…` (the link: choose a
//! new password). Plain forms, JavaScript on or off.

use crate::accounts::{FormErrors, Problem, AUTH_PROBLEMS_PARAM, CONFIRM, PASSWORD, USERNAME};
use crate::util::problem::{Problem as _, FORM};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

fn problems() -> FormErrors {
    use_query_map().with_untracked(|q| {
        q.get_str(AUTH_PROBLEMS_PARAM)
            .map(|codes| FormErrors::from_codes(codes, &[USERNAME, PASSWORD, CONFIRM]))
            .unwrap_or_default()
    })
}

/// One labelled input with its problem, for the two forms here.
#[component]
fn Input(
    label: &'static str,
    name: &'static str,
    kind: &'static str,
    autocomplete: &'static str,
    max: usize,
    error: Option<String>,
    #[prop(optional)] autofocus: bool,
) -> impl IntoView {
    let id = format!("field-{name}");
    let error_id = format!("{name}-error");
    let invalid = error.is_some();
    view! {
        <div class="field" class:invalid=invalid>
            <label for=id.clone()>{label}</label>
            <input id=id name=name type=kind autocomplete=autocomplete maxlength=max
                autofocus=autofocus || invalid
                aria-invalid=if invalid { "true" } else { "false" } aria-describedby=error_id.clone()/>
            <p class="field-error" id=error_id>{error}</p>
        </div>
    }
}

#[component]
pub fn ForgotPage() -> impl IntoView {
    let errors = problems();
    #[cfg(feature = "ssr")]
    let sent = crate::server::http::forms::notice().is_some_and(|code| code == "sent");
    #[cfg(not(feature = "ssr"))]
    let sent = false;
    view! {
        <Title text="Forgot your password?"/>
        <section class="auth-card">
            <h1>"Forgot your password?"</h1>
            {if sent {
                view! {
                    <p class="notice-ok" role="status" data-testid="reset-sent">
                        "If that account has a confirmed email address, a link to set a new password is on its way. It works for an hour, once."
                    </p>
                }.into_any()
            } else {
                view! {
                    <p class="muted">"Give your username. We mail a link to set a new password to the account's confirmed email address."</p>
                }.into_any()
            }}
            {errors.message(FORM).map(|m| view! { <p class="form-error" role="alert">{m}</p> })}
            <form class="auth-form" method="post" action="/api/auth/forgot">
                <Input label="Username" name="username" kind="text" autocomplete="username"
                    max=crate::accounts::USERNAME_MAX error=errors.message(USERNAME) autofocus=true/>
                <button type="submit" class="button button-block">"Mail me a link"</button>
            </form>
            <p class="auth-switch"><a href="/auth/signin">"Back to sign in"</a></p>
        </section>
    }
}

#[component]
pub fn ResetPage() -> impl IntoView {
    let errors = problems();
    let token = use_query_map().with_untracked(|q| q.get("t").unwrap_or_default());
    view! {
        <Title text="Choose a new password"/>
        <section class="auth-card">
            <h1>"Choose a new password"</h1>
            <Suspense>
                {
                    Suspend::new(async move {
                        match crate::accounts::api::reset_link_works(token.clone()).await {
                            Ok(true) => view! {
                                {errors.message(FORM).map(|m| view! { <p class="form-error" role="alert">{m}</p> })}
                                <form class="auth-form" method="post" action="/api/auth/reset">
                                    <input type="hidden" name="t" value=token/>
                                    <Input label="New password" name="password" kind="password"
                                        autocomplete="new-password" max=crate::accounts::PASSWORD_MAX
                                        error=errors.message(PASSWORD) autofocus=true/>
                                    <Input label="Repeat the new password" name="confirm" kind="password"
                                        autocomplete="new-password" max=crate::accounts::PASSWORD_MAX
                                        error=errors.message(CONFIRM)/>
                                    <button type="submit" class="button button-block">"Set the new password"</button>
                                </form>
                                <p class="muted">"Every session of your account ends: sign in again everywhere with the new password."</p>
                            }.into_any(),
                            Ok(false) => {
                                crate::util::response::set_status_for(&crate::error::AppError::NotFound);
                                view! {
                                    <p class="form-error" role="alert" data-testid="link-invalid">{Problem::LinkInvalid.message()}</p>
                                    <p><a href=crate::accounts::api::FORGOT_PAGE>"Ask for a new link"</a></p>
                                }.into_any()
                            }
                            Err(error) => view! { <crate::ui::status::ErrorPage error/> }.into_any(),
                        }
                    })
                }
            </Suspense>
        </section>
    }
}
