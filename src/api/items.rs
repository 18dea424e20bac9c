//! Items: the item page, listing, bidding, likes, search, suggestions, the seller dashboard
//! and profiles.
//!
//! Writes serve two kinds of callers like the auth functions do: hydrated islands get data,
//! plain form posts (JavaScript off) get a redirect back to the page with a result code.

use crate::error::AppError;
use crate::items::{BidReply, CreateItemReply, LikeReply};
use crate::model::{CardPage, ItemCard, ItemPageData, Profile};
use leptos::prelude::*;
use leptos::server_fn::codec::{GetUrl, MultipartData, MultipartFormData};

/// The item page; counts the view (once per visitor).
#[server(prefix = "/api", endpoint = "items/page")]
pub async fn get_item_page(id: String) -> Result<Option<ItemPageData>, AppError> {
    use crate::server::{items, request};
    let state = super::state()?;
    let user = request::current_user(&state).await?;
    let visitor = request::visitor(&state, user.as_ref());
    items::page(&state.db, &id, user.map(|u| u.id), &visitor).await
}

#[server(prefix = "/api", endpoint = "items/bid")]
pub async fn place_bid(item_id: String, amount: String) -> Result<BidReply, AppError> {
    use crate::items::BidProblem;
    use crate::server::items::{self, BidOutcome, BidRejection};
    use crate::server::rate_limit::{self, Action};
    use crate::server::request;
    let state = super::state()?;
    let back = |problem: Option<BidProblem>| {
        if request::is_plain_form_post() {
            let id = if items::valid_id(&item_id) {
                item_id.as_str()
            } else {
                ""
            };
            let target = match problem {
                None => format!("/items/{id}?bid=ok#bid"),
                Some(p) => format!(
                    "/items/{id}?bid_error={}&amount={}#bid",
                    p.code(),
                    crate::accounts::encode_query_value(
                        &amount.chars().take(20).collect::<String>()
                    )
                ),
            };
            leptos_axum::redirect(&target);
        }
    };
    let reject = |problem: BidProblem, min: Option<i64>| {
        back(Some(problem));
        Ok(BidReply::Rejected {
            message: problem.message(min.unwrap_or(0)),
            min_next_cents: min,
        })
    };

    let Some(user) = request::current_user(&state).await? else {
        return reject(BidProblem::SignIn, None);
    };
    let cents = match crate::money::parse_cents(&amount) {
        Ok(cents) => cents,
        Err(e) => return reject(BidProblem::Amount(e), None),
    };
    if let Err(secs) = rate_limit::enforce(
        &state.db,
        Action::Bid,
        &format!("user:{}", user.id),
        state.config.bid_limit,
    )
    .await?
    {
        return reject(BidProblem::RateLimited(secs), None);
    }
    match items::place_bid(&state.db, user.id, &user.username, &item_id, cents).await? {
        BidOutcome::Accepted {
            price_cents,
            bids,
            min_next_cents,
            ..
        } => {
            back(None);
            Ok(BidReply::Accepted {
                price_cents,
                bids,
                min_next_cents,
            })
        }
        BidOutcome::Rejected(r) => {
            let (problem, min) = match r {
                BidRejection::NotFound => (BidProblem::NotFound, None),
                BidRejection::Ended => (BidProblem::Ended, None),
                BidRejection::OwnItem => (BidProblem::OwnItem, None),
                BidRejection::TooLow { minimum_cents } => (BidProblem::TooLow, Some(minimum_cents)),
            };
            reject(problem, min)
        }
    }
}

/// Like (`like = true`) or unlike an item.
#[server(prefix = "/api", endpoint = "items/like")]
pub async fn set_like(item_id: String, like: bool) -> Result<LikeReply, AppError> {
    use crate::server::{items, request};
    let state = super::state()?;
    let plain = request::is_plain_form_post();
    let Some(user) = request::current_user(&state).await? else {
        if plain {
            leptos_axum::redirect(&crate::accounts::sign_in_url(&format!("/items/{item_id}")));
            return Ok(LikeReply {
                liked: false,
                likes: 0,
            });
        }
        return Err(AppError::Unauthorized);
    };
    let Some((liked, likes)) = items::set_like(&state.db, user.id, &item_id, like).await? else {
        return Err(AppError::NotFound);
    };
    if plain {
        leptos_axum::redirect(&format!("/items/{item_id}#like"));
    }
    Ok(LikeReply { liked, likes })
}

/// Lists a new item from the multipart form (fields `name`, `description`, `price`,
/// `duration`, optional file `photo`).
#[server(prefix = "/api", endpoint = "items/create", input = MultipartFormData)]
pub async fn create_item(data: MultipartData) -> Result<CreateItemReply, AppError> {
    let state = super::state()?;
    let form = crate::server::listing::read_form(data).await;
    crate::server::listing::create(&state, form).await
}

#[server(prefix = "/api", endpoint = "search")]
pub async fn search_items(
    q: String,
    status: String,
    sort: String,
    page: usize,
) -> Result<CardPage, AppError> {
    use crate::server::search::{self, SearchSort, StatusFilter};
    let state = super::state()?;
    search::search(
        &state.db,
        &q,
        StatusFilter::parse(&status),
        SearchSort::parse(&sort),
        page,
    )
    .await
}

/// Suggestions for the header search box: (id, name) pairs.
#[server(prefix = "/api", endpoint = "suggest", input = GetUrl)]
pub async fn suggest_items(q: String) -> Result<Vec<(String, String)>, AppError> {
    let state = super::state()?;
    let cards = crate::server::search::suggest(&state.db, &q).await?;
    Ok(cards.into_iter().map(|c| (c.id, c.name)).collect())
}

/// The signed-in seller's items, sorted by a column from a fixed list.
#[server(prefix = "/api", endpoint = "dashboard/items")]
pub async fn dashboard_items(sort: String, dir: String, page: usize) -> Result<CardPage, AppError> {
    use crate::server::{request, search};
    let state = super::state()?;
    let user = request::current_user(&state)
        .await?
        .ok_or(AppError::Unauthorized)?;
    let key = search::dashboard_sort_key(&sort)?;
    let descending = match dir.as_str() {
        "asc" => false,
        "desc" => true,
        _ => {
            return Err(AppError::Invalid(
                "Sort direction must be asc or desc.".into(),
            ))
        }
    };
    search::seller_items(&state.db, user.id, key, descending, page).await
}

/// A user's public profile: items they sell and items they like.
#[server(prefix = "/api", endpoint = "users/profile")]
pub async fn user_profile(id: String) -> Result<Option<Profile>, AppError> {
    let state = super::state()?;
    crate::server::profiles::profile(&state.db, &id).await
}

/// Cards of items, for islands that refresh them (e.g. live prices).
#[server(prefix = "/api", endpoint = "items/cards")]
pub async fn item_cards(ids: Vec<String>) -> Result<Vec<ItemCard>, AppError> {
    let state = super::state()?;
    let ids: Vec<String> = ids
        .into_iter()
        .filter(|id| crate::server::items::valid_id(id))
        .take(50)
        .collect();
    crate::server::search::cards_by_id(&state.db, &ids).await
}
