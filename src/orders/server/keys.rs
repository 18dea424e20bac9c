//! The orders' key builders (listed in `docs/redis-keys.md`), as methods of [`Keys`]. An
//! order lives in the item's slot (the script that sells an item makes it); feedback and
//! ratings in the slot of the user who received them (one script keeps them together).

use crate::server::redis::Keys;
use crate::util::id::UserId;

impl Keys {
    /// Hash: the order of a sold item (state, buyer, seller, price, times, address, payment
    /// reference, carrier, tracking).
    pub fn order(&self, id: impl Into<u64>) -> String {
        self.item_key("order", id)
    }

    /// List: the messages between an order's buyer and seller, oldest first,
    /// `<from id>|<ms>|<from name>|<text>` (at most `orders::MESSAGES_MAX`).
    pub fn order_messages(&self, id: impl Into<u64>) -> String {
        self.item_key("order-msgs", id)
    }

    /// Hash: the built-in test payment provider's charge for an order (reference, amount,
    /// time): one per order, however often payment is retried.
    pub fn test_charge(&self, id: impl Into<u64>) -> String {
        self.item_key("test-charge", id)
    }
}

impl Keys {
    /// Hash: the feedback a user received, `<item id>:<giver's side>` (`buyer` / `seller`) →
    /// JSON; one per order and side (`HSETNX`).
    pub fn user_feedback(&self, user: UserId) -> String {
        self.user_key("feedback", user)
    }

    /// Sorted set: the same fields, scored by when given (newest last): the profile's pages.
    pub fn user_feedback_order(&self, user: UserId) -> String {
        self.user_key("feedback-order", user)
    }
}
