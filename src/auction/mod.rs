//! The auction: maximum (proxy) bids, the reserve, soft close, Buy It Now and closing at the
//! end. This file holds the problems a bid can report and the answer to a bid; [`api`] has the
//! bid and Buy It Now server functions, `server` (feature `ssr`) the scripts' typed wrappers
//! and the closing job, `ui` the bid form.

pub mod api;
#[cfg(feature = "ssr")]
pub mod server;
pub mod ui;

use crate::util::id::UserId;
use crate::util::money::AmountError;
use serde::{Deserialize, Serialize};

/// The one-time notice after a bid placed without JavaScript (see `server::http::forms`).
pub const BID_PLACED: &str = "bid_placed";

/// The item page's parameter for the code of a bid refused without JavaScript.
pub const BID_PROBLEM_PARAM: &str = "bid_error";

/// What a bid refused without JavaScript sends back to the item page: the amount typed (see
/// `util::echo`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct BidEcho {
    pub amount: String,
}

impl crate::util::echo::Echo for BidEcho {
    fn clipped(self) -> Self {
        BidEcho {
            amount: crate::util::url::clip(&self.amount, crate::util::money::AMOUNT_MAX_CHARS),
        }
    }
}

crate::problems! {
    /// Why a bid was refused.
    pub enum BidProblem {
        SignIn = "signin" => "Sign in to bid.",
        AmountEmpty = "amount-empty" => AmountError::Empty.message(),
        AmountNan = "amount-nan" => AmountError::NotANumber.message(),
        AmountNegative = "amount-negative" => AmountError::Negative.message(),
        AmountZero = "amount-zero" => AmountError::Zero.message(),
        AmountDecimals = "amount-decimals" => AmountError::TooManyDecimals.message(),
        AmountLarge = "amount-large" => AmountError::TooLarge.message(),
        NotFound = "notfound" => "This auction doesn't exist.",
        Ended = "ended" => "This auction has ended; no more bids.",
        OwnItem = "own" => "You can't bid on your own item.",
        /// A moderator hid the listing.
        Removed = "removed" => "This listing was removed; it takes no bids.",
        /// The seller blocked the bidder (`moderation`).
        Blocked = "blocked" => "The seller of this item does not accept your bids.",
        /// Buy It Now is gone (bidding took over) or was never offered.
        BuyNowGone = "buynow-gone" => "Buy It Now is no longer available: bidding has started.",
        /// The seller changed the Buy It Now price after the buyer's page showed it.
        BuyNowPriceChanged = "buynow-price" => "The seller changed the Buy It Now price since you opened this page: nothing was bought. Check the new price below.",
        /// Below the minimum: [`bid_message`] names the minimum.
        TooLow = "low" => "Your bid is below the minimum.",
    }
}

impl From<AmountError> for BidProblem {
    fn from(e: AmountError) -> Self {
        match e {
            AmountError::Empty => BidProblem::AmountEmpty,
            AmountError::NotANumber => BidProblem::AmountNan,
            AmountError::Negative => BidProblem::AmountNegative,
            AmountError::Zero => BidProblem::AmountZero,
            AmountError::TooManyDecimals => BidProblem::AmountDecimals,
            AmountError::TooLarge => BidProblem::AmountLarge,
        }
    }
}

/// Where the viewer stands on an auction, as the item page says it. The server renders it and
/// the standing island (`ui::standing`) changes it as bids and the end arrive, with the same
/// words and classes, from these functions only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Standing {
    /// The viewer has not bid (or is the seller): nothing is said.
    Nothing,
    /// Live, and the viewer leads (with their maximum when it is known).
    Leading { max_cents: Option<i64> },
    /// Live, and someone else leads.
    Outbid,
    /// Ended with the viewer as the buyer.
    Won,
    /// Ended, and the viewer did not win.
    Lost,
}

impl Standing {
    /// From the page's data: `leads` (the viewer is the high bidder), the viewer's own
    /// maximum (they bid at all), and whether the reserve stopped the sale.
    pub fn of_viewer(
        live: bool,
        leads: bool,
        reserve_unmet: bool,
        my_max_cents: Option<i64>,
    ) -> Self {
        match (live, leads, my_max_cents) {
            (true, true, Some(max)) => Standing::Leading {
                max_cents: Some(max),
            },
            (true, false, Some(_)) => Standing::Outbid,
            (false, true, _) if !reserve_unmet => Standing::Won,
            (false, _, Some(_)) => Standing::Lost,
            _ => Standing::Nothing,
        }
    }

    /// After anyone's bid, seen by `viewer`: `leader` leads now and `bidders` placed the rows
    /// the bid added (a bid and the leader's automatic answer). A leader who stays in the lead
    /// keeps their maximum; a viewer who led or bid in it and does not lead is outbid.
    pub fn after_bid(
        self,
        viewer: Option<UserId>,
        leader: UserId,
        bidders: impl IntoIterator<Item = UserId>,
    ) -> Self {
        let Some(me) = viewer else {
            return self;
        };
        let led = matches!(self, Standing::Leading { .. });
        if leader == me {
            if led {
                self
            } else {
                Standing::Leading { max_cents: None }
            }
        } else if led || bidders.into_iter().any(|b| b == me) {
            Standing::Outbid
        } else {
            self
        }
    }

    /// After the viewer's own accepted bid: in the lead with their maximum, or answered at once
    /// by an earlier, higher maximum.
    pub fn after_own_bid(leading: bool, max_cents: i64) -> Self {
        if leading {
            Standing::Leading {
                max_cents: Some(max_cents),
            }
        } else {
            Standing::Outbid
        }
    }

    /// When the auction ends; `sold` when it sold to its leader (the reserve, if any, met).
    pub fn at_end(self, sold: bool) -> Self {
        match self {
            Standing::Leading { .. } if sold => Standing::Won,
            Standing::Leading { .. } | Standing::Outbid => Standing::Lost,
            other => other,
        }
    }

    /// The class of the standing's line (green, orange, or none).
    pub fn class(self) -> &'static str {
        match self {
            Standing::Nothing => "",
            Standing::Leading { .. } => "leading",
            Standing::Outbid | Standing::Lost => "outbid",
            Standing::Won => "won",
        }
    }

    /// What the line says.
    pub fn text(self) -> String {
        match self {
            Standing::Nothing => String::new(),
            Standing::Leading { max_cents: None } => "You have the highest bid.".into(),
            Standing::Leading {
                max_cents: Some(max),
            } => format!(
                "You have the highest bid. Your maximum: {}.",
                crate::util::money::format_cents(max)
            ),
            Standing::Outbid => "You were outbid.".into(),
            Standing::Won => {
                "You won this auction! Pay and say where to send it on its order page.".into()
            }
            Standing::Lost => "Ended — you were outbid.".into(),
        }
    }
}

/// How an auction ended, as its status line says it: `winner` is who bought it (or the high
/// bidder), `bought` a Buy It Now, `reserve_met` false when the reserve stopped the sale (the
/// live event names no winner then).
pub fn outcome_text(
    winner: Option<&str>,
    bought: bool,
    reserve_met: bool,
    price_cents: i64,
) -> String {
    use crate::util::money::format_cents;
    match winner {
        Some(buyer) if bought => format!("Bought now by {buyer} for {}", format_cents(price_cents)),
        Some(_) if !reserve_met => "Ended: the reserve was not met".to_string(),
        Some(winner) => format!("Sold to {winner} for {}", format_cents(price_cents)),
        None if !reserve_met => "Ended: the reserve was not met".to_string(),
        None => "Ended without bids".to_string(),
    }
}

/// The message of a bid problem; `min_bid_cents` fills in "bid at least $X".
pub fn bid_message(problem: BidProblem, min_bid_cents: i64) -> String {
    use crate::util::problem::Problem as _;
    match problem {
        BidProblem::TooLow => format!(
            "Bid at least {}.",
            crate::util::money::format_cents(min_bid_cents)
        ),
        other => other.message(),
    }
}

/// Answer to a bid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum BidReply {
    Accepted {
        price_cents: i64,
        bids: i64,
        min_next_cents: i64,
        /// Does the bidder lead now? (`false`: their maximum was recorded but an earlier,
        /// higher or equal maximum answered it at once.)
        leading: bool,
        /// The bidder's maximum as it stands.
        max_cents: i64,
    },
    Rejected {
        message: String,
        min_next_cents: Option<i64>,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_and_the_live_page_say_the_same_standing() {
        let leading = Standing::of_viewer(true, true, false, Some(1250));
        assert_eq!(leading.class(), "leading");
        assert_eq!(
            leading.text(),
            "You have the highest bid. Your maximum: $12.50."
        );
        assert_eq!(
            Standing::of_viewer(true, false, false, Some(100)),
            Standing::Outbid
        );
        assert_eq!(
            Standing::of_viewer(false, true, false, Some(100)),
            Standing::Won
        );
        assert_eq!(
            Standing::of_viewer(false, true, true, Some(100)),
            Standing::Lost,
            "leading, but the reserve stopped the sale"
        );
        assert_eq!(
            Standing::of_viewer(true, false, false, None),
            Standing::Nothing
        );
        assert_eq!(Standing::Nothing.text(), "");
        assert_eq!(
            outcome_text(Some("ana"), true, true, 5000),
            "Bought now by ana for $50.00"
        );
        assert_eq!(
            outcome_text(Some("ana"), false, true, 5000),
            "Sold to ana for $50.00"
        );
        assert_eq!(
            outcome_text(None, false, false, 5000),
            "Ended: the reserve was not met"
        );
        assert_eq!(outcome_text(None, false, true, 100), "Ended without bids");
    }

    #[test]
    fn the_standing_follows_bids_and_the_end() {
        let me = Some(UserId(7));
        let leading = Standing::Leading {
            max_cents: Some(900),
        };
        // Someone else bids below my maximum: my automatic answer keeps me in the lead, with it.
        assert_eq!(
            leading.after_bid(me, UserId(7), [UserId(8), UserId(7)]),
            leading
        );
        // Above it: outbid.
        assert_eq!(
            leading.after_bid(me, UserId(8), [UserId(8)]),
            Standing::Outbid
        );
        // I had not bid: another's bid says nothing to me.
        assert_eq!(
            Standing::Nothing.after_bid(me, UserId(8), [UserId(8)]),
            Standing::Nothing
        );
        // My bid (from another window) that leads.
        assert_eq!(
            Standing::Outbid.after_bid(me, UserId(7), [UserId(7)]),
            Standing::Leading { max_cents: None }
        );
        // My bid answered at once by a higher maximum.
        assert_eq!(
            Standing::Nothing.after_bid(me, UserId(8), [UserId(7), UserId(8)]),
            Standing::Outbid
        );
        // A visitor has no standing.
        assert_eq!(
            Standing::Nothing.after_bid(None, UserId(8), [UserId(8)]),
            Standing::Nothing
        );
        assert_eq!(
            Standing::after_own_bid(true, 500),
            Standing::Leading {
                max_cents: Some(500)
            }
        );
        assert_eq!(Standing::after_own_bid(false, 500), Standing::Outbid);
        assert_eq!(leading.at_end(true), Standing::Won);
        assert_eq!(
            leading.at_end(false),
            Standing::Lost,
            "the reserve stopped it"
        );
        assert_eq!(Standing::Outbid.at_end(true), Standing::Lost);
        assert_eq!(Standing::Nothing.at_end(true), Standing::Nothing);
    }

    #[test]
    fn bid_problem_codes_round_trip() {
        crate::util::problem::assert_codes_round_trip::<BidProblem>();
        assert_eq!(
            bid_message(BidProblem::TooLow, 1250),
            "Bid at least $12.50."
        );
    }
}
