//! What likes and watching share: a person joins or leaves an item's set in the item's slot
//! (`lua/toggle_like.lua`, `lua/watch_item.lua`, which count them once per person however
//! often they toggle), then the item joins or leaves that person's own list in their slot.

use crate::error::AppError;
use crate::items::server::frame::{heard_after, item_script};
use crate::items::ItemId;
use crate::server::redis::db::{redis_error, Db};
use crate::server::redis::reply::Fields;
use crate::util::id::UserId;
use redis::{FromRedisValue, ParsingError, Script};

/// A toggle script's reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Toggled {
    /// Done: whether the person is in the set now, how many are, and the script's own
    /// number (likes: 1 if this call changed anything; watching: the auction's end).
    Done {
        on: bool,
        count: i64,
        extra: i64,
    },
    NotFound,
    /// Asked to join the set of an auction that has ended (watching only).
    Ended,
}

/// Strictly `{ done, on (1|0), count, extra }`, `{ not_found }` or `{ ended }`.
impl FromRedisValue for Toggled {
    fn from_redis_value(v: redis::Value) -> Result<Self, ParsingError> {
        let f = Fields::new("toggle", v)?;
        Ok(match f.status()?.as_str() {
            "done" => {
                f.expect_len(4)?;
                Toggled::Done {
                    on: f.flag(1)?,
                    count: f.get(2)?,
                    extra: f.get(3)?,
                }
            }
            "not_found" => Toggled::NotFound,
            "ended" => Toggled::Ended,
            other => return Err(f.unknown_status(other)),
        })
    }
}

/// Where the item goes in the user's own list (a sorted set in their slot).
pub struct UserList {
    pub key: String,
    /// The item's score there, from the script's own number (see [`Toggled::Done`]).
    pub score: fn(extra: i64) -> i64,
    /// Keep the score the item got when it first joined (`ZADD NX`).
    pub keep_first: bool,
}

/// One toggle: the item frame, then the item's set of people (`KEYS[9]`) and who was ever
/// counted (`KEYS[10]`); the user (`ARGV[3]`) and whether they join (`ARGV[4]`). When it is
/// done, the user's `list` gains the item, or loses it, and the answer waits until this
/// instance heard of the item (`frame::heard_after`).
pub async fn toggle(
    db: &Db,
    script: &Script,
    item_id: ItemId,
    members: String,
    user_id: UserId,
    on: bool,
    list: UserList,
) -> Result<Toggled, AppError> {
    heard_after(
        db,
        item_id,
        async {
            let keys = db.keys();
            let mut conn = db.conn()?;
            let fail = |e| redis_error("toggle", e);
            let toggled: Toggled = item_script(script, keys, item_id)
                .key(members)
                .key(keys.item_counted(item_id))
                .arg(user_id)
                .arg(u8::from(on))
                .invoke_async(&mut conn)
                .await
                .map_err(fail)?;
            if let Toggled::Done { extra, .. } = toggled {
                // The user's list lives in the user's slot: a second, idempotent step.
                let mut step = redis::cmd(if on { "ZADD" } else { "ZREM" });
                step.arg(list.key);
                if on {
                    if list.keep_first {
                        step.arg("NX");
                    }
                    step.arg((list.score)(extra));
                }
                let _: () = step
                    .arg(item_id)
                    .query_async(&mut conn)
                    .await
                    .map_err(fail)?;
            }
            Ok(toggled)
        },
        |r| matches!(r, Ok(Toggled::Done { .. })),
    )
    .await
}
