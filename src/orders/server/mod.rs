//! Orders in Redis: one hash per sold item, in the item's slot (made by the script that sold
//! it), moved on by `lua/order_step.lua`; payments through [`payments`].

pub mod feedback;
pub mod keys;
pub mod messages;
pub mod payments;

use crate::error::AppError;
use crate::orders::{Address, Order, OrderState};
use crate::server::redis::db::{redis_error, Db};
use crate::server::redis::reply::Fields;
use crate::util::id::{ItemId, UserId};
use redis::{FromRedisValue, ParsingError};
use std::collections::HashMap;

/// `lua/order_step.lua`: one step of an order.
pub static ORDER_STEP: std::sync::LazyLock<redis::Script> = crate::lua_script!("order_step");

/// A step of an order and what it carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// The buyer paid (the provider's reference) and gave where to send it.
    Pay {
        payment_ref: String,
        address: Address,
    },
    /// The seller shipped it (carrier and tracking may be empty).
    Ship { carrier: String, tracking: String },
    /// The buyer received it.
    Receive,
    /// The seller cancels a sale the buyer has not paid for, `unpaid_after_ms` after it.
    Cancel { unpaid_after_ms: i64 },
    /// The seller offers a cancelled sale to another bidder (once).
    Offer {
        to: UserId,
        to_name: String,
        price_cents: i64,
        expires_at_ms: i64,
    },
    /// That bidder takes the offer: the order is theirs, awaiting their payment.
    Accept,
}

/// What a step found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepOutcome {
    /// Taken: the order is in this state now.
    Done(OrderState),
    /// No order for this item.
    Missing,
    /// The step is the other party's (or the viewer has no part in the order).
    NotYours,
    /// Paid already (a retried payment, or a second one racing it): charged once.
    AlreadyPaid,
    /// The order is elsewhere now (shown as it is).
    WrongState(OrderState),
    /// Too early to cancel: this many ms to go.
    TooEarly(i64),
}

/// `lua/order_step.lua`'s reply, strictly.
impl FromRedisValue for StepOutcome {
    fn from_redis_value(v: redis::Value) -> Result<Self, ParsingError> {
        let f = Fields::new("order_step", v)?;
        let state = |f: &Fields| -> Result<OrderState, ParsingError> {
            let word: String = f.get(1)?;
            OrderState::parse(&word)
                .ok_or_else(|| ParsingError::from(format!("order_step: unknown state {word}")))
        };
        Ok(match f.status()?.as_str() {
            "done" => StepOutcome::Done(state(f.expect_len(2)?)?),
            "wrong_state" => StepOutcome::WrongState(state(f.expect_len(2)?)?),
            "missing" => {
                f.expect_len(1)?;
                StepOutcome::Missing
            }
            "not_yours" => {
                f.expect_len(1)?;
                StepOutcome::NotYours
            }
            "already_paid" => {
                f.expect_len(1)?;
                StepOutcome::AlreadyPaid
            }
            "too_early" => StepOutcome::TooEarly(f.expect_len(2)?.get(1)?),
            other => return Err(f.unknown_status(other)),
        })
    }
}

/// Takes `step` on the order of `item` as `who`.
pub async fn take_step(
    db: &Db,
    item: ItemId,
    who: UserId,
    step: &Step,
) -> Result<StepOutcome, AppError> {
    let mut call = ORDER_STEP.prepare_invoke();
    call.key(db.keys().order(item));
    match step {
        Step::Pay {
            payment_ref,
            address,
        } => {
            let json = serde_json::to_string(address).map_err(|_| AppError::Internal)?;
            call.arg("pay").arg(who).arg(payment_ref).arg(json);
        }
        Step::Ship { carrier, tracking } => {
            call.arg("ship").arg(who).arg(carrier).arg(tracking);
        }
        Step::Receive => {
            call.arg("receive").arg(who);
        }
        Step::Cancel { unpaid_after_ms } => {
            call.arg("cancel").arg(who).arg(unpaid_after_ms);
        }
        Step::Offer {
            to,
            to_name,
            price_cents,
            expires_at_ms,
        } => {
            call.arg("offer")
                .arg(who)
                .arg(to)
                .arg(to_name)
                .arg(price_cents)
                .arg(expires_at_ms);
        }
        Step::Accept => {
            call.arg("accept").arg(who);
        }
    }
    invoke(db, &call).await
}

/// A step the delayed jobs take (`auto_receive`, `expire_offer`), as nobody in particular.
async fn system_step(db: &Db, item: ItemId, step: &str) -> Result<StepOutcome, AppError> {
    let mut call = ORDER_STEP.prepare_invoke();
    call.key(db.keys().order(item)).arg(step).arg("system");
    invoke(db, &call).await
}

/// The bidder a cancelled sale may be offered to: the highest bidder other than `buyer` among
/// the item's newest [`HISTORY_SCANNED`] bids, with their highest bid.
pub async fn next_bidder(
    db: &Db,
    item: ItemId,
    buyer: UserId,
) -> Result<Option<(UserId, String, i64)>, AppError> {
    let mut conn = db.conn()?;
    let rows: Vec<String> = redis::cmd("LRANGE")
        .arg(db.keys().item_bids(item))
        .arg(0)
        .arg(HISTORY_SCANNED - 1)
        .query_async(&mut conn)
        .await
        .map_err(|e| redis_error("read bids", e))?;
    let mut best: Option<(UserId, String, i64)> = None;
    for row in rows {
        // `bidder_id|cents|ms|kind|bidder_name` (the name may hold `|`).
        let mut parts = row.splitn(5, '|');
        let (Some(id), Some(cents), Some(_), Some(kind), Some(name)) = (
            parts.next().and_then(UserId::parse),
            parts.next().and_then(|c| c.parse::<i64>().ok()),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            continue;
        };
        // Not the buyer, nor a purchase, nor a bid cancelled (its bidder blocked or suspended).
        if id == buyer || kind == "n" || kind == "x" {
            continue;
        }
        if best.as_ref().is_none_or(|(_, _, top)| cents > *top) {
            best = Some((id, name.to_string(), cents));
        }
    }
    Ok(best)
}

/// How many of an item's newest bids are looked through for a second-chance bidder.
pub const HISTORY_SCANNED: isize = 200;

async fn invoke(db: &Db, call: &redis::ScriptInvocation<'_>) -> Result<StepOutcome, AppError> {
    let mut conn = db.conn()?;
    call.invoke_async(&mut conn)
        .await
        .map_err(|e| redis_error("order step", e))
}

/// The job that confirms receipt for a buyer who did not (`auctions` queue: sales' jobs).
pub const AUTO_RECEIVE_JOB: &str = "order_auto_receive";

/// The orders' jobs' payload: the order's item.
#[derive(serde::Serialize, serde::Deserialize)]
struct AutoReceive {
    item: u64,
}

/// Registers the orders' job kinds.
pub fn register_jobs(jobs: &mut crate::server::jobs::Registry) {
    jobs.add(crate::server::jobs::JobKind {
        name: PAYMENT_REMINDER_JOB,
        queue: crate::items::server::close_job::QUEUE,
        run: |db, job| Box::pin(async move { remind_to_pay(&db, &job.payload).await }),
    });
    jobs.add(crate::server::jobs::JobKind {
        name: AUTO_RECEIVE_JOB,
        queue: crate::items::server::close_job::QUEUE,
        run: |db, job| Box::pin(async move { auto_receive(&db, &job.payload).await }),
    });
    jobs.add(crate::server::jobs::JobKind {
        name: OFFER_EXPIRY_JOB,
        queue: crate::items::server::close_job::QUEUE,
        run: |db, job| Box::pin(async move { expire_offer(&db, &job.payload).await }),
    });
}

/// The job that reminds a buyer who has not paid that the seller may cancel soon.
pub const PAYMENT_REMINDER_JOB: &str = "order_payment_reminder";

/// How long a buyer has to pay before the seller may cancel (`RBAY_UNPAID_AFTER_SECS`, set at
/// start; four days when nothing set it, as in tests that drive Redis without a server).
static PAY_WITHIN: std::sync::OnceLock<std::time::Duration> = std::sync::OnceLock::new();

/// Sets how long buyers have to pay (once, at start).
pub fn set_pay_within(within: std::time::Duration) {
    let _ = PAY_WITHIN.set(within);
}

/// How long a buyer has to pay before the seller may cancel the sale.
pub fn pay_within() -> std::time::Duration {
    PAY_WITHIN
        .get()
        .copied()
        .unwrap_or(std::time::Duration::from_secs(4 * 86_400))
}

/// When, after a sale, its buyer is reminded to pay: three quarters of the time they have (a
/// day before the seller may cancel, with the default four days).
pub fn reminder_after(within: std::time::Duration) -> std::time::Duration {
    within * 3 / 4
}

#[derive(serde::Serialize, serde::Deserialize)]
struct PaymentReminder {
    item: u64,
    buyer: u64,
}

/// Schedules the payment reminder of `buyer`'s new purchase of `item` (once per buyer and
/// item: the close job running twice, or a retried purchase, schedules one).
pub async fn schedule_payment_reminder(
    db: &Db,
    item: ItemId,
    buyer: UserId,
) -> Result<(), crate::server::jobs::EnqueueError> {
    let payload = serde_json::to_string(&PaymentReminder {
        item: item.0,
        buyer: buyer.0,
    })
    .unwrap_or_default();
    let at = crate::util::time::now_ms() + reminder_after(pay_within()).as_millis() as i64;
    let key = format!("pay-reminder:{item}:{buyer}");
    schedule(db, PAYMENT_REMINDER_JOB, &payload, at, &key).await
}

/// Queues one of the orders' delayed jobs on the auctions queue at `at_ms`, once per `key`.
async fn schedule(
    db: &Db,
    kind: &str,
    payload: &str,
    at_ms: i64,
    key: &str,
) -> Result<(), crate::server::jobs::EnqueueError> {
    let queue = crate::items::server::close_job::QUEUE;
    crate::server::jobs::enqueue(db, queue, kind, payload, Some(at_ms), Some(key)).await?;
    Ok(())
}

/// The job: the buyer hears that payment is due, if the order is still theirs and unpaid.
async fn remind_to_pay(db: &Db, payload: &str) -> Result<(), crate::server::jobs::JobError> {
    use crate::server::jobs::JobError;
    let job: PaymentReminder = serde_json::from_str(payload)
        .map_err(|e| JobError::permanent(format!("unreadable payment reminder job: {e}")))?;
    let item = ItemId(job.item);
    let order = get(db, item)
        .await
        .map_err(|e| JobError::retry(e.to_string()))?;
    let Some(order) =
        order.filter(|o| o.state == OrderState::AwaitingPayment && o.buyer_id == UserId(job.buyer))
    else {
        return Ok(());
    };
    let kind = crate::notifications::NoticeKind::PaymentDue;
    let notice = crate::notifications::server::NewNotice {
        user_id: order.buyer_id,
        kind,
        item_id: item.0,
        item_name: order.item_name.clone(),
        price_cents: order.price_cents,
        actor: order.seller_name.clone(),
        once: Some(format!("{}:{item}:{}", kind.as_str(), order.buyer_id)),
    };
    crate::notifications::server::send(db, &notice)
        .await
        .map_err(|e| JobError::retry(e.to_string()))
}

/// Schedules the confirmation of receipt of `item`'s order `after` from now (once per order).
pub async fn schedule_auto_receive(
    db: &Db,
    item: ItemId,
    after: std::time::Duration,
) -> Result<(), crate::server::jobs::EnqueueError> {
    let payload = serde_json::to_string(&AutoReceive { item: item.0 }).unwrap_or_default();
    let at = crate::util::time::now_ms() + after.as_millis() as i64;
    schedule(
        db,
        AUTO_RECEIVE_JOB,
        &payload,
        at,
        &format!("receive:{item}"),
    )
    .await
}

/// The job: confirm receipt if the order is still shipped (the buyer may have confirmed).
async fn auto_receive(db: &Db, payload: &str) -> Result<(), crate::server::jobs::JobError> {
    use crate::server::jobs::JobError;
    let job: AutoReceive = serde_json::from_str(payload)
        .map_err(|e| JobError::permanent(format!("unreadable auto-receive job: {e}")))?;
    let item = ItemId(job.item);
    let outcome = system_step(db, item, "auto_receive")
        .await
        .map_err(|e| JobError::retry(e.to_string()))?;
    if let StepOutcome::Done(now) = outcome {
        tracing::info!(item_id = %item, "receipt confirmed automatically");
        announce(db, item, now);
    }
    Ok(())
}

/// The job that closes a second-chance offer at its expiry.
pub const OFFER_EXPIRY_JOB: &str = "order_offer_expiry";

/// Schedules the expiry of `item`'s second-chance offer at `at_ms` (once per order).
pub async fn schedule_offer_expiry(
    db: &Db,
    item: ItemId,
    at_ms: i64,
) -> Result<(), crate::server::jobs::EnqueueError> {
    let payload = serde_json::to_string(&AutoReceive { item: item.0 }).unwrap_or_default();
    // One job per offer's expiry (a double submit writes one offer; the job whose time is not
    // the offer's finds it open too early and does nothing).
    let key = format!("offer:{item}:{at_ms}");
    schedule(db, OFFER_EXPIRY_JOB, &payload, at_ms, &key).await
}

/// The job: the offer ends if it is still open (it may have been taken).
async fn expire_offer(db: &Db, payload: &str) -> Result<(), crate::server::jobs::JobError> {
    use crate::server::jobs::JobError;
    let job: AutoReceive = serde_json::from_str(payload)
        .map_err(|e| JobError::permanent(format!("unreadable offer expiry job: {e}")))?;
    let item = ItemId(job.item);
    let outcome = system_step(db, item, "expire_offer")
        .await
        .map_err(|e| JobError::retry(e.to_string()))?;
    if outcome == StepOutcome::Done(OrderState::Cancelled) {
        tracing::info!(item_id = %item, "second-chance offer expired");
    }
    Ok(())
}

/// How many order steps a user may try: generous for people, tight for a script hammering the
/// payment provider.
pub const STEP_LIMIT: crate::server::redis::rate_limit::Limit =
    crate::server::redis::rate_limit::Limit::per_secs(30, 60);

/// The other party hears of a step (queued in the background; each notice once per order):
/// the seller that it was paid or received, the buyer that it was shipped or cancelled.
pub fn announce(db: &Db, item: ItemId, now: OrderState) {
    use crate::notifications::NoticeKind;
    let kind = match now {
        OrderState::Paid => NoticeKind::OrderPaid,
        OrderState::Shipped => NoticeKind::OrderShipped,
        OrderState::Received => NoticeKind::OrderReceived,
        OrderState::Cancelled => NoticeKind::OrderCancelled,
        // Only a second-chance offer taken comes back to awaiting payment.
        OrderState::AwaitingPayment => NoticeKind::OrderOfferTaken,
    };
    let db = db.clone();
    tokio::spawn(async move {
        let order = match get(&db, item).await {
            Ok(Some(order)) => order,
            Ok(None) => return,
            Err(e) => {
                tracing::warn!(item_id = %item, error = %e, "order notice not queued");
                return;
            }
        };
        let (to, actor) = match kind {
            NoticeKind::OrderShipped | NoticeKind::OrderCancelled => {
                (order.buyer_id, order.seller_name.clone())
            }
            _ => (order.seller_id, order.buyer_name.clone()),
        };
        let notice = crate::notifications::server::NewNotice {
            user_id: to,
            kind,
            item_id: item.0,
            item_name: order.item_name.clone(),
            price_cents: order.price_cents,
            actor,
            once: Some(format!("{}:{item}", kind.as_str())),
        };
        if let Err(e) = crate::notifications::server::send(&db, &notice).await {
            tracing::warn!(item_id = %item, error = %e, "order notice not queued");
        }
    });
}

/// The bidder a second-chance offer was made to hears of it.
pub fn announce_offer(db: &Db, item: ItemId) {
    let db = db.clone();
    tokio::spawn(async move {
        let Ok(Some(order)) = get(&db, item).await else {
            return;
        };
        let Some(offer) = order.offer.as_ref() else {
            return;
        };
        let kind = crate::notifications::NoticeKind::OrderOffer;
        let notice = crate::notifications::server::NewNotice {
            user_id: offer.to_id,
            kind,
            item_id: item.0,
            item_name: order.item_name.clone(),
            price_cents: offer.price_cents,
            actor: order.seller_name.clone(),
            once: Some(format!("{}:{item}", kind.as_str())),
        };
        if let Err(e) = crate::notifications::server::send(&db, &notice).await {
            tracing::warn!(item_id = %item, error = %e, "offer notice not queued");
        }
    });
}

/// The order of `item`, if it sold; the item's name and seller's name come from its listing.
pub async fn get(db: &Db, item: ItemId) -> Result<Option<Order>, AppError> {
    let mut conn = db.conn()?;
    let fields: HashMap<String, String> = redis::cmd("HGETALL")
        .arg(db.keys().order(item))
        .query_async(&mut conn)
        .await
        .map_err(|e| redis_error("read order", e))?;
    if fields.is_empty() {
        return Ok(None);
    }
    let Some(listing) = crate::items::server::store::get(db, item).await? else {
        return Ok(None);
    };
    let order = decode(item, &fields, listing.name, listing.seller_name).map_err(|e| {
        tracing::error!(item_id = %item, error = %e, "an order that does not read");
        AppError::Internal
    })?;
    Ok(Some(order))
}

/// Where the orders of `items` are and whose they are (in the same order; `None` where there
/// is none), in one pipeline: the lists show each order's state and whose purchase it is.
pub async fn states(
    db: &Db,
    items: &[ItemId],
) -> Result<Vec<Option<(OrderState, UserId)>>, AppError> {
    if items.is_empty() {
        return Ok(Vec::new());
    }
    let mut pipe = redis::pipe();
    for id in items {
        pipe.cmd("HMGET")
            .arg(db.keys().order(*id))
            .arg("state")
            .arg("buyer_id");
    }
    let mut conn = db.conn()?;
    let rows: Vec<(Option<String>, Option<String>)> = pipe
        .query_async(&mut conn)
        .await
        .map_err(|e| redis_error("read order states", e))?;
    rows.into_iter()
        .map(|row| match row {
            (None, _) => Ok(None),
            (Some(state), Some(buyer)) => {
                match (OrderState::parse(&state), UserId::parse(&buyer)) {
                    (Some(state), Some(buyer)) => Ok(Some((state, buyer))),
                    _ => Err(AppError::Internal),
                }
            }
            (Some(_), None) => Err(AppError::Internal),
        })
        .collect()
}

/// An order from its hash: a field it must have and lacks is an error, never a default.
fn decode(
    item: ItemId,
    f: &HashMap<String, String>,
    item_name: String,
    seller_name: String,
) -> Result<Order, String> {
    let need = |k: &str| f.get(k).ok_or_else(|| format!("no {k}"));
    let int = |k: &str| -> Result<i64, String> {
        need(k)?.parse().map_err(|_| format!("{k} is not a number"))
    };
    let opt_int = |k: &str| -> Result<Option<i64>, String> {
        f.get(k)
            .map(|v| v.parse().map_err(|_| format!("{k} is not a number")))
            .transpose()
    };
    let user = |k: &str| UserId::parse(need(k)?).ok_or_else(|| format!("{k} is not a user id"));
    let state = OrderState::parse(need("state")?).ok_or("unknown state")?;
    let address = f
        .get("address")
        .map(|json| serde_json::from_str::<Address>(json).map_err(|e| e.to_string()))
        .transpose()?;
    let text = |k: &str| f.get(k).filter(|v| !v.is_empty()).cloned();
    Ok(Order {
        item_id: item,
        item_name,
        price_cents: int("price")?,
        state,
        buyer_id: user("buyer_id")?,
        buyer_name: need("buyer_name")?.clone(),
        seller_id: user("seller_id")?,
        seller_name,
        created_at_ms: int("created_at")?,
        paid_at_ms: opt_int("paid_at")?,
        shipped_at_ms: opt_int("shipped_at")?,
        received_at_ms: opt_int("received_at")?,
        cancelled_at_ms: opt_int("cancelled_at")?,
        auto_received: f.get("received_by").is_some_and(|by| by == "auto"),
        offer: match f.get("offer_to") {
            None => None,
            Some(_) => Some(crate::orders::SecondChance {
                to_id: user("offer_to")?,
                to_name: need("offer_name")?.clone(),
                price_cents: int("offer_price")?,
                expires_at_ms: int("offer_expires")?,
                state: crate::orders::OfferState::parse(need("offer_state")?)
                    .ok_or("unknown offer state")?,
            }),
        },
        address,
        payment_ref: text("payment_ref"),
        carrier: text("carrier"),
        tracking: text("tracking"),
    })
}

/// `GET /orders/{id}/state`: where the order is, as a word (`paid`…), and how many messages it
/// holds (`paid 3`), for its buyer, its seller and the bidder an open offer is for (404 for
/// anyone else, 401 for visitors; the offer's bidder is told no messages): the open order
/// page asks when a notice arrives, and reloads when the other party has moved it on or
/// written.
pub fn routes() -> axum::Router<crate::server::state::AppState> {
    axum::Router::new().route("/orders/{id}/state", axum::routing::get(state_word))
}

async fn state_word(
    axum::extract::State(state): axum::extract::State<crate::server::state::AppState>,
    axum::extract::Path(id): axum::extract::Path<String>,
    user: crate::accounts::CurrentUser,
) -> Result<axum::response::Response, AppError> {
    use axum::response::IntoResponse;
    let id = ItemId::parse(&id).ok_or(AppError::NotFound)?;
    let order = get(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let offered = order
        .offer
        .as_ref()
        .is_some_and(|o| o.to_id == user.id && o.is_open(crate::util::time::now_ms()));
    if order.role_of(user.id).is_none() && !offered {
        return Err(AppError::NotFound);
    }
    let messages = match order.role_of(user.id) {
        Some(_) => messages::count(&state.db, id).await?,
        None => 0,
    };
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "text/plain; charset=utf-8",
            ),
            (axum::http::header::CACHE_CONTROL, "no-store"),
        ],
        format!("{} {messages}", order.state.as_str()),
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn an_order_reads_from_its_hash_and_a_broken_one_is_an_error() {
        let base = [
            ("state", "awaiting_payment"),
            ("buyer_id", "9"),
            ("buyer_name", "bea"),
            ("seller_id", "1"),
            ("price", "1250"),
            ("created_at", "1700000000000"),
        ];
        let o = decode(ItemId(7), &fields(&base), "Lamp".into(), "sam".into()).unwrap();
        assert_eq!(o.state, OrderState::AwaitingPayment);
        assert_eq!((o.buyer_id, o.seller_id), (UserId(9), UserId(1)));
        assert_eq!(o.address, None);
        let mut broken = fields(&base);
        broken.insert("state".into(), "lost".into());
        assert!(decode(ItemId(7), &broken, String::new(), String::new()).is_err());
        let mut broken = fields(&base);
        broken.remove("price");
        assert!(decode(ItemId(7), &broken, String::new(), String::new()).is_err());
    }
}
