//! The item frame: the keys and arguments every script that writes an item starts with.
//!
//! A bid, a Buy It Now, a close, a view, a like, a watch, a comment, a listing and the index
//! sync each touch some of the same things: the item's state, its document and its event
//! stream, and its shard's stats log, rankings and index-dirty set — all in the item's slot, so
//! one script can change them together on a Redis Cluster. Rather than each script listing
//! its own selection in its own order, every item script receives the whole frame first, in
//! the order `lua/prelude.lua` names (`I_STATE` … `I_DIRTY`, `A_ITEM`, `A_CHANNEL`); its own
//! keys follow from `KEYS[9]`, its own arguments from `ARGV[3]`. A key a script does not touch
//! costs nothing (keys are only declared), and a script that starts touching one needs no
//! change to its caller.

use crate::items::ItemId;
use crate::server::redis::db::Db;
use crate::server::redis::keys::{shard_of, Keys};
use redis::{Script, ScriptInvocation};

/// How many keys and arguments the frame takes: a script's own start after them.
pub const FRAME_KEYS: usize = 8;
pub const FRAME_ARGS: usize = 2;

/// A call of `script` on item `id`, with the item frame as its first keys and arguments.
pub fn item_script<'a>(script: &'a Script, keys: &Keys, id: ItemId) -> ScriptInvocation<'a> {
    let shard = shard_of(id.0);
    let mut call = script.prepare_invoke();
    call.key(keys.item_state(id))
        .key(keys.item(id))
        .key(keys.item_events(id))
        .key(keys.stats_log(shard))
        .key(keys.rank_price(shard))
        .key(keys.rank_views(shard))
        .key(keys.rank_ending(shard))
        .key(keys.index_dirty(shard))
        .arg(id)
        .arg(keys.item_channel(id));
    call
}

/// Runs `write`, an item write whose script tells the item's channel what changed (a live event
/// or a `touch`, `lua/prelude.lua`), and — when `published` says it changed something — returns
/// its result once this instance's own subscription heard of the item since (at most
/// [`HEARD_WITHIN`](crate::server::redis::versions::HEARD_WITHIN); on a cluster the message
/// comes through whichever node the subscription is on). By then this instance no longer uses
/// what it remembered of the item's viewers (`items::ui::item`), and every other instance was
/// sent the message at the same moment: the writer's next page on any instance shows the write.
pub async fn heard_after<T>(
    db: &Db,
    item: ItemId,
    write: impl std::future::Future<Output = T>,
    published: impl FnOnce(&T) -> bool,
) -> T {
    db.item_versions().heard_after(item, write, published).await
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The frame's layout is what `lua/prelude.lua` says it is.
    #[test]
    fn the_prelude_names_the_frame_in_this_order() {
        let prelude = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/lua/prelude.lua"));
        assert!(prelude.contains("local I_STATE, I_DOC, I_EVENTS, I_STATS = 1, 2, 3, 4"));
        assert!(prelude.contains("local I_PRICE, I_VIEWS, I_ENDING, I_DIRTY = 5, 6, 7, 8"));
        assert!(prelude.contains("local A_ITEM, A_CHANNEL = 1, 2"));
        assert_eq!((FRAME_KEYS, FRAME_ARGS), (8, 2));
    }
}
