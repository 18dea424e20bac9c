//! Notifications: what happened to a user's bids and items while they were away ("you were
//! outbid", "you won", "your item sold", "new comment on your item"). Written by jobs (see
//! `jobs`), kept per user in Redis, shown on `/notifications` and counted live in the header.
//! [`api`] has the server functions, `server` (feature `ssr`) the Redis side.

pub mod api;
/// The inbox's list (the page's, and what the live inbox fetches).
pub mod inbox;
#[cfg(feature = "ssr")]
pub mod server;
pub mod ui;

use crate::util::money::format_cents;
use serde::{Deserialize, Serialize};

/// Notes an inbox keeps (older ones are dropped).
pub const KEPT: usize = 50;

/// What a notice is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    /// Someone bid more than you (coalesced: a burst is one notice with a count).
    Outbid,
    /// You won an auction.
    Won,
    /// Your item sold.
    Sold,
    /// Your item's auction ended without a bid.
    Unsold,
    /// Someone commented on your item (coalesced like outbids).
    Comment,
    /// An item you watch ends in about an hour.
    EndsInAnHour,
    /// An item you watch ends in about ten minutes.
    EndsSoon,
    /// Your buyer paid: ship it (to the seller).
    OrderPaid,
    /// Your order was shipped (to the buyer).
    OrderShipped,
    /// Your buyer received the item (to the seller).
    OrderReceived,
    /// The seller cancelled a sale you did not pay for (to the buyer).
    OrderCancelled,
    /// A second-chance offer: a cancelled sale offered to you at your highest bid.
    OrderOffer,
    /// The bidder took your second-chance offer (to the seller).
    OrderOfferTaken,
    /// The buyer has not paid yet and the seller may cancel soon (to the buyer).
    PaymentDue,
    /// A new listing matches one of your saved searches (`actor`: the search's name).
    SavedSearch,
    /// A moderator removed your listing (`actor`: why).
    ListingRemoved,
    /// The other party of an order wrote to you (coalesced like comments).
    OrderMessage,
    /// You lead again: the bids that had beaten yours were cancelled (their bidder was blocked
    /// by the seller or suspended).
    LeadingAgain,
}

impl NoticeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            NoticeKind::Outbid => "outbid",
            NoticeKind::Won => "won",
            NoticeKind::Sold => "sold",
            NoticeKind::Unsold => "unsold",
            NoticeKind::Comment => "comment",
            NoticeKind::EndsInAnHour => "ends_in_an_hour",
            NoticeKind::EndsSoon => "ends_soon",
            NoticeKind::OrderPaid => "order_paid",
            NoticeKind::OrderShipped => "order_shipped",
            NoticeKind::OrderReceived => "order_received",
            NoticeKind::OrderCancelled => "order_cancelled",
            NoticeKind::OrderOffer => "order_offer",
            NoticeKind::OrderOfferTaken => "order_offer_taken",
            NoticeKind::PaymentDue => "payment_due",
            NoticeKind::SavedSearch => "saved_search",
            NoticeKind::ListingRemoved => "listing_removed",
            NoticeKind::OrderMessage => "order_message",
            NoticeKind::LeadingAgain => "leading_again",
        }
    }

    /// Bursts of these become one notice with a count.
    pub fn coalesces(self) -> bool {
        matches!(
            self,
            NoticeKind::Outbid | NoticeKind::Comment | NoticeKind::OrderMessage
        )
    }

    /// The kind of email this notice is also sent as (to users with a confirmed address who
    /// did not turn it off); `None`: in the inbox only.
    pub fn mail_kind(self) -> Option<crate::accounts::MailKind> {
        use crate::accounts::MailKind;
        match self {
            NoticeKind::Outbid => Some(MailKind::Outbid),
            NoticeKind::Won => Some(MailKind::Won),
            NoticeKind::Sold => Some(MailKind::Sold),
            NoticeKind::SavedSearch => Some(MailKind::SavedSearch),
            NoticeKind::OrderPaid
            | NoticeKind::OrderShipped
            | NoticeKind::OrderReceived
            | NoticeKind::OrderCancelled
            | NoticeKind::OrderOffer
            | NoticeKind::OrderOfferTaken
            | NoticeKind::PaymentDue
            | NoticeKind::OrderMessage => Some(MailKind::Orders),
            NoticeKind::Unsold
            | NoticeKind::Comment
            | NoticeKind::EndsInAnHour
            | NoticeKind::EndsSoon
            | NoticeKind::ListingRemoved
            | NoticeKind::LeadingAgain => None,
        }
    }
}

/// One notice as stored (JSON, written by `lua/notify.lua`) and shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub id: u64,
    pub kind: NoticeKind,
    pub item_id: u64,
    pub item_name: String,
    pub price_cents: i64,
    /// Who caused it (the bidder, the winner, the commenter), or empty.
    pub actor: String,
    /// How many events this notice stands for.
    pub count: u32,
    pub at_ms: i64,
    pub read: bool,
}

impl Notice {
    /// The sentence shown for this notice (plain text; pages escape it).
    pub fn text(&self) -> String {
        let times = if self.count > 1 {
            format!(" ({} times)", self.count)
        } else {
            String::new()
        };
        let price = format_cents(self.price_cents);
        let name = &self.item_name;
        match self.kind {
            NoticeKind::Outbid => format!("You were outbid on {name}{times}: now {price}."),
            NoticeKind::Won => format!("You won {name} for {price}: pay now."),
            NoticeKind::Sold => format!("{name} sold to {} for {price}.", self.actor),
            NoticeKind::Unsold => format!("{name} ended without a bid."),
            NoticeKind::Comment if self.count > 1 => {
                format!("{} new comments on {name}.", self.count)
            }
            NoticeKind::Comment => format!("{} commented on {name}.", self.actor),
            NoticeKind::EndsInAnHour => {
                format!("{name}, which you watch, ends in about an hour: now {price}.")
            }
            NoticeKind::EndsSoon => {
                format!("{name}, which you watch, ends in about 10 minutes: now {price}.")
            }
            NoticeKind::OrderPaid => format!("{} paid {price} for {name}: ship it.", self.actor),
            NoticeKind::OrderShipped => format!("{} shipped {name}.", self.actor),
            NoticeKind::OrderReceived => format!("{name} was received: the sale is complete."),
            NoticeKind::OrderCancelled => {
                format!(
                    "{} cancelled the sale of {name}: it was not paid for.",
                    self.actor
                )
            }
            NoticeKind::OrderOffer => {
                format!(
                    "{} offers you {name} for {price}: a second chance.",
                    self.actor
                )
            }
            NoticeKind::OrderOfferTaken => {
                format!("{} took your offer of {name} for {price}.", self.actor)
            }
            NoticeKind::PaymentDue => format!(
                "Payment of {price} for {name} is due soon: pay now, or {} may cancel the sale.",
                self.actor
            ),
            NoticeKind::SavedSearch => {
                format!("New for your search “{}”: {name}, {price}.", self.actor)
            }
            NoticeKind::ListingRemoved => {
                format!("A moderator removed your listing {name}: {}", self.actor)
            }
            NoticeKind::OrderMessage if self.count > 1 => {
                format!("{} new messages about your order of {name}.", self.count)
            }
            NoticeKind::OrderMessage => {
                format!("{} wrote to you about your order of {name}.", self.actor)
            }
            NoticeKind::LeadingAgain => format!(
                "You have the highest bid on {name} again: the bids that beat yours were cancelled. Now {price}."
            ),
        }
    }

    pub fn link(&self) -> String {
        match self.kind {
            NoticeKind::Comment => format!("/items/{}/comments", self.item_id),
            // A sale goes on on its order's page.
            NoticeKind::Won
            | NoticeKind::Sold
            | NoticeKind::OrderPaid
            | NoticeKind::OrderShipped
            | NoticeKind::OrderReceived
            | NoticeKind::OrderCancelled
            | NoticeKind::OrderOffer
            | NoticeKind::OrderOfferTaken
            | NoticeKind::PaymentDue => format!("/orders/{}", self.item_id),
            NoticeKind::OrderMessage => format!("/orders/{}#messages", self.item_id),
            _ => format!("/items/{}", self.item_id),
        }
    }
}

/// A user's notices, newest first, and how many were unread before this visit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inbox {
    pub notices: Vec<Notice>,
    pub unread: u32,
    pub now_ms: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notice(kind: NoticeKind, count: u32) -> Notice {
        Notice {
            id: 1,
            kind,
            item_id: 7,
            item_name: "Brass lamp".into(),
            price_cents: 1250,
            actor: "bea".into(),
            count,
            at_ms: 0,
            read: false,
        }
    }

    #[test]
    fn notices_read_as_sentences() {
        assert_eq!(
            notice(NoticeKind::Outbid, 1).text(),
            "You were outbid on Brass lamp: now $12.50."
        );
        assert_eq!(
            notice(NoticeKind::Outbid, 20).text(),
            "You were outbid on Brass lamp (20 times): now $12.50."
        );
        assert_eq!(
            notice(NoticeKind::Sold, 1).text(),
            "Brass lamp sold to bea for $12.50."
        );
        assert_eq!(
            notice(NoticeKind::Comment, 3).text(),
            "3 new comments on Brass lamp."
        );
        assert_eq!(notice(NoticeKind::Comment, 1).link(), "/items/7/comments");
        assert_eq!(notice(NoticeKind::Won, 1).link(), "/orders/7");
        assert_eq!(notice(NoticeKind::Outbid, 1).link(), "/items/7");
        assert_eq!(
            notice(NoticeKind::OrderPaid, 1).text(),
            "bea paid $12.50 for Brass lamp: ship it."
        );
    }

    #[test]
    fn the_stored_json_reads_back() {
        let raw = r#"{"id":3,"kind":"outbid","item_id":7,"item_name":"Lamp","price_cents":500,"actor":"bea","count":2,"at_ms":1700000000000,"read":false}"#;
        let n: Notice = serde_json::from_str(raw).unwrap();
        assert_eq!((n.kind, n.count, n.read), (NoticeKind::Outbid, 2, false));
    }
}
