//! What a successful command prints.

use std::io::Write;

/// A command's result: a text for people, a JSON value for scripts (`--json`).
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// For a terminal; printed as is, plus a line break when not empty.
    pub human: String,
    /// For `--json`: printed as one line.
    pub json: serde_json::Value,
}

impl Report {
    /// A report.
    pub fn new(human: impl Into<String>, json: serde_json::Value) -> Self {
        Self {
            human: human.into(),
            json,
        }
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
