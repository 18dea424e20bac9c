//! Every Redis key and index name Rbay uses is built here, and only here.
//! `docs/redis-keys.md` documents each one; keep the two in step.
//!
//! **Slots.** Every key that a Lua script touches together with others shares one hash tag,
//! so each script runs in one slot and Rbay works on Redis Cluster:
//! - an item's keys carry its **shard** tag `{sNN}` (`NN` = item id mod [`SHARDS`]); the shard's
//!   rankings, its ending schedule and its list of documents to re-index carry the same tag, so
//!   a bid updates the item, its history, its live event stream *and* the shard's price ranking
//!   in one script;
//! - a user's keys carry `{uN}`;
//! - a lock's key and its fencing counter carry `{lock:NAME}`.
//!
//! Readers that need a global view (the home rankings) read the [`SHARDS`] shard keys in one
//! pipeline and merge them.

use crate::util::id::UserId;
use std::fmt::Display;
use std::sync::Arc;

/// Item shards: every item belongs to `id % SHARDS`. Part of every item key, so changing it
/// means moving every item (a migration), not a restart.
pub const SHARDS: u64 = 16;

/// Builds key names under one namespace prefix (`RBAY_KEY_PREFIX`, `rbay:` by default).
#[derive(Debug, Clone)]
pub struct Keys {
    prefix: Arc<str>,
}

/// The hash tag of an item's shard: `{s07}`.
pub fn shard_tag(shard: u64) -> String {
    format!("{{s{shard:02}}}")
}

/// The shard of an item.
pub fn shard_of(item_id: u64) -> u64 {
    item_id % SHARDS
}

fn item_tag(item_id: u64) -> String {
    shard_tag(shard_of(item_id))
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

    /// `{p}<rest>`: every key starts with the namespace prefix.
    pub(crate) fn key(&self, rest: std::fmt::Arguments<'_>) -> String {
        format!("{}{}", self.prefix, rest)
    }

    /// An item key of one kind: `{p}<kind>:{sNN}:<id>`.
    pub(crate) fn item_key(&self, kind: &str, id: impl Into<u64>) -> String {
        let id = id.into();
        self.key(format_args!("{kind}:{}:{id}", item_tag(id)))
    }

    // ---- Items (shard tag) -------------------------------------------------------------

    /// Hash: what an item is (name, description, seller, times, category, photo) and the
    /// copies of its numbers that search sorts and filters by. Indexed by
    /// [`Keys::items_index`]; the live numbers are in [`Keys::item_state`].
    pub fn item(&self, id: impl Into<u64>) -> String {
        self.item_key("item", id)
    }

    /// Hash: an item's auction state and counters (price, next minimum, bids, high bidder,
    /// views, likes, comments, end, closed). Not indexed: it changes with every bid and view.
    pub fn item_state(&self, id: impl Into<u64>) -> String {
        self.item_key("state", id)
    }

    /// Set: the ids of the users watching an item (their count is the state's `watchers`).
    pub fn item_watchers(&self, id: impl Into<u64>) -> String {
        self.item_key("watchers", id)
    }

    /// Hash: each bidder's maximum on an item (bidder id → cents), read only by its owner.
    pub fn item_maxes(&self, id: impl Into<u64>) -> String {
        self.item_key("maxes", id)
    }

    /// Hash: when each bidder's maximum on an item was set, and by whom (bidder id →
    /// `ms|name`), so that a tie is still decided for the earlier maximum, and the leader named,
    /// when the leader is worked out again (bids cancelled).
    pub fn item_max_times(&self, id: impl Into<u64>) -> String {
        self.item_key("max-at", id)
    }

    /// List: an item's bid history, newest first (`bidder_id|cents|ms|kind|bidder_name`; kind
    /// `b` bid, `a` automatic bid for the leader, `n` Buy It Now, `x` a cancelled bid).
    pub fn item_bids(&self, id: impl Into<u64>) -> String {
        self.item_key("bids", id)
    }

    /// Set: ids of the users who like an item.
    pub fn item_likers(&self, id: impl Into<u64>) -> String {
        self.item_key("likers", id)
    }

    /// Hash: an item's photo (`type`, `large`, `thumb`), re-encoded JPEG bytes.
    pub fn item_image(&self, id: impl Into<u64>) -> String {
        self.item_key("image", id)
    }

    /// String with TTL: comma-separated ids of an item's similar items (a search result cache).
    pub fn item_similar(&self, id: impl Into<u64>) -> String {
        self.item_key("similar", id)
    }

    /// Stream with TTL: an item's recent live events (replayed to reconnecting browsers).
    pub fn item_events(&self, id: impl Into<u64>) -> String {
        self.item_key("events", id)
    }

    /// Pub/sub channel of an item's live events (channels are not keys: no slot).
    pub fn item_channel(&self, id: impl Display) -> String {
        self.key(format_args!("live:item:{id}"))
    }

    /// Pattern matching every item channel: one PSUBSCRIBE per app instance.
    pub fn item_channel_pattern(&self) -> String {
        self.key(format_args!("live:item:*"))
    }

    // ---- Item shards -------------------------------------------------------------------

    /// Sorted set: the shard's live auctions by end time (ms). Read for "Ending soonest" and
    /// by the closer (what is due); an item leaves it when it is closed.
    pub fn rank_ending(&self, shard: u64) -> String {
        self.key(format_args!("rank:ending:{}", shard_tag(shard)))
    }

    /// Sorted set: the shard's auctions of one category (a slug of `items::CATEGORIES`) by end
    /// time (ms), for browsing a category. Readers take the part after "now"; each listing
    /// into it drops what has ended, and a soft close moves an entry with its auction.
    pub fn rank_ending_in(&self, category: &str, shard: u64) -> String {
        self.key(format_args!(
            "rank:ending:cat:{category}:{}",
            shard_tag(shard)
        ))
    }

    /// Sorted set: the shard's live auctions by current price (cents).
    pub fn rank_price(&self, shard: u64) -> String {
        self.key(format_args!("rank:price:{}", shard_tag(shard)))
    }

    /// Sorted set: the shard's live auctions by unique views.
    pub fn rank_views(&self, shard: u64) -> String {
        self.key(format_args!("rank:views:{}", shard_tag(shard)))
    }

    /// Set: ids of the shard's items whose numbers changed since their search document was
    /// last refreshed (drained by the index sync).
    pub fn index_dirty(&self, shard: u64) -> String {
        self.key(format_args!("index-dirty:{}", shard_tag(shard)))
    }

    /// String (counter): the last item id handed out.
    pub fn item_ids(&self) -> String {
        self.key(format_args!("ids:items"))
    }

    /// Key prefix the items index watches (only item documents start with it).
    pub fn items_prefix(&self) -> String {
        self.key(format_args!("item:"))
    }

    /// RediSearch index over the item documents.
    pub fn items_index(&self) -> String {
        self.key(format_args!("idx:items"))
    }

    /// String: fingerprint of the schema an index was created with (to detect schema changes).
    pub fn index_schema_version(&self, index: &str) -> String {
        self.key(format_args!("meta:index-schema:{index}"))
    }

    /// Hash: a shared demo photo (`large`, `thumb`) that seeded items point to.
    pub fn demo_image(&self, n: u64) -> String {
        self.key(format_args!("demo-image:{n}"))
    }

    // ---- Users (user tag) ----------------------------------------------------------------

    pub(crate) fn user_key(&self, kind: &str, user: UserId) -> String {
        self.key(format_args!("{kind}:{{u{user}}}"))
    }

    /// Hash: one user account (`id`, `username`, `username_lower`, `password`, `created_at`).
    pub fn user(&self, user: UserId) -> String {
        self.user_key("user", user)
    }

    /// Sorted set: ids of the items a user sells, scored by listing time.
    pub fn user_items(&self, user: UserId) -> String {
        self.user_key("user-items", user)
    }

    /// Sorted set: ids of the items a user likes, scored by when.
    pub fn user_likes(&self, user: UserId) -> String {
        self.user_key("user-likes", user)
    }

    /// Sorted set: ids of the items a user watches, scored by the auction's end when watched.
    pub fn user_watching(&self, user: UserId) -> String {
        self.user_key("watching", user)
    }

    /// Sorted set: ids of the items a user bid on, scored by the last bid's time.
    pub fn user_bids(&self, user: UserId) -> String {
        self.user_key("user-bids", user)
    }

    /// Hash: a user's notifications, note id → JSON; plus `seq` (last note id), `unread`, and
    /// short-lived fields (hash-field expiry) for coalescing (`c:<kind>:<item>` → note id, a
    /// minute) and for running each notification once (`d:<key>`, a week).
    pub fn user_notes(&self, user: UserId) -> String {
        self.user_key("notes", user)
    }

    /// Sorted set: a user's note ids, scored by the time of their latest change (newest
    /// [`crate::notifications::KEPT`] kept).
    pub fn user_inbox(&self, user: UserId) -> String {
        self.user_key("inbox", user)
    }

    /// Pub/sub channel: a user's live notices (the unread count), received by every instance.
    pub fn user_channel(&self, user: UserId) -> String {
        self.key(format_args!("live:user:{user}"))
    }

    /// Pattern matching every user channel.
    pub fn user_channel_pattern(&self) -> String {
        self.key(format_args!("live:user:*"))
    }

    /// Hash: lowercase username → user id. Claiming a name here is what makes an account
    /// exist (see `accounts::server::sign_up`).
    pub fn usernames(&self) -> String {
        self.key(format_args!("usernames"))
    }

    /// String (counter): the last user id handed out.
    pub fn user_ids(&self) -> String {
        self.key(format_args!("ids:users"))
    }

    /// Hash with TTL: one signed-in session of a user, keyed by the SHA-256 of its cookie
    /// token (in the user's slot, with the user's rate limits).
    pub fn session(&self, user: UserId, token_hash: &str) -> String {
        self.key(format_args!("session:{{u{user}}}:{token_hash}"))
    }

    /// Sorted set with TTL: a user's sliding-window rate limit hits for one action (in the
    /// user's slot, so the session check and the limit are one script).
    pub fn user_rate_limit(&self, action: &str, user: UserId) -> String {
        self.key(format_args!("rate:{action}:{{u{user}}}"))
    }

    // ---- Job queues (queue tag) ----------------------------------------------------------

    fn queue_key(&self, queue: &str, kind: &str) -> String {
        self.key(format_args!("jobs:{{q:{queue}}}:{kind}"))
    }

    /// Stream: a queue's jobs that are waiting or running (consumer group `workers`); an entry
    /// is deleted when its job is acknowledged (`XACKDEL`).
    pub fn queue_stream(&self, queue: &str) -> String {
        self.queue_key(queue, "stream")
    }

    /// Sorted set: a queue's jobs that run later (scheduled, or waiting to be retried),
    /// `id|kind|attempt|payload` scored by when they are due.
    pub fn queue_delayed(&self, queue: &str) -> String {
        self.queue_key(queue, "delayed")
    }

    /// Stream (capped): a queue's dead jobs with their last error, until an operator retries
    /// or discards them.
    pub fn queue_dead(&self, queue: &str) -> String {
        self.queue_key(queue, "dead")
    }

    /// Hash with field expiry: idempotency key → job id, remembered for a day after the job's
    /// time.
    pub fn queue_idempotency(&self, queue: &str) -> String {
        self.queue_key(queue, "idem")
    }

    /// Hash: `seq` (the last job id) and per-minute counts `p:<minute>` (processed) and
    /// `f:<minute>` (failed attempts), each field kept two hours.
    pub fn queue_counters(&self, queue: &str) -> String {
        self.queue_key(queue, "counters")
    }

    /// Hash: runs of probe jobs (diagnostics, tests, benchmark), job id → finished runs.
    pub fn queue_probe(&self, queue: &str, name: &str) -> String {
        self.key(format_args!("jobs:{{q:{queue}}}:probe:{name}"))
    }

    // ---- Analytics (counts per minute / hour / day; see `analytics`) ---------------------

    /// Pub/sub channel: pings (at most one a second per shard) that the market moved.
    pub fn market_channel(&self) -> String {
        self.key(format_args!("live:market"))
    }

    /// The start of every user channel name (the Lua scripts add the user id).
    pub fn user_channel_prefix(&self) -> String {
        self.key(format_args!("live:user:"))
    }

    // ---- Plumbing ------------------------------------------------------------------------

    /// String with TTL: cached HTML of a public, user-independent page.
    pub fn page_cache(&self, path: &str) -> String {
        self.key(format_args!("pagecache:{path}"))
    }

    /// String with TTL: holder token of a distributed lock. A lock whose name carries a hash
    /// tag (`index-sync:{s03}`) lives in that slot, with the data it guards; any other name is
    /// made a tag of its own.
    pub fn lock(&self, name: &str) -> String {
        self.key(format_args!("lock:{}", lock_slot(name)))
    }

    /// String (counter): fencing numbers handed out for a lock; only grows. Same slot as the lock.
    pub fn lock_fence(&self, name: &str) -> String {
        self.key(format_args!("lock-fence:{}", lock_slot(name)))
    }

    /// String: the server secret (random, created once) that keys visitor ids and IP hashes.
    pub fn secret(&self) -> String {
        self.key(format_args!("meta:secret"))
    }

    /// Sorted set with TTL: sliding-window rate limit hits for one action and one subject.
    pub fn rate_limit(&self, action: &str, subject: &str) -> String {
        self.key(format_args!("rate:{action}:{subject}"))
    }
}

/// A lock name as it appears in its keys: as given when it carries a hash tag, else tagged.
fn lock_slot(name: &str) -> String {
    if name.contains('{') {
        name.to_string()
    } else {
        format!("{{lock:{name}}}")
    }
}

/// The hash-tag part of a key (what Redis Cluster hashes to pick the slot).
pub fn hash_tag(key: &str) -> &str {
    match key.find('{') {
        Some(open) => match key[open + 1..].find('}') {
            Some(len) if len > 0 => &key[open + 1..open + 1 + len],
            _ => key,
        },
        None => key,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_carries_the_prefix() {
        let k = Keys::new("t42:");
        let keys = [
            k.item(7u64),
            k.item_state(7u64),
            k.items_prefix(),
            k.items_index(),
            k.index_schema_version("idx"),
            k.lock("x"),
            k.lock_fence("x"),
            k.rate_limit("signin", "1.2.3.4"),
            k.user(UserId(7)),
            k.usernames(),
            k.user_ids(),
            k.session(UserId(1), "abc"),
            k.user_rate_limit("bid", UserId(1)),
            k.item_ids(),
            k.item_bids(1u64),
            k.item_viewers(1u64),
            k.item_viewer_networks(1u64),
            k.secret(),
            k.user_notes(UserId(1)),
            k.user_inbox(UserId(1)),
            k.user_channel(UserId(1)),
            k.queue_stream("q"),
            k.queue_dead("q"),
            k.item_likers(1u64),
            k.item_counted(1u64),
            k.item_image(1u64),
            k.item_similar(1u64),
            k.user_items(UserId(1)),
            k.user_likes(UserId(1)),
            k.user_bids(UserId(1)),
            k.page_cache("/about"),
            k.item_comments(1u64),
            k.item_comment_order(1u64),
            k.comment_ids(),
            k.item_events(1u64),
            k.item_channel(1),
            k.item_channel_pattern(),
            k.rank_ending(0),
            k.rank_price(0),
            k.rank_views(0),
            k.index_dirty(0),
            k.demo_image(1),
            k.stats_log(0),
            k.people_log(0),
            k.seller_people(UserId(1), "u:h", 1),
            k.stats_items(0),
            k.stats_sellers(0),
            k.stats_site(0),
            k.trending(0, 1),
            k.price_jumps(0, 1),
            k.market_channel(),
            k.user_channel_prefix(),
            k.active_visitors(1),
            k.ops_requests(1),
            k.ops_instances(),
            k.item_watchers(1u64),
            k.item_maxes(1u64),
            k.item_max_times(1u64),
            k.rank_ending_in("books", 0),
            k.user_watching(UserId(1)),
            k.user_channel_pattern(),
            k.queue_delayed("q"),
            k.queue_idempotency("q"),
            k.queue_counters("q"),
            k.queue_probe("q", "p"),
            k.order(1u64),
            k.order_messages(1u64),
            k.test_charge(1u64),
            k.user_feedback(UserId(1)),
            k.user_feedback_order(UserId(1)),
            k.user_rating(UserId(1)),
            k.reports("item:1"),
            k.report_notes("item:1"),
            k.reports_newest(),
            k.reports_most(),
            k.moderation_log(),
            k.item_hidden_comments(1u64),
            k.shard_blocks(0),
            k.user_blocked(UserId(1)),
            k.saved_searches(UserId(1)),
            k.search_bucket("cam"),
            k.search_category("books"),
            k.mail_token(UserId(1), "confirm"),
            k.mail_gate(UserId(1)),
            k.mail_digest(UserId(1)),
        ];
        for key in &keys {
            assert!(key.starts_with("t42:"), "{key}");
        }
        // Every builder is in the list above: a new one that is not fails here. Builders live
        // in this file and in the `keys.rs` of the features that own their keys.
        let mut builders = 0;
        let mut stack = vec![std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src"
        ))];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.file_name().is_some_and(|n| n == "keys.rs") {
                    let source = std::fs::read_to_string(&path).unwrap();
                    let code = source.split("#[cfg(test)]").next().unwrap();
                    builders += code
                        .lines()
                        .filter(|l| l.trim_start().starts_with("pub fn ") && l.contains("(&self"))
                        .filter(|l| l.contains("-> String"))
                        .count();
                }
            }
        }
        assert_eq!(
            keys.len(),
            builders,
            "a key builder is missing from this test"
        );
        assert_eq!(k.item(17u64), "t42:item:{s01}:17");
        assert!(k.item(17u64).starts_with(&k.items_prefix()));
        // Only item documents live under the indexed prefix.
        for other in [
            k.item_state(1u64),
            k.item_bids(1u64),
            k.item_viewers(1u64),
            k.item_likers(1u64),
            k.item_image(1u64),
        ] {
            assert!(!other.starts_with(&k.items_prefix()), "{other}");
        }
    }

    #[test]
    fn keys_that_scripts_touch_together_share_a_slot() {
        let k = Keys::new("t:");
        let id = 35u64;
        let shard = shard_of(id);
        let tag = hash_tag(&k.item(id)).to_string();
        assert_eq!(tag, "s03");
        for key in [
            k.item_state(id),
            k.item_bids(id),
            k.item_maxes(id),
            k.item_max_times(id),
            k.item_watchers(id),
            k.item_viewers(id),
            k.item_viewer_networks(id),
            k.item_counted(id),
            k.item_likers(id),
            k.item_image(id),
            k.item_comments(id),
            k.item_comment_order(id),
            k.item_hidden_comments(id),
            k.shard_blocks(shard),
            k.order(id),
            k.order_messages(id),
            k.test_charge(id),
            k.item_events(id),
            k.rank_ending(shard),
            k.rank_price(shard),
            k.rank_views(shard),
            k.index_dirty(shard),
            k.stats_log(shard),
            k.people_log(shard),
            k.stats_items(shard),
            k.stats_sellers(shard),
            k.stats_site(shard),
            k.trending(shard, 7),
            k.price_jumps(shard, 7),
        ] {
            assert_eq!(hash_tag(&key), tag, "{key}");
        }
        assert_eq!(
            hash_tag(&k.user(UserId(5))),
            hash_tag(&k.user_bids(UserId(5)))
        );
        assert_eq!(
            hash_tag(&k.session(UserId(5), "ab")),
            hash_tag(&k.user_rate_limit("bid", UserId(5)))
        );
        assert_ne!(hash_tag(&k.user(UserId(5))), hash_tag(&k.user(UserId(6))));
        assert_eq!(hash_tag(&k.lock("a")), hash_tag(&k.lock_fence("a")));
        let shard_lock = format!("index-sync:{}", shard_tag(shard));
        assert_eq!(hash_tag(&k.lock(&shard_lock)), tag);
        assert_eq!(hash_tag(&k.lock_fence(&shard_lock)), tag);
        assert_ne!(hash_tag(&k.item(1u64)), hash_tag(&k.item(2u64)));
        assert_eq!(
            hash_tag(&k.user_notes(UserId(5))),
            hash_tag(&k.user_inbox(UserId(5)))
        );
        // The gate script reads the account; a link is used with the account in one script.
        for key in [
            k.mail_gate(UserId(5)),
            k.mail_digest(UserId(5)),
            k.mail_token(UserId(5), "reset"),
        ] {
            assert_eq!(hash_tag(&key), hash_tag(&k.user(UserId(5))), "{key}");
        }
        // Feedback and the rating it counts change in one script.
        for key in [k.user_feedback_order(UserId(5)), k.user_rating(UserId(5))] {
            assert_eq!(hash_tag(&key), hash_tag(&k.user_feedback(UserId(5))));
        }
        // Reporting and settling are one script each, in the `{mod}` slot.
        for key in [
            k.report_notes("user:1"),
            k.reports_newest(),
            k.reports_most(),
            k.moderation_log(),
        ] {
            assert_eq!(hash_tag(&key), hash_tag(&k.reports("user:1")), "{key}");
        }
        let queue = hash_tag(&k.queue_stream("auctions")).to_string();
        assert_eq!(queue, "q:auctions");
        for key in [
            k.queue_delayed("auctions"),
            k.queue_dead("auctions"),
            k.queue_idempotency("auctions"),
            k.queue_counters("auctions"),
            k.queue_probe("auctions", "x"),
        ] {
            assert_eq!(hash_tag(&key), queue, "{key}");
        }
    }
}
