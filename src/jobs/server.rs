//! The probe job (diagnostics: the queue tests and benchmark) and the numbers of the
//! operations page, for every queue the features registered (`crate::wiring::jobs`).

use crate::server::jobs::{self, JobError, JobKind, JobRun, Registry, ANY_QUEUE};
use crate::server::redis::db::Db;
use serde::{Deserialize, Serialize};
use std::time::Duration;

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

/// The probe kind (runs on any queue).
pub fn register_jobs(jobs: &mut Registry) {
    jobs.add(JobKind {
        name: PROBE_JOB,
        queue: ANY_QUEUE,
        run: |db, job| Box::pin(async move { probe(&db, &job).await }),
    });
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

/// The operations page's numbers: every queue in one round trip, then its newest dead jobs.
pub async fn view(
    db: &Db,
    queues: &[&'static str],
) -> Result<crate::jobs::OpsView, crate::error::AppError> {
    use crate::jobs::{DeadJobView, QueueView, MINUTES};
    use crate::server::redis::db::redis_error;
    let counts = jobs::counts(db, queues, MINUTES)
        .await
        .map_err(|e| redis_error("queue counts", e))?;
    let mut views = Vec::new();
    for (name, counts) in queues.iter().zip(counts) {
        let dead_jobs = if counts.dead > 0 {
            jobs::dead_jobs(db, name, 20)
                .await
                .map_err(|e| redis_error("dead jobs", e))?
        } else {
            Vec::new()
        };
        views.push(QueueView {
            name: name.to_string(),
            counts,
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
        fleet: Default::default(),
        queues: views,
        now_ms: crate::util::time::now_ms(),
    })
}
