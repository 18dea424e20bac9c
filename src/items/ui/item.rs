//! `/items/:id`: the auction.

use crate::auction::ui::bid_box::{BidBox, BidBoxKind};
use crate::auction::ui::bid_form::BidNote;
use crate::auction::ui::bid_history::BidHistory;
use crate::auction::ui::price_box::PriceBox;
use crate::auction::{bid_message, outcome_text, BidEcho, BidProblem, Standing};
use crate::comments::api::latest_comments;
use crate::comments::ui::comment_list::CommentList;
use crate::comments::Comment;
use crate::engagement::ui::like_button::LikeButton;
use crate::error::AppError;
use crate::items::api::get_item_page;
use crate::items::ui::gallery::PhotoGallery;
use crate::items::ui::item_card::CardList;
use crate::items::ui::price_chart::PriceChart;
use crate::items::{ItemDetail, ItemId, ItemPageData, ItemViewer};
use crate::listings::ui::manage::{ManageNote, SellerControls};
use crate::live::ui::live::LiveItem;
use crate::orders::api::user_rating;
use crate::orders::ui::rating::RatingBadge;
use crate::orders::RatingSummary;
use crate::ui::status::ErrorPage;
use crate::util::problem::Problem as _;
use crate::util::time::{format_time_left, plural};
use crate::util::zone::Zone;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_location, use_params_map, use_query_map};

#[component]
pub fn ItemPage() -> impl IntoView {
    let id = use_params_map().with_untracked(|p| p.get("id").and_then(|raw| ItemId::parse(&raw)));
    // A bid placed without JavaScript comes back with a one-time notice (a reload or the back
    // button does not say it again).
    #[cfg(feature = "ssr")]
    let notice = crate::server::http::forms::notice();
    #[cfg(not(feature = "ssr"))]
    let notice: Option<String> = None;
    let bid_ok = notice.as_deref() == Some(crate::auction::BID_PLACED);
    let manage = notice.as_deref().and_then(ManageNote::from_notice);
    let bid_error = use_query_map().with_untracked(|q| {
        q.get_str(crate::auction::BID_PROBLEM_PARAM)
            .and_then(BidProblem::from_code)
    });
    let BidEcho { amount } = crate::util::echo::read(&use_location().search.get_untracked());
    view! {
        <Suspense>
            {Suspend::new(async move {
                let Some(id) = id else {
                    return view! { <ErrorPage error=AppError::NotFound/> }.into_any();
                };
                // The item and its newest comments, read together.
                let (page, comments) = futures_util::join!(get_item_page(id), latest_comments(id));
                match (page, comments) {
                    (Err(error), _) | (_, Err(error)) => view! { <ErrorPage error/> }.into_any(),
                    (Ok(None), _) => view! { <ErrorPage error=AppError::NotFound/> }.into_any(),
                    (Ok(Some(data)), Ok((_, latest))) => {
                        let form = BidReturn { ok: bid_ok, error: bid_error, amount, manage };
                        // The seller's rating (a page without it is still a page).
                        let rating = user_rating(data.item.seller_id).await.ok();
                        match crate::accounts::viewer_clock().await {
                            Ok(zone) => item_view(data, latest, form, rating, zone).into_any(),
                            Err(error) => view! { <ErrorPage error/> }.into_any(),
                        }
                    }
                }
            })}
        </Suspense>
    }
}

/// How the no-JavaScript bid form comes back (its notice or problem, and the amount typed).
#[derive(Clone, Default)]
struct BidReturn {
    ok: bool,
    error: Option<BidProblem>,
    amount: String,
    /// What the seller's own forms (end early, relist) came back with.
    manage: Option<ManageNote>,
}

/// The parts of the item page that differ per viewer. A page rendered for every signed-in
/// viewer leaves them as holes (`server::personal::holes`), filled per request by [`mine`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mine {
    /// The price box: the auction's numbers and where the viewer stands.
    PriceBox,
    /// The bid form (or why there is none) and Buy It Now.
    BidBox,
    Like,
    Watch,
    /// The newest comments (the author sees delete buttons on theirs).
    Comments,
    /// The live island with the view count: not per viewer, but the count changes with every
    /// new visitor, so it is read fresh with the viewer's state rather than make the page
    /// render again.
    Live,
    /// The seller's controls (end early, relist): nothing for anyone else.
    Manage,
}

#[cfg(feature = "ssr")]
const MINE: [Mine; 7] = [
    Mine::PriceBox,
    Mine::BidBox,
    Mine::Like,
    Mine::Watch,
    Mine::Comments,
    Mine::Live,
    Mine::Manage,
];

/// The price chart's hole, after [`MINE`]'s: its times are on the viewer's clock (the zone
/// they chose; UTC for most), so it is rendered once per render and zone.
#[cfg(feature = "ssr")]
const CHART_HOLE: usize = MINE.len();

/// One per-viewer part of the page, for `viewer`: the same view whether rendered in place or
/// into a hole.
fn mine(
    part: Mine,
    item: &ItemDetail,
    latest: &[Comment],
    viewer: &ItemViewer,
    form: &BidReturn,
    now_ms: i64,
) -> AnyView {
    let live = item.is_live(now_ms) && item.outcome.is_none();
    let is_seller = viewer.id == Some(item.seller_id);
    let leading = viewer.id.is_some() && item.high_bidder_id == viewer.id;
    match part {
        Mine::PriceBox => {
            // The standing survives a reload, because it comes from the viewer's own maximum.
            let reserve_unmet = item.reserve_met == Some(false);
            let standing = Standing::of_viewer(live, leading, reserve_unmet, viewer.my_max_cents);
            // A reserve can only stop a sale that had bids; without bids it simply ended.
            let status = (!live).then(|| {
                let reserve_stopped = reserve_unmet && item.high_bidder_name.is_some();
                outcome_text(
                    item.high_bidder_name.as_deref(),
                    item.outcome.as_deref() == Some("bought"),
                    !reserve_stopped,
                    item.price_cents,
                )
            });
            view! {
                <PriceBox
                    price_cents=item.price_cents
                    bids=item.bids
                    status
                    ends_at_ms=item.ends_at_ms
                    time_left=format_time_left(item.ends_at_ms, now_ms)
                    reserve=item.reserve_met
                    standing
                    viewer_id=viewer.id
                    item_id=item.id
                />
            }
            .into_any()
        }
        Mine::BidBox => {
            // A leader only raises their own maximum: the smallest they may enter is above it
            // (and a refusal names that, as the label does).
            let min_bid_cents = match (leading, viewer.my_max_cents) {
                (true, Some(max)) => max + 1,
                _ => item.min_bid_cents,
            };
            let note = if form.ok {
                Some(BidNote::Placed)
            } else {
                form.error
                    .map(|p| BidNote::Refused(bid_message(p, min_bid_cents)))
            };
            let kind = if !live {
                BidBoxKind::Closed
            } else if viewer.id.is_none() {
                BidBoxKind::SignIn {
                    href: crate::accounts::sign_in_url(&format!("/items/{}", item.id)),
                }
            } else if is_seller {
                BidBoxKind::OwnItem
            } else {
                BidBoxKind::Form {
                    min_bid_cents,
                    note,
                    amount: form.amount.clone(),
                }
            };
            // Everyone sees the Buy It Now price while it is offered; a bidder may buy.
            let buy_now_cents = item.buy_now_cents.filter(|_| live);
            let can_buy = !is_seller && viewer.id.is_some();
            view! { <BidBox item_id=item.id kind buy_now_cents can_buy viewer_id=viewer.id/> }
                .into_any()
        }
        Mine::Like => view! {
            <LikeButton item_id=item.id liked=viewer.liked likes=item.likes signed_in=viewer.id.is_some()/>
        }
        .into_any(),
        // An ended auction can no longer be watched, only let go of.
        Mine::Watch => (viewer.id.is_some() && !is_seller && (live || viewer.watching))
            .then(|| {
                let watching = viewer.watching;
                view! {
                    <form class="watch-form" id="watch" method="post" action="/api/items/watch">
                        <input type="hidden" name="item_id" value=item.id/>
                        <input type="hidden" name="watch" value=if watching { "false" } else { "true" }/>
                        <button type="submit" class="button button-small button-ghost" aria-pressed=if watching { "true" } else { "false" }>
                            {if watching { "★ Watching" } else { "☆ Watch" }}
                        </button>
                    </form>
                }
            })
            .into_any(),
        Mine::Comments => view! {
            <CommentList comments=latest.to_vec() count=item.comments viewer_id=viewer.id max=crate::comments::LATEST newest=true/>
        }
        .into_any(),
        Mine::Live => view! { <LiveItem item_id=item.id ended=!live views=Some(item.views)/> }
            .into_any(),
        // The seller's controls; anyone else only what their own try came back with.
        Mine::Manage => (is_seller || form.manage.is_some())
            .then(|| view! { <SellerControls item=item.clone() live seller=is_seller note=form.manage/> })
            .into_any(),
    }
}

/// The holes of an item page rendered for every signed-in viewer.
#[cfg(feature = "ssr")]
mod holes {
    use super::{mine, BidReturn, PriceChart, MINE};
    use crate::accounts::server::sessions::SessionUser;
    use crate::comments::Comment;
    use crate::items::{BidEntry, ItemDetail, ItemViewer};
    use crate::server::personal::holes::{Filler, Read, Render};
    use crate::server::redis::versions::Version;
    use crate::server::state::AppState;
    use crate::util::id::UserId;
    use crate::util::zone::Zone;
    use axum::body::Bytes;
    use leptos::prelude::*;

    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::{Arc, LazyLock, OnceLock};

    pub struct ItemHoles {
        /// Tells this render apart from every other in [`VIEWED`] and [`CHARTS`].
        render: u64,
        item: ItemDetail,
        latest: Vec<Comment>,
        /// The price chart's bids, and the moment the page was rendered at.
        history: Vec<BidEntry>,
        now_ms: i64,
        /// The chart on UTC, the clock of every viewer who chose none: drawn once a render.
        utc_chart: OnceLock<Bytes>,
    }

    impl ItemHoles {
        pub fn new(
            item: ItemDetail,
            latest: Vec<Comment>,
            history: Vec<BidEntry>,
            now_ms: i64,
        ) -> Self {
            static RENDERS: AtomicU64 = AtomicU64::new(0);
            ItemHoles {
                render: RENDERS.fetch_add(1, Ordering::Relaxed),
                item,
                latest,
                history,
                now_ms,
                utc_chart: OnceLock::new(),
            }
        }

        /// The price chart on the clock named `zone` (`None`: UTC): drawn once per render and
        /// zone, reused while the render lives.
        fn chart(&self, zone: Option<&str>) -> Bytes {
            match zone {
                None => self
                    .utc_chart
                    .get_or_init(|| self.draw_chart(Zone::utc()))
                    .clone(),
                // A name that left the zone database since it was chosen: UTC.
                Some(name) => CHARTS.get_with((self.render, name.to_string()), || {
                    self.draw_chart(Zone::named(name).unwrap_or_default())
                }),
            }
        }

        fn draw_chart(&self, zone: Zone) -> Bytes {
            let item = &self.item;
            Bytes::from(crate::util::html::render_alone(|| {
                crate::util::html::to_html(view! {
                    <PriceChart history=self.history.clone() start_cents=item.start_price_cents start_ms=item.created_at_ms end_ms=item.ends_at_ms now_ms=self.now_ms zone/>
                })
            }))
        }

        /// The holes of [`MINE`] for `viewer`, with the item's views now.
        fn draw(&self, viewer: &ItemViewer, views: i64) -> Arc<[Bytes]> {
            let item = ItemDetail {
                views,
                ..self.item.clone()
            };
            let now_ms = crate::util::time::now_ms();
            let form = BidReturn::default();
            crate::util::html::render_alone(|| {
                MINE.iter()
                    .map(|&part| {
                        let view = mine(part, &item, &self.latest, viewer, &form, now_ms);
                        Bytes::from(crate::util::html::to_html(view))
                    })
                    .collect()
            })
        }
    }

    /// The price charts of each render on a clock some viewer chose, by zone name; as
    /// long-lived as the render.
    static CHARTS: LazyLock<moka::sync::Cache<(u64, String), Bytes>> = LazyLock::new(|| {
        moka::sync::Cache::builder()
            .time_to_live(crate::server::http::page_cache::INSTANCE_TTL)
            .weigher(|_, chart: &Bytes| u32::try_from(chart.len()).unwrap_or(u32::MAX))
            .max_capacity(2 * 1024 * 1024)
            .build()
    });

    /// What a viewer of a render saw: their own state and the item's views as
    /// [`viewer_state`] read them, the versions they were read at, and the holes drawn from
    /// them (all but the chart, whose clock comes with the session).
    ///
    /// [`viewer_state`]: crate::items::server::store::viewer_state
    struct Viewed {
        /// The viewer's version and the item's (`None`: not known, never remembered).
        at: Option<(Version, Version)>,
        viewer: ItemViewer,
        holes: Arc<[Bytes]>,
    }

    /// Entries are weighed by their holes' bytes and this much more.
    const VIEWED_OVERHEAD: usize = 256;

    /// What each viewer of each render saw, used again while the render lives (its page is
    /// at most [`INSTANCE_TTL`] old, so nothing here is older than the page around it) and
    /// nothing was heard to change the item or the viewer (`server::redis::versions`): every
    /// write of the item's that its page shows is heard on its channel (a live event or a
    /// `touch`), every write of the viewer's on this instance moves their version at once
    /// (`server::personal`), and their sign-out or suspension is heard on theirs. A viewer who
    /// reloads, or comes back within the half second, costs no round trip and no render: one
    /// lookup here. Bounded by bytes; entries are per viewer, never shared.
    ///
    /// [`INSTANCE_TTL`]: crate::server::http::page_cache::INSTANCE_TTL
    static VIEWED: LazyLock<moka::sync::Cache<(u64, u64), Arc<Viewed>>> = LazyLock::new(|| {
        moka::sync::Cache::builder()
            .time_to_live(crate::server::http::page_cache::INSTANCE_TTL)
            .weigher(|_, seen: &Arc<Viewed>| {
                let bytes: usize = seen.holes.iter().map(Bytes::len).sum();
                u32::try_from(bytes + VIEWED_OVERHEAD).unwrap_or(u32::MAX)
            })
            .max_capacity(4 * 1024 * 1024)
            .build()
    });

    impl ItemHoles {
        /// What the viewer sees of the item: remembered for this render when nothing was heard
        /// to change since, else read (one round trip), drawn, and remembered when nothing was
        /// heard to change while it was read. `None` when the item no longer shows what this
        /// render shows. Drawn before the session is confirmed, but only ever served to the
        /// viewer it was read for (the [`Render`] checks).
        async fn viewed(
            &self,
            state: &AppState,
            viewer: UserId,
        ) -> Result<Option<Arc<Viewed>>, crate::error::AppError> {
            let (users, items) = (state.db.user_versions(), state.db.item_versions());
            let key = (self.render, u64::from(viewer));
            let before = users.of(viewer).zip(items.of(self.item.id));
            if before.is_some() {
                if let Some(known) = VIEWED.get(&key) {
                    if known.at == before {
                        crate::server::metrics::record_item_viewer(true);
                        return Ok(Some(known));
                    }
                }
            }
            crate::server::metrics::record_item_viewer(false);
            let found =
                crate::items::server::store::viewer_state(&state.db, &self.item, viewer).await?;
            let Some((read, views)) = found else {
                VIEWED.invalidate(&key);
                return Ok(None);
            };
            let seen = Arc::new(Viewed {
                at: before,
                holes: self.draw(&read, views),
                viewer: read,
            });
            match before {
                Some((user, item))
                    if users.of(viewer) == Some(user) && items.of(self.item.id) == Some(item) =>
                {
                    VIEWED.insert(key, Arc::clone(&seen));
                }
                _ => VIEWED.invalidate(&key),
            }
            Ok(Some(seen))
        }
    }

    impl Filler for ItemHoles {
        fn read<'a>(&'a self, state: &'a AppState, viewer: UserId) -> Read<'a> {
            Box::pin(async move {
                // The auction (or its likes, watchers or comments) moved since the page was
                // rendered, perhaps by this viewer: render it again.
                let Some(seen) = self.viewed(state, viewer).await? else {
                    return Ok(None);
                };
                let render = move |user: &SessionUser| {
                    // Read for the user the cookie named: served only to that user (no holes
                    // otherwise, and the page is refused rather than shown).
                    if seen.viewer.id != Some(user.user_id) {
                        return Vec::new();
                    }
                    let mut holes = Vec::with_capacity(seen.holes.len() + 1);
                    holes.extend(seen.holes.iter().cloned());
                    holes.push(self.chart(user.zone.as_deref()));
                    holes
                };
                Ok(Some(Box::new(render) as Render<'a>))
            })
        }
    }
}

fn item_view(
    data: ItemPageData,
    latest_comments: Vec<Comment>,
    form: BidReturn,
    seller_rating: Option<RatingSummary>,
    zone: Zone,
) -> impl IntoView {
    let ItemPageData {
        item,
        history,
        similar,
        liked_by_me,
        viewer_id,
        my_max_cents,
        watching,
        now_ms,
    } = data;
    let viewer = ItemViewer {
        id: viewer_id,
        liked: liked_by_me,
        my_max_cents,
        watching,
    };
    // Rendered for every signed-in viewer: their parts are holes (and the islands in them are
    // preloaded as if rendered here).
    #[cfg(feature = "ssr")]
    let punched = crate::server::personal::holes::register(holes::ItemHoles::new(
        item.clone(),
        latest_comments.clone(),
        history.clone(),
        now_ms,
    ));
    #[cfg(feature = "ssr")]
    if punched.is_some() {
        for island in [
            "price_box",
            "bid_box",
            "like_button",
            "comment_list",
            "live_item",
        ] {
            crate::server::assets::preload_island(island);
        }
    }
    let part = |p: Mine| -> AnyView {
        #[cfg(feature = "ssr")]
        if let Some(at) = punched {
            return at.mark(p as usize);
        }
        mine(p, &item, &latest_comments, &viewer, &form, now_ms)
    };
    let category_name = crate::items::category(&item.category).map_or("Other", |(_, name)| name);
    let seller_href = format!("/users/{}", item.seller_id);
    let (price_box, bid_box, like, watch, comments, live, manage) = (
        part(Mine::PriceBox),
        part(Mine::BidBox),
        part(Mine::Like),
        part(Mine::Watch),
        part(Mine::Comments),
        part(Mine::Live),
        part(Mine::Manage),
    );
    // The price chart, on the viewer's clock; a hole when rendered for everyone.
    let in_place = || {
        view! {
            <PriceChart history=history.clone() start_cents=item.start_price_cents start_ms=item.created_at_ms end_ms=item.ends_at_ms now_ms zone/>
        }
        .into_any()
    };
    #[cfg(feature = "ssr")]
    let chart = match punched {
        Some(at) => at.mark(CHART_HOLE),
        None => in_place(),
    };
    #[cfg(not(feature = "ssr"))]
    let chart = in_place();

    view! {
        <Title text=item.name.clone()/>
        <article class="item-page">
            <PhotoGallery id=item.id name=item.name.clone() count=item.photos revision=item.revision/>
            <div class="item-summary">
                <h1 class="item-title">{item.name.clone()}</h1>
                {item.removed.clone().map(|why| view! {
                    <p class="form-error" data-testid="removed">
                        "A moderator removed this listing: "{why}
                        ". Only its seller and the moderators can see this page."
                    </p>
                })}
                {item.ended_early.then(|| view! {
                    <p class="muted" data-testid="ended-early">"Its seller ended this listing early, before any bid."</p>
                })}
                <p class="item-seller">
                    "Sold by "<a href=seller_href>{item.seller_name.clone()}</a>
                    {seller_rating.map(|rating| view! { " ("<RatingBadge rating/>")" })}
                    " in "<a href=format!("/search?category={}", item.category)>{category_name}</a>
                </p>
                {item.terms.clone().map(|terms| view! { <TermsList terms/> })}
                <div class="price-box">{price_box}</div>
                {bid_box}
                {manage}
                <div class="item-stats">
                    {like}
                    <span class="watchers" data-testid="watchers">{plural(item.watchers, "watcher", "watchers")}</span>
                    {watch}
                    {live}
                </div>
            </div>
            <section class="item-description">
                <h2>"Description"</h2>
                <p class="description-text">{item.description.clone()}</p>
                {item.additions.iter().map(|added| view! {
                    <div class="description-addition" data-testid="addition">
                        <h3>"Added by the seller on "{crate::util::time::date(added.at_ms)}</h3>
                        <p class="description-text">{added.text.clone()}</p>
                    </div>
                }).collect_view()}
                <p class="report-link">
                    <a href=crate::moderation::report_url(&crate::moderation::Target::Listing(item.id))>"Report this listing"</a>
                </p>
            </section>
            <section class="item-history">
                <h2>"Price history"</h2>
                {chart}
                <p class="muted chart-zone-link"><a href=crate::seller::ZONE_PAGE>"Choose your time zone"</a></p>
                <h3>"Bids"</h3>
                <BidHistory rows=history now_ms/>
            </section>
            <section class="item-comments" id="comments">
                <h2>"Comments"</h2>
                {comments}
                <p><a href=format!("/items/{}/comments", item.id)>"All comments and add yours →"</a></p>
            </section>
            <section class="item-similar">
                <h2>"Similar items"</h2>
                {if similar.is_empty() {
                    view! { <p class="muted">"Nothing similar right now."</p> }.into_any()
                } else {
                    view! { <CardList items=similar now_ms/> }.into_any()
                }}
            </section>
        </article>
    }
}

/// What the listing says of the item's condition, shipping, returns and location.
#[component]
fn TermsList(terms: crate::items::ListingTerms) -> impl IntoView {
    let location = (!terms.location.is_empty()).then(|| {
        view! { <div><dt>"Item location"</dt><dd>{terms.location.clone()}</dd></div> }
    });
    view! {
        <dl class="item-terms" data-testid="item-terms">
            <div><dt>"Condition"</dt><dd>{terms.condition.label()}</dd></div>
            <div><dt>"Shipping"</dt><dd>{terms.shipping.label()}</dd></div>
            <div><dt>"Returns"</dt><dd>{crate::items::returns_label(terms.returns_days)}</dd></div>
            {location}
        </dl>
    }
}
