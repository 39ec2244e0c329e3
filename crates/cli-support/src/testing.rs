//! Checks the tools' tests share (feature `testing`, enabled only as a
//! dev-dependency): every numeric flag fed hostile values must be refused at
//! parse time with exit 2, the flag's name and its range, and never panic.

use std::path::Path;
use std::process::Command;

use crate::args::{NumericArg, numeric_args};

/// The values every numeric flag is fed: 0, -1, the type's maximum, a huge
/// decimal and a non-number.
#[must_use]
pub fn hostile_values(arg: &NumericArg) -> Vec<String> {
    vec![
        "0".to_owned(),
        "-1".to_owned(),
        arg.type_max.clone(),
        "99999999999999999999999999999999999999999999999999".to_owned(),
        "not-a-number".to_owned(),
    ]
}

/// Runs `binary` (with a cleared environment, in `dir`) once per numeric flag
/// of `cli` and hostile value, as `<command...> --flag=VALUE` and nothing else.
/// Returns the flags checked and the failures, each a sentence. A run must
/// exit 2 without `panicked`; for `-1`, the huge decimal and the non-number,
/// standard error must name the flag.
#[must_use]
pub fn check_numeric_flags(
    binary: &Path,
    cli: &clap::Command,
    dir: &Path,
) -> (Vec<NumericArg>, Vec<String>) {
    let args = numeric_args(cli);
    let mut failures = Vec::new();
    for arg in &args {
        for (i, value) in hostile_values(arg).iter().enumerate() {
            let mut line = arg.command.clone();
            line.push(format!("{}={value}", arg.flag));
            let shown = line.join(" ");
            let Some(stderr) = run_expecting_usage(binary, dir, &line, &shown, &mut failures)
            else {
                continue;
            };
            if stderr.contains("panicked") {
                failures.push(format!("{shown}: panicked: {stderr}"));
            }
            let must_refuse = matches!(i, 1 | 3 | 4);
            if must_refuse && !stderr.contains(&arg.flag) {
                failures.push(format!(
                    "{shown}: the message does not state the range: {stderr}"
                ));
            }
        }
    }
    (args, failures)
}

/// Runs `binary` (with a cleared environment, in `dir`) once per value-taking
/// flag of every subcommand of `cli`, and once per subcommand's first
/// positional value, each given the empty string and nothing else: the rule
/// of docs/cli.md ("no empty values") says each is refused when the command
/// line is read, exit 2, naming the flag (`--since`, `<WEEK>`), before any
/// configuration is read or request sent. Returns the number of runs and the
/// failures, each a sentence.
#[must_use]
pub fn check_empty_values(binary: &Path, cli: &clap::Command, dir: &Path) -> (usize, Vec<String>) {
    let mut runs = Vec::new();
    let mut built = cli.clone();
    built.build();
    empty_runs(&built, &mut Vec::new(), &mut runs);
    let mut failures = Vec::new();
    for (command, arg, name) in &runs {
        let mut line = command.clone();
        line.push(if arg.is_empty() {
            String::new()
        } else {
            format!("{arg}=")
        });
        let shown = format!(
            "{} {:?}",
            command.join(" "),
            line.last().unwrap_or(&String::new())
        );
        let Some(stderr) = run_expecting_usage(binary, dir, &line, &shown, &mut failures) else {
            continue;
        };
        if stderr.contains("panicked")
            // The error line itself (clap's usage line lists every flag given).
            || !stderr
                .lines()
                .find(|l| l.contains("error"))
                .is_some_and(|l| l.contains(name.as_str()))
        {
            failures.push(format!("{shown}: the error does not name {name}: {stderr}"));
        }
    }
    (runs.len(), failures)
}

/// Runs `binary` with `args` alone (cleared environment, in `dir`); records a
/// failure unless it exits 2. Returns its standard error, unless it could not run.
fn run_expecting_usage(
    binary: &Path,
    dir: &Path,
    args: &[String],
    shown: &str,
    failures: &mut Vec<String>,
) -> Option<String> {
    let output = Command::new(binary)
        .env_clear()
        .env("HOME", dir.join("no-home"))
        .current_dir(dir)
        .args(args)
        .output();
    let output = match output {
        Ok(o) => o,
        Err(e) => {
            failures.push(format!("{shown}: cannot run: {e}"));
            return None;
        }
    };
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    if output.status.code() != Some(2) {
        failures.push(format!(
            "{shown}: exit {:?}, not 2: {stderr}",
            output.status.code()
        ));
    }
    Some(stderr)
}

/// The leaf subcommands of a command line (`hague bulletin fetch`), `help` left out.
#[must_use]
pub fn leaf_commands(cmd: &clap::Command) -> std::collections::BTreeSet<String> {
    fn walk(cmd: &clap::Command, prefix: &str, out: &mut std::collections::BTreeSet<String>) {
        let subs: Vec<&clap::Command> = cmd
            .get_subcommands()
            .filter(|s| s.get_name() != "help")
            .collect();
        if subs.is_empty() {
            out.insert(prefix.to_owned());
        }
        for s in subs {
            walk(s, &format!("{prefix} {}", s.get_name()), out);
        }
    }
    let mut out = std::collections::BTreeSet::new();
    walk(cmd, cmd.get_name(), &mut out);
    out
}

/// `(command path, flag or "" for the first positional, name in messages)`.
fn empty_runs(
    cmd: &clap::Command,
    path: &mut Vec<String>,
    runs: &mut Vec<(Vec<String>, String, String)>,
) {
    for arg in cmd.get_arguments() {
        // Global flags once, at the top; flags without a value never.
        if !arg.get_action().takes_values() || (arg.is_global_set() && !path.is_empty()) {
            continue;
        }
        let name = crate::args::arg_name(Some(arg));
        if arg.is_positional() {
            if arg.get_index() == Some(1) {
                runs.push((path.clone(), String::new(), name));
            }
        } else if let Some(long) = arg.get_long() {
            runs.push((path.clone(), format!("--{long}"), name));
        }
    }
    for sub in cmd.get_subcommands() {
        path.push(sub.get_name().to_owned());
        empty_runs(sub, path, runs);
        path.pop();
    }
}

/// The `--json` shapes documented in `docs/cli.md`'s table: for each
/// subcommand (`hague token`), its keys and whether each is optional (`key?`).
/// Text in parentheses describes a key and is skipped.
#[must_use]
pub fn documented_shapes(doc: &str) -> Vec<(String, Vec<(String, bool)>)> {
    let mut shapes = Vec::new();
    // Only the rows of the table headed `| subcommand | keys of the result |`
    // (other tables, the flag ranges say, also start with a command).
    let mut in_table = false;
    for line in doc.lines() {
        if line.starts_with("| subcommand |") {
            in_table = true;
            continue;
        }
        if !line.starts_with('|') {
            in_table = false;
        }
        if !in_table {
            continue;
        }
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        // `| cmd | keys |` splits into ["", cmd, keys, ""].
        let [_, commands, keys, _] = cells.as_slice() else {
            continue;
        };
        if !(commands.starts_with("`hague ") || commands.starts_with("`firmadoc ")) {
            continue;
        }
        let mut plain = String::new();
        let mut depth = 0u32;
        for c in keys.chars() {
            match c {
                '(' => depth += 1,
                ')' => depth = depth.saturating_sub(1),
                _ if depth == 0 => plain.push(c),
                _ => {}
            }
        }
        let keys: Vec<(String, bool)> = plain
            .split('`')
            .skip(1)
            .step_by(2)
            .map(|k| match k.strip_suffix('?') {
                Some(k) => (k.to_owned(), true),
                None => (k.to_owned(), false),
            })
            .collect();
        for command in commands.split(',') {
            let command = command.trim().trim_matches('`').to_owned();
            shapes.push((command, keys.clone()));
        }
    }
    shapes
}

/// Checks a `--json` result of `command` (`hague token`) against the table of
/// `doc`: every required key present, no key the table does not list.
///
/// # Errors
/// A sentence saying what differs.
pub fn check_json_shape(doc: &str, command: &str, value: &serde_json::Value) -> Result<(), String> {
    let shapes = documented_shapes(doc);
    let Some((_, keys)) = shapes.iter().find(|(c, _)| c == command) else {
        return Err(format!(
            "`{command}` has no row in the --json table of docs/cli.md"
        ));
    };
    let Some(object) = value.as_object() else {
        return Err(format!("`{command} --json` printed {value}, not an object"));
    };
    for (key, optional) in keys {
        if !optional && !object.contains_key(key) {
            return Err(format!(
                "`{command} --json` lacks the documented key `{key}`: {value}"
            ));
        }
    }
    for key in object.keys() {
        if !keys.iter().any(|(k, _)| k == key) {
            return Err(format!(
                "`{command} --json` has `{key}`, which docs/cli.md does not list"
            ));
        }
    }
    Ok(())
}

/// Which documented subcommand a command line runs: the first
/// `<tool> <word> [<word>]` of the table found among the non-flag arguments
/// (the value of a global flag before the subcommand is skipped that way).
#[must_use]
pub fn command_of(doc: &str, tool: &str, args: &[String]) -> Option<String> {
    let words: Vec<&str> = args
        .iter()
        .map(String::as_str)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let shapes = documented_shapes(doc);
    let known = |c: &str| shapes.iter().any(|(s, _)| s == c);
    for (i, first) in words.iter().enumerate() {
        if let Some(second) = words.get(i + 1) {
            let two = format!("{tool} {first} {second}");
            if known(&two) {
                return Some(two);
            }
        }
        let one = format!("{tool} {first}");
        if known(&one) {
            return Some(one);
        }
    }
    None
}

/// The step `name` of a doctor's JSON report.
///
/// # Panics
/// When the report has no such step (a test failure).
#[must_use]
pub fn doctor_step<'a>(report: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    report["steps"]
        .as_array()
        .and_then(|steps| steps.iter().find(|s| s["step"] == name))
        .unwrap_or_else(|| panic!("no step {name}: {report}"))
}

/// Checks a doctor's outcome for a broken set-up: the report says step `at`
/// failed first with exit `code` and a hint containing `hint`, the error on
/// standard error (`error`, the JSON error object) has the same exit code,
/// and every step of `steps` before `at` passed (ok, warning, or not applicable).
///
/// # Panics
/// When any of that does not hold (a test failure).
pub fn doctor_fails_at(
    report: &serde_json::Value,
    error: &serde_json::Value,
    steps: &[&str],
    code: i32,
    at: &str,
    hint: &str,
) {
    assert_eq!(report["ok"], false, "{report}");
    assert_eq!(report["failed_step"], at, "{report}");
    assert_eq!(report["exit_code"], code, "{report}");
    let failed = doctor_step(report, at);
    assert_eq!(failed["status"], "failed", "{failed}");
    let said = failed["hint"].as_str().unwrap_or_default();
    assert!(said.contains(hint), "hint `{said}` lacks `{hint}`");
    assert_eq!(error["error"]["exit_code"], code, "{error}");
    for name in steps.iter().take_while(|n| **n != at) {
        let st = doctor_step(report, name);
        let passed = st["status"] == "ok"
            || st["status"] == "warning"
            || st["details"]["not_applicable"] == true;
        assert!(passed, "{name} before {at}: {report}");
    }
}

/// A doctor run's output checked and parsed: no panic, one JSON report on
/// standard output in the shape `doc` documents for `command`, and on
/// standard error nothing when `code` is 0, else one JSON error. Returns the
/// report and the error (`null` when none).
///
/// # Panics
/// When any of that does not hold (a test failure).
#[must_use]
pub fn doctor_outcome(
    code: i32,
    stdout: &str,
    stderr: &str,
    doc: &str,
    command: &str,
) -> (serde_json::Value, serde_json::Value) {
    assert!(!stderr.contains("panicked"), "{stderr}");
    let report: serde_json::Value = serde_json::from_str(stdout)
        .unwrap_or_else(|e| panic!("one JSON report on stdout ({e}): {stdout} {stderr}"));
    if let Err(e) = check_json_shape(doc, command, &report) {
        panic!("{e}");
    }
    let error = if code == 0 {
        assert!(stderr.is_empty(), "{stderr}");
        serde_json::Value::Null
    } else {
        serde_json::from_str(stderr.trim())
            .unwrap_or_else(|e| panic!("one JSON error on stderr ({e}): {stderr}"))
    };
    (report, error)
}

/// [`doctor_outcome`] with the shapes the workspace's `docs/cli.md`
/// documents for `command` (`hague doctor`, `firmadoc doctor`).
///
/// # Panics
/// When the document cannot be read, or as [`doctor_outcome`].
#[must_use]
pub fn doctor_report(
    code: i32,
    stdout: &str,
    stderr: &str,
    command: &str,
) -> (serde_json::Value, serde_json::Value) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/cli.md");
    let doc = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {path}: {e}"));
    doctor_outcome(code, stdout, stderr, &doc, command)
}

/// Checks that a doctor's report lists exactly `steps`, in that order.
///
/// # Panics
/// When it does not (a test failure).
pub fn doctor_lists_steps(report: &serde_json::Value, steps: &[&str]) {
    let names: Vec<&str> = report["steps"]
        .as_array()
        .unwrap_or_else(|| panic!("no steps: {report}"))
        .iter()
        .map(|s| s["step"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(names, steps, "{report}");
}

/// Checks a doctor's outcome when the service's clock is `ahead` seconds
/// ahead of this machine's: the clock step fails first (exit 3, a hint to
/// synchronise the clock), and the skew it reports is within 2 s of `ahead`.
///
/// # Panics
/// When any of that does not hold (a test failure).
pub fn doctor_fails_at_clock(
    report: &serde_json::Value,
    error: &serde_json::Value,
    steps: &[&str],
    ahead: i64,
) {
    doctor_fails_at(
        report,
        error,
        steps,
        3,
        "clock",
        "synchronise this machine's clock",
    );
    let skew = doctor_step(report, "clock")["details"]["skew_seconds"]
        .as_i64()
        .unwrap_or_else(|| panic!("no skew_seconds: {report}"));
    assert!((ahead - 2..=ahead + 2).contains(&skew), "{skew}");
}

/// The setting `name` of a doctor report's configuration step (where its
/// value came from: `source`, `from`).
///
/// # Panics
/// When the report has no such setting (a test failure).
#[must_use]
pub fn doctor_setting<'a>(report: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    doctor_step(report, "configuration")["details"]["settings"]
        .as_array()
        .and_then(|settings| settings.iter().find(|s| s["name"] == name))
        .unwrap_or_else(|| panic!("no setting {name}: {report}"))
}
