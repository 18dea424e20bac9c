//! Reads of auction items through the items index.

use crate::error::AppError;
use crate::model::{HomeSections, ItemCard};
use crate::server::db::{redis_error, Db};
use crate::server::indexes::is_unknown_index;
use redis::Value;

/// Cards per home page section.
pub const HOME_SECTION_SIZE: usize = 8;

/// Fields a card needs, in the order `RETURN` asks for them.
const CARD_FIELDS: [&str; 5] = ["name", "price", "ends_at", "views", "bids"];

/// The three home page rankings, read in one round trip (one pipeline of three FT.SEARCH).
pub async fn home_sections(db: &Db) -> Result<HomeSections, AppError> {
    let now_ms = now_ms();
    let mut pipe = redis::pipe();
    let index = db.keys().items_index();
    pipe.add_command(card_search(
        &index,
        &format!("@ends_at:[({now_ms} +inf]"),
        "ends_at",
        "ASC",
    ))
    .add_command(card_search(&index, "*", "views", "DESC"))
    .add_command(card_search(&index, "*", "price", "DESC"));
    let mut conn = db.conn()?;
    let replies: Vec<Value> = match pipe.query_async(&mut conn).await {
        Ok(replies) => replies,
        Err(e) => {
            if is_unknown_index(&e) {
                // Redis came back empty (e.g. restarted without persistence): rebuild first.
                db.mark_needs_bootstrap();
                tracing::warn!("items index missing; re-creating it");
                return Err(AppError::Unavailable);
            }
            db.note_failure(&e);
            return Err(redis_error("home sections", e));
        }
    };
    let mut sections = replies.into_iter().map(|reply| parse_cards(db, reply));
    Ok(HomeSections {
        ending_soon: sections.next().unwrap_or_default(),
        most_viewed: sections.next().unwrap_or_default(),
        highest_price: sections.next().unwrap_or_default(),
        now_ms,
    })
}

fn card_search(index: &str, query: &str, sort_by: &str, order: &str) -> redis::Cmd {
    let mut cmd = redis::cmd("FT.SEARCH");
    cmd.arg(index)
        .arg(query)
        .arg("SORTBY")
        .arg(sort_by)
        .arg(order)
        .arg("LIMIT")
        .arg(0)
        .arg(HOME_SECTION_SIZE)
        .arg("RETURN")
        .arg(CARD_FIELDS.len())
        .arg(&CARD_FIELDS[..])
        .arg("DIALECT")
        .arg(2);
    cmd
}

/// Parses an `FT.SEARCH ... RETURN` reply: `[total, key, [field, value, ...], key, ...]`.
fn parse_cards(db: &Db, reply: Value) -> Vec<ItemCard> {
    let Value::Array(items) = reply else {
        tracing::error!(?reply, "unexpected FT.SEARCH reply");
        return Vec::new();
    };
    let prefix = db.keys().items_prefix();
    let mut cards = Vec::new();
    let mut rest = items.into_iter().skip(1);
    while let (Some(key), Some(Value::Array(fields))) = (rest.next(), rest.next()) {
        let key: String = redis::from_redis_value(key).unwrap_or_default();
        let mut card = ItemCard {
            id: key.strip_prefix(&prefix).unwrap_or(&key).to_string(),
            name: String::new(),
            price_cents: 0,
            ends_at_ms: 0,
            views: 0,
            bids: 0,
        };
        for pair in fields.chunks(2) {
            let (Some(name), Some(value)) = (pair.first(), pair.get(1)) else {
                continue;
            };
            let name: String = redis::from_redis_value_ref(name).unwrap_or_default();
            let value: String = redis::from_redis_value_ref(value).unwrap_or_default();
            let number = || value.parse::<i64>().unwrap_or(0);
            match name.as_str() {
                "name" => card.name = value.clone(),
                "price" => card.price_cents = number(),
                "ends_at" => card.ends_at_ms = number(),
                "views" => card.views = number(),
                "bids" => card.bids = number(),
                _ => {}
            }
        }
        cards.push(card);
    }
    cards
}

/// Wall-clock time in Unix milliseconds.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
