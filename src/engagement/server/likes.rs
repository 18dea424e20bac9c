//! Likes: idempotent like / unlike with the counters in step (`lua/toggle_like.lua`).

use crate::analytics::server::StatsTail;
use crate::error::AppError;
use crate::items::ItemId;
use crate::server::redis::db::{redis_error, Db};
use crate::server::redis::keys::shard_of;
use crate::util::id::UserId;

/// `lua/toggle_like.lua`: like / unlike with the counters in step.
pub static TOGGLE_LIKE: std::sync::LazyLock<redis::Script> = crate::lua_script!("toggle_like");

/// Likes (`like = true`) or unlikes an item; idempotent. Returns (liked, like count), or
/// `None` for an unknown item.
pub async fn set_like(
    db: &Db,
    user_id: UserId,
    item_id: ItemId,
    like: bool,
) -> Result<Option<(bool, i64)>, AppError> {
    let keys = db.keys();
    let mut conn = db.conn()?;
    let fail = |e| redis_error("like", e);
    let reply: Vec<i64> = TOGGLE_LIKE
        .key(keys.item_state(item_id))
        .key(keys.item_likers(item_id))
        .key(keys.index_dirty(shard_of(item_id.0)))
        .key(keys.item_counted(item_id))
        .arg(user_id)
        .arg(item_id.0)
        .arg(u8::from(like))
        .stats_tail(keys, item_id.0)
        .invoke_async(&mut conn)
        .await
        .map_err(fail)?;
    let (liked, count) = match reply[..] {
        [-1] => return Ok(None),
        [liked, count, _changed] => (liked, count),
        _ => {
            tracing::error!(?reply, "toggle_like: unexpected reply");
            return Err(AppError::Internal);
        }
    };
    // The user's list of liked items lives in the user's slot: a second, idempotent step.
    let mut list = redis::cmd(if like { "ZADD" } else { "ZREM" });
    list.arg(keys.user_likes(user_id));
    if like {
        list.arg("NX").arg(crate::util::time::now_ms() / 1000);
    }
    let _: () = list
        .arg(item_id.0)
        .query_async(&mut conn)
        .await
        .map_err(fail)?;
    Ok(Some((liked == 1, count)))
}
