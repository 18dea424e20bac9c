//! The comments' key builders (their keys are listed in `docs/redis-keys.md`). A feature's
//! keys are built in its own folder, as methods of [`Keys`] (Rust allows an inherent `impl` of
//! the crate's type anywhere in the crate); `server::redis::keys` keeps the keys the
//! infrastructure or several features read.

use crate::server::redis::Keys;

impl Keys {
    /// Hash: an item's comments, comment id → `author_id|created_ms|author_name|text`.
    pub fn item_comments(&self, id: impl Into<u64>) -> String {
        self.item_key("comments", id)
    }

    /// Sorted set: an item's comment ids, scored by creation time (newest last).
    pub fn item_comment_order(&self, id: impl Into<u64>) -> String {
        self.item_key("comment-order", id)
    }

    /// String (counter): the last comment id handed out.
    pub fn comment_ids(&self) -> String {
        self.key(format_args!("ids:comments"))
    }
}
