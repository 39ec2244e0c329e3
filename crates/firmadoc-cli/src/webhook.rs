//! `webhook serve` and `webhook verify`: the receiver side.

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use cli_support::{CliError, ExitStatus, Report, SecretText};
use firmadoc_client::model::WebhookDelivery;
use firmadoc_client::webhook::{
    HandlerError, Receiver, Rejection, WebhookSecret, verify_signature,
};
use serde_json::json;

use crate::errors::read_file;

/// The webhook secret. A length outside the ASP.NET receiver's 32 to 128 is
/// a warning on standard error, never a refusal: the real consumer secret's
/// length is not published.
fn webhook_secret(secret: &SecretText) -> Result<WebhookSecret, CliError> {
    let secret = WebhookSecret::new(secret.expose()).map_err(|e| {
        CliError::usage(
            e.to_string(),
            "webhooks are signed with the consumer secret: set FIRMADOC_CONSUMER_SECRET to the one FirmaDocumentos issued",
        )
    })?;
    if let Some(warning) = secret.length_warning() {
        eprintln!("warning: {warning}");
    }
    Ok(secret)
}

/// Where verified deliveries go, one JSON line each.
enum Sink {
    Stdout,
    File(std::fs::File),
}

impl Sink {
    fn open(path: Option<&Path>) -> Result<Self, CliError> {
        let Some(path) = path else {
            return Ok(Self::Stdout);
        };
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map(Self::File)
            .map_err(|e| {
                CliError::invalid_input(
                    format!("cannot open {} for appending: {e}", path.display()),
                    "check that the directory exists and is writable",
                )
            })
    }

    /// Writes one line and flushes it: the sender is acknowledged only after.
    fn write_line(&mut self, line: &[u8]) -> std::io::Result<()> {
        match self {
            Self::Stdout => {
                let mut out = std::io::stdout().lock();
                out.write_all(line)?;
                out.flush()
            }
            Self::File(f) => {
                f.write_all(line)?;
                f.flush()
            }
        }
    }
}

/// Runs the receiver until Ctrl-C or `max_events` verified deliveries.
///
/// # Errors
/// Exit 2 for a secret of the wrong length or an address that cannot be bound;
/// exit 5 for an output file that cannot be opened.
pub(crate) async fn serve(
    secret: &SecretText,
    listen: SocketAddr,
    out: Option<PathBuf>,
    max_events: Option<u64>,
    store: Arc<dyn firmadoc_client::webhook::DedupStore>,
) -> Result<u64, CliError> {
    let secret = webhook_secret(secret)?;
    let sink = Arc::new(Mutex::new(Sink::open(out.as_deref())?));
    let listener = tokio::net::TcpListener::bind(listen).await.map_err(|e| {
        CliError::usage(
            format!("cannot listen on {listen}: {e}"),
            "choose another address or port with --listen",
        )
    })?;
    let local = listener.local_addr().unwrap_or(listen);
    cli_support::console::note(
        "listening",
        &format!("listening on http://{local}/ (Ctrl-C to stop)"),
        json!({"url": format!("http://{local}/")}),
    );

    let count = Arc::new(AtomicU64::new(0));
    let done = Arc::new(tokio::sync::Notify::new());
    let handler = {
        let (count, done) = (Arc::clone(&count), Arc::clone(&done));
        move |delivery: WebhookDelivery| {
            let (sink, count, done) = (Arc::clone(&sink), Arc::clone(&count), Arc::clone(&done));
            async move {
                // The exact bytes and the signature header: `webhook verify` can check
                // the line again (see docs/cli.md).
                // A body that is not UTF-8 is kept as base64 (`body_base64`): never
                // replaced characters, which would no longer verify.
                let raw = crate::webhook_server::current();
                let mut fields = serde_json::Map::new();
                match std::str::from_utf8(&raw.body) {
                    Ok(text) => fields.insert("body".into(), text.into()),
                    Err(_) => fields.insert(
                        "body_base64".into(),
                        base64::engine::general_purpose::STANDARD
                            .encode(&raw.body)
                            .into(),
                    ),
                };
                fields.insert("signature".into(), json!(raw.signature));
                fields.insert("delivery".into(), serde_json::to_value(&delivery)?);
                let mut line = serde_json::to_vec(&fields)?;
                line.push(b'\n');
                let mut sink = sink
                    .lock()
                    .map_err(|_| -> HandlerError { "the output lock is poisoned".into() })?;
                sink.write_line(&line)?;
                let n = count.fetch_add(1, Ordering::SeqCst) + 1;
                if max_events.is_some_and(|max| n >= max) {
                    done.notify_one();
                }
                Ok::<(), HandlerError>(())
            }
        }
    };
    let receiver = Receiver::new(secret, handler).store(store);
    let shutdown = async move {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            () = done.notified() => {}
        }
    };
    crate::webhook_server::serve(receiver, listener, shutdown)
        .await
        .map_err(|e| {
            CliError::new(
                ExitStatus::Network,
                format!("the webhook receiver stopped: {e}"),
                "restart it; the sender retries deliveries that were not acknowledged",
            )
        })?;
    Ok(count.load(Ordering::SeqCst))
}

/// Verifies a saved delivery against its `ms-signature` value.
///
/// # Errors
/// Exit 7 when the signature does not verify (forged or altered, or another
/// secret); exit 2 for a secret of the wrong length; exit 5 for an unreadable file.
pub(crate) fn verify(
    secret: &SecretText,
    bytes: &[u8],
    signature: &str,
) -> Result<Report, CliError> {
    let secret = webhook_secret(secret)?;
    verify_signature(&secret, [signature.as_bytes()], bytes).map_err(|e| rejected(&e))?;
    // Verified: never refused for its shape; an untyped body is reported with its raw text.
    let delivery = WebhookDelivery::from_verified_body(bytes);
    let untyped = delivery
        .untyped
        .as_ref()
        .map(|u| format!(" (untyped: {})", u.reason))
        .unwrap_or_default();
    Ok(Report::new(
        format!(
            "verified: delivery {} (attempt {}), {} notifications{untyped}",
            delivery.id,
            delivery.attempt,
            delivery.notifications.len()
        ),
        json!({"verified": true, "delivery": delivery}),
    ))
}

/// The body bytes and the signature to verify: `--body FILE --signature VALUE`,
/// or `--saved FILE` (a line of `webhook serve`, `-` for standard input).
///
/// # Errors
/// Exit 5 for an unreadable file or a line that is not one of `webhook serve`.
pub(crate) fn delivery_input(
    body: Option<PathBuf>,
    signature: Option<String>,
    saved: Option<PathBuf>,
) -> Result<(Vec<u8>, String), CliError> {
    if let (Some(body), Some(signature)) = (body, signature) {
        return Ok((read_file(&body, "delivery body")?, signature));
    }
    let Some(saved) = saved else {
        return Err(CliError::usage(
            "give --body FILE --signature VALUE, or --saved FILE",
            "see `firmadoc webhook verify --help`",
        ));
    };
    let text = if saved.as_os_str() == "-" {
        let mut t = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut t).map_err(|e| {
            CliError::invalid_input(
                format!("cannot read standard input: {e}"),
                "pipe one line of `webhook serve` into it",
            )
        })?;
        t
    } else {
        read_file(&saved, "saved delivery")?
    };
    let not_a_line = || {
        CliError::invalid_input(
            format!(
                "{} is not a line written by `firmadoc webhook serve`",
                saved.display()
            ),
            "give one line of the serve output (a JSON object with `body` or `body_base64`, and `signature`)",
        )
    };
    let first = text
        .split(|b| *b == b'\n')
        .find(|l| !l.is_empty())
        .ok_or_else(not_a_line)?;
    let line: serde_json::Value = serde_json::from_slice(first).map_err(|_| not_a_line())?;
    let text = |key: &str| line.get(key).and_then(serde_json::Value::as_str);
    let body = match (text("body"), text("body_base64")) {
        (Some(body), _) => body.as_bytes().to_vec(),
        (None, Some(encoded)) => base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .map_err(|_| not_a_line())?,
        (None, None) => return Err(not_a_line()),
    };
    let signature = text("signature").ok_or_else(not_a_line)?;
    Ok((body, signature.to_owned()))
}

fn rejected(e: &Rejection) -> CliError {
    CliError::new(
        ExitStatus::Verification,
        format!("the webhook delivery is refused: {e}"),
        "check that the body file holds the exact bytes received and that FIRMADOC_CONSUMER_SECRET is the secret of the sending account",
    )
}
