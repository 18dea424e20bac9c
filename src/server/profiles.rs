//! Public profiles: who the user is, what they sell and what they like.

use crate::error::AppError;
use crate::model::Profile;
use crate::server::db::{redis_error, Db};
use crate::server::search::{cards_by_id, now_ms};

/// The first reply: (username, created_at), the ids sold, the ids liked.
type ProfileRows = ((Option<String>, Option<i64>), Vec<String>, Vec<String>);

/// Items shown per list on a profile.
const PROFILE_LIST: isize = 24;

/// The profile of user `id`, or `None` (unknown user, or not a valid id).
/// Two round trips: the user and both id lists in one pipeline, then the cards of both lists.
pub async fn profile(db: &Db, id: &str) -> Result<Option<Profile>, AppError> {
    let Ok(user_id) = id.parse::<u64>() else {
        return Ok(None);
    };
    if id.starts_with('0') || id.starts_with('+') {
        return Ok(None);
    }
    let keys = db.keys();
    let mut conn = db.conn()?;
    let ((username, created), selling, liked): ProfileRows = redis::pipe()
        .cmd("HMGET")
        .arg(keys.user(user_id))
        .arg("username")
        .arg("created_at")
        .cmd("ZREVRANGE")
        .arg(keys.user_items(user_id))
        .arg(0)
        .arg(PROFILE_LIST - 1)
        .cmd("ZREVRANGE")
        .arg(keys.user_likes(user_id))
        .arg(0)
        .arg(PROFILE_LIST - 1)
        .query_async(&mut conn)
        .await
        .map_err(|e| redis_error("profile", e))?;
    let Some(username) = username else {
        return Ok(None);
    };
    // Both pipelines go out together on the multiplexed connection.
    let (selling, liked) = tokio::join!(cards_by_id(db, &selling), cards_by_id(db, &liked));
    Ok(Some(Profile {
        id: user_id,
        username,
        member_since_ms: created.unwrap_or(0),
        selling: selling?,
        liked: liked?,
        now_ms: now_ms(),
    }))
}
