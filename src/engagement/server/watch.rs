//! The watchlist: watch / stop watching (`lua/watch_item.lua` in the item's slot, then the
//! user's own list in theirs), the reminders a watcher gets an hour and ten minutes before the
//! end (jobs), and the "Watching" list sorted by end.

use super::toggle::{toggle, Toggled, UserList};
use crate::error::AppError;
use crate::items::{ItemCard, ItemId};
use crate::notifications::server::NewNotice;
use crate::notifications::NoticeKind;
use crate::server::jobs::{self, JobError};
use crate::server::redis::db::{redis_error, Db};
use crate::util::id::UserId;
use crate::util::time::now_ms;
use serde::{Deserialize, Serialize};

/// `lua/watch_item.lua`: watch / stop watching, with the watcher count.
pub static WATCH_ITEM: std::sync::LazyLock<redis::Script> = crate::lua_script!("watch_item");

/// The reminder job's kind (on the auctions queue).
pub const REMINDER_JOB: &str = "watch_reminder";
/// Most items one user's list shows.
pub const LIST_MAX: usize = 200;

#[derive(Debug, Serialize, Deserialize)]
struct Reminder {
    item: ItemId,
    user: UserId,
    minutes: i64,
}

/// Watches (`true`) or stops watching an item. `None` for an unknown item; else whether the
/// user watches it now and how many do. Watching an auction that has ended is refused
/// (`Invalid`); stopping is always allowed.
pub async fn set_watch(
    db: &Db,
    user_id: UserId,
    item_id: ItemId,
    watch: bool,
) -> Result<Option<(bool, i64)>, AppError> {
    let keys = db.keys();
    let list = UserList {
        key: keys.user_watching(user_id),
        // Sorted by the auction's end.
        score: |ends_at| ends_at,
        keep_first: false,
    };
    let members = keys.item_watchers(item_id);
    let (watching, count, ends_at) =
        match toggle(db, &WATCH_ITEM, item_id, members, user_id, watch, list).await? {
            Toggled::Done { on, count, extra } => (on, count, extra),
            Toggled::NotFound => return Ok(None),
            Toggled::Ended => {
                return Err(AppError::Invalid(
                    "This auction has ended: there is nothing left to watch.".into(),
                ))
            }
        };
    if watch {
        for minutes in [60, 10] {
            let at = ends_at - minutes * 60_000;
            if at <= now_ms() {
                continue;
            }
            let payload = serde_json::to_string(&Reminder {
                item: item_id,
                user: user_id,
                minutes,
            })
            .unwrap_or_default();
            let key = format!("remind:{user_id}:{item_id}:{ends_at}:{minutes}");
            let queue = crate::items::server::close_job::QUEUE;
            if let Err(e) =
                jobs::enqueue(db, queue, REMINDER_JOB, &payload, Some(at), Some(&key)).await
            {
                tracing::warn!(item_id = %item_id, error = %e, "watch reminder not scheduled");
            }
        }
    }
    Ok(Some((watching, count)))
}

/// The reminder job: tells the watcher the end is near, if they still watch and it is still
/// running (once per item, user and reminder).
pub async fn run_reminder_job(db: &Db, payload: &str) -> Result<(), JobError> {
    let job: Reminder = serde_json::from_str(payload)
        .map_err(|e| JobError::permanent(format!("unreadable reminder: {e}")))?;
    let id = job.item;
    let keys = db.keys();
    let mut conn = db.raw_conn();
    let still: bool = redis::cmd("SISMEMBER")
        .arg(keys.item_watchers(id))
        .arg(job.user)
        .query_async(&mut conn)
        .await?;
    let Some(item) = crate::items::server::store::get(db, id)
        .await
        .map_err(|e| JobError::retry(e.to_string()))?
    else {
        return Ok(());
    };
    if !still || item.outcome.is_some() || item.removed.is_some() || item.ends_at_ms <= now_ms() {
        return Ok(());
    }
    let kind = if job.minutes >= 60 {
        NoticeKind::EndsInAnHour
    } else {
        NoticeKind::EndsSoon
    };
    let notice = NewNotice {
        user_id: job.user,
        kind,
        item_id: id.0,
        item_name: item.name,
        price_cents: item.price_cents,
        actor: String::new(),
        once: Some(format!("{}:{id}", kind.as_str())),
    };
    crate::notifications::server::send(db, &notice)
        .await
        .map_err(|e| JobError::retry(e.to_string()))
}

/// The items a user watches, soonest end first.
pub async fn watching(db: &Db, user_id: UserId) -> Result<Vec<ItemCard>, AppError> {
    let mut conn = db.conn()?;
    let ids: Vec<u64> = redis::cmd("ZRANGE")
        .arg(db.keys().user_watching(user_id))
        .arg(0)
        .arg(LIST_MAX as i64 - 1)
        .query_async(&mut conn)
        .await
        .map_err(|e| redis_error("watching", e))?;
    let ids: Vec<ItemId> = ids.into_iter().map(ItemId).collect();
    let mut cards = crate::items::server::cards::cards_by_id(db, &ids).await?;
    // Soft close can move ends after they were listed: order by the ends as they are now.
    cards.sort_by_key(|c| c.ends_at_ms);
    Ok(cards)
}
