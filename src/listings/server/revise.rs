//! Changing a running listing: revising it while nobody has bid (`lua/revise_listing.lua`:
//! text, category, terms, prices, options and, when new ones are sent, photos; the end stays),
//! and adding dated text to its description at any time before it ends
//! (`lua/add_to_description.lua`), as eBay allows.

use crate::accounts::sign_in_url;
use crate::catalog::server::rankings::CategoryRankings;
use crate::error::AppError;
use crate::items::server::frame::{heard_after, item_script};
use crate::items::server::images::Photo;
use crate::items::server::store;
use crate::items::{ItemId, NewItem, Shipping};
use crate::listings::server::listing::{
    checked, count, queue_thumbnails, read_form, send_back, FormRules, ItemForm,
};
use crate::listings::{
    check_revision, CreateItemReply, ItemFormErrors, ItemFormValues, ListingProblem, RevisePage,
    ADDITIONS_MAX, REVISED_NOTICE,
};
use crate::server::http::forms::{redirect_plain_post, redirect_plain_post_with_notice};
use crate::server::redis::db::{redis_error, Db};
use crate::server::redis::keys::shard_of;
use crate::server::redis::rate_limit::{Action, Limit};
use crate::server::redis::reply::Fields;
use crate::server::state::AppState;
use crate::util::id::UserId;
use crate::util::money::cents_to_input;
use leptos::server_fn::codec::MultipartData;
use redis::{FromRedisValue, ParsingError};

/// `lua/revise_listing.lua`: the seller revises a listing nobody has bid on.
pub static REVISE_LISTING: std::sync::LazyLock<redis::Script> =
    crate::lua_script!("revise_listing");
/// `lua/add_to_description.lua`: the seller adds to a running listing's description.
pub static ADD_TO_DESCRIPTION: std::sync::LazyLock<redis::Script> =
    crate::lua_script!("add_to_description");

/// Revisions and additions per seller: 30 an hour (each revision may carry 8 photos to decode).
pub const REVISION_LIMIT: Limit = Limit::per_secs(30, 3600);

/// The revise form: the whole item form but its length, the revision limit.
const REVISION_RULES: FormRules = FormRules {
    check: check_revision,
    action: Action::Revision,
    limit: REVISION_LIMIT,
};

/// What a revision did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Revised {
    Revised {
        revision: u32,
    },
    NotFound,
    NotYours,
    /// It ended (or closed).
    Over,
    /// Somebody bid: it stays as they saw it.
    HasBids,
    /// A moderator hid it.
    Removed,
}

impl FromRedisValue for Revised {
    fn from_redis_value(v: redis::Value) -> Result<Self, ParsingError> {
        let f = Fields::new("revise_listing", v)?;
        match f.status()?.as_str() {
            "revised" => {
                f.expect_len(2)?;
                Ok(Revised::Revised {
                    revision: f.get(1)?,
                })
            }
            "not_found" => Ok(Revised::NotFound),
            "not_yours" => Ok(Revised::NotYours),
            "over" => Ok(Revised::Over),
            "has_bids" => Ok(Revised::HasBids),
            "removed" => Ok(Revised::Removed),
            other => Err(f.unknown_status(other)),
        }
    }
}

/// Revises `item` for its seller `seller` to `new` (its `duration_ms` is not used: the end
/// stays), replacing its photos with `photos` unless that is empty.
pub async fn revise(
    db: &Db,
    seller: UserId,
    item: ItemId,
    new: &NewItem,
    photos: &[Photo],
) -> Result<Revised, AppError> {
    let keys = db.keys();
    let mut conn = db.conn()?;
    let mut call = item_script(&REVISE_LISTING, keys, item);
    call.key(keys.item_image(item))
        .arg(seller)
        .arg(&new.name)
        .arg(&new.description)
        .arg(new.start_cents)
        .arg(new.reserve_cents.unwrap_or(0))
        .arg(new.buy_now_cents.unwrap_or(0))
        .arg(if new.soft_close { 1 } else { 0 })
        .arg(new.category)
        .arg(new.terms.condition.slug())
        .arg(&new.terms.location)
        .arg(new.terms.shipping.to_field())
        .arg(new.terms.returns_days)
        .arg(photos.len())
        .arg(
            photos
                .iter()
                .map(|p| p.large.as_slice())
                .collect::<Vec<_>>(),
        )
        .category_rankings(keys, shard_of(item.0));
    // Answered once this instance heard of it (`frame::heard_after`).
    let revised: Revised = heard_after(db, item, call.invoke_async(&mut conn), |r| {
        matches!(r, Ok(Revised::Revised { .. }))
    })
    .await
    .map_err(|e| redis_error("revise listing", e))?;
    if let Revised::Revised { revision } = revised {
        tracing::info!(item_id = %item, %seller, revision, photos = photos.len(), "listing revised");
    }
    Ok(revised)
}

/// What adding to a description did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Added {
    Added {
        at_ms: i64,
    },
    NotFound,
    NotYours,
    Over,
    /// It has [`ADDITIONS_MAX`] additions already.
    TooMany,
    Removed,
}

impl FromRedisValue for Added {
    fn from_redis_value(v: redis::Value) -> Result<Self, ParsingError> {
        let f = Fields::new("add_to_description", v)?;
        match f.status()?.as_str() {
            "added" => {
                f.expect_len(2)?;
                Ok(Added::Added { at_ms: f.get(1)? })
            }
            "not_found" => Ok(Added::NotFound),
            "not_yours" => Ok(Added::NotYours),
            "over" => Ok(Added::Over),
            "full" => Ok(Added::TooMany),
            "removed" => Ok(Added::Removed),
            other => Err(f.unknown_status(other)),
        }
    }
}

/// Adds `text` (checked by `ADDITION_RULE`) to the description of `item` for its seller.
pub async fn add_to_description(
    db: &Db,
    seller: UserId,
    item: ItemId,
    text: &str,
) -> Result<Added, AppError> {
    let keys = db.keys();
    let mut conn = db.conn()?;
    heard_after(
        db,
        item,
        item_script(&ADD_TO_DESCRIPTION, keys, item)
            .arg(seller)
            .arg(text)
            .arg(ADDITIONS_MAX)
            .invoke_async(&mut conn),
        |r| matches!(r, Ok(Added::Added { .. })),
    )
    .await
    .map_err(|e| redis_error("add to description", e))
}

/// What the revise page offers `user` for `item` (`None`: no such item): one round trip.
pub async fn page(db: &Db, user: UserId, item: ItemId) -> Result<Option<RevisePage>, AppError> {
    let (doc, state) = store::hashes(db, item, "revise page").await?;
    let Some(detail) = store::detail_from(item, &doc, &state) else {
        return Ok(None);
    };
    let closed = state.get("closed").map(String::as_str) == Some("1");
    // A listing a moderator hid does not exist for anyone but its seller (as its page).
    if detail.removed.is_some() && detail.seller_id != user {
        return Ok(None);
    }
    let refused = if detail.seller_id != user {
        Some(ListingProblem::NotYours)
    } else if detail.removed.is_some() {
        Some(ListingProblem::Removed)
    } else if closed || !detail.is_live(crate::util::time::now_ms()) {
        Some(ListingProblem::Over)
    } else {
        None
    };
    if let Some(problem) = refused {
        return Ok(Some(RevisePage::Refused(problem)));
    }
    if detail.bids > 0 {
        return Ok(Some(RevisePage::AddOnly {
            name: detail.name,
            additions: detail.additions,
        }));
    }
    let cents = |k: &str| {
        state
            .get(k)
            .and_then(|v| v.parse::<i64>().ok())
            .filter(|c| *c > 0)
            .map(cents_to_input)
            .unwrap_or_default()
    };
    let terms = detail.terms.clone().unwrap_or_default();
    let (shipping, shipping_cost) = match terms.shipping {
        Shipping::Free => ("free", String::new()),
        Shipping::Cost(c) => ("cost", cents_to_input(c)),
        Shipping::PickupOnly => ("pickup", String::new()),
    };
    let values = ItemFormValues {
        name: detail.name.clone(),
        description: detail.description.clone(),
        price: cents_to_input(detail.start_price_cents),
        duration: String::new(),
        reserve: cents("reserve"),
        buy_now: cents("buy_now"),
        soft_close: detail.soft_close,
        category: detail.category.clone(),
        condition: terms.condition.slug().to_string(),
        location: terms.location,
        shipping: shipping.to_string(),
        shipping_cost,
        returns: terms.returns_days.to_string(),
    };
    Ok(Some(RevisePage::Revise {
        name: detail.name,
        values: Box::new(values),
        photos: detail.photos,
        ends_at_ms: detail.ends_at_ms,
    }))
}

/// A revision's gate for `read_form`: at the first photo, is the form valid so far, is the
/// listing the seller's and still open to revision, and may they revise now? Counts the
/// revision against the rate limit (once) when all three hold; photos are decoded only then.
async fn gate(state: &AppState, seller: UserId, form: &mut ItemForm) -> bool {
    if !(REVISION_RULES.check)(&form.values).0.is_empty() {
        return false;
    }
    let Some(item) = form.item else {
        return false;
    };
    match page(&state.db, seller, item).await {
        Ok(Some(RevisePage::Revise { .. })) => {}
        Ok(Some(RevisePage::AddOnly { .. })) => {
            form.refused = Some(ListingProblem::HasBids);
            return false;
        }
        Ok(Some(RevisePage::Refused(problem))) => {
            form.refused = Some(problem);
            return false;
        }
        Ok(None) => {
            form.failed = Some(AppError::NotFound);
            return false;
        }
        Err(e) => {
            form.failed = Some(e);
            return false;
        }
    }
    count(state, seller, REVISION_RULES, form).await
}

/// Reads the revise form (only for a signed-in user), checks it and revises the listing;
/// answers plain form posts with a redirect: to the item page with a notice, or back to the
/// form with its problems and what was typed.
pub async fn receive(state: &AppState, data: MultipartData) -> Result<CreateItemReply, AppError> {
    let Some(user) = crate::accounts::server::current_user(state).await? else {
        redirect_plain_post(&sign_in_url("/"));
        return Ok(CreateItemReply::Rejected(ItemFormErrors::form(
            ListingProblem::SignIn,
        )));
    };
    let form = read_form(data, state, user.id, gate).await;
    // A body cut off at the limit may have lost its listing's id: 413 first.
    if form.body_too_large {
        return Err(AppError::TooLarge);
    }
    let Some(item) = form.item else {
        return Err(AppError::Invalid("Say which listing to revise.".into()));
    };
    let new = match checked(state, user.id, REVISION_RULES, &form).await? {
        Ok(new) => new,
        Err(errors) => return Ok(send_back(&revise_url(item), errors, &form)),
    };
    let refused = match revise(&state.db, user.id, item, &new, &form.photos).await? {
        Revised::Revised { revision } => {
            if !form.photos.is_empty() {
                queue_thumbnails(&state.db, item, revision).await;
            }
            redirect_plain_post_with_notice(&format!("/items/{item}#manage"), REVISED_NOTICE);
            return Ok(CreateItemReply::Created {
                id: item.to_string(),
            });
        }
        Revised::NotFound => return Err(AppError::NotFound),
        Revised::NotYours => ListingProblem::NotYours,
        Revised::Over => ListingProblem::Over,
        Revised::HasBids => ListingProblem::HasBids,
        Revised::Removed => ListingProblem::Removed,
    };
    Ok(send_back(
        &revise_url(item),
        ItemFormErrors::form(refused),
        &form,
    ))
}

/// The revise page of `item`.
pub fn revise_url(item: ItemId) -> String {
    format!("/items/{item}/edit")
}
