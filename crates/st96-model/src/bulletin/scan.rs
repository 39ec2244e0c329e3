//! Tokenising the byte stream just enough to find record boundaries.
//!
//! Outside records the reader needs element names and namespace declarations; inside a
//! record it only counts start and end tags. Every construct that can hide a `<` or `>`
//! (attribute values, comments, CDATA, processing instructions) is skipped whole, so the
//! count is exact for well-formed input; quick-xml then parses each record completely and
//! reports anything malformed.

use memchr::{memchr, memchr3, memmem};

/// What kind of markup starts at a `<`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokKind {
    /// `<name ...>` or `<name .../>`.
    Start {
        /// `/>`.
        self_closing: bool,
    },
    /// `</name>`.
    End,
    /// `<?xml ...?>` at the very start.
    Decl,
    /// A comment, a processing instruction or a CDATA section.
    Skip,
    /// `<!DOCTYPE`, `<!ENTITY` or any other declaration.
    Declaration,
}

/// One piece of markup: `buf[start..end]`, the name in `buf[name.0..name.1]`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tok {
    pub(crate) kind: TokKind,
    pub(crate) end: usize,
    pub(crate) name: (usize, usize),
}

/// Reads the markup at `buf[p]` (which is `<`). `None` means the buffer ends inside it.
pub(crate) fn token_at(buf: &[u8], p: usize) -> Option<Tok> {
    let rest = &buf[p..];
    let second = *rest.get(1)?;
    match second {
        b'/' => {
            let gt = memchr(b'>', &rest[2..])?;
            let name_end = rest[2..2 + gt]
                .iter()
                .position(|b| b.is_ascii_whitespace())
                .unwrap_or(gt);
            Some(Tok {
                kind: TokKind::End,
                end: p + 2 + gt + 1,
                name: (p + 2, p + 2 + name_end),
            })
        }
        b'?' => {
            let close = memmem::find(&rest[2..], b"?>")?;
            let decl = rest.len() >= 6 && &rest[2..5] == b"xml" && rest[5].is_ascii_whitespace();
            Some(Tok {
                kind: if decl { TokKind::Decl } else { TokKind::Skip },
                end: p + 2 + close + 2,
                name: (p, p),
            })
        }
        b'!' => {
            if rest.len() < 9 {
                // Enough to tell a comment, CDATA and a declaration apart.
                if rest.starts_with(b"<!--") {
                    let close = memmem::find(&rest[4..], b"-->")?;
                    return Some(skip(p, 4 + close + 3));
                }
                return None;
            }
            if rest.starts_with(b"<!--") {
                let close = memmem::find(&rest[4..], b"-->")?;
                Some(skip(p, 4 + close + 3))
            } else if rest.starts_with(b"<![CDATA[") {
                let close = memmem::find(&rest[9..], b"]]>")?;
                Some(skip(p, 9 + close + 3))
            } else {
                Some(Tok {
                    kind: TokKind::Declaration,
                    end: p + 2,
                    name: (p, p),
                })
            }
        }
        _ => {
            let mut i = 1;
            loop {
                let j = memchr3(b'>', b'"', b'\'', &rest[i..])?;
                let c = rest[i + j];
                if c == b'>' {
                    let gt = i + j;
                    let self_closing = gt >= 2 && rest[gt - 1] == b'/';
                    let name_end = rest[1..gt]
                        .iter()
                        .position(|b| b.is_ascii_whitespace() || *b == b'/')
                        .map_or(gt, |n| n + 1);
                    return Some(Tok {
                        kind: TokKind::Start { self_closing },
                        end: p + gt + 1,
                        name: (p + 1, p + name_end),
                    });
                }
                let close = memchr(c, &rest[i + j + 1..])?;
                i = i + j + 1 + close + 1;
            }
        }
    }
}

fn skip(p: usize, len: usize) -> Tok {
    Tok {
        kind: TokKind::Skip,
        end: p + len,
        name: (p, p),
    }
}
