//! Server functions: the signed-in user's notifications.

use crate::error::AppError;
use crate::notifications::Inbox;
use leptos::prelude::*;

/// The signed-in user's notices (newest first); `None` when nobody is signed in. Opening the
/// inbox reads it: every notice is marked read, and the returned `unread` says how many were
/// new on this visit (those are highlighted).
#[server(prefix = "/api", endpoint = "notifications/inbox")]
pub async fn get_inbox() -> Result<Option<Inbox>, AppError> {
    let state = crate::server::state::current()?;
    let Some(user) = crate::accounts::server::current_user(&state).await? else {
        return Ok(None);
    };
    let inbox = crate::notifications::server::inbox(&state.db, user.id).await?;
    if inbox.unread > 0 {
        crate::notifications::server::mark_read(&state.db, user.id).await?;
        use crate::server::http::request::{set_cookie, wrote_cookie};
        set_cookie(&wrote_cookie(state.config.secure_cookies));
    }
    Ok(Some(inbox))
}
