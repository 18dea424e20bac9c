//! Taking the buyer's money, behind a narrow interface: [`Payments::charge`] asks for an
//! order's amount once (the order is the idempotency key: a retried or racing request finds
//! the first charge and is not charged again) and answers with the provider's reference or a
//! decline. A real provider's hosted checkout would sit behind the same call (redirect, then
//! confirm by its callback); Rbay never asks for or stores card data.
//!
//! The built-in provider, [`Payments::Test`], charges nothing real: it records one charge per
//! order in Redis and declines when the form asks it to, so both paths can be tried end to end.

use crate::error::AppError;
use crate::server::redis::db::{redis_error, Db};
use crate::util::id::ItemId;

/// The payment providers Rbay can use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Payments {
    /// Built in, for development and tests: no money moves.
    Test,
}

/// One charge: the order's amount, once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Charge {
    pub order: ItemId,
    /// Who pays: with the order, the charge's idempotency key (a second-chance buyer of the
    /// same item is another charge).
    pub buyer: crate::util::id::UserId,
    pub amount_cents: i64,
    /// The test provider declines when asked to (its form has the box); others ignore it.
    pub decline: bool,
}

/// What the provider answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Charged {
    /// Charged (now, or by an earlier request for the same order): the provider's reference.
    Yes { reference: String },
    /// Declined: nothing was charged.
    Declined,
}

/// The provider this instance takes payments with: the built-in test provider is the only one
/// today (a real provider would be chosen by configuration here, behind the same calls).
pub fn provider() -> Payments {
    Payments::Test
}

impl Payments {
    /// Whether the buyer's form offers the test provider's "decline" box.
    pub fn is_test(self) -> bool {
        matches!(self, Payments::Test)
    }

    /// Charges `charge.amount_cents` for `charge.order`, at most once per order and buyer.
    pub async fn charge(self, db: &Db, charge: &Charge) -> Result<Charged, AppError> {
        match self {
            Payments::Test => test_charge(db, charge).await,
        }
    }

    /// Gives back a charge whose order step was refused (the seller cancelled the sale between
    /// the charge and the step): the buyer is never left charged for nothing.
    pub async fn refund(self, db: &Db, charge: &Charge) -> Result<(), AppError> {
        match self {
            Payments::Test => {
                let mut conn = db.conn()?;
                redis::cmd("HSET")
                    .arg(db.keys().test_charge(charge.order))
                    .arg(format!("refunded:{}", charge.buyer))
                    .arg(crate::util::time::now_ms())
                    .query_async::<()>(&mut conn)
                    .await
                    .map_err(|e| redis_error("test refund", e))
            }
        }
    }
}

/// The test provider: one charge hash per order, written only if absent (`HSETNX` in one
/// transaction), so two requests racing get the same reference.
async fn test_charge(db: &Db, charge: &Charge) -> Result<Charged, AppError> {
    if charge.decline {
        return Ok(Charged::Declined);
    }
    let key = db.keys().test_charge(charge.order);
    let reference = format!(
        "test-{}-{}",
        charge.order,
        crate::util::random::random_hex::<6>()
    );
    let field = |name: &str| format!("{name}:{}", charge.buyer);
    let mut conn = db.conn()?;
    let (first, amount): (String, i64) = redis::pipe()
        .atomic()
        .cmd("HSETNX")
        .arg(&key)
        .arg(field("reference"))
        .arg(&reference)
        .ignore()
        .cmd("HSETNX")
        .arg(&key)
        .arg(field("amount_cents"))
        .arg(charge.amount_cents)
        .ignore()
        .cmd("HSETNX")
        .arg(&key)
        .arg(field("at"))
        .arg(crate::util::time::now_ms())
        .ignore()
        .cmd("HGET")
        .arg(&key)
        .arg(field("reference"))
        .cmd("HGET")
        .arg(&key)
        .arg(field("amount_cents"))
        .query_async(&mut conn)
        .await
        .map_err(|e| redis_error("test charge", e))?;
    if amount != charge.amount_cents {
        tracing::error!(order = %charge.order, amount, "a second charge for another amount");
        return Err(AppError::Internal);
    }
    Ok(Charged::Yes { reference: first })
}
