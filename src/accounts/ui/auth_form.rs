//! Island: the sign-in and sign-up form.
//!
//! Server-rendered as a plain `<form method="post">` to the auth server function, so it works
//! with JavaScript off (the server answers with a redirect). Once hydrated it checks the
//! fields as you go, submits without a page load, shows the server's errors next to the
//! fields and then navigates to where the user was going.

use crate::accounts::api::{sign_in, sign_up};
use crate::accounts::{
    check_sign_in, check_sign_up, AuthMode, AuthReply, FormErrors, Problem, CONFIRM, EMAIL,
    EMAIL_MAX, PASSWORD, PASSWORD_MAX, USERNAME, USERNAME_MAX,
};
use crate::ui::forms::{Field, PostForm};
use crate::util::problem::{Problem as _, FORM};
use leptos::prelude::*;

#[island(lazy)]
pub fn AuthForm(
    mode: AuthMode,
    next: String,
    errors: FormErrors,
    username: String,
    /// Whether the site sends email (the sign-up form then asks for an address).
    email: bool,
) -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::server::assets::preload_island("auth_form");
    // Without JavaScript the first problem gets the focus as the page loads.
    let first_problem = [FORM, USERNAME, PASSWORD, CONFIRM, EMAIL]
        .into_iter()
        .find(|f| errors.get(f).is_some());
    let focus = move |field: &'static str| first_problem == Some(field);
    let errors = RwSignal::new(errors);
    // Refused in place: show the problems and move to the first.
    let refuse = move |found: FormErrors| {
        errors.set(found);
        #[cfg(feature = "hydrate")]
        crate::ui::focus::first_problem("form.auth-form");
    };
    // The inputs are read when the form is sent, not mirrored into signals as one types:
    // whatever was typed before the island hydrated (a slow connection) is kept and sent.
    let username_input = NodeRef::<leptos::html::Input>::new();
    let password_input = NodeRef::<leptos::html::Input>::new();
    let confirm_input = NodeRef::<leptos::html::Input>::new();
    let email_input = NodeRef::<leptos::html::Input>::new();
    let next_value = next.clone();

    let submit = Action::new(move |form: &[String; 4]| {
        let [user, pass, again, email] = form.clone();
        let next = next.clone();
        async move {
            match mode {
                AuthMode::SignIn => sign_in(user, pass, Some(next)).await,
                AuthMode::SignUp => sign_up(user, pass, again, email, Some(next)).await,
            }
        }
    });
    let pending = submit.pending();
    // Effects run only in the browser: the attribute tells users of the page (and tests) that
    // the form is live.

    Effect::new(move |_| {
        let Some(result) = submit.value().get() else {
            return;
        };
        match result {
            Ok(AuthReply::SignedIn { redirect, .. }) => {
                let _ = window().location().set_href(&redirect);
            }
            Ok(AuthReply::Rejected(found)) => refuse(found),
            Err(error) => refuse(FormErrors::form(Problem::from_error(&error))),
        }
    });

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let typed = |input: NodeRef<leptos::html::Input>| {
            input
                .get_untracked()
                .map(|el| el.value())
                .unwrap_or_default()
        };
        let form = [
            typed(username_input),
            typed(password_input),
            typed(confirm_input),
            typed(email_input),
        ];
        let [user, pass, again, email] = &form;
        let found = match mode {
            AuthMode::SignUp => check_sign_up(user, pass, again, email),
            AuthMode::SignIn => check_sign_in(user, pass),
        };
        if found.is_empty() {
            errors.set(found);
            submit.dispatch(form);
        } else {
            refuse(found);
        }
    };

    let (action, button, busy) = match mode {
        AuthMode::SignIn => ("/api/auth/signin", "Sign in", "Signing in…"),
        AuthMode::SignUp => ("/api/auth/signup", "Create account", "Creating account…"),
    };
    let field_error = move |field: &'static str| move || errors.with(|e| e.message(field));

    view! {
        <PostForm class="auth-form" action=action on_submit>
            <input type="hidden" name="next" value=next_value/>
            {move || {
                field_error(FORM)()
                    .map(|msg| view! { <p class="form-error" role="alert" tabindex="-1" autofocus=focus(FORM)>{msg}</p> })
            }}
            <Field name="username" label="Username" autocomplete="username"
                max=USERNAME_MAX value=username input=username_input
                error=Signal::derive(field_error(USERNAME)) autofocus=focus(USERNAME)/>
            <Field name="password" label="Password" kind="password"
                autocomplete=if mode == AuthMode::SignUp { "new-password" } else { "current-password" }
                max=PASSWORD_MAX input=password_input
                error=Signal::derive(field_error(PASSWORD)) autofocus=focus(PASSWORD)/>
            {(mode == AuthMode::SignUp).then(|| view! {
                <Field name="confirm" label="Repeat password" kind="password"
                    autocomplete="new-password" max=PASSWORD_MAX input=confirm_input
                    error=Signal::derive(field_error(CONFIRM)) autofocus=focus(CONFIRM)/>
            })}
            {(mode == AuthMode::SignUp && email).then(|| view! {
                <Field name="email" kind="email" autocomplete="email" max=EMAIL_MAX
                    label="Email (optional: for alerts and to reset a forgotten password)"
                    input=email_input error=Signal::derive(field_error(EMAIL)) autofocus=focus(EMAIL)/>
            })}
            <button type="submit" class="button button-block" disabled=move || pending.get()>
                {move || if pending.get() { busy } else { button }}
            </button>
        </PostForm>
    }
}
