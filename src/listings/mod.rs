//! Listing an item: the form's fields and rules (name, description, price, duration,
//! category, condition, reserve, Buy It Now, shipping, returns, location, soft close, up to 8
//! photos), the problems it can report, and the new-item page. [`api`] has the server function, `server` (feature `ssr`) the multipart
//! upload and the thumbnail job.

pub mod api;
#[cfg(feature = "ssr")]
pub mod server;
pub mod ui;

use crate::items::{
    category, Condition, ListingTerms, NewItem, Shipping, DEFAULT_CATEGORY, LOCATION_MAX,
    RETURN_DAYS,
};
use crate::util::money::AmountError;
use crate::util::problem::FieldErrors;
use crate::util::text::{TextProblem, TextRule};
use serde::{Deserialize, Serialize};

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
/// Item locations: optional, one line, 2–60 characters ("Leeds, UK").
pub const LOCATION_RULE: TextRule = TextRule {
    min: 2,
    max: LOCATION_MAX,
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
        NameLength = "name-length" =>
            format!("Names are {}–{} characters long.", NAME_RULE.min, NAME_RULE.max),
        NameInvisible = "name-invisible" => "Names need at least one visible character.",
        NameMarks = "name-marks" => "Too many accent marks on one letter of the name.",
        DescriptionLength = "description-length" => format!(
            "Descriptions are {}–{} characters long.",
            DESCRIPTION_RULE.min, DESCRIPTION_RULE.max
        ),
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
        CategoryMissing = "category-missing" => "Choose a category.",
        CategoryInvalid = "category" => "Choose a category from the list.",
        ConditionInvalid = "condition" => "Choose the item's condition from the list.",
        LocationInvalid = "location" => format!(
            "Write the location on one line, {}–{} visible characters, or leave it empty.",
            LOCATION_RULE.min, LOCATION_RULE.max
        ),
        ShippingInvalid = "shipping" => "Choose free shipping, a shipping cost or pickup only.",
        ShippingCostInvalid = "shipping-cost" =>
            "Enter the shipping cost in dollars, like 4.50.",
        ReturnsInvalid = "returns" => "Choose a returns policy from the list.",
        NotYours = "not-yours" => "Only its seller can revise a listing.",
        HasBids = "has-bids" => "Somebody has bid, so the listing stays as they saw it: \
            you can still add to its description.",
        Over = "over" => "This auction has ended: it can no longer be revised.",
        Removed = "removed" => "A moderator removed this listing: it cannot be revised.",
    }
}

crate::problems! {
    /// Why ending a listing early or relisting it did not happen.
    pub enum ManageProblem {
        SignIn = "signin" => "Please sign in as the seller.",
        NotYours = "not-yours" => "Only its seller can do that.",
        Over = "over" => "This auction has ended already.",
        HasBids = "has-bids" =>
            "Somebody has bid: the auction runs to its end, as its bidders were promised.",
        NotOver = "not-over" => "It is still running: it can be relisted once it ends unsold.",
        NotRelistable = "not-relistable" =>
            "It sold and the sale stands (or a moderator removed it): there is nothing to relist.",
        Already = "already" => "It was relisted already.",
        AdditionText = "addition" => format!(
            "Write the addition in {}–{} characters.",
            ADDITION_RULE.min, ADDITION_RULE.max
        ),
        TooManyAdditions = "additions-max" => format!(
            "A listing takes at most {ADDITIONS_MAX} additions to its description."
        ),
        Removed = "removed" => "A moderator removed this listing: it cannot be changed.",
    }
}

/// An addition to a running listing's description: 3–1000 characters, line breaks kept.
pub const ADDITION_RULE: TextRule = TextRule {
    min: 3,
    max: 1000,
    multiline: true,
};
/// At most this many additions to one listing's description.
pub const ADDITIONS_MAX: usize = 5;

/// The one-time notices of the seller's listing forms (`forms::notice`): done, or refused with
/// a [`ManageProblem`] (`manage-<code>`).
pub const ENDED_NOTICE: &str = "ended-early";
pub const RELISTED_NOTICE: &str = "relisted";
pub const REVISED_NOTICE: &str = "revised";
pub const ADDED_NOTICE: &str = "description-added";
pub const MANAGE_PROBLEM_PREFIX: &str = "manage-";

/// What the seller's listing forms answer a script (a plain form post gets a redirect).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ManageReply {
    Ended,
    Relisted {
        id: crate::items::ItemId,
    },
    /// Added to the description.
    Added,
    Refused(ManageProblem),
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
pub const CONDITION: &str = "condition";
pub const LOCATION: &str = "location";
pub const SHIPPING: &str = "shipping";
pub const SHIPPING_COST: &str = "shipping_cost";
pub const RETURNS: &str = "returns";
/// The item form's fields, in the order the form shows them.
pub const FORM_FIELDS: [&str; 13] = [
    NAME,
    DESCRIPTION,
    CATEGORY,
    CONDITION,
    PRICE,
    DURATION,
    RESERVE,
    BUY_NOW,
    SHIPPING,
    SHIPPING_COST,
    RETURNS,
    LOCATION,
    PHOTO,
];

/// The shipping choices of the form (value, label); a cost goes with `cost`.
pub const SHIPPING_CHOICES: [(&str, &str); 3] = [
    ("free", "Free shipping"),
    ("cost", "Buyer pays shipping"),
    ("pickup", "Pickup only"),
];

pub use crate::util::limits::{MAX_PHOTOS, MAX_PHOTOS_BYTES, MAX_PHOTO_BYTES};

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
    // Chosen by the seller, never by default (a listing filed under "Other" unasked is hard to
    // find), and on the list.
    let category = match values.category.trim() {
        "" => Err(ListingProblem::CategoryMissing),
        slug => category(slug)
            .map(|(slug, _)| slug)
            .ok_or(ListingProblem::CategoryInvalid),
    };
    errors.check(CATEGORY, category.err());
    let category = category.ok();
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
    let terms = check_terms(values, &mut errors);
    let checked = match (checked, reserve, buy_now, terms) {
        (Some(item), Ok(reserve_cents), Ok(buy_now_cents), Some(terms)) if errors.is_empty() => {
            Some(NewItem {
                reserve_cents,
                buy_now_cents,
                soft_close: values.soft_close,
                category: category.unwrap_or(DEFAULT_CATEGORY),
                terms,
                ..item
            })
        }
        _ => None,
    };
    (errors, checked)
}

/// Checks a revision of a running listing: the whole form but its length (a revision keeps
/// the listing's end). The checked item's `duration_ms` means nothing.
pub fn check_revision(values: &ItemFormValues) -> (ItemFormErrors, Option<NewItem>) {
    let kept_end = ItemFormValues {
        duration: DURATIONS[0].0.to_string(),
        ..values.clone()
    };
    check_listing(&kept_end)
}

/// What the revise page of a listing offers its seller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RevisePage {
    /// Nobody has bid: the whole form, filled in with the listing as it is.
    Revise {
        name: String,
        values: Box<ItemFormValues>,
        /// How many photos it has now (new ones replace them all).
        photos: u32,
        ends_at_ms: i64,
    },
    /// Somebody has bid: only additions to the description.
    AddOnly {
        name: String,
        additions: Vec<crate::items::Addition>,
    },
    /// Ended, or not theirs, or removed: why not.
    Refused(ListingProblem),
}

/// Checks condition, location, shipping and returns: each on its list (not sent: used, free
/// shipping, no returns: what the form offers first), a location of one short line or none,
/// a shipping cost in dollars when the buyer pays it.
fn check_terms(values: &ItemFormValues, errors: &mut ItemFormErrors) -> Option<ListingTerms> {
    let condition = match values.condition.trim() {
        "" => Some(Condition::default()),
        slug => Condition::parse(slug),
    };
    errors.check(
        CONDITION,
        condition
            .is_none()
            .then_some(ListingProblem::ConditionInvalid),
    );
    let location = match values.location.trim() {
        "" => Ok(String::new()),
        text => crate::util::text::clean(text, LOCATION_RULE),
    };
    errors.check(
        LOCATION,
        location.is_err().then_some(ListingProblem::LocationInvalid),
    );
    let shipping = match values.shipping.trim() {
        "" | "free" => Some(Ok(Shipping::Free)),
        "pickup" => Some(Ok(Shipping::PickupOnly)),
        "cost" => Some(
            crate::util::money::parse_cents(&values.shipping_cost)
                .map(Shipping::Cost)
                .map_err(|_| ()),
        ),
        _ => None,
    };
    errors.check(
        SHIPPING,
        shipping
            .is_none()
            .then_some(ListingProblem::ShippingInvalid),
    );
    errors.check(
        SHIPPING_COST,
        matches!(shipping, Some(Err(()))).then_some(ListingProblem::ShippingCostInvalid),
    );
    let returns_days = match values.returns.trim() {
        "" => Some(0),
        days => days.parse::<u16>().ok().filter(|d| RETURN_DAYS.contains(d)),
    };
    errors.check(
        RETURNS,
        returns_days
            .is_none()
            .then_some(ListingProblem::ReturnsInvalid),
    );
    match (condition, location, shipping, returns_days) {
        (Some(condition), Ok(location), Some(Ok(shipping)), Some(returns_days)) => {
            Some(ListingTerms {
                condition,
                location,
                shipping,
                returns_days,
            })
        }
        _ => None,
    }
}

/// The new-item page's parameter for the problems of a listing refused without JavaScript
/// (`field:code,…`, see `FieldErrors::to_codes`).
pub const LISTING_PROBLEMS_PARAM: &str = "e";

/// What the new-item form had in it: what a listing refused without JavaScript sends back to
/// the page (see `util::echo`; the photos are not kept), and what the island starts from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
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
    /// A condition slug (empty: not sent).
    pub condition: String,
    pub location: String,
    /// A value of [`SHIPPING_CHOICES`], and the cost when the buyer pays it.
    pub shipping: String,
    pub shipping_cost: String,
    /// Days, one of `items::RETURN_DAYS`.
    pub returns: String,
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
            condition: String::new(),
            location: String::new(),
            shipping: String::new(),
            shipping_cost: String::new(),
            returns: String::new(),
        }
    }
}

impl crate::util::echo::Echo for ItemFormValues {
    fn clipped(self) -> Self {
        use crate::util::money::AMOUNT_MAX_CHARS;
        use crate::util::url::clip;
        ItemFormValues {
            name: clip(&self.name, NAME_RULE.max),
            description: clip(&self.description, DESCRIPTION_RULE.max),
            price: clip(&self.price, AMOUNT_MAX_CHARS),
            duration: clip(&self.duration, 5),
            reserve: clip(&self.reserve, AMOUNT_MAX_CHARS),
            buy_now: clip(&self.buy_now, AMOUNT_MAX_CHARS),
            soft_close: self.soft_close,
            category: clip(&self.category, 20),
            condition: clip(&self.condition, 10),
            location: clip(&self.location, LOCATION_RULE.max),
            shipping: clip(&self.shipping, 10),
            shipping_cost: clip(&self.shipping_cost, AMOUNT_MAX_CHARS),
            returns: clip(&self.returns, 4),
        }
    }
}

/// Answer to the new-item form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CreateItemReply {
    Created { id: String },
    Rejected(ItemFormErrors),
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
        let (e, item) = check_listing(&form(""));
        assert_eq!(
            e.get(CATEGORY),
            Some(ListingProblem::CategoryMissing),
            "not chosen: asked for, never \"Other\" by default"
        );
        assert!(item.is_none());
        let (e, item) = check_listing(&form("<script>"));
        assert_eq!(e.get(CATEGORY), Some(ListingProblem::CategoryInvalid));
        assert!(item.is_none());
        assert!(crate::items::CATEGORIES
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
            category: "home".into(),
            reserve: reserve.into(),
            buy_now: buy_now.into(),
            soft_close: false,
            ..ItemFormValues::default()
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
    fn condition_location_shipping_and_returns_are_checked() {
        let form = |condition: &str, location: &str, shipping: &str, cost: &str, returns: &str| {
            ItemFormValues {
                name: "Lamp".into(),
                description: "A lamp".into(),
                price: "10".into(),
                duration: "1d".into(),
                category: "home".into(),
                condition: condition.into(),
                location: location.into(),
                shipping: shipping.into(),
                shipping_cost: cost.into(),
                returns: returns.into(),
                ..ItemFormValues::default()
            }
        };
        let terms = |values| check_listing(&values).1.map(|item| item.terms);
        assert_eq!(
            terms(form("", "", "", "", "")),
            Some(ListingTerms::default()),
            "not sent: used, free shipping, no returns"
        );
        assert_eq!(
            terms(form("parts", "  Leeds,   UK ", "cost", "4.50", "30")),
            Some(ListingTerms {
                condition: Condition::ForParts,
                location: "Leeds, UK".into(),
                shipping: Shipping::Cost(450),
                returns_days: 30,
            })
        );
        assert_eq!(
            terms(form("new", "", "pickup", "ignored", "14")).map(|t| t.shipping),
            Some(Shipping::PickupOnly)
        );
        use ListingProblem as P;
        let long = "x".repeat(61);
        for (values, field, problem) in [
            (form("mint", "", "", "", ""), CONDITION, P::ConditionInvalid),
            (form("", &long, "", "", ""), LOCATION, P::LocationInvalid),
            (
                form("", "\u{200B}\u{200B}", "", "", ""),
                LOCATION,
                P::LocationInvalid,
            ),
            (form("", "", "drone", "", ""), SHIPPING, P::ShippingInvalid),
            (
                form("", "", "cost", "", ""),
                SHIPPING_COST,
                P::ShippingCostInvalid,
            ),
            (
                form("", "", "cost", "-2", ""),
                SHIPPING_COST,
                P::ShippingCostInvalid,
            ),
            (form("", "", "", "", "7"), RETURNS, P::ReturnsInvalid),
        ] {
            let (e, item) = check_listing(&values);
            assert_eq!(e.get(field), Some(problem), "{values:?}");
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
    fn listing_problem_codes_round_trip() {
        crate::util::problem::assert_codes_round_trip::<ListingProblem>();
        crate::util::problem::assert_codes_round_trip::<ManageProblem>();
    }
}
