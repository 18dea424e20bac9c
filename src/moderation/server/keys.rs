//! The moderation keys (listed in `docs/redis-keys.md`), as methods of [`Keys`]. Reports, the
//! queue and the audit log share the `{mod}` slot (one script reports, one settles and logs);
//! a hidden comment stays in its item's slot; a seller's blocks are copied into every item
//! shard (so the bid script reads them in its own slot) and listed in the seller's.

use crate::server::redis::Keys;
use crate::util::id::UserId;

impl Keys {
    /// Hash: the reports of one target (`item:17`, `comment:17:5`, `user:3`): `r:<reporter>`
    /// (one per reporter), `count`, `first_at`, `last_at`, `open` (1 while in the queue).
    pub fn reports(&self, target: &str) -> String {
        self.key(format_args!("report:{{mod}}:{target}"))
    }

    /// List (capped): the newest reports of one target as JSON, for the moderators to read.
    pub fn report_notes(&self, target: &str) -> String {
        self.key(format_args!("report-notes:{{mod}}:{target}"))
    }

    /// Sorted set: the open targets by their newest report (ms).
    pub fn reports_newest(&self) -> String {
        self.key(format_args!("reports:newest:{{mod}}"))
    }

    /// Sorted set: the open targets by how many people reported them.
    pub fn reports_most(&self) -> String {
        self.key(format_args!("reports:most:{{mod}}"))
    }

    /// Stream (capped): the moderators' actions: `by`, `action`, `target`, `why`.
    pub fn moderation_log(&self) -> String {
        self.key(format_args!("mod-log:{{mod}}"))
    }

    /// Hash: an item's comments a moderator hid (same form as its comments), kept for a
    /// restore.
    pub fn item_hidden_comments(&self, id: impl Into<u64>) -> String {
        self.item_key("hidden-comments", id)
    }

    /// Hash: every seller's blocked bidders, copied into each shard: `<seller>:<bidder>` → ms.
    pub fn shard_blocks(&self, shard: u64) -> String {
        self.key(format_args!(
            "blocks:{}",
            crate::server::redis::keys::shard_tag(shard)
        ))
    }

    /// Sorted set: the bidders a seller blocked, scored by when (the seller's own list).
    pub fn user_blocked(&self, user: UserId) -> String {
        self.user_key("blocked", user)
    }
}
