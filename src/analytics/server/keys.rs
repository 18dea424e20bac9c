//! The analytics' key builders: the stats logs and counts, the hourly rankings, active
//! visitors, the fleet's figures (see `docs/redis-keys.md`).

use crate::server::redis::keys::shard_tag;
use crate::server::redis::Keys;
use crate::util::id::UserId;

impl Keys {
    /// Stream: the shard's counted events not yet folded into counts (`lua/stats_fold.lua`
    /// folds and deletes them within a fraction of a second).
    pub fn stats_log(&self, shard: u64) -> String {
        self.key(format_args!("stats-log:{}", shard_tag(shard)))
    }

    /// Hash with field expiry: the counts of the shard's items,
    /// `<item>:<metric>:<scale>:<bucket>` → count (scale `m` minute kept 48 h, `h` hour kept
    /// 90 days, `d` day kept 2 years).
    pub fn stats_items(&self, shard: u64) -> String {
        self.key(format_args!("stats-items:{}", shard_tag(shard)))
    }

    /// Hash with field expiry: the counts of every seller's items in one shard,
    /// `<seller>:<metric>:<scale>:<bucket>` → count.
    pub fn stats_sellers(&self, shard: u64) -> String {
        self.key(format_args!("stats-sellers:{}", shard_tag(shard)))
    }

    /// Stream: the shard's new visitors and bidders of each seller, moved here by the fold,
    /// `e` = `<seller> <item> <time ms> <person> <metric letters>` (`people.rs` counts them
    /// into [`Keys::seller_people`] and deletes them within a fraction of a second).
    pub fn people_log(&self, shard: u64) -> String {
        self.key(format_args!("stats-people-log:{}", shard_tag(shard)))
    }

    /// HyperLogLog with expiry: the people who became visitors (`q`) or bidders (`u`) of any of
    /// a seller's items in one bucket; `series` is `<metric>:<scale>` (`u:h`: bidders, hours).
    /// Kept as long as a chart can show the bucket (an hour of minutes, a day of hours, 30
    /// days). Under the seller's tag, so a span's buckets are counted in one `PFCOUNT`.
    pub fn seller_people(&self, seller: UserId, series: &str, bucket: i64) -> String {
        self.key(format_args!("stats-people:{{u{seller}}}:{series}:{bucket}"))
    }

    /// Hash with field expiry: site-wide counts of one shard, `<metric>:<scale>:<bucket>`.
    pub fn stats_site(&self, shard: u64) -> String {
        self.key(format_args!("stats-site:{}", shard_tag(shard)))
    }

    /// Sorted set with TTL (about 2 h): activity score of the shard's items in one UTC hour
    /// (views by new visitors, bids, likes, watches, comments, weighted).
    pub fn trending(&self, shard: u64, hour: i64) -> String {
        self.key(format_args!("trending:{}:{hour}", shard_tag(shard)))
    }

    /// Sorted set with TTL (about 2 h): how much each of the shard's items rose in price
    /// (cents) in one UTC hour.
    pub fn price_jumps(&self, shard: u64, hour: i64) -> String {
        self.key(format_args!("jumps:{}:{hour}", shard_tag(shard)))
    }

    /// HyperLogLog with TTL (10 min): the distinct visitors of the site in one minute.
    pub fn active_visitors(&self, minute: i64) -> String {
        self.key(format_args!("active:{{active}}:{minute}"))
    }

    /// Hash with TTL (2 h): the fleet's requests in one minute, `<route>|n` → count and
    /// `<route>|<bucket>` → requests whose latency fell in that histogram bucket.
    pub fn ops_requests(&self, minute: i64) -> String {
        self.key(format_args!("ops:{{ops}}:requests:{minute}"))
    }

    /// Hash with field expiry (30 s): each running instance's own figures (`instance` → JSON),
    /// refreshed every few seconds.
    pub fn ops_instances(&self) -> String {
        self.key(format_args!("ops:{{ops}}:instances"))
    }
}
