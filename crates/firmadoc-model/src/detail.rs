//! The sending detail (reply of `POST /send/Sending/{cod}`).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::codes::{EnvelopeCode, RecipientCode, RecipientId};
use crate::date::ReceivedDate;
use crate::enums::{Country, RecipientState, SendingKind, SendingState, SignatureKind};
use crate::error::CodeError;
use crate::received::Received;

/// Everything the service tells about one sending (reply of `POST /send/Sending/{cod}`).
///
/// Read tolerantly: text properties may be `null` or missing (the guide says `Usuario` is
/// `null` for the admin), coded values keep unknown codes ([`Received`]), dates are kept as
/// received ([`ReceivedDate`]), and properties the guide does not list land in `extra`.
/// `MotivoRechazo` appears in the guide's table but not in its JSON; it is read if present.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SendingDetail {
    /// `IdEnvio`.
    #[serde(rename = "IdEnvio")]
    #[doc(alias = "IdEnvio")]
    pub id: i64,
    /// `CodEnvio`.
    #[serde(rename = "CodEnvio")]
    #[doc(alias = "CodEnvio")]
    pub code: String,
    /// `Id`: the caller's own id, if it gave one.
    #[serde(rename = "Id", default)]
    pub customer_id: Option<String>,
    /// `CodHash`: MD5 of the PDF, to check its integrity.
    #[serde(rename = "CodHash", default)]
    #[doc(alias = "CodHash")]
    pub hash: Option<String>,
    /// `Asunto`.
    #[serde(rename = "Asunto", default)]
    #[doc(alias = "Asunto")]
    pub subject: Option<String>,
    /// `Emisor`.
    #[serde(rename = "Emisor", default)]
    #[doc(alias = "Emisor")]
    pub sender: Option<String>,
    /// `Usuario`: the user who sent it; `None` for the admin.
    #[serde(rename = "Usuario", default)]
    #[doc(alias = "Usuario")]
    pub user: Option<String>,
    /// `Receptores`, as received (comma-separated).
    #[serde(rename = "Receptores", default)]
    #[doc(alias = "Receptores")]
    pub recipients: Option<String>,
    /// `FechaEnvio`: when it was created.
    #[serde(rename = "FechaEnvio", default)]
    #[doc(alias = "FechaEnvio")]
    pub sent_at: Option<ReceivedDate>,
    /// `TipoEnvio`.
    #[serde(rename = "TipoEnvio", default)]
    #[doc(alias = "TipoEnvio")]
    pub sending_kind: Option<Received<SendingKind>>,
    /// `TipoFirma`.
    #[serde(rename = "TipoFirma", default)]
    #[doc(alias = "TipoFirma")]
    pub signature_kind: Option<Received<SignatureKind>>,
    /// `Estado`: P, F, R or C.
    #[serde(rename = "Estado", default)]
    #[doc(alias = "Estado")]
    pub state: Option<Received<SendingState>>,
    /// `DiasCaducidad`.
    #[serde(rename = "DiasCaducidad", default)]
    #[doc(alias = "DiasCaducidad")]
    pub expiry_days: Option<i64>,
    /// `FechaFirma`: when it became signed.
    #[serde(rename = "FechaFirma", default)]
    #[doc(alias = "FechaFirma")]
    pub signed_at: Option<ReceivedDate>,
    /// `FechaRechazo`: when it became rejected.
    #[serde(rename = "FechaRechazo", default)]
    #[doc(alias = "FechaRechazo")]
    pub rejected_at: Option<ReceivedDate>,
    /// `MotivoRechazo` (in the guide's table only).
    #[serde(
        rename = "MotivoRechazo",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    #[doc(alias = "MotivoRechazo")]
    pub rejection_reason: Option<String>,
    /// `Multifirma`.
    #[serde(rename = "Multifirma", default)]
    #[doc(alias = "Multifirma")]
    pub multi_signature: Option<bool>,
    /// `ConPrioridad`.
    #[serde(rename = "ConPrioridad", default)]
    #[doc(alias = "ConPrioridad")]
    pub priority: Option<bool>,
    /// `Pais`.
    #[serde(rename = "Pais", default)]
    #[doc(alias = "Pais")]
    pub country: Option<Received<Country>>,
    /// `Plantilla`.
    #[serde(rename = "Plantilla", default)]
    #[doc(alias = "Plantilla")]
    pub template: Option<String>,
    /// `Documento`: empty here; `/Document/{cod}` returns the PDF.
    #[serde(rename = "Documento", default)]
    #[doc(alias = "Documento")]
    pub document: Option<String>,
    /// `Adjuntos`: empty here; see `attachments`.
    #[serde(rename = "Adjuntos", default)]
    #[doc(alias = "Adjuntos")]
    pub attachment_names: Option<String>,
    /// `DocsEnvio`: the attachments requested.
    #[serde(rename = "DocsEnvio", default)]
    #[doc(alias = "DocsEnvio")]
    pub attachments: Vec<AttachmentDocument>,
    /// `Destinatarios`: the recipients of a multi-signature sending.
    #[serde(rename = "Destinatarios", default)]
    #[doc(alias = "Destinatarios")]
    pub recipient_states: Vec<RecipientStatus>,
    /// Properties the guide does not list, kept as received.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl SendingDetail {
    /// `CodEnvio` as a typed code.
    ///
    /// # Errors
    /// [`CodeError`] when the service sent something that is not a 5-character code.
    pub fn envelope_code(&self) -> Result<EnvelopeCode, CodeError> {
        EnvelopeCode::parse(&self.code)
    }
}

impl RecipientStatus {
    /// The code that addresses this recipient (`XJH290C`), given the sending's code.
    ///
    /// # Errors
    /// [`CodeError::RecipientZero`] or [`CodeError::RecipientOutOfRange`] when
    /// `IdDestinatario` is not 1 to 255.
    pub fn code(&self, envelope: EnvelopeCode) -> Result<RecipientCode, CodeError> {
        let id = u8::try_from(self.recipient)
            .map_err(|_| CodeError::RecipientOutOfRange { id: self.recipient })?;
        Ok(envelope.recipient(RecipientId::new(id)?))
    }
}

/// One requested attachment of a sending (`DocsEnvio[]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttachmentDocument {
    /// `IdDocEnvio`: what `/Attachment/{cod}` takes as `IdDocAdjunto`.
    #[serde(rename = "IdDocEnvio")]
    #[doc(alias = "IdDocEnvio")]
    pub id: i64,
    /// `IdEnvio`.
    #[serde(rename = "IdEnvio", default)]
    #[doc(alias = "IdEnvio")]
    pub sending_id: Option<i64>,
    /// `TipoAdjunto`: the attachment's name ("DNI").
    #[serde(rename = "TipoAdjunto", default)]
    #[doc(alias = "TipoAdjunto")]
    pub kind: Option<String>,
    /// `IdDestinatario`: the recipient who supplies it; 0 when not multi-signature.
    #[serde(rename = "IdDestinatario", default)]
    #[doc(alias = "IdDestinatario")]
    pub recipient: Option<i64>,
    /// Properties the guide does not list, kept as received.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One recipient of a multi-signature sending (`Destinatarios[]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecipientStatus {
    /// `IdDestinatario`: the id used in recipient codes.
    #[serde(rename = "IdDestinatario")]
    #[doc(alias = "IdDestinatario")]
    pub recipient: i64,
    /// `IdEnvio`.
    #[serde(rename = "IdEnvio", default)]
    #[doc(alias = "IdEnvio")]
    pub sending_id: Option<i64>,
    /// `DatoDestinatario`: the phone number or email given in `Receptores`.
    #[serde(rename = "DatoDestinatario", default)]
    #[doc(alias = "DatoDestinatario")]
    pub address: Option<String>,
    /// `Estado`: P, F or R.
    #[serde(rename = "Estado", default)]
    #[doc(alias = "Estado")]
    pub state: Option<Received<RecipientState>>,
    /// `Fecha`: when the recipient signed or rejected.
    #[serde(rename = "Fecha", default)]
    #[doc(alias = "Fecha")]
    pub date: Option<ReceivedDate>,
    /// `MotivoRechazo`.
    #[serde(rename = "MotivoRechazo", default)]
    #[doc(alias = "MotivoRechazo")]
    pub rejection_reason: Option<String>,
    /// Properties the guide does not list, kept as received.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}
