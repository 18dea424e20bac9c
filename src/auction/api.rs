//! Server functions: bids and Buy It Now. Hydrated islands get data; plain form posts
//! (JavaScript off) get a redirect back to the item page with a result code.

use crate::auction::BidReply;
use crate::error::AppError;
use crate::items::ItemId;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "items/bid")]
pub async fn place_bid(item_id: ItemId, amount: String) -> Result<BidReply, AppError> {
    use crate::auction::server::bids::{self, BidOutcome};
    use crate::auction::{bid_message, BidProblem};
    use crate::auction::{BidEcho, BID_PROBLEM_PARAM};
    use crate::server::http::forms::{redirect_plain_post, redirect_plain_post_with_notice};
    use crate::server::redis::rate_limit::Action;
    use crate::util::echo;
    use crate::util::problem::Problem as _;
    let state = crate::server::state::current()?;
    let id = item_id;
    let page = format!("/items/{id}");
    let reject = |problem: BidProblem, min: Option<i64>| {
        let amount = amount.clone();
        redirect_plain_post(&echo::url(
            &page,
            (BID_PROBLEM_PARAM, &problem.code()),
            BidEcho { amount },
            "bid",
        ));
        Ok(BidReply::Rejected {
            message: bid_message(problem, min.unwrap_or(0)),
            min_next_cents: min,
        })
    };

    let cents = match crate::util::money::parse_cents(&amount) {
        Ok(cents) => cents,
        Err(e) => return reject(e.into(), None),
    };
    // Who bids, whether they may bid now, and the bid: one script on one Redis; on a cluster
    // the session (the bidder's slot) and the bid (the item's) are a script each.
    let (user, outcome) = if state.db.is_cluster() {
        let signed_in = crate::accounts::server::current_user_within(
            &state,
            Action::Bid,
            state.config.bid_limit,
        )
        .await?;
        let Some((user, allowed)) = signed_in else {
            return reject(BidProblem::SignIn, None);
        };
        if let Err(secs) = allowed {
            return reject(BidProblem::RateLimited(secs), None);
        }
        let outcome = bids::place_bid(&state.db, user.id, &user.username, id, cents).await?;
        (user, outcome)
    } else {
        let Some(token) = crate::server::http::request::session_token() else {
            return reject(BidProblem::SignIn, None);
        };
        let signed = bids::place_bid_as(
            &state.db,
            &token,
            state.config.session_ttl,
            state.config.bid_limit,
            id,
            cents,
        )
        .await?;
        crate::accounts::server::checked_by_script(&state, &token, signed.user());
        match signed {
            bids::SignedBid::SignedOut => return reject(BidProblem::SignIn, None),
            bids::SignedBid::Limited(_, secs) => {
                return reject(BidProblem::RateLimited(secs), None)
            }
            bids::SignedBid::Placed(user, outcome) => {
                (crate::accounts::server::current_of(&user), outcome)
            }
        }
    };
    match outcome {
        BidOutcome::Accepted {
            price_cents,
            bids,
            min_next_cents,
            outbid,
            leading,
            ends_at_ms,
            end_moved,
            item_name,
            ..
        } => {
            if let Some(loser) = outbid {
                bids::notify_outbid(
                    &state.db,
                    loser,
                    id,
                    &item_name,
                    price_cents,
                    &user.username,
                );
            }
            if end_moved {
                // Soft close moved the end: the closing job follows it. (Should this fail, the
                // job for the old end finds the auction running and schedules the new end.)
                if let Err(e) =
                    crate::items::server::close_job::schedule(&state.db, id, ends_at_ms).await
                {
                    tracing::warn!(item_id = %id, error = %e, "closing not rescheduled");
                }
            }
            // Answered "placed" only once the configured replicas hold it (none by default);
            // its follow-ups above happen either way, as the bid stands on its primary.
            state.db.replicated(&state.db.keys().item_state(id)).await?;
            redirect_plain_post_with_notice(&format!("{page}#bid"), crate::auction::BID_PLACED);
            Ok(BidReply::Accepted {
                price_cents,
                bids,
                min_next_cents,
                leading,
                max_cents: cents,
            })
        }
        BidOutcome::Rejected(r) => {
            let (problem, min) = r.problem();
            reject(problem, min)
        }
    }
}

/// Buy It Now. Plain form posts return to the item page with the result.
/// `price_cents` is the price the buyer's page showed (the confirming form sends it): a price
/// revised since is refused, never charged.
#[server(prefix = "/api", endpoint = "items/buy")]
pub async fn buy_now(item_id: ItemId, price_cents: Option<i64>) -> Result<BidReply, AppError> {
    use crate::auction::server::bids::{self, BuyOutcome};
    use crate::auction::BID_PROBLEM_PARAM;
    use crate::auction::{bid_message, BidProblem};
    use crate::server::http::forms::redirect_plain_post;
    use crate::server::redis::rate_limit::Action;
    use crate::util::echo;
    use crate::util::problem::Problem as _;
    let state = crate::server::state::current()?;
    let id = item_id;
    let page = format!("/items/{id}");
    let reject = |problem: BidProblem| {
        redirect_plain_post(&echo::url(
            &page,
            (BID_PROBLEM_PARAM, &problem.code()),
            (),
            "bid",
        ));
        Ok(BidReply::Rejected {
            message: bid_message(problem, 0),
            min_next_cents: None,
        })
    };
    let signed_in =
        crate::accounts::server::current_user_within(&state, Action::Bid, state.config.bid_limit)
            .await?;
    let Some((user, allowed)) = signed_in else {
        return reject(BidProblem::SignIn);
    };
    if let Err(secs) = allowed {
        return reject(BidProblem::RateLimited(secs));
    }
    match bids::buy_now(&state.db, user.id, &user.username, id, price_cents).await? {
        BuyOutcome::Bought { price_cents, .. } => {
            // The winner and the seller hear about it now, not at the original end.
            let db = state.db.clone();
            tokio::spawn(async move {
                if let Err(e) = crate::auction::server::closer::notify_outcome(&db, id).await {
                    tracing::warn!(item_id = %id, error = e.message, "purchase notices not queued");
                }
            });
            state.db.replicated(&state.db.keys().item_state(id)).await?;
            redirect_plain_post(&format!("{page}#bid"));
            Ok(BidReply::Accepted {
                price_cents,
                bids: 0,
                min_next_cents: price_cents,
                leading: true,
                max_cents: price_cents,
            })
        }
        BuyOutcome::Unavailable => reject(BidProblem::BuyNowGone),
        BuyOutcome::PriceChanged { .. } => reject(BidProblem::BuyNowPriceChanged),
        BuyOutcome::Refused(r) => reject(r.problem().0),
    }
}
