//! Server functions: the report form, the moderators' page and its actions, a seller's
//! blocked bidders. The forms are plain `POST` forms (JavaScript on or off): each redirects
//! back to its page with a one-time notice, or with its problem (`?e=field:code`).

use crate::error::AppError;
use crate::moderation::{Blocked, ModerationView, Reported};
use crate::util::id::UserId;
use crate::util::problem::FormReply;
use leptos::prelude::*;

/// The query parameter carrying a refused form's problems back to its page.
pub const PROBLEMS_PARAM: &str = "e";

/// The report form's page: what is reported. `None` when nobody is signed in; not found for
/// what does not exist or a moderator hid already (but to the moderators).
#[server(prefix = "/api", endpoint = "moderation/reported")]
pub async fn report_target(target: String) -> Result<Option<Reported>, AppError> {
    let state = crate::server::state::current()?;
    let Some(user) = crate::accounts::server::current_user(&state).await? else {
        return Ok(None);
    };
    let target = crate::moderation::Target::parse(&target).ok_or(AppError::NotFound)?;
    let found = crate::moderation::server::describe(&state.db, target)
        .await?
        .ok_or(AppError::NotFound)?;
    if found.hidden && !state.config.admins.contains(&user.username) {
        return Err(AppError::NotFound);
    }
    Ok(Some(found))
}

/// Files a report.
#[server(prefix = "/api", endpoint = "moderation/report")]
pub async fn file_report(
    target: String,
    #[server(default)] reason: String,
    #[server(default)] note: String,
) -> Result<FormReply, AppError> {
    use crate::moderation::{check_note, ModProblem, Reason, Target};
    let state = crate::server::state::current()?;
    let parsed = Target::parse(&target).ok_or(AppError::NotFound)?;
    let back = crate::moderation::report_url(&parsed);
    let Some(user) = forms::signed_in(&state, &back).await? else {
        return Ok(FormReply::signed_out(ModProblem::SignIn));
    };
    let Some(reason) = Reason::parse(&reason) else {
        return Ok(forms::refused(&back, "reason", ModProblem::NoReason));
    };
    let note = match check_note(&note) {
        Ok(note) => note,
        Err(problem) => return Ok(forms::refused(&back, "note", problem)),
    };
    match crate::moderation::server::report(&state.db, parsed, &user, reason, &note).await? {
        Ok(_) => Ok(crate::server::http::forms::form_done(&back, "reported")),
        Err(problem) => Ok(forms::refused(&back, "form", problem)),
    }
}

/// The moderators' page: the queue and the audit log. Not found for anyone else.
#[server(prefix = "/api", endpoint = "moderation/view")]
pub async fn moderation_queue() -> Result<ModerationView, AppError> {
    let state = crate::server::state::current()?;
    crate::accounts::server::admin(&state).await?;
    crate::moderation::server::view(&state.db).await
}

/// A moderator hides, restores or dismisses the reports on a target, saying why.
#[server(prefix = "/api", endpoint = "moderation/act")]
pub async fn moderate(
    target: String,
    action: String,
    #[server(default)] why: String,
) -> Result<FormReply, AppError> {
    use crate::moderation::server::Applied;
    use crate::moderation::{check_note, ModAction, ModProblem, Target};
    let state = crate::server::state::current()?;
    let moderator = crate::accounts::server::admin(&state).await?;
    const BACK: &str = "/ops/moderation";
    let target = Target::parse(&target).ok_or(AppError::NotFound)?;
    let action = ModAction::parse(&action)
        .ok_or_else(|| AppError::Invalid("Choose hide, restore or dismiss.".into()))?;
    let why = match check_note(&why) {
        Ok(why) if why.is_empty() => return Ok(forms::refused(BACK, "why", ModProblem::NoWhy)),
        Ok(why) => why,
        Err(problem) => return Ok(forms::refused(BACK, "why", problem)),
    };
    let db = &state.db;
    match crate::moderation::server::act(db, &moderator.username, target, action, &why).await? {
        Applied::NotFound => Err(AppError::NotFound),
        Applied::Unchanged => Ok(forms::refused(BACK, "form", ModProblem::Unchanged)),
        Applied::Done => Ok(crate::server::http::forms::form_done(BACK, action.as_str())),
    }
}

/// The signed-in seller's blocked bidders; `None` when nobody is signed in.
#[server(prefix = "/api", endpoint = "moderation/blocked")]
pub async fn blocked_bidders() -> Result<Option<Vec<Blocked>>, AppError> {
    let state = crate::server::state::current()?;
    let Some(user) = crate::accounts::server::current_user(&state).await? else {
        return Ok(None);
    };
    crate::moderation::server::blocked(&state.db, user.id)
        .await
        .map(Some)
}

/// Blocks a bidder (by username) from the signed-in seller's listings.
#[server(prefix = "/api", endpoint = "moderation/block")]
pub async fn block_bidder(#[server(default)] username: String) -> Result<FormReply, AppError> {
    use crate::moderation::ModProblem;
    let state = crate::server::state::current()?;
    const BACK: &str = "/my/blocked";
    let Some(user) = forms::signed_in(&state, BACK).await? else {
        return Ok(FormReply::signed_out(ModProblem::SignIn));
    };
    let lower = crate::accounts::validate_username(&username).ok();
    let bidder = match lower {
        Some(lower) => crate::accounts::server::find_user_id(&state.db, &lower).await?,
        None => None,
    };
    let Some(bidder) = bidder else {
        return Ok(forms::refused(BACK, "username", ModProblem::NoSuchUser));
    };
    match crate::moderation::server::block(&state.db, user.id, bidder).await? {
        Ok(()) => Ok(crate::server::http::forms::form_done(BACK, "blocked")),
        Err(problem) => Ok(forms::refused(BACK, "username", problem)),
    }
}

/// Lifts the signed-in seller's block of a bidder.
#[server(prefix = "/api", endpoint = "moderation/unblock")]
pub async fn unblock_bidder(user: UserId) -> Result<FormReply, AppError> {
    let state = crate::server::state::current()?;
    const BACK: &str = "/my/blocked";
    let Some(seller) = forms::signed_in(&state, BACK).await? else {
        return Ok(FormReply::signed_out(crate::moderation::ModProblem::SignIn));
    };
    crate::moderation::server::unblock(&state.db, seller.id, user).await?;
    Ok(crate::server::http::forms::form_done(BACK, "unblocked"))
}

#[cfg(feature = "ssr")]
mod forms {
    use super::{FormReply, PROBLEMS_PARAM};
    use crate::accounts::CurrentUser;
    use crate::error::AppError;
    use crate::moderation::server::REPORT_LIMIT;
    use crate::moderation::ModProblem;
    use crate::server::http::forms::{form_refused, redirect_plain_post};
    use crate::server::redis::rate_limit::Action;
    use crate::server::state::AppState;

    /// The signed-in user, within the reports' rate limit (a refused one is an error answered
    /// 429); `None` (and, for a plain form, off to sign in) without a session.
    pub async fn signed_in(state: &AppState, back: &str) -> Result<Option<CurrentUser>, AppError> {
        let checked =
            crate::accounts::server::current_user_within(state, Action::Report, REPORT_LIMIT)
                .await?;
        match checked {
            None => {
                redirect_plain_post(&crate::accounts::sign_in_url(back));
                Ok(None)
            }
            Some((_, Err(secs))) => Err(AppError::RateLimited {
                retry_after_secs: secs,
            }),
            Some((user, Ok(()))) => Ok(Some(user)),
        }
    }

    /// A refused form: back to its page with the problem.
    pub fn refused(back: &str, field: &str, problem: ModProblem) -> FormReply {
        form_refused(back, PROBLEMS_PARAM, field, problem)
    }
}
