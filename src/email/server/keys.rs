//! The email keys (listed in `docs/redis-keys.md`), as methods of [`Keys`]: both in the user's
//! slot, with the account hash the gate script reads.

use crate::server::redis::Keys;
use crate::util::id::UserId;

impl Keys {
    /// Hash, a TTL per field: the user's mail gates, topic (`outbid:17`, `ss:4`…) → the token
    /// of the job that holds it; while a field lives, that topic sends no other email.
    pub fn mail_gate(&self, user: UserId) -> String {
        self.user_key("mail-gate", user)
    }

    /// Hash: the user's held digests, topic → JSON `{ items: [{id, name, price_cents}], more }`.
    pub fn mail_digest(&self, user: UserId) -> String {
        self.user_key("mail-digest", user)
    }
}
