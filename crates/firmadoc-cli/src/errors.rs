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

/// A rule of the guide broken by the input (exit 5).
pub(crate) fn from_model(e: &ModelError) -> CliError {
    match e {
        // The library's text names its own LengthPolicy; the tool has --truncate.
        ModelError::TooLong { field, max, actual } => CliError::invalid_input(
            format!(
                "`{field}` is {actual} characters long (UTF-16 code units), over the service's limit of {max}, which the service would cut silently"
            ),
            "shorten it, or pass --truncate to have it cut to the limit here; nothing was sent",
        ),
        _ => CliError::invalid_input(
            e.to_string(),
            "fix the value named above (`firmadoc <command> --help` lists the options); nothing was sent",
        ),
    }
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
