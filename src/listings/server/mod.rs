//! Listing on the server (feature `ssr`): the multipart upload and the thumbnail job;
//! ending a listing early and relisting one that did not sell; revising a running listing and
//! adding to its description.

pub mod listing;
pub mod manage;
pub mod revise;

use crate::server::jobs::{JobKind, Registry};

/// The listings' job kind: making a new listing's thumbnails.
pub fn register_jobs(jobs: &mut Registry) {
    jobs.add(JobKind {
        name: listing::THUMBNAIL_JOB,
        queue: listing::PHOTO_QUEUE,
        run: |db, job| Box::pin(async move { listing::run_thumbnail_job(&db, &job.payload).await }),
    });
}
