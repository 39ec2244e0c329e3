//! The machinery of `hague doctor` and `firmadoc doctor`: a list of steps, each
//! `ok`, `warning`, `failed` or `skipped` (because a step it needs did not pass),
//! with what to do when it is not ok; printed as text or as one JSON object,
//! with the exit status of the first failed step.
//!
//! The checks both tools share live here too: where each setting came from
//! ([`Setting`]), DNS and TCP reach ([`dns_step`], [`tcp_step`]), the TLS chain
//! against the roots in use ([`tls_step`]), the clock against the servers' `Date`
//! ([`clock_step`]) and certificate expiry ([`CertificateInfo`]). The tools add
//! their own (discovery, a token, a signed call).
//!
//! ```
//! use cli_support::doctor::{Doctor, Step};
//! use cli_support::ExitStatus;
//!
//! let mut doctor = Doctor::new("tool");
//! doctor.push(Step::ok("configuration", "3 settings"));
//! doctor.push(Step::failed("tcp", ExitStatus::Network, "cannot connect to h:443", "check the network"));
//! assert!(!doctor.ready("tls", &["tcp"])); // records `tls` as skipped
//! let report = doctor.into_report();
//! assert_eq!(report.json["failed_step"], "tcp");
//! assert_eq!(report.json["steps"][2]["status"], "skipped");
//! assert_eq!(report.failure.as_ref().map(|e| e.status), Some(ExitStatus::Network));
//! ```

mod cert;
mod clock;
mod net;
mod setting;

pub use cert::{CertificateInfo, EXPIRY_WARNING, expiry_status, pem_certificates};
pub use clock::{ClockThresholds, DateSample, StartedClock, clock_step};
pub use net::{Endpoint, date_samples, dns_step, roots_in_use, server_date, tcp_step, tls_step};
pub use setting::{Setting, Source, configuration_step, secret_file_mode};

use serde_json::{Map, Value, json};

use crate::error::CliError;
use crate::exit::ExitStatus;
use crate::report::Report;

/// How a step went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Status {
    /// Fine.
    Ok,
    /// Works, but something needs attention (a certificate about to expire).
    Warning,
    /// Broken: the tool's calls fail because of it.
    Failed,
    /// Not run, because a step it needs did not pass.
    Skipped,
}

impl Status {
    /// `ok`, `warning`, `failed` or `skipped` (the JSON `status`).
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Warning => "warning",
            Self::Failed => "failed",
            Self::Skipped => "skipped",
        }
    }
}

/// One step of a doctor's report.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    name: String,
    status: Status,
    summary: String,
    lines: Vec<String>,
    hint: Option<String>,
    exit: ExitStatus,
    details: Map<String, Value>,
    /// Skipped because it does not apply (TLS on plain http): then the steps
    /// that need it still run.
    not_applicable: bool,
}

impl Step {
    fn new(name: &str, status: Status, summary: impl Into<String>) -> Self {
        Self {
            name: name.to_owned(),
            status,
            summary: summary.into(),
            lines: Vec::new(),
            hint: None,
            exit: ExitStatus::Success,
            details: Map::new(),
            not_applicable: false,
        }
    }

    /// A step that passed.
    pub fn ok(name: &str, summary: impl Into<String>) -> Self {
        Self::new(name, Status::Ok, summary)
    }

    /// A step that passed with something to attend to, and what to do.
    pub fn warning(name: &str, summary: impl Into<String>, hint: impl Into<String>) -> Self {
        Self {
            hint: Some(hint.into()),
            ..Self::new(name, Status::Warning, summary)
        }
    }

    /// A step that failed: the exit status it stands for (the documented table),
    /// what is wrong and what to do.
    pub fn failed(
        name: &str,
        exit: ExitStatus,
        summary: impl Into<String>,
        hint: impl Into<String>,
    ) -> Self {
        Self {
            hint: Some(hint.into()),
            exit,
            ..Self::new(name, Status::Failed, summary)
        }
    }

    /// A step not run, and why.
    pub fn skipped(name: &str, reason: impl Into<String>) -> Self {
        Self::new(name, Status::Skipped, reason)
    }

    /// A step that does not apply to this set-up (TLS over plain http): shown as
    /// skipped, with `details.not_applicable`, and it does not stop the steps
    /// that need it.
    pub fn not_applicable(name: &str, reason: impl Into<String>) -> Self {
        Self {
            not_applicable: true,
            ..Self::new(name, Status::Skipped, reason)
        }
        .detail("not_applicable", true)
    }

    /// A failed step from a tool's error: its sentence, hint and exit status.
    pub fn from_error(name: &str, e: &CliError) -> Self {
        Self::failed(name, e.status, e.message.clone(), e.hint.clone())
    }

    /// Adds a line shown under the summary (text output).
    #[must_use]
    pub fn line(mut self, text: impl Into<String>) -> Self {
        self.lines.push(text.into());
        self
    }

    /// Adds lines shown under the summary, in order (text output).
    #[must_use]
    pub fn lines<T: Into<String>>(mut self, texts: impl IntoIterator<Item = T>) -> Self {
        self.lines.extend(texts.into_iter().map(Into::into));
        self
    }

    /// Adds a key to the step's JSON `details`.
    #[must_use]
    pub fn detail(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.details.insert(key.to_owned(), value.into());
        self
    }

    /// The step's name (`configuration`, `dns`...).
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// How it went.
    #[must_use]
    pub fn status(&self) -> Status {
        self.status
    }

    /// The one-line summary.
    #[must_use]
    pub fn summary(&self) -> &str {
        &self.summary
    }

    /// What to do, for a warning or a failure.
    #[must_use]
    pub fn hint(&self) -> Option<&str> {
        self.hint.as_deref()
    }

    fn to_json(&self) -> Value {
        json!({
            "step": self.name,
            "status": self.status.name(),
            "summary": self.summary,
            "hint": self.hint,
            "exit_code": (self.status == Status::Failed).then(|| self.exit.code()),
            "details": self.details,
        })
    }

    fn to_text(&self, out: &mut String) {
        out.push_str(&format!(
            "[{}] {}: {}\n",
            self.status.name(),
            self.name,
            self.summary
        ));
        for line in &self.lines {
            out.push_str(&format!("      {line}\n"));
        }
        if let Some(hint) = &self.hint {
            out.push_str(&format!("      what to do: {hint}\n"));
        }
    }
}

/// The steps of one run, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Doctor {
    tool: &'static str,
    steps: Vec<Step>,
}

impl Doctor {
    /// An empty report for `tool`.
    #[must_use]
    pub fn new(tool: &'static str) -> Self {
        Self {
            tool,
            steps: Vec::new(),
        }
    }

    /// Records a step; returns its status.
    pub fn push(&mut self, step: Step) -> Status {
        let status = step.status;
        self.steps.push(step);
        status
    }

    /// The steps so far.
    #[must_use]
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// Whether the step `name` ran and passed (ok or warning).
    #[must_use]
    pub fn passed(&self, name: &str) -> bool {
        self.steps
            .iter()
            .any(|s| s.name == name && matches!(s.status, Status::Ok | Status::Warning))
    }

    /// Whether the step `name` can run: every step of `needs` that was recorded
    /// passed. If not, `name` is recorded as skipped, naming the step that did not pass.
    pub fn ready(&mut self, name: &str, needs: &[&str]) -> bool {
        let blocking = needs.iter().find(|n| {
            self.steps.iter().any(|s| {
                s.name == **n
                    && !s.not_applicable
                    && matches!(s.status, Status::Failed | Status::Skipped)
            })
        });
        match blocking {
            None => true,
            Some(b) => {
                let how = self
                    .steps
                    .iter()
                    .find(|s| s.name == *b)
                    .map_or("did not pass", |s| {
                        if s.status == Status::Failed {
                            "failed"
                        } else {
                            "was skipped"
                        }
                    });
                self.push(Step::skipped(
                    name,
                    format!("skipped because the `{b}` step {how}"),
                ));
                false
            }
        }
    }

    /// The report: every step as text (one block per step) or as one JSON
    /// object `{"tool", "ok", "failed_step", "exit_code", "counts", "steps"}`.
    /// When a step failed, the report carries the error of the first one
    /// ([`Report::failure`]): printed on standard error after the report, and
    /// its exit status is the process's.
    #[must_use]
    pub fn into_report(self) -> Report {
        let first_failed = self.steps.iter().find(|s| s.status == Status::Failed);
        let count = |st: Status| self.steps.iter().filter(|s| s.status == st).count();
        let (ok, warnings, failed, skipped) = (
            count(Status::Ok),
            count(Status::Warning),
            count(Status::Failed),
            count(Status::Skipped),
        );
        let mut human = String::new();
        for step in &self.steps {
            step.to_text(&mut human);
        }
        human.push_str(&format!(
            "{}: {ok} ok, {warnings} warning(s), {failed} failed, {skipped} skipped",
            self.tool
        ));
        let failure = first_failed.map(|s| {
            CliError::new(
                s.exit,
                format!("doctor: the `{}` step failed: {}", s.name, s.summary),
                s.hint.clone().unwrap_or_default(),
            )
        });
        let json = json!({
            "tool": self.tool,
            "ok": first_failed.is_none(),
            "failed_step": first_failed.map(|s| s.name.clone()),
            "exit_code": first_failed.map_or(0, |s| s.exit.code()),
            "counts": {"ok": ok, "warning": warnings, "failed": failed, "skipped": skipped},
            "steps": self.steps.iter().map(Step::to_json).collect::<Vec<_>>(),
        });
        let mut report = Report::new(human, json);
        report.failure = failure;
        report
    }
}

/// How a tool reaches its hosts, for [`Doctor::reach`].
#[derive(Debug, Clone, Copy)]
pub struct Reach<'a> {
    /// The transport settings the tool's calls use (roots, timeouts).
    pub transport: &'a http_transport::TransportConfig,
    /// The extra roots file, when one is configured (named in the `tls` step).
    pub extra_roots_file: Option<&'a str>,
    /// How a user adds roots (`--extra-root-ca-file or HAGUE_EXTRA_ROOT_CA_FILE`),
    /// when the tool can.
    pub extra_setting: Option<&'a str>,
    /// What to check when a URL is unusable (`check --env or FIRMADOC_ENV`).
    pub url_hint: &'a str,
    /// The clock thresholds of the tool.
    pub clock: ClockThresholds,
}

impl Doctor {
    /// The steps every tool runs on its hosts, each when its prerequisite
    /// passed: `dns`, `tcp`, `tls` and `clock` (against each server's `Date`,
    /// read with `clock`). `urls` are `(role, url)` pairs. Returns the endpoints.
    pub async fn reach(
        &mut self,
        urls: &[(&str, &str)],
        how: Reach<'_>,
        clock: &dyn http_transport::Clock,
    ) -> Vec<Endpoint> {
        /// How long DNS and TCP may take per host.
        const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);
        let endpoints = match Endpoint::from_urls(urls) {
            Ok(e) => e,
            Err(e) => {
                self.push(Step::failed("dns", ExitStatus::Usage, e, how.url_hint));
                Vec::new()
            }
        };
        if self.ready("dns", &["dns"]) {
            self.push(dns_step(&endpoints, TIMEOUT).await);
        }
        if self.ready("tcp", &["dns"]) {
            self.push(tcp_step(&endpoints, TIMEOUT).await);
        }
        if self.ready("tls", &["tcp"]) {
            let now = clock.now();
            let step = tls_step(
                &endpoints,
                how.transport,
                how.extra_roots_file,
                how.extra_setting,
                now,
            );
            self.push(step.await);
        }
        if self.ready("clock", &["tcp", "tls"]) {
            let samples = date_samples(how.transport, &endpoints, clock).await;
            self.push(clock_step(&samples, how.clock));
        }
        endpoints
    }

    /// Whether the `clock` step ran and found this machine's clock off (a
    /// warning or a failure): later authentication failures then say so.
    #[must_use]
    pub fn clock_off(&self) -> bool {
        self.steps
            .iter()
            .any(|s| s.name == "clock" && matches!(s.status, Status::Failed | Status::Warning))
    }
}
