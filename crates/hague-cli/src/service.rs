//! The commands that call HWS: token, ping, submit, import-status, status, wait.

use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use cli_support::{CliError, Report};
use hague_client::{
    Client, ImportId, ImportStatus, PollPolicy, ProcessingStatus, ServiceRequestStatus, Submission,
};

use crate::cli::WaitArgs;
use crate::errors::{from_client, read_file};

fn unix(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// RFC 3339 of a Unix time, UTC, for people.
fn rfc3339(secs: u64) -> String {
    i64::try_from(secs)
        .ok()
        .and_then(|s| time::OffsetDateTime::from_unix_timestamp(s).ok())
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| format!("@{secs}"))
}

/// `hague token`: the expiry and the scope; the token itself only with `show`.
///
/// # Errors
/// The client's error (exit 3 when the provider refuses the client).
pub async fn token(client: &Client, show: bool) -> Result<Report, CliError> {
    let info = client.token_info().await.map_err(|e| from_client(&e))?;
    let requested = unix(info.requested_at);
    let expires_at = info.expires_in.map(|s| requested.saturating_add(s));
    let scope = info.scope.clone();
    let mut human = format!(
        "token type: {}\nexpires in: {}\nexpires at: {}\nscope: {}",
        info.token_type,
        info.expires_in
            .map_or_else(|| "not stated".to_owned(), |s| format!("{s} s")),
        expires_at.map_or_else(|| "not stated".to_owned(), rfc3339),
        scope.as_deref().unwrap_or("(not stated by the provider)"),
    );
    let mut json = serde_json::json!({
        "token_type": info.token_type,
        "expires_in": info.expires_in,
        "expires_at": expires_at,
        "scope": scope,
    });
    if show {
        let token = info.access_token.expose_secret().to_owned();
        human.push_str(&format!("\naccess token: {token}"));
        if let Some(obj) = json.as_object_mut() {
            obj.insert("access_token".into(), token.into());
        }
    }
    Ok(Report::new(human, json))
}

/// `hague ping`.
///
/// # Errors
/// The client's error.
pub async fn ping(client: &Client) -> Result<Report, CliError> {
    client.ping().await.map_err(|e| from_client(&e))?;
    Ok(Report::new(
        "pong: HWS answered with the token",
        serde_json::json!({"ok": true}),
    ))
}

fn import_json(s: &ImportStatus) -> serde_json::Value {
    serde_json::json!({
        "import_id": s.import_id,
        "status": s.status,
        "service_request_number": s.service_request_number,
        "fields": s.fields.iter().map(|(k, v)| serde_json::json!([k, v])).collect::<Vec<_>>(),
    })
}

fn import_human(s: &ImportStatus) -> String {
    format!(
        "import id: {}\nstatus: {}\nservice request number: {}",
        s.import_id.as_deref().unwrap_or("-"),
        s.status.as_deref().unwrap_or("-"),
        s.service_request_number
            .as_deref()
            .unwrap_or("(not assigned yet)"),
    )
}

fn request_json(s: &ServiceRequestStatus) -> serde_json::Value {
    serde_json::json!({
        "request_identifier": s.request_identifier,
        "processing_status": s.processing_status.as_ref().map(ProcessingStatus::label),
        "service_request_number": s.service_request_number,
        "registration_number": s.registration_number,
        "expected_publication_date": s.expected_publication_date,
        "fields": s.fields.iter().map(|(k, v)| serde_json::json!([k, v])).collect::<Vec<_>>(),
    })
}

fn request_human(s: &ServiceRequestStatus) -> String {
    format!(
        "service request number: {}\nprocessing status: {}\nrequest identifier: {}\ninternational registration number: {}\nexpected publication date: {}",
        s.service_request_number.as_deref().unwrap_or("-"),
        s.processing_status
            .as_ref()
            .map_or("-", ProcessingStatus::label),
        s.request_identifier.as_deref().unwrap_or("-"),
        s.registration_number.as_deref().unwrap_or("-"),
        s.expected_publication_date.as_deref().unwrap_or("-"),
    )
}

/// `hague submit FILE`.
///
/// # Errors
/// Exit 5 for an unreadable or invalid package (nothing is sent), else the client's error.
pub async fn submit(client: &Client, path: &Path) -> Result<Report, CliError> {
    let package = read_file(path, "package")?;
    let submission = client
        .submit_with(package, &hague_client::ValidationOptions::default())
        .await
        .map_err(|e| {
            if let hague_client::Error::PackageInvalid { report } = &e {
                for line in crate::package::finding_lines(report) {
                    cli_support::console::note(
                        "problem",
                        &format!("- {line}"),
                        serde_json::json!({}),
                    );
                }
            }
            from_client(&e)
        })?;
    Ok(submission_report(path, &submission))
}

/// What `hague submit` prints: the package was accepted (any 2xx); the import id when the
/// reply has one, else a plain warning not to submit again and the raw reply.
fn submission_report(path: &Path, s: &Submission) -> Report {
    let headers: Vec<String> = s.headers.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    let mut human = format!(
        "accepted: HWS took {} (HTTP {}); do not submit this package again\n",
        path.display(),
        s.status
    );
    match &s.import_id {
        Some(id) => human.push_str(&format!(
            "import id: {id}\npackage sha256: {}\nstatus: {}\nnext: hague wait {id}",
            s.package_sha256,
            s.reply.status.as_deref().unwrap_or("-"),
        )),
        None => human.push_str(&format!(
            "import id: none found in the reply (the guide does not say what the reply looks like)\n\
             The package WAS accepted: do NOT submit it again. Keep this output, and ask WIPO\n\
             (hague.it@wipo.int) for the import of the package with this SHA-256.\n\
             package sha256: {}\nreply headers:\n  {}\nraw reply:\n{}",
            s.package_sha256,
            if headers.is_empty() { "(none)".to_owned() } else { headers.join("\n  ") },
            if s.reply.raw.is_empty() { "(empty body)" } else { s.reply.raw.as_str() },
        )),
    }
    let json = serde_json::json!({
        "accepted": true,
        "submit_again": false,
        "http_status": s.status,
        "import_id": s.import_id.as_ref().map(ImportId::as_str),
        "import_id_source": s.import_id_source,
        "package_sha256": s.package_sha256,
        "headers": s.headers.iter().map(|(k, v)| serde_json::json!([k, v])).collect::<Vec<_>>(),
        "raw_reply": s.reply.raw,
        "reply": import_json(&s.reply),
    });
    Report::new(human, json)
}

/// `hague import-status ID`.
///
/// # Errors
/// The client's error.
pub async fn import_status(client: &Client, id: &str) -> Result<Report, CliError> {
    let s = client
        .import_status(&ImportId::new(id))
        .await
        .map_err(|e| from_client(&e))?;
    Ok(Report::new(import_human(&s), import_json(&s)))
}

/// `hague status SRN`.
///
/// # Errors
/// The client's error.
pub async fn status(client: &Client, srn: &str) -> Result<Report, CliError> {
    let s = client
        .request_status(srn)
        .await
        .map_err(|e| from_client(&e))?;
    Ok(Report::new(request_human(&s), request_json(&s)))
}

/// The statuses of `--until`: each must be one of the guide's six (English, Spanish or
/// French label); checked before any call.
///
/// # Errors
/// Exit 2 naming the value and listing the six statuses.
pub fn until_statuses(args: &WaitArgs) -> Result<Vec<ProcessingStatus>, CliError> {
    args.until
        .iter()
        .map(|s| {
            ProcessingStatus::parse_known(s.trim()).ok_or_else(|| {
                let known: Vec<String> = ProcessingStatus::ALL
                    .iter()
                    .map(|p| format!("{} ({})", p.label(), p.spanish_label()))
                    .collect();
                CliError::usage(
                    format!("--until `{}` is not one of the guide's processing statuses", s.trim()),
                    format!(
                        "use one of: {} (English, Spanish or French labels; e.g. --until Registered)",
                        known.join(", ")
                    ),
                )
            })
        })
        .collect()
}

/// Checks `hague wait`'s numbers and `--until` statuses before any call.
///
/// # Errors
/// Exit 2 for a non-positive or non-finite interval, or an unknown `--until` status.
pub fn poll_policy(args: &WaitArgs) -> Result<PollPolicy, CliError> {
    until_statuses(args)?;
    let secs = |v: f64, flag: &str| {
        if v.is_finite() && v > 0.0 && v < 1e9 {
            Ok(Duration::from_secs_f64(v))
        } else {
            Err(CliError::usage(
                format!("{flag} must be a positive number of seconds"),
                "for example --interval 5 --max-interval 300",
            ))
        }
    };
    let initial = secs(args.interval, "--interval")?;
    let max = secs(args.max_interval, "--max-interval")?.max(initial);
    Ok(PollPolicy::with_deadline(Duration::from_secs(args.timeout)).intervals(initial, max))
}

/// `hague wait ID [--until STATUS]`.
///
/// # Errors
/// The client's error; exit 4 when the deadline passes.
pub async fn wait(client: &Client, args: &WaitArgs) -> Result<Report, CliError> {
    let policy = poll_policy(args)?;
    let targets = until_statuses(args)?;
    let import = client
        .wait_for_service_request(&ImportId::new(&args.import_id), policy)
        .await
        .map_err(|e| wait_error(&e))?;
    let Some(srn) = import.service_request_number.clone() else {
        return Err(CliError::new(
            cli_support::ExitStatus::Service,
            "the import reply has no service request number",
            "report the command and the reply",
        ));
    };
    if args.until.is_empty() {
        return Ok(Report::new(import_human(&import), import_json(&import)));
    }
    let status = client
        .wait_for_status(&srn, &targets, policy)
        .await
        .map_err(|e| wait_error(&e))?;
    Ok(Report::new(
        format!("{}\n{}", import_human(&import), request_human(&status)),
        serde_json::json!({"import": import_json(&import), "request": request_json(&status)}),
    ))
}

/// A wait's error: a final status other than the awaited one, or a failed import, exits 4
/// naming it; the rest as any client error.
fn wait_error(e: &hague_client::Error) -> CliError {
    match e {
        hague_client::Error::FinalStatus { status, reply, .. } => CliError::new(
            cli_support::ExitStatus::Service,
            format!(
                "{e}{}",
                reply
                    .service_request_number
                    .as_deref()
                    .map(|n| format!(" (service request {n})"))
                    .unwrap_or_default()
            ),
            format!(
                "{} is final: no other status can follow; `hague status` shows the whole reply",
                status.label()
            ),
        ),
        hague_client::Error::ImportFailed { .. } => CliError::new(
            cli_support::ExitStatus::Service,
            e.to_string(),
            "fix the package (`hague package validate`) and submit it again, or ask WIPO about the import",
        ),
        _ => from_client(e),
    }
}
