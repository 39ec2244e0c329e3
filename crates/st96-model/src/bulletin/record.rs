//! The typed view of one bulletin record, extracted by local name.

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use serde::{Deserialize, Serialize};

use crate::Error;
use crate::tree::resolve_ref;

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

fn tag_of(local: &str) -> Tag {
    use Field::*;
    match local {
        "HagueCurrent" => Tag::Current,
        "HagueHistory" => Tag::History,
        "Holder" => Tag::Holder,
        "PreviousHolder" => Tag::PreviousHolder,
        "HagueDesign" => Tag::Design,
        "View" => Tag::View,
        "InternationalRegistrationNumber" => Tag::Leaf(Irn),
        "InternationalRegistrationDate" => Tag::Leaf(RegDate),
        "InternationalFilingDate" => Tag::Leaf(FilingDate),
        "ExpiryDate" => Tag::Leaf(Expiry),
        "InternationalRecordingDate" => Tag::Leaf(Recording),
        "DecisionDate" => Tag::Leaf(Decision),
        "PublicationDate" => Tag::Leaf(Publication),
        "HagueBulletinNumber" => Tag::Leaf(Bulletin),
        "OrganizationStandardName" => Tag::Leaf(OrgName),
        "FirstName" => Tag::Leaf(FirstName),
        "LastName" => Tag::Leaf(LastName),
        "PersonFullName" => Tag::Leaf(FullName),
        "DesignIdentifier" => Tag::Leaf(DesignId),
        "ProductDescriptionText" => Tag::Leaf(Product),
        "ViewIdentifier" => Tag::Leaf(ViewId),
        "FileName" => Tag::Leaf(FileName),
        "ViewTypeCategory" => Tag::Leaf(ViewType),
        _ => Tag::Other,
    }
}

fn local(qname: &str) -> &str {
    qname.rsplit_once(':').map_or(qname, |(_, l)| l)
}

fn attr_by_local(start: &BytesStart<'_>, name: &str) -> Option<String> {
    start.attributes().flatten().find_map(|a| {
        if local(a.key.0) == name {
            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .ok()
                .map(|v| v.into_owned())
        } else {
            None
        }
    })
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

    fn note_history_child(&mut self, local: &str) {
        let depth = self.stack.len();
        if let Some((d, entry)) = self.history.as_mut() {
            if depth == *d
                && entry.event.is_none()
                && !matches!(local, "HagueBulletinNumber" | "PublicationDate")
            {
                entry.event = Some(local.to_owned());
            }
        }
    }

    fn open(&mut self, tag: Tag, start: &BytesStart<'_>) {
        match tag {
            Tag::Current => self.in_current += 1,
            Tag::History => {
                self.history = Some((
                    self.stack.len() + 1,
                    HistoryEntry {
                        sequence: attr_by_local(start, "sequenceNumber"),
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
                    attr_by_local(start, "languageCode")
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
                    let value = std::mem::take(&mut self.text);
                    self.store(field, lang, value);
                }
            }
        }
    }

    fn store(&mut self, field: Field, lang: Option<String>, value: String) {
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

/// Extracts the typed view from one record's XML (`raw` is the record, `offset` where it
/// starts in the stream).
pub(crate) fn extract(raw: String, offset: u64, header: &Header) -> Result<Record, Error> {
    let mut x = Extractor {
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
    };
    let mut seen_record = false;
    let mut reader = Reader::from_str(&raw);
    loop {
        let at = offset + reader.buffer_position();
        let event = reader
            .read_event()
            .map_err(|e| err_at(offset + reader.error_position(), &e))?;
        match event {
            Event::Start(s) | Event::Empty(s) if !seen_record => {
                seen_record = true;
                let name = local(s.name().0);
                x.express = name == "HagueExpressTransaction";
                x.rec.kind = RecordKind::from_element(name);
                if reader.buffer_position() as usize <= raw.len()
                    && !raw[..reader.buffer_position() as usize].ends_with("/>")
                {
                    x.stack.push(Tag::Other);
                }
            }
            Event::Start(s) => {
                let name = local(s.name().0);
                x.note_history_child(name);
                let tag = tag_of(name);
                x.open(tag, &s);
                x.stack.push(tag);
            }
            Event::Empty(s) => {
                x.note_history_child(local(s.name().0));
            }
            Event::End(_) => {
                let tag = x
                    .stack
                    .pop()
                    .ok_or_else(|| err_at(at, &"an end tag without a start tag"))?;
                x.close(tag);
            }
            Event::Text(t) => {
                if seen_record && x.stack.is_empty() && !t.trim_ascii().is_empty() {
                    return Err(err_at(at, &"text after the record element"));
                }
                if x.capturing.is_some() {
                    x.text.push_str(&t.xml10_content());
                }
            }
            Event::CData(t) => {
                if x.capturing.is_some() {
                    x.text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                let c = resolve_ref(&r.into_inner(), at)?;
                if x.capturing.is_some() {
                    x.text.push(c);
                }
            }
            Event::DocType(_) => return Err(Error::DoctypeRefused { offset: at }),
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            Event::Eof => break,
        }
    }
    if !x.stack.is_empty() {
        return Err(err_at(
            offset + raw.len() as u64,
            &"the record ends before its elements are closed",
        ));
    }
    let mut rec = x.rec;
    if rec.bulletin_number.is_none() {
        rec.bulletin_number.clone_from(&header.bulletin_number);
    }
    if rec.publication_date.is_none() {
        rec.publication_date.clone_from(&header.publication_date);
    }
    rec.raw = raw;
    Ok(rec)
}

fn err_at(offset: u64, e: &dyn std::fmt::Display) -> Error {
    Error::Malformed {
        offset,
        message: e.to_string(),
    }
}
