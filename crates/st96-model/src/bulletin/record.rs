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

/// One Locarno classification of a design
/// (`LocarnoClassificationBag/LocarnoClassification`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct LocarnoClass {
    /// `LocarnoClass`, as written (e.g. `06`).
    pub class: Option<String>,
    /// `LocarnoSubclassBag/LocarnoSubclass`, in order.
    pub subclasses: Vec<String>,
}

/// One design of a record.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DesignSummary {
    /// `DesignIdentifier`.
    pub identifier: Option<String>,
    /// `ProductDescriptionText`, in order.
    pub products: Vec<ProductText>,
    /// `LocarnoClassificationBag/LocarnoClassification`, in order.
    pub locarno: Vec<LocarnoClass>,
    /// `LocarnoClassificationBag/LocarnoClassificationEdition`.
    pub locarno_edition: Option<String>,
    /// `View`, in order.
    pub views: Vec<ViewSummary>,
}

/// A designated contracting party
/// (`DesignatedCountryBag/DesignatedCountry/{DesignatedCountryCode,
/// HagueAgreementActCategory}` of the registration itself, not of a design claim or a
/// principal-design relation).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DesignatedParty {
    /// `DesignatedCountryCode`: a country or an intergovernmental organisation (`EM`, `OA`).
    pub code: String,
    /// `HagueAgreementActCategory`: the Act under which the party is designated, as
    /// written (`1999`, `1960`, ...).
    pub act: Option<String>,
}

/// A holder or a representative.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Party {
    /// The name: `OrganizationStandardName`, else `PersonFullName`, else
    /// `FirstName LastName`.
    pub name: Option<String>,
    /// `ApplicantContractingParty` (holders): the contracting party through which the
    /// holder is entitled to file.
    pub contracting_party: Option<String>,
    /// `CountryCode` of the first postal address.
    pub country: Option<String>,
}

/// Which designs an event concerns (`AffectedDesign`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AffectedDesign {
    /// `AllDesignsIndicator` was `true` (or `1`).
    pub all: bool,
    /// `DesignIdentifierBag/DesignIdentifier`, in order.
    pub designs: Vec<String>,
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
    /// `RecordNotifyingOfficeCode` inside the event (refusals, grants).
    pub notifying_office: Option<String>,
    /// `DecisionDate` inside the event.
    pub decision_date: Option<String>,
    /// `DecisionEffectiveDate` inside the event.
    pub effective_date: Option<String>,
    /// `InternationalRecordingDate` inside the event.
    pub recording_date: Option<String>,
    /// `RenewalDate` inside the event.
    pub renewal_date: Option<String>,
    /// `ExpiryDate` inside the event.
    pub expiry_date: Option<String>,
}

/// One bulletin record.
///
/// Values are taken by local name where the ST.96 Hague structure puts them (see
/// `docs/st96.md`, "Bulletin records"). For a Hague Express record, holders,
/// representatives, designated parties and designs come from `HagueCurrent` only (the
/// history repeats them).
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
    /// `DecisionEffectiveDate` (first one).
    pub effective_date: Option<String>,
    /// `RenewalDate` (first one).
    pub renewal_date: Option<String>,
    /// `RecordNotifyingOfficeCode` (first one): the office that notified a refusal, a
    /// grant, an invalidation...
    pub notifying_office: Option<String>,
    /// `PublicationDate` (first one), or the bulletin's.
    pub publication_date: Option<String>,
    /// `HagueBulletinNumber` (first one), or the bulletin's.
    pub bulletin_number: Option<String>,
    /// `DesignTotalQuantity` of the registration, as written.
    pub design_total_quantity: Option<String>,
    /// Designated contracting parties of the registration (or of a renewal), in order.
    pub designated: Vec<DesignatedParty>,
    /// Holders (`Holder`, not `PreviousHolder`), in order.
    pub holders: Vec<Party>,
    /// Representatives (`RepresentativeBag/Representative`), in order.
    pub representatives: Vec<Party>,
    /// `AffectedDesign` of an event record (refusal, grant, renewal...).
    pub affected: Option<AffectedDesign>,
    /// Designs with product descriptions, Locarno classes and views.
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

    /// The holders' names, in order (holders without a name are left out).
    pub fn holder_names(&self) -> impl Iterator<Item = &str> {
        self.holders.iter().filter_map(|h| h.name.as_deref())
    }

    /// Whether the record designates `code` (compared without regard to case).
    pub fn designates(&self, code: &str) -> bool {
        self.designated
            .iter()
            .any(|d| d.code.eq_ignore_ascii_case(code))
    }

    /// The distinct Locarno classes of all designs, in first-seen order.
    pub fn locarno_classes(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for c in self
            .designs
            .iter()
            .flat_map(|d| d.locarno.iter())
            .filter_map(|l| l.class.as_deref())
        {
            if !out.contains(&c) {
                out.push(c);
            }
        }
        out
    }

    /// The publication date of the international registration: for a Hague Express
    /// record, that of its `HagueRegistration` history entry; otherwise the record's.
    pub fn registration_publication_date(&self) -> Option<&str> {
        if self.kind == RecordKind::Express {
            if let Some(d) = self
                .history
                .iter()
                .find(|h| h.event.as_deref() == Some("HagueRegistration"))
                .and_then(|h| h.publication_date.as_deref())
            {
                return Some(d);
            }
        }
        self.publication_date.as_deref()
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
    /// The record element itself.
    Root,
    Current,
    History,
    /// `HagueRegistration` nested in a record (Hague Express current state or history).
    Registration,
    Holder,
    PreviousHolder,
    Representative,
    Address,
    DesignatedBag,
    Designated,
    Design,
    Locarno,
    View,
    Affected,
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
    Effective,
    Renewal,
    Notifying,
    Publication,
    Bulletin,
    OrgName,
    FirstName,
    LastName,
    FullName,
    CountryCode,
    ContractingParty,
    DesignatedCode,
    Act,
    DesignTotal,
    DesignId,
    Product,
    LocClass,
    LocSubclass,
    LocEdition,
    AllDesigns,
    ViewId,
    FileName,
    ViewType,
}

fn tag_of(local: &[u8]) -> Tag {
    use Field::*;
    match local {
        b"HagueCurrent" => Tag::Current,
        b"HagueHistory" => Tag::History,
        b"HagueRegistration" => Tag::Registration,
        b"Holder" => Tag::Holder,
        b"PreviousHolder" => Tag::PreviousHolder,
        b"Representative" => Tag::Representative,
        b"PostalAddress" => Tag::Address,
        b"DesignatedCountryBag" => Tag::DesignatedBag,
        b"DesignatedCountry" => Tag::Designated,
        b"HagueDesign" => Tag::Design,
        b"LocarnoClassification" => Tag::Locarno,
        b"View" => Tag::View,
        b"AffectedDesign" => Tag::Affected,
        b"InternationalRegistrationNumber" => Tag::Leaf(Irn),
        b"InternationalRegistrationDate" => Tag::Leaf(RegDate),
        b"InternationalFilingDate" => Tag::Leaf(FilingDate),
        b"ExpiryDate" => Tag::Leaf(Expiry),
        b"InternationalRecordingDate" => Tag::Leaf(Recording),
        b"DecisionDate" => Tag::Leaf(Decision),
        b"DecisionEffectiveDate" => Tag::Leaf(Effective),
        b"RenewalDate" => Tag::Leaf(Renewal),
        b"RecordNotifyingOfficeCode" => Tag::Leaf(Notifying),
        b"PublicationDate" => Tag::Leaf(Publication),
        b"HagueBulletinNumber" => Tag::Leaf(Bulletin),
        b"OrganizationStandardName" => Tag::Leaf(OrgName),
        b"FirstName" => Tag::Leaf(FirstName),
        b"LastName" => Tag::Leaf(LastName),
        b"PersonFullName" => Tag::Leaf(FullName),
        b"CountryCode" => Tag::Leaf(CountryCode),
        b"ApplicantContractingParty" => Tag::Leaf(ContractingParty),
        b"DesignatedCountryCode" => Tag::Leaf(DesignatedCode),
        b"HagueAgreementActCategory" => Tag::Leaf(Act),
        b"DesignTotalQuantity" => Tag::Leaf(DesignTotal),
        b"DesignIdentifier" => Tag::Leaf(DesignId),
        b"ProductDescriptionText" => Tag::Leaf(Product),
        b"LocarnoClass" => Tag::Leaf(LocClass),
        b"LocarnoSubclass" => Tag::Leaf(LocSubclass),
        b"LocarnoClassificationEdition" => Tag::Leaf(LocEdition),
        b"AllDesignsIndicator" => Tag::Leaf(AllDesigns),
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

/// Which list an open party goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Holder,
    Representative,
}

#[derive(Default)]
struct PartyBuilder {
    org: Option<String>,
    first: Option<String>,
    last: Option<String>,
    full: Option<String>,
    contracting_party: Option<String>,
    country: Option<String>,
}

impl PartyBuilder {
    fn finish(self) -> Party {
        let name = self.org.or(self.full).or(match (self.first, self.last) {
            (Some(f), Some(l)) => Some(format!("{f} {l}")),
            (f, l) => f.or(l),
        });
        Party {
            name,
            contracting_party: self.contracting_party,
            country: self.country,
        }
    }
}

/// Sets `slot` to `value` unless it already holds one.
fn first(slot: &mut Option<String>, value: &str) {
    if slot.is_none() {
        *slot = Some(value.to_owned());
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
    party: Option<(Role, PartyBuilder)>,
    designated: Option<DesignatedParty>,
    design: Option<DesignSummary>,
    view: Option<ViewSummary>,
    /// The open history entry and the stack depth of its children.
    history: Option<(usize, HistoryEntry)>,
}

impl Extractor {
    /// Whether registration data at this point counts (Express: only under HagueCurrent).
    fn in_scope(&self) -> bool {
        !self.express || self.in_current > 0
    }

    /// The tag `n` levels above the element being opened (1: its parent).
    fn above(&self, n: usize) -> Option<Tag> {
        self.stack
            .len()
            .checked_sub(n)
            .and_then(|i| self.stack.get(i))
            .copied()
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
            Tag::Holder if self.in_scope() && self.party.is_none() => {
                self.party = Some((Role::Holder, PartyBuilder::default()));
            }
            Tag::Representative if self.in_scope() && self.party.is_none() => {
                self.party = Some((Role::Representative, PartyBuilder::default()));
            }
            // The registration's own parties: the Bag's parent is the record or a
            // HagueRegistration, not a design claim, a principal-design relation or an
            // exception-of-lack-of-novelty declaration.
            Tag::Designated
                if self.in_scope()
                    && self.above(1) == Some(Tag::DesignatedBag)
                    && matches!(self.above(2), Some(Tag::Root | Tag::Registration)) =>
            {
                self.designated = Some(DesignatedParty::default());
            }
            Tag::Design if self.in_scope() && self.design.is_none() => {
                self.design = Some(DesignSummary::default());
            }
            Tag::Locarno => {
                if let Some(d) = self.design.as_mut() {
                    d.locarno.push(LocarnoClass::default());
                }
            }
            Tag::View if self.design.is_some() => self.view = Some(ViewSummary::default()),
            Tag::Affected if self.above(1) == Some(Tag::Root) => {
                self.rec.affected = Some(AffectedDesign::default());
            }
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
            Tag::Holder | Tag::Representative => {
                // Close only the party this element opened (not a nested one).
                let role = if tag == Tag::Holder {
                    Role::Holder
                } else {
                    Role::Representative
                };
                if self.party.as_ref().is_some_and(|(r, _)| *r == role)
                    && !self.stack.contains(&tag)
                {
                    if let Some((role, p)) = self.party.take() {
                        let list = match role {
                            Role::Holder => &mut self.rec.holders,
                            Role::Representative => &mut self.rec.representatives,
                        };
                        list.push(p.finish());
                    }
                }
            }
            Tag::Designated => {
                if let Some(d) = self.designated.take() {
                    if !d.code.is_empty() {
                        self.rec.designated.push(d);
                    }
                }
            }
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
            _ => {}
        }
    }

    /// The open history entry, when the leaf being stored lies inside its event element.
    fn history_event(&mut self) -> Option<&mut HistoryEntry> {
        let depth = self.stack.len();
        match self.history.as_mut() {
            Some((d, e)) if depth > *d => Some(e),
            _ => None,
        }
    }

    fn store(&mut self, field: Field, lang: Option<String>, value: &str) {
        let v = value.trim();
        let in_prev = self.stack.contains(&Tag::PreviousHolder);
        // The leaf is already popped: its parent is on top.
        let parent = self.above(1);
        let history_depth = self.history.as_ref().map(|(d, _)| *d);
        match field {
            Field::Irn => {
                if !self.rec.registration_numbers.iter().any(|n| n == v) {
                    self.rec.registration_numbers.push(v.to_owned());
                }
            }
            Field::RegDate => first(&mut self.rec.registration_date, v),
            Field::FilingDate => first(&mut self.rec.filing_date, v),
            Field::Expiry
            | Field::Recording
            | Field::Decision
            | Field::Effective
            | Field::Renewal
            | Field::Notifying => {
                if let Some(e) = self.history_event() {
                    let slot = match field {
                        Field::Expiry => &mut e.expiry_date,
                        Field::Recording => &mut e.recording_date,
                        Field::Decision => &mut e.decision_date,
                        Field::Effective => &mut e.effective_date,
                        Field::Renewal => &mut e.renewal_date,
                        _ => &mut e.notifying_office,
                    };
                    first(slot, v);
                }
                let rec = &mut self.rec;
                let slot = match field {
                    Field::Expiry => &mut rec.expiry_date,
                    Field::Recording => &mut rec.recording_date,
                    Field::Decision => &mut rec.decision_date,
                    Field::Effective => &mut rec.effective_date,
                    Field::Renewal => &mut rec.renewal_date,
                    _ => &mut rec.notifying_office,
                };
                first(slot, v);
            }
            Field::Publication | Field::Bulletin => {
                if let (Some(d), Some((_, e))) = (history_depth, self.history.as_mut()) {
                    if self.stack.len() == d {
                        let slot = if field == Field::Publication {
                            &mut e.publication_date
                        } else {
                            &mut e.bulletin_number
                        };
                        first(slot, v);
                    }
                }
                let slot = if field == Field::Publication {
                    &mut self.rec.publication_date
                } else {
                    &mut self.rec.bulletin_number
                };
                first(slot, v);
            }
            Field::OrgName | Field::FirstName | Field::LastName | Field::FullName => {
                if in_prev {
                    return;
                }
                if let Some((_, p)) = self.party.as_mut() {
                    let slot = match field {
                        Field::OrgName => &mut p.org,
                        Field::FirstName => &mut p.first,
                        Field::LastName => &mut p.last,
                        _ => &mut p.full,
                    };
                    first(slot, v);
                }
            }
            Field::CountryCode => {
                if let (false, Some((_, p))) = (in_prev, self.party.as_mut()) {
                    if self.stack.contains(&Tag::Address) {
                        first(&mut p.country, v);
                    }
                }
            }
            Field::ContractingParty => {
                if let (false, Some((_, p))) = (in_prev, self.party.as_mut()) {
                    first(&mut p.contracting_party, v);
                }
            }
            Field::DesignatedCode | Field::Act => {
                if let (Some(d), Some(Tag::Designated)) = (self.designated.as_mut(), parent) {
                    if field == Field::DesignatedCode {
                        if d.code.is_empty() {
                            v.clone_into(&mut d.code);
                        }
                    } else {
                        first(&mut d.act, v);
                    }
                }
            }
            Field::DesignTotal => {
                if self.in_scope() && matches!(parent, Some(Tag::Root | Tag::Registration)) {
                    first(&mut self.rec.design_total_quantity, v);
                }
            }
            Field::DesignId => {
                if let (Some(a), true) = (
                    self.rec.affected.as_mut(),
                    self.stack.contains(&Tag::Affected),
                ) {
                    a.designs.push(v.to_owned());
                } else if let (None, Some(d)) = (self.view.as_ref(), self.design.as_mut()) {
                    first(&mut d.identifier, v);
                }
            }
            Field::AllDesigns => {
                if let (Some(a), true) = (
                    self.rec.affected.as_mut(),
                    self.stack.contains(&Tag::Affected),
                ) {
                    a.all = v == "true" || v == "1";
                }
            }
            Field::Product => {
                if let Some(d) = self.design.as_mut() {
                    d.products.push(ProductText {
                        language: lang,
                        text: v.to_owned(),
                    });
                }
            }
            Field::LocClass | Field::LocSubclass => {
                if let Some(l) = self.design.as_mut().and_then(|d| d.locarno.last_mut()) {
                    if field == Field::LocClass {
                        first(&mut l.class, v);
                    } else {
                        l.subclasses.push(v.to_owned());
                    }
                }
            }
            Field::LocEdition => {
                if let Some(d) = self.design.as_mut() {
                    first(&mut d.locarno_edition, v);
                }
            }
            Field::ViewId | Field::FileName | Field::ViewType => {
                if let Some(view) = self.view.as_mut() {
                    let slot = match field {
                        Field::ViewId => &mut view.identifier,
                        Field::FileName => &mut view.file_name,
                        _ => &mut view.view_type,
                    };
                    first(slot, v);
                }
            }
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
                    effective_date: None,
                    renewal_date: None,
                    notifying_office: None,
                    design_total_quantity: None,
                    designated: Vec::new(),
                    representatives: Vec::new(),
                    affected: None,
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
                party: None,
                designated: None,
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
                self.x.stack.push(Tag::Root);
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
