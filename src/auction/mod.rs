//! The auction: maximum (proxy) bids, the reserve, soft close, Buy It Now and closing at the
//! end. This file holds the problems a bid can report and the answer to a bid; [`api`] has the
//! bid and Buy It Now server functions, `server` (feature `ssr`) the scripts' typed wrappers
//! and the closing job, `ui` the bid form.

pub mod api;
#[cfg(feature = "ssr")]
pub mod server;
pub mod ui;

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
        /// Buy It Now is gone (bidding took over) or was never offered.
        BuyNowGone = "buynow-gone" => "Buy It Now is no longer available: bidding has started.",
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
    fn bid_problem_codes_round_trip() {
        crate::util::problem::assert_codes_round_trip::<BidProblem>();
        assert_eq!(
            bid_message(BidProblem::TooLow, 1250),
            "Bid at least $12.50."
        );
    }
}
