//! The Redis side of notifications: `lua/notify.lua` writes one notice (once per key,
//! coalesced, capped, the unread count kept and pushed live); the inbox is read in one round
//! trip (`HGETALL` of the user's notes hash, at most [`KEPT`] notes and a few counters).
//!
//! Notices are delivered by a job ([`send`] enqueues it on the [`QUEUE`] queue, a worker runs
//! [`run_job`]), so the request that caused one does not wait for it, and a notice that fails
//! to be written is retried. Each carries a once-only key: a job that runs twice delivers once.

use crate::error::AppError;
use crate::notifications::{Inbox, Notice, NoticeKind, KEPT};
use crate::server::jobs::{self, EnqueueError, JobError};
use crate::server::redis::db::{redis_error, Db};
use crate::util::id::UserId;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// `lua/notes_read.lua`: mark a user's notifications read.
pub static NOTES_READ: std::sync::LazyLock<redis::Script> = crate::lua_script!("notes_read");

/// `lua/notify.lua`: one notification into a user's inbox (coalesced, once per key).
pub static NOTIFY: std::sync::LazyLock<redis::Script> = crate::lua_script!("notify");

/// The queue notices are delivered through, and the job kind.
pub const QUEUE: &str = "notify";
pub const JOB: &str = "notify";
/// The job kind that mails a notice (on the mail queue; run by the email slice).
pub const MAIL_JOB: &str = "notice_mail";

/// The notifications' job kind: delivering one notice.
pub fn register_jobs(jobs: &mut crate::server::jobs::Registry) {
    jobs.add(crate::server::jobs::JobKind {
        name: JOB,
        queue: QUEUE,
        run: |db, job| Box::pin(async move { run_job(&db, &job).await }),
    });
}

/// A notice to deliver.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewNotice {
    pub user_id: UserId,
    pub kind: NoticeKind,
    pub item_id: u64,
    pub item_name: String,
    pub price_cents: i64,
    pub actor: String,
    /// Delivered at most once per key (a week): makes a job that runs twice harmless.
    pub once: Option<String>,
}

/// Queues a notice for delivery (idempotent by its `once` key).
pub async fn send(db: &Db, notice: &NewNotice) -> Result<(), EnqueueError> {
    let payload = serde_json::to_string(notice).unwrap_or_default();
    let key = notice
        .once
        .as_ref()
        .map(|once| format!("{}:{once}", notice.user_id));
    jobs::enqueue(db, QUEUE, JOB, &payload, None, key.as_deref()).await?;
    Ok(())
}

/// Queues a notice and only logs a failure: for callers whose own write already succeeded
/// (a notice is worth less than the bid that caused it).
pub async fn send_or_log(db: &Db, notice: &NewNotice) {
    if let Err(e) = send(db, notice).await {
        tracing::warn!(error = %e, user_id = %notice.user_id, kind = notice.kind.as_str(), "notice not queued");
    }
}

/// The job: deliver the notice in its payload. A notice without a once-only key gets the
/// job's own id as one, so a job that runs twice (at-least-once delivery) delivers once.
pub async fn run_job(db: &Db, job: &jobs::JobRun) -> Result<(), JobError> {
    let mut notice: NewNotice = serde_json::from_str(&job.payload)
        .map_err(|e| JobError::permanent(format!("unreadable notice: {e}")))?;
    if notice.once.is_none() {
        notice.once = Some(format!("job:{}:{}", job.queue, job.id));
    }
    deliver(db, &notice).await?;
    Ok(())
}

/// Delivers a notice now and, when the user wants it by email too, queues the email.
/// `Ok(None)` when its once-only key was delivered before, else the user's unread count.
pub async fn deliver(db: &Db, notice: &NewNotice) -> Result<Option<u32>, JobError> {
    let delivered = notify(db, notice).await?;
    if delivered.mail {
        queue_mail(db, notice).await?;
    }
    Ok(delivered.unread)
}

/// Puts the mail of a delivered notice on the mail queue (once per notice: the enqueue is
/// idempotent by the notice's once-only key, so a retried delivery mails once).
async fn queue_mail(db: &Db, notice: &NewNotice) -> Result<(), EnqueueError> {
    let payload = serde_json::to_string(notice).unwrap_or_default();
    let key = format!(
        "notice:{}:{}",
        notice.user_id,
        notice.once.as_deref().unwrap_or("")
    );
    let queue = crate::accounts::server::email::MAIL_QUEUE;
    jobs::enqueue(db, queue, MAIL_JOB, &payload, None, Some(&key)).await?;
    Ok(())
}

/// What [`notify`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delivered {
    /// The user's unread count; `None` when the notice's once-only key was delivered before.
    pub unread: Option<u32>,
    /// Whether to mail it too (a confirmed address that wants this kind).
    pub mail: bool,
}

impl redis::FromRedisValue for Delivered {
    fn from_redis_value(v: redis::Value) -> Result<Self, redis::ParsingError> {
        let f = crate::server::redis::reply::Fields::new("notify", v)?;
        f.expect_len(2)?;
        let unread: i64 = f.get(0)?;
        Ok(Delivered {
            unread: (unread >= 0).then_some(unread as u32),
            mail: f.flag(1)?,
        })
    }
}

/// Delivers a notice now.
pub async fn notify(db: &Db, notice: &NewNotice) -> redis::RedisResult<Delivered> {
    let keys = db.keys();
    let mut conn = db.raw_conn();
    NOTIFY
        .key(keys.user_notes(notice.user_id))
        .key(keys.user_inbox(notice.user_id))
        .key(keys.user(notice.user_id))
        .arg(notice.kind.as_str())
        .arg(notice.item_id)
        .arg(&notice.item_name)
        .arg(notice.price_cents)
        .arg(&notice.actor)
        .arg(notice.once.as_deref().unwrap_or(""))
        .arg(if notice.kind.coalesces() { 1 } else { 0 })
        .arg(KEPT)
        .arg(keys.user_channel(notice.user_id))
        .arg(notice.kind.mail_kind().map_or("", |k| k.as_str()))
        .invoke_async(&mut conn)
        .await
}

/// A user's notices, newest first, with the unread count.
pub async fn inbox(db: &Db, user_id: UserId) -> Result<Inbox, AppError> {
    let mut conn = db.conn()?;
    let fields: HashMap<String, String> = redis::cmd("HGETALL")
        .arg(db.keys().user_notes(user_id))
        .query_async(&mut conn)
        .await
        .map_err(|e| redis_error("inbox", e))?;
    let unread = fields
        .get("unread")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut notices: Vec<Notice> = fields
        .iter()
        .filter(|(field, _)| field.bytes().all(|b| b.is_ascii_digit()))
        .filter_map(|(_, raw)| serde_json::from_str(raw).ok())
        .collect();
    notices.sort_by(|a, b| b.at_ms.cmp(&a.at_ms).then(b.id.cmp(&a.id)));
    Ok(Inbox {
        notices,
        unread,
        now_ms: crate::util::time::now_ms(),
    })
}

/// Marks every notice read (and tells the user's open pages); returns how many were unread.
/// Opening the inbox is a write by its reader, though a GET: its answers leave
/// `request::WROTE_COOKIE` (see `inbox_list`, `api::get_inbox`), so that the reader's next
/// page on any instance shows no unread notices whether or not that instance heard it yet.
pub async fn mark_read(db: &Db, user_id: UserId) -> Result<u32, AppError> {
    let keys = db.keys();
    let mut conn = db.conn()?;
    // The script announces the new count on the user's channel: the user's next page here must
    // not show the old count from a remembered session.
    let was: i64 = crate::accounts::server::sessions::heard_after(
        db,
        user_id,
        NOTES_READ
            .key(keys.user_notes(user_id))
            .key(keys.user_inbox(user_id))
            .arg(keys.user_channel(user_id))
            .invoke_async(&mut conn),
    )
    .await
    .map_err(|e| redis_error("mark notices read", e))?;
    Ok(was.max(0) as u32)
}

/// `GET /api/live/me`: the signed-in user's live notices (server-sent events);
/// `GET /notifications/list`: the inbox's list, read as the page reads it (the open inbox
/// fetches it when notices arrive). 401 for visitors.
pub fn routes() -> axum::Router<crate::server::state::AppState> {
    axum::Router::new()
        .route("/api/live/me", axum::routing::get(live_notices))
        .route("/notifications/list", axum::routing::get(inbox_list))
}

async fn inbox_list(
    axum::extract::State(state): axum::extract::State<crate::server::state::AppState>,
    user: crate::accounts::CurrentUser,
) -> Result<axum::response::Response, AppError> {
    use axum::response::IntoResponse;
    use leptos::prelude::*;
    let inbox = inbox(&state.db, user.id).await?;
    let read = inbox.unread > 0;
    if read {
        mark_read(&state.db, user.id).await?;
    }
    let html =
        crate::util::html::to_html(view! { <crate::notifications::inbox::InboxBody inbox/> });
    let mut response = (
        [
            (axum::http::header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (axum::http::header::CACHE_CONTROL, "no-store"),
        ],
        html,
    )
        .into_response();
    if read {
        let secure = state.config.secure_cookies;
        crate::server::http::request::leave_wrote_cookie(response.headers_mut(), secure);
    }
    Ok(response)
}

async fn live_notices(
    axum::extract::State(state): axum::extract::State<crate::server::state::AppState>,
    user: crate::accounts::CurrentUser,
) -> Result<axum::response::Response, AppError> {
    crate::live::server::user_events_response(&state.live, &state.shutdown, user.id, user.unread)
        .await
}
