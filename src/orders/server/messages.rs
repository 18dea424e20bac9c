//! Messages between the buyer and the seller of an order: kept with the order (same slot) by
//! `lua/order_message.lua`, which checks that the sender is one of the two and that the order
//! has room ([`crate::orders::MESSAGES_MAX`]); the other party hears of each (coalesced).

use crate::error::AppError;
use crate::orders::OrderMessage;
use crate::server::redis::db::{redis_error, Db};
use crate::server::redis::reply::Fields;
use crate::util::id::{ItemId, UserId};
use redis::{FromRedisValue, ParsingError};

/// How many messages a user may send: a conversation's pace, not a flood.
pub const LIMIT: crate::server::redis::rate_limit::Limit =
    crate::server::redis::rate_limit::Limit::per_secs(20, 600);

/// `lua/order_message.lua`: one message, from a party of the order, while it has room.
pub static ORDER_MESSAGE: std::sync::LazyLock<redis::Script> = crate::lua_script!("order_message");

/// What sending a message did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sent {
    /// Kept, at this Redis time; the order holds this many messages now.
    Sent { at_ms: i64, messages: u64 },
    /// The item has no order.
    NotFound,
    /// The sender is neither the buyer nor the seller.
    NotYours,
    /// The order holds [`crate::orders::MESSAGES_MAX`] messages already.
    Full,
}

impl FromRedisValue for Sent {
    fn from_redis_value(v: redis::Value) -> Result<Self, ParsingError> {
        let f = Fields::new("order_message", v)?;
        match f.status()?.as_str() {
            "sent" => {
                f.expect_len(3)?;
                Ok(Sent::Sent {
                    at_ms: f.get(1)?,
                    messages: f.get(2)?,
                })
            }
            "not_found" => Ok(Sent::NotFound),
            "not_yours" => Ok(Sent::NotYours),
            "full" => Ok(Sent::Full),
            other => Err(f.unknown_status(other)),
        }
    }
}

/// Sends `text` (already cleaned by `orders::MESSAGE_RULE`) from `from` on the order of
/// `item`.
pub async fn send(
    db: &Db,
    item: ItemId,
    from: UserId,
    from_name: &str,
    text: &str,
) -> Result<Sent, AppError> {
    let keys = db.keys();
    let mut conn = db.conn()?;
    ORDER_MESSAGE
        .key(keys.order(item))
        .key(keys.order_messages(item))
        .arg(from)
        .arg(from_name)
        .arg(text)
        .arg(crate::orders::MESSAGES_MAX)
        .invoke_async(&mut conn)
        .await
        .map_err(|e| redis_error("order message", e))
}

/// Every message of the order of `item`, oldest first (at most `MESSAGES_MAX`).
pub async fn list(db: &Db, item: ItemId) -> Result<Vec<OrderMessage>, AppError> {
    let mut conn = db.conn()?;
    let raw: Vec<String> = redis::cmd("LRANGE")
        .arg(db.keys().order_messages(item))
        .arg(0)
        .arg(crate::orders::MESSAGES_MAX as isize - 1)
        .query_async(&mut conn)
        .await
        .map_err(|e| redis_error("read order messages", e))?;
    raw.iter()
        .map(|entry| {
            decode(entry).ok_or_else(|| {
                tracing::error!(item_id = %item, "an order message that does not read");
                AppError::Internal
            })
        })
        .collect()
}

/// The other party of the order hears that `from` wrote (in the background; bursts coalesce
/// into one notice with a count). The notice names the sender, never the text.
pub fn announce(db: &Db, item: ItemId, from: UserId) {
    let db = db.clone();
    tokio::spawn(async move {
        let order = match super::get(&db, item).await {
            Ok(Some(order)) => order,
            Ok(None) => return,
            Err(e) => {
                tracing::warn!(item_id = %item, error = %e, "message notice not queued");
                return;
            }
        };
        let (to, actor) = if from == order.buyer_id {
            (order.seller_id, order.buyer_name.clone())
        } else {
            (order.buyer_id, order.seller_name.clone())
        };
        let notice = crate::notifications::server::NewNotice {
            user_id: to,
            kind: crate::notifications::NoticeKind::OrderMessage,
            item_id: item.0,
            item_name: order.item_name.clone(),
            price_cents: order.price_cents,
            actor,
            once: None,
        };
        if let Err(e) = crate::notifications::server::send(&db, &notice).await {
            tracing::warn!(item_id = %item, error = %e, "message notice not queued");
        }
    });
}

/// How many messages the order of `item` holds.
pub async fn count(db: &Db, item: ItemId) -> Result<u64, AppError> {
    let mut conn = db.conn()?;
    redis::cmd("LLEN")
        .arg(db.keys().order_messages(item))
        .query_async(&mut conn)
        .await
        .map_err(|e| redis_error("count order messages", e))
}

/// `<from id>|<ms>|<from name>|<text>` (names never hold `|`; the text may).
fn decode(entry: &str) -> Option<OrderMessage> {
    let mut parts = entry.splitn(4, '|');
    Some(OrderMessage {
        from_id: UserId::parse(parts.next()?)?,
        at_ms: parts.next()?.parse().ok()?,
        from_name: parts.next()?.to_string(),
        text: parts.next()?.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_reads_back_with_bars_in_its_text_and_a_broken_one_does_not() {
        assert_eq!(
            decode("7|1700000000000|bea|a | b"),
            Some(OrderMessage {
                from_id: UserId(7),
                from_name: "bea".into(),
                text: "a | b".into(),
                at_ms: 1_700_000_000_000,
            })
        );
        assert_eq!(decode("7|soon|bea|hi"), None);
        assert_eq!(decode("7|1700000000000|bea"), None);
    }
}
