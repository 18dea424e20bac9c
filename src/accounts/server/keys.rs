//! The accounts' own keys besides the user hash (listed in `docs/redis-keys.md`), as methods of
//! [`Keys`].

use crate::server::redis::Keys;
use crate::util::id::UserId;

impl Keys {
    /// Hash with TTL: the one live confirmation or password-reset link of a user (`purpose` is
    /// `confirm` or `reset`): `nonce` (SHA-256 of the link's nonce), `address` (where it was
    /// sent). A newer link replaces it; using it deletes it.
    pub fn mail_token(&self, user: UserId, purpose: &str) -> String {
        self.key(format_args!("mail-token:{{u{user}}}:{purpose}"))
    }

    /// Hash: a user's rating counts, kept by the orders' feedback script (`lua/leave_feedback.lua`): `p`, `u`, `n` (positive,
    /// neutral, negative, ever) and `p:<period>` … per 30-day period, for "the last 12 months".
    pub fn user_rating(&self, user: UserId) -> String {
        self.user_key("rating", user)
    }
}
