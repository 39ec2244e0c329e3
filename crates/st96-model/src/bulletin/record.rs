//! The typed view of one bulletin record, extracted by local name.

use serde::{Deserialize, Serialize};

use crate::Error;

/// The kind of a bulletin record, from its element's local name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum RecordKind {
    /// `HagueExpressTransaction`: the current registration plus its history.
    Express,
    /// `HagueRegistration`.
    Registration,
    /// `HagueRenewal`.
    Renewal,
    /// `HagueRefusal`.
    Refusal,
    /// `HagueRefusalWithdrawal`.
    RefusalWithdrawal,
    /// `HagueGrantProtection`.
    GrantProtection,
    /// `HagueExpiration`.
    Expiration,
    /// `HagueHolderNameAddressChange`.
    HolderNameAddressChange,
    /// `HagueOwnershipChange`.
    OwnershipChange,
    /// `HagueCorrection`.
    Correction,
    /// `HagueInvalidation`.
    Invalidation,
    /// `HagueRenunciation`.
    Renunciation,
    /// `HagueLimitation`.
    Limitation,
    /// `HaguePublicationCancellation`.
    PublicationCancellation,
    /// `HagueCreatorNameAddressChange`.
    CreatorNameAddressChange,
    /// Any other record element; the record's `raw` holds it whole.
    Other {
        /// The element's local name.
        element: String,
    },
}

impl RecordKind {
    const TABLE: [(&'static str, Self); 15] = [
        ("HagueExpressTransaction", Self::Express),
        ("HagueRegistration", Self::Registration),
        ("HagueRenewal", Self::Renewal),
        ("HagueRefusal", Self::Refusal),
        ("HagueRefusalWithdrawal", Self::RefusalWithdrawal),
        ("HagueGrantProtection", Self::GrantProtection),
        ("HagueExpiration", Self::Expiration),
        (
            "HagueHolderNameAddressChange",
            Self::HolderNameAddressChange,
        ),
        ("HagueOwnershipChange", Self::OwnershipChange),
        ("HagueCorrection", Self::Correction),
        ("HagueInvalidation", Self::Invalidation),
        ("HagueRenunciation", Self::Renunciation),
        ("HagueLimitation", Self::Limitation),
        (
            "HaguePublicationCancellation",
            Self::PublicationCancellation,
        ),
        (
            "HagueCreatorNameAddressChange",
            Self::CreatorNameAddressChange,
        ),
    ];

    /// The kind for a record element's local name.
    pub fn from_element(local: &str) -> Self {
        Self::TABLE.iter().find(|(n, _)| *n == local).map_or_else(
            || Self::Other {
                element: local.to_owned(),
            },
            |(_, k)| k.clone(),
        )
    }

    /// Whether the reader treats this element as a record wherever it stands outside one.
    pub(crate) fn is_record_element(local: &str) -> bool {
        Self::TABLE.iter().any(|(n, _)| *n == local)
    }

    /// The element's local name.
    pub fn element(&self) -> &str {
        match self {
            Self::Other { element } => element,
            known => Self::TABLE
                .iter()
                .find(|(_, k)| k == known)
                .map_or("", |(n, _)| n),
        }
    }
}

/// A product description with its language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductText {
    /// `languageCode`, if given.
    pub language: Option<String>,
    /// The text.
    pub text: String,
}

/// One view of a design.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ViewSummary {
    /// `ViewIdentifier`.
    pub identifier: Option<String>,
    /// `FileName`: the image's name inside the registration's folder of the images ZIP.
    pub file_name: Option<String>,
    /// `ViewTypeCategory`.
    pub view_type: Option<String>,
}

/// One design of a record.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DesignSummary {
    /// `DesignIdentifier`.
    pub identifier: Option<String>,
    /// `ProductDescriptionText`, in order.
    pub products: Vec<ProductText>,
    /// `View`, in order.
    pub views: Vec<ViewSummary>,
}

/// One `HagueHistory` entry of a Hague Express record.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// The `sequenceNumber` attribute.
    pub sequence: Option<String>,
    /// `HagueBulletinNumber`.
    pub bulletin_number: Option<String>,
    /// `PublicationDate`.
    pub publication_date: Option<String>,
    /// The local name of the event element (`HagueRenewal`, ...).
    pub event: Option<String>,
}

/// One bulletin record.
///
/// Values are taken by local name wherever they stand in the record. For a Hague Express
/// record, holders and designs come from `HagueCurrent` only (the history repeats them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Record {
    /// The kind.
    pub kind: RecordKind,
    /// Byte offset of the record's `<` in the stream.
    pub offset: u64,
    /// Every distinct `InternationalRegistrationNumber`, in document order.
    pub registration_numbers: Vec<String>,
    /// `InternationalRegistrationDate` (first one).
    pub registration_date: Option<String>,
    /// `InternationalFilingDate` (first one).
    pub filing_date: Option<String>,
    /// `ExpiryDate` (first one).
    pub expiry_date: Option<String>,
    /// `InternationalRecordingDate` (first one).
    pub recording_date: Option<String>,
    /// `DecisionDate` (first one).
    pub decision_date: Option<String>,
    /// `PublicationDate` (first one), or the bulletin's.
    pub publication_date: Option<String>,
    /// `HagueBulletinNumber` (first one), or the bulletin's.
    pub bulletin_number: Option<String>,
    /// Holder names (`Holder`, not `PreviousHolder`), in order.
    pub holders: Vec<String>,
    /// Designs with product descriptions and views.
    pub designs: Vec<DesignSummary>,
    /// `HagueHistory` entries (Hague Express records).
    pub history: Vec<HistoryEntry>,
    /// The record's exact XML. Prefixes may be declared on an enclosing element.
    pub raw: String,
}

impl Record {
    /// The first international registration number, e.g. `DM/081234`.
    pub fn registration_number(&self) -> Option<&str> {
        self.registration_numbers.first().map(String::as_str)
    }

    /// Every image file name of every design, in order.
    pub fn image_file_names(&self) -> impl Iterator<Item = &str> {
        self.designs
            .iter()
            .flat_map(|d| d.views.iter())
            .filter_map(|v| v.file_name.as_deref())
    }
}

/// Header values of the bulletin, used when a record has none of its own.
#[derive(Debug, Clone, Default)]
pub(crate) struct Header {
    pub(crate) bulletin_number: Option<String>,
    pub(crate) publication_date: Option<String>,
}

/// Elements the extractor reacts to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tag {
    Current,
    History,
    Holder,
    PreviousHolder,
    Design,
    View,
    Leaf(Field),
    Other,
}

/// Leaf elements whose text is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Irn,
    RegDate,
    FilingDate,
    Expiry,
    Recording,
    Decision,
    Publication,
    Bulletin,
    OrgName,
    FirstName,
    LastName,
    FullName,
    DesignId,
    Product,
    ViewId,
    FileName,
    ViewType,
}

fn tag_of(local: &[u8]) -> Tag {
    use Field::*;
    match local {
        b"HagueCurrent" => Tag::Current,
        b"HagueHistory" => Tag::History,
        b"Holder" => Tag::Holder,
        b"PreviousHolder" => Tag::PreviousHolder,
        b"HagueDesign" => Tag::Design,
        b"View" => Tag::View,
        b"InternationalRegistrationNumber" => Tag::Leaf(Irn),
        b"InternationalRegistrationDate" => Tag::Leaf(RegDate),
        b"InternationalFilingDate" => Tag::Leaf(FilingDate),
        b"ExpiryDate" => Tag::Leaf(Expiry),
        b"InternationalRecordingDate" => Tag::Leaf(Recording),
        b"DecisionDate" => Tag::Leaf(Decision),
        b"PublicationDate" => Tag::Leaf(Publication),
        b"HagueBulletinNumber" => Tag::Leaf(Bulletin),
        b"OrganizationStandardName" => Tag::Leaf(OrgName),
        b"FirstName" => Tag::Leaf(FirstName),
        b"LastName" => Tag::Leaf(LastName),
        b"PersonFullName" => Tag::Leaf(FullName),
        b"DesignIdentifier" => Tag::Leaf(DesignId),
        b"ProductDescriptionText" => Tag::Leaf(Product),
        b"ViewIdentifier" => Tag::Leaf(ViewId),
        b"FileName" => Tag::Leaf(FileName),
        b"ViewTypeCategory" => Tag::Leaf(ViewType),
        _ => Tag::Other,
    }
}

/// The local part of a qualified name.
pub(crate) fn local(qname: &[u8]) -> &[u8] {
    match memchr::memchr(b':', qname) {
        Some(i) => &qname[i + 1..],
        None => qname,
    }
}

/// The value of the attribute whose local name is `name`, from a start tag's bytes
/// (`<name attr="v" ...`). Values are unescaped; an invalid one counts as absent.
fn attr_by_local(tag: &[u8], name: &[u8]) -> Option<String> {
    let mut from = 0;
    while let Some(i) = memchr::memmem::find(&tag[from..], name) {
        let at = from + i;
        from = at + name.len();
        let before_ok = at > 0 && matches!(tag[at - 1], b' ' | b'\t' | b'\n' | b'\r' | b':');
        let rest = &tag[from..];
        let eq = rest.iter().position(|b| !b.is_ascii_whitespace())?;
        if !before_ok || rest[eq] != b'=' {
            continue;
        }
        let rest = &rest[eq + 1..];
        let q = rest.iter().position(|b| !b.is_ascii_whitespace())?;
        let quote = rest[q];
        if quote != b'"' && quote != b'\'' {
            return None;
        }
        let value = &rest[q + 1..];
        let end = memchr::memchr(quote, value)?;
        let text = std::str::from_utf8(&value[..end]).ok()?;
        return quick_xml::escape::unescape(text)
            .ok()
            .map(|c| c.into_owned());
    }
    None
}

#[derive(Default)]
struct HolderName {
    org: Option<String>,
    first: Option<String>,
    last: Option<String>,
    full: Option<String>,
}

impl HolderName {
    fn finish(self) -> Option<String> {
        self.org.or(self.full).or(match (self.first, self.last) {
            (Some(f), Some(l)) => Some(format!("{f} {l}")),
            (f, l) => f.or(l),
        })
    }
}

/// Extraction state for one record.
struct Extractor {
    rec: Record,
    stack: Vec<Tag>,
    text: String,
    capturing: Option<(Field, Option<String>)>,
    express: bool,
    in_current: usize,
    holder: Option<HolderName>,
    design: Option<DesignSummary>,
    view: Option<ViewSummary>,
    /// The open history entry and the stack depth of its children.
    history: Option<(usize, HistoryEntry)>,
}

impl Extractor {
    /// Whether holders and designs at this point count (Express: only under HagueCurrent).
    fn in_scope(&self) -> bool {
        !self.express || self.in_current > 0
    }

    fn note_history_child(&mut self, local: &[u8]) {
        let depth = self.stack.len();
        if let Some((d, entry)) = self.history.as_mut() {
            if depth == *d
                && entry.event.is_none()
                && !matches!(local, b"HagueBulletinNumber" | b"PublicationDate")
            {
                entry.event = Some(String::from_utf8_lossy(local).into_owned());
            }
        }
    }

    fn open(&mut self, tag: Tag, start: &[u8]) {
        match tag {
            Tag::Current => self.in_current += 1,
            Tag::History => {
                self.history = Some((
                    self.stack.len() + 1,
                    HistoryEntry {
                        sequence: attr_by_local(start, b"sequenceNumber"),
                        ..HistoryEntry::default()
                    },
                ));
            }
            Tag::Holder if self.in_scope() && self.holder.is_none() => {
                self.holder = Some(HolderName::default());
            }
            Tag::Design if self.in_scope() && self.design.is_none() => {
                self.design = Some(DesignSummary::default());
            }
            Tag::View if self.design.is_some() => self.view = Some(ViewSummary::default()),
            Tag::Leaf(field) => {
                let lang = if field == Field::Product {
                    attr_by_local(start, b"languageCode")
                } else {
                    None
                };
                self.text.clear();
                self.capturing = Some((field, lang));
            }
            _ => {}
        }
    }

    fn close(&mut self, tag: Tag) {
        match tag {
            Tag::Current => self.in_current = self.in_current.saturating_sub(1),
            Tag::History => {
                if let Some((_, entry)) = self.history.take() {
                    self.rec.history.push(entry);
                }
            }
            Tag::Holder => {
                if let Some(h) = self.holder.take() {
                    if let Some(name) = h.finish() {
                        self.rec.holders.push(name);
                    }
                }
            }
            Tag::PreviousHolder | Tag::Other => {}
            Tag::Design => {
                if let Some(d) = self.design.take() {
                    self.rec.designs.push(d);
                }
            }
            Tag::View => {
                if let (Some(v), Some(d)) = (self.view.take(), self.design.as_mut()) {
                    d.views.push(v);
                }
            }
            Tag::Leaf(_) => {
                if let Some((field, lang)) = self.capturing.take() {
                    // Reuse the text buffer's allocation for the next leaf.
                    let mut value = std::mem::take(&mut self.text);
                    self.store(field, lang, &value);
                    value.clear();
                    self.text = value;
                }
            }
        }
    }

    fn store(&mut self, field: Field, lang: Option<String>, value: &str) {
        let trimmed = value.trim();
        let first = |slot: &mut Option<String>| {
            if slot.is_none() {
                *slot = Some(trimmed.to_owned());
            }
        };
        let in_holder = self.holder.is_some() && self.stack.contains(&Tag::Holder);
        let in_prev = self.stack.contains(&Tag::PreviousHolder);
        let history_depth = self.history.as_ref().map(|(d, _)| *d);
        let rec = &mut self.rec;
        match field {
            Field::Irn if !rec.registration_numbers.iter().any(|n| n == trimmed) => {
                rec.registration_numbers.push(trimmed.to_owned());
            }
            Field::RegDate => first(&mut rec.registration_date),
            Field::FilingDate => first(&mut rec.filing_date),
            Field::Expiry => first(&mut rec.expiry_date),
            Field::Recording => first(&mut rec.recording_date),
            Field::Decision => first(&mut rec.decision_date),
            Field::Publication => {
                if let (Some(d), Some((_, e))) = (history_depth, self.history.as_mut()) {
                    if self.stack.len() == d && e.publication_date.is_none() {
                        e.publication_date = Some(trimmed.to_owned());
                    }
                }
                first(&mut self.rec.publication_date);
            }
            Field::Bulletin => {
                if let (Some(d), Some((_, e))) = (history_depth, self.history.as_mut()) {
                    if self.stack.len() == d && e.bulletin_number.is_none() {
                        e.bulletin_number = Some(trimmed.to_owned());
                    }
                }
                first(&mut self.rec.bulletin_number);
            }
            Field::OrgName | Field::FirstName | Field::LastName | Field::FullName
                if in_holder && !in_prev =>
            {
                if let Some(h) = self.holder.as_mut() {
                    let slot = match field {
                        Field::OrgName => &mut h.org,
                        Field::FirstName => &mut h.first,
                        Field::LastName => &mut h.last,
                        _ => &mut h.full,
                    };
                    first(slot);
                }
            }
            Field::DesignId if self.view.is_none() => {
                if let Some(d) = self.design.as_mut() {
                    first(&mut d.identifier);
                }
            }
            Field::Product => {
                if let Some(d) = self.design.as_mut() {
                    d.products.push(ProductText {
                        language: lang,
                        text: trimmed.to_owned(),
                    });
                }
            }
            Field::ViewId | Field::FileName | Field::ViewType => {
                if let Some(v) = self.view.as_mut() {
                    let slot = match field {
                        Field::ViewId => &mut v.identifier,
                        Field::FileName => &mut v.file_name,
                        _ => &mut v.view_type,
                    };
                    first(slot);
                }
            }
            _ => {}
        }
    }
}

/// Builds a [`Record`] from the tokens of one record, as the reader finds them.
pub(crate) struct RecordBuilder {
    x: Extractor,
    seen_record: bool,
}

impl RecordBuilder {
    pub(crate) fn new(offset: u64) -> Self {
        Self {
            x: Extractor {
                rec: Record {
                    kind: RecordKind::Other {
                        element: String::new(),
                    },
                    offset,
                    registration_numbers: Vec::new(),
                    registration_date: None,
                    filing_date: None,
                    expiry_date: None,
                    recording_date: None,
                    decision_date: None,
                    publication_date: None,
                    bulletin_number: None,
                    holders: Vec::new(),
                    designs: Vec::new(),
                    history: Vec::new(),
                    raw: String::new(),
                },
                stack: Vec::with_capacity(32),
                text: String::new(),
                capturing: None,
                express: false,
                in_current: 0,
                holder: None,
                design: None,
                view: None,
                history: None,
            },
            seen_record: false,
        }
    }

    /// A start tag: `qname` its name, `tag` the bytes between `<` and `>`.
    pub(crate) fn start(&mut self, qname: &[u8], tag: &[u8], self_closing: bool) {
        let name = local(qname);
        if !self.seen_record {
            self.seen_record = true;
            let element = String::from_utf8_lossy(name);
            self.x.express = element == "HagueExpressTransaction";
            self.x.rec.kind = RecordKind::from_element(&element);
            if !self_closing {
                self.x.stack.push(Tag::Other);
            }
            return;
        }
        self.x.note_history_child(name);
        if self_closing {
            return;
        }
        // Text of a leaf that has child elements is not a value.
        self.x.capturing = None;
        let t = tag_of(name);
        self.x.open(t, tag);
        self.x.stack.push(t);
    }

    /// An end tag.
    pub(crate) fn end(&mut self) {
        if let Some(t) = self.x.stack.pop() {
            self.x.close(t);
        }
    }

    /// Whether text is being collected (so the reader only decodes text it needs).
    pub(crate) fn wants_text(&self) -> bool {
        self.x.capturing.is_some()
    }

    /// Escaped character data; `offset` is where it starts in the stream.
    pub(crate) fn text(&mut self, bytes: &[u8], offset: u64) -> Result<(), Error> {
        let text = std::str::from_utf8(bytes).map_err(|e| Error::InvalidUtf8 {
            offset: offset + e.valid_up_to() as u64,
        })?;
        let text = quick_xml::escape::unescape(text).map_err(|e| Error::Malformed {
            offset,
            message: format!(
                "{e}; only &amp; &lt; &gt; &quot; &apos; and character references exist \
                 without a DTD"
            ),
        })?;
        self.x.text.push_str(&normalize_eol(&text));
        Ok(())
    }

    /// The content of a CDATA section.
    pub(crate) fn cdata(&mut self, bytes: &[u8], offset: u64) -> Result<(), Error> {
        let text = std::str::from_utf8(bytes).map_err(|e| Error::InvalidUtf8 {
            offset: offset + e.valid_up_to() as u64,
        })?;
        self.x.text.push_str(&normalize_eol(text));
        Ok(())
    }

    /// Finishes the record with its raw text and the bulletin's header values.
    pub(crate) fn finish(self, raw: String, header: &Header) -> Record {
        let mut rec = self.x.rec;
        if rec.bulletin_number.is_none() {
            rec.bulletin_number.clone_from(&header.bulletin_number);
        }
        if rec.publication_date.is_none() {
            rec.publication_date.clone_from(&header.publication_date);
        }
        rec.raw = raw;
        rec
    }
}

/// XML end-of-line handling: `\r\n` and `\r` become `\n`.
fn normalize_eol(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains('\r') {
        text.replace("\r\n", "\n").replace('\r', "\n").into()
    } else {
        text.into()
    }
}
