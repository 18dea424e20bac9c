//! Engagement on Redis (feature `ssr`): likes, the watchlist and its reminders, counted views.

pub mod keys;
pub mod likes;
pub mod toggle;
pub mod views;
pub mod watch;

pub use likes::set_like;
pub use views::{count_view, Visitor, NEW_VISITORS_PER_NETWORK};

use crate::items::server::close_job;
use crate::server::jobs::{JobKind, Registry};

/// The engagement job kind: reminding a watcher an hour and ten minutes before the end (on the
/// auctions' queue, beside the closing).
pub fn register_jobs(jobs: &mut Registry) {
    jobs.add(JobKind {
        name: watch::REMINDER_JOB,
        queue: close_job::QUEUE,
        run: |db, job| Box::pin(async move { watch::run_reminder_job(&db, &job.payload).await }),
    });
}
