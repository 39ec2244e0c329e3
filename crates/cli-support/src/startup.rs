//! How every tool starts: parse the command line (clap's own errors and help
//! included in `--json` mode), set the output mode, install the warning
//! logger, run the command on a single-threaded async runtime, print its
//! outcome and give `main` its exit code.

use std::ffi::OsString;
use std::future::Future;
use std::io::Write;
use std::process::ExitCode;

use clap::error::ErrorKind;
use serde_json::json;

use crate::error::CliError;
use crate::exit::ExitStatus;
use crate::report::{Report, finish_to};

/// Whether `--json` is on the command line (before any `--`). Decided before
/// clap parses, so that clap's own errors are JSON too.
#[must_use]
pub fn wants_json(args: &[OsString]) -> bool {
    args.iter()
        .skip(1)
        .take_while(|a| a.as_os_str() != "--")
        .any(|a| a.as_os_str() == "--json")
}

/// The whole life of a tool's process: `main` of both tools is
/// `cli_support::main::<Cli>("hague", run)`.
///
/// `run` gets the parsed command line and returns the report to print (or
/// none), or the error. Help and `--version` go to standard output with exit
/// 0; a bad command line to standard error with exit 2 (as one JSON line with
/// `--json`: see [`usage_error_json`]).
pub fn main<C: clap::Parser>(
    tool: &'static str,
    run: impl FnOnce(C) -> Result<Option<Report>, CliError>,
) -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().collect();
    main_with(
        tool,
        args,
        run,
        &mut std::io::stdout().lock(),
        &mut std::io::stderr().lock(),
    )
    .into()
}

/// [`main`] with the arguments and the two streams given (for tests).
pub fn main_with<C: clap::Parser>(
    tool: &'static str,
    args: Vec<OsString>,
    run: impl FnOnce(C) -> Result<Option<Report>, CliError>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> ExitStatus {
    let json = wants_json(&args);
    crate::console::init(tool, json);
    let cli = match C::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => return clap_outcome(tool, json, &e, out, err),
    };
    crate::console::logging::init();
    let outcome = run(cli);
    finish_to(tool, json, outcome, out, err)
}

/// Prints clap's help, version or error, and returns its exit status.
fn clap_outcome(
    tool: &str,
    json: bool,
    e: &clap::Error,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> ExitStatus {
    let text = e.render().to_string();
    let informational = matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion);
    if informational {
        let line = if !json {
            text
        } else if e.kind() == ErrorKind::DisplayVersion {
            format!("{}\n", json!({ "version": text.trim() }))
        } else {
            format!("{}\n", json!({ "help": text }))
        };
        let _ = out.write_all(line.as_bytes());
        let _ = out.flush();
        return ExitStatus::Success;
    }
    let parsed = UsageError::parse(tool, &text);
    let line = if json {
        format!("{}\n", parsed.to_json())
    } else {
        let mut t = CliError::usage(parsed.message.clone(), parsed.hint.clone()).to_text(tool);
        if let Some(usage) = &parsed.usage {
            t.push_str(usage);
            t.push('\n');
        }
        t
    };
    let _ = err.write_all(line.as_bytes());
    let _ = err.flush();
    ExitStatus::Usage
}

/// A bad command line, as clap reported it.
struct UsageError {
    message: String,
    hint: String,
    usage: Option<String>,
}

impl UsageError {
    fn parse(tool: &str, rendered: &str) -> Self {
        let mut message = Vec::new();
        let mut tips = Vec::new();
        let mut usage = Vec::new();
        let mut in_usage = false;
        for line in rendered.lines() {
            let trimmed = line.trim();
            if trimmed.starts_with("Usage:") {
                in_usage = true;
            }
            if in_usage {
                if trimmed.is_empty() {
                    in_usage = false;
                } else {
                    usage.push(trimmed.to_owned());
                }
                continue;
            }
            if trimmed.is_empty() || trimmed.starts_with("For more information") {
                continue;
            }
            if let Some(tip) = trimmed.strip_prefix("tip:") {
                tips.push(tip.trim().to_owned());
            } else {
                message.push(
                    trimmed
                        .strip_prefix("error:")
                        .unwrap_or(trimmed)
                        .trim()
                        .to_owned(),
                );
            }
        }
        let usage = if usage.is_empty() {
            None
        } else {
            Some(usage.join(" "))
        };
        // `Usage: hague wait [OPTIONS] <ID>` names the command: `hague wait`.
        let command = usage
            .as_deref()
            .and_then(|u| u.strip_prefix("Usage:"))
            .map(|u| {
                u.split_whitespace()
                    .take_while(|w| !w.starts_with(['[', '<', '-']))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .filter(|c| !c.is_empty())
            .unwrap_or_else(|| tool.to_owned());
        let hint = if tips.is_empty() {
            format!("see `{command} --help`")
        } else {
            tips.join(" ")
        };
        Self {
            message: message.join(" "),
            hint,
            usage,
        }
    }

    fn to_json(&self) -> serde_json::Value {
        json!({
            "error": {
                "status": ExitStatus::Usage.name(),
                "exit_code": ExitStatus::Usage.code(),
                "message": self.message,
                "hint": self.hint,
                "usage": self.usage,
            }
        })
    }
}

/// A clap error as the one JSON line `--json` prints on standard error:
/// `{"error":{"status":"usage","exit_code":2,"message":"...","hint":"...","usage":"Usage: ..."}}`.
/// `message` is clap's error sentence (`--timeout must be 1 to 604800 seconds
/// (got `-1`)`, `unexpected argument '--x' found`), `usage` the usage line clap
/// prints under it (`null` when there is none). Without `--json` the same
/// error is printed as `tool: error: ...`, `tool: hint: ...` and the usage line.
#[must_use]
pub fn usage_error_json(tool: &str, rendered: &str) -> serde_json::Value {
    UsageError::parse(tool, rendered).to_json()
}

/// Runs `future` to completion on a single-threaded runtime with I/O and timers.
///
/// # Errors
/// Exit 1 when the runtime cannot be started (a resource limit).
pub fn block_on<F: Future>(future: F) -> Result<F::Output, CliError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            CliError::new(
                ExitStatus::Internal,
                format!("cannot start the async runtime: {e}"),
                "this is a resource limit of the machine (threads, file descriptors); retry, or report it",
            )
        })?;
    Ok(runtime.block_on(future))
}
