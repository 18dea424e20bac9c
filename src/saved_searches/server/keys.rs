//! The saved searches' keys (listed in `docs/redis-keys.md`), as methods of [`Keys`]: a
//! user's searches in their slot; the buckets that file active searches for matching, each a
//! key of its own.

use crate::server::redis::Keys;
use crate::util::id::UserId;

impl Keys {
    /// Hash: a user's saved searches, `<id>` → JSON (name, words, category, order, paused,
    /// created), `seq` (the last id), `count`, and per search `n:<id>` (listings it alerted
    /// about) and `last:<id>` (when, ms).
    pub fn saved_searches(&self, user: UserId) -> String {
        self.user_key("saved-searches", user)
    }

    /// Set: the active saved searches whose most telling word starts with `bucket` (1–3
    /// lowercase letters or digits), `<user>:<id>|<category>|<words>`.
    pub fn search_bucket(&self, bucket: &str) -> String {
        self.key(format_args!("ss-bucket:{bucket}"))
    }

    /// Set: the active saved searches without words, of one category (same members).
    pub fn search_category(&self, category: &str) -> String {
        self.key(format_args!("ss-cat:{category}"))
    }
}
