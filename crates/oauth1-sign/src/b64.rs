//! Base64 (RFC 4648) of short byte strings into a stack buffer: the MACs
//! and nonces of the signing hot path, where the `base64` crate's general
//! engine costs more than the encoding itself.

/// The standard alphabet (section 4), used by OAuth signatures.
pub(crate) const STANDARD: &[u8; 64] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
/// The URL-safe alphabet (section 5), used for nonces.
pub(crate) const URL_SAFE: &[u8; 64] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// The 6-bit groups of one to three bytes, and how many of them base64
/// writes (two for one byte, three for two, four for three).
fn sextets(chunk: &[u8]) -> ([u8; 4], usize) {
    let b0 = chunk.first().copied().unwrap_or(0);
    let b1 = chunk.get(1).copied().unwrap_or(0);
    let b2 = chunk.get(2).copied().unwrap_or(0);
    (
        [
            b0 >> 2,
            (b0 & 0x03) << 4 | b1 >> 4,
            (b1 & 0x0F) << 2 | b2 >> 6,
            b2 & 0x3F,
        ],
        chunk.len() + 1,
    )
}

/// Whether the standard base64 of `input` holds a `+` or `/` (a 6-bit group
/// of 62 or 63), without writing it.
pub(crate) fn has_plus_or_slash(input: &[u8]) -> bool {
    input.chunks(3).any(|chunk| {
        let (s, n) = sextets(chunk);
        s.iter().take(n).any(|&g| g >= 62)
    })
}

/// Encodes `input` with `alphabet` into `out` (`=` padding if `pad`) and
/// returns the text; stops early, shorter, if `out` is too small.
pub(crate) fn encode<'o>(
    alphabet: &[u8; 64],
    input: &[u8],
    pad: bool,
    out: &'o mut [u8],
) -> &'o str {
    let mut len = 0;
    for chunk in input.chunks(3) {
        let (s, n) = sextets(chunk);
        let quad = [
            alphabet[usize::from(s[0])],
            alphabet[usize::from(s[1])],
            if n > 2 {
                alphabet[usize::from(s[2])]
            } else {
                b'='
            },
            if n > 3 {
                alphabet[usize::from(s[3])]
            } else {
                b'='
            },
        ];
        let take = if pad { 4 } else { n };
        let Some(slot) = out.get_mut(len..len + take) else {
            break;
        };
        slot.copy_from_slice(&quad[..take]);
        len += take;
    }
    std::str::from_utf8(out.get(..len).unwrap_or_default()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;
    use base64::engine::general_purpose::{STANDARD as B64, URL_SAFE_NO_PAD};

    /// RFC 4648 section 10 vectors, and agreement with the `base64` crate.
    #[test]
    fn agrees_with_rfc4648_and_the_base64_crate() {
        let mut buf = [0u8; 64];
        for (input, expected) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(encode(STANDARD, input.as_bytes(), true, &mut buf), expected);
        }
        let bytes: Vec<u8> = (0..=255u8).rev().collect();
        for n in 0..40 {
            let input = &bytes[n * 3..n * 3 + n % 33];
            let mut buf = [0u8; 64];
            assert_eq!(encode(STANDARD, input, true, &mut buf), B64.encode(input));
            assert_eq!(
                encode(URL_SAFE, input, false, &mut buf),
                URL_SAFE_NO_PAD.encode(input)
            );
            let standard = B64.encode(input);
            assert_eq!(has_plus_or_slash(input), standard.contains(['+', '/']));
        }
    }
}
