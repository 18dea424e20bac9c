//! Money is integer cents everywhere. This module parses what people type, strictly, and
//! formats cents for people.

/// The largest amount Rbay accepts: $10,000,000.00.
pub const MAX_CENTS: i64 = 1_000_000_000;
/// The longest amount a form field takes, in characters (`$1,000,000.00` and some spaces).
pub const AMOUNT_MAX_CHARS: usize = 20;

/// Why an amount was refused; each has a message that says what to type instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AmountError {
    Empty,
    NotANumber,
    Negative,
    Zero,
    TooManyDecimals,
    TooLarge,
}

impl AmountError {
    pub fn message(&self) -> String {
        match self {
            AmountError::Empty => "Enter an amount.".into(),
            AmountError::NotANumber => "Enter an amount in dollars, like 12 or 12.50.".into(),
            AmountError::Negative => "The amount can't be negative.".into(),
            AmountError::Zero => "The amount must be more than $0.".into(),
            AmountError::TooManyDecimals => "Use at most 2 decimals (cents).".into(),
            AmountError::TooLarge => {
                format!("The amount can't be more than {}.", format_cents(MAX_CENTS))
            }
        }
    }
}

/// Parses `12`, `12.5`, `12.50`, `$1,234.56` into cents. Refuses everything else: NaN,
/// infinity, exponents, signs, zero, more than 2 decimals, more than [`MAX_CENTS`].
pub fn parse_cents(input: &str) -> Result<i64, AmountError> {
    let s = input.trim();
    if s.is_empty() {
        return Err(AmountError::Empty);
    }
    if s.starts_with('-') {
        return Err(AmountError::Negative);
    }
    let s = s.strip_prefix('$').unwrap_or(s).trim_start();
    let (whole, frac) = match s.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (s, None),
    };
    // Thousands separators are fine when they are where they belong: 1,234,567.
    let whole_digits: String = if whole.contains(',') {
        let groups: Vec<&str> = whole.split(',').collect();
        let well_grouped = !groups[0].is_empty()
            && groups[0].len() <= 3
            && groups[1..].iter().all(|g| g.len() == 3);
        if !well_grouped {
            return Err(AmountError::NotANumber);
        }
        groups.concat()
    } else {
        whole.to_string()
    };
    if whole_digits.is_empty() && frac.is_none_or(str::is_empty) {
        return Err(AmountError::NotANumber);
    }
    if !whole_digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(AmountError::NotANumber);
    }
    let frac = frac.unwrap_or("");
    if !frac.bytes().all(|b| b.is_ascii_digit()) {
        return Err(AmountError::NotANumber);
    }
    if frac.len() > 2 {
        return Err(AmountError::TooManyDecimals);
    }
    let whole_value: i64 = if whole_digits.is_empty() {
        0
    } else if whole_digits.trim_start_matches('0').len() > 8 {
        return Err(AmountError::TooLarge);
    } else {
        whole_digits.parse().map_err(|_| AmountError::NotANumber)?
    };
    let cents_part: i64 = match frac.len() {
        0 => 0,
        1 => frac.parse::<i64>().map_err(|_| AmountError::NotANumber)? * 10,
        _ => frac.parse().map_err(|_| AmountError::NotANumber)?,
    };
    let cents = whole_value * 100 + cents_part;
    if cents == 0 {
        return Err(AmountError::Zero);
    }
    if cents > MAX_CENTS {
        return Err(AmountError::TooLarge);
    }
    Ok(cents)
}

/// Formats integer cents as dollars: `123456` → `$1,234.56`.
pub fn format_cents(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let cents = cents.unsigned_abs();
    let dollars = (cents / 100).to_string();
    let mut grouped = String::with_capacity(dollars.len() + dollars.len() / 3);
    for (i, ch) in dollars.chars().enumerate() {
        if i > 0 && (dollars.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    format!("{sign}${grouped}.{:02}", cents % 100)
}

/// Cents as a plain decimal for form fields: `1250` → `12.50`.
pub fn cents_to_input(cents: i64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_amounts() {
        for (input, cents) in [
            ("12", 1200),
            ("12.5", 1250),
            ("12.50", 1250),
            (" $12.05 ", 1205),
            ("0.05", 5),
            (".5", 50),
            ("1,234.56", 123_456),
            ("007", 700),
            ("10000000", MAX_CENTS),
        ] {
            assert_eq!(parse_cents(input), Ok(cents), "{input}");
        }
    }

    #[test]
    fn bad_amounts_say_why() {
        use AmountError::*;
        for (input, err) in [
            ("", Empty),
            ("   ", Empty),
            ("NaN", NotANumber),
            ("nan", NotANumber),
            ("inf", NotANumber),
            ("1e5", NotANumber),
            ("12.3.4", NotANumber),
            ("abc", NotANumber),
            ("$", NotANumber),
            (".", NotANumber),
            ("1,23", NotANumber),
            ("12,345,67", NotANumber),
            ("+5", NotANumber),
            ("0x10", NotANumber),
            ("١٢", NotANumber),
            ("-5", Negative),
            ("0", Zero),
            ("0.00", Zero),
            ("1.234", TooManyDecimals),
            ("10000000.01", TooLarge),
            ("99999999999999999999999", TooLarge),
        ] {
            assert_eq!(parse_cents(input), Err(err), "{input:?}");
        }
    }

    #[test]
    fn cents_are_formatted_with_grouping() {
        assert_eq!(format_cents(0), "$0.00");
        assert_eq!(format_cents(5), "$0.05");
        assert_eq!(format_cents(123_456), "$1,234.56");
        assert_eq!(format_cents(100_000_000), "$1,000,000.00");
        assert_eq!(format_cents(-250), "-$2.50");
    }

    #[test]
    fn input_form() {
        assert_eq!(cents_to_input(1250), "12.50");
        assert_eq!(cents_to_input(5), "0.05");
    }
}
