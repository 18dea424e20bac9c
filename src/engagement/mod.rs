//! Engagement: likes, the watchlist (with reminders before the end) and counted views.
//! [`api`] has the like and watch server functions, `server` (feature `ssr`) the scripts'
//! wrappers, the reminder job and the visit counting, `ui` the like button.

pub mod api;
#[cfg(feature = "ssr")]
pub mod server;
pub mod ui;

use serde::{Deserialize, Serialize};

/// Answer to like / unlike.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LikeReply {
    pub liked: bool,
    pub likes: i64,
}

/// Answer to watch / stop watching.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WatchReply {
    pub watching: bool,
    pub watchers: i64,
}
