//! The streaming bulletin reader.

pub(crate) mod deadline;
mod record;
mod scan;

use std::io::Read;

use memchr::memchr;
use quick_xml::events::BytesStart;

use crate::{COM, DGN, Error, MAX_DEPTH};
pub use record::{
    AffectedDesign, DesignSummary, DesignatedParty, HistoryEntry, LocarnoClass, Party, ProductText,
    Record, RecordKind, ViewSummary,
};
use record::{Header, RecordBuilder};
use scan::{TokKind, token_at};

/// The default limit on one record's size: 16 MiB.
pub const DEFAULT_MAX_RECORD_BYTES: usize = 16 << 20;

const CHUNK: usize = 256 << 10;

/// Byte ranges relative to a record's start.
type Spans = Vec<(usize, usize)>;

/// An element open outside any record.
#[derive(Debug)]
struct Frame {
    qname: String,
    local: String,
    ns_count: usize,
    text: String,
    has_child: bool,
}

/// Reads bulletin records one at a time from any [`Read`], with bounded memory.
///
/// A record is:
/// - every `HagueExpressTransaction` (Hague Express: current registration plus history);
/// - every element directly inside a `...Bag` container (`HagueRegistrationBag`, ...), the
///   shape of the per-kind bulletin;
/// - every known record element (`HagueRegistration`, `HagueRenewal`, ...) wherever it stands
///   outside a record.
///
/// Other elements outside records are containers; one that holds only text is a header
/// field, and `HagueBulletinNumber` and `PublicationDate` found that way fill records that
/// lack their own. Memory stays below about twice the largest record plus 256 KiB.
///
/// After an error the iterator ends.
pub struct BulletinReader<R> {
    src: R,
    buf: Vec<u8>,
    pos: usize,
    end: usize,
    base: u64,
    eof: bool,
    started: bool,
    done: bool,
    max_record: usize,
    keep_raw: bool,
    stack: Vec<Frame>,
    ns: Vec<(String, String)>,
    root_seen: bool,
    header: Header,
    /// Scratch vectors of `read_record`, kept to reuse their allocations.
    scratch: (Spans, Spans),
}

impl<R> std::fmt::Debug for BulletinReader<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The buffer is large and not useful in a log; show where the reader stands.
        f.debug_struct("BulletinReader")
            .field("position", &(self.base + self.pos as u64))
            .field("buffered", &(self.end - self.pos))
            .field("depth", &self.stack.len())
            .field("max_record", &self.max_record)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl<R: Read> BulletinReader<R> {
    /// Reads from `src`. The reader buffers by itself, so a `File` or a decompressing reader
    /// can be passed as it is.
    pub fn new(src: R) -> Self {
        Self {
            src,
            buf: vec![0; CHUNK],
            pos: 0,
            end: 0,
            base: 0,
            eof: false,
            started: false,
            done: false,
            max_record: DEFAULT_MAX_RECORD_BYTES,
            keep_raw: true,
            stack: Vec::new(),
            ns: Vec::new(),
            root_seen: false,
            header: Header::default(),
            scratch: (Vec::new(), Vec::new()),
        }
    }

    /// Sets the largest record accepted, in bytes (default
    /// [`DEFAULT_MAX_RECORD_BYTES`]).
    #[must_use]
    pub fn with_max_record_bytes(mut self, limit: usize) -> Self {
        self.max_record = limit.max(1);
        self
    }

    /// Whether records keep their exact XML in [`Record::raw`] (default `true`). Without
    /// it `raw` is empty: one copy of every record less, for callers that only need the
    /// typed fields (the record is still checked whole).
    #[must_use]
    pub fn keep_raw(mut self, keep: bool) -> Self {
        self.keep_raw = keep;
        self
    }

    /// Bytes consumed so far.
    pub fn position(&self) -> u64 {
        self.base + self.pos as u64
    }

    /// The bulletin number found in the bulletin's header, if any so far.
    pub fn bulletin_number(&self) -> Option<&str> {
        self.header.bulletin_number.as_deref()
    }

    /// Moves unconsumed bytes from `keep` on to the front and reads more. Returns how far the
    /// bytes moved (subtract it from every index).
    fn fill(&mut self, keep: usize) -> Result<usize, Error> {
        if keep > 0 {
            self.buf.copy_within(keep..self.end, 0);
            self.end -= keep;
            self.pos -= keep.min(self.pos);
            self.base += keep as u64;
        }
        if self.buf.len() - self.end < CHUNK / 2 {
            let grown = (self.buf.len() * 2).max(self.end + CHUNK);
            self.buf.resize(grown, 0);
        }
        loop {
            match self.src.read(&mut self.buf[self.end..]) {
                Ok(0) => {
                    self.eof = true;
                    break;
                }
                Ok(n) => {
                    self.end += n;
                    break;
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(source) => {
                    return Err(Error::Io {
                        offset: self.base + self.end as u64,
                        source,
                    });
                }
            }
        }
        Ok(keep)
    }

    fn at(&self, i: usize) -> u64 {
        self.base + i as u64
    }

    fn malformed(&self, i: usize, message: impl Into<String>) -> Error {
        Error::Malformed {
            offset: self.at(i),
            message: message.into(),
        }
    }

    fn start(&mut self) -> Result<(), Error> {
        while self.end < 4 && !self.eof {
            self.fill(0)?;
        }
        let b = &self.buf[..self.end];
        if b.starts_with(&[0xFE, 0xFF]) || b.starts_with(&[0xFF, 0xFE]) {
            return Err(Error::UnsupportedEncoding {
                offset: 0,
                encoding: "UTF-16".into(),
            });
        }
        if b.starts_with(&[0xEF, 0xBB, 0xBF]) {
            self.pos = 3;
        }
        self.started = true;
        Ok(())
    }

    fn str_at(&self, from: usize, to: usize) -> Result<&str, Error> {
        std::str::from_utf8(&self.buf[from..to]).map_err(|e| Error::InvalidUtf8 {
            offset: self.at(from + e.valid_up_to()),
        })
    }

    fn resolve(&self, prefix: &str) -> &str {
        self.ns
            .iter()
            .rev()
            .find(|(p, _)| p == prefix)
            .map_or("", |(_, u)| u.as_str())
    }

    /// Pushes the namespace declarations of the tag at `buf[from..to]`; returns how many.
    fn push_ns(&mut self, from: usize, to: usize, name_len: usize) -> Result<usize, Error> {
        let content = self.str_at(from, to)?.to_owned();
        let start = BytesStart::from_content(content.as_str(), name_len);
        let mut count = 0;
        for attr in start.attributes() {
            let attr = attr.map_err(|e| self.malformed(from, e.to_string()))?;
            if let Some(binding) = attr.key.as_namespace_binding() {
                let prefix = match binding {
                    quick_xml::name::PrefixDeclaration::Default => String::new(),
                    quick_xml::name::PrefixDeclaration::Named(p) => p.to_owned(),
                };
                let uri = attr
                    .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                    .map_err(|e| self.malformed(from, e.to_string()))?
                    .into_owned();
                self.ns.push((prefix, uri));
                count += 1;
            }
        }
        Ok(count)
    }

    fn pop_ns(&mut self, count: usize) {
        let keep = self.ns.len().saturating_sub(count);
        self.ns.truncate(keep);
    }

    /// Text outside records (between `pos` and `to`).
    fn outer_text(&mut self, to: usize) -> Result<(), Error> {
        if self.pos == to {
            return Ok(());
        }
        let pos = self.pos;
        let text = std::str::from_utf8(&self.buf[pos..to]).map_err(|e| Error::InvalidUtf8 {
            offset: self.base + (pos + e.valid_up_to()) as u64,
        })?;
        match self.stack.last_mut() {
            None => {
                if !text.trim().is_empty() {
                    return Err(Error::Malformed {
                        offset: self.base + pos as u64,
                        message: "text outside the root element".into(),
                    });
                }
            }
            Some(frame) => {
                if !frame.has_child && frame.text.len() < 4096 {
                    frame.text.push_str(text);
                }
            }
        }
        Ok(())
    }

    fn check_decl(&self, from: usize, to: usize) -> Result<(), Error> {
        let decl = self.str_at(from, to)?;
        if let Some(i) = decl.find("encoding") {
            let rest = decl[i + 8..]
                .trim_start()
                .trim_start_matches('=')
                .trim_start();
            let value: String = rest
                .trim_start_matches(['"', '\''])
                .chars()
                .take_while(|c| !matches!(c, '"' | '\''))
                .collect();
            let v = value.to_ascii_lowercase();
            if v != "utf-8" && v != "utf8" {
                return Err(Error::UnsupportedEncoding {
                    offset: self.at(from),
                    encoding: value,
                });
            }
        }
        Ok(())
    }

    /// Reads on to the next record.
    fn advance(&mut self) -> Result<Option<Record>, Error> {
        if !self.started {
            self.start()?;
        }
        loop {
            let Some(lt) = memchr(b'<', &self.buf[self.pos..self.end]) else {
                if self.eof {
                    self.outer_text(self.end)?;
                    self.pos = self.end;
                    return self.finish();
                }
                if self.end - self.pos > self.max_record {
                    return Err(self.malformed(self.pos, "a text run longer than the record limit"));
                }
                let keep = self.pos;
                self.fill(keep)?;
                continue;
            };
            let lt = self.pos + lt;
            let Some(tok) = token_at(&self.buf[..self.end], lt) else {
                if self.eof {
                    return Err(self.malformed(lt, "the input ends inside markup"));
                }
                if self.end - lt > self.max_record {
                    return Err(Error::RecordTooLarge {
                        offset: self.at(lt),
                        limit: self.max_record,
                    });
                }
                let keep = self.pos;
                self.fill(keep)?;
                continue;
            };
            self.outer_text(lt)?;
            self.pos = lt;
            match tok.kind {
                TokKind::Declaration => {
                    return Err(Error::DoctypeRefused {
                        offset: self.at(lt),
                    });
                }
                TokKind::Decl => {
                    if self.at(lt) <= 3 && !self.root_seen {
                        self.check_decl(lt, tok.end)?;
                    }
                    self.pos = tok.end;
                }
                TokKind::Skip => self.pos = tok.end,
                TokKind::End => {
                    let name = self.str_at(tok.name.0, tok.name.1)?.to_owned();
                    let Some(frame) = self.stack.pop() else {
                        return Err(self.malformed(lt, format!("`</{name}>` closes nothing")));
                    };
                    if frame.qname != name {
                        return Err(
                            self.malformed(lt, format!("`</{name}>` closes `<{}>`", frame.qname))
                        );
                    }
                    self.pop_ns(frame.ns_count);
                    self.close_frame(frame)?;
                    self.pos = tok.end;
                }
                TokKind::Start { self_closing } => {
                    if let Some(rec) = self.start_tag(lt, tok.end, tok.name, self_closing)? {
                        return Ok(Some(rec));
                    }
                }
            }
        }
    }

    fn finish(&mut self) -> Result<Option<Record>, Error> {
        if let Some(f) = self.stack.last() {
            return Err(self.malformed(
                self.end,
                format!("the input ends before `<{}>` is closed", f.qname),
            ));
        }
        if !self.root_seen {
            return Err(self.malformed(self.end, "the input holds no root element"));
        }
        Ok(None)
    }

    fn close_frame(&mut self, frame: Frame) -> Result<(), Error> {
        if !frame.has_child {
            let value = quick_xml::escape::unescape(frame.text.trim())
                .map_err(|e| self.malformed(self.pos, e.to_string()))?
                .into_owned();
            match frame.local.as_str() {
                "HagueBulletinNumber" => self.header.bulletin_number = Some(value),
                "PublicationDate" => self.header.publication_date = Some(value),
                _ => {}
            }
        }
        Ok(())
    }

    /// A start tag outside records at `buf[lt..end]`.
    fn start_tag(
        &mut self,
        lt: usize,
        end: usize,
        name: (usize, usize),
        self_closing: bool,
    ) -> Result<Option<Record>, Error> {
        let qname = self.str_at(name.0, name.1)?.to_owned();
        if qname.is_empty() {
            return Err(self.malformed(lt, "a tag without a name"));
        }
        if self.stack.is_empty() && self.root_seen {
            return Err(self.malformed(lt, "a second root element"));
        }
        let inner_end = if self_closing { end - 2 } else { end - 1 };
        let ns_count = self.push_ns(lt + 1, inner_end, name.1 - name.0)?;
        let (prefix, local) = qname.split_once(':').unwrap_or(("", qname.as_str()));
        let ns = self.resolve(prefix).to_owned();
        let local = local.to_owned();
        let is_root = self.stack.is_empty();
        self.root_seen = true;
        let parent_is_bag = self.stack.last().is_some_and(|f| f.local.ends_with("Bag"));
        if let Some(parent) = self.stack.last_mut() {
            parent.has_child = true;
        }
        let is_record = local == "HagueExpressTransaction"
            || parent_is_bag
            || (!is_root && RecordKind::is_record_element(&local));
        if is_record {
            if ns != DGN {
                return Err(Error::WrongNamespace {
                    offset: self.at(lt),
                    element: local,
                    found: ns,
                    expected: DGN.into(),
                });
            }
            self.pop_ns(ns_count);
            return self.read_record(lt, end, self_closing).map(Some);
        }
        if is_root && ns != DGN && ns != COM {
            return Err(Error::WrongNamespace {
                offset: self.at(lt),
                element: local,
                found: ns,
                expected: DGN.into(),
            });
        }
        if self.stack.len() + 1 > MAX_DEPTH {
            return Err(Error::TooDeep {
                offset: self.at(lt),
                limit: MAX_DEPTH,
            });
        }
        self.pos = end;
        if self_closing {
            self.pop_ns(ns_count);
        } else {
            self.stack.push(Frame {
                qname,
                local,
                ns_count,
                text: String::new(),
                has_child: false,
            });
        }
        Ok(None)
    }

    /// Reads the record whose start tag is `buf[lt..end]`, in one pass: the tokens drive
    /// the typed extraction, end tags are checked against their start tags, and the whole
    /// record is checked as UTF-8 once at the end.
    fn read_record(
        &mut self,
        mut lt: usize,
        end: usize,
        self_closing: bool,
    ) -> Result<Record, Error> {
        let outer = self.stack.len();
        let offset = self.at(lt);
        let mut b = RecordBuilder::new(offset);
        // Name ranges of open elements, relative to `lt` (stable when the buffer moves).
        let (mut names, mut skips) = std::mem::take(&mut self.scratch);
        names.clear();
        // Comments, CDATA and PIs, relative to `lt`: an `&` there is not a reference.
        skips.clear();
        let first = token_at(&self.buf[..self.end], lt)
            .ok_or_else(|| self.malformed(lt, "the record's start tag is cut"))?;
        b.start(
            &self.buf[first.name.0..first.name.1],
            &self.buf[lt + 1..end],
            self_closing,
        );
        if !self_closing {
            names.push((first.name.0 - lt, first.name.1 - lt));
        }
        if outer + names.len() > MAX_DEPTH {
            return Err(Error::TooDeep {
                offset,
                limit: MAX_DEPTH,
            });
        }
        let mut q = end;
        while !names.is_empty() {
            if q - lt > self.max_record {
                return Err(Error::RecordTooLarge {
                    offset,
                    limit: self.max_record,
                });
            }
            let next = memchr(b'<', &self.buf[q..self.end]).map(|i| q + i);
            let tok = next.and_then(|n| token_at(&self.buf[..self.end], n).map(|t| (n, t)));
            let Some((n, tok)) = tok else {
                if self.eof {
                    return Err(self.malformed(q, "the input ends inside a record"));
                }
                self.pos = lt;
                let moved = self.fill(lt)?;
                lt -= moved;
                q -= moved;
                continue;
            };
            if b.wants_text() && n > q {
                b.text(&self.buf[q..n], self.at(q))?;
            }
            match tok.kind {
                TokKind::Start { self_closing } => {
                    let name = &self.buf[tok.name.0..tok.name.1];
                    if name.is_empty() {
                        return Err(self.malformed(n, "a tag without a name"));
                    }
                    b.start(name, &self.buf[n + 1..tok.end - 1], self_closing);
                    if !self_closing {
                        names.push((tok.name.0 - lt, tok.name.1 - lt));
                        if outer + names.len() > MAX_DEPTH {
                            return Err(Error::TooDeep {
                                offset: self.at(n),
                                limit: MAX_DEPTH,
                            });
                        }
                    }
                }
                TokKind::End => {
                    let Some((s, e)) = names.pop() else {
                        return Err(self.malformed(n, "an end tag without a start tag"));
                    };
                    if self.buf[lt + s..lt + e] != self.buf[tok.name.0..tok.name.1] {
                        let open = String::from_utf8_lossy(&self.buf[lt + s..lt + e]).into_owned();
                        let close =
                            String::from_utf8_lossy(&self.buf[tok.name.0..tok.name.1]).into_owned();
                        return Err(self.malformed(n, format!("`</{close}>` closes `<{open}>`")));
                    }
                    b.end();
                }
                TokKind::Declaration => return Err(Error::DoctypeRefused { offset: self.at(n) }),
                TokKind::Skip => {
                    skips.push((n - lt, tok.end - lt));
                    if b.wants_text() && self.buf[n..tok.end].starts_with(b"<![CDATA[") {
                        b.cdata(&self.buf[n + 9..tok.end - 3], self.at(n + 9))?;
                    }
                }
                TokKind::Decl => {
                    return Err(self.malformed(n, "an XML declaration inside a record"));
                }
            }
            q = tok.end;
        }
        if q - lt > self.max_record {
            return Err(Error::RecordTooLarge {
                offset,
                limit: self.max_record,
            });
        }
        let text = self.str_at(lt, q)?;
        check_references(text.as_bytes(), &skips, offset)?;
        let raw = if self.keep_raw {
            text.to_owned()
        } else {
            String::new()
        };
        self.scratch = (names, skips);
        self.pos = q;
        Ok(b.finish(raw, &self.header))
    }
}

/// Checks that every `&` outside comments, CDATA and PIs starts a predefined entity or a
/// character reference (there is no DTD, so nothing else can be defined).
fn check_references(record: &[u8], skips: &[(usize, usize)], offset: u64) -> Result<(), Error> {
    for at in memchr::memchr_iter(b'&', record) {
        if skips.iter().any(|&(s, e)| s <= at && at < e) {
            continue;
        }
        let rest = &record[at + 1..record.len().min(at + 34)];
        let ok = memchr(b';', rest).is_some_and(|end| {
            std::str::from_utf8(&rest[..end])
                .is_ok_and(|name| crate::tree::resolve_ref(name, 0).is_ok())
        });
        if !ok {
            return Err(Error::Malformed {
                offset: offset + at as u64,
                message: "an `&` that is not &amp; &lt; &gt; &quot; &apos; or a character \
                          reference; write a literal ampersand as &amp;"
                    .into(),
            });
        }
    }
    Ok(())
}

impl<R: Read> Iterator for BulletinReader<R> {
    type Item = Result<Record, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.advance() {
            Ok(Some(rec)) => Some(Ok(rec)),
            Ok(None) => {
                self.done = true;
                None
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}
