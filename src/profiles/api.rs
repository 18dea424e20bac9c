//! Server function: a user's public profile.

use crate::error::AppError;
use crate::profiles::Profile;
use crate::util::id::UserId;
use leptos::prelude::*;

/// A user's public profile: items they sell and items they like, their rating and page
/// `page` (from 1) of the feedback they received; `None` for an unknown user.
#[server(prefix = "/api", endpoint = "users/profile")]
pub async fn user_profile(id: UserId, page: u64) -> Result<Option<Profile>, AppError> {
    let state = crate::server::state::current()?;
    // Past the last page is an empty page; absurd numbers are refused, not computed.
    if page == 0 || page > 100_000 {
        return Err(AppError::NotFound);
    }
    crate::profiles::server::profile(&state.db, id, page).await
}
