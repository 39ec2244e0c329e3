//! The errors of the model: one variant per rule of the guide.

use thiserror::Error;

/// A body breaks a rule of the FirmaDocumentos guide.
///
/// Every rule has its own variant, so a caller (and a test) can tell which rule was broken.
/// Messages name the JSON property (in Spanish, as the service spells it) and say how to fix the
/// value. They never contain secrets (passwords, certificates); they may contain the offending
/// recipient, which the caller supplied.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum ModelError {
    /// A text is longer than the limit the guide gives for it ("Si se indica un texto más
    /// largo quedará recortado"): refused unless truncation is asked for, since the service
    /// would cut it silently.
    #[error(
        "`{field}` is {actual} UTF-16 code units long, over the service's limit of {max} (the \
         service would cut it silently); shorten it, or ask for LengthPolicy::Truncate"
    )]
    TooLong {
        /// The JSON property.
        field: &'static str,
        /// The limit, in UTF-16 code units (what .NET counts as characters).
        max: usize,
        /// The length of the value given, in UTF-16 code units.
        actual: usize,
    },
    /// A required value was not given to a builder.
    #[error("`{field}` is required; set it on the builder before calling build()")]
    Missing {
        /// The JSON property.
        field: &'static str,
    },
    /// A value is not one the guide allows.
    #[error("`{field}` cannot be `{value}`; the guide allows {expected}")]
    UnknownValue {
        /// The JSON property.
        field: &'static str,
        /// The value given.
        value: String,
        /// The allowed values.
        expected: &'static str,
    },
    /// Link sending (`TipoEnvio` L) with `Multifirma` true. The guide: "El envío por enlace no
    /// es compatible con envíos multifirma."
    #[error(
        "link sending (TipoEnvio \"L\") cannot be multi-signature (the guide: \"El envío por \
         enlace no es compatible con envíos multifirma\"); send by SMS or email, or turn \
         Multifirma off"
    )]
    LinkMultiSignature,
    /// Certificate signing (`TipoFirma` C) with `Multifirma` true. The guide: "La firma
    /// mediante certificado digital no es compatible con los envíos multifirma."
    #[error(
        "certificate signing (TipoFirma \"C\") cannot be multi-signature (the guide: \"La firma \
         mediante certificado digital no es compatible con los envíos multifirma\"); choose \
         another signature kind or turn Multifirma off"
    )]
    CertificateMultiSignature,
    /// OTP signing (`TipoFirma` O) with link sending (`TipoEnvio` L). The guide: "La firma
    /// mediante código de verificación OTP no es compatible con los envíos mediante Link o
    /// enlace."
    #[error(
        "OTP signing (TipoFirma \"O\") cannot use link sending (TipoEnvio \"L\"): the code has to \
         reach the recipient by SMS or email; choose SMS or email sending"
    )]
    OtpWithLink,
    /// A multi-signature sending names a template that is not multi-signature. The guide:
    /// "debe haber una correspondencia en las propiedades Multifirma y Plantilla, de forma que
    /// no se puede indicar una plantilla que no sea multifirma si indicamos que la propiedad
    /// multifirma es true."
    #[error(
        "multi-signature sending needs a multi-signature template, and `{template}` is not one; \
         use a template created with Multifirma true"
    )]
    MultiSignatureTemplateRequired {
        /// The template named by the sending.
        template: String,
    },
    /// A placement below a text whose page, X or Y is not zero. The guide: "cuando se indica
    /// una ubicación por texto NumPagina, X e Y deben valer cero".
    #[error(
        "signature placement {index} is placed below a text, so NumPagina, X and Y must be 0 \
         (they are {page}, {x} and {y}); set them to 0 or leave Texto empty"
    )]
    TextPlacementNotAtZero {
        /// The index of the placement in `UbicacionFirmas`.
        index: usize,
        /// The page given.
        page: i16,
        /// The X given, in cm.
        x: f32,
        /// The Y given, in cm.
        y: f32,
    },
    /// `DiasCaducidad` outside 1 to 255. The guide: "Su valor debe estar entre 1 y 255 días."
    #[error("DiasCaducidad must be 1 to 255 days, and {days} given")]
    ExpiryDaysOutOfRange {
        /// The number of days given.
        days: i64,
    },
    /// An email-sending recipient that is not an email address. The guide: "el contenido de
    /// este texto serán direcciones de correo electrónico válidas separadas por una coma".
    #[error(
        "recipient {index} (`{value}`) of an email sending (TipoEnvio \"E\") is not an email \
         address (local@domain.tld)"
    )]
    InvalidEmail {
        /// The index of the recipient in `Receptores` (0-based).
        index: usize,
        /// The recipient.
        value: String,
    },
    /// An SMS-sending recipient that is not a phone number. The guide: "el contenido de este
    /// texto serán números de móviles válidos separados por una coma".
    #[error(
        "recipient {index} (`{value}`) of an SMS sending (TipoEnvio \"S\") is not a phone number \
         (6 to 15 digits, optionally with a leading + and spaces, dots, dashes or parentheses)"
    )]
    InvalidPhone {
        /// The index of the recipient in `Receptores` (0-based).
        index: usize,
        /// The recipient.
        value: String,
    },
    /// An address that must be an email (`Usuario`, `Email`) is not one.
    #[error("`{field}` (`{value}`) is not an email address (local@domain.tld)")]
    NotAnEmail {
        /// The JSON property.
        field: &'static str,
        /// The value given.
        value: String,
    },
    /// A list that the service reads comma-separated has an empty item or an item with a comma.
    #[error(
        "item {index} of `{field}` (`{value}`) is empty or holds a comma, but the service splits \
         `{field}` on commas; give one non-empty item per entry"
    )]
    BadListItem {
        /// The JSON property.
        field: &'static str,
        /// The index of the item (0-based).
        index: usize,
        /// The item.
        value: String,
    },
    /// A sending without recipients.
    #[error("Receptores is empty; give at least one recipient")]
    NoRecipients,
    /// A template without signature placements. The guide: "puede haber de 1 a N elementos".
    #[error("UbicacionFirmas is empty; the guide wants 1 to N signature or seal placements")]
    NoPlacements,
    /// A placement's recipient id does not fit the template.
    #[error("signature placement {index} has IdDestinatario {recipient}, but {expected}")]
    PlacementRecipient {
        /// The index of the placement in `UbicacionFirmas`.
        index: usize,
        /// The recipient id given.
        recipient: u8,
        /// What the guide expects here.
        expected: &'static str,
    },
    /// A size or coordinate in cm that is negative, infinite or not a number.
    #[error("`{field}` must be a finite number of cm, 0 or more, and {value} given")]
    InvalidMeasure {
        /// The JSON property.
        field: &'static str,
        /// The value given.
        value: f32,
    },
    /// A negative page number.
    #[error("NumPagina must be 0 (every page) or a page number, and {page} given")]
    NegativePage {
        /// The page given.
        page: i16,
    },
    /// Bytes that should be an image of a given kind are not.
    #[error("`{field}` must be {expected}; the bytes given do not start like one")]
    WrongFileKind {
        /// The JSON property.
        field: &'static str,
        /// The file kind expected.
        expected: &'static str,
    },
    /// Auxiliary data that cannot be read for its operation.
    #[error("DatoAuxiliar cannot be read for operation {operation}: {reason}")]
    BadAuxiliaryData {
        /// The operation (`F`, `R`, `FC`, `FS`).
        operation: &'static str,
        /// What is wrong; never the secret itself.
        reason: &'static str,
    },
    /// A webhook URL that is not an absolute http(s) URL.
    #[error("Url `{value}` is not an absolute http or https URL: {reason}")]
    InvalidUrl {
        /// The URL given.
        value: String,
        /// What is wrong.
        reason: String,
    },
    /// A webhook subscription without events.
    #[error("Eventos is empty; subscribe to at least one of A, F, R, C")]
    NoEvents,
}

/// A sending code or recipient code that is malformed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum CodeError {
    /// The code does not have 5 (sending) or 7 (recipient) characters.
    #[error(
        "`{value}` is not a sending code: it must be 5 characters (the envelope code, e.g. \
         XJH29) or 7 (envelope code plus the recipient id in two upper-case hex digits, e.g. \
         XJH290C)"
    )]
    Length {
        /// The code given.
        value: String,
    },
    /// The envelope part holds a character that is not an ASCII letter or digit.
    #[error("`{value}` is not an envelope code: it must be 5 ASCII letters or digits (e.g. XJH29)")]
    Envelope {
        /// The code given.
        value: String,
    },
    /// The recipient part is not two upper-case hex digits.
    #[error(
        "`{value}` is not a recipient code: its last two characters must be the recipient id in \
         upper-case hex (recipient 12 is 0C)"
    )]
    RecipientHex {
        /// The code given.
        value: String,
    },
    /// Recipient id 0, which names no multi-signature recipient.
    #[error(
        "recipient id 0 names no recipient: multi-signature recipients are numbered from 1; use \
         the envelope code alone for the whole sending"
    )]
    RecipientZero,
    /// A recipient id that does not fit the code's two hex digits (1 to 255).
    #[error("recipient id {id} cannot be written in a recipient code, which holds 1 to 255")]
    RecipientOutOfRange {
        /// The id given.
        id: i64,
    },
}

/// A base64 text that does not decode.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error(
    "the text is not valid standard base64 (RFC 4648 alphabet, with padding): {reason}; note \
     that the guide's examples print only the start of the document, so they do not decode"
)]
#[non_exhaustive]
pub struct Base64Error {
    /// What the decoder reported.
    pub reason: String,
}
