//! Sign up, sign in, sign out, and who is signed in.
//!
//! The auth server functions serve two kinds of callers:
//! - the hydrated form island (JSON): they return an [`AuthReply`] and the island shows the
//!   errors or navigates;
//! - a plain HTML form post (JavaScript off): they answer with a redirect, to `next` on
//!   success or back to the form with error codes in the URL.

use crate::accounts::{AuthReply, CurrentUser};
use crate::error::AppError;
use leptos::prelude::*;

/// The signed-in user of this request, if any.
#[server(prefix = "/api", endpoint = "auth/me")]
pub async fn get_current_user() -> Result<Option<CurrentUser>, AppError> {
    let state = super::state()?;
    crate::server::request::current_user(&state).await
}

#[server(prefix = "/api", endpoint = "auth/signin")]
pub async fn sign_in(
    username: String,
    password: String,
    next: Option<String>,
) -> Result<AuthReply, AppError> {
    use crate::server::{accounts, request};
    let state = super::state()?;
    let ip = request::client_ip(&state);
    let previous = request::session_token();
    let result = accounts::sign_in(
        &state.db,
        &state.auth_policy(),
        &ip,
        &username,
        &password,
        previous.as_deref(),
    )
    .await;
    flow::finish(
        &state,
        crate::accounts::AuthMode::SignIn,
        result,
        &username,
        next,
    )
}

#[server(prefix = "/api", endpoint = "auth/signup")]
pub async fn sign_up(
    username: String,
    password: String,
    confirm: String,
    next: Option<String>,
) -> Result<AuthReply, AppError> {
    use crate::server::{accounts, request};
    let state = super::state()?;
    let ip = request::client_ip(&state);
    let result = accounts::sign_up(
        &state.db,
        &state.auth_policy(),
        &ip,
        &username,
        &password,
        &confirm,
    )
    .await;
    if result.is_ok() {
        // A new account never inherits a session cookie the browser already had.
        if let Some(old) = request::session_token() {
            crate::server::sessions::destroy(&state.db, &old).await?;
        }
    }
    flow::finish(
        &state,
        crate::accounts::AuthMode::SignUp,
        result,
        &username,
        next,
    )
}

/// Ends the session: the Redis record is deleted, so the old cookie is worthless.
#[server(prefix = "/api", endpoint = "auth/signout")]
pub async fn sign_out() -> Result<(), AppError> {
    use crate::server::{request, sessions};
    let state = super::state()?;
    if let Some(token) = request::session_token() {
        sessions::destroy(&state.db, &token).await?;
    }
    request::set_cookie(&sessions::clearing_cookie(state.config.secure_cookies));
    if request::is_plain_form_post() {
        leptos_axum::redirect("/");
    }
    Ok(())
}

#[cfg(feature = "ssr")]
mod flow {
    use crate::accounts::{encode_query_value, safe_next, AuthMode, AuthReply, Problem};
    use crate::error::AppError;
    use crate::pages::status::set_status_for;
    use crate::server::accounts::AuthFailure;
    use crate::server::http::AppState;
    use crate::server::request::{is_plain_form_post, set_cookie};
    use crate::server::sessions::{self, NewSession};

    /// Turns the outcome of a sign-in or sign-up into the answer for this kind of caller.
    pub fn finish(
        state: &AppState,
        mode: AuthMode,
        result: Result<NewSession, AuthFailure>,
        username: &str,
        next: Option<String>,
    ) -> Result<AuthReply, AppError> {
        let next = safe_next(next.as_deref());
        let plain = is_plain_form_post();
        match result {
            Ok(session) => {
                set_cookie(&sessions::cookie(
                    &session.token,
                    state.config.session_ttl,
                    state.config.secure_cookies,
                ));
                if plain {
                    leptos_axum::redirect(&next);
                }
                Ok(AuthReply::SignedIn {
                    username: session.username,
                    redirect: next,
                })
            }
            Err(failure) => {
                let errors = failure.errors().clone();
                if plain {
                    // Back to the form; the page shows the errors (and answers 429 for a limit).
                    let shown_name: String = username.trim().chars().take(64).collect();
                    leptos_axum::redirect(&format!(
                        "{}?e={}&username={}&next={}",
                        mode.page(),
                        encode_query_value(&errors.to_codes()),
                        encode_query_value(&shown_name),
                        encode_query_value(&next),
                    ));
                    return Ok(AuthReply::Rejected(errors));
                }
                match errors.form {
                    Some(Problem::RateLimited { retry_after_secs }) => {
                        let error = AppError::RateLimited { retry_after_secs };
                        set_status_for(&error);
                        Err(error)
                    }
                    Some(Problem::Unavailable) => {
                        set_status_for(&AppError::Unavailable);
                        Err(AppError::Unavailable)
                    }
                    _ => Ok(AuthReply::Rejected(errors)),
                }
            }
        }
    }
}
