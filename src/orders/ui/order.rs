//! `/orders/:id`: one sale, for its buyer and its seller — where it is, what was agreed, and
//! the next step as a plain form (the buyer's checkout, the seller's shipping, the buyer's
//! receipt). The forms post and come back, with JavaScript on or off; with it, the page
//! reloads itself when the other party moves the order on (`OrderWatch`).

use crate::error::AppError;
use crate::orders::api::{order_page, ORDER_PROBLEMS_PARAM};
use crate::orders::ui::order_watch::OrderWatch;
use crate::orders::{
    Feedback, OrderMessage, OrderPageData, OrderProblem, OrderState, Rating, Role, ADDRESS_FIELDS,
    CARRIER_MAX, CITY_MAX, COUNTRY_MAX, FEEDBACK_MAX, LINE_MAX, MESSAGES_MAX, MESSAGE_RULE,
    NAME_MAX, POSTCODE_MAX, TRACKING_MAX,
};
use crate::ui::forms::Field;
use crate::ui::status::{require_sign_in, ErrorPage};
use crate::util::id::{ItemId, UserId};
use crate::util::money::format_cents;
use crate::util::problem::FieldErrors;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

/// What a step that was taken says when its form comes back (the one-time notice's codes).
#[cfg(feature = "ssr")]
fn taken_message(code: &str) -> Option<&'static str> {
    match code {
        "paid" => Some("Paid. The seller has been told to ship it."),
        "shipped" => Some("Marked as shipped. The buyer has been told."),
        "received" => Some("Received. This sale is complete."),
        "feedback" => Some("Thank you: your feedback was left."),
        "cancelled" => Some("The sale is cancelled. The buyer has been told."),
        "offered" => Some("Offered. The bidder has been told."),
        "accepted" => Some("It is yours: pay to complete the sale."),
        "message" => Some("Sent. The other party has been told."),
        _ => None,
    }
}

#[component]
pub fn OrderPage() -> impl IntoView {
    let id = use_params_map().with_untracked(|p| p.get("id").and_then(|raw| ItemId::parse(&raw)));
    let mut fields: Vec<&str> = ADDRESS_FIELDS.to_vec();
    fields.extend(["carrier", "tracking", "rating", "comment", "text"]);
    let problems = use_query_map().with_untracked(|q| {
        q.get_str(ORDER_PROBLEMS_PARAM)
            .map(|codes| FieldErrors::<OrderProblem>::from_codes(codes, &fields))
            .unwrap_or_default()
    });
    #[cfg(feature = "ssr")]
    let taken = crate::server::http::forms::notice()
        .as_deref()
        .and_then(taken_message);
    #[cfg(not(feature = "ssr"))]
    let taken: Option<&'static str> = None;
    view! {
        <Title text="Order"/>
        <Suspense>
            {Suspend::new(async move {
                let Some(id) = id else {
                    return view! { <ErrorPage error=AppError::NotFound/> }.into_any();
                };
                match order_page(id).await {
                    Err(error) => view! { <ErrorPage error/> }.into_any(),
                    Ok(None) => require_sign_in(&format!("/orders/{id}")),
                    Ok(Some(data)) => view! { <OrderView data problems taken/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn OrderView(
    data: OrderPageData,
    problems: FieldErrors<OrderProblem>,
    taken: Option<&'static str>,
) -> impl IntoView {
    let OrderPageData {
        order,
        role,
        test_payments,
        my_feedback,
        their_feedback,
        may_leave_feedback,
        cancel_from_ms,
        auto_receive_at_ms,
        now_ms,
        can_offer_to,
        messages,
    } = data;
    let times = Times {
        cancel_from_ms,
        auto_receive_at_ms,
        now_ms,
    };
    let id = order.item_id;
    let form_problem = problems.message(crate::util::problem::FORM);
    let Some(role) = role else {
        return offer_view(&order, form_problem).into_any();
    };
    let (other_label, other_name) = match role {
        Role::Buyer => ("Seller", order.seller_name.clone()),
        Role::Seller => ("Buyer", order.buyer_name.clone()),
    };
    let other_name_for_form = other_name.clone();
    let viewer_id = match role {
        Role::Buyer => order.buyer_id,
        Role::Seller => order.seller_id,
    };
    let other_id = match role {
        Role::Buyer => order.seller_id,
        Role::Seller => order.buyer_id,
    };
    let reached = |step: OrderState| {
        let at = |s: OrderState| OrderState::STEPS.iter().position(|x| *x == s);
        matches!((at(step), at(order.state)), (Some(a), Some(b)) if a <= b)
    };
    let steps = OrderState::STEPS
        .into_iter()
        .map(|step| {
            let done = reached(step);
            let current = step == order.state;
            view! {
                <li class:done=done aria-current=current.then_some("step")>{step.label()}</li>
            }
        })
        .collect_view();
    let next = next_step(role, &order, test_payments, &problems, times, can_offer_to);
    view! {
        <section class="order-page">
            <p class="muted"><a href="/my/won">"Won and sold"</a>" › Order"</p>
            <h1>"Order: "<a href=format!("/items/{id}")>{order.item_name.clone()}</a></h1>
            <p class="order-summary">
                <span class="order-price">{format_cents(order.price_cents)}</span>" · "
                {other_label}": "<a href=format!("/users/{other_id}")>{other_name}</a>" · "
                <span data-testid="order-state" class="order-state">{order.state.label()}</span>
            </p>
            <ol class="order-steps" aria-label="Order progress">{steps}</ol>
            {taken.map(|message| view! { <p class="notice-ok" role="status">{message}</p> })}
            {form_problem.map(|message| view! { <p class="form-error" role="alert">{message}</p> })}
            {order.address.clone().map(|a| view! {
                <h2>"Ship to"</h2>
                <address class="order-address">
                    {a.name}<br/>{a.line1}<br/>
                    {(!a.line2.is_empty()).then(|| view! { {a.line2.clone()}<br/> })}
                    {a.city}" "{a.postcode}<br/>{a.country}
                </address>
            })}
            {(order.carrier.is_some() || order.tracking.is_some()).then(|| view! {
                <h2>"Shipping"</h2>
                <p>
                    {order.carrier.clone().map(|c| view! { "Carrier: "{c}" " })}
                    {order.tracking.clone().map(|t| view! { "Tracking: "<code>{t}</code> })}
                </p>
            })}
            <div id="next-step">{next}</div>
            <OrderWatch item_id=id state=order.state messages=messages.len() as u64/>
            <Messages id messages viewer=viewer_id other=other_name_for_form.clone() now_ms problem=problems.message("text")/>
            <section class="order-feedback" id="feedback">
                {(may_leave_feedback || my_feedback.is_some() || their_feedback.is_some()).then(|| view! { <h2>"Feedback"</h2> })}
                {my_feedback.map(|f| view! { <FeedbackLine feedback=f whose="Yours"/> })}
                {their_feedback.map(|f| view! { <FeedbackLine feedback=f whose="Theirs"/> })}
                {may_leave_feedback.then(|| feedback_form(id, &other_name_for_form, &problems))}
            </section>
        </section>
    }
    .into_any()
}

/// What the bidder a second-chance offer is open to sees: the offer, and taking it.
fn offer_view(order: &crate::orders::Order, problem: Option<String>) -> AnyView {
    let Some(offer) = order.offer.clone() else {
        return ().into_any();
    };
    let id = order.item_id;
    view! {
        <section class="order-page">
            <h1>"Second-chance offer: "<a href=format!("/items/{id}")>{order.item_name.clone()}</a></h1>
            {problem.map(|message| view! { <p class="form-error" role="alert">{message}</p> })}
            <p>
                {format!("{} offers it to you for {}, your highest bid: the sale to its winner was cancelled. The offer is open until {}.",
                    order.seller_name, format_cents(offer.price_cents), crate::util::time::date(offer.expires_at_ms))}
            </p>
            <form class="order-form" method="post" action="/api/orders/accept">
                <input type="hidden" name="item_id" value=id.to_string()/>
                <button type="submit" class="button">{format!("Buy it for {}", format_cents(offer.price_cents))}</button>
            </form>
            <OrderWatch item_id=id state=order.state messages=0/>
        </section>
    }
    .into_any()
}

/// The viewer's next step on the order, or what they wait for.
/// The order's deadlines, and the server's clock.
#[derive(Clone, Copy)]
struct Times {
    cancel_from_ms: i64,
    auto_receive_at_ms: Option<i64>,
    now_ms: i64,
}

fn next_step(
    role: Role,
    order: &crate::orders::Order,
    test_payments: bool,
    problems: &FieldErrors<OrderProblem>,
    times: Times,
    can_offer_to: Option<(String, i64)>,
) -> AnyView {
    let id = order.item_id;
    let date = crate::util::time::date;
    match (order.state, role) {
        (OrderState::AwaitingPayment, Role::Buyer) => {
            checkout(id, order.price_cents, test_payments, problems)
        }
        (OrderState::AwaitingPayment, Role::Seller) if times.now_ms >= times.cancel_from_ms => {
            view! {
                <p>{format!("{} has not paid in time.", order.buyer_name)}</p>
                <form class="order-form" method="post" action="/api/orders/cancel">
                    <input type="hidden" name="item_id" value=id.to_string()/>
                    <button type="submit" class="button button-danger">"Cancel this sale"</button>
                </form>
            }
            .into_any()
        }
        (OrderState::AwaitingPayment, Role::Seller) => view! {
            <p>
                {format!("Waiting for {} to pay. If they have not paid by {}, you can cancel the sale.",
                    order.buyer_name, date(times.cancel_from_ms))}
            </p>
        }
        .into_any(),
        (OrderState::Paid, Role::Seller) => view! {
            <form class="order-form form-card" method="post" action="/api/orders/ship">
                <h2>"Ship it"</h2>
                <input type="hidden" name="item_id" value=id.to_string()/>
                <Field id="order-carrier" name="carrier" label="Carrier (optional)" max=CARRIER_MAX required=false autocomplete="off" error=problems.message("carrier")/>
                <Field id="order-tracking" name="tracking" label="Tracking number (optional)" max=TRACKING_MAX required=false autocomplete="off" error=problems.message("tracking")/>
                <button type="submit" class="button">"Mark as shipped"</button>
            </form>
        }
        .into_any(),
        (OrderState::Paid, Role::Buyer) => {
            view! { <p>"Paid. Waiting for the seller to ship it."</p> }.into_any()
        }
        (OrderState::Shipped, Role::Buyer) => view! {
            <form class="order-form form-card" method="post" action="/api/orders/receive">
                <input type="hidden" name="item_id" value=id.to_string()/>
                {times.auto_receive_at_ms.map(|at| view! {
                    <p class="muted">{format!("If you do not, receipt is confirmed for you on {}.", date(at))}</p>
                })}
                <button type="submit" class="button">"I received it"</button>
            </form>
        }
        .into_any(),
        (OrderState::Shipped, Role::Seller) => view! {
            <p>
                "Shipped. Waiting for the buyer to confirm receipt"
                {times.auto_receive_at_ms.map(|at| format!(" (confirmed for them on {} if they do not)", date(at)))}
                "."
            </p>
        }
        .into_any(),
        (OrderState::Received, _) if order.auto_received => view! {
            <p class="status-good">"Complete: receipt was confirmed automatically."</p>
        }
        .into_any(),
        (OrderState::Received, _) => {
            view! { <p class="status-good">"Complete: received by the buyer."</p> }.into_any()
        }
        (OrderState::Cancelled, Role::Seller) => {
            use crate::orders::OfferState;
            let offer = order.offer.clone().map(|o| match o.state {
                OfferState::Open => format!(
                    "You offered it to {} for {}, until {}.",
                    o.to_name,
                    format_cents(o.price_cents),
                    date(o.expires_at_ms)
                ),
                OfferState::Accepted => format!("{} took your offer.", o.to_name),
                OfferState::Expired => format!("Your offer to {} expired.", o.to_name),
            });
            // While an offer is open the item may still sell; otherwise it can go up again.
            let relist = order
                .offer
                .as_ref()
                .is_none_or(|o| o.state == OfferState::Expired)
                .then(|| view! {
                    <form class="order-form" method="post" action="/api/items/relist">
                        <input type="hidden" name="item_id" value=id.to_string()/>
                        <button type="submit" class="button button-small">"Relist this item"</button>
                    </form>
                });
            view! {
                <p>"You cancelled this sale: it was not paid for."</p>
                {offer.map(|text| view! { <p>{text}</p> })}
                {relist}
                {can_offer_to.map(|(name, cents)| view! {
                    <form class="order-form form-card" method="post" action="/api/orders/offer">
                        <h2>"Second chance"</h2>
                        <input type="hidden" name="item_id" value=id.to_string()/>
                        <p>{format!("Offer it to {name}, the next bidder, at their highest bid of {}.", format_cents(cents))}</p>
                        <button type="submit" class="button">{format!("Offer it to {name}")}</button>
                    </form>
                })}
            }
            .into_any()
        }
        (OrderState::Cancelled, Role::Buyer) => view! {
            <p>"The seller cancelled this sale: it was not paid for in time."</p>
        }
        .into_any(),
    }
}

/// The buyer's checkout: where to send it, and the payment.
fn checkout(
    id: ItemId,
    price_cents: i64,
    test_payments: bool,
    problems: &FieldErrors<OrderProblem>,
) -> AnyView {
    view! {
        <form class="order-form form-card" method="post" action="/api/orders/pay">
            <h2>"Checkout"</h2>
            <input type="hidden" name="item_id" value=id.to_string()/>
            <fieldset>
                <legend>"Ship to"</legend>
                <Field id="order-name" name="name" label="Full name" max=NAME_MAX required=true autocomplete="name" error=problems.message("name")/>
                <Field id="order-line1" name="line1" label="Address" max=LINE_MAX required=true autocomplete="address-line1" error=problems.message("line1")/>
                <Field id="order-line2" name="line2" label="Address line 2 (optional)" max=LINE_MAX required=false autocomplete="address-line2" error=problems.message("line2")/>
                <Field id="order-city" name="city" label="Town or city" max=CITY_MAX required=true autocomplete="address-level2" error=problems.message("city")/>
                <Field id="order-postcode" name="postcode" label="Postcode" max=POSTCODE_MAX required=true autocomplete="postal-code" error=problems.message("postcode")/>
                <Field id="order-country" name="country" label="Country" max=COUNTRY_MAX required=true autocomplete="country-name" error=problems.message("country")/>
            </fieldset>
            {test_payments.then(|| view! {
                <fieldset>
                    <legend>"Payment"</legend>
                    <p class="muted">"Test payments: no card is asked for and no money moves."</p>
                    <p class="field-check"><input type="checkbox" id="order-decline" name="decline" value="1"/><label for="order-decline">"Decline this payment (test)"</label></p>
                </fieldset>
            })}
            <button type="submit" class="button">{format!("Pay {}", format_cents(price_cents))}</button>
        </form>
    }
    .into_any()
}

/// The viewer's feedback on the other party: a rating and a short comment, once.
fn feedback_form(id: ItemId, other: &str, problems: &FieldErrors<OrderProblem>) -> AnyView {
    let rating_problem = problems.message("rating");
    let rating_described = rating_problem.is_some().then_some("rating-error");
    let comment_problem = problems.message("comment");
    let comment_invalid = comment_problem.is_some();
    view! {
        <form class="order-form form-card" method="post" action="/api/orders/feedback">
            <input type="hidden" name="item_id" value=id.to_string()/>
            <fieldset aria-describedby=rating_described>
                <legend>{format!("Your feedback for {other}")}</legend>
                <div class="rating-choices">
                    {Rating::ALL.into_iter().map(|r| {
                        let input_id = format!("rating-{}", r.as_str());
                        let label_for = input_id.clone();
                        view! {
                            <label class="rating-choice" for=label_for>
                                <input type="radio" id=input_id name="rating" value=r.as_str() required=true/>
                                " "{r.label()}
                            </label>
                        }
                    }).collect_view()}
                </div>
                {rating_problem.map(|m| view! { <span class="field-error" id="rating-error">{m}</span> })}
            </fieldset>
            <p class="field" class:invalid=comment_invalid>
                <label for="order-comment">"Comment (optional)"</label>
                <input id="order-comment" name="comment" maxlength=FEEDBACK_MAX autocomplete="off"
                    aria-invalid=comment_invalid.then_some("true")
                    aria-describedby=comment_invalid.then_some("comment-error")/>
                {comment_problem.map(|m| view! { <span class="field-error" id="comment-error">{m}</span> })}
            </p>
            <button type="submit" class="button">"Leave feedback"</button>
        </form>
    }
    .into_any()
}

/// What the two parties wrote each other, oldest first, and the form to write more (a plain
/// form: back here with a notice, or with its problem).
#[component]
fn Messages(
    id: ItemId,
    messages: Vec<OrderMessage>,
    viewer: UserId,
    other: String,
    now_ms: i64,
    problem: Option<String>,
) -> impl IntoView {
    let full = messages.len() >= MESSAGES_MAX;
    let empty = messages.is_empty();
    let invalid = problem.is_some();
    let rows = messages
        .into_iter()
        .map(|m| {
            let mine = m.from_id == viewer;
            let who = if mine { "You".to_string() } else { m.from_name.clone() };
            view! {
                <li class="order-message" class:mine=mine>
                    <p class="message-meta">
                        <strong>{who}</strong>" · "
                        <span title=crate::util::time::date(m.at_ms)>{crate::util::time::ago(m.at_ms, now_ms)}</span>
                    </p>
                    <p class="message-text">{m.text}</p>
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="order-messages" id="messages">
            <h2>"Messages"</h2>
            {empty.then(|| view! {
                <p class="muted">{format!("Questions about this sale? Write to {other}: only the two of you see these messages.")}</p>
            })}
            <ol class="message-list" aria-label="Messages">{rows}</ol>
            {(!full).then(|| view! {
                <form class="order-form form-card" method="post" action="/api/orders/message">
                    <input type="hidden" name="item_id" value=id.to_string()/>
                    <p class="field" class:invalid=invalid>
                        <label for="order-message">{format!("Message to {other}")}</label>
                        <textarea id="order-message" name="text" rows="3" required=true
                            maxlength=MESSAGE_RULE.max
                            aria-invalid=invalid.then_some("true")
                            aria-describedby=invalid.then_some("message-error")></textarea>
                        {problem.map(|m| view! { <span class="field-error" id="message-error">{m}</span> })}
                    </p>
                    <button type="submit" class="button">"Send message"</button>
                </form>
            })}
        </section>
    }
}

/// Feedback left on this order, by the viewer ("Yours") or the other party ("Theirs").
#[component]
fn FeedbackLine(feedback: Feedback, whose: &'static str) -> impl IntoView {
    view! {
        <p class="feedback-line" data-rating=feedback.rating.as_str()>
            <strong>{format!("{whose}: {}", feedback.rating.label())}</strong>
            {(!feedback.comment.is_empty()).then(|| view! { " — "{feedback.comment.clone()} })}
        </p>
    }
}
