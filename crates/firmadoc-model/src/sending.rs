//! The sending body (`POST /send/Sending`) and its reply.

use serde::{Deserialize, Deserializer, Serialize};

use crate::base64_text::Base64Text;
use crate::codes::EnvelopeCode;
use crate::contact::{is_plausible_email, is_plausible_phone};
use crate::enums::{Country, SendingKind, SignatureKind};
use crate::error::{CodeError, ModelError};
use crate::template::{TEMPLATE_NAME_MAX, Template};
use crate::text::{
    Checks, LengthPolicy, check_list_items, serialize_list, service_len, split_list,
    user_and_length_policy_setters,
};
use crate::warning::ModelWarning;

/// Longest subject (`Asunto`).
pub const SUBJECT_MAX: usize = 40;
/// Longest sender text (`Emisor`).
pub const SENDER_MAX: usize = 50;
/// Longest recipient list (`Receptores`), commas included.
pub const RECIPIENTS_MAX: usize = 500;

/// Days until a sending expires (`DiasCaducidad`): 1 to 255.
#[doc(alias = "DiasCaducidad")]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct ExpiryDays(u8);

impl ExpiryDays {
    /// Checks the range.
    ///
    /// # Errors
    /// [`ModelError::ExpiryDaysOutOfRange`] outside 1 to 255.
    pub fn new(days: i64) -> Result<Self, ModelError> {
        match u8::try_from(days) {
            Ok(d) if d >= 1 => Ok(Self(d)),
            _ => Err(ModelError::ExpiryDaysOutOfRange { days }),
        }
    }

    /// The number of days.
    pub fn get(self) -> u8 {
        self.0
    }
}

/// The template a sending uses (`Plantilla`), with what is known about it.
///
/// The body carries only the name; whether the template is multi-signature is known only if
/// the caller says so, and the rule "a multi-signature sending needs a multi-signature
/// template" is checked only then. A body read from JSON has an unknown template kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateRef {
    name: String,
    multi_signature: Option<bool>,
}

impl TemplateRef {
    /// A single-signature template.
    pub fn single(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            multi_signature: Some(false),
        }
    }
    /// A multi-signature template.
    pub fn multi_signature(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            multi_signature: Some(true),
        }
    }
    /// A template of unknown kind: the multi-signature check is skipped.
    pub fn named(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            multi_signature: None,
        }
    }
    /// The template's name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl From<&Template> for TemplateRef {
    fn from(t: &Template) -> Self {
        Self {
            name: t.name().to_owned(),
            multi_signature: Some(t.is_multi_signature()),
        }
    }
}

/// A new sending (`POST /send/Sending`): a PDF to sign, sent to one or more recipients.
///
/// Build one with [`Sending::builder`]; reading one from JSON applies the same checks, except
/// the template-kind check (see [`TemplateRef`]). A sending that is not multi-signature with
/// several recipients creates one independent sending per recipient.
#[doc(alias = "Envio")]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "SendingWire")]
pub struct Sending {
    #[serde(rename = "Asunto")]
    subject: String,
    #[serde(rename = "Emisor")]
    sender: String,
    #[serde(rename = "Id", skip_serializing_if = "Option::is_none")]
    customer_id: Option<String>,
    #[serde(rename = "Receptores", serialize_with = "serialize_list")]
    recipients: Vec<String>,
    #[serde(rename = "TipoEnvio")]
    sending_kind: SendingKind,
    #[serde(rename = "TipoFirma", skip_serializing_if = "Option::is_none")]
    signature_kind: Option<SignatureKind>,
    #[serde(rename = "DiasCaducidad")]
    expiry_days: ExpiryDays,
    #[serde(rename = "Multifirma")]
    multi_signature: bool,
    #[serde(rename = "ConPrioridad")]
    priority: bool,
    #[serde(rename = "Pais")]
    country: Country,
    #[serde(rename = "Plantilla")]
    template: String,
    #[serde(rename = "Documento")]
    document: Base64Text,
    #[serde(rename = "Adjuntos", serialize_with = "serialize_list")]
    attachments: Vec<String>,
    #[serde(rename = "Usuario", skip_serializing_if = "Option::is_none")]
    user: Option<String>,
    #[serde(skip)]
    warnings: Vec<ModelWarning>,
}

impl Sending {
    /// Starts a sending.
    pub fn builder() -> SendingBuilder {
        SendingBuilder::default()
    }

    /// `Asunto`.
    #[doc(alias = "Asunto")]
    pub fn subject(&self) -> &str {
        &self.subject
    }
    /// `Emisor`.
    #[doc(alias = "Emisor")]
    pub fn sender(&self) -> &str {
        &self.sender
    }
    /// `Id`: the caller's own id for the sending.
    #[doc(alias = "Id")]
    pub fn customer_id(&self) -> Option<&str> {
        self.customer_id.as_deref()
    }
    /// `Receptores`, split on commas; in order, recipient 1 first.
    #[doc(alias = "Receptores")]
    pub fn recipients(&self) -> &[String] {
        &self.recipients
    }
    /// `TipoEnvio`.
    #[doc(alias = "TipoEnvio")]
    pub fn sending_kind(&self) -> SendingKind {
        self.sending_kind
    }
    /// `TipoFirma`; `None` uses the account's default.
    #[doc(alias = "TipoFirma")]
    pub fn signature_kind(&self) -> Option<SignatureKind> {
        self.signature_kind
    }
    /// `DiasCaducidad`.
    #[doc(alias = "DiasCaducidad")]
    pub fn expiry_days(&self) -> ExpiryDays {
        self.expiry_days
    }
    /// `Multifirma`.
    #[doc(alias = "Multifirma")]
    pub fn is_multi_signature(&self) -> bool {
        self.multi_signature
    }
    /// `ConPrioridad`: recipients sign in order.
    #[doc(alias = "ConPrioridad")]
    pub fn has_priority(&self) -> bool {
        self.priority
    }
    /// `Pais`.
    #[doc(alias = "Pais")]
    pub fn country(&self) -> Country {
        self.country
    }
    /// `Plantilla`: the template's name.
    #[doc(alias = "Plantilla")]
    pub fn template(&self) -> &str {
        &self.template
    }
    /// `Documento`: the PDF, in base64.
    #[doc(alias = "Documento")]
    pub fn document(&self) -> &Base64Text {
        &self.document
    }
    /// `Adjuntos`: the attachments recipients must supply, split on commas.
    #[doc(alias = "Adjuntos")]
    pub fn attachments(&self) -> &[String] {
        &self.attachments
    }
    /// `Usuario`: the email of the user sending; `None` for the account admin.
    #[doc(alias = "Usuario")]
    pub fn user(&self) -> Option<&str> {
        self.user.as_deref()
    }
    /// What the sending does that the guide does not forbid but the caller should know
    /// (`ConPrioridad` without multi-signature, texts cut as asked…). Never part of the body.
    pub fn warnings(&self) -> &[ModelWarning] {
        &self.warnings
    }
}

/// Builds a [`Sending`]; [`SendingBuilder::build`] checks every rule.
#[derive(Debug, Clone, Default)]
pub struct SendingBuilder {
    subject: Option<String>,
    sender: Option<String>,
    customer_id: Option<String>,
    recipients: Vec<String>,
    sending_kind: Option<SendingKind>,
    signature_kind: Option<SignatureKind>,
    expiry_days: Option<i64>,
    multi_signature: bool,
    priority: bool,
    country: Option<Country>,
    template: Option<TemplateRef>,
    document: Option<Base64Text>,
    document_is_pdf: bool,
    attachments: Vec<String>,
    user: Option<String>,
    policy: LengthPolicy,
}

impl SendingBuilder {
    /// `Asunto`, at most 40 characters.
    pub fn subject(mut self, subject: impl Into<String>) -> Self {
        self.subject = Some(subject.into());
        self
    }
    /// `Emisor`, at most 50 characters.
    pub fn sender(mut self, sender: impl Into<String>) -> Self {
        self.sender = Some(sender.into());
        self
    }
    /// `Id`: the caller's own id for the sending (an invoice number, say).
    pub fn customer_id(mut self, id: impl Into<String>) -> Self {
        self.customer_id = Some(id.into());
        self
    }
    /// Adds one recipient to `Receptores` (an email, a phone number, or any name for links).
    pub fn recipient(mut self, recipient: impl Into<String>) -> Self {
        self.recipients.push(recipient.into());
        self
    }
    /// Adds recipients to `Receptores`, in signing order.
    pub fn recipients<I, S>(mut self, recipients: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.recipients
            .extend(recipients.into_iter().map(Into::into));
        self
    }
    /// `TipoEnvio`.
    pub fn sending_kind(mut self, kind: SendingKind) -> Self {
        self.sending_kind = Some(kind);
        self
    }
    /// `TipoFirma`; without it the account's default applies.
    pub fn signature_kind(mut self, kind: SignatureKind) -> Self {
        self.signature_kind = Some(kind);
        self
    }
    /// `DiasCaducidad`, 1 to 255.
    pub fn expiry_days(mut self, days: i64) -> Self {
        self.expiry_days = Some(days);
        self
    }
    /// `Multifirma`: one sending signed by every recipient.
    pub fn multi_signature(mut self, multi: bool) -> Self {
        self.multi_signature = multi;
        self
    }
    /// `ConPrioridad`: recipients sign in order (multi-signature only).
    pub fn priority(mut self, priority: bool) -> Self {
        self.priority = priority;
        self
    }
    /// `Pais`.
    pub fn country(mut self, country: Country) -> Self {
        self.country = Some(country);
        self
    }
    /// `Plantilla`: pass a [`TemplateRef`], or `&Template`.
    pub fn template(mut self, template: impl Into<TemplateRef>) -> Self {
        self.template = Some(template.into());
        self
    }
    /// `Documento`: the PDF bytes, encoded to base64 here. They must start with `%PDF-`.
    pub fn document_pdf(mut self, pdf: impl AsRef<[u8]>) -> Self {
        let pdf = pdf.as_ref();
        self.document_is_pdf = pdf.starts_with(b"%PDF-");
        self.document = Some(Base64Text::encode(pdf));
        self
    }
    /// Adds a required attachment (`Adjuntos`), as configured in FirmaDocumentos ("DNI").
    pub fn attachment(mut self, name: impl Into<String>) -> Self {
        self.attachments.push(name.into());
        self
    }
    user_and_length_policy_setters!(
        "sending",
        "`Asunto` and `Emisor` are cut at the limit; `Receptores` loses its last recipients \
         whole, so that no address is cut in half"
    );

    /// Checks every rule the guide states and builds the sending.
    ///
    /// What the guide does not forbid is never an error: it becomes one of the sending's
    /// [`Sending::warnings`] (`ConPrioridad` without multi-signature, a multi-signature
    /// sending with one recipient, a `Plantilla` longer than a template name can be, a text
    /// cut under [`LengthPolicy::Truncate`]).
    ///
    /// # Errors
    /// The first broken rule, as a [`ModelError`], checked in this order: missing values;
    /// lengths; recipients (none, empty or comma-holding items, emails for `E`, phone numbers
    /// for `S`); `DiasCaducidad`; link with multi-signature; certificate with
    /// multi-signature; OTP with link; multi-signature without a multi-signature template;
    /// attachments; `Usuario`; a document that is not a PDF. Each rule's variant quotes the
    /// guide's sentence.
    pub fn build(self) -> Result<Sending, ModelError> {
        let missing = |field| ModelError::Missing { field };
        let mut checks = Checks::new(self.policy);
        let subject = self.subject.ok_or(missing("Asunto"))?;
        let sender = self.sender.ok_or(missing("Emisor"))?;
        let sending_kind = self.sending_kind.ok_or(missing("TipoEnvio"))?;
        let days = self.expiry_days.ok_or(missing("DiasCaducidad"))?;
        let country = self.country.ok_or(missing("Pais"))?;
        let template = self.template.ok_or(missing("Plantilla"))?;
        let document = self.document.ok_or(missing("Documento"))?;

        // "La longitud máxima del parámetro es de 40 caracteres. Si se indica un texto más
        // largo quedará recortado a 40 caracteres." (Asunto; Emisor: 50; Receptores: 500.)
        let subject = checks.text("Asunto", subject, SUBJECT_MAX)?;
        let sender = checks.text("Emisor", sender, SENDER_MAX)?;
        let template_len = service_len(&template.name);
        if template_len > TEMPLATE_NAME_MAX {
            checks.warn(ModelWarning::TemplateNameOverLimit {
                actual: template_len,
            });
        }
        let recipients = fit_recipients(self.recipients, &mut checks)?;

        check_recipients(&recipients, sending_kind)?;
        // "Su valor debe estar entre 1 y 255 días."
        let expiry_days = ExpiryDays::new(days)?;
        let multi = self.multi_signature;
        // "El envío por enlace no es compatible con envíos multifirma."
        if multi && sending_kind == SendingKind::Link {
            return Err(ModelError::LinkMultiSignature);
        }
        // "La firma mediante certificado digital no es compatible con los envíos multifirma."
        if multi && self.signature_kind == Some(SignatureKind::Certificate) {
            return Err(ModelError::CertificateMultiSignature);
        }
        // "La firma mediante código de verificación OTP no es compatible con los envíos
        // mediante Link o enlace."
        if self.signature_kind == Some(SignatureKind::Otp) && sending_kind == SendingKind::Link {
            return Err(ModelError::OtpWithLink);
        }
        // "no se puede indicar una plantilla que no sea multifirma si indicamos que la
        // propiedad multifirma es true."
        if multi && template.multi_signature == Some(false) {
            return Err(ModelError::MultiSignatureTemplateRequired {
                template: template.name,
            });
        }
        if multi && recipients.len() == 1 {
            checks.warn(ModelWarning::MultiSignatureWithOneRecipient);
        }
        // "Esta propiedad sólo se tiene en cuenta en los envíos multifirma": ignored.
        if self.priority && !multi {
            checks.warn(ModelWarning::PriorityIgnored);
        }
        // "separada por una coma podremos indicar los documentos adjuntos"
        check_list_items("Adjuntos", &self.attachments)?;
        checks.user(self.user.as_deref())?;
        // "Codificación en un string en formato Base64 del documento pdf que se va a firmar."
        if !self.document_is_pdf {
            return Err(ModelError::WrongFileKind {
                field: "Documento",
                expected: "a PDF (starting with %PDF-)",
            });
        }
        Ok(Sending {
            subject,
            sender,
            customer_id: self.customer_id,
            recipients,
            sending_kind,
            signature_kind: self.signature_kind,
            expiry_days,
            multi_signature: multi,
            priority: self.priority,
            country,
            template: template.name,
            document,
            attachments: self.attachments,
            user: self.user,
            warnings: checks.finish(),
        })
    }
}

/// `Receptores` within its 500 characters: refused when over under
/// [`LengthPolicy::Reject`]; under [`LengthPolicy::Truncate`] the last
/// recipients are left out whole, with a warning.
fn fit_recipients(
    mut recipients: Vec<String>,
    checks: &mut Checks,
) -> Result<Vec<String>, ModelError> {
    let actual = service_len(&recipients.join(","));
    if actual <= RECIPIENTS_MAX {
        return Ok(recipients);
    }
    if checks.policy() == LengthPolicy::Reject {
        return Err(ModelError::TooLong {
            field: "Receptores",
            max: RECIPIENTS_MAX,
            actual,
        });
    }
    let total = recipients.len();
    let mut used = 0;
    let kept = recipients
        .iter()
        .enumerate()
        .take_while(|(i, r)| {
            used += service_len(r) + usize::from(*i > 0);
            used <= RECIPIENTS_MAX
        })
        .count();
    recipients.truncate(kept);
    checks.warn(ModelWarning::RecipientsDropped {
        kept,
        dropped: total - kept,
    });
    Ok(recipients)
}

fn check_recipients(recipients: &[String], kind: SendingKind) -> Result<(), ModelError> {
    if recipients.is_empty() {
        return Err(ModelError::NoRecipients);
    }
    check_list_items("Receptores", recipients)?;
    for (index, r) in recipients.iter().enumerate() {
        match kind {
            SendingKind::Email if !is_plausible_email(r) => {
                return Err(ModelError::InvalidEmail {
                    index,
                    value: r.clone(),
                });
            }
            SendingKind::Sms if !is_plausible_phone(r) => {
                return Err(ModelError::InvalidPhone {
                    index,
                    value: r.clone(),
                });
            }
            _ => {}
        }
    }
    Ok(())
}

/// The wire form of a sending, read and then checked like a built one.
#[derive(Deserialize)]
struct SendingWire {
    #[serde(rename = "Asunto")]
    subject: String,
    #[serde(rename = "Emisor")]
    sender: String,
    #[serde(rename = "Id", default)]
    customer_id: Option<String>,
    #[serde(rename = "Receptores")]
    recipients: String,
    #[serde(rename = "TipoEnvio")]
    sending_kind: SendingKind,
    #[serde(rename = "TipoFirma", default, deserialize_with = "empty_is_none")]
    signature_kind: Option<SignatureKind>,
    #[serde(rename = "DiasCaducidad")]
    expiry_days: i64,
    #[serde(rename = "Multifirma", default)]
    multi_signature: bool,
    #[serde(rename = "ConPrioridad", default)]
    priority: bool,
    #[serde(rename = "Pais")]
    country: Country,
    #[serde(rename = "Plantilla")]
    template: String,
    #[serde(rename = "Documento")]
    document: Base64Text,
    #[serde(rename = "Adjuntos", default)]
    attachments: String,
    #[serde(rename = "Usuario", default)]
    user: Option<String>,
}

/// `TipoFirma` may be left empty ("basta con dejarla vacía"): empty reads as absent.
fn empty_is_none<'de, D: Deserializer<'de>>(d: D) -> Result<Option<SignatureKind>, D::Error> {
    match Option::<String>::deserialize(d)?.as_deref() {
        None | Some("") => Ok(None),
        Some(code) => code.parse().map(Some).map_err(serde::de::Error::custom),
    }
}

impl TryFrom<SendingWire> for Sending {
    type Error = ModelError;
    fn try_from(w: SendingWire) -> Result<Self, Self::Error> {
        SendingBuilder {
            subject: Some(w.subject),
            sender: Some(w.sender),
            customer_id: w.customer_id,
            recipients: split_list(&w.recipients),
            sending_kind: Some(w.sending_kind),
            signature_kind: w.signature_kind,
            expiry_days: Some(w.expiry_days),
            multi_signature: w.multi_signature,
            priority: w.priority,
            country: Some(w.country),
            template: Some(TemplateRef::named(w.template)),
            // A received document is kept as it is: it is not decoded to check it is a PDF.
            document: Some(w.document),
            document_is_pdf: true,
            attachments: split_list(&w.attachments),
            user: w.user,
            policy: LengthPolicy::Reject,
        }
        .build()
    }
}

/// One sending created by `POST /send/Sending` (`{IdEnvio, CodEnvio, UrlEnvio}`).
///
/// The reply is a list ([`SendingReply`]): one item for a multi-signature sending, one per
/// recipient otherwise. Values are kept as received; unknown properties land in `extra`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SendingReceipt {
    /// `IdEnvio`: the service's numeric id.
    #[serde(rename = "IdEnvio")]
    #[doc(alias = "IdEnvio")]
    pub id: i64,
    /// `CodEnvio`: the public code; see [`SendingReceipt::envelope_code`].
    #[serde(rename = "CodEnvio")]
    #[doc(alias = "CodEnvio")]
    pub code: String,
    /// `UrlEnvio`: the signing URL of a link sending (`L`), to hand to the recipient.
    #[serde(rename = "UrlEnvio", default)]
    #[doc(alias = "UrlEnvio")]
    pub url: Option<String>,
    /// Properties the guide does not list, kept as received.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl SendingReceipt {
    /// `CodEnvio` as a typed code.
    ///
    /// # Errors
    /// [`CodeError`] when the service sent something that is not a 5-character code.
    pub fn envelope_code(&self) -> Result<EnvelopeCode, CodeError> {
        EnvelopeCode::parse(&self.code)
    }
}

/// The reply of `POST /send/Sending`.
pub type SendingReply = Vec<SendingReceipt>;
