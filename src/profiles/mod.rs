//! Public profiles: who a user is, what they sell and what they like.

pub mod api;
#[cfg(feature = "ssr")]
pub mod server;
pub mod ui;

use crate::items::ItemCard;
use crate::util::id::UserId;
use serde::{Deserialize, Serialize};

/// Items shown per list on a profile.
pub const PROFILE_LIST: usize = 24;

/// A user's public profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub id: UserId,
    pub username: String,
    pub member_since_ms: i64,
    pub selling: Vec<ItemCard>,
    pub liked: Vec<ItemCard>,
    /// Their rating from the feedback of their sales and purchases.
    pub rating: crate::orders::RatingSummary,
    /// One page of the feedback they received, newest first.
    pub feedback: Vec<crate::orders::Feedback>,
    pub feedback_total: u64,
    pub feedback_page: u64,
    pub now_ms: i64,
}
