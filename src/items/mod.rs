//! Items and auctions: listing, the item page, bidding, likes, views, search, rankings and the
//! seller dashboard.
//!
//! This file holds what the server and the browser share: item ids, the listing rules and the
//! problems a listing or a bid can report, the data pages show, and the live events an item
//! sends. [`api`] has the server functions, `server` (feature `ssr`) the Redis side.

pub mod api;
#[cfg(feature = "ssr")]
pub mod server;
pub mod ui;
pub mod wire;

use crate::util::money::AmountError;
use crate::util::problem::FieldErrors;
use crate::util::text::{TextProblem, TextRule};
use serde::{Deserialize, Serialize};

crate::numeric_id! {
    /// An item id.
    pub struct ItemId;
}

/// Bid history rows shown on the item page.
pub const HISTORY_LIMIT: usize = 50;
/// The one-time notice after a bid placed without JavaScript (see `server::http::forms`).
pub const BID_PLACED: &str = "bid_placed";
/// Cards per home page section.
pub const HOME_SECTION_SIZE: usize = 8;
/// Results per search page.
pub const SEARCH_PAGE_SIZE: usize = 20;
/// Browsing (a search with no words) goes this many pages deep at most: a page costs its
/// depth (every shard's first `page × size` ranking entries are merged), never the size of
/// the catalogue.
pub const BROWSE_PAGES: usize = 50;
/// Rows per dashboard page.
pub const DASHBOARD_PAGE_SIZE: usize = 10;
/// Longest search text considered; the rest is ignored.
pub const MAX_QUERY_CHARS: usize = 200;

/// Auction lengths a seller can pick: (form value, label, milliseconds).
pub const DURATIONS: [(&str, &str, i64); 8] = [
    ("1m", "1 minute", 60_000),
    ("10m", "10 minutes", 600_000),
    ("1h", "1 hour", 3_600_000),
    ("6h", "6 hours", 21_600_000),
    ("1d", "1 day", 86_400_000),
    ("3d", "3 days", 259_200_000),
    ("7d", "7 days", 604_800_000),
    ("14d", "14 days", 1_209_600_000),
];

pub fn duration_ms(value: &str) -> Option<i64> {
    DURATIONS
        .iter()
        .find(|(v, _, _)| *v == value)
        .map(|(_, _, ms)| *ms)
}

/// Item names: one line, 3–80 characters (see [`crate::util::text`]).
pub const NAME_RULE: TextRule = TextRule {
    min: 3,
    max: 80,
    multiline: false,
};
/// Item descriptions: 3–2000 characters, line breaks kept.
pub const DESCRIPTION_RULE: TextRule = TextRule {
    min: 3,
    max: 2000,
    multiline: true,
};

crate::problems! {
    /// One thing wrong with the new-item form.
    pub enum ListingProblem {
        NameLength = "name-length" => "Names are 3–80 characters long.",
        NameInvisible = "name-invisible" => "Names need at least one visible character.",
        NameMarks = "name-marks" => "Too many accent marks on one letter of the name.",
        DescriptionLength = "description-length" => "Descriptions are 3–2000 characters long.",
        DescriptionInvisible = "description-invisible" =>
            "Descriptions need at least one visible character.",
        DescriptionMarks = "description-marks" =>
            "Too many accent marks on one letter of the description.",
        PriceEmpty = "price-empty" => AmountError::Empty.message(),
        PriceNan = "price-nan" => AmountError::NotANumber.message(),
        PriceNegative = "price-negative" => AmountError::Negative.message(),
        PriceZero = "price-zero" => AmountError::Zero.message(),
        PriceDecimals = "price-decimals" => AmountError::TooManyDecimals.message(),
        PriceLarge = "price-large" => AmountError::TooLarge.message(),
        DurationInvalid = "duration-invalid" => "Choose how long the auction runs.",
        ReserveInvalid = "reserve-invalid" =>
            "Enter the reserve in dollars, like 50 or 49.99, or leave it empty.",
        ReserveBelowStart = "reserve-low" => "The reserve must be at least the starting price.",
        BuyNowInvalid = "buynow-invalid" =>
            "Enter the Buy It Now price in dollars, like 80, or leave it empty.",
        BuyNowBelowStart = "buynow-low" => "Buy It Now must be above the starting price.",
        BuyNowBelowReserve = "buynow-reserve" => "Buy It Now must be at least the reserve.",
        PhotoLarge = "photo-large" => "Each photo must be 5 MB or smaller.",
        PhotoCount = "photo-count" => "Add at most 8 photos.",
        PhotosTotal = "photos-total" => "The photos must be 20 MB or less together.",
        PhotoType = "photo-type" => "The photo must be a JPEG, PNG or WebP image.",
        PhotoPixels = "photo-pixels" => "The photo is too big to process (at most 16 megapixels).",
        SignIn = "signin" => "Please sign in to list an item.",
        CategoryInvalid = "category" => "Choose a category from the list.",
    }
}

/// The fields of the new-item form.
pub const NAME: &str = "name";
pub const DESCRIPTION: &str = "description";
pub const PRICE: &str = "price";
pub const DURATION: &str = "duration";
pub const PHOTO: &str = "photo";
pub const RESERVE: &str = "reserve";
pub const BUY_NOW: &str = "buy_now";
pub const CATEGORY: &str = "category";
pub const FORM_FIELDS: [&str; 8] = [
    NAME,
    DESCRIPTION,
    CATEGORY,
    PRICE,
    DURATION,
    PHOTO,
    RESERVE,
    BUY_NOW,
];

/// Photos a listing may have (the first is the cover).
pub const MAX_PHOTOS: usize = 8;
/// The largest photo file accepted.
pub const MAX_PHOTO_BYTES: usize = 5 * 1024 * 1024;
/// All the photos of one listing together.
pub const MAX_PHOTOS_BYTES: usize = 20 * 1024 * 1024;

/// Checks the photo files chosen for a listing (their sizes, in order) before they are sent.
pub fn check_photos(sizes: &[usize]) -> Option<ListingProblem> {
    if sizes.len() > MAX_PHOTOS {
        Some(ListingProblem::PhotoCount)
    } else if sizes.iter().any(|s| *s > MAX_PHOTO_BYTES) {
        Some(ListingProblem::PhotoLarge)
    } else if sizes.iter().sum::<usize>() > MAX_PHOTOS_BYTES {
        Some(ListingProblem::PhotosTotal)
    } else {
        None
    }
}

/// The fixed list of categories: the slug (in addresses, the search index and key names) and
/// the name people read. A listing has exactly one.
pub const CATEGORIES: [(&str, &str); 10] = [
    ("antiques", "Antiques & collectibles"),
    ("art", "Art"),
    ("books", "Books, music & film"),
    ("clothing", "Clothing & accessories"),
    ("electronics", "Electronics"),
    ("home", "Home & garden"),
    ("jewellery", "Jewellery & watches"),
    ("sports", "Sports & outdoors"),
    ("toys", "Toys & games"),
    ("other", "Other"),
];

/// The category of a listing whose seller did not choose one.
pub const DEFAULT_CATEGORY: &str = "other";

/// The slug and name of a category, if `slug` is one of [`CATEGORIES`].
pub fn category(slug: &str) -> Option<(&'static str, &'static str)> {
    CATEGORIES.iter().copied().find(|(s, _)| *s == slug)
}

/// Problems of the new-item form, by field.
pub type ItemFormErrors = FieldErrors<ListingProblem>;

/// The price problem for an amount problem.
pub fn price_problem(e: AmountError) -> ListingProblem {
    match e {
        AmountError::Empty => ListingProblem::PriceEmpty,
        AmountError::NotANumber => ListingProblem::PriceNan,
        AmountError::Negative => ListingProblem::PriceNegative,
        AmountError::Zero => ListingProblem::PriceZero,
        AmountError::TooManyDecimals => ListingProblem::PriceDecimals,
        AmountError::TooLarge => ListingProblem::PriceLarge,
    }
}

fn name_problem(p: TextProblem) -> ListingProblem {
    match p {
        TextProblem::Empty | TextProblem::Length => ListingProblem::NameLength,
        TextProblem::Invisible => ListingProblem::NameInvisible,
        TextProblem::StackedMarks => ListingProblem::NameMarks,
    }
}

fn description_problem(p: TextProblem) -> ListingProblem {
    match p {
        TextProblem::Empty | TextProblem::Length => ListingProblem::DescriptionLength,
        TextProblem::Invisible => ListingProblem::DescriptionInvisible,
        TextProblem::StackedMarks => ListingProblem::DescriptionMarks,
    }
}

/// A valid new listing: its fields cleaned (what gets stored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewItem {
    pub name: String,
    pub description: String,
    pub start_cents: i64,
    pub duration_ms: i64,
    /// The lowest price the seller will sell at, never shown (`None`: no reserve).
    pub reserve_cents: Option<i64>,
    /// Buy It Now price, while no bid has been placed or the reserve is not met.
    pub buy_now_cents: Option<i64>,
    /// Anti-sniping: a bid in the last 2 minutes moves the end (on unless the seller says no).
    pub soft_close: bool,
    /// One of [`CATEGORIES`] (its slug).
    pub category: &'static str,
}

impl Default for NewItem {
    fn default() -> Self {
        NewItem {
            name: String::new(),
            description: String::new(),
            start_cents: 100,
            duration_ms: 86_400_000,
            reserve_cents: None,
            buy_now_cents: None,
            soft_close: true,
            category: DEFAULT_CATEGORY,
        }
    }
}

/// Checks the text fields of a new listing (the photo is checked on the server). Returns the
/// cleaned fields when all of them are valid.
pub fn check_item_fields(
    name: &str,
    description: &str,
    price: &str,
    duration: &str,
) -> (ItemFormErrors, Option<NewItem>) {
    let name = crate::util::text::clean(name, NAME_RULE);
    let description = crate::util::text::clean(description, DESCRIPTION_RULE);
    let price = crate::util::money::parse_cents(price);
    let duration = duration_ms(duration);
    let mut errors = ItemFormErrors::default();
    errors.check(NAME, name.as_ref().err().map(|p| name_problem(*p)));
    errors.check(
        DESCRIPTION,
        description.as_ref().err().map(|p| description_problem(*p)),
    );
    errors.check(PRICE, price.err().map(price_problem));
    errors.check(
        DURATION,
        duration
            .is_none()
            .then_some(ListingProblem::DurationInvalid),
    );
    let checked = match (name, description, price, duration) {
        (Ok(name), Ok(description), Ok(start_cents), Some(duration_ms)) => Some(NewItem {
            name,
            description,
            start_cents,
            duration_ms,
            ..NewItem::default()
        }),
        _ => None,
    };
    (errors, checked)
}

/// Checks the whole listing form: the fields of [`check_item_fields`] and the auction options
/// (an optional reserve at least the starting price; an optional Buy It Now price above the
/// starting price and at least the reserve; soft close on or off). Nothing is listed unless
/// all of it is valid.
pub fn check_listing(values: &ItemFormValues) -> (ItemFormErrors, Option<NewItem>) {
    let (mut errors, checked) = check_item_fields(
        &values.name,
        &values.description,
        &values.price,
        &values.duration,
    );
    let optional = |text: &str| -> Result<Option<i64>, ()> {
        if text.trim().is_empty() {
            Ok(None)
        } else {
            crate::util::money::parse_cents(text)
                .map(Some)
                .map_err(|_| ())
        }
    };
    // Not chosen: "Other". Anything else must be on the list.
    let category = match values.category.trim() {
        "" => Some(DEFAULT_CATEGORY),
        slug => category(slug).map(|(slug, _)| slug),
    };
    errors.check(
        CATEGORY,
        category
            .is_none()
            .then_some(ListingProblem::CategoryInvalid),
    );
    let start = crate::util::money::parse_cents(&values.price).ok();
    let reserve = optional(&values.reserve);
    let buy_now = optional(&values.buy_now);
    errors.check(
        RESERVE,
        match (&reserve, start) {
            (Err(()), _) => Some(ListingProblem::ReserveInvalid),
            (Ok(Some(r)), Some(s)) if *r < s => Some(ListingProblem::ReserveBelowStart),
            _ => None,
        },
    );
    errors.check(
        BUY_NOW,
        match (&buy_now, start, &reserve) {
            (Err(()), _, _) => Some(ListingProblem::BuyNowInvalid),
            (Ok(Some(b)), Some(s), _) if *b <= s => Some(ListingProblem::BuyNowBelowStart),
            (Ok(Some(b)), _, Ok(Some(r))) if b < r => Some(ListingProblem::BuyNowBelowReserve),
            _ => None,
        },
    );
    let checked = match (checked, reserve, buy_now) {
        (Some(item), Ok(reserve_cents), Ok(buy_now_cents)) if errors.is_empty() => Some(NewItem {
            reserve_cents,
            buy_now_cents,
            soft_close: values.soft_close,
            category: category.unwrap_or(DEFAULT_CATEGORY),
            ..item
        }),
        _ => None,
    };
    (errors, checked)
}

/// What the new-item form had in it (to show it again after a no-JavaScript round trip).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemFormValues {
    pub name: String,
    pub description: String,
    pub price: String,
    pub duration: String,
    /// Optional reserve and Buy It Now prices, as typed.
    pub reserve: String,
    pub buy_now: String,
    pub soft_close: bool,
    /// A category slug (empty: not chosen).
    pub category: String,
}

impl Default for ItemFormValues {
    fn default() -> Self {
        ItemFormValues {
            name: String::new(),
            description: String::new(),
            price: String::new(),
            duration: String::new(),
            reserve: String::new(),
            buy_now: String::new(),
            soft_close: true,
            category: String::new(),
        }
    }
}

/// Answer to the new-item form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CreateItemReply {
    Created { id: String },
    Rejected(ItemFormErrors),
}

crate::problems! {
    /// Why a bid was refused.
    pub enum BidProblem {
        SignIn = "signin" => "Sign in to bid.",
        AmountEmpty = "amount-empty" => AmountError::Empty.message(),
        AmountNan = "amount-nan" => AmountError::NotANumber.message(),
        AmountNegative = "amount-negative" => AmountError::Negative.message(),
        AmountZero = "amount-zero" => AmountError::Zero.message(),
        AmountDecimals = "amount-decimals" => AmountError::TooManyDecimals.message(),
        AmountLarge = "amount-large" => AmountError::TooLarge.message(),
        NotFound = "notfound" => "This auction doesn't exist.",
        Ended = "ended" => "This auction has ended; no more bids.",
        OwnItem = "own" => "You can't bid on your own item.",
        /// Buy It Now is gone (bidding took over) or was never offered.
        BuyNowGone = "buynow-gone" => "Buy It Now is no longer available: bidding has started.",
        /// Below the minimum: [`bid_message`] names the minimum.
        TooLow = "low" => "Your bid is below the minimum.",
    }
}

impl From<AmountError> for BidProblem {
    fn from(e: AmountError) -> Self {
        match e {
            AmountError::Empty => BidProblem::AmountEmpty,
            AmountError::NotANumber => BidProblem::AmountNan,
            AmountError::Negative => BidProblem::AmountNegative,
            AmountError::Zero => BidProblem::AmountZero,
            AmountError::TooManyDecimals => BidProblem::AmountDecimals,
            AmountError::TooLarge => BidProblem::AmountLarge,
        }
    }
}

/// The message of a bid problem; `min_bid_cents` fills in "bid at least $X".
pub fn bid_message(problem: BidProblem, min_bid_cents: i64) -> String {
    use crate::util::problem::Problem as _;
    match problem {
        BidProblem::TooLow => format!(
            "Bid at least {}.",
            crate::util::money::format_cents(min_bid_cents)
        ),
        other => other.message(),
    }
}

/// Answer to a bid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum BidReply {
    Accepted {
        price_cents: i64,
        bids: i64,
        min_next_cents: i64,
        /// Does the bidder lead now? (`false`: their maximum was recorded but an earlier,
        /// higher or equal maximum answered it at once.)
        leading: bool,
        /// The bidder's maximum as it stands.
        max_cents: i64,
    },
    Rejected {
        message: String,
        min_next_cents: Option<i64>,
    },
}

/// Answer to like / unlike.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LikeReply {
    pub liked: bool,
    pub likes: i64,
}

/// What a listing card shows: enough for the home page, search results and profiles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemCard {
    pub id: String,
    pub name: String,
    /// Current price in integer cents.
    pub price_cents: i64,
    /// Auction end, Unix time in milliseconds.
    pub ends_at_ms: i64,
    pub views: i64,
    pub bids: i64,
    pub likes: i64,
}

/// Where the viewer stands on one item of their lists (My bids, Won / Sold).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MyStatus {
    /// Live, and the viewer leads.
    Winning,
    /// Live, and someone else leads.
    Outbid,
    /// Ended with the viewer as the buyer.
    Won,
    /// Ended, and the viewer did not win.
    Lost,
    /// The viewer's item, still running.
    Selling,
    /// The viewer's item, sold.
    Sold,
    /// The viewer's item, ended unsold (no bids, or the reserve not met).
    Unsold,
}

impl MyStatus {
    /// Where a bidder (not the seller) stands: while the auction runs, whether they lead; once
    /// it has ended, whether they lead with the reserve met. Shared by the server (the page)
    /// and the page ticker (which keeps the status live).
    pub fn of_bidder(ended: bool, leads: bool, reserve_met: bool) -> Self {
        match (ended, leads) {
            (false, true) => MyStatus::Winning,
            (false, false) => MyStatus::Outbid,
            (true, true) if reserve_met => MyStatus::Won,
            (true, _) => MyStatus::Lost,
        }
    }

    /// The CSS class of the status (good news or bad news for the viewer).
    pub fn class(self) -> &'static str {
        match self {
            MyStatus::Winning | MyStatus::Won | MyStatus::Sold => "status-good",
            MyStatus::Outbid | MyStatus::Lost | MyStatus::Unsold => "status-bad",
            MyStatus::Selling => "",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            MyStatus::Winning => "Winning",
            MyStatus::Outbid => "Outbid",
            MyStatus::Won => "Won",
            MyStatus::Lost => "Lost",
            MyStatus::Selling => "Selling",
            MyStatus::Sold => "Sold",
            MyStatus::Unsold => "Did not sell",
        }
    }
}

/// One row of the viewer's lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyItem {
    pub card: ItemCard,
    pub status: MyStatus,
    /// The viewer's own maximum (My bids).
    pub my_max_cents: Option<i64>,
    /// The buyer (sold items) or the seller (won items).
    pub other_party: Option<String>,
}

/// The viewer's lists for `/my/*`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyLists {
    /// The signed-in viewer (the page ticker works out their live status with it).
    pub viewer_id: u64,
    pub items: Vec<MyItem>,
    /// A second list where the page has one (what I sold, on Won / Sold).
    pub others: Vec<MyItem>,
    pub now_ms: i64,
}

/// Answer to watch / stop watching.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WatchReply {
    pub watching: bool,
    pub watchers: i64,
}

/// The three rankings of the home page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HomeSections {
    pub ending_soon: Vec<ItemCard>,
    pub most_viewed: Vec<ItemCard>,
    pub highest_price: Vec<ItemCard>,
    /// Live auctions per category (slug, count), most first, empty categories left out.
    pub categories: Vec<(String, u64)>,
    /// Server clock (ms) when the sections were read, so "time left" is computed consistently.
    pub now_ms: i64,
}

/// Everything the item page shows about one item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemDetail {
    pub id: String,
    pub name: String,
    pub description: String,
    /// A slug of [`CATEGORIES`].
    pub category: String,
    /// How many photos of its own it has (0–8; the first is the cover).
    pub photos: u32,
    pub seller_id: u64,
    pub seller_name: String,
    pub price_cents: i64,
    pub start_price_cents: i64,
    /// The smallest bid the next bidder may place (price + increment; the starting price
    /// before the first bid).
    pub min_bid_cents: i64,
    pub bids: i64,
    pub views: i64,
    pub likes: i64,
    pub created_at_ms: i64,
    pub ends_at_ms: i64,
    pub has_photo: bool,
    pub high_bidder_id: Option<u64>,
    pub high_bidder_name: Option<String>,
    pub comments: i64,
    /// `None` without a reserve; else whether a maximum has reached it (the amount is never
    /// sent).
    pub reserve_met: Option<bool>,
    /// The Buy It Now price while it can be used (no bid yet, or the reserve not met).
    pub buy_now_cents: Option<i64>,
    /// How it ended: `sold`, `unsold` or `bought` (Buy It Now); `None` while not closed.
    pub outcome: Option<String>,
    /// Whether a late bid moves the end.
    pub soft_close: bool,
    /// How many users watch it.
    pub watchers: i64,
}

impl ItemDetail {
    pub fn is_live(&self, now_ms: i64) -> bool {
        now_ms < self.ends_at_ms
    }
}

/// One accepted bid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BidEntry {
    pub bidder_id: u64,
    pub bidder_name: String,
    pub amount_cents: i64,
    pub at_ms: i64,
    /// An automatic bid placed for the leader up to their maximum.
    #[serde(default)]
    pub auto: bool,
    /// The Buy It Now purchase.
    #[serde(default)]
    pub bought: bool,
}

/// The item page in one piece (its comments come from the comments feature).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemPageData {
    pub item: ItemDetail,
    /// Newest first.
    pub history: Vec<BidEntry>,
    pub similar: Vec<ItemCard>,
    pub liked_by_me: bool,
    pub viewer_id: Option<u64>,
    /// The viewer's own maximum bid on this item, if they bid (no one else's is ever sent).
    pub my_max_cents: Option<i64>,
    /// Whether the viewer watches it.
    pub watching: bool,
    pub now_ms: i64,
}

/// A page of cards plus the total number of matches.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardPage {
    pub total: u64,
    pub cards: Vec<ItemCard>,
    pub now_ms: i64,
    /// Search and browse: how many there are in each category (slug, count), whatever the
    /// category chosen; empty elsewhere.
    #[serde(default)]
    pub facets: Vec<(String, u64)>,
}

/// Dashboard columns that may be sorted by: the only values ever passed to `SORTBY`.
pub const DASHBOARD_SORT_KEYS: [&str; 6] = ["name", "price", "ends_at", "bids", "views", "likes"];

/// What an item sends live to its open pages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ItemEvent {
    /// One bid and what it caused: `bidder_*` is the leader after it; `rows` are the history
    /// rows it added, oldest first (a bid and the leader's automatic answer).
    Bid {
        price_cents: i64,
        bids: i64,
        min_next_cents: i64,
        bidder_id: u64,
        bidder_name: String,
        at_ms: i64,
        #[serde(default)]
        ends_at_ms: i64,
        #[serde(default = "yes")]
        reserve_met: bool,
        #[serde(default)]
        rows: Vec<BidRow>,
    },
    Views {
        views: i64,
    },
    Ended {
        winner_name: Option<String>,
        price_cents: i64,
        #[serde(default = "yes")]
        reserve_met: bool,
        #[serde(default)]
        bought: bool,
    },
}

fn yes() -> bool {
    true
}

/// A history row carried by a live bid event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BidRow {
    pub bidder_id: u64,
    pub bidder_name: String,
    pub amount_cents: i64,
    pub auto: bool,
}

impl crate::live::LiveEvent for ItemEvent {
    fn kind(&self) -> &'static str {
        match self {
            ItemEvent::Bid { .. } => "bid",
            ItemEvent::Views { .. } => "views",
            ItemEvent::Ended { .. } => "ended",
        }
    }
}

/// The item page's price chart as HTML: a step line from the starting price through every
/// accepted bid (history is newest first), or a note before the first bid. Numbers and dates
/// only, no user text. The same in the page and at `/items/{id}/chart`.
pub fn price_chart_html(
    history: &[BidEntry],
    start_cents: i64,
    start_ms: i64,
    end_ms: i64,
    now_ms: i64,
) -> String {
    if history.is_empty() {
        return r#"<p class="muted chart-empty">No bids yet: the chart starts with the first bid.</p>"#
            .to_string();
    }
    let mut points: Vec<(i64, i64)> = vec![(start_ms, start_cents)];
    points.extend(history.iter().rev().map(|b| (b.at_ms, b.amount_cents)));
    let svg = crate::analytics::chart::price_chart(
        "price-history",
        "Price over time (UTC)",
        &points,
        now_ms.min(end_ms),
    );
    format!(r#"<div class="price-chart">{svg}</div>"#)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_run_from_a_minute_to_two_weeks() {
        assert_eq!(duration_ms("1m"), Some(60_000));
        assert_eq!(duration_ms("14d"), Some(14 * 86_400_000));
        assert_eq!(duration_ms("15d"), None);
        assert_eq!(duration_ms(""), None);
    }

    #[test]
    fn photos_are_checked_by_count_size_and_total() {
        const MB: usize = 1024 * 1024;
        assert_eq!(check_photos(&[]), None);
        assert_eq!(check_photos(&[2 * MB; 8]), None);
        assert_eq!(check_photos(&[MB; 9]), Some(ListingProblem::PhotoCount));
        assert_eq!(
            check_photos(&[MB, 6 * MB]),
            Some(ListingProblem::PhotoLarge)
        );
        assert_eq!(
            check_photos(&[5 * MB; 5]),
            Some(ListingProblem::PhotosTotal)
        );
    }

    #[test]
    fn a_listing_has_a_category_from_the_list() {
        let form = |category: &str| ItemFormValues {
            name: "Lamp".into(),
            description: "A lamp".into(),
            price: "10".into(),
            duration: "1d".into(),
            category: category.into(),
            ..ItemFormValues::default()
        };
        assert_eq!(check_listing(&form("art")).1.unwrap().category, "art");
        assert_eq!(
            check_listing(&form("")).1.unwrap().category,
            DEFAULT_CATEGORY,
            "not chosen: Other"
        );
        let (e, item) = check_listing(&form("<script>"));
        assert_eq!(e.get(CATEGORY), Some(ListingProblem::CategoryInvalid));
        assert!(item.is_none());
        assert!(CATEGORIES
            .iter()
            .all(|(slug, _)| slug.chars().all(|c| c.is_ascii_lowercase())));
    }

    #[test]
    fn auction_options_are_checked_against_the_starting_price() {
        let form = |reserve: &str, buy_now: &str| ItemFormValues {
            name: "Lamp".into(),
            description: "A lamp".into(),
            price: "10".into(),
            duration: "1d".into(),
            reserve: reserve.into(),
            buy_now: buy_now.into(),
            soft_close: false,
            category: String::new(),
        };
        let (e, item) = check_listing(&form("", ""));
        assert!(e.is_empty());
        let item = item.unwrap();
        assert_eq!(
            (item.reserve_cents, item.buy_now_cents, item.soft_close),
            (None, None, false)
        );
        let (e, item) = check_listing(&form("50", "80"));
        assert!(e.is_empty());
        assert_eq!(
            item.map(|i| (i.reserve_cents, i.buy_now_cents)),
            Some((Some(5_000), Some(8_000)))
        );
        for (reserve, buy_now, field, problem) in [
            ("abc", "", RESERVE, ListingProblem::ReserveInvalid),
            ("9.99", "", RESERVE, ListingProblem::ReserveBelowStart),
            ("", "ten", BUY_NOW, ListingProblem::BuyNowInvalid),
            ("", "10", BUY_NOW, ListingProblem::BuyNowBelowStart),
            ("50", "40", BUY_NOW, ListingProblem::BuyNowBelowReserve),
        ] {
            let (e, item) = check_listing(&form(reserve, buy_now));
            assert_eq!(e.get(field), Some(problem), "{reserve} / {buy_now}");
            assert!(item.is_none(), "nothing listed on refusal");
        }
    }

    #[test]
    fn item_fields_are_checked() {
        let (e, checked) = check_item_fields(" Lamp ", "A lamp", "12.50", "1d");
        assert!(e.is_empty());
        let checked = checked.unwrap();
        assert_eq!((checked.name.as_str(), checked.start_cents), ("Lamp", 1250));
        let (e, checked) = check_item_fields(
            "\u{200B}\u{200B}\u{200B}",
            "\u{3164}\u{3164}\u{3164}",
            "1",
            "1d",
        );
        assert_eq!(e.get(NAME), Some(ListingProblem::NameInvisible));
        assert_eq!(
            e.get(DESCRIPTION),
            Some(ListingProblem::DescriptionInvisible)
        );
        assert!(checked.is_none());
        let (e, _) = check_item_fields("  ", &"x".repeat(2001), "1.234", "2d");
        assert_eq!(e.get(NAME), Some(ListingProblem::NameLength));
        assert_eq!(e.get(DESCRIPTION), Some(ListingProblem::DescriptionLength));
        assert_eq!(e.get(PRICE), Some(ListingProblem::PriceDecimals));
        assert_eq!(e.get(DURATION), Some(ListingProblem::DurationInvalid));
        assert_eq!(ItemFormErrors::from_codes(&e.to_codes(), &FORM_FIELDS), e);
        assert!(ItemFormErrors::from_codes("name:<b>,x:y", &FORM_FIELDS).is_empty());
    }

    #[test]
    fn bid_problem_codes_round_trip() {
        crate::util::problem::assert_codes_round_trip::<BidProblem>();
        crate::util::problem::assert_codes_round_trip::<ListingProblem>();
        assert_eq!(
            bid_message(BidProblem::TooLow, 1250),
            "Bid at least $12.50."
        );
    }
}
