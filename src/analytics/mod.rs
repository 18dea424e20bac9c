//! Analytics: what happens on the site, counted per minute, hour and day.
//!
//! Every counted event is logged by the Lua script of the event itself (`record_stats` in
//! `lua/prelude.lua`: a bid, a view, a like…) and folded into counts exactly once
//! (`lua/stats_fold.lua`), so counts can never drift from what they count. Each scope (an
//! item, a seller, the site) keeps its counts in hash fields, one per metric and *period*,
//! packing the period's buckets (an hour of minutes, a day of hours, 30 days), each field with
//! its own expiry: minutes for 48 hours, hours for 90 days, days for two years after their
//! period. The hour and day buckets are written with the minute bucket (a roll-up at write
//! time), so they are always the sum of their parts.
//!
//! This module holds the shared vocabulary (metrics, spans, bucket arithmetic, series);
//! [`chart`] draws series as SVG; `server` (feature `ssr`) reads and records. Features build
//! their pages on it (the seller dashboard and the market board are in `items`); analytics
//! imports no feature.

pub mod chart;
pub mod fleet;
#[cfg(feature = "ssr")]
pub mod server;

use serde::{Deserialize, Serialize};

/// What is counted. The code is the metric's letter in the Redis field names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Metric {
    /// Page views of an item (the seller's own excepted).
    Views,
    /// New distinct visitors of an item.
    Visitors,
    /// Bids, as the item's bid count counts them: each entry of the history (a bidder's bid,
    /// an automatic bid for the leader, a Buy It Now).
    Bids,
    /// New distinct bidders on an item.
    Bidders,
    Likes,
    /// New watchers.
    Watches,
    Comments,
    /// Items listed.
    Listings,
    /// Accounts created (site only).
    SignUps,
}

impl Metric {
    /// What a seller follows, for all their items and for each one (the dashboard's charts).
    pub const SELLER: [Metric; 7] = [
        Metric::Views,
        Metric::Visitors,
        Metric::Bids,
        Metric::Bidders,
        Metric::Watches,
        Metric::Likes,
        Metric::Comments,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Metric::Views => "v",
            Metric::Visitors => "q",
            Metric::Bids => "b",
            Metric::Bidders => "u",
            Metric::Likes => "l",
            Metric::Watches => "w",
            Metric::Comments => "c",
            Metric::Listings => "n",
            Metric::SignUps => "g",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Metric::Views => "Views",
            Metric::Visitors => "Unique visitors",
            Metric::Bids => "Bids",
            Metric::Bidders => "Bidders",
            Metric::Likes => "Likes",
            Metric::Watches => "New watchers",
            Metric::Comments => "Comments",
            Metric::Listings => "New listings",
            Metric::SignUps => "Sign-ups",
        }
    }
}

/// Bucket widths and how long each is kept (from the end of the bucket).
pub const MINUTE_MS: i64 = 60_000;
pub const HOUR_MS: i64 = 3_600_000;
pub const DAY_MS: i64 = 86_400_000;
pub const MINUTES_KEPT_MS: i64 = 48 * HOUR_MS;
pub const HOURS_KEPT_MS: i64 = 90 * DAY_MS;
pub const DAYS_KEPT_MS: i64 = 730 * DAY_MS;

/// A bucket size: its letter in field names, its width and how long it is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    Minute,
    Hour,
    Day,
}

impl Scale {
    pub fn code(self) -> &'static str {
        match self {
            Scale::Minute => "m",
            Scale::Hour => "h",
            Scale::Day => "d",
        }
    }

    pub fn width_ms(self) -> i64 {
        match self {
            Scale::Minute => MINUTE_MS,
            Scale::Hour => HOUR_MS,
            Scale::Day => DAY_MS,
        }
    }

    pub fn kept_ms(self) -> i64 {
        match self {
            Scale::Minute => MINUTES_KEPT_MS,
            Scale::Hour => HOURS_KEPT_MS,
            Scale::Day => DAYS_KEPT_MS,
        }
    }

    /// The bucket holding `at_ms` (UTC: buckets are counted from the Unix epoch, so a day
    /// bucket runs midnight to midnight UTC).
    pub fn bucket(self, at_ms: i64) -> i64 {
        at_ms.div_euclid(self.width_ms())
    }

    /// Buckets packed in one field: the minutes of an hour, the hours of a day, 30 days.
    pub fn slots(self) -> i64 {
        match self {
            Scale::Minute => 60,
            Scale::Hour => 24,
            Scale::Day => 30,
        }
    }

    /// The period (packed field) holding a bucket, and the bucket's slot in it.
    pub fn period_and_slot(self, bucket: i64) -> (i64, usize) {
        let period = bucket.div_euclid(self.slots());
        (period, (bucket - period * self.slots()) as usize)
    }

    /// When the field of a period expires: the end of the period plus the time it is kept.
    pub fn expires_at_ms(self, period: i64) -> i64 {
        (period + 1) * self.slots() * self.width_ms() + self.kept_ms()
    }

    /// The Redis field of a metric in a period (`prefix` is `<item>:` or `<seller>:` in the
    /// per-shard items and sellers hashes, empty in the site's).
    pub fn field(self, prefix: &str, metric: Metric, period: i64) -> String {
        format!("{prefix}{}:{}:{period}", metric.code(), self.code())
    }

    /// One bucket's count in a packed field's value (`<slot>:<count>` pairs joined by commas,
    /// zero buckets left out).
    pub fn unpack(value: &str, slot: usize) -> i64 {
        value
            .split(',')
            .filter_map(|pair| pair.split_once(':'))
            .find(|(s, _)| s.parse::<usize>().ok() == Some(slot))
            .and_then(|(_, count)| count.parse().ok())
            .unwrap_or(0)
    }
}

/// The periods a chart can cover.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Span {
    /// The last 60 minutes, per minute.
    #[default]
    Hour,
    /// The last 24 hours, per hour.
    Day,
    /// The last 7 days, per day.
    Week,
    /// The last 30 days, per day.
    Month,
}

impl Span {
    pub const ALL: [Span; 4] = [Span::Hour, Span::Day, Span::Week, Span::Month];

    pub fn parse(text: &str) -> Option<Span> {
        Span::ALL.into_iter().find(|s| s.slug() == text)
    }

    pub fn slug(self) -> &'static str {
        match self {
            Span::Hour => "hour",
            Span::Day => "day",
            Span::Week => "week",
            Span::Month => "month",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Span::Hour => "Last hour",
            Span::Day => "24 hours",
            Span::Week => "7 days",
            Span::Month => "30 days",
        }
    }

    pub fn scale(self) -> Scale {
        match self {
            Span::Hour => Scale::Minute,
            Span::Day => Scale::Hour,
            Span::Week | Span::Month => Scale::Day,
        }
    }

    pub fn buckets(self) -> usize {
        match self {
            Span::Hour => 60,
            Span::Day => 24,
            Span::Week => 7,
            Span::Month => 30,
        }
    }

    /// The buckets the span covers when it ends now: oldest first, the current one last.
    pub fn bucket_range(self, now_ms: i64) -> std::ops::RangeInclusive<i64> {
        let last = self.scale().bucket(now_ms);
        last - self.buckets() as i64 + 1..=last
    }
}

/// Counts of one metric, one per bucket, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Series {
    pub metric: Metric,
    /// Start of the first bucket, Unix ms.
    pub start_ms: i64,
    pub step_ms: i64,
    pub values: Vec<i64>,
    /// When the series counts people, how many over the whole span: a person in several
    /// buckets is one person (a seller's visitors and bidders).
    #[serde(default)]
    pub people: Option<i64>,
}

impl Series {
    /// The span's total: its people when it counts people, else the sum of its buckets.
    pub fn total(&self) -> i64 {
        self.people.unwrap_or_else(|| self.values.iter().sum())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_buckets_turn_at_midnight_utc() {
        // 2026-11-27T23:59:59.999Z and 2026-11-28T00:00:00.000Z.
        let midnight = 1_795_824_000_000;
        assert_eq!(midnight % DAY_MS, 0);
        assert_eq!(
            Scale::Day.bucket(midnight - 1) + 1,
            Scale::Day.bucket(midnight)
        );
        assert_eq!(
            Scale::Hour.bucket(midnight - 1) + 1,
            Scale::Hour.bucket(midnight)
        );
        assert_eq!(Scale::Minute.bucket(-1), -1, "before 1970 still floors");
    }

    #[test]
    fn a_span_ends_with_the_current_bucket() {
        let now = 10 * HOUR_MS + 30 * MINUTE_MS + 5;
        let range = Span::Hour.bucket_range(now);
        assert_eq!(range.clone().count(), 60);
        assert_eq!(*range.end(), Scale::Minute.bucket(now));
        assert_eq!(Span::Day.bucket_range(now).count(), 24);
        assert_eq!(Span::Month.bucket_range(now).count(), 30);
        assert_eq!(Span::parse("week"), Some(Span::Week));
        assert_eq!(Span::parse("year"), None);
    }

    /// The Rust side of the field names and packing. That `lua/stats_fold.lua` writes the same
    /// names and packing is checked against a real Redis by `tests/analytics.rs`
    /// (`retention_drops_what_it_should_and_nothing_else` reads what the fold wrote through
    /// `fields_at` and `Scale::unpack`).
    #[test]
    fn field_names_and_packing() {
        assert_eq!(Scale::Minute.field("", Metric::Bids, 42), "b:m:42");
        assert_eq!(Scale::Day.field("7:", Metric::Views, 3), "7:v:d:3");
        assert_eq!(Scale::Minute.period_and_slot(125), (2, 5));
        assert_eq!(Scale::Hour.period_and_slot(-1), (-1, 23));
        let value = "12:3,1:42,40:7";
        assert_eq!(Scale::unpack(value, 1), 42);
        assert_eq!(Scale::unpack(value, 40), 7);
        assert_eq!(Scale::unpack(value, 0), 0);
        assert_eq!(Scale::unpack("", 5), 0);
        assert_eq!(
            Scale::unpack("x:y,,3", 3),
            0,
            "unreadable pairs count nothing"
        );
        assert_eq!(Scale::Minute.expires_at_ms(0), HOUR_MS + MINUTES_KEPT_MS);
    }
}
