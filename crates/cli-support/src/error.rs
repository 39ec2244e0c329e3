//! The error every command reports: one sentence, a hint, an exit status.

use std::io::Write;

use crate::exit::ExitStatus;

/// A failed command, as the user sees it: one clear sentence saying what was
/// wrong, one hint line saying what to do, and the exit status.
///
/// Build the message from values that hold no secret: this type is printed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
#[non_exhaustive]
pub struct CliError {
    /// The exit status.
    pub status: ExitStatus,
    /// What was wrong, one sentence.
    pub message: String,
    /// What to do about it, one line.
    pub hint: String,
}

impl CliError {
    /// An error with its status, sentence and hint.
    pub fn new(status: ExitStatus, message: impl Into<String>, hint: impl Into<String>) -> Self {
        Self {
            status,
            message: one_line(&message.into()),
            hint: one_line(&hint.into()),
        }
    }

    /// A usage or configuration error (exit 2).
    pub fn usage(message: impl Into<String>, hint: impl Into<String>) -> Self {
        Self::new(ExitStatus::Usage, message, hint)
    }

    /// An invalid-input error (exit 5).
    pub fn invalid_input(message: impl Into<String>, hint: impl Into<String>) -> Self {
        Self::new(ExitStatus::InvalidInput, message, hint)
    }

    /// The error as text for a terminal: `error: <sentence>` then `hint: <hint>`.
    #[must_use]
    pub fn to_text(&self, tool: &str) -> String {
        format!(
            "{tool}: error: {}\n{tool}: hint: {}\n",
            self.message, self.hint
        )
    }

    /// The error as one JSON object (one line):
    /// `{"error":{"status":"usage","exit_code":2,"message":"...","hint":"..."}}`.
    #[must_use]
    pub fn to_json(&self) -> String {
        serde_json::json!({
            "error": {
                "status": self.status.name(),
                "exit_code": self.status.code(),
                "message": self.message,
                "hint": self.hint,
            }
        })
        .to_string()
    }

    /// Writes the error to `out` (standard error in the tools), as JSON when `json`
    /// is set, and returns its exit status.
    pub fn report(&self, tool: &str, json: bool, out: &mut dyn Write) -> ExitStatus {
        let text = if json {
            format!("{}\n", self.to_json())
        } else {
            self.to_text(tool)
        };
        // Nothing better can be done if standard error is closed.
        let _ = out.write_all(text.as_bytes());
        let _ = out.flush();
        self.status
    }
}

/// Joins lines so a message stays one line (a service text may hold line breaks).
fn one_line(text: &str) -> String {
    let joined: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    joined.join(" ")
}
