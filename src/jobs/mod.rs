//! Background work: which jobs Rbay runs (closing auctions, delivering notices, making photo
//! thumbnails) and the operations page that watches the queues. The queue engine itself is
//! plumbing (`server::jobs`); each feature owns its job's payload and handler, and `server`
//! here (feature `ssr`) routes each kind to its handler.

pub mod api;
#[cfg(feature = "ssr")]
pub mod server;
pub mod ui;

use crate::util::queue::QueueCounts;
use serde::{Deserialize, Serialize};

/// Minutes of processed/failed history the operations page shows.
pub const MINUTES: usize = 10;

/// One queue, as the operations page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueView {
    pub name: String,
    pub counts: QueueCounts,
    /// The newest dead jobs.
    pub dead_jobs: Vec<DeadJobView>,
}

/// A dead job, as an operator sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadJobView {
    /// The dead-letter entry (what retry and discard name).
    pub entry: String,
    pub job_id: u64,
    pub kind: String,
    pub attempts: u32,
    pub payload: String,
    pub error: String,
    pub failed_at_ms: i64,
}

/// The operations page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpsView {
    /// The fleet's figures (requests, latency, instances, Redis).
    #[serde(default)]
    pub fleet: crate::analytics::fleet::FleetFigures,
    pub queues: Vec<QueueView>,
    pub now_ms: i64,
}
