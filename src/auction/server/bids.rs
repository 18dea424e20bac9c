//! Bids: every rule checked and every change made in one Lua script (`lua/place_bid.lua`):
//! maximum (proxy) bids with the leader's automatic answers, the reserve, soft close, the
//! price, the history, the shard's rankings (the category's too) and the live event. Buy It Now
//! is its own script (`lua/buy_now.lua`), atomic with every bid. Each script's reply is decoded
//! strictly into [`BidOutcome`] / [`BuyOutcome`]: an unexpected reply is an error.

use crate::accounts::server::sessions::SessionUser;
use crate::auction::BidProblem;
use crate::catalog::server::rankings::CategoryRankings;
use crate::error::AppError;
use crate::items::server::frame::{heard_after, item_script};
use crate::items::ItemId;
use crate::server::redis::db::{redis_error, Db};
use crate::server::redis::keys::shard_of;
use crate::server::redis::reply::Fields;
use crate::util::id::UserId;
use redis::{FromRedisValue, ParsingError};

/// `lua/buy_now.lua`: Buy It Now, ending the auction at once.
pub static BUY_NOW: std::sync::LazyLock<redis::Script> = crate::lua_script!("buy_now");

/// `lua/place_bid.lua`: every bid rule checked and every change made in one step.
pub static PLACE_BID: std::sync::LazyLock<redis::Script> = crate::lua_script!("place_bid");

/// `lua/bid_as.lua`: the session check and the bid in one step (one Redis only).
pub static PLACE_BID_AS: std::sync::LazyLock<redis::Script> = crate::lua_script!(
    "bid_as",
    "session" as "session(KEYS, ARGV)",
    "place_bid" as "bid()",
);

/// The answer to a bid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BidOutcome {
    /// The maximum was recorded.
    Accepted {
        /// The price after the bid (and the leader's automatic answer, if any).
        price_cents: i64,
        bids: i64,
        min_next_cents: i64,
        at_ms: i64,
        /// The bidder who led until this bid, if it was someone else.
        outbid: Option<UserId>,
        /// Whether the bidder leads now (`false`: an earlier maximum, higher or equal,
        /// answered at once).
        leading: bool,
        /// The auction's end after the bid (a soft close may have moved it).
        ends_at_ms: i64,
        /// Whether this bid moved the end.
        end_moved: bool,
        /// `false` while a reserve is not met.
        reserve_met: bool,
        /// The item's name when someone was outbid (for their notice), else empty.
        item_name: String,
    },
    Rejected(BidRejection),
}

/// Why a bid was refused; each has its own message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BidRejection {
    NotFound,
    Ended,
    OwnItem,
    TooLow {
        minimum_cents: i64,
    },
    /// A moderator hid the listing.
    Removed,
    /// The seller blocked the bidder.
    Blocked,
}

impl BidRejection {
    /// The problem shown to the bidder, and the minimum bid when the amount was too low.
    pub fn problem(&self) -> (BidProblem, Option<i64>) {
        match self {
            BidRejection::NotFound => (BidProblem::NotFound, None),
            BidRejection::Ended => (BidProblem::Ended, None),
            BidRejection::OwnItem => (BidProblem::OwnItem, None),
            BidRejection::TooLow { minimum_cents } => (BidProblem::TooLow, Some(*minimum_cents)),
            BidRejection::Removed => (BidProblem::Removed, None),
            BidRejection::Blocked => (BidProblem::Blocked, None),
        }
    }
}

/// `lua/place_bid.lua`'s reply, strictly: `{ leading|raised|outbid, price, bids, next minimum,
/// time, outbid bidder or 0, ends at, reserve met, end moved[, item name] }` (the name only when
/// the price moved), or `{ not_found }`, `{ ended }`, `{ own_item }`, `{ too_low, minimum }`,
/// `{ removed }`, `{ blocked }`.
impl FromRedisValue for BidOutcome {
    fn from_redis_value(v: redis::Value) -> Result<Self, ParsingError> {
        let f = Fields::new("place_bid", v)?;
        let status = f.status()?;
        Ok(match status.as_str() {
            "leading" | "raised" | "outbid" => {
                let outbid: u64 = f.get(5)?;
                let outbid = (outbid > 0).then_some(UserId(outbid));
                BidOutcome::Accepted {
                    price_cents: f.get(1)?,
                    bids: f.get(2)?,
                    min_next_cents: f.get(3)?,
                    at_ms: f.get(4)?,
                    outbid,
                    leading: status != "outbid",
                    ends_at_ms: f.get(6)?,
                    reserve_met: f.flag(7)?,
                    end_moved: f.flag(8)?,
                    // A leader who raised their own maximum moved nothing: no name is sent.
                    item_name: if f.len() > 9 {
                        f.get(9)?
                    } else {
                        String::new()
                    },
                }
            }
            "not_found" => BidOutcome::Rejected(BidRejection::NotFound),
            "ended" => BidOutcome::Rejected(BidRejection::Ended),
            "own_item" => BidOutcome::Rejected(BidRejection::OwnItem),
            "removed" => BidOutcome::Rejected(BidRejection::Removed),
            "blocked" => BidOutcome::Rejected(BidRejection::Blocked),
            "too_low" => BidOutcome::Rejected(BidRejection::TooLow {
                minimum_cents: f.get(1)?,
            }),
            other => return Err(f.unknown_status(other)),
        })
    }
}

/// Places a maximum bid through `lua/place_bid.lua`: the rules (live by Redis time, not the
/// seller, at least the minimum, a leader only raises their own maximum) and all the changes
/// happen in one atomic step. An accepted bid is answered once this instance heard of it
/// (`frame::heard_after`).
pub async fn place_bid(
    db: &Db,
    bidder_id: UserId,
    bidder_name: &str,
    item_id: ItemId,
    max_cents: i64,
) -> Result<BidOutcome, AppError> {
    let keys = db.keys();
    let mut call = item_script(&PLACE_BID, keys, item_id);
    call.key(keys.item_bids(item_id))
        .key(keys.item_maxes(item_id))
        .key(keys.shard_blocks(shard_of(item_id.0)))
        .key(keys.item_max_times(item_id))
        .arg(bidder_id)
        .arg(bidder_name)
        .arg(max_cents)
        .category_rankings(keys, shard_of(item_id.0));
    take(db, bidder_id, item_id, "place bid", call).await
}

/// What a bid with its session check came to ([`place_bid_as`]).
#[derive(Debug)]
pub enum SignedBid {
    /// No session (or not the user the cookie claims): nothing was counted or written.
    SignedOut,
    /// The rate limit refused the bid: seconds to wait.
    Limited(SessionUser, u64),
    /// The bid went through the rules (accepted or refused by them).
    Placed(SessionUser, BidOutcome),
}

impl SignedBid {
    /// The session found, if any.
    pub fn user(&self) -> Option<&SessionUser> {
        match self {
            SignedBid::SignedOut => None,
            SignedBid::Limited(user, _) | SignedBid::Placed(user, _) => Some(user),
        }
    }
}

/// [`place_bid`] by the user of a session cookie, with the session check and the bid's rate
/// limit (`lua/session.lua`'s) in the same script: one step, one fsync'd turn under
/// `appendfsync always`, instead of the check's, the bid's and the bidder's list's three. One
/// Redis only: on a cluster the session's keys (the bidder's slot) and the bid's (the item's)
/// cannot meet in a script, and callers use [`accounts::server::sessions::check`] then
/// [`place_bid`].
///
/// [`accounts::server::sessions::check`]: crate::accounts::server::sessions::check
pub async fn place_bid_as(
    db: &Db,
    cookie: &str,
    ttl: std::time::Duration,
    limit: crate::server::redis::rate_limit::Limit,
    item_id: ItemId,
    max_cents: i64,
) -> Result<SignedBid, AppError> {
    heard_after(
        db,
        item_id,
        async {
            use crate::accounts::server::sessions::SessionCheck;
            use crate::server::redis::rate_limit::Action;
            debug_assert!(!db.is_cluster(), "one script per bid only on one Redis");
            let Some(check) = SessionCheck::new(db, cookie, ttl, Some((Action::Bid, limit))) else {
                return Ok(SignedBid::SignedOut);
            };
            let keys = db.keys();
            db.confirmable()?;
            let mut call = item_script(&PLACE_BID_AS, keys, item_id);
            call.key(keys.item_bids(item_id))
                .key(keys.item_maxes(item_id))
                .key(keys.shard_blocks(shard_of(item_id.0)))
                .key(keys.item_max_times(item_id))
                // The session's user and name are the bidder's: the script puts them here.
                .arg(check.claimed())
                .arg("")
                .arg(max_cents)
                .category_rankings(keys, shard_of(item_id.0));
            check.add_to(&mut call);
            call.key(keys.user_bids(check.claimed()));
            let reply: Vec<redis::Value> = call
                .invoke_async(&mut db.conn()?)
                .await
                .map_err(|e| redis_error("place bid", e))?;
            let mut parts = reply.into_iter();
            let (Some(session), placed, None) = (parts.next(), parts.next(), parts.next()) else {
                return Err(redis_error(
                    "place bid",
                    ParsingError::from("bid_as: a reply of one or two parts").into(),
                ));
            };
            let Some((user, verdict)) = check.read(session)? else {
                return Ok(SignedBid::SignedOut);
            };
            Ok(match (verdict, placed) {
                (Err(secs), None) => SignedBid::Limited(user, secs),
                (Ok(()), Some(placed)) => SignedBid::Placed(
                    user,
                    BidOutcome::from_redis_value(placed)
                        .map_err(|e| redis_error("place bid", e.into()))?,
                ),
                _ => {
                    return Err(redis_error(
                        "place bid",
                        ParsingError::from(
                            "bid_as: a bid without a session's leave, or the reverse",
                        )
                        .into(),
                    ))
                }
            })
        },
        |r| matches!(r, Ok(SignedBid::Placed(_, BidOutcome::Accepted { .. }))),
    )
    .await
}

/// The answer to Buy It Now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BuyOutcome {
    Bought {
        price_cents: i64,
        at_ms: i64,
    },
    /// No Buy It Now price, or bidding has taken over.
    Unavailable,
    /// The price is not the one the buyer agreed to (the seller revised it since): this one.
    PriceChanged {
        price_cents: i64,
    },
    Refused(BidRejection),
}

/// `lua/buy_now.lua`'s reply, strictly: `{ bought, price, time }`, `{ unavailable }`,
/// `{ price_changed, price }`, `{ not_found }`, `{ ended }`, `{ own_item }`, `{ removed }` or
/// `{ blocked }`.
impl FromRedisValue for BuyOutcome {
    fn from_redis_value(v: redis::Value) -> Result<Self, ParsingError> {
        let f = Fields::new("buy_now", v)?;
        let status = f.status()?;
        Ok(match status.as_str() {
            "bought" => {
                f.expect_len(3)?;
                BuyOutcome::Bought {
                    price_cents: f.get(1)?,
                    at_ms: f.get(2)?,
                }
            }
            "unavailable" => BuyOutcome::Unavailable,
            "price_changed" => {
                f.expect_len(2)?;
                BuyOutcome::PriceChanged {
                    price_cents: f.get(1)?,
                }
            }
            "not_found" => BuyOutcome::Refused(BidRejection::NotFound),
            "ended" => BuyOutcome::Refused(BidRejection::Ended),
            "own_item" => BuyOutcome::Refused(BidRejection::OwnItem),
            "removed" => BuyOutcome::Refused(BidRejection::Removed),
            "blocked" => BuyOutcome::Refused(BidRejection::Blocked),
            other => return Err(f.unknown_status(other)),
        })
    }
}

/// Buys the item at its Buy It Now price (`lua/buy_now.lua`): the auction ends at once.
/// `agreed_cents`, the price the buyer's page showed and they confirmed, must still be the
/// price (a seller may revise it before the first bid); `None` buys at whatever it is.
pub async fn buy_now(
    db: &Db,
    buyer_id: UserId,
    buyer_name: &str,
    item_id: ItemId,
    agreed_cents: Option<i64>,
) -> Result<BuyOutcome, AppError> {
    let keys = db.keys();
    let mut call = item_script(&BUY_NOW, keys, item_id);
    call.key(keys.item_bids(item_id))
        .key(keys.order(item_id))
        .key(keys.shard_blocks(shard_of(item_id.0)))
        .arg(buyer_id)
        .arg(buyer_name)
        .arg(agreed_cents.map(|c| c.to_string()).unwrap_or_default())
        .category_rankings(keys, shard_of(item_id.0));
    take(db, buyer_id, item_id, "buy now", call).await
}

/// A script's answer that may have taken the item for a user (a bid accepted, a purchase).
trait Taken: FromRedisValue {
    /// When it was taken, if it was.
    fn taken_at(&self) -> Option<i64>;
}

impl Taken for BidOutcome {
    fn taken_at(&self) -> Option<i64> {
        match self {
            BidOutcome::Accepted { at_ms, .. } => Some(*at_ms),
            BidOutcome::Rejected(_) => None,
        }
    }
}

impl Taken for BuyOutcome {
    fn taken_at(&self) -> Option<i64> {
        match self {
            BuyOutcome::Bought { at_ms, .. } => Some(*at_ms),
            BuyOutcome::Unavailable | BuyOutcome::PriceChanged { .. } | BuyOutcome::Refused(_) => {
                None
            }
        }
    }
}

/// Runs a bid's or a purchase's script `call` for `user` and, when it took the item, adds the
/// item to their My bids; answered once this instance heard of the item (`frame::heard_after`).
/// Not written when it could not be acknowledged (a replica failed to confirm lately); once
/// written, the caller waits for the replicas (`Db::replicated`) after the follow-ups.
async fn take<T: Taken>(
    db: &Db,
    user: UserId,
    item_id: ItemId,
    what: &'static str,
    call: redis::ScriptInvocation<'_>,
) -> Result<T, AppError> {
    heard_after(
        db,
        item_id,
        async {
            db.confirmable()?;
            let mut conn = db.conn()?;
            let outcome: T = call
                .invoke_async(&mut conn)
                .await
                .map_err(|e| redis_error(what, e))?;
            if let Some(at_ms) = outcome.taken_at() {
                record_my_bid(db, &mut conn, user, item_id, at_ms).await?;
            }
            Ok(outcome)
        },
        |r| r.as_ref().is_ok_and(|o| o.taken_at().is_some()),
    )
    .await
}

/// Adds the item to the bidder's own list of items bid on (My bids). The list lives in the
/// bidder's slot, so this is a second step after the script: idempotent, and the bid itself is
/// already recorded and announced.
async fn record_my_bid(
    db: &Db,
    conn: &mut crate::server::redis::db::RedisConn,
    user_id: UserId,
    item_id: ItemId,
    at_ms: i64,
) -> Result<(), AppError> {
    redis::cmd("ZADD")
        .arg(db.keys().user_bids(user_id))
        .arg(at_ms)
        .arg(item_id.0)
        .query_async(conn)
        .await
        .map_err(|e| redis_error("record my bids", e))
}

/// Tells a bidder they were outbid, in the background: the bid is already accepted and
/// answered; the notice goes through the job queue (coalesced in their inbox). Best effort: a
/// process that dies in between loses this notice, never the bid.
pub fn notify_outbid(
    db: &Db,
    loser: UserId,
    item_id: ItemId,
    item_name: &str,
    price_cents: i64,
    by: &str,
) {
    let db = db.clone();
    let by = by.to_string();
    let name = item_name.to_string();
    tokio::spawn(async move {
        let notice = crate::notifications::server::NewNotice {
            user_id: loser,
            kind: crate::notifications::NoticeKind::Outbid,
            item_id: item_id.0,
            item_name: name,
            price_cents,
            actor: by,
            once: None,
        };
        crate::notifications::server::send_or_log(&db, &notice).await;
    });
}
