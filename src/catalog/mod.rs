//! Finding things: search with words (counts per category, suggestions), browsing every live
//! auction or a category, and the home page's rankings. [`api`] has the server functions,
//! `server` (feature `ssr`) the queries, `ui` the home and search pages and the header's
//! search box.

pub mod api;
#[cfg(feature = "ssr")]
pub mod server;
pub mod ui;

use crate::items::ItemCard;
use serde::{Deserialize, Serialize};

/// Cards per home page section.
pub const HOME_SECTION_SIZE: usize = 8;

/// Results per search page.
pub const SEARCH_PAGE_SIZE: usize = 20;

/// Browsing (a search with no words) goes this many pages deep at most: a page costs its
/// depth (every shard's first `page × size` ranking entries are merged), never the size of
/// the catalogue.
pub const BROWSE_PAGES: usize = 50;

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

/// The refusal of a category that is not on the list (`items::CATEGORIES`): a search never
/// widens to every category instead.
pub fn unknown_category(asked: &str) -> crate::error::AppError {
    let names: Vec<&str> = crate::items::CATEGORIES
        .iter()
        .map(|(slug, _)| *slug)
        .collect();
    crate::error::AppError::Invalid(format!(
        "There is no category “{}”. The categories are: {}.",
        crate::util::url::clip(asked, 40),
        names.join(", ")
    ))
}

/// How soon the auctions a filtered search shows must end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EndingWithin {
    Hour,
    Day,
    Week,
}

impl EndingWithin {
    /// Every choice, in the order the search page offers them.
    pub const ALL: [EndingWithin; 3] = [EndingWithin::Hour, EndingWithin::Day, EndingWithin::Week];

    /// The address value.
    pub fn slug(self) -> &'static str {
        match self {
            EndingWithin::Hour => "1h",
            EndingWithin::Day => "1d",
            EndingWithin::Week => "7d",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            EndingWithin::Hour => "Within an hour",
            EndingWithin::Day => "Within a day",
            EndingWithin::Week => "Within a week",
        }
    }

    pub fn ms(self) -> i64 {
        match self {
            EndingWithin::Hour => 3_600_000,
            EndingWithin::Day => 86_400_000,
            EndingWithin::Week => 7 * 86_400_000,
        }
    }

    pub fn parse(slug: &str) -> Option<EndingWithin> {
        EndingWithin::ALL.into_iter().find(|e| e.slug() == slug)
    }
}

/// How a filtered search wants the item to reach the buyer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Delivery {
    /// Posted at no cost.
    Free,
    /// Posted, at any cost (not pickup only).
    Posted,
    /// Collected from the seller.
    Pickup,
}

impl Delivery {
    /// Every choice, in the order the search page offers them.
    pub const ALL: [Delivery; 3] = [Delivery::Free, Delivery::Posted, Delivery::Pickup];

    /// The address value.
    pub fn slug(self) -> &'static str {
        match self {
            Delivery::Free => "free",
            Delivery::Posted => "posted",
            Delivery::Pickup => "pickup",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Delivery::Free => "Free shipping",
            Delivery::Posted => "Shipped (any cost)",
            Delivery::Pickup => "Pickup only",
        }
    }

    pub fn parse(slug: &str) -> Option<Delivery> {
        Delivery::ALL.into_iter().find(|d| d.slug() == slug)
    }

    /// The range of the indexed shipping field (`items::Shipping::to_field`: the cost in
    /// cents, 0 free, -1 pickup only).
    fn range(self) -> &'static str {
        match self {
            Delivery::Free => "[0 0]",
            Delivery::Posted => "[0 +inf]",
            Delivery::Pickup => "[-1 -1]",
        }
    }

    /// Whether a listing's shipping is this.
    pub fn admits(self, shipping: crate::items::Shipping) -> bool {
        use crate::items::Shipping;
        matches!(
            (self, shipping),
            (Delivery::Free, Shipping::Free)
                | (Delivery::Posted, Shipping::Free | Shipping::Cost(_))
                | (Delivery::Pickup, Shipping::PickupOnly)
        )
    }
}

/// What a search or browse narrows to beyond words and category: a price range (the current
/// price), Buy It Now only (while it can be used), a condition, how soon the auctions end, how
/// the item comes (free shipping, shipped, pickup only), returns accepted and where the item
/// is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default)]
pub struct SearchFilters {
    pub min_cents: Option<i64>,
    pub max_cents: Option<i64>,
    pub buy_now: bool,
    pub condition: Option<crate::items::Condition>,
    pub ending_within: Option<EndingWithin>,
    pub delivery: Option<Delivery>,
    /// Only listings whose seller takes returns.
    pub returns: bool,
    /// Only listings whose location names this place: each of its comma-separated parts
    /// ("Leeds", "West Yorkshire", "UK, Leeds") is one part of the listing's location ("Leeds,
    /// West Yorkshire, UK"), ignoring case. As typed (trimmed, at most
    /// [`crate::items::LOCATION_MAX`] characters).
    pub location: Option<String>,
}

/// What [`SearchFilters::admit`] asks of a new listing.
#[derive(Debug, Clone)]
pub struct Admitted {
    /// The starting price.
    pub price_cents: i64,
    pub buy_now_cents: Option<i64>,
    pub condition: crate::items::Condition,
    /// `None` for listings from before sellers were asked.
    pub shipping: Option<crate::items::Shipping>,
    /// 0: no returns.
    pub returns_days: u16,
    /// As the seller wrote it (empty: not said).
    pub location: String,
}

/// A location filter names at most this many places ("Leeds, West Yorkshire, UK").
pub const PLACE_PARTS_MAX: usize = 4;

/// The places of a location filter: its comma-separated parts, trimmed, empty ones left out.
fn place_parts(place: &str) -> impl Iterator<Item = &str> {
    place
        .split(',')
        .map(str::trim)
        .filter(|part| !part.is_empty())
}

/// `text` as one tag value of a RediSearch query: every ASCII character but letters and
/// digits (spaces, punctuation, query syntax) escaped with a backslash.
fn escape_tag(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    for c in text.chars() {
        if c.is_ascii() && !c.is_ascii_alphanumeric() {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The search page's parameters of [`SearchFilters`], in the order
/// [`SearchFilters::parse`] takes their values.
pub const FILTER_PARAMS: [&str; 8] = [
    "min",
    "max",
    "bin",
    "condition",
    "ending",
    "delivery",
    "returns",
    "location",
];

/// The filters as an address or a form carries them ([`FILTER_PARAMS`], each may be empty or
/// absent): what the search and save-search server functions take, flattened into their own
/// parameters. [`FilterParams::parse`] checks them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FilterParams {
    pub min: String,
    pub max: String,
    pub bin: String,
    pub condition: String,
    pub ending: String,
    pub delivery: String,
    pub returns: String,
    pub location: String,
}

impl FilterParams {
    /// From values in [`FILTER_PARAMS`] order.
    pub fn from_values(values: [String; 8]) -> FilterParams {
        let [min, max, bin, condition, ending, delivery, returns, location] = values;
        FilterParams {
            min,
            max,
            bin,
            condition,
            ending,
            delivery,
            returns,
            location,
        }
    }

    /// The filters they ask for, or what is wrong with them ([`SearchFilters::parse`]).
    pub fn parse(&self) -> Result<SearchFilters, crate::error::AppError> {
        SearchFilters::parse([
            &self.min,
            &self.max,
            &self.bin,
            &self.condition,
            &self.ending,
            &self.delivery,
            &self.returns,
            &self.location,
        ])
    }
}

impl SearchFilters {
    /// From the values of the search page's parameters, in [`FILTER_PARAMS`] order: `min` and
    /// `max` in dollars, `bin=1`, `condition` (a condition's slug), `ending` (`1h`, `1d`,
    /// `7d`), `delivery` (`free`, `posted`, `pickup`), `returns=1`, `location` (a place's
    /// words); empty means no filter. Anything else is refused with what is wrong: a filter
    /// never silently widens the results.
    pub fn parse(values: [&str; 8]) -> Result<SearchFilters, crate::error::AppError> {
        use crate::error::AppError::Invalid;
        let [min, max, bin, condition, ending, delivery, returns, location] = values;
        let amount = |text: &str, which: &str| match text.trim() {
            "" => Ok(None),
            text => match crate::util::money::parse_cents(text) {
                Ok(cents) => Ok(Some(cents)),
                // "From $0" is a fine lower bound.
                Err(crate::util::money::AmountError::Zero) => Ok(Some(0)),
                Err(_) => Err(Invalid(format!(
                    "The {which} price must be in dollars, like 25 or 9.99."
                ))),
            },
        };
        let filters = SearchFilters {
            min_cents: amount(min, "lowest")?,
            max_cents: amount(max, "highest")?,
            buy_now: match bin {
                "" => false,
                "1" | "on" => true,
                _ => return Err(Invalid("Buy It Now only is on (1) or off.".into())),
            },
            condition: match condition {
                "" => None,
                slug => Some(
                    crate::items::Condition::parse(slug)
                        .ok_or_else(|| Invalid("The condition is new, used or parts.".into()))?,
                ),
            },
            ending_within: match ending {
                "" => None,
                slug => Some(
                    EndingWithin::parse(slug)
                        .ok_or_else(|| Invalid("Ending within is 1h, 1d or 7d.".into()))?,
                ),
            },
            delivery: match delivery {
                "" => None,
                slug => Some(
                    Delivery::parse(slug)
                        .ok_or_else(|| Invalid("Delivery is free, posted or pickup.".into()))?,
                ),
            },
            returns: match returns {
                "" => false,
                "1" | "on" => true,
                _ => return Err(Invalid("Returns accepted is on (1) or off.".into())),
            },
            location: match location.split_whitespace().collect::<Vec<_>>().join(" ") {
                place if place.is_empty() => None,
                place if place.chars().count() > crate::items::LOCATION_MAX => {
                    return Err(Invalid(format!(
                        "The location is at most {} characters.",
                        crate::items::LOCATION_MAX
                    )))
                }
                place
                    if place.split(',').all(|part| part.trim().is_empty())
                        || place_parts(&place)
                            .any(|part| !part.chars().any(char::is_alphanumeric))
                        || place_parts(&place).count() > PLACE_PARTS_MAX =>
                {
                    return Err(Invalid(
                        "The location is a town, region or country, like Leeds or UK (up to \
                         four, separated by commas)."
                            .into(),
                    ))
                }
                place => Some(place),
            },
        };
        if let (Some(min), Some(max)) = (filters.min_cents, filters.max_cents) {
            if min > max {
                return Err(Invalid(
                    "The lowest price is above the highest: nothing could match.".into(),
                ));
            }
        }
        Ok(filters)
    }

    pub fn is_empty(&self) -> bool {
        *self == SearchFilters::default()
    }

    /// The filters set, as the search page's parameters (name, value), in [`FILTER_PARAMS`]
    /// order: what links carry and what a form sends again.
    pub fn params(&self) -> Vec<(&'static str, String)> {
        use crate::util::money::cents_to_input;
        [
            ("min", self.min_cents.map(cents_to_input)),
            ("max", self.max_cents.map(cents_to_input)),
            ("bin", self.buy_now.then(|| "1".to_string())),
            ("condition", self.condition.map(|c| c.slug().to_string())),
            ("ending", self.ending_within.map(|e| e.slug().to_string())),
            ("delivery", self.delivery.map(|d| d.slug().to_string())),
            ("returns", self.returns.then(|| "1".to_string())),
            ("location", self.location.clone()),
        ]
        .into_iter()
        .filter_map(|(name, value)| value.map(|value| (name, value)))
        .collect()
    }

    /// The filters as address parameters, each starting with `&` (empty without filters):
    /// what links to other pages, orders and categories of the same search carry.
    pub fn query_string(&self) -> String {
        self.params()
            .iter()
            .map(|(name, value)| format!("&{name}={}", crate::util::url::encode_query_value(value)))
            .collect()
    }

    /// The filters as RediSearch clauses (numbers, fixed slugs and the location's parts,
    /// escaped: no query syntax gets through), with "ending within" counted from `now_ms`.
    pub fn clauses(&self, now_ms: i64) -> Vec<String> {
        let mut clauses = Vec::new();
        if self.min_cents.is_some() || self.max_cents.is_some() {
            let bound = |b: Option<i64>, open: &str| b.map_or(open.to_string(), |c| c.to_string());
            clauses.push(format!(
                "@price:[{} {}]",
                bound(self.min_cents, "-inf"),
                bound(self.max_cents, "+inf")
            ));
        }
        // Buy It Now only: what can be bought now (running, the offer still open).
        if self.buy_now {
            clauses.push("@buy_now:[1 +inf]".to_string());
            clauses.push(format!("@ends_at:[({now_ms} +inf]"));
        }
        if let Some(condition) = self.condition {
            clauses.push(format!("@condition:{{{}}}", condition.slug()));
        }
        if let Some(ending) = self.ending_within {
            clauses.push(format!("@ends_at:[({now_ms} {}]", now_ms + ending.ms()));
        }
        if let Some(delivery) = self.delivery {
            clauses.push(format!("@shipping:{}", delivery.range()));
        }
        if self.returns {
            clauses.push("@returns:[1 +inf]".to_string());
        }
        clauses.extend(self.location_clause());
        clauses
    }

    /// The location filter's clause: each part of the place as one of the listing's location
    /// parts (the index's `location` tags: split at commas, trimmed, ASCII letters compared
    /// without case, as [`SearchFilters::admit`] does).
    pub fn location_clause(&self) -> Option<String> {
        let clauses: Vec<String> = place_parts(self.location.as_deref()?)
            .map(|part| format!("@location:{{{}}}", escape_tag(part)))
            .collect();
        (!clauses.is_empty()).then(|| clauses.join(" "))
    }

    /// A short description of the filters that never holds the clock: for cache keys.
    pub fn key(&self) -> String {
        self.query_string()
    }

    /// Whether a new listing passes the filters a saved search keeps. "Ending within" is about
    /// the moment of searching: a new listing passes it. The location is judged as the index
    /// judges its tags: each place is one of the listing's comma-separated parts, trimmed, with
    /// the case of ASCII letters ignored (RediSearch folds no other letters).
    pub fn admit(&self, listing: &Admitted) -> bool {
        self.min_cents.is_none_or(|min| listing.price_cents >= min)
            && self.max_cents.is_none_or(|max| listing.price_cents <= max)
            && (!self.buy_now || listing.buy_now_cents.is_some())
            && self.condition.is_none_or(|c| c == listing.condition)
            && self
                .delivery
                .is_none_or(|d| listing.shipping.is_some_and(|s| d.admits(s)))
            && (!self.returns || listing.returns_days > 0)
            && self.location.as_deref().is_none_or(|place| {
                place_parts(place).all(|wanted| {
                    listing
                        .location
                        .split(',')
                        .any(|part| part.trim().eq_ignore_ascii_case(wanted))
                })
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::items::Condition;

    #[test]
    fn filters_parse_round_trip_and_refuse_what_they_do_not_know() {
        let f = SearchFilters::parse([
            "10",
            "99.50",
            "1",
            "used",
            "1d",
            "pickup",
            "1",
            "  Isle of  Man & Co ",
        ])
        .unwrap();
        assert_eq!(
            f,
            SearchFilters {
                min_cents: Some(1_000),
                max_cents: Some(9_950),
                buy_now: true,
                condition: Some(Condition::Used),
                ending_within: Some(EndingWithin::Day),
                delivery: Some(Delivery::Pickup),
                returns: true,
                location: Some("Isle of Man & Co".into()),
            }
        );
        assert_eq!(
            f.query_string(),
            "&min=10.00&max=99.50&bin=1&condition=used&ending=1d&delivery=pickup&returns=1\
             &location=Isle%20of%20Man%20%26%20Co"
        );
        // Every filter comes back from its own parameters.
        let again: Vec<(&str, String)> = f.params();
        let value = |name: &str| {
            again
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        let values = FILTER_PARAMS.map(value);
        assert_eq!(
            SearchFilters::parse(values.each_ref().map(|v| v.as_str())),
            Ok(f)
        );
        assert!(SearchFilters::parse([""; 8]).unwrap().is_empty());
        assert_eq!(
            SearchFilters::parse(["0", "", "", "", "", "", "", ""])
                .unwrap()
                .min_cents,
            Some(0)
        );
        let too_far = "x".repeat(crate::items::LOCATION_MAX + 1);
        // One parameter wrong at a time, the others empty; then the range upside down.
        for (name, wrong) in [
            ("min", "ten"),
            ("max", "-5"),
            ("max", "1e3"),
            ("bin", "yes"),
            ("condition", "mint"),
            ("condition", "used|new"),
            ("ending", "2h"),
            ("delivery", "drone"),
            ("delivery", "free|pickup"),
            ("returns", "yes"),
            ("location", "*|-()"),
            ("location", " , "),
            ("location", &too_far),
        ] {
            let values = FILTER_PARAMS.map(|param| if param == name { wrong } else { "" });
            assert!(SearchFilters::parse(values).is_err(), "{name}={wrong}");
        }
        assert!(SearchFilters::parse(["50", "10", "", "", "", "", "", ""]).is_err());
    }

    #[test]
    fn a_location_asks_for_each_of_its_places() {
        let place = |text: &str| SearchFilters::parse(["", "", "", "", "", "", "", text]);
        assert_eq!(
            place("Leeds, West  Yorkshire,").unwrap().clauses(0),
            ["@location:{Leeds} @location:{West\\ Yorkshire}"]
        );
        // Query syntax typed as a place is a place's name, escaped, never syntax.
        assert_eq!(
            place("@name:{x} | -(york)* \\ Köln")
                .unwrap()
                .location_clause(),
            Some(r"@location:{\@name\:\{x\}\ \|\ \-\(york\)\*\ \\\ Köln}".to_string())
        );
        assert_eq!(place("").unwrap().location_clause(), None);
        for refused in [",", "Leeds, -", "a, b, c, d, e"] {
            assert!(place(refused).is_err(), "{refused}");
        }
    }

    #[test]
    fn clauses_are_numbers_and_slugs_and_the_key_holds_no_clock() {
        let f = SearchFilters::parse(["", "20", "1", "parts", "1h", "free", "1", ""]).unwrap();
        assert_eq!(
            f.clauses(1_000),
            [
                "@price:[-inf 2000]",
                "@buy_now:[1 +inf]",
                "@ends_at:[(1000 +inf]",
                "@condition:{parts}",
                "@ends_at:[(1000 3601000]",
                "@shipping:[0 0]",
                "@returns:[1 +inf]"
            ]
        );
        assert_eq!(
            f.key(),
            SearchFilters::parse(["", "20", "1", "parts", "1h", "free", "1", ""])
                .unwrap()
                .key()
        );
        let range = |slug: &str| {
            SearchFilters::parse(["", "", "", "", "", slug, "", ""])
                .unwrap()
                .clauses(0)
        };
        assert_eq!(range("posted"), ["@shipping:[0 +inf]"]);
        assert_eq!(range("pickup"), ["@shipping:[-1 -1]"]);
        assert!(SearchFilters::default().clauses(5).is_empty());
    }

    #[test]
    fn a_saved_searchs_filters_admit_new_listings_by_every_filter_but_the_clock() {
        use crate::items::Shipping;
        let listing = Admitted {
            price_cents: 2_000,
            buy_now_cents: Some(6_000),
            condition: Condition::New,
            shipping: Some(Shipping::Free),
            returns_days: 30,
            location: "Leeds, West Yorkshire ,UK".into(),
        };
        let f =
            SearchFilters::parse(["10", "50", "1", "new", "1h", "free", "1", "uk, LEEDS"]).unwrap();
        assert!(f.admit(&listing));
        for other in [
            Admitted {
                price_cents: 900,
                ..listing.clone()
            },
            Admitted {
                price_cents: 5_001,
                ..listing.clone()
            },
            Admitted {
                buy_now_cents: None,
                ..listing.clone()
            },
            Admitted {
                condition: Condition::Used,
                ..listing.clone()
            },
            Admitted {
                shipping: Some(Shipping::Cost(500)),
                ..listing.clone()
            },
            Admitted {
                shipping: None,
                ..listing.clone()
            },
            Admitted {
                returns_days: 0,
                ..listing.clone()
            },
            Admitted {
                location: "Leeds".into(),
                ..listing.clone()
            },
            Admitted {
                location: "Leedsford, UK".into(),
                ..listing.clone()
            },
            Admitted {
                location: String::new(),
                ..listing.clone()
            },
        ] {
            assert!(!f.admit(&other), "{other:?}");
        }
        let posted = SearchFilters::parse(["", "", "", "", "", "posted", "", ""]).unwrap();
        let pickup = SearchFilters::parse(["", "", "", "", "", "pickup", "", ""]).unwrap();
        for (shipping, by_post, collected) in [
            (Shipping::Free, true, false),
            (Shipping::Cost(500), true, false),
            (Shipping::PickupOnly, false, true),
        ] {
            let listing = Admitted {
                shipping: Some(shipping),
                ..listing.clone()
            };
            assert_eq!(posted.admit(&listing), by_post, "{shipping:?}");
            assert_eq!(pickup.admit(&listing), collected, "{shipping:?}");
        }
        assert!(SearchFilters::default().admit(&Admitted {
            price_cents: 1,
            buy_now_cents: None,
            condition: Condition::ForParts,
            shipping: None,
            returns_days: 0,
            location: String::new(),
        }));
        let place = |text| SearchFilters::parse(["", "", "", "", "", "", "", text]).unwrap();
        assert!(place("west yorkshire").admit(&listing));
        assert!(!place("Yorkshire").admit(&listing));
    }
}
