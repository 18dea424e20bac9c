//! The clock a user's charts read: their choice (`tz` in the user hash, one `HSET`; `UTC` is
//! a choice too), or until they make one the browser's, which the live panels and the item
//! page's chart ask for once the page runs (UTC without JavaScript). The choice comes with the
//! session (`accounts::server::sessions::SessionUser::zone`), so the item page and the market
//! board read it too, for free; choosing announces it like any change of the user's sessions.

use crate::accounts::server::sessions::SessionUser;
use crate::error::AppError;
use crate::server::redis::db::{redis_error, Db};
use crate::server::state::AppState;
use crate::util::id::UserId;
use crate::util::zone::Zone;

// The user hash's field holding the chosen zone's name.
use crate::accounts::server::sessions::ZONE_FIELD as FIELD;

/// The zone the signed-in seller's panels are rendered in on their pages (their choice, which
/// came with their session, else UTC) and the name of their choice, if any
/// (`SellerPanels::chosen_zone`).
pub async fn panels_zone(state: &AppState) -> Result<(Zone, Option<String>), AppError> {
    let chosen = crate::accounts::server::chosen_zone(state).await?;
    let name = chosen.as_ref().map(|zone| zone.name().to_string());
    Ok((chosen.unwrap_or_default(), name))
}

/// Keeps `zone` as `user`'s choice; `None` removes it (the browser's clock again). Every
/// instance is told, so that the sessions they remember (which carry the choice) are read
/// again: the user's next page anywhere reads the new clock.
pub async fn choose_zone(db: &Db, user: UserId, zone: Option<&Zone>) -> Result<(), AppError> {
    let mut conn = db.conn()?;
    let mut cmd = redis::cmd(if zone.is_some() { "HSET" } else { "HDEL" });
    cmd.arg(db.keys().user(user)).arg(FIELD);
    if let Some(zone) = zone {
        cmd.arg(zone.name());
    }
    cmd.query_async::<()>(&mut conn)
        .await
        .map_err(|e| redis_error("choose zone", e))?;
    crate::accounts::server::sessions::announce_changed(db, user).await;
    Ok(())
}

/// The zone of a panels request: its `tz` if it names one (a live page asking in the browser's
/// zone, or a script), else the seller's choice (from their session), else UTC.
pub fn zone_for(seller: &SessionUser, param: Option<&str>) -> Result<Zone, AppError> {
    match param {
        Some(_) => Zone::from_param(param),
        None => Ok(crate::accounts::server::zone_of(Some(seller)).unwrap_or_default()),
    }
}
