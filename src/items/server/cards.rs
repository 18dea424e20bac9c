//! Listing cards: what an item looks like in a grid (name, live price, time left, counters).

use crate::error::AppError;
use crate::items::wire::CardNumbers;
use crate::items::{Condition, ItemCard, ItemId, Shipping};
use crate::server::redis::db::{redis_error, Db};
use crate::util::id::UserId;
use redis::ParsingError;

/// The numbers of a card, in the order they are read from the item's state: a reader that
/// builds cards ([`ItemFields::card`]) asks for these first.
pub const CARD_FIELDS: [&str; 5] = ["price", "ends_at", "views", "bids", "likes"];

/// What [`read_fields`] read of one item: fields of its document and of its state as text
/// (`None` when missing or empty), and the reply of the caller's own command, if any.
#[derive(Debug, Clone)]
pub struct ItemFields {
    pub id: ItemId,
    pub doc: Vec<Option<String>>,
    pub state: Vec<Option<String>>,
    pub extra: Option<redis::Value>,
}

impl ItemFields {
    /// State field `i` as text.
    pub fn text(&self, i: usize) -> Option<&str> {
        self.state.get(i)?.as_deref().filter(|v| !v.is_empty())
    }

    /// State field `i` as a number.
    pub fn num(&self, i: usize) -> Option<i64> {
        self.text(i)?.parse().ok()
    }

    /// Document field `i` as text.
    pub fn doc_text(&self, i: usize) -> Option<&str> {
        self.doc.get(i)?.as_deref().filter(|v| !v.is_empty())
    }

    /// The item's card, when its document's first field is the name and its state's first
    /// fields are [`CARD_FIELDS`]; `None` for an item that no longer exists.
    pub fn card(&self) -> Option<ItemCard> {
        let num = |i: usize| self.num(i).unwrap_or(0);
        Some(ItemCard {
            id: self.id,
            name: self.doc_text(0)?.to_string(),
            price_cents: num(0),
            ends_at_ms: num(1),
            views: num(2),
            bids: num(3),
            likes: num(4),
            seller_rating: Default::default(),
            buy_now_cents: None,
            condition: None,
            shipping: None,
            revision: 0,
            returns_days: 0,
            location: String::new(),
        })
    }
}

/// Fields of many items in one round trip, in the order of `ids`: `HMGET` of `doc` fields of
/// each item's document (none when `doc` is empty) and of `state` fields of its state, then
/// the command `extra` gives for the item, if any. `what` names the read in errors.
pub async fn read_fields(
    db: &Db,
    ids: &[ItemId],
    doc: &[&str],
    state: &[&str],
    extra: Option<&(dyn Fn(ItemId) -> redis::Cmd + Sync)>,
    what: &'static str,
) -> Result<Vec<ItemFields>, AppError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let keys = db.keys();
    let mut pipe = redis::pipe();
    for id in ids {
        if !doc.is_empty() {
            pipe.cmd("HMGET").arg(keys.item(*id)).arg(doc);
        }
        pipe.cmd("HMGET").arg(keys.item_state(*id)).arg(state);
        if let Some(extra) = extra {
            pipe.add_command(extra(*id));
        }
    }
    let mut conn = db.conn()?;
    let replies: Vec<redis::Value> = pipe
        .query_async(&mut conn)
        .await
        .map_err(|e| redis_error(what, e))?;
    let mut replies = replies.into_iter();
    let mut next = || {
        replies
            .next()
            .ok_or_else(|| redis_error(what, ParsingError::from("a reply is missing").into()))
    };
    let texts = |v: redis::Value| -> Result<Vec<Option<String>>, AppError> {
        redis::from_redis_value(v).map_err(|e| redis_error(what, e.into()))
    };
    let mut rows = Vec::with_capacity(ids.len());
    for id in ids {
        let doc = match doc.is_empty() {
            true => Vec::new(),
            false => texts(next()?)?,
        };
        let state = texts(next()?)?;
        let extra = match extra {
            Some(_) => Some(next()?),
            None => None,
        };
        rows.push(ItemFields {
            id: *id,
            doc,
            state,
            extra,
        });
    }
    Ok(rows)
}

/// Cards for item ids, in the given order (unknown ids and listings a moderator hid are
/// skipped): the name from each item's document and the live numbers from its state in one
/// round trip, then the sellers' ratings (`accounts::server::rating`: this instance's copies
/// of the last 2 s, the rest in one more round trip). Every grid of listings (home, search,
/// browse, similar items, the market board, profiles, Watching) is built here, so a hidden
/// listing is on none of them, whatever list or cache its id came from.
pub async fn cards_by_id(db: &Db, ids: &[ItemId]) -> Result<Vec<ItemCard>, AppError> {
    let doc = [
        "name",
        "hidden",
        "seller_id",
        "condition",
        "shipping",
        "rev",
        "returns",
        "location",
    ];
    let mut state = CARD_FIELDS.to_vec();
    state.extend(["buy_now", "reserve", "closed"]);
    let rows = read_fields(db, ids, &doc, &state, None, "cards by id").await?;
    let shown: Vec<(&ItemFields, Option<UserId>)> = rows
        .iter()
        .filter(|row| row.doc_text(1).is_none())
        .map(|row| (row, row.doc_text(2).and_then(UserId::parse)))
        .collect();
    let sellers: Vec<UserId> = shown.iter().filter_map(|(_, seller)| *seller).collect();
    let ratings = crate::accounts::server::rating::recent_summaries(db, &sellers).await?;
    Ok(shown
        .into_iter()
        .filter_map(|(row, seller)| {
            let mut card = row.card()?;
            card.condition = row.doc_text(3).and_then(Condition::parse);
            card.shipping = row
                .doc_text(4)
                .and_then(|v| v.parse().ok())
                .and_then(Shipping::from_field);
            card.revision = row.doc_text(5).and_then(|v| v.parse().ok()).unwrap_or(0);
            card.returns_days = row.doc_text(6).and_then(|v| v.parse().ok()).unwrap_or(0);
            card.location = row.doc_text(7).unwrap_or_default().to_string();
            card.buy_now_cents = crate::items::open_buy_now(
                row.num(5).unwrap_or(0),
                row.text(7) == Some("1"),
                card.bids,
                card.price_cents,
                row.num(6).unwrap_or(0),
            );
            if let Some(rating) = seller.and_then(|s| ratings.get(&s)) {
                card.seller_rating = *rating;
            }
            Some(card)
        })
        .collect())
}

/// The numbers of a card that change while it is on screen (the page ticker's
/// `/api/prices`), in one round trip: one `HMGET` of each item's state, no name. The reserve
/// itself stays on the server; only whether it is met leaves it.
pub async fn card_numbers(db: &Db, ids: &[ItemId]) -> Result<Vec<CardNumbers>, AppError> {
    let fields = ["price", "ends_at", "bids", "high_bidder_id", "reserve"];
    let rows = read_fields(db, ids, &[], &fields, None, "card numbers").await?;
    Ok(rows
        .iter()
        .filter_map(|row| {
            let price_cents = row.num(0)?;
            Some(CardNumbers {
                id: row.id,
                price_cents,
                ends_at_ms: row.num(1).unwrap_or(0),
                bids: row.num(2).unwrap_or(0),
                leader: row.text(3).and_then(UserId::parse),
                reserve_met: price_cents >= row.num(4).unwrap_or(0),
            })
        })
        .collect())
}
