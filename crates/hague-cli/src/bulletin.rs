//! `hague bulletin fetch|inspect|extract` and `hague confidential fetch`.

use std::collections::BTreeMap;
use std::io::{BufReader, IsTerminal as _};
use std::path::{Path, PathBuf};

use cli_support::console::note;
use cli_support::{CliError, ExitStatus, OutputTarget, Report};
use hague_client::{Client, Progress, Publication, WeekId};
use hague_package::{Bulletin, BulletinError, Limits};
use st96_model::RecordKind;
use time::{Date, Weekday};

use crate::cli::FetchArgs;
use crate::errors::from_client;

/// The newest published week on `today` (UTC): bulletins are published on Friday
/// night (CET), so from Saturday on it is the current ISO week, else the previous one.
/// **Inferred** from the one known example (issue 46/2019, published Friday 15.11.2019).
///
/// # Errors
/// Exit 1 only if the calendar arithmetic leaves the supported range.
pub fn latest_week(today: Date) -> Result<WeekId, CliError> {
    let day = match today.weekday() {
        Weekday::Saturday | Weekday::Sunday => Some(today),
        _ => today.checked_sub(time::Duration::days(7)),
    };
    let week = day.and_then(|d| {
        let (year, week, _) = d.to_iso_week_date();
        let year = u32::try_from(year).ok()?;
        WeekId::new(year, u32::from(week)).ok()
    });
    week.ok_or_else(|| {
        CliError::new(
            ExitStatus::Internal,
            format!("cannot compute the latest week from {today}"),
            "give the week explicitly, e.g. 2024-W47",
        )
    })
}

/// The week of `args`: parsed, or `--latest` for `today`.
///
/// # Errors
/// Exit 5 for a week that does not exist (`202400`, `2021-W53`).
pub fn week_of(args: &FetchArgs, today: Date) -> Result<WeekId, CliError> {
    match &args.week {
        Some(text) => text.parse::<WeekId>().map_err(|e| {
            CliError::invalid_input(
                format!("the week `{text}` is not valid: {e}"),
                "give an ISO 8601 week that exists: 202447, 2024-W47 or 47/2024 (week 53 only in years that have one)",
            )
        }),
        None => latest_week(today),
    }
}

/// Reports download progress: a bar on a terminal, plain lines otherwise.
struct Reporter {
    bar: Option<indicatif::ProgressBar>,
    next_line: u64,
    label: String,
}

/// Plain progress lines every this many bytes.
const LINE_EVERY: u64 = 8 << 20;

impl Reporter {
    fn new(label: String) -> Self {
        let bar = (std::io::stderr().is_terminal() && !cli_support::console::json()).then(|| {
            let bar = indicatif::ProgressBar::new(0);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{msg} [{bar:40}] {bytes}/{total_bytes} {bytes_per_sec} {eta}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
            bar.set_message(label.clone());
            bar
        });
        if bar.is_none() {
            note(
                "progress",
                &format!("{label}: downloading"),
                serde_json::json!({"label": label, "bytes": 0}),
            );
        }
        Self {
            bar,
            next_line: LINE_EVERY,
            label,
        }
    }

    fn update(&mut self, p: Progress) {
        match &self.bar {
            Some(bar) => {
                if let Some(total) = p.total {
                    bar.set_length(total);
                }
                bar.set_position(p.received);
            }
            None => {
                if p.received >= self.next_line {
                    let total = p.total.map_or_else(String::new, |t| format!(" of {t}"));
                    note(
                        "progress",
                        &format!("{}: {} bytes{total}", self.label, p.received),
                        serde_json::json!({"label": self.label, "bytes": p.received, "total": p.total}),
                    );
                    self.next_line = p.received.saturating_add(LINE_EVERY);
                }
            }
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

fn names(publication: Publication) -> (&'static str, &'static str) {
    match publication {
        Publication::Bulletin => ("bulletin", "bulletin"),
        _ => ("confidential copies", "confidential"),
    }
}

/// The checked `-o` of a fetch (default `<prefix>-<week>.zip`), before any call.
///
/// # Errors
/// Exit 5 for an existing file without `--force`, a directory, and the like.
pub fn target(
    args: &FetchArgs,
    publication: Publication,
    week: WeekId,
) -> Result<OutputTarget, CliError> {
    let (_, prefix) = names(publication);
    let path = args
        .output
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("{prefix}-{week}.zip")));
    OutputTarget::check(&path, args.force)
}

/// Downloads a week's publication to `target` (a file: temporary file renamed
/// when complete; a stream or `-`: copied there when complete).
///
/// # Errors
/// Exit 5 for an invalid week, else the client's error (404: no such week).
pub async fn fetch(
    client: &Client,
    publication: Publication,
    week: WeekId,
    target: &OutputTarget,
) -> Result<Report, CliError> {
    let (what, prefix) = names(publication);
    let staging = target.staging()?;
    let mut reporter = Reporter::new(format!("{what} {week}"));
    let result = tokio::select! {
        r = client.download(publication, week, staging.path(), |p| reporter.update(p)) => r,
        signal = interrupted() => {
            // The download future is dropped here: a temporary part file is removed; a
            // resumable one (the server sent an ETag or Last-Modified) stays beside the
            // target, and the same command resumes it.
            reporter.finish();
            let left = kept_note(staging.path());
            note(
                "interrupted",
                &format!("{what} {week}: interrupted by {signal}; {left}"),
                serde_json::json!({"signal": signal}),
            );
            std::process::exit(128 + signal_number(signal));
        }
    };
    reporter.finish();
    let download = result.map_err(|e| {
        let mut err = from_client(&e);
        if e.status().is_some_and(|s| s.as_u16() == 404) {
            err = CliError::new(
                ExitStatus::Service,
                format!("HWS has no {what} for week {week} (404)"),
                "check the week: it may not be published yet (bulletins come out on Friday night, CET); try --latest",
            );
        }
        err
    })?;
    staging.finish()?;
    let sha = download.sha256_hex();
    let resumed = resume_note(&download);
    let human = format!(
        "{what} {week}: wrote {} ({} bytes, sha256 {sha}){resumed}",
        target.display(),
        download.bytes
    );
    let json = serde_json::json!({
        "publication": prefix,
        "week": week.to_string(),
        "path": target.json_path(),
        "bytes": download.bytes,
        "sha256": sha,
        "resumed_from": download.resumed_from,
        "transferred": download.transferred,
        "restart": download.restart.map(|r| r.to_string()),
    });
    Ok(Report::new(human, json).on_stderr(target.is_stdout()))
}

/// How the download began, when it was not a plain fresh one.
fn resume_note(download: &hague_client::Download) -> String {
    match download.restart {
        Some(hague_client::Restart::RangeIgnored) => {
            "; server ignored the range: restarted".to_owned()
        }
        Some(why) => format!("; {why}"),
        None if download.resumed_from > 0 => {
            format!("; resumed at {} bytes", download.resumed_from)
        }
        None => String::new(),
    }
}

/// What an interrupted fetch left: the partial file kept for a resume, or nothing.
fn kept_note(target: &Path) -> String {
    let mut name = std::ffi::OsString::from(".");
    name.push(target.file_name().unwrap_or_default());
    name.push(".partial");
    let partial = target.with_file_name(name);
    match std::fs::metadata(&partial) {
        Ok(m) => format!(
            "{} bytes kept in {}: run the same command again to resume",
            m.len(),
            partial.display()
        ),
        Err(_) => "no file was written".to_owned(),
    }
}

/// Waits for SIGINT (Ctrl-C) or, on unix, SIGTERM (what cron and systemd send), and
/// names it.
async fn interrupted() -> &'static str {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            return tokio::select! {
                () = ctrl_c() => "SIGINT",
                _ = term.recv() => "SIGTERM",
            };
        }
    }
    ctrl_c().await;
    "SIGINT"
}

/// Ctrl-C; never resolves if the handler cannot be installed.
async fn ctrl_c() {
    if tokio::signal::ctrl_c().await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// The signal's number, for the shell's `128 + n` exit status.
fn signal_number(name: &str) -> i32 {
    if name == "SIGTERM" { 15 } else { 2 }
}

fn open(path: &Path) -> Result<Bulletin<BufReader<std::fs::File>>, CliError> {
    let file = std::fs::File::open(path).map_err(|e| {
        CliError::invalid_input(
            format!("cannot read the bulletin {}: {e}", path.display()),
            "check the path and that the file is readable",
        )
    })?;
    Bulletin::open(BufReader::new(file), &Limits::default()).map_err(|e| bulletin_error(path, &e))
}

fn bulletin_error(path: &Path, e: &BulletinError) -> CliError {
    match e {
        BulletinError::Refused(report) => {
            for line in crate::package::finding_lines(report) {
                note("problem", &format!("- {line}"), serde_json::json!({}));
            }
            CliError::invalid_input(
                format!(
                    "the bulletin {} is refused: {} problem(s)",
                    path.display(),
                    report.errors().count()
                ),
                "the archive is damaged or unsafe (problems listed above); download it again",
            )
        }
        other => CliError::invalid_input(
            format!("the bulletin {} cannot be read: {other}", path.display()),
            "download it again",
        ),
    }
}

/// Whether a record kind carries a registration (new ones, or Hague Express).
fn is_registration(kind: &RecordKind) -> bool {
    matches!(kind, RecordKind::Registration | RecordKind::Express)
}

/// `hague bulletin inspect FILE`.
///
/// # Errors
/// Exit 5 for an unreadable or unsafe bulletin, or XML that does not parse.
pub fn inspect(path: &Path) -> Result<Report, CliError> {
    let mut bulletin = open(path)?;
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    let mut registrations: Vec<(String, Vec<String>)> = Vec::new();
    let mut number = None;
    {
        let mut records = bulletin.records().map_err(|e| bulletin_error(path, &e))?;
        for record in records.by_ref() {
            let record = record.map_err(|e| {
                CliError::invalid_input(
                    format!("the bulletin XML of {} cannot be read: {e}", path.display()),
                    "the file may be damaged; download it again",
                )
            })?;
            *counts.entry(record.kind.element().to_owned()).or_default() += 1;
            if is_registration(&record.kind) {
                let irn = record
                    .registration_number()
                    .unwrap_or("(no number)")
                    .to_owned();
                let named: Vec<String> = record.image_file_names().map(str::to_owned).collect();
                registrations.push((irn, named));
            }
        }
        number = number.or_else(|| records.bulletin_number().map(str::to_owned));
    }
    let total: u64 = counts.values().sum();
    let mut human = vec![format!(
        "{}: bulletin {}, {total} record(s), XML {}",
        path.display(),
        number.as_deref().unwrap_or("(number not stated)"),
        bulletin.xml_name()
    )];
    human.push("records per kind:".to_owned());
    human.extend(counts.iter().map(|(k, n)| format!("  {k}: {n}")));
    human.push(format!("registrations: {}", registrations.len()));
    let mut regs_json = Vec::new();
    for (irn, named) in &registrations {
        let files = bulletin.files_of(irn);
        human.push(format!(
            "  {irn}: {} image(s) in the archive{}",
            files.len(),
            if files.is_empty() {
                String::new()
            } else {
                format!(": {}", files.join(", "))
            }
        ));
        regs_json.push(serde_json::json!({
            "registration_number": irn,
            "images": files,
            "image_file_names_in_xml": named,
        }));
    }
    let json = serde_json::json!({
        "file": path.display().to_string(),
        "bulletin_number": number,
        "xml": bulletin.xml_name(),
        "records": total,
        "kinds": counts,
        "registrations": regs_json,
    });
    Ok(Report::new(human.join("\n"), json))
}

/// `hague bulletin extract FILE -o DIR`.
///
/// # Errors
/// Exit 5 for an unsafe or damaged bulletin (nothing is written), or a
/// destination that exists or cannot be written.
pub fn extract(path: &Path, dest: &Path) -> Result<Report, CliError> {
    let bulletin = open(path)?;
    let extracted = bulletin.extract_to(dest).map_err(|e| {
        CliError::invalid_input(
            format!(
                "cannot extract {} into {}: {e}",
                path.display(),
                dest.display()
            ),
            "the destination must be a new directory in a writable place; nothing was left behind",
        )
    })?;
    let human = format!(
        "extracted {} file(s), {} bytes, into {}",
        extracted.files,
        extracted.bytes,
        extracted.dir.display()
    );
    let json = serde_json::json!({
        "path": extracted.dir.display().to_string(),
        "files": extracted.files,
        "bytes": extracted.bytes,
        "warnings": crate::package::finding_lines(&extracted.report),
    });
    Ok(Report::new(human, json))
}

#[cfg(test)]
mod tests {
    use super::latest_week;
    use time::{Date, Month};

    fn week(y: i32, m: Month, d: u8) -> String {
        let date = Date::from_calendar_date(y, m, d).unwrap();
        latest_week(date).unwrap().to_string()
    }

    #[test]
    fn latest_week_follows_the_friday_night_rule() {
        // Friday 15.11.2019 is in ISO week 46 (the guide's example issue 46/2019):
        // that Friday the newest published issue is still 45; on Saturday it is 46.
        assert_eq!(week(2019, Month::November, 15), "201945");
        assert_eq!(week(2019, Month::November, 16), "201946");
        assert_eq!(week(2019, Month::November, 17), "201946");
        assert_eq!(week(2019, Month::November, 18), "201946");
        // Saturday 2 January 2021 belongs to 2020-W53; Monday 4 January starts 2021-W01.
        assert_eq!(week(2021, Month::January, 2), "202053");
        assert_eq!(week(2021, Month::January, 4), "202053");
        assert_eq!(week(2021, Month::January, 9), "202101");
    }
}
