//! Every Redis key and index name Rbay uses is built here, and only here.
//! `docs/redis-keys.md` documents each one; keep the two in step.

use std::fmt::Display;
use std::sync::Arc;

/// Builds key names under one namespace prefix (`RBAY_KEY_PREFIX`, `rbay:` by default).
#[derive(Debug, Clone)]
pub struct Keys {
    prefix: Arc<str>,
}

impl Keys {
    pub fn new(prefix: &str) -> Self {
        Keys {
            prefix: prefix.into(),
        }
    }

    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    fn key(&self, rest: std::fmt::Arguments<'_>) -> String {
        format!("{}{}", self.prefix, rest)
    }

    /// Hash: one auction item. Indexed by [`Keys::items_index`].
    pub fn item(&self, id: impl Display) -> String {
        self.key(format_args!("items:{id}"))
    }

    /// String (counter): the last item id handed out.
    pub fn item_ids(&self) -> String {
        self.key(format_args!("ids:items"))
    }

    /// List: an item's accepted bids, newest first (`bidder_id|cents|ms|bidder_name`).
    pub fn item_bids(&self, id: impl Display) -> String {
        self.key(format_args!("bids:{id}"))
    }

    /// HyperLogLog: the distinct visitors of an item.
    pub fn item_viewers(&self, id: impl Display) -> String {
        self.key(format_args!("viewers:{id}"))
    }

    /// Hash: new visitors counted per network (keyed IP hash) for an item; fields expire daily.
    pub fn item_viewer_networks(&self, id: impl Display) -> String {
        self.key(format_args!("viewer-networks:{id}"))
    }

    /// String: the server secret (random, created once) that keys visitor ids and IP hashes.
    pub fn secret(&self) -> String {
        self.key(format_args!("meta:secret"))
    }

    /// Set: ids of the users who like an item.
    pub fn item_likers(&self, id: impl Display) -> String {
        self.key(format_args!("likers:{id}"))
    }

    /// Hash: an item's photo (`type`, `large`, `thumb`), re-encoded JPEG bytes.
    pub fn item_image(&self, id: impl Display) -> String {
        self.key(format_args!("images:{id}"))
    }

    /// String with TTL: comma-separated ids of an item's similar items (a search result cache).
    pub fn item_similar(&self, id: impl Display) -> String {
        self.key(format_args!("similar:{id}"))
    }

    /// Sorted set: ids of the items a user sells, scored by listing time.
    pub fn user_items(&self, user_id: u64) -> String {
        self.key(format_args!("user-items:{user_id}"))
    }

    /// Sorted set: ids of the items a user likes, scored by when.
    pub fn user_likes(&self, user_id: u64) -> String {
        self.key(format_args!("user-likes:{user_id}"))
    }

    /// Sorted set: ids of the items a user bid on, scored by the last bid's time.
    pub fn user_bids(&self, user_id: u64) -> String {
        self.key(format_args!("user-bids:{user_id}"))
    }

    /// Hash: an item's comments, comment id → `author_id|created_ms|author_name|text`.
    pub fn item_comments(&self, id: impl Display) -> String {
        self.key(format_args!("comments:{id}"))
    }

    /// Sorted set: an item's comment ids, scored by creation time (newest last).
    pub fn item_comment_order(&self, id: impl Display) -> String {
        self.key(format_args!("comment-order:{id}"))
    }

    /// String (counter): the last comment id handed out.
    pub fn comment_ids(&self) -> String {
        self.key(format_args!("ids:comments"))
    }

    /// Stream with TTL: an item's recent live events (replayed to reconnecting browsers).
    pub fn item_events(&self, id: impl Display) -> String {
        self.key(format_args!("events:{id}"))
    }

    /// Pub/sub channel of an item's live events.
    pub fn item_channel(&self, id: impl Display) -> String {
        self.key(format_args!("live:item:{id}"))
    }

    /// Pattern matching every item channel: one PSUBSCRIBE per app instance.
    pub fn item_channel_pattern(&self) -> String {
        self.key(format_args!("live:item:*"))
    }

    /// String with TTL: cached HTML of a public, user-independent page.
    pub fn page_cache(&self, path: &str) -> String {
        self.key(format_args!("pagecache:{path}"))
    }

    /// Key prefix the items index watches.
    pub fn items_prefix(&self) -> String {
        self.key(format_args!("items:"))
    }

    /// RediSearch index over the item hashes.
    pub fn items_index(&self) -> String {
        self.key(format_args!("idx:items"))
    }

    /// String: fingerprint of the schema an index was created with (to detect schema changes).
    pub fn index_schema_version(&self, index: &str) -> String {
        self.key(format_args!("meta:index-schema:{index}"))
    }

    /// String with TTL: holder token of a distributed lock.
    pub fn lock(&self, name: &str) -> String {
        self.key(format_args!("lock:{name}"))
    }

    /// String (counter): fencing numbers handed out for a lock; only grows.
    pub fn lock_fence(&self, name: &str) -> String {
        self.key(format_args!("lock-fence:{name}"))
    }

    /// Hash: one user account (`id`, `username`, `username_lower`, `password`, `created_at`).
    pub fn user(&self, id: u64) -> String {
        self.key(format_args!("users:{id}"))
    }

    /// Key prefix of user hashes; `lua/create_user.lua` appends the new id.
    pub fn users_prefix(&self) -> String {
        self.key(format_args!("users:"))
    }

    /// Hash: lowercase username → user id. Makes usernames unique, case-insensitively.
    pub fn usernames(&self) -> String {
        self.key(format_args!("usernames"))
    }

    /// String (counter): the last user id handed out.
    pub fn user_ids(&self) -> String {
        self.key(format_args!("ids:users"))
    }

    /// Hash with TTL: one signed-in session, keyed by the SHA-256 of its cookie token.
    pub fn session(&self, token_hash: &str) -> String {
        self.key(format_args!("sessions:{token_hash}"))
    }

    /// Sorted set with TTL: sliding-window rate limit hits for one action and one subject.
    pub fn rate_limit(&self, action: &str, subject: &str) -> String {
        self.key(format_args!("rate:{action}:{subject}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_carries_the_prefix() {
        let k = Keys::new("t42:");
        for key in [
            k.item("abc"),
            k.items_prefix(),
            k.items_index(),
            k.index_schema_version("idx"),
            k.lock("x"),
            k.lock_fence("x"),
            k.rate_limit("signin", "1.2.3.4"),
            k.user(7),
            k.users_prefix(),
            k.usernames(),
            k.user_ids(),
            k.session("abc"),
            k.item_ids(),
            k.item_bids("1"),
            k.item_viewers("1"),
            k.item_likers("1"),
            k.item_viewer_networks("1"),
            k.secret(),
            k.item_image("1"),
            k.user_items(1),
            k.user_likes(1),
            k.user_bids(1),
            k.page_cache("/about"),
            k.item_comments("1"),
            k.item_comment_order("1"),
            k.comment_ids(),
            k.item_events("1"),
            k.item_channel("1"),
            k.item_channel_pattern(),
        ] {
            assert!(key.starts_with("t42:"), "{key}");
        }
        assert_eq!(k.item("abc"), "t42:items:abc");
        assert!(k.item("abc").starts_with(&k.items_prefix()));
        // Only item hashes live under the indexed prefix.
        for other in [
            k.item_bids("1"),
            k.item_viewers("1"),
            k.item_likers("1"),
            k.item_image("1"),
        ] {
            assert!(!other.starts_with(&k.items_prefix()), "{other}");
        }
        assert_eq!(k.user(7), format!("{}7", k.users_prefix()));
    }
}
