//! Plain data shared by the server and the browser.

use serde::{Deserialize, Serialize};

/// What a listing card shows: enough for the home page, search results and profiles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemCard {
    pub id: String,
    pub name: String,
    /// Current price in integer cents.
    pub price_cents: i64,
    /// Auction end, Unix time in milliseconds.
    pub ends_at_ms: i64,
    pub views: i64,
    pub bids: i64,
    pub likes: i64,
}

/// The three rankings of the home page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HomeSections {
    pub ending_soon: Vec<ItemCard>,
    pub most_viewed: Vec<ItemCard>,
    pub highest_price: Vec<ItemCard>,
    /// Server clock (ms) when the sections were read, so "time left" is computed consistently.
    pub now_ms: i64,
}

/// Everything the item page shows about one item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemDetail {
    pub id: String,
    pub name: String,
    pub description: String,
    pub seller_id: u64,
    pub seller_name: String,
    pub price_cents: i64,
    pub start_price_cents: i64,
    /// The smallest bid the next bidder may place (price + increment; the starting price
    /// before the first bid).
    pub min_bid_cents: i64,
    pub bids: i64,
    pub views: i64,
    pub likes: i64,
    pub created_at_ms: i64,
    pub ends_at_ms: i64,
    pub has_photo: bool,
    pub high_bidder_id: Option<u64>,
    pub high_bidder_name: Option<String>,
    pub comments: i64,
}

impl ItemDetail {
    pub fn is_live(&self, now_ms: i64) -> bool {
        now_ms < self.ends_at_ms
    }
}

/// One accepted bid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BidEntry {
    pub bidder_id: u64,
    pub bidder_name: String,
    pub amount_cents: i64,
    pub at_ms: i64,
}

/// The item page in one piece.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemPageData {
    pub item: ItemDetail,
    /// Newest first.
    pub history: Vec<BidEntry>,
    pub similar: Vec<ItemCard>,
    /// The newest three comments.
    pub latest_comments: Vec<crate::comments::Comment>,
    pub liked_by_me: bool,
    pub viewer_id: Option<u64>,
    pub now_ms: i64,
}

/// A page of cards plus the total number of matches.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardPage {
    pub total: u64,
    pub cards: Vec<ItemCard>,
    pub now_ms: i64,
}

/// A user's public profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub id: u64,
    pub username: String,
    pub member_since_ms: i64,
    pub selling: Vec<ItemCard>,
    pub liked: Vec<ItemCard>,
    pub now_ms: i64,
}

/// The server's clock while rendering (for "5 min ago"); `None` in the browser.
pub fn now_hint() -> Option<i64> {
    #[cfg(feature = "ssr")]
    {
        Some(crate::server::search::now_ms())
    }
    #[cfg(not(feature = "ssr"))]
    {
        None
    }
}

/// `1 bid`, `0 bids`, `2 bids`.
pub fn plural(n: i64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// Formats integer cents as dollars: `123456` → `$1,234.56`.
pub fn format_cents(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let cents = cents.unsigned_abs();
    let dollars = (cents / 100).to_string();
    let mut grouped = String::with_capacity(dollars.len() + dollars.len() / 3);
    for (i, ch) in dollars.chars().enumerate() {
        if i > 0 && (dollars.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    format!("{sign}${grouped}.{:02}", cents % 100)
}

/// Human time left until `ends_at_ms`, as seen at `now_ms`: `2d 4h`, `3h 12m`, `45s`, `Ended`.
pub fn format_time_left(ends_at_ms: i64, now_ms: i64) -> String {
    let left = ends_at_ms - now_ms;
    if left <= 0 {
        return "Ended".to_string();
    }
    // Round up: never say "Ended" (or "0s") while there is still time to bid.
    let secs = (left + 999) / 1000;
    let (d, h, m, s) = (
        secs / 86_400,
        secs % 86_400 / 3600,
        secs % 3600 / 60,
        secs % 60,
    );
    if d > 0 {
        format!("{d}d {h}h")
    } else if h > 0 {
        format!("{h}h {m}m")
    } else if m > 0 {
        format!("{m}m {s}s")
    } else {
        format!("{s}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cents_are_formatted_with_grouping() {
        assert_eq!(format_cents(0), "$0.00");
        assert_eq!(format_cents(5), "$0.05");
        assert_eq!(format_cents(123_456), "$1,234.56");
        assert_eq!(format_cents(100_000_000), "$1,000,000.00");
        assert_eq!(format_cents(-250), "-$2.50");
    }

    #[test]
    fn time_left_picks_the_two_largest_units() {
        let now = 1_000_000;
        assert_eq!(format_time_left(now - 1, now), "Ended");
        assert_eq!(format_time_left(now, now), "Ended");
        assert_eq!(format_time_left(now + 1, now), "1s");
        assert_eq!(format_time_left(now + 999, now), "1s");
        assert_eq!(format_time_left(now + 45_000, now), "45s");
        assert_eq!(format_time_left(now + 192_000, now), "3m 12s");
        assert_eq!(format_time_left(now + 3 * 3_600_000 + 60_000, now), "3h 1m");
        assert_eq!(
            format_time_left(now + 2 * 86_400_000 + 4 * 3_600_000, now),
            "2d 4h"
        );
    }
}
