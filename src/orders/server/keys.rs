//! The orders' key builders (listed in `docs/redis-keys.md`), as methods of [`Keys`]. Both
//! live in the item's slot: the script that sells an item makes its order.

use crate::server::redis::Keys;

impl Keys {
    /// Hash: the order of a sold item (state, buyer, seller, price, times, address, payment
    /// reference, carrier, tracking).
    pub fn order(&self, id: impl Into<u64>) -> String {
        self.item_key("order", id)
    }

    /// Hash: the built-in test payment provider's charge for an order (reference, amount,
    /// time): one per order, however often payment is retried.
    pub fn test_charge(&self, id: impl Into<u64>) -> String {
        self.item_key("test-charge", id)
    }
}
