//! The analytics pages of the marketplace, built on `analytics`: the seller's dashboard panels,
//! one item's drill-down, and the public market board. Each is one HTML fragment, rendered into
//! its page and sent again (`…/panels` routes) when a live page is pinged that something moved.
//! Reads: one round trip per panel group (series of every metric at once; the rankings of
//! every shard at once), whatever the catalogue or the seller's size.

use crate::accounts::CurrentUser;
use crate::analytics::chart::{bar_chart, price_chart};
use crate::analytics::server::{self as stats, visitors, Scope};
use crate::analytics::{Metric, Series, Span};
use crate::error::AppError;
use crate::items::server::cards::cards_by_id;
use crate::items::server::store::parse_bid;
use crate::items::ItemId;
use crate::server::redis::db::{redis_error, Db};
use crate::server::short_cache::ShortCache;
use crate::server::state::AppState;
use crate::util::money::format_cents;
use crate::util::text::escape_html;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::fmt::Write;
use std::sync::LazyLock;

/// What one count is called, singular and plural.
fn unit(metric: Metric) -> (&'static str, &'static str) {
    match metric {
        Metric::Views => ("view", "views"),
        Metric::Visitors => ("visitor", "visitors"),
        Metric::Bids => ("bid", "bids"),
        Metric::Bidders => ("bidder", "bidders"),
        Metric::Likes => ("like", "likes"),
        Metric::Watches => ("watcher", "watchers"),
        Metric::Comments => ("comment", "comments"),
        Metric::Listings => ("listing", "listings"),
        Metric::SignUps => ("sign-up", "sign-ups"),
    }
}

/// Links to the other spans (`base` + `?span=`), the current one marked.
fn span_nav(base: &str, current: Span) -> String {
    let mut out = String::from(r#"<nav class="span-nav" aria-label="Period">"#);
    for span in Span::ALL {
        let current_attr = if span == current {
            r#" aria-current="page""#
        } else {
            ""
        };
        let _ = write!(
            out,
            r#"<a href="{base}?span={}"{current_attr}>{}</a>"#,
            span.slug(),
            span.label()
        );
    }
    out.push_str("</nav>");
    out
}

fn charts(id_prefix: &str, series: &[Series]) -> String {
    let mut out = String::from(r#"<div class="charts">"#);
    for s in series {
        out.push_str(&bar_chart(
            &format!("{id_prefix}-{}", s.metric.code()),
            s.metric.label(),
            s,
            unit(s.metric),
        ));
    }
    out.push_str("</div>");
    out
}

fn ratio(part: i64, whole: i64) -> String {
    if whole <= 0 {
        "–".into()
    } else {
        format!("{:.0}%", part as f64 * 100.0 / whole as f64)
    }
}

/// The seller's dashboard panels: every metric over `span` for all their items, then their
/// latest items with conversion (bidders per unique visitor).
pub async fn seller_panels(
    db: &Db,
    seller_id: u64,
    span: Span,
    now_ms: i64,
) -> Result<String, AppError> {
    let series = stats::series(db, Scope::Seller(seller_id), &Metric::SELLER, span, now_ms).await?;
    let mut out = span_nav("/dashboard", span);
    out.push_str(&charts("seller", &series));
    out.push_str(&latest_items_table(db, seller_id).await?);
    Ok(out)
}

/// The seller's ten latest items with their all-time visitors, bidders and conversion: one
/// pipeline (ten items, whatever the seller's size).
async fn latest_items_table(db: &Db, seller_id: u64) -> Result<String, AppError> {
    let keys = db.keys();
    let mut conn = db.conn()?;
    let ids: Vec<u64> = redis::cmd("ZREVRANGE")
        .arg(keys.user_items(seller_id))
        .arg(0)
        .arg(9)
        .query_async(&mut conn)
        .await
        .map_err(|e| redis_error("latest items", e))?;
    if ids.is_empty() {
        return Ok(r#"<p class="empty">List an item to see its numbers here.</p>"#.into());
    }
    let mut pipe = redis::pipe();
    for id in &ids {
        pipe.cmd("HGET")
            .arg(keys.item(*id))
            .arg("name")
            .cmd("PFCOUNT")
            .arg(keys.item_viewers(*id))
            .cmd("HLEN")
            .arg(keys.item_maxes(*id))
            .cmd("HMGET")
            .arg(keys.item_state(*id))
            .arg(&["views", "bids", "price"]);
    }
    let rows: Vec<redis::Value> = pipe
        .query_async(&mut conn)
        .await
        .map_err(|e| redis_error("latest items", e))?;
    let mut out = String::from(
        r#"<h2>Your latest items</h2><div class="table-wrap"><table class="items-table stats-table"><thead><tr><th scope="col">Item</th><th scope="col">Price</th><th scope="col">Visitors</th><th scope="col">Bidders</th><th scope="col">Conversion</th><th scope="col">Bids</th></tr></thead><tbody>"#,
    );
    for (id, row) in ids.iter().zip(rows.chunks(4)) {
        let name: Option<String> = redis::from_redis_value_ref(&row[0]).ok().flatten();
        let Some(name) = name else { continue };
        let visitors: i64 = redis::from_redis_value_ref(&row[1]).unwrap_or(0);
        let bidders: i64 = redis::from_redis_value_ref(&row[2]).unwrap_or(0);
        let state: Vec<Option<i64>> = redis::from_redis_value_ref(&row[3]).unwrap_or_default();
        let num = |i: usize| state.get(i).copied().flatten().unwrap_or(0);
        let _ = write!(
            out,
            r#"<tr><td><a href="/dashboard/items/{id}">{}</a></td><td class="num">{}</td><td class="num">{visitors}</td><td class="num">{bidders}</td><td class="num">{}</td><td class="num">{}</td></tr>"#,
            escape_html(&name),
            format_cents(num(2)),
            ratio(bidders, visitors),
            num(1)
        );
    }
    out.push_str("</tbody></table></div>");
    Ok(out)
}

/// One item's panels for its seller: every metric over `span` and the price over time.
/// `None` when the item does not exist or is not the viewer's.
pub async fn item_panels(
    db: &Db,
    viewer_id: u64,
    id: ItemId,
    span: Span,
    now_ms: i64,
) -> Result<Option<(String, String)>, AppError> {
    let keys = db.keys();
    let mut conn = db.conn()?;
    let (doc, history): (Vec<Option<String>>, Vec<String>) = redis::pipe()
        .cmd("HMGET")
        .arg(keys.item(id))
        .arg(&["name", "seller_id", "start_price", "created_at"])
        .cmd("LRANGE")
        .arg(keys.item_bids(id))
        .arg(0)
        .arg(199)
        .query_async(&mut conn)
        .await
        .map_err(|e| redis_error("item stats", e))?;
    let field = |i: usize| doc.get(i).cloned().flatten();
    let (Some(name), Some(seller)) = (field(0), field(1)) else {
        return Ok(None);
    };
    if seller.parse::<u64>().ok() != Some(viewer_id) {
        return Ok(None);
    }
    let series = stats::series(db, Scope::Item(id.0), &Metric::SELLER, span, now_ms).await?;
    let start = field(2).and_then(|v| v.parse().ok()).unwrap_or(0);
    let listed = field(3).and_then(|v| v.parse().ok()).unwrap_or(now_ms);
    let mut points: Vec<(i64, i64)> = vec![(listed, start)];
    points.extend(
        history
            .iter()
            .rev()
            .filter_map(|raw| parse_bid(raw))
            .map(|b| (b.at_ms, b.amount_cents)),
    );
    let mut out = span_nav(&format!("/dashboard/items/{id}"), span);
    out.push_str(&charts("item", &series));
    out.push_str(r#"<div class="charts charts-wide">"#);
    out.push_str(&price_chart("item-price", "Price", &points, now_ms));
    out.push_str("</div>");
    Ok(Some((name, out)))
}

/// The market board: bids and new listings per minute over the last hour, sign-ups, auctions
/// running, visitors active in the last five minutes, the items trending in the last hour and
/// the biggest price rises.
pub async fn market_panels(db: &Db, now_ms: i64) -> Result<String, AppError> {
    let metrics = [Metric::Bids, Metric::Listings, Metric::SignUps];
    let (series, active, visitors, trending, jumps) = tokio::try_join!(
        stats::series(db, Scope::Site, &metrics, Span::Hour, now_ms),
        stats::active_auctions(db, now_ms),
        visitors::active(db, now_ms),
        stats::trending(db, 8, now_ms),
        stats::price_jumps(db, 8, now_ms),
    )?;
    let ids: Vec<ItemId> = trending
        .iter()
        .chain(jumps.iter())
        .map(|(id, _)| ItemId(*id))
        .collect();
    let cards = cards_by_id(db, &ids).await?;
    let card = |id: u64| cards.iter().find(|c| c.id.0 == id);
    let mut out = String::from(r#"<div class="tiles">"#);
    for (label, value, attr) in [
        ("Auctions running", active, "active"),
        ("Visitors now", visitors, "visitors"),
        (
            "Bids this hour",
            series.first().map(Series::total).unwrap_or(0),
            "bids",
        ),
        (
            "Sign-ups this hour",
            series.get(2).map(Series::total).unwrap_or(0),
            "signups",
        ),
    ] {
        let _ = write!(
            out,
            r#"<div class="tile"><span class="tile-value" data-tile="{attr}">{value}</span><span class="tile-label">{label}</span></div>"#
        );
    }
    out.push_str("</div>");
    out.push_str(&charts("market", &series[..2]));
    out.push_str(r#"<div class="rank-lists">"#);
    for (title, list, empty, show) in [
        (
            "Trending this hour",
            &trending,
            "Nothing yet: views and bids of the last hour make an item trend.",
            false,
        ),
        (
            "Biggest price rises this hour",
            &jumps,
            "No price has moved this hour.",
            true,
        ),
    ] {
        let _ = write!(out, r#"<section class="rank-list"><h2>{title}</h2>"#);
        if list.is_empty() {
            let _ = write!(out, r#"<p class="empty">{empty}</p>"#);
        } else {
            out.push_str("<ol>");
            for (id, score) in list.iter() {
                let Some(c) = card(*id) else { continue };
                let extra = if show {
                    format!("+{}", format_cents(*score as i64))
                } else {
                    format!("{} bids", c.bids)
                };
                let _ = write!(
                    out,
                    r#"<li><a href="/items/{id}">{}</a> <span class="num" data-live-price="{id}">{}</span> <span class="muted">{extra}</span></li>"#,
                    escape_html(&c.name),
                    format_cents(c.price_cents)
                );
            }
            out.push_str("</ol>");
        }
        out.push_str("</section>");
    }
    out.push_str("</div>");
    Ok(out)
}

// ---- Routes: the fragments live pages fetch, and the market's event stream ----------------

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/dashboard/panels", get(seller_fragment))
        .route("/dashboard/items/{id}/panels", get(item_fragment))
        .route("/market/panels", get(market_fragment))
        .route("/api/live/market", get(market_events))
}

#[derive(serde::Deserialize)]
struct SpanQuery {
    #[serde(default)]
    span: String,
}

fn html(body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}

async fn seller_fragment(
    State(state): State<AppState>,
    seller: CurrentUser,
    Query(query): Query<SpanQuery>,
) -> Result<Response, AppError> {
    let span = Span::parse(&query.span).unwrap_or_default();
    let panels = seller_panels(&state.db, seller.id, span, crate::util::time::now_ms()).await?;
    Ok(html(panels))
}

async fn item_fragment(
    State(state): State<AppState>,
    Path(id): Path<String>,
    seller: CurrentUser,
    Query(query): Query<SpanQuery>,
) -> Result<Response, AppError> {
    let span = Span::parse(&query.span).unwrap_or_default();
    let id = ItemId::parse(&id).ok_or(AppError::NotFound)?;
    let (_, panels) = item_panels(&state.db, seller.id, id, span, crate::util::time::now_ms())
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(html(panels))
}

/// The rendered market board, reused by this instance for [`rankings::FRESH_FOR`]: the board
/// is public and the same for everyone, so a crowd watching it costs one read per interval.
static MARKET: LazyLock<ShortCache<String>> =
    LazyLock::new(|| ShortCache::new(crate::catalog::server::rankings::FRESH_FOR));

/// The market panels, from this instance's short cache when fresh.
pub async fn market_cached(db: &Db) -> Result<String, AppError> {
    let panels = MARKET
        .get(db.keys().prefix(), || {
            market_panels(db, crate::util::time::now_ms())
        })
        .await?;
    Ok(String::clone(&panels))
}

async fn market_fragment(State(state): State<AppState>) -> Response {
    market_cached(&state.db)
        .await
        .map(html)
        .unwrap_or_else(|e| e.into_response())
}

async fn market_events(State(state): State<AppState>) -> Response {
    crate::live::server::market_events_response(&state.live, &state.shutdown)
        .await
        .unwrap_or_else(|e| e.into_response())
}
