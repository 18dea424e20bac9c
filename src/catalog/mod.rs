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

/// What a search or browse narrows to beyond words and category: a price range (the current
/// price), Buy It Now only (while it can be used), a condition, and how soon the auctions end.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default)]
pub struct SearchFilters {
    pub min_cents: Option<i64>,
    pub max_cents: Option<i64>,
    pub buy_now: bool,
    pub condition: Option<crate::items::Condition>,
    pub ending_within: Option<EndingWithin>,
}

/// The search page's parameters of [`SearchFilters`].
pub const FILTER_PARAMS: [&str; 5] = ["min", "max", "bin", "condition", "ending"];

impl SearchFilters {
    /// From the search page's parameters: `min` and `max` in dollars, `bin=1`, `condition` (a
    /// condition's slug), `ending` (`1h`, `1d`, `7d`); empty means no filter. Anything else is
    /// refused with what is wrong: a filter never silently widens the results.
    pub fn parse(
        min: &str,
        max: &str,
        bin: &str,
        condition: &str,
        ending: &str,
    ) -> Result<SearchFilters, crate::error::AppError> {
        use crate::error::AppError::Invalid;
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
            .map(|(name, value)| format!("&{name}={value}"))
            .collect()
    }

    /// The filters as RediSearch clauses (numbers and fixed slugs only: no user text), with
    /// "ending within" counted from `now_ms`.
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
        clauses
    }

    /// A short description of the filters that never holds the clock: for cache keys.
    pub fn key(&self) -> String {
        self.query_string()
    }

    /// Whether a new listing (its starting price, Buy It Now price, condition) passes the
    /// filters a saved search keeps. "Ending within" is about the moment of searching: a new
    /// listing passes it.
    pub fn admit(
        &self,
        price_cents: i64,
        buy_now_cents: Option<i64>,
        condition: crate::items::Condition,
    ) -> bool {
        self.min_cents.is_none_or(|min| price_cents >= min)
            && self.max_cents.is_none_or(|max| price_cents <= max)
            && (!self.buy_now || buy_now_cents.is_some())
            && self.condition.is_none_or(|c| c == condition)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::items::Condition;

    #[test]
    fn filters_parse_round_trip_and_refuse_what_they_do_not_know() {
        let f = SearchFilters::parse("10", "99.50", "1", "used", "1d").unwrap();
        assert_eq!(
            f,
            SearchFilters {
                min_cents: Some(1_000),
                max_cents: Some(9_950),
                buy_now: true,
                condition: Some(Condition::Used),
                ending_within: Some(EndingWithin::Day),
            }
        );
        assert_eq!(
            f.query_string(),
            "&min=10.00&max=99.50&bin=1&condition=used&ending=1d"
        );
        assert!(SearchFilters::parse("", "", "", "", "").unwrap().is_empty());
        assert_eq!(
            SearchFilters::parse("0", "", "", "", "").unwrap().min_cents,
            Some(0)
        );
        for (min, max, bin, condition, ending) in [
            ("ten", "", "", "", ""),
            ("", "-5", "", "", ""),
            ("", "1e3", "", "", ""),
            ("50", "10", "", "", ""),
            ("", "", "yes", "", ""),
            ("", "", "", "mint", ""),
            ("", "", "", "", "2h"),
            ("", "", "", "used|new", ""),
        ] {
            assert!(
                SearchFilters::parse(min, max, bin, condition, ending).is_err(),
                "{min} {max} {bin} {condition} {ending}"
            );
        }
    }

    #[test]
    fn clauses_are_numbers_and_slugs_and_the_key_holds_no_clock() {
        let f = SearchFilters::parse("", "20", "1", "parts", "1h").unwrap();
        assert_eq!(
            f.clauses(1_000),
            [
                "@price:[-inf 2000]",
                "@buy_now:[1 +inf]",
                "@ends_at:[(1000 +inf]",
                "@condition:{parts}",
                "@ends_at:[(1000 3601000]"
            ]
        );
        assert_eq!(
            f.key(),
            SearchFilters::parse("", "20", "1", "parts", "1h")
                .unwrap()
                .key()
        );
        assert!(SearchFilters::default().clauses(5).is_empty());
    }

    #[test]
    fn a_saved_searchs_filters_admit_new_listings_by_price_buy_now_and_condition() {
        let f = SearchFilters::parse("10", "50", "1", "new", "").unwrap();
        assert!(f.admit(2_000, Some(6_000), Condition::New));
        assert!(!f.admit(900, Some(6_000), Condition::New));
        assert!(!f.admit(5_001, Some(6_000), Condition::New));
        assert!(!f.admit(2_000, None, Condition::New));
        assert!(!f.admit(2_000, Some(6_000), Condition::Used));
        assert!(SearchFilters::default().admit(1, None, Condition::ForParts));
    }
}
