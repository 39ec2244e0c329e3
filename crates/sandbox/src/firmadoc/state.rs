//! What the FirmaDocumentos side remembers: templates, sendings, the subscription.

use std::collections::{BTreeSet, HashMap};

use serde_json::Value;

use super::code::Cod;
use super::fields::Refusal;
use super::sending::{Attachment, SendingData};
use super::template::StoredTemplate;

/// `Estado` of a sending: P – Pendiente, F – Firmado, R – Rechazado, C – Caducado.
pub(crate) const PENDING: &str = "P";
pub(crate) const SIGNED: &str = "F";
pub(crate) const REJECTED: &str = "R";
pub(crate) const EXPIRED: &str = "C";

#[derive(Debug, Default)]
pub(crate) struct Inner {
    /// (consumer key, nonce, timestamp) -> timestamp, kept for the timestamp window.
    pub(crate) nonces: HashMap<(String, String, u64), u64>,
    /// By lower-case name (**inferred**: the service's database compares names without
    /// regard to case).
    pub(crate) templates: HashMap<String, StoredTemplate>,
    pub(crate) sendings: HashMap<String, Record>,
    pub(crate) next_id: i64,
    pub(crate) next_doc: i64,
    /// The webhook URL and the event codes it wants.
    pub(crate) subscription: Option<(String, BTreeSet<char>)>,
    pub(crate) budget: i64,
}

/// A sending as the service keeps it.
#[derive(Debug, Clone)]
pub(crate) struct Record {
    pub(crate) id: i64,
    pub(crate) code: String,
    pub(crate) data: SendingData,
    /// The recipients this sending is for (all of them when multi-signature, one otherwise).
    pub(crate) recipients: Vec<Recipient>,
    pub(crate) state: &'static str,
    pub(crate) sent_at: u64,
    pub(crate) signed_at: Option<u64>,
    pub(crate) rejected_at: Option<u64>,
    pub(crate) rejection_reason: Option<String>,
    /// The MD5 of the PDF, lower-case hex (`CodHash`).
    pub(crate) md5: String,
    pub(crate) trace: Vec<String>,
    /// Requested attachments (`DocsEnvio`).
    pub(crate) attachments: Vec<Attachment>,
}

#[derive(Debug, Clone)]
pub(crate) struct Recipient {
    pub(crate) address: String,
    /// `P`, `F` or `R`.
    pub(crate) state: &'static str,
    pub(crate) date: Option<u64>,
    pub(crate) reason: Option<String>,
    /// Has opened the sending (event `A` sent).
    pub(crate) opened: bool,
}

impl Record {
    /// When `DiasCaducidad` runs out.
    pub(crate) fn deadline(&self) -> u64 {
        self.sent_at + u64::from(self.data.days) * 86_400
    }

    /// The recipient a `cod` names: its index, and the `id2`/`IdDestinatario` it has
    /// (1-based when multi-signature, 0 otherwise). `None` for a multi-signature sending
    /// named by its 5 characters only (the sender, not a recipient).
    pub(crate) fn recipient(&self, cod: &Cod) -> Result<Option<(usize, u8)>, Refusal> {
        match (self.data.multi, cod.recipient) {
            (true, None) => Ok(None),
            (true, Some(n)) => {
                if n == 0 || usize::from(n) > self.recipients.len() {
                    Err(format!(
                        "El envío {} no tiene el destinatario {n} ({:02X} en hexadecimal): tiene {} destinatarios.",
                        self.code,
                        n,
                        self.recipients.len()
                    )
                    .into())
                } else {
                    Ok(Some((usize::from(n) - 1, n)))
                }
            }
            // Not multi-signature: one recipient, id 0; a 7-character code may say 00 or 01.
            (false, Some(n)) if n > 1 => Err(format!(
                "El envío {} no es multifirma: su código no lleva destinatario (o lleva 00).",
                self.code
            )
            .into()),
            (false, _) => Ok(Some((0, 0))),
        }
    }
}

/// The device of a detail, document or response body, for the trace: "OsName OSVersion,
/// Model, Username, DeviceID" without the empty parts; `None` when nothing was given.
pub(crate) fn device(map: &serde_json::Map<String, Value>) -> Option<String> {
    let f = super::fields::Fields::new(map);
    let get = |n: &str| {
        f.get(n)
            .map(|v| match v {
                Value::String(s) => s.trim().to_owned(),
                other => other.to_string(),
            })
            .unwrap_or_default()
    };
    let os = [get("OsName"), get("OSVersion")]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let parts: Vec<String> = [os, get("Model"), get("Username"), get("DeviceID")]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}
