//! After the hammer: every sale (a won auction with its reserve met, or a Buy It Now) is an
//! order, made by the same script that sold the item (`lua/close_item.lua`,
//! `lua/buy_now.lua`). The buyer gives a shipping address and pays through a payment
//! provider; the seller ships; the buyer confirms receipt. Each step is one script
//! (`lua/order_step.lua`) that checks the state it starts from and who takes it, so a second,
//! racing or stale step is refused and changes nothing.
//!
//! The order page (`/orders/{item id}`) is the buyer's and the seller's only: to anyone else
//! it does not exist. Its forms are plain `POST` forms: they work the same with JavaScript on
//! and off.

pub mod api;
#[cfg(feature = "ssr")]
pub mod server;
pub mod ui;

use crate::util::id::{ItemId, UserId};
use serde::{Deserialize, Serialize};

/// Where an order is: each step moves it one state on (or cancels it before payment).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderState {
    AwaitingPayment,
    Paid,
    Shipped,
    Received,
    Cancelled,
}

impl OrderState {
    /// The word stored in Redis (and written by the scripts).
    pub fn as_str(self) -> &'static str {
        match self {
            OrderState::AwaitingPayment => "awaiting_payment",
            OrderState::Paid => "paid",
            OrderState::Shipped => "shipped",
            OrderState::Received => "received",
            OrderState::Cancelled => "cancelled",
        }
    }

    pub fn parse(word: &str) -> Option<Self> {
        [
            OrderState::AwaitingPayment,
            OrderState::Paid,
            OrderState::Shipped,
            OrderState::Received,
            OrderState::Cancelled,
        ]
        .into_iter()
        .find(|s| s.as_str() == word)
    }

    pub fn label(self) -> &'static str {
        match self {
            OrderState::AwaitingPayment => "Awaiting payment",
            OrderState::Paid => "Paid",
            OrderState::Shipped => "Shipped",
            OrderState::Received => "Received",
            OrderState::Cancelled => "Cancelled",
        }
    }

    /// The steps an order goes through, in order (a cancelled one stops at the first).
    pub const STEPS: [OrderState; 4] = [
        OrderState::AwaitingPayment,
        OrderState::Paid,
        OrderState::Shipped,
        OrderState::Received,
    ];

    /// The next thing to do and who does it, as the lists show it.
    pub fn next_action(self, role: Role) -> Option<&'static str> {
        match (self, role) {
            (OrderState::AwaitingPayment, Role::Buyer) => Some("Pay now"),
            (OrderState::Paid, Role::Seller) => Some("Ship it"),
            (OrderState::Shipped, Role::Buyer) => Some("Confirm receipt"),
            _ => None,
        }
    }
}

/// Which side of an order the viewer is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Buyer,
    Seller,
}

/// Where the buyer wants it sent: shown only to the buyer and that seller.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    pub name: String,
    pub line1: String,
    pub line2: String,
    pub city: String,
    pub postcode: String,
    pub country: String,
}

/// The longest each address field may be (characters), and the tracking fields.
pub const NAME_MAX: usize = 80;
pub const LINE_MAX: usize = 120;
pub const CITY_MAX: usize = 60;
pub const POSTCODE_MAX: usize = 16;
pub const COUNTRY_MAX: usize = 60;
pub const CARRIER_MAX: usize = 40;
pub const TRACKING_MAX: usize = 60;

/// The address form's fields, in the order the form shows them.
pub const ADDRESS_FIELDS: [&str; 6] = ["name", "line1", "line2", "city", "postcode", "country"];

impl Address {
    /// Trims every field; the problems, by field, if any.
    pub fn checked(mut self) -> Result<Self, crate::util::problem::FieldErrors<OrderProblem>> {
        let mut errors = crate::util::problem::FieldErrors::default();
        for (field, value, max, required) in [
            ("name", &mut self.name, NAME_MAX, true),
            ("line1", &mut self.line1, LINE_MAX, true),
            ("line2", &mut self.line2, LINE_MAX, false),
            ("city", &mut self.city, CITY_MAX, true),
            ("postcode", &mut self.postcode, POSTCODE_MAX, true),
            ("country", &mut self.country, COUNTRY_MAX, true),
        ] {
            *value = value.trim().to_string();
            errors.check(field, check_text(value, max, required));
        }
        if errors.is_empty() {
            Ok(self)
        } else {
            Err(errors)
        }
    }
}

/// A field's problem: missing when required, too long, or with control characters.
pub fn check_text(value: &str, max: usize, required: bool) -> Option<OrderProblem> {
    if value.is_empty() {
        return required.then_some(OrderProblem::Missing);
    }
    if value.chars().count() > max {
        return Some(OrderProblem::TooLong);
    }
    if value.chars().any(char::is_control) {
        return Some(OrderProblem::Control);
    }
    None
}

crate::problems! {
    /// What an order step can report instead of doing what was asked.
    pub enum OrderProblem {
        NoRating = "no-rating" => "Choose positive, neutral or negative.",
        FeedbackGiven = "feedback-given" => "You left feedback on this order already.",
        FeedbackClosed = "feedback-closed" => "Feedback can be left from payment until 60 days after it.",
        SignIn = "sign-in" => "Sign in to see your orders.",
        Missing = "missing" => "Please fill this in.",
        TooLong = "too-long" => "This is too long.",
        Control = "control" => "Please use letters, digits and punctuation only.",
        Declined = "declined" => "The payment was declined. Nothing was charged; please try again.",
        AlreadyPaid = "already-paid" => "This order is paid already: it was charged once.",
        NotYours = "not-yours" => "Only the other party can do that.",
        WrongState = "wrong-state" => "This order has moved on since the page was shown: here is where it is now.",
        NoOtherBidder = "no-other-bidder" => "No other bidder to offer it to.",
        TooEarly = "too-early" => "The buyer still has time to pay: a sale can be cancelled once its time to pay is over.",
        MessageText = "message-text" => format!(
            "Write a message of {}–{} visible characters.",
            MESSAGE_RULE.min, MESSAGE_RULE.max
        ),
        MessagesFull = "messages-full" => format!(
            "This order has {MESSAGES_MAX} messages, the most one keeps: please carry on by email."
        ),
    }
}

/// One order, as its buyer and seller see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    pub item_id: ItemId,
    pub item_name: String,
    pub price_cents: i64,
    pub state: OrderState,
    pub buyer_id: UserId,
    pub buyer_name: String,
    pub seller_id: UserId,
    pub seller_name: String,
    pub created_at_ms: i64,
    pub paid_at_ms: Option<i64>,
    pub shipped_at_ms: Option<i64>,
    pub received_at_ms: Option<i64>,
    pub cancelled_at_ms: Option<i64>,
    /// Receipt was confirmed by the delayed job, not the buyer.
    pub auto_received: bool,
    /// A second-chance offer of this (cancelled) sale to another bidder.
    pub offer: Option<SecondChance>,
    /// After payment.
    pub address: Option<Address>,
    /// The payment provider's reference for the charge.
    pub payment_ref: Option<String>,
    pub carrier: Option<String>,
    pub tracking: Option<String>,
}

impl Order {
    /// Whether feedback may be left at `now_ms`: paid (and not cancelled), at most
    /// [`FEEDBACK_DAYS`] ago.
    pub fn feedback_open(&self, now_ms: i64) -> bool {
        self.paid_at_ms
            .is_some_and(|paid| now_ms - paid <= FEEDBACK_DAYS * 86_400_000)
            && self.state != OrderState::Cancelled
    }

    /// The viewer's side of the order, if they are on one.
    pub fn role_of(&self, viewer: UserId) -> Option<Role> {
        if viewer == self.buyer_id {
            Some(Role::Buyer)
        } else if viewer == self.seller_id {
            Some(Role::Seller)
        } else {
            None
        }
    }
}

/// A cancelled sale offered to another bidder at their own highest bid, until it expires.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecondChance {
    pub to_id: UserId,
    pub to_name: String,
    pub price_cents: i64,
    pub expires_at_ms: i64,
    pub state: OfferState,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OfferState {
    Open,
    Accepted,
    Expired,
}

impl SecondChance {
    /// Whether it may still be taken at `now_ms`.
    pub fn is_open(&self, now_ms: i64) -> bool {
        self.state == OfferState::Open && now_ms < self.expires_at_ms
    }
}

impl OfferState {
    pub fn parse(word: &str) -> Option<Self> {
        match word {
            "open" => Some(OfferState::Open),
            "accepted" => Some(OfferState::Accepted),
            "expired" => Some(OfferState::Expired),
            _ => None,
        }
    }
}

/// The order page's data: the order, the viewer's side, and the feedback each side left.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderPageData {
    pub order: Order,
    /// The viewer's side; `None` for the bidder a second-chance offer is open to.
    pub role: Option<Role>,
    /// For the seller of a cancelled sale not offered yet: the bidder it can be offered to, and
    /// at what price (their highest bid).
    pub can_offer_to: Option<(String, i64)>,
    /// The viewer's feedback on the other party, if left.
    pub my_feedback: Option<Feedback>,
    /// The other party's feedback on the viewer, if left.
    pub their_feedback: Option<Feedback>,
    /// Whether the viewer may leave feedback now (paid, within [`FEEDBACK_DAYS`], not yet).
    pub may_leave_feedback: bool,
    /// When the seller may cancel the sale if still unpaid.
    pub cancel_from_ms: i64,
    /// When receipt is confirmed for the buyer if still shipped (`None` before shipping).
    pub auto_receive_at_ms: Option<i64>,
    /// Whether the payment provider is the built-in test one (its form can ask it to decline).
    pub test_payments: bool,
    /// What the buyer and the seller wrote each other, oldest first (empty for anyone else).
    #[serde(default)]
    pub messages: Vec<OrderMessage>,
    pub now_ms: i64,
}

/// How a party rates the other after a sale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rating {
    Positive,
    Neutral,
    Negative,
}

impl Rating {
    pub const ALL: [Rating; 3] = [Rating::Positive, Rating::Neutral, Rating::Negative];

    /// The form's value and the stored word.
    pub fn as_str(self) -> &'static str {
        match self {
            Rating::Positive => "positive",
            Rating::Neutral => "neutral",
            Rating::Negative => "negative",
        }
    }

    pub fn parse(word: &str) -> Option<Self> {
        Rating::ALL.into_iter().find(|r| r.as_str() == word)
    }

    pub fn label(self) -> &'static str {
        match self {
            Rating::Positive => "Positive",
            Rating::Neutral => "Neutral",
            Rating::Negative => "Negative",
        }
    }
}

/// How long after payment each party may leave feedback.
pub const FEEDBACK_DAYS: i64 = 60;
/// The longest feedback comment (characters).
pub const FEEDBACK_MAX: usize = 200;
/// Feedback shown per page of a profile.
pub const FEEDBACK_PAGE: usize = 10;

/// Feedback one party left the other on an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Feedback {
    pub item_id: ItemId,
    pub item_name: String,
    pub from_id: UserId,
    pub from_name: String,
    /// The giver's side of the order.
    pub from_role: Role,
    pub rating: Rating,
    pub comment: String,
    pub at_ms: i64,
}

/// A message from one party of an order to the other: one line or several, cleaned like
/// every free text (`util::text`), at most [`MESSAGE_RULE`]`.max` characters.
pub const MESSAGE_RULE: crate::util::text::TextRule = crate::util::text::TextRule {
    min: 1,
    max: 1000,
    multiline: true,
};
/// Most messages one order keeps (a bound on its memory; the form then says so).
pub const MESSAGES_MAX: usize = 200;

/// One message between the buyer and the seller of an order, oldest first on its page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderMessage {
    pub from_id: UserId,
    pub from_name: String,
    pub text: String,
    pub at_ms: i64,
}

/// A user's rating (kept with the account: `accounts::RatingSummary`).
pub use crate::accounts::RatingSummary;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_have_codes_that_read_back() {
        crate::util::problem::assert_codes_round_trip::<OrderProblem>();
    }

    #[test]
    fn ratings_read_back_and_the_share_counts_positive_against_negative() {
        for r in Rating::ALL {
            assert_eq!(Rating::parse(r.as_str()), Some(r));
        }
        assert_eq!(Rating::parse("Positive"), None);
        let s = RatingSummary {
            positive: 49,
            neutral: 10,
            negative: 1,
            total: 70,
        };
        assert_eq!(s.percent_positive(), Some(98));
        assert_eq!(RatingSummary::default().percent_positive(), None);
    }

    #[test]
    fn feedback_opens_with_payment_and_closes_sixty_days_after_it() {
        let paid_at = 1_796_000_000_000;
        let day = 86_400_000;
        let order = |paid: Option<i64>, state: OrderState| Order {
            item_id: ItemId(1),
            item_name: "Lamp".into(),
            price_cents: 1_000,
            state,
            buyer_id: UserId(7),
            buyer_name: "bea".into(),
            seller_id: UserId(1),
            seller_name: "sam".into(),
            created_at_ms: paid_at - day,
            paid_at_ms: paid,
            shipped_at_ms: None,
            received_at_ms: None,
            cancelled_at_ms: None,
            auto_received: false,
            offer: None,
            address: None,
            payment_ref: None,
            carrier: None,
            tracking: None,
        };
        let unpaid = order(None, OrderState::AwaitingPayment);
        assert!(!unpaid.feedback_open(paid_at), "not before payment");
        let paid = order(Some(paid_at), OrderState::Received);
        assert!(paid.feedback_open(paid_at));
        assert!(
            paid.feedback_open(paid_at + FEEDBACK_DAYS * day),
            "the 60th day"
        );
        assert!(
            !paid.feedback_open(paid_at + FEEDBACK_DAYS * day + 1),
            "not after"
        );
        let cancelled = order(Some(paid_at), OrderState::Cancelled);
        assert!(!cancelled.feedback_open(paid_at), "a cancelled sale");
    }

    #[test]
    fn states_read_back_from_their_words() {
        for s in OrderState::STEPS.into_iter().chain([OrderState::Cancelled]) {
            assert_eq!(OrderState::parse(s.as_str()), Some(s));
        }
        assert_eq!(OrderState::parse("shipped "), None);
    }

    #[test]
    fn an_address_is_trimmed_and_checked_field_by_field() {
        let ok = Address {
            name: " Ann Lee ".into(),
            line1: "1 Long Road".into(),
            line2: String::new(),
            city: "Leeds".into(),
            postcode: "LS1 1AA".into(),
            country: "United Kingdom".into(),
        }
        .checked()
        .unwrap();
        assert_eq!(ok.name, "Ann Lee");
        let bad = Address {
            name: "x".repeat(NAME_MAX + 1),
            line1: "   ".into(),
            city: "Le\u{7}eds".into(),
            ..ok
        }
        .checked()
        .unwrap_err();
        assert_eq!(bad.get("name"), Some(OrderProblem::TooLong));
        assert_eq!(bad.get("line1"), Some(OrderProblem::Missing));
        assert_eq!(bad.get("city"), Some(OrderProblem::Control));
        assert_eq!(bad.get("line2"), None);
        assert_eq!(bad.get("postcode"), None);
    }
}
