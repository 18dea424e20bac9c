//! The jobs Rbay runs, routed by kind to the feature that owns each, and starting the workers.

use crate::server::jobs::{self, Handler, JobError, JobRun, Settings};
use crate::server::redis::db::Db;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;

/// Every queue, in the order the operations page shows them.
pub const QUEUES: [&str; 3] = [
    crate::items::server::close_job::QUEUE,
    crate::notifications::server::QUEUE,
    crate::items::server::listing::PHOTO_QUEUE,
];

/// The probe job: sleeps, then counts one finished run of its job id under a name (a hash:
/// job id → runs). Deliberately not idempotent, so tests can see a job that ran twice. For
/// diagnostics, the queue tests and the queue benchmark.
pub const PROBE_JOB: &str = "probe";

#[derive(Debug, Serialize, Deserialize)]
pub struct Probe {
    pub name: String,
    #[serde(default)]
    pub sleep_ms: u64,
    /// Fail this many first attempts (tests of retries).
    #[serde(default)]
    pub fail_first: u32,
}

/// Runs one job.
pub async fn run(db: &Db, job: JobRun) -> Result<(), JobError> {
    use crate::items::server::{close_job, closer, listing};
    match job.kind.as_str() {
        close_job::JOB => closer::run_job(db, &job.payload).await,
        crate::notifications::server::JOB => crate::notifications::server::run_job(db, &job).await,
        listing::THUMBNAIL_JOB => listing::run_thumbnail_job(db, &job.payload).await,
        crate::items::server::watch::REMINDER_JOB => {
            crate::items::server::watch::run_reminder_job(db, &job.payload).await
        }
        PROBE_JOB => probe(db, &job).await,
        other => Err(JobError::permanent(format!("unknown job kind {other:?}"))),
    }
}

async fn probe(db: &Db, job: &JobRun) -> Result<(), JobError> {
    let probe: Probe = serde_json::from_str(&job.payload)
        .map_err(|e| JobError::permanent(format!("unreadable probe: {e}")))?;
    if probe.sleep_ms > 0 {
        tokio::time::sleep(Duration::from_millis(probe.sleep_ms.min(60_000))).await;
    }
    if job.attempt <= probe.fail_first {
        return Err(JobError::retry(format!(
            "probe fails attempt {}",
            job.attempt
        )));
    }
    let mut conn = db.raw_conn();
    let _: () = redis::cmd("HINCRBY")
        .arg(db.keys().queue_probe(&job.queue, &probe.name))
        .arg(job.id)
        .arg(1)
        .query_async(&mut conn)
        .await?;
    Ok(())
}

/// The handler for every kind above.
pub fn handler(db: &Db) -> Handler {
    let db = db.clone();
    Arc::new(move |job| {
        let db = db.clone();
        Box::pin(async move { run(&db, job).await })
    })
}

/// Starts the workers for every queue (see `server::jobs::start`).
pub fn start(
    db: &Db,
    settings: Settings,
    stop: tokio::sync::watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    jobs::start(db, &QUEUES, handler(db), settings, stop)
}

/// The operations page's numbers: every queue in one round trip, then its newest dead jobs.
pub async fn view(db: &Db) -> Result<crate::jobs::OpsView, crate::error::AppError> {
    use crate::jobs::{DeadJobView, QueueView, MINUTES};
    use crate::server::redis::db::redis_error;
    let counts = jobs::counts(db, &QUEUES, MINUTES)
        .await
        .map_err(|e| redis_error("queue counts", e))?;
    let mut queues = Vec::new();
    for (name, c) in QUEUES.iter().zip(counts) {
        let dead_jobs = if c.dead > 0 {
            jobs::dead_jobs(db, name, 20)
                .await
                .map_err(|e| redis_error("dead jobs", e))?
        } else {
            Vec::new()
        };
        queues.push(QueueView {
            name: name.to_string(),
            waiting: c.waiting,
            running: c.running,
            delayed: c.delayed,
            dead: c.dead,
            processed: c.processed,
            failed: c.failed,
            dead_jobs: dead_jobs
                .into_iter()
                .map(|d| DeadJobView {
                    entry: d.entry,
                    job_id: d.job.id,
                    kind: d.job.kind,
                    attempts: d.job.attempt,
                    payload: d.job.payload,
                    error: d.error,
                    failed_at_ms: d.failed_at_ms,
                })
                .collect(),
        });
    }
    Ok(crate::jobs::OpsView {
        fleet_html: String::new(),
        queues,
        now_ms: crate::util::time::now_ms(),
    })
}
