//! Server functions: the item page, listing, bidding, likes, search, suggestions, the home
//! rankings and the seller dashboard.
//!
//! Writes serve two kinds of callers like the auth functions do: hydrated islands get data,
//! plain form posts (JavaScript off) get a redirect back to the page with a result code.

use crate::error::AppError;
use crate::items::{
    BidReply, CardPage, CreateItemReply, HomeSections, ItemPageData, LikeReply, MyLists, WatchReply,
};
use leptos::prelude::*;
use leptos::server_fn::codec::{MultipartData, MultipartFormData};

/// The item page (without its comments). Its view is counted around the page request.
#[server(prefix = "/api", endpoint = "items/page")]
pub async fn get_item_page(id: String) -> Result<Option<ItemPageData>, AppError> {
    use crate::items::ItemId;
    let state = crate::server::state::current()?;
    let Some(id) = ItemId::parse(&id) else {
        return Ok(None);
    };
    let user = crate::accounts::server::current_user(&state).await?;
    crate::items::server::store::page(&state.db, id, user.map(|u| u.id)).await
}

/// The home page rankings.
#[server]
pub async fn get_home_sections() -> Result<HomeSections, AppError> {
    let state = crate::server::state::current()?;
    let sections = crate::items::server::rankings::home_sections_cached(&state.db).await?;
    Ok(HomeSections::clone(&sections))
}

#[server(prefix = "/api", endpoint = "items/bid")]
pub async fn place_bid(item_id: String, amount: String) -> Result<BidReply, AppError> {
    use crate::items::server::bids::{self, BidOutcome};
    use crate::items::{bid_message, BidProblem, ItemId};
    use crate::server::http::forms::{
        back_with, redirect_plain_post, redirect_plain_post_with_notice,
    };
    use crate::server::redis::rate_limit::Action;
    use crate::util::problem::Problem as _;
    let state = crate::server::state::current()?;
    let id = ItemId::parse(&item_id);
    let page = format!("/items/{}", id.map(|i| i.to_string()).unwrap_or_default());
    let reject = |problem: BidProblem, min: Option<i64>| {
        let amount = crate::util::url::clip(&amount, 20);
        redirect_plain_post(&back_with(
            &page,
            "bid_error",
            &problem.code(),
            &[("amount", &amount)],
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
    // Who bids and whether they may bid now: one round trip.
    let signed_in =
        crate::accounts::server::current_user_within(&state, Action::Bid, state.config.bid_limit)
            .await?;
    let Some((user, allowed)) = signed_in else {
        return reject(BidProblem::SignIn, None);
    };
    if let Err(secs) = allowed {
        return reject(BidProblem::RateLimited(secs), None);
    }
    let Some(id) = id else {
        return reject(BidProblem::NotFound, None);
    };
    match bids::place_bid(&state.db, user.id, &user.username, id, cents).await? {
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
            redirect_plain_post_with_notice(&format!("{page}#bid"), crate::items::BID_PLACED);
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
#[server(prefix = "/api", endpoint = "items/buy")]
pub async fn buy_now(item_id: String) -> Result<BidReply, AppError> {
    use crate::items::server::bids::{self, BuyOutcome};
    use crate::items::{bid_message, BidProblem, ItemId};
    use crate::server::http::forms::{back_with, redirect_plain_post};
    use crate::server::redis::rate_limit::Action;
    use crate::util::problem::Problem as _;
    let state = crate::server::state::current()?;
    let id = ItemId::parse(&item_id);
    let page = format!("/items/{}", id.map(|i| i.to_string()).unwrap_or_default());
    let reject = |problem: BidProblem| {
        redirect_plain_post(&back_with(&page, "bid_error", &problem.code(), &[], "bid"));
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
    let Some(id) = id else {
        return reject(BidProblem::NotFound);
    };
    match bids::buy_now(&state.db, user.id, &user.username, id).await? {
        BuyOutcome::Bought { price_cents, .. } => {
            // The winner and the seller hear about it now, not at the original end.
            let db = state.db.clone();
            tokio::spawn(async move {
                if let Err(e) = crate::items::server::closer::notify_outcome(&db, id).await {
                    tracing::warn!(item_id = %id, error = e.message, "purchase notices not queued");
                }
            });
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
        BuyOutcome::Refused(r) => reject(r.problem().0),
    }
}

/// Like (`like = true`) or unlike an item.
#[server(prefix = "/api", endpoint = "items/like")]
pub async fn set_like(item_id: String, like: bool) -> Result<LikeReply, AppError> {
    use crate::items::ItemId;
    use crate::server::http::forms::redirect_plain_post;
    let state = crate::server::state::current()?;
    let Some(user) = crate::accounts::server::current_user(&state).await? else {
        let back = crate::accounts::sign_in_url(&format!("/items/{item_id}"));
        if redirect_plain_post(&back) {
            return Ok(LikeReply {
                liked: false,
                likes: 0,
            });
        }
        return Err(AppError::Unauthorized);
    };
    let Some(id) = ItemId::parse(&item_id) else {
        return Err(AppError::NotFound);
    };
    let Some((liked, likes)) =
        crate::items::server::likes::set_like(&state.db, user.id, id, like).await?
    else {
        return Err(AppError::NotFound);
    };
    redirect_plain_post(&format!("/items/{id}#like"));
    Ok(LikeReply { liked, likes })
}

/// Watch (`watch = true`) or stop watching an item. Plain form posts return to the item page.
#[server(prefix = "/api", endpoint = "items/watch")]
pub async fn set_watch(item_id: String, watch: bool) -> Result<WatchReply, AppError> {
    use crate::items::ItemId;
    use crate::server::http::forms::redirect_plain_post;
    let state = crate::server::state::current()?;
    let Some(user) = crate::accounts::server::current_user(&state).await? else {
        let back = crate::accounts::sign_in_url(&format!("/items/{item_id}"));
        if redirect_plain_post(&back) {
            return Ok(WatchReply {
                watching: false,
                watchers: 0,
            });
        }
        return Err(AppError::Unauthorized);
    };
    let Some(id) = ItemId::parse(&item_id) else {
        return Err(AppError::NotFound);
    };
    let Some((watching, watchers)) =
        crate::items::server::watch::set_watch(&state.db, user.id, id, watch).await?
    else {
        return Err(AppError::NotFound);
    };
    redirect_plain_post(&format!("/items/{id}#watch"));
    Ok(WatchReply { watching, watchers })
}

/// The signed-in user's lists: `bids` (My bids), `watching`, `won` (Won / Sold). `None` when
/// nobody is signed in.
#[server(prefix = "/api", endpoint = "my/list")]
pub async fn my_list(list: String) -> Result<Option<MyLists>, AppError> {
    use crate::items::server::{mine, watch};
    use crate::items::{MyItem, MyStatus};
    let state = crate::server::state::current()?;
    let Some(user) = crate::accounts::server::current_user(&state).await? else {
        return Ok(None);
    };
    let now_ms = crate::util::time::now_ms();
    let lists = match list.as_str() {
        "bids" => MyLists {
            viewer_id: user.id,
            items: mine::my_bids(&state.db, user.id).await?,
            others: Vec::new(),
            now_ms,
        },
        "watching" => MyLists {
            viewer_id: user.id,
            items: watch::watching(&state.db, user.id)
                .await?
                .into_iter()
                .map(|card| MyItem {
                    card,
                    status: MyStatus::Outbid,
                    my_max_cents: None,
                    other_party: None,
                })
                .collect(),
            others: Vec::new(),
            now_ms,
        },
        "won" => {
            let (won, sold) = mine::won_and_sold(&state.db, user.id).await?;
            MyLists {
                viewer_id: user.id,
                items: won,
                others: sold,
                now_ms,
            }
        }
        _ => return Err(AppError::NotFound),
    };
    Ok(Some(lists))
}

/// Lists a new item from the multipart form (fields `name`, `description`, `category`,
/// `price`, `duration`, `reserve`, `buy_now`, `soft_close`, then up to 8 files `photo`).
#[server(prefix = "/api", endpoint = "items/create", input = MultipartFormData)]
pub async fn create_item(data: MultipartData) -> Result<CreateItemReply, AppError> {
    use crate::items::server::listing;
    let state = crate::server::state::current()?;
    listing::receive(&state, data).await
}

#[server(prefix = "/api", endpoint = "search")]
pub async fn search_items(
    q: String,
    status: String,
    sort: String,
    category: String,
    page: usize,
) -> Result<CardPage, AppError> {
    use crate::items::server::rankings::{self, BrowseSort};
    use crate::items::server::search::{self, SearchSort, StatusFilter};
    let state = crate::server::state::current()?;
    // Only a category on the list filters; anything else means all of them.
    let category = crate::items::category(&category).map(|(slug, _)| slug);
    // No words: browse every live auction (of the category) in one of the rankings' orders.
    if q.trim().is_empty() {
        return rankings::browse(&state.db, BrowseSort::parse(&sort), category, page).await;
    }
    search::search(
        &state.db,
        &q,
        StatusFilter::parse(&status),
        SearchSort::parse(&sort),
        category,
        page,
    )
    .await
}

/// The signed-in seller's items, sorted by a column from a fixed list.
#[server(prefix = "/api", endpoint = "dashboard/items")]
pub async fn dashboard_items(sort: String, dir: String, page: usize) -> Result<CardPage, AppError> {
    use crate::items::server::search;
    let state = crate::server::state::current()?;
    let user = crate::accounts::server::current_user(&state)
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

/// The signed-in seller's analytics panels over `span` (`hour`, `day`, `week`, `month`), as
/// HTML. `None` when nobody is signed in.
#[server(prefix = "/api", endpoint = "dashboard/stats")]
pub async fn seller_stats(span: String) -> Result<Option<String>, AppError> {
    let state = crate::server::state::current()?;
    let Some(user) = crate::accounts::server::current_user(&state).await? else {
        return Ok(None);
    };
    let span = crate::analytics::Span::parse(&span).unwrap_or_default();
    let now = crate::util::time::now_ms();
    crate::items::server::stats::seller_panels(&state.db, user.id, span, now)
        .await
        .map(Some)
}

/// One of the signed-in seller's items: its name and analytics panels over `span`, as HTML.
/// `Unauthorized` when nobody is signed in; `NotFound` when it is not theirs.
#[server(prefix = "/api", endpoint = "dashboard/item-stats")]
pub async fn item_stats(id: String, span: String) -> Result<(String, String), AppError> {
    let state = crate::server::state::current()?;
    let Some(user) = crate::accounts::server::current_user(&state).await? else {
        return Err(AppError::Unauthorized);
    };
    let id = crate::items::ItemId::parse(&id).ok_or(AppError::NotFound)?;
    let span = crate::analytics::Span::parse(&span).unwrap_or_default();
    let now = crate::util::time::now_ms();
    crate::items::server::stats::item_panels(&state.db, user.id, id, span, now)
        .await?
        .ok_or(AppError::NotFound)
}

/// The public market board's panels, as HTML.
#[server(prefix = "/api", endpoint = "market")]
pub async fn market_board() -> Result<String, AppError> {
    let state = crate::server::state::current()?;
    crate::items::server::stats::market_cached(&state.db).await
}
