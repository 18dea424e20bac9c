//! The Lua scripts in `lua/`, compiled into the binary and run with EVALSHA.
//!
//! `redis::Script` sends `EVALSHA` and, when Redis answers `NOSCRIPT` (after a restart or a
//! `SCRIPT FLUSH`), loads the source and retries, so callers never see that error.

use redis::Script;
use std::sync::LazyLock;

pub struct Scripts {
    /// `lua/acquire_lock.lua`: SET NX PX plus a fencing number, atomically.
    pub acquire_lock: Script,
    /// `lua/unlock.lua`: delete a lock only if the caller's token still holds it.
    pub unlock: Script,
    /// `lua/extend_lock.lua`: extend a lock's TTL only if the caller's token still holds it.
    pub extend_lock: Script,
    /// `lua/rate_limit.lua`: sliding-window limiter on Redis server time.
    pub rate_limit: Script,
    /// `lua/create_user.lua`: claim a username and create the user, or report it taken.
    pub create_user: Script,
    /// `lua/create_item.lua`: list an item (times from the Redis clock).
    pub create_item: Script,
    /// `lua/place_bid.lua`: every bid rule checked and every change made in one step.
    pub place_bid: Script,
    /// `lua/increment_view.lua`: one view per visitor per item (HyperLogLog).
    pub increment_view: Script,
    /// `lua/toggle_like.lua`: like / unlike with the counters in step.
    pub toggle_like: Script,
    /// `lua/fenced_set.lua`: a hash write refused to a lock holder with a stale fence.
    pub fenced_set: Script,
    /// `lua/add_comment.lua`: store a comment, order it, count it.
    pub add_comment: Script,
    /// `lua/delete_comment.lua`: delete a comment, only for its author.
    pub delete_comment: Script,
    /// `lua/publish_event.lua`: append to the item's event stream and PUBLISH, in one step.
    pub publish_event: Script,
}

static SCRIPTS: LazyLock<Scripts> = LazyLock::new(|| Scripts {
    acquire_lock: Script::new(include_str!("../../../lua/acquire_lock.lua")),
    unlock: Script::new(include_str!("../../../lua/unlock.lua")),
    extend_lock: Script::new(include_str!("../../../lua/extend_lock.lua")),
    rate_limit: Script::new(include_str!("../../../lua/rate_limit.lua")),
    create_user: Script::new(include_str!("../../../lua/create_user.lua")),
    create_item: Script::new(include_str!("../../../lua/create_item.lua")),
    place_bid: Script::new(include_str!("../../../lua/place_bid.lua")),
    increment_view: Script::new(include_str!("../../../lua/increment_view.lua")),
    toggle_like: Script::new(include_str!("../../../lua/toggle_like.lua")),
    fenced_set: Script::new(include_str!("../../../lua/fenced_set.lua")),
    add_comment: Script::new(include_str!("../../../lua/add_comment.lua")),
    delete_comment: Script::new(include_str!("../../../lua/delete_comment.lua")),
    publish_event: Script::new(include_str!("../../../lua/publish_event.lua")),
});

/// The registry of all scripts.
pub fn scripts() -> &'static Scripts {
    &SCRIPTS
}
