//! The viewer's lists: My bids, Watching, Won / Sold, with where they stand on each.

pub mod api;
#[cfg(feature = "ssr")]
pub mod server;
pub mod ui;

use crate::items::ItemCard;
use crate::util::id::UserId;
use serde::{Deserialize, Serialize};

/// Where the viewer stands on one item of their lists (My bids, Won / Sold).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MyStatus {
    /// Live, and the viewer leads.
    Winning,
    /// Live, and someone else leads.
    Outbid,
    /// Ended with the viewer as the buyer.
    Won,
    /// Ended, and the viewer did not win.
    Lost,
    /// The viewer's item, still running.
    Selling,
    /// The viewer's item, sold.
    Sold,
    /// The viewer's item, ended unsold (no bids, or the reserve not met).
    Unsold,
}

impl MyStatus {
    /// Where a bidder (not the seller) stands: while the auction runs, whether they lead; once
    /// it has ended, whether they lead with the reserve met. Shared by the server (the page)
    /// and the page ticker (which keeps the status live).
    pub fn of_bidder(ended: bool, leads: bool, reserve_met: bool) -> Self {
        match (ended, leads) {
            (false, true) => MyStatus::Winning,
            (false, false) => MyStatus::Outbid,
            (true, true) if reserve_met => MyStatus::Won,
            (true, _) => MyStatus::Lost,
        }
    }

    /// The CSS class of the status (good news or bad news for the viewer).
    pub fn class(self) -> &'static str {
        match self {
            MyStatus::Winning | MyStatus::Won | MyStatus::Sold => "status-good",
            MyStatus::Outbid | MyStatus::Lost | MyStatus::Unsold => "status-bad",
            MyStatus::Selling => "",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            MyStatus::Winning => "Winning",
            MyStatus::Outbid => "Outbid",
            MyStatus::Won => "Won",
            MyStatus::Lost => "Lost",
            MyStatus::Selling => "Selling",
            MyStatus::Sold => "Sold",
            MyStatus::Unsold => "Did not sell",
        }
    }
}

/// One row of the viewer's lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyItem {
    pub card: ItemCard,
    pub status: MyStatus,
    /// The viewer's own maximum (My bids).
    pub my_max_cents: Option<i64>,
    /// The buyer (sold items) or the seller (won items).
    pub other_party: Option<String>,
    /// Where the sale's order is (Won / Sold).
    pub order: Option<crate::orders::OrderState>,
}

/// The viewer's lists for `/my/*`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyLists {
    /// The signed-in viewer (the page ticker works out their live status with it).
    pub viewer_id: UserId,
    pub items: Vec<MyItem>,
    /// A second list where the page has one (what I sold, on Won / Sold).
    pub others: Vec<MyItem>,
    pub now_ms: i64,
}
