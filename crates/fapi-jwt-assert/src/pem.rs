//! PEM (RFC 7468) blocks, decoded and encoded by `pem-rfc7468`.
//!
//! `pem-rfc7468` reads one document at a time and refuses RFC 1421 headers,
//! while a key file may hold several blocks (an `EC PARAMETERS` block before
//! the key, a certificate next to it) and the loader must *name* what it was
//! given (an `ENCRYPTED PRIVATE KEY`, a legacy `Proc-Type: 4,ENCRYPTED`
//! header...). So this module only finds where each block begins and ends
//! and looks for the legacy encryption headers; the base64 inside is decoded
//! by `pem-rfc7468`, straight into a zeroized buffer (its decoder is
//! constant-time and makes no copy of the secret text).

use zeroize::Zeroizing;

/// One decoded PEM block.
pub(crate) struct Block {
    /// The label between `-----BEGIN ` and `-----`.
    pub(crate) label: String,
    /// True when the block carries RFC 1421 headers saying it is encrypted.
    pub(crate) legacy_encrypted: bool,
    /// The decoded bytes (empty for an encrypted legacy block).
    pub(crate) der: Zeroizing<Vec<u8>>,
}

/// Why a text is not PEM.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum PemProblem {
    /// No `-----BEGIN` line at all.
    NoBlock,
    /// A block that does not end, or ends with another label.
    Unterminated(String),
    /// The text inside a block does not decode.
    BadBase64(String),
}

/// Splits a text into its PEM blocks, in order.
pub(crate) fn parse(text: &str) -> Result<Vec<Block>, PemProblem> {
    let mut blocks = Vec::new();
    let mut lines = lines_with_offsets(text);
    while let Some((start, line)) = lines.next() {
        let Some(label) = line
            .trim()
            .strip_prefix("-----BEGIN ")
            .and_then(|l| l.strip_suffix("-----"))
        else {
            continue;
        };
        let end_line = format!("-----END {label}-----");
        let mut end = None;
        let mut legacy_encrypted = false;
        for (offset, inner) in lines.by_ref() {
            let inner = inner.trim();
            if inner == end_line {
                end = Some(offset + inner.len());
                break;
            }
            if inner.starts_with("-----") {
                break;
            }
            if let Some((name, value)) = inner.split_once(':') {
                // RFC 1421 header such as `Proc-Type: 4,ENCRYPTED` or `DEK-Info: ...`.
                let name = name.trim();
                legacy_encrypted |= (name.eq_ignore_ascii_case("Proc-Type")
                    && value.contains("ENCRYPTED"))
                    || name.eq_ignore_ascii_case("DEK-Info");
            }
        }
        let Some(end) = end else {
            return Err(PemProblem::Unterminated(label.to_owned()));
        };
        let der = if legacy_encrypted {
            // The body is ciphertext; nothing useful to decode.
            Zeroizing::new(Vec::new())
        } else {
            decode(text.get(start..end).unwrap_or_default())
                .ok_or_else(|| PemProblem::BadBase64(label.to_owned()))?
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

/// Each line of `text` with the byte offset where it starts (after any
/// leading whitespace, so that a block handed to `pem-rfc7468` starts with
/// its `-----BEGIN`).
fn lines_with_offsets(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut offset = 0;
    text.split_inclusive('\n').map(move |raw| {
        let start = offset;
        offset += raw.len();
        let trimmed = raw.trim_start();
        (start + (raw.len() - trimmed.len()), trimmed)
    })
}

/// Decodes one block (from its BEGIN line to its END line) with
/// `pem-rfc7468`, whatever the width of its base64 lines.
///
/// RFC 7468's grammar is strict; when the block as written does not pass
/// (indented lines, blank lines, RFC 1421 headers other than encryption
/// ones), it is decoded again from a normalized copy: its lines trimmed, blank
/// and header lines left out. That copy lives in a zeroized buffer sized
/// up-front, so it is never reallocated.
fn decode(block: &str) -> Option<Zeroizing<Vec<u8>>> {
    decode_strict(block).or_else(|| {
        let mut normalized = Zeroizing::new(String::with_capacity(block.len() + 1));
        for line in block.lines().map(str::trim) {
            let boundary = line.starts_with("-----");
            if line.is_empty() || (!boundary && line.contains(':')) {
                continue;
            }
            normalized.push_str(line);
            normalized.push('\n');
        }
        decode_strict(&normalized)
    })
}

fn decode_strict(block: &str) -> Option<Zeroizing<Vec<u8>>> {
    let mut decoder = pem_rfc7468::Decoder::new_detect_wrap(block.as_bytes()).ok()?;
    let mut der = Zeroizing::new(vec![0u8; decoder.remaining_len()]);
    let len = decoder.decode(&mut der).ok()?.len();
    if !decoder.is_finished() {
        return None;
    }
    der.truncate(len);
    Some(der)
}

/// Encodes DER as a PEM block with 64-character lines and `\n` line endings,
/// into a zeroized buffer.
pub(crate) fn encode(label: &str, der: &[u8]) -> Zeroizing<String> {
    let le = pem_rfc7468::LineEnding::LF;
    let mut buf = Zeroizing::new(vec![
        0u8;
        pem_rfc7468::encoded_len(label, le, der).unwrap_or(0)
    ]);
    let len = pem_rfc7468::encode(label, le, der, &mut buf).map_or(0, str::len);
    buf.truncate(len);
    // The encoder writes ASCII only; moving the bytes into the String copies nothing.
    Zeroizing::new(String::from_utf8(std::mem::take(&mut *buf)).unwrap_or_default())
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
        assert!(pem.ends_with("-----END PRIVATE KEY-----\n"));
        assert_eq!(&parse(&pem).unwrap()[0].der[..], &der[..]);
    }

    #[test]
    fn indented_and_crlf_blocks_and_other_line_widths() {
        let der: Vec<u8> = (0..=200u8).collect();
        let pem = encode("PRIVATE KEY", &der).replace('\n', "\r\n");
        assert_eq!(&parse(&pem).unwrap()[0].der[..], &der[..]);
        let indented: String = pem.lines().map(|l| format!("  {l}  \r\n")).collect();
        assert_eq!(&parse(&indented).unwrap()[0].der[..], &der[..]);
        // A header that is not about encryption is left out, as before.
        let with_header = pem.replacen("-----\r\n", "-----\r\nComment: made by hand\r\n\r\n", 1);
        assert_eq!(&parse(&with_header).unwrap()[0].der[..], &der[..]);
        // 76-character lines, as some tools write them.
        let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        let wide: Vec<&str> = b64
            .as_bytes()
            .chunks(76)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect();
        let text = format!(
            "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
            wide.join("\n")
        );
        assert_eq!(&parse(&text).unwrap()[0].der[..], &der[..]);
    }
}
