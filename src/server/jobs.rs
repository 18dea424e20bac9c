//! A durable job queue on Redis Streams.
//!
//! **Shape.** Each queue is a stream read by one consumer group (`workers`); each worker
//! process is one consumer with a name unique to the process start. Jobs due later (scheduled,
//! or waiting for a retry) wait in a sorted set scored by their time and are moved onto the
//! stream when due (`lua/job_promote.lua`). All keys of a queue share the hash tag
//! `{q:<queue>}`, so every script below runs in one slot (Redis Cluster).
//!
//! **Delivery.** At least once. A job's entry stays pending in the group until its handler
//! succeeded: then `lua/job_ack.lua` acknowledges and deletes it (`XACKDEL`) in one step. While
//! a handler runs, its worker refreshes the entry's idle time (a heartbeat, `XCLAIM … JUSTID`);
//! an entry idle for longer than the visibility timeout belongs to a worker that died or hung,
//! and another worker takes it over (`lua/job_reclaim.lua`, `XAUTOCLAIM`) and runs it again.
//! So a job can run twice (its worker died after the effect, before the acknowledgement) but is
//! never lost once `enqueue` returned; handlers are idempotent.
//!
//! **Failures.** A failed attempt is taken off the stream and scheduled again with exponential
//! backoff and jitter, in one script (`lua/job_fail.lua`); after the last attempt the job goes
//! to the queue's dead letters with its error, where an operator can retry or discard it
//! (`lua/job_dead.lua`). A job whose worker keeps dying (delivered more than the attempts
//! allowed) is dead-lettered by the reclaim step instead of going round forever.
//!
//! **Bounds.** Payloads are limited to [`MAX_PAYLOAD`] bytes and a queue to [`MAX_QUEUED`]
//! jobs (enqueue refuses more); finished entries are deleted at once; dead letters are capped at
//! [`DEAD_KEPT`]; idempotency keys and per-minute counters expire; consumers of processes that
//! are gone are removed from the group once they hold nothing.

use crate::server::redis::db::{Db, RedisConn};
use crate::server::redis::reply::Yes;
use crate::util::queue::QueueCounts;
use crate::util::time::now_ms;
use futures_util::FutureExt;
use redis::{FromRedisValue, Value};
use std::collections::HashMap;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{watch, OwnedSemaphorePermit, Semaphore};

/// `lua/job_ack.lua`: acknowledge and delete a finished job, count it.
pub static JOB_ACK: std::sync::LazyLock<redis::Script> = crate::lua_script!("job_ack");

/// `lua/job_beat.lua`: a worker's heartbeat for the entries it still owns.
pub static JOB_BEAT: std::sync::LazyLock<redis::Script> = crate::lua_script!("job_beat");

/// `lua/job_dead.lua`: an operator retries or discards a dead job.
pub static JOB_DEAD: std::sync::LazyLock<redis::Script> = crate::lua_script!("job_dead");

/// `lua/job_enqueue.lua`: idempotency check, job id and the job, in one step.
pub static JOB_ENQUEUE: std::sync::LazyLock<redis::Script> = crate::lua_script!("job_enqueue");

/// `lua/job_fail.lua`: a failed attempt: schedule the next one or dead-letter the job.
pub static JOB_FAIL: std::sync::LazyLock<redis::Script> = crate::lua_script!("job_fail");

/// `lua/job_forget.lua`: remove a gone consumer that holds nothing.
pub static JOB_FORGET: std::sync::LazyLock<redis::Script> = crate::lua_script!("job_forget");

/// `lua/job_promote.lua`: delayed jobs that are due onto the queue stream.
pub static JOB_PROMOTE: std::sync::LazyLock<redis::Script> = crate::lua_script!("job_promote");

/// `lua/job_reclaim.lua`: take over jobs of workers that stopped; poison jobs to the dead.
pub static JOB_RECLAIM: std::sync::LazyLock<redis::Script> = crate::lua_script!("job_reclaim");

/// The consumer group every worker joins.
pub const GROUP: &str = "workers";
/// Largest payload accepted.
pub const MAX_PAYLOAD: usize = 8 * 1024;
/// Most jobs one queue holds (waiting, running and delayed); enqueue refuses more.
pub const MAX_QUEUED: usize = 1_000_000;
/// Dead letters kept per queue (the oldest go first).
pub const DEAD_KEPT: usize = 1_000;
/// How long an idempotency key is remembered after the job's time.
const IDEMPOTENCY_MS: i64 = 24 * 3_600_000;
/// Entries read per `XREADGROUP`, at most.
const READ_BATCH: usize = 64;
/// Delayed jobs moved per promotion step, at most.
const PROMOTE_BATCH: usize = 500;

/// How the workers of one process behave (`Config::job_settings`: the operator's choices over
/// these defaults).
#[derive(Debug, Clone)]
pub struct Settings {
    /// Jobs this process runs at once, per queue (each queue has its own slots, so a busy
    /// queue never holds up another).
    pub concurrency: usize,
    /// A running job whose worker has not sent a heartbeat for this long is taken over.
    pub visibility: Duration,
    /// Attempts before a job is dead.
    pub max_attempts: u32,
    /// Delay before the first retry; it doubles with each attempt (±25% jitter), up to
    /// `backoff_max`.
    pub backoff_base: Duration,
    pub backoff_max: Duration,
    /// How often due delayed jobs are moved onto the stream (the lateness of a scheduled job).
    pub tick: Duration,
    /// On shutdown, how long running jobs may take to finish.
    pub shutdown_wait: Duration,
    /// A handler that runs longer than this is stopped and its attempt counts as failed (a
    /// hung handler would otherwise keep its claim alive through the heartbeat forever).
    pub max_runtime: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            concurrency: 8,
            visibility: Duration::from_secs(30),
            max_attempts: 5,
            backoff_base: Duration::from_secs(1),
            backoff_max: Duration::from_secs(600),
            tick: Duration::from_millis(100),
            shutdown_wait: Duration::from_secs(10),
            max_runtime: Duration::from_secs(300),
        }
    }
}

impl Settings {
    /// The delay before attempt `attempt + 1`: `base · 2^(attempt-1)`, capped, times a random
    /// factor in [0.75, 1.25] so that jobs failing together do not retry together.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let exp = self
            .backoff_base
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(20));
        let capped = exp.min(self.backoff_max);
        capped.mul_f64(rand::random_range(0.75..=1.25))
    }
}

/// One job as a handler sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobRun {
    pub queue: String,
    pub id: u64,
    pub kind: String,
    pub payload: String,
    /// 1 for the first attempt.
    pub attempt: u32,
}

/// Why a handler did not finish a job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobError {
    pub message: String,
    /// Retrying cannot help (unknown kind, unreadable payload): dead at once.
    pub permanent: bool,
}

impl JobError {
    pub fn retry(message: impl Into<String>) -> Self {
        JobError {
            message: message.into(),
            permanent: false,
        }
    }

    pub fn permanent(message: impl Into<String>) -> Self {
        JobError {
            message: message.into(),
            permanent: true,
        }
    }
}

impl From<redis::RedisError> for JobError {
    fn from(e: redis::RedisError) -> Self {
        JobError::retry(format!("redis: {e}"))
    }
}

/// A job that could not queue its follow-up job is retried (the follow-up's idempotency key
/// makes the retry queue it once).
impl From<EnqueueError> for JobError {
    fn from(e: EnqueueError) -> Self {
        JobError::retry(format!("enqueue: {e}"))
    }
}

/// A job whose work failed in the application layer: retried, unless the failure is the
/// input's (invalid, not found), which no retry can fix.
impl From<crate::error::AppError> for JobError {
    fn from(e: crate::error::AppError) -> Self {
        use crate::error::AppError;
        match e {
            AppError::Invalid(_) | AppError::NotFound | AppError::TooLarge => {
                JobError::permanent(e.to_string())
            }
            _ => JobError::retry(e.to_string()),
        }
    }
}

pub type HandlerFuture = Pin<Box<dyn Future<Output = Result<(), JobError>> + Send>>;
/// What runs a job: every kind of every queue the workers serve.
pub type Handler = Arc<dyn Fn(JobRun) -> HandlerFuture + Send + Sync>;

/// What runs one kind of job (a plain function, so a kind is data a feature hands over).
pub type RunJob = fn(Db, JobRun) -> HandlerFuture;

/// One kind of job: the name stored with each job, the queue its jobs go to, and what runs it.
#[derive(Clone, Copy)]
pub struct JobKind {
    pub name: &'static str,
    /// The queue the feature puts these jobs on ([`ANY_QUEUE`]: whichever it is given).
    pub queue: &'static str,
    pub run: RunJob,
}

/// The queue of a kind that runs on whichever queue a job of it is put on (the probe job of
/// the queue tests and benchmark); it adds no queue of its own.
pub const ANY_QUEUE: &str = "";

/// Every kind of job a deployment runs, each registered by the feature that owns it (through
/// the wiring module). The engine dispatches on it; it names no feature.
#[derive(Clone, Default)]
pub struct Registry {
    kinds: Vec<JobKind>,
}

impl Registry {
    /// Adds a kind. Two kinds with one name would make jobs ambiguous: that is a programming
    /// error, caught at start.
    pub fn add(&mut self, kind: JobKind) -> &mut Self {
        assert!(
            self.kind(kind.name).is_none(),
            "job kind {:?} registered twice",
            kind.name
        );
        self.kinds.push(kind);
        self
    }

    /// The kind named `name`.
    pub fn kind(&self, name: &str) -> Option<&JobKind> {
        self.kinds.iter().find(|k| k.name == name)
    }

    /// Every queue, once each, in the order their first kind was registered.
    pub fn queues(&self) -> Vec<&'static str> {
        let mut queues: Vec<&'static str> = Vec::new();
        for kind in &self.kinds {
            if kind.queue != ANY_QUEUE && !queues.contains(&kind.queue) {
                queues.push(kind.queue);
            }
        }
        queues
    }

    /// The handler the workers call: runs a job by its kind; an unknown kind (a job written by
    /// a newer or older version) fails for good and goes to the dead letters.
    pub fn handler(&self, db: &Db) -> Handler {
        let registry = self.clone();
        let db = db.clone();
        Arc::new(move |job: JobRun| match registry.kind(&job.kind) {
            Some(kind) => (kind.run)(db.clone(), job),
            None => {
                let kind = job.kind.clone();
                Box::pin(
                    async move { Err(JobError::permanent(format!("unknown job kind {kind:?}"))) },
                )
            }
        })
    }
}

/// The answer to an enqueue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Enqueued {
    /// A new job with this id.
    New(u64),
    /// The idempotency key was seen: the earlier job's id; nothing was added.
    Duplicate(u64),
}

#[derive(Debug, thiserror::Error)]
pub enum EnqueueError {
    #[error("job payload of {0} bytes is over the {MAX_PAYLOAD}-byte limit")]
    TooLarge(usize),
    #[error("job kind {0:?} is not valid (1-64 characters, no '|')")]
    BadKind(String),
    #[error("queue {0} is full")]
    Full(String),
    #[error("redis: {0}")]
    Redis(#[from] redis::RedisError),
}

/// Adds a job to `queue`, to run now or at `run_at_ms` (Unix ms). With an idempotency key, a
/// second enqueue with the same key (within a day after the job's time) adds nothing.
pub async fn enqueue(
    db: &Db,
    queue: &str,
    kind: &str,
    payload: &str,
    run_at_ms: Option<i64>,
    idempotency_key: Option<&str>,
) -> Result<Enqueued, EnqueueError> {
    if payload.len() > MAX_PAYLOAD {
        return Err(EnqueueError::TooLarge(payload.len()));
    }
    if kind.is_empty() || kind.len() > 64 || kind.contains('|') {
        return Err(EnqueueError::BadKind(kind.chars().take(64).collect()));
    }
    let keys = db.keys();
    let run_at = run_at_ms.unwrap_or(0);
    let remember = (run_at - now_ms()).max(0) + IDEMPOTENCY_MS;
    let mut conn = db.raw_conn();
    let reply: Vec<i64> = JOB_ENQUEUE
        .key(keys.queue_stream(queue))
        .key(keys.queue_delayed(queue))
        .key(keys.queue_idempotency(queue))
        .key(keys.queue_counters(queue))
        .arg(kind)
        .arg(payload)
        .arg(run_at)
        .arg(idempotency_key.unwrap_or(""))
        .arg(remember)
        .arg(MAX_QUEUED)
        .invoke_async(&mut conn)
        .await?;
    match reply.as_slice() {
        [1, id] => Ok(Enqueued::New(*id as u64)),
        [0, id] => Ok(Enqueued::Duplicate(*id as u64)),
        [-1] => Err(EnqueueError::Full(queue.to_string())),
        other => Err(EnqueueError::Redis(
            redis::ParsingError::from(format!("job_enqueue: unexpected reply {other:?}")).into(),
        )),
    }
}

/// A stream entry: its id and fields.
type Entry = (String, Vec<(String, String)>);

fn job_of(queue: &str, (_, fields): &Entry) -> Option<JobRun> {
    let get = |name: &str| {
        fields
            .iter()
            .find(|(f, _)| f == name)
            .map(|(_, v)| v.as_str())
    };
    Some(JobRun {
        queue: queue.to_string(),
        id: get("id")?.parse().ok()?,
        kind: get("kind")?.to_string(),
        payload: get("payload").unwrap_or("").to_string(),
        attempt: get("attempt").and_then(|a| a.parse().ok()).unwrap_or(1),
    })
}

/// Entries from an `XREADGROUP` reply (`[[stream, [[id, [f, v, …]], …]]]`) or a reclaim
/// reply (`[[id, [f, v, …]], …]`).
fn entries(value: Value) -> Vec<Entry> {
    fn entry(v: Value) -> Option<Entry> {
        let Value::Array(mut parts) = v else {
            return None;
        };
        if parts.len() != 2 {
            return None;
        }
        let fields = parts.pop()?;
        let id: String = redis::from_redis_value(parts.pop()?).ok()?;
        let flat: Vec<String> = match fields {
            Value::Nil => Vec::new(), // deleted while pending
            other => redis::from_redis_value(other).ok()?,
        };
        let pairs = flat
            .chunks(2)
            .filter_map(|c| match c {
                [f, v] => Some((f.clone(), v.clone())),
                _ => None,
            })
            .collect();
        Some((id, pairs))
    }
    let Value::Array(items) = value else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for item in items {
        let is_stream = matches!(&item, Value::Array(pair) if matches!(
            pair.as_slice(),
            [Value::BulkString(_), Value::Array(inner)]
                if !inner.is_empty() && inner.iter().all(|e| matches!(e, Value::Array(_)))
        ));
        if is_stream {
            // XREADGROUP: [stream name, [entry, …]]
            if let Value::Array(mut pair) = item {
                if let Some(Value::Array(list)) = pair.pop() {
                    out.extend(list.into_iter().filter_map(entry));
                }
            }
        } else {
            out.extend(entry(item));
        }
    }
    out
}

/// Creates the consumer group (from the start of the stream, so jobs enqueued before any
/// worker existed are run); an existing group is left alone.
async fn ensure_group(db: &Db, queue: &str) -> redis::RedisResult<()> {
    let mut conn = db.raw_conn();
    let created: redis::RedisResult<()> = redis::cmd("XGROUP")
        .arg("CREATE")
        .arg(db.keys().queue_stream(queue))
        .arg(GROUP)
        .arg("0")
        .arg("MKSTREAM")
        .query_async(&mut conn)
        .await;
    match created {
        Err(e) if e.code() == Some("BUSYGROUP") => Ok(()),
        other => other,
    }
}

/// What the workers of one queue in one process share.
struct Shared {
    db: Db,
    queue: String,
    handler: Handler,
    settings: Settings,
    consumer: String,
    /// This queue's slots: a job runs only while it holds one.
    permits: Arc<Semaphore>,
    /// Entries this consumer holds (running, or taken and waiting for a slot): the heartbeat
    /// keeps them claimed. Counted, because one entry can be in hand twice for a moment.
    held: Mutex<HashMap<String, usize>>,
    /// Where the next reclaim scan starts (`XAUTOCLAIM` cursor).
    reclaim_cursor: Mutex<String>,
}

/// Starts the workers for `queues`: per queue, `concurrency` slots, a reader
/// (`XREADGROUP … BLOCK` on a connection of its own), a heartbeat and a housekeeper
/// (promotion, reclaim, consumer cleanup). The returned task ends after `stop` turns true and
/// the running jobs finished (or `shutdown_wait` passed; unfinished jobs are then run again
/// elsewhere). The heartbeat runs until the end, so draining jobs are never taken over.
pub fn start(
    db: &Db,
    queues: &[&str],
    handler: Handler,
    settings: Settings,
    stop: watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    let consumer = format!(
        "{}-{}-{}",
        std::env::var("HOSTNAME").unwrap_or_else(|_| "rbay".into()),
        std::process::id(),
        crate::util::random::random_hex::<4>()
    );
    tracing::info!(
        consumer,
        ?queues,
        concurrency = settings.concurrency,
        "job workers starting"
    );
    let all: Vec<Arc<Shared>> = queues
        .iter()
        .map(|queue| {
            Arc::new(Shared {
                db: db.clone(),
                queue: queue.to_string(),
                handler: Arc::clone(&handler),
                permits: Arc::new(Semaphore::new(settings.concurrency.max(1))),
                settings: settings.clone(),
                consumer: consumer.clone(),
                held: Mutex::new(HashMap::new()),
                reclaim_cursor: Mutex::new("0-0".into()),
            })
        })
        .collect();
    tokio::spawn(async move {
        let (drained, drained_rx) = watch::channel(false);
        let mut beats = tokio::task::JoinSet::new();
        let mut tasks = tokio::task::JoinSet::new();
        for shared in &all {
            beats.spawn(heartbeat(Arc::clone(shared), drained_rx.clone()));
            tasks.spawn(read_loop(Arc::clone(shared), stop.clone()));
            tasks.spawn(housekeeping(Arc::clone(shared), stop.clone()));
        }
        while tasks.join_next().await.is_some() {}
        // Wait for the running jobs: each holds a slot until it is acknowledged.
        let wait = shared_wait(&all);
        match tokio::time::timeout(all[0].settings.shutdown_wait, wait).await {
            Ok(()) => tracing::info!("job workers stopped"),
            Err(_) => tracing::warn!(
                "job workers stopped with jobs still running; other workers will run them again"
            ),
        }
        let _ = drained.send(true);
        while beats.join_next().await.is_some() {}
    })
}

async fn shared_wait(all: &[Arc<Shared>]) {
    for shared in all {
        let slots = shared.settings.concurrency.max(1) as u32;
        let _ = Arc::clone(&shared.permits).acquire_many_owned(slots).await;
    }
}

/// A connection for blocking reads: its response timeout is longer than the `BLOCK`, so a
/// half-open connection is noticed (and replaced) instead of hanging the reader.
async fn blocking_conn(db: &Db) -> redis::RedisResult<RedisConn> {
    db.dedicated_conn(Duration::from_millis(BLOCK_MS + 5_000))
        .await
}

/// How long one `XREADGROUP` waits for a job.
const BLOCK_MS: u64 = 1_000;

async fn read_loop(shared: Arc<Shared>, mut stop: watch::Receiver<bool>) {
    let stream = shared.db.keys().queue_stream(&shared.queue);
    let queue = shared.queue.clone();
    let mut conn = None;
    let mut backoff = Duration::from_millis(100);
    loop {
        if *stop.borrow() {
            return;
        }
        // Slots first, then read exactly that many: a read job never waits for a slot. The
        // slots are this queue's own, so holding them through the BLOCK starves no other queue.
        let first = tokio::select! {
            permit = Arc::clone(&shared.permits).acquire_owned() => match permit {
                Ok(p) => p,
                Err(_) => return,
            },
            changed = stop.changed() => {
                if changed.is_err() || *stop.borrow() { return; }
                continue;
            }
        };
        let mut slots = vec![first];
        while slots.len() < READ_BATCH {
            match Arc::clone(&shared.permits).try_acquire_owned() {
                Ok(p) => slots.push(p),
                Err(_) => break,
            }
        }
        if conn.is_none() {
            match blocking_conn(&shared.db).await {
                Ok(c) => conn = Some(c),
                Err(e) => {
                    tracing::warn!(error = %e, queue, "job reader cannot connect");
                    drop(slots);
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(5));
                    continue;
                }
            }
        }
        let Some(c) = conn.as_mut() else { continue };
        let reply: redis::RedisResult<Value> = redis::cmd("XREADGROUP")
            .arg("GROUP")
            .arg(GROUP)
            .arg(&shared.consumer)
            .arg("COUNT")
            .arg(slots.len())
            .arg("BLOCK")
            .arg(BLOCK_MS)
            .arg("STREAMS")
            .arg(&stream)
            .arg(">")
            .query_async(c)
            .await;
        let read = match reply {
            Ok(value) => {
                backoff = Duration::from_millis(100);
                entries(value)
            }
            Err(e) => {
                if e.code() == Some("NOGROUP") {
                    if let Err(e) = ensure_group(&shared.db, &queue).await {
                        tracing::warn!(error = %e, queue, "cannot create the consumer group");
                    }
                } else {
                    tracing::warn!(error = %e, queue, "job reader: read failed; reconnecting");
                    conn = None;
                }
                drop(slots);
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(5));
                continue;
            }
        };
        for (entry, slot) in read.into_iter().zip(slots.drain(..)) {
            hold(&shared, &entry.0, true);
            spawn_run(&shared, entry, async move { Some(slot) });
        }
        // Unused slots go back with `slots`.
    }
}

/// Runs one entry's job in its own task once `slot` is there, then acknowledges it or
/// records the failure. The entry must already be held (see [`hold`]).
fn spawn_run(
    shared: &Arc<Shared>,
    entry: Entry,
    slot: impl Future<Output = Option<OwnedSemaphorePermit>> + Send + 'static,
) {
    let shared = Arc::clone(shared);
    tokio::spawn(async move {
        let entry_id = entry.0.clone();
        let Some(_slot) = slot.await else {
            hold(&shared, &entry_id, false);
            return;
        };
        let job = match job_of(&shared.queue, &entry) {
            Some(job) => job,
            None => {
                // Not a job this code can read: dead-letter it rather than loop on it.
                let job = JobRun {
                    queue: shared.queue.clone(),
                    id: 0,
                    kind: "?".into(),
                    payload: format!("{:?}", entry.1),
                    attempt: 1,
                };
                finish(
                    &shared,
                    &entry_id,
                    &job,
                    Err(JobError::permanent("unreadable queue entry")),
                )
                .await;
                hold(&shared, &entry_id, false);
                return;
            }
        };
        let limit = shared.settings.max_runtime;
        let outcome = match tokio::time::timeout(
            limit,
            AssertUnwindSafe((shared.handler)(job.clone())).catch_unwind(),
        )
        .await
        {
            Ok(Ok(outcome)) => outcome,
            Ok(Err(_)) => Err(JobError::retry("the handler panicked")),
            Err(_) => Err(JobError::retry(format!(
                "the handler ran longer than {} s",
                limit.as_secs()
            ))),
        };
        finish(&shared, &entry_id, &job, outcome).await;
        hold(&shared, &entry_id, false);
    });
}

fn hold(shared: &Shared, entry_id: &str, on: bool) {
    let mut held = shared.held.lock().unwrap_or_else(|e| e.into_inner());
    if on {
        *held.entry(entry_id.to_string()).or_default() += 1;
    } else if let Some(n) = held.get_mut(entry_id) {
        *n -= 1;
        if *n == 0 {
            held.remove(entry_id);
        }
    }
}

/// What `lua/job_ack.lua` (1, 0) or `lua/job_fail.lua` (1, 2, 0) did with a job's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Recorded {
    /// Acknowledged, or a retry scheduled.
    Done,
    /// Its last attempt failed: dead-lettered.
    Dead,
    /// Another worker holds the job now: nothing was written.
    NotOurs,
}

impl redis::FromRedisValue for Recorded {
    fn from_redis_value(v: Value) -> Result<Self, redis::ParsingError> {
        match i64::from_redis_value(v)? {
            1 => Ok(Recorded::Done),
            2 => Ok(Recorded::Dead),
            0 => Ok(Recorded::NotOurs),
            other => Err(format!("job_ack/job_fail: unexpected reply {other}").into()),
        }
    }
}

async fn finish(shared: &Shared, entry_id: &str, job: &JobRun, outcome: Result<(), JobError>) {
    let keys = shared.db.keys();
    let mut conn = shared.db.raw_conn();
    let written: redis::RedisResult<Recorded> = match &outcome {
        Ok(()) => {
            JOB_ACK
                .key(keys.queue_stream(&job.queue))
                .key(keys.queue_counters(&job.queue))
                .arg(GROUP)
                .arg(entry_id)
                .arg(&shared.consumer)
                .invoke_async(&mut conn)
                .await
        }
        Err(error) => {
            let allowed = if error.permanent {
                job.attempt
            } else {
                shared.settings.max_attempts
            };
            let delay = shared.settings.backoff(job.attempt);
            tracing::warn!(
                queue = job.queue,
                job_id = job.id,
                kind = job.kind,
                attempt = job.attempt,
                error = error.message,
                "job failed"
            );
            JOB_FAIL
                .key(keys.queue_stream(&job.queue))
                .key(keys.queue_delayed(&job.queue))
                .key(keys.queue_dead(&job.queue))
                .key(keys.queue_counters(&job.queue))
                .arg(GROUP)
                .arg(entry_id)
                .arg(job.id)
                .arg(&job.kind)
                .arg(job.attempt)
                .arg(&job.payload)
                .arg(&error.message)
                .arg(allowed)
                .arg(delay.as_millis() as u64)
                .arg(DEAD_KEPT)
                .arg(&shared.consumer)
                .invoke_async(&mut conn)
                .await
        }
    };
    match written {
        Ok(Recorded::NotOurs) => tracing::info!(
            queue = job.queue,
            job_id = job.id,
            "job outcome not recorded: another worker holds it now"
        ),
        Ok(Recorded::Done | Recorded::Dead) => {}
        // The entry stays pending: after the visibility timeout it is run again.
        Err(e) => {
            tracing::warn!(error = %e, queue = job.queue, job_id = job.id, "job outcome not recorded")
        }
    }
}

/// Every third of the visibility timeout, tells the group this consumer still works on the
/// entries it holds, until the workers have drained.
async fn heartbeat(shared: Arc<Shared>, mut drained: watch::Receiver<bool>) {
    let mut timer = tokio::time::interval(shared.settings.visibility / 3);
    timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            changed = drained.changed() => {
                if changed.is_err() || *drained.borrow() { return; }
            }
            _ = timer.tick() => {
                if let Err(e) = beat(&shared).await {
                    tracing::warn!(error = %e, queue = shared.queue, "job heartbeat failed");
                }
            }
        }
    }
}

async fn housekeeping(shared: Arc<Shared>, mut stop: watch::Receiver<bool>) {
    let queue = shared.queue.clone();
    if let Err(e) = ensure_group(&shared.db, &queue).await {
        tracing::warn!(error = %e, queue, "cannot create the consumer group (retrying on read)");
    }
    let settings = shared.settings.clone();
    let mut promote = tokio::time::interval(settings.tick);
    let mut reclaim = tokio::time::interval(settings.visibility / 2);
    let mut cleanup = tokio::time::interval(Duration::from_secs(600));
    for timer in [&mut promote, &mut reclaim, &mut cleanup] {
        timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    }
    loop {
        tokio::select! {
            changed = stop.changed() => {
                if changed.is_err() || *stop.borrow() { return; }
            }
            _ = promote.tick() => {
                if let Err(e) = promote_due(&shared.db, &queue).await {
                    tracing::debug!(error = %e, queue, "promotion failed");
                }
            }
            _ = reclaim.tick() => {
                if let Err(e) = take_over(&shared).await {
                    tracing::debug!(error = %e, queue, "reclaim failed");
                }
            }
            _ = cleanup.tick() => {
                if let Err(e) = forget_gone_consumers(&shared.db, &queue).await {
                    tracing::debug!(error = %e, queue, "consumer cleanup failed");
                }
            }
        }
    }
}

/// Moves every due delayed job onto the stream; returns how many.
pub async fn promote_due(db: &Db, queue: &str) -> redis::RedisResult<usize> {
    let keys = db.keys();
    let mut conn = db
        .conn()
        .map_err(|_| redis::RedisError::from((redis::ErrorKind::Io, "redis not ready")))?;
    let mut moved = 0;
    loop {
        let n: usize = JOB_PROMOTE
            .key(keys.queue_stream(queue))
            .key(keys.queue_delayed(queue))
            .key(keys.queue_dead(queue))
            .arg(PROMOTE_BATCH)
            .arg(DEAD_KEPT)
            .invoke_async(&mut conn)
            .await?;
        moved += n;
        if n < PROMOTE_BATCH {
            return Ok(moved);
        }
    }
}

/// The heartbeat: resets the idle time of the entries this consumer holds, only those it
/// still owns (`lua/job_beat.lua`: a plain `XCLAIM` would take back an entry another worker
/// had rightly taken over).
async fn beat(shared: &Shared) -> redis::RedisResult<()> {
    let ids: Vec<String> = {
        let held = shared.held.lock().unwrap_or_else(|e| e.into_inner());
        held.keys().cloned().collect()
    };
    if ids.is_empty() {
        return Ok(());
    }
    let mut conn = shared.db.raw_conn();
    let lost: Vec<String> = JOB_BEAT
        .key(shared.db.keys().queue_stream(&shared.queue))
        .arg(GROUP)
        .arg(&shared.consumer)
        .arg(&ids)
        .invoke_async(&mut conn)
        .await?;
    for id in lost {
        tracing::warn!(
            queue = shared.queue,
            entry = id,
            "a job was taken over while held here"
        );
    }
    Ok(())
}

/// Takes over entries whose worker went silent, and runs them here as slots free up (they are
/// held, so the heartbeat keeps them, from the moment they are claimed).
async fn take_over(shared: &Arc<Shared>) -> redis::RedisResult<()> {
    let keys = shared.db.keys();
    let cursor = shared
        .reclaim_cursor
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    let mut conn = shared.db.raw_conn();
    let Reclaimed {
        cursor: next,
        claimed,
    } = JOB_RECLAIM
        .key(keys.queue_stream(&shared.queue))
        .key(keys.queue_dead(&shared.queue))
        .key(keys.queue_counters(&shared.queue))
        .arg(GROUP)
        .arg(&shared.consumer)
        .arg(shared.settings.visibility.as_millis() as u64)
        .arg(READ_BATCH)
        .arg(shared.settings.max_attempts)
        .arg(DEAD_KEPT)
        .arg(&cursor)
        .invoke_async(&mut conn)
        .await?;
    *shared
        .reclaim_cursor
        .lock()
        .unwrap_or_else(|e| e.into_inner()) = next;
    for entry in entries(claimed) {
        tracing::info!(
            queue = shared.queue,
            entry = entry.0,
            "took over a job from a silent worker"
        );
        hold(shared, &entry.0, true);
        let permits = Arc::clone(&shared.permits);
        spawn_run(
            shared,
            entry,
            async move { permits.acquire_owned().await.ok() },
        );
    }
    Ok(())
}

/// `lua/job_reclaim.lua`'s reply, strictly `{ next cursor, { entry, … } }`.
struct Reclaimed {
    cursor: String,
    /// The entries taken over (read by [`entries`]).
    claimed: Value,
}

impl FromRedisValue for Reclaimed {
    fn from_redis_value(v: Value) -> Result<Self, redis::ParsingError> {
        let f = crate::server::redis::reply::Fields::new("job_reclaim", v)?;
        f.expect_len(2)?;
        Ok(Reclaimed {
            cursor: f.get(0)?,
            claimed: f.get(1)?,
        })
    }
}

/// Removes consumers that were idle for an hour and hold no job (processes that are gone);
/// the "holds no job" check and the removal are one script, so a consumer that wakes up in
/// between keeps what it read.
async fn forget_gone_consumers(db: &Db, queue: &str) -> redis::RedisResult<()> {
    let stream = db.keys().queue_stream(queue);
    let mut conn = db.raw_conn();
    let consumers: Vec<HashMap<String, Value>> = redis::cmd("XINFO")
        .arg("CONSUMERS")
        .arg(&stream)
        .arg(GROUP)
        .query_async(&mut conn)
        .await?;
    for consumer in consumers {
        let number = |name: &str| {
            consumer
                .get(name)
                .and_then(|v| redis::from_redis_value_ref::<i64>(v).ok())
                .unwrap_or(0)
        };
        let Some(name) = consumer
            .get("name")
            .and_then(|v| redis::from_redis_value_ref::<String>(v).ok())
        else {
            continue;
        };
        if number("pending") == 0 && number("idle") > 3_600_000 {
            let _: Yes = JOB_FORGET
                .key(&stream)
                .arg(GROUP)
                .arg(&name)
                .invoke_async(&mut conn)
                .await?;
        }
    }
    Ok(())
}

/// Reads the numbers of every queue in one round trip. `minutes` of history.
pub async fn counts(
    db: &Db,
    queues: &[&str],
    minutes: usize,
) -> redis::RedisResult<Vec<QueueCounts>> {
    let keys = db.keys();
    let this_minute = now_ms() / 60_000;
    let fields = |tag: &str| -> Vec<String> {
        (0..minutes as i64)
            .rev()
            .map(|ago| format!("{tag}:{}", this_minute - ago))
            .collect()
    };
    let mut pipe = redis::pipe();
    for queue in queues {
        let stream = keys.queue_stream(queue);
        pipe.cmd("XLEN").arg(&stream);
        pipe.cmd("XPENDING").arg(&stream).arg(GROUP);
        pipe.cmd("ZCARD").arg(keys.queue_delayed(queue));
        pipe.cmd("XLEN").arg(keys.queue_dead(queue));
        pipe.cmd("HMGET")
            .arg(keys.queue_counters(queue))
            .arg(fields("p"));
        pipe.cmd("HMGET")
            .arg(keys.queue_counters(queue))
            .arg(fields("f"));
    }
    let mut conn = db.raw_conn();
    // A queue never used has no group yet: XPENDING fails for it; count it as empty.
    let replies: Vec<Value> = pipe.ignore_errors().query_async(&mut conn).await?;
    let mut out = Vec::new();
    for chunk in replies.chunks(6) {
        let int = |v: &Value| redis::from_redis_value_ref::<u64>(v).unwrap_or(0);
        let pending = match &chunk[1] {
            Value::Array(summary) => summary.first().map(int).unwrap_or(0),
            _ => 0,
        };
        let series = |v: &Value| -> Vec<u64> {
            redis::from_redis_value_ref::<Vec<Option<u64>>>(v)
                .unwrap_or_default()
                .into_iter()
                .map(|n| n.unwrap_or(0))
                .collect()
        };
        let length = int(&chunk[0]);
        out.push(QueueCounts {
            waiting: length.saturating_sub(pending),
            running: pending,
            delayed: int(&chunk[2]),
            dead: int(&chunk[3]),
            processed: series(&chunk[4]),
            failed: series(&chunk[5]),
        });
    }
    Ok(out)
}

/// A dead job as the operations page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dead {
    /// The dead-letter entry id (what retry and discard name).
    pub entry: String,
    pub job: JobRun,
    pub error: String,
    pub failed_at_ms: i64,
}

/// The newest `count` dead jobs of a queue.
pub async fn dead_jobs(db: &Db, queue: &str, count: usize) -> redis::RedisResult<Vec<Dead>> {
    let mut conn = db.raw_conn();
    let reply: Value = redis::cmd("XREVRANGE")
        .arg(db.keys().queue_dead(queue))
        .arg("+")
        .arg("-")
        .arg("COUNT")
        .arg(count)
        .query_async(&mut conn)
        .await?;
    Ok(entries(reply)
        .into_iter()
        .filter_map(|entry| {
            let job = job_of(queue, &entry)?;
            let get = |name: &str| {
                entry
                    .1
                    .iter()
                    .find(|(f, _)| f == name)
                    .map(|(_, v)| v.clone())
            };
            Some(Dead {
                error: get("error").unwrap_or_default(),
                failed_at_ms: get("failed_at").and_then(|v| v.parse().ok()).unwrap_or(0),
                entry: entry.0,
                job,
            })
        })
        .collect())
}

/// An operator's decision on a dead job. `false` when there is no such dead job (any more).
pub async fn settle_dead(
    db: &Db,
    queue: &str,
    entry: &str,
    retry: bool,
) -> redis::RedisResult<bool> {
    let keys = db.keys();
    let mut conn = db.raw_conn();
    let Yes(done) = JOB_DEAD
        .key(keys.queue_stream(queue))
        .key(keys.queue_dead(queue))
        .arg(entry)
        .arg(if retry { "retry" } else { "discard" })
        .invoke_async(&mut conn)
        .await?;
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_jitter_and_a_cap() {
        let s = Settings {
            backoff_base: Duration::from_millis(1000),
            backoff_max: Duration::from_millis(5000),
            ..Settings::default()
        };
        for _ in 0..100 {
            let first = s.backoff(1).as_millis();
            let second = s.backoff(2).as_millis();
            let late = s.backoff(30).as_millis();
            assert!((750..=1250).contains(&first), "{first}");
            assert!((1500..=2500).contains(&second), "{second}");
            assert!((3750..=6250).contains(&late), "{late}");
        }
    }

    #[test]
    fn stream_replies_become_jobs() {
        let bulk = |s: &str| Value::BulkString(s.as_bytes().to_vec());
        let entry = Value::Array(vec![
            bulk("1-0"),
            Value::Array(vec![
                bulk("id"),
                bulk("7"),
                bulk("kind"),
                bulk("probe"),
                bulk("attempt"),
                bulk("2"),
                bulk("payload"),
                bulk("{}"),
            ]),
        ]);
        let read = Value::Array(vec![Value::Array(vec![
            bulk("q:stream"),
            Value::Array(vec![entry.clone()]),
        ])]);
        for reply in [read, Value::Array(vec![entry])] {
            let list = entries(reply);
            assert_eq!(list.len(), 1);
            let job = job_of("q", &list[0]).unwrap();
            assert_eq!((job.id, job.kind.as_str(), job.attempt), (7, "probe", 2));
        }
        assert!(entries(Value::Nil).is_empty(), "BLOCK timed out");
    }
}
