//! Server functions of the operations page: only for the users named in `RBAY_ADMINS`; to
//! everyone else they do not exist (404).

use crate::error::AppError;
use crate::jobs::OpsView;
use leptos::prelude::*;

/// The queues' numbers and dead jobs; `NotFound` unless the viewer is an operator.
#[server(prefix = "/api", endpoint = "ops/view")]
pub async fn get_ops() -> Result<OpsView, AppError> {
    let state = crate::server::state::current()?;
    operator(&state).await?;
    let now = crate::util::time::now_ms();
    let queues = state.jobs.queues();
    let (mut view, fleet) = tokio::try_join!(
        crate::jobs::server::view(&state.db, &queues),
        crate::analytics::server::ops::fleet(&state.db, now),
    )?;
    view.fleet = fleet;
    Ok(view)
}

/// Retries (`action = "retry"`) or discards a dead job. Plain form posts return to `/ops`.
#[server(prefix = "/api", endpoint = "ops/dead")]
pub async fn settle_dead_job(
    queue: String,
    entry: String,
    action: String,
) -> Result<bool, AppError> {
    let state = crate::server::state::current()?;
    operator(&state).await?;
    if !state.jobs.queues().contains(&queue.as_str()) {
        return Err(AppError::NotFound);
    }
    let retry = match action.as_str() {
        "retry" => true,
        "discard" => false,
        _ => return Err(AppError::Invalid("Choose retry or discard.".into())),
    };
    let is_entry_id = |id: &str| {
        let (ms, seq) = id.split_once('-').unwrap_or((id, "0"));
        [ms, seq].iter().all(|part| {
            !part.is_empty() && part.len() <= 20 && part.bytes().all(|b| b.is_ascii_digit())
        })
    };
    if !is_entry_id(&entry) {
        return Err(AppError::Invalid("That is not a dead job.".into()));
    }
    let done = crate::server::jobs::settle_dead(&state.db, &queue, &entry, retry)
        .await
        .map_err(|e| crate::server::redis::db::redis_error("settle dead job", e))?;
    crate::server::http::forms::redirect_plain_post("/ops");
    Ok(done)
}

/// Operators only: anyone else is told the page does not exist.
#[cfg(feature = "ssr")]
async fn operator(state: &crate::server::state::AppState) -> Result<(), AppError> {
    crate::accounts::server::admin(state).await.map(|_| ())
}
