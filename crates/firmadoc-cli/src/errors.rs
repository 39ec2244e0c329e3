//! From library errors to one sentence, one hint and an exit status.

use cli_support::{CliError, ExitStatus};
use firmadoc_client::Error;
use firmadoc_client::model::{CodeError, ModelError};

/// The exit status for a client error: the numbers `firmadoc_client::Error::exit_code`
/// gives, so the library and the tool agree.
fn status_of(e: &Error) -> ExitStatus {
    ExitStatus::from_code(e.exit_code()).unwrap_or(ExitStatus::Internal)
}

/// A client error as the user sees it. No message carries the secret: the
/// client's errors never hold it.
pub(crate) fn from_client(e: &Error) -> CliError {
    let status = status_of(e);
    match e {
        Error::Authentication { operation } => CliError::new(
            status,
            format!("FirmaDocumentos refused the authentication (401) for {operation}"),
            "check the machine's clock, the consumer key and secret, and that they belong to this environment (test and production have their own)",
        ),
        Error::Service { operation, message } => CliError::new(
            status,
            format!("FirmaDocumentos refused {operation} (418): {message}"),
            "the service's text says what to change; fix the request and try again",
        ),
        Error::Status {
            operation,
            status: code,
            ..
        } => CliError::new(
            status,
            e.to_string(),
            if code.as_u16() == 404 {
                format!(
                    "check the code and the environment: {operation} found nothing at that address"
                )
            } else {
                "retry later; if it persists, report the status and text to FirmaDocumentos"
                    .to_owned()
            },
        ),
        Error::Reply { .. } => CliError::new(
            status,
            e.to_string(),
            "the service answered in a form this tool does not know; report it with the command you ran",
        ),
        Error::Model(m) => from_model(m),
        Error::Code(c) => from_code(c),
        Error::Transport(_) => CliError::new(
            status,
            format!("cannot reach FirmaDocumentos: {e}"),
            "check the network, the proxy, and the environment URL (--env or FIRMADOC_ENV)",
        ),
        Error::Io { .. } => CliError::new(
            status,
            e.to_string(),
            "check that the directory exists and is writable",
        ),
        Error::Config(_) => CliError::new(
            status,
            e.to_string(),
            "see `firmadoc --help` and docs/cli.md",
        ),
        _ => CliError::new(status, e.to_string(), "see docs/cli.md"),
    }
}

/// The flag that sets a property of the service (`Asunto` is `--subject`), for
/// messages in the tool's language; a property no flag sets keeps its name.
pub(crate) fn flag_of(field: &str) -> String {
    let flag = match field {
        "Asunto" => "--subject",
        "Emisor" => "--sender",
        "Id" => "--customer-id",
        "Receptores" => "--to",
        "TipoEnvio" => "--kind",
        "TipoFirma" => "--signature",
        "DiasCaducidad" => "--expiry-days",
        "Pais" => "--country",
        "Plantilla" => "--template",
        "Adjuntos" => "--attachment",
        "Usuario" => "--user",
        "Documento" => "--pdf",
        "NomPlantilla" | "Nombre" => "--name",
        "Orientacion" => "--orientation",
        "CodFormato" => "--format",
        "AltoFirma" => "--signature-height",
        "AnchoFirma" => "--signature-width",
        "AltoSello" => "--seal-height",
        "AnchoSello" => "--seal-width",
        "Sello" => "--seal",
        "UbicacionFirmas" => "--placement",
        "NumeroDestinatarios" => "--multi-signature",
        "Email" => "--email",
        "Motivo" => "--reason",
        "Imagen" | "Firma" => "--image",
        "Archivo" => "--file-name",
        "Url" => "--url",
        "Eventos" | "Evento" => "--events",
        other => return format!("`{other}`"),
    };
    flag.to_owned()
}

/// A rule of the guide broken by the input (exit 5), in the tool's words: the
/// flag the user typed, counts from 1, no builder.
pub(crate) fn from_model(e: &ModelError) -> CliError {
    let hint = "fix the value named above (`firmadoc <command> --help` lists the options); nothing was sent";
    let message = match e {
        // The library's text names its own LengthPolicy; the tool has --truncate.
        ModelError::TooLong { field, max, actual } => {
            return CliError::invalid_input(
                format!(
                    "{} is {actual} characters long (UTF-16 code units), over the service's limit of {max}, which the service would cut silently",
                    flag_of(field)
                ),
                "shorten it, or pass --truncate to have it cut to the limit here; nothing was sent",
            );
        }
        ModelError::Missing { field } => format!("{} is required", flag_of(field)),
        ModelError::UnknownValue {
            field,
            value,
            expected,
        } => format!(
            "{} cannot be `{value}`; the guide allows {expected}",
            flag_of(field)
        ),
        ModelError::ExpiryDaysOutOfRange { days } => {
            format!("--expiry-days must be 1 to 255 days, and {days} given")
        }
        ModelError::InvalidEmail { index, value } => format!(
            "recipient {} of --to (`{value}`) is not an email address (local@domain.tld), and --kind is email",
            index + 1
        ),
        ModelError::InvalidPhone { index, value } => format!(
            "recipient {} of --to (`{value}`) is not a phone number (6 to 15 digits), and --kind is sms",
            index + 1
        ),
        ModelError::NotAnEmail { field, value } => format!(
            "{} (`{value}`) is not an email address (local@domain.tld)",
            flag_of(field)
        ),
        ModelError::BadListItem {
            field,
            index,
            value,
        } => format!(
            "item {} of {} (`{value}`) is empty or holds a comma, which the service would split on; give one non-empty item per flag",
            index + 1,
            flag_of(field)
        ),
        ModelError::NoRecipients => "--to is required: give at least one recipient".to_owned(),
        ModelError::NoPlacements => {
            "give at least one --placement (sig:RECIPIENT:PAGE:X:Y, seal:PAGE:X:Y or text:RECIPIENT:TEXT)".to_owned()
        }
        ModelError::PlacementRecipient {
            index,
            recipient,
            expected,
        } => format!(
            "--placement {} names recipient {recipient}, but {expected}",
            index + 1
        ),
        ModelError::TextPlacementNotAtZero { index, .. } => format!(
            "--placement {} is below a text, so its page, X and Y must be 0",
            index + 1
        ),
        ModelError::InvalidMeasure { field, value } => format!(
            "{} must be a finite number of cm, 0 or more, and {value} given",
            flag_of(field)
        ),
        ModelError::NegativePage { page } => {
            format!("a --placement page must be 0 (every page) or a page number, and {page} given")
        }
        ModelError::WrongFileKind { field, expected } => format!(
            "the file of {} must be {expected}; its bytes do not start like one",
            flag_of(field)
        ),
        ModelError::LinkMultiSignature => {
            "--kind link cannot be combined with --multi-signature (the guide: \"El envío por enlace no es compatible con envíos multifirma\")".to_owned()
        }
        ModelError::CertificateMultiSignature => {
            "--signature certificate cannot be combined with --multi-signature (the guide: \"La firma mediante certificado digital no es compatible con los envíos multifirma\")".to_owned()
        }
        ModelError::OtpWithLink => {
            "--signature otp cannot be combined with --kind link: the code has to reach the recipient by SMS or email".to_owned()
        }
        ModelError::MultiSignatureTemplateRequired { template } => format!(
            "--multi-signature needs a multi-signature --template, and `{template}` is not one"
        ),
        ModelError::InvalidUrl { value, reason } => {
            format!("--url `{value}` is not an absolute http or https URL: {reason}")
        }
        ModelError::NoEvents => {
            "--events is empty; subscribe to at least one of A, F, R, C".to_owned()
        }
        other => other.to_string(),
    };
    CliError::invalid_input(message, hint)
}

/// A malformed sending or recipient code (exit 5).
pub(crate) fn from_code(e: &CodeError) -> CliError {
    CliError::invalid_input(
        e.to_string(),
        "a sending code has 5 letters or digits (XJH29); a recipient code adds the recipient as two hex digits (XJH2901)",
    )
}

/// A local file that cannot be read (exit 5).
pub(crate) fn read_file(path: &std::path::Path, what: &str) -> Result<Vec<u8>, CliError> {
    std::fs::read(path).map_err(|e| {
        CliError::invalid_input(
            format!("cannot read the {what} {}: {e}", path.display()),
            "check the path and that the file is readable",
        )
    })
}
