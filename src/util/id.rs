//! Numeric ids (items, users): positive integers, parsed once where they enter (a URL, a form
//! field) so everything past the boundary holds a value that is known to be well formed.

/// Declares an id newtype over `u64` with `parse`, `Display` and serde. Deserialising validates
/// as `parse` does (a form's `"7"` or JSON's `7`; never `0`, `07`, `-1` or `abc`), so a server
/// function that takes an id answers 400 to a malformed one before its body runs.
#[macro_export]
macro_rules! numeric_id {
    ($(#[$meta:meta])* $vis:vis struct $name:ident;) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize,
        )]
        $vis struct $name(pub u64);

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                $crate::util::id::deserialize_positive(d).map($name)
            }
        }

        impl $name {
            /// `"7"` → an id; anything else (zero, leading zeros, signs, letters, spaces,
            /// more than 20 digits) → `None`, which callers answer as "not found".
            pub fn parse(raw: &str) -> Option<Self> {
                $crate::util::id::parse_positive(raw).map($name)
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::util::id::NotAnId;

            fn from_str(raw: &str) -> Result<Self, Self::Err> {
                Self::parse(raw).ok_or($crate::util::id::NotAnId)
            }
        }

        impl From<$name> for u64 {
            fn from(id: $name) -> u64 {
                id.0
            }
        }

        /// In markup an id is its digits (`value=item.id` in a hidden form field).
        impl leptos::prelude::IntoAttributeValue for $name {
            type Output = String;

            fn into_attribute_value(self) -> String {
                self.0.to_string()
            }
        }

        /// In Redis an id is its digits (key names, script arguments, hash fields).
        #[cfg(feature = "ssr")]
        impl redis::ToRedisArgs for $name {
            fn write_redis_args<W: ?Sized + redis::RedisWrite>(&self, out: &mut W) {
                self.0.write_redis_args(out)
            }
        }

        #[cfg(feature = "ssr")]
        impl redis::ToSingleRedisArg for $name {}

        /// Read back from Redis, validated like any other input: a positive integer.
        #[cfg(feature = "ssr")]
        impl redis::FromRedisValue for $name {
            fn from_redis_value(v: redis::Value) -> Result<Self, redis::ParsingError> {
                match u64::from_redis_value(v)? {
                    0 => Err(concat!(stringify!($name), ": zero is not an id").into()),
                    n => Ok($name(n)),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    };
}

crate::numeric_id! {
    /// A user id (`accounts` owns users; the type lives here so that every layer can name it).
    pub struct UserId;
}

crate::numeric_id! {
    /// An item id (`items` owns items; the type lives here so that every layer can name it).
    pub struct ItemId;
}

/// A text that is not an id written the canonical way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotAnId;

impl std::fmt::Display for NotAnId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("not an id")
    }
}

impl std::error::Error for NotAnId {}

/// A positive integer written the one canonical way (digits only, no leading zero).
pub fn parse_positive(raw: &str) -> Option<u64> {
    let canonical = !raw.is_empty()
        && raw.len() <= 20
        && raw.bytes().all(|b| b.is_ascii_digit())
        && !raw.starts_with('0');
    canonical.then(|| raw.parse().ok()).flatten()
}

/// Reads an id from a string (forms, query strings) or a number (JSON), validated as
/// [`parse_positive`] does.
pub fn deserialize_positive<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    struct Positive;
    impl serde::de::Visitor<'_> for Positive {
        type Value = u64;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a positive integer id")
        }

        fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<u64, E> {
            (v > 0)
                .then_some(v)
                .ok_or_else(|| E::custom("an id is a positive integer"))
        }

        fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<u64, E> {
            self.visit_u64(u64::try_from(v).map_err(|_| E::custom("an id is a positive integer"))?)
        }

        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<u64, E> {
            parse_positive(v).ok_or_else(|| E::custom("an id is a positive integer"))
        }
    }
    d.deserialize_any(Positive)
}

#[cfg(test)]
mod tests {
    use super::parse_positive;

    crate::numeric_id! {
        struct TestId;
    }

    #[test]
    fn deserialising_validates() {
        assert_eq!(serde_json::from_str::<TestId>("7").unwrap(), TestId(7));
        assert_eq!(serde_json::from_str::<TestId>("\"7\"").unwrap(), TestId(7));
        for bad in ["0", "-1", "\"07\"", "\"abc\"", "\"\"", "1.5", "null"] {
            assert!(serde_json::from_str::<TestId>(bad).is_err(), "{bad}");
        }
        assert_eq!(serde_json::to_string(&TestId(7)).unwrap(), "7");
        assert_eq!(
            TestId::parse("7"),
            Some(TestId(7)),
            "the same rule as parse"
        );
    }

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
