//! Items on Redis (feature `ssr`).

pub mod bids;
pub mod cards;
pub mod close_job;
pub mod closer;
pub mod images;
pub mod index_sync;
pub mod likes;
pub mod listing;
pub mod mine;
pub mod rankings;
pub mod routes;
pub mod search;
pub mod stats;
pub mod store;
pub mod views;
pub mod watch;

pub use crate::items::NewItem;

use crate::server::jobs::{JobKind, Registry};

/// The items' job kinds: closing an auction at its end, reminding watchers before it, making
/// a listing's thumbnails.
pub fn register_jobs(jobs: &mut Registry) {
    jobs.add(JobKind {
        name: close_job::JOB,
        queue: close_job::QUEUE,
        run: |db, job| Box::pin(async move { closer::run_job(&db, &job.payload).await }),
    })
    .add(JobKind {
        name: watch::REMINDER_JOB,
        queue: close_job::QUEUE,
        run: |db, job| Box::pin(async move { watch::run_reminder_job(&db, &job.payload).await }),
    })
    .add(JobKind {
        name: listing::THUMBNAIL_JOB,
        queue: listing::PHOTO_QUEUE,
        run: |db, job| Box::pin(async move { listing::run_thumbnail_job(&db, &job.payload).await }),
    });
}
pub use bids::{buy_now, place_bid, BidOutcome, BidRejection, BuyOutcome};
pub use likes::set_like;
pub use store::{create, create_with_demo_photo, get, name, page, photo};
pub use views::{count_view, Visitor, NEW_VISITORS_PER_NETWORK};
