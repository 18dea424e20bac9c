//! Server functions: sign up, sign in, sign out, and who is signed in.
//!
//! They serve two kinds of callers:
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
    let state = crate::server::state::current()?;
    crate::accounts::server::current_user(&state).await
}

#[server(prefix = "/api", endpoint = "auth/signin")]
pub async fn sign_in(
    username: String,
    password: String,
    next: Option<String>,
) -> Result<AuthReply, AppError> {
    use crate::server::http::request;
    let state = crate::server::state::current()?;
    let ip = request::client_ip(state.config.trust_proxy);
    let previous = request::session_token();
    let result = crate::accounts::server::sign_in(
        &state.db,
        &crate::accounts::server::AuthPolicy::from_config(&state.config),
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
    #[server(default)] email: String,
    next: Option<String>,
) -> Result<AuthReply, AppError> {
    use crate::server::http::request;
    let state = crate::server::state::current()?;
    let ip = request::client_ip(state.config.trust_proxy);
    let result = crate::accounts::server::sign_up(
        &state.db,
        &crate::accounts::server::AuthPolicy::from_config(&state.config),
        &ip,
        crate::accounts::server::SignUp {
            username: &username,
            password: &password,
            confirm: &confirm,
            email: &email,
        },
    )
    .await;
    if result.is_ok() {
        // A new account never inherits a session cookie the browser already had.
        if let Some(old) = request::session_token() {
            crate::accounts::server::sessions::destroy(&state.db, &old).await?;
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
    use crate::accounts::server::sessions;
    use crate::server::http::{forms, request};
    let state = crate::server::state::current()?;
    if let Some(token) = request::session_token() {
        sessions::destroy(&state.db, &token).await?;
    }
    request::set_cookie(&sessions::clearing_cookie(state.config.secure_cookies));
    forms::redirect_plain_post("/");
    Ok(())
}

/// Where the "forgot your password?" form comes back to.
pub const FORGOT_PAGE: &str = "/auth/forgot";

/// "Forgot your password?": mails a reset link to the account's confirmed address. Answers the
/// same whether or not the account exists or has one.
#[server(prefix = "/api", endpoint = "auth/forgot")]
pub async fn forgot_password(
    #[server(default)] username: String,
) -> Result<crate::util::problem::FormReply, AppError> {
    use crate::server::http::forms::{form_done, form_refused_all};
    let state = crate::server::state::current()?;
    let ip = crate::server::http::request::client_ip(state.config.trust_proxy);
    let policy = crate::accounts::server::AuthPolicy::from_config(&state.config);
    match crate::accounts::server::request_reset(&state.db, &policy, &ip, &username).await {
        Ok(()) => Ok(form_done(FORGOT_PAGE, "sent")),
        Err(errors) => Ok(form_refused_all(
            FORGOT_PAGE,
            crate::accounts::AUTH_PROBLEMS_PARAM,
            &errors,
        )),
    }
}

/// Whether a password-reset link would work (the page shows the form only then).
#[server(prefix = "/api", endpoint = "auth/reset-link")]
pub async fn reset_link_works(t: String) -> Result<bool, AppError> {
    let state = crate::server::state::current()?;
    crate::accounts::server::email::link_works(
        &state.db,
        &t,
        crate::accounts::server::email::Purpose::Reset,
    )
    .await
}

/// Sets a new password from a reset link, and ends every session of the account. Then the
/// user signs in with it.
#[server(prefix = "/api", endpoint = "auth/reset")]
pub async fn reset_password(
    #[server(default)] t: String,
    #[server(default)] password: String,
    #[server(default)] confirm: String,
) -> Result<crate::util::problem::FormReply, AppError> {
    use crate::server::http::forms::{form_done, form_refused_all};
    let state = crate::server::state::current()?;
    match crate::accounts::server::email::reset_password(&state.db, &t, &password, &confirm).await {
        Ok(_) => Ok(form_done(
            crate::accounts::AuthMode::SignIn.page(),
            "password-reset",
        )),
        Err(errors) => {
            let back = format!(
                "/auth/reset?t={}",
                crate::util::url::encode_query_value(&crate::util::url::clip(&t, 256))
            );
            Ok(form_refused_all(
                &back,
                crate::accounts::AUTH_PROBLEMS_PARAM,
                &errors,
            ))
        }
    }
}

#[cfg(feature = "ssr")]
mod flow {
    use crate::accounts::server::sessions::{self, NewSession};
    use crate::accounts::{safe_next, AuthMode, AuthReply, FormErrors, Problem};
    use crate::error::AppError;
    use crate::server::http::forms;
    use crate::server::http::request::set_cookie;
    use crate::server::state::AppState;
    use crate::util::problem::FORM;
    use crate::util::response::set_status_for;

    /// Turns the outcome of a sign-in or sign-up into the answer for this kind of caller.
    pub fn finish(
        state: &AppState,
        mode: AuthMode,
        result: Result<NewSession, FormErrors>,
        username: &str,
        next: Option<String>,
    ) -> Result<AuthReply, AppError> {
        let next = safe_next(next.as_deref());
        match result {
            Ok(session) => {
                set_cookie(&sessions::cookie(
                    &session.token,
                    state.config.session_ttl,
                    state.config.secure_cookies,
                ));
                forms::redirect_plain_post(&next);
                Ok(AuthReply::SignedIn {
                    username: session.username,
                    redirect: next,
                })
            }
            Err(errors) => {
                // Back to the form; the page shows the errors (and answers 429 for a limit).
                let back = crate::util::echo::url(
                    mode.page(),
                    (crate::accounts::AUTH_PROBLEMS_PARAM, &errors.to_codes()),
                    crate::accounts::AuthEcho {
                        username: username.to_string(),
                        next: next.clone(),
                    },
                    "",
                );
                if forms::redirect_plain_post(&back) {
                    return Ok(AuthReply::Rejected(errors));
                }
                match errors.get(FORM) {
                    Some(Problem::RateLimited(retry_after_secs)) => {
                        let error = AppError::RateLimited { retry_after_secs };
                        set_status_for(&error);
                        Err(error)
                    }
                    Some(Problem::Unavailable) => {
                        set_status_for(&AppError::Unavailable);
                        Err(AppError::Unavailable)
                    }
                    Some(Problem::Full) => {
                        set_status_for(&AppError::StorageFull);
                        Err(AppError::StorageFull)
                    }
                    _ => Ok(AuthReply::Rejected(errors)),
                }
            }
        }
    }
}
