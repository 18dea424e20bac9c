//! The clock a seller's charts read: their choice (`tz` in the user hash, one `HSET`), UTC
//! until they make one.

use crate::error::AppError;
use crate::server::redis::db::{redis_error, Db};
use crate::util::id::UserId;
use crate::util::zone::Zone;

/// The user hash's field holding the chosen zone's name.
const FIELD: &str = "tz";

/// `user`'s chosen zone; UTC when none was chosen (or the name left the database since).
pub async fn chosen_zone(db: &Db, user: UserId) -> Result<Zone, AppError> {
    let mut conn = db.conn()?;
    let name: Option<String> = redis::cmd("HGET")
        .arg(db.keys().user(user))
        .arg(FIELD)
        .query_async(&mut conn)
        .await
        .map_err(|e| redis_error("chosen zone", e))?;
    Ok(name.as_deref().and_then(Zone::named).unwrap_or_default())
}

/// Keeps `zone` as `user`'s choice (UTC removes the field: the default).
pub async fn choose_zone(db: &Db, user: UserId, zone: &Zone) -> Result<(), AppError> {
    let mut conn = db.conn()?;
    let key = db.keys().user(user);
    let mut cmd = if zone.is_utc() {
        redis::cmd("HDEL")
    } else {
        redis::cmd("HSET")
    };
    cmd.arg(&key).arg(FIELD);
    if !zone.is_utc() {
        cmd.arg(zone.name());
    }
    cmd.query_async::<()>(&mut conn)
        .await
        .map_err(|e| redis_error("choose zone", e))
}

/// The zone of a panels request: its `tz` if it names one (a live page or a script asking),
/// else the seller's choice.
pub async fn zone_for(db: &Db, user: UserId, param: Option<&str>) -> Result<Zone, AppError> {
    match param {
        Some(_) => Zone::from_param(param),
        None => chosen_zone(db, user).await,
    }
}
