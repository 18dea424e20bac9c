use crate::error::AppError;
use crate::model::HomeSections;
use leptos::prelude::*;

/// The home page rankings.
#[server]
pub async fn get_home_sections() -> Result<HomeSections, AppError> {
    let state = super::state()?;
    crate::server::items::home_sections(&state.db).await
}
