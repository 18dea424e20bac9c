//! Server function: a user's public profile.

use crate::error::AppError;
use crate::profiles::Profile;
use crate::util::id::UserId;
use leptos::prelude::*;

/// A user's public profile: items they sell and items they like; `None` for an unknown user.
#[server(prefix = "/api", endpoint = "users/profile")]
pub async fn user_profile(id: UserId) -> Result<Option<Profile>, AppError> {
    let state = crate::server::state::current()?;
    crate::profiles::server::profile(&state.db, id).await
}
