//! The engagement key builders: an item's distinct visitors (see `docs/redis-keys.md`).

use crate::server::redis::Keys;

impl Keys {
    /// HyperLogLog: the distinct visitors of an item.
    pub fn item_viewers(&self, id: impl Into<u64>) -> String {
        self.item_key("viewers", id)
    }

    /// Hash: new visitors counted per network (keyed IP hash) for an item; fields expire daily.
    pub fn item_viewer_networks(&self, id: impl Into<u64>) -> String {
        self.item_key("viewer-networks", id)
    }
}
