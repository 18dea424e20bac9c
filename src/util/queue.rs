//! One job queue's numbers: what the queue engine reads (`server::jobs::counts`), the metrics
//! scrape exports and the operations page shows (`jobs::QueueView`). One type for both builds:
//! the engine is server-only and the page's view travels to the browser.

use serde::{Deserialize, Serialize};

/// One queue's numbers.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct QueueCounts {
    /// Jobs in the stream that no worker has taken yet.
    pub waiting: u64,
    /// Jobs taken and not finished (the consumer group's pending entries).
    pub running: u64,
    /// Jobs scheduled for later (retries waiting for their backoff, jobs due at a time).
    pub delayed: u64,
    /// Jobs that failed for good and wait for an operator.
    pub dead: u64,
    /// Jobs finished per minute, oldest first, the current minute last.
    pub processed: Vec<u64>,
    /// Failed attempts per minute, same minutes.
    pub failed: Vec<u64>,
}
