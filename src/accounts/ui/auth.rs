//! `/auth/signin` and `/auth/signup`.

use crate::accounts::api::get_current_user;
use crate::accounts::ui::auth_form::AuthForm;
use crate::accounts::{safe_next, AuthMode, FormErrors, Problem, FIELDS};
use crate::error::AppError;
use crate::util::problem::FORM;
use crate::util::response::set_status_for;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_location, use_query_map};

#[component]
pub fn SignInPage() -> impl IntoView {
    view! { <AuthPage mode=AuthMode::SignIn/> }
}

#[component]
pub fn SignUpPage() -> impl IntoView {
    view! { <AuthPage mode=AuthMode::SignUp/> }
}

#[component]
fn AuthPage(mode: AuthMode) -> impl IntoView {
    let errors = use_query_map().with_untracked(|q| {
        q.get_str(crate::accounts::AUTH_PROBLEMS_PARAM)
            .map(|codes| FormErrors::from_codes(codes, &FIELDS))
            .unwrap_or_default()
    });
    let echo: crate::accounts::AuthEcho =
        crate::util::echo::read(&use_location().search.get_untracked());
    let next = safe_next(Some(echo.next.as_str()).filter(|n| !n.is_empty()));
    let username = echo.username;
    if let Some(Problem::RateLimited(retry_after_secs)) = errors.get(FORM) {
        set_status_for(&AppError::RateLimited { retry_after_secs });
    }
    let (title, other_text, other_link, other_label) = match mode {
        AuthMode::SignIn => (
            "Sign in",
            "New to Rbay?",
            "/auth/signup",
            "Create an account",
        ),
        AuthMode::SignUp => (
            "Create your account",
            "Already have an account?",
            "/auth/signin",
            "Sign in",
        ),
    };
    #[cfg(feature = "ssr")]
    let email = crate::email::server::enabled();
    #[cfg(not(feature = "ssr"))]
    let email = false;
    let other_href = format!(
        "{other_link}?next={}",
        crate::util::url::encode_query_value(&next)
    );
    #[cfg(feature = "ssr")]
    let done = crate::server::http::forms::notice()
        .filter(|code| code == "password-reset")
        .map(|_| "Your password is changed, and every session of your account has ended. Sign in with the new password.");
    #[cfg(not(feature = "ssr"))]
    let done: Option<&'static str> = None;

    view! {
        <Title text=title/>
        <section class="auth-card">
            <h1>{title}</h1>
            {done.map(|message| view! { <p class="notice-ok" role="status">{message}</p> })}
            <Suspense>
                {
                    let (next, errors, username) = (next.clone(), errors.clone(), username.clone());
                    Suspend::new(async move {
                        match get_current_user().await {
                            Ok(Some(user)) => {
                                view! {
                                    <p class="lead">"You're signed in as "<strong>{user.username}</strong>"."</p>
                                    <a class="button button-block" href=next>"Continue"</a>
                                }
                                    .into_any()
                            }
                            _ => view! { <AuthForm mode next errors username email/> }.into_any(),
                        }
                    })
                }
            </Suspense>
            {(mode == AuthMode::SignIn).then(|| view! {
                <p class="auth-switch"><a href=crate::accounts::api::FORGOT_PAGE>"Forgot your password?"</a></p>
            })}
            <p class="auth-switch">{other_text}" "<a href=other_href>{other_label}</a></p>
        </section>
    }
}
