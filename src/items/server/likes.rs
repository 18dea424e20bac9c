//! Likes: idempotent like / unlike with the counters in step (`lua/toggle_like.lua`).

use crate::error::AppError;
use crate::items::ItemId;
use crate::server::redis::db::{redis_error, Db};
use crate::server::redis::scripts::scripts;

/// Likes (`like = true`) or unlikes an item; idempotent. Returns (liked, like count), or
/// `None` for an unknown item.
pub async fn set_like(
    db: &Db,
    user_id: u64,
    item_id: ItemId,
    like: bool,
) -> Result<Option<(bool, i64)>, AppError> {
    let keys = db.keys();
    let mut conn = db.conn()?;
    let reply: Vec<i64> = scripts()
        .toggle_like
        .key(keys.item(item_id))
        .key(keys.item_likers(item_id))
        .key(keys.user_likes(user_id))
        .arg(user_id)
        .arg(item_id.0)
        .arg(u8::from(like))
        .invoke_async(&mut conn)
        .await
        .map_err(|e| redis_error("like", e))?;
    Ok(match reply.as_slice() {
        [liked, count] => Some((*liked == 1, *count)),
        _ => None,
    })
}
