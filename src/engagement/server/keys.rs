//! The engagement key builders: an item's distinct visitors, and the people whose like and
//! watch were counted (see `docs/redis-keys.md`).

use crate::server::redis::Keys;

impl Keys {
    /// HyperLogLog: the distinct visitors of an item.
    pub fn item_viewers(&self, id: impl Into<u64>) -> String {
        self.item_key("viewers", id)
    }

    /// Set: who has ever been counted for this item's likes (`l<user id>`) and watches
    /// (`w<user id>`), so that toggling counts a person once in rankings and charts.
    pub fn item_counted(&self, id: impl Into<u64>) -> String {
        self.item_key("counted", id)
    }

    /// Hash: new visitors counted per network (keyed IP hash) for an item; fields expire daily.
    pub fn item_viewer_networks(&self, id: impl Into<u64>) -> String {
        self.item_key("viewer-networks", id)
    }
}
