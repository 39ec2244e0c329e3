//! What a successful command prints.

use std::io::Write;

use crate::error::CliError;
use crate::exit::ExitStatus;

/// A command's result: a text for people, a JSON value for scripts (`--json`).
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// For a terminal; printed as is, plus a line break when not empty.
    pub human: String,
    /// For `--json`: printed as one line.
    pub json: serde_json::Value,
    /// Printed on standard error instead of standard output (when the command
    /// wrote its data to standard output: `-o -`).
    pub on_stderr: bool,
    /// A report that is also a failure (a doctor whose step failed): the report
    /// is printed as usual, then this error on standard error, and its exit
    /// status is the command's.
    pub failure: Option<CliError>,
}

impl Report {
    /// A report.
    pub fn new(human: impl Into<String>, json: serde_json::Value) -> Self {
        Self {
            human: human.into(),
            json,
            on_stderr: false,
            failure: None,
        }
    }

    /// The same report, printed on standard error (the data went to standard output).
    #[must_use]
    pub fn on_stderr(mut self, yes: bool) -> Self {
        self.on_stderr = yes;
        self
    }

    /// Writes the report to `out` (standard output in the tools): the JSON
    /// value on one line when `json` is set, else the text.
    ///
    /// # Errors
    /// The write error (a closed pipe, say).
    pub fn print(&self, json: bool, out: &mut dyn Write) -> std::io::Result<()> {
        if json {
            writeln!(out, "{}", self.json)?;
        } else if !self.human.is_empty() {
            writeln!(out, "{}", self.human)?;
        }
        out.flush()
    }
}

/// Prints a command's outcome as every tool does, and returns its exit status:
/// the report (if any) on `out`, or the error (sentence and hint, or one JSON
/// line) on `err`. A closed `out` (`tool ... | head -0`) is not an error of
/// the command.
pub fn finish_to(
    tool: &str,
    json: bool,
    outcome: Result<Option<Report>, CliError>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> ExitStatus {
    match outcome {
        Ok(report) => {
            if let Some(report) = report {
                let _ = if report.on_stderr {
                    report.print(json, err)
                } else {
                    report.print(json, out)
                };
                if let Some(failure) = &report.failure {
                    return failure.report(tool, json, err);
                }
            }
            ExitStatus::Success
        }
        Err(e) => e.report(tool, json, err),
    }
}

/// [`finish_to`] on the process's standard output and error, as an exit code
/// for `main`.
pub fn finish(
    tool: &str,
    json: bool,
    outcome: Result<Option<Report>, CliError>,
) -> std::process::ExitCode {
    finish_to(
        tool,
        json,
        outcome,
        &mut std::io::stdout().lock(),
        &mut std::io::stderr().lock(),
    )
    .into()
}
