//! The analytics pages of the marketplace, built on `analytics`: the seller's dashboard panels,
//! one item's drill-down, and the public market board. Each is one HTML fragment, rendered into
//! its page and sent again (`…/panels` routes) when a live page is pinged that something moved.
//! Reads: one round trip per panel group (series of every metric at once; the rankings of
//! every shard at once), whatever the catalogue or the seller's size.

use crate::accounts::server::sessions::SessionUser;
use crate::analytics::chart::{BarChart, PriceChart};
use crate::analytics::server::{self as stats, visitors, Scope};
use crate::analytics::{Metric, Series, Span};
use crate::error::AppError;
use crate::items::server::cards::cards_by_id;
use crate::items::server::store::parse_bid;
use crate::items::ItemId;
use crate::server::redis::db::{redis_error, Db};
use crate::server::short_cache::ShortCache;
use crate::server::state::AppState;
use crate::util::html::to_html;
use crate::util::html::{ColumnHeads, Tiles};
use crate::util::id::UserId;
use crate::util::money::format_cents;
use crate::util::zone::{Zone, ZoneQuery};
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use leptos::prelude::*;
use std::sync::{Arc, LazyLock};

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
#[component]
fn SpanNav(base: String, current: Span) -> impl IntoView {
    let links = Span::ALL
        .into_iter()
        .map(|span| {
            view! {
                <a
                    href=format!("{base}?span={}", span.slug())
                    aria-current=(span == current).then_some("page")
                >
                    {span.label()}
                </a>
            }
        })
        .collect_view();
    view! { <nav class="span-nav" aria-label="Period">{links}</nav> }
}

/// A bar chart of every series.
fn charts(id_prefix: &str, series: &[Series], zone: &Zone) -> impl IntoView + use<> {
    view! { <div class="charts">{chart_list(id_prefix, series, zone)}</div> }
}

/// One bar chart per series.
fn chart_list(id_prefix: &str, series: &[Series], zone: &Zone) -> impl IntoView + use<> {
    series
        .iter()
        .map(|s| {
            view! {
                <BarChart
                    id=format!("{id_prefix}-{}", s.metric.code())
                    title=s.metric.label().to_string()
                    series=s.clone()
                    unit=unit(s.metric)
                    zone=zone.clone()
                />
            }
        })
        .collect_view()
}

/// Which clock the panels' times read (UTC, or the zone the seller chose), with a link to
/// choose one on the seller's own panels (`choose`). Days are UTC days in every zone.
#[component]
fn ZoneNote(zone: Zone, #[prop(optional)] choose: bool) -> impl IntoView {
    view! {
        <p class="muted chart-zone" data-zone=zone.name().to_string()>
            "Times of day in " {zone.name().to_string()} "; days run midnight to midnight UTC."
            {choose.then(|| view! {
                " " <a href=crate::seller::ZONE_PAGE>"Choose your time zone"</a>
            })}
        </p>
    }
}

fn ratio(part: i64, whole: i64) -> String {
    if whole <= 0 {
        "–".into()
    } else {
        format!("{:.0}%", part as f64 * 100.0 / whole as f64)
    }
}

/// The seller's dashboard panels: every metric over `span` for all their items, then their
/// latest items with conversion (bidders per unique visitor). The charts come from counters
/// folded every `FOLD_EVERY`, so they are rendered at most once per seller, span and fold
/// interval per instance ([`SELLER_CHARTS`]); the latest items are read every time, so a new
/// listing shows at once.
pub async fn seller_panels(
    db: &Db,
    seller_id: UserId,
    span: Span,
    now_ms: i64,
    zone: &Zone,
) -> Result<String, AppError> {
    let key = format!("{}{seller_id}:{}:{zone}", db.keys().prefix(), span.slug());
    let charts = SELLER_CHARTS.try_get_with(key, async {
        let series =
            stats::series(db, Scope::Seller(seller_id), &Metric::SELLER, span, now_ms).await?;
        Ok::<_, AppError>(Arc::<str>::from(to_html(chart_list(
            "seller", &series, zone,
        ))))
    });
    let (charts, latest) = tokio::join!(charts, latest_items(db, seller_id));
    let charts = charts.map_err(|e| AppError::clone(&e))?;
    let latest = latest?;
    // A new seller has nothing to chart: say what will be here, not seven empty charts.
    if latest.is_empty() {
        return Ok(to_html(view! {
            <p class="empty" data-testid="no-listings">
                "Your charts start with your first listing: views, visitors, bids and watchers per minute, hour and day. "
                <a href="/items/new">"List an item"</a>"."
            </p>
        }));
    }
    Ok(to_html(view! {
        <SpanNav base="/dashboard".to_string() current=span/>
        <ZoneNote zone=zone.clone() choose=true/>
        // The charts' HTML was rendered by `chart_list` (Leptos escaped every text in it).
        <div class="charts" inner_html=charts.to_string()></div>
        <LatestItems rows=latest/>
    }))
}

/// The seller charts' HTML per key prefix, seller, span and zone, for one fold interval; moka runs
/// one render per key at a time.
static SELLER_CHARTS: LazyLock<moka::future::Cache<String, Arc<str>>> = LazyLock::new(|| {
    moka::future::Cache::builder()
        .time_to_live(stats::FOLD_EVERY)
        .max_capacity(1_024)
        .build()
});

/// One of the seller's latest items in the table below the charts.
#[derive(Clone)]
struct LatestRow {
    id: u64,
    name: String,
    price_cents: i64,
    visitors: i64,
    bidders: i64,
    bids: i64,
}

/// The seller's ten latest items with their all-time visitors, bidders and conversion: one
/// pipeline (ten items, whatever the seller's size).
async fn latest_items(db: &Db, seller_id: UserId) -> Result<Vec<LatestRow>, AppError> {
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
        return Ok(Vec::new());
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
    type Row = (Option<String>, i64, i64, Vec<Option<i64>>);
    let rows: Vec<Row> = pipe
        .query_async(&mut conn)
        .await
        .map_err(|e| redis_error("latest items", e))?;
    Ok(ids
        .iter()
        .zip(rows)
        .filter_map(|(id, (name, visitors, bidders, state))| {
            let num = |i: usize| state.get(i).copied().flatten().unwrap_or(0);
            Some(LatestRow {
                id: *id,
                name: name?,
                price_cents: num(2),
                visitors,
                bidders,
                bids: num(1),
            })
        })
        .collect())
}

#[component]
fn LatestItems(rows: Vec<LatestRow>) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p class="empty">"List an item to see its numbers here."</p> }.into_any();
    }
    let rows = rows
        .into_iter()
        .map(|r| {
            view! {
                <tr>
                    <td data-label="Item"><a href=format!("/dashboard/items/{}", r.id)>{r.name}</a></td>
                    <td class="num" data-label="Price">{format_cents(r.price_cents)}</td>
                    <td class="num" data-label="Visitors">{r.visitors}</td>
                    <td class="num" data-label="Bidders">{r.bidders}</td>
                    <td class="num" data-label="Conversion">{ratio(r.bidders, r.visitors)}</td>
                    <td class="num" data-label="Bids">{r.bids}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <h2>"Your latest items"</h2>
        <div class="table-wrap">
            <table class="items-table stats-table stacked">
                <ColumnHeads names=&["Item", "Price", "Visitors", "Bidders", "Conversion", "Bids"]/>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

/// One item's panels for its seller: every metric over `span` and the price over time.
/// `None` when the item does not exist or is not the viewer's.
pub async fn item_panels(
    db: &Db,
    viewer_id: UserId,
    id: ItemId,
    span: Span,
    now_ms: i64,
    zone: &Zone,
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
    if UserId::parse(&seller) != Some(viewer_id) {
        return Ok(None);
    }
    let series = stats::series(db, Scope::Item(id), &Metric::SELLER, span, now_ms).await?;
    let start = field(2).and_then(|v| v.parse().ok()).unwrap_or(0);
    let listed = field(3).and_then(|v| v.parse().ok()).unwrap_or(now_ms);
    let mut points: Vec<(i64, i64)> = vec![(listed, start)];
    points.extend(
        history
            .iter()
            .rev()
            .filter_map(|raw| parse_bid(raw))
            .filter(|b| !b.cancelled)
            .map(|b| (b.at_ms, b.amount_cents)),
    );
    let panels = to_html(view! {
        <SpanNav base=format!("/dashboard/items/{id}") current=span/>
        <ZoneNote zone=zone.clone() choose=true/>
        {charts("item", &series, zone)}
        <div class="charts charts-wide">
            <PriceChart id="item-price".to_string() title="Price".to_string() points until_ms=now_ms zone=zone.clone()/>
        </div>
    });
    Ok(Some((name, panels)))
}

/// The market board: bids and new listings per minute over the last hour, sign-ups, auctions
/// running, visitors active in the last five minutes, the items trending in the last hour and
/// the biggest price rises.
pub async fn market_panels(db: &Db, now_ms: i64, zone: &Zone) -> Result<String, AppError> {
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
    let tiles = vec![
        ("Auctions running", active.to_string(), "active"),
        ("Visitors now", visitors.to_string(), "visitors"),
        (
            "Bids this hour",
            series.first().map(Series::total).unwrap_or(0).to_string(),
            "bids",
        ),
        (
            "Sign-ups this hour",
            series.get(2).map(Series::total).unwrap_or(0).to_string(),
            "signups",
        ),
    ];
    let lists = [
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
    ]
    .into_iter()
    .map(|(title, list, empty, rises)| {
        let entries: Vec<_> = list
            .iter()
            .filter_map(|(id, score)| {
                let c = cards.iter().find(|c| c.id.0 == *id)?;
                let extra = if rises {
                    format!("+{}", format_cents(*score as i64))
                } else {
                    format!("{} bids", c.bids)
                };
                Some(view! {
                    <li>
                        <a href=format!("/items/{id}")>{c.name.clone()}</a>
                        " "
                        <span class="num" data-live-price=*id>{format_cents(c.price_cents)}</span>
                        " "
                        <span class="muted">{extra}</span>
                    </li>
                })
            })
            .collect();
        let body = if list.is_empty() {
            view! { <p class="empty">{empty}</p> }.into_any()
        } else {
            view! { <ol>{entries}</ol> }.into_any()
        };
        view! {
            <section class="rank-list">
                <h2>{title}</h2>
                {body}
            </section>
        }
    })
    .collect_view();
    Ok(to_html(view! {
        <Tiles tiles/>
        <ZoneNote zone=zone.clone()/>
        {charts("market", &series[..2], zone)}
        <div class="rank-lists">{lists}</div>
    }))
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
    /// A zone asked for ([`Zone`]); the seller's chosen zone when absent.
    tz: Option<String>,
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
    seller: SessionUser,
    Query(query): Query<SpanQuery>,
) -> Result<Response, AppError> {
    let span = Span::parse(&query.span).unwrap_or_default();
    let zone = super::zone::zone_for(&seller, query.tz.as_deref())?;
    let now = crate::util::time::now_ms();
    let panels = seller_panels(&state.db, seller.user_id, span, now, &zone).await?;
    Ok(html(panels))
}

async fn item_fragment(
    State(state): State<AppState>,
    Path(id): Path<String>,
    seller: SessionUser,
    Query(query): Query<SpanQuery>,
) -> Result<Response, AppError> {
    let span = Span::parse(&query.span).unwrap_or_default();
    let id = ItemId::parse(&id).ok_or(AppError::NotFound)?;
    let zone = super::zone::zone_for(&seller, query.tz.as_deref())?;
    let now = crate::util::time::now_ms();
    let (_, panels) = item_panels(&state.db, seller.user_id, id, span, now, &zone)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(html(panels))
}

/// The rendered market board, reused by this instance for [`rankings::FRESH_FOR`]: the board
/// is public and the same for everyone, so a crowd watching it costs one read per interval.
static MARKET: LazyLock<ShortCache<String>> =
    LazyLock::new(|| ShortCache::new(crate::catalog::server::rankings::FRESH_FOR));

/// The market panels in `zone`, from this instance's short cache when fresh (one entry per
/// zone asked for: the names are the database's, so the entries are bounded).
pub async fn market_cached(db: &Db, zone: &Zone) -> Result<String, AppError> {
    let key = format!("{}@{zone}", db.keys().prefix());
    let panels = MARKET
        .get(&key, || {
            market_panels(db, crate::util::time::now_ms(), zone)
        })
        .await?;
    Ok(String::clone(&panels))
}

/// `GET /market/panels[?tz=Region/City]`: the market board's panels in the clock the
/// signed-in viewer chose, else the zone asked for (the browser's), else UTC; 400 for a `tz`
/// that names no zone.
async fn market_fragment(
    State(state): State<AppState>,
    Query(query): Query<ZoneQuery>,
    viewer: Option<SessionUser>,
) -> Result<Response, AppError> {
    let zone = crate::accounts::server::fragment_zone(viewer.as_ref(), query.tz.as_deref())?;
    Ok(html(market_cached(&state.db, &zone).await?))
}

async fn market_events(State(state): State<AppState>) -> Response {
    crate::live::server::market_events_response(&state.live, &state.shutdown)
        .await
        .unwrap_or_else(|e| e.into_response())
}
