//! Query strings.

/// Percent-encodes a query parameter value (RFC 3986 unreserved characters pass through).
pub fn encode_query_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// The first `max` characters of `text`: what forms echo back in a redirect URL.
pub fn clip(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_encoded() {
        assert_eq!(
            encode_query_value("/items/3?x=1&y"),
            "%2Fitems%2F3%3Fx%3D1%26y"
        );
        assert_eq!(encode_query_value("bob_1-x"), "bob_1-x");
        assert_eq!(clip("héllo", 2), "hé");
    }
}
