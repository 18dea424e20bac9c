//! The auction on Redis (feature `ssr`): bids and Buy It Now (`lua/place_bid.lua`,
//! `lua/buy_now.lua`), and closing auctions at their end (the close job).

pub mod bids;
pub mod cancel;
pub mod closer;

pub use bids::{buy_now, place_bid, BidOutcome, BidRejection, BuyOutcome};

use crate::items::server::close_job;
use crate::server::jobs::{JobKind, Registry};

/// The auction's job kinds: closing an auction at its end (scheduled when it is listed, see
/// `items::server::close_job`), and cancelling a blocked or suspended bidder's bids.
pub fn register_jobs(jobs: &mut Registry) {
    jobs.add(JobKind {
        name: close_job::JOB,
        queue: close_job::QUEUE,
        run: |db, job| Box::pin(async move { closer::run_job(&db, &job.payload).await }),
    });
    jobs.add(JobKind {
        name: cancel::JOB,
        queue: close_job::QUEUE,
        run: |db, job| Box::pin(async move { cancel::run_job(&db, &job.payload).await }),
    });
}
