//! Server functions of `/my/email` (the signed-in user's own address and switches only) and
//! of the confirmation link (the link is the authority: no session needed). Plain `POST`
//! forms, JavaScript on or off, that come back to their page with a one-time notice or their
//! problem (`?e=field:code`).

use crate::email::EmailPage;
use crate::error::AppError;
use crate::util::problem::FormReply;
use leptos::prelude::*;

/// The signed-in user's email settings; `None` when nobody is signed in.
#[server(prefix = "/api", endpoint = "email/settings")]
pub async fn email_settings() -> Result<Option<EmailPage>, AppError> {
    let state = crate::server::state::current()?;
    let Some(user) = crate::accounts::server::current_user(&state).await? else {
        return Ok(None);
    };
    let email = crate::accounts::server::email::account_email(&state.db, user.id).await?;
    Ok(Some(EmailPage {
        enabled: crate::email::server::enabled(),
        email,
    }))
}

/// Sets the address to confirm (its link is mailed), or with an empty field removes every
/// address (no more email). Asks for the current password: the address is where password
/// resets go, so a stolen session alone must not be able to change it.
#[server(prefix = "/api", endpoint = "email/address")]
pub async fn set_email(
    #[server(default)] email: String,
    #[server(default)] password: String,
) -> Result<FormReply, AppError> {
    use crate::email::EmailProblem;
    let state = crate::server::state::current()?;
    let Some(user) = crate::accounts::server::form_user(&state, crate::email::PAGE).await? else {
        return Ok(reply::signed_out());
    };
    let address = match crate::accounts::validate_email(&email) {
        Ok(address) => address,
        Err(_) => return Ok(reply::refused("email", EmailProblem::Address)),
    };
    if address.is_some() && !crate::email::server::enabled() {
        return Ok(reply::refused("form", EmailProblem::Off));
    }
    // Counted before the password is checked: the limit also bounds guessing it here.
    if let Err(problem) = reply::within_limit(&state, user.id).await? {
        return Ok(reply::refused("form", problem));
    }
    if !crate::accounts::server::email::password_is(&state.db, user.id, &password).await? {
        return Ok(reply::refused("password", EmailProblem::Password));
    }
    let set = crate::accounts::server::email::set_address(&state.db, user.id, address.as_deref());
    Ok(match (set.await, address.is_some()) {
        (Ok(_), false) => reply::done("removed"),
        (Ok(sent), true) => reply::done(if sent { "sent" } else { "unchanged" }),
        (Err(AppError::RateLimited { retry_after_secs }), _) => {
            reply::refused("form", EmailProblem::RateLimited(retry_after_secs))
        }
        (Err(e), _) => return Err(e),
    })
}

/// Mails the pending address's confirmation link again (a new link; the old one stops
/// working).
#[server(prefix = "/api", endpoint = "email/resend")]
pub async fn resend_confirmation() -> Result<FormReply, AppError> {
    use crate::accounts::server::email as account;
    use crate::email::EmailProblem;
    let state = crate::server::state::current()?;
    let Some(user) = crate::accounts::server::form_user(&state, crate::email::PAGE).await? else {
        return Ok(reply::signed_out());
    };
    if !crate::email::server::enabled() {
        return Ok(reply::refused("form", EmailProblem::Off));
    }
    let Some(pending) = account::account_email(&state.db, user.id).await?.pending else {
        return Ok(reply::refused("form", EmailProblem::NothingPending));
    };
    if let Err(problem) = reply::within_limit(&state, user.id).await? {
        return Ok(reply::refused("form", problem));
    }
    match account::recipient_within_limit(&state.db, &pending).await {
        Ok(()) => {}
        Err(AppError::RateLimited { retry_after_secs }) => {
            return Ok(reply::refused(
                "form",
                EmailProblem::RateLimited(retry_after_secs),
            ))
        }
        Err(e) => return Err(e),
    }
    account::queue_mail(&state.db, user.id, account::Purpose::Confirm).await?;
    Ok(reply::done("sent"))
}

/// Turns each kind of mail on or off: a checkbox per kind, named by the kind (`outbid=on`).
#[server(prefix = "/api", endpoint = "email/wanted")]
pub async fn set_mail_wanted(
    #[server(default)] outbid: String,
    #[server(default)] won: String,
    #[server(default)] sold: String,
    #[server(default)] saved_search: String,
    #[server(default)] orders: String,
) -> Result<FormReply, AppError> {
    use crate::accounts::MailKind;
    let state = crate::server::state::current()?;
    let Some(user) = crate::accounts::server::form_user(&state, crate::email::PAGE).await? else {
        return Ok(reply::signed_out());
    };
    let on: Vec<MailKind> = [
        (MailKind::Outbid, outbid),
        (MailKind::Won, won),
        (MailKind::Sold, sold),
        (MailKind::SavedSearch, saved_search),
        (MailKind::Orders, orders),
    ]
    .into_iter()
    .filter(|(_, value)| !value.is_empty())
    .map(|(kind, _)| kind)
    .collect();
    crate::accounts::server::email::set_wanted(&state.db, user.id, &on).await?;
    Ok(reply::done("saved"))
}

/// Whether a confirmation link would work (the page offers its button only then).
#[server(prefix = "/api", endpoint = "email/confirm-link")]
pub async fn confirm_link_works(t: String) -> Result<bool, AppError> {
    use crate::accounts::server::email as account;
    let state = crate::server::state::current()?;
    account::link_works(&state.db, &t, account::Purpose::Confirm).await
}

/// Follows a confirmation link: its address becomes the account's.
#[server(prefix = "/api", endpoint = "email/confirm")]
pub async fn confirm_email(#[server(default)] t: String) -> Result<FormReply, AppError> {
    use crate::email::{EmailProblem, CONFIRM_PAGE, PROBLEMS_PARAM};
    use crate::server::http::forms::{form_done, form_refused};
    let state = crate::server::state::current()?;
    Ok(
        match crate::accounts::server::email::confirm(&state.db, &t).await? {
            Ok(_) => form_done(CONFIRM_PAGE, "confirmed"),
            Err(_) => form_refused(CONFIRM_PAGE, PROBLEMS_PARAM, "form", EmailProblem::Link),
        },
    )
}

#[cfg(feature = "ssr")]
mod reply {
    use super::FormReply;
    use crate::accounts::UserId;
    use crate::email::{EmailProblem, PAGE, PROBLEMS_PARAM};
    use crate::error::AppError;
    use crate::server::http::forms::{form_done, form_refused};
    use crate::server::redis::rate_limit::{self, Action, Limit};
    use crate::server::state::AppState;

    /// Addresses set or links resent, per user: each mails someone.
    const MAIL_LIMIT: Limit = Limit::per_secs(6, 3600);

    pub fn signed_out() -> FormReply {
        FormReply::signed_out(EmailProblem::SignIn)
    }

    pub fn done(code: &str) -> FormReply {
        form_done(PAGE, code)
    }

    pub fn refused(field: &str, problem: EmailProblem) -> FormReply {
        form_refused(PAGE, PROBLEMS_PARAM, field, problem)
    }

    /// One more mail asked for by `user`, within [`MAIL_LIMIT`].
    pub async fn within_limit(
        state: &AppState,
        user: UserId,
    ) -> Result<Result<(), EmailProblem>, AppError> {
        Ok(
            rate_limit::enforce_user(&state.db, Action::Mail, user, MAIL_LIMIT)
                .await?
                .map_err(EmailProblem::RateLimited),
        )
    }
}
