//! Server functions: the seller's dashboard and the market board.

use crate::error::AppError;
use crate::items::{CardPage, ItemId};
use crate::util::problem::FormReply;
use leptos::prelude::*;

/// The signed-in seller's items, sorted by a column from a fixed list.
#[server(prefix = "/api", endpoint = "dashboard/items")]
pub async fn dashboard_items(sort: String, dir: String, page: usize) -> Result<CardPage, AppError> {
    use crate::seller::server::dashboard;
    let state = crate::server::state::current()?;
    let user = crate::accounts::server::current_user(&state)
        .await?
        .ok_or(AppError::Unauthorized)?;
    let key = dashboard::dashboard_sort_key(&sort)?;
    let descending = match dir.as_str() {
        "asc" => false,
        "desc" => true,
        _ => {
            return Err(AppError::Invalid(
                "Sort direction must be asc or desc.".into(),
            ))
        }
    };
    dashboard::seller_items(&state.db, user.id, key, descending, page).await
}

/// The signed-in seller's analytics panels over `span` (`hour`, `day`, `week`, `month`), as
/// HTML. `None` when nobody is signed in.
#[server(prefix = "/api", endpoint = "dashboard/stats")]
pub async fn seller_stats(span: String) -> Result<Option<crate::seller::SellerPanels>, AppError> {
    let state = crate::server::state::current()?;
    let Some(user) = crate::accounts::server::current_user(&state).await? else {
        return Ok(None);
    };
    let span = crate::analytics::Span::parse(&span).unwrap_or_default();
    let now = crate::util::time::now_ms();
    let (zone, chosen_zone) = crate::seller::server::zone::panels_zone(&state).await?;
    let html =
        crate::seller::server::stats::seller_panels(&state.db, user.id, span, now, &zone).await?;
    Ok(Some(crate::seller::SellerPanels { html, chosen_zone }))
}

/// One of the signed-in seller's items: its name and analytics panels over `span`, as HTML.
/// `Unauthorized` when nobody is signed in; `NotFound` when it is not theirs.
#[server(prefix = "/api", endpoint = "dashboard/item-stats")]
pub async fn item_stats(
    id: ItemId,
    span: String,
) -> Result<(String, crate::seller::SellerPanels), AppError> {
    let state = crate::server::state::current()?;
    let Some(user) = crate::accounts::server::current_user(&state).await? else {
        return Err(AppError::Unauthorized);
    };
    let span = crate::analytics::Span::parse(&span).unwrap_or_default();
    let now = crate::util::time::now_ms();
    let (zone, chosen_zone) = crate::seller::server::zone::panels_zone(&state).await?;
    let (name, html) =
        crate::seller::server::stats::item_panels(&state.db, user.id, id, span, now, &zone)
            .await?
            .ok_or(AppError::NotFound)?;
    Ok((name, crate::seller::SellerPanels { html, chosen_zone }))
}

/// The public market board's panels, as HTML: in the clock the signed-in viewer chose, else
/// UTC (a live page asks again in the browser's).
#[server(prefix = "/api", endpoint = "market")]
pub async fn market_board() -> Result<String, AppError> {
    let state = crate::server::state::current()?;
    let zone = crate::accounts::server::chosen_zone(&state)
        .await?
        .unwrap_or_default();
    crate::seller::server::stats::market_cached(&state.db, &zone).await
}

/// What the time-zone page shows; `None` when nobody is signed in.
#[server(prefix = "/api", endpoint = "dashboard/zones")]
pub async fn zone_choice() -> Result<Option<crate::seller::ZoneChoice>, AppError> {
    let state = crate::server::state::current()?;
    if crate::accounts::server::current_user(&state)
        .await?
        .is_none()
    {
        return Ok(None);
    }
    let current = crate::accounts::server::chosen_zone(&state).await?;
    Ok(Some(crate::seller::ZoneChoice {
        current: current.map(|zone| zone.name().to_string()),
        zones: crate::util::zone::Zone::names().to_vec(),
    }))
}

/// Keeps the signed-in seller's choice of clock for their charts (`tz`: a name from the list,
/// or [`BROWSER_ZONE`](crate::seller::BROWSER_ZONE) for none) and goes back to the dashboard.
#[server(prefix = "/api", endpoint = "dashboard/zone")]
pub async fn choose_zone(#[server(default)] tz: String) -> Result<FormReply, AppError> {
    use crate::seller::{ZoneProblem, ZONE_PAGE, ZONE_PROBLEMS_PARAM};
    use crate::server::http::forms::{form_done, form_refused};
    let state = crate::server::state::current()?;
    let Some(user) = crate::accounts::server::form_user(&state, ZONE_PAGE).await? else {
        return Ok(FormReply::signed_out(ZoneProblem::SignIn));
    };
    let zone = crate::util::zone::Zone::named(&tz);
    if zone.is_none() && tz != crate::seller::BROWSER_ZONE {
        let refused = form_refused(ZONE_PAGE, ZONE_PROBLEMS_PARAM, "tz", ZoneProblem::Unknown);
        return Ok(refused);
    }
    crate::seller::server::zone::choose_zone(&state.db, user.id, zone.as_ref()).await?;
    Ok(form_done("/dashboard", "zone"))
}
