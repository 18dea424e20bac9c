//! Listing and bidding rules shared by the server and the browser: form problems with stable
//! codes (for redirects when JavaScript is off), the duration choices, and replies.

use crate::text::{TextProblem, TextRule};
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

/// Problems of the new-item form, by field, as codes (see [`item_problem_message`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemFormErrors {
    pub name: Option<String>,
    pub description: Option<String>,
    pub price: Option<String>,
    pub duration: Option<String>,
    pub photo: Option<String>,
    pub form: Option<String>,
}

impl ItemFormErrors {
    pub fn is_empty(&self) -> bool {
        self == &ItemFormErrors::default()
    }

    fn fields(&self) -> [(&'static str, &Option<String>); 6] {
        [
            ("name", &self.name),
            ("description", &self.description),
            ("price", &self.price),
            ("duration", &self.duration),
            ("photo", &self.photo),
            ("form", &self.form),
        ]
    }

    /// `name:name-length,photo:photo-type` for a redirect URL.
    pub fn to_codes(&self) -> String {
        self.fields()
            .iter()
            .filter_map(|(f, c)| c.as_ref().map(|c| format!("{f}:{c}")))
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Inverse of [`ItemFormErrors::to_codes`]; unknown codes are dropped.
    pub fn from_codes(codes: &str) -> Self {
        let mut e = ItemFormErrors::default();
        for part in codes.split(',').take(6) {
            let Some((field, code)) = part.split_once(':') else {
                continue;
            };
            if item_problem_message(code).is_none() {
                continue;
            }
            let slot = match field {
                "name" => &mut e.name,
                "description" => &mut e.description,
                "price" => &mut e.price,
                "duration" => &mut e.duration,
                "photo" => &mut e.photo,
                "form" => &mut e.form,
                _ => continue,
            };
            *slot = Some(code.to_string());
        }
        e
    }
}

/// The message for a new-item problem code.
pub fn item_problem_message(code: &str) -> Option<String> {
    use crate::money::AmountError::*;
    Some(match code {
        "name-length" => "Names are 3–80 characters long.".into(),
        "name-invisible" => "Names need at least one visible character.".into(),
        "name-marks" => "Too many accent marks on one letter of the name.".into(),
        "description-length" => "Descriptions are 3–2000 characters long.".into(),
        "description-invisible" => "Descriptions need at least one visible character.".into(),
        "description-marks" => "Too many accent marks on one letter of the description.".into(),
        "price-empty" => Empty.message(),
        "price-nan" => NotANumber.message(),
        "price-negative" => Negative.message(),
        "price-zero" => Zero.message(),
        "price-decimals" => TooManyDecimals.message(),
        "price-large" => TooLarge.message(),
        "duration-invalid" => "Choose how long the auction runs.".into(),
        "photo-large" => "The photo is larger than 5 MB.".into(),
        "photo-type" => "The photo must be a JPEG, PNG or WebP image.".into(),
        "photo-pixels" => "The photo is too big to process (at most 16 megapixels).".into(),
        "signin" => "Please sign in to list an item.".into(),
        "unavailable" => "Rbay is temporarily unavailable. Please try again in a moment.".into(),
        "internal" => "Something went wrong on our side. Please try again.".into(),
        other => {
            let secs: u64 = other.strip_prefix("rate-")?.parse().ok()?;
            format!("You're listing too fast. Please wait {secs} seconds.")
        }
    })
}

/// The price code for an amount problem.
pub fn price_code(e: crate::money::AmountError) -> &'static str {
    use crate::money::AmountError::*;
    match e {
        Empty => "price-empty",
        NotANumber => "price-nan",
        Negative => "price-negative",
        Zero => "price-zero",
        TooManyDecimals => "price-decimals",
        TooLarge => "price-large",
    }
}

/// Item names: one line, 3–80 characters (see [`crate::text`]).
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

/// The problem code of a text field (`name-length`, `description-invisible`, ...).
fn text_code(field: &str, problem: TextProblem) -> String {
    let what = match problem {
        TextProblem::Empty | TextProblem::Length => "length",
        TextProblem::Invisible => "invisible",
        TextProblem::StackedMarks => "marks",
    };
    format!("{field}-{what}")
}

/// The text fields of a new listing, cleaned (what gets stored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedItem {
    pub name: String,
    pub description: String,
    pub start_cents: i64,
    pub duration_ms: i64,
}

/// Checks the text fields of a new listing (the photo is checked on the server). Returns the
/// cleaned fields when all of them are valid.
pub fn check_item_fields(
    name: &str,
    description: &str,
    price: &str,
    duration: &str,
) -> (ItemFormErrors, Option<CheckedItem>) {
    let name = crate::text::clean(name, NAME_RULE);
    let description = crate::text::clean(description, DESCRIPTION_RULE);
    let price = crate::money::parse_cents(price);
    let duration = duration_ms(duration);
    let errors = ItemFormErrors {
        name: name.as_ref().err().map(|p| text_code("name", *p)),
        description: description
            .as_ref()
            .err()
            .map(|p| text_code("description", *p)),
        price: price.err().map(|e| price_code(e).to_string()),
        duration: duration.is_none().then(|| "duration-invalid".to_string()),
        photo: None,
        form: None,
    };
    let checked = match (name, description, price, duration) {
        (Ok(name), Ok(description), Ok(start_cents), Some(duration_ms)) => Some(CheckedItem {
            name,
            description,
            start_cents,
            duration_ms,
        }),
        _ => None,
    };
    (errors, checked)
}

/// Answer to the new-item form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CreateItemReply {
    Created { id: String },
    Rejected(ItemFormErrors),
}

/// Answer to a bid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum BidReply {
    Accepted {
        price_cents: i64,
        bids: i64,
        min_next_cents: i64,
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

/// Bid problems as URL codes, for the item page when JavaScript is off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BidProblem {
    SignIn,
    Amount(crate::money::AmountError),
    NotFound,
    Ended,
    OwnItem,
    TooLow,
    RateLimited(u64),
    Unavailable,
}

impl BidProblem {
    pub fn code(&self) -> String {
        use crate::money::AmountError::*;
        match self {
            BidProblem::SignIn => "signin".into(),
            BidProblem::Amount(e) => match e {
                Empty => "amount-empty",
                NotANumber => "amount-nan",
                Negative => "amount-negative",
                Zero => "amount-zero",
                TooManyDecimals => "amount-decimals",
                TooLarge => "amount-large",
            }
            .into(),
            BidProblem::NotFound => "notfound".into(),
            BidProblem::Ended => "ended".into(),
            BidProblem::OwnItem => "own".into(),
            BidProblem::TooLow => "low".into(),
            BidProblem::RateLimited(secs) => format!("rate-{secs}"),
            BidProblem::Unavailable => "unavailable".into(),
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        use crate::money::AmountError::*;
        Some(match code {
            "signin" => BidProblem::SignIn,
            "amount-empty" => BidProblem::Amount(Empty),
            "amount-nan" => BidProblem::Amount(NotANumber),
            "amount-negative" => BidProblem::Amount(Negative),
            "amount-zero" => BidProblem::Amount(Zero),
            "amount-decimals" => BidProblem::Amount(TooManyDecimals),
            "amount-large" => BidProblem::Amount(TooLarge),
            "notfound" => BidProblem::NotFound,
            "ended" => BidProblem::Ended,
            "own" => BidProblem::OwnItem,
            "low" => BidProblem::TooLow,
            "unavailable" => BidProblem::Unavailable,
            other => BidProblem::RateLimited(
                other
                    .strip_prefix("rate-")?
                    .parse::<u64>()
                    .ok()?
                    .clamp(1, 3600),
            ),
        })
    }

    /// The message; `min_bid_cents` fills in "bid at least $X".
    pub fn message(&self, min_bid_cents: i64) -> String {
        match self {
            BidProblem::SignIn => "Sign in to bid.".into(),
            BidProblem::Amount(e) => e.message(),
            BidProblem::NotFound => "This auction doesn't exist.".into(),
            BidProblem::Ended => "This auction has ended; no more bids.".into(),
            BidProblem::OwnItem => "You can't bid on your own item.".into(),
            BidProblem::TooLow => format!(
                "Bid at least {}.",
                crate::model::format_cents(min_bid_cents)
            ),
            BidProblem::RateLimited(secs) => {
                format!("Too many bids. Please wait {secs} seconds and try again.")
            }
            BidProblem::Unavailable => {
                "Rbay is temporarily unavailable. Please try again in a moment.".into()
            }
        }
    }
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
        assert_eq!(e.name.as_deref(), Some("name-invisible"));
        assert_eq!(e.description.as_deref(), Some("description-invisible"));
        assert!(checked.is_none());
        let (e, _) = check_item_fields("  ", &"x".repeat(2001), "1.234", "2d");
        assert_eq!(e.name.as_deref(), Some("name-length"));
        assert_eq!(e.description.as_deref(), Some("description-length"));
        assert_eq!(e.price.as_deref(), Some("price-decimals"));
        assert_eq!(e.duration.as_deref(), Some("duration-invalid"));
        assert_eq!(ItemFormErrors::from_codes(&e.to_codes()), e);
        assert!(ItemFormErrors::from_codes("name:<b>,x:y").is_empty());
    }

    #[test]
    fn bid_problem_codes_round_trip() {
        use crate::money::AmountError;
        for p in [
            BidProblem::SignIn,
            BidProblem::Amount(AmountError::TooManyDecimals),
            BidProblem::Ended,
            BidProblem::OwnItem,
            BidProblem::TooLow,
            BidProblem::RateLimited(9),
            BidProblem::Unavailable,
            BidProblem::NotFound,
        ] {
            assert_eq!(BidProblem::from_code(&p.code()), Some(p));
        }
        assert_eq!(BidProblem::from_code("<script>"), None);
        assert_eq!(BidProblem::TooLow.message(1250), "Bid at least $12.50.");
    }
}
