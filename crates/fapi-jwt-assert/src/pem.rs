//! PEM (RFC 7468) blocks, including the legacy OpenSSL encryption headers.
//!
//! Written by hand rather than taken from `rustls-pki-types`, because the
//! loader must *name* what it was given (an `ENCRYPTED PRIVATE KEY`, a legacy
//! `Proc-Type: 4,ENCRYPTED` header, a `CERTIFICATE`, an `EC PARAMETERS` block
//! before the key...) and a generic decoder drops exactly that information.

use base64::Engine as _;
use zeroize::Zeroizing;

/// One decoded PEM block.
pub(crate) struct Block {
    /// The label between `-----BEGIN ` and `-----`.
    pub(crate) label: String,
    /// True when the block carries RFC 1421 headers saying it is encrypted.
    pub(crate) legacy_encrypted: bool,
    /// The decoded bytes.
    pub(crate) der: Zeroizing<Vec<u8>>,
}

/// Why a text is not PEM.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum PemProblem {
    /// No `-----BEGIN` line at all.
    NoBlock,
    /// A block that does not end, or ends with another label.
    Unterminated(String),
    /// The base64 inside a block does not decode.
    BadBase64(String),
}

/// Splits a text into its PEM blocks, in order.
pub(crate) fn parse(text: &str) -> Result<Vec<Block>, PemProblem> {
    let mut blocks = Vec::new();
    let mut lines = text.lines().map(str::trim);
    while let Some(line) = lines.next() {
        let Some(label) = line
            .strip_prefix("-----BEGIN ")
            .and_then(|l| l.strip_suffix("-----"))
        else {
            continue;
        };
        let end = format!("-----END {label}-----");
        let mut b64 = Zeroizing::new(String::new());
        let mut legacy_encrypted = false;
        let mut ended = false;
        for inner in lines.by_ref() {
            if inner == end {
                ended = true;
                break;
            }
            if inner.starts_with("-----") {
                break;
            }
            if let Some((name, value)) = inner.split_once(':') {
                // RFC 1421 header such as `Proc-Type: 4,ENCRYPTED` or `DEK-Info: ...`.
                if name.eq_ignore_ascii_case("Proc-Type") && value.contains("ENCRYPTED") {
                    legacy_encrypted = true;
                }
                if name.eq_ignore_ascii_case("DEK-Info") {
                    legacy_encrypted = true;
                }
                continue;
            }
            b64.push_str(inner);
        }
        if !ended {
            return Err(PemProblem::Unterminated(label.to_owned()));
        }
        let der = if legacy_encrypted {
            // The body is ciphertext; nothing useful to decode.
            Zeroizing::new(Vec::new())
        } else {
            base64::engine::general_purpose::STANDARD
                .decode(b64.as_bytes())
                .map(Zeroizing::new)
                .map_err(|_| PemProblem::BadBase64(label.to_owned()))?
        };
        blocks.push(Block {
            label: label.to_owned(),
            legacy_encrypted,
            der,
        });
    }
    if blocks.is_empty() {
        return Err(PemProblem::NoBlock);
    }
    Ok(blocks)
}

/// Encodes DER as a PEM block with 64-character lines.
pub(crate) fn encode(label: &str, der: &[u8]) -> Zeroizing<String> {
    let b64 = Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(der));
    let mut out = Zeroizing::new(String::with_capacity(
        b64.len() + b64.len() / 64 + 2 * label.len() + 40,
    ));
    out.push_str("-----BEGIN ");
    out.push_str(label);
    out.push_str("-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        // base64 output is ASCII, so every chunk is valid UTF-8.
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push('\n');
    }
    out.push_str("-----END ");
    out.push_str(label);
    out.push_str("-----\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_several_blocks_and_headers() {
        let text = "junk\n-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n\
                    -----BEGIN EC PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n-----END EC PRIVATE KEY-----\n";
        let blocks = parse(text).unwrap();
        assert_eq!(blocks.len(), 2);
        assert_eq!(blocks[0].label, "EC PARAMETERS");
        assert_eq!(
            &blocks[0].der[..],
            &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07]
        );
        assert!(blocks[1].legacy_encrypted);
    }

    #[test]
    fn problems() {
        assert_eq!(parse("hello").err(), Some(PemProblem::NoBlock));
        assert_eq!(
            parse("-----BEGIN X-----\nAAAA\n").err(),
            Some(PemProblem::Unterminated("X".into()))
        );
        assert_eq!(
            parse("-----BEGIN X-----\n!!!!\n-----END X-----").err(),
            Some(PemProblem::BadBase64("X".into()))
        );
    }

    #[test]
    fn round_trip() {
        let der: Vec<u8> = (0..=255u8).collect();
        let pem = encode("PRIVATE KEY", &der);
        assert!(pem.lines().all(|l| l.len() <= 64));
        assert_eq!(&parse(&pem).unwrap()[0].der[..], &der[..]);
    }
}
