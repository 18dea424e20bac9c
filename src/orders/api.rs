//! Server functions: the order page's data, its steps (pay, ship, receive, cancel unpaid),
//! feedback and the parties' messages. The forms are plain `POST`
//! forms (JavaScript on or off): a step redirects back to the order page, with a one-time
//! notice when it was taken, or with its problems (`?e=field:code`; the typed address is not
//! put in the URL: the form's `required` and `maxlength` catch most mistakes before sending).

// A server function takes its form's fields as arguments (form-encoded bodies are flat): the
// checkout form has eight.
#![allow(clippy::too_many_arguments)]

use crate::error::AppError;
use crate::orders::{OrderPageData, OrderState};
use crate::util::id::ItemId;
use leptos::prelude::*;

/// The query parameter carrying a refused step's problems back to the order page.
pub const ORDER_PROBLEMS_PARAM: &str = "e";

/// What a step answers a script (the plain form post gets a redirect).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StepReply {
    /// Where the order is now.
    pub state: Option<OrderState>,
    /// `field:code,…` when refused (empty when taken).
    pub problems: String,
}

/// A user's rating (item pages show the seller's; reused by the instance for 2 s).
#[server(prefix = "/api", endpoint = "users/rating")]
pub async fn user_rating(
    user: crate::util::id::UserId,
) -> Result<crate::orders::RatingSummary, AppError> {
    let state = crate::server::state::current()?;
    crate::accounts::server::rating::recent_summary(&state.db, user).await
}

/// The order page: `None` when nobody is signed in; not found for anyone but its buyer, its
/// seller and the bidder a second-chance offer of it is open to, and for an item without an
/// order.
#[server(prefix = "/api", endpoint = "orders/get")]
pub async fn order_page(item_id: ItemId) -> Result<Option<OrderPageData>, AppError> {
    use crate::orders::Role;
    let state = crate::server::state::current()?;
    let Some(user) = crate::accounts::server::current_user(&state).await? else {
        return Ok(None);
    };
    let order = crate::orders::server::get(&state.db, item_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let now_ms = crate::util::time::now_ms();
    let ms = |d: std::time::Duration| d.as_millis() as i64;
    let cancel_from_ms = order.created_at_ms + ms(state.config.unpaid_after);
    let auto_receive_at_ms = order
        .shipped_at_ms
        .map(|at| at + ms(state.config.auto_receive_after));
    let test_payments = crate::orders::server::payments::provider().is_test();
    let Some(role) = order.role_of(user.id) else {
        // The bidder a second-chance offer is open to sees it (and only it).
        let Some(offer) = order
            .offer
            .clone()
            .filter(|o| o.to_id == user.id && o.is_open(now_ms))
        else {
            return Err(AppError::NotFound);
        };
        // They see the item and the offer, nothing of the sale that was cancelled.
        let order = crate::orders::Order {
            buyer_id: offer.to_id,
            buyer_name: offer.to_name.clone(),
            price_cents: offer.price_cents,
            created_at_ms: 0,
            paid_at_ms: None,
            shipped_at_ms: None,
            received_at_ms: None,
            cancelled_at_ms: None,
            address: None,
            payment_ref: None,
            carrier: None,
            tracking: None,
            offer: Some(offer),
            ..order
        };
        return Ok(Some(OrderPageData {
            order,
            role: None,
            can_offer_to: None,
            my_feedback: None,
            their_feedback: None,
            may_leave_feedback: false,
            cancel_from_ms,
            auto_receive_at_ms,
            test_payments,
            messages: Vec::new(),
            now_ms,
        }));
    };
    let (other, other_role) = other_party(&order, role);
    use crate::orders::server::feedback::given;
    let (mine, theirs, messages) = tokio::join!(
        given(&state.db, other, item_id, role),
        given(&state.db, user.id, item_id, other_role),
        crate::orders::server::messages::list(&state.db, item_id),
    );
    let (my_feedback, their_feedback, messages) = (mine?, theirs?, messages?);
    // A cancelled sale not offered yet: to whom its seller may offer it.
    let can_offer_to =
        if role == Role::Seller && order.state == OrderState::Cancelled && order.offer.is_none() {
            crate::orders::server::next_bidder(&state.db, item_id, order.buyer_id)
                .await?
                .map(|(_, name, cents)| (name, cents))
        } else {
            None
        };
    Ok(Some(OrderPageData {
        may_leave_feedback: my_feedback.is_none() && order.feedback_open(now_ms),
        cancel_from_ms,
        auto_receive_at_ms,
        order,
        role: Some(role),
        can_offer_to,
        my_feedback,
        their_feedback,
        test_payments,
        messages,
        now_ms,
    }))
}

/// A message to the other party of an order (its buyer or its seller only), within the
/// messages' rate limit; the other party hears of it. Back to the order's messages.
#[server(prefix = "/api", endpoint = "orders/message")]
pub async fn send_order_message(
    item_id: ItemId,
    #[server(default)] text: String,
) -> Result<StepReply, AppError> {
    use crate::orders::server::messages::{send, Sent};
    use crate::orders::{OrderProblem, MESSAGE_RULE};
    use crate::server::http::forms::redirect_plain_post_with_notice;
    use crate::util::problem::FieldErrors;
    let state = crate::server::state::current()?;
    let limit = crate::orders::server::messages::LIMIT;
    let action = crate::server::redis::rate_limit::Action::OrderMessage;
    let Some(user) = steps::signed_in_within(&state, item_id, action, limit).await? else {
        return Ok(StepReply {
            state: None,
            problems: FieldErrors::form(OrderProblem::SignIn).to_codes(),
        });
    };
    let Ok(text) = crate::util::text::clean(&text, MESSAGE_RULE) else {
        let mut problems = FieldErrors::default();
        problems.set("text", OrderProblem::MessageText);
        return steps::refused_at(item_id, problems, None, "messages");
    };
    match send(&state.db, item_id, user.id, &user.username, &text).await? {
        Sent::Sent { .. } => {
            redirect_plain_post_with_notice(&format!("/orders/{item_id}#messages"), "message");
            crate::orders::server::messages::announce(&state.db, item_id, user.id);
            Ok(StepReply {
                state: None,
                problems: String::new(),
            })
        }
        Sent::NotFound => Err(AppError::NotFound),
        // Anyone else is told there is no such order, as the order page tells them.
        Sent::NotYours => Err(AppError::NotFound),
        Sent::Full => steps::refused_at(
            item_id,
            FieldErrors::form(OrderProblem::MessagesFull),
            None,
            "messages",
        ),
    }
}

/// The seller offers a cancelled sale to the next bidder, at that bidder's highest bid, for
/// `RBAY_OFFER_SECS`.
#[server(prefix = "/api", endpoint = "orders/offer")]
pub async fn offer_second_chance(item_id: ItemId) -> Result<StepReply, AppError> {
    use crate::orders::server::{take_step, Step, StepOutcome};
    use crate::orders::OrderProblem;
    use crate::util::problem::FieldErrors;
    let state = crate::server::state::current()?;
    let Some(user) = steps::signed_in(&state, item_id).await? else {
        return steps::refused(item_id, FieldErrors::form(OrderProblem::SignIn), None);
    };
    let order = crate::orders::server::get(&state.db, item_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if order.role_of(user.id) != Some(crate::orders::Role::Seller) {
        return steps::answer(&state, item_id, StepOutcome::NotYours, "");
    }
    if order.state != OrderState::Cancelled || order.offer.is_some() {
        return steps::answer(&state, item_id, StepOutcome::WrongState(order.state), "");
    }
    let Some((to, to_name, price_cents)) =
        crate::orders::server::next_bidder(&state.db, item_id, order.buyer_id).await?
    else {
        return steps::refused(
            item_id,
            FieldErrors::form(OrderProblem::NoOtherBidder),
            None,
        );
    };
    let expires_at_ms = crate::util::time::now_ms() + state.config.offer_for.as_millis() as i64;
    // The expiry is scheduled first (once per order): an offer is never left open for good.
    crate::orders::server::schedule_offer_expiry(&state.db, item_id, expires_at_ms)
        .await
        .map_err(|e| {
            tracing::warn!(item_id = %item_id, error = %e, "offer expiry not scheduled");
            AppError::Unavailable
        })?;
    let step = Step::Offer {
        to,
        to_name,
        price_cents,
        expires_at_ms,
    };
    let outcome = take_step(&state.db, item_id, user.id, &step).await?;
    if outcome == StepOutcome::Done(OrderState::Cancelled) {
        // Only the bidder hears of it (the sale's first buyer heard of the cancel already).
        crate::orders::server::announce_offer(&state.db, item_id);
        crate::server::http::forms::redirect_plain_post_with_notice(
            &format!("/orders/{item_id}"),
            "offered",
        );
        return Ok(StepReply {
            state: Some(OrderState::Cancelled),
            problems: String::new(),
        });
    }
    steps::answer(&state, item_id, outcome, "offered")
}

/// The bidder takes a second-chance offer: the sale is theirs, awaiting their payment.
#[server(prefix = "/api", endpoint = "orders/accept")]
pub async fn accept_offer(item_id: ItemId) -> Result<StepReply, AppError> {
    use crate::orders::server::{take_step, Step, StepOutcome};
    use crate::orders::OrderProblem;
    use crate::util::problem::FieldErrors;
    let state = crate::server::state::current()?;
    let Some(user) = steps::signed_in(&state, item_id).await? else {
        return steps::refused(item_id, FieldErrors::form(OrderProblem::SignIn), None);
    };
    let outcome = take_step(&state.db, item_id, user.id, &Step::Accept).await?;
    if outcome == StepOutcome::Done(OrderState::AwaitingPayment) {
        // The sale is theirs now: they are reminded to pay like any buyer.
        if let Err(e) =
            crate::orders::server::schedule_payment_reminder(&state.db, item_id, user.id).await
        {
            tracing::warn!(item_id = %item_id, error = %e, "payment reminder not scheduled");
        }
    }
    steps::answer(&state, item_id, outcome, "accepted")
}

/// The other party of `order` for the one on side `role`, and their side.
#[cfg(feature = "ssr")]
fn other_party(
    order: &crate::orders::Order,
    role: crate::orders::Role,
) -> (crate::util::id::UserId, crate::orders::Role) {
    use crate::orders::Role;
    match role {
        Role::Buyer => (order.seller_id, Role::Seller),
        Role::Seller => (order.buyer_id, Role::Buyer),
    }
}

/// Feedback on the other party of an order: once per side, from payment until
/// [`crate::orders::FEEDBACK_DAYS`] after it.
#[server(prefix = "/api", endpoint = "orders/feedback")]
pub async fn leave_feedback(
    item_id: ItemId,
    #[server(default)] rating: String,
    #[server(default)] comment: String,
) -> Result<StepReply, AppError> {
    use crate::orders::server::feedback::{leave, Left};
    use crate::orders::{check_text, Feedback, OrderProblem, Rating, FEEDBACK_MAX};
    use crate::util::problem::FieldErrors;
    let state = crate::server::state::current()?;
    let Some(user) = steps::signed_in(&state, item_id).await? else {
        return steps::refused(item_id, FieldErrors::form(OrderProblem::SignIn), None);
    };
    let comment = comment.trim().to_string();
    let mut problems = FieldErrors::default();
    let rating = Rating::parse(&rating);
    if rating.is_none() {
        problems.set("rating", OrderProblem::NoRating);
    }
    problems.check("comment", check_text(&comment, FEEDBACK_MAX, false));
    let Some(rating) = rating.filter(|_| problems.is_empty()) else {
        return steps::refused(item_id, problems, None);
    };
    let order = crate::orders::server::get(&state.db, item_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let Some(role) = order.role_of(user.id) else {
        return steps::refused(item_id, FieldErrors::form(OrderProblem::NotYours), None);
    };
    let now_ms = crate::util::time::now_ms();
    if !order.feedback_open(now_ms) {
        return steps::refused(
            item_id,
            FieldErrors::form(OrderProblem::FeedbackClosed),
            None,
        );
    }
    let (to, _) = other_party(&order, role);
    let feedback = Feedback {
        item_id,
        item_name: order.item_name.clone(),
        from_id: user.id,
        from_name: user.username.clone(),
        from_role: role,
        rating,
        comment,
        at_ms: now_ms,
    };
    match leave(&state.db, to, &feedback).await? {
        Left::Done => {
            crate::server::http::forms::redirect_plain_post_with_notice(
                &format!("/orders/{item_id}"),
                "feedback",
            );
            Ok(StepReply {
                state: Some(order.state),
                problems: String::new(),
            })
        }
        Left::Already => steps::refused(
            item_id,
            FieldErrors::form(OrderProblem::FeedbackGiven),
            Some(order.state),
        ),
    }
}

/// The buyer pays and says where to send it.
#[server(prefix = "/api", endpoint = "orders/pay")]
pub async fn pay_order(
    item_id: ItemId,
    name: String,
    line1: String,
    #[server(default)] line2: String,
    city: String,
    postcode: String,
    country: String,
    /// The test provider's "decline this payment" box (absent when unticked).
    #[server(default)]
    decline: Option<String>,
) -> Result<StepReply, AppError> {
    use crate::orders::server::payments::{Charge, Charged};
    use crate::orders::server::{take_step, Step};
    use crate::orders::{Address, OrderProblem};
    use crate::util::problem::FieldErrors;
    let state = crate::server::state::current()?;
    let Some(user) = steps::signed_in(&state, item_id).await? else {
        return steps::refused(item_id, FieldErrors::form(OrderProblem::SignIn), None);
    };
    let address = Address {
        name,
        line1,
        line2,
        city,
        postcode,
        country,
    };
    let address = match address.checked() {
        Ok(address) => address,
        Err(problems) => return steps::refused(item_id, problems, None),
    };
    // Only the buyer of an order awaiting payment gets as far as the provider.
    let order = crate::orders::server::get(&state.db, item_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if order.role_of(user.id) != Some(crate::orders::Role::Buyer) {
        return steps::answer(
            &state,
            item_id,
            crate::orders::server::StepOutcome::NotYours,
            "",
        );
    }
    if order.state != OrderState::AwaitingPayment {
        // Paid already (a retry, a second tab): said so, and nothing is charged again.
        let found = if order.payment_ref.is_some() {
            crate::orders::server::StepOutcome::AlreadyPaid
        } else {
            crate::orders::server::StepOutcome::WrongState(order.state)
        };
        return steps::answer(&state, item_id, found, "");
    }
    let charge = Charge {
        order: item_id,
        buyer: user.id,
        amount_cents: order.price_cents,
        decline: decline.is_some(),
    };
    let payment_ref = match crate::orders::server::payments::provider()
        .charge(&state.db, &charge)
        .await?
    {
        Charged::Yes { reference } => reference,
        Charged::Declined => {
            return steps::refused(item_id, FieldErrors::form(OrderProblem::Declined), None);
        }
    };
    let step = Step::Pay {
        payment_ref,
        address,
    };
    let outcome = take_step(&state.db, item_id, user.id, &step).await?;
    if let crate::orders::server::StepOutcome::WrongState(_) = outcome {
        // The sale was cancelled between the charge and the step: the money goes back.
        crate::orders::server::payments::provider()
            .refund(&state.db, &charge)
            .await?;
    }
    steps::answer(&state, item_id, outcome, "paid")
}

/// The seller marks it shipped (carrier and tracking are optional).
#[server(prefix = "/api", endpoint = "orders/ship")]
pub async fn ship_order(
    item_id: ItemId,
    #[server(default)] carrier: String,
    #[server(default)] tracking: String,
) -> Result<StepReply, AppError> {
    use crate::orders::server::{take_step, Step};
    use crate::orders::{check_text, OrderProblem, CARRIER_MAX, TRACKING_MAX};
    use crate::util::problem::FieldErrors;
    let state = crate::server::state::current()?;
    let Some(user) = steps::signed_in(&state, item_id).await? else {
        return steps::refused(item_id, FieldErrors::form(OrderProblem::SignIn), None);
    };
    let (carrier, tracking) = (carrier.trim().to_string(), tracking.trim().to_string());
    let mut problems = FieldErrors::default();
    problems.check("carrier", check_text(&carrier, CARRIER_MAX, false));
    problems.check("tracking", check_text(&tracking, TRACKING_MAX, false));
    if !problems.is_empty() {
        return steps::refused(item_id, problems, None);
    }
    // Receipt is confirmed for the buyer if they do not confirm it in time: the job is
    // scheduled before the step (once per order), so a shipped order always has one; a job
    // that finds the order elsewhere does nothing.
    let order = crate::orders::server::get(&state.db, item_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if order.role_of(user.id) == Some(crate::orders::Role::Seller)
        && order.state == OrderState::Paid
    {
        let after = state.config.auto_receive_after;
        crate::orders::server::schedule_auto_receive(&state.db, item_id, after)
            .await
            .map_err(|e| {
                tracing::warn!(item_id = %item_id, error = %e, "auto-receive job not scheduled");
                AppError::Unavailable
            })?;
    }
    let step = Step::Ship { carrier, tracking };
    let outcome = take_step(&state.db, item_id, user.id, &step).await?;
    steps::answer(&state, item_id, outcome, "shipped")
}

/// The seller cancels a sale the buyer has not paid for in time
/// (`RBAY_UNPAID_AFTER_SECS` after it).
#[server(prefix = "/api", endpoint = "orders/cancel")]
pub async fn cancel_order(item_id: ItemId) -> Result<StepReply, AppError> {
    use crate::orders::server::{take_step, Step};
    use crate::orders::OrderProblem;
    use crate::util::problem::FieldErrors;
    let state = crate::server::state::current()?;
    let Some(user) = steps::signed_in(&state, item_id).await? else {
        return steps::refused(item_id, FieldErrors::form(OrderProblem::SignIn), None);
    };
    let step = Step::Cancel {
        unpaid_after_ms: state.config.unpaid_after.as_millis() as i64,
    };
    let outcome = take_step(&state.db, item_id, user.id, &step).await?;
    steps::answer(&state, item_id, outcome, "cancelled")
}

/// The buyer confirms it arrived.
#[server(prefix = "/api", endpoint = "orders/receive")]
pub async fn receive_order(item_id: ItemId) -> Result<StepReply, AppError> {
    use crate::orders::server::{take_step, Step};
    use crate::orders::OrderProblem;
    use crate::util::problem::FieldErrors;
    let state = crate::server::state::current()?;
    let Some(user) = steps::signed_in(&state, item_id).await? else {
        return steps::refused(item_id, FieldErrors::form(OrderProblem::SignIn), None);
    };
    let outcome = take_step(&state.db, item_id, user.id, &Step::Receive).await?;
    steps::answer(&state, item_id, outcome, "received")
}

/// What the three steps share: who takes them, and how they answer.
#[cfg(feature = "ssr")]
mod steps {
    use super::{StepReply, ORDER_PROBLEMS_PARAM};
    use crate::accounts::CurrentUser;
    use crate::error::AppError;
    use crate::orders::server::StepOutcome;
    use crate::orders::{OrderProblem, OrderState};
    use crate::server::http::forms::{redirect_plain_post, redirect_plain_post_with_notice};
    use crate::server::redis::rate_limit::Action;
    use crate::server::state::AppState;
    use crate::util::id::ItemId;
    use crate::util::problem::FieldErrors;

    /// The signed-in user taking a step, within the steps' rate limit (a refused one is an
    /// error answered 429).
    pub async fn signed_in(
        state: &AppState,
        item: ItemId,
    ) -> Result<Option<CurrentUser>, AppError> {
        signed_in_within(
            state,
            item,
            Action::OrderStep,
            crate::orders::server::STEP_LIMIT,
        )
        .await
    }

    /// The signed-in user acting on the order of `item`, within `action`'s `limit` (a refused
    /// one is an error answered 429); `None` without a session, and then a plain form post is
    /// sent to sign in and back.
    pub async fn signed_in_within(
        state: &AppState,
        item: ItemId,
        action: Action,
        limit: crate::server::redis::rate_limit::Limit,
    ) -> Result<Option<CurrentUser>, AppError> {
        let checked = crate::accounts::server::current_user_within(state, action, limit).await?;
        match checked {
            None => {
                let back = crate::accounts::sign_in_url(&format!("/orders/{item}"));
                redirect_plain_post(&back);
                Ok(None)
            }
            Some((_, Err(secs))) => Err(AppError::RateLimited {
                retry_after_secs: secs,
            }),
            Some((user, Ok(()))) => Ok(Some(user)),
        }
    }

    /// A refused step: back to the order page's next step with its problems.
    pub fn refused(
        item: ItemId,
        problems: FieldErrors<OrderProblem>,
        state: Option<OrderState>,
    ) -> Result<StepReply, AppError> {
        refused_at(item, problems, state, "next-step")
    }

    /// A refused form: back to the part of the order page (`anchor`) it was sent from.
    pub fn refused_at(
        item: ItemId,
        problems: FieldErrors<OrderProblem>,
        state: Option<OrderState>,
        anchor: &str,
    ) -> Result<StepReply, AppError> {
        let codes = problems.to_codes();
        let query = serde_urlencoded::to_string([(ORDER_PROBLEMS_PARAM, codes.as_str())])
            .unwrap_or_default();
        redirect_plain_post(&format!("/orders/{item}?{query}#{anchor}"));
        Ok(StepReply {
            state,
            problems: codes,
        })
    }

    /// The answer to a step the script decided.
    pub fn answer(
        state: &AppState,
        item: ItemId,
        outcome: StepOutcome,
        notice: &str,
    ) -> Result<StepReply, AppError> {
        let problem = match outcome {
            StepOutcome::Done(now) => {
                redirect_plain_post_with_notice(&format!("/orders/{item}"), notice);
                crate::orders::server::announce(&state.db, item, now);
                return Ok(StepReply {
                    state: Some(now),
                    problems: String::new(),
                });
            }
            StepOutcome::Missing => return Err(AppError::NotFound),
            StepOutcome::NotYours => OrderProblem::NotYours,
            StepOutcome::AlreadyPaid => OrderProblem::AlreadyPaid,
            StepOutcome::WrongState(_) => OrderProblem::WrongState,
            StepOutcome::TooEarly(_) => OrderProblem::TooEarly,
        };
        let state = match outcome {
            StepOutcome::WrongState(s) => Some(s),
            _ => None,
        };
        refused(item, FieldErrors::form(problem), state)
    }
}
