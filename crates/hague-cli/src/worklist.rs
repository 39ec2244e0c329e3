//! `hague bulletin worklist --designating CODE [WEEK…|--since WEEK]`: the office's week.
//!
//! For each week it takes the bulletin from the cache (`--cache-dir`, `HAGUE_CACHE_DIR`,
//! else `$XDG_CACHE_HOME/hague/bulletins`, else `~/.cache/hague/bulletins`), downloads the
//! missing ones (a complete file only ever appears under its name: the client writes a
//! temporary file and renames it), exports the registrations designating the office with
//! [`crate::export`], and prints them nearest refusal deadline first.

use std::path::{Path, PathBuf};

use clap::Args;
use cli_support::{CliError, ExitStatus, Report};
use hague_client::{Client, Publication, WeekId};
use serde::Serialize;
use st96_model::Date;

use crate::export::{Filter, for_each_line, office_code, refusal_months};

/// `hague bulletin worklist`.
#[derive(Debug, Args)]
pub struct WorklistArgs {
    /// The office: its contracting party code (e.g. `ES`, `EM`).
    #[arg(long, value_name = "CODE", value_parser = office_code)]
    pub designating: String,
    /// The weeks (`202447`, `2024-W47` or `47/2024`); default: the latest published week.
    #[arg(value_parser = cli_support::args::text(), value_name = "WEEK", conflicts_with = "since")]
    pub weeks: Vec<String>,
    /// Every week from this one to the latest published week.
    #[arg(value_parser = cli_support::args::text(), long, value_name = "WEEK")]
    pub since: Option<String>,
    /// The office's refusal period in months: 6 (Rule 18(1)(a)) or 12 where the office
    /// has declared so (Rule 18(1)(b)). Default: the profile's `refusal_period_months`,
    /// else 6.
    #[arg(long, value_name = "MONTHS", value_parser = refusal_months)]
    pub refusal_period: Option<u32>,
    /// Also list registrations whose refusal deadline has already passed (Hague Express
    /// records carry registrations published long ago).
    #[arg(long)]
    pub include_passed: bool,
    /// Where bulletins are kept (or `HAGUE_CACHE_DIR`).
    #[arg(value_parser = cli_support::args::path(), long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
}

/// The cache directory: the flag, `HAGUE_CACHE_DIR`, `$XDG_CACHE_HOME/hague/bulletins`,
/// `$HOME/.cache/hague/bulletins`.
///
/// # Errors
/// Exit 2 when none can be found.
pub fn cache_dir(
    flag: Option<&Path>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<PathBuf, CliError> {
    if let Some(p) = flag {
        return Ok(p.to_path_buf());
    }
    let non_empty = |k: &str| env(k).filter(|v| !v.is_empty());
    if let Some(p) = non_empty("HAGUE_CACHE_DIR") {
        return Ok(PathBuf::from(p));
    }
    if let Some(p) = non_empty("XDG_CACHE_HOME") {
        return Ok(Path::new(&p).join("hague/bulletins"));
    }
    if let Some(p) = non_empty("HOME") {
        return Ok(Path::new(&p).join(".cache/hague/bulletins"));
    }
    Err(CliError::usage(
        "no cache directory: HOME is not set",
        "give --cache-dir DIR or set HAGUE_CACHE_DIR",
    ))
}

fn parse_week(text: &str) -> Result<WeekId, CliError> {
    text.parse::<WeekId>().map_err(|e| {
        CliError::invalid_input(
            format!("the week `{text}` is not valid: {e}"),
            "give an ISO 8601 week that exists: 202447, 2024-W47 or 47/2024",
        )
    })
}

/// The week after `week`.
fn next_week(week: WeekId) -> Option<WeekId> {
    let friday =
        time::Date::from_iso_week_date(i32::from(week.year()), week.week(), time::Weekday::Friday)
            .ok()?
            .checked_add(time::Duration::days(7))?;
    let (y, w, _) = friday.to_iso_week_date();
    WeekId::new(u32::try_from(y).ok()?, u32::from(w)).ok()
}

/// The weeks to cover, oldest first.
///
/// # Errors
/// Exit 5 for a week that does not exist or a `--since` after the latest week.
pub fn weeks_of(args: &WorklistArgs, today: time::Date) -> Result<Vec<WeekId>, CliError> {
    let latest = crate::bulletin::latest_week(today)?;
    if let Some(since) = &args.since {
        let mut w = parse_week(since)?;
        if w > latest {
            return Err(CliError::invalid_input(
                format!("--since {w} is after the latest published week {latest}"),
                "bulletins come out on Friday night (CET); give an earlier week",
            ));
        }
        let mut out = vec![w];
        while w < latest {
            match next_week(w) {
                Some(n) => {
                    out.push(n);
                    w = n;
                }
                None => break,
            }
        }
        return Ok(out);
    }
    if args.weeks.is_empty() {
        return Ok(vec![latest]);
    }
    let mut out: Vec<WeekId> = args
        .weeks
        .iter()
        .map(|w| parse_week(w))
        .collect::<Result<_, _>>()?;
    out.sort();
    out.dedup();
    Ok(out)
}

/// One registration of the worklist.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    /// The bulletin's week.
    pub week: String,
    /// `HagueBulletinNumber`.
    pub bulletin_number: Option<String>,
    /// The international registration number.
    pub registration_number: Option<String>,
    /// `InternationalRegistrationDate`.
    pub registration_date: Option<String>,
    /// The Act under which the office is designated.
    pub act: Option<String>,
    /// The publication date the refusal period runs from.
    pub published: Option<String>,
    /// The last day to notify a refusal; `None` when the publication date is missing or
    /// not a date.
    pub refusal_deadline: Option<String>,
    /// Days from today to the deadline (negative: passed).
    pub days_left: Option<i64>,
    /// Holders' names.
    pub holders: Vec<String>,
    /// Holders' contracting parties.
    pub holder_contracting_parties: Vec<String>,
    /// Distinct Locarno classes.
    pub locarno_classes: Vec<String>,
    /// `DesignTotalQuantity`.
    pub number_of_designs: Option<u64>,
    /// The record's kind (`registration` or `express-transaction`).
    pub kind: String,
}

/// Makes sure the bulletin of `week` is in the cache; returns its path and whether it was
/// downloaded now. `None` when HWS has no bulletin for the week (404).
async fn ensure(
    client: &Client,
    dir: &Path,
    week: WeekId,
) -> Result<Option<(PathBuf, bool)>, CliError> {
    let path = dir.join(format!("bulletin-{week}.zip"));
    if path.is_file() {
        return Ok(Some((path, false)));
    }
    eprintln!("hague: bulletin {week}: not in the cache, downloading");
    match client
        .download(Publication::Bulletin, week, &path, |_| {})
        .await
    {
        Ok(_) => Ok(Some((path, true))),
        Err(e) if e.status().is_some_and(|s| s.as_u16() == 404) => {
            tracing::warn!("HWS has no bulletin for week {week} (404): skipped");
            Ok(None)
        }
        Err(e) => Err(crate::errors::from_client(&e)),
    }
}

/// `hague bulletin worklist`.
///
/// # Errors
/// Exit 2 or 5 for bad arguments; the client's errors for a failed download; exit 5 for
/// a bulletin that cannot be read.
pub async fn worklist(
    client: &Client,
    args: &WorklistArgs,
    profile_period: Option<u32>,
    today: time::Date,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Report, CliError> {
    let weeks = weeks_of(args, today)?;
    let filter: Filter = crate::export::filter_of(
        Some(args.designating.clone()),
        &["registration".to_owned(), "express-transaction".to_owned()],
        args.refusal_period.or(profile_period),
    )?;
    let dir = cache_dir(args.cache_dir.as_deref(), env)?;
    std::fs::create_dir_all(&dir).map_err(|e| {
        CliError::invalid_input(
            format!("cannot create the cache directory {}: {e}", dir.display()),
            "give a writable --cache-dir",
        )
    })?;
    let today_days = Date::new(
        u16::try_from(today.year()).unwrap_or(0),
        u8::from(today.month()),
        today.day(),
    )
    .ok()
    .map(st96_model::days_from_epoch);
    let mut entries: Vec<Entry> = Vec::new();
    let mut covered = Vec::new();
    let mut fetched = Vec::new();
    let mut missing = Vec::new();
    for week in weeks {
        let Some((path, downloaded)) = ensure(client, &dir, week).await? else {
            missing.push(week.to_string());
            continue;
        };
        if downloaded {
            fetched.push(week.to_string());
        }
        covered.push(week.to_string());
        for_each_line(&path, &filter, |line| {
            let deadline = line.refusal_deadline.as_ref();
            let days_left = deadline
                .and_then(|d| Date::parse(&d.last_day).ok())
                .zip(today_days)
                .map(|(d, t)| st96_model::days_from_epoch(d) - t);
            entries.push(Entry {
                week: week.to_string(),
                bulletin_number: line.bulletin_number.map(str::to_owned),
                registration_number: line.registration_number.map(str::to_owned),
                registration_date: line.registration_date.map(str::to_owned),
                act: line
                    .designated
                    .iter()
                    .find(|d| d.code.eq_ignore_ascii_case(&args.designating))
                    .and_then(|d| d.act.clone()),
                published: deadline.map(|d| d.published.clone()),
                refusal_deadline: deadline.map(|d| d.last_day.clone()),
                days_left,
                holders: line.holders.iter().filter_map(|h| h.name.clone()).collect(),
                holder_contracting_parties: line
                    .holders
                    .iter()
                    .filter_map(|h| h.contracting_party.clone())
                    .collect(),
                locarno_classes: line
                    .locarno_classes
                    .iter()
                    .map(|s| (*s).to_owned())
                    .collect(),
                number_of_designs: line.number_of_designs,
                kind: line.kind.clone(),
            });
            Ok(())
        })?;
    }
    let before = entries.len();
    if !args.include_passed {
        entries.retain(|e| e.days_left.is_none_or(|d| d >= 0));
    }
    let passed_hidden = before - entries.len();
    // Nearest deadline first; undated last; then by number.
    entries.sort_by(|a, b| {
        (
            a.refusal_deadline.is_none(),
            &a.refusal_deadline,
            &a.registration_number,
        )
            .cmp(&(
                b.refusal_deadline.is_none(),
                &b.refusal_deadline,
                &b.registration_number,
            ))
    });
    let period = filter.period.months();
    let mut human = vec![format!(
        "{} registration(s) designating {} in week(s) {} (refusal period {period} months, Rule 18(1)); cache {}",
        entries.len(),
        args.designating,
        if covered.is_empty() {
            "(none)".to_owned()
        } else {
            covered.join(", ")
        },
        dir.display()
    )];
    if !missing.is_empty() {
        human.push(format!("not published (404): {}", missing.join(", ")));
    }
    if passed_hidden > 0 {
        human.push(format!(
            "{passed_hidden} registration(s) whose deadline has passed are not listed (--include-passed lists them)"
        ));
    }
    for e in &entries {
        human.push(format!(
            "{}  {:>5}  {:<10}  {:<4}  {}  {}",
            e.refusal_deadline.as_deref().unwrap_or("(no date) "),
            e.days_left
                .map_or_else(|| "?".to_owned(), |d| format!("{d}d")),
            e.registration_number.as_deref().unwrap_or("(no number)"),
            e.act.as_deref().unwrap_or("-"),
            e.week,
            e.holders.join("; ")
        ));
    }
    let undated = entries
        .iter()
        .filter(|e| e.refusal_deadline.is_none())
        .count();
    if undated > 0 {
        human.push(format!(
            "warning: {undated} registration(s) without a valid publication date have no deadline"
        ));
    }
    let json = serde_json::json!({
        "office": args.designating,
        "refusal_period_months": period,
        "weeks": covered,
        "fetched": fetched,
        "not_published": missing,
        "cache_dir": dir.display().to_string(),
        "passed_hidden": passed_hidden,
        "registrations": entries,
    });
    if entries.is_empty() && covered.is_empty() {
        return Err(CliError::new(
            ExitStatus::Service,
            "HWS has no bulletin for any of the weeks asked",
            "check the weeks: they may not be published yet (bulletins come out on Friday night, CET)",
        ));
    }
    Ok(Report::new(human.join("\n"), json))
}
