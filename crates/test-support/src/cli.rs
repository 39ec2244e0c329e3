//! Running a command-line tool's binary in a test, and checking what it printed the way
//! `docs/cli.md` says every tool of the workspace prints (`TOOL: error: ...` then
//! `TOOL: hint: ...` on failure; one JSON line with `--json`).
//!
//! Each CLI crate describes itself once in a [`Tool`] and wraps [`run`]:
//!
//! ```no_run
//! use test_support::cli::{Run, Tool};
//! static TOOL: Tool = Tool {
//!     name: "demo",
//!     never_printed: &["the-secret"],
//!     quiet_failures: true,
//!     check_json: |_args, _value| {},
//! };
//! let out = test_support::cli::run(&TOOL, &mut std::process::Command::new("demo")).ok();
//! ```

use std::process::{Command, Output};

/// What the tests of one command-line tool check on every run.
#[derive(Debug)]
pub struct Tool {
    /// The binary's name, the prefix of its error and hint lines.
    pub name: &'static str,
    /// Strings that must never appear on stderr (secrets, tokens, PEM armour).
    pub never_printed: &'static [&'static str],
    /// Whether a failure prints nothing but its error and hint lines (no other `TOOL: `
    /// line, nothing on stdout); [`Run::fails`] then returns the whole of stderr, and
    /// otherwise the error line alone.
    pub quiet_failures: bool,
    /// Checks a `--json` result against the shape documented for the arguments run.
    pub check_json: fn(&[String], &serde_json::Value),
}

/// What a run printed, and its exit code.
#[derive(Debug)]
pub struct Run {
    /// The tool the run was of.
    pub tool: &'static Tool,
    /// The arguments it was run with.
    pub args: Vec<String>,
    /// Its exit code.
    pub code: i32,
    /// Its standard output.
    pub stdout: String,
    /// Its standard error.
    pub stderr: String,
}

/// Runs `cmd` (a binary of `tool`) to completion; panics if it cannot start, dies by a
/// signal, or prints other than UTF-8.
pub fn run(tool: &'static Tool, cmd: &mut Command) -> Run {
    let args = cmd
        .get_args()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let Output {
        status,
        stdout,
        stderr,
    } = cmd
        .output()
        .unwrap_or_else(|e| panic!("the {} binary runs: {e}", tool.name));
    Run {
        tool,
        args,
        code: status
            .code()
            .unwrap_or_else(|| panic!("{} exited normally: {status}", tool.name)),
        stdout: String::from_utf8(stdout).unwrap_or_else(|e| panic!("UTF-8 stdout: {e}")),
        stderr: String::from_utf8(stderr).unwrap_or_else(|e| panic!("UTF-8 stderr: {e}")),
    }
}

impl Run {
    /// Asserts success and returns stdout.
    pub fn ok(self) -> String {
        assert_eq!(
            self.code, 0,
            "stdout: {} stderr: {}",
            self.stdout, self.stderr
        );
        self.stdout
    }

    /// Asserts success, parses stdout as one JSON line, and checks it with the tool's
    /// [`Tool::check_json`].
    pub fn json(self) -> serde_json::Value {
        let (tool, args) = (self.tool, self.args.clone());
        let out = self.ok();
        assert_eq!(out.lines().count(), 1, "one JSON line: {out}");
        let value: serde_json::Value =
            serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
        (tool.check_json)(&args, &value);
        value
    }

    /// Asserts the exit code, one error line and one hint line, and that nothing of
    /// [`Tool::never_printed`] leaked. Returns stderr if the tool has
    /// [`Tool::quiet_failures`], the error line otherwise.
    pub fn fails(self, code: i32) -> String {
        assert_eq!(
            self.code, code,
            "stdout: {} stderr: {}",
            self.stdout, self.stderr
        );
        let name = self.tool.name;
        for secret in self.tool.never_printed {
            assert!(!self.stderr.contains(secret), "`{secret}` leaked on stderr");
        }
        let (error, hint) = (format!("{name}: error: "), format!("{name}: hint: "));
        if self.tool.quiet_failures {
            let prefix = format!("{name}: ");
            let lines: Vec<&str> = self
                .stderr
                .lines()
                .filter(|l| l.starts_with(&prefix))
                .collect();
            assert_eq!(lines.len(), 2, "{}", self.stderr);
            assert!(lines[0].starts_with(&error), "{}", self.stderr);
            assert!(lines[1].starts_with(&hint), "{}", self.stderr);
            assert!(self.stdout.is_empty(), "nothing on stdout: {}", self.stdout);
            return self.stderr;
        }
        let errors: Vec<&str> = self
            .stderr
            .lines()
            .filter(|l| l.starts_with(&error))
            .collect();
        let hints = self.stderr.lines().filter(|l| l.starts_with(&hint)).count();
        assert_eq!(errors.len(), 1, "{}", self.stderr);
        assert_eq!(hints, 1, "{}", self.stderr);
        errors[0].to_owned()
    }
}
