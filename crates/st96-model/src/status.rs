//! HWS status replies: the import status and the service-request status.
//!
//! Their formats are not public (the HWS API guide, "Appendix D", is not available), so the
//! model is lenient and everything about the field names is **inferred**: known fields are
//! taken by local name (XML) or key (JSON) wherever they stand, matched without regard to
//! case, `_`, `-` or spaces; every leaf is kept in `fields`; the raw reply is kept; unknown
//! elements never cause an error.

use serde::{Deserialize, Serialize};

use crate::Error;

/// The processing status of a service request.
///
/// The six values are the ones the HWS guide lists ("No definido, En trámite, Pendiente de
/// regularización, Registrado, Abandonado, Anulado"); the strings HWS actually sends are not
/// public, so [`parse`](Self::parse) accepts the English, Spanish and French labels in any
/// case and spacing, and keeps anything else in `Unknown`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum ProcessingStatus {
    /// Undefined / No definido / Non défini.
    Undefined,
    /// In process / En trámite / En cours de traitement.
    InProcess,
    /// Pending regularization / Pendiente de regularización / En attente de régularisation.
    PendingRegularization,
    /// Registered / Registrado / Enregistré.
    Registered,
    /// Abandoned / Abandonado / Abandonné.
    Abandoned,
    /// Cancelled / Anulado / Annulé.
    Cancelled,
    /// Anything else, kept as received.
    Unknown(String),
}

/// Lower-case, accents removed, only letters and digits kept.
fn squash(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().flat_map(char::to_lowercase) {
        let c = match c {
            'á' | 'à' | 'â' | 'ä' | 'ã' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'í' | 'ì' | 'î' | 'ï' => 'i',
            'ó' | 'ò' | 'ô' | 'ö' | 'õ' => 'o',
            'ú' | 'ù' | 'û' | 'ü' => 'u',
            'ñ' => 'n',
            'ç' => 'c',
            other => other,
        };
        if c.is_alphanumeric() {
            out.push(c);
        }
    }
    out
}

impl ProcessingStatus {
    /// Reads a status label; see the type's docs for what is accepted.
    pub fn parse(label: &str) -> Self {
        match squash(label).as_str() {
            "undefined" | "notdefined" | "nodefinido" | "indefinido" | "nondefini" | "indefini" => {
                Self::Undefined
            }
            "inprocess"
            | "inprogress"
            | "processing"
            | "entramite"
            | "entramitacion"
            | "encoursdetraitement"
            | "encours"
            | "entraitement" => Self::InProcess,
            "pendingregularization"
            | "pendingregularisation"
            | "pendientederegularizacion"
            | "enattentederegularisation"
            | "regularisationenattente"
            | "enattentedelaregularisation" => Self::PendingRegularization,
            "registered" | "registrado" | "enregistre" | "inscrito" => Self::Registered,
            "abandoned" | "abandonado" | "abandonne" => Self::Abandoned,
            "cancelled" | "canceled" | "anulado" | "cancelado" | "annule" | "radie" => {
                Self::Cancelled
            }
            _ => Self::Unknown(label.trim().to_owned()),
        }
    }

    /// Reads one of the guide's six statuses (English, Spanish or French label, any case,
    /// spacing or accents); `None` for anything else. Use it to check a status a user
    /// names (a `--until` value) before asking the service.
    pub fn parse_known(label: &str) -> Option<Self> {
        match Self::parse(label) {
            Self::Unknown(_) => None,
            known => Some(known),
        }
    }

    /// The guide's six statuses, in its order.
    pub const ALL: [Self; 6] = [
        Self::Undefined,
        Self::InProcess,
        Self::PendingRegularization,
        Self::Registered,
        Self::Abandoned,
        Self::Cancelled,
    ];

    /// Whether no later status can follow: Registered, Abandoned and Cancelled (the
    /// guide lists the statuses without saying which are final; that these three are is
    /// **inferred** from their meaning). A wait for another status ends on one of them.
    pub fn is_final(&self) -> bool {
        matches!(self, Self::Registered | Self::Abandoned | Self::Cancelled)
    }

    /// The Spanish label, as the guide writes it.
    pub fn spanish_label(&self) -> &str {
        match self {
            Self::Undefined => "No definido",
            Self::InProcess => "En trámite",
            Self::PendingRegularization => "Pendiente de regularización",
            Self::Registered => "Registrado",
            Self::Abandoned => "Abandonado",
            Self::Cancelled => "Anulado",
            Self::Unknown(s) => s,
        }
    }

    /// The English label.
    pub fn label(&self) -> &str {
        match self {
            Self::Undefined => "Undefined",
            Self::InProcess => "In process",
            Self::PendingRegularization => "Pending regularization",
            Self::Registered => "Registered",
            Self::Abandoned => "Abandoned",
            Self::Cancelled => "Cancelled",
            Self::Unknown(s) => s,
        }
    }
}

impl std::str::FromStr for ProcessingStatus {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self::parse(s))
    }
}

impl std::fmt::Display for ProcessingStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// The reply to `POST /request` or `GET /request/import/{importId}` (**inferred** format).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ImportStatus {
    /// The import ID (`ImportIdentifier`, `importId`, `RequestIdentifier`...).
    pub import_id: Option<String>,
    /// The import status as sent (`ImportStatus`, `Status`...).
    pub status: Option<String>,
    /// The service request number, once WIPO has assigned one.
    pub service_request_number: Option<String>,
    /// Every leaf (local name or key, text), in document order.
    pub fields: Vec<(String, String)>,
    /// The reply as received.
    pub raw: String,
}

/// The reply to `GET /request/{serviceRequestId}` (**inferred** format; the guide lists its
/// content: request identifier, processing status, service request number, international
/// registration number, expected publication date).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ServiceRequestStatus {
    /// The request identifier.
    pub request_identifier: Option<String>,
    /// The processing status.
    pub processing_status: Option<ProcessingStatus>,
    /// The service request number.
    pub service_request_number: Option<String>,
    /// The international registration number.
    pub registration_number: Option<String>,
    /// The expected publication date, if any.
    pub expected_publication_date: Option<String>,
    /// Every leaf (local name or key, text), in document order.
    pub fields: Vec<(String, String)>,
    /// The reply as received.
    pub raw: String,
}

const REQUEST_ID: &[&str] = &["requestidentifier", "requestid", "requestnumber"];
const IMPORT_ID: &[&str] = &[
    "importidentifier",
    "importid",
    "importnumber",
    "importpackageidentifier",
    "importpackageid",
    "packageimportid",
    "importreference",
    "importref",
];
const GENERIC_ID: &[&str] = &["id", "identifier"];
const STATUS: &[&str] = &[
    "processingstatus",
    "processingstatuscategory",
    "servicerequeststatus",
    "servicerequeststatuscategory",
    "srstatus",
    "status",
    "statuscategory",
    "statuscode",
];
const IMPORT_STATUS: &[&str] = &[
    "importstatus",
    "importstatuscategory",
    "status",
    "statuscategory",
];
const SRN: &[&str] = &[
    "servicerequestnumber",
    "servicerequestidentifier",
    "servicerequestid",
    "srn",
];
const IRN: &[&str] = &[
    "internationalregistrationnumber",
    "registrationnumber",
    "irn",
];
const PUBLICATION: &[&str] = &[
    "expectedpublicationdate",
    "publicationexpecteddate",
    "plannedpublicationdate",
    "scheduledpublicationdate",
    "expectedpublication",
    "fechaprevistadepublicacion",
    "fechapublicacionprevista",
    "dateprevuedepublication",
    "datedepublicationprevue",
    "publicationdate",
];

fn find(fields: &[(String, String)], names: &[&str]) -> Option<String> {
    // The earliest name in the list wins, so specific names beat generic ones.
    names.iter().find_map(|n| {
        fields
            .iter()
            .find(|(k, v)| squash(k) == *n && !v.is_empty())
            .map(|(_, v)| v.clone())
    })
}

/// Words that a bare-text reply may hold without being an import ID.
const NOT_AN_ID: &[&str] = &[
    "ok",
    "accepted",
    "created",
    "success",
    "successful",
    "true",
    "received",
    "done",
    "null",
];

/// A bare reply (plain text, a JSON string or number) that is one plausible identifier:
/// one token of at most 200 printable characters, not a word such as `OK`.
fn bare_id(text: &str) -> Option<String> {
    let t = text.trim().trim_matches('"').trim();
    let plausible = !t.is_empty()
        && t.len() <= 200
        && !t.chars().any(|c| c.is_whitespace() || c.is_control())
        && !t.starts_with(['<', '{', '['])
        && !NOT_AN_ID.contains(&squash(t).as_str());
    plausible.then(|| t.to_owned())
}

/// Squashed import-state values (or parts of them) read as a failed or refused import
/// (**inferred**: the values HWS sends are not public).
const FAILED_IMPORT: &[&str] = &[
    "fail", "reject", "refus", "error", "invalid", "denied", "abort", "rechaz", "fallid", "fallo",
    "erron", "rejet", "echec", "erreur",
];

impl ImportStatus {
    /// Parses an import-status reply, XML or JSON; never fails on unknown content.
    ///
    /// The import ID is taken from the first of these that has one: an element or key
    /// named like `ImportIdentifier`, `importId`, `importNumber`, `importPackageId`,
    /// `importReference`, then `RequestIdentifier`/`requestId`, then a bare `id` or
    /// `identifier` (names compared without regard to case, `_`, `-` or spaces); a reply
    /// that is only a JSON string, a JSON number or one bare word (not `OK`, `accepted`...).
    ///
    /// # Errors
    /// [`Error::Malformed`] when the body is not UTF-8 or is broken XML or JSON.
    pub fn parse(body: &[u8]) -> Result<Self, Error> {
        let (raw, fields) = leaves(body)?;
        let import_id = find(&fields, IMPORT_ID)
            .or_else(|| find(&fields, REQUEST_ID))
            .or_else(|| find(&fields, GENERIC_ID))
            .or_else(|| match fields.as_slice() {
                [(key, value)] if key.is_empty() || key == "text" => bare_id(value),
                _ => None,
            });
        Ok(Self {
            import_id,
            status: find(&fields, IMPORT_STATUS),
            service_request_number: find(&fields, SRN),
            fields,
            raw,
        })
    }

    /// As [`ImportStatus::parse`], but never fails: a body that does not parse gives a
    /// status with no field and the raw body (lossily decoded). For replies that must
    /// never turn into an error, such as the 2xx answer to a submission.
    pub fn parse_lenient(body: &[u8]) -> Self {
        Self::parse(body).unwrap_or_else(|_| Self {
            import_id: None,
            status: None,
            service_request_number: None,
            fields: Vec::new(),
            raw: String::from_utf8_lossy(body).into_owned(),
        })
    }

    /// Whether the import state reads as a failed or refused import (`FAILED`,
    /// `REJECTED`, `ERROR`, `INVALID`, `Rechazado`, `Échec`..., compared without case or
    /// accents). The values HWS sends are not public, so this is **inferred**; an import
    /// that already has a service request number is never counted as failed.
    pub fn is_failed(&self) -> bool {
        if self.service_request_number.is_some() {
            return false;
        }
        self.status.as_deref().is_some_and(|s| {
            let s = squash(s);
            s == "ko" || FAILED_IMPORT.iter().any(|w| s.contains(w))
        })
    }
}

impl ServiceRequestStatus {
    /// Parses a service-request status reply, XML or JSON; never fails on unknown content.
    pub fn parse(body: &[u8]) -> Result<Self, Error> {
        let (raw, fields) = leaves(body)?;
        Ok(Self {
            request_identifier: find(&fields, REQUEST_ID),
            processing_status: find(&fields, STATUS).map(|s| ProcessingStatus::parse(&s)),
            service_request_number: find(&fields, SRN),
            registration_number: find(&fields, IRN),
            expected_publication_date: find(&fields, PUBLICATION),
            fields,
            raw,
        })
    }
}

/// The raw text and every leaf of an XML or JSON body.
fn leaves(body: &[u8]) -> Result<(String, Vec<(String, String)>), Error> {
    let raw = crate::tree::utf8(body)?.to_owned();
    let trimmed = raw.trim_start_matches('\u{feff}').trim();
    let mut fields = Vec::new();
    if trimmed.starts_with('<') {
        let root = crate::tree::parse(body)?;
        xml_leaves(&root, &mut fields);
    } else if trimmed.starts_with('{') || trimmed.starts_with('[') {
        let value: serde_json::Value =
            serde_json::from_str(trimmed).map_err(|e| Error::Malformed {
                offset: json_offset(trimmed, e.line(), e.column()),
                message: format!("the JSON reply does not parse: {e}"),
            })?;
        json_leaves("", &value, &mut fields);
    } else if let Some(text) = trimmed
        .starts_with('"')
        .then(|| serde_json::from_str::<String>(trimmed).ok())
        .flatten()
    {
        fields.push(("text".to_owned(), text.trim().to_owned()));
    } else if !trimmed.is_empty() {
        fields.push(("text".to_owned(), trimmed.to_owned()));
    }
    Ok((raw, fields))
}

fn json_offset(text: &str, line: usize, column: usize) -> u64 {
    let before: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    (before + column.saturating_sub(1)) as u64
}

fn xml_leaves(el: &crate::tree::Element, out: &mut Vec<(String, String)>) {
    if el.children.is_empty() {
        out.push((el.local.clone(), el.text.trim().to_owned()));
    }
    for a in &el.attrs {
        out.push((a.local.clone(), a.value.trim().to_owned()));
    }
    for c in &el.children {
        xml_leaves(c, out);
    }
}

fn json_leaves(key: &str, value: &serde_json::Value, out: &mut Vec<(String, String)>) {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                json_leaves(k, v, out);
            }
        }
        Value::Array(items) => {
            for v in items {
                json_leaves(key, v, out);
            }
        }
        Value::String(s) => out.push((key.to_owned(), s.trim().to_owned())),
        Value::Number(n) => out.push((key.to_owned(), n.to_string())),
        Value::Bool(b) => out.push((key.to_owned(), b.to_string())),
        Value::Null => {}
    }
}
