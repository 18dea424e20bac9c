//! Likes: idempotent like / unlike with the counters in step (`lua/toggle_like.lua`).

use super::toggle::{toggle, Toggled, UserList};
use crate::error::AppError;
use crate::items::ItemId;
use crate::server::redis::db::Db;
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
    let list = UserList {
        key: keys.user_likes(user_id),
        // Scored by when it was first liked (seconds).
        score: |_| crate::util::time::now_ms() / 1000,
        keep_first: true,
    };
    let members = keys.item_likers(item_id);
    match toggle(db, &TOGGLE_LIKE, item_id, members, user_id, like, list).await? {
        Toggled::Done { on, count, .. } => Ok(Some((on, count))),
        Toggled::NotFound => Ok(None),
        Toggled::Ended => {
            tracing::error!("toggle_like answered 'ended': it never refuses an ended auction");
            Err(AppError::Internal)
        }
    }
}
