//! Server functions: listing a new item; revising a running one and adding to its
//! description; ending a listing early and relisting one (plain
//! `POST` forms of the item page's seller controls, JavaScript on or off: back to the item page,
//! or on to the new listing, with a one-time notice).

use crate::error::AppError;
use crate::items::ItemId;
use crate::listings::{CreateItemReply, ManageReply, RevisePage};
use leptos::prelude::*;
use leptos::server_fn::codec::{MultipartData, MultipartFormData};

/// Lists a new item from the multipart form (fields `name`, `description`, `category`,
/// `condition`, `price`, `duration`, `reserve`, `buy_now`, `shipping`, `shipping_cost`,
/// `returns`, `location`, `soft_close`, then up to 8 files `photo`).
#[server(prefix = "/api", endpoint = "items/create", input = MultipartFormData)]
pub async fn create_item(data: MultipartData) -> Result<CreateItemReply, AppError> {
    use crate::listings::server::listing;
    let state = crate::server::state::current()?;
    listing::receive(&state, data).await
}

/// Revises a running listing nobody has bid on, from the multipart revise form: `item_id`
/// first, then the fields of [`create_item`] but `duration` (the end stays), then new photos
/// (none: the listing keeps its photos).
#[server(prefix = "/api", endpoint = "items/revise", input = MultipartFormData)]
pub async fn revise_item(data: MultipartData) -> Result<CreateItemReply, AppError> {
    let state = crate::server::state::current()?;
    crate::listings::server::revise::receive(&state, data).await
}

/// What the revise page of a listing offers the signed-in user (`None`: signed out).
#[server(prefix = "/api", endpoint = "items/revise-page")]
pub async fn get_revise_page(item_id: ItemId) -> Result<Option<RevisePage>, AppError> {
    let state = crate::server::state::current()?;
    let Some(user) = crate::accounts::server::current_user(&state).await? else {
        return Ok(None);
    };
    crate::listings::server::revise::page(&state.db, user.id, item_id)
        .await?
        .map(Some)
        .ok_or(AppError::NotFound)
}

/// The seller adds dated text to a running listing's description (after bids too).
#[server(prefix = "/api", endpoint = "items/add-to-description")]
pub async fn add_to_description(item_id: ItemId, text: String) -> Result<ManageReply, AppError> {
    use crate::listings::server::revise::{self, Added, REVISION_LIMIT};
    use crate::listings::{ManageProblem, ADDITION_RULE};
    use crate::server::redis::rate_limit::{enforce_user, Action};
    let state = crate::server::state::current()?;
    let Some(user) = manage::seller(&state, item_id).await? else {
        return Ok(ManageReply::Refused(ManageProblem::SignIn));
    };
    // Refused: back to the revise page, which says why.
    let refused_to_form = |problem| manage::refused_to(&revise::revise_url(item_id), problem);
    let Ok(text) = crate::util::text::clean(&text, ADDITION_RULE) else {
        return Ok(refused_to_form(ManageProblem::AdditionText));
    };
    if let Err(secs) = enforce_user(&state.db, Action::Revision, user.id, REVISION_LIMIT).await? {
        return Ok(refused_to_form(ManageProblem::RateLimited(secs)));
    }
    let refused = match revise::add_to_description(&state.db, user.id, item_id, &text).await? {
        Added::Added { .. } => {
            manage::back(item_id, crate::listings::ADDED_NOTICE);
            return Ok(ManageReply::Added);
        }
        Added::NotFound => return Err(AppError::NotFound),
        Added::NotYours => ManageProblem::NotYours,
        Added::Over => ManageProblem::Over,
        Added::TooMany => ManageProblem::TooManyAdditions,
        Added::Removed => ManageProblem::Removed,
    };
    Ok(refused_to_form(refused))
}

/// The seller ends their listing now, while nobody has bid on it.
#[server(prefix = "/api", endpoint = "items/end")]
pub async fn end_listing(item_id: ItemId) -> Result<ManageReply, AppError> {
    use crate::listings::server::manage::{end_early, Ended};
    use crate::listings::ManageProblem;
    let state = crate::server::state::current()?;
    let Some(user) = manage::seller(&state, item_id).await? else {
        return Ok(ManageReply::Refused(ManageProblem::SignIn));
    };
    let refused = match end_early(&state.db, user.id, item_id).await? {
        Ended::Ended { .. } => {
            manage::back(item_id, crate::listings::ENDED_NOTICE);
            return Ok(ManageReply::Ended);
        }
        Ended::NotFound => return Err(AppError::NotFound),
        Ended::NotYours => ManageProblem::NotYours,
        Ended::Over => ManageProblem::Over,
        Ended::HasBids => ManageProblem::HasBids,
    };
    Ok(manage::refused(item_id, refused))
}

/// The seller relists an item that did not sell (unsold, or its sale cancelled unpaid), once:
/// on to the new listing.
#[server(prefix = "/api", endpoint = "items/relist")]
pub async fn relist_item(item_id: ItemId) -> Result<ManageReply, AppError> {
    use crate::listings::server::manage::{relist, Relisted};
    use crate::listings::ManageProblem;
    use crate::server::redis::rate_limit::{enforce_user, Action};
    let state = crate::server::state::current()?;
    let Some(user) = manage::seller(&state, item_id).await? else {
        return Ok(ManageReply::Refused(ManageProblem::SignIn));
    };
    // A relisting is a new listing: it counts against the seller's listing limit.
    if let Err(secs) = enforce_user(
        &state.db,
        Action::Listing,
        user.id,
        state.config.listing_limit,
    )
    .await?
    {
        return Ok(manage::refused(item_id, ManageProblem::RateLimited(secs)));
    }
    let refused = match relist(&state.db, user.id, &user.username, item_id).await? {
        Relisted::Relisted(id) => {
            manage::back(id, crate::listings::RELISTED_NOTICE);
            return Ok(ManageReply::Relisted { id });
        }
        Relisted::NotFound => return Err(AppError::NotFound),
        Relisted::NotYours => ManageProblem::NotYours,
        Relisted::NotOver => ManageProblem::NotOver,
        Relisted::NotRelistable => ManageProblem::NotRelistable,
        Relisted::Already(_) => ManageProblem::Already,
    };
    Ok(manage::refused(item_id, refused))
}

/// What the seller's forms share: who sends them, and where they go back to.
#[cfg(feature = "ssr")]
mod manage {
    use crate::accounts::CurrentUser;
    use crate::error::AppError;
    use crate::items::ItemId;
    use crate::listings::{ManageProblem, ManageReply, MANAGE_PROBLEM_PREFIX};
    use crate::server::http::forms::redirect_plain_post_with_notice;
    use crate::server::state::AppState;
    use crate::util::problem::Problem as _;

    /// The signed-in user (a plain form post without one goes to sign in and back).
    pub async fn seller(state: &AppState, item: ItemId) -> Result<Option<CurrentUser>, AppError> {
        crate::accounts::server::form_user(state, &format!("/items/{item}")).await
    }

    /// Done: to the item's page with the notice.
    pub fn back(item: ItemId, notice: &str) {
        redirect_plain_post_with_notice(&format!("/items/{item}#manage"), notice);
    }

    /// Refused: back to the item's page, which says why.
    pub fn refused(item: ItemId, problem: ManageProblem) -> ManageReply {
        refused_to(&format!("/items/{item}#manage"), problem)
    }

    /// Refused: back to `page`, which says why.
    pub fn refused_to(page: &str, problem: ManageProblem) -> ManageReply {
        let notice = format!("{MANAGE_PROBLEM_PREFIX}{}", problem.code());
        redirect_plain_post_with_notice(page, &notice);
        ManageReply::Refused(problem)
    }
}
