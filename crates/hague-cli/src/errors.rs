//! From library errors to one sentence, one hint and an exit status.

use cli_support::{CliError, ExitStatus};
use hague_client::Error;

/// A client error as the user sees it. The client's errors never hold the key,
/// a token or an assertion, so their text can be printed.
pub(crate) fn from_client(e: &Error) -> CliError {
    let text = e.to_string();
    match e {
        Error::Config { .. } => CliError::usage(text, "see `hague --help` and docs/cli.md"),
        Error::Token { .. } => {
            let code = e
                .oauth_error_code()
                .map(|c| c.as_str().to_owned())
                .unwrap_or_default();
            let hint = match code.as_str() {
                "invalid_client" => {
                    "the provider does not accept this key for this client id: check the client id, that WIPO registered this key's certificate, and the machine's clock"
                }
                "invalid_scope" => {
                    "ask WIPO which scope the client may use (--scope or HAGUE_SCOPE)"
                }
                _ => "check the client id, the key, the issuer and the machine's clock",
            };
            CliError::new(ExitStatus::Authentication, text, hint)
        }
        Error::Assertion { .. } => CliError::new(
            ExitStatus::Authentication,
            text,
            "the key cannot sign ES256/RS256 assertions; generate one with `hague keygen`",
        ),
        Error::Discovery { .. } => CliError::new(
            ExitStatus::Service,
            text,
            "check the issuer (--issuer or HAGUE_ISSUER); it must serve /.well-known/openid-configuration",
        ),
        Error::Status { status, .. } => {
            let code = status.as_u16();
            let (exit, hint) = match code {
                401 | 403 => (
                    ExitStatus::Authentication,
                    "the API refused the token: check the scope WIPO gave with the client id, that the client may use this service, and that the request comes from the IP address registered with WIPO",
                ),
                404 => (
                    ExitStatus::Service,
                    "check the id or week and the API base URL: nothing was found at that address",
                ),
                _ => (
                    ExitStatus::Service,
                    "the reply above says what HWS refused; retry later if it is a server error",
                ),
            };
            CliError::new(exit, text, hint)
        }
        Error::PackageInvalid { report } => CliError::invalid_input(
            format!(
                "the package is invalid and was not sent: {} error(s)",
                report.errors().count()
            ),
            "run `hague package validate FILE` to see each problem",
        ),
        Error::PackageUnreadable { .. } => {
            CliError::invalid_input(text, "check that the file is a ZIP package and readable")
        }
        Error::UnexpectedReply { .. } => CliError::new(
            ExitStatus::Service,
            text,
            "the reply formats of HWS are not public; report the command and the reply",
        ),
        Error::MayHaveBeenReceived { .. } => CliError::new(
            ExitStatus::Network,
            text,
            "do not resubmit blindly: check with `hague import-status` or WIPO first",
        ),
        Error::DeadlineReached { .. } => CliError::new(
            ExitStatus::Service,
            text,
            "wait longer (--timeout) or check the request with WIPO",
        ),
        Error::Timeout { .. } | Error::Tls { .. } | Error::Transport { .. } => {
            if is_local_io(e) {
                CliError::invalid_input(
                    text,
                    "check that the target directory exists and is writable",
                )
            } else {
                CliError::new(
                    ExitStatus::Network,
                    format!("cannot reach the service: {text}"),
                    "check the network, the proxy, and the URLs (--api-base-url, --issuer)",
                )
            }
        }
        _ => CliError::new(ExitStatus::Internal, text, "see docs/cli.md"),
    }
}

/// Whether a transport error is about the local file system (a download target).
fn is_local_io(e: &Error) -> bool {
    matches!(
        e,
        Error::Transport {
            source: http_transport::Error::Io { .. },
            ..
        }
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
