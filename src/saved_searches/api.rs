//! Server functions: save a search, list them, rename, pause or resume, delete. Plain `POST`
//! forms (JavaScript on or off) that come back to `/my/searches` with a one-time notice or
//! their problem (`?e=field:code`). Each works on the signed-in user's own searches only: the
//! id names one of theirs, never anyone else's.

use crate::error::AppError;
use crate::saved_searches::SavedPage;
use crate::util::problem::FormReply;
use leptos::prelude::*;

/// The query parameter carrying a refused form's problem back to the page.
pub const PROBLEMS_PARAM: &str = "e";
/// Where the forms come back to.
pub const PAGE: &str = "/my/searches";

/// The signed-in user's saved searches; `None` when nobody is signed in.
#[server(prefix = "/api", endpoint = "saved-searches/list")]
pub async fn saved_searches() -> Result<Option<SavedPage>, AppError> {
    let state = crate::server::state::current()?;
    let Some(user) = crate::accounts::server::current_user(&state).await? else {
        return Ok(None);
    };
    crate::saved_searches::server::list(&state.db, user.id)
        .await
        .map(Some)
}

/// Saves the search of a search or browse page (its words, category, order and filters).
#[server(prefix = "/api", endpoint = "saved-searches/save")]
pub async fn save_search(
    #[server(default)] q: String,
    #[server(default)] category: String,
    #[server(default)] sort: String,
    #[server(default)] name: String,
    #[server(flatten)] filters: crate::catalog::FilterParams,
) -> Result<FormReply, AppError> {
    use crate::saved_searches::{check_name, SavedProblem, SearchSpec};
    let state = crate::server::state::current()?;
    let Some(user) = crate::accounts::server::form_user(&state, PAGE).await? else {
        return Ok(reply::signed_out());
    };
    let category = match category.as_str() {
        "" => String::new(),
        other => match crate::items::category(other) {
            Some((slug, _)) => slug.to_string(),
            None => return Ok(reply::refused("form", SavedProblem::Category)),
        },
    };
    let name = match check_name(&name) {
        Ok(name) => name,
        Err(problem) => return Ok(reply::refused("form", problem)),
    };
    let filters = match filters.parse() {
        Ok(filters) => filters,
        Err(_) => return Ok(reply::refused("form", SavedProblem::Filters)),
    };
    let spec = SearchSpec {
        q: crate::util::url::clip(q.trim(), crate::items::MAX_QUERY_CHARS).to_string(),
        category,
        sort: crate::util::url::clip(&sort, 20).to_string(),
        filters,
    };
    match crate::saved_searches::server::save(&state.db, user.id, &name, spec).await? {
        Ok(_) => Ok(reply::done("saved")),
        Err(problem) => Ok(reply::refused("form", problem)),
    }
}

/// Renames one of the signed-in user's saved searches (an empty name: made up from it).
#[server(prefix = "/api", endpoint = "saved-searches/rename")]
pub async fn rename_search(
    id: u64,
    #[server(default)] name: String,
) -> Result<FormReply, AppError> {
    let state = crate::server::state::current()?;
    let Some(user) = crate::accounts::server::form_user(&state, PAGE).await? else {
        return Ok(reply::signed_out());
    };
    let name = match crate::saved_searches::check_name(&name) {
        Ok(name) => name,
        Err(problem) => return Ok(reply::refused(&format!("name-{id}"), problem)),
    };
    let changed =
        crate::saved_searches::server::update(&state.db, user.id, id, Some(&name), None).await?;
    Ok(reply::answer(changed, "renamed"))
}

/// Pauses (`paused = "true"`) or resumes one of the signed-in user's saved searches.
#[server(prefix = "/api", endpoint = "saved-searches/pause")]
pub async fn pause_search(id: u64, paused: String) -> Result<FormReply, AppError> {
    let state = crate::server::state::current()?;
    let Some(user) = crate::accounts::server::form_user(&state, PAGE).await? else {
        return Ok(reply::signed_out());
    };
    let paused = match paused.as_str() {
        "true" => true,
        "false" => false,
        _ => return Err(AppError::Invalid("paused is true or false.".into())),
    };
    let changed =
        crate::saved_searches::server::update(&state.db, user.id, id, None, Some(paused)).await?;
    Ok(reply::answer(
        changed,
        if paused { "paused" } else { "resumed" },
    ))
}

/// Deletes one of the signed-in user's saved searches.
#[server(prefix = "/api", endpoint = "saved-searches/delete")]
pub async fn delete_search(id: u64) -> Result<FormReply, AppError> {
    let state = crate::server::state::current()?;
    let Some(user) = crate::accounts::server::form_user(&state, PAGE).await? else {
        return Ok(reply::signed_out());
    };
    let changed = crate::saved_searches::server::delete(&state.db, user.id, id).await?;
    Ok(reply::answer(changed, "deleted"))
}

#[cfg(feature = "ssr")]
mod reply {
    use super::{FormReply, PAGE, PROBLEMS_PARAM};
    use crate::saved_searches::SavedProblem;
    use crate::server::http::forms::{form_done, form_refused};

    pub fn signed_out() -> FormReply {
        FormReply::signed_out(SavedProblem::SignIn)
    }

    pub fn done(code: &str) -> FormReply {
        form_done(PAGE, code)
    }

    pub fn refused(field: &str, problem: SavedProblem) -> FormReply {
        form_refused(PAGE, PROBLEMS_PARAM, field, problem)
    }

    pub fn answer(changed: Result<(), SavedProblem>, code: &str) -> FormReply {
        match changed {
            Ok(()) => done(code),
            Err(problem) => refused("form", problem),
        }
    }
}
