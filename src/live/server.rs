//! Live updates across app instances.
//!
//! Writers call [`publish`]: `lua/publish_event.lua` appends the event to the item's Redis
//! stream (a short replay buffer) and PUBLISHes it on the item's channel, in one step.
//! Each app instance holds **one** pub/sub connection (`PSUBSCRIBE {p}live:item:*`, see
//! [`LiveHub::spawn`]) and fans messages out in memory to the browsers connected to it through
//! per-item `tokio::sync::broadcast` channels. A browser's server-sent-events stream
//! ([`events_response`]) costs a broadcast receiver, not a Redis connection. A browser that
//! reconnects sends `Last-Event-ID`; the missed events are read back from the stream first.
//!
//! Users have channels too (`{p}live:user:<id>`, same subscription, hub key `u<id>`): the
//! unread count of their notifications, pushed to every page they have open
//! ([`user_events_response`]). That count is state, not a history: a reconnecting page is
//! sent the current count first, so nothing needs replaying. The same channel carries `stats`
//! pings for a seller's live dashboard. The market board has a channel of its own
//! (`{p}live:market`, pings only).
//!
//! The same subscription tells the instance when a user's session state changed anywhere
//! (`server::redis::versions::UserVersions`, kept by the `Db`): a `notice` (the unread count moved) or a `session` message (signed
//! out, suspended, password reset: [`SESSION_CHANGED`]) on the user's channel. What the
//! instance remembers of a user's session is only used while the subscription stands and no
//! such message came since it was read (`accounts::server::sessions::recall`).

use crate::live::LiveEvent;
use crate::server::redis::db::Db;
use crate::util::id::{ItemId, UserId};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::broadcast;
use tokio_stream::StreamExt;

/// `lua/publish_event.lua`: append to the item's event stream and PUBLISH, in one step.
pub static PUBLISH_EVENT: std::sync::LazyLock<redis::Script> = crate::lua_script!("publish_event");

/// One event as it travels: stream entry id (`ms-seq`), kind, JSON data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveMessage {
    pub id: String,
    pub kind: String,
    pub data: String,
}

impl LiveMessage {
    /// Parses a payload without a stream id, `"<kind> <json>"` (market pings, users' notices).
    fn plain(payload: &str) -> Option<Self> {
        let (kind, data) = payload.split_once(' ')?;
        Some(LiveMessage {
            id: String::new(),
            kind: kind.into(),
            data: data.into(),
        })
    }

    /// Parses the pub/sub payload `"<id> <kind> <json>"`.
    fn parse(payload: &str) -> Option<Self> {
        let (id, rest) = payload.split_once(' ')?;
        let (kind, data) = rest.split_once(' ')?;
        Some(LiveMessage {
            id: id.into(),
            kind: kind.into(),
            data: data.into(),
        })
    }
}

/// A stream entry id as a comparable pair.
fn entry_id(id: &str) -> Option<(u64, u64)> {
    let (ms, seq) = id.split_once('-')?;
    Some((ms.parse().ok()?, seq.parse().ok()?))
}

/// Records and broadcasts an item event. Errors are logged, never returned: the write that
/// caused the event has already succeeded and must not be reported as failed.
pub async fn publish(db: &Db, item_id: u64, event: &impl LiveEvent) {
    let Ok(data) = serde_json::to_string(event) else {
        return;
    };
    let Ok(mut conn) = db.conn() else { return };
    let sent: redis::RedisResult<String> = PUBLISH_EVENT
        .key(db.keys().item_events(item_id))
        .arg(db.keys().item_channel(item_id))
        .arg(event.kind())
        .arg(&data)
        .invoke_async(&mut conn)
        .await;
    if let Err(e) = sent {
        tracing::warn!(error = %e, item_id, kind = event.kind(), "live event not published");
    }
}

/// In-process fan-out: item id → broadcast sender. A channel exists only while someone on
/// this instance listens to the item: the last [`Subscription`] to go removes it.
pub struct LiveHub {
    senders: Mutex<HashMap<String, broadcast::Sender<Arc<LiveMessage>>>>,
    /// Open live streams on this instance, bounded (see [`MAX_STREAMS`]).
    streams: Arc<tokio::sync::Semaphore>,
}

/// The kind of a message on a user's channel that says their sessions changed (one ended, or
/// all of them: signed out, suspended, password reset). Not forwarded to browsers.
pub const SESSION_CHANGED: &str = "session";

/// The whole message on an item's channel for a change its page shows that has no live event
/// (`touch_item` in `lua/prelude.lua`): a like, a watch, a maximum raised without moving the
/// price, a seller's revision. Not forwarded to browsers.
pub const TOUCH: &str = "touch";

/// Events buffered per slow browser; one that falls further behind is disconnected and
/// catches up from the Redis stream when it reconnects.
const PER_ITEM_BUFFER: usize = 64;
/// Live streams one instance holds open at most (each costs a few kilobytes); beyond that
/// new ones are answered 503 and the browser retries.
pub const MAX_STREAMS: usize = 10_000;

impl Default for LiveHub {
    fn default() -> Self {
        LiveHub::with_capacity(MAX_STREAMS)
    }
}

/// One listener of one item. Dropping it (the browser went away) frees the item's channel
/// when it was the last listener on this instance.
pub struct Subscription {
    rx: broadcast::Receiver<Arc<LiveMessage>>,
    hub: Arc<LiveHub>,
    item_id: String,
    _slot: tokio::sync::OwnedSemaphorePermit,
}

impl Subscription {
    /// The next event; `None` when this listener fell behind (it should reconnect and replay).
    pub async fn recv(&mut self) -> Option<Arc<LiveMessage>> {
        self.rx.recv().await.ok()
    }

    /// The events as a stream that ends when the listener falls behind.
    pub fn into_stream(self) -> impl futures_util::Stream<Item = Arc<LiveMessage>> + Send {
        futures_util::stream::unfold(self, |mut sub| async move {
            let next = sub.recv().await?;
            Some((next, sub))
        })
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        let mut senders = self.hub.senders.lock().unwrap_or_else(|e| e.into_inner());
        // Our own receiver is still alive here: "only us" means one.
        if senders
            .get(&self.item_id)
            .is_some_and(|s| s.receiver_count() <= 1)
        {
            senders.remove(&self.item_id);
        }
    }
}

impl LiveHub {
    pub fn with_capacity(max_streams: usize) -> Self {
        LiveHub {
            senders: Mutex::new(HashMap::new()),
            streams: Arc::new(tokio::sync::Semaphore::new(max_streams)),
        }
    }

    /// Listens to an item; `None` when this instance already holds its maximum of streams.
    pub fn subscribe(self: &Arc<Self>, item_id: &str) -> Option<Subscription> {
        let slot = Arc::clone(&self.streams).try_acquire_owned().ok()?;
        let mut senders = self.senders.lock().unwrap_or_else(|e| e.into_inner());
        let rx = senders
            .entry(item_id.to_string())
            .or_insert_with(|| broadcast::channel(PER_ITEM_BUFFER).0)
            .subscribe();
        Some(Subscription {
            rx,
            hub: Arc::clone(self),
            item_id: item_id.to_string(),
            _slot: slot,
        })
    }

    /// Browsers connected to this instance, over all items.
    pub fn listeners(&self) -> usize {
        let senders = self.senders.lock().unwrap_or_else(|e| e.into_inner());
        senders.values().map(|s| s.receiver_count()).sum()
    }

    /// Items with a channel on this instance (each has at least one listener).
    pub fn channels(&self) -> usize {
        self.senders.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    fn dispatch(&self, item_id: &str, message: LiveMessage) {
        let senders = self.senders.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(sender) = senders.get(item_id) {
            // No receiver left is not an error: the last one is being dropped right now.
            let _ = sender.send(Arc::new(message));
        }
    }

    /// A message on an item's channel: what the item's page shows changed (its views
    /// included), and unless it is only a [`TOUCH`], an event for its open pages.
    fn heard_of_item(&self, db: &Db, item: &str, payload: &str) {
        let Some(item_id) = ItemId::parse(item) else {
            return;
        };
        db.item_versions().changed(item_id);
        crate::server::metrics::record_heard(true);
        if payload == TOUCH {
            return;
        }
        if let Some(message) = LiveMessage::parse(payload) {
            self.dispatch(item, message);
        }
    }

    /// A message on a user's channel: a change of their session state (remembered sessions
    /// of theirs are read again), and unless it is only that, news for their open pages.
    fn heard_by_user(&self, db: &Db, user: &str, message: LiveMessage) {
        let Some(user_id) = UserId::parse(user) else {
            return;
        };
        if message.kind != "stats" {
            db.user_versions().changed(user_id);
            crate::server::metrics::record_heard(false);
        }
        if message.kind != SESSION_CHANGED {
            self.dispatch(&user_key(user), message);
        }
    }

    /// Keeps one pub/sub subscription to Redis for this instance, reconnecting with backoff.
    /// On a Redis Cluster every node relays every `PUBLISH`, so the subscription lives on one
    /// node and moves to the next node named in `REDIS_URL` when that one is lost.
    pub fn spawn(self: &Arc<Self>, db: &Db) -> tokio::task::JoinHandle<()> {
        let hub = Arc::clone(self);
        let db = db.clone();
        let pattern = db.keys().item_channel_pattern();
        let prefix = pattern.trim_end_matches('*').to_string();
        let user_pattern = db.keys().user_channel_pattern();
        let user_prefix = user_pattern.trim_end_matches('*').to_string();
        let market = db.keys().market_channel();
        tokio::spawn(async move {
            let mut backoff = Duration::from_millis(250);
            let mut node = 0;
            loop {
                let client = db.node_client(node);
                node += 1;
                match client.get_async_pubsub().await {
                    Ok(mut pubsub) => {
                        match pubsub.psubscribe(&[&pattern, &user_pattern, &market]).await {
                            Ok(()) => {
                                db.user_versions().subscribed();
                                db.item_versions().subscribed();
                                tracing::info!(pattern, "live updates subscribed");
                                backoff = Duration::from_millis(250);
                                let mut messages = pubsub.on_message();
                                while let Some(msg) = messages.next().await {
                                    let channel = msg.get_channel_name().to_string();
                                    let Ok(payload) = msg.get_payload::<String>() else {
                                        continue;
                                    };
                                    // Market pings and users' notices are "<kind> <json>":
                                    // state, not a history, so they have no stream id.
                                    if channel == market {
                                        if let Some(message) = LiveMessage::plain(&payload) {
                                            hub.dispatch(MARKET_KEY, message);
                                        }
                                        continue;
                                    }
                                    if let Some(user) = channel.strip_prefix(&user_prefix) {
                                        if let Some(message) = LiveMessage::plain(&payload) {
                                            hub.heard_by_user(&db, user, message);
                                        }
                                        continue;
                                    }
                                    let Some(item_id) = channel.strip_prefix(&prefix) else {
                                        continue;
                                    };
                                    hub.heard_of_item(&db, item_id, &payload);
                                }
                                db.user_versions().lost();
                                db.item_versions().lost();
                                tracing::warn!("live updates: subscription lost; reconnecting");
                            }
                            Err(e) => tracing::warn!(error = %e, "live updates: PSUBSCRIBE failed"),
                        }
                    }
                    Err(e) => tracing::warn!(error = %e, "live updates: cannot connect"),
                }
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(5));
            }
        })
    }
}

/// The hub key of the market board's pings.
const MARKET_KEY: &str = "market";

/// Server-sent events for the market board: a `stats` event whenever the market moved (at most
/// about one a second per shard), until the server shuts down.
pub async fn market_events_response(
    hub: &Arc<LiveHub>,
    shutdown: &tokio::sync::watch::Receiver<bool>,
) -> Result<Response, crate::error::AppError> {
    hub_events_response(hub, shutdown, MARKET_KEY, None)
}

/// Server-sent events from one hub key without a history: `first` (the current state, if
/// any), then every message, until the server shuts down. `Unavailable` when this instance
/// already holds its maximum of streams.
fn hub_events_response(
    hub: &Arc<LiveHub>,
    shutdown: &tokio::sync::watch::Receiver<bool>,
    key: &str,
    first: Option<Event>,
) -> Result<Response, crate::error::AppError> {
    let Some(live) = hub.subscribe(key) else {
        tracing::warn!("live streams at their maximum; refusing a new one");
        return Err(crate::error::AppError::Unavailable);
    };
    let rest = live
        .into_stream()
        .map(|m| Ok::<_, Infallible>(Event::default().event(m.kind.clone()).data(m.data.clone())));
    let mut shutdown = shutdown.clone();
    let stopping = async move {
        let _ = shutdown.wait_for(|stop| *stop).await;
    };
    let stream = futures_util::StreamExt::take_until(
        tokio_stream::iter(first.map(Ok::<_, Infallible>)).chain(rest),
        stopping,
    );
    Ok(Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response())
}

/// The hub key of a user's channel (item keys are bare numbers).
fn user_key(user_id: &str) -> String {
    format!("u{user_id}")
}

/// Server-sent events for one signed-in user: `notice` events carrying `{"unread": n}`, the
/// current count first, then every change, until the server shuts down.
pub async fn user_events_response(
    hub: &Arc<LiveHub>,
    shutdown: &tokio::sync::watch::Receiver<bool>,
    user_id: UserId,
    unread: u32,
) -> Result<Response, crate::error::AppError> {
    let first = Event::default()
        .event("notice")
        .data(format!("{{\"unread\":{unread}}}"));
    hub_events_response(hub, shutdown, &user_key(&user_id.to_string()), Some(first))
}

/// Events a reconnecting browser missed: stream entries after `last_id`.
async fn missed(db: &Db, item_id: u64, last_id: &str) -> Vec<LiveMessage> {
    let Ok(mut conn) = db.conn() else {
        return Vec::new();
    };
    let reply: redis::RedisResult<Vec<(String, HashMap<String, String>)>> = redis::cmd("XRANGE")
        .arg(db.keys().item_events(item_id))
        .arg(format!("({last_id}"))
        .arg("+")
        .arg("COUNT")
        .arg(200)
        .query_async(&mut conn)
        .await;
    match reply {
        Ok(entries) => entries
            .into_iter()
            .filter_map(|(id, mut fields)| {
                Some(LiveMessage {
                    id,
                    kind: fields.remove("kind")?,
                    data: fields.remove("data")?,
                })
            })
            .collect(),
        Err(e) => {
            tracing::warn!(error = %e, item_id, "live replay failed");
            Vec::new()
        }
    }
}

/// Server-sent events for one item (its existence checked by the caller): missed events
/// first when the browser sent `Last-Event-ID`, then live ones, until the server shuts down.
/// `Unavailable` when this instance already holds its maximum of streams.
pub async fn events_response(
    hub: &Arc<LiveHub>,
    db: &Db,
    shutdown: &tokio::sync::watch::Receiver<bool>,
    item_id: u64,
    headers: &HeaderMap,
) -> Result<Response, crate::error::AppError> {
    // Subscribe first, then replay: nothing published in between is lost; duplicates are
    // dropped by id below.
    let Some(live) = hub.subscribe(&item_id.to_string()) else {
        tracing::warn!("live streams at their maximum; refusing a new one");
        return Err(crate::error::AppError::Unavailable);
    };
    let last_id = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| entry_id(v).is_some())
        .map(str::to_string);
    let replay = match &last_id {
        Some(last) => missed(db, item_id, last).await,
        None => Vec::new(),
    };
    let mut newest = replay
        .last()
        .map(|m| m.id.clone())
        .or(last_id)
        .and_then(|id| entry_id(&id));
    let to_event = |m: &LiveMessage| {
        Event::default()
            .id(m.id.clone())
            .event(m.kind.clone())
            .data(m.data.clone())
    };
    let first: Vec<Result<Event, Infallible>> = replay.iter().map(|m| Ok(to_event(m))).collect();
    let rest = live.into_stream().filter_map(move |m| {
        let id = entry_id(&m.id)?;
        if newest.is_some_and(|n| id <= n) {
            return None;
        }
        newest = Some(id);
        Some(Ok(to_event(&m)))
    });
    // Open streams would keep a graceful shutdown waiting forever: end them when it starts.
    let mut shutdown = shutdown.clone();
    let stopping = async move {
        let _ = shutdown.wait_for(|stop| *stop).await;
    };
    let stream =
        futures_util::StreamExt::take_until(tokio_stream::iter(first).chain(rest), stopping);
    Ok(Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_and_ids_parse() {
        let m = LiveMessage::parse("1700-3 bid {\"a\": 1}").unwrap();
        assert_eq!(
            (m.id.as_str(), m.kind.as_str(), m.data.as_str()),
            ("1700-3", "bid", "{\"a\": 1}")
        );
        assert!(LiveMessage::parse("garbage").is_none());
        assert!(entry_id("1700-3") > entry_id("1700-2"));
        assert!(entry_id("1701-0") > entry_id("1700-9"));
        assert_eq!(entry_id("x-1"), None);
    }

    #[test]
    fn channels_go_with_their_last_listener_and_streams_are_bounded() {
        let hub = Arc::new(LiveHub::with_capacity(2));
        let a = hub.subscribe("1").unwrap();
        let b = hub.subscribe("1").unwrap();
        assert_eq!((hub.channels(), hub.listeners()), (1, 2));
        assert!(hub.subscribe("2").is_none(), "at most two streams");
        drop(a);
        assert_eq!((hub.channels(), hub.listeners()), (1, 1));
        drop(b);
        assert_eq!(hub.channels(), 0, "the last listener frees the channel");
        let c = hub.subscribe("2").unwrap();
        hub.dispatch("2", LiveMessage::parse("1-0 bid {}").unwrap());
        hub.dispatch("3", LiveMessage::parse("1-1 bid {}").unwrap());
        assert_eq!(hub.channels(), 1, "dispatching never creates channels");
        drop(c);
        assert_eq!(hub.channels(), 0);
    }
}
