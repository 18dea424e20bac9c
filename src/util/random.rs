//! Random tokens (server only): session tokens, CSP nonces, lock tokens, secrets.
//!
//! They come from `rand`'s thread-local generator, a ChaCha12 CSPRNG seeded from the
//! operating system and reseeded periodically: cryptographically secure, without a system
//! call per token (a nonce is made for every request).

/// `N` random bytes, as lowercase hex.
pub fn random_hex<const N: usize>() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; N];
    rand::rng().fill_bytes(&mut bytes);
    hex(&bytes)
}

/// 128 random bits, as hex: lock tokens, rate-limit hit ids.
pub fn random_token() -> String {
    random_hex::<16>()
}

/// Bytes as lowercase hex (by table: a nonce and a session's hash are made for every
/// request, and the formatting machinery showed in profiles).
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn tokens_are_hex_of_the_right_length_and_differ() {
        let (a, b) = (super::random_hex::<16>(), super::random_hex::<16>());
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
        assert_eq!(super::hex(&[0, 255]), "00ff");
        assert_eq!(super::hex(&[0x1a, 0xb2, 0x09]), "1ab209");
        assert_eq!(super::hex(&[]), "");
    }
}
