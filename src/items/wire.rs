//! The plain-text answers of `/api/suggest` and `/api/prices`, written by the server and read
//! by islands on every page. Lines of fields instead of JSON keep serde_json and the
//! server-function client out of the browser bundle that every page downloads.

use crate::items::ItemId;
use crate::util::id::UserId;

/// One search-box suggestion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suggestion {
    pub id: String,
    pub name: String,
}

/// The numbers a card shows that change while it is on screen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CardNumbers {
    pub id: ItemId,
    pub price_cents: i64,
    pub ends_at_ms: i64,
    pub bids: i64,
    /// The leading bidder, `None` when nobody bid (written `0` on the wire).
    pub leader: Option<UserId>,
    /// Whether the price has reached the (hidden) reserve; true when there is none.
    pub reserve_met: bool,
}

/// `id<TAB>name` lines. Names never hold tabs or newlines (the free-text rule removes control
/// characters), but any that slipped in are turned into spaces so a line stays one line.
pub fn encode_suggestions(items: &[Suggestion]) -> String {
    items
        .iter()
        .map(|s| {
            let name: String = s
                .name
                .chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect();
            format!("{}\t{}\n", s.id, name)
        })
        .collect()
}

pub fn decode_suggestions(body: &str) -> Vec<Suggestion> {
    body.lines()
        .filter_map(|line| line.split_once('\t'))
        .map(|(id, name)| Suggestion {
            id: id.to_string(),
            name: name.to_string(),
        })
        .collect()
}

/// `id price_cents ends_at_ms bids leader reserve_met(0|1)` lines.
pub fn encode_card_numbers(cards: &[CardNumbers]) -> String {
    cards
        .iter()
        .map(|c| {
            format!(
                "{} {} {} {} {} {}\n",
                c.id,
                c.price_cents,
                c.ends_at_ms,
                c.bids,
                c.leader.map_or(0, u64::from),
                u8::from(c.reserve_met)
            )
        })
        .collect()
}

/// Malformed lines are skipped.
pub fn decode_card_numbers(body: &str) -> Vec<CardNumbers> {
    body.lines()
        .filter_map(|line| {
            let mut parts = line.split(' ');
            let id = ItemId::parse(parts.next()?)?;
            let price_cents = parts.next()?.parse().ok()?;
            let ends_at_ms = parts.next()?.parse().ok()?;
            let bids = parts.next()?.parse().ok()?;
            let leader = match parts.next()? {
                "0" => None,
                raw => Some(UserId::parse(raw)?),
            };
            let reserve_met = parts.next()? == "1";
            Some(CardNumbers {
                id,
                price_cents,
                ends_at_ms,
                bids,
                leader,
                reserve_met,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_round_trip_and_stay_one_line_each() {
        let items = vec![
            Suggestion {
                id: "12".into(),
                name: "Brass lamp <b>".into(),
            },
            Suggestion {
                id: "7".into(),
                name: "Tab\there\nand newline".into(),
            },
        ];
        let body = encode_suggestions(&items);
        assert_eq!(body.lines().count(), 2);
        let back = decode_suggestions(&body);
        assert_eq!(back[0], items[0]);
        assert_eq!(back[1].name, "Tab here and newline");
        assert!(decode_suggestions("no tab here\n").is_empty());
    }

    #[test]
    fn card_numbers_round_trip_and_skip_bad_lines() {
        let cards = vec![CardNumbers {
            id: ItemId(5),
            price_cents: 1250,
            ends_at_ms: 1_800_000_000_000,
            bids: 3,
            leader: Some(UserId(42)),
            reserve_met: false,
        }];
        let body = format!(
            "{}garbage line\n9 x 1 2 0 1\n0 1 1 1 0 1\n9 1 1 1 x 1\n",
            encode_card_numbers(&cards)
        );
        assert_eq!(decode_card_numbers(&body), cards);
        let nobody = decode_card_numbers("9 100 1 0 0 1\n");
        assert_eq!(nobody[0].leader, None);
    }
}
