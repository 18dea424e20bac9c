//! The Lua scripts in `lua/`, compiled into the binary and run with EVALSHA.
//!
//! Every script is loaded with `lua/prelude.lua` in front of it (the Redis clock in
//! milliseconds, and `emit`, which records and broadcasts a live event inside the write).
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
    /// `lua/fenced_set.lua`: a hash write refused to a lock holder with a stale fence.
    pub fenced_set: Script,
    /// `lua/rate_limit.lua`: sliding-window limiter on Redis server time.
    pub rate_limit: Script,
    /// `lua/session.lua`: the session lookup (sliding expiry) and the user's rate limit.
    pub session: Script,
    /// `lua/create_item.lua`: an item's document, state, rankings and photo.
    pub create_item: Script,
    /// `lua/place_bid.lua`: every bid rule checked and every change made in one step.
    pub place_bid: Script,
    /// `lua/buy_now.lua`: Buy It Now, ending the auction at once.
    pub buy_now: Script,
    /// `lua/watch_item.lua`: watch / stop watching, with the watcher count.
    pub watch_item: Script,
    /// `lua/increment_view.lua`: one view per visitor per item (HyperLogLog).
    pub increment_view: Script,
    /// `lua/toggle_like.lua`: like / unlike with the counters in step.
    pub toggle_like: Script,
    /// `lua/close_item.lua`: close an auction whose time is up, exactly once.
    pub close_item: Script,
    /// `lua/sync_doc.lua`: refresh an item's search document from its state (fenced).
    pub sync_doc: Script,
    /// `lua/add_comment.lua`: store a comment, order it, count it, announce it.
    pub add_comment: Script,
    /// `lua/delete_comment.lua`: delete a comment, only for its author.
    pub delete_comment: Script,
    /// `lua/publish_event.lua`: append to the item's event stream and PUBLISH, in one step.
    pub publish_event: Script,
    /// `lua/job_enqueue.lua`: idempotency check, job id and the job, in one step.
    pub job_enqueue: Script,
    /// `lua/job_promote.lua`: delayed jobs that are due onto the queue stream.
    pub job_promote: Script,
    /// `lua/job_ack.lua`: acknowledge and delete a finished job, count it.
    pub job_ack: Script,
    /// `lua/job_fail.lua`: a failed attempt: schedule the next one or dead-letter the job.
    pub job_fail: Script,
    /// `lua/job_reclaim.lua`: take over jobs of workers that stopped; poison jobs to the dead.
    pub job_reclaim: Script,
    /// `lua/job_dead.lua`: an operator retries or discards a dead job.
    pub job_dead: Script,
    /// `lua/job_beat.lua`: a worker's heartbeat for the entries it still owns.
    pub job_beat: Script,
    /// `lua/job_forget.lua`: remove a gone consumer that holds nothing.
    pub job_forget: Script,
    /// `lua/notify.lua`: one notification into a user's inbox (coalesced, once per key).
    pub notify: Script,
    /// `lua/notes_read.lua`: mark a user's notifications read.
    pub notes_read: Script,
    /// `lua/stats_add.lua`: one counted event outside a write script (sign-ups, tests).
    pub stats_add: Script,
    /// `lua/stats_fold.lua`: fold a shard's stats log into its counts, exactly once.
    pub stats_fold: Script,
}

const PRELUDE: &str = include_str!("../../../lua/prelude.lua");

fn script(source: &str) -> Script {
    Script::new(&format!("{PRELUDE}\n{source}"))
}

static SCRIPTS: LazyLock<Scripts> = LazyLock::new(|| Scripts {
    acquire_lock: script(include_str!("../../../lua/acquire_lock.lua")),
    unlock: script(include_str!("../../../lua/unlock.lua")),
    extend_lock: script(include_str!("../../../lua/extend_lock.lua")),
    fenced_set: script(include_str!("../../../lua/fenced_set.lua")),
    rate_limit: script(include_str!("../../../lua/rate_limit.lua")),
    session: script(include_str!("../../../lua/session.lua")),
    create_item: script(include_str!("../../../lua/create_item.lua")),
    place_bid: script(include_str!("../../../lua/place_bid.lua")),
    buy_now: script(include_str!("../../../lua/buy_now.lua")),
    watch_item: script(include_str!("../../../lua/watch_item.lua")),
    increment_view: script(include_str!("../../../lua/increment_view.lua")),
    toggle_like: script(include_str!("../../../lua/toggle_like.lua")),
    close_item: script(include_str!("../../../lua/close_item.lua")),
    sync_doc: script(include_str!("../../../lua/sync_doc.lua")),
    add_comment: script(include_str!("../../../lua/add_comment.lua")),
    delete_comment: script(include_str!("../../../lua/delete_comment.lua")),
    publish_event: script(include_str!("../../../lua/publish_event.lua")),
    job_enqueue: script(include_str!("../../../lua/job_enqueue.lua")),
    job_promote: script(include_str!("../../../lua/job_promote.lua")),
    job_ack: script(include_str!("../../../lua/job_ack.lua")),
    job_fail: script(include_str!("../../../lua/job_fail.lua")),
    job_reclaim: script(include_str!("../../../lua/job_reclaim.lua")),
    job_dead: script(include_str!("../../../lua/job_dead.lua")),
    job_beat: script(include_str!("../../../lua/job_beat.lua")),
    job_forget: script(include_str!("../../../lua/job_forget.lua")),
    notify: script(include_str!("../../../lua/notify.lua")),
    notes_read: script(include_str!("../../../lua/notes_read.lua")),
    stats_add: script(include_str!("../../../lua/stats_add.lua")),
    stats_fold: script(include_str!("../../../lua/stats_fold.lua")),
});

/// The registry of all scripts.
pub fn scripts() -> &'static Scripts {
    &SCRIPTS
}
