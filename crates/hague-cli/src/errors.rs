//! From library errors to one sentence, one hint and an exit status.

use cli_support::{CliError, ExitStatus};
use fapi_jwt_assert::DiscoveryError;
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
        Error::Discovery { source, url } => discovery(source, url, text),
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
                network(e, text)
            }
        }
        _ => CliError::new(ExitStatus::Internal, text, "see docs/cli.md"),
    }
}

/// Where the issuer is set, for hints.
const ISSUER_SETTING: &str = "--issuer, HAGUE_ISSUER, `issuer` in the profile, or --preset";

/// A discovery failure: a configuration problem at the issuer (exit 2), or the
/// provider's own trouble (a 5xx, exit 4); never "check the id".
fn discovery(source: &DiscoveryError, url: &str, text: String) -> CliError {
    let fix = "or give the token endpoint WIPO named with --token-endpoint (HAGUE_TOKEN_ENDPOINT) to skip discovery";
    match source {
        DiscoveryError::Status { status, .. } if *status >= 500 => CliError::new(
            ExitStatus::Service,
            text,
            format!("the OpenID provider failed at {url}; try again later, {fix}"),
        ),
        DiscoveryError::IssuerMismatch { found, .. } => CliError::usage(
            text,
            format!(
                "set the issuer exactly as the provider writes it, `{found}` ({ISSUER_SETTING})"
            ),
        ),
        _ if url.is_empty() => CliError::usage(
            text,
            "check --issuer and --token-endpoint (HAGUE_ISSUER, HAGUE_TOKEN_ENDPOINT, or the profile): both must be https URLs of the OpenID provider",
        ),
        _ => CliError::usage(
            text,
            format!(
                "the issuer is probably wrong: {url} must serve the provider's OpenID metadata; fix the issuer ({ISSUER_SETTING}), {fix}"
            ),
        ),
    }
}

/// A network error: the host is in the message; the hint says which setting
/// names it.
fn network(e: &Error, text: String) -> CliError {
    let message = match e.host() {
        Some(host) if !text.contains(host) => format!("cannot reach {host}: {text}"),
        _ => format!("cannot reach the service: {text}"),
    };
    CliError::new(
        ExitStatus::Network,
        message,
        "check the network, the proxy, and the URLs (--api-base-url, --issuer, --token-endpoint)",
    )
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
