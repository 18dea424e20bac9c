//! Numeric ids (items, users): positive integers, parsed once where they enter (a URL, a form
//! field) so everything past the boundary holds a value that is known to be well formed.

/// Declares an id newtype over `u64` with `parse` and `Display`.
#[macro_export]
macro_rules! numeric_id {
    ($(#[$meta:meta])* $vis:vis struct $name:ident;) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize,
        )]
        $vis struct $name(pub u64);

        impl $name {
            /// `"7"` → an id; anything else (zero, leading zeros, signs, letters, spaces,
            /// more than 20 digits) → `None`, which callers answer as "not found".
            pub fn parse(raw: &str) -> Option<Self> {
                $crate::util::id::parse_positive(raw).map($name)
            }
        }

        impl From<$name> for u64 {
            fn from(id: $name) -> u64 {
                id.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    };
}

/// A positive integer written the one canonical way (digits only, no leading zero).
pub fn parse_positive(raw: &str) -> Option<u64> {
    let canonical = !raw.is_empty()
        && raw.len() <= 20
        && raw.bytes().all(|b| b.is_ascii_digit())
        && !raw.starts_with('0');
    canonical.then(|| raw.parse().ok()).flatten()
}

#[cfg(test)]
mod tests {
    use super::parse_positive;

    #[test]
    fn only_canonical_positive_integers() {
        assert_eq!(parse_positive("7"), Some(7));
        assert_eq!(parse_positive("123456"), Some(123_456));
        for bad in [
            "",
            "0",
            "07",
            "-1",
            "+1",
            "1a",
            "*",
            "1 2",
            "../etc",
            &"9".repeat(21),
        ] {
            assert_eq!(parse_positive(bad), None, "{bad:?}");
        }
    }
}
