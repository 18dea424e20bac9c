//! Items: what every feature shows of an item. Its id, the categories, the listing as stored
//! (`NewItem`), the card and the item page's data, the live events an item sends, and the item
//! page itself (`ui`). The features that act on items build on it: `listings` (listing one),
//! `auction` (bidding, Buy It Now, closing), `catalog` (search, browse, rankings),
//! `engagement` (likes, watching, views), `my_lists`, `seller` (dashboard, market board).
//! [`api`] has the item page's server function, `server` (feature `ssr`) the Redis side: the
//! item's records, cards, photos, the search index and its upkeep.

pub mod api;
#[cfg(feature = "ssr")]
pub mod server;
pub mod ui;
pub mod wire;

use crate::util::id::UserId;
use serde::{Deserialize, Serialize};

pub use crate::util::id::ItemId;

/// Bid history rows shown on the item page.
pub const HISTORY_LIMIT: usize = 50;

/// Longest search text considered; the rest is ignored.
pub const MAX_QUERY_CHARS: usize = 200;

/// At most this many words of a query are searched.
pub const MAX_QUERY_TERMS: usize = 8;

/// Splits user text into searchable words, escaping everything RediSearch treats as syntax.
/// Words are letters and digits only; all punctuation is a separator, so no query can widen
/// or break the search (`*`, `|`, `-`, `@field:`, `{}`, `()`, quotes...). Search and
/// saved searches (which must split words as search does) both call this.
pub fn query_terms(text: &str) -> Vec<String> {
    text.chars()
        .take(MAX_QUERY_CHARS)
        .collect::<String>()
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.chars().take(40).collect::<String>())
        .take(MAX_QUERY_TERMS)
        .collect()
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

/// What state an item is in, as its seller says.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Condition {
    New,
    #[default]
    Used,
    ForParts,
}

impl Condition {
    /// Every condition, in the order a form offers them.
    pub const ALL: [Condition; 3] = [Condition::New, Condition::Used, Condition::ForParts];

    /// The form, address and index value.
    pub fn slug(self) -> &'static str {
        match self {
            Condition::New => "new",
            Condition::Used => "used",
            Condition::ForParts => "parts",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Condition::New => "New",
            Condition::Used => "Used",
            Condition::ForParts => "For parts or not working",
        }
    }

    pub fn parse(slug: &str) -> Option<Condition> {
        Condition::ALL.into_iter().find(|c| c.slug() == slug)
    }
}

/// How the item reaches the buyer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Shipping {
    #[default]
    Free,
    /// Posted, at this many cents on top of the price.
    Cost(i64),
    /// Collected from the seller; nothing is posted.
    PickupOnly,
}

impl Shipping {
    /// As stored (and indexed): the cost in cents, 0 free, -1 pickup only.
    pub fn to_field(self) -> i64 {
        match self {
            Shipping::Free => 0,
            Shipping::Cost(cents) => cents,
            Shipping::PickupOnly => -1,
        }
    }

    /// From the stored field; `None` for anything [`Shipping::to_field`] never writes.
    pub fn from_field(value: i64) -> Option<Shipping> {
        match value {
            -1 => Some(Shipping::PickupOnly),
            0 => Some(Shipping::Free),
            cents if cents > 0 && cents <= crate::util::money::MAX_CENTS => {
                Some(Shipping::Cost(cents))
            }
            _ => None,
        }
    }

    /// "Free shipping", "$5.00 shipping", "Pickup only".
    pub fn label(self) -> String {
        match self {
            Shipping::Free => "Free shipping".to_string(),
            Shipping::Cost(cents) => {
                format!("{} shipping", crate::util::money::format_cents(cents))
            }
            Shipping::PickupOnly => "Pickup only".to_string(),
        }
    }
}

/// The returns a seller may offer (days; 0 = none), in the order a form offers them.
pub const RETURN_DAYS: [u16; 4] = [0, 14, 30, 60];

/// "No returns" or "30-day returns".
pub fn returns_label(days: u16) -> String {
    match days {
        0 => "No returns".to_string(),
        days => format!("{days}-day returns"),
    }
}

/// The longest item location ("Leeds, UK").
pub const LOCATION_MAX: usize = 60;

/// What a listing says beyond the auction: condition, where the item is, shipping and
/// returns. (Listings from before these were asked have none: see [`ItemDetail::terms`].)
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListingTerms {
    pub condition: Condition,
    /// Town and country as the seller wrote it (one line, at most [`LOCATION_MAX`]), or empty.
    pub location: String,
    pub shipping: Shipping,
    /// One of [`RETURN_DAYS`].
    pub returns_days: u16,
}

/// The Buy It Now price while it can be used: offered (`offer` > 0), not closed, and bidding
/// has not taken over (no bid at or above the reserve). The item page and the cards read it
/// from the state with this rule; `lua/sync_doc.lua` writes the same into the search document.
pub fn open_buy_now(offer: i64, closed: bool, bids: i64, price: i64, reserve: i64) -> Option<i64> {
    let bidding_took_over = bids > 0 && price >= reserve;
    (offer > 0 && !closed && !bidding_took_over).then_some(offer)
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
    /// Condition, location, shipping and returns.
    pub terms: ListingTerms,
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
            terms: ListingTerms::default(),
        }
    }
}

/// What a listing card shows: enough for the home page, search results and profiles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemCard {
    pub id: ItemId,
    pub name: String,
    /// Current price in integer cents.
    pub price_cents: i64,
    /// Auction end, Unix time in milliseconds.
    pub ends_at_ms: i64,
    pub views: i64,
    pub bids: i64,
    pub likes: i64,
    /// The seller's rating (none given yet: all zeros).
    #[serde(default)]
    pub seller_rating: crate::accounts::RatingSummary,
    /// The Buy It Now price while it can be used.
    #[serde(default)]
    pub buy_now_cents: Option<i64>,
    /// Condition and shipping, for listings that say them.
    #[serde(default)]
    pub condition: Option<Condition>,
    #[serde(default)]
    pub shipping: Option<Shipping>,
    /// How many times its seller revised it (its photos' addresses carry it).
    #[serde(default)]
    pub revision: u32,
    /// Returns the seller takes (days; 0 none, or not said).
    #[serde(default)]
    pub returns_days: u16,
    /// Where the item is, as its seller wrote it (may be empty).
    #[serde(default)]
    pub location: String,
}

/// Everything the item page shows about one item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemDetail {
    pub id: ItemId,
    pub name: String,
    pub description: String,
    /// A slug of [`CATEGORIES`].
    pub category: String,
    /// How many photos of its own it has (0–8; the first is the cover).
    pub photos: u32,
    pub seller_id: UserId,
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
    pub high_bidder_id: Option<UserId>,
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
    /// Why a moderator hid the listing (`moderation`), when one did: then only its seller and
    /// the moderators see its page.
    pub removed: Option<String>,
    /// Condition, location, shipping and returns; `None` for listings from before sellers
    /// were asked.
    #[serde(default)]
    pub terms: Option<ListingTerms>,
    /// Its seller ended it before its time, with no bids (`listings`).
    #[serde(default)]
    pub ended_early: bool,
    /// The listing its seller relisted it as, once it did not sell.
    #[serde(default)]
    pub relisted_as: Option<ItemId>,
    /// How many times its seller revised it or added to its description (`listings`): its
    /// photos' addresses carry it, so a browser never shows a replaced photo from its cache.
    #[serde(default)]
    pub revision: u32,
    /// What its seller added to the description while it ran, oldest first.
    #[serde(default)]
    pub additions: Vec<Addition>,
}

/// A dated addition to a listing's description (`lua/add_to_description.lua`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Addition {
    /// When it was added, Unix time in milliseconds.
    #[serde(rename = "at")]
    pub at_ms: i64,
    pub text: String,
}

/// The query that makes a photo's address change when its listing is revised (photos are
/// served as immutable): none before the first revision.
pub fn photo_version(revision: u32) -> String {
    if revision == 0 {
        String::new()
    } else {
        format!("?v={revision}")
    }
}

impl ItemDetail {
    pub fn is_live(&self, now_ms: i64) -> bool {
        now_ms < self.ends_at_ms
    }
}

/// One accepted bid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BidEntry {
    pub bidder_id: UserId,
    pub bidder_name: String,
    pub amount_cents: i64,
    pub at_ms: i64,
    /// An automatic bid placed for the leader up to their maximum.
    #[serde(default)]
    pub auto: bool,
    /// The Buy It Now purchase.
    #[serde(default)]
    pub bought: bool,
    /// Cancelled: its bidder was blocked by the seller or suspended (`auction::server::cancel`).
    #[serde(default)]
    pub cancelled: bool,
}

/// The item page in one piece (its comments come from the comments feature).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemPageData {
    pub item: ItemDetail,
    /// Newest first.
    pub history: Vec<BidEntry>,
    pub similar: Vec<ItemCard>,
    pub liked_by_me: bool,
    pub viewer_id: Option<UserId>,
    /// The viewer's own maximum bid on this item, if they bid (no one else's is ever sent).
    pub my_max_cents: Option<i64>,
    /// Whether the viewer watches it.
    pub watching: bool,
    pub now_ms: i64,
}

/// What the item page's per-viewer parts know about the viewer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ItemViewer {
    /// `None` for a visitor.
    pub id: Option<UserId>,
    pub liked: bool,
    /// Their own maximum bid, if they bid.
    pub my_max_cents: Option<i64>,
    pub watching: bool,
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
    /// Search: the query with each word the index does not know replaced by the closest word
    /// it knows ("camra" → "camera"), when there is one.
    #[serde(default)]
    pub did_you_mean: Option<String>,
}

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
        bidder_id: UserId,
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
    pub bidder_id: UserId,
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
    zone: &crate::util::zone::Zone,
) -> String {
    use crate::analytics::chart::PriceChart;
    use crate::util::html::to_html;
    use leptos::prelude::*;
    if history.is_empty() {
        return to_html(view! {
            <p class="muted chart-empty">"No bids yet: the chart starts with the first bid."</p>
        });
    }
    let mut points: Vec<(i64, i64)> = vec![(start_ms, start_cents)];
    // A cancelled bid's amount was never a price anyone pays: the chart leaves it out.
    points.extend(
        history
            .iter()
            .rev()
            .filter(|b| !b.cancelled)
            .map(|b| (b.at_ms, b.amount_cents)),
    );
    to_html(view! {
        <div class="price-chart">
            <PriceChart
                id="price-history".to_string()
                title=format!("Price over time ({zone})")
                points
                until_ms=now_ms.min(end_ms)
                zone=zone.clone()
            />
        </div>
    })
}
